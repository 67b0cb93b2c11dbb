"""Exact enumeration of the solutions of small binary perceptrons (N up to 34).

A weight vector W in {-1, +1}^N solves an :class:`~replica.sampler.instances.Instance` when
every signed field ``sigma^mu (xi^mu . W)`` reaches ``instance.threshold()`` (the storage
problem of Gardner 1988 at margin kappa). The 2^N configurations are never looped over in
Python: the weights are split in two halves A and B, and for every A the set of compatible B
is the AND of one precomputed bitset over B per pattern (meet in the middle), so counting
costs about P 2^N / 64 uint64 operations in vectorised numpy
(:mod:`replica.sampler._enumeration_kernels`).

References
----------
E. Gardner, J. Phys. A 21, 257 (1988); W. Krauth & M. Mézard, J. Phys. France 50, 3057 (1989).

Examples
--------
>>> from replica.sampler.instances import random_instance
>>> inst = random_instance(15, 0.5, rng=0)
>>> n = count_solutions(inst)
>>> int(distance_histogram(inst, np.ones(15)).sum()) == n
True
"""

from __future__ import annotations


import numpy as np

from . import _enumeration_kernels as K
from .._validate import integer
from .instances import Instance

__all__ = ["MAX_N", "count_solutions", "distance_histogram", "enumerate_solutions",
           "sample_solutions", "entropy_per_weight"]

#: largest N handled (~P 2^N / 64 word operations: a few seconds at N = 34, x4 per 2 more weights)
MAX_N = 34
#: default cap on the number of solutions :func:`enumerate_solutions` returns
MAX_SOLUTIONS = 1_000_000


# --- input checks ------------------------------------------------------------------------

def _check_instance(instance) -> tuple[np.ndarray, int]:
    """(signed patterns, threshold clipped to N + 1) of a checked instance."""
    if not isinstance(instance, Instance):
        raise TypeError(f"instance must be a replica.sampler.Instance, got {type(instance).__name__}")
    n = instance.n
    if n > MAX_N:
        raise ValueError(f"instance.n must be in [1, {MAX_N}] for exact enumeration, got {n}")
    # any threshold above N is unreachable; clipping keeps the integer arithmetic small
    return instance.signed_patterns(), min(int(instance.threshold()), n + 1)


def _check_reference(reference, n: int) -> np.ndarray:
    ref = np.asarray(reference)
    if ref.shape != (n,):
        raise ValueError(f"reference must be a ±1 vector of length N = {n}, got shape {ref.shape}")
    real = np.issubdtype(ref.dtype, np.integer) or np.issubdtype(ref.dtype, np.floating)
    if not real or not np.all(np.abs(ref) == 1):
        raise ValueError("reference must contain only -1 and +1")
    return ref


def _kernel(instance, layout: str = "natural", reference=None, n2: int | None = None) -> K.Compatible:
    signed, t = _check_instance(instance)
    n1, n2 = K.split_sizes(instance.n, n2)
    if layout == "natural":
        lay = K.natural_layout(n2)
    else:
        lay = K.distance_layout(n2, K.index(reference[n1:]))
    return K.Compatible(signed, t, lay, n1)


# --- public API --------------------------------------------------------------------------

def count_solutions(instance) -> int:
    """Exact number of solutions W in {-1, +1}^N of a binary-perceptron instance.

    Parameters
    ----------
    instance : Instance
        With N <= 34 (:data:`MAX_N`).

    Returns
    -------
    int
        ``#{W : sigma^mu (xi^mu . W) >= instance.threshold() for all mu}``.

    References
    ----------
    E. Gardner, J. Phys. A 21, 257 (1988); W. Krauth & M. Mézard, J. Phys. France 50, 3057 (1989).
    """
    return _count(instance)


def _count(instance, n2: int | None = None) -> int:
    return K.count(_kernel(instance, n2=n2))


def distance_histogram(instance, reference) -> np.ndarray:
    """Number of solutions at each Hamming distance 0..N from a reference configuration.

    Parameters
    ----------
    instance : Instance
        With N <= 34.
    reference : array_like, shape (N,)
        Any ±1 vector (it need not solve the instance).

    Returns
    -------
    ndarray of int64, shape (N + 1,)
        ``hist[d] = #{solutions W : #{i : W_i != reference_i} = d}``; sums to
        :func:`count_solutions`.

    References
    ----------
    W. Krauth & M. Mézard, J. Phys. France 50, 3057 (1989).
    """
    return _histogram(instance, reference)


def _histogram(instance, reference, n2: int | None = None) -> np.ndarray:
    _check_instance(instance)
    ref = _check_reference(reference, instance.n)
    return K.distance_histogram(_kernel(instance, "distance", ref, n2=n2), ref)


def enumerate_solutions(instance, *, max_solutions: int = MAX_SOLUTIONS) -> np.ndarray:
    """All solutions of an instance.

    Parameters
    ----------
    instance : Instance
        With N <= 34.
    max_solutions : int, default 1_000_000
        Raise instead of returning more rows than this (an (M, N) int8 array needs M N bytes).

    Returns
    -------
    ndarray of int8, shape (M, N)
        One solution per row, each exactly once, in a fixed order (by the first half of
        the weights, then the second, each read as a binary number with bit i = [W_i = -1]).

    Raises
    ------
    ValueError
        If there are more than ``max_solutions`` solutions.

    References
    ----------
    W. Krauth & M. Mézard, J. Phys. France 50, 3057 (1989).
    """
    return _enumerate(instance, max_solutions)


def _enumerate(instance, max_solutions: int, n2: int | None = None) -> np.ndarray:
    max_solutions = integer("max_solutions", max_solutions, lower=0)
    return K.solutions(_kernel(instance, n2=n2), max_solutions, "count_solutions / sample_solutions")


def sample_solutions(instance, size: int, *, rng=None) -> np.ndarray:
    """Independent uniform samples from the set of solutions of an instance.

    Exact sampling: the number c(A) of compatible B is computed for every A-half, A is drawn
    with probability c(A) / total and then one of its compatible B uniformly, all with integer
    arithmetic (a uniform integer u < total is located in the cumulative counts).

    Parameters
    ----------
    instance : Instance
        With N <= 34.
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
        If the instance has no solution (even for ``size = 0``: there is no uniform measure).

    References
    ----------
    W. Krauth & M. Mézard, J. Phys. France 50, 3057 (1989).
    """
    return _sample(instance, size, rng)


def _sample(instance, size: int, rng, n2: int | None = None) -> np.ndarray:
    size = integer("size", size, lower=0)
    return K.sample(_kernel(instance, n2=n2), size, rng)


def entropy_per_weight(instance) -> float:
    """Finite-size entropy ln(#solutions) / N, to compare with the replica entropy.

    Parameters
    ----------
    instance : Instance
        With N <= 34.

    Returns
    -------
    float
        ``log(count_solutions(instance)) / N`` (0 for a single solution).

    Raises
    ------
    ValueError
        If the instance has no solution: the entropy would be -inf, which is never returned.

    References
    ----------
    E. Gardner, J. Phys. A 21, 257 (1988).
    """
    return K.entropy(count_solutions(instance), instance.n)

