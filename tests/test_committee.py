"""Large-K tree committee machine: kernel, free entropies, capacities."""

import math

import numpy as np
import pytest
import sympy as sp

import replica
from replica.compile import compiled_theory
from replica.models.committee import (
    LargeKCommittee,
    LargeKCommitteeQ1Limit,
    capacity,
    kernel,
    kernel_expr,
    kernel_slope,
    rs_endpoint,
)
from replica.models.perceptron import Gardner
from replica.quadrature import QuadratureOptions

OPTS = QuadratureOptions()
G = {"relu": lambda x: np.maximum(x, 0.0), "sign": np.sign, "linear": lambda x: x}


@pytest.mark.parametrize("activation", ["relu", "sign", "linear"])
def test_kernel_matches_monte_carlo(activation):
    """k(q) = E[g(a) g(b)], corr(a, b) = q, against 1e6 samples (5 standard errors)."""
    rng = np.random.default_rng(20190)
    a, c = rng.standard_normal((2, 10**6))
    g = G[activation]
    for q in (-0.6, 0.0, 0.3, 0.7, 0.95):
        b = q * a + math.sqrt(1 - q * q) * c
        prod = g(a) * g(b)
        se = prod.std() / math.sqrt(prod.size)
        assert abs(prod.mean() - kernel(activation, q, normalized=False)) < 5 * se
    # The centring constants of the normalised kernel: m = E g, k(1) = E g^2.
    ga = g(a)
    m = {"relu": 1 / math.sqrt(2 * math.pi), "sign": 0.0, "linear": 0.0}[activation]
    assert abs(ga.mean() - m) < 5 * ga.std() / 1e3
    assert float(kernel(activation, 1.0, normalized=False)) == pytest.approx(np.mean(ga**2), abs=5 * np.std(ga**2) / 1e3)
    q = np.linspace(-1, 1, 41)
    k = kernel(activation, q, normalized=False)
    k1 = kernel(activation, 1.0, normalized=False)
    np.testing.assert_allclose(kernel(activation, q), (k - m**2) / (k1 - m**2), atol=1e-15)


def test_relu_kernel_closed_forms():
    """Arc-cosine kernel of order 1 = the docs/physics.md form (pi - arccos q = pi/2 + arcsin q)."""
    q = np.linspace(-1, 1, 201)
    arccos_form = (np.sqrt(1 - q**2) + q * (np.pi - np.arccos(q))) / (2 * np.pi)
    np.testing.assert_allclose(kernel("relu", q, normalized=False), arccos_form, atol=1e-15)
    notes_form = (np.sqrt(1 - q**2) + q * (np.pi / 2 + np.arcsin(q)) - 1) / (np.pi - 1)
    np.testing.assert_allclose(kernel("relu", q), notes_form, atol=1e-15)
    assert kernel("relu", 1.0, normalized=False) == pytest.approx(0.5, abs=1e-15)


@pytest.mark.parametrize("activation", ["relu", "sign", "linear"])
def test_kernel_is_a_normalised_increasing_map(activation):
    q = np.linspace(0, 1, 1001)
    Q = kernel(activation, q)
    assert Q[0] == 0.0 and Q[-1] == pytest.approx(1.0, abs=1e-15)
    assert np.all(np.diff(Q) > 0)
    if activation == "relu":
        assert np.all(Q[1:-1] < q[1:-1])  # convex: Q(q) <= q
    # The sympy version (used in the free entropies) is the same function.
    qs = sp.Symbol("q")
    f = sp.lambdify(qs, kernel_expr(activation, qs), "numpy")
    np.testing.assert_allclose(f(q[:-1]) + 0 * q[:-1], Q[:-1], atol=1e-14)
    with pytest.raises(ValueError, match="q"):
        kernel(activation, 1.5)


