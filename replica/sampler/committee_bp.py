r"""Belief propagation (BP) and the Bethe entropy for tree committee machines with binary
weights, in the central-limit form of :mod:`replica.sampler.bp`.

Model: that of :mod:`replica.sampler.committee` (N weights ``W_i = ±1``, K hidden units with
disjoint receptive fields of ``n = N/K`` inputs, preactivations ``lambda_l = sum_{i in l}
W_i xi_i / sqrt(n)``, output ``sign(h)``, ``h = sum_l c_l g(lambda_l)``; a pattern is
satisfied iff ``sigma h > 0``; ``kappa = 0``).  The measure is uniform over the solutions.

Supported machines: ``activation="sign"`` with any odd K (odd n) and any ±1 output weights;
``activation="relu"`` with K = 2 and balanced output weights ``c = (+1, -1)`` or
``(-1, +1)`` (the package default).  Other relu machines raise ValueError.

Messages
--------
As for the perceptron: cavity magnetisations ``m_{i->mu} = tanh(H_i - u_{mu->i})``, cavity
fields ``u_{mu->i}``, total fields ``H_i = sum_mu u_{mu->i}``.  For pattern mu and unit l the
preactivation is Gaussian with mean ``omega_{mu l} = sum_{j in l} xi_j m_{j->mu} / sqrt(n)``
and variance ``V_{mu l} = sum_{j in l} (1 - m_{j->mu}^2) / n``; for an edge i in unit k the
unit's cavity (leave-one-out) mean and variance replace those of unit k, and

    u_{mu->i} = 1/2 log[ P_mu(sat | W_i = +1) / P_mu(sat | W_i = -1) ],

where conditioning shifts unit k's cavity mean by ``±xi_i / sqrt(n)`` and the other units keep
their full mean and variance.  ``P_mu(sat)`` is the probability of ``sigma h > 0`` for
independent normal preactivations.  Cavity fields are capped at ``|u| <= 30``, variances
floored at 1e-200, everything is in the log domain (``log_ndtr``), the messages are updated in
parallel over blocks of factor rows, with damping, and the iteration stops when
``max sqrt(n) |u_new - u_old| < tol`` (for K = 1 this is exactly :func:`~replica.sampler.bp.run_bp`).

Sign units.  With ``x_i = sigma c_l xi_i`` unit l "votes for sigma" iff ``sum_{j in l} x_j W_j
> 0``, with probability ``p_l = Phi(omega^x_l / sqrt(V_l))`` (``omega^x`` the mean of the signed
sum); the pattern is satisfied iff at least ``m = (K + 1)/2`` of the K independent votes agree.
For an edge in unit k, with ``R = P(others >= m)`` and ``Q = P(others = m - 1)`` (a log-domain
convolution of the other units' Bernoulli votes),

    P(sat | W_i) = R + Q p_k(W_i),

a sum of positive terms evaluated by ``logaddexp`` (accurate far in the tails; K = 1 gives
R = 0, Q = 1, the perceptron).  Threshold: at odd n the unit's field is on a lattice of
spacing 2 / sqrt(n) that avoids 0, so thresholding the Gaussian at 0 is already the
continuity-corrected (half-way) threshold.

Relu units (K = 2).  Call A the unit with ``c_A = sigma`` ("winner") and B the other one.
``sigma h = relu(lambda_A) - relu(lambda_B) > 0`` iff ``lambda_A > 0`` and ``lambda_A >
lambda_B``, so with independent normals ``A ~ N(a, v_A)``, ``B ~ N(b, v_B)``

    P(sat) = P(A > k_1, A - B > k_2) = Phi_2(h_1, h_2; rho),
    h_1 = (a - k_1)/sqrt(v_A),  h_2 = (a - b - k_2)/sqrt(v_A + v_B),  rho = sqrt(v_A/(v_A + v_B)),

a bivariate normal orthant probability with correlation ``rho >= 0``.  It is computed with
Owen's T function (``scipy.special.owens_t``; Owen 1956) where that formula has no
cancellation (relative accuracy ~1e-11), and otherwise (lower tails, result < 1e-5 of the
largest term) by a log-domain Gauss-Legendre quadrature of ``int_{-inf}^{h_1} phi(x)
Phi((h_2 - rho x)/sqrt(1 - rho^2)) dx`` on a window around the maximum of the log-concave
integrand (finite and positive however far in the tails).

Relu threshold (ties).  The unit sums ``S_l = sum_{j in l} xi_j W_j`` have the parity of n, so
``S_A - S_B`` is always even and can be 0 (``lambda_A = lambda_B > 0`` gives h = 0, an error), and
for even n ``S_A = 0`` (unit A inactive, also an error) is possible.  With ``continuity=True``
(default) the thresholds sit half-way between the largest violating and smallest satisfying
lattice values, ``k_2 = 1/sqrt(n)`` and ``k_1 = 1/sqrt(n)`` for even n (0 for odd n), so that BP
approximates the finite-n count; ``continuity=False`` uses ``k_1 = k_2 = 0``, the n -> infinity
threshold of the replica theory.  The two differ by an O(1/sqrt(n)) amount per pattern in
``log P(sat)``, hence by O(alpha / sqrt(n)) in the entropy per weight (about 0.01 at
alpha = 0.3, n = 500).  For sign units ``continuity`` has no effect.

Bethe free entropy
------------------
Same formula as :mod:`replica.sampler.bp` (Mézard & Montanari 2009, ch. 14), with the
committee factor term:

    N phi = sum_mu log P_mu(sat) + sum_i log 2cosh H_i
            - sum_{mu, i} [log cosh H_i - log cosh(H_i - u_{mu->i})],

``P_mu(sat)`` with the full sums.  There is no external field, so ``entropy = free_entropy``.

References
----------
A. Braunstein and R. Zecchina, Phys. Rev. Lett. 96, 030201 (2006) (BP for perceptrons with
Gaussian cavity sums).
M. Mézard and A. Montanari, *Information, Physics, and Computation* (OUP 2009), ch. 14 (Bethe
free entropy).
C. Baldassi, E. M. Malatesta and R. Zecchina, Phys. Rev. Lett. 123, 170602 (2019) (relu
committee machines).
D. B. Owen, Ann. Math. Statist. 27, 1075 (1956) (bivariate normal probabilities via T(h, a)).

Examples
--------
>>> from replica.sampler.instances import random_instance
>>> res = run_committee_bp(random_instance(99, 0.3, rng=0), 3, "sign", rng=1)
>>> res.success, res.nit < 1000, 0.3 < res.entropy < 0.7
(True, True, True)
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from scipy.special import log_ndtr, logsumexp, ndtr, owens_t, roots_legendre

from .._validate import choice, integer, real
from ..errors import ConvergenceError, ConvergenceWarning, Reason
from ._bp_kernels import (U_MAX, V_MIN, bethe_per_weight, damped_update, edge_terms, iterate,
                          magnetisation_and_variance)
from .committee import ACTIVATIONS, _check_instance, _machine

__all__ = ["CommitteeBPResult", "run_committee_bp", "committee_bethe_entropy"]

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_BLOCK_ELEMENTS = 1 << 16  # edges per block of factor rows
# Owen's T formula is used when its result is at least this fraction of its largest term
_OWEN_MIN_RATIO = 1e-5
# a factor term log P_mu(sat) below this (P < 1e-304) at a fixed point means that frozen
# messages violate the pattern: a contradictory fixed point, reported as not converged
_LOG_P_CONTRADICTION = -700.0


def _graded_rule(levels=22, order=12):
    """Composite Gauss-Legendre rule on [0, 1] with panels graded geometrically (ratio 2)
    towards both ends."""
    inner = 0.5 ** np.arange(levels + 1, 1, -1.0)
    edges = np.concatenate([[0.0], inner, [0.5], 1.0 - inner[::-1], [1.0]])
    x, w = roots_legendre(order)
    a, b = edges[:-1, None], edges[1:, None]
    return (0.5 * (a + b) + 0.5 * (b - a) * x).ravel(), np.log((0.5 * (b - a) * w).ravel())


_GRADED_X, _GRADED_LOGW = _graded_rule()


@dataclass(frozen=True, eq=False)
class CommitteeBPResult:
    """Result of :func:`run_committee_bp`.

    Attributes
    ----------
    success : bool
        True when the undamped change fell below ``tol`` with finite messages and a finite
        Bethe free entropy, at a fixed point that is not contradictory.
    nit : int
        Number of parallel sweeps done.
    change : float
        Last undamped change ``max sqrt(n) |u_new - u_old|`` (n = N/K).
    magnetizations : ndarray, shape (N,)
        BP marginals ``m_i = tanh H_i``.
    free_entropy : float or None
        Bethe free entropy per weight (all N weights); None if not converged or not finite.
    entropy : float or None
        Bethe entropy per weight (= ``free_entropy``: there is no external field).
    message : str
        What happened, in words (for people; the wording may change).
    reason : Reason or None
        The outcome, machine-readable: ``Reason.CONVERGED``; ``Reason.BUDGET_EXHAUSTED``
        (``max_iter`` sweeps without reaching ``tol``); ``Reason.NOT_FINITE`` (non-finite
        messages or Bethe free entropy); ``Reason.NOT_CONVERGED`` (a contradictory fixed
        point: frozen messages that violate a pattern).  None only for a result built by hand.
    converged : bool
        Read-only alias of ``success``.
    sweeps : int
        Read-only alias of ``nit``.
    """

    success: bool
    nit: int
    change: float
    magnetizations: np.ndarray
    free_entropy: float | None
    entropy: float | None
    message: str
    reason: Reason | None = None

    @property
    def converged(self) -> bool:
        """Alias of ``success`` (the name used before the results shared one vocabulary)."""
        return self.success

    @property
    def sweeps(self) -> int:
        """Alias of ``nit``."""
        return self.nit


# --- the committee factor ----------------------------------------------------------------


def _log_bvn_owen(h, k, rho, s):
    """log Phi_2(h, k; rho) by Owen's formula, and a mask of where it is trustworthy."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        t = 0.5 * (ndtr(h) + ndtr(k))
        beta = np.where((h * k > 0) | ((h * k == 0) & (h + k >= 0)), 0.0, 0.5)
        ah = (k - rho * h) / (h * s)
        ak = (h - rho * k) / (k * s)
        r = t - owens_t(h, ah) - owens_t(k, ak) - beta
        ok = np.isfinite(r) & (r > _OWEN_MIN_RATIO * np.maximum(t, beta))
        return np.log(np.where(ok, r, 1.0)), ok


