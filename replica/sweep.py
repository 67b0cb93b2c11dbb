"""Moving along an external parameter: continuation curves, thresholds, parallel sweeps.

* :func:`continuation` follows one saddle-point branch over a grid of parameter values
  with warm starts, a secant predictor and adaptive step halving; it returns a
  :class:`Curve`.  Points where no saddle point is found are kept, with
  ``success=False`` and the reason, and the curve carries on from the last good point.
* :func:`find_parameter` finds the value of a parameter at which an observable
  reaches a target (a capacity is where the entropy vanishes), with Newton steps whose
  derivative comes from the envelope theorem ``d phi/d p = partial phi/partial p``.
* :func:`sweep` solves independent specs, optionally through any executor with a
  ``map`` method (``concurrent.futures.ProcessPoolExecutor`` ...).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
import warnings
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from ._coordinates import StiffCoordinates
from .compile import compiled_theory
from .quadrature import QuadratureOptions
from .solve import ConvergenceError, ConvergenceWarning, SaddlePoint, solve

__all__ = ["Curve", "continuation", "sweep", "Threshold", "find_parameter"]


@dataclass(frozen=True)
class Curve:
    """Saddle points along one external parameter.

    Attributes
    ----------
    param : str
        Name of the parameter that varies.
    values : ndarray
        Its values, in the order they were requested.
    points : tuple of SaddlePoint
        One result per value (``success=False`` with a reason where none was found).
    """

    param: str
    values: np.ndarray
    points: tuple

    @property
    def success(self) -> np.ndarray:
        return np.array([p.success for p in self.points], dtype=bool)

    def column(self, name: str) -> np.ma.MaskedArray:
        """Order parameter, observable or ``free_entropy`` along the curve.

        Masked where the point did not converge, or where its theory has no such
        quantity (a curve may switch theory, e.g. onto a plateau): never a silent NaN.
        """
        if name not in self.columns():
            raise KeyError(f"{name!r} is neither an order parameter nor an observable")
        data, mask = [], []
        for p in self.points:
            v = self._get(p, name)
            ok = p.success and v is not None
            data.append(v if ok else 0.0)
            mask.append(not ok)
        return np.ma.MaskedArray(np.array(data, dtype=float), mask=np.array(mask, dtype=bool))

    @staticmethod
    def _get(point, name):
        try:
            return point[name]
        except KeyError:
            return None

    def columns(self) -> list[str]:
        """All quantities that appear at some point of the curve, first-seen order."""
        names = ["free_entropy"]
        for p in self.points:
            for k in [*p.order, *p.observables]:
                if k not in names:
                    names.append(k)
        return names

    def to_records(self) -> list[dict]:
        rows = []
        for v, p in zip(self.values, self.points):
            row = {self.param: float(v), "success": p.success}
            for name in self.columns():
                row[name] = self._get(p, name) if p.success else None
            row.update(residual=p.residual, quad_error=p.quad_error, message=p.message)
            rows.append(row)
        return rows

    def to_csv(self, path=None) -> str:
        """CSV text (empty cells where a point failed); written to ``path`` if given."""
        rows = self.to_records()
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        for r in rows:
            writer.writerow({k: ("" if v is None else (repr(v) if isinstance(v, float) else v)) for k, v in r.items()})
        text = buf.getvalue()
        if path is not None:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
        return text

    def to_json(self, path=None) -> str:
        """JSON: the parameter array, one array per column (null where failed), success."""
        rows = self.to_records()
        out = {self.param: [float(v) for v in self.values], "success": [r["success"] for r in rows]}
        for name in self.columns() + ["residual", "quad_error", "message"]:
            out[name] = [r[name] for r in rows]
        text = json.dumps(out, indent=1)
        if path is not None:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
        return text


def _inside(guess, v, last_two, coords: StiffCoordinates) -> np.ndarray:
    """The predicted point, with each component that left its domain replaced by a
    geometric extrapolation of its distance to that bound from the last two points.

    A small positive parameter (a width ~(p - Q)^2, or ~alpha) extrapolated by a
    polynomial easily lands below 0; its distance to the bound changes by a bounded
    factor per step, so the geometric extrapolation stays inside.
    """
    (t0, x0), (t1, x1) = last_two
    r = (v - t1) / (t1 - t0)
    lo, hi = coords.lower, coords.upper
    out = np.array(guess, dtype=float)
    with np.errstate(all="ignore"):
        below = ~(out > lo)
        out[below] = (lo + (x1 - lo) * ((x1 - lo) / (x0 - lo)) ** r)[below]
        above = ~(out < hi)
        out[above] = (hi - (hi - x1) * ((hi - x1) / (hi - x0)) ** r)[above]
    bad = ~np.isfinite(out) | ~(out > lo) | ~(out < hi)
    out[bad] = x1[bad]
    return out


def _with(spec, param, value):
    return dataclasses.replace(spec, **{param: value})


def _quiet_solve(spec, init, solve_kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return solve(spec, init=init, **solve_kwargs)


# Newton iterations for one continuation step: from a warm start a step converges in a few
# (measured on the Franz-Parisi and local-entropy benchmark curves: 98% of 1300 steps within
# 10); one that does not is cheaper to halve than to iterate out (up to 50 iterations).
_STEP_MAXITER = 16


def continuation(
    spec,
    param: str,
    values: Sequence[float],
    *,
    init=None,
    max_step=None,
    max_halvings: int = 6,
    retry_from_last: bool = True,
    strict: bool = False,
    end_of_branch=None,
    **solve_kwargs,
) -> Curve:
    """Follow a saddle-point branch of ``spec`` along ``param`` over ``values``.

    Each value is reached from the last converged point through intermediate points
    (at most ``max_step`` apart): every start is the polynomial extrapolation (secant,
    quadratic, then cubic) of the last converged points in stiff coordinates (a warm start;
    a component that leaves its domain is extrapolated geometrically towards its bound);
    the steps use Newton (at most 16 iterations each), and
    a failed step is halved (at most ``max_halvings`` times per point).  If the target
    still fails, ``solve``'s full fallback chain is tried there once.  A value that
    fails is recorded with ``success=False`` and the reason, and the next value is
    tried from the last converged point again.

    Parameters
    ----------
    spec : model spec (a frozen dataclass)
        The other parameters; ``param`` is replaced along the way.
    param : str
        Field of ``spec`` to vary.
    values : sequence of float
        The requested values, in the order to follow (monotonic for one branch).
    init : dict or SaddlePoint, optional
        Start for the first value.
    max_step : float or callable, optional
        Largest step in ``param``; a callable receives the current value (e.g.
        ``lambda d: 0.2 * d + 1e-4`` for geometric steps towards ``d -> 0``).
    max_halvings : int
        Halvings of the step towards one failing point before giving up on a value
        (at most ``4 * max_halvings`` failures in all per value).
    retry_from_last : bool
        When a step from the extrapolated start fails, try it once more from the last
        converged point (the extrapolation can overshoot near a turning point).
    strict : bool
        Raise :class:`~replica.solve.ConvergenceError` at the first failed value.
    end_of_branch : callable, optional
        ``end_of_branch(good, failed)``: ``good`` the converged SaddlePoints so far (the
        most recent last), ``failed`` the one that did not converge; returns a reason
        string when the failure marks the end of the branch (e.g. an overlap reaching 1);
        the remaining values are then reported as ``success=False`` with that reason,
        and not attempted.
    **solve_kwargs
        Passed to :func:`~replica.solve.solve` (``method``, ``tol``, ``quad`` ...).

    Returns
    -------
    Curve
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or values.size == 0:
        raise ValueError("values must be a non-empty 1-d sequence")
    if not hasattr(spec, param):
        raise ValueError(f"{type(spec).__name__} has no parameter {param!r}")
    solve_kwargs.pop("strict", None)
    # Steps towards a value: Newton only; the quadrature check (n -> 2n, the dominant
    # cost for nested integrals) only at the requested values themselves.
    step_kwargs = {**solve_kwargs, "method": solve_kwargs.get("method", "newton"),
                   "maxiter": min(solve_kwargs.get("maxiter", _STEP_MAXITER), _STEP_MAXITER)}
    waypoint_kwargs = {**step_kwargs, "quad_check": False}
    history: list[tuple[float, np.ndarray]] = []  # converged (value, order vector)
    names: list[str] = []
    points = []
    coords = StiffCoordinates.of(spec.free_entropy())

    def predict(v):
        """Polynomial extrapolation (secant, quadratic, then cubic) in stiff coordinates.

        Cubic through the last four points: on the Franz–Parisi curves it saves a fifth of
        the Newton iterations of the quadratic (measured, 100-point curves)."""
        if not history:
            return init
        if len(history) == 1:
            return dict(zip(names, history[-1][1]))
        pts = history[-4:]
        ts = [t for t, _ in pts]
        if len(set(ts)) < len(ts):
            return dict(zip(names, history[-1][1]))
        guess_y = 0.0
        for i, (ti, xi) in enumerate(pts):  # Lagrange basis at v
            w = 1.0
            for j, tj in enumerate(ts):
                if j != i:
                    w *= (v - tj) / (ti - tj)
            guess_y = guess_y + w * coords.to_y(xi)
        guess, _ = coords.to_x(guess_y)
        return dict(zip(names, _inside(guess, v, history[-2:], coords)))

    def attempt(v, kwargs):
        nonlocal coords
        theory = _with(spec, param, v).free_entropy()
        if names and tuple(names) != theory.order_names:
            # Another theory from here on (e.g. a plateau): start afresh.
            history.clear()
            names.clear()
            coords = StiffCoordinates.of(theory)
            return _quiet_solve(_with(spec, param, v), None, kwargs)
        r = _quiet_solve(_with(spec, param, v), predict(v), kwargs)
        if retry_from_last and not r.success and len(history) > 1:
            # The secant guess can overshoot near a turning point: retry from the last point.
            r2 = _quiet_solve(_with(spec, param, v), dict(zip(names, history[-1][1])), kwargs)
            r = r2 if r2.success else r
        return r

    def accept(v, r):
        if not names:
            names.extend(r.order)
        history.append((v, np.array([r.order[n] for n in names])))

    def waypoints(current, target):
        if max_step is None:
            return [target]
        out, v = [], current
        for _ in range(10000):
            h = max_step(v) if callable(max_step) else max_step
            if not h > 0:
                raise ValueError("max_step must be positive")
            if abs(target - v) <= h:
                break
            v = v + math.copysign(h, target - v)
            out.append(v)
        return out + [target]

    ended = None  # reason, once the branch has ended
    good: list[SaddlePoint] = []  # converged points (waypoints included), for end_of_branch
    for target in (float(v) for v in values):
        if ended is not None:
            points.append(_not_attempted(_with(spec, param, target), ended))
            continue
        result = None
        if not history:
            result = _quiet_solve(_with(spec, param, target), init, solve_kwargs)
        else:
            pending = waypoints(history[-1][0], target)[::-1]  # pop() gives the next point
            # Failures per waypoint, not reset by successes in between: otherwise a point
            # past the end of a branch is approached by ever shorter steps (Zeno).
            failures: dict[float, int] = {}
            while pending:
                v = pending[-1]
                r = attempt(v, step_kwargs if v == target else waypoint_kwargs)
                if r.success:
                    pending.pop()
                    accept(v, r)
                    good.append(r)
                    if not pending:
                        result = r
                elif end_of_branch is not None and good and end_of_branch(tuple(good), r):
                    result = r  # the branch has ended: no point in smaller steps
                    break
                elif failures.get(v, 0) < max_halvings and sum(failures.values()) < 4 * max_halvings:
                    failures[v] = failures.get(v, 0) + 1
                    pending.append(0.5 * (history[-1][0] + v))
                else:
                    break
            if result is None:
                result = attempt(target, solve_kwargs)  # full fallback chain, once
        if result.success and (not history or history[-1][0] != target):
            accept(target, result)
        if result.success:
            if not good or good[-1] is not result:
                good.append(result)
        elif end_of_branch is not None and good:  # (the last good may be a waypoint)
            reason = end_of_branch(tuple(good), result)
            if reason:
                ended = reason
                result = dataclasses.replace(result, message=f"{reason} (last attempt: {result.message})")
        if not result.success:
            if strict:
                raise ConvergenceError(f"continuation failed at {param}={target}: {result.message}", result)
            warnings.warn(f"continuation: no saddle point at {param}={target:g}: {result.message}", ConvergenceWarning, stacklevel=2)
        points.append(result)
    return Curve(param=param, values=values, points=tuple(points))


