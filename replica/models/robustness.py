"""Robustness of solutions: training error after a random perturbation.

A typical solution ``W~`` (drawn uniformly among the solutions: the RS Gardner measure) is
perturbed by flipping a random fraction ``delta`` of its binary weights, or equivalently
(for ``+-1`` weights and inputs) a random fraction ``delta`` of the input bits of each
pattern.  Either way each hidden field ``lambda`` becomes ``lambda'`` with correlation
``p = 1 - 2 delta`` (Gaussian at large N).  For the perceptron the output field is
``lambda`` itself; for the large-K tree committee the output fields ``(h, h')`` are
jointly Gaussian with correlation ``rho = Q_K(p)`` (:func:`~replica.models.committee.kernel`).
Gaussian input noise ``xi_i -> xi_i + eta_i`` (``eta_i`` i.i.d. normal of standard
deviation ``sigma``, relative to the ``+-1`` inputs) shifts each hidden field of ``+-1``
weights by an independent ``N(0, sigma^2)``: ``lambda' = lambda + sigma z``, correlation
``p = 1/sqrt(1 + sigma^2)``.  The overall scale of ``lambda'`` changes no output (sign is
scale-free and ReLU positively homogeneous, with the same factor in every unit), so the
noise is the flip perturbation at the equivalent ``delta = (1 - p)/2``; at ``alpha -> 0``
the error is ``arctan(sigma)/pi``.

The fraction of training patterns the perturbed network gets wrong (the "local energy")::

    E(delta) = E_z [ E_{t > u_z} H( rho h / sqrt(1 - rho^2) ) ],   h = sqrt(Q) z + sqrt(1 - Q) t,

with ``u_z = (kappa - sqrt(Q) z)/sqrt(1 - Q)`` and ``E_{t > u}`` the Gaussian average
conditioned on ``t > u`` (the reference satisfies the pattern with margin ``kappa``);
``Q`` is the output overlap of two typical solutions (``Q_K(q)`` of the Gardner ``q``).
This is the RS distribution of the stabilities of a typical solution (Gardner 1988)
convolved with the perturbation.  Identities: ``E(0) = 0``; ``E(1/2) = 1/2``; at
``alpha -> 0`` (``Q = 0``, ``kappa = 0``) ``E = arccos(rho)/pi``.

Dense regions.  In the ``y = inf`` local-entropy theory (free reference, distance ``d``;
:class:`~replica.models.local_entropy.LocalEntropy`) the solutions of the cloud around the
optimal reference share, per pattern, a shift ``sqrt(1 - Q) v*`` of their fields, with
``v* = argmax_v [ln H(x_z - v) - v^2/(2D)]`` (``x_z = u_z``, ``D = dQ/(1 - Q)``, the
Laplace point of the ``y -> inf`` limit; ``Q = Q_K(q)``, ``dQ = Q_K'(q) dq``).  A cloud
solution's field is ``h = sqrt(Q) z + sqrt(1 - Q)(v* + t)`` with ``t > u_z - v*``, and
its local energy is the same average with that stability distribution
(:func:`dense_local_energy`); for ``d >= d*`` (``dq = 0``) it is the typical one.

The inner conditional average is computed by inversion, ``t = H^{-1}(H(u) w)`` with
``w`` uniform, on a Gauss–Legendre rule in ``w^(1/6)`` (no node is wasted below ``u``,
however far in the tail ``u`` is; panels graded towards the threshold); the outer one by the package's composite Gauss–Hermite rule.  The error
estimate is the change when both rules are refined.

References
----------
E. Gardner, J. Phys. A 21, 257 (1988) (distribution of stabilities); C. Baldassi,
E. M. Malatesta and R. Zecchina, PRL 123, 170602 (2019), arXiv:1907.07578 (robustness of
ReLU vs threshold committees to weight and input perturbations: its definitions could
not be read here; this is the package's version for typical solutions; derivation: docs/derivations/robustness.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special as _sc

from .. import _validate
from .. import special as _special
from ..quadrature import QuadratureOptions, gaussian_expectation
from ..solve import solve
from . import committee

__all__ = ["LocalEnergy", "typical_local_energy", "dense_local_energy"]


@dataclass(frozen=True)
class LocalEnergy:
    """Training error ``E(delta)`` of a typical solution after a perturbation.

    ``value`` is the error fraction, ``error`` its quadrature error estimate, ``rho`` the
    output-field correlation, ``Q`` the output overlap of typical solutions; ``success``
    and ``message`` report the Gardner saddle point and the quadrature.  ``delta`` is the
    flip fraction; for Gaussian input noise (``noise`` its standard deviation) the
    equivalent flip fraction ``(1 - 1/sqrt(1 + noise^2))/2``.
    """

    value: float
    error: float
    delta: float
    rho: float
    Q: float
    success: bool
    message: str
    noise: float | None = None


def _conditional_nodes(n: int, power: int = 6):
    """Nodes and weights in ``w`` on (0, 1) for ``E_{t > u}``: Gauss–Legendre in ``v`` with
    ``w = v^power``, on panels graded geometrically towards ``v = 1``.

    Near ``w -> 0`` (``t -> inf``) the integrand behaves like ``w^(rho^2/(1-rho^2))``, a
    non-integer power that plain Gauss–Legendre in ``w`` resolves only to ~1e-7: the
    power substitution smooths it.  Near ``w -> 1`` (``t -> u``, a field just above the
    threshold) the perturbed error probability changes over ``1 - w ~ 1/(slope u)``, very
    close to 1 when a dense cloud pushes ``u`` far into the tail: the graded panels
    (``1 - v`` halving down to ``2^-20``) resolve it.  ``n`` nodes per panel.
    """
    x, wx = np.polynomial.legendre.leggauss(n)
    edges = np.concatenate([[0.0], 1.0 - 0.5 ** np.arange(1, 21), [1.0]])
    a, b = edges[:-1, None], edges[1:, None]
    v = (a + 0.5 * (b - a) * (x + 1.0)).ravel()
    wv = (0.5 * (b - a) * wx).ravel()
    return v**power, wv * power * v ** (power - 1)


def _energy(Q: float, rho: float, kappa: float, n_inner: int, options: QuadratureOptions,
            D: float = 0.0) -> tuple[float, float]:
    """The local energy for output overlap ``Q``, perturbation correlation ``rho`` and the
    cloud's ``D = dQ/(1 - Q)`` (``0``: typical solutions)."""
    if rho >= 1.0:
        return 0.0, 0.0
    s_q, c_q = math.sqrt(Q), math.sqrt(1.0 - Q)
    slope = rho / math.sqrt(1.0 - rho * rho)
    w_nodes, w_weights = _conditional_nodes(n_inner)
    log_w = np.log(w_nodes)

    def inner(z):
        z = np.asarray(z, dtype=float)
        x = (kappa - s_q * z) / c_q
        shift = _special.logh_argmax(x, D) if D > 0 else np.zeros_like(x)
        u = x - shift
        # t = H^{-1}(H(u) w): log H(u) + log w, inverted without underflow.
        log_tail = _sc.log_ndtr(-u)[..., None] + log_w
        t = -_sc.ndtri_exp(log_tail)
        h = s_q * z[..., None] + c_q * (shift[..., None] + t)
        return (_sc.ndtr(-slope * h) * w_weights).sum(axis=-1)

    # The integrand changes over a width sqrt((1-Q)/Q) in z around kappa/sqrt(Q) (and, for a
    # cloud, where the shift v* turns on): features of the composite rule unless wider than
    # the Gaussian itself (small Q).
    features = []
    if s_q > 0.05 * c_q:
        width = c_q / s_q
        features = [(kappa / s_q, width)]
        if D > 0:
            features += [(kappa / s_q, math.sqrt((1.0 - Q) * (1.0 + D) / Q)),
                         (kappa / s_q + width * math.sqrt(2 * math.log1p(D)), width)]
    r = gaussian_expectation(inner, features=features, options=options)
    return float(r.value), float(r.error)


