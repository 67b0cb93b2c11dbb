"""Large-K tree committee, spherical weights: RS stability and the 1RSB capacity.

Setting and conventions are those of :mod:`replica.models.committee` (``alpha = P/N`` with
``N`` all the weights, output overlap ``Q(q)`` of the per-unit overlap ``q``,
activations relu / sign / linear; ``"linear"`` is the spherical perceptron).  The margin
``kappa`` may be any real number here: the negative perceptron (``linear``, ``kappa < 0``)
is the reference case with a known AT line and a non-trivial 1RSB capacity.

Kernel reduction for several replicas
-------------------------------------
At large K the output fields of ``n`` replicas are jointly Gaussian, unit variance,
covariances ``Q(q_ab)``.  Every energetic term is the perceptron's with each ``q_ab``
replaced by ``Q(q_ab)``; the entropic term (one sphere per hidden unit) is unchanged.
With ``G_S(q) = (1/2) ln det q`` (entropic, per weight) and
``G_E(Q) = ln E_{lambda ~ N(0, Q)} prod_a theta(lambda_a - kappa)`` (energetic, per pattern)
the replicated free entropy is ``G_S({q_ab}) + alpha G_E({Q(q_ab)})``.

1. Replicon (de Almeida-Thouless) of the RS solution
----------------------------------------------------
Perturb the RS matrix by ``delta q_ab`` in the replicon sector (symmetric, zero
diagonal, ``sum_b delta q_ab = 0``), and write the second variation as
``sum_{a<b} c_R delta q_ab^2``.

* Entropic: ``d^2 ln det M = -tr(M^-1 dM M^-1 dM)`` and in the replicon sector
  ``M^-1 dM = dM/(1-q)`` (the all-ones part of ``M^-1`` is killed by the zero row sums),
  so ``(1/2) ln det`` contributes ``-1/(2 (1-q)^2)`` to ``c_R``.
* Energetic, in ``Q``: with ``f(h) = H((kappa - h)/sqrt(1-Q))`` the single-replica
  partition function at the cavity field ``h = sqrt(Q) z``, ``d/dQ_ab E[F] = E[d_a d_b F]``
  gives the fourth-order cumulants ``P`` (same pair), ``Q_1`` (one shared replica), ``R``
  (disjoint pairs); the replicon combination is
  ``P - 2 Q_1 + R = E_z[(d^2_h ln f)^2]`` (n -> 0), a contribution
  ``(1/2) E_z[(d^2_h ln f)^2]`` per ``delta Q_ab^2``.
* The chain rule ``delta Q_ab = Q'(q) delta q_ab + Q''(q) delta q_ab^2 / 2``: the first
  term squares to ``Q'^2`` times the above; the second multiplies the *first* derivative
  ``d G_E/d Q_ab = E_z[(d_h ln f)^2]`` (the same for every pair, so it is proportional to
  the identity in pair space and enters the replicon too).  The perceptron has no such
  term; for the committee it is the dominant one near ``q -> 1`` (``Q''`` diverges).

With ``u = (kappa - sqrt(Q) z)/sqrt(1 - Q)``, ``g = G(u)/H(u)``:
``d_h ln f = g/sqrt(1-Q)``, ``d^2_h ln f = -g (g - u)/(1-Q)``, hence, normalised as the
perceptron's replicon in :mod:`replica.models.perceptron` (RS locally stable while > 0)::

    lambda_R = 1 - alpha (1-q)^2 [ Q'(q)^2 E[(g (g - u))^2] / (1-Q)^2
                                   + Q''(q) E[g^2] / (1-Q) ]

Linear kernel: ``1 - alpha E[(g(g-u))^2]``, Gardner-Derrida's condition.  At the RS
saddle point (``q/(1-q)^2 = alpha Q' E[g^2]/(1-Q)``) the ``Q''`` term equals
``q Q''(q)/Q'(q)``.  As ``q -> 1`` along the RS branch ``E[(g(g-u))^2] -> H(-kappa)`` and
``(1-q) Q'/(1-Q) -> 1``, so ``lambda_R -> 1 - lim q Q''/Q' - alpha_RS H(-kappa)``:

* linear: ``1 - H(-kappa) / int_{-kappa}^inf Dt (t+kappa)^2``, which is ``> 0`` for
  ``kappa > 0``, ``= 0`` at ``kappa = 0`` (marginal exactly at capacity) and ``< 0`` for
  ``kappa < 0`` (the AT line lies below the RS capacity), as known since Gardner &
  Derrida (1988);
* relu: ``Q''/Q' ~ 1/(pi sqrt(2 (1-q)))`` diverges, so RS is always unstable before the
  RS capacity ``2 pi/(pi - 1)``: :func:`at_line` finds where;
* sign: ``q Q''/Q' = q^2/(1-q^2)`` exceeds 1 at ``q > 1/sqrt 2``: unstable at finite load.

2. 1RSB free entropy and its q1 -> 1 limit
------------------------------------------
Spherical 1RSB (``q0 < q1``, Parisi parameter ``m``, ``Q_i = Q(q_i)``)::

    phi = (1/2)[ ln(1-q1) + (1/m) ln(1 + m (q1-q0)/(1-q1)) + q0/(1 - q1 + m (q1-q0)) ]
          + (alpha/m) E_{z0} ln E_{z1} H((kappa - sqrt(Q0) z0 - sqrt(Q1-Q0) z1)/sqrt(1-Q1))^m

SAT/UNSAT scaling: ``eps = 1 - q1 -> 0`` with ``m = mu eps``.  With ``Q'(1)`` finite,
``1 - Q1 ~ Q'(1) eps`` (relu: the correction is ``O(eps^{3/2})``) and
``m ln H(x/sqrt(1-Q1)) -> -(mu/(2 Q'(1))) x_+^2``, so ``phi ~ C(q0, mu)/eps`` with::

    C = (1/2)[ ln(1 + mu (1-q0))/mu + q0/(1 + mu (1-q0)) ]
        + (alpha/mu) E_{z0} ln E_{z1} exp(-(a/2) (t - c z1)_+^2),
    a = mu/Q'(1),  c = sqrt(1 - Q0),  t = kappa - sqrt(Q0) z0.

Closed form of the inner expectation (complete the square on ``z1 < t/c``), with
``s = sqrt(1 + a c^2)``::

    E_{z1} exp(-(a/2)(t - c z1)_+^2) = H(t/c) + exp(-a t^2/(2 s^2)) H(-t/(c s)) / s

(``a = 0`` gives ``H + H(-.) = 1``); it is evaluated as a log-sum-exp of
``ln H(t/c)`` and ``-a t^2/(2 s^2) - ln s + ln H(-t/(c s))``.  The nested-quadrature
form (``form="nested"``) is kept as a cross-check: it agrees to ~1e-15 at moderate
``mu`` and loses ~1e-8 at ``mu ~ 40`` (the tilted inner mass sits at
``z1 = a c t/(1 + a c^2)``, outside the composite rule's ``[-10, 10]`` for ``z0 < -6``).

Limits: ``mu -> 0`` and ``q0 -> 1`` both give the RS coefficient
``C_RS = 1/2 - alpha int_{-kappa}^inf Dt (t+kappa)^2 / (2 Q'(1))`` (and ``q0 -> 1`` with
``mu (1-q0) = nu`` fixed gives ``C_RS/(1+nu)``); ``mu -> inf`` at fixed ``q0 < 1`` gives
``C -> 0+`` (the entropic ``ln(mu)/(2 mu)`` wins).

Extremisation direction.  ``m phi = Phi(m) = (1/N) E ln sum_states V^m`` and
``d phi/dm = -Sigma/m^2``: ``phi`` is *minimised* over ``m`` (as over the overlaps, the
n -> 0 inversion; the Parisi functional of a spherical model is an infimum and RS, a
special 1RSB point, bounds it from above).  In the scaling, ``mu C(mu) =
max_e [Sigma(e) - mu e]`` is the Legendre transform of the complexity of states of
"size" ``ln V = -e/eps``; solution clusters are ``e = 0`` and their complexity is
``Sigma(0) = min_mu mu C(mu)``.  Hence SAT iff ``C(q0, mu) >= 0`` for every
``(q0, mu)``, and the 1RSB capacity is the load where the minimum of ``C`` over
``(q0, mu)`` reaches 0: there ``C = dC/dq0 = dC/dmu = 0`` (a stationary point of the
engine's theory :class:`OneRSBQ1Limit` with zero free entropy, found by
:func:`~replica.sweep.find_parameter`).  If the minimum sits on the degenerate boundary
(``mu -> 0`` or ``q0 -> 1``) the 1RSB capacity is the RS one.  Checks: for the linear
kernel at ``kappa >= 0`` ``C >= C_RS`` (1RSB = RS = 2 at ``kappa = 0``); for relu at
``kappa = 0`` an interior minimum appears: ``alpha_c^1RSB = 2.6642800566`` (at ``q0 = 0.75714``,
``mu = 16.6347``) < ``2 pi/(pi-1) = 2.93388``.

Computed values (default quadrature; node doubling and a wider range change them by < 1e-15):

=========  =======  ===============  ==============  ===============
activation  kappa   alpha_AT (RS)    alpha_c 1RSB    alpha_c RS
=========  =======  ===============  ==============  ===============
relu        0       1.7211968        2.6642801       2.9338844
relu        0.5                      1.3344210       1.4100323
sign        0       2.9878187        inf             inf
linear      0       none (marginal)  2 (= RS)        2
linear     -0.25    2.8537996        3.0252737       3.0329914
linear     -0.5     3.9507013        4.7001395       4.7700989
linear     -1       7.8735602        12.319634       13.273200
linear     -1.5     18.738079        36.566762       43.769402
=========  =======  ===============  ==============  ===============

Sign activation: ``1 - Q1 ~ (2/pi) sqrt(2 eps)``; with ``m = mu eps^gamma`` the energetic
part is ``O(eps^{-1/2})`` for ``gamma >= 1/2`` and ``O(eps^{-gamma})`` for ``gamma < 1/2``,
always dominated by the entropic ``(1-gamma) ln(1/eps)/(2 mu eps^gamma)`` (or ``1/(2 eps)``
type) positive divergence: ``phi`` never reaches ``-inf``, the large-K 1RSB capacity is
infinite (at finite K it grows like ``sqrt(ln K)``, Monasson & Zecchina 1995).

References
----------
J. R. L. de Almeida and D. J. Thouless, J. Phys. A 11, 983 (1978); E. Gardner and
B. Derrida, J. Phys. A 21, 271 (1988) (stability of the spherical RS solution);
S. Franz and G. Parisi, J. Phys. A 49, 145001 (2016), arXiv:1510.02703 and S. Franz,
G. Parisi, M. Sevelev, P. Urbani, F. Zamponi, SciPost Phys. 2, 019 (2017),
arXiv:1702.06919 (negative perceptron, jamming scaling ``m ~ 1 - q1``);
C. Baldassi, E. M. Malatesta and R. Zecchina, PRL 123, 170602 (2019), arXiv:1907.07578
(ReLU committee); B. L. Annesi, E. M. Malatesta and F. Zamponi, SciPost Phys. 18, 118
(2025), arXiv:2410.06717 (full-RSB capacity of the same models); R. Monasson and
R. Zecchina, PRL 75, 2432 (1995) (sign committee).  The derivations above are ours (summary: docs/derivations/committee_large_k.md §5).
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import sympy as sp
from scipy import special as _sc

from .. import _validate
from ..compile import compiled_theory
from ..quadrature import QuadratureOptions
from ..solve import SaddlePoint, solve
from ..sweep import find_parameter
from ..symbolic import LOG_POSITIVE, UNIT, FreeEntropy, GaussE, GoverH, LogAddExp, LogGaussE, LogH, Relu
from . import terms as T
from .base import ModelSpec
from .committee import ACTIVATIONS, LargeKCommittee, kernel_pair, kernel_slope

__all__ = [
    "stability_free_entropy",
    "SphericalCommitteeRS",
    "Replicon",
    "replicon",
    "ATLine",
    "at_line",
    "q1_limit_1rsb_free_entropy",
    "OneRSBQ1Limit",
    "OneRSBCapacity",
    "capacity_1rsb",
    "rs_capacity",
]

_mu = T.symbol("mu", "positive")  # the 1RSB Parisi parameter, rescaled (module docstring)


def _check(alpha, activation, kappa):
    _validate.real("alpha", alpha, lower=0.0)
    _validate.choice("activation", activation, ACTIVATIONS)
    _validate.real("kappa", kappa)


def rs_capacity(activation: str = "relu", kappa: float = 0.0) -> float:
    """Closed-form RS capacity ``Q'(1) / int_{-kappa}^inf Dt (t+kappa)^2`` (inf for sign)."""
    _check(1.0, activation, kappa)
    return kernel_slope(activation) / T.margin_moment(kappa)