def test_kernel_slope_at_one():
    assert kernel_slope("relu") == pytest.approx(math.pi / (math.pi - 1), rel=1e-15)
    assert kernel_slope("linear") == 1.0
    assert kernel_slope("sign") == math.inf
    qs = sp.Symbol("q")
    for act in ("relu", "linear"):
        assert float(sp.limit(sp.diff(kernel_expr(act, qs), qs), qs, 1, "-")) == pytest.approx(kernel_slope(act), rel=1e-14)
    # relu: (1 - Q(1 - eps))/eps = Q'(1) (1 - (2 sqrt 2 / (3 pi)) sqrt(eps) + O(eps)).
    for eps in (1e-4, 1e-6):
        ratio = (1 - kernel("relu", 1 - eps)) / eps
        assert ratio == pytest.approx(kernel_slope("relu") * (1 - 2 * math.sqrt(2 * eps) / (3 * math.pi)), rel=2 * eps)
    # sign: 1 - Q ~ (2/pi) sqrt(2 eps), the slope diverges.
    eps = np.array([1e-4, 1e-6, 1e-8])
    np.testing.assert_allclose((1 - kernel("sign", 1 - eps)) / np.sqrt(eps), 2 * math.sqrt(2) / math.pi, rtol=1e-4)


@pytest.mark.parametrize("weights", ["binary", "spherical"])
def test_linear_kernel_reproduces_the_perceptron(weights):
    for alpha, kappa in ((0.3, 0.0), (0.7, 0.0), (0.5, 0.4)):
        ours = replica.solve(LargeKCommittee(alpha, activation="linear", weights=weights, kappa=kappa))
        ref = replica.solve(Gardner(alpha, weights=weights, kappa=kappa))
        assert ours.success and ref.success
        assert ours.free_entropy == pytest.approx(ref.free_entropy, abs=1e-10)
        assert ours.order["q"] == pytest.approx(ref.order["q"], abs=1e-10)


