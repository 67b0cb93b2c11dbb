"""Tree committee machines at large K: storage of random patterns, RS.

Architecture
------------
``N`` weights split into ``K`` hidden units with disjoint receptive fields of ``N/K``
inputs each.  Unit ``l`` sees ``lambda_l = sum_{i in l} W_i xi_i / sqrt(N/K)``; the output
is ``sign(h)`` with ``h = sum_l c_l g(lambda_l) / sqrt(K (k(1) - m^2))`` and fixed output
weights ``c_l``.  Weights: binary (``W_i = +-1``) or spherical (each unit's weight vector
on its own sphere, ``sum_{i in l} W_i^2 = N/K``).  Activation ``g``: ``"sign"``,
``"relu"`` or ``"linear"`` (``g(x) = x``: the committee is then a perceptron; kept as
the reference case, ``Q(q) = q`` reproduces :class:`~replica.models.perceptron.Gardner`
exactly).  ``P = alpha N`` random patterns with random labels; **alpha counts all N
weights** (``P/N``, not ``P`` per hidden unit).  Margin ``kappa >= 0`` on the normalised
output field ``h``.

Output weights.  For ``sign`` the choice is immaterial (``g`` is odd: flipping ``c_l``
is flipping ``W`` of unit ``l``); we take ``c_l = 1``.  For ``relu`` we take
``c_l = +1`` for half of the units and ``-1`` for the other half: ``E g(lambda) = m =
1/sqrt(2 pi) > 0`` whatever the weights, so with all ``c_l = +1`` the output field would
carry a mean ``sqrt(K) m / sqrt(k(1) - m^2)`` that diverges with ``K`` (the machine
would answer +1 to every pattern, no bias can be learnt in a tree committee).  With
balanced signs the means cancel exactly and ``h`` stays centred.

Kernel (Gaussian-process limit, K -> inf)
-----------------------------------------
Replica symmetric, all units equivalent: the per-unit overlap of two replicas is ``q``.
Given the two replicas' fields ``(lambda^a, lambda^b)`` (standard normal, correlation
``q``), the output fields are sums of ``K`` independent terms; by the central limit
theorem they are jointly Gaussian, unit variance, correlation ::

    Q(q) = (k(q) - m^2) / (k(1) - m^2),   k(q) = E[g(a) g(b)],   m = E g(a)

(``sum_l c_l^2 = K`` and ``sum_l c_l = 0``, so only the connected part survives).

* sign: ``k(q) = (2/pi) arcsin q``, ``m = 0``: ``Q = (2/pi) arcsin q``,
  ``1 - Q = (2/pi) arccos q``, ``Q'(q) = (2/pi)/sqrt(1 - q^2)``: **infinite at q = 1**.
* relu (the arc-cosine kernel of order 1, Cho & Saul 2009):
  ``k(q) = [sqrt(1 - q^2) + q (pi - arccos q)] / (2 pi)``, ``m = 1/sqrt(2 pi)``,
  ``k(1) = 1/2``.  Since ``pi - arccos q = pi/2 + arcsin q``::

      Q(q) = [sqrt(1 - q^2) + q (pi/2 + arcsin q) - 1] / (pi - 1)
      (pi - 1)(1 - Q) = pi (1 - q) + q arccos q - sqrt(1 - q^2)   (the form used: no
                                                                    cancellation at q -> 1)
      Q'(q) = (pi/2 + arcsin q) / (pi - 1),   Q'(1) = pi / (pi - 1) = 1.4669...

  (``d/dq [sqrt(1-q^2) + q arcsin q] = arcsin q``.)  ``Q(0) = 0``, ``Q(1) = 1``,
  ``Q'' > 0``: convex, ``Q(q) <= q``.
* linear: ``Q(q) = q``.

Free entropies (per weight, derived here)
-----------------------------------------
The entropic part is the perceptron's (each unit's weights carry overlap ``q``; ``K``
units of ``N/K`` weights give ``N`` times the per-weight term); the energetic part is
Gardner's with the output overlap ``Q(q)`` in place of ``q``:

* spherical::

    s = extr_q [ ln(1 - q)/2 + q / (2 (1 - q)) + alpha E_z ln H((kappa - sqrt(Q) z)/sqrt(1 - Q)) ]

* binary::

    s = extr_{q, qhat} [ -qhat (1 - q)/2 + E_z ln 2cosh(sqrt(qhat) z)
                         + alpha E_z ln H((kappa - sqrt(Q) z)/sqrt(1 - Q)) ]

with ``Q = Q(q)``.  Stationarity: ``q = E tanh^2(sqrt(qhat) z)`` and
``qhat = alpha Q'(q) E[(G/H)^2] / (1 - Q)`` (binary); for spherical weights
``q/(1-q) = R``, ``R = alpha Q'(q) E[(G/H)^2] (1 - q)/(1 - Q)`` (the fixed-point maps).

Capacities
----------
``q -> 1`` scaling, ``eps = 1 - q``: if ``Q'(1)`` is finite, ``1 - Q ~ Q'(1) eps`` and
``alpha E ln H(...) ~ -alpha E[(kappa - z)_+^2] / (2 Q'(1) eps)``; the entropic terms give
``1/(2 eps)`` (spherical) or ``[-Qhat/2 + sqrt(Qhat) E|z|]/eps`` with ``qhat = Qhat/eps^2``
(binary).  The coefficient of ``1/eps`` (:class:`LargeKCommitteeQ1Limit`) vanishes at

* spherical: ``alpha_c = Q'(1) / int_{-kappa}^inf Dt (t + kappa)^2``, i.e.
  ``alpha_c = 2 Q'(1)`` at ``kappa = 0`` (perceptron: 2; relu: ``2 pi/(pi - 1) =
  2.9339``) -- the RS capacity;
* binary: ``alpha = 4 Q'(1)/pi`` at ``kappa = 0``, the end of the RS branch (relu:
  ``4/(pi - 1) = 1.868``), not the capacity, which is the zero of the RS entropy
  (Krauth-Mézard criterion), below 1 by the annealed bound.

Sign activation: ``1 - Q ~ (2/pi) sqrt(2 eps)``, the energetic term diverges only like
``eps^{-1/2}``, the ``1/eps`` coefficient stays positive at every load and the RS branch
never reaches ``q = 1``: the large-K RS spherical capacity is infinite (at finite K it
grows with K).  :func:`capacity` returns ``alpha_c = inf`` for it, with that message.

Elsewhere: the replicon and the 1RSB capacity (:mod:`replica.models.committee_1rsb`),
finite K (:mod:`replica.models.committee_finite`), the Franz–Parisi entropy and the local
entropy of committees (``activation=`` in :mod:`replica.models.franz_parisi` and
:mod:`replica.models.local_entropy`, through :func:`kernel_pair`).

References
----------
C. Baldassi, E. M. Malatesta and R. Zecchina, Phys. Rev. Lett. 123, 170602 (2019),
arXiv:1907.07578 (ReLU committee machines, the kernel reduction at large K; the body of
the paper was not available to us: the kernel, the free entropies above, their ``q -> 1``
limit and the closed form ``alpha_c = 2 Q'(1)`` are derived here independently);
E. Gardner, J. Phys. A 21, 257 (1988) (the spherical template); E. Gardner and
B. Derrida, J. Phys. A 21, 271 (1988) and W. Krauth and M. Mézard, J. Phys. France 50,
3057 (1989) (the binary template and the zero-entropy criterion); Y. Cho and L. K. Saul,
NIPS 22 (2009) (arc-cosine kernels).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import sympy as sp

from .. import _validate
from ..quadrature import QuadratureOptions
from ..solve import SaddlePoint, solve
from ..sweep import find_parameter
from ..symbolic import POSITIVE, UNIT, FreeEntropy, GaussE, GoverH, LogH
from . import perceptron
from .perceptron import WEIGHTS, Capacity

__all__ = [
    "ACTIVATIONS",
    "WEIGHTS",
    "kernel",
    "kernel_slope",
    "kernel_derivative",
    "kernel_expr",
    "kernel_pair",
    "committee_free_entropy",
    "committee_q1_limit_free_entropy",
    "LargeKCommittee",
    "LargeKCommitteeQ1Limit",
    "CommitteeCapacity",
    "rs_endpoint",
    "capacity",
]

ACTIVATIONS = ("relu", "sign", "linear")

_z = sp.Symbol("z", real=True)
_q = sp.Symbol("q", positive=True)
_qhat = sp.Symbol("qhat", nonnegative=True)
_Qhat = sp.Symbol("Qhat", positive=True)
_alpha = sp.Symbol("alpha", nonnegative=True)
_kappa = sp.Symbol("kappa", nonnegative=True)


# --------------------------------------------------------------------------- kernel


def kernel(activation: str, q, *, normalized: bool = True):
    """Output-field overlap ``Q(q)`` of the large-K committee (numpy, vectorised).

    Parameters
    ----------
    activation : {"relu", "sign", "linear"}
    q : array_like
        Overlap of the hidden units' fields, in ``[-1, 1]``.
    normalized : bool
        True: ``Q(q) = (k(q) - m^2)/(k(1) - m^2)``.  False: the raw kernel
        ``k(q) = E[g(a) g(b)]`` (``a, b`` standard normal with correlation ``q``).

    Examples
    --------
    >>> round(float(kernel("relu", 0.5)), 12)
    0.426422342013
    """
    _validate.choice("activation", activation, ACTIVATIONS)
    q = np.asarray(q, dtype=float)
    if not np.all((q >= -1) & (q <= 1)):
        raise ValueError(f"q must be in [-1, 1], got {q!r}")
    if activation == "linear":
        return q + 0.0
    if activation == "sign":
        return 2 / np.pi * np.arcsin(q)
    root = np.sqrt(np.maximum(1 - q * q, 0.0))
    if not normalized:
        return (root + q * (np.pi - np.arccos(q))) / (2 * np.pi)
    return (root + q * (np.pi / 2 + np.arcsin(q)) - 1) / (np.pi - 1)


def kernel_slope(activation: str) -> float:
    """``Q'(1)``: ``pi/(pi - 1)`` (relu), ``inf`` (sign), ``1`` (linear)."""
    _validate.choice("activation", activation, ACTIVATIONS)
    return {"relu": math.pi / (math.pi - 1), "sign": math.inf, "linear": 1.0}[activation]


