"""The Gardner volume: published values, closed forms, an independent implementation."""

import math
import warnings

import mpmath
import numpy as np
import pytest
from scipy import integrate, optimize, special as sc

import replica
from replica.compile import compiled_theory
from replica.models.perceptron import Gardner, GardnerQ1Limit
from replica.quadrature import QuadratureOptions

OPTS = QuadratureOptions()


def test_binary_capacity_krauth_mezard():
    """Krauth & Mezard, J. Phys. France 50, 3057 (1989): alpha_c = 0.833 (0.8330786)."""
    cap = replica.capacity("binary")
    assert cap.success and cap.criterion == "entropy = 0"
    assert cap.alpha_c == pytest.approx(0.8330786, abs=1e-7)
    assert abs(cap.saddle.free_entropy) < 1e-12
    assert cap.error < 1e-9


@pytest.mark.parametrize("kappa", [0.0, 0.5, 1.0, 2.0])
def test_spherical_capacity_gardner_closed_form(kappa):
    """Gardner, J. Phys. A 21, 257 (1988), eq. (33): 1/alpha_c = int_{-k}^inf Dt (t+k)^2."""
    with mpmath.workdps(30):
        ref = 1 / mpmath.quad(lambda t: mpmath.npdf(t) * (t + kappa) ** 2, [-kappa, mpmath.inf])
    cap = replica.capacity("spherical", kappa)
    assert cap.success and cap.criterion == "q -> 1"
    assert cap.alpha_c == pytest.approx(float(ref), abs=1e-9)


def test_binary_rs_branch_ends_at_four_over_pi():
    end = replica.rs_endpoint("binary")
    assert end.alpha_c == pytest.approx(4 / math.pi, abs=1e-10)
    assert end.saddle.order["Qhat"] == pytest.approx(2 / math.pi, rel=1e-10)  # sqrt(Qhat) = E|z|


def test_entropy_at_zero_load():
    assert replica.solve(Gardner(alpha=0.0)).free_entropy == pytest.approx(math.log(2), abs=1e-14)
    assert replica.solve(Gardner(alpha=0.0, weights="spherical")).free_entropy == pytest.approx(0.0, abs=1e-14)


def _independent_binary_entropy(alpha):
    """Textbook equations with scipy.integrate.quad, reduced to one equation for q (brentq).

    qhat(q) = alpha/(1-q) E[(G/H)^2]((-sqrt(q) z)/sqrt(1-q)),  q = E tanh^2(sqrt(qhat) z),
    s = -qhat(1-q)/2 + E ln 2cosh(sqrt(qhat) z) + alpha E ln H(-sqrt(q) z / sqrt(1-q)).
    """
    def E(f):
        g = lambda t: f(t) * math.exp(-t * t / 2) / math.sqrt(2 * math.pi)  # noqa: E731
        return sum(integrate.quad(g, a, b, epsabs=1e-14, epsrel=1e-13, limit=400)[0] for a, b in [(-12, 0), (0, 12)])

    def gh(x):
        return math.sqrt(2 / math.pi) / sc.erfcx(x / math.sqrt(2))

    def qhat_of(q):
        return alpha / (1 - q) * E(lambda t: gh(-math.sqrt(q) * t / math.sqrt(1 - q)) ** 2)

    q = optimize.brentq(lambda q: E(lambda t: math.tanh(math.sqrt(qhat_of(q)) * t) ** 2) - q, 0.05, 0.9, xtol=1e-15)
    qhat = qhat_of(q)
    s = (-qhat * (1 - q) / 2 + E(lambda t: np.logaddexp(math.sqrt(qhat) * t, -math.sqrt(qhat) * t))
         + alpha * E(lambda t: sc.log_ndtr(math.sqrt(q) * t / math.sqrt(1 - q))))
    return q, qhat, s


def test_binary_entropy_at_half_load_against_adaptive_quadrature():
    q, qhat, s = _independent_binary_entropy(0.5)
    ours = replica.solve(Gardner(alpha=0.5))
    assert ours.success
    assert ours.free_entropy == pytest.approx(s, abs=1e-10)
    assert ours.order["q"] == pytest.approx(q, abs=1e-10)
    assert ours.order["qhat"] == pytest.approx(qhat, abs=1e-9)


