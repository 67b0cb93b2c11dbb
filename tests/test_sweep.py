"""Continuation curves, thresholds and parallel sweeps."""

import concurrent.futures
import dataclasses
import json
import warnings

import numpy as np
import pytest

import replica
from replica.errors import Reason
from replica.models.perceptron import Gardner
from replica.sweep import Homotopy, _not_attempted, bisect_property, not_attempted, with_note


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


# --- reasons along a curve, helpers ---------------------------------------------------


@pytest.fixture(scope="module")
def curve_past_the_end():
    """A curve whose branch ends (alpha = 4/pi): the ending callable says so."""
    def end(good, failed):
        assert all(p.success for p in good) and not failed.success
        return "past the end of the RS branch" if failed.params.alpha > 4 / np.pi else None

    with pytest.warns(replica.ConvergenceWarning):
        return replica.continuation(Gardner(alpha=0.5), "alpha", [0.5, 1.0, 1.5, 1.6, 1.7], end_of_branch=end)


def test_end_of_branch_string_gives_end_of_branch_reason(curve_past_the_end):
    c = curve_past_the_end
    assert list(c.success) == [True, True, False, False, False]
    assert [p.reason for p in c.points] == [Reason.CONVERGED] * 2 + [Reason.END_OF_BRANCH] * 3
    assert c.points[2].message.startswith("past the end of the RS branch (last attempt: ")
    assert c.points[3].message == c.points[4].message == "past the end of the RS branch"
    assert c.points[3].method == "none" and c.points[3].params.alpha == 1.6


def test_end_of_branch_tuple_sets_the_reason_of_the_rest():
    with pytest.warns(replica.ConvergenceWarning):
        c = replica.continuation(Gardner(alpha=0.5), "alpha", [0.5, 1.5, 1.6],
                                 end_of_branch=lambda good, failed: (Reason.SATURATED, "saturated here"))
    assert [p.reason for p in c.points] == [Reason.CONVERGED, Reason.SATURATED, Reason.SATURATED]
    assert "saturated here (last attempt:" in c.points[1].message and c.points[2].message == "saturated here"


def test_end_of_branch_must_return_a_known_type():
    with pytest.raises(TypeError, match="end_of_branch"), warnings.catch_warnings():
        warnings.simplefilter("ignore", replica.ConvergenceWarning)
        replica.continuation(Gardner(alpha=0.5), "alpha", [0.5, 1.5], end_of_branch=lambda good, failed: 1)


def test_curve_reason_column_summary_and_last_converged(curve_past_the_end, tmp_path):
    c = curve_past_the_end
    rows = c.to_records()
    keys = list(rows[0])
    assert keys[keys.index("message") + 1] == "reason"
    assert [r["reason"] for r in rows] == ["converged"] * 2 + ["end of branch"] * 3
    data = json.loads(c.to_json(tmp_path / "c.json"))
    assert data["reason"][2] == "end of branch"
    header, *lines = c.to_csv().strip().splitlines()
    assert header.split(",")[-1] == "reason" and lines[-1].endswith(",end of branch")
    assert c.converged == c.points[:2]
    assert c.last_converged() == dict(c.points[1].order) and type(c.last_converged()) is dict
    assert c.message == "2 of 5 points converged; failed: 3 end of branch"
    empty = replica.Curve("alpha", np.array([2.0]), (not_attempted(Gardner(alpha=2.0), "no"),))
    assert empty.last_converged() is None and empty.last_converged({"q": 0.5}) == {"q": 0.5}
    assert empty.converged == () and empty.message == "0 of 1 points converged; failed: 1 not attempted"


def test_not_attempted_and_with_note():
    spec = Gardner(alpha=2.0)
    p = not_attempted(spec, "past the gap", reason=Reason.NO_RS_SOLUTION)
    assert not p.success and p.reason is Reason.NO_RS_SOLUTION and p.message == "past the gap"
    assert p.params is spec and p.order == {} and p.free_entropy is None
    tried = dataclasses.replace(p, message="line search failed", nit=7)
    q = _not_attempted(spec, "no start", tried)  # old positional signature
    assert q.reason is Reason.NOT_ATTEMPTED and q.nit == 7
    assert q.message == "no start (last attempt: line search failed)"
    noted = with_note(p, "free reference")
    assert noted.message == "past the gap; free reference" and noted.reason is Reason.NO_RS_SOLUTION
    good = replica.solve(Gardner(alpha=0.5))
    assert with_note(good, "x").reason is Reason.CONVERGED and with_note(good, "x").order == good.order


@pytest.mark.parametrize("call", [
    lambda **kw: replica.continuation(Gardner(alpha=0.5), "alpha", [0.5, 0.6], **kw),
    lambda **kw: replica.find_parameter(Gardner(alpha=0.6), "alpha", **kw),
    lambda **kw: replica.sweep([Gardner(alpha=0.5)], **kw),
])
def test_unknown_solver_options_are_rejected_up_front(call):
    with pytest.raises(TypeError, match=r"unknown solver option 'tolerance' \(did you mean 'tol'\?\); "
                                        r"solve\(\) accepts: init, method, tol, maxiter"):
        call(tolerance=1e-9)