# ------------------------------------------------------------------ 1. RS + replicon


@functools.lru_cache(maxsize=None)
def stability_free_entropy(activation: str) -> FreeEntropy:
    """RS spherical free entropy of the large-K committee with the replicon observable.

    The same theory as :func:`replica.models.committee.committee_free_entropy` for
    spherical weights, with a real (any sign) margin, and observables ``replicon`` (see
    the module docstring), ``replicon_qprime`` (the ``Q'^2`` term) and
    ``replicon_qsecond`` (the ``Q''`` term), ``Q``, ``entropy``.
    """
    _validate.choice("activation", activation, ACTIVATIONS)
    Q, one_minus_Q = kernel_pair(activation, T.q)
    dQ = sp.diff(Q, T.q)
    d2Q = sp.diff(Q, T.q, 2)
    u = (T.kappa - sp.sqrt(Q) * T.z) / sp.sqrt(one_minus_Q)
    feature = [(T.kappa / sp.sqrt(Q), sp.sqrt(one_minus_Q / Q))]
    gh = GoverH(u)
    gh2 = GaussE(gh**2, T.z, feature)
    curv2 = GaussE((gh * (gh - u)) ** 2, T.z, feature)
    expr = sp.log(1 - T.q) / 2 + T.q / (2 * (1 - T.q)) + T.alpha * GaussE(LogH(u), T.z, feature, integrate_by_parts=True)
    t_prime = T.alpha * (1 - T.q) ** 2 * dQ**2 * curv2 / one_minus_Q**2
    t_second = T.alpha * (1 - T.q) ** 2 * d2Q * gh2 / one_minus_Q
    ratio = T.alpha * dQ * gh2 * (1 - T.q) / one_minus_Q
    return FreeEntropy(
        name=f"committee-rs-stability-{activation}",
        expr=expr, order=(T.q,), params=(T.alpha, T.kappa),
        observables={"entropy": expr, "Q": Q, "replicon": 1 - t_prime - t_second,
                     "replicon_qprime": t_prime, "replicon_qsecond": t_second},
        fixed_point={T.q: ratio / (1 + ratio)}, domains={T.q: UNIT},
    )


