"""Local-entropy large deviations (y = inf and finite y, free reference) and the robust ensemble."""

import warnings

import numpy as np
import pytest

import replica
from replica.compile import compiled_theory
from replica.models.local_entropy import (
    LocalEntropy,
    RobustEnsemble,
    gardner_end_point,
    local_entropy_curve,
    monotonicity_threshold,
)
from replica.quadrature import QuadratureOptions
from replica.special import binary_entropy


def setup_module():
    warnings.simplefilter("ignore", replica.ConvergenceWarning)


def test_end_point_joins_the_gardner_plateau():
    """At d* the y = inf branch reaches phat = 0 with S_I = s(alpha); above it S_I = s."""
    d_star, g = gardner_end_point(0.5)
    curve = local_entropy_curve(0.5, [d_star - 1e-6, d_star + 1e-3, 0.5])
    below, above, half = curve.points
    assert all(p.success for p in curve.points)
    assert below["local_entropy"] == pytest.approx(g.free_entropy, abs=1e-8)
    assert abs(below["phat"]) < 1e-4
    assert above["local_entropy"] == pytest.approx(g.free_entropy, abs=1e-14)
    assert half["local_entropy"] == pytest.approx(g.free_entropy, abs=1e-14)


def test_small_alpha_gives_binary_entropy():
    """alpha -> 0: S_I(d) = H2(d) (every configuration is a solution).  At alpha = 0.01 the
    gap H2 - S_I is below 1e-8 for d <= 0.2 (it is exponentially small in 1/d), O(alpha)
    near d* = 0.468, and below 0.08 the branch saturates (reported, S_I = H2 to 1e-16)."""
    ds = [0.05, 0.1, 0.2, 0.3]
    curve = local_entropy_curve(0.01, ds)
    sat, *rest = curve.points
    assert not sat.success and "saturated" in sat.message
    for d, p, tol in zip(ds[1:], rest, (1e-8, 1e-8, 0.01)):
        assert p.success
        assert -1e-15 <= binary_entropy(d) - p["local_entropy"] < tol


@pytest.mark.parametrize("alpha", [0.3, 0.5, 0.7])
def test_curve_converges_and_stays_below_h2(alpha):
    ds = np.geomspace(1e-3, 0.5, 40)
    curve = local_entropy_curve(alpha, ds)
    s = curve.column("local_entropy")
    h2 = binary_entropy(ds)
    assert np.all(s <= h2 + 1e-12)
    assert np.all(np.diff(s.compressed()) >= -1e-12)  # monotonic below alpha_U
    for p in curve.points:
        assert p.success or "saturated" in p.message  # the only allowed failure: d -> 0
    assert curve.success[ds > 3e-3].all()


def test_alpha_half_dense_limit_matches_h2_to_five_digits():
    """physics.md (an independent solver): at alpha = 0.5, S_I(0.005) equals H2(0.005) to 5 digits."""
    sp = replica.solve(LocalEntropy(alpha=0.5, d=0.005), init=local_entropy_curve(0.5, [0.005]).points[0])
    assert sp.success
    assert round(sp["local_entropy"], 5) == round(binary_entropy(0.005), 5)


def test_independent_values_and_gap_above_alpha_u():
    """Free reference, y = inf: values of an independent scratch solver (Laplace maxima by
    Newton, 24-node Legendre panels), issue-3 notes: alpha = 0.5 and alpha = 0.78."""
    curve = local_entropy_curve(0.5, [0.15, 0.1, 0.05])
    for p, ref in zip(curve.points, [0.2784875, 0.2341575, 0.1647717]):
        assert p["local_entropy"] == pytest.approx(ref, abs=1e-7)
    curve = local_entropy_curve(0.78, [0.009, 0.022, 0.038])
    dense, gap, upper = curve.points
    assert dense["local_entropy"] == pytest.approx(0.03149, abs=1e-5)
    assert upper["local_entropy"] == pytest.approx(0.02508, abs=1e-5)
    assert not gap.success and "phat > 0" in gap.message


def test_monotonicity_threshold():
    """alpha_U (free reference, RS, y = inf): 0.7553 +- 0.0002 from the independent scratch
    solver; the literature quotes ~0.77 (discrepancy documented in paper_checks)."""
    th = monotonicity_threshold(xtol=2e-4)
    assert th.success
    assert th.value == pytest.approx(0.7553, abs=3e-4)
    assert th.saddle.params.d == pytest.approx(0.021, abs=0.002)


