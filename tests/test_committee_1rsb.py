"""RS stability and 1RSB capacity of the spherical large-K committee (committee_1rsb)."""

import math
import warnings

import numpy as np
import pytest
from scipy import integrate, special

from replica import QuadratureOptions, solve
from replica.compile import compiled_theory
from replica.models.committee import LargeKCommittee, kernel, kernel_slope
from replica.models.committee_1rsb import (
    OneRSBQ1Limit,
    SphericalCommitteeRS,
    at_line,
    capacity_1rsb,
    replicon,
    replicon_at_capacity,
    rs_capacity,
)
from replica.models.perceptron import Gardner

Q = QuadratureOptions()


def _coefficient(spec, q0, mu):
    ct = compiled_theory(spec.free_entropy())
    return ct.value_and_gradient([q0, mu], spec.parameter_values(), Q)


# ------------------------------------------------------------------- replicon / AT


@pytest.mark.parametrize("alpha", [0.5, 1.2, 1.9])
def test_linear_replicon_equals_perceptron(alpha):
    r = replicon(LargeKCommittee(alpha=alpha, activation="linear"))
    g = solve(Gardner(alpha=alpha, weights="spherical"))
    assert r.success and r.qsecond_term == 0.0
    assert r.value == pytest.approx(g.observables["replicon"], abs=1e-9)


@pytest.mark.parametrize("kappa", [0.0, 0.3, 1.0])
def test_linear_replicon_positive_for_nonnegative_margin(kappa):
    a_rs = rs_capacity("linear", kappa)
    for t in (0.2, 0.6, 0.9, 0.98):
        r = replicon(SphericalCommitteeRS(alpha=t * a_rs, activation="linear", kappa=kappa))
        assert r.success and r.value > 0
    assert replicon_at_capacity("linear", kappa) >= 0
    at = at_line("linear", kappa)
    assert at.success and math.isinf(at.alpha_at)


def test_linear_at_line_negative_margin_closed_form_limit():
    # kappa < 0: the q -> 1 limit 1 - H(-kappa)/int (t+kappa)^2 is negative: AT below capacity
    assert replicon_at_capacity("linear", -0.5) < 0
    at = at_line("linear", -0.5)
    assert at.success and at.alpha_at < at.rs_capacity
    assert at.alpha_at == pytest.approx(3.9507013, abs=1e-5)
    r = replicon(SphericalCommitteeRS(alpha=at.alpha_at, activation="linear", kappa=-0.5))
    assert abs(r.value) < 1e-7


def test_relu_replicon_second_derivative_term_at_saddle():
    # At the RS saddle point the Q'' term equals q Q''(q)/Q'(q) (stationarity).
    r = replicon(LargeKCommittee(alpha=1.5, activation="relu"))
    q = r.q
    ratio = q / (math.sqrt(1 - q * q) * (math.pi / 2 + math.asin(q)))
    assert r.qsecond_term == pytest.approx(ratio, rel=1e-8)
    # saddle input gives the same value
    assert replicon(r.saddle).value == pytest.approx(r.value, abs=1e-12)


def test_relu_at_line_below_rs_capacity():
    at = at_line("relu", 0.0)
    assert at.success
    assert at.alpha_at == pytest.approx(1.7211968, abs=1e-5)
    assert at.alpha_at < capacity_1rsb("relu").alpha_c < rs_capacity("relu")


# --------------------------------------------------------------------- 1RSB capacity


def test_linear_1rsb_reduces_to_rs():
    c = capacity_1rsb("linear", 0.0)
    assert c.success and c.degenerate and c.alpha_c == pytest.approx(2.0, abs=1e-12)
    # C >= C_RS = 0 on a grid at alpha = 2, with equality on the boundary
    spec = OneRSBQ1Limit(alpha=2.0, activation="linear")
    for q0 in (0.1, 0.5, 0.9):
        for mu in (0.1, 1.0, 10.0, 100.0):
            assert _coefficient(spec, q0, mu)[0] > 0
    assert _coefficient(spec, 0.5, 1e-6)[0] == pytest.approx(0.0, abs=1e-6)
    assert _coefficient(spec, 1 - 1e-9, 3.0)[0] == pytest.approx(0.0, abs=1e-6)


