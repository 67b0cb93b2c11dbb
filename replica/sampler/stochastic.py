"""Gradient ascent on the magnetisations of stochastic binary synapses.

Each synapse is a random variable W_i = +-1 with mean m_i in [-1, 1], independent across
i. For a pattern mu the field sigma^mu xi^mu . W is, by the central limit theorem, Gaussian
with mean a_mu = sigma^mu sum_i m_i xi^mu_i and variance S^2 = sum_i (1 - m_i^2), so the
log-probability that the stochastic network stores every pattern with margin kappa is

    L(m) = sum_mu log H((kappa sqrt(N) - a_mu) / S) = sum_mu log Phi(u_mu),
    u_mu = (a_mu - kappa sqrt(N)) / S,

with H(x) = Phi(-x) the Gaussian tail. Its gradient is

    dL/dm_i = sum_mu r(u_mu) [sigma^mu xi^mu_i / S + u_mu m_i / S^2],
    r(u) = phi(u) / Phi(u) = sqrt(2/pi) / erfcx(-u / sqrt 2),

evaluated with ``scipy.special.log_ndtr`` and ``erfcx`` so that neither L nor r under- or
overflows for very negative u. :func:`stochastic_gd` performs full-batch gradient *ascent*
m <- clip(m + lr grad L, -1, 1) from m(0) ~ N(0, 1/N) and stops as soon as the binary
configuration sign(m) (sign 0 -> +1) solves the instance (checked every epoch).

Reference: C. Baldassi, F. Gerace, H. J. Kappen, C. Lucibello, L. Saglietti,
E. Tartaglione, R. Zecchina, "On the role of synaptic stochasticity in training
low-precision neural networks", PRL 120, 268103 (2018), arXiv:1710.09825 (binary solutions
of the perceptron found by gradient descent on the parameters of the distribution of
stochastic binary synapses, in the central-limit approximation). The paper's learning-rate
schedule could not be checked (full text unavailable); this implementation uses a constant
rate. Measured with the defaults (storage, kappa = 0, max_epochs = 2000): N = 1001 solves
alpha = 0.65 in 3/3 runs (40-60 epochs) but none at alpha = 0.7 (1-2 errors left);
N = 201 solves alpha = 0.6 in 5/5 and alpha = 0.7 in 1/5.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import erfcx, log_ndtr

from ._harness import Run, binarize, check
from ._solver_result import SolverResult

__all__ = ["stochastic_gd"]

_SQRT2 = math.sqrt(2.0)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
# floor of S^2 = sum_i (1 - m_i^2) (all synapses frozen): keeps u finite
_S2_MIN = 1e-12


def _objective_and_gradient(m, xi_signed, kappa_sqrt_n=0.0):
    """L(m) and dL/dm for signed patterns ``xi_signed`` (P, N) (private; used by the tests).

    Returns (L, grad, u) with u the standardised stabilities (P,).
    """
    m = np.asarray(m, dtype=np.float64)
    x = np.asarray(xi_signed, dtype=np.float64)
    s2 = max(float(np.sum(1.0 - m * m)), _S2_MIN)
    s = math.sqrt(s2)
    a = x @ m - kappa_sqrt_n
    u = a / s
    value = float(np.sum(log_ndtr(u)))
    r = _SQRT_2_OVER_PI / erfcx(-u / _SQRT2)
    grad = (r @ x) / s + (float(r @ u) / s2) * m
    return value, grad, u


def stochastic_gd(instance, *, rng=None, lr: float = 0.5, max_epochs: int = 2000,
                  init_std: float | None = None) -> SolverResult:
    """Full-batch gradient ascent on the magnetisations of stochastic binary synapses.

    Parameters
    ----------
    instance : Instance
    rng : seed or Generator
        Draws m(0) (same seed, same result; the rest is deterministic).
    lr : float > 0
        Learning rate of m <- clip(m + lr dL/dm, -1, 1) (constant; L is the sum, not the
        mean, over patterns, so lr is per-pattern-sum; see the module docstring).
    max_epochs : int >= 1
        Number of gradient steps (each uses every pattern).
    init_std : float >= 0 or None
        Standard deviation of the Gaussian m(0) (clipped to [-1, 1]); None means 1/sqrt(N).

    Returns
    -------
    SolverResult
        algorithm "stochastic-gd", unit "epochs"; ``weights`` = sign(m) of the epoch with the
        fewest errors; ``extra`` has the final objective L, mean |m| and the fraction of
        clipped (|m_i| = 1) synapses and ``stalled`` (True if the run stopped early because
        the clipped update left m unchanged, i.e. every synapse is frozen at +-1).

    Notes
    -----
    C. Baldassi et al., PRL 120, 268103 (2018), arXiv:1710.09825. The default lr = 0.5 is
    our choice, not a published value: on N = 1001 storage instances lr in [0.3, 1] solves
    alpha = 0.6 in tens of epochs, lr = 0.03 needs ~10^3 epochs and lr = 3 saturates
    every |m_i| = 1 before a solution is reached.
    """
    run = Run("stochastic-gd", instance, rng, unit="epochs", budget=("max_epochs", max_epochs))
    lr = check("lr", lr, "> 0")
    n = run.n
    init_std = 1.0 / math.sqrt(n) if init_std is None else check("init_std", init_std, ">= 0")

    x = run.x
    kappa_sqrt_n = run.instance.kappa * math.sqrt(n)
    m = np.clip(run.rng.normal(0.0, init_std, size=n), -1.0, 1.0)
    run.offer(binarize(m))  # best so far: the sign(m) with the fewest errors
    stalled = False
    while run.running():
        grad = _objective_and_gradient(m, x, kappa_sqrt_n)[1]
        m_new = np.clip(m + lr * grad, -1.0, 1.0)
        run.nit += 1
        if np.array_equal(m_new, m):  # every synapse clipped and pushed outwards: frozen
            stalled = True
            run.stop("every synapse clipped at ±1 (m unchanged)")
            break
        m = m_new
        run.offer(binarize(m))
    value = _objective_and_gradient(m, x, kappa_sqrt_n)[0]
    extra = dict(lr=lr, max_epochs=run.max_iter, init_std=init_std, objective=value,
                 mean_abs_m=float(np.mean(np.abs(m))), frac_clipped=float(np.mean(np.abs(m) >= 1.0)),
                 stalled=stalled)
    return run.result(extra=extra)