POINTS = [("binary", 0.0, 0.3), ("binary", 0.0, 0.8), ("binary", 0.0, 1.25), ("binary", 0.7, 0.4),
          ("spherical", 0.0, 0.5), ("spherical", 0.0, 1.9), ("spherical", 1.0, 0.4)]


@pytest.mark.parametrize("weights, kappa, alpha", POINTS)
def test_gradient_matches_finite_differences_and_mpmath(weights, kappa, alpha):
    """At solved points: compiled gradient vs central differences of the compiled free
    entropy, and the numpy backend vs the mpmath backend (mpmath.quad, 30 digits)."""
    spec = Gardner(alpha=alpha, weights=weights, kappa=kappa)
    sp_ = replica.solve(spec)
    assert sp_.success
    ct = compiled_theory(spec.free_entropy())
    x = np.array(list(sp_.order.values()))
    p = spec.parameter_values()
    # evaluate off the saddle too, where the gradient is not zero
    phi_of = lambda v: ct.value_and_gradient(v, p, OPTS)[0]  # noqa: E731
    for shift in (0.0, 0.02):
        xs = x * (1 - shift)
        phi, g = ct.value_and_gradient(xs, p, OPTS)
        for i in range(len(xs)):
            # 5-point stencil (error O(h^4)) with h a small fraction of the distance to
            # the edge of the domain (q -> 1 makes phi vary on the scale 1 - q).
            h = 1e-3 * min(abs(xs[i]), 1 - xs[i]) if i == 0 else 1e-4 * abs(xs[i])
            e = np.zeros_like(xs)
            e[i] = h
            fd = (8 * (phi_of(xs + e) - phi_of(xs - e)) - (phi_of(xs + 2 * e) - phi_of(xs - 2 * e))) / (12 * h)
            assert g[i] == pytest.approx(fd, abs=1e-8 * (1 + abs(g[i])) + 1e-14 / h)
        ref = ct.mpmath_evaluate(xs, p)
        assert phi == pytest.approx(float(ref["free_entropy"]), abs=1e-10)
        np.testing.assert_allclose(g, [float(v) for v in ref["gradient"]], rtol=1e-10, atol=1e-10)


def test_jacobian_matches_finite_differences_of_gradient():
    spec = Gardner(alpha=0.7)
    ct = compiled_theory(spec.free_entropy())
    x = np.array([0.42, 1.7])
    g, J = ct.gradient_and_jacobian(x, spec.parameter_values(), OPTS)
    for j in range(2):
        h = 1e-6
        e = np.zeros(2)
        e[j] = h
        fd = (ct.value_and_gradient(x + e, spec.parameter_values(), OPTS)[1]
              - ct.value_and_gradient(x - e, spec.parameter_values(), OPTS)[1]) / (2 * h)
        np.testing.assert_allclose(J[:, j], fd, rtol=1e-7, atol=1e-8)


def test_fixed_point_map_is_identity_at_the_saddle():
    for spec in (Gardner(alpha=0.6), Gardner(alpha=0.6, weights="spherical", kappa=0.3)):
        sp_ = replica.solve(spec)
        ct = compiled_theory(spec.free_entropy())
        x = np.array(list(sp_.order.values()))
        np.testing.assert_allclose(ct.fixed_point_map(x, spec.parameter_values(), OPTS), x, rtol=1e-11)
        by_fp = replica.solve(spec, method="fixed-point", maxiter=200)
        assert by_fp.success
        np.testing.assert_allclose(list(by_fp.order.values()), x, rtol=1e-9)


