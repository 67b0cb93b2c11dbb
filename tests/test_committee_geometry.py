"""Geometry of the large-K tree committee (binary weights): Franz–Parisi entropy around
typical solutions and local-entropy large deviations, through the kernel Q_K(q).

The committee theories are the perceptron's with every energetic overlap replaced by
Q_K(overlap); the checks are the identities that tie them to the committee's own Gardner
volume (an independent free entropy), the alpha -> 0 and bound identities, the Legendre
relation with the robust ensemble, finite y -> y = inf, and numpy against mpmath.
"""

import warnings

import numpy as np
import pytest

import replica
from replica.compile import compiled_theory
from replica.models.committee import LargeKCommittee
from replica.models.franz_parisi import FranzParisi, franz_parisi_curve, isolation_distance
from replica.models.local_entropy import (
    LocalEntropy,
    RobustEnsemble,
    gardner_end_point,
    local_entropy_curve,
    monotonicity_threshold,
)
from replica.quadrature import QuadratureOptions
from replica.special import binary_entropy

ACTIVATIONS = ("relu", "sign")


def setup_module():
    warnings.simplefilter("ignore", replica.ConvergenceWarning)


def _committee_entropy(alpha, activation):
    return replica.solve(LargeKCommittee(alpha=alpha, activation=activation, weights="binary")).free_entropy


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_franz_parisi_at_typical_distance_is_the_committee_entropy(activation):
    """S_FP(d_typ) = s(alpha) of the committee's Gardner volume (Richardson extrapolation
    from both sides, as for the perceptron: the saddle is degenerate at d_typ itself)."""
    alpha = 0.5
    spec = FranzParisi(alpha=alpha, d=0.25, activation=activation)
    d_typ, s = spec.typical_distance, _committee_entropy(alpha, activation)
    assert spec.reference.free_entropy == pytest.approx(s, abs=1e-12)
    eps = np.array([2e-3, 1e-3])
    for side in (-1, 1):
        curve = franz_parisi_curve(alpha, d_typ + side * eps, activation=activation)
        assert curve.success.all()
        big, small = curve.column("entropy")
        assert big < small < s
        assert (4 * small - big) / 3 == pytest.approx(s, abs=1e-8)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_typical_committee_solutions_are_isolated(activation):
    """S_FP <= H2 everywhere and S_FP < 0 below d_0 > 0, as for the perceptron."""
    ds = np.geomspace(2e-3, 0.5, 16)
    curve = franz_parisi_curve(0.5, ds, activation=activation)
    assert curve.success.all()
    s, h2 = curve.column("entropy"), curve.column("H2")
    assert np.all(s <= h2 + 1e-12)
    d0 = isolation_distance(0.5, activation=activation)
    assert d0.success and 2e-3 < d0.value < 0.1
    around = franz_parisi_curve(0.5, [0.8 * d0.value, 1.2 * d0.value], activation=activation)
    assert around.points[0]["entropy"] < 0 < around.points[1]["entropy"]


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_local_entropy_end_point_is_the_committee_entropy(activation):
    """At d* the y = inf branch reaches phat = 0 with S_I = s(alpha) of the committee."""
    alpha = 0.5
    d_star, g = gardner_end_point(alpha, activation=activation)
    s = _committee_entropy(alpha, activation)
    assert g.free_entropy == pytest.approx(s, abs=1e-12)
    curve = local_entropy_curve(alpha, [d_star - 1e-6, d_star + 1e-3], activation=activation)
    below, above = curve.points
    assert below.success and above.success
    assert below["local_entropy"] == pytest.approx(s, abs=1e-8)
    assert abs(below["phat"]) < 1e-4
    assert above["local_entropy"] == pytest.approx(s, abs=1e-14)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_small_load_gives_binary_entropy(activation):
    """alpha -> 0: every configuration is a solution, S_I(d) = H2(d).  As for the
    perceptron, the gap is exponentially small in 1/d: below d ~ 0.06 (relu) the branch
    saturates in double precision and says so."""
    d = np.array([0.03, 0.1, 0.2])
    curve = local_entropy_curve(0.01, d, activation=activation)
    sat, mid, far = curve.points
    assert sat.success or "saturated" in sat.message
    assert mid.success and far.success
    # The gap is O(alpha exp(-c/d)): below 1e-8 at d = 0.1, far below alpha at d = 0.2.
    assert -1e-15 <= binary_entropy(0.1) - mid["local_entropy"] < 1e-8
    assert -1e-15 <= binary_entropy(0.2) - far["local_entropy"] < 1e-3 * 0.01


