"""The generic solver: methods, reporting, failure handling."""

import math

import pytest

import replica
from replica.models.perceptron import Gardner
from replica.quadrature import QuadratureOptions


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
