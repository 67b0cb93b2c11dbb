"""Local-entropy large deviations of the binary perceptron: the dense regions.

A reference ``W~`` is weighted by ``exp(y N S_I(W~, d))``, where ``S_I(W~, d)`` is the
log-number per weight of solutions at normalised Hamming distance ``d`` from it::

    Z(d, y) = sum_{W~} X(W~)^c exp(y N S_I(W~, d)),    phi(d, y) = (1/N) E ln Z,

with ``c = 1`` when the reference must itself be a solution (``reference="solution"``)
and ``c = 0`` when it is free (``reference="free"``).  ``y`` is an inverse temperature
for the reference: ``y -> infinity`` selects the references of maximal local entropy.
Observables: the local entropy ``S_I = d phi / d y`` (explicit derivative at the saddle
point) and the external entropy (the log-number of such references)
``Sigma = phi - y S_I``.

Replica symmetric over the reference replicas, with ``y`` real replicas per reference
(overlaps ``q1`` within a block, ``q0`` across blocks) -- a 1RSB-like structure with
Parisi parameter ``y`` (Baldassi et al. 2015, 2016).  Free reference, finite ``y``::

    phi = extr [ -y phat p - (y/2) qhat1 ((y - 1) q1 + 1) + (y^2/2) qhat0 q0
                 + E_z0 ln sum_{W~=+-1} E_z1 [2cosh(sqrt(qhat0) z0 + sqrt(qhat1 - qhat0) z1 + phat W~)]^y
                 + alpha E_z0 ln E_z1 H((kappa - sqrt(q0) z0 - sqrt(q1 - q0) z1)/sqrt(1 - q1))^y ]

and its ``y -> infinity`` limit with ``q0 = q - dq/y``, ``qhat1 = qhat + dqhat/y``
(all else finite), where the inner integrals become maxima (Laplace)::

    S_I(d) = extr [ -phat p - qhat (1 - q)/2 - (qhat dq + dqhat q)/2
                    + E_z L(sqrt(qhat) |z| + phat, dqhat)
                    + alpha E_z M((kappa - sqrt(q) z)/sqrt(1 - q), dq/(1 - q)) ],
    L(g, D) = max_u [ln 2cosh(g + u) - u^2/(2D)],   M(x, D) = max_v [ln H(x - v) - v^2/(2D)].

The optimal reference is ``W~_i = sign`` of its cloud's field (hence ``|z|``); for
``phat < 0`` (beyond the Gardner end point, or in the non-monotonic regime) the same
expression is continued analytically with the reference kept aligned with the cloud.
``dS_I/dd = 2 phat``: the curve is monotonic where ``phat > 0``.

Identities (tests): ``alpha -> 0`` gives ``S_I = H2(d)``; ``S_I <= H2(d)``; at the end
point of the ``y = inf`` branch, ``d* = (1 - E|tanh(sqrt(Qhat) z)|)/2``, ``phat = 0`` and
``S_I = s(alpha)`` (Gardner); finite ``y`` tends to ``y = inf``.

References
----------
C. Baldassi, A. Ingrosso, C. Lucibello, L. Saglietti and R. Zecchina, Phys. Rev. Lett.
115, 128101 (2015), arXiv:1509.05753 (the large-deviation measure and its y -> inf
curves); J. Stat. Mech. (2016) 023301, arXiv:1511.05634 (long version, appendices);
C. Baldassi et al., PNAS 113, E7655 (2016), arXiv:1605.06444 (robust ensemble).  The
formulas were derived in this project in the package conventions (the papers' bodies
could not be consulted here); the identities above are checked in the tests.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass

import numpy as np
import sympy as sp

from .. import _validate
from ..quadrature import QuadratureOptions, gaussian_expectation
from ..solve import SaddlePoint, solve
from .. import special as _special
from ..sweep import Curve, Threshold, _not_attempted, continuation
from ..symbolic import (
    POSITIVE,
    REAL,
    UNIT,
    BinaryEntropy,
    CoshMax,
    FreeEntropy,
    GaussE,
    Log2Cosh,
    LogAddExp,
    LogGaussE,
    LogH,
    LogHArgmax,
    LogHMax,
    LOG_POSITIVE,
    G,
    H,
    PenalisedLogHArgmax,
    PenalisedLogHMax,
)
from . import committee, perceptron

__all__ = [
    "LocalEntropy",
    "RobustEnsemble",
    "local_entropy_curve",
    "gardner_end_point",
    "monotonicity_threshold",
    "REFERENCES",
]

REFERENCES = ("free", "solution")

_z, _z0, _z1 = sp.symbols("z z0 z1", real=True)
_phat = sp.Symbol("phat", real=True)
_q, _q0, _q1 = sp.symbols("q q0 q1", positive=True)
_qhat, _qhat0, _qhat1 = sp.symbols("qhat qhat0 qhat1", positive=True)
_dq, _dqhat = sp.symbols("dq dqhat", positive=True)
_alpha, _d, _kappa, _y, _gamma = sp.symbols("alpha d kappa y gamma", nonnegative=True)


def _free_inf_terms(field, activation="linear"):
    """Entropic and energetic terms of the free-reference ``y = inf`` theory.

    ``field`` is ``phat`` (distance form) or ``gamma`` (robust-ensemble form).
    ``activation``: ``"linear"`` for the perceptron; ``"relu"``/``"sign"`` for the large-K
    committee, whose patterns see the output overlaps ``Q_K(q)`` and
    ``Q_K(q0) = Q_K(q) - Q_K'(q) dq/y`` (:func:`~replica.models.committee.kernel_pair`):
    the energetic term is the perceptron's with ``q -> Q_K(q)``, ``dq -> Q_K'(q) dq``.

    References
    ----------
    y -> inf limit of the free-reference local entropy, Baldassi et al.,
    arXiv:1511.05634 (appendix on the large-y limit); written here with the implicit
    primitives ``CoshMax``/``LogHMax`` of :mod:`replica.symbolic`.
    """
    g = sp.sqrt(_qhat) * sp.Abs(_z) + field
    # Kinks: |z| at z = 0, and g = 0 at |z| = -field/sqrt(qhat) when the field is
    # negative (CoshMax has a kink at g = 0 once dqhat > 1: two maximisers).
    kink = field / sp.sqrt(_qhat)
    entropic = GaussE(CoshMax(g, _dqhat), _z, [(0, 0), (0, 1 / sp.sqrt(_qhat)), (kink, 0), (-kink, 0)])
    Q, gap = committee.kernel_pair(activation, _q)
    dQ = sp.diff(Q, _q) * _dq
    x = (_kappa - sp.sqrt(Q) * _z) / sp.sqrt(gap)
    center = _kappa / sp.sqrt(Q)
    # The maximiser v* of LogHMax moves to ~ -sqrt(2 ln D) when D = dq/(1-q) is large
    # (small d): the integrand's step then sits near x = v*, away from the centre.
    width = sp.sqrt(gap / Q)
    shifted = center + width * sp.sqrt(2 * sp.log(1 + dQ / gap))
    energetic = _alpha * GaussE(
        LogHMax(x, dQ / gap), _z,
        [(center, width), (center, sp.sqrt((gap + dQ) / Q)), (shifted, width)],
    )
    return -_qhat * (1 - _q) / 2 - (_qhat * _dq + _dqhat * _q) / 2 + entropic + energetic


# On the dense branch qhat, dqhat ~ exp(-c/d) and dq ~ exp(c'/d) as d -> 0: log coordinates.
_INF_DOMAINS = {_q: UNIT, _qhat: LOG_POSITIVE, _dq: LOG_POSITIVE, _dqhat: LOG_POSITIVE}


def _suffix(activation: str) -> str:
    """Name suffix of a theory: none for the perceptron, the committee's activation else."""
    return "" if activation == "linear" else f"-committee-{activation}"


