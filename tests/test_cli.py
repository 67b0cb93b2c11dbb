"""The replica command: output keys, exit codes, one-line errors."""

import json
import subprocess
import sys

import pytest


def run(*args):
    return subprocess.run([sys.executable, "-m", "replica", *args], capture_output=True, text=True, timeout=120)


def test_gardner_json():
    r = run("gardner", "--alpha", "0.5", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert {"entropy", "order", "success", "residual"} <= set(out)
    assert set(out["order"]) == {"q", "qhat"} and out["success"] is True
    assert out["entropy"] == pytest.approx(0.3143900668556, abs=1e-12)


def test_gardner_spherical_json_has_q_and_qhat():
    out = json.loads(run("gardner", "--alpha", "1.0", "--weights", "spherical", "--kappa", "0.2", "--json").stdout)
    assert set(out["order"]) == {"q", "qhat"} and out["weights"] == "spherical"


def test_capacity_json():
    out = json.loads(run("capacity", "--weights", "binary", "--json").stdout)
    assert out["alpha_c"] == pytest.approx(0.8330786, abs=1e-7)
    out = json.loads(run("capacity", "--weights", "spherical", "--kappa", "1", "--json").stdout)
    assert out["alpha_c"] == pytest.approx(0.5195722296, abs=1e-9)


def test_text_output():
    r = run("gardner", "--alpha", "0.3")
    assert r.returncode == 0 and "entropy" in r.stdout and "qhat" in r.stdout


@pytest.mark.parametrize("args, word", [
    (["gardner", "--alpha", "-1"], "alpha"),
    (["gardner", "--alpha", "0.5", "--weights", "ternary"], "weights"),
    (["gardner", "--alpha", "zero"], "alpha"),
    (["capacity", "--kappa", "-0.5"], "kappa"),
    (["gardner"], "alpha"),
    (["frobnicate"], "frobnicate"),
    ([], "COMMAND"),
])
def test_bad_input_is_one_line_exit_2(args, word):
    r = run(*args)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and word in lines[0] and "Traceback" not in r.stderr


def test_no_rs_solution_exits_1_without_nan():
    r = run("gardner", "--alpha", "2.0", "--json")
    assert r.returncode == 1
    out = json.loads(r.stdout)
    assert out["success"] is False and "NaN" not in r.stdout
