"""Franz–Parisi potential of the binary perceptron: are typical solutions isolated?

A reference ``W~`` is drawn uniformly among the solutions (the Gardner measure); the
Franz–Parisi entropy counts the solutions ``W`` at normalised Hamming distance ``d``
from it::

    S_FP(d) = (1/N) E < ln sum_W X(W) delta(W . W~ - p N) >_{W~},   p = 1 - 2d.

Replica symmetric, with the reference's overlap ``Q`` and conjugate ``Qhat`` taken from
the Gardner saddle point, and for the constrained replicas the overlap ``q1`` among
themselves, ``t`` with the other references, their conjugates ``qhat1``, ``that`` and
the Lagrange multiplier ``phat`` of the distance::

    S_FP = extr [ -phat p + that t - qhat1 (1 - q1)/2
                  + E_z rho(z) E_w ln 2cosh( (that/sqrt(Qhat)) z + sqrt(qhat1 - that^2/Qhat) w + phat - that )
                  + alpha E_z E_v H(B)/H(u_z) ln H( (kappa - a z - sigma v)/sqrt(1 - q1) ) ]

with ``rho(z) = 1 + tanh(sqrt(Qhat) z)`` (the reference gauged to +1, weighted by its
cavity field), ``u_z = (kappa - sqrt(Q) z)/sqrt(1 - Q)``, ``a = t/sqrt(Q)``,
``b = (p - t)/sqrt(1 - Q)``, ``sigma^2 = q1 - a^2``, ``c^2 = q1 - a^2 - b^2`` and
``B = (u_z - (b/sigma) v) sigma / c`` (the probability that the reference satisfies
the pattern given the constrained replica's field).  For the perceptron the saddle is
solved in the widths ``q1_partial = c^2/(1 - a^2 - b^2)`` and ``qhat1_excess = qhat1 -
that^2/Qhat`` instead of ``q1, qhat1`` (:func:`franz_parisi_free_entropy`).

Large-K tree committee (``activation="relu"|"sign"``): the same formula with the
energetic overlaps ``Q, t, p, q1`` replaced by the kernel ``Q_K`` of each
(:func:`~replica.models.committee.kernel_pair`) and the reference's ``(Q, Qhat)`` from the
committee's Gardner saddle point.

Identities (tests): at the typical distance ``d = (1 - Q)/2`` the constrained replica is
just another typical solution and ``S_FP = s(alpha)``; ``S_FP -> 0`` as ``d -> 0``;
below a distance ``d_0`` the entropy is negative: typical solutions are isolated; at
small load ``S_FP = H2(d) + alpha E+[ln H((kappa - p x)/sqrt(1 - p^2))] + O(alpha^2)``,
``x`` the reference's field given that it satisfies the pattern
(:meth:`FranzParisi._small_load_start`, which also gives the saddle to first order).

References
----------
H. Huang and Y. Kabashima, Phys. Rev. E 90, 052813 (2014), arXiv:1408.1784 (the
potential and the isolation of typical solutions); H. Huang, K. Y. M. Wong and
Y. Kabashima, J. Phys. A 46, 375002 (2013), arXiv:1304.2850; S. Franz and G. Parisi,
J. Phys. I France 5, 1401 (1995) (the construction).  The formula above was derived in
this project in the package's conventions (the papers' bodies could not be consulted);
it passes the identities listed, checked in the tests.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import warnings
from dataclasses import dataclass

import numpy as np
import sympy as sp
from scipy import integrate

from .. import _validate
from ..quadrature import QuadratureOptions
from ..solve import SaddlePoint, solve
from ..errors import ConvergenceError, ConvergenceWarning, Reason
from ..special import G_over_H, log_H
from ..sweep import Curve, Homotopy, Threshold, continuation, find_parameter
from ..symbolic import LOG_POSITIVE, POSITIVE, UNIT, BinaryEntropy, Domain, FreeEntropy, GaussE, Log2Cosh, LogH
from . import committee, perceptron
from . import terms as T
from .base import ModelSpec

__all__ = ["FranzParisi", "franz_parisi_free_entropy", "franz_parisi_curve", "isolation_distance"]

# The perceptron's coordinates: widths of the integrands (see franz_parisi_free_entropy).
_q1_partial = T.symbol("q1_partial", "positive")
_qhat1_excess = T.symbol("qhat1_excess", "positive")


def _entropic(that, qhat1_excess):
    """Weights: field on a constrained replica, reference gauged to ``W~ = +1``; the random
    part of the field has variance ``qhat1 - that^2/Qhat`` (``qhat1_excess``)."""
    r = sp.sqrt(qhat1_excess)
    shift = (that / sp.sqrt(T.Qhat)) * T.z + T.phat - that
    rho = 1 + sp.tanh(sp.sqrt(T.Qhat) * T.z)
    return GaussE(
        rho * GaussE(Log2Cosh(shift + r * T.w), T.w, [(-shift / r, 1 / r)]),
        T.z,
        [(0, 1 / sp.sqrt(T.Qhat))],
    )


def _energetic(Q_out, Q_gap, a, b, sigma2, c2, q1_gap):
    """Patterns: constrained replica field ``a z + sigma v``, reference field ``u_z`` given
    ``z``; ``sigma^2 = b^2 + c^2`` and ``1 - q1`` (``q1_gap``) of the output fields."""
    sigma, c = sp.sqrt(sigma2), sp.sqrt(c2)
    u = (T.kappa - sp.sqrt(Q_out) * T.z) / sp.sqrt(Q_gap)
    B = (u - (b / sigma) * T.w) * sigma / c
    own = (T.kappa - a * T.z - sigma * T.w) / sp.sqrt(q1_gap)
    inner = GaussE(
        sp.exp(LogH(B) - LogH(u)) * LogH(own),
        T.w,
        [((T.kappa - a * T.z) / sigma, sp.sqrt(q1_gap) / sigma), (u * sigma / b, c / b)],
    )
    return T.alpha * GaussE(inner, T.z, [(T.kappa / sp.sqrt(Q_out), sp.sqrt(Q_gap / Q_out))])


def _observables(expr):
    return {
        "entropy": expr,
        "local_entropy": expr,  # the local entropy around a typical solution
        "H2": BinaryEntropy(T.d),
        "slope": sp.diff(expr, T.d),  # dS_FP/dd at the saddle (envelope theorem)
    }


@functools.lru_cache(maxsize=None)
def franz_parisi_free_entropy(activation: str = "linear") -> FreeEntropy:
    """RS Franz–Parisi entropy (see the module docstring).

    Parameters ``alpha, d, kappa`` and the reference's ``Q, Qhat``.

    ``activation="linear"``, the binary perceptron: order parameters ``phat, t, that``,
    ``q1_partial`` and ``qhat1_excess``.  The constrained replicas' overlap ``q1`` lies
    in ``(q_L, 1)``, ``q_L = a^2 + b^2`` being the part of a constrained replica's field
    explained by the reference and the other references; ``q1_partial = (q1 - q_L)/(1 -
    q_L)`` is the overlap partialled on them, in ``(0, 1)``, and ``qhat1_excess = qhat1 -
    that^2/Qhat > 0``.  These are the widths of the integrands (``c^2 = (1 - q_L)
    q1_partial`` and ``1 - q1 = (1 - q_L)(1 - q1_partial)``, and the variance of the
    random field on the weights), which vanish like ``(p - Q)^2`` at the typical distance
    (``c^2``, ``qhat1_excess``) or at the small-``d`` end of the branch (``1 - q1``): as
    order parameters they are box-constrained and never differences of O(1) numbers,
    so that a continuation step cannot leave the domain of the integrands and the saddle
    stays well posed next to ``d_typ``.  ``1 - q_L`` is computed without cancellation, as
    ``[4 Q (1-Q) d - (1-Q) tau^2 - Q (2d + tau)^2] / (Q (1-Q))`` with ``tau = t - Q`` (it
    is ~4d at small d).  ``phat`` is positive on every curve computed (from 0.06 at
    alpha = 0.3, d = 1/2, to 450 at the collapse at alpha = 0.7) and is stepped in
    ``ln(1 + phat)``, which follows its divergence at the collapse (the 100-point
    alpha = 0.7 curves: 3.0 s instead of 4.3-5.0 s with ``phat`` on the real line).
    Observables ``q1`` and ``qhat1`` give the overlaps.

    ``"relu"`` or ``"sign"``: the large-K tree committee with binary weights, order
    parameters ``phat, t, that, q1, qhat1``: its patterns see the output fields,
    jointly Gaussian with covariances ``Q_K(.)`` of the hidden-field overlaps
    (:func:`~replica.models.committee.kernel_pair`), so the energetic term is the
    perceptron's with ``Q, t, p, q1`` replaced by ``Q_K(Q), Q_K(t), Q_K(p), Q_K(q1)``; the
    entropic term, which counts the weights, is unchanged.  (The perceptron's coordinates
    would need ``Q_K^{-1}``, which has no closed form for ReLU.)

    References
    ----------
    Huang & Kabashima, PRE 90, 052813 (2014), arXiv:1408.1784, Sec. III (RS Franz–Parisi
    potential); derivation: docs/derivations/franz_parisi.md;
    Baldassi, Malatesta & Zecchina, PRL 123, 170602 (2019), arXiv:1907.07578 (the
    committee, through the large-K kernel).
    """
    p = 1 - 2 * T.d
    if activation == "linear":
        tau = T.t - T.Q
        one_minus_qL = (4 * T.Q * (1 - T.Q) * T.d - (1 - T.Q) * tau**2 - T.Q * (2 * T.d + tau) ** 2) / (T.Q * (1 - T.Q))
        c2 = one_minus_qL * _q1_partial
        q1_gap = one_minus_qL * (1 - _q1_partial)
        b = (p - T.t) / sp.sqrt(1 - T.Q)
        qhat1 = _qhat1_excess + T.that**2 / T.Qhat
        energetic = _energetic(T.Q, 1 - T.Q, T.t / sp.sqrt(T.Q), b, b**2 + c2, c2, q1_gap)
        expr = -T.phat * p + T.that * T.t - qhat1 * q1_gap / 2 + _entropic(T.that, _qhat1_excess) + energetic
        return FreeEntropy(
            name="franz-parisi",
            expr=expr,
            order=(T.phat, T.t, T.that, _q1_partial, _qhat1_excess),
            params=(T.alpha, T.d, T.kappa, T.Q, T.Qhat),
            observables={**_observables(expr), "q1": 1 - q1_gap, "qhat1": qhat1},
            domains={T.phat: POSITIVE, T.t: Domain(-1.0, 1.0), _q1_partial: UNIT, _qhat1_excess: POSITIVE},
        )
    Q_out, Q_gap = committee.kernel_pair(activation, T.Q)
    q1_out, q1_gap = committee.kernel_pair(activation, T.q1)
    t_out = committee.kernel_pair(activation, T.t)[0]
    p_out = committee.kernel_pair(activation, p)[0]
    a = t_out / sp.sqrt(Q_out)
    b = (p_out - t_out) / sp.sqrt(Q_gap)
    energetic = _energetic(Q_out, Q_gap, a, b, q1_out - a**2, q1_out - a**2 - b**2, q1_gap)
    entropic = _entropic(T.that, T.qhat1 - T.that**2 / T.Qhat)
    expr = -T.phat * p + T.that * T.t - T.qhat1 * (1 - T.q1) / 2 + entropic + energetic
    return FreeEntropy(
        name=f"franz-parisi-committee-{activation}",
        expr=expr,
        order=(T.phat, T.t, T.that, T.q1, T.qhat1),
        params=(T.alpha, T.d, T.kappa, T.Q, T.Qhat),
        observables=_observables(expr),
        domains={T.t: Domain(-1.0, 1.0), T.q1: UNIT, T.qhat1: LOG_POSITIVE},
    )


_QUADRATURE = QuadratureOptions(n_hermite=80)


def _D_STEP(d: float) -> float:
    """Continuation steps in d: geometric towards d -> 0, at most 0.05."""
    return min(0.25 * d + 1e-4, 0.05)


# Small load: below this overlap Q of the reference (alpha ~ 0.1 at kappa = 0) the
# perceptron's saddle is started from its alpha -> 0 expansion (_small_load_start).
_SMALL_LOAD_Q = 0.07


@functools.lru_cache(maxsize=256)
def _pattern_moments(p: float, kappa: float) -> tuple[float, float, float, float]:
    """Averages over the reference's field ``x`` given that it satisfies the pattern.

    With ``E+[f] = int_kappa^inf Dx f(x) / H(kappa)``, ``s = sqrt(1 - p^2)`` and
    ``g(m) = ln H((kappa - m)/s)`` (the log-probability that a constrained replica at
    overlap ``p`` satisfies the pattern when the reference's field is ``x`` and ``m = p x``),
    returns ``(E+[g], E+[g'], Var+[g']/p^2, r)`` at ``m = p x``, ``r = G(kappa)/H(kappa)``.
    ``Var+[g']/p^2`` is computed two-pass (no cancellation), its ``p -> 0`` limit
    ``r^2 (r - kappa)^2 (1 + kappa r - r^2)`` below ``p = 1e-6``.
    """
    s = math.sqrt((1.0 - p) * (1.0 + p))
    r = float(G_over_H(kappa))
    log_norm = float(log_H(kappa)) + 0.5 * math.log(2.0 * math.pi)
    hi = kappa + 12.0  # the weight is below 1e-31 of its maximum beyond

    def g1(x):
        return float(G_over_H((kappa - p * x) / s)) / s

    points = []
    if p > 0:  # g changes over a width s/p around x = kappa/p
        c, w = kappa / p, s / p
        points = sorted({min(max(v, kappa), hi) for v in (c - 10 * w, c - w, c, c + w, c + 10 * w)} - {kappa, hi})

    def E(f):
        return integrate.quad(lambda x: math.exp(-0.5 * x * x - log_norm) * f(x), kappa, hi,
                              points=points or None, epsabs=1e-15, epsrel=1e-12, limit=400)[0]

    ln_p = E(lambda x: float(log_H((kappa - p * x) / s)))
    m1 = E(g1)
    if p > 1e-6:
        g_k = g1(kappa)
        mean = (m1 - g_k) / p
        var = E(lambda x: ((g1(x) - g_k) / p - mean) ** 2)
    else:
        var = r * r * (r - kappa) ** 2 * (1.0 + kappa * r - r * r)
    return ln_p, m1, var, r


@functools.lru_cache(maxsize=64)
def _capacity(kappa: float, activation: str = "linear") -> float:
    if activation == "linear":
        return perceptron.capacity("binary", kappa).alpha_c
    return committee.capacity(activation, "binary", kappa).alpha_c


def _check(alpha, d, kappa, activation="linear"):
    _validate.choice("activation", activation, committee.ACTIVATIONS)
    _validate.real("kappa", kappa, lower=0.0)
    _validate.real("alpha", alpha, lower=0.0, upper=_capacity(float(kappa), activation), lower_open=True,
                   upper_open=True)
    _validate.real("d", d, lower=0.0, upper=0.5, lower_open=True)


@dataclass(frozen=True)
class FranzParisi(ModelSpec):
    """Franz–Parisi entropy at distance ``d`` from a typical solution, binary weights.

    Parameters
    ----------
    alpha : float
        Load, in ``(0, alpha_c(kappa))`` (typical solutions exist).
    d : float
        Normalised Hamming distance, in ``(0, 1/2]``.
    kappa : float
        Margin, ``>= 0``.
    activation : {"linear", "relu", "sign"}
        ``"linear"`` (default): the binary perceptron.  ``"relu"``, ``"sign"``: the
        large-K tree committee with binary weights and that hidden activation
        (:class:`~replica.models.committee.LargeKCommittee`); ``alpha`` is then ``P/N``
        with ``N`` all the weights and ``d`` the Hamming distance per weight.

    Observables: ``entropy`` and ``local_entropy`` (both ``S_FP``), ``H2`` (the bound ``H2(d)``), ``slope``
    (``dS_FP/dd``); for the perceptron also ``q1`` and ``qhat1`` (its order parameters are
    the widths ``q1_partial``, ``qhat1_excess``, see :func:`franz_parisi_free_entropy`).
    ``typical_distance`` is ``(1 - Q)/2``.

    Examples
    --------
    >>> from replica import FranzParisi, solve
    >>> sp = solve(FranzParisi(alpha=0.5, d=0.1))
    >>> sp.success, round(sp["entropy"], 6)
    (True, 0.164659)
    """

    alpha: float
    d: float
    kappa: float = 0.0
    activation: str = "linear"

    def __post_init__(self):
        _check(self.alpha, self.d, self.kappa, self.activation)

    @property
    def quadrature(self) -> QuadratureOptions | None:
        """Default rules of the perceptron: 80 Gauss–Hermite nodes instead of 120 (the
        smooth integrands converge long before: over the four 100-point benchmark curves
        S_FP moves by at most 2e-13 from 120 nodes, and the refined-rule error estimate
        stays below 1e-8), about 1.5 times faster.  Committees: the engine's default."""
        return _QUADRATURE if self.activation == "linear" else None

    def free_entropy(self) -> FreeEntropy:
        return franz_parisi_free_entropy(self.activation)

    @property
    def reference(self) -> SaddlePoint:
        return committee.typical_saddle(float(self.alpha), float(self.kappa), self.activation)

    @property
    def typical_distance(self) -> float:
        return (1.0 - self.reference.order["q"]) / 2.0

    def parameter_values(self):
        ref = self.reference
        return (float(self.alpha), float(self.d), float(self.kappa), ref.order["q"], ref.order["qhat"])

    def _near_typical(self, d: float) -> dict:
        """Start close to the typical distance, where the saddle tends to the Gardner point.

        There ``t = Q``, ``phat = that = qhat1 = Qhat``; nearby the two widths
        ``c^2 = q1 - a^2 - b^2`` and ``qhat1 - that^2/Qhat`` open up with ``|p - Q|``
        (for the perceptron both are ``~(p - Q)^2/4``, measured at alpha = 0.3 ... 0.7).
        At small load this start is wrong by orders of magnitude (the widths are
        ``~0.15 alpha (p - Q)^2``): the perceptron then starts from
        :meth:`_small_load_start` instead.
        """
        Q, Qh = self.reference.order["q"], self.reference.order["qhat"]
        eps = abs((1 - 2 * d) - Q)
        if self.activation == "linear":
            width = max(eps**2 / 4, 1e-300)
            one_minus_qL = 4 * d * (1 - Q - d) / (1 - Q)  # at t = Q
            return {"phat": Qh, "t": Q, "that": Qh, "q1_partial": width / one_minus_qL, "qhat1_excess": width}
        b2 = eps**2 / (1 - Q)
        return {"phat": Qh, "t": Q, "that": Qh, "q1": Q + b2 + 0.5 * eps, "qhat1": Qh + 0.05 * eps}

    @property
    def _small_load(self) -> bool:
        """The perceptron at small load (reference overlap ``Q <= 0.07``, ``alpha <~ 0.1``
        at ``kappa = 0``): started from :meth:`_small_load_start` at every ``d``."""
        return self.activation == "linear" and self.reference.order["q"] <= _SMALL_LOAD_Q

    def _small_load_start(self, d: float) -> dict:
        """The perceptron's saddle at distance ``d`` to first order in the load.

        As ``alpha -> 0`` (``Qhat = alpha r^2 + O(alpha^2)``, ``Q = Qhat + O(alpha^2)``,
        ``r = G(kappa)/H(kappa)``) the constrained replica is the reference with a
        fraction ``d`` of its weights flipped at random, ``phat -> atanh(p)``, and every
        other order parameter is ``O(alpha)``.  Expanding the saddle-point equations
        (the entropic term to second order in ``that``, ``qhat1``, ``Qhat``; the energetic
        term at ``Q = t = 0``, ``q1 = p^2``, where ``c^2 -> 0`` and the average over the
        reference becomes ``E+``, see :func:`_pattern_moments`) gives, with
        ``g(m) = ln H((kappa - m)/sqrt(1 - p^2))`` at ``m = p x``::

            qhat1 = alpha E+[g'^2],   that = alpha r E+[g'],   qhat1 - that^2/Qhat = alpha Var+[g'],
            phat = atanh(p) + p qhat1,   t = p Qhat + that (1 - p^2),   q1 = p^2 + (1 - p^2)^2 qhat1,
            q1_partial = (1 - p^2)(qhat1 - that^2/Qhat),
            S_FP = H2(d) + alpha E+[g] + O(alpha^2)

        (``E+[g]`` is the log-probability that a solution's neighbour at distance ``d``
        satisfies a pattern: ``ln H(kappa)`` at ``p = 0``).  The corrections are relative
        ``O(alpha)`` at fixed ``p`` (measured at alpha = 1e-3, d = 0.2: <= 2e-3; the next
        term of ``S_FP`` is ``alpha^2 S2(d)``, ``S2 = -0.27 ... -0.07`` for d = 0.45 ... 0.05,
        -0.30 at d = 1/2); the widths vanish like ``p^2`` as ``p -> 0``.  Next to ``d_typ`` (``|p - Q| ~ alpha``)
        they vanish like ``(p - Q)^2`` instead, and ``phat, t, that`` tend to ``Qhat, Q,
        Qhat``: the widths are taken as ``alpha (Var+[g']/p^2) (p - Q)^2``, ``that`` is
        normalised by its value at ``p = Q``, and ``phat``, ``t`` are shifted by their
        ``O(alpha^2)`` mismatch at ``p = Q``, so that the start equals the Gardner point at
        ``d_typ`` (at alpha = 0.05, d = 0.45 the errors of ``q1_partial``, ``qhat1_excess`` drop
        from +64%, +93% to -19%, -5%; at ``d = 1/2`` the start's ``phat ~ Qhat^2`` stays
        positive, where ``atanh(p) + p qhat1`` would be 0).  Newton converges from it in 2-10
        iterations for alpha <= 0.1 and 1e-3 <= d <= 1/2, unchanged with the start
        multiplied by 1 +- 1e-12, 1 + 1e-9, 1 + 1e-6 or 1 + 1e-3 (issue 15).
        """
        Q, Qh = self.reference.order["q"], self.reference.order["qhat"]
        kappa = float(self.kappa)
        p = 1.0 - 2.0 * d
        _, m1, var, r = _pattern_moments(p, kappa)
        that = Qh * m1 / _pattern_moments(Q, kappa)[1]
        excess = max(Qh * var / (r * r) * (p - Q) ** 2, 1e-300)
        qhat1 = excess + that**2 / Qh
        phat = math.atanh(p) + p * qhat1 + (Qh - math.atanh(Q) - Q * Qh)
        t = p * Qh + that * (1.0 - p * p) + (Q - Q * Qh - Qh * (1.0 - Q * Q))
        return {"phat": max(phat, 1e-300), "t": t, "that": that,
                "q1_partial": min((1.0 - p * p) * excess, 0.5), "qhat1_excess": excess}

    def initial_guess(self):
        """Close to the typical distance, the ansatz there; else a homotopy in ``d`` from it.
        The perceptron at small load: its small-load expansion, at any ``d``."""
        if self._small_load:
            return self._small_load_start(self.d)
        d_typ = self.typical_distance
        if abs(self.d - d_typ) <= 0.02:
            return self._near_typical(self.d)
        anchor = d_typ - 0.015 if self.d < d_typ else min(d_typ + 0.015, 0.5)
        path = np.geomspace(anchor, self.d, 16) if self.d < d_typ else np.linspace(anchor, self.d, 8)
        return Homotopy(dataclasses.replace(self, d=anchor), "d", path, init=self._near_typical(anchor),
                        max_step=_D_STEP)


def _collapse_distance(good) -> float | None:
    """Where ``1 - q1`` extrapolates to zero: a quadratic in ``d`` through the last three
    converged points (a secant through two), its root below the last one, or None."""
    pts = [(p.params.d, 1.0 - p["q1"]) for p in good[-3:]]
    ds = [d for d, _ in pts]
    if len(pts) < 2 or any(b >= a for a, b in zip(ds, ds[1:])):
        return None
    coeffs = np.polyfit(ds, [g for _, g in pts], len(pts) - 1)
    roots = [r.real for r in np.roots(coeffs) if abs(r.imag) < 1e-12 and 0.0 < r.real < ds[-1]]
    return max(roots) if roots else None


def _branch_end(good, failed: SaddlePoint) -> tuple[Reason, str] | None:
    """Why the RS branch stops towards small ``d``, if it does.

    Deep in the region ``S_FP < 0`` the constrained replicas collapse onto each other,
    ``q1 -> 1`` at a finite distance (as the Gardner RS branch reaches ``q -> 1`` at
    ``alpha = 4/pi`` with negative entropy); below it there is no RS saddle point.
    The evidence, at a failed point ``d_f``: at the last converged point ``1 - q1`` is
    below ``d`` (it is ~2d along the rest of the branch) and its quadratic extrapolation
    through the last three points vanishes above ``d_f``, with a margin of half the
    remaining distance.  (``1 - q1`` is convex in ``d`` on the way there: the extrapolated
    zero lies above the true one, measured 0.00202 against 0.00193 at alpha = 0.7 from
    points 5e-4 apart; the margin keeps a point before the end from being declared
    beyond it.)
    """
    last = good[-1]
    d = last.params.d
    gap = 1.0 - last["q1"]
    d_end = _collapse_distance(good) if gap < d else None
    if d_end is not None and failed.params.d < d_end - 0.5 * (d - d_end):
        return Reason.END_OF_BRANCH, (f"no RS saddle point: the RS branch ends below d = {d:.4g}, where q1 -> 1 "
                f"(1 - q1 = {gap:.2g}, extrapolating to 0 at d = {d_end:.3g}) with S_FP = {last['entropy']:.4g} < 0")
    return None


def franz_parisi_curve(alpha: float, d_values, *, kappa: float = 0.0, activation: str = "linear",
                       **solve_kwargs) -> Curve:
    """``S_FP(d)`` over ``d_values`` by continuation outwards from the typical distance.

    The points below and above ``d_typ`` are followed separately (each from a start
    next to ``d_typ``); the returned curve lists them in the order of ``d_values``.
    Points where no saddle point is found carry ``success=False`` and the reason.
    ``activation`` as in :class:`FranzParisi` (``"linear"``: the perceptron).

    The perceptron at small load (``Q <= 0.07``, alpha <~ 0.1): each side starts at its
    value nearest to ``d_typ``, from the small-load expansion of the saddle
    (:meth:`FranzParisi._small_load_start`), which is also the restart of any value
    the continuation misses (unless the branch has ended before it).
    """
    d_values = np.asarray(d_values, dtype=float)
    for v in d_values:
        _check(alpha, v, kappa, activation)
    spec = FranzParisi(alpha=alpha, d=float(d_values[0]), kappa=kappa, activation=activation)
    d_typ = spec.typical_distance
    points: dict[int, SaddlePoint] = {}
    for side in (-1, 1):
        idx = [i for i, v in enumerate(d_values) if (v < d_typ if side < 0 else v >= d_typ)]
        if not idx:
            continue
        idx.sort(key=lambda i: abs(d_values[i] - d_typ))  # outwards from d_typ
        if spec._small_load:
            for i, pt in zip(idx, _small_load_side(spec, [float(d_values[i]) for i in idx], side, solve_kwargs)):
                points[i] = pt
            continue
        start = d_typ + side * min(0.015, 0.5 * abs(d_values[idx[0]] - d_typ) + 1e-3)
        start = min(max(start, 1e-6), 0.5)
        values = [start] + [float(d_values[i]) for i in idx]
        start_spec = dataclasses.replace(spec, d=start)
        curve = continuation(
            start_spec, "d", values, init=start_spec._near_typical(start), max_step=_D_STEP,
            end_of_branch=_branch_end if side < 0 else None,
            # In the perceptron's coordinates a failed step is not rescued by a restart
            # from the last point (0 of 16 on the benchmark curves): skip it.  The
            # committee's (q1, qhat1) need it next to d_typ, where an extrapolated start
            # can leave the implicit domain c^2 > 0.
            retry_from_last=activation != "linear", **solve_kwargs,
        )
        for i, pt in zip(idx, curve.points[1:]):
            points[i] = pt
    return Curve(param="d", values=d_values, points=tuple(points[i] for i in range(len(d_values))))


def _small_load_side(spec: FranzParisi, values: list, side: int, solve_kwargs: dict) -> list:
    """One side of a small-load perceptron curve (``values`` outwards from ``d_typ``).

    Continuation from the small-load start at ``values[0]``; a value it misses (not past
    the end of the branch) is solved once more from its own small-load start.  Warnings
    (and ``strict``) apply to the final result only.
    """
    kwargs = dict(solve_kwargs)
    strict = kwargs.pop("strict", False)
    first = dataclasses.replace(spec, d=values[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        curve = continuation(first, "d", values, init=first._small_load_start(values[0]), max_step=_D_STEP,
                             end_of_branch=_branch_end if side < 0 else None, retry_from_last=False, **kwargs)
        out = list(curve.points)
        for k, (v, pt) in enumerate(zip(values, out)):
            if not pt.success and pt.reason is not Reason.END_OF_BRANCH:
                again = solve(dataclasses.replace(spec, d=v), init=spec._small_load_start(v), **kwargs)
                out[k] = again if again.success else pt
    for v, pt in zip(values, out):
        if not pt.success:
            if strict:
                raise ConvergenceError(f"continuation failed at d={v}: {pt.message}", pt)
            warnings.warn(f"continuation: no saddle point at d={v:g}: {pt.message}", ConvergenceWarning, stacklevel=3)
    return out


def isolation_distance(alpha: float, *, kappa: float = 0.0, activation: str = "linear",
                       **solve_kwargs) -> Threshold:
    """The distance ``d_0`` below which ``S_FP(d) < 0``: no solution is that close to a
    typical one (Huang & Kabashima 2014).

    Found on the branch followed from the typical distance, by a secant/bisection search
    on ``d`` started from a coarse scan.  ``activation`` as in :class:`FranzParisi`.
    """
    _check(alpha, 0.25, kappa, activation)
    grid = np.geomspace(0.3, 1e-4, 28)
    spec = FranzParisi(alpha, 0.25, kappa, activation)
    d_typ = spec.typical_distance
    grid = grid[grid < d_typ]
    curve = franz_parisi_curve(alpha, grid, kappa=kappa, activation=activation, **solve_kwargs)
    s = curve.column("entropy")
    for i in range(1, len(grid)):
        if not s.mask[i - 1] and not s.mask[i] and s[i - 1] > 0 >= s[i]:
            lo, hi = grid[i], grid[i - 1]
            start = curve.points[i]
            return find_parameter(
                dataclasses.replace(spec, d=float(0.5 * (lo + hi))), "d", observable="entropy",
                target=0.0, bracket=(lo, hi), init=start, xtol=1e-10, **solve_kwargs,
            )
    raise ValueError(f"no zero crossing of S_FP found for alpha={alpha} on d in [1e-4, {d_typ:.3g}]")
