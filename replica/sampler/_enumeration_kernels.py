"""Vectorised meet-in-the-middle kernels behind :mod:`replica.sampler.enumerate` (private).

The weights are split in two halves, A (the first ``n1`` weights) and B (the last ``n2``).
A configuration of a half is an integer ``c`` whose bit ``j`` is 1 when weight ``j`` of that
half is -1 (``w_j = 1 - 2 bit_j``). The field of a full configuration on pattern mu is
``F_A[a, mu] + F_B[b, mu]``; all patterns are satisfied iff ``F_B[b, mu] >= t - F_A[a, mu]``
for every mu. ``F_A[a, mu]`` takes only ``n1 + 1`` values, so for each (mu, value of F_A) the
set of admissible B is precomputed once as a bitset over B; the B-configurations compatible
with one A-configuration are then the AND of ``P`` table rows -- ``P 2^n2 / 64`` word
operations per A-configuration, ``P 2^N / 64`` in all, done block-wise with ``np.take`` and
``np.bitwise_and`` on uint64 words. Patterns are merged two by two into tables indexed by both
values of F_A when memory allows, which halves the number of gathers.

Bits of the B-bitsets follow a *layout*: a list of B-configurations (``-1`` for padding bits,
which are never set), cut into segments that start on word boundaries, so that counts per
segment (e.g. per Hamming distance to a reference) are popcounts summed over whole words.

References
----------
W. Krauth & M. Mézard, J. Phys. France 50, 3057 (1989) (exact enumeration of small binary
perceptrons); E. Horowitz & S. Sahni, J. ACM 21, 277 (1974) (splitting the configuration
space in two halves, "meet in the middle").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

WORD = 64
#: target size in bytes of one block of compatible bitsets (a few L2-sized chunks)
BLOCK_BYTES = 1 << 21
#: memory allowed for the pattern-pair tables (else one table per pattern)
PAIR_BYTES = 1 << 28

_POPCOUNT8 = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)


def popcount(x: np.ndarray) -> np.ndarray:
    """Bit count of every element of an unsigned integer array, as uint8."""
    if hasattr(np, "bitwise_count"):  # numpy >= 2.0
        return np.bitwise_count(x)
    x = np.ascontiguousarray(x)
    bytes_ = _POPCOUNT8[x.view(np.uint8)].reshape(*x.shape, x.dtype.itemsize)
    return bytes_.sum(axis=-1, dtype=np.uint8)


def split_sizes(n: int, n2: int | None = None) -> tuple[int, int]:
    """(n1, n2) with n1 + n2 = n; B gets a couple of weights more than A so that one bitset
    spans many words (the total work P 2^N / 64 does not depend on the split, but the
    per-block overhead and the word padding do)."""
    if n2 is None:
        n2 = min(n, (n + 1) // 2 + 2)
    if not 0 <= n2 <= n:
        raise ValueError(f"n2 must be in [0, {n}], got {n2}")
    return n - n2, n2


def half_fields(signed: np.ndarray) -> np.ndarray:
    """Fields ``F[c, mu] = sum_j signed[mu, j] (1 - 2 bit_j(c))`` of all 2^n configurations
    of a half, shape (2^n, P), int16, by doubling: appending weight j maps F to [F + x_j; F - x_j]."""
    p, n = signed.shape
    f = np.zeros((1, p), dtype=np.int16)
    for j in range(n):
        col = signed[:, j].astype(np.int16)
        f = np.concatenate([f + col, f - col])
    return f


def config_bits(index: np.ndarray, n: int, out: np.ndarray | None = None) -> np.ndarray:
    """±1 weights (int8, shape (len(index), n)) of half-configurations given by their index;
    filled column by column so that no (len(index), n) int64 temporary is made."""
    index = np.asarray(index, dtype=np.int64)
    if out is None:
        out = np.empty((len(index), n), dtype=np.int8)
    for j in range(n):
        out[:, j] = 1 - 2 * ((index >> j) & 1)
    return out


def distances(n: int, ref_index: int) -> np.ndarray:
    """Hamming distance of each of the 2^n half-configurations to the one with index ``ref_index``."""
    return popcount(np.arange(1 << n, dtype=np.uint64) ^ np.uint64(ref_index)).astype(np.int64)


@dataclass(frozen=True)
class Layout:
    """Order of the B-configurations along the bits of a bitset.

    Attributes
    ----------
    order : ndarray of int64, shape (words * 64,)
        B-configuration at each bit position, -1 for padding.
    starts : ndarray of intp, shape (segments,)
        First word of each segment (strictly increasing, first is 0).
    """

    order: np.ndarray
    starts: np.ndarray

    @property
    def words(self) -> int:
        return self.order.size // WORD


def natural_layout(n2: int) -> Layout:
    """B-configurations in index order, one segment."""
    size = 1 << n2
    order = np.full(-(-size // WORD) * WORD, -1, dtype=np.int64)
    order[:size] = np.arange(size)
    return Layout(order=order, starts=np.zeros(1, dtype=np.intp))


def distance_layout(n2: int, ref_index: int) -> Layout:
    """B-configurations grouped by Hamming distance d = 0..n2 to ``ref_index``, each group
    padded to whole words, so segment d counts the B at distance d."""
    dist = distances(n2, ref_index)
    by_dist = np.argsort(dist, kind="stable")
    sizes = np.bincount(dist, minlength=n2 + 1)
    words = -(-sizes // WORD)
    starts = np.concatenate([[0], np.cumsum(words)[:-1]]).astype(np.intp)
    order = np.full(int(words.sum()) * WORD, -1, dtype=np.int64)
    first = 0
    for d in range(n2 + 1):
        order[starts[d] * WORD: starts[d] * WORD + sizes[d]] = by_dist[first: first + sizes[d]]
        first += sizes[d]
    return Layout(order=order, starts=starts)


def pack(bits: np.ndarray) -> np.ndarray:
    """Bool array (..., 64 k) -> uint64 words (..., k); bit i of the row is bit i % 64 of word i // 64."""
    packed = np.packbits(bits, axis=-1, bitorder="little")
    return np.ascontiguousarray(packed).view("<u8").astype(np.uint64, copy=False)


