"""Finite-K tree committee (replica.models.committee_finite): formulas, quadrature, saddles."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate
from scipy import special as sc

from replica.compile import compiled_theory
from replica.models import committee_finite as cf
from replica.models.committee_finite import (
    QUAD,
    FiniteKCommittee,
    capacity,
    correct_probability,
    mean_q1_cost,
    q1_cost,
    rs_endpoint,
)
from replica.models.perceptron import Gardner
from replica.solve import solve


# ----------------------------------------------------------------------------- helpers


def _committee_mc(activation, k, means, s, rng, n):
    """Monte Carlo of the committee output for fixed means: fractions of +1 and -1."""
    lam = means + s * rng.standard_normal((n, k))
    if activation == "sign":
        out = np.sign(np.sign(lam).sum(axis=1))
    else:
        h = np.maximum(lam[:, 0], 0) - np.maximum(lam[:, 1], 0)  # c = (+1, -1)
        out = np.sign(h)  # 0 for a tie: wrong for either label
    return np.mean(out > 0), np.mean(out < 0)


def _relu_theta_form(m1, m2, s):
    """The brief's form P = E_x1[Theta(m1 + s x1 > 0) Phi((m1 - m2)/s + x1)] by scipy quad."""
    f = lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi) * sc.ndtr((m1 - m2) / s + x)
    return integrate.quad(f, -m1 / s, np.inf, epsabs=1e-13, epsrel=1e-12)[0]


def _energetic(theory_spec, q, quad=QUAD):
    """E_z ln P_K at overlap q (the alpha-derivative of the free entropy)."""
    ct = compiled_theory(theory_spec.free_entropy())
    x = [q, 1.0] if theory_spec.weights == "binary" else [q]
    return ct.value_and_gradient(x, [1.0], quad)[0] - ct.value_and_gradient(x, [0.0], quad)[0]


def _gl(a, b, n):
    x, w = np.polynomial.legendre.leggauss(n)
    return 0.5 * (a + b) + 0.5 * (b - a) * x, 0.5 * (b - a) * w


def _split_rule(breaks, n):
    """Composite Gauss-Legendre rule times the Gaussian density (independent of the engine)."""
    zs, ws = zip(*(_gl(a, b, n) for a, b in zip(breaks[:-1], breaks[1:]) if b > a))
    z, w = np.concatenate(zs), np.concatenate(ws)
    return z, w * np.exp(-z * z / 2) / math.sqrt(2 * math.pi)


def _reference_sign3(q, L=10.0, n=8, panels=16):
    """6 E[ln P3; z1 < z2 < z3] (the integrand is symmetric): nested Gauss-Legendre on the
    ordered region, split at 0, with ln P3 by log-sum-exp of the four vote patterns."""
    r = math.sqrt(q / (1 - q))

    def lnP3(z1, z2, z3):
        lp = [sc.log_ndtr(r * z) for z in (z1, z2, z3)]
        lm = [sc.log_ndtr(-r * z) for z in (z1, z2, z3)]
        terms = [lp[0] + lp[1] + lm[2], lp[0] + lm[1] + lp[2], lm[0] + lp[1] + lp[2], lp[0] + lp[1] + lp[2]]
        return np.logaddexp.reduce(np.broadcast_arrays(*terms), axis=0)

    def rule(lo, hi):
        brk = np.unique(np.concatenate([np.linspace(lo, hi, panels + 1), [0.0] if lo < 0 < hi else []]))
        return _split_rule(brk, n)

    total = 0.0
    z1s, w1s = rule(-L, L)
    for z1, w1 in zip(z1s, w1s):
        z2s, w2s = rule(z1, L)
        for z2, w2 in zip(z2s, w2s):
            z3, w3 = rule(z2, L)
            total += w1 * w2 * np.dot(w3, lnP3(z1, z2, z3))
    return 6 * total