def _perturbation(delta, noise) -> tuple[float, float | None]:
    """The flip fraction (given, or equivalent to the Gaussian input noise) and the noise."""
    if (delta is None) == (noise is None):
        raise ValueError("give exactly one of delta (fraction of flipped weights or input bits, in [0, 1/2]) "
                         "and noise (standard deviation of Gaussian input noise, >= 0)")
    if noise is None:
        return _validate.real("delta", delta, lower=0.0, upper=0.5), None
    noise = _validate.real("noise", noise, lower=0.0)
    return 0.5 * (1.0 - 1.0 / math.sqrt(1.0 + noise * noise)), noise


def _result(value, err_outer, fine, delta, rho, Q, saddle_ok, saddle_message, noise=None) -> LocalEnergy:
    error = max(abs(fine - value), err_outer)
    ok = saddle_ok and math.isfinite(value) and error < 1e-6
    message = "ok" if ok else f"saddle point: {saddle_message}; quadrature error {error:.1e}"
    if not math.isfinite(value):
        value, ok = 0.5, False  # never a NaN out of the library
    return LocalEnergy(value=min(max(value, 0.0), 1.0), error=error, delta=float(delta), rho=rho, Q=Q,
                       success=ok, message=message, noise=noise)


def typical_local_energy(alpha: float, delta: float | None = None, *, noise: float | None = None,
                         activation: str = "linear", kappa: float = 0.0, n_inner: int = 12) -> LocalEnergy:
    """``E(delta)``: fraction of training patterns violated after flipping a fraction
    ``delta`` of the weights (or of the input bits) of a typical binary solution, or after
    adding Gaussian noise of standard deviation ``noise`` to its inputs.

    Parameters
    ----------
    alpha : float
        Load, in ``[0, alpha_c)`` of the model.
    delta : float, optional
        Fraction of flipped weights (or input bits), in ``[0, 1/2]``.
    noise : float, optional
        Standard deviation of Gaussian noise added to each ``+-1`` input, ``>= 0``
        (instead of ``delta``: the module docstring gives the equivalence).
    activation : {"linear", "relu", "sign"}
        ``"linear"``: the binary perceptron; ``"relu"``/``"sign"``: the large-K tree
        committee with binary weights.
    kappa : float
        Margin of the reference (``>= 0``); the perturbed network is scored at margin 0.
    n_inner : int
        Gauss–Legendre nodes per panel of the conditional average (21 graded panels;
        doubled for the error estimate).

    References
    ----------
    Gardner, J. Phys. A 21, 257 (1988) (stabilities of a typical solution); module
    docstring for the formula.
    """
    _validate.choice("activation", activation, committee.ACTIVATIONS)
    _validate.real("alpha", alpha, lower=0.0)
    delta, noise = _perturbation(delta, noise)
    _validate.real("kappa", kappa, lower=0.0)
    n_inner = _validate.integer("n_inner", n_inner, lower=4)
    sp = solve(committee.storage_spec(alpha, activation, "binary", kappa))
    q = sp.order["q"]
    Q = float(committee.kernel(activation, q))
    rho = float(committee.kernel(activation, 1.0 - 2.0 * delta))
    opts = QuadratureOptions()
    value, err_outer = _energy(Q, rho, kappa, n_inner, opts)
    fine, _ = _energy(Q, rho, kappa, 2 * n_inner, opts.refined())
    return _result(value, err_outer, fine, delta, rho, Q, sp.success, sp.message, noise)


