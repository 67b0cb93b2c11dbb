"""Tests of simulated annealing (SA) and replicated simulated annealing (RSA)."""

import numpy as np
import pytest

from replica.sampler import annealing
from replica.sampler.annealing import replicated_simulated_annealing, simulated_annealing
from replica.sampler.instances import random_instance

CASES = [(51, 0.2, "storage", 1), (101, 0.3, "teacher", 2), (151, 0.4, "storage", 3), (201, 0.3, "storage", 4),
         (201, 0.4, "teacher", 5)]


def _independent_fields(inst, w):
    """sigma^mu xi^mu . W from the raw patterns and labels (not via Instance helpers)."""
    xi = np.asarray(inst.patterns, dtype=np.int64)
    sig = np.asarray(inst.labels, dtype=np.int64)
    return sig * (xi @ np.asarray(w, dtype=np.int64))


def _check_solution(inst, res):
    w = res.weights
    assert w.shape == (inst.n,) and set(np.unique(w)) <= {-1, 1}
    h = _independent_fields(inst, w)
    assert np.all(h > inst.kappa * np.sqrt(inst.n))
    t = inst.threshold()
    assert int(np.maximum(t - h, 0).sum()) == 0
    assert res.errors == 0


@pytest.mark.parametrize("n,alpha,kind,seed", CASES)
def test_sa_solves_small(n, alpha, kind, seed):
    inst = random_instance(n, alpha, rng=seed, kind=kind)
    res = simulated_annealing(inst, rng=seed)
    assert res.algorithm == "sa" and res.unit == "sweeps"
    assert res.solved
    _check_solution(inst, res)
    assert res.extra["energy"] == 0


@pytest.mark.parametrize("n,alpha,kind,seed", CASES)
def test_rsa_solves_small(n, alpha, kind, seed):
    inst = random_instance(n, alpha, rng=seed, kind=kind)
    res = replicated_simulated_annealing(inst, rng=seed)
    assert res.algorithm == "rsa"
    assert res.solved
    _check_solution(inst, res)
    assert res.extra["solved_by"] in ("replica", "centre")
    if res.extra["solved_by"] == "replica":
        assert res.extra["energies"][res.extra["replica"]] == 0


@pytest.mark.parametrize("f", [simulated_annealing, replicated_simulated_annealing])
def test_margin_kappa(f):
    inst = random_instance(101, 0.2, rng=6, kappa=0.3)
    assert inst.threshold() > 1
    res = f(inst, rng=1)
    assert res.solved
    _check_solution(inst, res)


def test_same_seed_same_result():
    inst = random_instance(151, 0.4, rng=7)
    for f in (simulated_annealing, replicated_simulated_annealing):
        a = f(inst, rng=11, max_sweeps=30)
        b = f(inst, rng=np.random.default_rng(11), max_sweeps=30)
        assert np.array_equal(a.weights, b.weights)
        assert (a.iterations, a.errors, a.solved) == (b.iterations, b.errors, b.solved)
        assert a.extra["accepted"] == b.extra["accepted"]


def test_unsolved_result_is_consistent():
    # alpha beyond capacity (storage, alpha_c ~ 0.83): cannot be solved
    inst = random_instance(101, 1.2, rng=3)
    res = simulated_annealing(inst, rng=0, max_sweeps=20)
    assert not res.solved and res.iterations == 20
    assert res.errors == int(inst.errors(res.weights)) > 0
    # the reported energy (best visited) matches a full recomputation
    assert res.extra["energy"] == int(annealing._energy(inst, res.weights))
    res = replicated_simulated_annealing(inst, rng=0, max_sweeps=20, y=4)
    assert not res.solved and res.extra["solved_by"] is None and res.iterations == 20
    assert res.errors == int(inst.errors(res.weights)) > 0


def test_incremental_energy_bookkeeping():
    # unsolvable instance, hot and coupled: thousands of accepted flips, no early stop; the
    # incrementally kept replica energies must equal a full recomputation at the end
    inst = random_instance(81, 1.5, rng=5)
    y = 3
    res = replicated_simulated_annealing(inst, y=y, rng=2, gamma0=0.3, gamma_rate=0.0, beta0=0.05,
                                         beta_rate=0.0, max_sweeps=15)
    assert res.extra["accepted"] > 1000
    reps = res.extra["replicas"]
    assert reps.shape == (y, inst.n)
    assert list(annealing._energy(inst, reps)) == res.extra["energies"]
    t = inst.threshold()
    indep = [int(np.maximum(t - _independent_fields(inst, r), 0).sum()) for r in reps]
    assert indep == res.extra["energies"]
    # SA: the energy recorded for the best configuration is the incremental one
    res1 = simulated_annealing(inst, rng=4, beta0=0.05, beta_rate=0.0, max_sweeps=15)
    assert res1.extra["accepted"] > 100
    assert res1.extra["energy"] == int(annealing._energy(inst, res1.weights))


def test_energy_helpers_agree_with_errors():
    inst = random_instance(61, 0.5, rng=9, kind="teacher")
    w = (2 * np.random.default_rng(0).integers(0, 2, size=(5, inst.n)) - 1).astype(np.int8)
    e = annealing._energy(inst, w)
    h = _independent_fields(inst, w[0])
    assert e[0] == np.maximum(inst.threshold() - h, 0).sum()
    assert np.array_equal(e == 0, inst.is_solution(w))
    assert annealing._energy(inst, inst.teacher) == 0