def _not_attempted(spec, reason: str, tried: SaddlePoint | None = None) -> SaddlePoint:
    """A failed point past the end of a branch: no values, the reason in the message."""
    return SaddlePoint(
        order={}, free_entropy=None, observables={}, success=False,
        message=reason + (f" (last attempt: {tried.message})" if tried else ""),
        nit=tried.nit if tried else 0, residual=None, step=None, quad_error=None, params=spec, method="none",
    )


def _solve_task(args):
    spec, solve_kwargs = args
    return _quiet_solve(spec, None, solve_kwargs)


def sweep(specs: Iterable, *, executor=None, **solve_kwargs) -> list[SaddlePoint]:
    """Solve independent specs (no warm starts), optionally in parallel.

    ``executor`` is anything with a ``map`` method; tasks are plain data (the spec and
    the keyword arguments) and compiled functions are built in each worker.
    """
    tasks = [(s, solve_kwargs) for s in specs]
    mapper = executor.map if executor is not None else map
    return list(mapper(_solve_task, tasks))


@dataclass(frozen=True)
class Threshold:
    """Value of a parameter where an observable reaches a target.

    Attributes
    ----------
    param, value : str, float
        The parameter and the value found.
    saddle : SaddlePoint
        The saddle point at ``value``.
    success : bool
    message : str
    error : float
        Error estimate on ``value``: the root-finding tolerance plus the observable's
        quadrature error divided by its slope.
    nit : int
        Number of saddle points solved.
    """

    param: str
    value: float
    saddle: SaddlePoint
    success: bool
    message: str
    error: float
    nit: int


