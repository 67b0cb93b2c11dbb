"""The ``replica solve`` command (replica.cli.solve) and the solver registry
(replica.sampler.algorithms): every algorithm by name, JSON contents, exit codes, errors."""

import json
import math

import numpy as np
import pytest

from replica.cli import main
from replica.sampler import ALGORITHMS, SolverResult, algorithm, random_instance, run_algorithm
from replica.sampler.bp import local_entropy_bp

# small, easy instance every solver must solve with its defaults
N, ALPHA, SEED = 101, 0.3, 4


def run(capsys, *args):
    code = main(["solve", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *args, code_expected=0):
    code, out, err = run(capsys, *args, "--json")
    assert code == code_expected, err
    return json.loads(out, parse_constant=lambda c: pytest.fail(f"non-finite number {c} in JSON"))


def test_registry_names_match_the_issue():
    assert set(ALGORITHMS) == {"sa", "rsa", "edmc", "bp-r", "fbp", "sbpi", "cpr", "stochastic-gd", "rgd"}
    with pytest.raises(ValueError, match="algorithm must be one of"):
        algorithm("annealing")


@pytest.mark.parametrize("name", ALGORITHMS)
def test_every_algorithm_solves_an_easy_instance_from_the_cli(capsys, name):
    out = run_json(capsys, "--algorithm", name, "--n", N, "--alpha", ALPHA, "--seed", SEED)
    inst = random_instance(N, ALPHA, rng=SEED)
    w = np.array(out["weights"])
    # the solution claim is checked here, independently of the solver
    assert out["solved"] is True and out["errors"] == 0 and inst.is_solution(w)
    assert out["n"] == N and out["p"] == inst.p and out["algorithm"] == name
    assert out["iterations"] >= 0 and out["seconds"] >= 0


@pytest.mark.parametrize("name", ALGORITHMS)
def test_registry_runs_the_named_function_reproducibly(name):
    inst = random_instance(N, ALPHA, rng=SEED)
    a = run_algorithm(name, inst, rng=7)
    b = algorithm(name)(inst, rng=7)
    assert isinstance(a, SolverResult) and a.algorithm == name
    assert np.array_equal(a.weights, b.weights) and a.iterations == b.iterations


def test_same_seed_same_json_weights(capsys):
    a = run_json(capsys, "--algorithm", "sa", "--n", N, "--alpha", ALPHA, "--seed", 2)
    b = run_json(capsys, "--algorithm", "sa", "--n", N, "--alpha", ALPHA, "--seed", 2)
    assert a["weights"] == b["weights"] and a["iterations"] == b["iterations"]


def test_options_reach_the_solver_and_unsolved_exits_1(capsys):
    # one epoch of SBPI at a load far beyond capacity cannot solve the instance
    out = run_json(capsys, "--algorithm", "sbpi", "--n", 201, "--alpha", 1.2, "--option", "max_epochs=1",
                   code_expected=1)
    assert out["solved"] is False and out["errors"] > 0 and out["iterations"] == 1
    assert out["options"] == {"max_epochs": 1}
    inst = random_instance(201, 1.2, rng=0)
    assert inst.errors(np.array(out["weights"])) == out["errors"]


def test_teacher_instance_reports_generalisation(capsys):
    out = run_json(capsys, "--algorithm", "cpr", "--n", 201, "--alpha", 0.4, "--kind", "teacher", "--seed", 1)
    inst = random_instance(201, 0.4, rng=1, kind="teacher")
    r = np.dot(out["weights"], inst.teacher) / 201
    assert out["teacher_overlap"] == pytest.approx(r, abs=1e-15)
    assert out["generalisation_error"] == pytest.approx(math.acos(r) / math.pi, abs=1e-15)


def test_local_entropy_is_bp_around_the_weights_found(capsys):
    out = run_json(capsys, "--algorithm", "sbpi", "--n", N, "--alpha", ALPHA, "--seed", SEED,
                   "--local-entropy", "--d", 0.02, 0.1)
    inst = random_instance(N, ALPHA, rng=SEED)
    le = local_entropy_bp(inst, np.array(out["weights"]), d_values=[0.02, 0.1])
    assert out["local_entropy"]["d"] == [0.02, 0.1]
    assert np.allclose(out["local_entropy"]["local_entropy"], le.local_entropy, rtol=0, atol=1e-12)
    assert all(out["local_entropy"]["converged"])
    # text output: a table row per distance
    code, text, _ = run(capsys, "--algorithm", "sbpi", "--n", N, "--alpha", ALPHA, "--seed", SEED,
                        "--local-entropy", "--d", 0.1)
    assert code == 0 and "local_entropy" in text and "0.1" in text


def test_save_weights(capsys, tmp_path):
    path = tmp_path / "w.npy"
    out = run_json(capsys, "--algorithm", "cpr", "--n", N, "--alpha", ALPHA, "--save-weights", path)
    assert np.array_equal(np.load(path), np.array(out["weights"], dtype=np.int8))


@pytest.mark.parametrize("args, fragment", [
    (["--algorithm", "nope", "--n", 11, "--alpha", 0.3], "invalid choice"),
    (["--algorithm", "sa", "--alpha", 0.3], "--n"),
    (["--algorithm", "sa", "--n", 11, "--alpha", -0.3], "alpha"),
    (["--algorithm", "sa", "--n", 11, "--alpha", 0.3, "--option", "bogus=1"], "bogus"),
    (["--algorithm", "sa", "--n", 11, "--alpha", 0.3, "--option", "novalue"], "KEY=VALUE"),
    (["--algorithm", "sa", "--n", 11, "--alpha", 0.3, "--d", 0.1], "--local-entropy"),
    (["--algorithm", "sa", "--n", 11, "--alpha", 0.3, "--local-entropy", "--d", 0.7], "0.5"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, args, fragment):
    code, out, err = run(capsys, *args)
    assert code == 2 and fragment in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
