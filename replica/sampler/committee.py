"""Simulated tree committee machines with binary weights: outputs, exact enumeration of the
solutions (counts, entropy, magnetizations and overlap, distance histograms, exact uniform
sampling) and a Monte Carlo entropy estimate for larger N.

Model (the convention of :mod:`replica.models.committee`): N binary weights ``W_i = ±1``
split into ``K`` hidden units with disjoint contiguous receptive fields of ``n = N/K``
inputs (unit ``l`` uses inputs ``l n .. (l+1) n - 1``). Unit ``l`` has the preactivation
``lambda_l = sum_{i in l} W_i xi_i / sqrt(n)``, the output is ``sign(h)`` with
``h = sum_l c_l g(lambda_l)``, ``g = sign`` or ``relu``, and fixed output weights
``c_l = ±1`` (default: all +1 for sign; +1, -1, +1, -1, ... for relu, which needs an even
K: the balanced convention ``sum_l c_l = 0``). A pattern ``(xi, sigma)`` is satisfied iff
``sigma h > 0`` strictly (``h = 0``, e.g. a relu machine with every unit inactive, is an
error). Sign machines need odd ``n`` and odd ``K`` (then neither a unit's field nor ``h`` is
ever 0). Patterns and labels are those of a :class:`~replica.sampler.instances.Instance`
(i.i.d. ±1, :func:`~replica.sampler.instances.random_instance`); **alpha = P/N counts all
N weights**. Only ``instance.kappa = 0`` is supported. All arithmetic is on the integer
fields ``sum W xi``: exact.

Exact enumeration uses the perceptron's meet-in-the-middle bitset kernel with the pair
(output of the complete units of the first half, partial field of the unit cut by the
split) in the place of the first half's field (:mod:`._committee_kernels`): about
``P 2^N / 64`` word operations, N up to 34.

References
----------
E. Barkai, D. Hansel & H. Sompolinsky, Phys. Rev. A 45, 4146 (1992) (tree committee
machine); C. Baldassi, E. M. Malatesta & R. Zecchina, Phys. Rev. Lett. 123, 170602 (2019)
(relu committee machines, balanced output weights); W. Krauth & M. Mézard, J. Phys. France
50, 3057 (1989) (exact enumeration).

Examples
--------
>>> from replica.sampler.instances import random_instance
>>> inst = random_instance(15, 0.5, rng=0)
>>> z = count_committee_solutions(inst, 3, "sign")
>>> w = sample_committee_solutions(inst, 4, 3, "sign", rng=1)
>>> bool(is_committee_solution(inst, w, 3, "sign").all())
True
>>> int(committee_distance_histogram(inst, w[0], 3, "sign").sum()) == z
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import _enumeration_kernels as K
from ._committee_kernels import CommitteeCompatible
from .._validate import choice, integer, real
from ..errors import Reason
from .instances import Instance

__all__ = [
    "ACTIVATIONS",
    "MAX_N",
    "CommitteeOverlap",
    "CommitteeEntropyMC",
    "default_output_weights",
    "committee_output",
    "is_committee_solution",
    "count_committee_solutions",
    "committee_entropy_per_weight",
    "committee_overlap",
    "committee_overlap_distribution",
    "committee_distance_histogram",
    "enumerate_committee_solutions",
    "sample_committee_solutions",
    "committee_entropy_mc",
]

ACTIVATIONS = ("sign", "relu")
#: largest N handled by the exact enumeration (as for the perceptron)
MAX_N = 34
#: default cap on the number of solutions :func:`enumerate_committee_solutions` returns
MAX_SOLUTIONS = 1_000_000


# --- input checks ------------------------------------------------------------------------

def default_output_weights(k: int, activation: str) -> np.ndarray:
    """The package's output weights: all +1 for sign; +1, -1, +1, ... for relu (even k)."""
    k = integer("k", k, lower=1)
    choice("activation", activation, ACTIVATIONS)
    if activation == "sign":
        return np.ones(k, dtype=np.int8)
    if k % 2:
        raise ValueError(f"output_weights must be given explicitly for activation='relu' with odd k "
                         f"(the default alternating +1, -1 needs an even k to have sum c_l = 0), got k={k}")
    return np.where(np.arange(k) % 2 == 0, 1, -1).astype(np.int8)


