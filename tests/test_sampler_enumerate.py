"""Exact enumeration of binary perceptrons (replica.sampler.enumerate) against brute force."""

import math

import numpy as np
import pytest
from scipy import stats

from replica.sampler import _enumeration_kernels as K
from replica.sampler import enumerate as E
from replica.sampler.instances import Instance, random_instance


# --- brute force, independent of the package (all 2^N rows, float margin) -----------------

def all_configs(n):
    bits = (np.arange(2 ** n)[:, None] >> np.arange(n)) & 1
    return (1 - 2 * bits).astype(np.int8)


def brute_solutions(inst):
    w = all_configs(inst.n)
    fields = w.astype(np.int64) @ (inst.patterns * inst.labels[:, None]).T.astype(np.int64)
    ok = np.all(fields > inst.kappa * math.sqrt(inst.n), axis=1)  # strict, as in the theory
    return w[ok]


def brute_histogram(inst, ref):
    sol = brute_solutions(inst)
    return np.bincount(np.sum(sol != ref, axis=1), minlength=inst.n + 1)


def as_set(rows):
    return {tuple(r) for r in np.asarray(rows).tolist()}


def random_pm1(n, seed):
    return np.where(np.random.default_rng(seed).random(n) < 0.5, 1, -1).astype(np.int8)


def flipped_labels(inst):
    return Instance(patterns=inst.patterns, labels=-inst.labels, kind=inst.kind, kappa=inst.kappa)


CASES = [  # (n, alpha, kind, kappa): odd and even N, both kinds, zero and positive margins
    (1, 1.0, "storage", 0.0), (2, 1.0, "storage", 0.0), (5, 0.6, "teacher", 0.0),
    (7, 0.5, "storage", 0.3), (8, 0.5, "storage", 0.0), (9, 1.0, "teacher", 0.2),
    (10, 0.4, "storage", 0.5), (11, 0.7, "storage", 0.0), (12, 0.5, "storage", 0.25),
    (13, 0.6, "teacher", 0.0), (14, 0.3, "storage", 0.0), (14, 0.5, "storage", 0.4),
]


@pytest.fixture(params=CASES, ids=lambda c: "n{}-a{}-{}-k{}".format(*c))
def case(request):
    n, alpha, kind, kappa = request.param
    inst = random_instance(n, alpha, rng=100 + n, kind=kind, kappa=kappa)
    return inst, random_pm1(n, n)


def test_count_and_histogram_match_brute_force(case):
    inst, ref = case
    sol = brute_solutions(inst)
    assert E.count_solutions(inst) == len(sol)
    hist = E.distance_histogram(inst, ref)
    assert hist.dtype == np.int64 and hist.shape == (inst.n + 1,)
    np.testing.assert_array_equal(hist, brute_histogram(inst, ref))
    assert hist.sum() == len(sol)


def test_enumerate_matches_brute_force_as_a_set(case):
    inst, _ = case
    sol = E.enumerate_solutions(inst)
    assert sol.dtype == np.int8 and sol.shape[1] == inst.n
    assert len(as_set(sol)) == len(sol)  # no duplicates
    assert as_set(sol) == as_set(brute_solutions(inst))


def test_instances_have_solutions_and_non_solutions():
    # guard against vacuous comparisons: the cases above are neither all-empty nor all-full
    counts = [len(brute_solutions(random_instance(n, a, rng=100 + n, kind=k, kappa=kp)))
              for n, a, k, kp in CASES]
    assert sum(0 < c < 2 ** n for c, (n, *_) in zip(counts, CASES)) >= len(CASES) - 3


@pytest.mark.parametrize("n", [1, 6, 9, 12])
def test_every_split_agrees(n):
    """All splits n2 = 0..N (A or B empty, words padded or not) give the same answers."""
    inst = random_instance(n, 0.4, rng=n, kappa=0.1)
    ref = random_pm1(n, 7)
    sol = brute_solutions(inst)
    hist = brute_histogram(inst, ref)
    for n2 in range(n + 1):
        assert E._count(inst, n2) == len(sol)
        np.testing.assert_array_equal(E._histogram(inst, ref, n2), hist)
        assert as_set(E._enumerate(inst, 10 ** 6, n2)) == as_set(sol)
        assert inst.is_solution(E._sample(inst, 20, 0, n2)).all()


