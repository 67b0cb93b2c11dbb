"""Belief propagation for the binary perceptron (replica.sampler.bp), each result checked
against something computed independently: closed forms at alpha = 0, the exact
Poisson-binomial count for one pattern, exhaustive enumeration at N = 20, the RS theory
of the package at N = 1001, and the Legendre identity d phi / d gamma = overlap."""

import math

import numpy as np
import pytest
from scipy.special import logsumexp

import replica
from replica.errors import ConvergenceError, ConvergenceWarning
from replica.sampler.bp import BPResult, bethe_entropy, kappa_effective, local_entropy_bp, run_bp
from replica.sampler.instances import Instance, random_instance

LN2 = math.log(2.0)


def binary_entropy(d):
    d = np.asarray(d, dtype=float)
    return -d * np.log(d) - (1 - d) * np.log1p(-d)


# --- alpha = 0: closed forms ------------------------------------------------------------------


def test_no_patterns_entropy_is_ln2():
    res = run_bp(random_instance(40, 0.0, rng=0))
    assert res.converged and res.messages.shape == (0, 40)
    assert res.entropy == pytest.approx(LN2, abs=1e-15)
    assert res.free_entropy == pytest.approx(LN2, abs=1e-15)
    assert np.all(res.marginals == 0) and res.overlap is None


@pytest.mark.parametrize("gamma", [-1.3, 0.4, 2.5])
def test_no_patterns_reference_field_closed_form(gamma):
    n = 40
    ref = np.random.default_rng(1).choice([-1, 1], n)
    res = run_bp(random_instance(n, 0.0, rng=0), reference=ref, gamma=gamma)
    rho = math.tanh(gamma)
    assert res.free_entropy == pytest.approx(math.log(2 * math.cosh(gamma)), abs=1e-14)
    assert res.overlap == pytest.approx(rho, abs=1e-14)
    assert np.allclose(res.marginals, rho * ref, atol=1e-15)
    assert res.entropy == pytest.approx(binary_entropy((1 - rho) / 2), abs=1e-14)


def test_no_patterns_local_entropy_is_binary_entropy():
    n = 30
    ref = np.random.default_rng(2).choice([-1, 1], n)
    d = np.array([1e-3, 0.05, 0.2, 0.37, 0.5])
    le = local_entropy_bp(random_instance(n, 0.0, rng=0), ref, d_values=d)
    assert le.converged.all()
    assert np.allclose(le.d, d, atol=1e-9)  # the root finder hits the distances
    assert np.allclose(le.local_entropy, binary_entropy(le.d), atol=1e-12)
    assert np.allclose(le.gamma, np.arctanh(1 - 2 * d), atol=1e-8)


# --- one pattern: BP on a tree is exact up to the central limit -------------------------------


def exact_log_z_one_pattern(xi, h, kappa):
    """log sum_W exp(h . W) [xi . W > kappa sqrt(N)], exactly: the agreements a_i = xi_i W_i
    are independent with P(a_i = +1) ∝ exp(xi_i h_i); their count is Poisson-binomial."""
    n = len(xi)
    b = xi * h
    lplus, lminus = b - np.logaddexp(b, -b), -b - np.logaddexp(b, -b)
    lp = np.zeros(1)  # log P(k agreements among the first i)
    for i in range(n):
        new = np.full(i + 2, -np.inf)
        new[1:] = lp + lplus[i]
        new[:-1] = np.logaddexp(new[:-1], lp + lminus[i])
        lp = new
    s = 2 * np.arange(n + 1) - n
    return float(np.sum(np.logaddexp(h, -h)) + logsumexp(lp[s > kappa * math.sqrt(n)]))