@functools.lru_cache(maxsize=None)
def free_reference_inf_free_entropy(activation: str = "linear") -> FreeEntropy:
    """Local entropy ``S_I(d)`` at ``y = inf``, free reference (module docstring).

    ``activation``: ``"linear"`` (the perceptron) or a large-K committee's (see
    :func:`_free_inf_terms`).

    References
    ----------
    Baldassi et al., PRL 115, 128101 (2015) and arXiv:1511.05634 (y -> inf limit);
    Baldassi, Malatesta & Zecchina, PRL 123, 170602 (2019), arXiv:1907.07578 (committees).
    """
    p = 1 - 2 * _d
    expr = -_phat * p + _free_inf_terms(_phat, activation)
    return FreeEntropy(
        name="local-entropy-free-inf" + _suffix(activation),
        expr=expr,
        order=(_phat, _q, _qhat, _dq, _dqhat),
        params=(_alpha, _d, _kappa),
        observables={
            "local_entropy": expr,
            "external_entropy": sp.S.Zero,  # Sigma = O(1/y)
            "slope": 2 * _phat,  # dS_I/dd
            "H2": BinaryEntropy(_d),
            "gap": BinaryEntropy(_d) - expr,
        },
        domains={_phat: REAL, **_INF_DOMAINS},
    )


@functools.lru_cache(maxsize=None)
def gardner_plateau_free_entropy(activation: str = "linear") -> FreeEntropy:
    """The ``y = inf`` free-reference local entropy for ``d >= d*``: ``S_I = s(alpha)``.

    At the end point ``d*`` of the branch ``phat`` reaches 0 and the references that
    see all typical solutions at distance ``d`` are degenerate for every ``d >= d*``
    (references partly aligned with the clipped centre of mass, partly random: at
    ``d = 1/2`` a random reference does).  The saddle point is the Gardner one,
    ``phat = dq = dqhat = 0``, and the curve is flat: ``S_I = s(alpha)``,
    ``dS_I/dd = 0``.  (The analytic continuation with ``phat < 0`` would describe one
    fixed, aligned reference and undercount.)

    References
    ----------
    Gardner & Derrida, J. Phys. A 21, 271 (1988) for ``s(alpha)``; the plateau follows
    from the y -> inf limit of Baldassi et al., arXiv:1511.05634 at ``phat = 0``.
    """
    if activation == "linear":
        g = perceptron.gardner_free_entropy("binary")
    else:
        g = committee.committee_free_entropy(activation, "binary")
    q, qhat = g.order
    alpha, kappa = g.params
    return FreeEntropy(
        name="local-entropy-free-inf-plateau" + _suffix(activation),
        expr=g.expr,
        order=(q, qhat),
        params=(alpha, _d, kappa),
        observables={
            "local_entropy": g.expr,
            "external_entropy": sp.S.Zero,
            "slope": sp.S.Zero,
            "H2": BinaryEntropy(_d),
            "gap": BinaryEntropy(_d) - g.expr,
        },
        fixed_point=g.fixed_point,
        domains=g.domains,
    )


_qrel, _Qp, _tau, _dt, _eps = sp.symbols("qrel Qp tau dt eps", real=True)


@functools.lru_cache(maxsize=None)
def solution_reference_inf_free_entropy() -> FreeEntropy:
    """Local entropy ``S_I(d)`` at ``y = inf`` with the reference constrained to be a solution.

    Scaling ansatz (reference replicas: overlap ``Q = 1 - dQ/y``, conjugate
    ``Qhat = y^2 Qp``; reference--other-cloud overlap ``t = p - dt/y``, conjugate
    ``that = y Th``; ``phat = y Th + Ph``; clouds as in the free case)::

        S_I = extr [ -Qp dQ/2 - Th dt - Ph p - qhat (1 - q)/2 - (qhat dq + dqhat q)/2
                     + E_z [ (c+ + c-)/2 + E_xi |mu + s xi| ]
                     + alpha E_{z0,z1} max_v [ ln H((kappa - sqrt(q) z0 - v)/sqrt(1 - q))
                                               - v^2/(2 dq) - (kappa - A - (dt/dq) v)_+^2/(2 eps) ] ]

    with ``c+- = L(sqrt(qhat) z +- Ph, dqhat)`` (``CoshMax``), ``mu = (Th/sqrt(qhat)) z +
    (c+ - c-)/2``, ``s^2 = Qp - Th^2/qhat``, ``E|mu + s xi| = 2 s G(mu/s) + mu (1 - 2 H(mu/s))``,
    ``A = (p/sqrt(q)) z0 + sqrt(1 - p^2/q) z1`` (the reference's field) and
    ``eps = dQ - dt^2/dq``.  The reference's own constraint ``H(.)`` becomes the quadratic
    penalty as its field noise ``eps/y`` vanishes.  The slope ``dS_I/dd`` is not ``2 Ph``
    here: ``p`` also enters through ``A``.

    Coordinates that keep the saddle inside its domain: ``q = p^2 + (1 - p^2) qrel``
    (``qrel`` in (0, 1)), ``Th = tau Qp / sqrt(1 + tau^2 Qp/qhat)`` (any real ``tau`` keeps
    ``s^2 = Qp/(1 + tau^2 Qp/qhat) > 0``), ``dQ = eps + dt^2/dq``.  Along the branch
    ``Qp`` and ``Th`` vanish together like ``exp(-c/d)`` at small ``d`` with ``Th/Qp``
    of order 10: ``Qp`` in log coordinates, ``tau`` stays of order 10.

    References
    ----------
    Baldassi, Ingrosso, Lucibello, Saglietti, Zecchina, PRL 115, 128101 (2015),
    arXiv:1509.05753 (main text: reference constrained to be a solution, y -> inf);
    J. Stat. Mech. (2016) 023301, arXiv:1511.05634 (appendices).  Derived in the
    package conventions; checked against an independent solver and the free reference.
    """
    p = 1 - 2 * _d
    q = p**2 + (1 - p**2) * _qrel
    stretch = sp.sqrt(1 + _tau**2 * _Qp / _qhat)
    th = _tau * _Qp / stretch
    s = sp.sqrt(_Qp) / stretch
    dQ = _eps + _dt**2 / _dq
    h = sp.sqrt(_qhat) * _z
    c_up, c_down = CoshMax(h + _phat, _dqhat), CoshMax(h - _phat, _dqhat)
    mu = th / sp.sqrt(_qhat) * _z + (c_up - c_down) / 2
    abs_mean = 2 * s * G(mu / s) + mu * (1 - 2 * H(mu / s))
    kink = _phat / sp.sqrt(_qhat)
    # mu changes sign at z = 0 over a width ~ s/sqrt(qhat) (sharp when Qp -> 0).
    entropic = GaussE((c_up + c_down) / 2 + abs_mean, _z,
                      [(0, 0), (0, s / sp.sqrt(_qhat)), (0, 1 / sp.sqrt(_qhat)), (kink, 0), (-kink, 0)])
    x = (_kappa - sp.sqrt(q) * _z0) / sp.sqrt(1 - q)
    D = _dq / (1 - q)
    c = (_dt / _dq) * sp.sqrt(1 - q)
    beta = sp.sqrt((1 - p**2) * _qrel / q)
    A = (p / sp.sqrt(q)) * _z0 + beta * _z1
    # The penalty switches on where b = (kappa - A)/c reaches the free maximiser V0.
    z1_kink = (_kappa - c * LogHArgmax(x, D) - (p / sp.sqrt(q)) * _z0) / beta
    inner = GaussE(PenalisedLogHMax(x, D, (_kappa - A) / c, _eps / c**2), _z1,
                   [(z1_kink, 0), (z1_kink, sp.sqrt(_eps) / beta)])
    center, width = _kappa / sp.sqrt(q), sp.sqrt((1 - q) / q)
    shifted = center + width * sp.sqrt(2 * sp.log(1 + D))
    energetic = _alpha * GaussE(inner, _z0, [(center, width), (center, sp.sqrt((1 - q + _dq) / q)), (shifted, width)])
    expr = (-_Qp * dQ / 2 - th * _dt - _phat * p - _qhat * (1 - q) / 2 - (_qhat * _dq + _dqhat * q) / 2
            + entropic + energetic)
    return FreeEntropy(
        name="local-entropy-solution-inf",
        expr=expr,
        order=(_phat, _qrel, _qhat, _dq, _dqhat, _Qp, _tau, _dt, _eps),
        params=(_alpha, _d, _kappa),
        observables={
            "local_entropy": expr,
            "slope": sp.diff(expr, _d),  # explicit derivative = total one at the saddle
            "H2": BinaryEntropy(_d),
            "gap": BinaryEntropy(_d) - expr,
            "q": q,
            "that_scaled": th,
            "dQ": dQ,
        },
        domains={_phat: REAL, _qrel: UNIT, _qhat: LOG_POSITIVE, _dq: LOG_POSITIVE, _dqhat: LOG_POSITIVE,
                 _Qp: LOG_POSITIVE, _tau: REAL, _dt: LOG_POSITIVE, _eps: LOG_POSITIVE},
    )