def dense_local_energy(alpha: float, d: float, delta: float | None = None, *, noise: float | None = None,
                       activation: str = "linear", kappa: float = 0.0, n_inner: int = 12) -> LocalEnergy:
    """``E(delta)`` of a solution in a dense region: a member of the ``y = inf`` cloud at
    distance ``d`` from the optimal (free) reference.

    Parameters as in :func:`typical_local_energy` (``delta`` or ``noise``), plus ``d`` in ``(0, 1/2]``, the radius
    of the dense region (:class:`~replica.models.local_entropy.LocalEntropy`).  For
    ``d >= d*`` the cloud is the whole set of typical solutions and the result is
    :func:`typical_local_energy`'s.

    References
    ----------
    Baldassi et al., PRL 115, 128101 (2015), arXiv:1509.05753 and arXiv:1511.05634 (the
    y -> inf cloud); module docstring for the formula.
    """
    from .local_entropy import LocalEntropy, local_entropy_curve

    _validate.choice("activation", activation, committee.ACTIVATIONS)
    delta, noise = _perturbation(delta, noise)
    n_inner = _validate.integer("n_inner", n_inner, lower=4)
    spec = LocalEntropy(alpha=alpha, d=d, kappa=kappa, activation=activation)
    sp = local_entropy_curve(alpha, [d], kappa=kappa, activation=activation).points[0]
    rho = float(committee.kernel(activation, 1.0 - 2.0 * delta))
    if not sp.success:
        return LocalEnergy(value=0.5, error=math.inf, delta=float(delta), rho=rho, Q=0.0,
                           success=False, message=f"no local-entropy saddle point at d = {d}: {sp.message}",
                           noise=noise)
    q = sp.order["q"]
    dq = 0.0 if spec.on_plateau else sp.order["dq"]
    Q = float(committee.kernel(activation, q))
    slope = float(committee.kernel_derivative(activation, q))
    D = slope * dq / (1.0 - Q)
    opts = QuadratureOptions()
    value, err_outer = _energy(Q, rho, kappa, n_inner, opts, D)
    fine, _ = _energy(Q, rho, kappa, 2 * n_inner, opts.refined(), D)
    return _result(value, err_outer, fine, delta, rho, Q, sp.success, sp.message, noise)
