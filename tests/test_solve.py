"""The generic solver: methods, reporting, failure handling."""

import dataclasses
import functools
import math
import re
from dataclasses import dataclass

import numpy as np
import pytest
import sympy as sp

import replica
from replica.errors import Reason
from replica.models.perceptron import Gardner
from replica.quadrature import QuadratureOptions
from replica.symbolic import FreeEntropy


@pytest.mark.parametrize("method", ["newton", "fixed-point", "hybr", "lm", "auto"])
def test_every_method_finds_the_same_saddle(method):
    ref = replica.solve(Gardner(alpha=0.55), method="newton")
    sp_ = replica.solve(Gardner(alpha=0.55), method=method, init={"q": 0.3, "qhat": 0.8}, maxiter=200)
    assert sp_.success, sp_.message
    for k in ("q", "qhat"):
        assert sp_.order[k] == pytest.approx(ref.order[k], rel=1e-9)
    assert sp_.method == method if method != "auto" else sp_.method in ("newton", "hybr")


def test_result_reports_convergence_measures():
    sp_ = replica.solve(Gardner(alpha=0.5))
    assert sp_.success and sp_.nit > 0
    assert sp_.residual < 1e-12 and sp_.step < 1e-11 and sp_.quad_error < 1e-12
    assert sp_["q"] == sp_.order["q"] and sp_["entropy"] == sp_.free_entropy
    d = sp_.to_dict()
    assert d["params"] == {"alpha": 0.5, "weights": "binary", "kappa": 0.0}
    with pytest.raises(KeyError):
        sp_["nope"]


def test_warm_start_from_a_saddle_point():
    a = replica.solve(Gardner(alpha=0.6))
    b = replica.solve(Gardner(alpha=0.61), init=a)
    assert b.success and b.nit <= a.nit


def test_non_convergence_warns_and_strict_raises():
    spec = Gardner(alpha=0.5)
    with pytest.warns(replica.ConvergenceWarning):
        sp_ = replica.solve(spec, method="fixed-point", maxiter=1)
    assert not sp_.success and "no converged saddle point" in sp_.message
    with pytest.raises(replica.ConvergenceError) as err:
        replica.solve(spec, method="fixed-point", maxiter=1, strict=True)
    assert isinstance(err.value.result, replica.SaddlePoint)


def test_quad_tol_flags_unresolved_integrands():
    with pytest.warns(replica.ConvergenceWarning, match="quadrature error"):
        sp_ = replica.solve(Gardner(alpha=0.9), quad=QuadratureOptions(rule="hermite"))
    assert not sp_.success and sp_.quad_error > 1e-6


@pytest.mark.parametrize("kwargs, word", [
    (dict(method="bisection"), "method"), (dict(tol=0.0), "tol"), (dict(maxiter=0), "maxiter"),
    (dict(damping=1.5), "damping"), (dict(quad_tol=-1.0), "quad_tol"), (dict(init={"r": 0.1}), "init"),
    (dict(method="fixed-point"), "fixed-point"),
])
def test_bad_arguments(kwargs, word):
    spec = Gardner(alpha=0.5) if kwargs.get("method") != "fixed-point" else replica.GardnerQ1Limit(alpha=1.0)
    with pytest.raises(ValueError, match=word):
        replica.solve(spec, **kwargs)


def test_no_nan_ever_returned():
    # Start outside the domain, at a load with no RS solution, with a crippled rule.
    with pytest.warns(replica.ConvergenceWarning):
        sp_ = replica.solve(Gardner(alpha=3.0), init={"q": 0.999999, "qhat": 1e12})
    values = [sp_.free_entropy, sp_.residual, sp_.step, sp_.quad_error, *sp_.order.values(), *sp_.observables.values()]
    assert all(v is None or math.isfinite(v) for v in values)


# --- reasons, the spec contract, homotopies -------------------------------------------


def test_reason_of_a_converged_point_and_to_dict():
    sp_ = replica.solve(Gardner(alpha=0.5))
    assert sp_.reason is Reason.CONVERGED and sp_.reason == "converged"
    d = sp_.to_dict()
    assert d["reason"] == "converged" and type(d["reason"]) is str


def test_reason_not_converged_and_quadrature_error():
    with pytest.warns(replica.ConvergenceWarning):
        bad = replica.solve(Gardner(alpha=0.5), method="fixed-point", maxiter=1)
    assert bad.reason is Reason.NOT_CONVERGED
    with pytest.warns(replica.ConvergenceWarning):
        unresolved = replica.solve(Gardner(alpha=0.9), quad=QuadratureOptions(rule="hermite"))
    assert unresolved.reason is Reason.QUADRATURE_ERROR


_m, _a = sp.symbols("m a", real=True)


@dataclass(frozen=True)
class _LogAtSaddle(replica.ModelSpec):
    """phi = -(m - a)^2/2: the saddle m = a, where the observable ln(m - a) is -inf."""

    a: float = 0.3

    def free_entropy(self):
        return _log_at_saddle_theory()

    def initial_guess(self):
        return {"m": 0.0}