def _free_finite_terms(field, activation="linear"):
    """``phi`` of the free reference at finite ``y`` without the ``-y phat p`` term.

    ``activation`` as in :func:`_free_inf_terms`: the committee's patterns see
    ``Q_K(q0)``, ``Q_K(q1)``.

    References
    ----------
    Baldassi et al., arXiv:1511.05634 (free reference, finite y); 1RSB-like form with
    Parisi parameter y.
    """
    s = sp.sqrt(_qhat1 - _qhat0)
    h = sp.sqrt(_qhat0) * _z0 + s * _z1
    up = LogGaussE(_y * Log2Cosh(h + field), _z1)
    down = LogGaussE(_y * Log2Cosh(h - field), _z1)
    # up and down swap at z0 = 0 over a width ~ 1/(y |field| sqrt(qhat0)): sharp at large y.
    entropic = GaussE(LogAddExp(up, down), _z0,
                      [(0, 1 / sp.sqrt(_qhat0)), (0, 1 / (sp.sqrt(_qhat0) * (1 + _y * sp.Abs(field))))])
    Q0, gap0 = committee.kernel_pair(activation, _q0)
    Q1, gap1 = committee.kernel_pair(activation, _q1)
    spread = gap0 - gap1  # Q1 - Q0
    u = (_kappa - sp.sqrt(Q0) * _z0 - sp.sqrt(spread) * _z1) / sp.sqrt(gap1)
    inner = LogGaussE(
        _y * LogH(u), _z1,
        [((_kappa - sp.sqrt(Q0) * _z0) / sp.sqrt(spread), sp.sqrt(gap1 / spread))],
    )
    energetic = _alpha * GaussE(inner, _z0, [(_kappa / sp.sqrt(Q0), sp.sqrt(gap0 / Q0))])
    return (-(_y / 2) * _qhat1 * ((_y - 1) * _q1 + 1) + (_y**2 / 2) * _qhat0 * _q0 + entropic + energetic)


_FINITE_DOMAINS = {_q0: UNIT, _q1: UNIT, _qhat0: POSITIVE, _qhat1: POSITIVE}


@functools.lru_cache(maxsize=None)
def free_reference_free_entropy(activation: str = "linear") -> FreeEntropy:
    """``phi(d, y)`` at finite ``y``, free reference (module docstring).

    References
    ----------
    Baldassi et al., arXiv:1511.05634 (free reference, finite y).
    """
    p = 1 - 2 * _d
    expr = -_y * _phat * p + _free_finite_terms(_phat, activation)
    s_i = sp.diff(expr, _y)
    return FreeEntropy(
        name="local-entropy-free-y" + _suffix(activation),
        expr=expr,
        order=(_phat, _q0, _q1, _qhat0, _qhat1),
        params=(_alpha, _d, _kappa, _y),
        observables={
            "local_entropy": s_i,
            "external_entropy": expr - _y * s_i,
            "slope": 2 * _y * _phat,  # d phi / dd
            "H2": BinaryEntropy(_d),
        },
        domains={_phat: REAL, **_FINITE_DOMAINS},
    )


class _Frozen(sp.Function):
    """Identity whose derivative is set to zero: a shift of an integration variable.

    ``E_x[f(x)] = E_x[f(x + m) exp(-m x - m^2/2)]`` holds for every ``m``: the exact
    integral does not depend on ``m``, so its derivatives may treat ``m`` as a constant.
    Used to centre the tilted inner integrands of the finite-``y`` constrained theory on
    their (approximate) maximisers without differentiating the maximisers.
    """

    nargs = 1

    def fdiff(self, argindex=1):
        return sp.S.Zero

    def _numpycode(self, printer):
        return f"({printer._print(self.args[0])})"

    def _mpmathcode(self, printer):
        return f"({printer._print(self.args[0])})"

    def _eval_is_real(self):
        return self.args[0].is_real


_cx, _th = sp.symbols("cx that", real=True)
_r2, _dh, _s2, _e2 = sp.symbols("dq1 dqhat1 s2 e2", positive=True)
_x, _xi = sp.symbols("x xi", real=True)

# Nested integrals of the finite-y constrained theory (3 levels in the energetic term):
# fewer nodes than the defaults (checked against n -> 2n and the independent solver).
_SOLUTION_Y_QUAD = QuadratureOptions(n_hermite=48, n_panel=8, base_panels=8,
                                     feature_offsets=(0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0), bridge_points=2)