def kernel_derivative(activation: str, q):
    """``Q'(q)`` (numpy, vectorised, ``q`` in ``(-1, 1)``): ``(pi/2 + arcsin q)/(pi - 1)``
    (relu), ``(2/pi)/sqrt(1 - q^2)`` (sign), ``1`` (linear)."""
    _validate.choice("activation", activation, ACTIVATIONS)
    q = np.asarray(q, dtype=float)
    if activation == "linear":
        return np.ones_like(q)
    if activation == "sign":
        return 2 / np.pi / np.sqrt(1 - q * q)
    return (np.pi / 2 + np.arcsin(q)) / (np.pi - 1)


def kernel_pair(activation: str, q=_q):
    """Sympy ``(Q(q), 1 - Q(q))``, the second in a form without cancellation at q -> 1.

    Every energetic term of the large-K committee is the perceptron's with each overlap
    ``q_ab`` of the hidden fields replaced by ``Q(q_ab)`` (the output fields of several
    replicas are jointly Gaussian with that covariance): the Franz–Parisi and
    local-entropy theories use this pair for it.
    """
    _validate.choice("activation", activation, ACTIVATIONS)
    if activation == "linear":
        return q, 1 - q
    if activation == "sign":
        return 2 * sp.asin(q) / sp.pi, 2 * sp.acos(q) / sp.pi
    root = sp.sqrt(1 - q**2)
    Q = (root + q * (sp.pi / 2 + sp.asin(q)) - 1) / (sp.pi - 1)
    one_minus = (sp.pi * (1 - q) + q * sp.acos(q) - root) / (sp.pi - 1)
    return Q, one_minus


