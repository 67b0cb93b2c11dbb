"""Robustness of typical solutions (training error after flipping a fraction of weights or
input bits): identities, an independent adaptive quadrature, bad input."""

import math

import numpy as np
import pytest
import scipy.integrate as si
from scipy import stats

import replica
from replica.models import committee
from replica.models.local_entropy import gardner_end_point, local_entropy_curve
from replica.models.robustness import dense_local_energy, typical_local_energy


@pytest.mark.parametrize("activation", ["linear", "relu", "sign"])
def test_identities(activation):
    """E(0) = 0, E(1/2) = 1/2, and at alpha = 0 (Q = 0) E = arccos(rho)/pi with
    rho = Q_K(1 - 2 delta) (two fields with correlation rho: P(h' < 0 | h > 0))."""
    assert typical_local_energy(0.5, 0.0, activation=activation).value == 0.0
    assert typical_local_energy(0.5, 0.5, activation=activation).value == pytest.approx(0.5, abs=1e-12)
    for delta in (0.02, 0.2):
        r = typical_local_energy(0.0, delta, activation=activation)
        rho = float(committee.kernel(activation, 1 - 2 * delta))
        assert r.success and r.value == pytest.approx(math.acos(rho) / math.pi, abs=1e-9)


@pytest.mark.parametrize("activation, alpha, delta", [("linear", 0.5, 0.1), ("relu", 0.7, 0.02)])
def test_against_adaptive_quadrature(activation, alpha, delta):
    """The definition integrated by scipy (dblquad over the reference's cavity field z and
    its own field t > u_z), with the Gardner overlap of the engine."""
    spec = (replica.Gardner(alpha=alpha) if activation == "linear"
            else committee.LargeKCommittee(alpha=alpha, activation=activation, weights="binary"))
    Q = float(committee.kernel(activation, replica.solve(spec).order["q"]))
    rho = float(committee.kernel(activation, 1 - 2 * delta))
    sq, cq, slope = math.sqrt(Q), math.sqrt(1 - Q), rho / math.sqrt(1 - rho * rho)

    def f(t, z):
        u = -sq * z / cq
        return stats.norm.pdf(z) * stats.norm.pdf(t) / stats.norm.sf(u) * stats.norm.sf(slope * (sq * z + cq * t))

    ref, err = si.dblquad(f, -12, 12, lambda z: -sq * z / cq, lambda z: 14, epsabs=1e-11)
    r = typical_local_energy(alpha, delta, activation=activation)
    assert r.success and r.error < 1e-8
    assert r.value == pytest.approx(ref, abs=1e-8)


def test_relu_typical_solutions_are_more_robust_than_sign_ones():
    """Computed property (large K, alpha = 0.5): flipping a fraction delta of the weights of
    a typical solution breaks fewer patterns for ReLU than for sign units, and the error
    grows with delta."""
    deltas = [0.005, 0.02, 0.1]
    relu = [typical_local_energy(0.5, d, activation="relu").value for d in deltas]
    sign = [typical_local_energy(0.5, d, activation="sign").value for d in deltas]
    assert all(a < b for a, b in zip(relu, sign))
    assert np.all(np.diff(relu) > 0) and np.all(np.diff(sign) > 0)


def test_dense_region_solutions_against_adaptive_quadrature():
    """Cloud member of the y = inf dense region (perceptron, alpha = 0.5, d = 0.05): the
    shift v* found by scipy's bounded scalar minimiser (not the package's Newton) and the
    double integral by scipy dblquad."""
    from scipy.optimize import minimize_scalar

    alpha, d, delta = 0.5, 0.05, 0.02
    sp = local_entropy_curve(alpha, [d]).points[0]
    q, dq = sp.order["q"], sp.order["dq"]
    D = dq / (1 - q)
    sq, cq = math.sqrt(q), math.sqrt(1 - q)
    rho = 1 - 2 * delta
    slope = rho / math.sqrt(1 - rho * rho)

    def vstar(x):
        res = minimize_scalar(lambda v: -(stats.norm.logsf(x - v) - v * v / (2 * D)), bounds=(-1.0, 60.0),
                              method="bounded", options={"xatol": 1e-12})
        return res.x

    def outer(z):
        x = -sq * z / cq
        v = vstar(x)
        u = x - v
        inner, _ = si.quad(lambda t: stats.norm.pdf(t) * stats.norm.sf(slope * (sq * z + cq * (v + t))), u, u + 40,
                           epsabs=1e-13, limit=200)
        return stats.norm.pdf(z) * inner / stats.norm.sf(u)

    ref, _ = si.quad(outer, -10, 10, epsabs=1e-11, limit=200)
    r = dense_local_energy(alpha, d, delta)
    assert r.success and r.error < 1e-8
    assert r.value == pytest.approx(ref, abs=1e-7)