def _reference_relu(q, L=10.0, n=10, panels=20):
    """E_{z1,z2} ln P with P in the Theta form, by log-space Gauss-Legendre on
    [-m1/s, inf) (independent of the smooth representation used by the theory)."""
    s, rq = math.sqrt(1 - q), math.sqrt(q)
    xg, wg = np.polynomial.legendre.leggauss(30)

    def lnP(m1, m2):
        lo = -m1 / s
        edges = lo + np.linspace(0, max(lo, 0) - lo + 14.0, 21)
        a, b = edges[:-1, None], edges[1:, None]
        x = (0.5 * (a + b) + 0.5 * (b - a) * xg).ravel()
        lw = np.log((0.5 * (b - a) * wg).ravel())
        t = lw[:, None] - x[:, None] ** 2 / 2 - 0.5 * math.log(2 * math.pi) + sc.log_ndtr(x[:, None] + (m1 - m2) / s)
        return sc.logsumexp(t, axis=0)

    base = np.linspace(-L, L, panels + 1)
    z1s, w1s = _split_rule(np.unique(np.concatenate([base, [0.0]])), n)
    total = 0.0
    for z1, w1 in zip(z1s, w1s):
        z2, w2 = _split_rule(np.unique(np.clip(np.concatenate([base, [0.0, z1, -z1]]), -L, L)), n)
        total += w1 * np.dot(w2, lnP(rq * z1, rq * z2))
    return total


# ----------------------------------------------------------------- K = 1 = perceptron


@pytest.mark.parametrize("weights", ["binary", "spherical"])
@pytest.mark.parametrize("alpha", [0.2, 0.5, 0.8])
def test_k1_is_the_perceptron(weights, alpha):
    for quad in (None, QUAD):
        ours = solve(FiniteKCommittee(alpha=alpha, k=1, weights=weights), quad=quad)
        ref = solve(Gardner(alpha=alpha, weights=weights), quad=quad)
        assert ours.success and ref.success
        assert abs(ours.free_entropy - ref.free_entropy) < 1e-10
        for name in ref.order:
            assert abs(ours.order[name] - ref.order[name]) < 1e-10


# -------------------------------------------------------------- P_K against Monte Carlo


def test_sign_k3_probability_and_label_gauge_monte_carlo():
    rng = np.random.default_rng(1)
    n = 200_000
    for _ in range(4):
        means = rng.normal(0, 1.2, 3)
        s = rng.uniform(0.3, 1.0)
        plus, minus = _committee_mc("sign", 3, means, s, rng, n)
        p = correct_probability("sign", 3, means, s)
        # label -1 gauged to +1 by W -> -W: P(output = -1 | m) = P_3(-m)
        p_flip = correct_probability("sign", 3, -means, s)
        for est, exact in [(plus, p), (minus, p_flip)]:
            se = math.sqrt(exact * (1 - exact) / n)
            assert abs(est - exact) < 5 * se
        # the expanded symmetric polynomial of the brief
        q = sc.ndtr(means / s)
        assert abs(p - (q[0] * q[1] + q[0] * q[2] + q[1] * q[2] - 2 * q.prod())) < 1e-14
    assert correct_probability("sign", 1, [0.3], 0.5) == pytest.approx(sc.ndtr(0.6), abs=1e-15)


def test_relu_k2_probability_forms_and_label_swap_monte_carlo():
    rng = np.random.default_rng(2)
    n = 200_000
    for _ in range(4):
        means = rng.normal(0, 1.0, 2)
        s = rng.uniform(0.3, 1.0)
        plus, minus = _committee_mc("relu", 2, means, s, rng, n)
        p = correct_probability("relu", 2, means, s)  # smooth bivariate representation
        assert abs(p - _relu_theta_form(means[0], means[1], s)) < 1e-10  # the brief's form
        # label -1 with c = (+1, -1): correct iff relu(l2) > relu(l1): units swapped
        p_swap = correct_probability("relu", 2, means[::-1], s)
        for est, exact in [(plus, p), (minus, p_swap)]:
            se = math.sqrt(exact * (1 - exact) / n)
            assert abs(est - exact) < 5 * se
        # the label -1 case is NOT the weight flip of the label +1 case (relu is not odd)
    m = np.array([0.7, -0.4])
    assert abs(correct_probability("relu", 2, -m, 0.5) - correct_probability("relu", 2, m[::-1], 0.5)) > 1e-2
    # zero overlap: P(l1 > 0, l1 > l2) = 1/2 - 1/8 = 3/8
    assert correct_probability("relu", 2, [0.0, 0.0], 1.0) == pytest.approx(3 / 8, abs=1e-14)


