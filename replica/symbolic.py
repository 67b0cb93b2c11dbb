"""Symbolic layer: physics primitives, the Gaussian-expectation operator, free entropies.

A theory is written once as a sympy expression built from

* the primitives :class:`LogH`, :class:`GoverH`, :class:`Log2Cosh`, :class:`H`,
  :class:`G`, :class:`BinaryEntropy`, :class:`Relu` -- sympy functions that know
  their derivatives and print to the stable implementations of :mod:`replica.special`
  (so ``LogH`` becomes ``log_ndtr``, never ``log(erfc)``);
* :class:`GaussE`, the Gaussian expectation ``E_z[f]`` over a standard normal field
  ``z``, which may be nested and which carries the *features* of its integrand
  (kinks and steep regions) for the composite quadrature rule.

Differentiating a :class:`GaussE` differentiates under the integral and then applies
Gaussian integration by parts (Stein's lemma ``E[z f(z)] = E[f'(z)]``) once to every
term with a bare factor ``z``.  This removes the spurious ``1/sqrt(q)`` and
``1/sqrt(qhat)`` factors that differentiation of ``sqrt(q) z`` creates, so the
saddle-point equations stay finite at ``q = 0`` (the alpha -> 0 limit).

:class:`FreeEntropy` bundles the expression with its order parameters, external
parameters, observables and optional fixed-point maps; the compiler
(:mod:`replica.compile`) turns it into numerical functions.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Mapping

import sympy as sp

__all__ = [
    "LogH",
    "GoverH",
    "Log2Cosh",
    "H",
    "G",
    "BinaryEntropy",
    "Relu",
    "LogAddExp",
    "CoshArgmax",
    "CoshMax",
    "LogHArgmax",
    "LogHMax",
    "PenalisedLogHArgmax",
    "PenalisedLogHMax",
    "GaussE",
    "LogGaussE",
    "by_parts",
    "FreeEntropy",
    "Domain",
    "LOG_POSITIVE",
]

_SPECIAL = "_special"  # name of replica.special in generated code


class _Primitive(sp.Function):
    """A one-argument primitive printed as ``_special.<_impl>`` / ``_special.mp_<_impl>``."""

    _impl: str = ""
    nargs = 1

    def _numpycode(self, printer):
        return f"{_SPECIAL}.{self._impl}({printer._print(self.args[0])})"

    def _mpmathcode(self, printer):
        return f"{_SPECIAL}.mp_{self._impl}({printer._print(self.args[0])})"

    def _eval_is_real(self):
        return self.args[0].is_real


class LogH(_Primitive):
    """``ln H(x)``; ``d/dx ln H(x) = -G(x)/H(x)``."""

    _impl = "log_H"

    def fdiff(self, argindex=1):
        return -GoverH(self.args[0])


class GoverH(_Primitive):
    """``G(x)/H(x)``; derivative ``GoverH(x) * (GoverH(x) - x)``."""

    _impl = "G_over_H"

    def fdiff(self, argindex=1):
        x = self.args[0]
        return GoverH(x) * (GoverH(x) - x)


class Log2Cosh(_Primitive):
    """``ln 2cosh(x)``; derivative ``tanh(x)``."""

    _impl = "log_2cosh"

    def fdiff(self, argindex=1):
        return sp.tanh(self.args[0])


class H(_Primitive):
    """Gaussian tail ``H(x) = int_x^inf Dz``; derivative ``-G(x)``."""

    _impl = "H"

    def fdiff(self, argindex=1):
        return -G(self.args[0])


class G(_Primitive):
    """Gaussian density ``G(x)``; derivative ``-x G(x)``."""

    _impl = "G"

    def fdiff(self, argindex=1):
        x = self.args[0]
        return -x * G(x)


class BinaryEntropy(_Primitive):
    """``H2(d) = -d ln d - (1-d) ln(1-d)``; derivative ``ln((1-d)/d)``."""

    _impl = "binary_entropy"

    def fdiff(self, argindex=1):
        d = self.args[0]
        return sp.log(1 - d) - sp.log(d)


class Relu(sp.Function):
    """``max(x, 0)`` with derivative ``Heaviside(x)`` (a kink: declare it as a feature)."""

    nargs = 1

    def fdiff(self, argindex=1):
        return sp.Heaviside(self.args[0])

    def _numpycode(self, printer):
        return f"numpy.maximum({printer._print(self.args[0])}, 0.0)"

    def _mpmathcode(self, printer):
        return f"mpmath.mpf(max({printer._print(self.args[0])}, 0))"


class _Primitive2(sp.Function):
    """A two-argument primitive printed as ``_special.<_impl>(a, b)`` (and ``mp_`` twin)."""

    _impl: str = ""
    nargs = 2

    def _numpycode(self, printer):
        a, b = (printer._print(x) for x in self.args)
        return f"{_SPECIAL}.{self._impl}({a}, {b})"

    def _mpmathcode(self, printer):
        a, b = (printer._print(x) for x in self.args)
        return f"{_SPECIAL}.mp_{self._impl}({a}, {b})"

    def _eval_is_real(self):
        return all(x.is_real for x in self.args)


class LogAddExp(_Primitive2):
    """``ln(e^a + e^b)`` without overflow; ``d/da = (1 + tanh((a - b)/2))/2``."""

    _impl = "logaddexp"

    def fdiff(self, argindex=1):
        a, b = self.args
        if argindex == 1:
            return (1 + sp.tanh((a - b) / 2)) / 2
        return (1 - sp.tanh((a - b) / 2)) / 2


class CoshArgmax(_Primitive2):
    """Maximiser ``U(g, D)`` of ``ln 2cosh(g + u) - u^2/(2D)``: ``U = D tanh(g + U)``.

    Derivatives by the implicit-function theorem, with ``m = tanh(g + U)`` and
    ``chi = 1 - m^2``: ``dU/dg = D chi/(1 - D chi)``, ``dU/dD = m/(1 - D chi)``.
    """

    _impl = "cosh_argmax"

    def fdiff(self, argindex=1):
        g, D = self.args
        m = sp.tanh(g + self)
        chi = 1 - m**2
        if argindex == 1:
            return D * chi / (1 - D * chi)
        return m / (1 - D * chi)


class CoshMax(_Primitive2):
    """``L(g, D) = max_u [ln 2cosh(g + u) - u^2/(2D)]``.

    Envelope theorem: ``dL/dg = tanh(g + U)``, ``dL/dD = U^2/(2 D^2)``.  Even in ``g``;
    for ``D > 1`` it has a kink at ``g = 0`` (the maximiser jumps): declare it.

    References
    ----------
    The y -> infinity limit of the weight term of the local-entropy free entropy:
    Baldassi et al., J. Stat. Mech. (2016) 023301, arXiv:1511.05634, App. (large y); derivation: docs/derivations/local_entropy_y_inf.md §2.
    """

    _impl = "cosh_max"

    def fdiff(self, argindex=1):
        g, D = self.args
        u = CoshArgmax(g, D)
        if argindex == 1:
            return sp.tanh(g + u)
        return u**2 / (2 * D**2)


class LogHArgmax(_Primitive2):
    """Maximiser ``V(x, D)`` of ``ln H(x - v) - v^2/(2D)``: ``V = D G/H(x - V)``.

    With ``r = G/H(x - V)`` and ``r' = r (r - (x - V))``: ``dV/dx = D r'/(1 + D r')``,
    ``dV/dD = r/(1 + D r')``.
    """

    _impl = "logh_argmax"

    def fdiff(self, argindex=1):
        x, D = self.args
        y = x - self
        r = GoverH(y)
        rp = r * (r - y)
        if argindex == 1:
            return D * rp / (1 + D * rp)
        return r / (1 + D * rp)


class LogHMax(_Primitive2):
    """``M(x, D) = max_v [ln H(x - v) - v^2/(2D)]`` (strictly concave inner problem).

    Envelope theorem: ``dM/dx = -V/D``, ``dM/dD = V^2/(2 D^2)``.

    References
    ----------
    The y -> infinity limit of the pattern term of the local-entropy free entropy
    (1RSB-like Parisi parameter y -> infinity): Baldassi et al., arXiv:1511.05634; derivation: docs/derivations/local_entropy_y_inf.md §2.
    """

    _impl = "logh_max"

    def fdiff(self, argindex=1):
        x, D = self.args
        v = LogHArgmax(x, D)
        if argindex == 1:
            return -v / D
        return v**2 / (2 * D**2)


class _Primitive4(sp.Function):
    """A four-argument primitive printed as ``_special.<_impl>(a, b, c, d)`` (and ``mp_`` twin)."""

    _impl: str = ""
    nargs = 4

    def _numpycode(self, printer):
        return f"{_SPECIAL}.{self._impl}(" + ", ".join(printer._print(x) for x in self.args) + ")"

    def _mpmathcode(self, printer):
        return f"{_SPECIAL}.mp_{self._impl}(" + ", ".join(printer._print(x) for x in self.args) + ")"

    def _eval_is_real(self):
        return all(x.is_real for x in self.args)


class PenalisedLogHArgmax(_Primitive4):
    """Maximiser ``V(x, D, b, E)`` of ``ln H(x - v) - v^2/(2D) - (b - v)_+^2/(2E)``.

    It solves ``F = G/H(x - V) - V/D + (b - V)_+/E = 0``.  With ``r = G/H(x - V)``,
    ``r' = r (r - (x - V))``, ``theta = [b > V]`` and ``K = r' + 1/D + theta/E``
    (``-dF/dV``): ``dV/dx = r'/K``, ``dV/dD = (V/D^2)/K``, ``dV/db = (theta/E)/K``,
    ``dV/dE = -((b - V)_+/E^2)/K``.
    """

    _impl = "penalised_logh_argmax"

    def fdiff(self, argindex=1):
        x, D, b, E = self.args
        y = x - self
        r = GoverH(y)
        rp = r * (r - y)
        theta = sp.Heaviside(b - self)
        K = rp + 1 / D + theta / E
        return [rp / K, self / D**2 / K, theta / E / K, -Relu(b - self) / E**2 / K][argindex - 1]


class PenalisedLogHMax(_Primitive4):
    """``P(x, D, b, E) = max_v [ln H(x - v) - v^2/(2D) - (b - v)_+^2/(2E)]``.

    Strictly concave inner problem.  Envelope theorem (``V`` the maximiser):
    ``dP/dx = -G/H(x - V)``, ``dP/dD = V^2/(2D^2)``, ``dP/db = -(b - V)_+/E``,
    ``dP/dE = (b - V)_+^2/(2E^2)``.  As a function of ``b`` it is C^1 with a jump of the
    second derivative where the penalty switches on (``b = logh_argmax(x, D)``):
    declare it as a kink.

    References
    ----------
    The pattern term of the y -> infinity local entropy with the reference constrained
    to be a solution: the reference's own constraint becomes the quadratic penalty
    (Baldassi et al., PRL 115, 128101 (2015); J. Stat. Mech. (2016) 023301,
    arXiv:1511.05634); derived in the package conventions (module
    :mod:`replica.models.local_entropy`).
    """

    _impl = "penalised_logh_max"

    def fdiff(self, argindex=1):
        x, D, b, E = self.args
        v = PenalisedLogHArgmax(x, D, b, E)
        w = Relu(b - v)
        return [-GoverH(x - v), v**2 / (2 * D**2), -w / E, w**2 / (2 * E**2)][argindex - 1]


def _bare_power(term: sp.Expr, z: sp.Symbol) -> int:
    """Exponent ``k`` of an explicit factor ``z**k`` of a product (0 if none)."""
    k = 0
    for factor in sp.Mul.make_args(term):
        if factor == z:
            k += 1
        elif factor.is_Pow and factor.base == z and factor.exp.is_Integer and factor.exp > 0:
            k += int(factor.exp)
    return k


def _distribute(e: sp.Expr) -> sp.Expr:
    """Multiply out products of sums, without entering powers or function arguments.

    Unlike ``sympy.expand`` this reaches sums nested in sums inside products (which is
    where the chain rule leaves ``z``), and it leaves ``(a + b)**2`` and ``f(a + b)``
    alone, which keeps the expression small.
    """
    if e.is_Add:
        return sp.Add(*[_distribute(a) for a in e.args])
    if e.is_Mul:
        factors = [sp.Add.make_args(_distribute(f)) for f in e.args]
        return sp.Add(*[sp.Mul(*combo) for combo in itertools.product(*factors)])
    return e


def field_variances(integrand: sp.Expr, z: sp.Symbol) -> frozenset:
    """The ``X`` of every Gaussian field ``sqrt(X) * z`` in ``integrand``.

    Differentiating ``sqrt(X) z`` with respect to a parameter of ``X`` leaves a factor
    ``z / sqrt(X)``, singular where ``X -> 0`` (``q -> 0`` at small load, ``qhat -> 0``);
    these are the terms that Gaussian integration by parts must fix.
    """
    found = set()
    for node in sp.preorder_traversal(integrand):
        if node.is_Mul and z in node.args:
            for f in node.args:
                if f.is_Pow and f.exp == sp.S.Half:
                    found.add(f.base)
    return frozenset(found)


def _is_singular(term: sp.Expr, variances) -> bool:
    return any(
        f.is_Pow and f.base in variances and f.exp.is_negative for f in sp.Mul.make_args(term)
    )


def by_parts(integrand: sp.Expr, z: sp.Symbol, variances=None) -> sp.Expr:
    """One pass of Gaussian integration by parts on terms with a bare ``z`` factor.

    ``E[z**k r(z)] = E[d/dz (z**(k-1) r(z))]`` (Stein's lemma), valid when the term is
    absolutely continuous in ``z``; terms whose derivative would contain a Dirac delta
    are left as they are.  With ``variances`` (see :func:`field_variances`) only the
    terms whose coefficient has a negative power of one of them are transformed: the
    ``z / sqrt(q)`` terms left by the chain rule.  The other terms are better left
    alone: transforming them trades, e.g., ``E[G/H]`` for ``E[(G/H)']/(1 - q)``, a
    small quantity times a large factor that cancels against the rest near ``q -> 1``.

    References
    ----------
    C. Stein, Ann. Statist. 9, 1135 (1981), Lemma 1.
    """
    out = []
    changed = False
    for term in sp.Add.make_args(_distribute(integrand)):
        if _bare_power(term, z) == 0 or (variances is not None and not _is_singular(term, variances)):
            out.append(term)
            continue
        reduced = _distribute(sp.diff(term / z, z))
        if reduced.has(sp.DiracDelta):
            out.append(term)
        else:
            out.append(reduced)
            changed = True
    # Nothing to transform: keep the integrand as written (multiplied out it may cancel).
    return sp.Add(*out) if changed else integrand


class GaussE(sp.Expr):
    """Gaussian expectation ``E_z[f] = int Dz f(z)`` of ``integrand`` over the field ``var``.

    Parameters
    ----------
    integrand : sympy expression
        May contain other :class:`GaussE` (nested expectations over further fields).
    var : sympy Symbol
        The integration variable (a standard normal field).
    features : sequence of (center, width)
        Kinks (width 0) and steep regions of the integrand as functions of ``var``;
        sympy expressions in the order parameters, external parameters and outer
        fields.  The composite quadrature splits at ``center +- width * offsets``.
    integrate_by_parts : bool
        Apply :func:`by_parts` to derivatives (default False).  Turn it on where a
        field ``sqrt(X) z`` can have ``X -> 0`` inside the domain (Gardner's ``q`` at
        zero load): there it turns ``z / sqrt(X)`` into finite terms.  Elsewhere leave
        it off: the transformation multiplies out the integrand, which can create
        large terms that cancel and cost digits.

    Notes
    -----
    ``diff`` passes under the integral.  An integrand that does not depend on ``var``
    is returned as it is (``E[c] = c``).
    """

    is_commutative = True

    def __new__(cls, integrand, var, features=(), integrate_by_parts=False):
        integrand = sp.sympify(integrand)
        if not isinstance(var, sp.Symbol):
            raise TypeError(f"var must be a sympy Symbol, got {var!r}")
        if var not in integrand.free_symbols:
            return integrand
        feats = sp.Tuple(*[sp.Tuple(sp.sympify(c), sp.sympify(w)) for c, w in features])
        return sp.Expr.__new__(cls, integrand, var, feats, sp.true if integrate_by_parts else sp.false)

    @property
    def integrand(self) -> sp.Expr:
        return self.args[0]

    @property
    def var(self) -> sp.Symbol:
        return self.args[1]

    @property
    def features(self) -> tuple:
        return tuple((c, w) for c, w in self.args[2])

    @property
    def integrate_by_parts(self) -> bool:
        return bool(self.args[3])

    @property
    def free_symbols(self):
        inner = self.integrand.free_symbols - {self.var}
        return inner | self.args[2].free_symbols

    def _eval_derivative(self, s):
        if s == self.var:  # bound variable
            return sp.S.Zero
        d = sp.diff(self.integrand, s)
        if d == 0:
            return sp.S.Zero
        if self.integrate_by_parts:
            d = by_parts(d, self.var, field_variances(self.integrand, self.var))
        return GaussE(d, self.var, self.features, self.integrate_by_parts)

    def _eval_is_real(self):
        return self.integrand.is_real

    def _sympystr(self, printer):
        return f"E_{printer._print(self.var)}[{printer._print(self.integrand)}]"

    def _latex(self, printer):
        return (
            r"\mathbb{E}_{" + printer._print(self.var) + r"}\left["
            + printer._print(self.integrand) + r"\right]"
        )


class LogGaussE(GaussE):
    """``ln E_z[exp(F)]``: the log of a Gaussian expectation of an exponential.

    The form of every "log of an inner integral of a y-th power" in large-deviation
    free entropies (``ln E_x[H(...)^y] = ln E_x exp(y ln H(...))``).  Compiled with a
    log-sum-exp over the quadrature nodes, so it neither overflows nor underflows when
    ``y F`` is large.  Its derivative is the tilted expectation
    ``E_z[exp(F - ln E exp F) dF]`` (a :class:`GaussE`).

    Parameters are those of :class:`GaussE`, with the exponent ``F`` in place of the
    integrand.  Declare features of the *tilted* integrand ``exp(F) Dz`` (where it is
    steep, and where its mass sits if far from the origin).
    """

    def __new__(cls, exponent, var, features=(), integrate_by_parts=False):
        exponent = sp.sympify(exponent)
        if not isinstance(var, sp.Symbol):
            raise TypeError(f"var must be a sympy Symbol, got {var!r}")
        if var not in exponent.free_symbols:
            return exponent
        feats = sp.Tuple(*[sp.Tuple(sp.sympify(c), sp.sympify(w)) for c, w in features])
        return sp.Expr.__new__(cls, exponent, var, feats, sp.true if integrate_by_parts else sp.false)

    @property
    def exponent(self) -> sp.Expr:
        return self.args[0]

    def _eval_derivative(self, s):
        if s == self.var:
            return sp.S.Zero
        d = sp.diff(self.exponent, s)
        if d == 0:
            return sp.S.Zero
        tilted = sp.exp(self.exponent - self) * d
        if self.integrate_by_parts:
            tilted = by_parts(tilted, self.var, field_variances(self.exponent, self.var))
        return GaussE(tilted, self.var, self.features, self.integrate_by_parts)

    def _sympystr(self, printer):
        return f"lnE_{printer._print(self.var)}[exp({printer._print(self.exponent)})]"

    def _latex(self, printer):
        return (
            r"\ln\mathbb{E}_{" + printer._print(self.var) + r"}\,e^{"
            + printer._print(self.exponent) + r"}"
        )


@dataclass(frozen=True)
class Domain:
    """Open interval ``(lower, upper)`` allowed for an order parameter.

    ``log=True`` (only for ``(lower, inf)``) asks the solver for logarithmic coordinates:
    for parameters that vary over many orders of magnitude along a branch.
    """

    lower: float = float("-inf")
    upper: float = float("inf")
    log: bool = False

    def contains(self, value: float) -> bool:
        return self.lower < value < self.upper


UNIT = Domain(0.0, 1.0)
POSITIVE = Domain(0.0, float("inf"))
LOG_POSITIVE = Domain(0.0, float("inf"), log=True)
REAL = Domain()


@dataclass(frozen=True, eq=False)
class FreeEntropy:
    """A replica free entropy: one sympy expression and what the engine needs around it.

    Parameters
    ----------
    name : str
        Identifies the theory (and keys the compiled-function cache).
    expr : sympy expression
        Free entropy per weight as a function of ``order`` and ``params``.  The saddle
        point is where its gradient with respect to ``order`` vanishes.
    order : tuple of Symbol
        Order parameters (overlaps and conjugates).
    params : tuple of Symbol
        External parameters (alpha, kappa, d, y, ...).
    observables : mapping name -> expression
        Derived quantities evaluated at the saddle point.
    fixed_point : mapping Symbol -> expression, optional
        A map ``x -> F(x)`` whose fixed points are saddle points (the classic
        iteration of the saddle-point equations); enables ``method="fixed-point"``.
    domains : mapping Symbol -> Domain
        Open domains of the order parameters (default: the real line).
    """

    name: str
    expr: sp.Expr
    order: tuple
    params: tuple
    observables: Mapping[str, sp.Expr] = field(default_factory=dict)
    fixed_point: Mapping[sp.Symbol, sp.Expr] | None = None
    domains: Mapping[sp.Symbol, Domain] = field(default_factory=dict)

    def __post_init__(self):
        order, params = tuple(self.order), tuple(self.params)
        object.__setattr__(self, "order", order)
        object.__setattr__(self, "params", params)
        known = set(order) | set(params)
        for label, e in [("free entropy", self.expr), *self.observables.items()]:
            unknown = sp.sympify(e).free_symbols - known
            if unknown:
                raise ValueError(f"{label} of {self.name!r} has unknown symbols {unknown}")
        if self.fixed_point is not None and set(self.fixed_point) != set(order):
            raise ValueError("fixed_point must map every order parameter")

    @property
    def order_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.order)

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.params)

    def domain(self, symbol: sp.Symbol) -> Domain:
        return self.domains.get(symbol, REAL)

    def gradient(self) -> list[sp.Expr]:
        """Saddle-point equations ``d phi / d x_i = 0``."""
        return [sp.diff(self.expr, x) for x in self.order]
