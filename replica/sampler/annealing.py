"""Simulated annealing (SA) and replicated simulated annealing (RSA) for the binary perceptron.

Both algorithms are single-flip Metropolis Monte Carlo on the energy

    E(W) = sum_mu max(0, t - h^mu),      h^mu = sigma^mu xi^mu . W,

the total distance (in field units) of the violated patterns from satisfaction, with
``t = instance.threshold()`` the smallest integer field that satisfies a pattern. E is a
non-negative integer and E(W) = 0 exactly when ``instance.is_solution(W)``.

Implementation: the gaps g^mu = t - h^mu are kept up to date incrementally (flipping W_i
changes every h^mu by -2 W_i sigma^mu xi^mu_i), so the energy change of a proposed flip is
computed exactly in integer arithmetic with O(P) numpy work, and a sweep (N proposals, in a
fresh random order each sweep) costs O(N P). The Python loop over proposals dominates: on
the development machine one SA sweep at N = 1001 takes about 2-4 ms at alpha = 0.3
(P = 300) and about 4.5 ms at alpha = 0.5; an RSA sweep (y N proposals) about y times that
(~14 ms for y = 3, alpha = 0.3).

Measured with the defaults (storage instances, a few seeds each; development machine):
N = 201: SA solves alpha = 0.3, 0.5 (4/4) and 0.6 (3/4); RSA solves 4/4 at all three.
N = 1001: both solve alpha = 0.3 (SA ~2 s, RSA ~4-5 s); both fail at alpha = 0.5 and 0.6
within the default 10000 sweeps (4-10 errors left at 0.5). Slower schedules help RSA more
than SA: N = 401, alpha = 0.55, beta_rate = 0.001 (and gamma_rate = 0.002): RSA 3/3, SA 0/3;
N = 1001, alpha = 0.5, beta_rate = 0.0003, gamma_rate = 0.0006, 30000 sweeps: RSA 1/2
(3297 sweeps, 23 s), SA 0/1 (4 errors left after 30000 sweeps); alpha = 0.6: RSA 0/1.

References
----------
S. Kirkpatrick, C. D. Gelatt, M. P. Vecchi, Science 220, 671 (1983) (simulated annealing).
C. Baldassi, C. Borgs, J. T. Chayes, A. Ingrosso, C. Lucibello, L. Saglietti, R. Zecchina,
"Unreasonable effectiveness of learning neural networks: from accessible states and robust
ensembles to basic algorithmic schemes", PNAS 113, E7655 (2016), arXiv:1605.06444
(robust ensemble, replicated simulated annealing).
"""

from __future__ import annotations

import numpy as np

from ._harness import Run, check, schedule
from ._solver_result import SolverResult
from .instances import Instance

__all__ = ["simulated_annealing", "replicated_simulated_annealing"]


# ----------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------

def _columns(instance: Instance) -> np.ndarray:
    """2 sigma^mu xi^mu_i as a contiguous int64 array (N, P): row i is what a flip of W_i
    adds to (W_i = +1) or subtracts from (W_i = -1) the gaps g = t - h."""
    return np.ascontiguousarray(2 * instance.signed_patterns().T.astype(np.int64))


def _gaps(instance: Instance, weights) -> np.ndarray:
    """Gaps g^mu = t - sigma^mu xi^mu . W (int64, shape (P,) or (M, P))."""
    w = np.asarray(weights).astype(np.int64)
    return instance.threshold() - w @ instance.signed_patterns().T.astype(np.int64)


def _energy(instance: Instance, weights):
    """E(W) = sum_mu max(0, t - h^mu), recomputed from scratch (int, or (M,) ints)."""
    return np.maximum(_gaps(instance, weights), 0).sum(axis=-1)


def _ln2cosh(x: np.ndarray) -> np.ndarray:
    """ln(2 cosh x), stable for large |x|."""
    a = np.abs(x)
    return a + np.log1p(np.exp(-2.0 * a))


# ----------------------------------------------------------------------------------------
# simulated annealing
# ----------------------------------------------------------------------------------------