def test_sweep_does_not_take_init():
    with pytest.raises(TypeError, match="'init' cannot be passed on"):
        replica.sweep([Gardner(alpha=0.5)], init={"q": 0.3})


@pytest.mark.parametrize("call", [
    lambda spec: replica.continuation(spec, "alpha", [0.5]),
    lambda spec: replica.find_parameter(spec, "alpha"),
    lambda spec: replica.sweep([Gardner(alpha=0.5), spec]),
])
def test_engine_entry_points_reject_non_specs(call):
    class Half:
        alpha = 0.5

        def free_entropy(self):
            return Gardner(alpha=0.5).free_entropy()

    missing = r"Half object is not a model spec: it has no parameter_values\(\), initial_guess\(\)"
    with pytest.raises(TypeError, match=missing):
        call(Half())


def test_threshold_reason():
    ok = replica.solve(Gardner(alpha=0.5))
    with pytest.warns(replica.ConvergenceWarning):
        bad = replica.solve(Gardner(alpha=0.9), quad=replica.QuadratureOptions(rule="hermite"))
    assert replica.Threshold("alpha", 0.5, ok, True, "found", 1e-9, 3).reason is Reason.CONVERGED
    assert replica.Threshold("alpha", 0.9, bad, False, "failed", np.inf, 3).reason is Reason.QUADRATURE_ERROR
    assert replica.Threshold("alpha", 0.5, ok, False, "no convergence", np.inf, 60).reason is Reason.NOT_CONVERGED
    given = replica.Threshold("alpha", 0.5, ok, False, "x", np.inf, 1, Reason.NO_RS_SOLUTION)
    assert given.reason is Reason.NO_RS_SOLUTION
    t = replica.find_parameter(Gardner(alpha=0.6), "alpha", target=0.0)
    assert t.success and t.reason is Reason.CONVERGED


def test_bisect_property():
    lo, hi, nit, payload = bisect_property(lambda x: (x * x < 2.0, f"at {x}"), 1.0, 2.0, xtol=1e-10)
    assert lo < np.sqrt(2.0) < hi and hi - lo <= 1e-10 and payload == f"at {lo}" and nit == 2 + 34
    # the bracket may run downwards: holds above the boundary, fails below
    lo, hi, _, _ = bisect_property(lambda x: (x > 0.3, None), 1.0, 0.0, xtol=1e-6)
    assert hi <= 0.3 < lo and lo - hi <= 1e-6
    with pytest.raises(ValueError, match="does not hold at lo") as err:
        bisect_property(lambda x: (x > 0.3, x), 0.1, 1.0, xtol=1e-3)
    assert err.value.payload == 0.1
    with pytest.raises(ValueError, match="holds at hi"):
        bisect_property(lambda x: (x > 0.3, x), 0.5, 1.0, xtol=1e-3)
    with pytest.raises(ValueError, match="xtol"):
        bisect_property(lambda x: (True, x), 0.5, 1.0, xtol=0.0)
    # an xtol below the float spacing ends instead of looping
    lo, hi, nit, _ = bisect_property(lambda x: (x < 1.0, None), 0.0, 2.0, xtol=1e-300)
    assert lo < 1.0 <= hi and nit < 1200


def test_homotopy_resolve_then_and_chaining():
    h = Homotopy(Gardner(alpha=0.1), "alpha", np.array([0.1, 0.5]))
    assert h.values == (0.1, 0.5)
    ref = replica.solve(Gardner(alpha=0.8)).order
    chained = Homotopy(Gardner(alpha=0.5), "alpha", [0.5, 0.8], init=h, then=lambda o: {"q": o["q"]})
    start = chained.resolve()
    assert set(start) == {"q"} and start["q"] == pytest.approx(ref["q"], rel=1e-9)


def test_homotopy_without_converged_point():
    beyond = Homotopy(Gardner(alpha=1.5), "alpha", [1.5, 1.6])  # past the end of the RS branch
    with warnings.catch_warnings():
        warnings.simplefilter("error", replica.ConvergenceWarning)  # resolve is quiet
        no_point = "homotopy in alpha from 1.5 to 1.6 found no converged"
        with pytest.raises(replica.ConvergenceError, match=no_point) as err:
            beyond.resolve()
        assert isinstance(err.value.result, replica.Curve)
        init = {"q": 0.9, "qhat": 50.0}
        assert dataclasses.replace(beyond, init=init).resolve() == init
        assert dataclasses.replace(beyond, init=init, then=lambda o: {"q": o["q"]}).resolve() == {"q": 0.9}


def test_homotopy_validates():
    with pytest.raises(ValueError, match="no parameter 'beta'"):
        Homotopy(Gardner(alpha=0.1), "beta", [0.1])
    with pytest.raises(ValueError, match="non-empty"):
        Homotopy(Gardner(alpha=0.1), "alpha", [])
