"""Franz–Parisi potential of the binary perceptron: identities and independent values."""

import os
import sys
import warnings

import numpy as np
import pytest

import replica
from conftest import ROOT
from replica.compile import compiled_theory
from replica.models.franz_parisi import FranzParisi, franz_parisi_curve, isolation_distance
from replica.quadrature import QuadratureOptions


def setup_module():
    warnings.simplefilter("ignore", replica.ConvergenceWarning)


@pytest.mark.parametrize("alpha", [0.02, 0.3, 0.5, 0.7])
def test_typical_distance_gives_gardner_entropy(alpha):
    """At d = (1 - Q)/2 the constrained replica is another typical solution: S_FP = s(alpha),
    the maximum of the potential.  At d_typ itself the RS widths vanish (a degenerate
    boundary point), so S_FP(d_typ) is the limit from both sides, by Richardson
    extrapolation of S_FP(d_typ -+ eps) - s = O(eps^2) from eps = 2e-3, 1e-3.  (alpha = 0.02:
    reached from the small-load start, issue 15.)"""
    spec = FranzParisi(alpha=alpha, d=0.25)
    d_typ, s = spec.typical_distance, spec.reference.free_entropy
    eps = np.array([2e-3, 1e-3])
    for side in (-1, 1):
        curve = franz_parisi_curve(alpha, d_typ + side * eps)
        assert curve.success.all()
        big, small = curve.column("entropy")
        assert big < small < s  # a maximum at d_typ
        assert (4 * small - big) / 3 == pytest.approx(s, abs=1e-8)


def test_points_next_to_the_typical_distance_converge():
    """Next to d_typ both widths vanish like (p - Q)^2: in the coordinates of the theory
    (partial overlap and conjugate excess) the saddle stays well posed down to
    |d - d_typ| = 1e-5, directly from the near-typical start, and S_FP - s(alpha) is the
    quadratic maximum: (S - s)/eps^2 agrees between eps = 1e-3 and 1e-4 to 1%, on both
    sides."""
    spec = FranzParisi(alpha=0.5, d=0.25)
    d_typ, s = spec.typical_distance, spec.reference.free_entropy
    for side in (-1, 1):
        curvature = []
        for eps in (1e-3, 1e-4, 1e-5):
            sp = replica.solve(FranzParisi(alpha=0.5, d=d_typ + side * eps))
            assert sp.success and sp.quad_error < 1e-6
            assert sp["entropy"] < s
            curvature.append((sp["entropy"] - s) / eps**2)
        assert curvature[1] == pytest.approx(curvature[0], rel=1e-2)


def test_hundred_point_curve_converges_everywhere():
    """The benchmark's uniform 100-point grid on [1e-3, 1/2] at alpha = 0.5 (the RS
    branch exists on all of it): every point converges, with quadrature error < 1e-6,
    and S_FP <= H2."""
    ds = np.linspace(1e-3, 0.5, 100)
    curve = franz_parisi_curve(0.5, ds)
    assert curve.success.all()
    assert max(p.quad_error for p in curve.points) < 1e-6
    assert np.all(curve.column("entropy") <= curve.column("H2") + 1e-12)


def test_small_alpha_gives_binary_entropy():
    """alpha -> 0: every configuration is a solution, S_FP(d) = H2(d) + O(alpha); each
    pattern costs ~ln P(W satisfies it | W~ does), about ln(1/2) far from the reference.

    (Issue 15: at alpha = 0.02 this failed on some machines, the start next to d_typ being
    wrong by orders of magnitude at small load; the O(alpha) term is checked below.)"""
    sp = franz_parisi_curve(1e-6, [0.49]).points[0]
    assert sp.success
    assert abs(sp["entropy"] - sp["H2"]) < 1e-6
    curve = franz_parisi_curve(0.02, [0.2, 0.45])
    assert curve.success.all()
    ratio = (curve.column("entropy") - curve.column("H2")) / 0.02
    assert np.all((ratio < 0) & (ratio > -1.0))



_SMALL_D = [0.5, 0.45, 0.3, 0.2, 0.1, 0.05]


def _first_order(d):
    """d S_FP/d alpha at alpha = 0 (kappa = 0), by scipy quad, written from the physics and
    not from the module: a constrained replica at distance d is the reference with a
    fraction d of flips, and a pattern costs ln P(its field > 0 | the reference's > 0),
    2 int_0^inf Dx ln H(-p x/sqrt(1 - p^2)) (ln(1/2) at d = 1/2)."""
    from scipy import integrate, special

    p, s = 1 - 2 * d, np.sqrt(4 * d * (1 - d))
    f = lambda x: 2 * np.exp(-x * x / 2) / np.sqrt(2 * np.pi) * special.log_ndtr(p * x / s)  # noqa: E731
    return integrate.quad(f, 0, np.inf, epsabs=1e-14, epsrel=1e-12, limit=200)[0]