@pytest.mark.parametrize("activation", ["linear", "relu", "sign"])
def test_dense_region_solutions_are_more_robust(activation):
    """Beyond the end point d* the cloud is all typical solutions (same number); below it
    the cloud's solutions break fewer patterns than typical ones, the fewer the denser."""
    d_star, _ = gardner_end_point(0.5, activation=activation)
    typ = typical_local_energy(0.5, 0.01, activation=activation).value
    assert dense_local_energy(0.5, min(d_star + 0.01, 0.5), 0.01, activation=activation).value == pytest.approx(
        typ, abs=1e-12)
    dense = [dense_local_energy(0.5, d, 0.01, activation=activation).value for d in (0.02, 0.05, 0.1)]
    assert dense[0] < dense[1] < dense[2] < typ


def test_relu_dense_regions_are_more_robust_than_sign_ones():
    """PRL 123, 170602 (2019), abstract: the dense ReLU solutions are robust to weight
    perturbations; at alpha = 0.5 and radius d = 0.02 they break fewer patterns than the
    sign ones under the same perturbation."""
    relu = dense_local_energy(0.5, 0.02, 0.01, activation="relu").value
    sign = dense_local_energy(0.5, 0.02, 0.01, activation="sign").value
    assert relu < sign


@pytest.mark.parametrize("activation", ["linear", "relu", "sign"])
def test_gaussian_input_noise(activation):
    """Gaussian input noise of standard deviation sigma: at alpha = 0 the error is
    P(h' < 0 | h > 0) for output fields of correlation Q_K(1/sqrt(1 + sigma^2)), i.e.
    arctan(sigma)/pi for the perceptron; a Monte Carlo of the hidden fields (lambda,
    lambda + sigma z) of random +-1 weights and inputs, N = 401, gives the same; at
    alpha = 0.5 the error grows with sigma, and is the flip error at the equivalent
    fraction."""
    rng = np.random.default_rng(7)
    for sigma in (0.1, 0.5):
        r = typical_local_energy(0.0, noise=sigma, activation=activation)
        rho = float(committee.kernel(activation, 1 / math.sqrt(1 + sigma**2)))
        assert r.success and r.noise == sigma
        assert r.value == pytest.approx(math.acos(rho) / math.pi, abs=1e-9)
        if activation == "linear":
            assert r.value == pytest.approx(math.atan(sigma) / math.pi, abs=1e-9)
            w = rng.choice([-1.0, 1.0], size=401)
            x = rng.choice([-1.0, 1.0], size=(20000, 401))
            lam = x @ w / math.sqrt(401)
            lam_noisy = (x + sigma * rng.standard_normal(x.shape)) @ w / math.sqrt(401)
            flipped = np.mean(np.sign(lam_noisy) != np.sign(lam))
            assert abs(flipped - r.value) < 4 * math.sqrt(r.value / 20000)
    values = [typical_local_energy(0.5, noise=s, activation=activation).value for s in (0.05, 0.2, 0.5)]
    assert np.all(np.diff(values) > 0)
    r = typical_local_energy(0.5, noise=0.2, activation=activation)
    same = typical_local_energy(0.5, r.delta, activation=activation)
    assert r.value == pytest.approx(same.value, abs=1e-12)


@pytest.mark.parametrize("kwargs, name", [
    (dict(alpha=0.5, delta=0.6), "delta"),
    (dict(alpha=-1.0, delta=0.1), "alpha"),
    (dict(alpha=0.5, delta=0.1, activation="tanh"), "activation"),
    (dict(alpha=0.5, noise=-0.1), "noise"),
    (dict(alpha=0.5, delta=0.1, noise=0.1), "exactly one"),
    (dict(alpha=0.5), "exactly one"),
])
def test_bad_input_names_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        typical_local_energy(**kwargs)
