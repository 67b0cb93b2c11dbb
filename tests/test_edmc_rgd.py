"""Tests of entropy-driven Monte Carlo (EdMC) and replicated gradient descent (rgd)."""

import itertools
import math
import warnings

import numpy as np
import pytest

from replica.sampler.bp import run_bp
from replica.sampler.edmc import entropy_driven_mc, flip_energy_change
from replica.sampler.instances import random_instance
from replica.sampler.replicated_gd import (_gaussian_loss_and_gradient, _loss_and_gradient,
                                          replicated_gd)


def _check_solution(inst, res):
    w = res.weights
    assert w.shape == (inst.n,) and set(np.unique(w)) <= {-1, 1}
    # fields from the raw patterns and labels, not via Instance helpers
    h = inst.labels.astype(np.int64) * (inst.patterns.astype(np.int64) @ w.astype(np.int64))
    assert np.all(h > inst.kappa * math.sqrt(inst.n))
    assert inst.is_solution(w) and res.errors == 0 and res.solved


# --- EdMC -------------------------------------------------------------------------------

@pytest.mark.parametrize("n,alpha,seed,init", [(101, 0.3, 1, "bp"), (151, 0.4, 2, "random"), (151, 0.45, 3, "bp")])
def test_edmc_solves_small(n, alpha, seed, init):
    inst = random_instance(n, alpha, rng=seed)
    res = entropy_driven_mc(inst, rng=seed, init=init)
    assert res.algorithm == "edmc" and res.unit == "sweeps"
    _check_solution(inst, res)
    assert res.extra["solved_by"] in ("reference", "marginals")
    if res.extra["solved_by"] == "reference":
        assert np.array_equal(res.extra["reference"], res.weights)


def test_edmc_teacher_and_margin():
    inst = random_instance(101, 0.3, rng=4, kind="teacher")
    _check_solution(inst, entropy_driven_mc(inst, rng=0))
    inst = random_instance(101, 0.2, rng=6, kappa=0.3)
    _check_solution(inst, entropy_driven_mc(inst, rng=1, init="random"))


def test_edmc_bp_energy_mode_solves():
    inst = random_instance(61, 0.3, rng=5)
    res = entropy_driven_mc(inst, rng=5, energy="bp", init="random", max_sweeps=30)
    _check_solution(inst, res)
    assert res.extra["energy"] == "bp"


def test_edmc_refresh_one_is_bp_after_every_accepted_flip():
    # refresh = 1: BP after every accepted flip (no local marginal updates)
    inst = random_instance(101, 0.3, rng=8)
    res = entropy_driven_mc(inst, rng=3, refresh=1)
    _check_solution(inst, res)
    assert res.extra["bp_runs"] >= res.extra["accepted"]


def test_edmc_deterministic():
    inst = random_instance(101, 0.4, rng=7)
    a = entropy_driven_mc(inst, rng=11, init="random")
    b = entropy_driven_mc(inst, rng=11, init="random")
    assert np.array_equal(a.weights, b.weights)
    assert a.iterations == b.iterations and a.extra["accepted"] == b.extra["accepted"]
    assert np.array_equal(a.extra["reference"], b.extra["reference"])


def test_edmc_unsolved_returns_best_and_finite():
    inst = random_instance(41, 1.2, rng=8)  # above capacity: no solution
    res = entropy_driven_mc(inst, rng=0, max_sweeps=2)
    assert not res.solved and res.errors == int(inst.errors(res.weights)) > 0
    assert res.extra["solved_by"] is None
    for key in ("final_gamma", "final_beta"):
        assert math.isfinite(res.extra[key])
    assert res.extra["free_entropy"] is None or math.isfinite(res.extra["free_entropy"])
    # best seen: no worse than the starting reference sign(m_RS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = run_bp(inst).marginals
    assert res.errors <= int(inst.errors(np.where(m >= 0, 1, -1)))


def test_edmc_energy_independent_of_reference_at_gamma_zero():
    inst = random_instance(15, 0.4, rng=2)
    gen = np.random.default_rng(0)
    phis = []
    for _ in range(4):
        ref = 2 * gen.integers(0, 2, size=15) - 1
        res = run_bp(inst, reference=ref, gamma=0.0, tol=1e-12, max_iter=5000)
        phis.append(res.free_entropy)
        assert np.allclose(flip_energy_change(ref, res.marginals, 0.0), 0.0)
    assert np.ptp(phis) < 1e-12


