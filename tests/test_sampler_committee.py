"""Simulated tree committee machines (replica.sampler.committee) against brute force over
all 2^N weight vectors, the perceptron enumeration (K = 1) and an independent float
implementation of the output."""

import math

import numpy as np
import pytest
from scipy import stats

from replica.sampler import committee as C
from replica.sampler.enumerate import count_solutions, distance_histogram
from replica.sampler.instances import Instance, random_instance


# --- independent references --------------------------------------------------------------

def all_configs(n):
    bits = (np.arange(2 ** n)[:, None] >> np.arange(n)) & 1
    return (1 - 2 * bits).astype(np.int8)


def float_output(w, patterns, k, activation, c):
    """sign(sum_l c_l g(lambda_l)) with lambda_l = W_l . xi_l / sqrt(n) in floating point,
    one unit at a time (no shared code with the package)."""
    w = np.atleast_2d(w).astype(float)
    x = np.asarray(patterns, dtype=float)
    n = x.shape[1] // k
    h = np.zeros((w.shape[0], x.shape[0]))
    for l in range(k):
        lam = w[:, l * n:(l + 1) * n] @ x[:, l * n:(l + 1) * n].T / math.sqrt(n)
        g = np.sign(lam) if activation == "sign" else np.maximum(lam, 0.0)
        h += c[l] * g
    h[np.abs(h) < 1e-9] = 0.0
    return np.sign(h)


def brute_solutions(inst, k, activation, c):
    w = all_configs(inst.n)
    ok = np.all(float_output(w, inst.patterns, k, activation, c) * inst.labels > 0, axis=1)
    return w[ok]


def default_c(k, activation):
    return np.ones(k) if activation == "sign" else np.where(np.arange(k) % 2 == 0, 1.0, -1.0)


def as_set(rows):
    return {tuple(r) for r in np.asarray(rows).tolist()}


def pm1(n, seed):
    return np.where(np.random.default_rng(seed).random(n) < 0.5, 1, -1).astype(np.int8)


# (N, K, activation, output weights or None, alphas): sign K = 1 and 3, relu K = 2 and 4,
# plus relu with odd K / same-sign output weights and sign K = 5
CASES = [
    (9, 1, "sign", None, (0.3, 0.7)), (15, 1, "sign", None, (0.5,)),
    (9, 3, "sign", None, (0.3, 0.7)), (15, 3, "sign", None, (0.3, 0.6)), (15, 5, "sign", None, (0.4,)),
    (12, 2, "relu", None, (0.2, 0.5)), (14, 2, "relu", None, (0.25,)),
    (12, 4, "relu", None, (0.3, 0.6)), (12, 3, "relu", (1, -1, 1), (0.3,)), (12, 2, "relu", (1, 1), (0.3,)),
]


def _cases():
    return [pytest.param(n, k, act, c, alpha, id=f"N{n}-K{k}-{act}-a{alpha}-c{c}")
            for n, k, act, c, alphas in CASES for alpha in alphas]


@pytest.fixture(scope="module")
def solved():
    cache = {}

    def get(n, k, act, c, alpha, seed):
        key = (n, k, act, c, alpha, seed)
        if key not in cache:
            inst = random_instance(n, alpha, rng=[n, k, seed, int(100 * alpha)])
            cc = default_c(k, act) if c is None else np.asarray(c, float)
            cache[key] = inst, brute_solutions(inst, k, act, cc)
        return cache[key]
    return get


