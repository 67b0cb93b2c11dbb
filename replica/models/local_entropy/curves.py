"""Local-entropy curves along ``d``: branch following, branch ends, the monotonicity threshold.

The ``y = inf`` free-reference curve is followed from the Gardner end point ``d*`` down
(and is flat, ``S_I = s(alpha)``, above it); above ``alpha_U`` it stops where its slope
vanishes and carries on along the disconnected dense branch at small ``d``.  The
constrained reference is followed from its anchor; at finite ``y`` from its stored
anchors.  Each branch end is reported with a :class:`~replica.errors.Reason`.
"""

from __future__ import annotations

import math

import numpy as np

from ... import _validate
from ...errors import Reason
from ...solve import SaddlePoint
from ...sweep import Curve, Threshold, bisect_property, continuation, not_attempted, with_note
from .. import committee
from . import starts
from .spec import LocalEntropy, check, _require_linear

__all__ = ["local_entropy_curve", "monotonicity_threshold"]

_D_STEP = starts.d_step


def _solution_closes(good: tuple, failed: SaddlePoint) -> tuple[Reason, str] | None:
    """Why the constrained ``y = inf`` branch cannot be followed to larger ``d``.

    Towards the free end point ``d*`` the constrained branch has ``phat, dq -> 0`` and
    ``S_I -> s(alpha)``; it closes just beyond ``d*`` (the reference's noise ``dQ``
    diverges there).
    """
    last = good[-1]
    if last.order.get("dq", 1.0) < 0.01:
        return Reason.END_OF_BRANCH, (f"end of the constrained y = inf branch near d = {last.params.d:.4g}: S_I = "
                f"{last['local_entropy']:.7f} approaches s(alpha) (dq -> 0); no constrained saddle point beyond it")
    return None



def _saturated(good: tuple, failed: SaddlePoint) -> tuple[Reason, str] | None:
    """Why the dense branch cannot be followed to smaller ``d`` in double precision.

    For ``alpha < alpha_U`` the gap ``H2(d) - S_I(d)`` and ``qhat`` vanish like
    ``exp(-c/d)`` while ``dq`` diverges like ``exp(c'/d)``: once the gap is below
    ~1e-9 of ``H2`` the saddle point is no longer resolvable in double precision
    (``S_I = H2(d)`` to that accuracy, and ``S_I <= H2`` always).
    """
    last = good[-1]
    gap, h2, d = last["gap"], last["H2"], last.params.d
    if gap is not None and gap < 1e-9 * h2:
        return Reason.SATURATED, (f"dense branch saturated: H2(d) - S_I = {gap:.1e} at d = {d:.4g} and decaying like exp(-c/d); "
                f"below that distance S_I(d) = H2(d) beyond double precision and the saddle point "
                f"(qhat ~ exp(-c/d)) is not resolvable")
    return None


def _slope_vanishes(good: tuple, failed: SaddlePoint) -> tuple[Reason, str] | None:
    """Why the ``y = inf`` branch stops where ``phat = dS_I/dd / 2`` reaches 0.

    Above the monotonicity threshold ``alpha_U`` the branch followed from the Gardner
    end point reaches ``phat = 0`` at a finite ``d``.  There ``dqhat > 1``, the inner
    maximum ``CoshMax(g, dqhat)`` has two maximisers and a kink at ``g = 0``, and a
    reference aligned with its cloud requires ``phat >= 0``: the RS ``y = inf`` curve
    has a gap in ``d`` (PRL 115, 128101: the curves stop being monotonic).
    """
    last = good[-1]
    slope, dqhat = last.observables.get("slope"), last.order.get("dqhat")
    if slope is not None and dqhat is not None and abs(slope) < 0.1 and dqhat > 1.0:
        return Reason.NO_RS_SOLUTION, (f"no RS saddle point with phat > 0: the y = inf branch reaches dS_I/dd = 0 "
                f"near d = {last.params.d:.4g} (alpha above the monotonicity threshold alpha_U)")
    return None


def _branch_end(good: tuple, failed: SaddlePoint) -> tuple[Reason, str] | None:
    """``end_of_branch`` of the dense curves (:func:`~replica.sweep.continuation`)."""
    return _saturated(good, failed) or _slope_vanishes(good, failed)



