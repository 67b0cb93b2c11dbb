"""The kit every theory is built from: symbols, priors (entropic terms), channels (energetic terms).

A replica-symmetric free entropy of a one-layer model is, per weight::

    phi = prior.entropic(q, qhat) + channel.energetic(q)         (+ model-specific terms)

where the *prior* counts the weights (binary ``+-1``, spherical, and later bounded
continuous magnetisations or multi-state synapses) and the *channel* says how a
pattern's pre-activations are turned into a constraint (a perceptron's sign with a
margin; a large-K tree committee through the kernel ``Q(q)`` of its hidden layer).
Models with more replica levels (Franz–Parisi, local entropy) reuse the same symbols,
the channels' kernels and the priors' features.

Symbols
-------
Every sympy symbol of the package is declared once, here, through :func:`symbol`:
two theories that mean the same overlap use the same object, so their terms can be
added.  Declaring a name again with other assumptions is an error (it would silently be
another variable for sympy).

=================  ==========================================================
kind               symbols
=================  ==========================================================
integration        ``z, z0, z1, z2, z3, w, x, xi`` (real)
overlaps           ``q, q0, q1, Q`` (positive; domains set by each theory)
conjugates         ``qhat, qhat0, qhat1, Qhat`` (positive), ``phat, t, that`` (real)
scaling limits     ``dq, dqhat`` (positive)
parameters         ``alpha, d, y, beta`` (non-negative), ``kappa, gamma`` (real)
=================  ==========================================================

References
----------
E. Gardner, J. Phys. A 21, 257 (1988), eq. (27) (spherical prior, the energetic term);
E. Gardner and B. Derrida, J. Phys. A 21, 271 (1988), eq. (17) (binary prior);
C. Baldassi, E. M. Malatesta and R. Zecchina, PRL 123, 170602 (2019), arXiv:1907.07578
(the large-K committee kernels).
"""

from __future__ import annotations

import abc
import math
from dataclasses import dataclass

import numpy as np
import sympy as sp

from .. import _validate, special
from ..symbolic import POSITIVE, UNIT, FreeEntropy, GaussE, GoverH, Log2Cosh, LogH, Relu

__all__ = [
    "symbol",
    "Prior",
    "BinaryPrior",
    "SphericalPrior",
    "PRIORS",
    "WEIGHTS",
    "prior",
    "Channel",
    "CHANNELS",
    "ACTIVATIONS",
    "channel",
    "storage_free_entropy",
    "perceptron_replicon",
    "q1_limit_free_entropy",
    "q1_energetic",
    "margin_moment",
    "rs_branch_end",
    "branch_q",
    "guess_from_q",
]

# ------------------------------------------------------------------------- symbols

_ASSUMPTIONS = {
    "real": {"real": True},
    "positive": {"positive": True},
    "nonnegative": {"nonnegative": True},
}
_DECLARED: dict[str, tuple[str, sp.Symbol]] = {}


def symbol(name: str, kind: str = "real") -> sp.Symbol:
    """The package's one sympy symbol called ``name``.

    Parameters
    ----------
    name : str
    kind : {"real", "positive", "nonnegative"}
        Its sympy assumptions.  The first declaration wins; a later one with another
        ``kind`` raises ``ValueError`` (sympy would treat it as a different variable).

    Examples
    --------
    >>> symbol("q", "positive") is symbol("q", "positive")
    True
    """
    _validate.choice("kind", kind, tuple(_ASSUMPTIONS))
    known = _DECLARED.get(name)
    if known is not None:
        if known[0] != kind:
            raise ValueError(f"symbol {name!r} is declared {known[0]!r} in replica.models.terms; got {kind!r}")
        return known[1]
    s = sp.Symbol(name, **_ASSUMPTIONS[kind])
    _DECLARED[name] = (kind, s)
    return s


z, z0, z1, z2, z3, w, x, xi = (symbol(n) for n in ("z", "z0", "z1", "z2", "z3", "w", "x", "xi"))
q, q0, q1, Q = (symbol(n, "positive") for n in ("q", "q0", "q1", "Q"))
qhat, qhat0, qhat1, Qhat = (symbol(n, "positive") for n in ("qhat", "qhat0", "qhat1", "Qhat"))
phat, t, that = (symbol(n) for n in ("phat", "t", "that"))
dq, dqhat = symbol("dq", "positive"), symbol("dqhat", "positive")
alpha, d, y, beta = (symbol(n, "nonnegative") for n in ("alpha", "d", "y", "beta"))
kappa = symbol("kappa")  # real: the negative perceptron (kappa < 0) is a theory too
gamma = symbol("gamma")  # real: the robust ensemble's coupling takes both signs