@pytest.mark.parametrize("n, k, act, c, alpha", _cases())
def test_enumeration_matches_brute_force(solved, n, k, act, c, alpha):
    found_any = False
    for seed in range(3):
        inst, sol = solved(n, k, act, c, alpha, seed)
        z = C.count_committee_solutions(inst, k, act, c)
        assert z == len(sol)
        for n2 in (1, n // 2, n - 1, n):  # any split of the weights gives the same count
            assert C._count(inst, k, act, c, n2=n2) == z
        ref = pm1(n, seed)
        hist = C.committee_distance_histogram(inst, ref, k, act, c)
        assert np.array_equal(hist, np.bincount(np.sum(sol != ref, axis=1), minlength=n + 1))
        if z == 0:
            with pytest.raises(ValueError, match="no solution"):
                C.committee_entropy_per_weight(inst, k, act, c)
            continue
        found_any = True
        assert C.committee_entropy_per_weight(inst, k, act, c) == pytest.approx(math.log(z) / n)
        rows = C.enumerate_committee_solutions(inst, k, act, c)
        assert len(rows) == z and as_set(rows) == as_set(sol)
        ov = C.committee_overlap(inst, k, act, c)
        m = sol.mean(axis=0)
        assert ov.count == z
        np.testing.assert_allclose(ov.magnetizations, m, atol=1e-12)
        assert ov.q == pytest.approx(np.mean(m ** 2))
        np.testing.assert_allclose(ov.q_units, (m.reshape(k, -1) ** 2).mean(axis=1))
        samples = C.sample_committee_solutions(inst, 64, k, act, c, rng=seed)
        assert samples.shape == (64, n) and samples.dtype == np.int8
        assert C.is_committee_solution(inst, samples, k, act, c).all()
        # q is the mean pair overlap of two independent uniform solutions
        if z > 1500:  # keep the O(z^2) brute-force pair checks fast
            continue
        pair = sol.astype(float) @ sol.T.astype(float) / n
        assert ov.q == pytest.approx(pair.mean())
        dist = C.committee_overlap_distribution(inst, k, act, c)
        brute_d = np.rint((1 - pair) * n / 2).astype(int)
        assert np.array_equal(dist, np.bincount(brute_d.ravel(), minlength=n + 1))
        assert np.sum(dist * (1 - 2 * np.arange(n + 1) / n)) / z ** 2 == pytest.approx(ov.q)
    # the low loads must exercise the nonzero branch (relu with all c_l = +1 answers only
    # +1 or 0: random labels are then unsatisfiable, the count 0 is the check)
    assert found_any or alpha >= 0.5 or (act == "relu" and c is not None and len(set(c)) == 1)


@pytest.mark.parametrize("n, alpha", [(9, 0.5), (15, 0.5), (21, 0.4), (23, 0.6)])
def test_k1_sign_committee_is_the_perceptron(n, alpha):
    for seed in range(4):
        inst = random_instance(n, alpha, rng=[1, n, seed])
        assert C.count_committee_solutions(inst, 1, "sign") == count_solutions(inst)
        ref = pm1(n, seed)
        assert np.array_equal(C.committee_distance_histogram(inst, ref, 1, "sign"), distance_histogram(inst, ref))
        w = all_configs(9) if n == 9 else np.stack([pm1(n, s) for s in range(50)])
        assert np.array_equal(C.is_committee_solution(inst, w, 1, "sign"), inst.is_solution(w))


@pytest.mark.parametrize("k, act, c", [(3, "sign", None), (5, "sign", (1, -1, 1, 1, -1)), (2, "relu", None),
                                       (4, "relu", None), (3, "relu", (1, 1, -1)), (1, "relu", (1,))])
def test_output_matches_float_formula(k, act, c):
    n = 5 * k
    rng = np.random.default_rng(k)
    w = (2 * rng.integers(0, 2, (300, n)) - 1).astype(np.int8)
    x = (2 * rng.integers(0, 2, (40, n)) - 1).astype(np.int8)
    cc = default_c(k, act) if c is None else np.asarray(c, float)
    out = C.committee_output(w, x, k, act, c)
    assert out.shape == (300, 40) and out.dtype == np.int8
    np.testing.assert_array_equal(out, float_output(w, x, k, act, cc))
    np.testing.assert_array_equal(C.committee_output(w[3], x, k, act, c), out[3])
    if act == "sign":
        assert np.all(out != 0)


def test_relu_output_zero_when_all_units_inactive():
    x = pm1(8, 0)[None, :]
    w = -x[0]  # every unit's field is -n < 0: h = 0
    assert C.committee_output(w, x, 2, "relu")[0] == 0
    for label in (-1, 1):
        inst = Instance(patterns=x, labels=[label])
        assert not C.is_committee_solution(inst, w, 2, "relu")


def test_sign_flip_of_unit_and_output_weight_is_invariant():
    k, n = 3, 5
    rng = np.random.default_rng(3)
    w = (2 * rng.integers(0, 2, (100, k * n)) - 1).astype(np.int8)
    x = (2 * rng.integers(0, 2, (30, k * n)) - 1).astype(np.int8)
    c = np.array([1, -1, 1])
    base = C.committee_output(w, x, k, "sign", c)
    for l in range(k):
        w2, c2 = w.copy(), c.copy()
        w2[:, l * n:(l + 1) * n] *= -1
        c2[l] *= -1
        np.testing.assert_array_equal(C.committee_output(w2, x, k, "sign", c2), base)
    # and on the counts: flipping c_l maps solutions to solutions with unit l flipped
    inst = random_instance(15, 0.4, rng=5)
    assert C.count_committee_solutions(inst, 3, "sign", (1, -1, 1)) == C.count_committee_solutions(inst, 3, "sign")


def _permute_units(a, perm, n):
    return np.concatenate([a[..., p * n:(p + 1) * n] for p in perm], axis=-1)


@pytest.mark.parametrize("c, perm", [((1, -1, 1, -1), (2, 1, 0, 3)), ((1, -1, 1, -1), (2, 3, 0, 1)),
                                     ((1, 1, -1, -1), (1, 0, 3, 2))])
def test_relu_unit_permutation_invariance(c, perm):
    k, n = 4, 3
    rng = np.random.default_rng(4)
    w = (2 * rng.integers(0, 2, (200, k * n)) - 1).astype(np.int8)
    x = (2 * rng.integers(0, 2, (30, k * n)) - 1).astype(np.int8)
    assert all(c[p] == c[i] for i, p in enumerate(perm))  # permutes units with equal c_l
    base = C.committee_output(w, x, k, "relu", c)
    np.testing.assert_array_equal(C.committee_output(_permute_units(w, perm, n), _permute_units(x, perm, n),
                                                     k, "relu", c), base)
    # the count of a permuted instance is the same (the split falls elsewhere in the units)
    inst = random_instance(12, 0.3, rng=6)
    perm_inst = Instance(patterns=_permute_units(inst.patterns, perm, n), labels=inst.labels)
    assert C.count_committee_solutions(perm_inst, k, "relu", c) == C.count_committee_solutions(inst, k, "relu", c)


def test_larger_instances_consistent():
    inst = random_instance(27, 0.5, rng=0)
    z = C.count_committee_solutions(inst, 3, "sign")
    assert z > 0
    hist = C.committee_distance_histogram(inst, pm1(27, 0), 3, "sign")
    assert int(hist.sum()) == z
    s = C.sample_committee_solutions(inst, 200, 3, "sign", rng=1)
    assert C.is_committee_solution(inst, s, 3, "sign").all()
    inst2 = random_instance(20, 0.3, rng=2)
    z2 = C.count_committee_solutions(inst2, 4, "relu")
    assert z2 == int(C.committee_distance_histogram(inst2, np.ones(20), 4, "relu").sum())


def test_sampling_is_reproducible_and_uniform():
    inst = random_instance(15, 0.5, rng=11)
    z = C.count_committee_solutions(inst, 3, "sign")
    assert 20 <= z <= 400, z
    a = C.sample_committee_solutions(inst, 3000, 3, "sign", rng=123)
    b = C.sample_committee_solutions(inst, 3000, 3, "sign", rng=np.random.default_rng(123))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, C.sample_committee_solutions(inst, 3000, 3, "sign", rng=124))
    sols = C.enumerate_committee_solutions(inst, 3, "sign")
    index = {tuple(r): i for i, r in enumerate(sols.tolist())}
    size = 200 * z
    draws = C.sample_committee_solutions(inst, size, 3, "sign", rng=7)
    counts = np.bincount([index[tuple(r)] for r in draws.tolist()], minlength=z)
    assert counts.sum() == size  # every draw is a solution
    p = stats.chisquare(counts).pvalue
    assert p > 1e-3, p


