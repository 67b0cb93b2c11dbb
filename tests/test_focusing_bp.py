"""Reinforced BP and focusing BP (replica.sampler.focusing)."""

import itertools
import math

import numpy as np
import pytest

from replica.sampler.focusing import centre_message, focusing_bp, reinforced_bp
from replica.sampler.instances import random_instance

SOLVERS = [(reinforced_bp, "bp-r"), (focusing_bp, "fbp")]


def _brute_centre(F, gamma, y):
    """1/2 log Z(+1)/Z(-1), Z(w) = sum_s e^{gamma s w} prod_{a=2..y} sum_{w_a} e^{gamma s w_a + F w_a},
    by explicit enumeration of the centre spin s and of the y - 1 other replicas."""
    def Z(w):
        total = 0.0
        for s in (1, -1):
            for ws in itertools.product((1, -1), repeat=y - 1):
                total += math.exp(gamma * s * w + sum(gamma * s * wa + F * wa for wa in ws))
        return total

    return 0.5 * math.log(Z(1) / Z(-1))


@pytest.mark.parametrize("y", [1, 2, 3, 5])
@pytest.mark.parametrize("gamma", [0.0, 0.3, 1.0, 2.5])
def test_centre_message_matches_enumeration(y, gamma):
    fields = [-2.0, -0.7, -0.05, 0.0, 0.1, 0.9, 1.7]
    got = centre_message(np.array(fields), gamma, y)
    want = [_brute_centre(F, gamma, y) for F in fields]
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_centre_message_special_cases():
    F = np.linspace(-3, 3, 13)
    np.testing.assert_array_equal(centre_message(F, 1.3, 1), 0.0)  # one replica: plain BP
    g = 0.8
    np.testing.assert_allclose(centre_message(F, g, 2), np.arctanh(np.tanh(g) ** 2 * np.tanh(F)), rtol=1e-12)
    np.testing.assert_allclose(centre_message(F, math.inf, 7), 6 * F)  # gamma -> infinity
    np.testing.assert_allclose(centre_message(F, 60.0, 7), 6 * F, rtol=1e-12)
    big = centre_message(np.array([-1e4, 1e4, 50.0]), 40.0, 10)  # no overflow, no NaN
    assert np.all(np.isfinite(big)) and big[0] < 0 < big[1]


@pytest.mark.parametrize("solver, name", SOLVERS)
@pytest.mark.parametrize("n, alpha, seed", [(101, 0.3, 0), (201, 0.4, 1), (301, 0.5, 2)])
def test_solves_small_instances(solver, name, n, alpha, seed):
    inst = random_instance(n, alpha, rng=seed)
    res = solver(inst, rng=seed + 10)
    assert res.algorithm == name and res.unit == "sweeps"
    assert res.solved and res.errors == 0
    assert res.weights.dtype == np.int8 and res.weights.shape == (n,)
    assert inst.is_solution(res.weights) and inst.errors(res.weights) == 0
    assert res.extra["best_errors"] == 0
    assert all(not (isinstance(v, float) and math.isnan(v)) for v in res.extra.values())


@pytest.mark.parametrize("solver, name", SOLVERS)
def test_same_seed_same_result(solver, name):
    inst = random_instance(151, 0.6, rng=3)
    kw = dict(max_iter=40)
    a, b = solver(inst, rng=5, **kw), solver(inst, rng=5, **kw)
    np.testing.assert_array_equal(a.weights, b.weights)
    assert (a.errors, a.iterations, a.solved) == (b.errors, b.iterations, b.solved)
    assert {k: v for k, v in a.extra.items()} == {k: v for k, v in b.extra.items()}


@pytest.mark.parametrize("solver, name", SOLVERS)
def test_unsolved_returns_best_configuration(solver, name):
    inst = random_instance(101, 1.2, rng=4)  # far above capacity: cannot be solved
    res = solver(inst, rng=0, max_iter=30)
    assert not res.solved and res.errors > 0
    assert res.errors == inst.errors(res.weights) == res.extra["best_errors"]
    assert res.iterations <= 30
    assert isinstance(res.extra["converged"], bool)
    assert math.isfinite(res.extra["rho" if name == "bp-r" else "gamma"])


def test_extra_reports_schedule():
    inst = random_instance(101, 0.3, rng=0)
    r = reinforced_bp(inst, rng=1)
    assert 0.0 <= r.extra["rho"] < 1.0 and "converged" in r.extra
    f = focusing_bp(inst, rng=1, y=4)
    assert f.extra["y"] == 4.0 and f.extra["gamma"] >= 0.0 and "converged" in f.extra


@pytest.mark.parametrize("kw, name", [
    (dict(rho0=1.0), "rho0"), (dict(rho0=-0.1), "rho0"), (dict(rho_step=0.0), "rho_step"),
    (dict(rho_step=1.0), "rho_step"), (dict(max_iter=0), "max_iter"), (dict(damping=1.0), "damping"),
    (dict(tol=0.0), "tol"), (dict(init_std=-1.0), "init_std"), (dict(rho_step="x"), "rho_step"),
])
def test_reinforced_bad_arguments(kw, name):
    inst = random_instance(21, 0.3, rng=0)
    with pytest.raises(ValueError, match=name):
        reinforced_bp(inst, **kw)


@pytest.mark.parametrize("kw, name", [
    (dict(y=0.5), "y"), (dict(y=math.nan), "y"), (dict(gamma0=-1.0), "gamma0"),
    (dict(gamma_step=-0.1), "gamma_step"), (dict(gamma_max=0.0), "gamma_max"),
    (dict(gamma_max=-1.0), "gamma_max"), (dict(step_sweeps=0), "step_sweeps"),
    (dict(max_iter=1.5), "max_iter"), (dict(damping=-0.1), "damping"), (dict(tol=-1.0), "tol"),
])
def test_focusing_bad_arguments(kw, name):
    inst = random_instance(21, 0.3, rng=0)
    with pytest.raises(ValueError, match=name):
        focusing_bp(inst, **kw)


@pytest.mark.parametrize("solver, name", SOLVERS)
def test_instance_checked(solver, name):
    with pytest.raises(ValueError, match="instance"):
        solver(np.ones((3, 5)))


def test_centre_message_bad_arguments():
    with pytest.raises(ValueError, match="gamma"):
        centre_message([0.1], -1.0, 3)
    with pytest.raises(ValueError, match="y"):
        centre_message([0.1], 1.0, 0.0)
    with pytest.raises(ValueError, match="field"):
        centre_message([np.nan], 1.0, 3)


@pytest.mark.slow
@pytest.mark.parametrize("solver, name", SOLVERS)
def test_n1001_alpha07(solver, name):
    inst = random_instance(1001, 0.7, rng=2)
    res = solver(inst, rng=102)
    assert res.solved and inst.is_solution(res.weights)