def _machine(n_weights: int, k, activation, output_weights) -> np.ndarray:
    """Check (N, k, activation, output_weights); return the output weights as int8 (k,)."""
    k = integer("k", k, lower=1)
    choice("activation", activation, ACTIVATIONS)
    if n_weights % k:
        raise ValueError(f"k must divide the number of weights N = {n_weights}, got k={k}")
    n = n_weights // k
    if activation == "sign":
        if k % 2 == 0:
            raise ValueError(f"k must be odd for activation='sign' (else h = 0 can occur), got k={k}")
        if n % 2 == 0:
            raise ValueError(f"N/k (inputs per unit) must be odd for activation='sign' (else a unit's "
                             f"field can be 0), got N={n_weights}, k={k}, N/k={n}")
    if output_weights is None:
        return default_output_weights(k, activation)
    c = np.asarray(output_weights)
    if c.shape != (k,) or not (np.issubdtype(c.dtype, np.number) and np.all(np.abs(c) == 1)):
        raise ValueError(f"output_weights must be a ±1 vector of length k = {k}, got {output_weights!r}")
    return c.astype(np.int8)


def _check_instance(instance, max_n: int | None = MAX_N) -> Instance:
    if not isinstance(instance, Instance):
        raise ValueError(f"instance must be a replica.sampler.Instance, got {type(instance).__name__}")
    if instance.kappa != 0:
        raise ValueError(f"instance.kappa must be 0 for committee machines (no margin), got {instance.kappa}")
    if max_n is not None and instance.n > max_n:
        raise ValueError(f"instance.n must be in [1, {max_n}] for exact enumeration, got {instance.n}")
    return instance


def _check_weights(weights, n: int, name: str = "weights") -> np.ndarray:
    w = np.asarray(weights)
    if w.ndim not in (1, 2) or w.shape[-1] != n:
        raise ValueError(f"{name} must have shape (N,) or (M, N) with N = {n}, got shape {w.shape}")
    if not (np.issubdtype(w.dtype, np.number) and np.all(np.abs(w) == 1)):
        raise ValueError(f"{name} must contain only -1 and +1")
    return w


# --- outputs -----------------------------------------------------------------------------

def committee_output(weights, patterns, k, activation, output_weights=None) -> np.ndarray:
    """Outputs ``sign(h)`` of a tree committee machine, vectorised over weights and patterns.

    Parameters
    ----------
    weights : array_like, shape (N,) or (M, N)
        ±1 weights (one machine per row).
    patterns : array_like, shape (P, N)
        ±1 inputs.
    k : int
        Number of hidden units; must divide N (odd k and odd N/k for sign).
    activation : {"sign", "relu"}
    output_weights : array_like of ±1, shape (k,), optional
        ``c_l``; default all +1 (sign) or +1, -1, +1, ... (relu, even k).

    Returns
    -------
    ndarray of int8, shape (P,) or (M, P)
        ``sign(h)`` in {-1, 0, +1}, with ``h = sum_l c_l g(sum_{i in l} W_i xi_i)`` computed
        on integer fields (0 when ``h = 0``).

    References
    ----------
    E. Barkai, D. Hansel & H. Sompolinsky, Phys. Rev. A 45, 4146 (1992).
    """
    x = np.asarray(patterns)
    if x.ndim != 2:
        raise ValueError(f"patterns must be a 2-d array (P, N), got shape {x.shape}")
    if x.size and not (np.issubdtype(x.dtype, np.number) and np.all(np.abs(x) == 1)):
        raise ValueError("patterns must contain only -1 and +1")
    n_total = x.shape[1]
    w = _check_weights(weights, n_total)
    c = _machine(n_total, k, activation, output_weights).astype(np.int64)
    n = n_total // len(c)
    w2 = np.atleast_2d(w).astype(np.int64).reshape(-1, len(c), n)       # (M, K, n)
    xs = x.astype(np.int64).reshape(-1, len(c), n)                      # (P, K, n)
    fields = np.einsum("mkn,pkn->mpk", w2, xs)                          # (M, P, K)
    g = np.sign(fields) if activation == "sign" else np.maximum(fields, 0)
    out = np.sign(g @ c).astype(np.int8)
    return out[0] if w.ndim == 1 else out


