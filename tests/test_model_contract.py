"""The model contract: replica.models.base.ModelSpec as the base of frozen dataclasses."""

import ast
import dataclasses
import functools
import pathlib
from dataclasses import dataclass

import pytest
import sympy as sp

import replica
from replica import _validate
from replica.models.base import ModelSpec
from replica.quadrature import QuadratureOptions
from replica.symbolic import FreeEntropy, Log2Cosh

_m, _beta, _h = sp.symbols("m beta h", real=True)


@functools.lru_cache(maxsize=None)
def _curie_weiss() -> FreeEntropy:
    return FreeEntropy("test-curie-weiss", -_beta * _m**2 / 2 + Log2Cosh(_beta * _m + _h), order=(_m,),
                       params=(_beta, _h))


@dataclass(frozen=True)
class CurieWeiss(ModelSpec):
    beta: float
    h: float = 0.0

    def __post_init__(self):
        _validate.real("beta", self.beta, lower=0.0)
        _validate.real("h", self.h)

    def free_entropy(self):
        return _curie_weiss()

    def initial_guess(self):
        return {"m": 0.5}


def test_a_frozen_dataclass_spec_solves_and_follows():
    spec = CurieWeiss(beta=2.0, h=0.1)
    assert isinstance(spec, ModelSpec) and dataclasses.is_dataclass(spec)
    assert [f.name for f in dataclasses.fields(spec)] == ["beta", "h"]  # quadrature is no field
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.beta = 3.0
    assert spec.parameter_values() == (2.0, 0.1) and spec.quadrature is None
    sp_ = replica.solve(spec)
    assert sp_.success and sp_["m"] == pytest.approx(0.9662537093932692, abs=1e-12)  # m = tanh(2m + 0.1)
    curve = replica.continuation(spec, "beta", [2.0, 1.5, 1.2])
    assert curve.success.all() and curve.last_converged()["m"] < sp_["m"]
    with pytest.raises(ValueError, match="beta"):
        CurieWeiss(beta=-1.0)


def test_abstract_methods_are_required():
    with pytest.raises(TypeError, match="abstract"):
        ModelSpec()

    @dataclass(frozen=True)
    class NoGuess(ModelSpec):
        beta: float

        def free_entropy(self):
            return _curie_weiss()

    with pytest.raises(TypeError, match="initial_guess"):
        NoGuess(beta=1.0)


def test_default_parameter_values_name_the_missing_attribute():
    @dataclass(frozen=True)
    class Misnamed(ModelSpec):
        beta: float
        field: float = 0.0  # the theory's symbol is h

        def free_entropy(self):
            return _curie_weiss()

        def initial_guess(self):
            return {"m": 0.5}

    with pytest.raises(AttributeError, match=r"Misnamed has no attribute 'h'.*'test-curie-weiss'.*override"):
        Misnamed(beta=1.0).parameter_values()

    @dataclass(frozen=True)
    class Renamed(Misnamed):
        def parameter_values(self):
            return (self.beta, self.field)

    assert replica.solve(Renamed(beta=2.0, field=0.1))["m"] == pytest.approx(0.9662537093932692, abs=1e-12)


def test_class_attribute_quadrature_is_the_default_rule():
    from replica.models.perceptron import Gardner

    @dataclass(frozen=True)
    class CrudeGardner(Gardner):
        quadrature = QuadratureOptions(rule="hermite")  # plain Gauss-Hermite misses the kink

    assert [f.name for f in dataclasses.fields(CrudeGardner)] == [f.name for f in dataclasses.fields(Gardner)]
    with pytest.warns(replica.ConvergenceWarning, match="quadrature error"):
        crude = replica.solve(CrudeGardner(alpha=0.9))
    assert crude.reason is replica.Reason.QUADRATURE_ERROR and replica.solve(Gardner(alpha=0.9)).success


def test_base_does_not_import_the_engine():
    """models/base.py sits below solve and sweep: importing them would make a circle."""
    source = pathlib.Path(replica.models.base.__file__).read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            imported.add((node.level, node.module or ""))
        elif isinstance(node, ast.Import):
            imported.update((0, a.name) for a in node.names)
    modules = {m.split(".")[-1] for _, m in imported}
    assert not modules & {"solve", "sweep"}, imported
