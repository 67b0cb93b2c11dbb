"""Local entropy at finite y with the reference constrained to be a solution.

Reference values (tests/data/constrained_finite_y.json): an independent scratch solver of
the same equations (docs/derivations/constrained/lecons.py: raw order parameters, Gauss-Hermite 48 x 48 on (z0, z1),
trapezoid inner integrals centred on per-node maximisers, finite-difference Newton;
gradient residual <= 5e-11 at the points used).  Agreement of S_I: <= 6e-11 for y <= 30
(measured), ~3e-9 at y = 100; the tests use 1e-9 (y <= 30).
"""

import math

import numpy as np
import pytest

from replica.models.local_entropy import LocalEntropy, solution_reference_free_entropy
from replica.models.local_entropy.starts import solution_y_from_raw
from replica.solve import _Problem, solve

# (alpha, d, y): (phi, S_I, raw order parameters [Q, Qhat, phat, t, that, q0, qhat0, q1, qhat1])
SCRATCH = {
    (0.5, 0.15, 5.0): (1.5409735886197617, 0.2595095581168237,
                       [0.591043913422861, 0.11977792267993784, 0.7005009002652152, 0.5110683778606877,
                        0.20506086077244412, 0.44399472541266205, 0.36422618405114043, 0.5392583942672833,
                        0.3880261051865659]),
}


def _scratch_rows():
    import json
    import os
    rows = {}
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "constrained_finite_y.json")) as fh:
        sweeps = json.load(fh)["sweeps"]
    for key, sweep in sweeps.items():
        a, d = (float(v) for v in key.split(","))
        for r in sweep:
            rows[(a, d, float(r["y"]))] = (r["phi"], r["SI"], r["par"])
    return rows


ROWS = {**_scratch_rows(), **SCRATCH}


def _solve_at(alpha, d, y):
    phi, s_i, par = ROWS[(alpha, d, y)]
    pt = solve(LocalEntropy(alpha, d, y, "solution"), init=solution_y_from_raw(par, d))
    return pt, phi, s_i


def _need(*keys):
    missing = [k for k in keys if k not in ROWS]
    assert not missing, f"scratch data missing for {missing}"


@pytest.mark.parametrize("key", [(0.5, 0.15, 5.0), (0.7, 0.15, 10.0), (0.5, 0.1, 2.0)])
def test_matches_independent_solver(key):
    _need(key)
    pt, phi, s_i = _solve_at(*key)
    assert pt.success, pt.message
    assert abs(pt.free_entropy - phi) < 1e-9
    assert abs(pt["local_entropy"] - s_i) < 1e-9
    assert abs(pt["external_entropy"] - (phi - key[2] * s_i)) < 1e-8


def test_constrained_phi_below_free_phi():
    # Z_solution = sum over a subset of the references with the same weights: phi_sol <= phi_free.
    # (S_I = d phi/dy of the *typical* tilted reference is not ordered at finite y: the free
    # measure also weighs many non-solution references; the scratch data have
    # S_I(solution) = 0.2701 > S_I(free) = 0.2673 at alpha = 0.5, d = 0.15, y = 10.)
    _need((0.5, 0.15, 5.0))
    cons, _, _ = _solve_at(0.5, 0.15, 5.0)
    free = solve(LocalEntropy(0.5, 0.15, 5.0, "free"))
    assert cons.success and free.success
    assert cons.free_entropy < free.free_entropy


def test_gradient_matches_finite_differences():
    _need((0.5, 0.15, 5.0))
    spec = LocalEntropy(0.5, 0.15, 5.0, "solution")
    prob = _Problem(spec, spec.quadrature)
    names = solution_reference_free_entropy().order_names
    x0 = np.array([solution_y_from_raw(ROWS[(0.5, 0.15, 5.0)][2], 0.15)[k] for k in names])
    x = x0 * np.array([1.01, 0.999, 1.01, 0.99, 1.01, 1.02, 0.98, 0.999, 0.99])  # off the saddle, inside
    assert np.all(np.isfinite(prob.value_and_gradient(x)[1]))
    _, g = prob.value_and_gradient(x)
    for j in range(len(x)):
        h = 1e-5 * max(abs(x[j]), 1e-3)
        e = np.zeros_like(x)
        e[j] = h
        fd = (prob.value_and_gradient(x + e)[0] - prob.value_and_gradient(x - e)[0]) / (2 * h)
        assert abs(fd - g[j]) < 1e-6 * (1 + abs(g[j])), (names[j], fd, g[j])


@pytest.mark.slow
def test_finite_y_rises_towards_the_constrained_y_inf_value():
    keys = [(0.5, 0.1, y) for y in (10.0, 30.0, 50.0, 100.0)]
    _need(*keys)
    vals = []
    for k in keys:
        pt, _, s_i = _solve_at(*k)
        assert pt.success, pt.message
        assert abs(pt["local_entropy"] - s_i) < (1e-9 if k[2] <= 30 else 1e-8)
        vals.append(pt["local_entropy"])
    assert all(a < b for a, b in zip(vals, vals[1:]))
    inf = solve(LocalEntropy(0.5, 0.1, math.inf, "solution"))
    assert vals[-1] < inf["local_entropy"]
    # Quadratic extrapolation in 1/y through y = 30, 50, 100.
    u = np.array([1 / 30, 1 / 50, 1 / 100])
    coef = np.polyfit(u, np.array(vals[1:]), 2)
    assert abs(np.polyval(coef, 0.0) - inf["local_entropy"]) < 2e-5


@pytest.mark.slow
def test_curve_and_initial_guess_from_the_stored_anchors():
    from replica.models.local_entropy import local_entropy_curve
    curve = local_entropy_curve(0.5, [0.1, 0.12, 0.15], y=10.0, reference="solution")
    assert all(p.success for p in curve.points)
    _need((0.5, 0.1, 10.0), (0.5, 0.15, 10.0))
    assert abs(curve.points[0]["local_entropy"] - ROWS[(0.5, 0.1, 10.0)][1]) < 1e-9
    assert abs(curve.points[2]["local_entropy"] - ROWS[(0.5, 0.15, 10.0)][1]) < 1e-9