@pytest.mark.parametrize("pair_bytes", [0, K.PAIR_BYTES])
@pytest.mark.parametrize("alpha", [0.3, 0.4])  # P = 4 and 5: even and odd number of tables
def test_many_small_blocks(monkeypatch, pair_bytes, alpha):
    """Blocks of A of a single row (the block loop and sample chunks are exercised), with and
    without merging the patterns in pairs."""
    monkeypatch.setattr(K, "BLOCK_BYTES", 8)
    monkeypatch.setattr(K, "PAIR_BYTES", pair_bytes)
    inst = random_instance(13, alpha, rng=3)
    ref = random_pm1(13, 3)
    sol = brute_solutions(inst)
    assert E.count_solutions(inst) == len(sol)
    np.testing.assert_array_equal(E.distance_histogram(inst, ref), brute_histogram(inst, ref))
    assert as_set(E.enumerate_solutions(inst)) == as_set(sol)
    assert inst.is_solution(E.sample_solutions(inst, 300, rng=1)).all()


def test_zero_field_is_an_error_for_even_n():
    # N = 2, one pattern (1, 1) with label +1: W = (1, -1) and (-1, 1) have field 0 -> errors
    inst = Instance(patterns=[[1, 1]], labels=[1])
    assert E.count_solutions(inst) == 1
    np.testing.assert_array_equal(E.enumerate_solutions(inst), [[1, 1]])
    inst4 = Instance(patterns=[[1, 1, 1, -1]], labels=[1])  # fields 4, 2 (x4), 0 (x6), ...
    assert E.count_solutions(inst4) == 1 + 4


def test_margin_tightens_the_constraint():
    # N = 9, kappa sqrt(N) = 3 kappa: fields must exceed it (field has the parity of N)
    pat = np.ones((1, 9), dtype=np.int8)
    for kappa, expected in [(0.0, sum(math.comb(9, k) for k in range(5))),       # field >= 1
                            (0.34, sum(math.comb(9, k) for k in range(4))),      # field >= 3 > 1.02
                            (2.9, 1), (3.0, 0), (1e300, 0)]:
        inst = Instance(patterns=pat, labels=[1], kappa=kappa)
        assert E.count_solutions(inst) == expected


def test_histogram_around_a_solution_and_a_non_solution(case):
    inst, ref = case
    sol = brute_solutions(inst)
    if len(sol):
        assert E.distance_histogram(inst, sol[0])[0] == 1
    if len(sol) < 2 ** inst.n:
        non = all_configs(inst.n)[~inst.is_solution(all_configs(inst.n))][0]
        assert E.distance_histogram(inst, non)[0] == 0


def test_teacher_is_at_distance_zero():
    for n in (5, 11, 15):
        inst = random_instance(n, 1.5, rng=n, kind="teacher")
        hist = E.distance_histogram(inst, inst.teacher)
        assert hist[0] == 1 and hist.sum() >= 1


@pytest.mark.parametrize("n", [1, 4, 9, 16])
def test_alpha_zero_counts_everything(n):
    inst = random_instance(n, 0.0, rng=0)
    assert inst.p == 0
    assert E.count_solutions(inst) == 2 ** n
    binom = [math.comb(n, k) for k in range(n + 1)]
    np.testing.assert_array_equal(E.distance_histogram(inst, random_pm1(n, 1)), binom)
    assert E.entropy_per_weight(inst) == pytest.approx(math.log(2))


def test_reversed_histogram_around_minus_reference(case):
    # d(W, -r) = N - d(W, r) for every W: holds for any instance, margin and parity
    inst, ref = case
    np.testing.assert_array_equal(E.distance_histogram(inst, -ref), E.distance_histogram(inst, ref)[::-1])