def simulated_annealing(instance: Instance, *, rng=None, beta0: float = 0.5, beta_rate: float = 0.001,
                        max_sweeps: int = 10000, init=None) -> SolverResult:
    """Simulated annealing (algorithm ``"sa"``) on E(W) = sum_mu max(0, t - sigma^mu xi^mu . W).

    Each sweep proposes N single flips, in a fresh random order, accepted with the Metropolis
    probability min(1, exp(-beta dE)); the inverse temperature at sweep s (s = 0, 1, ...) is
    ``beta(s) = beta0 * (1 + beta_rate)**s`` (capped at 1e8). The run stops as soon as
    E = 0 (the instance is solved) or after ``max_sweeps`` sweeps.

    Parameters
    ----------
    instance : Instance
    rng : anything :func:`numpy.random.default_rng` accepts
        Same seed, same result.
    beta0 : float > 0
        Initial inverse temperature (energy in field units). Default 0.5.
    beta_rate : float >= 0
        Relative increase of beta per sweep. Default 0.001 (beta doubles every ~690 sweeps:
        ~1.4 after 1000 sweeps, ~11 after 3000, ~1e4 after 10000). The defaults were chosen
        (measured here, not taken from a paper) so that N = 1001, alpha = 0.3 instances are
        solved in about a second (a few hundred sweeps).
    max_sweeps : int >= 1
        Default 10000 (N = 1001, alpha = 0.3: ~2.5 ms per sweep, so ~25 s if unsolved).
    init : array of ±1, shape (N,), optional
        Starting configuration (default: uniform random, drawn from ``rng``).

    Returns
    -------
    SolverResult
        ``weights`` are the lowest-energy configuration visited; ``nit`` is the
        number of sweeps started; ``extra`` holds ``energy`` (of the returned weights),
        ``final_beta``, ``accepted`` (number of accepted flips).
    """
    run = Run("sa", instance, rng, unit="sweeps", budget=("max_sweeps", max_sweeps))
    beta0 = check("beta0", beta0, "> 0")
    beta_rate = check("beta_rate", beta_rate, ">= 0")
    instance, gen, n = run.instance, run.rng, run.n
    w = run.spins(init, (n,))

    cols = _columns(instance)
    g = _gaps(instance, w)
    tmp = np.empty_like(g)
    buf = np.empty_like(g)
    energy = int(np.maximum(g, 0).sum())
    run.offer(w, energy)  # the score is the energy: 0 exactly for solutions
    accepted = 0
    beta = beta0
    wl = w.tolist()  # python ints: faster scalar access in the loop
    while run.running():
        beta = schedule(beta0, beta_rate, run.nit)
        order = gen.permutation(n).tolist()
        logu = np.log(gen.random(n)).tolist()
        for k in range(n):
            i = order[k]
            if wl[i] > 0:
                np.add(g, cols[i], out=tmp)
            else:
                np.subtract(g, cols[i], out=tmp)
            e_new = int(np.maximum(tmp, 0, out=buf).sum())
            de = e_new - energy
            if de <= 0 or logu[k] < -beta * de:
                wl[i] = -wl[i]
                g, tmp = tmp, g
                energy = e_new
                accepted += 1
                if energy < run.best_score and run.offer(wl, energy):
                    break
        run.nit += 1

    return run.result(extra=dict(energy=run.best_score, final_beta=float(beta), accepted=accepted))


# ----------------------------------------------------------------------------------------
# replicated simulated annealing
# ----------------------------------------------------------------------------------------