@pytest.mark.parametrize("n", [101, 200, 501])
@pytest.mark.parametrize("kappa", [0.0, 0.5, 1.0])
def test_single_pattern_matches_exact_count(n, kappa):
    # With one factor the graph is a tree: the Bethe free entropy is exact except for the
    # Gaussian stand-in for the sum over the N weights.  With the lattice (continuity)
    # threshold the Edgeworth corrections to log P(S > kappa sqrt N) are O(1/N) here
    # (the skewness sum_i xi_i k3_i / N^{3/2} ~ 1/N for random xi), so |N phi - log Z|
    # must be below c/N; measured max N |error| = 0.72 (N = 101, kappa = 1) over these
    # cases and N = 1001, bound c = 2.
    rng = np.random.default_rng(100 + n + int(10 * kappa))
    inst = random_instance(n, 1.0 / n, rng=rng, kappa=kappa)
    h = rng.normal(0.15, 0.5, n)
    res = run_bp(inst, field=h)
    assert res.converged and res.iterations <= 3
    exact = exact_log_z_one_pattern(inst.signed_patterns()[0].astype(float), h, kappa)
    assert abs(n * res.free_entropy - exact) < 2.0 / n


# --- exhaustive enumeration at N = 20 --------------------------------------------------------


def test_small_n_against_enumeration():
    # BP is not exact at N = 20, but its error is small at alpha = 0.3: over 20 instances
    # the mean of (Bethe - exact) entropy per weight was -0.0003 (std 0.008 per instance,
    # so 0.0023 for a mean of 12).  The bound 0.01 is ~4 standard errors.  Without the
    # lattice threshold the zero stability (a violation at even N) is counted half as a
    # solution and the mean error is +0.065 (measured) -- the test must see that.
    n, alpha = 20, 0.3
    idx = np.arange(2**n, dtype=np.int64)
    configs = (((idx[:, None] >> np.arange(n)) & 1) * 2 - 1).astype(np.float32)
    err, err_plain = [], []
    for seed in range(12):
        inst = random_instance(n, alpha, rng=seed)
        fields = configs @ inst.signed_patterns().T.astype(np.float32)  # exact integers
        count = int(np.sum(np.all(fields > 0, axis=1)))
        assert count == int(inst.is_solution(configs[np.all(fields > 0, axis=1)].astype(np.int8)).sum())
        exact = math.log(count) / n
        err.append(bethe_entropy(inst, max_iter=2000) - exact)
        err_plain.append(bethe_entropy(inst, continuity=False, max_iter=2000) - exact)
    assert abs(np.mean(err)) < 0.01
    assert np.mean(err_plain) > 0.03


# --- RS theory at large N --------------------------------------------------------------------

# Spread of the Bethe entropy per weight over instances, measured at N = 1001 (30 seeds):
# std * sqrt(N) = 0.18 (alpha = 0.3) and 0.25-0.31 (alpha = 0.5, 20 and 30 seeds) -- the
# O(1/sqrt N) sample-to-sample fluctuation of log Z / N, with no resolvable bias against
# RS (+0.0009 +- 0.0010 and +0.0024 +- 0.0018).  Bounds use these, rounded up.
SPREAD = {0.3: 0.2, 0.5: 0.35}


def _rs_check(n, alpha, seeds):
    rs = replica.solve(replica.Gardner(alpha=alpha, weights="binary")).free_entropy
    sigma = SPREAD[alpha] / math.sqrt(n)
    s = []
    for seed in seeds:
        res = run_bp(random_instance(n, alpha, rng=seed))
        assert res.converged
        s.append(res.entropy)
    s = np.array(s)
    assert np.all(np.abs(s - rs) < 5 * sigma)  # each instance
    assert abs(s.mean() - rs) < 4 * sigma / math.sqrt(len(s))  # their mean


@pytest.mark.parametrize("alpha", [0.3, 0.5])
def test_bethe_entropy_near_rs_entropy(alpha):
    _rs_check(1001, alpha, range(4))


@pytest.mark.slow
@pytest.mark.parametrize("alpha", [0.3, 0.5])
def test_bethe_entropy_near_rs_entropy_n2001(alpha):
    _rs_check(2001, alpha, range(100, 110))


# --- Legendre identity -----------------------------------------------------------------------