def kernel_expr(activation: str, q=None) -> sp.Expr:
    """Sympy expression of ``Q(q)`` (the one used in the free entropies)."""
    _validate.choice("activation", activation, ACTIVATIONS)
    return kernel_pair(activation, _q if q is None else q)[0]


# ------------------------------------------------------------------ free entropies


def _check(alpha, activation, weights, kappa):
    perceptron._check_common(alpha, weights, kappa)
    _validate.choice("activation", activation, ACTIVATIONS)


@functools.lru_cache(maxsize=None)
def committee_free_entropy(activation: str, weights: str) -> FreeEntropy:
    """RS free entropy of the large-K tree committee (see the module docstring).

    Order parameters ``q`` (and ``qhat`` for binary weights); parameters
    ``(alpha, kappa)``.  Observables: ``entropy``, ``distance = (1 - q)/2``, ``Q`` (the
    output overlap ``Q(q)``), and for spherical weights ``qhat`` (the conjugate of ``q``).
    """
    _validate.choice("activation", activation, ACTIVATIONS)
    _validate.choice("weights", weights, WEIGHTS)
    Q, one_minus_Q = kernel_pair(activation)
    dQ = sp.diff(Q, _q)
    u = (_kappa - sp.sqrt(Q) * _z) / sp.sqrt(one_minus_Q)
    feature = (_kappa / sp.sqrt(Q), sp.sqrt(one_minus_Q / Q))
    energetic = _alpha * GaussE(LogH(u), _z, [feature], integrate_by_parts=True)
    gh2 = GaussE(GoverH(u) ** 2, _z, [feature])
    name = f"committee-{activation}-{weights}"
    expr = perceptron.entropic_term(weights) + energetic
    if weights == "binary":
        fixed_point = {
            _q: GaussE(sp.tanh(sp.sqrt(_qhat) * _z) ** 2, _z, perceptron.ENTROPIC_FEATURE),
            _qhat: _alpha * dQ / one_minus_Q * gh2,
        }
        return FreeEntropy(
            name=name, expr=expr, order=(_q, _qhat), params=(_alpha, _kappa),
            observables={"entropy": expr, "distance": (1 - _q) / 2, "Q": Q},
            fixed_point=fixed_point, domains={_q: UNIT, _qhat: POSITIVE},
        )
    ratio = _alpha * dQ * gh2 * (1 - _q) / one_minus_Q
    return FreeEntropy(
        name=name, expr=expr, order=(_q,), params=(_alpha, _kappa),
        observables={"entropy": expr, "distance": (1 - _q) / 2, "Q": Q,
                     "qhat": _alpha * dQ * gh2 / one_minus_Q},
        fixed_point={_q: ratio / (1 + ratio)}, domains={_q: UNIT},
    )