def is_committee_solution(instance, weights, k, activation, output_weights=None):
    """True where ``weights`` satisfy every pattern of ``instance`` (``sigma h > 0``).

    Parameters
    ----------
    instance : Instance
        Patterns and labels (``kappa = 0``).
    weights : array_like, shape (N,) or (M, N)
    k, activation, output_weights
        As in :func:`committee_output`.

    Returns
    -------
    bool or ndarray of bool, shape (M,)

    References
    ----------
    E. Barkai, D. Hansel & H. Sompolinsky, Phys. Rev. A 45, 4146 (1992).
    """
    inst = _check_instance(instance, max_n=None)
    out = committee_output(weights, inst.patterns, k, activation, output_weights)
    ok = np.all(out.astype(np.int64) * inst.labels > 0, axis=-1)
    return bool(ok) if np.ndim(ok) == 0 else ok


# --- exact enumeration -------------------------------------------------------------------

def _kernel(instance, k, activation, output_weights, reference=None, n2=None) -> CommitteeCompatible:
    inst = _check_instance(instance)
    c = _machine(inst.n, k, activation, output_weights)
    n1, n2 = K.split_sizes(inst.n, n2)
    if reference is None:
        lay = K.natural_layout(n2)
    else:
        lay = K.distance_layout(n2, K.index(reference[n1:]))
    return CommitteeCompatible(inst.patterns, inst.labels, len(c), c, activation, lay, n1)


def count_committee_solutions(instance, k, activation, output_weights=None) -> int:
    """Exact number of weight vectors W in {-1, +1}^N that make a tree committee machine
    satisfy every pattern of an instance.

    Parameters
    ----------
    instance : Instance
        Patterns and labels, N <= 34 (:data:`MAX_N`), ``kappa = 0``.
    k : int
        Number of hidden units (divides N; odd k and odd N/k for sign).
    activation : {"sign", "relu"}
    output_weights : array_like of ±1, shape (k,), optional
        Default all +1 (sign) or +1, -1, +1, ... (relu; required explicitly for odd k).

    Returns
    -------
    int
        ``#{W : sigma^mu h^mu(W) > 0 for all mu}``; about ``P 2^N / 64`` word operations
        (a fraction of a second at N = 27).

    References
    ----------
    W. Krauth & M. Mézard, J. Phys. France 50, 3057 (1989); E. Barkai, D. Hansel &
    H. Sompolinsky, Phys. Rev. A 45, 4146 (1992).
    """
    return _count(instance, k, activation, output_weights)


def _count(instance, k, activation, output_weights=None, n2=None) -> int:
    return K.count(_kernel(instance, k, activation, output_weights, n2=n2))


def committee_entropy_per_weight(instance, k, activation, output_weights=None) -> float:
    """Finite-size entropy ``ln(#solutions) / N`` of a committee machine (N all weights).

    Parameters
    ----------
    instance, k, activation, output_weights
        As in :func:`count_committee_solutions`.

    Returns
    -------
    float
        ``log(count) / N`` (0 for a single solution).

    Raises
    ------
    ValueError
        If there is no solution: ``-inf`` is never returned (same convention as
        :func:`replica.sampler.enumerate.entropy_per_weight`).

    References
    ----------
    E. Gardner, J. Phys. A 21, 257 (1988); E. Barkai, D. Hansel & H. Sompolinsky,
    Phys. Rev. A 45, 4146 (1992).
    """
    return K.entropy(count_committee_solutions(instance, k, activation, output_weights), instance.n)