@pytest.mark.parametrize("kind,n,alpha,gamma", [("teacher", 301, 0.3, 0.3), ("storage", 300, 0.5, 0.8)])
def test_free_entropy_derivative_is_overlap(kind, n, alpha, gamma):
    # d phi / d gamma = overlap holds exactly for the exact Bethe functional; the Gaussian
    # closure makes the BP fixed point stationary only up to O(N^{-3/2}) per factor-edge
    # pair, i.e. O(1/N) per weight.  Measured |fd - overlap| * N <= 0.065 (N = 300-1001,
    # gamma in 0..0.8), independent of the step (1e-2..1e-4): bound 0.3/N.  An error in
    # the Bethe formula would show up at O(1).
    inst = random_instance(n, alpha, rng=11, kind=kind)
    ref = inst.teacher if kind == "teacher" else np.random.default_rng(2).choice([-1, 1], n)
    base = run_bp(inst, reference=ref, gamma=gamma, tol=1e-12)
    step = 1e-3
    up = run_bp(inst, reference=ref, gamma=gamma + step, tol=1e-12, init=base)
    down = run_bp(inst, reference=ref, gamma=gamma - step, tol=1e-12, init=base)
    fd = (up.free_entropy - down.free_entropy) / (2 * step)
    assert abs(fd - base.overlap) < 0.3 / n
    # and the entropy is the Legendre transform
    assert base.entropy == pytest.approx(base.free_entropy - gamma * base.overlap, abs=1e-14)


# --- large reference field ---------------------------------------------------------------------


def test_large_gamma_locks_onto_a_solution_reference():
    n = 301
    inst = random_instance(n, 0.3, rng=4, kind="teacher")
    gammas = [0.0, 0.5, 1.0, 2.0, 4.0, 8.0]
    le = local_entropy_bp(inst, inst.teacher, gammas=gammas)
    assert le.converged.all()
    assert np.all(np.diff(le.overlap) >= -1e-12)  # monotone in gamma
    assert le.overlap[-1] > 0.999
    assert np.all(np.isfinite(le.free_entropy)) and np.all(le.local_entropy > -1e-9)
    res = run_bp(inst, reference=inst.teacher, gamma=8.0)
    assert np.array_equal(np.sign(res.marginals), inst.teacher)


# --- convergence report, reproducibility, failures -----------------------------------------


def test_non_convergence_warns_and_strict_raises():
    inst = random_instance(200, 0.5, rng=0)
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        res = run_bp(inst, max_iter=2)
    assert not res.converged and res.iterations == 2 and res.max_change > 1e-8
    assert math.isfinite(res.free_entropy)
    with pytest.raises(ConvergenceError) as err:
        run_bp(inst, max_iter=2, strict=True)
    assert isinstance(err.value.result, BPResult) and not err.value.result.converged


def test_same_seed_same_result_and_unique_fixed_point():
    inst = random_instance(200, 0.5, rng=3)
    a = run_bp(inst, rng=7)
    b = run_bp(inst, rng=7)
    assert np.array_equal(a.messages, b.messages) and a.free_entropy == b.free_entropy
    c = run_bp(inst, rng=8)  # another start reaches the same (RS) fixed point
    assert np.allclose(c.marginals, a.marginals, atol=1e-7)
    serial = run_bp(inst, rng=7, block_size=2000)  # 10 blocks of factors
    threads = run_bp(inst, rng=7, block_size=2000, workers=2)  # same numbers with threads
    assert np.array_equal(threads.messages, serial.messages)
    assert np.allclose(serial.messages, a.messages, rtol=0, atol=1e-12)  # rounding only


def test_warm_start_converges_at_once():
    inst = random_instance(200, 0.3, rng=5)
    res = run_bp(inst)
    again = run_bp(inst, init=res)
    assert again.converged and again.iterations == 1
    assert again.free_entropy == pytest.approx(res.free_entropy, abs=1e-12)