def test_finite_y_approaches_y_inf():
    """alpha = 0.5, d = 0.15.  Finite y against the independent scratch solver (issue-3
    notes, table 4.2, 6 printed digits): y = 5, 10, 20, 40; and S_I(y) -> S_I(inf): rising,
    and the polynomial extrapolation in 1/y improves from 2 points (y = 20, 40) to 3
    (y = 20, 40, 60), landing within 1e-4 of the y = inf scaling limit."""
    inf = replica.solve(LocalEntropy(alpha=0.5, d=0.15))["local_entropy"]
    ref = {5.0: 0.247157, 10.0: 0.267291, 20.0: 0.275279, 40.0: 0.277653}
    vals = {}
    for y in (5.0, 10.0, 20.0, 40.0, 60.0):
        sp = replica.solve(LocalEntropy(alpha=0.5, d=0.15, y=y))
        assert sp.success
        vals[y] = sp["local_entropy"]
        if y in ref:
            assert vals[y] == pytest.approx(ref[y], abs=5e-7)
    ys = sorted(vals)
    assert all(vals[a] < vals[b] for a, b in zip(ys, ys[1:])) and vals[60.0] < inf
    linear = 2 * vals[40.0] - vals[20.0]
    y3 = np.array([20.0, 40.0, 60.0])
    quadratic = np.linalg.solve(np.vstack([np.ones(3), 1 / y3, 1 / y3**2]).T, [vals[y] for y in y3])[0]
    assert abs(quadratic - inf) < 1e-4
    assert abs(quadratic - inf) < 0.1 * abs(linear - inf)


def test_finite_y_above_d_star_approaches_the_plateau():
    """alpha = 0.5, d = 0.4 > d*: at y = inf the plateau S_I = s(alpha) (the Gardner
    entropy, an independent free entropy); at finite y the curve crosses d* without a
    break and S_I(y) rises towards s(alpha), the extrapolation in 1/y (y = 20, 40, 60)
    landing within 1e-4.  (Before this was built the start above d* raised a KeyError.)"""
    d_star, gardner = gardner_end_point(0.5, 0.0)
    s = gardner.free_entropy
    curve = local_entropy_curve(0.5, [0.2, d_star + 1e-3, 0.3, 0.4], y=5.0)
    assert curve.success.all()
    si = curve.column("local_entropy")
    assert np.all(np.diff(si) > 0) and np.all(si < s) and np.all(si <= curve.column("H2"))
    vals = {y: replica.solve(LocalEntropy(alpha=0.5, d=0.4, y=y)) for y in (5.0, 20.0, 40.0, 60.0)}
    assert all(v.success for v in vals.values())
    assert vals[5.0]["local_entropy"] == pytest.approx(si[-1], abs=1e-10)
    ys = sorted(vals)
    assert all(vals[a]["local_entropy"] < vals[b]["local_entropy"] < s for a, b in zip(ys, ys[1:]))
    y3 = np.array([20.0, 40.0, 60.0])
    extrapolated = np.linalg.solve(np.vstack([np.ones(3), 1 / y3, 1 / y3**2]).T,
                                   [vals[y]["local_entropy"] for y in y3])[0]
    assert abs(extrapolated - s) < 1e-4


@pytest.mark.parametrize("gamma", [0.2, 0.6])
def test_robust_ensemble_is_the_legendre_transform(gamma):
    """The robust ensemble at coupling gamma gives d(gamma) and S_I with phat(d) = gamma."""
    re_ = replica.solve(RobustEnsemble(alpha=0.5, gamma=gamma))
    assert re_.success
    d = re_["distance"]
    le = replica.solve(LocalEntropy(alpha=0.5, d=d), init=local_entropy_curve(0.5, [d]).points[0])
    assert le["local_entropy"] == pytest.approx(re_["local_entropy"], abs=1e-8)
    assert le["phat"] == pytest.approx(gamma, abs=1e-7)


def test_numpy_matches_mpmath_and_finite_differences():
    spec = LocalEntropy(alpha=0.5, d=0.1)
    sp = replica.solve(spec)
    ct = compiled_theory(spec.free_entropy())
    p = spec.parameter_values()
    x = np.array(list(sp.order.values())) * 1.01
    opts = QuadratureOptions()
    phi, g = ct.value_and_gradient(x, p, opts)
    ref = ct.mpmath_evaluate(x, p, dps=20)
    assert phi == pytest.approx(float(ref["free_entropy"]), abs=1e-10)
    np.testing.assert_allclose(g, [float(v) for v in ref["gradient"]], rtol=1e-9, atol=1e-10)