def replicated_simulated_annealing(instance: Instance, *, y: int = 3, rng=None, gamma0: float = 0.05,
                                   gamma_rate: float = 0.002, beta0: float = 0.5, beta_rate: float = 0.001,
                                   max_sweeps: int = 10000, init=None) -> SolverResult:
    """Replicated simulated annealing (algorithm ``"rsa"``), the Monte Carlo version of the
    robust ensemble of Baldassi et al., PNAS 113, E7655 (2016), arXiv:1605.06444.

    y replicas W^a, each with the energy E(W^a) of :func:`simulated_annealing`, are coupled
    through a binary centre W~ that is traced out exactly:

        H = sum_a E(W^a) - (1/beta) sum_i ln 2cosh(gamma S_i),     S_i = sum_a W_i^a,

    so a flip W_i^a -> -W_i^a (dW = -2 W_i^a) is accepted with probability
    min(1, exp(-beta dE_a + ln 2cosh(gamma (S_i + dW)) - ln 2cosh(gamma S_i))). One sweep
    proposes every (a, i) once, in a fresh random order. Schedules (s = sweep = 0, 1, ...):
    ``beta(s) = beta0 (1 + beta_rate)**s`` and ``gamma(s) = gamma0 (1 + gamma_rate)**s``
    (both capped at 1e8; increasing gamma is the "scoping" of the paper).

    The run returns as soon as a replica reaches E = 0, or the centre sign(S_i) (ties, for
    even y, broken by replica 0) solves the instance; the centre is checked at the end of
    every sweep.

    Parameters
    ----------
    instance : Instance
    y : int >= 1
        Number of replicas. Default 3.
    rng : anything :func:`numpy.random.default_rng` accepts
        Same seed, same result.
    gamma0 : float >= 0
        Initial coupling. Default 0.05.
    gamma_rate : float >= 0
        Relative increase of gamma per sweep. Default 0.002: twice ``beta_rate``, so that
        the coupling eventually dominates the (beta-scaled) energy and the replicas collapse
        onto the centre. (If gamma grows only as fast as beta, the replicas freeze apart.)
    beta0 : float > 0
        Initial inverse temperature. Default 0.5.
    beta_rate : float >= 0
        Relative increase of beta per sweep. Default 0.001 (as in :func:`simulated_annealing`).
    max_sweeps : int >= 1
        Default 10000 (one sweep = y N proposals).
    init : array of ±1, shape (y, N), optional
        Starting replicas (default: independent uniform random, drawn from ``rng``).

    The defaults (y, gamma0, gamma_rate, beta0, beta_rate) were chosen and measured here;
    they are not copied from the paper. With ``y = 1`` and ``gamma0 = 0`` the dynamics is
    exactly that of :func:`simulated_annealing` with the same beta schedule and seed (the
    random numbers are consumed identically), which the tests check.

    Returns
    -------
    SolverResult
        ``weights``: the solving replica (lowest index first) or the solving centre; if the
        run ends unsolved, the configuration with fewest errors among the final replicas and
        the centre (replicas first). ``nit`` = sweeps started. ``extra`` holds
        ``solved_by`` (``"replica"``, ``"centre"`` or ``None``), ``replica`` (its index, or
        None), ``energies`` (final replica energies, kept incrementally), ``replicas`` (the
        final replicas, int8 (y, N)), ``final_beta``, ``final_gamma``,
        ``overlap`` (mean over i of |S_i| / y at the end), ``accepted``.
    """
    run = Run("rsa", instance, rng, unit="sweeps", budget=("max_sweeps", max_sweeps))
    y = check("y", y, "int >= 1")
    gamma0 = check("gamma0", gamma0, ">= 0")
    gamma_rate = check("gamma_rate", gamma_rate, ">= 0")
    beta0 = check("beta0", beta0, "> 0")
    beta_rate = check("beta_rate", beta_rate, ">= 0")
    instance, gen, n = run.instance, run.rng, run.n
    w = run.spins(init, (y, n), f"a ±1 array of shape (y, N) = ({y}, {n})")

    cols = _columns(instance)
    gaps = [_gaps(instance, w[a]) for a in range(y)]
    energies = [int(np.maximum(gaps[a], 0).sum()) for a in range(y)]
    tmp = np.empty_like(gaps[0])
    buf = np.empty_like(gaps[0])
    wl = [w[a].tolist() for a in range(y)]
    s_sum = w.astype(np.int64).sum(axis=0).tolist()
    svals = np.arange(-y, y + 1, dtype=np.float64)
    accepted = 0
    beta, gamma = beta0, gamma0
    which = None  # index of the solving replica

    def centre():
        s = np.asarray(s_sum)
        c = np.sign(s).astype(np.int8)
        ties = s == 0
        c[ties] = np.asarray(wl[0], dtype=np.int8)[ties]
        return c

    def centre_solves():
        c = centre()
        return run.errors(c) == 0 and run.offer(c, 0, "centre")

    # only solutions are offered during the run: unsolved, the result is the best of the
    # final replicas and centre (below), not the best configuration ever visited
    for a in range(y):
        if energies[a] == 0:
            run.offer(wl[a], 0, "replica")
            which = a
            break
    if not run.solved:
        centre_solves()

    total = y * n
    while run.running():
        beta = schedule(beta0, beta_rate, run.nit)
        gamma = schedule(gamma0, gamma_rate, run.nit)
        lnc = (_ln2cosh(gamma * svals)).tolist()  # lnc[S + y]
        order = gen.permutation(total).tolist()
        logu = np.log(gen.random(total)).tolist()
        for k in range(total):
            a, i = divmod(order[k], n)
            wa = wl[a]
            ga = gaps[a]
            wi = wa[i]
            if wi > 0:
                np.add(ga, cols[i], out=tmp)
            else:
                np.subtract(ga, cols[i], out=tmp)
            e_new = int(np.maximum(tmp, 0, out=buf).sum())
            de = e_new - energies[a]
            si = s_sum[i]
            dc = lnc[si - 2 * wi + y] - lnc[si + y]
            logacc = -beta * de + dc
            if logacc >= 0 or logu[k] < logacc:
                wa[i] = -wi
                s_sum[i] = si - 2 * wi
                gaps[a], tmp = tmp, ga
                energies[a] = e_new
                accepted += 1
                if e_new == 0:
                    run.offer(wa, 0, "replica")
                    which = a
                    break
        run.nit += 1
        if not run.solved:
            centre_solves()

    if not run.solved:  # fewest errors among the final replicas, then the centre
        for a in range(y):
            run.offer(wl[a])
        run.offer(centre())
    overlap = float(np.mean(np.abs(np.asarray(s_sum))) / y)
    return run.result(extra=dict(solved_by=run.solved_by, replica=which, energies=list(energies),
                                 replicas=np.array(wl, dtype=np.int8), final_beta=float(beta),
                                 final_gamma=float(gamma), overlap=overlap, accepted=accepted, y=y))
