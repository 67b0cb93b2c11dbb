"""The ``replica sample`` command (replica.cli.sample): outputs, files, exit codes, errors.

Tested through :func:`replica.cli.main` (the entry point) and through a parser
built the way ``replica.cli`` wires subcommands.
"""

import argparse
import json
import math

import numpy as np
import pytest

from replica.cli import main
from replica.cli.sample import add_sample_parser, run_sample
from replica.sampler.enumerate import count_solutions, distance_histogram
from replica.sampler.instances import Instance, random_instance


def run(capsys, *args):
    code = main(["sample", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *args):
    code, out, err = run(capsys, *args, "--json")
    assert code == 0, err
    # no NaN/Infinity in the output: json would accept them, so refuse them explicitly
    return json.loads(out, parse_constant=lambda c: pytest.fail(f"non-finite number {c} in JSON"))


def test_instance_save_and_reload_give_the_same_count(capsys, tmp_path):
    path = tmp_path / "inst.npz"
    out = run_json(capsys, "instance", "--n", 15, "--alpha", 0.5, "--seed", 3, "--save", path)
    assert out["n"] == 15 and out["p"] == 8 and out["saved"] == str(path) and out["seed"] == 3
    saved = Instance.load(path)
    fresh = random_instance(15, 0.5, rng=3)
    assert np.array_equal(saved.patterns, fresh.patterns) and np.array_equal(saved.labels, fresh.labels)
    a = run_json(capsys, "count", "--n", 15, "--alpha", 0.5, "--seed", 3)
    b = run_json(capsys, "count", "--instance", path)
    assert a["count"] == b["count"] == count_solutions(fresh) and b["instance_file"] == str(path)
    assert a["entropy"] == pytest.approx(math.log(a["count"]) / 15)


def test_teacher_instance_keeps_its_teacher(capsys, tmp_path):
    path = tmp_path / "teacher.npz"
    run_json(capsys, "instance", "--n", 13, "--alpha", 0.6, "--kind", "teacher", "--seed", 1, "--save", path)
    inst = Instance.load(path)
    assert inst.kind == "teacher" and inst.is_solution(inst.teacher)


def test_count_without_solutions_reports_no_entropy(capsys):
    out = run_json(capsys, "count", "--n", 9, "--alpha", 3.0)
    assert out["count"] == 0 and out["entropy"] is None
    code, text, _ = run(capsys, "count", "--n", 9, "--alpha", 3.0)
    assert code == 0 and "no solution" in text and "nan" not in text.lower() and "inf" not in text


@pytest.mark.parametrize("reference", ["solution", "random"])
def test_histogram_json(capsys, reference):
    out = run_json(capsys, "histogram", "--n", 17, "--alpha", 0.4, "--seed", 5, "--reference", reference)
    counts = np.array(out["counts"])
    assert len(counts) == 18 and counts.sum() == out["count"] == count_solutions(random_instance(17, 0.4, rng=5))
    assert out["d"][0] == 0 and out["d"][-1] == 1
    for c, s in zip(counts, out["log_counts_per_n"]):
        assert (s is None) == (c == 0)
        if c:
            assert s == pytest.approx(math.log(c) / 17)
    if reference == "solution":
        assert counts[0] == 1  # the reference itself


def test_histogram_reference_is_seeded(capsys):
    a = run_json(capsys, "histogram", "--n", 15, "--alpha", 0.5, "--seed", 2)
    b = run_json(capsys, "histogram", "--n", 15, "--alpha", 0.5, "--seed", 2)
    assert a["counts"] == b["counts"]
    # random reference: the same histogram as the enumeration module's around the same vector
    from replica.cli.sample import _random_reference

    out = run_json(capsys, "histogram", "--n", 15, "--alpha", 0.5, "--seed", 2, "--reference", "random")
    ref = _random_reference(15, 2)
    assert out["counts"] == distance_histogram(random_instance(15, 0.5, rng=2), ref).tolist()


def test_histogram_text(capsys):
    code, out, _ = run(capsys, "histogram", "--n", 13, "--alpha", 0.5)
    assert code == 0 and "ln(count)/N" in out and len(out.strip().splitlines()) == 2 + 14


def test_bp_json_with_local_entropy(capsys):
    out = run_json(capsys, "bp", "--n", 201, "--alpha", 0.3, "--d", 0.35, 0.45)
    assert out["converged"] is True and out["iterations"] >= 1
    assert 0.4 < out["bethe_entropy"] < 0.55  # RS: 0.4748 at N -> infinity
    le = out["local_entropy"]
    assert le["converged"] == [True, True] and le["reference"] == "random"
    assert le["d"] == pytest.approx([0.35, 0.45], abs=1e-6)
    # fewer solutions closer to a random reference, none beyond the Bethe entropy
    assert le["local_entropy"][0] < le["local_entropy"][1] < out["bethe_entropy"] + 1e-6


def test_bp_teacher_reference_and_text(capsys):
    code, out, _ = run(capsys, "bp", "--n", 101, "--alpha", 0.5, "--kind", "teacher", "--reference", "teacher",
                       "--d", 0.2)
    assert code == 0 and "bethe_entropy" in out and "local entropy around a teacher reference" in out


def test_bp_not_converged_exits_1_without_nan(capsys):
    code, out, _ = run(capsys, "bp", "--n", 101, "--alpha", 0.5, "--max-iter", 1, "--json")
    assert code == 1
    data = json.loads(out, parse_constant=lambda c: pytest.fail(f"non-finite number {c}"))
    assert data["converged"] is False


@pytest.mark.parametrize("args, word", [
    ([], "SUBCOMMAND"),
    (["frobnicate"], "frobnicate"),
    (["count", "--alpha", "0.5"], "--n"),
    (["count", "--n", "x", "--alpha", "0.5"], "--n"),
    (["count", "--n", "10", "--alpha", "zero"], "--alpha"),
    (["count", "--n", "10", "--alpha", "-1"], "alpha"),
    (["count", "--n", "0", "--alpha", "0.5"], "n must"),
    (["count", "--n", "40", "--alpha", "0.5"], "34"),
    (["count", "--n", "10", "--alpha", "0.5", "--kind", "planted"], "kind"),
    (["count", "--n", "10", "--alpha", "0.5", "--kappa", "-1"], "kappa"),
    (["count", "--instance", "/nonexistent/inst.npz"], "no such instance file"),
    (["count", "--instance", "__SELF__"], "cannot read"),
    (["histogram", "--n", "10", "--alpha", "0.5", "--reference", "teacher"], "reference"),
    (["histogram", "--n", "9", "--alpha", "3"], "no solution"),
    (["instance", "--n", "10", "--alpha", "0.5", "--save", "/nonexistent/dir/x.npz"], "cannot write"),
    (["bp", "--n", "10", "--alpha", "0.5", "--kind", "teacher"], "odd"),
    (["bp", "--n", "101", "--alpha", "0.5", "--d", "0.7"], "d must"),
    (["bp", "--n", "101", "--alpha", "0.5", "--d"], "--d"),
    (["bp", "--n", "101", "--alpha", "0.5", "--reference", "teacher", "--d", "0.2"], "teacher"),
    (["bp", "--n", "101", "--alpha", "0.5", "--reference", "solution", "--d", "0.2"], "34"),
    (["bp", "--n", "101", "--alpha", "0.5", "--damping", "1"], "damping"),
])
def test_bad_input_is_one_line_exit_2(capsys, args, word):
    args = [__file__ if a == "__SELF__" else a for a in args]  # a file that is not an .npz
    code, out, err = run(capsys, *args)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and word in lines[0] and "Traceback" not in err, err


def test_instance_and_n_together_is_an_error(capsys, tmp_path):
    path = tmp_path / "i.npz"
    run_json(capsys, "instance", "--n", 11, "--alpha", 0.5, "--save", path)
    code, _, err = run(capsys, "count", "--instance", path, "--n", 11)
    assert code == 2 and "either --instance or --n" in err


def test_wiring_into_a_parent_parser(capsys):
    """As replica.cli wires it: add_sample_parser on the command's subparsers, args.run."""
    parser = argparse.ArgumentParser(prog="replica")
    add_sample_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["sample", "count", "--n", "13", "--alpha", "0.5", "--json"])
    assert args.run is run_sample
    assert args.run(args) == 0
    assert json.loads(capsys.readouterr().out)["count"] == count_solutions(random_instance(13, 0.5, rng=0))