@dataclass(frozen=True)
class SphericalCommitteeRS(ModelSpec):
    """RS large-K committee, spherical weights, any real margin, with the replicon.

    Same saddle point as ``LargeKCommittee(weights="spherical")`` (which requires
    ``kappa >= 0``); observables ``replicon``, ``replicon_qprime``, ``replicon_qsecond``.
    """

    alpha: float
    activation: str = "relu"
    kappa: float = 0.0

    def __post_init__(self):
        _check(self.alpha, self.activation, self.kappa)

    def free_entropy(self) -> FreeEntropy:
        return stability_free_entropy(self.activation)

    def initial_guess(self) -> dict:
        q0 = T.branch_q(self.alpha, rs_capacity(self.activation, self.kappa))
        return {"q": min(max(q0, 1e-3), 0.995)}


@dataclass(frozen=True)
class Replicon:
    """Replicon eigenvalue of the RS solution (RS locally stable while ``value > 0``).

    ``value = 1 - qprime_term - qsecond_term``; ``quad_error`` is the change of
    ``value`` under node doubling; ``saddle`` the RS saddle point it was evaluated at.
    """

    value: float
    qprime_term: float
    qsecond_term: float
    q: float
    alpha: float
    activation: str
    kappa: float
    quad_error: float
    success: bool
    message: str
    saddle: SaddlePoint

    def __float__(self):
        return float(self.value)

    @property
    def stable(self) -> bool:
        return self.value > 0