def test_non_finite_messages_are_reported(monkeypatch):
    from replica.sampler import _bp_kernels

    inst = random_instance(100, 0.3, rng=0)
    real = _bp_kernels.factor_to_variable
    calls = {"n": 0}

    def poisoned(*args):
        calls["n"] += 1
        out = real(*args)
        if calls["n"] > 2:
            out[0, 0] = np.nan
        return out

    monkeypatch.setattr(_bp_kernels, "factor_to_variable", poisoned)
    with pytest.warns(ConvergenceWarning, match="non-finite"):
        res = run_bp(inst, block_size=10**6)
    assert not res.converged
    assert np.all(np.isfinite(res.messages)) and math.isfinite(res.free_entropy)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(reference=np.ones(9)), "reference must be a ±1 vector of length N = 10"),
        (dict(reference=np.zeros(10)), "reference must be a ±1 vector"),
        (dict(damping=1.0), r"damping must be a finite number in \[0, 1\)"),
        (dict(damping=-0.1), r"damping must be a finite number in \[0, 1\)"),
        (dict(reference=np.ones(10), gamma=math.inf), "gamma must be a finite number"),
        (dict(reference=np.ones(10), gamma=math.nan), "gamma must be a finite number"),
        (dict(gamma=0.5), "gamma != 0 needs a reference"),
        (dict(field=np.ones(3)), "field must be a finite real vector of length N = 10"),
        (dict(max_iter=0), "max_iter must be an integer >= 1"),
        (dict(tol=0.0), "tol must be a finite number in"),
        (dict(init=np.zeros((2, 2))), r"init messages must be a finite array of shape \(3, 10\)"),
        (dict(init="ones"), "init must be 'zero', 'random'"),
    ],
)
def test_bad_input(kwargs, match):
    inst = random_instance(10, 0.3, rng=0)
    with pytest.raises(ValueError, match=match):
        run_bp(inst, **kwargs)


@pytest.mark.parametrize("d", [0.0, -0.1, 0.6, math.nan])
def test_bad_distance(d):
    inst = random_instance(10, 0.3, rng=0)
    with pytest.raises(ValueError, match=r"d must be a finite number in \(0, 0.5\]"):
        local_entropy_bp(inst, np.ones(10), d_values=[0.1, d])


def test_local_entropy_needs_one_of_gammas_and_d():
    inst = random_instance(10, 0.3, rng=0)
    with pytest.raises(ValueError, match="exactly one of gammas and d_values"):
        local_entropy_bp(inst, np.ones(10))
    with pytest.raises(ValueError, match="instance must be"):
        run_bp(np.ones((3, 10)))
    assert isinstance(inst, Instance)


def test_local_entropy_at_distances_with_patterns():
    # Targets on both sides of the typical distance d(gamma = 0), reached by the root
    # finder; the counts obey S(d) <= H2(d) (solutions at distance d are a subset of all
    # configurations there) and S(d) <= s (the entropy is the maximum over d of S(d)).
    n = 201
    inst = random_instance(n, 0.3, rng=6, kind="teacher")
    d = np.array([0.05, 0.2, 0.45])
    le = local_entropy_bp(inst, inst.teacher, d_values=d)
    assert le.converged.all()
    assert np.allclose(le.d, d, atol=1e-8)
    s = run_bp(inst).entropy
    assert np.all(le.local_entropy <= binary_entropy(d) + 1e-12)
    assert np.all(le.local_entropy <= s + 1e-9)
    # the same points by continuation in gamma give the same numbers
    again = local_entropy_bp(inst, inst.teacher, gammas=le.gamma)
    assert np.allclose(again.local_entropy, le.local_entropy, atol=1e-8)
    assert le.gamma[0] > 0 > le.gamma[-1]  # d(0) lies between 0.05 and 0.45


@pytest.mark.parametrize("n,kappa", [(1001, 0.0), (1000, 0.0), (100, 0.3), (101, 0.3), (100, 0.2),
                                     (400, 0.5)])
def test_lattice_threshold_against_instance(n, kappa):
    # kappa_eff sqrt(N) lies half-way between the largest violating and the smallest
    # satisfying value of S = xi . W (parity of N), as decided by Instance.errors
    inst = random_instance(n, 1.0 / n, rng=0, kappa=kappa)
    xi = inst.signed_patterns()[0]
    s_values = np.arange(-n, n + 1, 2)
    ok = []
    for s in s_values:  # a W with xi . W = s: flip (n - s)/2 agreements
        w = xi.astype(np.int64).copy()
        w[: (n - s) // 2] *= -1
        ok.append(inst.errors(w) == 0)
    ok = np.array(ok)
    first = s_values[ok][0]
    assert np.all(ok[s_values >= first]) and not np.any(ok[s_values < first])
    assert kappa_effective(n, kappa) * math.sqrt(n) == pytest.approx(first - 1, abs=1e-12)
    assert kappa_effective(n, kappa, continuity=False) == kappa
