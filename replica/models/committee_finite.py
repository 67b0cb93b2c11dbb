"""Tree committee machines with a finite number K of hidden units: storage, RS.

Architecture
------------
``N`` weights split into ``K`` hidden units with disjoint receptive fields of ``N/K``
inputs each.  Unit ``l`` sees ``lambda_l = sum_{i in l} W_i xi_i / sqrt(N/K)``; weights
binary (``W_i = +-1``) or spherical (each unit on its own sphere,
``sum_{i in l} W_i^2 = N/K``).  ``P = alpha N`` random ``+-1`` patterns with random
``+-1`` labels; **alpha counts all N weights** (``P/N``, not ``P`` per hidden unit).
Margin ``kappa = 0`` only.

* ``activation="sign"``, ``K`` odd (1 or 3): output ``sign(sum_l sign(lambda_l))``, the
  majority vote of the units.  ``K = 1`` is the perceptron (:class:`~replica.models.
  perceptron.Gardner` at ``kappa = 0``, reproduced to rounding).
* ``activation="relu"``, ``K = 2``, output weights ``c = (+1, -1)``: output
  ``sign(relu(lambda_1) - relu(lambda_2))``; a pattern counts as stored iff the output
  equals its label *strictly* (a tie ``relu(lambda_1) = relu(lambda_2)``, i.e. both
  fields negative, is an error for either label).  For label +1 this is
  ``lambda_1 > 0 and lambda_1 > lambda_2``.

Free entropy (RS, all units equivalent)
---------------------------------------
Per-unit overlap ``q`` of two solutions (and its conjugate ``qhat`` for binary
weights).  The weight-space part is the perceptron's
(:meth:`~replica.models.terms.Prior.entropic`: each unit's ``N/K`` weights carry
overlap ``q``, the ``K`` units give ``N`` times the per-weight term).  Given the replica-
symmetric cavity means ``m_l = sqrt(q) z_l`` and variances ``s^2 = 1 - q`` of the unit
fields (``lambda_l = m_l + s x_l``, ``z_l, x_l`` iid standard normal), the energetic
part is ::

    alpha E_{z_1..z_K} ln P_K(z),   P_K = Prob_x(committee output = label)

with the label gauged to +1:

* sign: ``p_l = H(-sqrt(q) z_l / sqrt(1 - q))`` is the probability that unit ``l`` votes
  +1 and ``P_K`` the probability of a majority of +1 votes: ``P_1 = p_1``, ::

      P_3 = p1 p2 + p1 p3 + p2 p3 - 2 p1 p2 p3
          = p1 p2 + p3 [p1 (1 - p2) + (1 - p1) p2]     (the form used: no cancellation;
                                                        1 - p_l = H(+sqrt(q) z_l/sqrt(1-q)))

* relu, ``K = 2``: ``P = E_{x1}[Theta(m1 + s x1 > 0) Phi((m1 - m2)/s + x1)]``
  (``Phi = 1 - H``).  It is a bivariate normal orthant probability: with ``U = -x1``,
  ``V = -(x1 - x2)/sqrt(2)`` (standard, correlation ``rho = 1/sqrt(2)``) the event is
  ``U < a, V < b``, ``a = m1/s``, ``b = (m1 - m2)/(s sqrt 2)``.  Writing
  ``U = sqrt(rho) w + sqrt(1 - rho) e1``, ``V = sqrt(rho) w + sqrt(1 - rho) e2`` ::

      P = E_w[ H((sqrt(rho) w - a)/sqrt(1 - rho)) H((sqrt(rho) w - b)/sqrt(1 - rho)) ],

  an inner integrand without kinks (the Theta form would put a Dirac delta in the
  Jacobian); ``ln P`` is compiled as a :class:`~replica.symbolic.LogGaussE` (log-sum-exp
  over the nodes: no underflow in the tails).  Both forms are checked against each
  other and against Monte Carlo in ``tests/test_committee_finite.py``.

Gauge of the label.  Sign: a label -1 pattern is stored by ``W`` iff label +1 is stored
by ``-W`` (``sign`` is odd and the majority of flipped votes is the flipped majority),
and the RS measure of ``z`` is symmetric, so ``E_z ln P`` is the same for both labels.
Relu: flipping ``W`` is *not* a symmetry (``relu`` is not odd).  With ``c = (+1, -1)`` a
label -1 pattern is stored iff ``relu(lambda_2) > relu(lambda_1)``: the label +1 event
with the two units swapped; the units are statistically equivalent in RS (iid ``z_l``),
so again ``E_z ln P`` is the same for both labels.  (Both checked by Monte Carlo in the
tests: ``P(output = -1 | m) = P_K(-m)`` for sign and ``P(m1, m2 -> m2, m1)`` for relu.)

Capacities
----------
Binary weights: the zero of the RS entropy (Krauth–Mézard criterion), by
:func:`~replica.sweep.find_parameter`.

Spherical weights: the load where ``q -> 1``.  With ``eps = 1 - q`` the unit fields'
noise ``sqrt(eps) x_l`` must overcome the means ``z_l``: by Laplace's method
``ln P_K(z) = -c(z)/(2 eps) + O(ln eps)``, ``c(z)`` the minimal squared distance from
``z`` to the set of correct field configurations (the cost of the cheapest
correct configuration):

* sign, ``K = 1``: ``c = (z)_-^2``, ``E c = 1/2``;
* sign, ``K = 3``: at least two fields must be made positive:
  ``c = `` sum of the two smallest ``(z_l)_-^2``.  With ``k`` negative fields
  (``Bin(3, 1/2)``): ``k <= 1``: 0; ``k = 2``: ``min(z_a^2, z_b^2)``, whose mean over
  two half-normals is ``1 - 2/pi`` (polar coordinates); ``k = 3``: the two smallest of
  three, ``= sum of pair minima - overall minimum``, mean ``3 (1 - 2/pi) - M_3`` with
  ``M_3 = E min(z_1^2, z_2^2, z_3^2) = int_0^inf 2u (2 H(u))^3 du
  = 1 - 6/pi + 2 sqrt(3)/pi = 0.19279847374084007`` (closed form identified from a
  30-digit quadrature, checked in the tests).  Hence
  ``E c = (3/8)(1 - 2/pi) + (1/8)(3 (1 - 2/pi) - M_3) = 5/8 - (3 + sqrt 3)/(4 pi)
  = 0.24843536150670898``, ``alpha_c = 1/E c = 4.0251918806``;
* relu, ``K = 2``: the correct set is the cone ``{y1 >= 0, y1 >= y2}``; the projection
  gives ``c = z1^2`` (``z1 < 0, z2 <= 0``), ``(z2 - z1)^2/2`` (``z2 > z1, z1 + z2 >= 0``),
  ``z1^2 + z2^2`` (``z2 > 0, z1 + z2 < 0``): ``E c = 1/4 + 1/4 + 1/4 = 3/4``.

The free entropy then behaves as ``[1/2 - alpha E c / 2] / eps`` (spherical) or
``[-Qhat/2 + sqrt(Qhat) E|z| - alpha E c / 2] / eps`` (binary, ``qhat = Qhat/eps^2``), the
perceptron's with ``E (z)_-^2 = 1/2`` replaced by ``E c``
(:func:`~replica.models.terms.q1_limit_free_entropy` with :func:`~replica.models.terms.q1_energetic` at the scale ``2 E c``):
spherical ``alpha_c = 1/E c`` (2 for the perceptron, ``4/3`` for relu ``K = 2``);
binary, the end of the RS branch ``alpha = 2/(pi E c)`` (not the capacity).

References
----------
E. Barkai, D. Hansel and I. Kanter, Phys. Rev. Lett. 65, 2312 (1990) (tree committee
machine, replica theory); A. Engel and C. Van den Broeck, *Statistical Mechanics of
Learning* (Cambridge University Press, 2001), ch. 12 (multilayer networks: the tree
committee and parity machines); C. Baldassi, E. M. Malatesta and R. Zecchina, Phys. Rev.
Lett. 123, 170602 (2019), arXiv:1907.07578 (ReLU committees; the ``+-1`` output weights);
E. Gardner, J. Phys. A 21, 257 (1988) and W. Krauth and M. Mézard, J. Phys. France 50,
3057 (1989) (the perceptron templates and the zero-entropy criterion).  The formulas
above were derived here, in the package's conventions
(summary: docs/derivations/committee_large_k.md §6).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass

import sympy as sp

from .. import _validate
from ..quadrature import QuadratureOptions
from ..solve import SaddlePoint, solve
from ..sweep import find_parameter
from ..symbolic import FreeEntropy, GaussE, LogAddExp, LogGaussE, LogH
from . import terms as T
from .base import ModelSpec
from .committee import CommitteeCapacity
from .terms import WEIGHTS

__all__ = [
    "ACTIVATIONS",
    "ALLOWED_K",
    "WEIGHTS",
    "QUAD",
    "q1_cost",
    "correct_probability",
    "finite_committee_free_entropy",
    "finite_committee_q1_limit_free_entropy",
    "FiniteKCommittee",
    "FiniteKCommitteeQ1Limit",
    "rs_endpoint",
    "capacity",
    "entropy",
]

ACTIVATIONS = ("sign", "relu")
ALLOWED_K = {"sign": (1, 3), "relu": (2,)}

# Quadrature for the nested (2- and 3-fold) integrals: fewer breakpoints around the
# features than the package default (each level of a 3-fold integral multiplies the
# cost), 80 Gauss–Hermite nodes, and a wider range [-14, 14] for the composite rule (the
# relu inner integral's tilted mass sits at w ~ sqrt(q/(1-q)) z / 2^(1/4), beyond 10 in
# the tails at q >~ 0.7: the package default loses ~1e-9 there).  The refinement error
# estimate (``SaddlePoint.quad_error``) says whether it suffices.
QUAD = QuadratureOptions(
    n_hermite=80, n_panel=8, base_panels=12, half_width=14.0,
    feature_offsets=(0.0, 0.5, 1.0, 2.0, 4.0, 8.0), bridge_points=2, smooth_width=1.0,
)

# Mean cost E c(z) of the q -> 1 limit (module docstring): E ln P_K ~ -E c / (2 (1 - q)).
_EC = {
    ("sign", 1): sp.Rational(1, 2),
    ("sign", 3): sp.Rational(5, 8) - (3 + sp.sqrt(3)) / (4 * sp.pi),
    ("relu", 2): sp.Rational(3, 4),
}


def _check_k(activation, k):
    _validate.choice("activation", activation, ACTIVATIONS)
    allowed = ALLOWED_K[activation]
    if isinstance(k, bool) or not isinstance(k, int) or k not in allowed:
        raise ValueError(
            f"k must be one of {', '.join(map(str, allowed))} for activation={activation!r} "
            f"(sign: k = 1 or 3, odd for a majority vote; relu: k = 2 with output weights (+1, -1)); got {k!r}"
        )
    return k


def _check(alpha, k, activation, weights, kappa):
    _validate.real("alpha", alpha, lower=0.0)
    _check_k(activation, k)
    _validate.choice("weights", weights, WEIGHTS)
    _validate.real("kappa", kappa, lower=0.0)
    if kappa != 0:
        raise ValueError(f"kappa must be 0 for the finite-K committee (margins are not implemented); got {kappa!r}")


# ------------------------------------------------------------------ probabilities


def correct_probability(activation: str, k: int, means, s):
    """``P_K``: probability that the committee answers +1, given the unit fields' means.

    Parameters
    ----------
    activation, k : see :class:`FiniteKCommittee`
    means : array_like, shape ``(..., k)``
        ``m_l`` (``sqrt(q) z_l`` in the replica calculation).
    s : float
        Standard deviation of every unit field (``sqrt(1 - q)``).

    Returns
    -------
    ndarray, shape ``(...)``
        The closed forms of the module docstring (sign), or for relu the bivariate
        normal orthant probability by 200-node Gauss–Hermite quadrature of the smooth
        representation.  A numpy reference for the tests (the theory itself is written
        in sympy).
    """
    import numpy as np
    from scipy import special as sc

    _check_k(activation, k)
    m = np.asarray(means, dtype=float)
    if m.shape[-1:] != (k,):
        raise ValueError(f"means must have last axis of length k={k}, got shape {m.shape}")
    if activation == "sign":
        p = sc.ndtr(m / s)  # H(-m/s)
        if k == 1:
            return p[..., 0]
        p1, p2, p3 = p[..., 0], p[..., 1], p[..., 2]
        return p1 * p2 + p3 * (p1 * (1 - p2) + (1 - p1) * p2)
    a = m[..., 0] / s
    b = (m[..., 0] - m[..., 1]) / (s * math.sqrt(2))
    rho = 1 / math.sqrt(2)
    w, wt = np.polynomial.hermite_e.hermegauss(200)
    wt = wt / wt.sum()
    c, d = math.sqrt(rho), math.sqrt(1 - rho)
    vals = sc.ndtr((a[..., None] - c * w) / d) * sc.ndtr((b[..., None] - c * w) / d)
    return vals @ wt


def q1_cost(activation: str, k: int, z):
    """``c(z)``: minimal squared shift of the unit fields' means ``z`` (shape ``(..., k)``)
    that makes the committee correct (label +1); ``E c`` sets the ``q -> 1`` limit."""
    import numpy as np

    _check_k(activation, k)
    z = np.asarray(z, dtype=float)
    if activation == "sign":
        y = np.sort(np.minimum(z, 0.0) ** 2, axis=-1)
        return y[..., : (k + 1) // 2].sum(axis=-1)
    z1, z2 = z[..., 0], z[..., 1]
    return np.where(
        (z1 >= 0) & (z1 >= z2), 0.0,
        np.where(z2 <= 0, z1**2, np.where(z1 + z2 >= 0, (z2 - z1) ** 2 / 2, z1**2 + z2**2)),
    )


def mean_q1_cost(activation: str, k: int) -> float:
    """``E c(z)`` (closed form): 1/2 (sign, K=1), ``5/8 - (3 + sqrt 3)/(4 pi)`` (sign,
    K=3), 3/4 (relu, K=2)."""
    _check_k(activation, k)
    return float(_EC[(activation, k)])


# ------------------------------------------------------------------ free entropies


def _energetic(activation: str, k: int):
    """``alpha E_z ln P_K`` (sympy), the nested expectations with their features."""
    r = sp.sqrt(T.q) / sp.sqrt(1 - T.q)
    if activation == "sign" and k == 1:
        # Exactly the perceptron's term at kappa = 0 (same expression, same features).
        u = (0 - sp.sqrt(T.q) * T.z) / sp.sqrt(1 - T.q)
        return T.alpha * GaussE(LogH(u), T.z, [(0, sp.sqrt((1 - T.q) / T.q))], integrate_by_parts=True)
    # Scale of the features in z: the unit fields' means sqrt(q) z_l reach the noise
    # sqrt(1 - q) at |z_l| ~ 1/r; ln P_K turns from quadratic to flat over that range
    # *analytically* (no kink), which Gauss–Hermite resolves down to 1/r ~ 0.5
    # (checked against independent quadratures to 1e-13 at q = 0.75 (relu) and
    # q = 0.8 (sign)): declared as 2/r, so that with smooth_width = 1 the rule stays
    # Gauss–Hermite up to q = 0.8 and turns composite (breakpoints every 1/r) above.
    width = 2 * sp.sqrt((1 - T.q) / T.q)
    if activation == "sign":
        # ln P3 = ln[p1 p2 + p3 (p1 (1 - p2) + (1 - p1) p2)] in log space (a sum of
        # positive terms, no underflow in the tails): ln p_l = ln H(-r z_l),
        # ln(1 - p_l) = ln H(r z_l).
        lp = [LogH(-r * v) for v in (T.z1, T.z2, T.z3)]  # vote +1
        lm = [LogH(r * v) for v in (T.z1, T.z2, T.z3)]  # vote -1
        lnP3 = LogAddExp(lp[0] + lp[1], lp[2] + LogAddExp(lp[0] + lm[1], lm[0] + lp[1]))
        # Features: the unit's own step at z_l = 0, and the soft kinks where the cheapest
        # pair of units to flip changes (z_l = z_m for negative fields; width
        # ~ (1 - q)/(q |z|), resolved by the breakpoints at z_m + width * offsets).
        inner = GaussE(lnP3, T.z3, [(0, width), (T.z1, width), (T.z2, width)])
        return T.alpha * GaussE(GaussE(inner, T.z2, [(0, width), (T.z1, width)]), T.z1, [(0, width)])
    # relu, K = 2: smooth bivariate-normal representation, rho = 1/sqrt(2).
    rho = 1 / sp.sqrt(2)
    c, d = sp.sqrt(rho), sp.sqrt(1 - rho)
    a = r * T.z1
    b = r * (T.z1 - T.z2) / sp.sqrt(2)
    exponent = LogH((c * T.w - a) / d) + LogH((c * T.w - b) / d)
    # Features of the tilted integrand: the two steps (at a/c, b/c, width d/c = 0.64)
    # and where its mass sits when P is small (w ~ c a, c b, width d = 0.54).  The
    # integrand is analytic on that fixed scale: declared twice as wide, so that the
    # rule is Gauss–Hermite (80 nodes reach |w| ~ 18, enough for q <~ 0.85; checked
    # against an independent quadrature of the Theta form to 1e-14 at q = 0.75).
    lnP = LogGaussE(exponent, T.w, [(a / c, 2 * d / c), (b / c, 2 * d / c), (c * a, 2 * d), (c * b, 2 * d)])
    # ln P(z1, z2): the cheapest correction changes regime at z2 = 0, z2 = -z1 (z1 < 0)
    # and z2 = z1 (z1 > 0) (the squared distance to the cone {y1 > 0, y1 > y2}).
    inner = GaussE(lnP, T.z2, [(0, width), (T.z1, width), (-T.z1, width)])
    return T.alpha * GaussE(inner, T.z1, [(0, width)])


@functools.lru_cache(maxsize=None)
def finite_committee_free_entropy(activation: str, k: int, weights: str) -> FreeEntropy:
    """RS free entropy of the finite-K tree committee (see the module docstring).

    Order parameters ``q`` (and ``qhat`` for binary weights); parameter ``alpha``.
    Observables: ``entropy``, ``distance = (1 - q)/2`` and, for spherical weights,
    ``qhat`` (the conjugate of ``q``, eliminated from the free entropy).

    References
    ----------
    Barkai, Hansel and Kanter, PRL 65, 2312 (1990); Engel and Van den Broeck (2001),
    ch. 12; the entropic term from Gardner (1988) / Gardner and Derrida (1988).
    """
    _check_k(activation, k)
    energetic = _energetic(activation, k)
    # d(energetic)/dq = -qhat/2 at the saddle point (both weight types).
    conjugate = -2 * sp.diff(energetic, T.q)
    return T.storage_free_entropy(T.prior(weights), energetic, conjugate,
                                      f"committee-finite-{activation}-K{k}-{weights}", params=(T.alpha,))


@functools.lru_cache(maxsize=None)
def finite_committee_q1_limit_free_entropy(activation: str, k: int, weights: str) -> FreeEntropy:
    """Coefficient of ``1/(1 - q)`` of :func:`finite_committee_free_entropy` as ``q -> 1``.

    ``1/2 - alpha E c/2`` (spherical), ``-Qhat/2 + sqrt(Qhat) E|z| - alpha E c/2``
    (binary, ``qhat = Qhat/(1 - q)^2``), ``E c`` the mean minimal cost (module docstring):
    the perceptron's coefficient with the energetic part scaled by ``2 E c``.
    """
    _check_k(activation, k)
    theory = T.q1_limit_free_entropy(T.prior(weights), T.q1_energetic(2 * _EC[(activation, k)]),
                                         f"committee-finite-q1-{activation}-K{k}-{weights}")
    # kappa = 0: drop it from the parameters.
    sub = {T.kappa: 0}
    return FreeEntropy(
        name=theory.name, expr=theory.expr.xreplace(sub), order=theory.order, params=(T.alpha,),
        observables={n: e.xreplace(sub) for n, e in theory.observables.items()}, domains=theory.domains,
    )


@dataclass(frozen=True)
class _FiniteParameters(ModelSpec):
    alpha: float
    k: int = 3
    activation: str = "sign"
    weights: str = "binary"
    kappa: float = 0.0

    def __post_init__(self):
        _check(self.alpha, self.k, self.activation, self.weights, self.kappa)


def _branch_end(activation, k, weights) -> float:
    """Load where the RS branch reaches q = 1: ``1/E c`` (spherical), ``2/(pi E c)`` (binary)."""
    ec = mean_q1_cost(activation, k)
    return 1 / ec if weights == "spherical" else 2 / (math.pi * ec)


@dataclass(frozen=True)
class FiniteKCommittee(_FiniteParameters):
    """Typical (RS) Gardner volume of the tree committee machine with K hidden units.

    Parameters
    ----------
    alpha : float
        Load ``P/N``, ``N`` **all** the weights (``K`` units of ``N/K``), ``>= 0``.
    k : int
        Number of hidden units: 1 or 3 for ``activation="sign"`` (majority vote; K = 1
        is the perceptron), 2 for ``activation="relu"`` (output weights ``(+1, -1)``).
    activation : {"sign", "relu"}
    weights : {"binary", "spherical"}
    kappa : float
        Must be 0 (no margin at finite K).

    Order parameters: ``q`` (per-unit overlap of two solutions) and, for binary
    weights, ``qhat``.  Observables: ``entropy`` (= the free entropy), ``distance =
    (1 - q)/2``; ``qhat`` for spherical weights.

    Its ``quadrature`` (:data:`QUAD`) is what :func:`~replica.solve.solve` uses unless
    given ``quad=``: the package's default rules are several times slower on the 2- and
    3-fold nested integrals.

    References
    ----------
    E. Barkai, D. Hansel and I. Kanter, Phys. Rev. Lett. 65, 2312 (1990);
    A. Engel and C. Van den Broeck, Statistical Mechanics of Learning (2001), ch. 12;
    C. Baldassi, E. M. Malatesta and R. Zecchina, PRL 123, 170602 (2019),
    arXiv:1907.07578.

    Examples
    --------
    >>> from replica.solve import solve
    >>> sp = solve(FiniteKCommittee(alpha=0.5, k=1), quad=QUAD)  # the perceptron
    >>> round(sp.free_entropy, 5)
    0.31439
    """

    @property
    def quadrature(self) -> QuadratureOptions:
        """Default quadrature rules of this theory (:data:`QUAD`)."""
        return QUAD

    def free_entropy(self) -> FreeEntropy:
        return finite_committee_free_entropy(self.activation, self.k, self.weights)

    def initial_guess(self) -> dict:
        q0 = T.branch_q(self.alpha, _branch_end(self.activation, self.k, self.weights))
        return T.guess_from_q(min(max(q0, 1e-3), 0.98), self.weights)


@dataclass(frozen=True)
class FiniteKCommitteeQ1Limit(_FiniteParameters):
    """The ``q -> 1`` scaling limit of :class:`FiniteKCommittee`: its free entropy is the
    coefficient of ``1/(1 - q)``, which vanishes where the RS branch reaches ``q = 1``."""

    def free_entropy(self) -> FreeEntropy:
        return finite_committee_q1_limit_free_entropy(self.activation, self.k, self.weights)

    def initial_guess(self) -> dict:
        return {"Qhat": 2 / math.pi} if self.weights == "binary" else {}


# ---------------------------------------------------------------------- capacities


def _from_threshold(t, activation, k, weights, criterion) -> CommitteeCapacity:
    t = dataclasses.replace(t, message=f"K={k}: {t.message}")
    return CommitteeCapacity.from_threshold(t, weights=weights, kappa=0.0, criterion=criterion, activation=activation)


def rs_endpoint(activation: str = "sign", k: int = 3, weights: str = "spherical", *,
                quad: QuadratureOptions | None = None) -> CommitteeCapacity:
    """Load where the RS branch reaches ``q = 1`` (the ``q -> 1`` limit theory).

    Spherical: the RS capacity ``1/E c`` (perceptron 2; sign K = 3: 4.02519...; relu
    K = 2: 4/3).  Binary: the end of the RS branch, ``2/(pi E c)``, beyond the capacity.
    """
    _check(1.0, k, activation, weights, 0.0)
    spec = FiniteKCommitteeQ1Limit(alpha=1.0, k=k, activation=activation, weights=weights)
    t = find_parameter(spec, "alpha", observable="free_entropy", target=0.0, quad=quad)
    return _from_threshold(t, activation, k, weights, "q -> 1")


def capacity(activation: str = "sign", k: int = 3, weights: str = "binary", *,
             quad: QuadratureOptions | None = None) -> CommitteeCapacity:
    """RS storage capacity ``alpha_c`` (``P/N``, all weights) of the finite-K committee.

    Spherical weights: :func:`rs_endpoint` (``q -> 1``).  Binary weights: the zero of the
    RS entropy (Krauth–Mézard), searched below the annealed bound
    ``alpha <= ln 2 / (-ln P_K(q=0))`` (1 for sign, ``ln 2/ln(8/3) = 0.7067`` for relu).

    References
    ----------
    W. Krauth and M. Mézard, J. Phys. France 50, 3057 (1989); E. Barkai, D. Hansel and
    I. Kanter, PRL 65, 2312 (1990); Engel and Van den Broeck (2001), ch. 12.
    """
    _check(1.0, k, activation, weights, 0.0)
    if weights == "spherical":
        return rs_endpoint(activation, k, weights, quad=quad)
    quad = quad or QUAD
    p0 = 0.5 if activation == "sign" else 3 / 8
    hi = min(math.log(2) / -math.log(p0), _branch_end(activation, k, weights))
    spec = FiniteKCommittee(alpha=0.85 * hi, k=k, activation=activation, weights="binary")
    t = find_parameter(spec, "alpha", observable="free_entropy", target=0.0, bracket=(1e-6, hi), quad=quad)
    return _from_threshold(t, activation, k, weights, "entropy = 0")


def entropy(alpha: float, k: int = 3, activation: str = "sign", weights: str = "binary",
            **solve_kwargs) -> SaddlePoint:
    """Shortcut: ``solve(FiniteKCommittee(alpha, k, activation, weights), quad=QUAD)``."""
    solve_kwargs.setdefault("quad", QUAD)
    return solve(FiniteKCommittee(alpha=alpha, k=k, activation=activation, weights=weights), **solve_kwargs)
