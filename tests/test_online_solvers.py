"""On-line (SBPI, CP+R) and stochastic-synapse gradient solvers of the binary perceptron."""

import math

import numpy as np
import pytest

from replica.sampler._solver_result import SolverResult
from replica.sampler.instances import random_instance
from replica.sampler.online import cp_r, default_hidden_range, default_p_r, sbpi
from replica.sampler.stochastic import _objective_and_gradient, stochastic_gd

SOLVERS = {
    "sbpi": (sbpi, {}),
    "cpr": (cp_r, {}),
    "stochastic-gd": (stochastic_gd, {}),
}


def _independent_check(instance, weights):
    """Every pattern stored with a strictly positive (margin-shifted) field, recomputed
    from the raw patterns and labels without Instance.errors."""
    w = np.asarray(weights, dtype=np.int64)
    assert w.shape == (instance.n,)
    assert set(np.unique(w)) <= {-1, 1}
    fields = instance.labels.astype(np.int64) * (instance.patterns.astype(np.int64) @ w)
    return bool(np.all(fields / math.sqrt(instance.n) > instance.kappa))


@pytest.mark.parametrize("name", sorted(SOLVERS))
@pytest.mark.parametrize("n,alpha,seed", [(51, 0.2, 0), (101, 0.3, 1), (201, 0.4, 2), (301, 0.3, 3)])
def test_solves_easy_instances(name, n, alpha, seed):
    solver, kw = SOLVERS[name]
    inst = random_instance(n, alpha, rng=100 + seed)
    res = solver(inst, rng=seed, max_epochs=500, **kw)
    assert isinstance(res, SolverResult)
    assert res.algorithm == name
    assert res.weights.dtype == np.int8 and res.weights.shape == (n,)
    assert res.solved, (name, n, alpha, res.errors)
    assert res.errors == 0
    assert _independent_check(inst, res.weights)
    assert 1 <= res.iterations <= 500 and res.unit == "epochs"


@pytest.mark.parametrize("name", sorted(SOLVERS))
def test_unsolved_result_is_consistent(name):
    # alpha = 1.5 is far beyond the capacity (0.833): never solved, errors reported honestly
    solver, kw = SOLVERS[name]
    inst = random_instance(41, 1.5, rng=7)
    res = solver(inst, rng=0, max_epochs=5, **kw)
    assert not res.solved
    assert res.errors == int(inst.errors(res.weights)) > 0
    assert not _independent_check(inst, res.weights)
    assert res.iterations == 5 or res.extra.get("stalled")


@pytest.mark.parametrize("name", sorted(SOLVERS))
def test_same_seed_same_result(name):
    solver, kw = SOLVERS[name]
    inst = random_instance(101, 0.5, rng=11)
    a = solver(inst, rng=5, max_epochs=50, **kw)
    b = solver(inst, rng=5, max_epochs=50, **kw)
    assert np.array_equal(a.weights, b.weights)
    assert (a.solved, a.errors, a.iterations) == (b.solved, b.errors, b.iterations)
    c = solver(inst, rng=np.random.default_rng(5), max_epochs=50, **kw)
    assert np.array_equal(a.weights, c.weights)


def test_margin_instances():
    inst = random_instance(151, 0.2, rng=3, kappa=0.3)
    for solver in (sbpi, cp_r, stochastic_gd):
        res = solver(inst, rng=0, max_epochs=1000)
        assert res.solved, solver.__name__
        assert _independent_check(inst, res.weights)


def test_teacher_instances():
    inst = random_instance(201, 0.5, rng=4, kind="teacher")
    for solver in (sbpi, cp_r, stochastic_gd):
        res = solver(inst, rng=0, max_epochs=500)
        assert res.solved, solver.__name__
        assert _independent_check(inst, res.weights)


def test_empty_instance_is_solved_at_once():
    inst = random_instance(21, 0.0, rng=0)
    for solver in (sbpi, cp_r, stochastic_gd):
        res = solver(inst, rng=0)
        assert res.solved and res.iterations == 0


@pytest.mark.parametrize("kappa", [0.0, 0.4])
def test_gradient_matches_finite_differences(kappa):
    inst = random_instance(41, 0.5, rng=2)
    x = inst.signed_patterns()
    gen = np.random.default_rng(0)
    m = gen.uniform(-0.95, 0.95, size=inst.n)
    ks = kappa * math.sqrt(inst.n)
    value, grad, u = _objective_and_gradient(m, x, ks)
    # direct evaluation of L(m) = sum log H(-u) with H the Gaussian tail
    from scipy.stats import norm

    s = math.sqrt(np.sum(1 - m**2))
    u_direct = (x.astype(float) @ m - ks) / s
    assert np.allclose(u, u_direct)
    assert value == pytest.approx(np.sum(norm.logsf(-u_direct)), rel=1e-10)
    eps = 1e-6
    fd = np.empty(inst.n)
    for i in range(inst.n):
        e = np.zeros(inst.n)
        e[i] = eps
        plus = _objective_and_gradient(m + e, x, ks)[0]
        minus = _objective_and_gradient(m - e, x, ks)[0]
        fd[i] = (plus - minus) / (2 * eps)
    assert np.allclose(grad, fd, rtol=1e-5, atol=1e-6)