# ------------------------------------------------------------ quadrature, independently


def test_sign_k3_energetic_term_against_independent_quadrature():
    spec = FiniteKCommittee(alpha=0.5, k=3)
    q = 0.3
    assert abs(_energetic(spec, q) - _reference_sign3(q, n=6, panels=12)) < 1e-7


def test_relu_k2_energetic_term_against_independent_quadrature():
    spec = FiniteKCommittee(alpha=0.5, k=2, activation="relu")
    q = 0.5
    assert abs(_energetic(spec, q) - _reference_relu(q)) < 1e-7


@pytest.mark.slow
@pytest.mark.parametrize("q", [0.8])
def test_sign_k3_energetic_term_high_overlap(q):
    # at q = 0.8 the inner soft kinks (z_l = z_m) are narrow: width ~ 0.25/|z|
    spec = FiniteKCommittee(alpha=0.5, k=3)
    assert abs(_energetic(spec, q) - _reference_sign3(q, n=10, panels=30)) < 1e-9


@pytest.mark.slow
def test_relu_k2_energetic_term_high_overlap():
    spec = FiniteKCommittee(alpha=0.5, k=2, activation="relu")
    assert abs(_energetic(spec, 0.75) - _reference_relu(0.75, n=12)) < 1e-9


# --------------------------------------------------------------------------- saddles


@pytest.mark.parametrize("activation, k", [("sign", 3), ("relu", 2)])
@pytest.mark.parametrize("weights", ["binary", "spherical"])
def test_stationarity_at_the_solution(activation, k, weights):
    spec = FiniteKCommittee(alpha=0.5, k=k, activation=activation, weights=weights)
    sp_ = solve(spec, quad=QUAD)
    assert sp_.success, sp_.message
    assert sp_.residual < 1e-9 and sp_.quad_error < 1e-7
    # finite-difference gradient of the compiled free entropy (not the symbolic one)
    ct = compiled_theory(spec.free_entropy())
    x = np.array([sp_.order[n] for n in spec.free_entropy().order_names])
    for i in range(len(x)):
        h = 1e-5 * max(1.0, abs(x[i]))
        up, dn = x.copy(), x.copy()
        up[i] += h
        dn[i] -= h
        fd = (ct.value_and_gradient(up, [0.5], QUAD)[0] - ct.value_and_gradient(dn, [0.5], QUAD)[0]) / (2 * h)
        assert abs(fd) < 1e-7
    assert sp_["distance"] == pytest.approx((1 - sp_["q"]) / 2)


@pytest.mark.parametrize("activation, k, p0", [("sign", 3, 0.5), ("relu", 2, 3 / 8)])
def test_small_alpha_limit(activation, k, p0):
    alpha = 0.01
    b = solve(FiniteKCommittee(alpha=alpha, k=k, activation=activation), quad=QUAD)
    s = solve(FiniteKCommittee(alpha=alpha, k=k, activation=activation, weights="spherical"), quad=QUAD)
    assert b.success and s.success
    # s -> ln 2 + alpha ln P_K(q = 0) (binary), alpha ln P_K(q = 0) (spherical), up to O(alpha^2)
    assert abs(b.free_entropy - (math.log(2) + alpha * math.log(p0))) < 5 * alpha**2
    assert abs(s.free_entropy - alpha * math.log(p0)) < 5 * alpha**2
    assert 0 < b["q"] < 5 * alpha and 0 < s["q"] < 5 * alpha