@pytest.mark.parametrize("activation, alpha", [("relu", 0.5), ("sign", 0.7)])
def test_franz_parisi_curve_through_the_typical_distance(activation, alpha):
    """The grid of paper_checks/relu_committee.py (uniform steps of 0.02 above d = 0.06,
    with points 0.01 or less from d_typ): every point converges, on both sides of d_typ.
    (A continuation without restarts from the last point lost the whole lower side here.)"""
    ds = np.linspace(0.06, 0.5, 23)
    curve = franz_parisi_curve(alpha, ds, activation=activation)
    assert curve.success.all()


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_dense_regions_lie_between_typical_solutions_and_the_bound(activation):
    """S_FP(d) <= S_I(d) <= H2(d): the best references see at least as many solutions at
    distance d as a typical solution does."""
    d = np.array([0.01, 0.03, 0.1, 0.2])
    le = local_entropy_curve(0.5, d, activation=activation)
    fp = franz_parisi_curve(0.5, d, activation=activation)
    assert le.success.all() and fp.success.all()
    s_i, s_fp = le.column("local_entropy"), fp.column("entropy")
    assert np.all(s_i <= binary_entropy(d) + 1e-12)
    assert np.all(s_fp < s_i)


def test_relu_dense_regions_are_denser_than_sign_ones():
    """Baldassi, Malatesta & Zecchina, PRL 123, 170602 (2019) (abstract): the rare dense
    regions of ReLU committees are denser than those of threshold units.  At alpha = 0.5
    the y = inf local entropy of the ReLU committee is above the sign committee's at every
    d in [0.01, 0.2], although the sign committee has more solutions in all (its Gardner
    entropy, the plateau of its curve beyond d*, is the larger one)."""
    d = np.array([0.01, 0.02, 0.05, 0.1, 0.2])
    relu = local_entropy_curve(0.5, d, activation="relu").column("local_entropy")
    sign = local_entropy_curve(0.5, d, activation="sign").column("local_entropy")
    assert np.all(relu > sign)
    assert _committee_entropy(0.5, "sign") > _committee_entropy(0.5, "relu")


def test_linear_activation_is_the_perceptron():
    """activation='linear' is the perceptron: same free entropies, same numbers."""
    fp_a = replica.solve(FranzParisi(alpha=0.5, d=0.1))
    fp_b = replica.solve(FranzParisi(alpha=0.5, d=0.1, activation="linear"))
    assert fp_a.free_entropy == fp_b.free_entropy
    assert FranzParisi(0.5, 0.1).free_entropy() is FranzParisi(0.5, 0.1, activation="linear").free_entropy()
    assert LocalEntropy(0.5, 0.1).free_entropy() is LocalEntropy(0.5, 0.1, activation="linear").free_entropy()