def _as_stability_spec(spec) -> SphericalCommitteeRS:
    if isinstance(spec, SphericalCommitteeRS):
        return spec
    if isinstance(spec, LargeKCommittee):
        if spec.weights != "spherical":
            raise ValueError("the replicon is implemented for spherical weights only")
        return SphericalCommitteeRS(alpha=spec.alpha, activation=spec.activation, kappa=spec.kappa)
    raise TypeError(f"expected LargeKCommittee, SphericalCommitteeRS or their SaddlePoint, got {type(spec).__name__}")


def replicon(spec_or_saddle, *, quad: QuadratureOptions | None = None, **solve_kwargs) -> Replicon:
    """Replicon eigenvalue of the RS spherical large-K committee.

    Parameters
    ----------
    spec_or_saddle : LargeKCommittee (spherical), SphericalCommitteeRS, or a SaddlePoint
        of either (its ``q`` is used; a spec is solved first).

    Examples
    --------
    >>> r = replicon(LargeKCommittee(alpha=1.0, activation="linear"))
    >>> round(r.value, 6) > 0
    True
    """
    quad = quad or QuadratureOptions()
    if isinstance(spec_or_saddle, SaddlePoint):
        spec = _as_stability_spec(spec_or_saddle.params)
        q = spec_or_saddle.order["q"]
        saddle = spec_or_saddle
        if not isinstance(spec_or_saddle.params, SphericalCommitteeRS):
            saddle = solve(spec, init={"q": q}, quad=quad, **solve_kwargs)
    else:
        spec = _as_stability_spec(spec_or_saddle)
        saddle = solve(spec, quad=quad, **solve_kwargs)
    q = saddle.order["q"]
    ct = compiled_theory(spec.free_entropy())
    p = spec.parameter_values()
    if q is None:
        nan = math.nan
        return Replicon(nan, nan, nan, nan, spec.alpha, spec.activation, spec.kappa, math.inf, False,
                        f"no RS saddle point: {saddle.message}", saddle)
    obs = ct.observables([q], p, quad)
    obs2 = ct.observables([q], p, quad.refined())
    err = abs(obs2["replicon"] - obs["replicon"])
    ok = bool(saddle.success and math.isfinite(obs["replicon"]))
    msg = f"replicon {obs['replicon']:.6g} at q = {q:.6g} ({'stable' if obs['replicon'] > 0 else 'unstable'})"
    return Replicon(obs["replicon"], obs["replicon_qprime"], obs["replicon_qsecond"], q, spec.alpha,
                    spec.activation, spec.kappa, err, ok, msg if ok else f"{msg}; saddle: {saddle.message}", saddle)


