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
* :class:`Homotopy` is a starting point found by continuation (an ``initial_guess``
  that follows a parameter from where the saddle is easy to find).
* :func:`bisect_property` locates where a property of the solutions stops holding.

Results share one vocabulary: ``success``, ``message`` (for people) and ``reason``
(a :class:`~replica.errors.Reason`, for code).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
import warnings
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from ._coordinates import StiffCoordinates
from .compile import compiled_theory
from .errors import ConvergenceError, ConvergenceWarning, Reason
from .quadrature import QuadratureOptions
from .solve import SaddlePoint, _check_solve_options, _require_spec, solve

__all__ = [
    "Curve",
    "continuation",
    "sweep",
    "Threshold",
    "find_parameter",
    "Homotopy",
    "not_attempted",
    "with_note",
    "bisect_property",
]


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
        """Boolean array: which points converged."""
        return np.array([p.success for p in self.points], dtype=bool)

    @property
    def converged(self) -> tuple:
        """The converged points, in the order of ``values``."""
        return tuple(p for p in self.points if p.success)

    def last_converged(self, default=None):
        """Order parameters (a plain dict) of the last converged point, or ``default``.

        The usual start for the next leg of a branch.
        """
        good = self.converged
        return dict(good[-1].order) if good else default

    @property
    def message(self) -> str:
        """Summary: how many points converged, and the reasons of the others."""
        n_ok = int(self.success.sum())
        text = f"{n_ok} of {len(self.points)} points converged"
        failed = Counter(p.reason.value for p in self.points if not p.success)
        if failed:
            text += "; failed: " + ", ".join(f"{n} {r}" for r, n in failed.items())
        return text

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
        """One dict per point: the parameter, ``success``, every column (None where the
        point failed), ``residual``, ``quad_error``, ``message`` and ``reason`` (its value)."""
        rows = []
        for v, p in zip(self.values, self.points):
            row = {self.param: float(v), "success": p.success}
            for name in self.columns():
                row[name] = self._get(p, name) if p.success else None
            row.update(residual=p.residual, quad_error=p.quad_error, message=p.message, reason=p.reason.value)
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
        """JSON: the parameter array, one array per column (null where failed), success,
        and per point the residual, quadrature error, message and reason."""
        rows = self.to_records()
        out = {self.param: [float(v) for v in self.values], "success": [r["success"] for r in rows]}
        for name in self.columns() + ["residual", "quad_error", "message", "reason"]:
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
        Raise :class:`~replica.errors.ConvergenceError` at the first failed value.
    end_of_branch : callable, optional
        ``end_of_branch(good, failed)``: ``good`` the converged SaddlePoints so far (the
        most recent last), ``failed`` the one that did not converge.  Returns None (or
        ``""``) while the branch goes on; when the failure marks its end (e.g. an overlap
        reaching 1) it returns why: a string (reason ``Reason.END_OF_BRANCH``) or a
        tuple ``(Reason, str)`` (e.g. ``Reason.SATURATED``).  The failed point then gets
        that reason and the message ``"<text> (last attempt: ...)"``; the remaining
        values are not attempted and reported as ``success=False`` with the same reason
        and the text as message (so callers can tell "past a gap" from "past a
        saturation").
    **solve_kwargs
        Passed to :func:`~replica.solve.solve` (``method``, ``tol``, ``quad`` ...).

    Returns
    -------
    Curve

    Raises
    ------
    TypeError
        If ``spec`` is not a model spec, or for an option ``solve`` does not accept.
    """
    _require_spec(spec)
    _check_solve_options(solve_kwargs)
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

    def branch_end(failed) -> tuple[Reason, str] | None:
        """``end_of_branch``'s verdict on ``failed``, as ``(Reason, text)`` or None."""
        if end_of_branch is None or not good:
            return None
        return _end_verdict(end_of_branch(tuple(good), failed))

    ended = None  # (reason, text), once the branch has ended
    good: list[SaddlePoint] = []  # converged points (waypoints included), for end_of_branch
    for target in (float(v) for v in values):
        if ended is not None:
            points.append(not_attempted(_with(spec, param, target), ended[1], reason=ended[0]))
            continue
        result = None
        verdict = None  # end_of_branch's verdict on the failed step that stopped the approach
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
                elif (verdict := branch_end(r)) is not None:
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
        else:  # (the last good may be a waypoint)
            if verdict is None:
                verdict = branch_end(result)
            if verdict is not None:
                ended = verdict
                result = dataclasses.replace(result, message=f"{verdict[1]} (last attempt: {result.message})",
                                             reason=verdict[0])
        if not result.success:
            if strict:
                raise ConvergenceError(f"continuation failed at {param}={target}: {result.message}", result)
            warnings.warn(f"continuation: no saddle point at {param}={target:g}: {result.message}", ConvergenceWarning, stacklevel=2)
        points.append(result)
    return Curve(param=param, values=values, points=tuple(points))


def _end_verdict(value) -> tuple[Reason, str] | None:
    """Normalise what an ``end_of_branch`` callable returned: None, a str or (Reason, str)."""
    if value is None:
        return None
    if isinstance(value, tuple):
        reason, text = value
        return Reason(reason), str(text)
    if isinstance(value, str):
        return (Reason.END_OF_BRANCH, value) if value else None
    raise TypeError(f"end_of_branch must return None, a str or a (Reason, str) tuple, got {value!r}")


def not_attempted(spec, message: str, *, reason: Reason = Reason.NOT_ATTEMPTED,
                  tried: SaddlePoint | None = None) -> SaddlePoint:
    """A failed point that was not computed (e.g. past the end of a branch).

    Parameters
    ----------
    spec : model spec
        The point's spec (kept as ``params``).
    message : str
        Why it was not computed.
    reason : Reason
        Machine-readable twin of ``message``; the reason of the end of the branch
        when the point lies past it.
    tried : SaddlePoint, optional
        A failed attempt that led to the decision: its message is appended as
        ``" (last attempt: ...)"`` and its ``nit`` kept.

    Returns
    -------
    SaddlePoint
        ``success=False``, no order parameters, observables or free entropy.
    """
    return SaddlePoint(
        order={}, free_entropy=None, observables={}, success=False,
        message=message + (f" (last attempt: {tried.message})" if tried else ""),
        nit=tried.nit if tried else 0, residual=None, step=None, quad_error=None, params=spec, method="none",
        reason=reason,
    )


def _not_attempted(spec, reason_text: str, tried: SaddlePoint | None = None,
                   reason: Reason = Reason.NOT_ATTEMPTED) -> SaddlePoint:
    """Old name of :func:`not_attempted` (positional ``tried``); kept for the models."""
    return not_attempted(spec, reason_text, reason=reason, tried=tried)


def with_note(point: SaddlePoint, note: str) -> SaddlePoint:
    """``point`` with ``"; note"`` appended to its message (reason and values kept)."""
    return dataclasses.replace(point, message=f"{point.message}; {note}")


def _solve_task(args):
    spec, solve_kwargs = args
    return _quiet_solve(spec, None, solve_kwargs)


def sweep(specs: Iterable, *, executor=None, **solve_kwargs) -> list[SaddlePoint]:
    """Solve independent specs (no warm starts), optionally in parallel.

    ``executor`` is anything with a ``map`` method; tasks are plain data (the spec and
    the keyword arguments) and compiled functions are built in each worker.  The specs
    and options are checked here, before any task is sent (``TypeError`` for an object
    that is not a model spec or an option ``solve`` does not accept; ``init`` is not
    one: every spec starts from its own ``initial_guess``).
    """
    specs = list(specs)
    for s in specs:
        _require_spec(s)
    _check_solve_options(solve_kwargs, exclude=("init",))
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
    reason : Reason
        ``CONVERGED`` on success; otherwise the saddle point's reason when the saddle
        point failed, else ``NOT_CONVERGED`` (the search itself did not converge).
        When not given it is derived from ``success`` and ``saddle`` by this rule.
    """

    param: str
    value: float
    saddle: SaddlePoint
    success: bool
    message: str
    error: float
    nit: int
    reason: Reason | None = None

    def __post_init__(self):
        if self.reason is None:
            if self.success:
                reason = Reason.CONVERGED
            else:
                failed = not getattr(self.saddle, "success", True)
                reason = getattr(self.saddle, "reason", None) if failed else None
                reason = reason or Reason.NOT_CONVERGED
        else:
            reason = Reason(self.reason)
        object.__setattr__(self, "reason", reason)


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
    init : dict or SaddlePoint, optional
        Start of the first saddle point.
    **solve_kwargs
        Passed to :func:`~replica.solve.solve` (``quad``, ``tol`` ...); unknown options
        raise ``TypeError`` here.

    Returns
    -------
    Threshold
    """
    _require_spec(spec)
    _check_solve_options(solve_kwargs)
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


@dataclass(frozen=True)
class Homotopy:
    """A starting point found by continuation, for ``initial_guess()`` to return.

    "Start at ``spec`` with ``param = values[0]`` (where the saddle is easy to find),
    follow ``param`` through ``values`` by :func:`continuation`, and take the last
    converged point."  :func:`~replica.solve.solve` resolves it (by duck typing on
    ``resolve``) only when it needs the guess.

    Parameters
    ----------
    spec : model spec
        The theory followed; its field ``param`` is replaced along the way.
    param : str
        Field of ``spec`` to vary.
    values : sequence of float
        The path, from the easy start to the target, in order (stored as a tuple).
    init : dict, SaddlePoint, Homotopy or None
        Start at ``values[0]`` (None: the spec's own ``initial_guess``); a Homotopy is
        resolved first, so homotopies chain.
    max_step : float or callable, optional
        Largest step in ``param``, as in :func:`continuation`.
    then : callable, optional
        ``then(order) -> dict``: maps the order parameters reached to the returned
        start (e.g. onto the order parameters of another theory).

    Examples
    --------
    >>> from replica.models.perceptron import Gardner
    >>> start = Homotopy(Gardner(alpha=0.1), "alpha", [0.1, 0.5, 0.9]).resolve()
    >>> sorted(start), round(start["q"], 6)
    (['q', 'qhat'], 0.618598)
    """

    spec: Any
    param: str
    values: Sequence[float]
    init: Any = None
    max_step: Any = None
    then: Callable[[dict], dict] | None = None

    def __post_init__(self):
        values = np.asarray(self.values, dtype=float)
        if values.ndim != 1 or values.size == 0:
            raise ValueError("Homotopy values must be a non-empty 1-d sequence")
        if not hasattr(self.spec, self.param):
            raise ValueError(f"{type(self.spec).__name__} has no parameter {self.param!r}")
        object.__setattr__(self, "values", tuple(float(v) for v in values))

    def resolve(self) -> dict:
        """Run the continuation (quietly) and return the start it leads to.

        Returns
        -------
        dict
            ``then(order)`` (or ``order``) of the last converged point; if no point
            converged, of the resolved ``init``.

        Raises
        ------
        ConvergenceError
            If no point converged and there is no ``init``; ``error.result`` is the
            :class:`Curve`.
        """
        init = self.init.resolve() if hasattr(self.init, "resolve") else self.init
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            curve = continuation(self.spec, self.param, self.values, init=init, max_step=self.max_step)
        order = curve.last_converged()
        if order is None:
            if init is None:
                raise ConvergenceError(
                    f"homotopy in {self.param} from {self.values[0]:g} to {self.values[-1]:g} found no converged "
                    f"point ({curve.points[0].message})", curve)
            order = dict(init.order) if isinstance(init, SaddlePoint) else dict(init)
        return self.then(order) if self.then is not None else order


def bisect_property(predicate: Callable[[float], tuple[bool, Any]], lo: float, hi: float, *,
                    xtol: float) -> tuple[float, float, int, Any]:
    """Bisection for the boundary between where a property holds and where it fails.

    Parameters
    ----------
    predicate : callable
        ``predicate(x) -> (holds, payload)``; ``payload`` is anything the caller wants
        back from the last value where the property held (e.g. its saddle point).
    lo, hi : float
        A value where the property holds and one where it fails (either may be the
        larger).
    xtol : float
        The search stops when ``|hi - lo| <= xtol``.

    Returns
    -------
    lo, hi : float
        The final bracket: the property holds at ``lo`` and fails at ``hi``.
    nit : int
        Evaluations of ``predicate`` (the two ends included).
    payload
        The payload of ``predicate(lo)`` at the final ``lo``.

    Raises
    ------
    ValueError
        If the property fails at ``lo`` or holds at ``hi`` (the bracket does not
        straddle the boundary); the payload at ``lo`` is attached as ``error.payload``.

    Examples
    --------
    >>> lo, hi, nit, payload = bisect_property(lambda x: (x * x < 2.0, x), 1.0, 2.0, xtol=1e-6)
    >>> round(lo, 5), nit, payload == lo
    (1.41421, 22, True)
    """
    if not xtol > 0:
        raise ValueError(f"xtol must be > 0, got {xtol!r}")
    lo, hi = float(lo), float(hi)
    holds, payload = predicate(lo)
    problem = None
    if not holds:
        problem = f"the property does not hold at lo = {lo:g}"
    elif predicate(hi)[0]:
        problem = f"the property holds at hi = {hi:g}"
    if problem is not None:
        error = ValueError(f"{problem}: the bracket ({lo:g}, {hi:g}) does not straddle its boundary")
        error.payload = payload
        raise error
    nit = 2
    while abs(hi - lo) > xtol:
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):  # xtol below the float spacing: the bracket cannot shrink
            break
        holds, p = predicate(mid)
        nit += 1
        if holds:
            lo, payload = mid, p
        else:
            hi = mid
    return lo, hi, nit, payload