def test_gradient_is_finite_for_extreme_stabilities():
    # nearly frozen magnetisations give |u| ~ 10^3: log_ndtr / erfcx keep everything finite
    inst = random_instance(31, 0.5, rng=1)
    m = np.where(np.arange(31) % 2 == 0, 1.0, -1.0)
    m[0] = 0.999999
    value, grad, u = _objective_and_gradient(m, inst.signed_patterns())
    assert np.max(np.abs(u)) > 100
    assert np.isfinite(value) and np.all(np.isfinite(grad))


def test_clipping_keeps_magnetisations_in_range(monkeypatch):
    import replica.sampler.stochastic as st

    seen = []
    original = st._objective_and_gradient

    def spy(m, x, k=0.0):
        seen.append(np.max(np.abs(m)))
        return original(m, x, k)

    monkeypatch.setattr(st, "_objective_and_gradient", spy)
    inst = random_instance(101, 0.9, rng=3)  # unsolvable in practice: long run with saturation
    res = st.stochastic_gd(inst, rng=0, lr=5.0, max_epochs=40, init_std=0.5)
    assert seen and max(seen) <= 1.0
    assert 0.0 < res.extra["frac_clipped"] <= 1.0
    assert res.extra["mean_abs_m"] <= 1.0


def test_defaults():
    assert default_p_r(1001) == pytest.approx(0.25 * math.sqrt(2 / (math.pi * 1001)))
    for n in (1, 51, 201, 1001, 10001):
        h = default_hidden_range(n)
        assert h % 2 == 1 and h >= 1
    inst = random_instance(101, 0.3, rng=0)
    res = sbpi(inst, rng=0)
    assert res.extra["hidden_range"] == default_hidden_range(101)
    res = cp_r(inst, rng=0)
    assert res.extra["p_r"] == pytest.approx(default_p_r(101))


@pytest.mark.parametrize(
    "solver,kw,word",
    [
        (sbpi, dict(theta_m=-1.0), "theta_m"),
        (sbpi, dict(p_s=1.5), "p_s"),
        (sbpi, dict(p_s=float("nan")), "p_s"),
        (sbpi, dict(hidden_range=4), "hidden_range"),
        (sbpi, dict(hidden_range=0), "hidden_range"),
        (sbpi, dict(hidden_range=3.0), "hidden_range"),
        (sbpi, dict(max_epochs=0), "max_epochs"),
        (sbpi, dict(max_epochs=True), "max_epochs"),
        (cp_r, dict(p_r=-0.1), "p_r"),
        (cp_r, dict(p_r=2.0), "p_r"),
        (cp_r, dict(theta=-2), "theta"),
        (cp_r, dict(hidden_range=10), "hidden_range"),
        (cp_r, dict(max_epochs=1.5), "max_epochs"),
        (stochastic_gd, dict(lr=0.0), "lr"),
        (stochastic_gd, dict(lr=-1.0), "lr"),
        (stochastic_gd, dict(lr="fast"), "lr"),
        (stochastic_gd, dict(max_epochs=-3), "max_epochs"),
        (stochastic_gd, dict(init_std=-0.1), "init_std"),
    ],
)
def test_bad_input(solver, kw, word):
    inst = random_instance(21, 0.3, rng=0)
    with pytest.raises(ValueError, match=word):
        solver(inst, rng=0, **kw)


@pytest.mark.parametrize("solver", [sbpi, cp_r, stochastic_gd])
def test_bad_instance(solver):
    with pytest.raises(ValueError, match="instance"):
        solver(np.ones((3, 5)), rng=0)


@pytest.mark.slow
@pytest.mark.parametrize("name,alpha", [("sbpi", 0.65), ("cpr", 0.55), ("stochastic-gd", 0.6)])
def test_near_capacity_n1001(name, alpha):
    solver, kw = SOLVERS[name]
    solved = 0
    for seed in range(3):
        inst = random_instance(1001, alpha, rng=500 + seed)
        res = solver(inst, rng=seed, max_epochs=2000, **kw)
        if res.solved:
            assert _independent_check(inst, res.weights)
            solved += 1
    assert solved >= 2