def _log_bvn_quad(h, k, rho, s):
    """log Phi_2(h, k; rho) = log int_{-inf}^h phi(x) Phi((k - rho x)/s) dx by Gauss-Legendre
    quadrature in the log domain on a window around the maximum of the log-concave integrand
    (1-d arrays; s = sqrt(1 - rho^2) > 0)."""
    r = rho / s

    def dlog(x):
        """g'(x), g''(x) of g(x) = log phi(x) + log Phi(y), y = (k - rho x)/s."""
        y = (k - rho * x) / s
        mills = np.exp(-0.5 * y * y - _LOG_SQRT_2PI - log_ndtr(y))  # phi(y)/Phi(y)
        d1 = -x - r * mills
        d2 = -1.0 - r * r * mills * (y + mills)
        return d1, np.minimum(d2, -1.0)

    d1h, d2h = dlog(h)
    interior = d1h < 0
    # bracket of the root of g' (decreasing) in (lo, h) where interior
    lo = np.minimum(h, np.minimum(rho * k, 0.0)) - 10.0
    for _ in range(60):
        d1, _ = dlog(lo)
        bad = interior & (d1 <= 0)
        if not bad.any():
            break
        lo = np.where(bad, lo - 2.0 * (np.abs(lo) + 10.0), lo)
    hi = h.copy()
    x = np.where(interior, 0.5 * (lo + hi), h)
    for _ in range(100):
        d1, d2 = dlog(x)
        lo = np.where(interior & (d1 > 0), x, lo)
        hi = np.where(interior & (d1 <= 0), x, hi)
        xn = x - d1 / d2
        xn = np.where((xn > lo) & (xn < hi), xn, 0.5 * (lo + hi))
        done = np.abs(xn - x) <= 1e-14 * (1.0 + np.abs(x))
        x = np.where(interior, xn, h)
        if np.all(done | ~interior):
            break
    # window: g(x) <= g(x*) - (x - x*)^2 / 2 (strong concavity), so nothing beyond 9 from the
    # maximum; at the boundary g(x) <= g(h) - g'(h)(h - x), nothing beyond 40/g'(h).  Offsets
    # from x are formed separately (the window can be far narrower than |x|), and the window
    # is cut at the maximum and at the step of Phi (y = 0, width ~ s), with panels graded
    # towards every cut (features down to ~1e-7 of the window are resolved).
    with np.errstate(divide="ignore", invalid="ignore"):
        left = np.where(interior, 9.0, np.minimum(9.0, 40.0 / np.maximum(d1h, 1e-300)))
        right = np.where(interior, np.minimum(9.0, h - x), 0.0)
        step = np.clip(np.nan_to_num(k / rho - x, nan=0.0, posinf=np.inf, neginf=-np.inf), -left, right)
    cuts = [-left, np.minimum(0.0, step), np.maximum(0.0, step), right]
    y0 = (k - rho * x) / s
    total = []
    for lo_off, hi_off in zip(cuts[:-1], cuts[1:]):
        length = hi_off - lo_off
        delta = lo_off[:, None] + length[:, None] * _GRADED_X[None, :]
        logf = (-0.5 * (x * x)[:, None] - x[:, None] * delta - 0.5 * delta * delta - _LOG_SQRT_2PI
                + log_ndtr(y0[:, None] - r[:, None] * delta))
        with np.errstate(divide="ignore"):
            total.append(logsumexp(logf + _GRADED_LOGW[None, :], axis=1) + np.log(length))
    return logsumexp(np.stack(total), axis=0)


