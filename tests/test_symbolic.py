"""The symbolic layer: primitives, printers, the Gaussian-expectation operator."""

import math

import mpmath
import numpy as np
import pytest
import sympy as sp

from replica import special
from replica.compile import compile_numpy
from replica.quadrature import QuadratureOptions
from replica.symbolic import (
    G,
    GaussE,
    GoverH,
    H,
    BinaryEntropy,
    FreeEntropy,
    Log2Cosh,
    LogH,
    by_parts,
    field_variances,
)

x, z, q, k = sp.symbols("x z q kappa", real=True)
OPTS = QuadratureOptions()


@pytest.mark.parametrize("prim, mp_fun", [
    (LogH, special.mp_log_H), (GoverH, special.mp_G_over_H), (Log2Cosh, special.mp_log_2cosh),
    (H, special.mp_H), (G, special.mp_G), (BinaryEntropy, special.mp_binary_entropy),
])
def test_primitive_derivatives_against_mpmath(prim, mp_fun):
    """fdiff of each primitive, compiled, against mpmath's numerical derivative."""
    d = compile_numpy([sp.diff(prim(x), x)], [x])
    points = [0.1, 0.3, 0.7] if prim is BinaryEntropy else [-20.0, -3.0, -0.5, 0.0, 0.4, 2.0, 15.0]
    for p in points:
        with mpmath.workdps(150):  # numerical differentiation of values like 1 - 1e-89
            ref = mpmath.diff(mp_fun, mpmath.mpf(p))
        assert d([p], OPTS)[0] == pytest.approx(float(ref), rel=1e-12, abs=1e-300)


def test_printers_use_stable_forms():
    f = compile_numpy([LogH(x) + GoverH(x) + Log2Cosh(x)], [x])
    assert "log_H" in f.source and "G_over_H" in f.source and "log_2cosh" in f.source
    assert "erfc" not in f.source and "numpy.cosh" not in f.source
    assert np.isfinite(f([1e3], OPTS)[0]) and np.isfinite(f([-1e3], OPTS)[0])


def test_gauss_e_of_a_constant_is_the_constant():
    assert GaussE(q**2, z) == q**2


def test_derivative_passes_under_the_integral():
    e = GaussE(LogH((k - sp.sqrt(q) * z) / sp.sqrt(1 - q)), z, [(k / sp.sqrt(q), sp.sqrt((1 - q) / q))])
    d = sp.diff(e, q)
    assert isinstance(d, GaussE) and d.var == z and d.features == e.features
    assert z not in d.free_symbols and {q, k} <= d.free_symbols


def test_integration_by_parts_removes_the_sqrt_q_singularity():
    """d/dq E ln H((k - sqrt(q) z)/sqrt(1-q)) = -E[(G/H)^2]/(2(1-q)) (textbook form).

    The chain rule alone gives z/sqrt(q) terms, 0/0 at q = 0; by parts they become
    finite.  Check: the derivative is finite at q = 0 and equals the textbook form and
    a finite difference of the compiled expectation.
    """
    u = (k - sp.sqrt(q) * z) / sp.sqrt(1 - q)
    e = GaussE(LogH(u), z, [(k / sp.sqrt(q), sp.sqrt((1 - q) / q))], integrate_by_parts=True)
    d = sp.diff(e, q)
    assert not any(f.is_Pow and f.base == q and f.exp.is_negative for f in sp.preorder_traversal(d.integrand))
    textbook = -GaussE(GoverH(u) ** 2, z, e.features) / (2 * (1 - q))
    f = compile_numpy([e, d, textbook], [q, k])
    for qv in (0.0, 1e-8, 0.3, 0.9):
        val, der, ref = f([qv, 0.5], OPTS)
        assert np.isfinite(der) and der == pytest.approx(ref, rel=1e-12)
    h = 1e-5
    fd = (f([0.3 + h, 0.5], OPTS)[0] - f([0.3 - h, 0.5], OPTS)[0]) / (2 * h)
    assert f([0.3, 0.5], OPTS)[1] == pytest.approx(fd, rel=1e-8)


def test_by_parts_is_stein_identity():
    # E[z f(z)] = E[f'(z)] for f = tanh(2z + 1)
    expr = z * sp.tanh(2 * z + 1)
    out = by_parts(expr, z)
    assert z not in sp.Mul.make_args(out)
    feature = [(-sp.Rational(1, 2), sp.Rational(1, 2))]  # tanh(2z+1) turns over at z = -1/2
    f = compile_numpy([GaussE(expr, z, feature), GaussE(out, z, feature)], [])
    a, b = f([], OPTS)
    assert a == pytest.approx(b, rel=1e-13)


def test_by_parts_is_off_by_default_and_keeps_the_integrand():
    e = GaussE(LogH((k - sp.sqrt(q) * z) / sp.sqrt(1 - q)), z)
    assert not e.integrate_by_parts
    assert by_parts(sp.tanh(z) * q, z, frozenset({q})) == sp.tanh(z) * q  # nothing to do: unchanged


def test_field_variances():
    assert field_variances(LogH((k - sp.sqrt(q) * z) / sp.sqrt(1 - q)), z) == {q}


def test_nested_expectation_and_its_derivative_against_adaptive_quadrature():
    """Two nested fields, E_z0 ln E_z1 H(...)^y (a Franz–Parisi-like structure).

    Reference: the same nested integral with scipy.integrate.quad at both levels; the
    q-derivative by central differences of that reference.
    """
    from scipy import integrate

    z0, z1, y, p = sp.symbols("z0 z1 y p", real=True)
    inner = GaussE(sp.exp(y * LogH((k - sp.sqrt(p) * z0 - sp.sqrt(q - p) * z1) / sp.sqrt(1 - q))), z1,
                   [((k - sp.sqrt(p) * z0) / sp.sqrt(q - p), sp.sqrt((1 - q) / (q - p)))])
    outer = GaussE(sp.log(inner), z0)
    f = compile_numpy([outer, sp.diff(outer, q)], [q, p, k, y])

    def reference(qv, pv, kv, yv):
        def inner_value(a):
            g = lambda b: math.exp(yv * special.log_H((kv - math.sqrt(pv) * a - math.sqrt(qv - pv) * b) / math.sqrt(1 - qv)))  # noqa: E731
            c = (kv - math.sqrt(pv) * a) / math.sqrt(qv - pv)
            return integrate.quad(lambda b: g(b) * math.exp(-b * b / 2), -40, 40, points=[c], epsabs=1e-14, epsrel=1e-13, limit=200)[0] / math.sqrt(2 * math.pi)
        return integrate.quad(lambda a: math.log(inner_value(a)) * math.exp(-a * a / 2), -12, 12, epsabs=1e-13, epsrel=1e-12, limit=200)[0] / math.sqrt(2 * math.pi)

    vals = [0.4, 0.2, 0.3, 2.0]  # q, p, kappa, y
    value, deriv = f(vals, OPTS)
    assert value == pytest.approx(reference(*vals), rel=1e-10)
    h = 1e-4
    fd = (reference(0.4 + h, 0.2, 0.3, 2.0) - reference(0.4 - h, 0.2, 0.3, 2.0)) / (2 * h)
    assert deriv == pytest.approx(fd, rel=1e-6)


def test_free_entropy_rejects_unknown_symbols():
    with pytest.raises(ValueError, match="unknown symbols"):
        FreeEntropy(name="bad", expr=q + k, order=(q,), params=())
    with pytest.raises(ValueError, match="every order parameter"):
        FreeEntropy(name="bad", expr=q, order=(q,), params=(), fixed_point={})
