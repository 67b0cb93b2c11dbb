"""Continuation curves, thresholds and parallel sweeps."""

import concurrent.futures
import json
import warnings

import numpy as np
import pytest

import replica
from replica.models.perceptron import Gardner


def test_curve_keeps_failed_points_and_carries_on():
    values = [0.5, 1.0, 1.5, 1.1, 0.7]  # 1.5 is beyond the RS branch (4/pi)
    with pytest.warns(replica.ConvergenceWarning, match="alpha=1.5"):
        curve = replica.continuation(Gardner(alpha=0.5), "alpha", values)
    assert list(curve.success) == [True, True, False, True, True]
    q = curve.column("q")
    assert q.mask.tolist() == [False, False, True, False, False]
    assert "no converged saddle point" in curve.points[2].message
    ref = replica.solve(Gardner(alpha=0.7))
    assert q[4] == pytest.approx(ref.order["q"], rel=1e-10)


def test_curve_exports_without_nan(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", replica.ConvergenceWarning)
        curve = replica.continuation(Gardner(alpha=0.5), "alpha", [0.5, 1.5])
    text = curve.to_json(tmp_path / "c.json")
    data = json.loads(text)
    assert data["alpha"] == [0.5, 1.5] and data["success"] == [True, False]
    assert data["entropy"][1] is None and "NaN" not in text
    csv_text = curve.to_csv(tmp_path / "c.csv")
    header, row1, row2 = csv_text.strip().splitlines()
    assert header.startswith("alpha,success,free_entropy") and "nan" not in csv_text.lower()
    assert float(row1.split(",")[2]) == pytest.approx(curve.points[0].free_entropy)


def test_continuation_strict_raises():
    with pytest.raises(replica.ConvergenceError):
        replica.continuation(Gardner(alpha=0.5), "alpha", [0.5, 1.5], strict=True)


def test_continuation_rejects_unknown_parameter():
    with pytest.raises(ValueError, match="no parameter"):
        replica.continuation(Gardner(alpha=0.5), "beta", [0.1])


def test_find_parameter_with_envelope_slope():
    t = replica.find_parameter(Gardner(alpha=0.6), "alpha", observable="free_entropy", target=0.0)
    assert t.success and t.value == pytest.approx(0.8330786, abs=1e-7)
    # secant path (no envelope theorem for an order parameter) gives the same load
    q_c = t.saddle.order["q"]
    t2 = replica.find_parameter(Gardner(alpha=0.6), "alpha", observable="q", target=q_c)
    assert t2.success and t2.value == pytest.approx(t.value, abs=1e-9)


def test_sweep_serial_and_parallel_agree():
    specs = [Gardner(alpha=a) for a in (0.2, 0.4, 0.6)]
    serial = replica.sweep(specs)
    with concurrent.futures.ProcessPoolExecutor(max_workers=2) as ex:
        parallel = replica.sweep(specs, executor=ex)
    for a, b in zip(serial, parallel):
        assert a.success and b.success
        assert a.free_entropy == b.free_entropy


def test_prediction_stays_inside_the_domains():
    """A polynomial prediction that leaves a domain (a small positive width overshooting
    below 0, an overlap past 1) is replaced, component by component, by the geometric
    extrapolation of the distance to that bound; components inside are kept."""
    from replica._coordinates import StiffCoordinates
    from replica.sweep import _inside

    coords = StiffCoordinates([0.0, 0.0, -np.inf], [np.inf, 1.0, np.inf])
    last_two = [(1.0, np.array([4e-6, 0.9, 3.0])), (2.0, np.array([1e-6, 0.99, 2.0]))]
    out = _inside(np.array([-2e-6, 1.01, 1.0]), 3.0, last_two, coords)
    assert out[0] == pytest.approx(2.5e-7)  # distance to 0 shrinks fourfold per step
    assert 1.0 - out[1] == pytest.approx(1e-3)  # distance to 1 tenfold
    assert out[2] == 1.0
