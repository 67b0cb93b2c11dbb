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
formulas were derived in this project in the package conventions (docs/derivations/local_entropy_finite_y.md,
local_entropy_y_inf.md, constrained_reference.md; the papers' bodies
could not be consulted here); the identities above are checked in the tests.
"""


from __future__ import annotations

import functools

import sympy as sp

from ...quadrature import QuadratureOptions
from ...symbolic import (
    LOG_POSITIVE,
    POSITIVE,
    REAL,
    UNIT,
    BinaryEntropy,
    CoshMax,
    FreeEntropy,
    G,
    GaussE,
    H,
    Log2Cosh,
    LogAddExp,
    LogGaussE,
    LogH,
    LogHArgmax,
    LogHMax,
    PenalisedLogHArgmax,
    PenalisedLogHMax,
)
from .. import terms as T

__all__ = [
    "free_reference_inf_free_entropy",
    "gardner_plateau_free_entropy",
    "solution_reference_inf_free_entropy",
    "free_reference_free_entropy",
    "solution_reference_free_entropy",
    "robust_ensemble_inf_free_entropy",
    "robust_ensemble_free_entropy",
    "SOLUTION_Y_QUAD",
]

# Coordinates of the constrained-reference theories (see their docstrings).
_qrel, _Qp, _tau, _dt, _eps = (T.symbol(n) for n in ("qrel", "Qp", "tau", "dt", "eps"))
_cx = T.symbol("cx")
_r2, _dh, _s2, _e2 = (T.symbol(n, "positive") for n in ("dq1", "dqhat1", "s2", "e2"))


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
    arXiv:1511.05634 (appendix on the large-y limit); derivation: docs/derivations/local_entropy_y_inf.md
    §2; written here with the implicit
    primitives ``CoshMax``/``LogHMax`` of :mod:`replica.symbolic`.
    """
    g = sp.sqrt(T.qhat) * sp.Abs(T.z) + field
    # Kinks: |z| at z = 0, and g = 0 at |z| = -field/sqrt(qhat) when the field is
    # negative (CoshMax has a kink at g = 0 once dqhat > 1: two maximisers).
    kink = field / sp.sqrt(T.qhat)
    entropic = GaussE(CoshMax(g, T.dqhat), T.z, [(0, 0), (0, 1 / sp.sqrt(T.qhat)), (kink, 0), (-kink, 0)])
    Q, gap = T.channel(activation).kernel_pair(T.q)
    dQ = sp.diff(Q, T.q) * T.dq
    x = (T.kappa - sp.sqrt(Q) * T.z) / sp.sqrt(gap)
    center = T.kappa / sp.sqrt(Q)
    # The maximiser v* of LogHMax moves to ~ -sqrt(2 ln D) when D = dq/(1-q) is large
    # (small d): the integrand's step then sits near x = v*, away from the centre.
    width = sp.sqrt(gap / Q)
    shifted = center + width * sp.sqrt(2 * sp.log(1 + dQ / gap))
    energetic = T.alpha * GaussE(
        LogHMax(x, dQ / gap), T.z,
        [(center, width), (center, sp.sqrt((gap + dQ) / Q)), (shifted, width)],
    )
    return -T.qhat * (1 - T.q) / 2 - (T.qhat * T.dq + T.dqhat * T.q) / 2 + entropic + energetic