@functools.lru_cache(maxsize=None)
def solution_reference_free_entropy() -> FreeEntropy:
    """``phi(d, y)`` at finite ``y`` with the reference constrained to be a solution.

    Two-level replica calculation, RS over the reference replicas (``y`` real replicas
    per reference; notes/issue3_equations.md).  Order parameters: the reference
    overlap ``Q`` (conjugate ``Qhat``), ``phat`` (conjugate of ``p = 1 - 2d``), the
    reference--other-block overlap ``t`` (conjugate ``that``), ``q0, q1`` (conjugates
    ``qhat0, qhat1``)::

        phi = -(Qhat/2)(1 - Q) - y phat p + y that t - (y/2) qhat1 ((y - 1) q1 + 1)
              + (y^2/2) qhat0 q0
              + E_z [ (l+ + l-)/2 + E_xi ln 2cosh(mu + sqrt(s2) xi) ]
              + alpha E_{z0,z1} ln E_x [ H(u) H(lam)^y ]

    with ``l+- = ln E_x [2cosh(sqrt(qhat0) z +- (phat - that) + sqrt(qhat1 - qhat0) x)]^y``,
    ``mu = (that/sqrt(qhat0)) z + (l+ - l-)/2``, ``s2 = Qhat - that^2/qhat0``,
    ``u = (kappa - A - cx x)/e`` with ``A = (t/sqrt(q0)) z0 + sqrt(Q - t^2/q0) z1``,
    ``cx = (p - t)/sqrt(q1 - q0)``, ``e^2 = 1 - Q - cx^2``, and
    ``lam = (kappa - sqrt(q0) z0 - sqrt(q1 - q0) x)/sqrt(1 - q1)``.

    Coordinates (inside the domain for every value): ``phat, q1, dq1 = q1 - q0, qhat0,
    dqhat1 = qhat1 - qhat0, that, s2, cx, e2``; then ``Qhat = s2 + that^2/qhat0``,
    ``t = p - cx sqrt(dq1)``, ``Q = 1 - cx^2 - e2``.  ``s2`` and ``Q - t^2/q0`` vanish at
    ``y = 1`` (the reference is then one more replica), ``e2 ~ 1/y`` at large ``y``: log
    coordinates.  The inner ``x`` integrals are centred on approximate maximisers of their
    tilted integrands (``_Frozen`` shifts): at large ``y`` their mass sits at
    ``x ~ sqrt(y)``, far outside the Gaussian's own range.

    Observables: ``local_entropy = d phi/dy``, ``external_entropy = phi - y S_I``,
    ``slope = d phi/dd``, ``H2`` and the raw order parameters ``Q, Qhat, t, q0, qhat1``.

    References
    ----------
    Baldassi, Ingrosso, Lucibello, Saglietti, Zecchina, PRL 115, 128101 (2015),
    arXiv:1509.05753; J. Stat. Mech. (2016) 023301, arXiv:1511.05634 (finite y, reference
    constrained to be a solution).  Derived in the package conventions; checked against
    an independent solver (notes/constrained/lecons.py).
    """
    p = 1 - 2 * _d
    y = _y
    # --- entropic term
    P = _phat - _th
    sD = sp.sqrt(_dh)
    h = sp.sqrt(_qhat0) * _z
    ls = []
    for a in (h + P, h - P):
        m = _Frozen(y * sD * sp.tanh(a))
        ls.append(LogGaussE(y * Log2Cosh(a + sD * (_x + m)) - m * _x - m**2 / 2, _x))
    l_up, l_down = ls
    s = sp.sqrt(_s2)
    mu = _th / sp.sqrt(_qhat0) * _z + (l_up - l_down) / 2
    K = GaussE(Log2Cosh(mu + s * _xi), _xi, [(-mu / s, 1 / s)])
    slope_z = sp.sqrt(_qhat0) * (1 + y * sp.Abs(P))
    entropic = GaussE((l_up + l_down) / 2 + K, _z,
                      [(0, 1 / sp.sqrt(_qhat0)), (0, 1 / slope_z), (0, sp.sqrt(1 + _s2) / slope_z)])
    # --- energetic term
    q0 = _q1 - _r2
    r = sp.sqrt(_r2)
    s1 = sp.sqrt(1 - _q1)
    t = p - _cx * r
    a0 = t / sp.sqrt(q0)
    Q = 1 - _cx**2 - _e2
    b = sp.sqrt(Q - a0**2)
    e = sp.sqrt(_e2)
    A = a0 * _z0 + b * _z1
    X0 = (_kappa - sp.sqrt(q0) * _z0) / s1
    D = y * _r2 / (1 - _q1)
    bv = (_kappa - A) * r / (_cx * s1)
    Ev = y * (r * e / (_cx * s1))**2
    m = _Frozen(s1 / r * PenalisedLogHArgmax(X0, D, bv, Ev))
    xx = _x + m
    lam = X0 - (r / s1) * xx
    u = (_kappa - A - _cx * xx) / e
    inner = LogGaussE(y * LogH(lam) + LogH(u) - m * _x - m**2 / 2, _x,
                      [((_kappa - A) / _cx - m, e / _cx), (X0 * s1 / r - m, s1 / r)])
    # z1 enters through u only: its step in z1 has width ~ e/b around where it meets the mass.
    # (where the reference's constraint starts to bite on the unconstrained maximiser).
    z1_center = (_kappa - a0 * _z0 - _cx * s1 / r * LogHArgmax(X0, D)) / b
    middle = GaussE(inner, _z1, [(z1_center, e / b), (z1_center, sp.sqrt(_e2 + _cx**2) / b)])
    energetic = _alpha * GaussE(middle, _z0, [(_kappa / sp.sqrt(q0), sp.sqrt((1 - _q1) / q0))])
    qhat1 = _qhat0 + _dh
    Qhat = _s2 + _th**2 / _qhat0
    expr = (-(Qhat / 2) * (1 - Q) - y * _phat * p + y * _th * t - (y / 2) * qhat1 * ((y - 1) * _q1 + 1)
            + (y**2 / 2) * _qhat0 * q0 + entropic + energetic)
    s_i = sp.diff(expr, y)
    return FreeEntropy(
        name="local-entropy-solution-y",
        expr=expr,
        order=(_phat, _q1, _r2, _qhat0, _dh, _th, _s2, _cx, _e2),
        params=(_alpha, _d, _kappa, _y),
        observables={
            "local_entropy": s_i,
            "external_entropy": expr - y * s_i,
            "slope": sp.diff(expr, _d),  # d phi / dd (explicit = total at the saddle)
            "H2": BinaryEntropy(_d),
            "Q": Q,
            "Qhat": Qhat,
            "t": t,
            "q0": q0,
            "qhat1": qhat1,
        },
        domains={_phat: REAL, _q1: UNIT, _r2: LOG_POSITIVE, _qhat0: LOG_POSITIVE, _dh: LOG_POSITIVE,
                 _th: REAL, _s2: LOG_POSITIVE, _cx: REAL, _e2: LOG_POSITIVE},
    )


def _solution_y_from_raw(par, d: float) -> dict:
    """Coordinates of :func:`solution_reference_free_entropy` from the raw order parameters
    ``[Q, Qhat, phat, t, that, q0, qhat0, q1, qhat1]`` (the scratch solver's order)."""
    Q, Qh, ph, t, th, q0, qh0, q1, qh1 = map(float, par)
    p = 1 - 2 * d
    cx = (p - t) / math.sqrt(q1 - q0)
    return {"phat": ph, "q1": q1, "dq1": q1 - q0, "qhat0": qh0, "dqhat1": qh1 - qh0, "that": th,
            "s2": Qh - th * th / qh0, "cx": cx, "e2": 1 - Q - cx * cx}


# Converged finite-y constrained saddles (raw order parameters [Q, Qhat, phat, t, that, q0,
# qhat0, q1, qhat1]) at y = 5, d = 0.15, from the independent scratch solver
# (notes/constrained/anchors_y5.json; reproduced by this theory to |grad| < 1e-11).  Newton
# from the y = inf scaling ansatz does not converge in general: the reference's conjugates
# carry large finite-y corrections.  Other points are reached by continuation.
_SOLUTION_Y_ANCHORS = {
    0.5: [0.591043913422861, 0.11977792267993784, 0.7005009002652152, 0.5110683778606877, 0.20506086077244412,
          0.44399472541266205, 0.36422618405114043, 0.5392583942672833, 0.3880261051865659],
    0.7: [0.6837299377445359, 0.7365117162030731, 1.2143983806326986, 0.6110302567221394, 0.9029238771910553, 0.5512226757683717, 1.1389299919424696, 0.5828983560942212, 1.1585760118617248],
}
_SOLUTION_Y_ANCHOR_D, _SOLUTION_Y_ANCHOR_Y = 0.15, 5.0


def _solution_y_guess(spec) -> dict:
    """Start for the finite-``y`` constrained saddle: continuation from the nearest anchor
    (``y = 5``, ``d = 0.15``) in alpha, then d, then y (Newton at every step)."""
    a0 = min(_SOLUTION_Y_ANCHORS, key=lambda a: abs(a - spec.alpha))
    d0, y0 = _SOLUTION_Y_ANCHOR_D, _SOLUTION_Y_ANCHOR_Y
    start = _solution_y_from_raw(_SOLUTION_Y_ANCHORS[a0], d0)
    base = dataclasses.replace(spec, alpha=a0, d=d0, y=y0, kappa=0.0)
    for param, target in (("kappa", float(spec.kappa)), ("alpha", float(spec.alpha)), ("d", float(spec.d)),
                          ("y", float(spec.y))):
        here = getattr(base, param)
        if abs(here - target) < 1e-14:
            continue
        # Only the two ends are requested values: the steps between are waypoints, which
        # skip the refined-rule quadrature check (8 times a step's cost on 3-level nests).
        step = abs(target - here) / 7
        if param == "y":
            max_step = lambda v: 0.2 * v  # noqa: E731 (geometric in y: 10 steps from 5 to 30)
        elif param == "d":
            max_step = lambda v: min(step, _D_STEP(v))  # noqa: E731
        else:
            max_step = step
        curve = continuation(base, param, [here, target], init=start, max_step=max_step)
        good = [p for p in curve.points if p.success]
        if len(good) < len(curve.points):
            return dict(good[-1].order) if good else start
        start, base = dict(good[-1].order), dataclasses.replace(base, **{param: target})
    return start