@dataclass(frozen=True)
class CommitteeOverlap:
    """Exact magnetizations and typical overlap of the uniform measure on the solutions.

    Attributes
    ----------
    count : int
        Number of solutions.
    magnetizations : ndarray of float, shape (N,)
        ``m_i = <W_i>``, the average over all solutions (exact: per-weight integer sums / count).
    q : float
        ``(1/N) sum_i m_i^2``: the mean overlap ``(1/N) W^a . W^b`` of two independent uniform
        solutions, i.e. the per-unit overlap of the replica theory averaged over units.
    q_units : ndarray of float, shape (k,)
        ``q_l = (1/n) sum_{i in l} m_i^2`` for each hidden unit (``q`` is their mean).
    """

    count: int
    magnetizations: np.ndarray
    q: float
    q_units: np.ndarray


def committee_overlap(instance, k, activation, output_weights=None) -> CommitteeOverlap:
    """Magnetizations ``<W_i>`` and typical overlap ``q = (1/N) sum_i <W_i>^2`` of the
    solutions, computed exactly from per-weight sums over all solutions.

    Parameters
    ----------
    instance, k, activation, output_weights
        As in :func:`count_committee_solutions`.

    Returns
    -------
    CommitteeOverlap

    Raises
    ------
    ValueError
        If there is no solution (no uniform measure, ``<W_i>`` undefined).

    Notes
    -----
    Costs about ``(1 + n2 / P)`` times :func:`count_committee_solutions` (one AND and popcount
    per weight of the second half). The full distribution of the overlap between two
    solutions is not computed exactly; :func:`sample_committee_solutions` gives unbiased
    samples of it; :func:`committee_overlap_distribution` gives it exactly for instances
    with up to ~10^4 solutions.

    References
    ----------
    W. Krauth & M. Mézard, J. Phys. France 50, 3057 (1989) (overlaps from enumeration);
    E. Barkai, D. Hansel & H. Sompolinsky, Phys. Rev. A 45, 4146 (1992).
    """
    c = _machine(_check_instance(instance).n, k, activation, output_weights)
    kern = _kernel(instance, k, activation, output_weights)
    n1, n2 = kern.n1, kern.n2
    order, valid = kern.layout.order, kern.layout.order >= 0
    minus_b = np.stack([K.pack(((np.where(valid, order, 0) >> j) & 1).astype(bool) & valid)
                        for j in range(n2)]) if n2 else np.zeros((0, kern.layout.words), np.uint64)
    minus_count_b = np.zeros(n2, dtype=np.int64)
    per_a = np.empty(kern.n_a, dtype=np.int64)
    for first, bits in kern.blocks():
        per_a[first: first + len(bits)] = K.popcount(bits).sum(axis=1, dtype=np.int64)
        for j in range(n2):
            minus_count_b[j] += int(K.popcount(bits & minus_b[j]).sum(dtype=np.int64))
    total = int(per_a.sum())
    if total == 0:
        raise ValueError("the instance has no solution: the magnetizations are undefined")
    a = np.arange(kern.n_a, dtype=np.int64)
    minus_count_a = np.array([int(per_a[((a >> j) & 1) == 1].sum()) for j in range(n1)], dtype=np.int64)
    minus = np.concatenate([minus_count_a, minus_count_b])
    m = (total - 2 * minus) / total
    q_units = (m.reshape(len(c), -1) ** 2).mean(axis=1)
    return CommitteeOverlap(count=total, magnetizations=m, q=float(np.mean(m ** 2)), q_units=q_units)


