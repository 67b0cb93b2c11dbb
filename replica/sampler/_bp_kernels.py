"""Array kernels of belief propagation for the binary perceptron (private).

Every kernel works on a block of factor rows of the P x N edge matrix so that the
temporaries stay small (cache friendly, bounded memory at N = 10^4) and blocks can be
handed to threads (numpy and scipy ufuncs release the GIL).  Notation as in
:mod:`replica.sampler.bp`: ``xi`` signed patterns (int8, rows mu), ``u`` cavity fields
u_{mu->i}, ``H`` total fields H_i = h_i + sum_mu u_{mu->i}, ``kappa_eff`` the threshold of
the stability in the Gaussian approximation.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import log_ndtr

LOG2 = math.log(2.0)
# |u_{mu->i}| <= U_MAX: a ratio e^{2 U_MAX} of the two values of W_i is "hard" already; the
# cap keeps frozen (reinforced, large-gamma) states finite so that the Bethe terms can be
# evaluated without inf - inf (the exact hard-message limit differs by O(e^{-2 U_MAX})).
U_MAX = 30.0
# floor of the Gaussian variances (all variables frozen); keeps (x / sqrt V)^2 < 1e308
V_MIN = 1e-200


def log_cosh(x):
    """log cosh x without overflow: |x| + log1p(exp(-2|x|)) - log 2."""
    a = np.abs(x)
    return a + np.log1p(np.exp(-2.0 * a)) - LOG2


def magnetisation_and_variance(c):
    """m = tanh c and 1 - m^2 = sech^2 c, the latter without the cancellation of 1 - m^2
    (it sets the cavity variance when variables are nearly frozen)."""
    e = np.exp(-2.0 * np.abs(c))
    den = 1.0 + e
    m = np.copysign((1.0 - e) / den, c)
    return m, 4.0 * e / (den * den)


def factor_stats(xi, m, s, n):
    """Mean and variance of the stability sum_j xi_j W_j / sqrt(N) of each factor when the
    W_j are independent with means m_{j->mu} (variances s = 1 - m^2)."""
    a = xi * m
    return a, a.sum(axis=1) / math.sqrt(n), s.sum(axis=1) / n


def factor_to_variable(xi, u, H, kappa_eff, n):
    """New cavity fields u_{mu->i} of a block of factors, from the old ones.

    Gaussian (central-limit) form: the sum over j != i of xi_j W_j / sqrt(N) is normal
    with mean omega_{mu->i} and variance V_{mu->i} ("leave one out": the full sums minus
    the own term), and

        u_{mu->i} = 1/2 log[ H((kappa - omega - xi_i/sqrt(N)) / sqrt(V))
                            / H((kappa - omega + xi_i/sqrt(N)) / sqrt(V)) ],

    with log H(x) = log_ndtr(-x) (no underflow of H in the tails), capped at |u| <= U_MAX.

    References
    ----------
    A. Braunstein and R. Zecchina, Phys. Rev. Lett. 96, 030201 (2006).
    """
    m, s = magnetisation_and_variance(H[None, :] - u)
    a, omega, var = factor_stats(xi, m, s, n)
    sqrt_n = math.sqrt(n)
    # cavity variance; the floor only matters when every variable is frozen
    v_cav = np.maximum(var[:, None] - s / n, V_MIN)
    eps = 1.0 / np.sqrt(v_cav * n)  # shift of the standardised stability by W_i = +-1
    y = (omega[:, None] - a / sqrt_n - kappa_eff) * (eps * sqrt_n)  # = (omega_cav - kappa)/sqrt(V_cav)
    u_new = 0.5 * (log_ndtr(y + eps) - log_ndtr(y - eps))
    np.clip(u_new, -U_MAX, U_MAX, out=u_new)
    return xi * u_new


def bethe_terms(xi, u, H, kappa_eff, n):
    """Bethe terms of a block of factors at the messages (u, H).

    Returns ``(factor, edge)``: the sum over the block of the factor terms
    log H((kappa - omega_mu) / sqrt(V_mu)) and, per variable, the sum over the block of
    the combined variable-edge terms log cosh H_i - log cosh(H_i - u_{mu->i}).

    References
    ----------
    M. Mézard and A. Montanari, *Information, Physics, and Computation* (2009), ch. 14;
    the Gaussian form is derived in :mod:`replica.sampler.bp`.
    """
    c = H[None, :] - u
    m, s = magnetisation_and_variance(c)
    _, omega, var = factor_stats(xi, m, s, n)
    factor = log_ndtr((omega - kappa_eff) / np.sqrt(np.maximum(var, V_MIN))).sum()
    return float(factor), edge_terms(H, c)


def edge_terms(H, cavity):
    """Per variable, the block's combined variable-edge Bethe terms ``sum_mu [log cosh H_i -
    log cosh(H_i - u_{mu->i})]`` from the cavity fields ``cavity = H - u`` (module doc of
    :mod:`replica.sampler.bp`)."""
    return (log_cosh(H)[None, :] - log_cosh(cavity)).sum(axis=0)


def bethe_per_weight(factor, H, edge) -> float:
    """Bethe free entropy per weight: ``(sum_mu F_mu + sum_i [log 2cosh H_i - edge_i]) / N``
    from the summed factor terms and the summed :func:`edge_terms`."""
    return (factor + float(np.sum(log_cosh(H) + LOG2 - edge))) / H.shape[0]


def damped_update(u, sl, new, damping) -> float:
    """Write the new messages of the block ``sl`` into ``u`` (``damping`` of the old ones
    kept) and return the block's undamped change ``max |new - old|``."""
    change = float(np.max(np.abs(new - u[sl])))
    u[sl] = damping * u[sl] + (1.0 - damping) * new if damping else new
    return change


def iterate(graph, u, H, damping, tol, max_iter):
    """Parallel sweeps ``H, change, finite = graph.sweep(u, H, damping)`` (``u`` updated in
    place) until the undamped change is below ``tol``, a message is not finite, or
    ``max_iter`` sweeps.  Returns ``(H, change, finite, sweeps, converged)``."""
    change, finite, it = math.inf, True, 0
    while it < max_iter:
        it += 1
        H, change, finite = graph.sweep(u, H, damping)
        if not finite or change < tol:
            break
    return H, change, finite, it, finite and change < tol