def test_sampling_without_solutions_raises():
    inst = random_instance(9, 2.0, rng=0)
    assert C.count_committee_solutions(inst, 3, "sign") == 0
    with pytest.raises(ValueError, match="no solution"):
        C.sample_committee_solutions(inst, 5, 3, "sign", rng=0)
    with pytest.raises(ValueError, match="no solution"):
        C.committee_overlap(inst, 3, "sign")
    assert C.sample_committee_solutions(random_instance(9, 0.2, rng=0), 0, 3, "sign").shape == (0, 9)


@pytest.mark.parametrize("call, match", [
    (lambda i: C.count_committee_solutions(i, 4, "sign"), "k must divide"),
    (lambda i: C.count_committee_solutions(i, 2, "sign"), "k must divide"),
    (lambda i: C.count_committee_solutions(i, 0, "sign"), "k must be an integer"),
    (lambda i: C.count_committee_solutions(i, 3.0, "sign"), "k must be an integer"),
    (lambda i: C.count_committee_solutions(i, 3, "tanh"), "activation must be one of"),
    (lambda i: C.count_committee_solutions(i, 3, "relu"), "output_weights must be given explicitly"),
    (lambda i: C.count_committee_solutions(i, 3, "relu", (1, -1)), "output_weights must be a ±1 vector"),
    (lambda i: C.count_committee_solutions(i, 3, "relu", (1, 0, 1)), "output_weights must be a ±1 vector"),
    (lambda i: C.count_committee_solutions(i, 3, "sign", ("a", "b", "c")), "output_weights must be"),
    (lambda i: C.count_committee_solutions("x", 3, "sign"), "instance must be"),
    (lambda i: C.sample_committee_solutions(i, -1, 3, "sign"), "size must be an integer >= 0"),
    (lambda i: C.committee_distance_histogram(i, np.ones(8), 3, "sign"), "reference must"),
    (lambda i: C.committee_distance_histogram(i, np.zeros(9), 3, "sign"), "reference must contain"),
    (lambda i: C.committee_output(np.ones(9), np.ones(9), 3, "sign"), "patterns must be a 2-d"),
    (lambda i: C.committee_output(np.ones(8), i.patterns, 3, "sign"), "weights must have shape"),
    (lambda i: C.committee_output(2 * np.ones(9), i.patterns, 3, "sign"), "weights must contain"),
    (lambda i: C.committee_entropy_mc(i, 3, "sign", n_runs=1), "n_runs must be an integer >= 2"),
    (lambda i: C.committee_entropy_mc(i, 3, "sign", beta_max=0), r"beta_max must be a finite number in \(0"),
    (lambda i: C.committee_entropy_mc(i, 3, "sign", n_steps=0), "n_steps must be an integer >= 1"),
    (lambda i: C.enumerate_committee_solutions(i, 3, "sign", max_solutions=-1), "max_solutions"),
    (lambda i: C.committee_overlap_distribution(i, 3, "sign", max_solutions=-1), "max_solutions"),
])
def test_validation_names_the_argument(call, match):
    inst = random_instance(9, 0.5, rng=0)
    with pytest.raises(ValueError, match=match):
        call(inst)


