"""Simulated binary perceptrons against the replica theory (fast versions of
paper_checks/sampler_vs_theory.py; the estimators are that script's functions).

Every comparison is with a value the simulation does not use (RS Gardner entropy,
Franz–Parisi entropy, RS entropy at fixed distance from a random reference), with a fixed
seed and a bound in units of the measured statistical error (4 sigma), set before looking
at whether the test passes.
"""

import math
import os
import sys

import numpy as np
import pytest
from scipy.interpolate import CubicSpline

import replica
from conftest import ROOT
from replica.special import binary_entropy

sys.path.insert(0, os.path.join(ROOT, "paper_checks"))
import sampler_vs_theory as S  # noqa: E402

K_SIGMA = 4.0
SEED = 12345  # not the paper check's seed: independent instances


@pytest.fixture(scope="module")
def gardner():
    return {a: replica.solve(replica.Gardner(alpha=a)).free_entropy for a in (0.3, 0.5)}


def test_odd_n_has_no_tie_penalty():
    """Why the validation uses odd N: at even N a zero field counts as an error (strict
    inequality), which costs ~ alpha sqrt(2/(pi N)) per weight; at odd N there are no ties.
    Mean ln Z / N over the same number of instances: even N well below odd N."""
    from replica.sampler.enumerate import count_solutions
    from replica.sampler.instances import random_instance

    def mean_entropy(n, p):
        z = np.array([count_solutions(random_instance(n, p / n, rng=[SEED, n, i])) for i in range(200)])
        return np.mean(np.log(z[z > 0])) / n

    odd = 0.5 * (mean_entropy(19, 9) + mean_entropy(19, 10))  # alpha N = 9.5
    even = mean_entropy(20, 10)
    penalty = 0.5 * math.sqrt(2 / (math.pi * 20))
    assert odd - even > 0.5 * penalty  # (measured about 0.08 = the penalty)


def test_quenched_entropy_extrapolates_to_rs(gardner):
    """(1/N) E ln Z at alpha = 0.3, N = 13..23 odd, 500 instances each, linear in 1/N:
    within 4 sigma_tot (statistical + |quadratic - linear|) of the RS entropy."""
    sizes = (13, 15, 17, 19, 21, 23)
    q = [S.quenched(S.enumerate_size(0.3, n, 500, rng=SEED), n, rng=SEED) for n in sizes]
    assert all(v["zero_fraction"] == 0 for v in q)  # alpha = 0.3: every instance has solutions
    ex = S.extrapolate(sizes, [v["mean"] for v in q], [v["err"] for v in q])
    assert 0 < ex["linear_err"] < 0.01 and np.isfinite(ex["quadratic"])
    assert abs(ex["linear"] - gardner[0.3]) < K_SIGMA * ex["total_err"], ex


@pytest.fixture(scope="module")
def histograms():
    sizes = (13, 15, 17, 19, 21, 23)
    return sizes, {n: S.enumerate_size(0.5, n, 800, histograms=("solution",), rng=SEED) for n in sizes}


@pytest.fixture(scope="module")
def fp_theory(gardner):
    grid = np.linspace(0.02, 0.5, 25)
    fp = replica.franz_parisi_curve(0.5, grid)
    assert fp.success.all()
    return CubicSpline(grid, np.asarray(fp.column("entropy")) - gardner[0.5])


def test_fp_histogram_approaches_franz_parisi(histograms, fp_theory):
    """Distance histogram around a uniformly sampled solution (alpha = 0.5), relative to the
    instance's own ln Z, against S_FP(d) - s on d in [0.1, 0.4]: the window-mean
    discrepancy shrinks from N = 13 to N = 23 by more than 4 sigma, and its linear
    extrapolation in 1/N is 0 within 4 sigma_tot."""
    sizes, data = histograms
    prof = {n: S.relative_profile(data[n], n, "solution", fp_theory, (0.1, 0.4)) for n in sizes}
    first, last = prof[sizes[0]], prof[sizes[-1]]
    assert all(p["excluded"] < 0.15 for p in prof.values())
    gain = abs(first["D"]) - abs(last["D"])
    assert gain > K_SIGMA * math.hypot(first["D_err"], last["D_err"]), (first["D"], last["D"])
    ex = S.extrapolate(sizes, [prof[n]["D"] for n in sizes], [prof[n]["D_err"] for n in sizes])
    assert abs(ex["linear"]) < K_SIGMA * ex["total_err"], ex