def committee_overlap_distribution(instance, k, activation, output_weights=None, *,
                                   max_solutions: int = 20_000) -> np.ndarray:
    """Exact distribution of the overlap between two solutions drawn independently and
    uniformly (ordered pairs, the same solution twice included).

    Parameters
    ----------
    instance, k, activation, output_weights
        As in :func:`count_committee_solutions`.
    max_solutions : int, default 20_000
        Raise ValueError above this many solutions (the cost is ``count^2 N`` operations).

    Returns
    -------
    ndarray of int64, shape (N + 1,)
        ``pairs[d]`` = number of ordered pairs of solutions at Hamming distance ``d``, i.e.
        with overlap ``q = 1 - 2 d / N`` (all units have N/k weights, so this is also the
        per-unit overlap averaged over units); sums to ``count^2``, and its mean overlap is
        :attr:`CommitteeOverlap.q`.

    References
    ----------
    M. Mézard, G. Parisi & M. A. Virasoro, Spin Glass Theory and Beyond (World Scientific,
    1987) (overlap distribution P(q)); W. Krauth & M. Mézard, J. Phys. France 50, 3057 (1989).
    """
    max_solutions = integer("max_solutions", max_solutions, lower=0)
    sol = enumerate_committee_solutions(instance, k, activation, output_weights,
                                        max_solutions=max_solutions).astype(np.float64)
    n_total = instance.n
    pairs = np.zeros(n_total + 1, dtype=np.int64)
    step = max(1, (1 << 22) // max(1, len(sol)))
    for lo in range(0, len(sol), step):
        dot = np.rint(sol[lo: lo + step] @ sol.T).astype(np.int64)   # exact: |dot| <= N
        pairs += np.bincount(((n_total - dot) // 2).ravel(), minlength=n_total + 1)
    return pairs


def committee_distance_histogram(instance, reference, k, activation, output_weights=None) -> np.ndarray:
    """Number of solutions at each Hamming distance 0..N from a reference weight vector
    (finite-N Franz–Parisi / local-entropy checks).

    Parameters
    ----------
    instance, k, activation, output_weights
        As in :func:`count_committee_solutions`.
    reference : array_like, shape (N,)
        Any ±1 vector (it need not be a solution).

    Returns
    -------
    ndarray of int64, shape (N + 1,)
        ``hist[d] = #{solutions W : #{i : W_i != reference_i} = d}``; sums to the count.

    References
    ----------
    S. Franz & G. Parisi, J. Phys. I France 5, 1401 (1995); C. Baldassi, A. Ingrosso,
    C. Lucibello, L. Saglietti & R. Zecchina, Phys. Rev. Lett. 115, 128101 (2015).
    """
    inst = _check_instance(instance)
    ref = _check_weights(reference, inst.n, "reference")
    if ref.ndim != 1:
        raise ValueError(f"reference must be a ±1 vector of length N = {inst.n}, got shape {ref.shape}")
    return K.distance_histogram(_kernel(inst, k, activation, output_weights, reference=ref), ref)


def enumerate_committee_solutions(instance, k, activation, output_weights=None, *,
                                  max_solutions: int = MAX_SOLUTIONS) -> np.ndarray:
    """All solutions of a committee-machine instance, one per row (int8 ±1, shape (M, N)).

    Parameters
    ----------
    instance, k, activation, output_weights
        As in :func:`count_committee_solutions`.
    max_solutions : int, default 1_000_000
        Raise ValueError instead of returning more rows than this.

    Returns
    -------
    ndarray of int8, shape (M, N)
        Each solution exactly once, in a fixed order.

    References
    ----------
    W. Krauth & M. Mézard, J. Phys. France 50, 3057 (1989).
    """
    max_solutions = integer("max_solutions", max_solutions, lower=0)
    return K.solutions(_kernel(instance, k, activation, output_weights), max_solutions,
                       "count_committee_solutions / sample_committee_solutions")


def sample_committee_solutions(instance, size, k, activation, output_weights=None, *, rng=None) -> np.ndarray:
    """Independent exactly uniform samples from the solutions of a committee-machine instance.

    A uniform integer ``u < count`` is drawn and decoded: the A-half is located in the
    cumulative per-A counts, then the matching compatible B-half is selected in its bitset.

    Parameters
    ----------
    instance, k, activation, output_weights
        As in :func:`count_committee_solutions`.
    size : int
        Number of samples (>= 0).
    rng : anything :func:`numpy.random.default_rng` accepts
        Same seed, same samples.

    Returns
    -------
    ndarray of int8, shape (size, N)

    Raises
    ------
    ValueError
        If the instance has no solution (there is no uniform measure).

    References
    ----------
    W. Krauth & M. Mézard, J. Phys. France 50, 3057 (1989).
    """
    size = integer("size", size, lower=0)
    return K.sample(_kernel(instance, k, activation, output_weights), size, rng)


# --- Monte Carlo: annealed importance sampling ---------------------------------------------

@dataclass(frozen=True)
class CommitteeEntropyMC:
    """Annealed-importance-sampling estimate of the number of solutions.

    Attributes
    ----------
    entropy : float or None
        ``ln(Z_hat) / N`` with ``Z_hat`` the unbiased estimate of the count; None when no
        run ended on a solution (``success`` is then False): -inf is never returned.
    stderr : float or None
        Standard error of ``entropy`` (delta method on the mean of the weights,
        ``sd(w) / (sqrt(R) mean(w) N)``); unreliable when ``ess`` is small.
    log_count : float or None
        ``ln Z_hat``.
    ess : float
        Effective sample size ``(sum w)^2 / sum w^2`` of the final weights (0 if all vanish).
    solved_fraction : float
        Fraction of runs whose final configuration is a solution.
    n_runs, n_steps : int
        Number of independent annealing runs and of inverse temperatures.
    beta_max : float
        Last finite inverse temperature (then beta -> inf: the weight keeps only solutions).
    success : bool
        True when at least one run ended on a solution (``entropy`` is then a number).
    message : str
        What happened, in words (for people; the wording may change).
    nit : int
        Read-only: the number of annealing steps, ``n_steps`` (fixed in advance; every run
        does them all).
    reason : Reason
        Read-only: ``Reason.CONVERGED`` if ``success``, else ``Reason.BUDGET_EXHAUSTED`` (no
        run reached a solution within ``n_steps`` steps up to ``beta_max``).
    """

    entropy: float | None
    stderr: float | None
    log_count: float | None
    ess: float
    solved_fraction: float
    n_runs: int
    n_steps: int
    beta_max: float
    success: bool
    message: str

    @property
    def nit(self) -> int:
        """Annealing steps done (= ``n_steps``)."""
        return self.n_steps

    @property
    def reason(self) -> Reason:
        """``CONVERGED`` if a run ended on a solution, else ``BUDGET_EXHAUSTED``."""
        return Reason.CONVERGED if self.success else Reason.BUDGET_EXHAUSTED


def committee_entropy_mc(instance, k, activation, output_weights=None, *, n_runs: int = 200,
                         n_steps: int = 1000, beta_max: float = 8.0, sweeps: int = 1,
                         rng=None) -> CommitteeEntropyMC:
    """Entropy of the solutions of a committee machine by annealed importance sampling (AIS),
    usable beyond exact enumeration (any N).

    Energy ``E(W)`` = number of unsatisfied patterns (``sigma h <= 0``). Each run starts from
    a uniform W (beta = 0), raises beta linearly to ``beta_max`` in ``n_steps`` steps, doing
    ``sweeps`` Metropolis sweeps of single-weight flips at each beta (systematic scan, all runs
    vectorised), and accumulates the log-weight ``-sum_t (beta_t - beta_{t-1}) E(W_{t-1})``;
    the final step beta_max -> inf multiplies the weight by ``1{E(W) = 0}``. Then
    ``Z_hat = 2^N mean(w)`` is an unbiased estimate of the number of solutions whatever the
    mixing of the chains (Neal 2001): poor mixing shows up as a large variance of the
    weights (small ``ess``), not as a bias of ``Z_hat``. ``ln Z_hat`` is biased low by about
    ``stderr^2 N / 2`` (Jensen), negligible when ``ess`` is large. This is thermodynamic
    integration ``ln Z(beta) = N ln 2 - int <E> dbeta`` made exact at finite step.

    Parameters
    ----------
    instance : Instance
        Any N (``kappa = 0``).
    k, activation, output_weights
        As in :func:`count_committee_solutions`.
    n_runs : int, default 200
        Independent runs R (>= 2).
    n_steps : int, default 1000
        Number of inverse temperatures (>= 1).
    beta_max : float, default 8
        Last finite inverse temperature (> 0).
    sweeps : int, default 1
        Metropolis sweeps (N proposals each) per inverse temperature (>= 1).
    rng : anything :func:`numpy.random.default_rng` accepts

    Returns
    -------
    CommitteeEntropyMC

    References
    ----------
    R. M. Neal, Statistics and Computing 11, 125 (2001) (annealed importance sampling);
    C. Jarzynski, Phys. Rev. Lett. 78, 2690 (1997); E. Barkai, D. Hansel & H. Sompolinsky,
    Phys. Rev. A 45, 4146 (1992).
    """
    inst = _check_instance(instance, max_n=None)
    c = _machine(inst.n, k, activation, output_weights).astype(np.int32)
    n_runs = integer("n_runs", n_runs, lower=2)
    n_steps = integer("n_steps", n_steps, lower=1)
    sweeps = integer("sweeps", sweeps, lower=1)
    beta_max = real("beta_max", beta_max, lower=0.0, lower_open=True)
    gen = np.random.default_rng(rng)
    n_total, kk = inst.n, len(c)
    n = n_total // kk
    sig = inst.labels.astype(np.int32)
    xi = inst.patterns.astype(np.int32)                                  # (P, N)
    relu = activation == "relu"

    def g(f):
        return np.maximum(f, 0) if relu else np.sign(f)

    w = (1 - 2 * gen.integers(0, 2, size=(n_runs, n_total))).astype(np.int32)
    fields = np.einsum("rkn,pkn->rpk", w.reshape(n_runs, kk, n), xi.reshape(-1, kk, n))
    units = g(fields)                                                    # (R, P, K)
    sh = (units @ c) * sig                                               # sigma h, (R, P)
    energy = np.sum(sh <= 0, axis=1)
    logw = np.zeros(n_runs)
    betas = np.linspace(0.0, beta_max, n_steps + 1)
    for t in range(1, n_steps + 1):
        logw -= (betas[t] - betas[t - 1]) * energy
        beta = betas[t]
        for _ in range(sweeps):
            thresholds = gen.random((n_total, n_runs))
            for i in range(n_total):
                l = i // n
                f_new = fields[:, :, l] - 2 * w[:, i, None] * xi[None, :, i]
                u_new = g(f_new)
                sh_new = sh + (c[l] * sig) * (u_new - units[:, :, l])
                e_new = np.sum(sh_new <= 0, axis=1)
                de = e_new - energy
                acc = (de <= 0) | (thresholds[i] < np.exp(-beta * np.maximum(de, 0)))
                if not acc.any():
                    continue
                fields[acc, :, l] = f_new[acc]
                units[acc, :, l] = u_new[acc]
                sh[acc] = sh_new[acc]
                energy[acc] = e_new[acc]
                w[acc, i] *= -1
    solved = energy == 0
    base = dict(n_runs=n_runs, n_steps=n_steps, beta_max=beta_max,
                solved_fraction=float(solved.mean()))
    if not solved.any():
        return CommitteeEntropyMC(entropy=None, stderr=None, log_count=None, ess=0.0, success=False,
                                  message="no run ended on a solution: raise n_steps, n_runs or beta_max "
                                          "(or the instance has no solution)", **base)
    lw = np.where(solved, logw, -np.inf)
    top = lw.max()
    r = np.exp(lw - top)                                                 # weights / max, in [0, 1]
    mean = r.mean()
    log_count = n_total * math.log(2) + top + math.log(mean)
    stderr = float(r.std(ddof=1) / (math.sqrt(n_runs) * mean) / n_total)
    ess = float(r.sum() ** 2 / np.sum(r ** 2))
    return CommitteeEntropyMC(entropy=log_count / n_total, stderr=stderr, log_count=log_count, ess=ess,
                              success=True, message="ok", **base)