def _log_bvn(h, k, rho, s):
    """log P(X < h, Y < k) for standard normals X, Y with correlation ``rho = sqrt(1 - s^2)
    >= 0`` (rho and s given separately, without cancellation).  Owen's T formula where it
    is free of cancellation, log-domain quadrature elsewhere: finite for finite input."""
    h, k, rho, s = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (h, k, rho, s)))
    out, ok = _log_bvn_owen(h, k, rho, s)
    out = np.array(out, dtype=np.float64)
    bad = ~ok
    if bad.any():
        hb, kb, rb, sb = h[bad], k[bad], rho[bad], s[bad]
        tiny = sb < 1e-12  # rho = 1: Phi_2 = Phi(min(h, k))
        res = np.empty(hb.shape)
        res[tiny] = log_ndtr(np.minimum(hb[tiny], kb[tiny]))
        if (~tiny).any():
            with np.errstate(all="ignore"):  # far tails: inf/inf in bracketing steps, masked
                res[~tiny] = _log_bvn_quad(hb[~tiny], kb[~tiny], rb[~tiny], sb[~tiny])
        out[bad] = res
    return out


def relu_log_psat(a, va, b, vb, k1=0.0, k2=0.0):
    """``log P(A > k1, A - B > k2)`` for independent ``A ~ N(a, va)``, ``B ~ N(b, vb)``: the
    log-probability that a K = 2 relu committee with winner unit A (``c_A = sigma``)
    satisfies its pattern, ``relu(A) - relu(B) > 0`` at ``k1 = k2 = 0``."""
    a, va, b, vb = (np.asarray(v, dtype=np.float64) for v in (a, va, b, vb))
    va = np.maximum(va, V_MIN)
    vb = np.maximum(vb, V_MIN)
    tot = va + vb
    h1 = (a - k1) / np.sqrt(va)
    h2 = (a - b - k2) / np.sqrt(tot)
    return _log_bvn(h1, h2, np.sqrt(va / tot), np.sqrt(vb / tot))