# -------------------------------------------------------------------------- priors


@dataclass(frozen=True)
class Prior(abc.ABC):
    """The entropic term of a weight distribution, replica symmetric.

    A prior provides, for the RS theory with one level of overlap ``q`` and conjugate
    ``qhat``: :meth:`entropic` (the weight-space part of the free entropy),
    :attr:`order` (the order parameters it needs; a prior that eliminates ``qhat``, as
    the spherical one, lists ``q`` only), :meth:`fixed_point_q` (the stationarity
    condition in ``qhat`` solved for ``q``), :meth:`susceptibility` (the squared
    single-site variance ``E[(<w^2> - <w>^2)^2]`` of the replicon) and the ``q -> 1``
    scaling limit (:meth:`q1_entropic`).  New priors (bounded continuous
    magnetisations, multi-state synapses) subclass it.
    """

    name: str

    @property
    def order(self) -> tuple:
        """Order parameters of the entropic term."""
        return (q, qhat)

    def domains(self) -> dict:
        return {q: UNIT, qhat: POSITIVE}

    @abc.abstractmethod
    def entropic(self) -> sp.Expr:
        """The weight-space part of the RS free entropy, in ``q`` (and ``qhat``)."""

    @abc.abstractmethod
    def susceptibility(self) -> sp.Expr:
        """``E[(<w^2> - <w>^2)^2]`` of the single-site problem (the replicon's prior factor)."""

    @abc.abstractmethod
    def q1_entropic(self) -> tuple[sp.Expr, tuple, dict]:
        """``(1 - q) [entropic]`` as ``q -> 1``: (expression, order parameters, domains)."""

    def fixed_point_q(self) -> sp.Expr:
        """``q`` from the stationarity condition in ``qhat`` (priors that keep ``qhat``)."""
        raise TypeError(f"the {self.name} prior eliminates qhat: it has no fixed-point map for q")

    def guess_from_q(self, q0: float) -> dict:
        """Initial guess of the prior's order parameters for an overlap ``q0``."""
        return {"q": q0}


@dataclass(frozen=True)
class BinaryPrior(Prior):
    """Weights ``W_i = +-1``: ``-qhat (1 - q)/2 + E_z ln 2cosh(sqrt(qhat) z)``.

    Integrated by parts (the derivatives stay finite at ``q = qhat = 0``, zero load).

    References
    ----------
    E. Gardner and B. Derrida, J. Phys. A 21, 271 (1988), eq. (17).
    """

    name: str = "binary"

    @property
    def feature(self) -> list:
        """``ln 2cosh(sqrt(qhat) z) -> sqrt(qhat) |z|`` at large ``qhat``: a kink at z = 0
        of width ``1/sqrt(qhat)``."""
        return [(0, 1 / sp.sqrt(qhat))]

    def entropic(self) -> sp.Expr:
        return -qhat * (1 - q) / 2 + GaussE(Log2Cosh(sp.sqrt(qhat) * z), z, self.feature, integrate_by_parts=True)

    def magnetisation(self) -> sp.Expr:
        """``<W> = tanh(sqrt(qhat) z)`` in the effective single-site problem."""
        return sp.tanh(sp.sqrt(qhat) * z)

    def fixed_point_q(self) -> sp.Expr:
        return GaussE(self.magnetisation() ** 2, z, self.feature)

    def susceptibility(self) -> sp.Expr:
        return GaussE((1 - self.magnetisation() ** 2) ** 2, z, self.feature)

    def q1_entropic(self):
        """With ``qhat = Qhat/(1 - q)^2``: ``(1 - q) [entropic] -> -Qhat/2 + sqrt(Qhat) E|z|``."""
        expr = -Qhat / 2 + sp.sqrt(Qhat) * GaussE(sp.Abs(z), z, [(0, 0)])
        return expr, (Qhat,), {Qhat: POSITIVE}

    def guess_from_q(self, q0: float) -> dict:
        """``qhat ~ c(q) q/(1 - q)^2`` with ``c(q) ~ 1 - 0.36 q^1.5`` (read off the RS
        solutions for kappa in [0, 1]; a start on the wrong side of qhat sends Newton
        astray at larger loads)."""
        return {"q": q0, "qhat": (1 - 0.36 * q0**1.5) * q0 / (1 - q0) ** 2}


