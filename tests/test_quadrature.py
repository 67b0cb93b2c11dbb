"""Gaussian quadrature rules against closed forms and mpmath."""

import math

import mpmath
import numpy as np
import pytest
from scipy import special as sc

from replica import special
from replica.quadrature import (
    QuadratureOptions,
    composite_rule,
    gaussian_expectation,
    gaussian_rule,
    hermite_rule,
    nested_expectation,
)


def test_hermite_rule_is_exact_for_polynomials():
    z, w = hermite_rule(10)
    assert w.sum() == pytest.approx(1.0, abs=1e-15)
    for k in range(0, 20, 2):  # E z^k = (k-1)!!
        assert np.sum(w * z**k) == pytest.approx(sc.factorial2(k - 1) if k else 1.0, rel=1e-12)


def test_hermite_rule_large_n_has_finite_weights():
    # numpy's hermegauss gives NaN weights beyond ~400 nodes; roots_hermitenorm does not.
    z, w = hermite_rule(1000)
    assert np.all(np.isfinite(w)) and np.all(w >= 0) and w.sum() == pytest.approx(1.0, abs=1e-13)


def test_composite_rule_splits_at_a_kink():
    r = gaussian_expectation(np.abs, features=[(0.0, 0.0)])
    assert r.value == pytest.approx(math.sqrt(2 / math.pi), abs=1e-14)
    plain = gaussian_expectation(np.abs)  # Gauss-Hermite across the kink
    assert abs(plain.value - math.sqrt(2 / math.pi)) > 1e-4
    assert plain.error > 1e-4  # and its refinement estimate says so


@pytest.mark.parametrize("kappa", [0.0, 0.5, 1.0, 2.0])
def test_relu_moment_closed_form(kappa):
    # E[(kappa - z)_+^2] = (1 + kappa^2) H(-kappa) + kappa G(kappa)
    exact = (1 + kappa**2) * special.H(-kappa) + kappa * special.G(kappa)
    r = gaussian_expectation(lambda z: np.maximum(kappa - z, 0) ** 2, features=[(kappa, 0.0)])
    assert r.value == pytest.approx(exact, rel=1e-14)


@pytest.mark.parametrize("q", [0.1, 0.5, 0.9, 0.99, 0.999, 0.99999, 1 - 1e-8])
def test_steep_log_h_against_mpmath(q):
    """E ln H((k - sqrt(q) z)/sqrt(1-q)) and E (G/H)^2: the Gardner integrals as q -> 1."""
    k = 0.3
    c, w = k / math.sqrt(q), math.sqrt((1 - q) / q)
    u = lambda z: (k - math.sqrt(q) * z) / math.sqrt(1 - q)  # noqa: E731
    with mpmath.workdps(30):
        mu = lambda z: (k - mpmath.sqrt(q) * z) / mpmath.sqrt(1 - q)  # noqa: E731
        pts = [-mpmath.inf] + [c + o * w for o in (-30, -3, -1, 0, 1, 3, 30)] + [mpmath.inf]
        ref_log = mpmath.quad(lambda z: mpmath.npdf(z) * special.mp_log_H(mu(z)), pts)
        ref_gh2 = mpmath.quad(lambda z: mpmath.npdf(z) * special.mp_G_over_H(mu(z)) ** 2, pts)
    r_log = gaussian_expectation(lambda z: special.log_H(u(z)), features=[(c, w)])
    r_gh2 = gaussian_expectation(lambda z: special.G_over_H(u(z)) ** 2, features=[(c, w)])
    assert float(r_log.value) == pytest.approx(float(ref_log), rel=1e-12)
    assert float(r_gh2.value) == pytest.approx(float(ref_gh2), rel=1e-12)
    # the refinement estimate is an honest bound here (within a factor 10 of the truth or tiny)
    assert abs(r_log.value - float(ref_log)) <= 10 * r_log.error + 1e-12 * abs(float(ref_log))


def test_plain_hermite_fails_on_the_steep_integrand():
    q = 0.999
    u = lambda z: -math.sqrt(q) * z / math.sqrt(1 - q)  # noqa: E731
    exact = gaussian_expectation(lambda z: special.log_H(u(z)), features=[(0.0, math.sqrt((1 - q) / q))]).value
    plain = gaussian_expectation(lambda z: special.log_H(u(z)), options=QuadratureOptions(rule="hermite"))
    assert abs(plain.value - exact) > 1e-3 and plain.error > 1e-3