def _branch_end(activation: str, weights: str, kappa: float) -> float:
    """Closed-form load where the RS branch reaches ``q = 1`` (``inf`` for sign).

    ``Q'(1) / int_{-kappa}^inf Dt (t + kappa)^2`` (spherical), times ``2/pi`` (binary).
    """
    return perceptron._branch_end(weights, kappa) * kernel_slope(activation)


def storage_spec(alpha: float, activation: str = "linear", weights: str = "binary", kappa: float = 0.0):
    """The RS Gardner volume of the model that ``activation`` names: the perceptron's
    :class:`~replica.models.perceptron.Gardner` for ``"linear"`` (its own free entropy, the
    same numbers), else :class:`LargeKCommittee`."""
    if activation == "linear":
        return perceptron.Gardner(alpha=alpha, weights=weights, kappa=kappa)
    return LargeKCommittee(alpha=alpha, activation=activation, weights=weights, kappa=kappa)


@functools.lru_cache(maxsize=256)
def typical_saddle(alpha: float, kappa: float = 0.0, activation: str = "linear") -> SaddlePoint:
    """Saddle point of typical binary solutions (cached; ``strict``): the reference of the
    Franz–Parisi theory and the end point of the local-entropy branch."""
    return solve(storage_spec(alpha, activation, "binary", kappa), strict=True)