def _exact_local_free_entropy(inst, ref, gamma):
    """(1/N) ln sum_{W solutions} exp(gamma W . ref), by enumeration; and the marginals."""
    n = inst.n
    ws = np.array(list(itertools.product((-1, 1), repeat=n)), dtype=np.int64)
    sol = ws[inst.is_solution(ws)]
    logw = gamma * (sol @ np.asarray(ref, dtype=np.int64))
    mx = logw.max()
    p = np.exp(logw - mx)
    z = p.sum()
    return (mx + math.log(z)) / n, (p @ sol) / z


def test_edmc_energy_vs_exact_enumeration():
    """BP local free entropy vs exact enumeration at N = 14, and the flip identity.

    (The marginal-based dE agrees with the difference of re-converged Bethe free
    entropies only up to the Bethe/Gaussian error: measured 0.15 vs 0.18 at N = 201.)"""
    n = 14
    inst = random_instance(n, 0.3, rng=3)
    gen = np.random.default_rng(1)
    sol = None
    for w in itertools.product((-1, 1), repeat=n):
        if inst.is_solution(np.array(w)):
            sol = np.array(w)
            break
    assert sol is not None
    ref = sol.copy()
    ref[gen.choice(n, 3, replace=False)] *= -1
    gamma = 0.4
    phi_exact, m_exact = _exact_local_free_entropy(inst, ref, gamma)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = run_bp(inst, reference=ref, gamma=gamma, tol=1e-10, max_iter=5000, damping=0.5)
    assert res.free_entropy is not None
    # loose finite-N bound: the Gaussian (central-limit) BP at N = 14 is approximate
    assert abs(res.free_entropy - phi_exact) < 0.05
    # the flip identity is exact with exact marginals
    for i in range(n):
        flipped = ref.copy()
        flipped[i] *= -1
        phi_i, _ = _exact_local_free_entropy(inst, flipped, gamma)
        de_exact = -n * (phi_i - phi_exact)
        de = float(flip_energy_change(ref[i:i + 1], m_exact[i:i + 1], gamma)[0])
        assert de == pytest.approx(de_exact, abs=1e-9)


def test_edmc_marginal_energy_matches_bp_difference():
    inst = random_instance(201, 0.4, rng=9)
    gen = np.random.default_rng(2)
    ref = 2 * gen.integers(0, 2, size=201) - 1
    gamma = 0.5
    base = run_bp(inst, reference=ref, gamma=gamma, tol=1e-9)
    de = flip_energy_change(ref, base.marginals, gamma)
    for i in (0, 50, 100):
        flipped = ref.copy()
        flipped[i] *= -1
        new = run_bp(inst, reference=flipped, gamma=gamma, init=base, tol=1e-9)
        assert -201 * (new.free_entropy - base.free_entropy) == pytest.approx(de[i], abs=0.06)


def test_flip_energy_change_is_finite_at_extremes():
    ref = np.array([1, 1, -1, -1])
    m = np.array([1.0, -1.0, 1.0, -1.0])
    for g in (0.0, 1.0, 50.0):
        assert np.all(np.isfinite(flip_energy_change(ref, m, g)))


@pytest.mark.parametrize("kw,name", [
    (dict(gamma0=-1.0), "gamma0"), (dict(gamma_step=float("nan")), "gamma_step"),
    (dict(gamma_max=0.0), "gamma_max"), (dict(beta0=0.0), "beta0"), (dict(beta_rate=-0.1), "beta_rate"),
    (dict(max_sweeps=0), "max_sweeps"), (dict(energy="exact"), "energy"), (dict(bp_tol=0.0), "bp_tol"),
    (dict(bp_max_iter=0), "bp_max_iter"), (dict(init="zeros"), "init"), (dict(init=np.zeros(31)), "init"),
    (dict(max_seconds=-1.0), "max_seconds"), (dict(refresh=0), "refresh"),
])
def test_edmc_bad_arguments(kw, name):
    inst = random_instance(31, 0.3, rng=0)
    with pytest.raises(ValueError, match=name):
        entropy_driven_mc(inst, **kw)


def test_edmc_bad_instance():
    with pytest.raises(ValueError, match="instance"):
        entropy_driven_mc(np.zeros((3, 3)))


# --- replicated GD ----------------------------------------------------------------------

@pytest.mark.parametrize("n,alpha,seed,loss", [(101, 0.4, 1, "gaussian"), (201, 0.5, 2, "gaussian"),
                                               (201, 0.3, 3, "binary"), (151, 0.5, 4, "gaussian")])