def test_rsa_y1_gamma0_is_sa_exactly():
    # with one replica and no coupling RSA consumes the random numbers exactly like SA, so
    # the two trajectories coincide flip by flip
    for n, alpha, seed in ((101, 0.4, 0), (151, 0.6, 1), (201, 0.3, 2)):
        inst = random_instance(n, alpha, rng=seed)
        kw = dict(beta0=0.3, beta_rate=0.02, max_sweeps=40)
        a = simulated_annealing(inst, rng=seed, **kw)
        b = replicated_simulated_annealing(inst, rng=seed, y=1, gamma0=0.0, gamma_rate=0.5, **kw)
        assert a.extra["accepted"] == b.extra["accepted"]
        assert a.iterations == b.iterations
        assert a.solved == b.solved
        if a.solved:
            assert np.array_equal(a.weights, b.weights)


def test_rsa_y1_gamma0_final_state_matches_sa():
    # unsolvable instance, no early stop: same number of accepted flips; SA returns the best
    # configuration visited, RSA the final one, so SA's energy is <= RSA's
    inst = random_instance(61, 2.0, rng=8)
    kw = dict(beta0=0.2, beta_rate=0.0, max_sweeps=10)
    a = simulated_annealing(inst, rng=3, **kw)
    b = replicated_simulated_annealing(inst, rng=3, y=1, gamma0=0.0, **kw)
    assert a.extra["accepted"] == b.extra["accepted"]
    assert b.extra["energies"][0] == int(annealing._energy(inst, b.weights))
    assert a.extra["energy"] <= b.extra["energies"][0]


def test_strong_coupling_aligns_replicas():
    inst = random_instance(101, 1.5, rng=2)
    res = replicated_simulated_annealing(inst, rng=0, y=5, gamma0=20.0, gamma_rate=0.0, beta0=0.01,
                                         beta_rate=0.0, max_sweeps=20)
    weak = replicated_simulated_annealing(inst, rng=0, y=5, gamma0=0.0, gamma_rate=0.0, beta0=0.01,
                                          beta_rate=0.0, max_sweeps=20)
    assert res.extra["overlap"] > 0.95
    assert weak.extra["overlap"] < 0.6


def test_centre_can_solve():
    # teacher instance; replica a = teacher with a disjoint block of ~20 weights flipped:
    # every replica violates patterns but the majority vote is the teacher
    inst = random_instance(101, 0.3, rng=4, kind="teacher")
    init = np.tile(inst.teacher, (3, 1)).astype(np.int8)
    for a in range(3):
        init[a, 20 * a:20 * a + 20] *= -1
    assert np.all(inst.errors(init) > 0)
    res = replicated_simulated_annealing(inst, y=3, rng=0, init=init, max_sweeps=5)
    assert res.solved and res.extra["solved_by"] == "centre" and res.iterations == 0
    assert np.array_equal(res.weights, inst.teacher)
    _check_solution(inst, res)


def test_centre_ties_broken_by_replica0():
    inst = random_instance(101, 0.3, rng=4, kind="teacher")
    # y = 2: replica 0 is the teacher, replica 1 its negation: every S_i = 0, centre = replica 0
    init = np.stack([inst.teacher, -inst.teacher]).astype(np.int8)
    res = replicated_simulated_annealing(inst, y=2, rng=0, init=init, max_sweeps=1)
    assert res.solved and res.extra["solved_by"] == "replica" and res.extra["replica"] == 0


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(beta0=0.0), "beta0"),
        (dict(beta0=-1.0), "beta0"),
        (dict(beta0=float("nan")), "beta0"),
        (dict(beta_rate=-0.1), "beta_rate"),
        (dict(max_sweeps=0), "max_sweeps"),
        (dict(max_sweeps=2.5), "max_sweeps"),
        (dict(max_sweeps=True), "max_sweeps"),
        (dict(init=np.zeros(31)), "init"),
        (dict(init=np.ones(30)), "init"),
    ],
)
def test_sa_bad_input(kwargs, match):
    inst = random_instance(31, 0.3, rng=0)
    with pytest.raises(ValueError, match=match):
        simulated_annealing(inst, **kwargs)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(y=0), "y"),
        (dict(y=1.5), "y"),
        (dict(gamma0=-0.1), "gamma0"),
        (dict(gamma_rate=-1.0), "gamma_rate"),
        (dict(beta0=0.0), "beta0"),
        (dict(beta_rate=float("inf")), "beta_rate"),
        (dict(max_sweeps=-3), "max_sweeps"),
        (dict(init=np.ones((2, 31))), "init"),
    ],
)
def test_rsa_bad_input(kwargs, match):
    inst = random_instance(31, 0.3, rng=0)
    with pytest.raises(ValueError, match=match):
        replicated_simulated_annealing(inst, **kwargs)


def test_bad_instance():
    with pytest.raises(ValueError, match="instance"):
        simulated_annealing(np.ones((3, 5)))
    with pytest.raises(ValueError, match="instance"):
        replicated_simulated_annealing("x")


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1])
def test_sa_n1001_alpha03(seed):
    inst = random_instance(1001, 0.3, rng=seed)
    res = simulated_annealing(inst, rng=seed)
    assert res.solved
    _check_solution(inst, res)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1])
def test_rsa_n1001_alpha03(seed):
    inst = random_instance(1001, 0.3, rng=seed)
    res = replicated_simulated_annealing(inst, rng=seed)
    assert res.solved
    _check_solution(inst, res)


@pytest.mark.slow
def test_rsa_beats_sa_on_one_hard_instance():
    # illustration (one fixed instance and seed, measured): N = 201, alpha = 0.6, defaults
    inst = random_instance(201, 0.6, rng=1000)
    a = simulated_annealing(inst, rng=0)
    b = replicated_simulated_annealing(inst, rng=0)
    assert not a.solved and a.iterations == 10000
    assert b.solved
    _check_solution(inst, b)