def replicon_at_capacity(activation: str, kappa: float) -> float:
    """``lim_{q -> 1}`` of the replicon along the RS branch (closed form).

    ``1 - alpha_RS H(-kappa)`` for linear (0 at kappa = 0); ``-inf`` for relu and sign
    (``Q''/Q'`` diverges at ``q = 1``).
    """
    _check(1.0, activation, kappa)
    if activation != "linear":
        return -math.inf
    return 1 - float(_sc.ndtr(kappa)) / T.margin_moment(kappa)


@dataclass(frozen=True)
class ATLine:
    """Load ``alpha_AT`` where the replicon of the RS branch vanishes.

    ``alpha_at = inf`` when the replicon stays positive up to the RS capacity
    (``rs_capacity``); ``replicon_at_capacity`` is its closed-form ``q -> 1`` limit.
    """

    alpha_at: float
    activation: str
    kappa: float
    rs_capacity: float
    replicon_at_capacity: float
    error: float
    success: bool
    message: str
    saddle: SaddlePoint | None


def at_line(activation: str = "relu", kappa: float = 0.0, *, quad: QuadratureOptions | None = None,
            alpha_max: float = 200.0, points: int = 24) -> ATLine:
    """de Almeida-Thouless load of the RS spherical large-K committee.

    Follows the RS branch on a grid of loads (warm starts) up to ``0.995`` of the RS
    capacity (``alpha_max`` for sign), brackets the first sign change of the replicon,
    and refines it with :func:`~replica.sweep.find_parameter` (secant/bisection in
    ``alpha``).  Error: the root tolerance plus the replicon's quadrature error divided
    by its slope.
    """
    _check(1.0, activation, kappa)
    _validate.real("alpha_max", alpha_max, lower=0.0, lower_open=True)
    quad = quad or QuadratureOptions()
    a_rs = rs_capacity(activation, kappa)
    lim = replicon_at_capacity(activation, kappa)
    top = 0.995 * a_rs if math.isfinite(a_rs) else alpha_max
    grid = top * (np.arange(1, points + 1) / points) ** 0.7
    prev = None  # (alpha, saddle, replicon)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for a in grid:
            sp_ = solve(SphericalCommitteeRS(float(a), activation, kappa), init=prev[1] if prev else None, quad=quad)
            if not sp_.success:
                return ATLine(math.nan, activation, kappa, a_rs, lim, math.inf, False,
                              f"RS branch lost at alpha = {a:.6g}: {sp_.message}", sp_)
            r = sp_.observables["replicon"]
            if r <= 0:
                break
            prev = (float(a), sp_, r)
        else:
            msg = (f"replicon > 0 along the RS branch up to {top:.6g}; its q -> 1 limit is {lim:.6g}: "
                   + ("RS stable up to the RS capacity" if lim > 0 else
                      "marginal (zero) exactly at the RS capacity" if lim == 0 else
                      "it vanishes beyond the grid, in the last 0.5% below the capacity"))
            return ATLine(math.inf if lim >= 0 else math.nan, activation, kappa, a_rs, lim, 0.0, lim >= 0, msg,
                          prev[1] if prev else None)
        lo = prev[0] if prev else 1e-6
        t = find_parameter(SphericalCommitteeRS(0.5 * (lo + float(a)), activation, kappa), "alpha",
                           observable="replicon", target=0.0, bracket=(lo, float(a)), xtol=1e-10,
                           init=prev[1] if prev else sp_, quad=quad)
    if not t.success:
        return ATLine(math.nan, activation, kappa, a_rs, lim, math.inf, False, t.message, t.saddle)
    # error: root tolerance + replicon quadrature error / slope (secant over the bracket)
    r_err = replicon(t.saddle, quad=quad).quad_error
    slope = abs((r - (prev[2] if prev else 1.0)) / (float(a) - lo))
    err = 1e-10 + r_err / slope
    return ATLine(t.value, activation, kappa, a_rs, lim, err, True,
                  f"replicon = 0 at alpha = {t.value:.10g} (q = {t.saddle.order['q']:.6g}), "
                  f"below the RS capacity {a_rs:.6g}", t.saddle)