_DENSE_ANCHOR = 0.005  # a distance where the dense branch is resolvable for every alpha < alpha_c


def _dense_start(alpha: float, d: float, kappa: float, activation: str = "linear") -> dict | None:
    """Saddle on the small-``d`` dense branch at ``alpha``, by continuation in alpha.

    At small ``d`` the dense branch (``S_I`` within ``exp(-c/d)`` of ``H2``) exists for
    every load, also above ``alpha_U`` where it is disconnected from the Gardner end
    point: it is reached from ``alpha = 0.5``, where it is connected, at fixed ``d``.
    """
    base = local_entropy_curve(0.5, [d], kappa=kappa, activation=activation).points[0]
    if not base.success:
        return None
    path = continuation(LocalEntropy(0.5, d, math.inf, "free", kappa, activation), "alpha", np.linspace(0.5, alpha, 25),
                        init=base)
    last = path.points[-1]
    return dict(last.order) if last.success else None


def local_entropy_curve(alpha: float, d_values, *, y: float = math.inf, reference: str = "free",
                        kappa: float = 0.0, activation: str = "linear", **solve_kwargs) -> Curve:
    """``S_I(d)`` over ``d_values``, by continuation from the Gardner end point ``d*``.

    The branch is followed from ``d*`` down to the smallest requested distance and up
    to the largest one; the points are returned in the order of ``d_values``.  Points
    where no RS saddle point is found carry ``success=False`` and the reason.
    ``activation`` as in :class:`LocalEntropy` (``"linear"``: the perceptron).  At
    ``y = inf`` and above ``alpha_U`` the branch from ``d*`` ends where ``phat = 0``; the
    curve then carries on along the dense branch at small ``d``, followed upwards from
    ``d = 0.005`` (reached by continuation in alpha) until its own ``phat = 0`` point.
    Towards ``d -> 0`` the dense branch saturates (``H2(d) - S_I < 1e-9 H2``): those
    points are reported as such.
    """
    d_values = np.asarray(d_values, dtype=float)
    for v in d_values:
        check(alpha, v, y, reference, kappa, activation)
    _require_linear(reference, activation)
    d_star, _ = starts.gardner_end_point(alpha, kappa, activation)
    limit = y == math.inf
    if reference == "solution":
        if limit:
            return _solution_curve(alpha, d_values, kappa, solve_kwargs)
        return _solution_y_curve(alpha, d_values, y, kappa, solve_kwargs)
    points: dict[int, SaddlePoint] = {}

    def follow(idx, spec, start, end_of_branch, anchor=None):
        values = [float(d_values[i]) for i in idx]
        if anchor is not None:  # start at the anchor itself: steps from there, not a jump
            values = [anchor] + values
        curve = continuation(spec, "d", values, init=start, max_step=_D_STEP,
                             end_of_branch=end_of_branch, **solve_kwargs)
        for i, pt in zip(idx, curve.points[1:] if anchor is not None else curve.points):
            points[i] = pt

    for side in (-1, 1):
        idx = [i for i, v in enumerate(d_values) if (v < d_star if side < 0 else v >= d_star)]
        if not idx:
            continue
        idx.sort(key=lambda i: abs(d_values[i] - d_star))
        if limit and side < 0:
            # From the known start next to d*, so that the end of the branch is detected.
            anchor = starts.branch_start(d_star)
            spec = LocalEntropy(alpha, anchor, y, reference, kappa, activation)
            follow(idx, spec, starts.inf_branch_guess(spec), _branch_end, anchor)
        else:
            spec = LocalEntropy(alpha, float(d_values[idx[0]]), y, reference, kappa, activation)
            follow(idx, spec, starts.resolved(spec.initial_guess()), _saturated if side < 0 else None)

    # Above alpha_U: the disconnected dense branch at small d.
    gap_idx = [i for i, v in enumerate(d_values) if v < d_star and points[i].reason == Reason.NO_RS_SOLUTION]
    if limit and gap_idx:
        start = _dense_start(alpha, _DENSE_ANCHOR, kappa, activation)
        if start is not None:
            up = sorted((i for i in gap_idx if d_values[i] >= _DENSE_ANCHOR), key=lambda i: d_values[i])
            down = sorted((i for i in gap_idx if d_values[i] < _DENSE_ANCHOR), key=lambda i: -d_values[i])
            gap_reason = {i: points[i] for i in up}
            for idx, stop in ((up, _slope_vanishes), (down, _saturated)):
                if idx:
                    follow(idx, LocalEntropy(alpha, _DENSE_ANCHOR, y, reference, kappa, activation), start, stop,
                           _DENSE_ANCHOR)
            for i in up:  # inside the gap: keep the reason of the branch from above
                if points[i].reason == Reason.NO_RS_SOLUTION:
                    points[i] = gap_reason[i]
    return Curve(param="d", values=d_values, points=tuple(points[i] for i in range(len(d_values))))