def test_small_load_curves_tend_to_binary_entropy_at_first_order():
    """Issue 15: at alpha = 0.02, 0.01, 0.001 every point of d = 1/2 ... 0.05 converges (on
    both sides of d_typ, which is 0.4936 ... 0.4997) and S_FP = H2(d) + alpha S1(d) +
    O(alpha^2), S1 the analytic first-order term (_first_order): the remainder divided by
    alpha^2 is the same at the three loads to 1.5% (measured 0.9%: a smooth second-order
    coefficient, -0.30 ... -0.07), so S_FP - H2 converges to H2 linearly in alpha with the
    predicted slope."""
    s1 = np.array([_first_order(d) for d in _SMALL_D])
    assert s1[0] == pytest.approx(-np.log(2), abs=1e-12)
    second = {}
    for alpha in (0.02, 0.01, 0.001):
        curve = franz_parisi_curve(alpha, _SMALL_D)
        assert curve.success.all(), curve.message
        gap = np.ma.getdata(curve.column("entropy") - curve.column("H2"))
        assert np.all(gap < 0)
        assert np.all(np.abs(gap / alpha - s1) < 0.35 * alpha)  # O(alpha), coefficient <= 0.31
        second[alpha] = (gap - alpha * s1) / alpha**2
    assert np.all(second[0.001] < 0)
    for alpha in (0.02, 0.01):
        assert second[alpha] == pytest.approx(second[0.001], rel=1.5e-2)


def test_small_load_saddle_is_the_first_order_expansion():
    """The order parameters at alpha = 1e-3 against their alpha -> 0 expansion (derived in
    FranzParisi._small_load_start; the integrals here by scipy quad): qhat1 = 2 alpha
    int_0^inf Dx g'^2, that = 4 alpha G(0) int_0^inf Dx g', g(m) = ln H(-m/sqrt(1 - p^2))
    at m = p x; q1 = p^2 + (1 - p^2)^2 qhat1, phat = atanh(p) + p qhat1.  Corrections are
    O(alpha): 1e-2 relative is a wide margin (measured <= 2e-3)."""
    from scipy import integrate, special

    alpha, d = 1e-3, 0.2
    p = 1 - 2 * d
    s = np.sqrt(1 - p * p)
    dens = lambda x: np.exp(-x * x / 2) / np.sqrt(2 * np.pi)  # noqa: E731
    g1 = lambda x: np.exp(-(p * x / s) ** 2 / 2 - special.log_ndtr(p * x / s)) / np.sqrt(2 * np.pi) / s  # noqa: E731
    m1 = integrate.quad(lambda x: dens(x) * g1(x), 0, np.inf, epsabs=1e-14)[0]
    m2 = integrate.quad(lambda x: dens(x) * g1(x) ** 2, 0, np.inf, epsabs=1e-14)[0]
    sp = replica.solve(FranzParisi(alpha, d))
    assert sp.success
    assert sp["qhat1"] == pytest.approx(2 * alpha * m2, rel=1e-2)
    assert sp["that"] == pytest.approx(4 * alpha * m1 / np.sqrt(2 * np.pi), rel=1e-2)
    assert sp["q1"] - p * p == pytest.approx((1 - p * p) ** 2 * sp["qhat1"], rel=1e-2)
    assert sp["phat"] - np.arctanh(p) == pytest.approx(p * sp["qhat1"], rel=1e-2)


def test_small_load_start_is_robust(monkeypatch):
    """The fix of issue 15 must not depend on the last bits: with the small-load start
    multiplied by 1 +- 1e-12 (or 1 + 1e-6) the alpha = 0.02 points converge to the same
    saddle (S_FP to 1e-10), by the curve and by a single solve."""
    from replica.models.franz_parisi import FranzParisi as FP

    ds = [0.45, 0.2]
    ref = franz_parisi_curve(0.02, ds).column("entropy")
    single = replica.solve(FranzParisi(0.02, 0.2))
    assert single.success and single["entropy"] == pytest.approx(ref[1], abs=1e-10)
    start = FP._small_load_start
    for factor in (1 + 1e-12, 1 - 1e-12, 1 + 1e-6):
        monkeypatch.setattr(FP, "_small_load_start", lambda self, d, f=factor: {
            k: v * f for k, v in start(self, d).items()})
        curve = franz_parisi_curve(0.02, ds)
        assert curve.success.all()
        assert np.allclose(curve.column("entropy"), ref, rtol=0, atol=1e-10)
        sp = replica.solve(FranzParisi(0.02, 0.3), method="newton")
        assert sp.success


@pytest.mark.slow
@pytest.mark.parametrize("alpha", [0.05, 0.01, 0.001])
def test_small_load_hundred_point_curves(alpha):
    """100-point curves on [1e-3, 1/2] at small load (geometric and uniform grids): every
    point converges with quadrature error < 1e-6, S_FP <= H2, and S_FP increases with d
    up to d_typ."""
    spec = FranzParisi(alpha, 0.25)
    for ds in (np.geomspace(1e-3, 0.5, 100), np.linspace(1e-3, 0.5, 100)):
        curve = franz_parisi_curve(alpha, ds)
        assert curve.success.all(), curve.message
        assert max(p.quad_error for p in curve.points) < 1e-6
        s = curve.column("entropy")
        assert np.all(s <= curve.column("H2") + 1e-12)
        below = ds < spec.typical_distance
        assert np.all(np.diff(s[below]) > 0)