def bitset_table(f_b: np.ndarray, layout: Layout, n1: int, threshold: int) -> np.ndarray:
    """``table[mu, k]`` = bitset of the B with ``F_B[b, mu] >= threshold - (2k - n1)``, i.e. the
    B compatible on pattern mu with any A whose field there is ``2k - n1``; shape (P, n1+1, words)."""
    valid = layout.order >= 0
    f = f_b[np.where(valid, layout.order, 0)]                  # (bits, P) in layout order
    need = threshold - (2 * np.arange(n1 + 1) - n1)            # (n1+1,)
    table = np.empty((f_b.shape[1], n1 + 1, layout.words), dtype=np.uint64)
    for mu in range(f_b.shape[1]):
        table[mu] = pack((f[None, :, mu] >= need[:, None]) & valid)
    return table


def value_index(f_a: np.ndarray, n1: int) -> np.ndarray:
    """Row of ``table[mu]`` for each A and mu: k = (F_A + n1) / 2, transposed to (P, 2^n1), intp."""
    return np.ascontiguousarray(((f_a.astype(np.intp) + n1) // 2).T)


def pair_patterns(table: np.ndarray, index: np.ndarray, max_bytes: int | None = None):
    """Merge patterns two by two: ``pair[k1 (n1+1) + k2] = table[mu, k1] & table[nu, k2]``,
    which halves the gathers per A at the cost of n1 + 1 times the table memory.

    Returns a list of 2-d tables and the matching (groups, 2^n1) row indices."""
    p, values, words = table.shape
    max_bytes = PAIR_BYTES if max_bytes is None else max_bytes
    if p < 2 or values * values * words * 8 * (p // 2) > max_bytes:
        return list(table), index
    tables, rows = [], []
    for mu in range(0, p - 1, 2):
        tables.append((table[mu][:, None, :] & table[mu + 1][None, :, :]).reshape(-1, words))
        rows.append(index[mu] * values + index[mu + 1])
    if p % 2:
        tables.append(table[-1])
        rows.append(index[-1])
    return tables, np.stack(rows)


class Compatible:
    """Bitsets of the B compatible with given A-configurations (the meet-in-the-middle kernel)."""

    def __init__(self, signed: np.ndarray, threshold: int, layout: Layout, n1: int):
        n2 = signed.shape[1] - n1
        self.n1, self.n2, self.layout = n1, n2, layout
        index = value_index(half_fields(signed[:, :n1]), n1)
        table = bitset_table(half_fields(signed[:, n1:]), layout, n1, threshold)
        self.table, self.index = pair_patterns(table, index)
        self.all_b = pack(layout.order >= 0)  # no pattern (P = 0): every B is compatible
        self.block = max(1, BLOCK_BYTES // (8 * layout.words))

    @property
    def n_a(self) -> int:
        return 1 << self.n1

    def rows(self, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """(len(a), words) uint64: AND over mu of ``table[mu, k(a, mu)]``."""
        m = len(a)
        if out is None:
            out = np.empty((m, self.layout.words), dtype=np.uint64)
        out = out[:m]
        p = len(self.table)
        if p == 0:
            out[:] = self.all_b
            return out
        np.take(self.table[0], self.index[0, a], axis=0, out=out)
        tmp = np.empty_like(out)
        for mu in range(1, p):
            np.take(self.table[mu], self.index[mu, a], axis=0, out=tmp)
            np.bitwise_and(out, tmp, out=out)
        return out

    def blocks(self):
        """Yield (first A, bitsets of A = first .. first + m - 1), covering all 2^n1 A in order.
        The yielded array is reused: consume it before the next iteration."""
        buf = np.empty((min(self.block, self.n_a), self.layout.words), dtype=np.uint64)
        for first in range(0, self.n_a, self.block):
            a = np.arange(first, min(first + self.block, self.n_a))
            yield first, self.rows(a, out=buf)

    def segment_counts(self, bitsets: np.ndarray) -> np.ndarray:
        """(m, segments) int64: number of compatible B in each layout segment."""
        pc = popcount(bitsets)
        if len(self.layout.starts) == 1:
            return pc.sum(axis=1, dtype=np.int64)[:, None]
        return np.add.reduceat(pc, self.layout.starts, axis=1, dtype=np.int64)

    def counts_per_a(self) -> np.ndarray:
        """(2^n1,) int64: number of compatible B for every A."""
        out = np.empty(self.n_a, dtype=np.int64)
        for first, bits in self.blocks():
            out[first: first + len(bits)] = popcount(bits).sum(axis=1, dtype=np.int64)
        return out

    def set_bits(self, bitsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row, bit position) of every set bit, ordered by row then position."""
        rows, words = np.nonzero(bitsets)
        w = bitsets[rows, words]
        bits = ((w[:, None] >> np.arange(WORD, dtype=np.uint64)) & np.uint64(1)).astype(bool)
        k, j = np.nonzero(bits)
        return rows[k], words[k] * WORD + j

    def select(self, a: np.ndarray, rank: np.ndarray) -> np.ndarray:
        """For each (a[i], rank[i]) the bit position of the rank[i]-th (0-based) compatible B
        of a[i]; rank[i] must be below that count. Vectorised over i."""
        ua, inv = np.unique(a, return_inverse=True)
        inv = inv.ravel()
        bits = self.rows(ua)
        pc = popcount(bits).astype(np.int64)
        cum = np.cumsum(pc, axis=1)
        # rows are nondecreasing; offset row r by r*K (K > any count) to search all at once
        k = (1 << self.n2) + 1
        flat = (cum + (np.arange(len(ua), dtype=np.int64) * k)[:, None]).ravel()
        pos = np.searchsorted(flat, rank + inv * k, side="right")
        word = pos - inv * self.layout.words
        left = rank - (cum[inv, word] - pc[inv, word])             # rank inside the word
        w = bits[inv, word]
        wbits = ((w[:, None] >> np.arange(WORD, dtype=np.uint64)) & np.uint64(1)).astype(np.int64)
        bit = np.argmax(np.cumsum(wbits, axis=1) > left[:, None], axis=1)
        return word * WORD + bit


# --- operations on a compatibility kernel (perceptron and tree committee alike) ----------

def index(weights: np.ndarray) -> int:
    """Index of a half-configuration: bit j set when weight j is -1."""
    return int(np.sum((np.asarray(weights) < 0).astype(np.int64) << np.arange(len(weights), dtype=np.int64)))


def count(kern: Compatible) -> int:
    """Number of compatible (A, B) pairs: the number of solutions."""
    return int(sum(int(popcount(bits).sum(dtype=np.int64)) for _, bits in kern.blocks()))


def distance_histogram(kern: Compatible, reference: np.ndarray) -> np.ndarray:
    """Solutions at each Hamming distance 0..N from ``reference`` (``kern`` built with the
    distance layout around its B-half)."""
    n1, n2 = kern.n1, kern.n2
    d_a = distances(n1, index(reference[:n1]))
    # joint[d_A, d_B] summed over blocks of A, convolved into d = d_A + d_B at the end
    joint = np.zeros((n1 + 1, n2 + 1), dtype=np.int64)
    for first, bits in kern.blocks():
        np.add.at(joint, d_a[first: first + len(bits)], kern.segment_counts(bits))
    hist = np.zeros(n1 + n2 + 1, dtype=np.int64)
    for i in range(n1 + 1):
        hist[i: i + n2 + 1] += joint[i]
    return hist


def solutions(kern: Compatible, max_solutions: int, alternatives: str) -> np.ndarray:
    """All solutions as ±1 int8 rows; ValueError (naming ``alternatives``) above ``max_solutions``."""
    a_parts, b_parts, found = [], [], 0
    for first, bits in kern.blocks():
        found += int(popcount(bits).sum(dtype=np.int64))
        if found > max_solutions:
            raise ValueError(f"the instance has more than max_solutions={max_solutions} solutions; "
                             f"raise max_solutions, or use {alternatives}")
        rows, pos = kern.set_bits(bits)
        a_parts.append(first + rows)
        b_parts.append(kern.layout.order[pos])
    a = np.concatenate(a_parts) if a_parts else np.zeros(0, dtype=np.int64)
    b = np.concatenate(b_parts) if b_parts else np.zeros(0, dtype=np.int64)
    return weights(a, b, kern)


def sample(kern: Compatible, size: int, rng) -> np.ndarray:
    """``size`` exactly uniform solutions: a uniform integer below the count, decoded."""
    counts = kern.counts_per_a()
    cum = np.cumsum(counts)
    total = int(cum[-1])
    if total == 0:
        raise ValueError("the instance has no solution, there is nothing to sample")
    gen = np.random.default_rng(rng)
    u = gen.integers(0, total, size=size, dtype=np.int64)
    a = np.searchsorted(cum, u, side="right")
    rank = u - (cum[a] - counts[a])
    b = np.empty(size, dtype=np.int64)
    # sorted by A so each chunk holds few distinct A (one bitset row per distinct A)
    order = np.argsort(a, kind="stable")
    for lo in range(0, size, kern.block):
        sel = order[lo: lo + kern.block]
        b[sel] = kern.layout.order[kern.select(a[sel], rank[sel])]
    return weights(a, b, kern)


def weights(a: np.ndarray, b: np.ndarray, kern: Compatible) -> np.ndarray:
    """±1 int8 rows from A and B half-configuration indices."""
    out = np.empty((len(a), kern.n1 + kern.n2), dtype=np.int8)
    config_bits(a, kern.n1, out=out[:, :kern.n1])
    config_bits(b, kern.n2, out=out[:, kern.n1:])
    return out


def entropy(n_solutions: int, n: int) -> float:
    """``ln(count)/N``; ValueError for no solution (-inf is never returned)."""
    if n_solutions == 0:
        raise ValueError("the instance has no solution: ln(0)/N = -inf is not returned")
    return math.log(n_solutions) / n