def test_committee_count_histogram_and_bp(capsys):
    """--k K [--activation]: the tree committee, same numbers as the API on the same
    instance (exact count; histogram summing to it; Bethe entropy); one-line errors."""
    from replica.sampler import committee_bethe_entropy, count_committee_solutions

    inst = random_instance(21, 0.3, rng=4)
    out = run_json(capsys, "count", "--n", 21, "--alpha", 0.3, "--seed", 4, "--k", 3)
    assert out["committee"] == {"k": 3, "activation": "sign"}
    assert out["count"] == count_committee_solutions(inst, 3, "sign")
    hist = run_json(capsys, "histogram", "--n", 21, "--alpha", 0.3, "--seed", 4, "--k", 3)
    assert sum(hist["counts"]) == out["count"] and hist["counts"][0] == 1  # the reference is a solution
    big = random_instance(300, 0.3, rng=2)
    out = run_json(capsys, "bp", "--n", 300, "--alpha", 0.3, "--seed", 2, "--k", 2, "--activation", "relu")
    assert out["bethe_entropy"] == pytest.approx(committee_bethe_entropy(big, 2, "relu"), abs=1e-12)
    for args, word in [(("bp", "--n", 99, "--alpha", 0.3, "--k", 3, "--d", 0.1), "perceptron only"),
                       (("count", "--n", 28, "--alpha", 0.3, "--k", 3), "divide")]:
        code, _, err = run(capsys, *args)
        assert code == 2 and word in err and len(err.strip().splitlines()) == 1
