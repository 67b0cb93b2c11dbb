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

from .. import _validate
from ..quadrature import QuadratureOptions
from ..solve import SaddlePoint, solve
from ..sweep import Threshold, find_parameter
from ..symbolic import FreeEntropy
from . import terms as T
from .base import ModelSpec
from .terms import WEIGHTS

__all__ = ["Gardner", "GardnerQ1Limit", "Capacity", "capacity", "rs_endpoint", "WEIGHTS"]


@functools.lru_cache(maxsize=None)
def gardner_free_entropy(weights: str) -> FreeEntropy:
    """RS free entropy of the storage problem for ``weights`` = binary or spherical:
    the prior's entropic term plus the perceptron channel's energetic term
    (:func:`~replica.models.T.storage_free_entropy`), with the replicon.

    References
    ----------
    Binary: E. Gardner and B. Derrida, J. Phys. A 21, 271 (1988), eq. (17);
    spherical: E. Gardner, J. Phys. A 21, 257 (1988), eq. (27).
    Replicon (de Almeida–Thouless) eigenvalue: J. R. L. de Almeida and D. J. Thouless,
    J. Phys. A 11, 983 (1978); for the perceptron Gardner & Derrida (1988), sec. 4;
    written as ``1 - alpha E[(d^2 ln Z_out)^2] E[(prior variance)^2]``.
    """
    prior, channel = T.prior(weights), T.channel("linear")
    return T.storage_free_entropy(prior, channel.energetic(), channel.conjugate(), f"gardner-{weights}",
                                      observables={"replicon": T.perceptron_replicon(prior)})


def check_storage(alpha, weights, kappa) -> None:
    """Validate the parameters of a storage theory (load, weights, margin >= 0)."""
    _validate.real("alpha", alpha, lower=0.0)
    _validate.choice("weights", weights, WEIGHTS)
    _validate.real("kappa", kappa, lower=0.0)


@dataclass(frozen=True)
class Gardner(ModelSpec):
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
        check_storage(self.alpha, self.weights, self.kappa)

    def free_entropy(self) -> FreeEntropy:
        return gardner_free_entropy(self.weights)

    def initial_guess(self) -> dict:
        q0 = T.branch_q(self.alpha, T.rs_branch_end(self.weights, "linear", self.kappa))
        return T.guess_from_q(min(max(q0, 1e-3), 0.98), self.weights)


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
    return T.q1_limit_free_entropy(T.prior(weights), T.channel("linear").q1_energetic(),
                                       f"gardner-q1-{weights}")


@dataclass(frozen=True)
class GardnerQ1Limit(ModelSpec):
    """The ``q -> 1`` scaling limit of :class:`Gardner` (see :func:`gardner_q1_limit_free_entropy`).

    Its free entropy is the coefficient of the divergence ``1/(1 - q)``; it vanishes at
    the load where the RS branch reaches ``q = 1`` (the spherical capacity; for binary
    weights the end of the RS branch, ``4/pi`` at ``kappa = 0``, beyond the capacity).
    """

    alpha: float
    weights: str = "binary"
    kappa: float = 0.0

    def __post_init__(self):
        check_storage(self.alpha, self.weights, self.kappa)

    def free_entropy(self) -> FreeEntropy:
        return gardner_q1_limit_free_entropy(self.weights)

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

    @classmethod
    def from_threshold(cls, threshold: Threshold, **labels) -> "Capacity":
        """The capacity found by :func:`~replica.sweep.find_parameter` (``labels``: the
        fields that say which model and criterion: weights, kappa, criterion, ...)."""
        return cls(alpha_c=threshold.value, error=threshold.error, success=threshold.success,
                   message=threshold.message, saddle=threshold.saddle, **labels)

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


def rs_endpoint(weights: str = "binary", kappa: float = 0.0, *, quad: QuadratureOptions | None = None) -> Capacity:
    """Load at which the RS branch reaches ``q = 1`` (from the ``q -> 1`` scaling).

    Spherical weights: Gardner's capacity ``1 / int_{-kappa}^inf Dt (t + kappa)^2``.
    Binary weights: the end of the RS branch, ``2 / (pi int_{-kappa}^inf Dt (t+kappa)^2)``
    (``4/pi`` at ``kappa = 0``); not the capacity.
    """
    check_storage(1.0, weights, kappa)
    spec = GardnerQ1Limit(alpha=1.0, weights=weights, kappa=kappa)
    t = find_parameter(spec, "alpha", observable="free_entropy", target=0.0, quad=quad)
    return Capacity.from_threshold(t, weights=weights, kappa=kappa, criterion="q -> 1")


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
    check_storage(1.0, weights, kappa)
    end = rs_endpoint(weights, kappa, quad=quad)
    if weights == "spherical" or not end.success:
        return dataclasses.replace(end, criterion="q -> 1")
    spec = Gardner(alpha=0.65 * end.alpha_c, weights="binary", kappa=kappa)
    t = find_parameter(spec, "alpha", observable="free_entropy", target=0.0, bracket=(1e-6, end.alpha_c), quad=quad)
    return Capacity.from_threshold(t, weights=weights, kappa=kappa, criterion="entropy = 0")


def entropy(alpha: float, weights: str = "binary", kappa: float = 0.0, **solve_kwargs) -> SaddlePoint:
    """Shortcut: ``solve(Gardner(alpha, weights, kappa))``."""
    return solve(Gardner(alpha=alpha, weights=weights, kappa=kappa), **solve_kwargs)