def test_label_flip_symmetry(case):
    # sigma (xi . W) = (-sigma) (xi . (-W)): W solves (xi, sigma) iff -W solves (xi, -sigma)
    inst, ref = case
    flip = flipped_labels(inst)
    assert E.count_solutions(flip) == E.count_solutions(inst)
    np.testing.assert_array_equal(E.distance_histogram(flip, ref), E.distance_histogram(inst, -ref))
    assert as_set(E.enumerate_solutions(flip)) == as_set(-E.enumerate_solutions(inst))


def test_gauge_and_permutation_invariance():
    # W_i -> -W_i with xi_i -> -xi_i and r_i -> -r_i, and any relabelling of the weights,
    # map solutions to solutions at the same distance (mixes the two halves of the split)
    inst = random_instance(13, 0.6, rng=5, kappa=0.1)
    ref = random_pm1(13, 5)
    gen = np.random.default_rng(5)
    perm, signs = gen.permutation(13), random_pm1(13, 6)
    other = Instance(patterns=(inst.patterns * signs)[:, perm], labels=inst.labels, kappa=inst.kappa)
    np.testing.assert_array_equal(E.distance_histogram(other, (ref * signs)[perm]),
                                  E.distance_histogram(inst, ref))
    # pattern mu -> -pattern mu with sigma mu -> -sigma mu leaves every constraint unchanged
    both = Instance(patterns=-inst.patterns, labels=-inst.labels, kappa=inst.kappa)
    assert E.count_solutions(both) == E.count_solutions(inst)


def test_moderate_n_against_vectorised_brute_force():
    inst = random_instance(18, 0.5, rng=18)
    ref = random_pm1(18, 18)
    np.testing.assert_array_equal(E.distance_histogram(inst, ref), brute_histogram(inst, ref))


def test_entropy_per_weight():
    inst = random_instance(12, 0.5, rng=2)
    assert E.entropy_per_weight(inst) == pytest.approx(math.log(E.count_solutions(inst)) / 12)
    single = Instance(patterns=[[1, 1, 1]], labels=[1], kappa=1.0)  # only W = (1, 1, 1): 3 > sqrt 3
    assert E.entropy_per_weight(single) == 0.0
    none = Instance(patterns=[[1, 1, -1], [-1, -1, 1]], labels=[1, 1])  # contradictory
    assert E.count_solutions(none) == 0
    with pytest.raises(ValueError, match="no solution"):
        E.entropy_per_weight(none)


# --- sampling ------------------------------------------------------------------------------

def test_samples_are_solutions_and_reproducible():
    inst = random_instance(17, 0.5, rng=4, kappa=0.1)
    s1 = E.sample_solutions(inst, 500, rng=123)
    assert s1.dtype == np.int8 and s1.shape == (500, 17)
    assert inst.is_solution(s1).all()
    np.testing.assert_array_equal(s1, E.sample_solutions(inst, 500, rng=123))
    assert not np.array_equal(s1, E.sample_solutions(inst, 500, rng=124))
    gen = np.random.default_rng(9)
    assert not np.array_equal(E.sample_solutions(inst, 50, rng=gen), E.sample_solutions(inst, 50, rng=gen))
    assert E.sample_solutions(inst, 0, rng=1).shape == (0, 17)