@dataclass(frozen=True)
class SphericalPrior(Prior):
    """Weights on the sphere ``sum W_i^2 = N``: ``ln(1 - q)/2 + q/(2 (1 - q))``
    (``qhat`` eliminated; the log of the fraction of the sphere, 0 at zero load).

    References
    ----------
    E. Gardner, J. Phys. A 21, 257 (1988), eq. (27).
    """

    name: str = "spherical"

    @property
    def order(self) -> tuple:
        return (q,)

    def domains(self) -> dict:
        return {q: UNIT}

    def entropic(self) -> sp.Expr:
        return sp.log(1 - q) / 2 + q / (2 * (1 - q))

    def susceptibility(self) -> sp.Expr:
        return (1 - q) ** 2

    def q1_entropic(self):
        return sp.Rational(1, 2), (), {}


PRIORS = {"binary": BinaryPrior(), "spherical": SphericalPrior()}
WEIGHTS = tuple(PRIORS)


def prior(weights: str) -> Prior:
    """The prior called ``weights`` (one of :data:`WEIGHTS`)."""
    return PRIORS[_validate.choice("weights", weights, WEIGHTS)]


# ------------------------------------------------------------------------ channels


@dataclass(frozen=True)
class Channel:
    """How the patterns constrain the weights: the output overlap ``Q(q)`` and the
    energetic term ``alpha E_z ln H((kappa - sqrt(Q) z)/sqrt(1 - Q))``.

    ``"linear"`` is the perceptron (``Q = q``); ``"relu"`` and ``"sign"`` are the
    large-K tree committees, whose output fields are jointly Gaussian with covariance
    ``Q(q) = (k(q) - m^2)/(k(1) - m^2)``, ``k(q) = E[g(a) g(b)]``, ``m = E g`` (the
    Gaussian-process limit of the hidden layer): every energetic term of the committee
    is the perceptron's with each overlap ``q_ab`` replaced by ``Q(q_ab)``.

    References
    ----------
    Baldassi, Malatesta and Zecchina, PRL 123, 170602 (2019), arXiv:1907.07578 (ReLU
    kernel ``Q(q) = [sqrt(1 - q^2) + q (pi/2 + arcsin q) - 1]/(pi - 1)``); the sign
    kernel ``(2/pi) arcsin q`` is the classic one of the committee machine
    (Barkai, Hansel and Sompolinsky, PRA 45, 4146 (1992)).
    """

    name: str

    def kernel_pair(self, overlap=None):
        """Sympy ``(Q(q), 1 - Q(q))``, the second without cancellation as ``q -> 1``."""
        qq = q if overlap is None else overlap
        if self.name == "linear":
            return qq, 1 - qq
        if self.name == "sign":
            return 2 * sp.asin(qq) / sp.pi, 2 * sp.acos(qq) / sp.pi
        root = sp.sqrt(1 - qq**2)
        Qk = (root + qq * (sp.pi / 2 + sp.asin(qq)) - 1) / (sp.pi - 1)
        one_minus = (sp.pi * (1 - qq) + qq * sp.acos(qq) - root) / (sp.pi - 1)
        return Qk, one_minus

    def kernel(self, overlap, *, normalized: bool = True):
        """``Q(q)`` in numpy (vectorised); ``normalized=False``: the raw ``k(q)``."""
        qq = np.asarray(overlap, dtype=float)
        if not np.all((qq >= -1) & (qq <= 1)):
            raise ValueError(f"q must be in [-1, 1], got {overlap!r}")
        if self.name == "linear":
            return qq + 0.0
        if self.name == "sign":
            return 2 / np.pi * np.arcsin(qq)
        root = np.sqrt(np.maximum(1 - qq * qq, 0.0))
        if not normalized:
            return (root + qq * (np.pi - np.arccos(qq))) / (2 * np.pi)
        return (root + qq * (np.pi / 2 + np.arcsin(qq)) - 1) / (np.pi - 1)

    def derivative(self, overlap):
        """``Q'(q)`` in numpy, ``q`` in ``(-1, 1)``."""
        qq = np.asarray(overlap, dtype=float)
        if self.name == "linear":
            return np.ones_like(qq)
        if self.name == "sign":
            return 2 / np.pi / np.sqrt(1 - qq * qq)
        return (np.pi / 2 + np.arcsin(qq)) / (np.pi - 1)

    @property
    def slope(self) -> float:
        """``Q'(1)``: 1 (linear), ``pi/(pi - 1)`` (relu), ``inf`` (sign)."""
        return {"relu": math.pi / (math.pi - 1), "sign": math.inf, "linear": 1.0}[self.name]

    @property
    def inverse_slope(self) -> sp.Expr:
        """``1/Q'(1)`` exactly (0 for sign)."""
        return {"relu": (sp.pi - 1) / sp.pi, "sign": sp.S.Zero, "linear": sp.S.One}[self.name]

    def field(self, overlap=None):
        """Argument ``u = (kappa - sqrt(Q) z)/sqrt(1 - Q)`` of ``ln H`` and the feature of
        its integrand (the step at ``z = kappa/sqrt(Q)``, width ``sqrt((1 - Q)/Q)``)."""
        Qk, gap = self.kernel_pair(overlap)
        return (kappa - sp.sqrt(Qk) * z) / sp.sqrt(gap), (kappa / sp.sqrt(Qk), sp.sqrt(gap / Qk))

    def energetic(self, overlap=None) -> sp.Expr:
        """``alpha E_z ln H((kappa - sqrt(Q) z)/sqrt(1 - Q))`` (Gardner 1988, eq. 27, last
        term; integrated by parts)."""
        u, feature = self.field(overlap)
        return alpha * GaussE(LogH(u), z, [feature], integrate_by_parts=True)

    def conjugate(self) -> sp.Expr:
        """``qhat = alpha Q'(q)/(1 - Q) E_z[(G/H)(u)^2]``: the stationarity of
        :meth:`energetic` in ``q`` (Gardner 1988, eq. 29)."""
        Qk, one_minus_Q = self.kernel_pair()
        u, feature = self.field()
        return alpha * sp.diff(Qk, q) / one_minus_Q * GaussE(GoverH(u) ** 2, z, [feature])

    def q1_energetic(self) -> sp.Expr:
        """``(1 - q) [energetic] -> -alpha E[(kappa - z)_+^2] / (2 Q'(1))`` as ``q -> 1``."""
        return q1_energetic(self.inverse_slope)