def _solution_curve(alpha: float, d_values: np.ndarray, kappa: float, solve_kwargs: dict) -> Curve:
    """``y = inf`` curve with the reference constrained to be a solution.

    Followed from ``0.6 d*`` up to where it closes on ``s(alpha)`` (just beyond ``d*``)
    and down.  Going down ``Qp`` (the reference's conjugate) vanishes like
    ``exp(-c/d)``, and with it the cost of the constraint: once ``Qp < 1e-9`` the
    remaining points are the free-reference saddle (the ``Qp -> 0`` limit of the
    constrained equations; the difference in ``S_I`` is ~0.3 Qp < 3e-10), said in
    their message.  Above ``alpha_U`` the branch ends where the slope vanishes; the
    disconnected dense branch is computed for the free reference only.
    """
    start = starts.solution_start(LocalEntropy(alpha, 0.25, math.inf, "solution", kappa))
    anchor = start.params.d
    points: dict[int, SaddlePoint] = {}
    if not start.success:
        for i, v in enumerate(d_values):
            points[i] = not_attempted(LocalEntropy(alpha, float(v), math.inf, "solution", kappa),
                                      "no constrained saddle point at the anchor d = 0.6 d*", tried=start)
        return Curve(param="d", values=d_values, points=tuple(points[i] for i in range(len(d_values))))
    up = sorted((i for i, v in enumerate(d_values) if v >= anchor), key=lambda i: d_values[i])
    if up:
        # dq vanishes linearly towards the end: short steps (0.005) to get close to it.
        curve = continuation(start.params, "d", [anchor] + [float(d_values[i]) for i in up], init=start,
                             max_step=0.005, end_of_branch=_solution_closes, **solve_kwargs)
        points.update(zip(up, curve.points[1:]))
    down = sorted((i for i, v in enumerate(d_values) if v < anchor), key=lambda i: -d_values[i])
    # Step down through waypoints, checking Qp at each one.
    stops, v = [], anchor
    while down and v > d_values[down[-1]]:
        v = max(v - _D_STEP(v), float(d_values[down[-1]]))
        stops.append(v)
    stops = sorted(set(stops) | {float(d_values[i]) for i in down}, reverse=True)
    last = start
    for k, d in enumerate(stops):
        targets = [i for i in down if d_values[i] == d]
        pt = continuation(last.params, "d", [last.params.d, d], init=last, max_step=_D_STEP,
                          end_of_branch=_branch_end, **solve_kwargs).points[-1]
        if not pt.success:
            reason = pt.message
            if pt.reason == Reason.NO_RS_SOLUTION:
                reason += "; the disconnected dense branch is computed for reference='free' only"
            for j in down:
                if j not in points:
                    points[j] = not_attempted(LocalEntropy(alpha, float(d_values[j]), math.inf, "solution", kappa),
                                              reason, reason=pt.reason)
            break
        for i in targets:
            points[i] = pt
        last = pt
        rest = [j for j in down if j not in points]
        if pt.order["Qp"] < starts.QP_INACTIVE and rest:
            note = (f"reference constraint inactive (Qp = {pt.order['Qp']:.1e} < {starts.QP_INACTIVE:g} at d = {d:.4g}): "
                    f"free-reference saddle, above the constrained one by ~0.3 Qp (measured)")
            spec = LocalEntropy(alpha, d, math.inf, "free", kappa)
            curve = continuation(spec, "d", [d] + [float(d_values[j]) for j in rest], init=starts.free_from_solution(pt.order, d),
                                 max_step=_D_STEP, end_of_branch=_branch_end, **solve_kwargs)
            for j, fp in zip(rest, curve.points[1:]):
                points[j] = with_note(fp, note)
            break
    return Curve(param="d", values=d_values, points=tuple(points[i] for i in range(len(d_values))))