def test_validation_sign_parity_and_limits():
    with pytest.raises(ValueError, match="k must be odd"):
        C.count_committee_solutions(random_instance(12, 0.5, rng=0), 2, "sign")
    with pytest.raises(ValueError, match=r"N/k \(inputs per unit\) must be odd"):
        C.count_committee_solutions(random_instance(12, 0.5, rng=0), 3, "sign")
    with pytest.raises(ValueError, match="instance.kappa must be 0"):
        C.count_committee_solutions(random_instance(9, 0.5, rng=0, kappa=0.5), 3, "sign")
    with pytest.raises(ValueError, match=r"instance.n must be in \[1, 34\]"):
        C.count_committee_solutions(random_instance(35, 0.1, rng=0), 5, "sign")
    with pytest.raises(ValueError, match="max_solutions"):
        C.enumerate_committee_solutions(random_instance(9, 0.1, rng=0), 3, "sign", max_solutions=1)
    np.testing.assert_array_equal(C.default_output_weights(4, "relu"), [1, -1, 1, -1])
    np.testing.assert_array_equal(C.default_output_weights(3, "sign"), [1, 1, 1])


def test_entropy_mc_matches_enumeration_small():
    inst = random_instance(15, 0.4, rng=3)
    z = C.count_committee_solutions(inst, 3, "sign")
    r = C.committee_entropy_mc(inst, 3, "sign", n_runs=100, n_steps=150, rng=0)
    assert r.success and r.ess > 10 and 0 < r.stderr < 0.02
    assert abs(r.entropy - math.log(z) / 15) < 4 * r.stderr + 1e-3
    assert r.log_count == pytest.approx(r.entropy * 15)
    r2 = C.committee_entropy_mc(inst, 3, "sign", n_runs=100, n_steps=150, rng=0)
    assert r2 == r  # same seed, same estimate
    none = C.committee_entropy_mc(random_instance(9, 2.0, rng=0), 3, "sign", n_runs=10, n_steps=20, rng=0)
    assert not none.success and none.entropy is None and none.stderr is None and none.solved_fraction == 0


@pytest.mark.slow
def test_entropy_mc_matches_enumeration_n21_27():
    """AIS against exact counts on 24 instances (sign K = 3 at N = 21, 27; relu K = 2 at
    N = 20, 26; relu K = 4 at N = 20, 24): the standardised deviations are those of a
    (near) unit normal: |mean| < 1 and rms < 1.6 (fixed seeds)."""
    dev = []
    for n, k, act in [(21, 3, "sign"), (27, 3, "sign"), (20, 2, "relu"), (26, 2, "relu"),
                      (20, 4, "relu"), (24, 4, "relu")]:
        for s in range(4):
            inst = random_instance(n, 0.3, rng=[99, n, k, s])
            z = C.count_committee_solutions(inst, k, act)
            if z == 0:
                continue
            r = C.committee_entropy_mc(inst, k, act, n_runs=200, n_steps=500, rng=s)
            assert r.success
            dev.append((r.entropy - math.log(z) / n) / r.stderr)
    dev = np.array(dev)
    assert len(dev) >= 18
    assert abs(dev.mean()) < 1.0 and np.sqrt(np.mean(dev ** 2)) < 1.6, dev