def q1_energetic(scale) -> sp.Expr:
    """``-alpha scale E[(kappa - z)_+^2] / 2``: the ``q -> 1`` coefficient of an energetic
    term whose cost of a wrong field ``h`` is ``scale (kappa - h)_+^2 / (2 (1 - q))``
    (``scale = 1/Q'(1)`` for a channel; ``2 E c`` for the finite-K committee)."""
    return -alpha * scale / 2 * GaussE(Relu(kappa - z) ** 2, z, [(kappa, 0)])


CHANNELS = {name: Channel(name) for name in ("relu", "sign", "linear")}
ACTIVATIONS = tuple(CHANNELS)


def channel(activation: str) -> Channel:
    """The channel called ``activation`` (one of :data:`ACTIVATIONS`)."""
    return CHANNELS[_validate.choice("activation", activation, ACTIVATIONS)]


# ------------------------------------------------------------------------ builders


def storage_free_entropy(prior_: Prior, energetic: sp.Expr, conjugate: sp.Expr, name: str, *,
                         params: tuple = (alpha, kappa), observables=None) -> FreeEntropy:
    """RS free entropy of random-pattern storage: ``prior.entropic() + energetic``.

    Parameters
    ----------
    prior_ : Prior
    energetic : sympy expression
        The energetic term in ``q``, e.g. :meth:`Channel.energetic`.
    conjugate : sympy expression
        ``qhat`` as a function of ``q`` from the stationarity of the energetic term
        (``-2 d(energetic)/dq``, or a form of it without derivatives of the integrand:
        :meth:`Channel.conjugate`): with the prior's ``q(qhat)`` it is the fixed-point
        map of the RS equations; a prior that eliminates ``qhat`` (spherical) turns it
        into ``q = R/(1 + R)``, ``R = qhat (1 - q)``, and into the observable ``qhat``.
    name : str
    params : tuple of Symbol
        External parameters (default ``alpha, kappa``).
    observables : dict, optional
        Added to ``entropy`` and ``distance = (1 - q)/2`` (e.g.
        :func:`perceptron_replicon`, or a committee's ``Q``).

    References
    ----------
    Gardner (1988), eq. (27); Gardner and Derrida (1988), eq. (17).
    """
    expr = prior_.entropic() + energetic
    extra = {"entropy": expr, "distance": (1 - q) / 2, **(observables or {})}
    if qhat not in prior_.order:
        ratio = conjugate * (1 - q)
        extra["qhat"] = conjugate  # the conjugate of q, eliminated
        fixed_point = {q: ratio / (1 + ratio)}
    else:
        fixed_point = {q: prior_.fixed_point_q(), qhat: conjugate}
    return FreeEntropy(name=name, expr=expr, order=prior_.order, params=params,
                       observables=extra, fixed_point=fixed_point, domains=prior_.domains())