def _check(alpha, d, y, reference, kappa, activation="linear"):
    _validate.choice("activation", activation, committee.ACTIVATIONS)
    _validate.real("alpha", alpha, lower=0.0)
    _validate.real("d", d, lower=0.0, upper=0.5, lower_open=True)
    if not (isinstance(y, (int, float)) and y == math.inf):
        _validate.real("y", y, lower=0.0, lower_open=True)
    _validate.choice("reference", reference, REFERENCES)
    _validate.real("kappa", kappa, lower=0.0)


def _require_free(reference: str) -> None:
    """The robust ensemble exists for the free reference only: say so plainly."""
    if reference != "free":
        raise ValueError("reference must be 'free' for the robust ensemble; got 'solution'")


def _require_available(reference: str, y: float) -> None:
    """Every (reference, y) combination is available (the finite-``y`` constrained theory
    included); kept as the single place where a missing combination would be refused."""
    return None


def _require_linear(reference: str, activation: str) -> None:
    """The constrained reference is implemented for the perceptron only."""
    if reference == "solution" and activation != "linear":
        raise ValueError(
            f"reference='solution' is available for the perceptron (activation='linear') only; got "
            f"activation={activation!r}: use reference='free' for the committee"
        )


def gardner_end_point(alpha: float, kappa: float = 0.0, activation: str = "linear") -> tuple[float, SaddlePoint]:
    """End point ``d*`` of the ``y = inf`` free-reference branch and the Gardner saddle.

    At ``d* = (1 - E|tanh(sqrt(Qhat) z)|)/2`` the reference is the clipped centre of
    mass of all typical solutions: ``phat = dq = dqhat = 0``, ``(q, qhat) = (Q, Qhat)``
    and ``S_I(d*) = s(alpha)``.  For a committee activation the Gardner saddle is the
    large-K committee's (:class:`~replica.models.committee.LargeKCommittee`, binary).
    """
    g = committee.typical_saddle(float(alpha), float(kappa), activation)
    qhat = g.order["qhat"]
    m = gaussian_expectation(lambda z: np.abs(np.tanh(math.sqrt(qhat) * z)), features=[(0.0, 0.0)]).value
    return (1.0 - float(m)) / 2.0, g


@dataclass(frozen=True)
class LocalEntropy:
    """Local-entropy large deviations at distance ``d``, binary perceptron.

    Parameters
    ----------
    alpha : float
        Load ``>= 0``.
    d : float
        Distance, in ``(0, 1/2]``.
    y : float
        Large-deviation parameter, ``> 0`` or ``math.inf`` (its own scaling limit).
    reference : {"free", "solution"}
        Whether the reference must itself be a solution.  ``"solution"`` is available at
        ``y = inf`` (finite ``y`` raises ``ValueError``): its saddle point is found from
        the free one (see :func:`local_entropy_curve` for its branch).
    kappa : float
        Margin ``>= 0``.
    activation : {"linear", "relu", "sign"}
        ``"linear"`` (default): the binary perceptron.  ``"relu"``, ``"sign"``: the
        large-K tree committee with binary weights (free reference only), whose patterns
        see the output overlaps ``Q_K(q)`` (:func:`~replica.models.committee.kernel_pair`).

    Observables: ``local_entropy`` (``S_I``), ``external_entropy``, ``slope``
    (``d S_I/d d`` at ``y = inf``; ``d phi/d d`` at finite ``y``), ``H2``.

    Examples
    --------
    >>> from replica import LocalEntropy, solve
    >>> sp = solve(LocalEntropy(alpha=0.5, d=0.15))
    >>> sp.success, round(sp["local_entropy"], 7)
    (True, 0.2784875)
    """

    alpha: float
    d: float
    y: float = math.inf
    reference: str = "free"
    kappa: float = 0.0
    activation: str = "linear"

    def __post_init__(self):
        _check(self.alpha, self.d, self.y, self.reference, self.kappa, self.activation)
        _require_available(self.reference, self.y)
        _require_linear(self.reference, self.activation)

    @property
    def is_limit(self) -> bool:
        return self.y == math.inf

    @property
    def on_plateau(self) -> bool:
        """Free reference, ``y = inf`` and ``d >= d*``: the flat part ``S_I = s(alpha)``."""
        return (self.reference == "free" and self.is_limit
                and self.d >= gardner_end_point(self.alpha, self.kappa, self.activation)[0])

    @property
    def quadrature(self) -> QuadratureOptions | None:
        """Rules of the finite-``y`` constrained theory (3-level nested integrals); default else."""
        return _SOLUTION_Y_QUAD if (self.reference == "solution" and not self.is_limit) else None

    def free_entropy(self) -> FreeEntropy:
        if self.reference == "solution":
            return solution_reference_inf_free_entropy() if self.is_limit else solution_reference_free_entropy()
        if self.on_plateau:
            return gardner_plateau_free_entropy(self.activation)
        if self.is_limit:
            return free_reference_inf_free_entropy(self.activation)
        return free_reference_free_entropy(self.activation)

    def parameter_values(self):
        base = (float(self.alpha), float(self.d), float(self.kappa))
        return base if self.is_limit else base + (float(self.y),)

    def initial_guess(self) -> dict:
        if self.reference == "solution":
            if self.is_limit:
                return _solution_inf_guess(self.alpha, self.d, self.kappa)
            return _solution_y_guess(self)
        if self.on_plateau:
            return dict(committee.typical_saddle(float(self.alpha), float(self.kappa), self.activation).order)
        if self.is_limit:
            return _inf_branch_guess(self.alpha, self.d, self.kappa, self.activation)
        limit = dataclasses.replace(self, y=math.inf)
        if limit.on_plateau:
            # The y = inf ansatz has nothing to say on the plateau (phat = 0, no dq):
            # start below d* and follow the finite-y branch up in d.
            below = dataclasses.replace(self, d=_branch_start(gardner_end_point(self.alpha, self.kappa, self.activation)[0]))
            start = below.initial_guess()
            curve = continuation(below, "d", [below.d, self.d], init=start, max_step=_D_STEP)
            good = [p for p in curve.points if p.success]
            return dict(good[-1].order) if good else start
        inf = solve(limit)
        return _down_in_y(self, lambda y0: _finite_from_inf(inf.order, y0))


def _down_in_y(spec, guess_at, y_start: float = 30.0) -> dict:
    """Finite-``y`` start for ``spec``: the ``y = inf`` ansatz ``guess_at(y0)`` at
    ``y0 = max(y, 30)``, followed by continuation in ``y`` down to ``spec.y``."""
    y0 = max(float(spec.y), y_start)
    guess = guess_at(y0)
    if y0 == spec.y:
        return guess
    curve = continuation(dataclasses.replace(spec, y=y0), "y", np.geomspace(y0, spec.y, 12), init=guess)
    good = [p for p in curve.points if p.success]
    return dict(good[-1].order) if good else guess


def _finite_from_inf(order: dict, y: float) -> dict:
    """Finite-``y`` order parameters from the ``y = inf`` scaling ansatz."""
    q, qhat = order["q"], order["qhat"]
    return {
        "phat": order["phat"],
        "q1": q,
        "q0": max(q - order["dq"] / y, 0.5 * q),
        "qhat0": qhat,
        "qhat1": qhat + order["dqhat"] / y,
    }


# Below this Qp the reference's constraint changes S_I by less than ~3e-10 (measured:
# S_I(free) - S_I(solution) ~ 0.3 Qp) and the constrained saddle tends to the free one;
# much further down (Qp ~ 1e-19 at alpha = 0.5, d = 0.05) the constrained equations are
# no longer resolved by the quadrature.
_QP_INACTIVE = 1e-9


def _solution_anchor(d_star: float) -> float:
    """Where the constrained ``y = inf`` branch is started (well inside it)."""
    return round(0.6 * d_star, 6)