def find_parameter(
    spec,
    param: str,
    *,
    observable: str = "free_entropy",
    target: float = 0.0,
    start: float | None = None,
    bracket: tuple[float, float] | None = None,
    xtol: float = 1e-13,
    maxiter: int = 60,
    init=None,
    **solve_kwargs,
) -> Threshold:
    """Value of ``param`` at which ``observable`` equals ``target`` along a branch.

    Newton iteration in the parameter, safeguarded by bisection once a sign change is
    bracketed.  For ``observable="free_entropy"`` the slope is exact by the envelope
    theorem (the partial derivative of the free entropy at the saddle point); for other
    observables it is a secant.  Every saddle point is warm-started from the previous
    one.

    Parameters
    ----------
    spec : model spec
    param : str
    observable : str
        ``"free_entropy"`` or a name of an order parameter or observable.
    target : float
    start : float, optional
        First value tried (default: the spec's own value).
    bracket : (float, float), optional
        Values known to enclose the root; iterates are kept inside.
    xtol : float
        Absolute tolerance on the parameter.
    """
    x = float(getattr(spec, param) if start is None else start)
    if bracket is not None:
        lo, hi = (float(b) for b in bracket)
        if not lo < hi:
            raise ValueError("bracket must be (low, high) with low < high")
        if not lo <= x <= hi:
            x = 0.5 * (lo + hi)
    theory = spec.free_entropy()
    envelope = observable == "free_entropy" and param in theory.param_names
    quad = solve_kwargs.get("quad") or QuadratureOptions()
    positive = negative = None  # latest values where f > 0 and f < 0
    last_ok = None  # (x, saddle) of the latest converged point
    prev = None  # (x, f) for the secant
    slope = math.nan
    saddle = None
    for nit in range(1, maxiter + 1):
        saddle = _quiet_solve(_with(spec, param, x), last_ok[1] if last_ok else init, solve_kwargs)
        value = saddle[observable] if saddle.success else None
        if value is None:
            if last_ok is None:
                return Threshold(param, x, saddle, False, f"no saddle point at {param}={x:g}: {saddle.message}", math.inf, nit)
            x = 0.5 * (x + last_ok[0])  # back off towards the last good point
            continue
        last_ok = (x, saddle)
        f = value - target
        if f > 0:
            positive = x
        elif f < 0:
            negative = x
        else:
            break
        if envelope:
            order = [saddle.order[n] for n in theory.order_names]
            derivs = compiled_theory(theory).param_derivatives(order, _with(spec, param, x).parameter_values(), quad)
            slope = float(derivs[theory.param_names.index(param)])
        elif prev is not None and prev[0] != x:
            slope = (f - prev[1]) / (x - prev[0])
        else:
            slope = math.nan
        prev = (x, f)
        if slope != 0 and math.isfinite(slope):
            x_new = x - f / slope
        else:
            x_new = x * (1 + 1e-3) + 1e-6  # first secant step
        if positive is not None and negative is not None:
            a, b = sorted((positive, negative))
            if not a < x_new < b:
                x_new = 0.5 * (a + b)
        if bracket is not None:
            x_new = min(max(x_new, lo), hi)
        if abs(x_new - x) < xtol:
            x = x_new
            saddle = _quiet_solve(_with(spec, param, x), saddle, solve_kwargs)
            break
        x = x_new
    else:
        return Threshold(param, x, saddle, False, f"no convergence in {maxiter} steps", math.inf, maxiter)
    if not saddle.success:
        return Threshold(param, x, saddle, False, saddle.message, math.inf, nit)
    error = xtol + (saddle.quad_error or 0.0) / abs(slope) if slope and math.isfinite(slope) else math.inf
    return Threshold(param, x, saddle, True, f"{observable} = {target:g} at {param} = {x:.12g}", error, nit)