def perceptron_replicon(prior_: Prior) -> sp.Expr:
    """RS stability (replicon) eigenvalue of the perceptron's storage saddle:
    ``1 - alpha/(1 - q)^2 E[(d^2 ln H)^2] E[(<w^2> - <w>^2)^2]``; RS is locally stable
    while it is positive.

    References
    ----------
    J. R. L. de Almeida and D. J. Thouless, J. Phys. A 11, 983 (1978); Gardner and
    Derrida, J. Phys. A 21, 271 (1988), sec. 4.
    """
    u, feature = CHANNELS["linear"].field()
    gh = GoverH(u)
    curvature = gh * (gh - u)  # second derivative of ln H((kappa - h)/sqrt(1-q)) in h, times (1 - q)
    return 1 - alpha / (1 - q) ** 2 * GaussE(curvature**2, z, [feature]) * prior_.susceptibility()


def q1_limit_free_entropy(prior_: Prior, energetic: sp.Expr, name: str) -> FreeEntropy:
    """Coefficient of ``1/(1 - q)`` of a storage free entropy as ``q -> 1``:
    ``prior.q1_entropic() + energetic`` (``energetic``: :meth:`Channel.q1_energetic` or
    :func:`q1_energetic`).  The RS branch reaches ``q = 1`` where its extremum vanishes
    (the spherical capacity; for binary weights the end of the RS branch, beyond the
    capacity).

    References
    ----------
    E. Gardner, J. Phys. A 21, 257 (1988), eqs. (31)-(33).
    """
    entropic, order, domains = prior_.q1_entropic()
    expr = entropic + energetic
    return FreeEntropy(name=name, expr=expr, order=order, params=(alpha, kappa),
                       observables={"coefficient": expr}, domains=domains)


def margin_moment(kappa_value: float) -> float:
    """``int_{-kappa}^inf Dt (t + kappa)^2 = (1 + kappa^2) H(-kappa) + kappa G(kappa)``."""
    k = float(kappa_value)
    return (1 + k**2) * float(special.H(-k)) + k * float(special.G(k))


def rs_branch_end(weights: str, activation: str = "linear", kappa_value: float = 0.0) -> float:
    """Closed-form load where the RS storage branch reaches ``q = 1`` (initial guesses).

    ``Q'(1) / int_{-kappa}^inf Dt (t + kappa)^2`` (spherical: Gardner's capacity, eq. 33),
    times ``2/pi`` (binary); ``inf`` for the sign committee.
    """
    scale = 2 / math.pi if weights == "binary" else 1.0
    return scale * channel(activation).slope / margin_moment(kappa_value)


def branch_q(alpha_value: float, end: float) -> float:
    """Overlap along the RS storage branch that reaches ``q = 1`` at load ``end``
    (initial guesses only).

    Finite ``end``: ``q ~ t (0.8 + 0.2 t^2)`` with ``t = alpha/end`` capped at 0.99,
    nearly independent of kappa.  ``end = inf`` (sign committee): ``q`` grows like the
    perceptron's at small load and ``1 - q ~ 128/(pi alpha)^2`` at large load (balance
    of ``1/(2 eps)`` against the ``eps^{-1/2}`` energetic term).
    """
    if math.isfinite(end):
        t_ = min(alpha_value / end, 0.99)
        return t_ * (0.8 + 0.2 * t_ * t_)
    return min(alpha_value / (2 + alpha_value), 1 - 128 / (math.pi * (4 + alpha_value)) ** 2)


def guess_from_q(q0: float, weights: str) -> dict:
    """Initial guess of the prior's order parameters for an overlap ``q0`` of the RS
    branch (:meth:`Prior.guess_from_q`)."""
    return prior(weights).guess_from_q(q0)