def test_values_of_an_independent_implementation():
    """alpha = 0.7, kappa = 0: values of an independent solver (plain 24-node Gauss–Legendre
    panels on the same RS functional, scipy root; residuals ~1e-10), see docs/derivations/scratch_values.md §5."""
    curve = franz_parisi_curve(0.7, [0.15, 0.1, 0.05])
    ref = [0.1003455038, 0.0641038232, 0.0146911531]
    for p, r in zip(curve.points, ref):
        assert p.success
        assert p["entropy"] == pytest.approx(r, abs=2e-10)


def test_entropy_below_bound_and_typical_solutions_isolated():
    """S_FP <= H2 everywhere, S_FP < 0 on an interval of small d (Huang & Kabashima 2014)."""
    ds = np.geomspace(1e-3, 0.5, 30)
    curve = franz_parisi_curve(0.5, ds)
    assert curve.success.all()
    s, h2 = curve.column("entropy"), curve.column("H2")
    assert np.all(s <= h2 + 1e-12)
    assert s[0] < 0 and s[-1] > 0
    d0 = isolation_distance(0.5)
    assert d0.success
    # independent scratch solver (coarse quadrature): zero crossing 0.0068 +- 0.0003
    assert d0.value == pytest.approx(0.0068, abs=5e-4)
    around = franz_parisi_curve(0.5, [0.8 * d0.value, 1.2 * d0.value])
    assert around.points[0]["entropy"] < 0 < around.points[1]["entropy"]


@pytest.mark.parametrize("alpha, d", [(0.5, 0.1), (0.5, 0.335), (0.7, 0.0025)])
def test_value_against_nested_adaptive_quadrature(alpha, d):
    """S_FP at the saddle (next to d_typ = 0.3388 and next to the collapse at alpha = 0.7
    included) against the module formula in the overlaps q1, qhat1 integrated by nested
    scipy.integrate.quad (benchmarks/bench_local_entropy.py, written independently of the
    sympy expression and its coordinates)."""
    sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
    from bench_local_entropy import plain_franz_parisi

    spec = FranzParisi(alpha=alpha, d=d)
    sp = replica.solve(spec)
    assert sp.success
    x = [sp["phat"], sp["t"], sp["that"], sp["q1"], sp["qhat1"]]
    ref = plain_franz_parisi(x, alpha, d, spec.reference.order["q"], spec.reference.order["qhat"])
    assert sp["entropy"] == pytest.approx(ref, abs=1e-9)


def test_gradient_is_finite_difference_of_free_entropy():
    spec = FranzParisi(alpha=0.5, d=0.1)
    sp = replica.solve(spec)
    ct = compiled_theory(spec.free_entropy())
    p = spec.parameter_values()
    x = np.array(list(sp.order.values())) * 1.01  # off the saddle: the gradient is not zero
    opts = QuadratureOptions()
    phi, g = ct.value_and_gradient(x, p, opts)
    for i in range(len(x)):
        h = 1e-4 * max(abs(x[i]), 1e-2)
        e = np.zeros_like(x)
        e[i] = h
        f = lambda v: ct.value_and_gradient(v, p, opts)[0]  # noqa: E731
        fd = (8 * (f(x + e) - f(x - e)) - (f(x + 2 * e) - f(x - 2 * e))) / (12 * h)
        assert g[i] == pytest.approx(fd, abs=1e-8 * (1 + abs(g[i])))


def test_branch_end_at_small_d_is_reported():
    """Deep in S_FP < 0 the RS branch ends (q1 -> 1 at finite d): a reason, never a NaN.
    At alpha = 0.7 the end (d ~ 0.002) is found from the extrapolated collapse of 1 - q1;
    the points before it converge."""
    curve = franz_parisi_curve(0.5, [1e-3, 1e-4])
    first, last = curve.points
    assert first.success
    assert not last.success and "q1 -> 1" in last.message
    assert np.ma.is_masked(curve.column("entropy")[1])
    curve = franz_parisi_curve(0.7, [0.003, 0.0025, 0.0015, 0.001])
    assert curve.success.tolist() == [True, True, False, False]
    assert all("q1 -> 1" in p.message for p in curve.points[2:])
    assert 1 - curve.points[1]["q1"] < 2e-3  # collapsing: 1 - q1 ~ 2d elsewhere


@pytest.mark.parametrize("kwargs, name", [
    (dict(alpha=-0.1, d=0.1), "alpha"),
    (dict(alpha=0.9, d=0.1), "alpha"),
    (dict(alpha=0.5, d=0.0), "d"),
    (dict(alpha=0.5, d=0.6), "d"),
    (dict(alpha=0.5, d=0.1, kappa=-1.0), "kappa"),
])
def test_bad_input_names_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        FranzParisi(**kwargs)