# -------------------------------------------------------------- 2. 1RSB, q1 -> 1 limit


class HalfSquarePlus(sp.Function):
    """``x_+^2 / 2`` with derivative :class:`~replica.symbolic.Relu` (second derivative
    ``Heaviside``: no Dirac delta, unlike ``Relu(x)**2``)."""

    nargs = 1

    def fdiff(self, argindex=1):
        return Relu(self.args[0])

    def _numpycode(self, printer):
        return f"(0.5 * numpy.maximum({printer._print(self.args[0])}, 0.0) ** 2)"

    def _mpmathcode(self, printer):
        return f"(mpmath.mpf(max({printer._print(self.args[0])}, 0)) ** 2 / 2)"


def _entropic_coefficient():
    nu = _mu * (1 - T.q0)
    return (sp.log(1 + nu) / _mu + T.q0 / (1 + nu)) / 2


@functools.lru_cache(maxsize=None)
def q1_limit_1rsb_free_entropy(activation: str, form: str = "closed") -> FreeEntropy:
    """Coefficient ``C(q0, mu)`` of ``1/(1 - q1)`` of the 1RSB free entropy (``m = mu (1-q1)``).

    ``form="closed"``: the inner expectation in closed form (log-sum-exp of ``ln H``
    terms); ``form="nested"``: a nested Gaussian expectation ``E_z0 ln E_z1 exp(...)``
    (cross-check).  Order parameters ``(q0, mu)``, parameters ``(alpha, kappa)``;
    observables ``coefficient``, ``entropic``, ``energetic``, ``Q0``.  Only for
    activations with finite ``Q'(1)`` (relu, linear).
    """
    _validate.choice("activation", activation, ("relu", "linear"))
    _validate.choice("form", form, ("closed", "nested"))
    Q0, one_minus_Q0 = kernel_pair(activation, T.q0)
    a = _mu * T.channel(activation).inverse_slope
    c = sp.sqrt(one_minus_Q0)
    b = sp.sqrt(Q0)
    s = sp.sqrt(1 + a * one_minus_Q0)
    center, width = T.kappa / b, c / b
    outer_features = [(center, width), (center, width * s), (center, width / s)]
    if form == "closed":
        t = T.kappa - b * T.z0
        inner = LogAddExp(LogH(t / c), -a * t**2 / (2 * s**2) - sp.log(s) + LogH(-t / (c * s)))
    else:
        t = T.kappa - b * T.z0
        inner = LogGaussE(-a * HalfSquarePlus(t - c * T.z1), T.z1,
                          [(t / c, 0), (a * c * t / s**2, 1 / s), (t / c, 1 / (c * sp.sqrt(a)))])
    energetic = T.alpha / _mu * GaussE(inner, T.z0, outer_features)
    entropic = _entropic_coefficient()
    expr = entropic + energetic
    return FreeEntropy(
        name=f"committee-1rsb-q1-{activation}-{form}",
        expr=expr, order=(T.q0, _mu), params=(T.alpha, T.kappa),
        observables={"coefficient": expr, "entropic": entropic, "energetic": energetic, "Q0": Q0},
        domains={T.q0: UNIT, _mu: LOG_POSITIVE},
    )


