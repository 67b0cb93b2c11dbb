"""The shared harness of the learning algorithms (replica.sampler._harness) and the one
vocabulary of the sampler's results (success / nit / message / reason, old names as
read-only aliases)."""

import ast
import dataclasses
import math
import pathlib
import warnings

import numpy as np
import pytest

from replica.errors import Reason
from replica.sampler import (
    ALGORITHMS,
    algorithm,
    committee_entropy_mc,
    local_entropy_bp,
    random_instance,
    reinforced_bp,
    run_bp,
    run_committee_bp,
    simulated_annealing,
)
from replica.sampler._harness import CAP, Run, binarize, check, schedule
from replica.sampler._solver_result import SolverResult

# the iteration budget argument of each algorithm, and options that keep the runs short
BUDGET = {
    "sa": "max_sweeps", "rsa": "max_sweeps", "edmc": "max_sweeps", "bp-r": "max_iter",
    "fbp": "max_iter", "sbpi": "max_epochs", "cpr": "max_epochs", "stochastic-gd": "max_epochs",
    "rgd": "max_epochs",
}
SHORT = {"sa": 40, "rsa": 20, "edmc": 2, "bp-r": 40, "fbp": 40, "sbpi": 40, "cpr": 40,
         "stochastic-gd": 40, "rgd": 40}