def test_rgd_solves_small(n, alpha, seed, loss):
    inst = random_instance(n, alpha, rng=seed)
    res = replicated_gd(inst, rng=seed, loss=loss)
    assert res.algorithm == "rgd" and res.unit == "epochs"
    _check_solution(inst, res)
    assert res.extra["solved_by"] in ("centre", "replica")
    assert (res.extra["replica"] is None) == (res.extra["solved_by"] == "centre")


def test_rgd_teacher_margin_and_minibatch():
    inst = random_instance(101, 0.4, rng=5, kind="teacher")
    _check_solution(inst, replicated_gd(inst, rng=0, batch_size=10))
    inst = random_instance(101, 0.2, rng=6, kappa=0.3)
    _check_solution(inst, replicated_gd(inst, rng=1))


def test_rgd_deterministic():
    inst = random_instance(201, 0.6, rng=7)
    a = replicated_gd(inst, rng=3, max_epochs=200, batch_size=50)
    b = replicated_gd(inst, rng=3, max_epochs=200, batch_size=50)
    assert np.array_equal(a.weights, b.weights) and a.iterations == b.iterations
    assert a.extra["replica_errors"] == b.extra["replica_errors"]


def test_rgd_unsolved_returns_best_and_finite():
    inst = random_instance(101, 1.5, rng=8)
    for loss in ("gaussian", "binary", "continuous"):
        res = replicated_gd(inst, rng=0, max_epochs=50, loss=loss)
        assert not res.solved and res.errors == int(inst.errors(res.weights)) > 0
        assert res.errors <= min(res.extra["replica_errors"] + [res.extra["centre_errors"]])
        for key in ("final_gamma", "spread", "mean_abs_centre"):
            assert math.isfinite(res.extra[key])


@pytest.mark.parametrize("which", ["softplus", "gaussian"])
def test_rgd_gradient_vs_finite_differences(which):
    inst = random_instance(40, 0.5, rng=9, kappa=0.2)
    x = inst.signed_patterns()
    gen = np.random.default_rng(0)
    v = gen.uniform(-0.8, 0.8, size=40)
    if which == "softplus":
        def f(z):
            return float(_loss_and_gradient(z, x, 0.5, 4.0)[0])
        g = _loss_and_gradient(v, x, 0.5, 4.0)[1]
    else:
        k = inst.kappa * math.sqrt(40)

        def f(z):
            return float(_gaussian_loss_and_gradient(z, x, k)[0][0])
        g = _gaussian_loss_and_gradient(v, x, k)[1][0]
    eps = 1e-6
    fd = np.array([(f(v + eps * e) - f(v - eps * e)) / (2 * eps) for e in np.eye(40)])
    assert np.allclose(g, fd, rtol=1e-5, atol=1e-7)


def test_rgd_gaussian_loss_finite_when_frozen():
    x = random_instance(20, 1.0, rng=0).signed_patterns()
    m = np.ones(20)
    val, grad = _gaussian_loss_and_gradient(m, x)
    assert np.all(np.isfinite(val)) and np.all(np.isfinite(grad))


@pytest.mark.parametrize("kw,name", [
    (dict(y=0), "y"), (dict(lr=0.0), "lr"), (dict(gamma0=-0.1), "gamma0"), (dict(gamma_rate=-1.0), "gamma_rate"),
    (dict(margin=-1.0), "margin"), (dict(b=0.0), "b"), (dict(loss="hinge"), "loss"),
    (dict(max_epochs=0), "max_epochs"), (dict(init_scale=2.0), "init_scale"), (dict(batch_size=0), "batch_size"),
    (dict(y=2.5), "y"),
])
def test_rgd_bad_arguments(kw, name):
    inst = random_instance(31, 0.3, rng=0)
    with pytest.raises(ValueError, match=name):
        replicated_gd(inst, **kw)


# --- large instances ----------------------------------------------------------------------

@pytest.mark.slow
def test_rgd_large():
    inst = random_instance(1001, 0.6, rng=0)
    _check_solution(inst, replicated_gd(inst, rng=0))


@pytest.mark.slow
def test_edmc_large():
    # N = 1001, alpha = 0.6: ~40 s per solve with the default refresh (module docstring)
    inst = random_instance(1001, 0.6, rng=0)
    _check_solution(inst, entropy_driven_mc(inst, rng=0))