def _solution_from_free(order: dict, d: float) -> dict:
    """Start for the constrained ``y = inf`` saddle from the free one at the same point.

    In the limit ``Qp, Th -> 0`` the constrained equations give ``dt = E[sign(z) h]/qhat
    = sqrt(2/pi)/sqrt(qhat)`` and ``dQ = 2 E[delta(mu)] = 2 G(0)/(sqrt(qhat) m)`` with
    ``m = tanh(phat + U)`` the slope of ``(c+ - c-)/2`` at ``z = 0``; ``Qp ~ 1e-5`` and
    ``Th/Qp ~ 20`` are the orders of magnitude measured at ``d ~ 0.6 d*``.
    """
    p = 1 - 2 * d
    qhat, phat, dqhat, dq = order["qhat"], order["phat"], order["dqhat"], order["dq"]
    m = math.tanh(abs(phat) + float(_special.cosh_argmax(abs(phat), dqhat)))
    dt = math.sqrt(2 / math.pi) / math.sqrt(qhat)
    dQ = 2 / (math.sqrt(2 * math.pi) * math.sqrt(qhat) * max(m, 1e-3))
    eps = dQ - dt**2 / dq
    return {"phat": phat, "qrel": min(max((order["q"] - p * p) / (1 - p * p), 1e-3), 0.999), "qhat": qhat,
            "dq": dq, "dqhat": dqhat, "Qp": 1e-5, "tau": 20.0, "dt": dt, "eps": eps if eps > 0 else 0.1 * dQ}


def _free_from_solution(order: dict, d: float) -> dict:
    """The free saddle's coordinates from a constrained one (``Qp -> 0`` limit)."""
    p = 1 - 2 * d
    return {"phat": order["phat"], "q": p * p + (1 - p * p) * order["qrel"], "qhat": order["qhat"],
            "dq": order["dq"], "dqhat": order["dqhat"]}


def _solution_start(alpha: float, kappa: float) -> SaddlePoint:
    """Constrained ``y = inf`` saddle at the anchor ``0.6 d*``, from the free one there."""
    anchor = _solution_anchor(gardner_end_point(alpha, kappa)[0])
    free = solve(LocalEntropy(alpha, anchor, math.inf, "free", kappa))
    return solve(LocalEntropy(alpha, anchor, math.inf, "solution", kappa), init=_solution_from_free(free.order, anchor))


def _solution_inf_guess(alpha: float, d: float, kappa: float) -> dict:
    """Start for the constrained ``y = inf`` saddle at ``d``: continuation from the anchor."""
    start = _solution_start(alpha, kappa)
    if abs(start.params.d - d) < 1e-12 or not start.success:
        return dict(start.order)
    curve = continuation(start.params, "d", [start.params.d, d], init=start, max_step=_D_STEP)
    good = [p for p in curve.points if p.success]
    return dict(good[-1].order)


def _solution_closes(good: tuple, failed: SaddlePoint) -> str | None:
    """Why the constrained ``y = inf`` branch cannot be followed to larger ``d``.

    Towards the free end point ``d*`` the constrained branch has ``phat, dq -> 0`` and
    ``S_I -> s(alpha)``; it closes just beyond ``d*`` (the reference's noise ``dQ``
    diverges there).
    """
    last = good[-1]
    if last.order.get("dq", 1.0) < 0.01:
        return (f"end of the constrained y = inf branch near d = {last.params.d:.4g}: S_I = "
                f"{last['local_entropy']:.7f} approaches s(alpha) (dq -> 0); no constrained saddle point beyond it")
    return None


def _branch_start(d_star: float) -> float:
    """Where the ``y = inf`` branch is started, just below its end point ``d*``."""
    return max(d_star - 0.01, 0.5 * d_star)


def _inf_branch_guess(alpha: float, d: float, kappa: float, activation: str = "linear") -> dict:
    """Saddle of the ``y = inf`` theory by continuation in ``d`` from the Gardner end point."""
    d_star, g = gardner_end_point(alpha, kappa, activation)
    Q, Qh = g.order["q"], g.order["qhat"]
    # Just below d*: phat, dq, dqhat open up linearly in d* - d (measured: ~3.5, 4.6, 1.9).
    start = _branch_start(d_star)
    eps = d_star - start
    guess = {"phat": 3.5 * eps, "q": Q, "qhat": Qh, "dq": 4.6 * eps, "dqhat": 1.9 * eps}
    if abs(d - start) < 1e-12:
        return guess
    curve = continuation(LocalEntropy(alpha, start, math.inf, "free", kappa, activation), "d", [start, d], init=guess,
                         max_step=_D_STEP)
    good = [p for p in curve.points if p.success]
    return dict(good[-1].order) if good else guess


def _D_STEP(d: float) -> float:
    """Continuation steps in d: geometric towards d -> 0, at most 0.03."""
    return min(0.2 * d + 1e-4, 0.03)


def _saturated(good: tuple, failed: SaddlePoint) -> str | None:
    """Why the dense branch cannot be followed to smaller ``d`` in double precision.

    For ``alpha < alpha_U`` the gap ``H2(d) - S_I(d)`` and ``qhat`` vanish like
    ``exp(-c/d)`` while ``dq`` diverges like ``exp(c'/d)``: once the gap is below
    ~1e-9 of ``H2`` the saddle point is no longer resolvable in double precision
    (``S_I = H2(d)`` to that accuracy, and ``S_I <= H2`` always).
    """
    last = good[-1]
    gap, h2, d = last["gap"], last["H2"], last.params.d
    if gap is not None and gap < 1e-9 * h2:
        return (f"dense branch saturated: H2(d) - S_I = {gap:.1e} at d = {d:.4g} and decaying like exp(-c/d); "
                f"below that distance S_I(d) = H2(d) beyond double precision and the saddle point "
                f"(qhat ~ exp(-c/d)) is not resolvable")
    return None


def _slope_vanishes(good: tuple, failed: SaddlePoint) -> str | None:
    """Why the ``y = inf`` branch stops where ``phat = dS_I/dd / 2`` reaches 0.

    Above the monotonicity threshold ``alpha_U`` the branch followed from the Gardner
    end point reaches ``phat = 0`` at a finite ``d``.  There ``dqhat > 1``, the inner
    maximum ``CoshMax(g, dqhat)`` has two maximisers and a kink at ``g = 0``, and a
    reference aligned with its cloud requires ``phat >= 0``: the RS ``y = inf`` curve
    has a gap in ``d`` (PRL 115, 128101: the curves stop being monotonic).
    """
    last = good[-1]
    slope, dqhat = last.observables.get("slope"), last.order.get("dqhat")
    if slope is not None and dqhat is not None and abs(slope) < 0.1 and dqhat > 1.0:
        return (f"no RS saddle point with phat > 0: the y = inf branch reaches dS_I/dd = 0 "
                f"near d = {last.params.d:.4g} (alpha above the monotonicity threshold alpha_U)")
    return None


def _branch_end(good: tuple, failed: SaddlePoint) -> str | None:
    """``end_of_branch`` of the dense curves (:func:`~replica.sweep.continuation`)."""
    return _saturated(good, failed) or _slope_vanishes(good, failed)


_DENSE_ANCHOR = 0.005  # a distance where the dense branch is resolvable for every alpha < alpha_c


def _dense_start(alpha: float, d: float, kappa: float, activation: str = "linear") -> dict | None:
    """Saddle on the small-``d`` dense branch at ``alpha``, by continuation in alpha.

    At small ``d`` the dense branch (``S_I`` within ``exp(-c/d)`` of ``H2``) exists for
    every load, also above ``alpha_U`` where it is disconnected from the Gardner end
    point: it is reached from ``alpha = 0.5``, where it is connected, at fixed ``d``.
    """
    base = local_entropy_curve(0.5, [d], kappa=kappa, activation=activation).points[0]
    if not base.success:
        return None
    path = continuation(LocalEntropy(0.5, d, math.inf, "free", kappa, activation), "alpha", np.linspace(0.5, alpha, 25),
                        init=base)
    last = path.points[-1]
    return dict(last.order) if last.success else None