def rs_q_guess(alpha: float, end: float) -> float:
    """Overlap along the large-K RS branch ending at load ``end`` (initial guesses only).

    Finite ``end``: the perceptron's interpolation (:func:`~replica.models.perceptron.branch_q`).
    ``end = inf`` (sign): q grows like the perceptron's at small load (``Q ~ (2/pi) q``) and
    ``1 - q ~ 128/(pi alpha)^2`` at large load (balance of ``1/(2 eps)`` against the
    ``eps^{-1/2}`` energetic term).
    """
    if math.isfinite(end):
        return perceptron.branch_q(alpha, end)
    return min(alpha / (2 + alpha), 1 - 128 / (math.pi * (4 + alpha)) ** 2)


@dataclass(frozen=True)
class _CommitteeParameters:
    """The parameters (checked) shared by the committee theories."""

    alpha: float
    activation: str = "relu"
    weights: str = "spherical"
    kappa: float = 0.0

    def __post_init__(self):
        _check(self.alpha, self.activation, self.weights, self.kappa)

    def parameter_values(self):
        return (float(self.alpha), float(self.kappa))


@dataclass(frozen=True)
class LargeKCommittee(_CommitteeParameters):
    """Typical (RS) Gardner volume of the large-K tree committee machine.

    Parameters
    ----------
    alpha : float
        Load ``P/N`` with ``N`` the total number of weights, ``>= 0``.
    activation : {"relu", "sign", "linear"}
        Hidden activation (relu with output weights ``+-1`` on half of the units each;
        ``"linear"`` is the perceptron).
    weights : {"spherical", "binary"}
    kappa : float
        Margin on the normalised output field, ``>= 0``.

    Order parameters: ``q`` (per-unit overlap of two solutions) and, for binary
    weights, ``qhat``.  Observables: ``entropy``, ``distance``, ``Q`` (output overlap).

    Examples
    --------
    >>> from replica import solve
    >>> sp = solve(LargeKCommittee(alpha=1.0))
    >>> sp.success
    True
    """

    def free_entropy(self) -> FreeEntropy:
        return committee_free_entropy(self.activation, self.weights)

    def initial_guess(self) -> dict:
        q0 = rs_q_guess(self.alpha, _branch_end(self.activation, self.weights, self.kappa))
        return perceptron.guess_from_q(min(max(q0, 1e-3), 0.995), self.weights)


@functools.lru_cache(maxsize=None)
def committee_q1_limit_free_entropy(activation: str, weights: str) -> FreeEntropy:
    """Coefficient of ``1/(1 - q)`` in :func:`committee_free_entropy` as ``q -> 1``.

    ``1/2 - alpha E[(kappa - z)_+^2] / (2 Q'(1))`` (spherical),
    ``-Qhat/2 + sqrt(Qhat) E|z| - alpha E[(kappa - z)_+^2] / (2 Q'(1))`` (binary).
    For sign, ``Q'(1) = inf`` and the energetic part drops out of the coefficient.
    """
    _validate.choice("activation", activation, ACTIVATIONS)
    slope = kernel_slope(activation)
    inverse = sp.S.Zero if math.isinf(slope) else {"relu": (sp.pi - 1) / sp.pi, "linear": sp.S.One}[activation]
    return perceptron.q1_limit_free_entropy(weights, inverse, f"committee-q1-{activation}-{weights}")


@dataclass(frozen=True)
class LargeKCommitteeQ1Limit(_CommitteeParameters):
    """The ``q -> 1`` scaling limit of :class:`LargeKCommittee`.

    Its free entropy is the coefficient of ``1/(1 - q)``; the RS branch reaches
    ``q = 1`` where it vanishes (never, for the sign activation).
    """

    def free_entropy(self) -> FreeEntropy:
        return committee_q1_limit_free_entropy(self.activation, self.weights)

    def initial_guess(self) -> dict:
        return {"Qhat": 2 / math.pi} if self.weights == "binary" else {}


# ---------------------------------------------------------------------- capacities