def _run(name, inst, rng, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return algorithm(name)(inst, rng=rng, **{BUDGET[name]: SHORT[name], **kw})


# --- check: option validation ------------------------------------------------------------


@pytest.mark.parametrize("rule, good, bad", [
    ("> 0", [1e-9, 3, 2.5], [0, -1.0, math.nan, math.inf, "x"]),
    (">= 0", [0, 0.0, 7], [-1e-12, math.nan, math.inf]),
    (">= 1", [1, 1.5], [0.999]),
    ("[0, 1]", [0, 1, 0.5], [-0.1, 1.1, math.nan]),
    ("[0, 1)", [0, 0.99], [1, 1.0]),
    ("(0, 1)", [0.5], [0, 1]),
    ("(0, 1]", [1, 0.1], [0]),
    ("(0, 50]", [50, 1e-3], [0, 50.1]),
    ("[0, inf]", [0, 3.0, math.inf], [-1, math.nan, "x"]),
    ("(0, inf]", [math.inf, 1e-9], [0, 0.0, -1.0, math.nan]),
    ("int >= 1", [1, 5, np.int64(3)], [0, 2.5, True, "3", None]),
    ("odd int >= 1", [1, 3, 41], [0, 2, 4, 3.0, True]),
])
def test_check_rules(rule, good, bad):
    for v in good:
        out = check("opt", v, rule)
        assert out == v or (isinstance(v, float) and math.isinf(v) and math.isinf(out))
        assert type(out) is (int if "int" in rule else float)
    for v in bad:
        with pytest.raises(ValueError, match=r"^opt must be "):
            check("opt", v, rule)


def test_check_message_names_argument_and_range():
    with pytest.raises(ValueError, match=r"^damping must be a finite number in \[0, 1\), got 1\.0$"):
        check("damping", 1.0, "[0, 1)")
    with pytest.raises(ValueError, match=r"^lr must be a finite number in \(0, inf\), got 0\.0$"):
        check("lr", 0, "> 0")
    with pytest.raises(ValueError, match=r"^y must be an integer >= 1, got 0$"):
        check("y", 0, "int >= 1")
    with pytest.raises(ValueError, match=r"^gamma_max must be a number in \(0, inf\], got 0$"):
        check("gamma_max", 0, "(0, inf]")
    with pytest.raises(ValueError, match=r"^h must be an odd integer >= 1 \(why\), got 4$"):
        check("h", 4, "odd int >= 1", note="why")
    with pytest.raises(ValueError, match=r"^loss must be one of 'a', 'b'; got 'c'$"):
        check("loss", "c", ("a", "b"))


def test_check_none_and_unknown_rule():
    assert check("refresh", None, "int >= 1 or None") is None
    assert check("refresh", 2, "int >= 1 or None") == 2
    with pytest.raises(ValueError, match="refresh"):
        check("refresh", 0, "int >= 1 or None")
    with pytest.raises(ValueError, match="refresh"):
        check("refresh", None, "int >= 1")
    with pytest.raises(ValueError, match="unknown rule"):
        check("x", 1, "positive")


# --- small numerics ----------------------------------------------------------------------


def test_schedule_and_binarize():
    assert schedule(0.0, 0.5, 10) == 0.0
    assert schedule(2.0, 0.0, 1000) == 2.0
    assert schedule(0.5, 0.001, 3) == pytest.approx(0.5 * 1.001 ** 3, rel=1e-14)
    assert schedule(1.0, 1.0, 10 ** 6) == CAP  # no overflow
    assert np.array_equal(binarize([-0.5, 0.0, 2.0, -0.0]), np.array([-1, 1, 1, 1], dtype=np.int8))
    assert binarize(np.zeros((2, 3))).dtype == np.int8


# --- Run -----------------------------------------------------------------------------------


def test_run_checks_instance_budget_and_time():
    inst = random_instance(21, 0.3, rng=0)
    with pytest.raises(ValueError, match="^instance"):
        Run("x", np.ones((3, 5)))
    with pytest.raises(ValueError, match="^max_sweeps must be an integer >= 1"):
        Run("x", inst, budget=("max_sweeps", 0))
    with pytest.raises(ValueError, match="^max_seconds must be"):
        Run("x", inst, max_seconds=0.0)


def test_run_errors_match_instance():
    inst = random_instance(31, 0.8, rng=1, kappa=0.3)
    run = Run("x", inst, rng=0)
    w = run.spins(None, (5, 31))
    assert list(run.errors(w)) == list(inst.errors(w))
    assert run.errors(w[0]) == int(inst.errors(w[0])) and isinstance(run.errors(w[0]), int)


def test_run_spins_reproducible_and_checked():
    inst = random_instance(21, 0.3, rng=0)
    a = Run("x", inst, rng=5).spins(None, (21,))
    b = Run("x", inst, rng=5).spins(None, (21,))
    assert np.array_equal(a, b) and a.dtype == np.int8 and set(np.unique(a)) <= {-1, 1}
    run = Run("x", inst)
    assert np.array_equal(run.spins(np.ones(21, dtype=int), (21,)), np.ones(21, dtype=np.int8))
    with pytest.raises(ValueError, match=r"^init must be a ±1 vector of length N = 21"):
        run.spins(np.zeros(21), (21,))
    with pytest.raises(ValueError, match=r"^init must be a ±1 array of shape \(2, 21\)"):
        run.spins(np.ones(21), (2, 21))
    with pytest.raises(ValueError, match="^init must be my words"):
        run.spins(np.ones(3), (21,), "my words")


def test_run_best_so_far():
    inst = random_instance(21, 0.5, rng=2)
    run = Run("x", inst)
    w = run.spins(np.ones(21), (21,))
    assert not run.offer(w, 5, "a") and run.best_score == 5
    w[0] = -1  # the stored best is a copy
    assert run.best_weights[0] == 1
    run.nit = 3
    assert not run.offer(w, 5, "b") and run.best_weights[0] == 1 and run.best_nit == 0  # ties: first kept
    assert not run.offer(w, 2, "c") and run.best_weights[0] == -1 and run.best_nit == 3
    assert run.offer(-w, 0, "d") and run.solved and run.solved_by == "d"
    assert run.offer(w, 0, "e") and run.solved_by == "d"  # the first solving label stays
    assert not run.running()


def test_run_budget_stop_and_reasons():
    inst = random_instance(41, 1.5, rng=7)  # far beyond capacity: never solved
    run = Run("x", inst, budget=("max_epochs", 3), unit="epochs")
    run.offer(run.spins(None, (41,)))
    while run.running():
        run.nit += 1
    res = run.result(extra={"k": 1})
    assert isinstance(res, SolverResult) and res.nit == 3 and not res.success
    assert res.reason is Reason.BUDGET_EXHAUSTED and res.message.startswith("max_epochs = 3 reached")
    assert res.extra == {"k": 1} and res.errors == int(inst.errors(res.weights)) > 0

    run = Run("x", inst, budget=("max_iter", 10))
    run.offer(run.spins(None, (41,)))
    run.nit = 1
    run.stop("frozen")
    assert not run.running()
    res = run.result()
    assert res.reason is Reason.NOT_CONVERGED and "1 sweep:" in res.message and "frozen" in res.message

    run = Run("x", inst, max_seconds=1e-9)
    run.offer(run.spins(None, (41,)))
    assert run.out_of_time() and run.timed_out and not run.running()
    assert run.result().reason is Reason.BUDGET_EXHAUSTED
    assert not Run("x", inst).out_of_time()  # no time budget: never out of time

    easy = random_instance(21, 0.0, rng=0)  # no patterns: anything solves it
    run = Run("x", easy)
    run.offer(run.spins(None, (21,)), label="start")
    res = run.result()
    assert res.success and res.reason is Reason.CONVERGED and res.message == "solved in 0 sweeps (by the start)"


# --- every algorithm through the harness --------------------------------------------------


@pytest.mark.parametrize("name", ALGORITHMS)
def test_bad_budget_names_the_argument(name):
    inst = random_instance(21, 0.3, rng=0)
    for bad in (0, 2.5, True):
        with pytest.raises(ValueError, match=rf"^{BUDGET[name]} must be an integer >= 1"):
            algorithm(name)(inst, **{BUDGET[name]: bad})


@pytest.mark.parametrize("name", ALGORITHMS)
def test_same_seed_same_result(name):
    inst = random_instance(61, 0.6, rng=3)
    a, b = _run(name, inst, 11), _run(name, inst, 11)
    assert np.array_equal(a.weights, b.weights)
    assert (a.success, a.errors, a.nit, a.reason, a.message) == (b.success, b.errors, b.nit, b.reason, b.message)
    assert a.extra.keys() == b.extra.keys()
    for k, v in a.extra.items():
        if isinstance(v, np.ndarray):
            assert np.array_equal(v, b.extra[k])
        else:
            assert v == b.extra[k] or (v != v and b.extra[k] != b.extra[k]), k


@pytest.mark.parametrize("name", ALGORITHMS)
@pytest.mark.parametrize("alpha", [0.2, 1.5])
def test_result_vocabulary(name, alpha):
    inst = random_instance(41, alpha, rng=7)
    res = _run(name, inst, 0)
    assert res.solved is res.success and res.iterations == res.nit
    assert res.success == bool(inst.is_solution(res.weights)) and res.errors == int(inst.errors(res.weights))
    assert res.weights.dtype == np.int8 and res.weights.shape == (41,)
    assert isinstance(res.message, str) and res.message
    if res.success:
        assert res.reason is Reason.CONVERGED and res.message.startswith("solved in")
    elif res.nit == SHORT[name]:
        assert res.reason is Reason.BUDGET_EXHAUSTED and BUDGET[name] in res.message
    else:
        assert res.reason is Reason.NOT_CONVERGED
    assert (alpha < 1) or not res.success  # alpha = 1.5: beyond capacity
    with pytest.raises(AttributeError):
        res.solved = True  # read-only aliases
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.success = True


def test_early_stop_is_not_converged():
    res = reinforced_bp(random_instance(41, 1.5, rng=7), rng=0, rho_step=0.2)
    assert res.extra["frozen"] and not res.success and res.nit < 1000
    assert res.reason is Reason.NOT_CONVERGED and "frozen" in res.message


def test_sa_edmc_time_budget_message():
    inst = random_instance(101, 0.6, rng=1)
    res = algorithm("edmc")(inst, rng=0, max_seconds=1e-6)
    assert res.extra["out_of_time"] and res.reason is Reason.BUDGET_EXHAUSTED
    assert "max_seconds" in res.message
    with pytest.raises(ValueError, match="^init must be 'bp', 'random' or a ±1 vector"):
        algorithm("edmc")(inst, init=None)
    res = simulated_annealing(inst, rng=0, max_sweeps=1)
    assert res.nit == 1 and res.reason is Reason.BUDGET_EXHAUSTED


# --- BP results ------------------------------------------------------------------------------


def test_bp_result_vocabulary():
    inst = random_instance(101, 0.3, rng=0)
    ok = run_bp(inst)
    assert ok.success and ok.reason is Reason.CONVERGED and ok.converged is ok.success
    assert ok.iterations == ok.nit > 0
    with pytest.warns(RuntimeWarning):
        bad = run_bp(random_instance(200, 0.5, rng=0), max_iter=2)
    assert not bad.success and bad.nit == 2 and bad.reason is Reason.BUDGET_EXHAUSTED
    with pytest.raises(AttributeError):
        bad.converged = True


def test_committee_bp_result_vocabulary():
    ok = run_committee_bp(random_instance(99, 0.3, rng=0), 3, "sign", rng=1)
    assert ok.success and ok.reason is Reason.CONVERGED
    assert ok.converged is ok.success and ok.sweeps == ok.nit > 0
    with pytest.warns(RuntimeWarning):
        bad = run_committee_bp(random_instance(99, 0.3, rng=0), 3, "sign", rng=1, max_iter=1)
    assert not bad.success and bad.reason is Reason.BUDGET_EXHAUSTED and bad.sweeps == 1


def test_local_entropy_bp_vocabulary():
    inst = random_instance(101, 0.3, rng=4)
    ref = np.where(run_bp(inst).marginals >= 0, 1, -1)
    le = local_entropy_bp(inst, ref, gammas=[0.0, 0.5])
    assert le.success.dtype == bool and le.success.all() and le.converged is le.success
    assert le.iterations is le.nit and le.nit.shape == (2,)
    assert list(le.reason) == [Reason.CONVERGED] * 2 and le.message == "2 of 2 points converged"
    with pytest.warns(RuntimeWarning):
        le = local_entropy_bp(inst, ref, gammas=[0.0, 0.5], max_iter=1)
    assert not le.success.any() and all(r is Reason.BUDGET_EXHAUSTED for r in le.reason)
    assert le.message.startswith("0 of 2 points converged")


def test_committee_entropy_mc_vocabulary():
    r = committee_entropy_mc(random_instance(9, 2.0, rng=0), 3, "sign", n_runs=10, n_steps=20, rng=0)
    assert not r.success and r.nit == 20 and r.reason is Reason.BUDGET_EXHAUSTED
    r = committee_entropy_mc(random_instance(9, 0.2, rng=0), 3, "sign", n_runs=10, n_steps=20, rng=0)
    assert r.success and r.reason is Reason.CONVERGED


# --- layering ----------------------------------------------------------------------------------


def test_sampler_imports_nothing_above_it():
    """The sampler sits below the engine: only replica.errors, .special, ._validate."""
    root = pathlib.Path(__file__).resolve().parents[1] / "replica" / "sampler"
    allowed = {"errors", "special", "_validate"}
    for path in root.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level >= 2:
                top = (node.module or "").split(".")[0]
                assert top in allowed, f"{path.name} imports ..{node.module}"
            if isinstance(node, (ast.Import, ast.ImportFrom)) and getattr(node, "level", 0) == 0:
                names = [node.module] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                for mod in names:
                    assert not (mod or "").startswith("replica."), f"{path.name} imports {mod}"