def local_entropy_curve(alpha: float, d_values, *, y: float = math.inf, reference: str = "free",
                        kappa: float = 0.0, activation: str = "linear", **solve_kwargs) -> Curve:
    """``S_I(d)`` over ``d_values``, by continuation from the Gardner end point ``d*``.

    The branch is followed from ``d*`` down to the smallest requested distance and up
    to the largest one; the points are returned in the order of ``d_values``.  Points
    where no RS saddle point is found carry ``success=False`` and the reason.
    ``activation`` as in :class:`LocalEntropy` (``"linear"``: the perceptron).  At
    ``y = inf`` and above ``alpha_U`` the branch from ``d*`` ends where ``phat = 0``; the
    curve then carries on along the dense branch at small ``d``, followed upwards from
    ``d = 0.005`` (reached by continuation in alpha) until its own ``phat = 0`` point.
    Towards ``d -> 0`` the dense branch saturates (``H2(d) - S_I < 1e-9 H2``): those
    points are reported as such.
    """
    d_values = np.asarray(d_values, dtype=float)
    for v in d_values:
        _check(alpha, v, y, reference, kappa, activation)
    _require_available(reference, y)
    _require_linear(reference, activation)
    d_star, _ = gardner_end_point(alpha, kappa, activation)
    limit = y == math.inf
    if reference == "solution":
        if limit:
            return _solution_curve(alpha, d_values, kappa, solve_kwargs)
        return _solution_y_curve(alpha, d_values, y, kappa, solve_kwargs)
    points: dict[int, SaddlePoint] = {}

    def follow(idx, spec, start, end_of_branch, anchor=None):
        values = [float(d_values[i]) for i in idx]
        if anchor is not None:  # start at the anchor itself: steps from there, not a jump
            values = [anchor] + values
        curve = continuation(spec, "d", values, init=start, max_step=_D_STEP,
                             end_of_branch=end_of_branch, **solve_kwargs)
        for i, pt in zip(idx, curve.points[1:] if anchor is not None else curve.points):
            points[i] = pt

    for side in (-1, 1):
        idx = [i for i, v in enumerate(d_values) if (v < d_star if side < 0 else v >= d_star)]
        if not idx:
            continue
        idx.sort(key=lambda i: abs(d_values[i] - d_star))
        if limit and side < 0:
            # From the known start next to d*, so that the end of the branch is detected.
            anchor = _branch_start(d_star)
            follow(idx, LocalEntropy(alpha, anchor, y, reference, kappa, activation),
                   _inf_branch_guess(alpha, anchor, kappa, activation), _branch_end, anchor)
        else:
            spec = LocalEntropy(alpha, float(d_values[idx[0]]), y, reference, kappa, activation)
            follow(idx, spec, spec.initial_guess(), _saturated if side < 0 else None)

    # Above alpha_U: the disconnected dense branch at small d.
    gap_idx = [i for i, v in enumerate(d_values) if v < d_star and not points[i].success and "phat > 0" in points[i].message]
    if limit and gap_idx:
        start = _dense_start(alpha, _DENSE_ANCHOR, kappa, activation)
        if start is not None:
            up = sorted((i for i in gap_idx if d_values[i] >= _DENSE_ANCHOR), key=lambda i: d_values[i])
            down = sorted((i for i in gap_idx if d_values[i] < _DENSE_ANCHOR), key=lambda i: -d_values[i])
            gap_reason = {i: points[i] for i in up}
            for idx, stop in ((up, _slope_vanishes), (down, _saturated)):
                if idx:
                    follow(idx, LocalEntropy(alpha, _DENSE_ANCHOR, y, reference, kappa, activation), start, stop,
                           _DENSE_ANCHOR)
            for i in up:  # inside the gap: keep the reason of the branch from above
                if not points[i].success and "phat > 0" in points[i].message:
                    points[i] = gap_reason[i]
    return Curve(param="d", values=d_values, points=tuple(points[i] for i in range(len(d_values))))


def _solution_curve(alpha: float, d_values: np.ndarray, kappa: float, solve_kwargs: dict) -> Curve:
    """``y = inf`` curve with the reference constrained to be a solution.

    Followed from ``0.6 d*`` up to where it closes on ``s(alpha)`` (just beyond ``d*``)
    and down.  Going down ``Qp`` (the reference's conjugate) vanishes like
    ``exp(-c/d)``, and with it the cost of the constraint: once ``Qp < 1e-9`` the
    remaining points are the free-reference saddle (the ``Qp -> 0`` limit of the
    constrained equations; the difference in ``S_I`` is ~0.3 Qp < 3e-10), said in
    their message.  Above ``alpha_U`` the branch ends where the slope vanishes; the
    disconnected dense branch is computed for the free reference only.
    """
    start = _solution_start(alpha, kappa)
    anchor = start.params.d
    points: dict[int, SaddlePoint] = {}
    if not start.success:
        for i, v in enumerate(d_values):
            points[i] = _not_attempted(LocalEntropy(alpha, float(v), math.inf, "solution", kappa),
                                       "no constrained saddle point at the anchor d = 0.6 d*", start)
        return Curve(param="d", values=d_values, points=tuple(points[i] for i in range(len(d_values))))
    up = sorted((i for i, v in enumerate(d_values) if v >= anchor), key=lambda i: d_values[i])
    if up:
        # dq vanishes linearly towards the end: short steps (0.005) to get close to it.
        curve = continuation(start.params, "d", [anchor] + [float(d_values[i]) for i in up], init=start,
                             max_step=0.005, end_of_branch=_solution_closes, **solve_kwargs)
        points.update(zip(up, curve.points[1:]))
    down = sorted((i for i, v in enumerate(d_values) if v < anchor), key=lambda i: -d_values[i])
    # Step down through waypoints, checking Qp at each one.
    stops, v = [], anchor
    while down and v > d_values[down[-1]]:
        v = max(v - _D_STEP(v), float(d_values[down[-1]]))
        stops.append(v)
    stops = sorted(set(stops) | {float(d_values[i]) for i in down}, reverse=True)
    last = start
    for k, d in enumerate(stops):
        targets = [i for i in down if d_values[i] == d]
        pt = continuation(last.params, "d", [last.params.d, d], init=last, max_step=_D_STEP,
                          end_of_branch=_branch_end, **solve_kwargs).points[-1]
        if not pt.success:
            reason = pt.message
            if "phat > 0" in reason:
                reason += "; the disconnected dense branch is computed for reference='free' only"
            for j in down:
                if j not in points:
                    points[j] = _not_attempted(LocalEntropy(alpha, float(d_values[j]), math.inf, "solution", kappa),
                                               reason)
            break
        for i in targets:
            points[i] = pt
        last = pt
        rest = [j for j in down if j not in points]
        if pt.order["Qp"] < _QP_INACTIVE and rest:
            note = (f"reference constraint inactive (Qp = {pt.order['Qp']:.1e} < {_QP_INACTIVE:g} at d = {d:.4g}): "
                    f"free-reference saddle, above the constrained one by ~0.3 Qp (measured)")
            spec = LocalEntropy(alpha, d, math.inf, "free", kappa)
            curve = continuation(spec, "d", [d] + [float(d_values[j]) for j in rest], init=_free_from_solution(pt.order, d),
                                 max_step=_D_STEP, end_of_branch=_branch_end, **solve_kwargs)
            for j, fp in zip(rest, curve.points[1:]):
                points[j] = dataclasses.replace(fp, message=f"{fp.message}; {note}")
            break
    return Curve(param="d", values=d_values, points=tuple(points[i] for i in range(len(d_values))))


def _solution_y_curve(alpha: float, d_values: np.ndarray, y: float, kappa: float, solve_kwargs: dict) -> Curve:
    """Finite-``y`` curve with the reference constrained to be a solution.

    Anchored at the requested distance nearest to ``d = 0.15`` (reached from the stored
    anchors by :func:`_solution_y_guess`) and followed by continuation in ``d`` up and down.
    """
    a = int(np.argmin(np.abs(d_values - _SOLUTION_Y_ANCHOR_D)))
    d_a = float(d_values[a])
    spec = LocalEntropy(alpha, d_a, y, "solution", kappa)
    start = spec.initial_guess()
    points: dict[int, SaddlePoint] = {}
    for side in (-1, 1):
        idx = sorted((i for i, v in enumerate(d_values) if (v <= d_a if side < 0 else v > d_a)),
                     key=lambda i: abs(d_values[i] - d_a))
        if not idx:
            continue
        curve = continuation(spec, "d", [d_a] + [float(d_values[i]) for i in idx], init=start, max_step=_D_STEP,
                             **solve_kwargs)
        points.update(zip(idx, curve.points[1:]))
    return Curve(param="d", values=d_values, points=tuple(points[i] for i in range(len(d_values))))