@functools.lru_cache(maxsize=None)
def _log_at_saddle_theory():
    return FreeEntropy("test-log-at-saddle", -(_m - _a) ** 2 / 2, order=(_m,), params=(_a,),
                       observables={"log_gap": sp.log(_m - _a)})


def test_reason_not_finite_for_an_infinite_observable():
    with pytest.warns(replica.ConvergenceWarning, match="not finite: log_gap"):
        sp_ = replica.solve(_LogAtSaddle())
    assert not sp_.success and sp_.reason is Reason.NOT_FINITE
    assert sp_.order["m"] == pytest.approx(0.3) and sp_.observables["log_gap"] is None


def test_saddle_point_reason_defaults_and_validation():
    fields = dict(order={}, free_entropy=None, observables={}, nit=0, residual=None, step=None,
                  quad_error=None, params=None, method="none")
    assert replica.SaddlePoint(success=True, message="", **fields).reason is Reason.CONVERGED
    assert replica.SaddlePoint(success=False, message="", **fields).reason is Reason.NOT_CONVERGED
    p = replica.SaddlePoint(success=False, message="", reason="saturated", **fields)
    assert p.reason is Reason.SATURATED
    assert dataclasses.replace(p, message="x").reason is Reason.SATURATED
    with pytest.raises(ValueError):
        replica.SaddlePoint(success=False, message="", reason="tired", **fields)


def test_errors_are_the_same_objects_everywhere():
    from replica import errors
    from replica.solve import ConvergenceError, ConvergenceWarning  # old import path

    assert replica.ConvergenceWarning is errors.ConvergenceWarning is ConvergenceWarning
    assert replica.ConvergenceError is errors.ConvergenceError is ConvergenceError
    assert replica.Reason is errors.Reason


def test_coordinate_kinds_keep_their_integer_values():
    from replica._coordinates import CoordinateKind, StiffCoordinates

    c = StiffCoordinates([-np.inf, 0.0, 0.0, -np.inf, 0.0], [np.inf, 1.0, np.inf, 1.0, np.inf],
                         [False, False, False, False, True])
    assert c.kind.tolist() == [0, 1, 2, 3, 4]
    assert [CoordinateKind(k).name for k in c.kind] == ["LINEAR", "INTERVAL", "LOWER_BOUNDED", "UPPER_BOUNDED", "LOG"]
    x = np.array([0.3, 0.99, 5.0, 0.2, 1e-30])
    x_back, d = c.to_x(c.to_y(x))
    assert np.allclose(x_back, x, rtol=1e-12, atol=0) and np.allclose(d, c.scale(x), rtol=1e-12)


class _DuckSpec:
    """Not a ModelSpec: the three methods are enough."""

    def __init__(self, alpha):
        self.alpha = alpha

    def free_entropy(self):
        return Gardner(alpha=self.alpha).free_entropy()

    def parameter_values(self):
        return (self.alpha, 0.0)

    def initial_guess(self):
        return {"q": 0.3, "qhat": 0.5}


def test_duck_typed_specs_still_work():
    ref = replica.solve(Gardner(alpha=0.5))
    duck = replica.solve(_DuckSpec(0.5))
    assert duck.success and duck.order["q"] == pytest.approx(ref.order["q"], rel=1e-10)


class _NoGuess:
    def free_entropy(self):
        return Gardner(alpha=0.5).free_entropy()

    def parameter_values(self):
        return (0.5, 0.0)


@pytest.mark.parametrize("spec, missing", [
    (object(), "free_entropy(), parameter_values(), initial_guess()"),
    (_NoGuess(), "initial_guess()"),
    ({"alpha": 0.5}, "free_entropy()"),
])
def test_solve_rejects_objects_that_are_not_specs(spec, missing):
    with pytest.raises(TypeError, match=re.escape(f"not a model spec: it has no {missing}")):
        replica.solve(spec)


@dataclass(frozen=True)
class _GardnerFromSmallLoad(Gardner):
    """Gardner whose initial guess is a homotopy in alpha from 0.1 (counts its calls)."""

    calls: list = dataclasses.field(default_factory=list, compare=False, repr=False)

    def initial_guess(self):
        def then(order):
            self.calls.append(dict(order))
            return order

        values = np.linspace(0.1, self.alpha, 5)
        return replica.Homotopy(Gardner(alpha=0.1, weights=self.weights, kappa=self.kappa), "alpha", values, then=then)


def test_initial_guess_may_be_a_homotopy():
    spec = _GardnerFromSmallLoad(alpha=1.2)
    sp_ = replica.solve(spec)
    ref = replica.solve(Gardner(alpha=1.2))
    assert sp_.success and sp_.reason is Reason.CONVERGED
    assert sp_.order["q"] == pytest.approx(ref.order["q"], rel=1e-10)
    assert len(spec.calls) == 1 and spec.calls[0]["q"] == pytest.approx(ref.order["q"], rel=1e-9)
    # a complete init: the homotopy is never run
    replica.solve(spec, init=ref)
    assert len(spec.calls) == 1


def test_init_may_be_a_homotopy():
    h = replica.Homotopy(Gardner(alpha=0.1), "alpha", [0.1, 0.6, 1.0])
    sp_ = replica.solve(Gardner(alpha=1.0), init=h)
    assert sp_.success and sp_.nit <= 3