@dataclass(frozen=True)
class CommitteeCapacity(Capacity):
    """:class:`~replica.models.perceptron.Capacity` of the large-K committee.

    ``alpha_c`` is ``P/N`` with ``N`` all the weights; ``inf`` (with ``success=True``
    and the reason in ``message``) where the RS theory predicts no finite capacity
    (sign activation, spherical weights).  ``saddle`` is the saddle point at
    ``alpha_c`` (of the ``q -> 1`` limit theory for ``criterion="q -> 1"``; at
    ``alpha = 1`` for an infinite capacity, showing the positive coefficient).
    """

    activation: str = "relu"

    def to_dict(self) -> dict:
        return {"activation": self.activation, **super().to_dict()}


def _from_threshold(t, activation, weights, kappa, criterion) -> CommitteeCapacity:
    return CommitteeCapacity(
        alpha_c=t.value, weights=weights, kappa=kappa, criterion=criterion, error=t.error,
        success=t.success, message=t.message, saddle=t.saddle, activation=activation,
    )


def rs_endpoint(activation: str = "relu", weights: str = "spherical", kappa: float = 0.0, *,
                quad: QuadratureOptions | None = None) -> CommitteeCapacity:
    """Load where the RS branch reaches ``q = 1`` (the ``q -> 1`` limit theory).

    Spherical: the RS capacity ``Q'(1) / int_{-kappa}^inf Dt (t + kappa)^2``; binary: the
    end of the RS branch (``4 Q'(1)/pi`` at ``kappa = 0``).  ``inf`` for sign.
    """
    _check(1.0, activation, weights, kappa)
    if math.isinf(kernel_slope(activation)):
        saddle = solve(LargeKCommitteeQ1Limit(alpha=1.0, activation=activation, weights=weights, kappa=kappa), quad=quad)
        message = ("Q'(1) = inf for the sign activation: the energetic term diverges only like "
                   f"(1-q)^(-1/2), the 1/(1-q) coefficient stays {saddle.free_entropy:.6g} > 0 at every "
                   "load and the RS branch never reaches q = 1 (the large-K RS capacity diverges)")
        return CommitteeCapacity(
            alpha_c=math.inf, weights=weights, kappa=kappa, criterion="q -> 1", error=0.0,
            success=saddle.success, message=message, saddle=saddle, activation=activation,
        )
    spec = LargeKCommitteeQ1Limit(alpha=1.0, activation=activation, weights=weights, kappa=kappa)
    t = find_parameter(spec, "alpha", observable="free_entropy", target=0.0, quad=quad)
    return _from_threshold(t, activation, weights, kappa, "q -> 1")


def capacity(activation: str = "relu", weights: str = "spherical", kappa: float = 0.0, *,
             quad: QuadratureOptions | None = None) -> CommitteeCapacity:
    """RS storage capacity ``alpha_c`` (``P/N``, all weights) of the large-K committee.

    Spherical weights: :func:`rs_endpoint` (``q -> 1``); equals ``2 Q'(1)`` at
    ``kappa = 0`` (relu: ``2 pi/(pi - 1)``); ``inf`` for the sign activation.
    Binary weights: the zero of the RS entropy, searched below the end of the RS branch
    and below 1 (the annealed bound ``s <= (1 - alpha) ln 2``).
    """
    _check(1.0, activation, weights, kappa)
    end = rs_endpoint(activation, weights, kappa, quad=quad)
    if weights == "spherical":
        return end
    hi = min(end.alpha_c, 1.0) if end.success else 1.0
    spec = LargeKCommittee(alpha=0.6 * hi, activation=activation, weights="binary", kappa=kappa)
    t = find_parameter(spec, "alpha", observable="free_entropy", target=0.0, bracket=(1e-6, hi), quad=quad)
    return _from_threshold(t, activation, weights, kappa, "entropy = 0")


def entropy(alpha: float, activation: str = "relu", weights: str = "spherical", kappa: float = 0.0,
            **solve_kwargs) -> SaddlePoint:
    """Shortcut: ``solve(LargeKCommittee(alpha, activation, weights, kappa))``."""
    return solve(LargeKCommittee(alpha=alpha, activation=activation, weights=weights, kappa=kappa), **solve_kwargs)