@dataclass(frozen=True)
class OneRSBQ1Limit(ModelSpec):
    """The ``q1 -> 1``, ``m = mu (1 - q1)`` limit of the 1RSB spherical large-K committee.

    Its free entropy is the coefficient ``C(q0, mu)`` of ``1/(1 - q1)``; a stationary
    point with ``C = 0`` is the 1RSB SAT/UNSAT transition.  ``form``: "closed" or
    "nested" (see :func:`q1_limit_1rsb_free_entropy`).
    """

    alpha: float
    activation: str = "relu"
    kappa: float = 0.0
    form: str = "closed"

    def __post_init__(self):
        _check(self.alpha, self.activation, self.kappa)
        if self.activation == "sign":
            raise ValueError("Q'(1) = inf for the sign activation: no q1 -> 1 limit with m ~ 1 - q1 "
                             "(the 1RSB capacity is infinite at large K; see capacity_1rsb)")
        _validate.choice("form", self.form, ("closed", "nested"))

    def free_entropy(self) -> FreeEntropy:
        return q1_limit_1rsb_free_entropy(self.activation, self.form)

    def initial_guess(self) -> dict:
        return grid_minimum(self)[1]


_GRID_Q0 = 1 - np.geomspace(0.97, 2e-3, 28)
_GRID_MU = np.geomspace(0.05, 300.0, 30)


def grid_minimum(spec: OneRSBQ1Limit, quad: QuadratureOptions | None = None):
    """Smallest ``C`` on a fixed (q0, mu) grid: ``(C_min, {"q0", "mu"}, C_RS)``.

    ``q0`` from 0.03 to 0.998, ``mu`` from 0.05 to 300 (log spaced); one batched
    evaluation of the compiled theory.  ``C_RS`` is the degenerate (RS) value.
    """
    ct = compiled_theory(spec.free_entropy())
    Q0, MU = np.meshgrid(_GRID_Q0, _GRID_MU, indexing="ij")
    x = np.stack([Q0.ravel(), MU.ravel()], axis=1)
    with np.errstate(all="ignore"):
        phi, _ = ct.value_and_gradient(x, spec.parameter_values(), quad or QuadratureOptions())
    phi = np.where(np.isfinite(phi), phi, np.inf)
    k = int(np.argmin(phi))
    c_rs = 0.5 - spec.alpha * T.margin_moment(spec.kappa) / (2 * kernel_slope(spec.activation))
    return float(phi[k]), {"q0": float(x[k, 0]), "mu": float(x[k, 1])}, c_rs


@dataclass(frozen=True)
class OneRSBCapacity:
    """1RSB SAT/UNSAT transition of the spherical large-K committee.

    Attributes
    ----------
    alpha_c : float
        1RSB capacity (``P/N``, all weights); ``inf`` for sign.
    alpha_rs : float
        The RS capacity ``Q'(1) / int_{-kappa}^inf Dt (t+kappa)^2``.
    activation, kappa
    q0, mu : float or None
        The minimiser of ``C`` at ``alpha_c`` (None when degenerate: 1RSB = RS).
    degenerate : bool
        True when the minimum of ``C`` is on the RS boundary (``mu -> 0``/``q0 -> 1``).
    error : float
        Root tolerance + quadrature error / slope (``find_parameter``).
    hessian_eigenvalues : tuple
        Of ``C`` in ``(q0, ln mu)`` at the transition (both > 0: a local minimum).
    grid_min : float
        Smallest ``C`` on the (q0, mu) grid at ``alpha_c`` (>= -tol: no other region).
    success, message, saddle
    """

    alpha_c: float
    alpha_rs: float
    activation: str
    kappa: float
    q0: float | None
    mu: float | None
    degenerate: bool
    error: float
    hessian_eigenvalues: tuple
    grid_min: float
    success: bool
    message: str
    saddle: SaddlePoint | None = field(default=None, repr=False)

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("alpha_c", "alpha_rs", "activation", "kappa", "q0", "mu",
                                              "degenerate", "error", "hessian_eigenvalues", "grid_min",
                                              "success", "message")}