def test_random_reference_theory_identities(gardner):
    """The RS entropy at distance d from a random reference (defined in the paper check):
    s(alpha) at d = 1/2, H2(d) without patterns, and dS/dd = 2h (Legendre: m = 1 - 2d,
    dS/dm = -h)."""
    half = replica.solve(S.MagnetisedGardner(0.5, 0.5))
    assert half.success and abs(half.free_entropy - gardner[0.5]) < 1e-10
    free = replica.solve(S.MagnetisedGardner(1e-8, 0.3))
    assert abs(free.free_entropy - binary_entropy(0.3)) < 1e-6
    eps = 1e-4
    lo, mid, hi = (replica.solve(S.MagnetisedGardner(0.5, d)) for d in (0.35 - eps, 0.35, 0.35 + eps))
    assert all(p.success for p in (lo, mid, hi))
    slope = (hi.free_entropy - lo.free_entropy) / (2 * eps)
    assert abs(slope - 2 * mid["h"]) < 1e-6
    # below the annealed bound H2(d) - alpha ln 2, above zero in the window used
    for d in (0.35, 0.4, 0.45):
        v = replica.solve(S.MagnetisedGardner(0.5, d)).free_entropy
        assert 0 < v < binary_entropy(d) - 0.5 * math.log(2)


@pytest.mark.slow
def test_random_reference_histogram_matches_theory(gardner):
    """Exact histograms around a random reference (alpha = 0.5, N = 13..25) against the RS
    entropy at fixed distance from a random vector, d in [0.35, 0.48]: the 1/N
    extrapolation of the window-mean discrepancy is 0 within 4 sigma_tot."""
    rnd = S.random_reference_curve(0.5, np.linspace(0.3, 0.5, 21))
    theory = CubicSpline(rnd["d"], rnd["entropy"] - gardner[0.5])
    sizes = (13, 15, 17, 19, 21, 23, 25)
    D, E = [], []
    for n in sizes:
        p = S.relative_profile(S.enumerate_size(0.5, n, 1000, histograms=("random",), rng=SEED), n, "random",
                               theory, (0.35, 0.48))
        D.append(p["D"])
        E.append(p["D_err"])
    ex = S.extrapolate(sizes, D, E)
    assert abs(ex["linear"]) < K_SIGMA * ex["total_err"], (D, ex)


@pytest.mark.slow
def test_bp_local_entropy_around_random_reference(gardner):
    """BP at N = 1001 (4 instances, each with its own random reference), gamma = h_RS(d) for
    d = 0.45, 0.4, 0.35: the local-entropy curve relative to the instance's own Bethe
    entropy and centre (as in the paper check) is the RS curve within 4 (standard error
    (+) |N=501 - N=1001|, the finite-size estimate)."""
    from replica.sampler.bp import local_entropy_bp
    from replica.sampler.instances import random_instance

    rnd = S.random_reference_curve(0.5, np.linspace(0.3, 0.5, 21))
    relative = CubicSpline(rnd["d"], rnd["entropy"] - gardner[0.5])
    gammas = [0.0] + [float(CubicSpline(rnd["d"], rnd["h"])(d)) for d in (0.45, 0.4, 0.35)]
    dev = {}
    for n in (501, 1001):
        per = []
        for i in range(4):
            inst = random_instance(n, 0.5, rng=[SEED, n, i])
            ref = np.where(np.random.default_rng([SEED, 1, n, i]).random(n) < 0.5, 1, -1)
            le = local_entropy_bp(inst, ref, gammas=gammas)
            assert le.converged.all()
            per.append(S.centred_deviation(le.d[1:], le.local_entropy[1:], le.d[0], le.local_entropy[0], relative,
                                           rnd["d"][0]))
        dev[n] = (np.mean(per), np.std(per, ddof=1) / 2)
    bound = K_SIGMA * math.hypot(dev[1001][1], dev[501][0] - dev[1001][0])
    assert abs(dev[1001][0]) < bound, dev
