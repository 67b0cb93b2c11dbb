"""Compile sympy free entropies to vectorised NumPy functions (and an mpmath twin).

The NumPy backend generates Python source:

* every outermost :class:`~replica.symbolic.GaussE` is replaced by a placeholder; the
  expectations that share an integration field and features share one quadrature
  rule and are computed together by a generated *group function*, which evaluates all
  their integrands on the nodes with common-subexpression elimination (cse) across
  them;
* nested expectations recurse: the inner group function receives the outer fields as
  arrays, appends a node axis, builds its rule per outer node when its features depend
  on the outer fields, and sums the node axis away;
* the top-level expressions are cse'd jointly and printed with sympy's NumPy printer,
  the primitives printing to :mod:`replica.special`.

The mpmath backend evaluates the same expressions with ``mpmath.quad`` (tanh-sinh,
adaptive) split at the declared features: a slow, independent, high-precision check of
the quadrature.

Compiled functions are cached per free entropy in the process
(:func:`compiled_theory`); nothing compiled is ever pickled, so worker processes build
their own.
"""

from __future__ import annotations

import functools
import itertools
import math
import os
import threading
import warnings
from typing import Callable, Sequence

import mpmath
import numpy
import sympy as sp
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.pycode import MpmathPrinter

from . import quadrature as _quadrature
from . import special as _special
from .symbolic import FreeEntropy, GaussE, LogGaussE

__all__ = ["compile_numpy", "compile_mpmath", "CompiledTheory", "compiled_theory"]


def _outer_expectations(exprs: Sequence[sp.Expr]) -> list[GaussE]:
    """The GaussE nodes of ``exprs`` not contained in another GaussE, in first-seen order."""
    found: dict[GaussE, None] = {}

    def walk(e):
        if isinstance(e, GaussE):
            found.setdefault(e, None)
            return
        for a in e.args:
            walk(a)

    for e in exprs:
        walk(sp.sympify(e))
    return list(found)


class _Printer(NumPyPrinter):
    """NumPy printer that maps symbols to generated variable names."""

    def __init__(self, names):
        super().__init__({"fully_qualified_modules": True, "inline": True, "allow_unknown_functions": False})
        self.names = names

    def _print_Symbol(self, expr):
        try:
            return self.names[expr]
        except KeyError:
            raise ValueError(f"symbol {expr} is not defined in this scope") from None

    _print_Dummy = _print_Symbol


def _rule(centers, widths, opts):
    """Quadrature rule used by generated code (see :func:`replica.quadrature.gaussian_rule`)."""
    return _quadrature.gaussian_rule(list(zip(centers, widths)), opts)


def _lift(v):
    """Append a node axis to an array-valued outer variable (scalars pass through)."""
    if isinstance(v, numpy.ndarray) and v.ndim:
        return v[..., None]
    return v


def _lse(values, weights):
    """``ln sum_i w_i exp(values_i)`` over the node axis, by log-sum-exp."""
    values = numpy.asarray(values, dtype=float)
    if values.ndim == 0:
        return values + numpy.log(numpy.sum(weights, axis=-1))
    a = values + numpy.log(weights)
    top = numpy.max(a, axis=-1, keepdims=True)
    top = numpy.where(numpy.isfinite(top), top, 0.0)
    return top[..., 0] + numpy.log(numpy.sum(numpy.exp(a - top), axis=-1))


def _esum(values, weights):
    """Weighted sum over the node axis (the last one)."""
    if numpy.ndim(values) == 0:
        return values * numpy.sum(weights, axis=-1)
    if weights.ndim == 1:
        return values @ weights
    return numpy.einsum("...i,...i->...", *numpy.broadcast_arrays(values, weights))