def test_finite_y_approaches_y_inf():
    """ReLU, alpha = 0.5, d = 0.15: S_I(y) rises with y and its extrapolation in 1/y from
    y = 20, 40, 60 lands within 1e-4 of the y = inf scaling limit."""
    inf = replica.solve(LocalEntropy(alpha=0.5, d=0.15, activation="relu"))["local_entropy"]
    vals = {}
    for y in (20.0, 40.0, 60.0):
        sp = replica.solve(LocalEntropy(alpha=0.5, d=0.15, y=y, activation="relu"))
        assert sp.success
        vals[y] = sp["local_entropy"]
    assert vals[20.0] < vals[40.0] < vals[60.0] < inf
    y3 = np.array([20.0, 40.0, 60.0])
    quadratic = np.linalg.solve(np.vstack([np.ones(3), 1 / y3, 1 / y3**2]).T, [vals[y] for y in y3])[0]
    assert abs(quadratic - inf) < 1e-4


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_robust_ensemble_is_the_legendre_transform(activation):
    re_ = replica.solve(RobustEnsemble(alpha=0.5, gamma=0.4, activation=activation))
    assert re_.success
    d = re_["distance"]
    le = replica.solve(LocalEntropy(alpha=0.5, d=d, activation=activation),
                       init=local_entropy_curve(0.5, [d], activation=activation).points[0])
    assert le["local_entropy"] == pytest.approx(re_["local_entropy"], abs=1e-8)
    assert le["phat"] == pytest.approx(0.4, abs=1e-7)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_local_entropy_numpy_matches_mpmath(activation):
    """The compiled quadrature against mpmath's adaptive tanh-sinh, off the saddle."""
    spec = LocalEntropy(alpha=0.5, d=0.05, activation=activation)
    sp = replica.solve(spec)
    assert sp.success and sp.quad_error < 1e-7
    ct = compiled_theory(spec.free_entropy())
    p = spec.parameter_values()
    x = np.array(list(sp.order.values())) * 1.01
    phi, g = ct.value_and_gradient(x, p, QuadratureOptions())
    ref = ct.mpmath_evaluate(x, p, dps=20)
    assert phi == pytest.approx(float(ref["free_entropy"]), abs=1e-9)
    np.testing.assert_allclose(g, [float(v) for v in ref["gradient"]], rtol=1e-8, atol=1e-9)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_franz_parisi_gradient_and_quadrature_refinement(activation):
    """Franz–Parisi (a nested integral: mpmath is too slow here): the symbolic gradient
    against finite differences of the value, and the value against twice the nodes."""
    spec = FranzParisi(alpha=0.5, d=0.05, activation=activation)
    sp = replica.solve(spec)
    assert sp.success and sp.quad_error < 1e-7
    ct = compiled_theory(spec.free_entropy())
    p = spec.parameter_values()
    x = np.array(list(sp.order.values())) * 1.01
    opts = QuadratureOptions()
    phi, g = ct.value_and_gradient(x, p, opts)
    fine = QuadratureOptions(n_panel=2 * opts.n_panel, n_hermite=2 * opts.n_hermite)
    assert ct.value_and_gradient(x, p, fine)[0] == pytest.approx(phi, abs=1e-10)
    f = lambda v: ct.value_and_gradient(v, p, opts)[0]  # noqa: E731
    for i in range(len(x)):
        h = 1e-4 * max(abs(x[i]), 1e-2)
        e = np.zeros_like(x)
        e[i] = h
        fd = (8 * (f(x + e) - f(x - e)) - (f(x + 2 * e) - f(x - 2 * e))) / (12 * h)
        assert g[i] == pytest.approx(fd, abs=1e-7 * (1 + abs(g[i])))


def test_bad_input_names_the_argument():
    with pytest.raises(ValueError, match="activation"):
        FranzParisi(alpha=0.5, d=0.1, activation="tanh")
    with pytest.raises(ValueError, match="activation"):
        LocalEntropy(alpha=0.5, d=0.1, activation="tanh")
    with pytest.raises(ValueError, match="reference='solution'"):
        LocalEntropy(alpha=0.5, d=0.1, reference="solution", activation="relu")
    with pytest.raises(ValueError, match="alpha"):
        FranzParisi(alpha=0.95, d=0.1, activation="relu")  # above the committee's capacity 0.904


@pytest.mark.slow
@pytest.mark.parametrize("activation, bracket", [("relu", (0.75, 0.85)), ("sign", (0.65, 0.75))])
def test_monotonicity_threshold(activation, bracket):
    """alpha_U of the committees: the y = inf curve is monotonic below it, not above.
    Regression values of this code (measured 0.7919 relu, 0.7155 sign at xtol 1e-3); the
    check is the bracketing property itself, at the two ends of the returned interval."""
    th = monotonicity_threshold(activation=activation, bracket=bracket, xtol=2e-3)
    assert th.success
    grid = np.geomspace(0.004, 0.06, 60)
    lo = local_entropy_curve(th.value - th.error, grid, activation=activation)
    assert lo.success.all() and np.all(np.array([p.order["phat"] for p in lo.points]) > 0)
    hi = local_entropy_curve(th.value + 2 * th.error, grid, activation=activation)
    assert not hi.success.all()