def test_entropy_decreases_with_load():
    values = [cf.entropy(a, k=3).free_entropy for a in (0.3, 0.5, 0.7)]
    assert values[0] > values[1] > values[2] > 0
    # annealed bound (1 - alpha) ln 2 (P_3(q=0) = 1/2)
    assert all(v < (1 - a) * math.log(2) for v, a in zip(values, (0.3, 0.5, 0.7)))


# --------------------------------------------------------------------------- q -> 1


def test_mean_cost_closed_forms():
    m3 = integrate.quad(lambda u: 2 * u * (2 * sc.ndtr(-u)) ** 3, 0, np.inf, epsabs=1e-14)[0]
    assert m3 == pytest.approx(1 - 6 / math.pi + 2 * math.sqrt(3) / math.pi, abs=1e-13)
    ec3 = 3 / 8 * (1 - 2 / math.pi) + (3 * (1 - 2 / math.pi) - m3) / 8
    assert mean_q1_cost("sign", 3) == pytest.approx(ec3, abs=1e-13)
    rng = np.random.default_rng(3)
    n = 400_000
    for activation, k in [("sign", 1), ("sign", 3), ("relu", 2)]:
        c = q1_cost(activation, k, rng.standard_normal((n, k)))
        assert abs(c.mean() - mean_q1_cost(activation, k)) < 5 * c.std() / math.sqrt(n)


def test_relu_cost_is_the_distance_to_the_correct_cone():
    rng = np.random.default_rng(4)
    z = rng.normal(0, 2, (200, 2))
    # brute force: minimise over a grid of the closed cone {y1 >= 0, y1 >= y2}
    g = np.linspace(-8, 8, 801)
    y1, y2 = np.meshgrid(g, g, indexing="ij")
    ok = (y1 >= 0) & (y1 >= y2)
    Y = np.stack([y1[ok], y2[ok]], -1)
    brute = np.array([np.min(((Y - zz) ** 2).sum(-1)) for zz in z])
    assert np.allclose(q1_cost("relu", 2, z), brute, atol=0.05)


def _relu_lnP_theta(m1, m2, s):
    """ln of the Theta form in log space, with panels refined next to the lower limit."""
    lo, b = -m1 / s, (m1 - m2) / s
    top = max(lo, -b / 2, 0.0) + 12.0
    near = lo + np.geomspace(1e-4, 1.0, 40) / (abs(lo) + abs(b) + 1.0)
    edges = np.unique(np.concatenate([[lo], near, np.linspace(lo, top, 200)]))
    x, w = _gl(edges[:-1, None], edges[1:, None], 12)
    x, lw = x.ravel(), np.log(w.ravel())
    t = lw - x**2 / 2 - 0.5 * math.log(2 * math.pi) + sc.log_ndtr(x + b)
    return sc.logsumexp(t)


def test_q1_limit_coefficient_monte_carlo():
    # (1 - q) E_z ln P_K -> -E c / 2 (Laplace), corrections O((1 - q) ln(1 - q)):
    # Monte Carlo over z of ln P_K (closed form for sign, Theta form for relu).
    rng = np.random.default_rng(5)
    eps = 1e-3
    s, r = math.sqrt(eps), math.sqrt(1 - eps)
    z = rng.standard_normal((200_000, 3))
    lp, lm = sc.log_ndtr(r * z / s), sc.log_ndtr(-r * z / s)  # ln p_l, ln(1 - p_l)
    terms = [lp[:, 0] + lp[:, 1] + lm[:, 2], lp[:, 0] + lm[:, 1] + lp[:, 2],
             lm[:, 0] + lp[:, 1] + lp[:, 2], lp.sum(axis=1)]
    v = eps * np.logaddexp.reduce(terms, axis=0)
    assert abs(v.mean() + mean_q1_cost("sign", 3) / 2) < 0.01 + 5 * v.std() / math.sqrt(len(v))
    z = rng.standard_normal((4000, 2))
    v = eps * np.array([_relu_lnP_theta(r * a, r * b, s) for a, b in z])
    assert abs(v.mean() + mean_q1_cost("relu", 2) / 2) < 0.015 + 5 * v.std() / math.sqrt(len(v))