class _NumpyCodegen:
    def __init__(self):
        self.functions: list[str] = []
        self._ids = itertools.count()

    def fresh(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids)}"

    def block(self, exprs, names: dict, indent: str, depth: int = 0,
              split: str | None = None) -> tuple[list[str], list[str]]:
        """Lines computing ``exprs`` in a scope where ``names`` are defined.

        Expectations are computed here as soon as every symbol they depend on is in
        scope -- including those nested inside other integrands that do not depend on
        the enclosing field (they are hoisted out instead of being recomputed on every
        node).  Innermost ready expectations go first; expectations sharing a field
        and features share one group function (one rule).  Returns the lines and the
        generated names holding the results.  ``depth`` counts the enclosing integrals;
        ``split`` names the node variable of the enclosing top-level integral: calls of
        the integrals nested in it then share its nodes among threads (``_threaded``).
        """
        exprs = [sp.sympify(e) for e in exprs]
        lines: list[str] = []
        names = dict(names)
        on_nodes = {split} if split is not None else set()  # names carrying the split node axis
        while True:
            nodes = _all_expectations(exprs)
            scope = set(names)
            ready = [n for n in nodes if n.free_symbols <= scope]
            if not ready:
                break
            ready_set = set(ready)
            leaves = [n for n in ready if not any(m in ready_set for m in _all_expectations([n.integrand]))]
            groups: dict[tuple, list[GaussE]] = {}
            for node in leaves:
                groups.setdefault((node.var, node.args[2]), []).append(node)
            placeholders: dict[GaussE, sp.Symbol] = {}
            scope_names = dict(names)  # what this round's group functions can see
            visible = list(scope_names)
            for (var, feats), members in groups.items():
                fname = self.group_function(var, feats, members, visible, scope_names, top=depth == 0)
                outs = []
                for m in members:
                    sym = sp.Dummy("e")
                    placeholders[m] = sym
                    outs.append(self.fresh("_e"))
                    names[sym] = outs[-1]
                args = [scope_names[v] for v in visible] + ["_opts"]
                if split is not None:  # one level down from the top: split the outer nodes
                    # the node variable and the integrals already computed on its nodes
                    cut = tuple(i for i, a in enumerate(args) if a in on_nodes)
                    call = f"_threaded({fname}, {cut}, {', '.join(args)})"
                    on_nodes.update(outs)
                else:
                    call = f"{fname}({', '.join(args)})"
                lines.append(f"{indent}{', '.join(outs)}, = {call}")
            exprs = [e.xreplace(placeholders) for e in exprs]
        temps, reduced = sp.cse(exprs, symbols=sp.numbered_symbols("t", cls=sp.Dummy), order="none")
        printer = _Printer(names)
        for sym, e in temps:
            names[sym] = self.fresh("_t")
            lines.append(f"{indent}{names[sym]} = {printer.doprint(e)}")
        results = []
        for e in reduced:
            r = self.fresh("_r")
            lines.append(f"{indent}{r} = {printer.doprint(e)}")
            results.append(r)
        return lines, results

    def group_function(self, var, feats, members, visible, names, top: bool = False) -> str:
        fname = self.fresh("_group")
        inner_names = dict(names)
        zname = self.fresh("_z")
        inner_names[var] = zname
        printer = _Printer(names)
        args = ", ".join([names[v] for v in visible] + ["_opts"])
        lines = [f"def {fname}({args}):"]
        centers = ", ".join(printer.doprint(c) for c, _ in feats)
        widths = ", ".join(printer.doprint(w) for _, w in feats)
        lines.append(
            f"    {zname}, _wts = _rule(({centers}{',' if feats else ''}), "
            f"({widths}{',' if feats else ''}), _opts)"
        )
        for v in visible:
            lines.append(f"    {names[v]} = _lift({names[v]})")
        body, results = self.block([m.integrand for m in members], inner_names, "    ", depth=1 if top else 2,
                                   split=zname if top else None)
        lines.extend(body)
        sums = [f"{'_lse' if isinstance(m, LogGaussE) else '_esum'}({r}, _wts)" for m, r in zip(members, results)]
        lines.append("    return (" + ", ".join(sums) + ",)")
        self.functions.append("\n".join(lines))
        return fname


