"""Meet-in-the-middle kernels for tree committee machines (private; behind
:mod:`replica.sampler.committee`).

The N weights are split, as for the perceptron (:mod:`._enumeration_kernels`), into a first
part A (weights ``0 .. n1-1``) and a second part B (the last ``n2``). A hidden unit has a
contiguous receptive field of ``n = N/K`` weights, so A holds the units ``0 .. u-1``
entirely and the first ``a_u = n1 - u n`` weights of unit ``u`` (possibly none); B holds the
rest of unit ``u`` and the units ``u+1 .. K-1``. On pattern mu an A-configuration ``a``
enters the output field only through the pair

    v(a, mu) = sum_{l < u} c_l g(F_l(a, mu))     (complete A units, an integer)
    f(a, mu) = partial field of unit u on its A weights (an integer)

and the pattern is satisfied iff ``sigma^mu [v + c_u g(f + F_u^B(b, mu)) + r(b, mu)] > 0``
with ``r`` the contribution of the complete B units. Fields are the integer sums
``sum_i W_i xi_i`` and ``g`` is ``sign`` or ``relu`` of that integer (the common factor
``1/sqrt(n)`` does not change the sign of the output field). Both ``v`` and ``f`` take few
values, so for every pattern and every value of the pair ``(v, f)`` the set of compatible B
is precomputed as a bitset over B, exactly like the perceptron kernel with the pair in the
place of the A-field; the rest (AND over patterns, popcounts, blocks, selection of the k-th
compatible B) is the perceptron's :class:`~._enumeration_kernels.Compatible`, inherited.

References
----------
W. Krauth & M. Mézard, J. Phys. France 50, 3057 (1989) (exact enumeration);
E. Horowitz & S. Sahni, J. ACM 21, 277 (1974) (meet in the middle);
E. Barkai, D. Hansel & H. Sompolinsky, Phys. Rev. A 45, 4146 (1992) (tree committee machine).
"""

from __future__ import annotations

import numpy as np

from . import _enumeration_kernels as K


def unit_output(fields: np.ndarray, activation: str) -> np.ndarray:
    """``g`` of integer fields as int32: sign (values -1, 0, 1) or relu (max(F, 0))."""
    f = np.asarray(fields, dtype=np.int32)
    if activation == "sign":
        return np.sign(f)
    return np.maximum(f, 0)


def combine_units(patterns: np.ndarray, units: range, n: int, gains: np.ndarray,
                  activation: str) -> np.ndarray:
    """``sum_l c_l g(F_l)`` for every joint configuration of the given consecutive complete
    units, shape (2^(n len(units)), P), int32; the first unit is in the lowest bits."""
    p = patterns.shape[0]
    total = np.zeros((1, p), dtype=np.int32)
    for l in units:
        g = gains[l] * unit_output(K.half_fields(patterns[:, l * n:(l + 1) * n]), activation)
        total = (g[:, None, :] + total[None, :, :]).reshape(-1, p)
    return total


class CommitteeCompatible(K.Compatible):
    """Bitsets of the B-configurations compatible with given A-configurations, for a tree
    committee machine (same interface as :class:`~._enumeration_kernels.Compatible`).

    Parameters
    ----------
    patterns : ndarray (P, N) of ±1
    labels : ndarray (P,) of ±1
    k : int
        Number of hidden units (N divisible by k).
    gains : ndarray (k,) of ±1
        Output weights c_l.
    activation : {"sign", "relu"}
    layout : Layout
        Order of the B-configurations along the bits.
    n1 : int
        Number of A weights.
    """

    def __init__(self, patterns, labels, k, gains, activation, layout, n1):
        patterns = np.asarray(patterns, dtype=np.int8)
        labels = np.asarray(labels, dtype=np.int32)
        p, n_total = patterns.shape
        n = n_total // k
        n2 = n_total - n1
        self.n1, self.n2, self.layout = n1, n2, layout
        u, a_u = divmod(n1, n)
        gains = np.asarray(gains, dtype=np.int32)

        # A side: v over complete units (low bits), f over the partial unit (high bits)
        v = combine_units(patterns, range(u), n, gains, activation)              # (2^(u n), P)
        f = K.half_fields(patterns[:, u * n: u * n + a_u]).astype(np.int32)     # (2^a_u, P)
        v_vals, iv = np.unique(v, return_inverse=True)
        f_vals, jf = np.unique(f, return_inverse=True)
        iv, jf = iv.reshape(v.shape), jf.reshape(f.shape)
        nf = len(f_vals)
        index = (jf[:, None, :] + nf * iv[None, :, :]).reshape(-1, p)          # (2^n1, P)
        index = np.ascontiguousarray(index.T.astype(np.intp))

        # B side: rest of unit u (low bits) and complete units u+1.. (high bits)
        fb = K.half_fields(patterns[:, n1:(u + 1) * n]).astype(np.int32)        # (2^(n-a_u), P)
        rest = combine_units(patterns, range(u + 1, k), n, gains, activation)    # (2^(n2-n+a_u), P)
        valid = layout.order >= 0
        pos = np.where(valid, layout.order, 0)
        values = len(v_vals) * nf
        table = np.empty((p, values, layout.words), dtype=np.uint64)
        for mu in range(p):
            sig = labels[mu]
            r = sig * rest[:, mu]
            for i, vv in enumerate(v_vals):
                for j, ff in enumerate(f_vals):
                    t = sig * (vv + gains[u] * unit_output(ff + fb[:, mu], activation))
                    ok = (r[:, None] + t[None, :]).ravel() > 0                 # b = high * 2^(n-a_u) + low
                    table[mu, i * nf + j] = K.pack(ok[pos] & valid)
        self.table, self.index = K.pair_patterns(table, index)
        self.all_b = K.pack(valid)
        self.block = max(1, K.BLOCK_BYTES // (8 * layout.words))