def test_relu_energetic_term_near_q1_against_monte_carlo():
    # q = 0.97: still inside the range where the theory's quadrature is reliable
    eps = 0.03
    s, r = math.sqrt(eps), math.sqrt(1 - eps)
    z = np.random.default_rng(6).standard_normal((6000, 2))
    v = np.array([_relu_lnP_theta(r * a, r * b, s) for a, b in z])
    spec = FiniteKCommittee(alpha=1.0, k=2, activation="relu")
    assert abs(_energetic(spec, 1 - eps) - v.mean()) < 5 * v.std() / math.sqrt(len(v))


def test_spherical_capacities():
    assert rs_endpoint("sign", 1, "spherical").alpha_c == pytest.approx(2.0, abs=1e-10)
    assert rs_endpoint("relu", 2, "spherical").alpha_c == pytest.approx(4 / 3, abs=1e-10)
    c = capacity("sign", 3, "spherical")
    assert c.success and c.criterion == "q -> 1"
    assert c.alpha_c == pytest.approx(1 / (5 / 8 - (3 + math.sqrt(3)) / (4 * math.pi)), abs=1e-10)
    assert c.alpha_c == pytest.approx(4.0252, abs=1e-4)
    # binary: end of the RS branch 2/(pi E c) (4/pi for the perceptron)
    assert rs_endpoint("sign", 1, "binary").alpha_c == pytest.approx(4 / math.pi, abs=1e-8)


@pytest.mark.slow
def test_binary_capacity_k1_is_krauth_mezard():
    c = capacity("sign", 1, "binary")
    assert c.success and c.alpha_c == pytest.approx(0.8330786, abs=2e-7)


@pytest.mark.slow
@pytest.mark.parametrize("activation, k", [("sign", 3), ("relu", 2)])
def test_binary_capacity_finite_k(activation, k):
    c = capacity(activation, k, "binary")
    assert c.success, c.message
    assert abs(c.saddle.free_entropy) < 1e-9
    hi = 1.0 if activation == "sign" else math.log(2) / math.log(8 / 3)  # annealed bound
    assert 0.5 < c.alpha_c < hi


# ----------------------------------------------------------------------- bad input


def test_bad_input():
    with pytest.raises(ValueError, match="k must be one of 1, 3"):
        FiniteKCommittee(alpha=0.5, k=2)
    with pytest.raises(ValueError, match="k must be one of 1, 3"):
        FiniteKCommittee(alpha=0.5, k=5)
    with pytest.raises(ValueError, match="k must be one of 2"):
        FiniteKCommittee(alpha=0.5, k=3, activation="relu")
    with pytest.raises(ValueError, match="k must be"):
        FiniteKCommittee(alpha=0.5, k=True)
    with pytest.raises(ValueError, match="k must be"):
        FiniteKCommittee(alpha=0.5, k=3.0)
    with pytest.raises(ValueError, match="kappa"):
        FiniteKCommittee(alpha=0.5, k=3, kappa=0.1)
    with pytest.raises(ValueError, match="kappa"):
        FiniteKCommittee(alpha=0.5, k=3, kappa=-1.0)
    with pytest.raises(ValueError, match="activation"):
        FiniteKCommittee(alpha=0.5, k=3, activation="tanh")
    with pytest.raises(ValueError, match="weights"):
        FiniteKCommittee(alpha=0.5, k=3, weights="ternary")
    with pytest.raises(ValueError, match="alpha"):
        FiniteKCommittee(alpha=-0.1, k=3)
    with pytest.raises(ValueError, match="alpha"):
        FiniteKCommittee(alpha=float("nan"), k=3)
    with pytest.raises(ValueError, match="k must be"):
        capacity("sign", 2)
    with pytest.raises(ValueError, match="last axis"):
        correct_probability("sign", 3, [0.1, 0.2], 1.0)
