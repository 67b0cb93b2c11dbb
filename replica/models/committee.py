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
limit and the closed form ``alpha_c = 2 Q'(1)`` are derived here independently, docs/derivations/committee_large_k.md);
E. Gardner, J. Phys. A 21, 257 (1988) (the spherical template); E. Gardner and
B. Derrida, J. Phys. A 21, 271 (1988) and W. Krauth and M. Mézard, J. Phys. France 50,
3057 (1989) (the binary template and the zero-entropy criterion); Y. Cho and L. K. Saul,
NIPS 22 (2009) (arc-cosine kernels).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import sympy as sp

from .. import _validate
from ..quadrature import QuadratureOptions
from ..solve import SaddlePoint, solve
from ..sweep import find_parameter
from ..symbolic import FreeEntropy
from . import perceptron
from . import terms as T
from .base import ModelSpec
from .perceptron import Capacity
from .terms import ACTIVATIONS, WEIGHTS

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


# --------------------------------------------------------------------------- kernel
# The kernels are the channels of replica.models.terms; these are their short names.


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
    return T.channel(activation).kernel(q, normalized=normalized)


def kernel_slope(activation: str) -> float:
    """``Q'(1)``: ``pi/(pi - 1)`` (relu), ``inf`` (sign), ``1`` (linear)."""
    return T.channel(activation).slope


def kernel_derivative(activation: str, q):
    """``Q'(q)`` (numpy, vectorised, ``q`` in ``(-1, 1)``): ``(pi/2 + arcsin q)/(pi - 1)``
    (relu), ``(2/pi)/sqrt(1 - q^2)`` (sign), ``1`` (linear)."""
    return T.channel(activation).derivative(q)


def kernel_pair(activation: str, q=None):
    """Sympy ``(Q(q), 1 - Q(q))``, the second in a form without cancellation at q -> 1
    (:meth:`replica.models.T.Channel.kernel_pair`; ``q`` defaults to the symbol ``q``).

    Every energetic term of the large-K committee is the perceptron's with each overlap
    ``q_ab`` of the hidden fields replaced by ``Q(q_ab)`` (the output fields of several
    replicas are jointly Gaussian with that covariance): the Franz–Parisi and
    local-entropy theories use this pair for it.
    """
    return T.channel(activation).kernel_pair(q)


def kernel_expr(activation: str, q=None) -> sp.Expr:
    """Sympy expression of ``Q(q)`` (the one used in the free entropies)."""
    return kernel_pair(activation, q)[0]


# ------------------------------------------------------------------ free entropies


def _check(alpha, activation, weights, kappa):
    perceptron.check_storage(alpha, weights, kappa)
    _validate.choice("activation", activation, ACTIVATIONS)


@functools.lru_cache(maxsize=None)
def committee_free_entropy(activation: str, weights: str) -> FreeEntropy:
    """RS free entropy of the large-K tree committee (see the module docstring): the
    prior's entropic term plus the committee channel's energetic term.

    Order parameters ``q`` (and ``qhat`` for binary weights); parameters
    ``(alpha, kappa)``.  Observables: ``entropy``, ``distance = (1 - q)/2``, ``Q`` (the
    output overlap ``Q(q)``), and for spherical weights ``qhat`` (the conjugate of ``q``).
    """
    channel = T.channel(activation)
    return T.storage_free_entropy(T.prior(weights), channel.energetic(), channel.conjugate(),
                                      f"committee-{activation}-{weights}", observables={"Q": channel.kernel_pair()[0]})


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


@dataclass(frozen=True)
class _CommitteeParameters(ModelSpec):
    """The parameters (checked) shared by the committee theories."""

    alpha: float
    activation: str = "relu"
    weights: str = "spherical"
    kappa: float = 0.0

    def __post_init__(self):
        _check(self.alpha, self.activation, self.weights, self.kappa)


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
        q0 = T.branch_q(self.alpha, T.rs_branch_end(self.weights, self.activation, self.kappa))
        return T.guess_from_q(min(max(q0, 1e-3), 0.995), self.weights)


@functools.lru_cache(maxsize=None)
def committee_q1_limit_free_entropy(activation: str, weights: str) -> FreeEntropy:
    """Coefficient of ``1/(1 - q)`` in :func:`committee_free_entropy` as ``q -> 1``.

    ``1/2 - alpha E[(kappa - z)_+^2] / (2 Q'(1))`` (spherical),
    ``-Qhat/2 + sqrt(Qhat) E|z| - alpha E[(kappa - z)_+^2] / (2 Q'(1))`` (binary).
    For sign, ``Q'(1) = inf`` and the energetic part drops out of the coefficient.
    """
    return T.q1_limit_free_entropy(T.prior(weights), T.channel(activation).q1_energetic(),
                                       f"committee-q1-{activation}-{weights}")


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
    return CommitteeCapacity.from_threshold(t, weights=weights, kappa=kappa, criterion="q -> 1",
                                            activation=activation)


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
    return CommitteeCapacity.from_threshold(t, weights=weights, kappa=kappa, criterion="entropy = 0",
                                            activation=activation)


def entropy(alpha: float, activation: str = "relu", weights: str = "spherical", kappa: float = 0.0,
            **solve_kwargs) -> SaddlePoint:
    """Shortcut: ``solve(LargeKCommittee(alpha, activation, weights, kappa))``."""
    return solve(LargeKCommittee(alpha=alpha, activation=activation, weights=weights, kappa=kappa), **solve_kwargs)