def test_constrained_reference_at_finite_y_is_refused_clearly():
    # Finite y with the constrained reference is now available (its own theory); the
    # committee activations stay refused for the constrained reference.
    spec = LocalEntropy(alpha=0.5, d=0.1, y=5.0, reference="solution")
    assert spec.free_entropy().name == "local-entropy-solution-y"
    with pytest.raises(ValueError, match="reference"):
        LocalEntropy(alpha=0.5, d=0.1, y=5.0, reference="solution", activation="relu")


# Reference constrained to be a solution, y = inf, against an independent solver (a scratch
# implementation of the same equations with its own quadrature -- z1 split analytically at
# the penalty's switch-on point -- and its own parametrisation, Newton with an analytic
# gradient; residual <= 1e-12): S_I at (alpha, d).
SOLUTION_REFERENCE_SCRATCH = {
    (0.5, 0.1): 0.23415741326483974,
    (0.5, 0.2): 0.30477756746440116,
    (0.7, 0.1): 0.10886367061953794,
    (0.75, 0.04): 0.04482850994724885,
}


@pytest.mark.parametrize("alpha", [0.5, 0.75])
def test_solution_reference_matches_independent_solver_and_lies_below_free(alpha):
    cases = {d: v for (a, d), v in SOLUTION_REFERENCE_SCRATCH.items() if a == alpha}
    ds = sorted(cases, reverse=True)
    cons = local_entropy_curve(alpha, ds, reference="solution")
    free = local_entropy_curve(alpha, ds)
    for d, c, f in zip(ds, cons.points, free.points):
        assert c.success and c.residual < 1e-10 and c.quad_error < 1e-9, c.message
        assert c["local_entropy"] == pytest.approx(cases[d], abs=1e-9)
        # a constraint on the reference can only lower the maximal local entropy
        assert c["local_entropy"] <= f["local_entropy"] + 1e-12
        assert c["local_entropy"] <= c["H2"]


def test_solution_reference_joins_the_free_one_at_small_d_and_closes_near_d_star():
    d_star, g = gardner_end_point(0.5)
    ds = [0.3, 0.253, 0.07, 0.02]
    cons = local_entropy_curve(0.5, ds, reference="solution")
    free = local_entropy_curve(0.5, ds)
    top, near, mid, low = cons.points
    # beyond the end point of the constrained branch: reported, not a number
    assert not top.success and "end of the constrained" in top.message
    # at d* the constrained branch is within 1e-6 of the Gardner entropy s(alpha), from below
    assert near.success and 0 < g.free_entropy - near["local_entropy"] < 1e-6
    # Qp ~ exp(-c/d): the constraint's cost vanishes (0.3 Qp measured) ...
    assert mid.success and mid.order["Qp"] < 1e-9
    assert 0 <= free.points[2]["local_entropy"] - mid["local_entropy"] < 1e-9
    # ... and below that the free saddle is used, said in the message
    assert low.success and "constraint inactive" in low.message
    assert low["local_entropy"] == pytest.approx(free.points[3]["local_entropy"], abs=1e-14)


def test_solution_reference_gradient_matches_finite_differences():
    """The symbolic gradient (envelope theorem through PenalisedLogHMax and CoshMax)
    against central differences of the compiled free entropy, off the saddle point."""
    from replica.models.local_entropy import solution_reference_inf_free_entropy

    sp_ = replica.solve(LocalEntropy(alpha=0.7, d=0.1, reference="solution"))
    ct = compiled_theory(solution_reference_inf_free_entropy())
    x = np.array([sp_.order[n] for n in ct.theory.order_names]) * 1.02
    p = np.array([0.7, 0.1, 0.0])
    opts = QuadratureOptions(n_panel=20)
    _, g = ct.value_and_gradient(x, p, opts)
    for i in range(len(x)):
        h = 1e-5 * max(abs(x[i]), 1e-3)
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        fd = (ct.value_and_gradient(up, p, opts)[0] - ct.value_and_gradient(down, p, opts)[0]) / (2 * h)
        assert g[i] == pytest.approx(fd, rel=1e-5, abs=1e-8), ct.theory.order_names[i]


@pytest.mark.parametrize("kwargs, name", [
    (dict(alpha=-1.0, d=0.1), "alpha"),
    (dict(alpha=0.5, d=0.0), "d"),
    (dict(alpha=0.5, d=0.7), "d"),
    (dict(alpha=0.5, d=0.1, y=-2.0), "y"),
    (dict(alpha=0.5, d=0.1, reference="other"), "reference"),
])
def test_bad_input_names_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        LocalEntropy(**kwargs)