# On the dense branch qhat, dqhat ~ exp(-c/d) and dq ~ exp(c'/d) as d -> 0: log coordinates.
_INF_DOMAINS = {T.q: UNIT, T.qhat: LOG_POSITIVE, T.dq: LOG_POSITIVE, T.dqhat: LOG_POSITIVE}


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
    p = 1 - 2 * T.d
    expr = -T.phat * p + _free_inf_terms(T.phat, activation)
    return FreeEntropy(
        name="local-entropy-free-inf" + _suffix(activation),
        expr=expr,
        order=(T.phat, T.q, T.qhat, T.dq, T.dqhat),
        params=(T.alpha, T.d, T.kappa),
        observables={
            "local_entropy": expr,
            "external_entropy": sp.S.Zero,  # Sigma = O(1/y)
            "slope": 2 * T.phat,  # dS_I/dd
            "H2": BinaryEntropy(T.d),
            "gap": BinaryEntropy(T.d) - expr,
        },
        domains={T.phat: REAL, **_INF_DOMAINS},
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
    channel = T.channel(activation)
    g = T.storage_free_entropy(T.prior("binary"), channel.energetic(), channel.conjugate(), "storage")
    q, qhat = g.order
    alpha, kappa = g.params
    return FreeEntropy(
        name="local-entropy-free-inf-plateau" + _suffix(activation),
        expr=g.expr,
        order=(q, qhat),
        params=(alpha, T.d, kappa),
        observables={
            "local_entropy": g.expr,
            "external_entropy": sp.S.Zero,
            "slope": sp.S.Zero,
            "H2": BinaryEntropy(T.d),
            "gap": BinaryEntropy(T.d) - g.expr,
        },
        fixed_point=g.fixed_point,
        domains=g.domains,
    )



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
    package conventions (docs/derivations/constrained_reference.md §4); checked against an independent
    solver (docs/derivations/scratch_values.md §3) and the free reference.
    """
    p = 1 - 2 * T.d
    q = p**2 + (1 - p**2) * _qrel
    stretch = sp.sqrt(1 + _tau**2 * _Qp / T.qhat)
    th = _tau * _Qp / stretch
    s = sp.sqrt(_Qp) / stretch
    dQ = _eps + _dt**2 / T.dq
    h = sp.sqrt(T.qhat) * T.z
    c_up, c_down = CoshMax(h + T.phat, T.dqhat), CoshMax(h - T.phat, T.dqhat)
    mu = th / sp.sqrt(T.qhat) * T.z + (c_up - c_down) / 2
    abs_mean = 2 * s * G(mu / s) + mu * (1 - 2 * H(mu / s))
    kink = T.phat / sp.sqrt(T.qhat)
    # mu changes sign at z = 0 over a width ~ s/sqrt(qhat) (sharp when Qp -> 0).
    entropic = GaussE((c_up + c_down) / 2 + abs_mean, T.z,
                      [(0, 0), (0, s / sp.sqrt(T.qhat)), (0, 1 / sp.sqrt(T.qhat)), (kink, 0), (-kink, 0)])
    x = (T.kappa - sp.sqrt(q) * T.z0) / sp.sqrt(1 - q)
    D = T.dq / (1 - q)
    c = (_dt / T.dq) * sp.sqrt(1 - q)
    beta = sp.sqrt((1 - p**2) * _qrel / q)
    A = (p / sp.sqrt(q)) * T.z0 + beta * T.z1
    # The penalty switches on where b = (kappa - A)/c reaches the free maximiser V0.
    z1_kink = (T.kappa - c * LogHArgmax(x, D) - (p / sp.sqrt(q)) * T.z0) / beta
    inner = GaussE(PenalisedLogHMax(x, D, (T.kappa - A) / c, _eps / c**2), T.z1,
                   [(z1_kink, 0), (z1_kink, sp.sqrt(_eps) / beta)])
    center, width = T.kappa / sp.sqrt(q), sp.sqrt((1 - q) / q)
    shifted = center + width * sp.sqrt(2 * sp.log(1 + D))
    energetic = T.alpha * GaussE(inner, T.z0, [(center, width), (center, sp.sqrt((1 - q + T.dq) / q)), (shifted, width)])
    expr = (-_Qp * dQ / 2 - th * _dt - T.phat * p - T.qhat * (1 - q) / 2 - (T.qhat * T.dq + T.dqhat * q) / 2
            + entropic + energetic)
    return FreeEntropy(
        name="local-entropy-solution-inf",
        expr=expr,
        order=(T.phat, _qrel, T.qhat, T.dq, T.dqhat, _Qp, _tau, _dt, _eps),
        params=(T.alpha, T.d, T.kappa),
        observables={
            "local_entropy": expr,
            "slope": sp.diff(expr, T.d),  # explicit derivative = total one at the saddle
            "H2": BinaryEntropy(T.d),
            "gap": BinaryEntropy(T.d) - expr,
            "q": q,
            "that_scaled": th,
            "dQ": dQ,
        },
        domains={T.phat: REAL, _qrel: UNIT, T.qhat: LOG_POSITIVE, T.dq: LOG_POSITIVE, T.dqhat: LOG_POSITIVE,
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
    s = sp.sqrt(T.qhat1 - T.qhat0)
    h = sp.sqrt(T.qhat0) * T.z0 + s * T.z1
    up = LogGaussE(T.y * Log2Cosh(h + field), T.z1)
    down = LogGaussE(T.y * Log2Cosh(h - field), T.z1)
    # up and down swap at z0 = 0 over a width ~ 1/(y |field| sqrt(qhat0)): sharp at large y.
    entropic = GaussE(LogAddExp(up, down), T.z0,
                      [(0, 1 / sp.sqrt(T.qhat0)), (0, 1 / (sp.sqrt(T.qhat0) * (1 + T.y * sp.Abs(field))))])
    Q0, gap0 = T.channel(activation).kernel_pair(T.q0)
    Q1, gap1 = T.channel(activation).kernel_pair(T.q1)
    spread = gap0 - gap1  # Q1 - Q0
    u = (T.kappa - sp.sqrt(Q0) * T.z0 - sp.sqrt(spread) * T.z1) / sp.sqrt(gap1)
    inner = LogGaussE(
        T.y * LogH(u), T.z1,
        [((T.kappa - sp.sqrt(Q0) * T.z0) / sp.sqrt(spread), sp.sqrt(gap1 / spread))],
    )
    energetic = T.alpha * GaussE(inner, T.z0, [(T.kappa / sp.sqrt(Q0), sp.sqrt(gap0 / Q0))])
    return (-(T.y / 2) * T.qhat1 * ((T.y - 1) * T.q1 + 1) + (T.y**2 / 2) * T.qhat0 * T.q0 + entropic + energetic)


_FINITE_DOMAINS = {T.q0: UNIT, T.q1: UNIT, T.qhat0: POSITIVE, T.qhat1: POSITIVE}


@functools.lru_cache(maxsize=None)
def free_reference_free_entropy(activation: str = "linear") -> FreeEntropy:
    """``phi(d, y)`` at finite ``y``, free reference (module docstring).

    References
    ----------
    Baldassi et al., arXiv:1511.05634 (free reference, finite y).
    """
    p = 1 - 2 * T.d
    expr = -T.y * T.phat * p + _free_finite_terms(T.phat, activation)
    s_i = sp.diff(expr, T.y)
    return FreeEntropy(
        name="local-entropy-free-y" + _suffix(activation),
        expr=expr,
        order=(T.phat, T.q0, T.q1, T.qhat0, T.qhat1),
        params=(T.alpha, T.d, T.kappa, T.y),
        observables={
            "local_entropy": s_i,
            "external_entropy": expr - T.y * s_i,
            "slope": 2 * T.y * T.phat,  # d phi / dd
            "H2": BinaryEntropy(T.d),
        },
        domains={T.phat: REAL, **_FINITE_DOMAINS},
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


# Nested integrals of the finite-y constrained theory (3 levels in the energetic term):
# fewer nodes than the defaults (checked against n -> 2n and the independent solver docs/derivations/constrained/lecons.py).
SOLUTION_Y_QUAD = QuadratureOptions(n_hermite=48, n_panel=8, base_panels=8,
                                     feature_offsets=(0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0), bridge_points=2)



@functools.lru_cache(maxsize=None)
def solution_reference_free_entropy() -> FreeEntropy:
    """``phi(d, y)`` at finite ``y`` with the reference constrained to be a solution.

    Two-level replica calculation, RS over the reference replicas (``y`` real replicas
    per reference; docs/derivations/constrained_reference.md).  Order parameters: the reference
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
    an independent solver (docs/derivations/constrained/lecons.py; equations in
    docs/derivations/constrained_reference.md §1-3).
    """
    p = 1 - 2 * T.d
    y = T.y
    # --- entropic term
    P = T.phat - T.that
    sD = sp.sqrt(_dh)
    h = sp.sqrt(T.qhat0) * T.z
    ls = []
    for a in (h + P, h - P):
        m = _Frozen(y * sD * sp.tanh(a))
        ls.append(LogGaussE(y * Log2Cosh(a + sD * (T.x + m)) - m * T.x - m**2 / 2, T.x))
    l_up, l_down = ls
    s = sp.sqrt(_s2)
    mu = T.that / sp.sqrt(T.qhat0) * T.z + (l_up - l_down) / 2
    K = GaussE(Log2Cosh(mu + s * T.xi), T.xi, [(-mu / s, 1 / s)])
    slope_z = sp.sqrt(T.qhat0) * (1 + y * sp.Abs(P))
    entropic = GaussE((l_up + l_down) / 2 + K, T.z,
                      [(0, 1 / sp.sqrt(T.qhat0)), (0, 1 / slope_z), (0, sp.sqrt(1 + _s2) / slope_z)])
    # --- energetic term
    q0 = T.q1 - _r2
    r = sp.sqrt(_r2)
    s1 = sp.sqrt(1 - T.q1)
    t = p - _cx * r
    a0 = t / sp.sqrt(q0)
    Q = 1 - _cx**2 - _e2
    b = sp.sqrt(Q - a0**2)
    e = sp.sqrt(_e2)
    A = a0 * T.z0 + b * T.z1
    X0 = (T.kappa - sp.sqrt(q0) * T.z0) / s1
    D = y * _r2 / (1 - T.q1)
    bv = (T.kappa - A) * r / (_cx * s1)
    Ev = y * (r * e / (_cx * s1))**2
    m = _Frozen(s1 / r * PenalisedLogHArgmax(X0, D, bv, Ev))
    xx = T.x + m
    lam = X0 - (r / s1) * xx
    u = (T.kappa - A - _cx * xx) / e
    inner = LogGaussE(y * LogH(lam) + LogH(u) - m * T.x - m**2 / 2, T.x,
                      [((T.kappa - A) / _cx - m, e / _cx), (X0 * s1 / r - m, s1 / r)])
    # z1 enters through u only: its step in z1 has width ~ e/b around where it meets the mass.
    # (where the reference's constraint starts to bite on the unconstrained maximiser).
    z1_center = (T.kappa - a0 * T.z0 - _cx * s1 / r * LogHArgmax(X0, D)) / b
    middle = GaussE(inner, T.z1, [(z1_center, e / b), (z1_center, sp.sqrt(_e2 + _cx**2) / b)])
    energetic = T.alpha * GaussE(middle, T.z0, [(T.kappa / sp.sqrt(q0), sp.sqrt((1 - T.q1) / q0))])
    qhat1 = T.qhat0 + _dh
    Qhat = _s2 + T.that**2 / T.qhat0
    expr = (-(Qhat / 2) * (1 - Q) - y * T.phat * p + y * T.that * t - (y / 2) * qhat1 * ((y - 1) * T.q1 + 1)
            + (y**2 / 2) * T.qhat0 * q0 + entropic + energetic)
    s_i = sp.diff(expr, y)
    return FreeEntropy(
        name="local-entropy-solution-y",
        expr=expr,
        order=(T.phat, T.q1, _r2, T.qhat0, _dh, T.that, _s2, _cx, _e2),
        params=(T.alpha, T.d, T.kappa, T.y),
        observables={
            "local_entropy": s_i,
            "external_entropy": expr - y * s_i,
            "slope": sp.diff(expr, T.d),  # d phi / dd (explicit = total at the saddle)
            "H2": BinaryEntropy(T.d),
            "Q": Q,
            "Qhat": Qhat,
            "t": t,
            "q0": q0,
            "qhat1": qhat1,
        },
        domains={T.phat: REAL, T.q1: UNIT, _r2: LOG_POSITIVE, T.qhat0: LOG_POSITIVE, _dh: LOG_POSITIVE,
                 T.that: REAL, _s2: LOG_POSITIVE, _cx: REAL, _e2: LOG_POSITIVE},
    )


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
    expr = _free_inf_terms(T.gamma, activation)
    overlap = sp.diff(expr, T.gamma)
    return FreeEntropy(
        name="robust-ensemble-free-inf" + _suffix(activation),
        expr=expr,
        order=(T.q, T.qhat, T.dq, T.dqhat),
        params=(T.alpha, T.gamma, T.kappa),
        observables={
            "overlap": overlap,
            "distance": (1 - overlap) / 2,
            "local_entropy": expr - T.gamma * overlap,
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
    expr = _free_finite_terms(T.gamma, activation)
    overlap = sp.diff(expr, T.gamma) / T.y
    s_i = sp.diff(expr, T.y) - T.gamma * overlap
    return FreeEntropy(
        name="robust-ensemble-free-y" + _suffix(activation),
        expr=expr,
        order=(T.q0, T.q1, T.qhat0, T.qhat1),
        params=(T.alpha, T.gamma, T.kappa, T.y),
        observables={
            "overlap": overlap,
            "distance": (1 - overlap) / 2,
            "local_entropy": s_i,
            "external_entropy": expr - T.y * (s_i + T.gamma * overlap),
        },
        domains=_FINITE_DOMAINS,
    )

