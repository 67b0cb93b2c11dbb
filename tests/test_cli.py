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


def test_local_entropy_json_has_the_arrays():
    r = run("local-entropy", "--alpha", "0.5", "--d", "0.3", "0.15", "0.05", "--y", "inf", "--reference", "free", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert {"d", "local_entropy", "success", "phat", "q", "qhat"} <= set(out)
    assert out["d"] == [0.3, 0.15, 0.05] and all(out["success"])
    assert out["local_entropy"][1] == pytest.approx(0.2784874882, abs=1e-9)
    assert out["local_entropy"][0] == pytest.approx(0.3143900669, abs=1e-9)  # plateau: s(alpha)


def test_franz_parisi_csv_and_plot(tmp_path):
    csv_path, png = tmp_path / "fp.csv", tmp_path / "fp.png"
    r = run("franz-parisi", "--alpha", "0.7", "--d", "0.1", "0.05", "--csv", str(csv_path), "--plot", str(png))
    assert r.returncode == 0, r.stderr
    text = csv_path.read_text().splitlines()
    assert text[0].startswith("d,success,") and "local_entropy" in text[0] and len(text) == 3
    assert png.exists() and png.stat().st_size > 0


@pytest.mark.parametrize("args, word", [
    (["local-entropy", "--alpha", "0.5", "--d", "0.1", "--activation", "relu", "--reference", "solution"], "reference"),
    (["local-entropy", "--alpha", "0.5", "--d", "0.7"], "d"),
    (["local-entropy", "--alpha", "0.5", "--d", "0.1", "--y", "-1"], "y"),
    (["franz-parisi", "--alpha", "0.9", "--d", "0.1"], "alpha"),
    (["franz-parisi", "--alpha", "0.5"], "--d"),
])
def test_curve_commands_reject_bad_input_in_one_line(args, word):
    r = run(*args)
    assert r.returncode == 2
    assert word in r.stderr and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_local_entropy_with_the_reference_a_solution():
    # independent scratch solver of the constrained y = inf equations (docs/derivations/scratch_values.md §3): 0.10886367061953794
    r = run("local-entropy", "--alpha", "0.7", "--d", "0.1", "--reference", "solution", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["success"] == [True]
    assert abs(out["local_entropy"][0] - 0.10886367061953794) < 1e-9


def test_committee_and_its_capacity():
    """Large-K tree committee: the linear activation is the perceptron (Gardner's numbers);
    the spherical ReLU capacity is 2 Q'(1) = 2 pi/(pi - 1); the sign one is infinite."""
    lin = json.loads(run("committee", "--activation", "linear", "--weights", "binary", "--alpha", "0.5", "--json").stdout)
    assert lin["entropy"] == pytest.approx(0.3143900668556, abs=1e-10) and lin["success"] is True
    relu = json.loads(run("capacity", "--model", "committee", "--activation", "relu", "--json").stdout)
    assert relu["alpha_c"] == pytest.approx(2 * 3.141592653589793 / (3.141592653589793 - 1), abs=1e-8)
    sign = json.loads(run("capacity", "--model", "committee", "--activation", "sign", "--json").stdout)
    assert sign["alpha_c"] == "inf" and sign["success"] is True
    r = run("committee", "--alpha", "1.0")
    assert r.returncode == 0 and "relu" in r.stdout and "entropy" in r.stdout


@pytest.mark.parametrize("args, word", [
    (["committee", "--alpha", "1", "--k", "x"], "--k"),
    (["committee", "--alpha", "1", "--k", "3"], "k must be"),  # relu needs K = 2
    (["committee", "--alpha", "1", "--k", "3", "--activation", "sign", "--kappa", "0.5"], "--kappa"),
    (["committee", "--alpha", "-1"], "alpha"),
    (["committee", "--alpha", "1", "--activation", "tanh"], "activation"),
    (["capacity", "--activation", "relu"], "--model committee"),
])
def test_committee_bad_input_is_one_line(args, word):
    r = run(*args)
    assert r.returncode == 2 and word in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_committee_geometry_and_1rsb_capacity():
    """--activation on franz-parisi / local-entropy selects the large-K committee: at the
    end point d* of the y = inf branch S_I is the committee's Gardner entropy; --rsb 1
    gives the 1RSB capacity, below the RS one 2 pi/(pi - 1)."""
    s = json.loads(run("committee", "--activation", "sign", "--weights", "binary", "--alpha", "0.5", "--json").stdout)
    le = json.loads(run("local-entropy", "--alpha", "0.5", "--d", "0.45", "--activation", "sign", "--json").stdout)
    assert le["success"] == [True] and le["local_entropy"][0] == pytest.approx(s["entropy"], abs=1e-12)
    fp = run("franz-parisi", "--alpha", "0.5", "--d", "0.01", "0.1", "--activation", "relu")
    assert fp.returncode == 0 and "relu committee" in fp.stdout
    one = json.loads(run("capacity", "--model", "committee", "--rsb", "1", "--json").stdout)
    assert one["success"] is True and 2.0 < one["alpha_c"] < one["alpha_rs"]
    r = run("local-entropy", "--alpha", "0.5", "--d", "0.1", "--activation", "relu", "--reference", "solution")
    assert r.returncode == 2 and "reference='solution'" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = run("capacity", "--rsb", "1")
    assert r.returncode == 2 and "--rsb 1" in r.stderr


def test_finite_k_committee():
    """--k 1 with sign units is the perceptron (Gardner's entropy 0.3143900668556 at
    alpha = 0.5); --k 3 gives the tree committee, whose spherical RS capacity is
    1/E[c] = 4.0251918806 (c: the cheapest squared shift of two unit fields)."""
    one = json.loads(run("committee", "--k", "1", "--activation", "sign", "--weights", "binary", "--alpha", "0.5",
                         "--json").stdout)
    assert one["k"] == 1 and one["entropy"] == pytest.approx(0.3143900668556, abs=1e-10)
    cap = json.loads(run("capacity", "--model", "committee", "--k", "3", "--activation", "sign", "--json").stdout)
    e_c = 5 / 8 - (3 + 3**0.5) / (4 * 3.141592653589793)
    assert cap["k"] == 3 and cap["alpha_c"] == pytest.approx(1 / e_c, abs=1e-8)


def test_robustness():
    """`replica robustness`: the API's numbers (alpha = 0 noise: arctan(sigma)/pi, a closed
    form), text and JSON, and one-line errors."""
    out = json.loads(run("robustness", "--alpha", "0", "--noise", "0.1", "0.5", "--json").stdout)
    assert out["noise"] == [0.1, 0.5] and out["success"] == [True, True]
    assert out["training_error"] == pytest.approx([0.0317255174, 0.1475836177], abs=1e-9)
    r = run("robustness", "--alpha", "0.5", "--delta", "0.01", "--activation", "relu", "--dense-d", "0.02")
    assert r.returncode == 0 and "dense region" in r.stdout
    for args, word in [(("--alpha", "0.5"), "required"), (("--alpha", "0.5", "--delta", "0.1", "--noise", "0.1"),
                       "not allowed"), (("--alpha", "0.5", "--noise", "-1"), "noise")]:
        r = run("robustness", *args)
        assert r.returncode == 2 and word in r.stderr and len(r.stderr.strip().splitlines()) == 1