def capacity_1rsb(activation: str = "relu", kappa: float = 0.0, *, quad: QuadratureOptions | None = None,
                  form: str = "closed", tol: float = 1e-9) -> OneRSBCapacity:
    """1RSB SAT/UNSAT capacity of the spherical large-K committee (see the module docstring).

    The largest load at which ``C(q0, mu) >= 0`` for all ``(q0, mu)``: if a negative
    interior minimum of ``C`` exists just below the RS capacity, the stationary point of
    :class:`OneRSBQ1Limit` is followed in ``alpha`` to ``C = 0``
    (:func:`~replica.sweep.find_parameter`, exact slope ``dC/dalpha`` by the envelope
    theorem); otherwise the 1RSB capacity is the RS one (degenerate minimum).

    Examples
    --------
    >>> round(capacity_1rsb("linear").alpha_c, 9)
    2.0
    """
    _check(1.0, activation, kappa)
    quad = quad or QuadratureOptions()
    a_rs = rs_capacity(activation, kappa)
    if activation == "sign":
        return OneRSBCapacity(
            math.inf, math.inf, activation, kappa, None, None, True, 0.0, (), math.nan, True,
            "sign: Q'(1) = inf, 1 - Q1 ~ (2/pi) sqrt(2 (1-q1)); for every scaling m ~ (1-q1)^gamma the "
            "entropic divergence (1-gamma) ln(1/(1-q1))/(2m) beats the energetic one, the 1RSB free entropy "
            "never reaches -inf: infinite large-K capacity (as RS)")
    # 1. Is there an interior region with C < C_RS = 0 at the RS capacity?
    probe = OneRSBQ1Limit(alpha=a_rs * (1 - 1e-6), activation=activation, kappa=kappa, form=form)
    c_min, start, _ = grid_minimum(probe, quad)
    if c_min >= -tol:
        return OneRSBCapacity(
            a_rs, a_rs, activation, kappa, None, None, True, 0.0, (), c_min, True,
            f"the minimum of C over (q0, mu) is on the RS boundary (grid minimum {c_min:.2e} >= 0 at the RS "
            "capacity): 1RSB capacity = RS capacity")
    # 2. Follow the interior minimum down in alpha to C = 0.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = solve(probe, init=start, quad=quad)
        if not first.success:
            return OneRSBCapacity(math.nan, a_rs, activation, kappa, None, None, False, math.inf, (), c_min,
                                  False, f"no stationary point of C at the RS capacity: {first.message}", first)
        t = find_parameter(probe, "alpha", observable="free_entropy", target=0.0, init=first,
                           bracket=(1e-3 * a_rs, a_rs), quad=quad)
    if not t.success:
        return OneRSBCapacity(math.nan, a_rs, activation, kappa, None, None, False, math.inf, (), c_min,
                              False, t.message, t.saddle)
    sad = t.saddle
    spec = OneRSBQ1Limit(alpha=t.value, activation=activation, kappa=kappa, form=form)
    ct = compiled_theory(spec.free_entropy())
    x = [sad.order["q0"], sad.order["mu"]]
    _, J = ct.gradient_and_jacobian(x, spec.parameter_values(), quad)
    D = np.array([1.0, x[1]])  # (q0, ln mu): the natural scale of mu
    eig = tuple(float(v) for v in np.linalg.eigvalsh(D[:, None] * J * D[None, :]))
    g_min, _, _ = grid_minimum(spec, quad)
    is_min = all(v > 0 for v in eig)
    ok = bool(sad.success and is_min and g_min >= -1e-7)
    msg = (f"C = 0 at a stationary point (q0 = {x[0]:.6g}, mu = {x[1]:.6g}) at alpha = {t.value:.10g}; "
           f"Hessian eigenvalues {eig[0]:.3g}, {eig[1]:.3g} ({'local minimum' if is_min else 'NOT a minimum'}); "
           f"grid minimum of C there {g_min:.2e}")
    return OneRSBCapacity(t.value, a_rs, activation, kappa, x[0], x[1], False, t.error, eig, g_min, ok, msg, sad)