def test_nested_two_fields_with_moving_kink():
    # E|z0 + z1| = E|sqrt(2) z| = 2/sqrt(pi); the inner kink sits at z1 = -z0.
    r = nested_expectation(lambda a, b: np.abs(a + b), 2, features=[(), [(lambda a: -a, 0.0)]])
    assert r.value == pytest.approx(2 / math.sqrt(math.pi), abs=1e-13)


@pytest.mark.parametrize("eps", [0.1, 1e-3, 1e-6])
def test_nested_steep_inner_integrand_with_moving_features(eps):
    """E_{z0,z1,z2} ln H((kappa - sqrt(a) z0 - sqrt(b) z1 - sqrt(c) z2)/sqrt(eps)).

    The sum of independent Gaussian fields is one Gaussian of variance a + b + c, so the
    nested value must equal the one-field expectation computed with mpmath.  The inner
    steep region (width sqrt(eps)) moves with the outer fields: the innermost rule is
    split per outer node.
    """
    kappa, a, b, c = 0.4, 0.3, 0.2, 0.25
    s = math.sqrt(a + b + c)
    with mpmath.workdps(30):
        pts = [-mpmath.inf] + [kappa / s + o * math.sqrt(eps) / s for o in (-30, -3, -1, 0, 1, 3, 30)] + [mpmath.inf]
        ref = float(mpmath.quad(lambda z: mpmath.npdf(z) * special.mp_log_H((kappa - s * z) / mpmath.sqrt(eps)), pts))
    f = lambda z0, z1, z2: special.log_H((kappa - math.sqrt(a) * z0 - math.sqrt(b) * z1 - math.sqrt(c) * z2) / math.sqrt(eps))  # noqa: E731
    inner = [((lambda z0, z1: (kappa - math.sqrt(a) * z0 - math.sqrt(b) * z1) / math.sqrt(c)), math.sqrt(eps / c))]
    r = nested_expectation(f, 3, features=[(), (), inner])
    assert r.value == pytest.approx(ref, rel=1e-11)
    if eps <= 1e-3:
        plain = nested_expectation(f, 3, options=QuadratureOptions(n_hermite=40))
        assert abs(plain.value - ref) > 1e-6 * abs(ref)


def test_rules_vectorise_over_leading_shapes():
    centers = np.linspace(-1, 1, 6).reshape(2, 3, 1)
    z, w = composite_rule(centers, np.full_like(centers, 0.1))
    assert z.shape[:2] == (2, 3) and w.shape == z.shape
    np.testing.assert_allclose(w.sum(axis=-1), 1 - 2 * special.H(10.0), rtol=1e-14)
    z2, w2 = gaussian_rule([(0.0, 0.1)])
    assert z2.ndim == 1


def test_options_validate():
    with pytest.raises(ValueError, match="rule"):
        QuadratureOptions(rule="simpson")
    with pytest.raises(ValueError, match="n_panel"):
        QuadratureOptions(n_panel=0)
    with pytest.raises(ValueError, match="fields"):
        nested_expectation(lambda a: a, 4)
    assert QuadratureOptions().refined().n_panel == 2 * QuadratureOptions().n_panel


@pytest.mark.parametrize("threads", [2, 3])
def test_threaded_nested_integrals_equal_the_serial_ones(threads):
    # the outer nodes of a nested integral are shared among threads; every inner integral
    # is summed whole and the outer sum runs after joining: only the BLAS blocking of the
    # inner sums may differ (last-bit rounding)
    from replica.compile import compiled_theory
    from replica.models.franz_parisi import FranzParisi
    from replica.solve import solve

    spec = FranzParisi(alpha=0.5, d=0.1)
    ct = compiled_theory(spec.free_entropy())
    x = [1.01 * v for v in solve(spec).order.values()]  # off the saddle: a non-zero gradient
    p = spec.parameter_values()
    serial = ct.gradient_and_jacobian(x, p, QuadratureOptions(threads=1))
    parallel = ct.gradient_and_jacobian(x, p, QuadratureOptions(threads=threads))
    for a, b in zip(serial, parallel):
        assert np.all(np.isfinite(a)) and np.allclose(a, b, rtol=1e-13, atol=1e-13 * np.max(np.abs(a)))


def test_threads_must_be_a_positive_integer():
    with pytest.raises(ValueError, match="threads"):
        QuadratureOptions(threads=0)
