"""Storage of random patterns by a perceptron: the typical Gardner volume, RS.

``N`` weights, binary (``W_i = +-1``) or spherical (``sum W_i^2 = N``), ``P = alpha N``
random patterns with random labels, margin ``kappa >= 0``.  The quenched entropy per
weight of the solution space, replica symmetric:

* binary (Gardner & Derrida 1988; Krauth & Mézard 1989)::

    s = extr_{q, qhat} [ -qhat (1 - q)/2 + E_z ln 2cosh(sqrt(qhat) z)
                         + alpha E_z ln H((kappa - sqrt(q) z)/sqrt(1 - q)) ]

* spherical (Gardner 1988)::

    s = extr_q [ ln(1 - q)/2 + q / (2 (1 - q)) + alpha E_z ln H((kappa - sqrt(q) z)/sqrt(1 - q)) ]

  (the log of the fraction of the sphere's surface; ``s = 0`` at ``alpha = 0``).

Capacities: binary, the load where the entropy vanishes (Krauth–Mézard,
``alpha_c = 0.833`` at ``kappa = 0``); spherical, the load where ``q -> 1``, obtained
from the ``q -> 1`` scaling of the free entropy (:class:`GardnerQ1Limit`), which gives
Gardner's ``alpha_c = 1 / int_{-kappa}^inf Dt (t + kappa)^2``.

References
----------
E. Gardner, J. Phys. A 21, 257 (1988), eqs. (27)-(31) (spherical);
E. Gardner and B. Derrida, J. Phys. A 21, 271 (1988), eqs. (17)-(19) (binary, and the
stability of the RS solution); W. Krauth and M. Mézard, J. Phys. France 50, 3057 (1989)
(binary capacity from the zero of the entropy).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass

import sympy as sp

from .. import _validate, special
from ..quadrature import QuadratureOptions
from ..solve import SaddlePoint, solve
from ..sweep import Threshold, find_parameter
from ..symbolic import POSITIVE, UNIT, FreeEntropy, GaussE, GoverH, Log2Cosh, LogH, Relu

__all__ = ["Gardner", "GardnerQ1Limit", "Capacity", "capacity", "rs_endpoint", "WEIGHTS"]

WEIGHTS = ("binary", "spherical")

_z = sp.Symbol("z", real=True)
_q = sp.Symbol("q", positive=True)
_qhat = sp.Symbol("qhat", nonnegative=True)
_Qhat = sp.Symbol("Qhat", positive=True)
_alpha = sp.Symbol("alpha", nonnegative=True)
_kappa = sp.Symbol("kappa", nonnegative=True)


def _field():
    """Argument of ln H and the feature of its integrand (centre, width in ``z``)."""
    u = (_kappa - sp.sqrt(_q) * _z) / sp.sqrt(1 - _q)
    return u, (_kappa / sp.sqrt(_q), sp.sqrt((1 - _q) / _q))


def energetic_term():
    """``alpha E_z ln H((kappa - sqrt(q) z)/sqrt(1 - q))``.

    References
    ----------
    E. Gardner, J. Phys. A 21, 257 (1988), eq. (27) (its last term).
    """
    u, feature = _field()
    return _alpha * GaussE(LogH(u), _z, [feature], integrate_by_parts=True)


ENTROPIC_FEATURE = [(0, 1 / sp.sqrt(_qhat))]  # ln 2cosh -> sqrt(qhat)|z| at large qhat


def entropic_term(weights: str):
    """The weight-space part of the RS Gardner free entropy (shared with models whose
    energetic term differs, e.g. the committee machine).

    Binary: ``-qhat (1 - q)/2 + E_z ln 2cosh(sqrt(qhat) z)`` (integrated by parts: the
    derivatives stay finite at q = qhat = 0, zero load); spherical:
    ``ln(1 - q)/2 + q / (2 (1 - q))``.

    References
    ----------
    Gardner & Derrida, J. Phys. A 21, 271 (1988), eq. (17) (binary);
    Gardner, J. Phys. A 21, 257 (1988), eq. (27) (spherical).
    """
    _validate.choice("weights", weights, WEIGHTS)
    if weights == "binary":
        entropic = GaussE(Log2Cosh(sp.sqrt(_qhat) * _z), _z, ENTROPIC_FEATURE, integrate_by_parts=True)
        return -_qhat * (1 - _q) / 2 + entropic
    return sp.log(1 - _q) / 2 + _q / (2 * (1 - _q))


def branch_q(alpha: float, end: float) -> float:
    """Overlap along the RS branch, interpolated in ``t = alpha / end`` (``end``: the load
    where the branch reaches ``q = 1``): ``q ~ t (0.8 + 0.2 t^2)``, nearly independent of
    kappa (initial guesses only; ``t`` capped at 0.99)."""
    t = min(alpha / end, 0.99)
    return t * (0.8 + 0.2 * t * t)


def guess_from_q(q0: float, weights: str) -> dict:
    """Initial guess of the order parameters for an overlap ``q0`` of the RS branch: for
    binary weights ``qhat ~ c(q) q / (1 - q)^2`` with ``c(q) ~ 1 - 0.36 q^1.5`` (read off
    solutions for kappa in [0, 1]; a start on the wrong side of qhat sends Newton astray
    at larger loads)."""
    if weights == "binary":
        return {"q": q0, "qhat": (1 - 0.36 * q0**1.5) * q0 / (1 - q0) ** 2}
    return {"q": q0}


@functools.lru_cache(maxsize=None)
def gardner_free_entropy(weights: str) -> FreeEntropy:
    """RS free entropy of the storage problem for ``weights`` = binary or spherical.

    References
    ----------
    Binary: E. Gardner and B. Derrida, J. Phys. A 21, 271 (1988), eq. (17);
    spherical: E. Gardner, J. Phys. A 21, 257 (1988), eq. (27).
    Replicon (de Almeida–Thouless) eigenvalue: J. R. L. de Almeida and D. J. Thouless,
    J. Phys. A 11, 983 (1978); for the perceptron Gardner & Derrida (1988), sec. 4;
    written as ``1 - alpha E[(d^2 ln Z_out)^2] E[(prior variance)^2]``.
    """
    _validate.choice("weights", weights, WEIGHTS)
    u, feature = _field()
    gh = GoverH(u)
    # Second derivative of ln H((kappa - h)/sqrt(1-q)) with respect to h, times (1-q).
    out_curvature = gh * (gh - u)
    energetic = energetic_term()
    expr = entropic_term(weights) + energetic
    if weights == "binary":
        m = sp.tanh(sp.sqrt(_qhat) * _z)
        fixed_point = {
            _q: GaussE(m**2, _z, ENTROPIC_FEATURE),
            _qhat: _alpha / (1 - _q) * GaussE(gh**2, _z, [feature]),
        }
        replicon = 1 - _alpha / (1 - _q) ** 2 * GaussE(out_curvature**2, _z, [feature]) * GaussE(
            (1 - m**2) ** 2, _z, ENTROPIC_FEATURE
        )
        return FreeEntropy(
            name="gardner-binary",
            expr=expr,
            order=(_q, _qhat),
            params=(_alpha, _kappa),
            observables={"entropy": expr, "distance": (1 - _q) / 2, "replicon": replicon},
            fixed_point=fixed_point,
            domains={_q: UNIT, _qhat: POSITIVE},
        )
    ratio = _alpha * GaussE(gh**2, _z, [feature])
    replicon = 1 - _alpha * GaussE(out_curvature**2, _z, [feature])
    return FreeEntropy(
        name="gardner-spherical",
        expr=expr,
        order=(_q,),
        params=(_alpha, _kappa),
        # qhat: the conjugate of q, as in the binary theory (alpha E[(G/H)^2]/(1-q)).
        observables={"entropy": expr, "distance": (1 - _q) / 2, "replicon": replicon, "qhat": ratio / (1 - _q)},
        fixed_point={_q: ratio / (1 + ratio)},
        domains={_q: UNIT},
    )


def _check_common(alpha, weights, kappa):
    _validate.real("alpha", alpha, lower=0.0)
    _validate.choice("weights", weights, WEIGHTS)
    _validate.real("kappa", kappa, lower=0.0)


@dataclass(frozen=True)
class Gardner:
    """Typical (RS) Gardner volume of the perceptron storing random patterns.

    Parameters
    ----------
    alpha : float
        Load ``P/N``, ``>= 0``.
    weights : {"binary", "spherical"}
    kappa : float
        Margin, ``>= 0`` (for ``kappa < 0`` the spherical problem is non-convex and RS is
        not exact; the binary RS theory is not offered there either).

    Order parameters: ``q`` (overlap of two solutions) and, for binary weights,
    ``qhat`` (its conjugate; for spherical weights ``qhat`` is an observable, eliminated
    from the free entropy).  Observables: ``entropy`` (= the free entropy),
    ``distance = (1 - q)/2`` between two typical solutions, ``replicon`` (the RS
    stability eigenvalue; RS is locally stable while it is positive).

    Examples
    --------
    >>> from replica import Gardner, solve
    >>> sp = solve(Gardner(alpha=0.5))
    >>> round(sp.free_entropy, 6), sp.success
    (0.31439, True)
    """

    alpha: float
    weights: str = "binary"
    kappa: float = 0.0

    def __post_init__(self):
        _check_common(self.alpha, self.weights, self.kappa)

    def free_entropy(self) -> FreeEntropy:
        return gardner_free_entropy(self.weights)

    def parameter_values(self):
        return (float(self.alpha), float(self.kappa))

    def initial_guess(self) -> dict:
        q0 = branch_q(self.alpha, _branch_end(self.weights, self.kappa))
        return guess_from_q(min(max(q0, 1e-3), 0.98), self.weights)


def _branch_end(weights: str, kappa: float) -> float:
    """Closed form of the load where the RS branch reaches q = 1 (initial guesses only).

    ``int_{-kappa}^inf Dt (t + kappa)^2 = (1 + kappa^2) H(-kappa) + kappa G(kappa)``;
    spherical: its inverse (Gardner 1988, eq. 33); binary: ``2/pi`` times it.
    """
    moment = (1 + kappa**2) * float(special.H(-kappa)) + kappa * float(special.G(kappa))
    return (2 / math.pi if weights == "binary" else 1.0) / moment


@functools.lru_cache(maxsize=None)
def gardner_q1_limit_free_entropy(weights: str) -> FreeEntropy:
    """Coefficient of ``1/(1 - q)`` in the Gardner free entropy as ``q -> 1``.

    With ``eps = 1 - q``: ``eps * alpha E ln H((kappa - sqrt(q) z)/sqrt(eps)) ->
    -alpha/2 E[(kappa - z)_+^2]``; for spherical weights the entropic term contributes
    ``1/2``; for binary weights, with ``qhat = Qhat / eps^2``,
    ``eps [-qhat eps/2 + E ln 2cosh(sqrt(qhat) z)] -> -Qhat/2 + sqrt(Qhat) E|z|``.
    The branch reaches ``q = 1`` where the extremum of this coefficient vanishes.

    References
    ----------
    E. Gardner, J. Phys. A 21, 257 (1988), eqs. (31)-(33) (spherical capacity from
    ``q -> 1``); the binary endpoint alpha = 4/pi at kappa = 0 is discussed in
    Gardner & Derrida (1988), sec. 3.
    """
    return q1_limit_free_entropy(weights, sp.S.One, f"gardner-q1-{weights}")


def q1_limit_free_entropy(weights: str, energetic_scale, name: str) -> FreeEntropy:
    """The ``q -> 1`` coefficient with the energetic term multiplied by
    ``energetic_scale`` (1 for the perceptron; ``1/Q'(1)`` for a model whose output
    overlap is ``Q(q)``, as the committee machine: ``1 - Q ~ Q'(1) (1 - q)``)."""
    _validate.choice("weights", weights, WEIGHTS)
    energetic = -_alpha * energetic_scale / 2 * GaussE(Relu(_kappa - _z) ** 2, _z, [(_kappa, 0)])
    if weights == "spherical":
        expr = sp.Rational(1, 2) + energetic
        return FreeEntropy(name=name, expr=expr, order=(), params=(_alpha, _kappa), observables={"coefficient": expr})
    expr = -_Qhat / 2 + sp.sqrt(_Qhat) * GaussE(sp.Abs(_z), _z, [(0, 0)]) + energetic
    return FreeEntropy(name=name, expr=expr, order=(_Qhat,), params=(_alpha, _kappa),
                       observables={"coefficient": expr}, domains={_Qhat: POSITIVE})


@dataclass(frozen=True)
class GardnerQ1Limit:
    """The ``q -> 1`` scaling limit of :class:`Gardner` (see :func:`gardner_q1_limit_free_entropy`).

    Its free entropy is the coefficient of the divergence ``1/(1 - q)``; it vanishes at
    the load where the RS branch reaches ``q = 1`` (the spherical capacity; for binary
    weights the end of the RS branch, ``4/pi`` at ``kappa = 0``, beyond the capacity).
    """

    alpha: float
    weights: str = "binary"
    kappa: float = 0.0

    def __post_init__(self):
        _check_common(self.alpha, self.weights, self.kappa)

    def free_entropy(self) -> FreeEntropy:
        return gardner_q1_limit_free_entropy(self.weights)

    def parameter_values(self):
        return (float(self.alpha), float(self.kappa))

    def initial_guess(self) -> dict:
        return {"Qhat": 2 / math.pi} if self.weights == "binary" else {}


@dataclass(frozen=True)
class Capacity:
    """Storage capacity of the perceptron.

    Attributes
    ----------
    alpha_c : float
    weights : str
    kappa : float
    criterion : str
        ``"entropy = 0"`` (binary) or ``"q -> 1"`` (spherical).
    error : float
        Error estimate on ``alpha_c`` (root tolerance + quadrature error / slope).
    success : bool
    message : str
    saddle : SaddlePoint
        The saddle point at ``alpha_c`` (of the ``q -> 1`` limit theory for spherical).
    """

    alpha_c: float
    weights: str
    kappa: float
    criterion: str
    error: float
    success: bool
    message: str
    saddle: SaddlePoint

    def to_dict(self) -> dict:
        return {
            "alpha_c": self.alpha_c,
            "weights": self.weights,
            "kappa": self.kappa,
            "criterion": self.criterion,
            "error": self.error,
            "success": self.success,
            "message": self.message,
            "order": dict(self.saddle.order),
        }


def _threshold_to_capacity(t: Threshold, weights, kappa, criterion) -> Capacity:
    return Capacity(
        alpha_c=t.value, weights=weights, kappa=kappa, criterion=criterion,
        error=t.error, success=t.success, message=t.message, saddle=t.saddle,
    )


def rs_endpoint(weights: str = "binary", kappa: float = 0.0, *, quad: QuadratureOptions | None = None) -> Capacity:
    """Load at which the RS branch reaches ``q = 1`` (from the ``q -> 1`` scaling).

    Spherical weights: Gardner's capacity ``1 / int_{-kappa}^inf Dt (t + kappa)^2``.
    Binary weights: the end of the RS branch, ``2 / (pi int_{-kappa}^inf Dt (t+kappa)^2)``
    (``4/pi`` at ``kappa = 0``); not the capacity.
    """
    _check_common(1.0, weights, kappa)
    spec = GardnerQ1Limit(alpha=1.0, weights=weights, kappa=kappa)
    t = find_parameter(spec, "alpha", observable="free_entropy", target=0.0, quad=quad)
    return _threshold_to_capacity(t, weights, kappa, "q -> 1")


def capacity(weights: str = "binary", kappa: float = 0.0, *, quad: QuadratureOptions | None = None) -> Capacity:
    """Storage capacity ``alpha_c(kappa)`` of the RS theory.

    Binary weights: the load where the RS entropy vanishes (Krauth & Mézard 1989),
    found by Newton steps in alpha with the exact slope ``ds/dalpha =
    E ln H`` (envelope theorem), started from the ``q -> 1`` endpoint scaled by the
    ratio of the two at ``kappa = 0``.
    Spherical weights: :func:`rs_endpoint`, the load where ``q -> 1``.

    References
    ----------
    W. Krauth and M. Mézard, J. Phys. France 50, 3057 (1989); E. Gardner, J. Phys. A 21,
    257 (1988), eq. (33).
    """
    _check_common(1.0, weights, kappa)
    end = rs_endpoint(weights, kappa, quad=quad)
    if weights == "spherical" or not end.success:
        return dataclasses.replace(end, criterion="q -> 1")
    spec = Gardner(alpha=0.65 * end.alpha_c, weights="binary", kappa=kappa)
    t = find_parameter(spec, "alpha", observable="free_entropy", target=0.0, bracket=(1e-6, end.alpha_c), quad=quad)
    return _threshold_to_capacity(t, weights, kappa, "entropy = 0")


def entropy(alpha: float, weights: str = "binary", kappa: float = 0.0, **solve_kwargs) -> SaddlePoint:
    """Shortcut: ``solve(Gardner(alpha, weights, kappa))``."""
    return solve(Gardner(alpha=alpha, weights=weights, kappa=kappa), **solve_kwargs)