def _min_slope(alpha: float, kappa: float, grid, activation: str = "linear") -> tuple[float | None, SaddlePoint | None]:
    """Smallest ``phat`` on the ``y = inf`` branch from ``d*`` over ``grid`` (None if it breaks)."""
    curve = local_entropy_curve(alpha, grid, kappa=kappa, activation=activation)
    ok = [p for p in curve.points if p.success and "phat" in p.order]
    if len(ok) < len(curve.points) or not ok:
        return None, None
    best = min(ok, key=lambda p: p.order["phat"])
    return best.order["phat"], best


def monotonicity_threshold(kappa: float = 0.0, *, bracket=(0.70, 0.80), xtol: float = 1e-4,
                           activation: str = "linear") -> Threshold:
    """Load ``alpha_U`` above which the ``y = inf`` local-entropy curve is not monotonic.

    Below ``alpha_U`` the branch from the Gardner end point reaches ``d -> 0`` with
    ``phat = dS_I/dd / 2 > 0`` everywhere; above it ``phat`` touches 0 at a finite
    ``d`` (a gap opens in the RS curve).  Found by bisection on that property; the
    distance of the minimum of ``phat`` is reported in the saddle point.

    References
    ----------
    Baldassi et al., PRL 115, 128101 (2015) (the dense-region curves stop being
    monotonic above alpha ~ 0.77); free reference, RS, y = inf in this package.
    """
    _validate.real("kappa", kappa, lower=0.0)
    _validate.choice("activation", activation, committee.ACTIVATIONS)
    grid = np.concatenate([np.geomspace(0.004, 0.06, 60)])
    lo, hi = map(float, bracket)
    m_lo, p_lo = _min_slope(lo, kappa, grid, activation)
    m_hi, _ = _min_slope(hi, kappa, grid, activation)
    nit = 2
    if m_lo is None or m_lo <= 0 or (m_hi is not None and m_hi > 0):
        return Threshold("alpha", lo, p_lo, False,
                         f"bracket {bracket} does not contain the threshold", math.inf, nit)
    while hi - lo > xtol:
        mid = 0.5 * (lo + hi)
        m, pt = _min_slope(mid, kappa, grid, activation)
        nit += 1
        if m is not None and m > 0:
            lo, p_lo = mid, pt
        else:
            hi = mid
    return Threshold("alpha", 0.5 * (lo + hi), p_lo, True,
                     f"monotonic at alpha = {lo:.5f} (min phat = {p_lo.order['phat']:.2e} at d = {p_lo.params.d:.4f}), "
                     f"not at {hi:.5f}", 0.5 * (hi - lo), nit)


@functools.lru_cache(maxsize=None)
def robust_ensemble_inf_free_entropy(activation: str = "linear") -> FreeEntropy:
    """Robust ensemble (soft coupling ``gamma``) at ``y = inf``, free reference.

    ``S_gamma = extr_p [S_I(d(p)) + gamma p]``: the Legendre transform of the local
    entropy; in the replica formula ``phat`` is replaced by ``gamma`` (no longer
    extremised) and ``-phat p`` drops out.  Observables: the overlap
    ``p = dS_gamma/dgamma``, the distance ``(1 - p)/2`` and the local entropy
    ``S_gamma - gamma p`` at that distance.

    References
    ----------
    C. Baldassi et al., PNAS 113, E7655 (2016), arXiv:1605.06444, Eqs. for the robust
    ensemble (y replicas coupled to a centre by gamma).
    """
    expr = _free_inf_terms(_gamma, activation)
    overlap = sp.diff(expr, _gamma)
    return FreeEntropy(
        name="robust-ensemble-free-inf" + _suffix(activation),
        expr=expr,
        order=(_q, _qhat, _dq, _dqhat),
        params=(_alpha, _gamma, _kappa),
        observables={
            "overlap": overlap,
            "distance": (1 - overlap) / 2,
            "local_entropy": expr - _gamma * overlap,
        },
        domains=_INF_DOMAINS,
    )


@functools.lru_cache(maxsize=None)
def robust_ensemble_free_entropy(activation: str = "linear") -> FreeEntropy:
    """Robust ensemble at finite ``y``, free reference: ``phi_gamma = phi + y gamma p``.

    Observables: the overlap ``p = (1/y) d phi_gamma/d gamma``, the distance, the local
    entropy ``d phi_gamma/d y - gamma p`` and the external entropy.

    References
    ----------
    C. Baldassi et al., PNAS 113, E7655 (2016), arXiv:1605.06444.
    """
    expr = _free_finite_terms(_gamma, activation)
    overlap = sp.diff(expr, _gamma) / _y
    s_i = sp.diff(expr, _y) - _gamma * overlap
    return FreeEntropy(
        name="robust-ensemble-free-y" + _suffix(activation),
        expr=expr,
        order=(_q0, _q1, _qhat0, _qhat1),
        params=(_alpha, _gamma, _kappa, _y),
        observables={
            "overlap": overlap,
            "distance": (1 - overlap) / 2,
            "local_entropy": s_i,
            "external_entropy": expr - _y * (s_i + _gamma * overlap),
        },
        domains=_FINITE_DOMAINS,
    )


@dataclass(frozen=True)
class RobustEnsemble:
    """Robust ensemble: ``y`` replicas coupled to a centre by ``gamma`` (soft distance).

    The Legendre transform of :class:`LocalEntropy` in the distance: solving it at
    ``gamma`` gives the distance ``d(gamma)`` and ``S_I(d(gamma))``, with
    ``phat(d(gamma)) = gamma``.

    Parameters
    ----------
    alpha : float
    gamma : float
        Coupling (real; the distance decreases as it grows).
    y : float
        Number of replicas (real ``> 0``) or ``math.inf``.
    reference : {"free"}
    kappa : float
    activation : {"linear", "relu", "sign"}
        As in :class:`LocalEntropy` (``"linear"``: the perceptron).
    """

    alpha: float
    gamma: float
    y: float = math.inf
    reference: str = "free"
    kappa: float = 0.0
    activation: str = "linear"

    def __post_init__(self):
        _check(self.alpha, 0.25, self.y, self.reference, self.kappa, self.activation)
        _validate.real("gamma", self.gamma)
        _require_free(self.reference)

    @property
    def is_limit(self) -> bool:
        return self.y == math.inf

    def free_entropy(self) -> FreeEntropy:
        if self.is_limit:
            return robust_ensemble_inf_free_entropy(self.activation)
        return robust_ensemble_free_entropy(self.activation)

    def parameter_values(self):
        base = (float(self.alpha), float(self.gamma), float(self.kappa))
        return base if self.is_limit else base + (float(self.y),)

    def initial_guess(self) -> dict:
        # Near the Gardner end point gamma = phat = 0; follow gamma from there.
        d_star, g = gardner_end_point(self.alpha, self.kappa, self.activation)
        start = {"q": g.order["q"], "qhat": g.order["qhat"], "dq": 0.03, "dqhat": 0.01}
        if abs(self.gamma) < 0.02:
            base = start
        else:
            curve = continuation(dataclasses.replace(self, gamma=0.02 * math.copysign(1, self.gamma), y=math.inf),
                                 "gamma", np.linspace(0.02 * math.copysign(1, self.gamma), self.gamma, 12), init=start)
            good = [p for p in curve.points if p.success]
            base = dict(good[-1].order) if good else start
        if self.is_limit:
            return base
        return _down_in_y(self, lambda y0: {k: v for k, v in _finite_from_inf({"phat": 0.0, **base}, y0).items() if k != "phat"})