def test_continuation_reaches_the_end_of_the_rs_branch():
    """q -> 1 as alpha -> 4/pi, with no early collapse (plain Gauss-Hermite collapses near 1.07)."""
    alphas = np.concatenate([np.linspace(0.02, 1.25, 60), 4 / math.pi - np.logspace(-2, -4, 5)])
    curve = replica.continuation(Gardner(alpha=0.02), "alpha", alphas)
    assert curve.success.all()
    q = curve.column("q")
    assert np.all(np.diff(q) > 0)
    assert 1 - q[-1] < 1e-4
    # 1 - q vanishes linearly at 4/pi: (4/pi - alpha)/(1 - q) converges to a finite
    # constant (its increments shrink geometrically, like sqrt(4/pi - alpha)).
    ratio = (4 / math.pi - curve.values[-5:]) / (1 - q[-5:])
    steps = np.diff(ratio)
    assert np.all((ratio > 0.9) & (ratio < 1.5))
    assert np.all(steps > 0) and np.all(steps[1:] < 0.8 * steps[:-1])
    # Each point is accurate: quadrature error estimate small all along the branch.
    assert max(p.quad_error for p in curve.points) < 1e-8


def test_plain_gauss_hermite_collapses_and_is_flagged():
    alphas = np.linspace(0.9, 1.25, 15)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", replica.ConvergenceWarning)
        plain = replica.continuation(Gardner(alpha=0.9), "alpha", alphas,
                                     quad=QuadratureOptions(rule="hermite"), quad_tol=math.inf)
        flagged = replica.continuation(Gardner(alpha=0.9), "alpha", alphas, quad=QuadratureOptions(rule="hermite"))
    q_plain = np.array([p.order["q"] for p in plain.points])
    q_true = np.array([replica.solve(Gardner(alpha=a)).order["q"] for a in alphas])
    early = alphas < 1.15
    assert np.max(np.abs(q_plain - q_true)[early]) > 1e-3  # wrong in the third digit well before 4/pi
    assert q_true.max() < 0.98
    assert not flagged.success.all()  # with the default quad_tol the failure is reported
    assert all(p.quad_error > 1e-6 for p, ok in zip(flagged.points, flagged.success) if not ok)


def test_replicon_eigenvalue():
    """Spherical RS is stable for every alpha < alpha_c (kappa >= 0, convex problem);
    the binary one loses stability near alpha ~ 1.015 (Gardner & Derrida 1988)."""
    for a in (0.2, 1.0, 1.9):
        assert replica.solve(Gardner(alpha=a, weights="spherical"))["replicon"] > 0
    assert replica.solve(Gardner(alpha=0.833))["replicon"] > 0
    at = replica.find_parameter(Gardner(alpha=1.0), "alpha", observable="replicon", target=0.0)
    assert at.success and at.value == pytest.approx(1.015, abs=5e-4)


def test_q1_limit_is_the_coefficient_of_the_divergence():
    """(1 - q) * phi(q) at the saddle approaches the limit theory's coefficient."""
    alpha = 1.2
    lim = replica.solve(GardnerQ1Limit(alpha=alpha, weights="spherical"))
    sp_ = replica.solve(Gardner(alpha=alpha, weights="spherical"))
    assert lim.free_entropy == pytest.approx(0.5 - alpha / 4, abs=1e-14)  # E[z_+^2] = 1/2
    assert sp_.success


@pytest.mark.parametrize("kwargs, name", [
    (dict(alpha=-0.1), "alpha"), (dict(alpha=float("nan")), "alpha"), (dict(alpha=0.5, weights="ternary"), "weights"),
    (dict(alpha=0.5, kappa=-1.0), "kappa"), (dict(alpha="abc"), "alpha"),
])
def test_bad_input_names_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        Gardner(**kwargs)


def test_beyond_the_rs_branch_is_reported_not_nan():
    with pytest.warns(replica.ConvergenceWarning):
        sp_ = replica.solve(Gardner(alpha=1.5))
    assert not sp_.success
    for v in [sp_.free_entropy, sp_.residual, sp_.step, sp_.quad_error, *sp_.order.values(), *sp_.observables.values()]:
        assert v is None or math.isfinite(v)
    with pytest.raises(replica.ConvergenceError) as err:
        replica.solve(Gardner(alpha=1.5), strict=True)
    assert err.value.result.success is False