def _vote_counts(lp, lq):
    """Log-distribution of the number of agreeing votes of independent Bernoulli votes.

    ``lp``, ``lq``: lists of arrays (log p_l, log (1 - p_l)) of the same shape; returns a list
    ``d[c] = log P(#votes = c)``, c = 0..len(lp)."""
    if not lp:
        return [np.zeros(())]
    d = [lq[0], lp[0]]
    for p, q in zip(lp[1:], lq[1:]):
        new = [d[0] + q]
        for c in range(1, len(d)):
            new.append(np.logaddexp(d[c] + q, d[c - 1] + p))
        new.append(d[-1] + p)
        d = new
    return d


def _logsum(terms):
    out = terms[0]
    for t in terms[1:]:
        out = np.logaddexp(out, t)
    return out


def sign_log_psat(lp, lq):
    """``log P(at least (K+1)/2 of K independent votes agree)`` from per-unit arrays
    ``lp[..., l] = log p_l`` and ``lq[..., l] = log(1 - p_l)`` (K odd, last axis)."""
    kk = lp.shape[-1]
    d = _vote_counts([lp[..., l] for l in range(kk)], [lq[..., l] for l in range(kk)])
    return _logsum(d[(kk + 1) // 2:])


def _sign_cavity_terms(lp, lq):
    """For each unit k: ``log R_k = log P(others >= m)`` and ``log Q_k = log P(others = m-1)``
    (m = (K+1)/2, others = the K-1 units l != k); arrays shaped like ``lp`` (last axis K)."""
    kk = lp.shape[-1]
    m = (kk + 1) // 2
    log_r = np.empty_like(lp)
    log_q = np.empty_like(lp)
    for k in range(kk):
        others = [l for l in range(kk) if l != k]
        d = _vote_counts([lp[..., l] for l in others], [lq[..., l] for l in others])
        d = [np.broadcast_to(v, lp.shape[:-1]) for v in d]
        log_q[..., k] = d[m - 1]
        log_r[..., k] = _logsum(d[m:]) if len(d) > m else -np.inf
    return log_r, log_q


# --- the graph -----------------------------------------------------------------------------


class _CommitteeGraph:
    """Edge matrix (P, N) seen as (P, K, n), split into blocks of factor rows."""

    def __init__(self, instance, c, activation, continuity, block_size=None):
        self.p, self.n_total = instance.patterns.shape
        self.k = len(c)
        self.n = self.n_total // self.k
        self.activation = activation
        sig = instance.labels.astype(np.int8)
        xi = instance.patterns.astype(np.int8)
        if activation == "sign":
            # x_i = sigma c_l xi_i: unit l votes for sigma iff sum_{j in l} x_j W_j > 0
            cl = np.repeat(c.astype(np.int8), self.n)
            self.x = (xi * sig[:, None] * cl[None, :]).astype(np.int8)
            self.k1 = self.k2 = 0.0
        else:
            self.x = xi
            # winner unit A of each pattern: c_A = sigma
            self.winner = np.where(sig * c[0] > 0, 0, 1).astype(np.intp)
            self.k1 = (1.0 / math.sqrt(self.n)) if (continuity and self.n % 2 == 0) else 0.0
            self.k2 = (1.0 / math.sqrt(self.n)) if continuity else 0.0
        rows = max(1, (block_size or _BLOCK_ELEMENTS) // self.n_total)
        self.blocks = [slice(a, min(a + rows, self.p)) for a in range(0, self.p, rows)]

    # per-block statistics
    def _stats(self, sl, u, H):
        cav = H[None, :] - u[sl]
        m, s = magnetisation_and_variance(cav)
        b = cav.shape[0]
        xm = (self.x[sl] * m).reshape(b, self.k, self.n)
        s3 = s.reshape(b, self.k, self.n)
        omega = xm.sum(axis=2) / math.sqrt(self.n)
        var = s3.sum(axis=2) / self.n
        return cav, xm, s3, omega, var

    def _factor_log_p(self, omega, var, sl):
        """log P_mu(sat) with the full sums, (B,)."""
        if self.activation == "sign":
            y = omega / np.sqrt(np.maximum(var, V_MIN))
            return sign_log_psat(log_ndtr(y), log_ndtr(-y))
        wa = self.winner[sl]
        idx = np.arange(len(wa))
        return relu_log_psat(omega[idx, wa], var[idx, wa], omega[idx, 1 - wa], var[idx, 1 - wa],
                             self.k1, self.k2)

    def factor_to_variable(self, sl, u, H):
        """New cavity fields of the block ``sl`` (B, N)."""
        _, xm, s3, omega, var = self._stats(sl, u, H)
        sqrt_n = math.sqrt(self.n)
        v_cav = np.maximum(var[:, :, None] - s3 / self.n, V_MIN)
        om_cav = omega[:, :, None] - xm / sqrt_n
        shift = 1.0 / sqrt_n  # of the signed unit sum, by x_i W_i = ±1
        if self.activation == "sign":
            y_full = omega / np.sqrt(np.maximum(var, V_MIN))
            log_r, log_q = _sign_cavity_terms(log_ndtr(y_full), log_ndtr(-y_full))
            log_r, log_q = log_r[:, :, None], log_q[:, :, None]
            sd = np.sqrt(v_cav)
            lp_plus = log_ndtr((om_cav + shift) / sd)
            lp_minus = log_ndtr((om_cav - shift) / sd)
            t = 0.5 * (np.logaddexp(log_r, log_q + lp_plus) - np.logaddexp(log_r, log_q + lp_minus))
        else:
            b = omega.shape[0]
            wa = self.winner[sl]
            idx = np.arange(b)
            is_a = (np.arange(2)[None, :] == wa[:, None])[:, :, None]          # (B, 2, 1)
            a_full, va_full = omega[idx, wa][:, None, None], var[idx, wa][:, None, None]
            b_full, vb_full = omega[idx, 1 - wa][:, None, None], var[idx, 1 - wa][:, None, None]
            a0 = np.where(is_a, om_cav, a_full)
            va = np.where(is_a, v_cav, va_full)
            b0 = np.where(is_a, b_full, om_cav)
            vb = np.where(is_a, vb_full, v_cav)
            # W_i = +1 moves the edge's own unit by +x_i/sqrt(n): A up (helps) or B up (hurts)
            da = np.where(is_a, shift, 0.0)
            db = np.where(is_a, 0.0, shift)
            t = 0.5 * (relu_log_psat(a0 + da, va, b0 + db, vb, self.k1, self.k2)
                       - relu_log_psat(a0 - da, va, b0 - db, vb, self.k1, self.k2))
        t = t.reshape(omega.shape[0], self.n_total)
        np.clip(t, -U_MAX, U_MAX, out=t)
        return self.x[sl] * t

    def sweep(self, u, H, damping):
        changes = []
        H_new = np.zeros(self.n_total)
        for sl in self.blocks:
            new = self.factor_to_variable(sl, u, H)
            if not np.all(np.isfinite(new)):
                return H, math.inf, False
            changes.append(damped_update(u, sl, new, damping))
            H_new += u[sl].sum(axis=0)
        return H_new, max(changes, default=0.0) * math.sqrt(self.n), True

    def bethe(self, u, H):
        """Bethe free entropy per weight, and the smallest factor term log P_mu(sat)."""
        factor, worst = 0.0, 0.0
        edge = np.zeros(self.n_total)
        for sl in self.blocks:
            cav, _, _, omega, var = self._stats(sl, u, H)
            log_p = self._factor_log_p(omega, var, sl)
            factor += float(log_p.sum())
            worst = min(worst, float(log_p.min()))
            edge += edge_terms(H, cav)
        return bethe_per_weight(factor, H, edge), worst


# --- the API -------------------------------------------------------------------------------


def _check_machine(instance, k, activation, output_weights):
    inst = _check_instance(instance, max_n=None)
    k = integer("k", k, lower=1)
    choice("activation", activation, ACTIVATIONS)
    if activation == "relu" and k != 2:
        raise ValueError(f"k must be 2 for activation='relu' in committee BP (only the K = 2 relu "
                         f"machine with output weights (+1, -1) or (-1, +1) is supported), got k={k}")
    c = _machine(inst.n, k, activation, output_weights)
    if activation == "relu" and c[0] == c[1]:
        raise ValueError(f"output_weights must be (+1, -1) or (-1, +1) for activation='relu' in "
                         f"committee BP, got {output_weights!r}")
    return inst, c


def run_committee_bp(instance, k, activation, output_weights=None, *, damping: float = 0.0,
                     tol: float = 1e-8, max_iter: int = 1000, rng=None, strict: bool = False,
                     continuity: bool = True, block_size: int | None = None) -> CommitteeBPResult:
    """Run BP on the uniform measure over the solutions of a tree committee machine.

    Parameters
    ----------
    instance : Instance
        Patterns and labels (``kappa = 0``), any N.
    k : int
        Number of hidden units: odd, dividing N with odd N/k, for sign; 2 for relu.
    activation : {"sign", "relu"}
    output_weights : array_like of ±1, shape (k,), optional
        Default all +1 (sign) or (+1, -1) (relu; only (+1, -1) and (-1, +1) are supported).
    damping : float in [0, 1)
        Weight of the old message in the update.
    tol : float > 0
        Stop when ``max sqrt(n) |u_new - u_old| < tol`` (n = N/k).
    max_iter : int >= 1
        Maximum number of parallel sweeps.
    rng : anything :func:`numpy.random.default_rng` accepts, optional
        Seed of the random initial messages (normal, scale 1/sqrt(n)); same seed, same
        result.  None starts from zero messages (deterministic), as :func:`~replica.sampler.bp.run_bp`.
    strict : bool
        Raise :class:`~replica.errors.ConvergenceError` (result in ``.result``) instead of
        warning with :class:`~replica.errors.ConvergenceWarning` when BP does not converge.
    continuity : bool
        Relu only: lattice (half-way) thresholds ``k_1, k_2`` (default) or the n -> infinity
        thresholds 0 (module docstring).  No effect for sign.
    block_size : int, optional
        Edges per block of factor rows (memory/cache; the result does not depend on it).

    Returns
    -------
    CommitteeBPResult

    References
    ----------
    A. Braunstein and R. Zecchina, Phys. Rev. Lett. 96, 030201 (2006); M. Mézard and
    A. Montanari, *Information, Physics, and Computation* (OUP 2009), ch. 14; C. Baldassi,
    E. M. Malatesta and R. Zecchina, Phys. Rev. Lett. 123, 170602 (2019).
    """
    inst, c = _check_machine(instance, k, activation, output_weights)
    damping = real("damping", damping, lower=0.0, upper=1.0, upper_open=True)
    tol = real("tol", tol, lower=0.0, lower_open=True)
    max_iter = integer("max_iter", max_iter, lower=1)
    if block_size is not None:
        block_size = integer("block_size", block_size, lower=1)
    graph = _CommitteeGraph(inst, c, activation, bool(continuity), block_size)
    shape = (graph.p, graph.n_total)
    if rng is None:
        u = np.zeros(shape)
    else:
        u = np.random.default_rng(rng).standard_normal(shape) / math.sqrt(graph.n)
    with np.errstate(over="ignore", under="ignore"):
        H, change, finite, it, converged = iterate(graph, u, u.sum(axis=0), damping, tol, max_iter)
        phi, worst = graph.bethe(u, H)
    mags = np.tanh(H)
    if not finite:
        reason = Reason.NOT_FINITE
        message = f"non-finite messages at sweep {it}"
    elif not math.isfinite(phi):
        reason = Reason.NOT_FINITE
        message, converged = f"Bethe free entropy not finite after {it} sweeps", False
    elif converged and worst < _LOG_P_CONTRADICTION:
        reason = Reason.NOT_CONVERGED
        converged = False
        message = (f"BP reached a contradictory fixed point in {it} sweeps: frozen (capped) messages "
                   f"violate a pattern (log P(sat) = {worst:.3g}); the Bethe entropy is meaningless")
    elif converged:
        reason = Reason.CONVERGED
        message = f"converged in {it} sweeps (max change {change:.2e} < tol {tol:g})"
    else:
        reason = Reason.BUDGET_EXHAUSTED
        message = (f"committee BP did not converge in {it} sweeps (max change {change:.2e} > "
                   f"tol {tol:g}); more damping or max_iter may help")
    value = phi if (converged and math.isfinite(phi)) else None
    result = CommitteeBPResult(success=converged, nit=it, change=float(change), magnetizations=mags,
                               free_entropy=value, entropy=value, message=message, reason=reason)
    if not converged:
        if strict:
            raise ConvergenceError(message, result)
        warnings.warn(message, ConvergenceWarning, stacklevel=2)
    return result


def committee_bethe_entropy(instance, k, activation, output_weights=None, **kw) -> float | None:
    """Bethe entropy per weight of the solutions of a committee machine
    (:func:`run_committee_bp`; keywords are passed on).  None if BP did not converge (after a
    :class:`~replica.errors.ConvergenceWarning`, or ConvergenceError with ``strict=True``).

    References
    ----------
    M. Mézard and A. Montanari, *Information, Physics, and Computation* (OUP 2009), ch. 14;
    A. Braunstein and R. Zecchina, Phys. Rev. Lett. 96, 030201 (2006).
    """
    return run_committee_bp(instance, k, activation, output_weights, **kw).entropy