def test_relu_1rsb_capacity_and_stationarity():
    c = capacity_1rsb("relu", 0.0)
    assert c.success and not c.degenerate
    assert c.alpha_c == pytest.approx(2.66428006, abs=1e-7)
    assert c.alpha_c < c.alpha_rs == pytest.approx(2 * math.pi / (math.pi - 1))
    assert c.error < 1e-8
    assert all(v > 0 for v in c.hessian_eigenvalues)
    sad = c.saddle
    assert sad.success and abs(sad.free_entropy) < 1e-10 and sad.residual < 1e-10
    assert sad.quad_error < 1e-8


def test_negative_perceptron_1rsb_between_at_and_rs():
    c = capacity_1rsb("linear", -0.5)
    at = at_line("linear", -0.5)
    assert c.success and not c.degenerate
    assert at.alpha_at < c.alpha_c < c.alpha_rs
    assert c.alpha_c == pytest.approx(4.7001395, abs=1e-5)


def test_sign_is_infinite():
    c = capacity_1rsb("sign")
    assert c.success and math.isinf(c.alpha_c)
    with pytest.raises(ValueError):
        OneRSBQ1Limit(alpha=1.0, activation="sign")


def test_closed_form_matches_nested_quadrature():
    # The nested rule loses ~1e-8 at large mu: the tilted inner mass, at
    # z1 = a c t/(1 + a c^2), leaves the composite rule's [-10, 10] for z0 < -6 (weight
    # G(6) ~ 1e-8); the closed form agrees with scipy to 1e-15 there (checked separately).
    for x, p, tol, gtol in [((0.7363748, 13.089132), (2.68, 0.0), 1e-12, 1e-11),
                            ((0.3, 2.0), (2.5, 0.4), 1e-12, 1e-11),
                            ((0.9, 40.0), (3.0, -0.3), 1e-7, 1e-5)]:
        vals = []
        for form in ("closed", "nested"):
            spec = OneRSBQ1Limit(alpha=p[0], kappa=p[1], form=form)
            ct = compiled_theory(spec.free_entropy())
            vals.append(ct.value_and_gradient(list(x), p, Q))
        assert vals[0][0] == pytest.approx(vals[1][0], abs=tol)
        np.testing.assert_allclose(vals[0][1], vals[1][1], atol=gtol)


def test_coefficient_against_scipy_quadrature():
    q0, mu, alpha, kappa = 0.6, 5.0, 2.7, 0.2
    Q0 = float(kernel("relu", q0))
    a, c, b = mu / kernel_slope("relu"), math.sqrt(1 - Q0), math.sqrt(Q0)
    dens = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)

    def inner(z0):
        t = kappa - b * z0
        kink = t / c
        f = lambda z1: dens(z1) * math.exp(-a / 2 * max(t - c * z1, 0.0) ** 2)
        lo = integrate.quad(f, -40, kink, epsabs=1e-14, epsrel=1e-13, limit=200)[0]
        return math.log(lo + special.ndtr(-kink))

    e = integrate.quad(lambda z0: dens(z0) * inner(z0), -15, 15, points=[kappa / b], epsabs=1e-13, limit=200)[0]
    ent = 0.5 * (math.log1p(mu * (1 - q0)) / mu + q0 / (1 + mu * (1 - q0)))
    ref = ent + alpha / mu * e
    got = _coefficient(OneRSBQ1Limit(alpha=alpha, kappa=kappa), q0, mu)[0]
    assert got == pytest.approx(ref, abs=1e-10)


def test_small_mu_limit_is_rs_coefficient():
    spec = OneRSBQ1Limit(alpha=2.5, activation="relu", kappa=0.3)
    c_rs = 0.5 - 2.5 * rs_capacity("linear", 0.3) ** -1 / (2 * kernel_slope("relu"))
    assert _coefficient(spec, 0.4, 1e-7)[0] == pytest.approx(c_rs, abs=1e-6)


# ------------------------------------------------------------------------ bad inputs


def test_bad_inputs():
    with pytest.raises(ValueError):
        capacity_1rsb("tanh")
    with pytest.raises(ValueError):
        at_line("relu", kappa=math.nan)
    with pytest.raises(ValueError):
        OneRSBQ1Limit(alpha=-1.0)
    with pytest.raises(ValueError):
        OneRSBQ1Limit(alpha=1.0, form="adaptive")
    with pytest.raises(ValueError):
        SphericalCommitteeRS(alpha=1.0, activation="cubic")
    with pytest.raises(ValueError):
        replicon(LargeKCommittee(alpha=0.5, weights="binary"))
    with pytest.raises(TypeError):
        replicon(Gardner(alpha=0.5))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError):
            at_line("relu", alpha_max=0.0)