@pytest.mark.parametrize("activation, weights, alpha", [("relu", "spherical", 1.2), ("sign", "binary", 0.6)])
def test_numpy_matches_mpmath(activation, weights, alpha):
    """The compiled free entropy and gradient, numpy vs the mpmath backend (30 digits)."""
    spec = LargeKCommittee(alpha, activation=activation, weights=weights)
    sp_ = replica.solve(spec)
    assert sp_.success and sp_.quad_error < 1e-10
    ct = compiled_theory(spec.free_entropy())
    x = np.array(list(sp_.order.values())) * 0.97  # off the saddle: nonzero gradient
    phi, g = ct.value_and_gradient(x, spec.parameter_values(), OPTS)
    ref = ct.mpmath_evaluate(x, spec.parameter_values())
    assert phi == pytest.approx(float(ref["free_entropy"]), abs=1e-10)
    np.testing.assert_allclose(g, [float(v) for v in ref["gradient"]], rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("weights", ["binary", "spherical"])
def test_fixed_point_map_agrees_with_newton(weights):
    spec = LargeKCommittee(0.8, activation="relu", weights=weights)
    newton = replica.solve(spec, method="newton")
    fp = replica.solve(spec, method="fixed-point", maxiter=200)
    assert newton.success and fp.success
    np.testing.assert_allclose(list(fp.order.values()), list(newton.order.values()), rtol=1e-9)
    assert newton["Q"] == pytest.approx(float(kernel("relu", newton.order["q"])), abs=1e-14)


@pytest.mark.parametrize("activation, kappa", [("relu", 0.0), ("relu", 0.5), ("linear", 0.0), ("linear", 1.0)])
def test_spherical_capacity_closed_form(activation, kappa):
    """alpha_c = Q'(1) / int_{-kappa}^inf Dt (t + kappa)^2; 2 Q'(1) = 2 pi/(pi - 1) for relu."""
    moment = (1 + kappa**2) * 0.5 * math.erfc(-kappa / math.sqrt(2)) + kappa * math.exp(-kappa**2 / 2) / math.sqrt(2 * math.pi)
    cap = capacity(activation, "spherical", kappa)
    assert cap.success and cap.criterion == "q -> 1" and cap.activation == activation
    assert cap.alpha_c == pytest.approx(kernel_slope(activation) / moment, abs=1e-8)
    if kappa == 0:
        assert cap.alpha_c == pytest.approx(2 * kernel_slope(activation), abs=1e-8)
    assert cap.to_dict()["activation"] == activation


def test_relu_branch_reaches_q_one_at_the_capacity():
    """The full theory, followed to alpha_c: 1 - q ~ (9 (pi-1)^2 / 8) (alpha_c - alpha)^2.

    The square (not the perceptron's linear law) comes from the eps^(3/2) term of
    1 - Q(1 - eps) = [pi eps - (2 sqrt 2 / 3) eps^(3/2) + ...]/(pi - 1).
    """
    ac = 2 * math.pi / (math.pi - 1)
    d = np.array([0.3, 0.1, 3e-2, 1e-2, 3e-3, 1e-3, 3e-4])
    curve = replica.continuation(LargeKCommittee(2.5), "alpha", ac - d)
    assert curve.success.all()
    ratio = (1 - curve.column("q")) / d**2
    assert np.all(np.diff(ratio) > 0)
    assert ratio[-1] == pytest.approx(9 * (math.pi - 1) ** 2 / 8, rel=0.03)


def test_sign_spherical_capacity_diverges():
    cap = capacity("sign", "spherical")
    assert cap.alpha_c == math.inf and cap.success and "diverges" in cap.message
    assert cap.saddle.free_entropy == pytest.approx(0.5, abs=1e-15)  # the 1/(1-q) coefficient
    for v in cap.to_dict().values():
        assert not (isinstance(v, float) and math.isnan(v))
    # The RS branch exists at any load, with 1 - q ~ 128 / (pi alpha)^2.
    prev = 0.0
    for alpha in (30.0, 100.0, 300.0):
        sp_ = replica.solve(LargeKCommittee(alpha, activation="sign"))
        assert sp_.success
        ratio = (1 - sp_.order["q"]) * (math.pi * alpha) ** 2 / 128
        assert prev < ratio < 1
        prev = ratio
    assert prev > 0.97


def test_binary_capacities():
    """Zero of the RS entropy.  Linear: Krauth-Mezard 0.8330786.  Relu and sign: values
    of this implementation (no published reference checked), below the annealed bound 1."""
    expected = {"linear": 0.8330786, "relu": 0.9039862813, "sign": 0.9469524269}
    for act, value in expected.items():
        cap = capacity(act, "binary")
        assert cap.success and cap.criterion == "entropy = 0"
        assert cap.alpha_c == pytest.approx(value, abs=1e-7)
        assert abs(cap.saddle.free_entropy) < 1e-12 and cap.error < 1e-9
    end = rs_endpoint("relu", "binary")
    assert end.alpha_c == pytest.approx(4 / (math.pi - 1), abs=1e-10)
    assert rs_endpoint("sign", "binary").alpha_c == math.inf


def test_q1_limit_coefficient():
    lim = replica.solve(LargeKCommitteeQ1Limit(alpha=1.0, activation="relu"))
    assert lim.free_entropy == pytest.approx(0.5 - (math.pi - 1) / math.pi / 4, abs=1e-14)


@pytest.mark.parametrize("kwargs, name", [
    (dict(alpha=-0.1), "alpha"), (dict(alpha=float("nan")), "alpha"), (dict(alpha="x"), "alpha"),
    (dict(alpha=0.5, activation="tanh"), "activation"), (dict(alpha=0.5, weights="ternary"), "weights"),
    (dict(alpha=0.5, kappa=-1.0), "kappa"),
])
def test_bad_input_names_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        LargeKCommittee(**kwargs)
    with pytest.raises(ValueError, match=name):
        LargeKCommitteeQ1Limit(**kwargs)


def test_bad_input_of_functions():
    with pytest.raises(ValueError, match="activation"):
        capacity("tanh")
    with pytest.raises(ValueError, match="weights"):
        capacity("relu", "ising")
    with pytest.raises(ValueError, match="activation"):
        kernel("softplus", 0.5)