def _all_expectations(exprs) -> list:
    """Every GaussE / LogGaussE node in ``exprs``, nested ones included (first-seen order)."""
    found: dict = {}
    for e in exprs:
        for node in sp.preorder_traversal(sp.sympify(e)):
            if isinstance(node, GaussE):
                found.setdefault(node, None)
    return list(found)


_POOL = None  # shared by every compiled function; created on first use


def _threaded(fn, cut, *args):
    """``fn(*args)`` with the outer nodes shared among ``opts.threads`` threads: the
    arguments at the positions ``cut`` (the node variable, first, and values computed on
    its nodes) are split along their last axis, and the outputs (one value per outer
    node) joined along it, so the result equals the unthreaded one up to the last-bit
    rounding of the BLAS inner sums."""
    global _POOL
    opts = args[-1]
    z = args[cut[0]]
    n = numpy.shape(z)[-1] if numpy.ndim(z) else 0
    if any(numpy.shape(args[k])[-1:] != (n,) for k in cut):
        return fn(*args)
    parts = min(opts.threads, n // _MIN_NODES_PER_THREAD)
    if parts < 2:
        return fn(*args)
    if _POOL is None:
        from concurrent.futures import ThreadPoolExecutor

        _POOL = ThreadPoolExecutor(max(2, os.cpu_count() or 2), thread_name_prefix="replica-quad")
    cuts = numpy.linspace(0, n, parts + 1).astype(int)
    jobs = []
    for a, b in zip(cuts[:-1], cuts[1:]):
        chunk = list(args)
        for k in cut:
            chunk[k] = args[k][..., a:b]
        jobs.append(_POOL.submit(_quiet, fn, chunk))
    outs = [job.result() for job in jobs]
    sizes = numpy.diff(cuts)
    if not all(numpy.ndim(v) and numpy.shape(v)[-1] == m for o, m in zip(outs, sizes) for v in o):
        return fn(*args)  # an output without the node axis: cannot be joined, run whole
    return tuple(numpy.concatenate([o[i] for o in outs], axis=-1) for i in range(len(outs[0])))


def _quiet(fn, args):
    """``fn(*args)`` under the caller's ``errstate(all="ignore")`` (errstate is per thread)."""
    with numpy.errstate(all="ignore"):
        return fn(*args)


# an outer node carries a whole inner rule (~10^2-10^3 nodes): a few per thread suffice
_MIN_NODES_PER_THREAD = 8

_NAMESPACE = {
    "_threaded": _threaded,
    "numpy": numpy,
    "_special": _special,
    "_rule": _rule,
    "_lift": _lift,
    "_esum": _esum,
    "_lse": _lse,
    "math": math,
}


def compile_numpy(exprs: Sequence[sp.Expr], args: Sequence[sp.Symbol], name: str = "compiled"):
    """Compile ``exprs`` (functions of ``args``) into one vectorised NumPy function.

    Returns ``f(values, opts) -> list`` where ``values`` holds the numbers for ``args``
    (in order) and ``opts`` is a :class:`~replica.quadrature.QuadratureOptions`.
    The generated source is attached as ``f.source``.
    """
    gen = _NumpyCodegen()
    names = {a: f"_a{i}" for i, a in enumerate(args)}
    body, results = gen.block(exprs, names, "    ")
    arglist = ", ".join([names[a] for a in args] + ["_opts"])
    main = [f"def {name}({arglist}):"] + body + ["    return [" + ", ".join(results) + "]"]
    source = "\n\n".join(gen.functions + ["\n".join(main)]) + "\n"
    namespace = dict(_NAMESPACE)
    exec(compile(source, f"<replica:{name}>", "exec"), namespace)
    inner = namespace[name]

    def evaluate(values, opts):
        # NumPy scalars, not Python floats: 1/0 must give inf, not raise.
        values = [numpy.float64(v) if numpy.ndim(v) == 0 else numpy.asarray(v, dtype=float) for v in values]
        with numpy.errstate(all="ignore"):
            return inner(*values, opts)

    evaluate.source = source
    return evaluate


# --- mpmath backend --------------------------------------------------------------------

_MP_MODULES = [
    {
        "_special": _special,
        "mpmath": mpmath,
        "Heaviside": lambda x, h0=0.5: mpmath.mpf(1) if x > 0 else (mpmath.mpf(h0) if x == 0 else mpmath.mpf(0)),
    },
    "mpmath",
]


class _MpPrinter(MpmathPrinter):
    pass


def _mp_lambdify(args, expr):
    return sp.lambdify(args, expr, modules=_MP_MODULES, printer=_MpPrinter, cse=True)


def _mp_expression(expr: sp.Expr, visible: list[sp.Symbol]) -> Callable:
    nodes = _outer_expectations([expr])
    holders = [sp.Dummy("e") for _ in nodes]
    f = _mp_lambdify(visible + holders, expr.xreplace(dict(zip(nodes, holders))))
    inner = [_mp_expectation(n, visible) for n in nodes]
    if not inner:
        return f
    return lambda *vals: f(*vals, *[g(*vals) for g in inner])


_MP_RANGE = 40


def _mp_expectation(node: GaussE, visible: list[sp.Symbol]) -> Callable:
    integrand = _mp_expression(node.integrand, visible + [node.var])
    features = [_mp_lambdify(visible, sp.Tuple(c, w)) for c, w in node.features]
    deps = [i for i, v in enumerate(visible) if v in node.free_symbols]
    log_of_exp = isinstance(node, LogGaussE)
    cache: dict = {}  # an expectation nested in an integrand it does not depend on

    def expectation(*vals):
        key = (mpmath.mp.dps, *(vals[i] for i in deps))
        if key in cache:
            return cache[key]
        points = set()
        for feat in features:
            c, w = feat(*vals)
            if mpmath.isfinite(c) and mpmath.isfinite(w):
                for o in (-3, -1, 0, 1, 3):
                    points.add(c + o * abs(w))
        # |z| > 40 carries Gaussian mass < 1e-349: truncating keeps tanh-sinh away from
        # astronomically large nodes (where some primitives overflow) at no cost in accuracy.
        path = [-_MP_RANGE] + sorted(p for p in points if -_MP_RANGE < p < _MP_RANGE) + [_MP_RANGE]
        if log_of_exp:
            value = mpmath.log(mpmath.quad(lambda z: mpmath.exp(integrand(*vals, z)) * mpmath.npdf(z), path))
        else:
            value = mpmath.quad(lambda z: integrand(*vals, z) * mpmath.npdf(z), path)
        if len(cache) > 10000:
            cache.clear()
        cache[key] = value
        return value

    return expectation


def compile_mpmath(exprs: Sequence[sp.Expr], args: Sequence[sp.Symbol], dps: int = 30):
    """mpmath twin of :func:`compile_numpy`: ``f(values) -> list of mpf``.

    Expectations use ``mpmath.quad`` (tanh-sinh) over ``[-40, 40]`` split at every
    feature ``c + {0, +-1, +-3} w``, at ``dps`` decimal digits.
    """
    args = list(args)
    funcs = [_mp_expression(sp.sympify(e), args) for e in exprs]

    def evaluate(values):
        with mpmath.workdps(dps):
            vals = [mpmath.mpf(v) for v in values]
            return [f(*vals) for f in funcs]

    return evaluate


# --- compiled theories -------------------------------------------------------------------


class CompiledTheory:
    """Numerical functions of a :class:`~replica.symbolic.FreeEntropy`, built lazily.

    All functions take ``x`` (order parameters, in ``theory.order``), ``p`` (external
    parameters, in ``theory.params``) and a :class:`~replica.quadrature.QuadratureOptions`.
    They are vectorised over points: ``x`` of shape ``(B, n)`` with ``p`` of shape
    ``(B, m)`` or ``(m,)`` evaluates ``B`` points in one call (one pass of the generated
    code over arrays of shape ``(B, nodes)``), and every output gains a leading axis.
    """

    def __init__(self, theory: FreeEntropy):
        self.theory = theory
        self._args = list(theory.order) + list(theory.params)
        self._lock = threading.Lock()
        self._cache: dict[str, Callable] = {}

    def _get(self, key: str, build: Callable[[], list]):
        with self._lock:
            if key not in self._cache:
                self._cache[key] = compile_numpy(build(), self._args, name=f"{key}")
            return self._cache[key]

    def _call(self, key: str, build: Callable[[], list], x, p, opts) -> numpy.ndarray:
        """Outputs stacked on the last axis: shape ``(k,)``, or ``(B, k)`` for a batch."""
        f = self._get(key, build)
        x = numpy.asarray(x, dtype=float)
        p = numpy.asarray(p, dtype=float)
        if x.ndim <= 1:
            out = f(list(x) + list(p), opts)
            return numpy.array([float(o) for o in out])
        batch = x.shape[0]
        p = numpy.broadcast_to(p, (batch, len(self.theory.params)))
        out = f([x[:, i] for i in range(x.shape[1])] + [p[:, j] for j in range(p.shape[1])], opts)
        return numpy.stack([numpy.broadcast_to(numpy.asarray(o, dtype=float), (batch,)) for o in out], axis=-1)

    @functools.cached_property
    def gradient_exprs(self) -> list[sp.Expr]:
        return self.theory.gradient()

    def value_and_gradient(self, x, p, opts):
        """Free entropy and its gradient with respect to the order parameters."""
        out = self._call("phi_grad", lambda: [self.theory.expr] + self.gradient_exprs, x, p, opts)
        phi = out[..., 0]
        return (float(phi) if phi.ndim == 0 else phi), out[..., 1:]

    def gradient_and_jacobian(self, x, p, opts):
        """Gradient and the (symmetric) Hessian with respect to the order parameters."""
        n = len(self.theory.order)
        pairs = [(i, j) for i in range(n) for j in range(i, n)]

        def build():
            g = self.gradient_exprs
            return g + [sp.diff(g[i], self.theory.order[j]) for i, j in pairs]

        out = self._call("grad_jac", build, x, p, opts)
        jac = numpy.empty(out.shape[:-1] + (n, n))
        for k, (i, j) in enumerate(pairs):
            jac[..., i, j] = jac[..., j, i] = out[..., n + k]
        return out[..., :n], jac

    def observables(self, x, p, opts) -> dict:
        """Observables by name: floats, or arrays of length ``B`` for a batch."""
        names = list(self.theory.observables)
        if not names:
            return {}
        out = self._call("observables", lambda: [self.theory.observables[k] for k in names], x, p, opts)
        if out.ndim == 1:
            return {k: float(v) for k, v in zip(names, out)}
        return {k: out[:, i] for i, k in enumerate(names)}

    def fixed_point_map(self, x, p, opts):
        fp = self.theory.fixed_point
        if fp is None:
            raise ValueError(f"theory {self.theory.name!r} has no fixed-point map")
        return self._call("fixed_point", lambda: [fp[s] for s in self.theory.order], x, p, opts)

    def param_derivatives(self, x, p, opts):
        """Partial derivatives of the free entropy with respect to the external parameters.

        At a saddle point these are the total derivatives (envelope theorem).
        """
        return self._call("dphi_dparams", lambda: [sp.diff(self.theory.expr, s) for s in self.theory.params], x, p, opts)

    @functools.cached_property
    def _mp_all(self):
        t = self.theory
        names = list(t.observables)
        exprs = [t.expr] + self.gradient_exprs + [t.observables[k] for k in names]
        return names, compile_mpmath(exprs, self._args)

    def mpmath_evaluate(self, x, p, dps: int = 30) -> dict:
        """Free entropy, gradient and observables with the mpmath backend (slow)."""
        names, f = self._mp_all
        n = len(self.theory.order)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = f(list(x) + list(p))
        return {
            "free_entropy": out[0],
            "gradient": out[1 : n + 1],
            "observables": dict(zip(names, out[n + 1 :])),
        }


@functools.lru_cache(maxsize=None)
def compiled_theory(theory: FreeEntropy) -> CompiledTheory:
    """The in-process cached :class:`CompiledTheory` of ``theory``."""
    return CompiledTheory(theory)