def test_samples_are_uniform():
    inst = random_instance(11, 0.4, rng=11)
    sol = E.enumerate_solutions(inst)
    m = len(sol)
    assert 10 <= m <= 300  # a meaningful test: several solutions, spread over both halves
    draws = 300 * m
    s = E.sample_solutions(inst, draws, rng=2024)
    index = {tuple(r): i for i, r in enumerate(sol.tolist())}
    freq = np.bincount([index[tuple(r)] for r in s.tolist()], minlength=m)
    # fixed seed, so this is deterministic; a uniform sampler fails it with probability 1e-3
    assert stats.chisquare(freq).pvalue > 1e-3
    # the test has power: a plausible bug (A-half uniform among those with a solution,
    # then B uniform) is rejected with the same number of draws
    n1 = K.split_sizes(11)[0]
    halves = {}
    for i, r in enumerate(sol.tolist()):
        halves.setdefault(tuple(r[:n1]), []).append(i)
    groups = list(halves.values())
    assert len({len(g) for g in groups}) > 1
    gen = np.random.default_rng(2024)
    biased = [groups[g][gen.integers(len(groups[g]))] for g in gen.integers(len(groups), size=draws)]
    assert stats.chisquare(np.bincount(biased, minlength=m)).pvalue < 1e-3


def test_sampling_without_solution_raises():
    none = Instance(patterns=[[1, 1, -1], [-1, -1, 1]], labels=[1, 1])
    with pytest.raises(ValueError, match="no solution"):
        E.sample_solutions(none, 3, rng=0)


# --- errors ----------------------------------------------------------------------------------

def test_bad_inputs():
    inst = random_instance(9, 0.5, rng=0)
    big = random_instance(E.MAX_N + 1, 0.1, rng=0)
    for fn in (E.count_solutions, E.enumerate_solutions, E.entropy_per_weight):
        with pytest.raises(ValueError, match=r"instance\.n must be in \[1, 34\]"):
            fn(big)
    with pytest.raises(ValueError, match="instance.n"):
        E.distance_histogram(big, np.ones(big.n))
    with pytest.raises(ValueError, match="instance.n"):
        E.sample_solutions(big, 1)
    with pytest.raises(TypeError, match="Instance"):
        E.count_solutions(np.ones((3, 3)))
    for ref in (np.ones(8), np.ones((1, 9)), np.zeros(9), np.full(9, 2), np.ones(9, dtype=bool)):
        with pytest.raises(ValueError, match="reference"):
            E.distance_histogram(inst, ref)
    for size in (-1, 2.5, True, "3"):
        with pytest.raises(ValueError, match="size must be an integer >= 0"):
            E.sample_solutions(inst, size)
    with pytest.raises(ValueError, match="max_solutions must be an integer >= 0"):
        E.enumerate_solutions(inst, max_solutions=-1)
    free = random_instance(9, 0.0)
    with pytest.raises(ValueError, match="more than max_solutions=100"):
        E.enumerate_solutions(free, max_solutions=100)
    assert len(E.enumerate_solutions(free, max_solutions=512)) == 512


def test_no_nan_or_inf_results():
    for n in (4, 10):
        inst = random_instance(n, 3.0, rng=n, kappa=0.5)
        h = E.distance_histogram(inst, np.ones(n))
        assert np.isfinite(h).all() and h.sum() == E.count_solutions(inst)


# --- heavier checks -------------------------------------------------------------------------

@pytest.mark.slow
def test_n22_against_chunked_brute_force():
    inst = random_instance(22, 0.5, rng=22, kappa=0.05)
    signed = inst.signed_patterns().T.astype(np.float32)
    ref = random_pm1(22, 22)
    hist = np.zeros(23, dtype=np.int64)
    for lo in range(0, 2 ** 22, 2 ** 18):
        idx = np.arange(lo, lo + 2 ** 18)
        w = (1 - 2 * ((idx[:, None] >> np.arange(22)) & 1)).astype(np.float32)
        ok = np.all(w @ signed > inst.kappa * math.sqrt(22), axis=1)
        hist += np.bincount(np.sum(w[ok] != ref, axis=1), minlength=23)
    np.testing.assert_array_equal(E.distance_histogram(inst, ref), hist)


@pytest.mark.slow
def test_n30_samples_and_enumeration_agree():
    inst = random_instance(30, 0.5, rng=30)
    sol = E.enumerate_solutions(inst)
    assert len(sol) == E.count_solutions(inst) > 0
    assert inst.is_solution(sol).all()
    s = E.sample_solutions(inst, 2000, rng=0)
    assert as_set(s) <= as_set(sol)