def _solution_y_curve(alpha: float, d_values: np.ndarray, y: float, kappa: float, solve_kwargs: dict) -> Curve:
    """Finite-``y`` curve with the reference constrained to be a solution.

    Anchored at the requested distance nearest to ``d = 0.15`` (reached from the stored
    anchors by :func:`_solution_y_guess`) and followed by continuation in ``d`` up and down.
    """
    a = int(np.argmin(np.abs(d_values - starts.SOLUTION_Y_ANCHOR_D)))
    d_a = float(d_values[a])
    spec = LocalEntropy(alpha, d_a, y, "solution", kappa)
    start = starts.resolved(spec.initial_guess())
    points: dict[int, SaddlePoint] = {}
    for side in (-1, 1):
        idx = sorted((i for i, v in enumerate(d_values) if (v <= d_a if side < 0 else v > d_a)),
                     key=lambda i: abs(d_values[i] - d_a))
        if not idx:
            continue
        curve = continuation(spec, "d", [d_a] + [float(d_values[i]) for i in idx], init=start, max_step=_D_STEP,
                             **solve_kwargs)
        points.update(zip(idx, curve.points[1:]))
    return Curve(param="d", values=d_values, points=tuple(points[i] for i in range(len(d_values))))


def _min_slope(alpha: float, kappa: float, grid, activation: str = "linear") -> tuple[float | None, SaddlePoint | None]:
    """Smallest ``phat`` on the ``y = inf`` branch from ``d*`` over ``grid`` (None if it breaks)."""
    curve = local_entropy_curve(alpha, grid, kappa=kappa, activation=activation)
    ok = [p for p in curve.points if p.success and "phat" in p.order]
    if len(ok) < len(curve.points) or not ok:
        return None, None
    best = min(ok, key=lambda p: p.order["phat"])
    return best.order["phat"], best


def monotonicity_threshold(kappa: float = 0.0, *, bracket=(0.70, 0.80), xtol: float = 1e-4,
                           activation: str = "linear") -> Threshold:
    """Load ``alpha_U`` above which the ``y = inf`` local-entropy curve is not monotonic.

    Below ``alpha_U`` the branch from the Gardner end point reaches ``d -> 0`` with
    ``phat = dS_I/dd / 2 > 0`` everywhere; above it ``phat`` touches 0 at a finite
    ``d`` (a gap opens in the RS curve).  Found by bisection on that property; the
    distance of the minimum of ``phat`` is reported in the saddle point.

    References
    ----------
    Baldassi et al., PRL 115, 128101 (2015) (the dense-region curves stop being
    monotonic above alpha ~ 0.77); free reference, RS, y = inf in this package.
    """
    _validate.real("kappa", kappa, lower=0.0)
    _validate.choice("activation", activation, committee.ACTIVATIONS)
    grid = np.geomspace(0.004, 0.06, 60)

    def monotonic(alpha):
        m, pt = _min_slope(alpha, kappa, grid, activation)
        return m is not None and m > 0, pt

    try:
        lo, hi, nit, p_lo = bisect_property(monotonic, *map(float, bracket), xtol=xtol)
    except ValueError as exc:
        return Threshold("alpha", float(bracket[0]), getattr(exc, "payload", None), False,
                         f"bracket {bracket} does not contain the threshold ({exc})", math.inf, 2)
    return Threshold("alpha", 0.5 * (lo + hi), p_lo, True,
                     f"monotonic at alpha = {lo:.5f} (min phat = {p_lo.order['phat']:.2e} at d = {p_lo.params.d:.4f}), "
                     f"not at {hi:.5f}", 0.5 * (hi - lo), nit)
