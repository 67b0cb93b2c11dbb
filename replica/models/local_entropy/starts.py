"""Where the local-entropy saddle points are found: anchors, starting points, homotopies.

Every function takes the spec it starts (a :class:`~replica.models.local_entropy.LocalEntropy`
or :class:`~replica.models.local_entropy.RobustEnsemble`) and derives the other points
of the path from it with :func:`dataclasses.replace`; a path is returned as a
:class:`~replica.sweep.Homotopy` (followed by :func:`~replica.solve.solve` only when
needed) wherever "start here, follow this parameter" says it all.

The anchors (where a saddle point is known or easy) are
* the Gardner end point ``d*`` of the ``y = inf`` free branch (``phat = dq = dqhat = 0``,
  the typical saddle), with the branch opened just below it (:func:`inf_branch_guess`);
* ``y = 30`` from the ``y = inf`` scaling ansatz, for finite ``y`` (:func:`down_in_y`);
* ``0.6 d*`` for the constrained reference at ``y = inf``, from the free saddle there
  (:func:`solution_start`);
* stored saddles at ``y = 5``, ``d = 0.15`` for the constrained reference at finite ``y``
  (:data:`SOLUTION_Y_ANCHORS`; docs/derivations/constrained/anchors_y5.json).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ... import special as _special
from ...quadrature import gaussian_expectation
from ...solve import SaddlePoint, solve
from ...sweep import Homotopy, continuation
from .. import committee

__all__ = [
    "gardner_end_point",
    "branch_start",
    "d_step",
    "inf_branch_guess",
    "finite_from_inf",
    "down_in_y",
    "plateau_finite_guess",
    "solution_start",
    "solution_inf_guess",
    "solution_from_free",
    "free_from_solution",
    "solution_y_guess",
    "solution_y_from_raw",
    "robust_ensemble_guess",
    "resolved",
    "QP_INACTIVE",
    "SOLUTION_Y_ANCHORS",
    "SOLUTION_Y_ANCHOR_D",
    "SOLUTION_Y_ANCHOR_Y",
]


def resolved(guess):
    """A guess as a dict: a :class:`~replica.sweep.Homotopy` is followed now."""
    return guess.resolve() if hasattr(guess, "resolve") else guess


def gardner_end_point(alpha: float, kappa: float = 0.0, activation: str = "linear") -> tuple[float, SaddlePoint]:
    """End point ``d*`` of the ``y = inf`` free-reference branch and the Gardner saddle.

    At ``d* = (1 - E|tanh(sqrt(Qhat) z)|)/2`` the reference is the clipped centre of
    mass of all typical solutions: ``phat = dq = dqhat = 0``, ``(q, qhat) = (Q, Qhat)``
    and ``S_I(d*) = s(alpha)``.  For a committee activation the Gardner saddle is the
    large-K committee's (:class:`~replica.models.committee.LargeKCommittee`, binary).
    """
    g = committee.typical_saddle(float(alpha), float(kappa), activation)
    qhat = g.order["qhat"]
    m = gaussian_expectation(lambda z: np.abs(np.tanh(math.sqrt(qhat) * z)), features=[(0.0, 0.0)]).value
    return (1.0 - float(m)) / 2.0, g


def branch_start(d_star: float) -> float:
    """Where the ``y = inf`` branch is started, just below its end point ``d*``."""
    return max(d_star - 0.01, 0.5 * d_star)


def d_step(d: float) -> float:
    """Continuation steps in d: geometric towards d -> 0, at most 0.03."""
    return min(0.2 * d + 1e-4, 0.03)


def inf_branch_guess(spec):
    """Start of the ``y = inf`` free-reference saddle at ``spec.d``: the ansatz just below
    ``d*`` (where ``phat, dq, dqhat`` open up linearly in ``d* - d``: measured ~3.5, 4.6,
    1.9), followed in ``d`` to ``spec.d``."""
    d_star, g = gardner_end_point(spec.alpha, spec.kappa, spec.activation)
    start = branch_start(d_star)
    eps = d_star - start
    guess = {"phat": 3.5 * eps, "q": g.order["q"], "qhat": g.order["qhat"], "dq": 4.6 * eps, "dqhat": 1.9 * eps}
    if abs(spec.d - start) < 1e-12:
        return guess
    return Homotopy(dataclasses.replace(spec, d=start), "d", [start, spec.d], init=guess, max_step=d_step)


def finite_from_inf(order: dict, y: float) -> dict:
    """Finite-``y`` order parameters from the ``y = inf`` scaling ansatz
    (``q0 = q - dq/y``, ``qhat1 = qhat + dqhat/y``)."""
    q, qhat = order["q"], order["qhat"]
    return {
        "phat": order["phat"],
        "q1": q,
        "q0": max(q - order["dq"] / y, 0.5 * q),
        "qhat0": qhat,
        "qhat1": qhat + order["dqhat"] / y,
    }


def down_in_y(spec, guess_at, y_start: float = 30.0):
    """Finite-``y`` start for ``spec``: the ``y = inf`` ansatz ``guess_at(y0)`` at
    ``y0 = max(y, 30)``, followed in ``y`` down to ``spec.y`` (12 geometric steps)."""
    y0 = max(float(spec.y), y_start)
    guess = guess_at(y0)
    if y0 == spec.y:
        return guess
    return Homotopy(dataclasses.replace(spec, y=y0), "y", np.geomspace(y0, spec.y, 12), init=guess)


def plateau_finite_guess(spec):
    """Finite-``y`` start where the ``y = inf`` point lies on the plateau ``d >= d*``: the
    ``y = inf`` ansatz has nothing to say there (``phat = 0``, no ``dq``), so start below
    ``d*`` and follow the finite-``y`` branch up in ``d``."""
    below = dataclasses.replace(spec, d=branch_start(gardner_end_point(spec.alpha, spec.kappa, spec.activation)[0]))
    return Homotopy(below, "d", [below.d, spec.d], init=below.initial_guess(), max_step=d_step)


def robust_ensemble_guess(spec):
    """Start of the robust ensemble: near the Gardner end point ``gamma = phat = 0``;
    ``gamma`` followed from ``+-0.02`` at ``y = inf``, then ``y`` down from 30."""
    _, g = gardner_end_point(spec.alpha, spec.kappa, spec.activation)
    start = {"q": g.order["q"], "qhat": g.order["qhat"], "dq": 0.03, "dqhat": 0.01}
    base = start
    if abs(spec.gamma) >= 0.02:
        first = 0.02 * math.copysign(1, spec.gamma)
        base = Homotopy(dataclasses.replace(spec, gamma=first, y=math.inf), "gamma",
                        np.linspace(first, spec.gamma, 12), init=start)
    if spec.is_limit:
        return base
    base = resolved(base)
    return down_in_y(spec, lambda y0: {k: v for k, v in finite_from_inf({"phat": 0.0, **base}, y0).items()
                                       if k != "phat"})


# ----------------------------------------------------- constrained reference, y = inf

# Below this Qp the reference's constraint changes S_I by less than ~3e-10 (measured:
# S_I(free) - S_I(solution) ~ 0.3 Qp) and the constrained saddle tends to the free one;
# much further down (Qp ~ 1e-19 at alpha = 0.5, d = 0.05) the constrained equations are
# no longer resolved by the quadrature.
QP_INACTIVE = 1e-9


def _solution_anchor(d_star: float) -> float:
    """Where the constrained ``y = inf`` branch is started (well inside it)."""
    return round(0.6 * d_star, 6)


def solution_from_free(order: dict, d: float) -> dict:
    """Start for the constrained ``y = inf`` saddle from the free one at the same point.

    In the limit ``Qp, Th -> 0`` the constrained equations give ``dt = E[sign(z) h]/qhat
    = sqrt(2/pi)/sqrt(qhat)`` and ``dQ = 2 E[delta(mu)] = 2 G(0)/(sqrt(qhat) m)`` with
    ``m = tanh(phat + U)`` the slope of ``(c+ - c-)/2`` at ``z = 0``; ``Qp ~ 1e-5`` and
    ``Th/Qp ~ 20`` are the orders of magnitude measured at ``d ~ 0.6 d*``.
    """
    p = 1 - 2 * d
    qhat, phat, dqhat, dq = order["qhat"], order["phat"], order["dqhat"], order["dq"]
    m = math.tanh(abs(phat) + float(_special.cosh_argmax(abs(phat), dqhat)))
    dt = math.sqrt(2 / math.pi) / math.sqrt(qhat)
    dQ = 2 / (math.sqrt(2 * math.pi) * math.sqrt(qhat) * max(m, 1e-3))
    eps = dQ - dt**2 / dq
    return {"phat": phat, "qrel": min(max((order["q"] - p * p) / (1 - p * p), 1e-3), 0.999), "qhat": qhat,
            "dq": dq, "dqhat": dqhat, "Qp": 1e-5, "tau": 20.0, "dt": dt, "eps": eps if eps > 0 else 0.1 * dQ}


def free_from_solution(order: dict, d: float) -> dict:
    """The free saddle's coordinates from a constrained one (``Qp -> 0`` limit)."""
    p = 1 - 2 * d
    return {"phat": order["phat"], "q": p * p + (1 - p * p) * order["qrel"], "qhat": order["qhat"],
            "dq": order["dq"], "dqhat": order["dqhat"]}


def solution_start(spec) -> SaddlePoint:
    """Constrained ``y = inf`` saddle at the anchor ``0.6 d*``, from the free one there
    (``spec``: any constrained ``y = inf`` spec of the same load and margin)."""
    anchor = _solution_anchor(gardner_end_point(spec.alpha, spec.kappa)[0])
    at_anchor = dataclasses.replace(spec, d=anchor)
    free = solve(dataclasses.replace(at_anchor, reference="free"))
    return solve(at_anchor, init=solution_from_free(free.order, anchor))


def solution_inf_guess(spec):
    """Start for the constrained ``y = inf`` saddle at ``spec.d``: from the anchor, in ``d``."""
    start = solution_start(spec)
    if abs(start.params.d - spec.d) < 1e-12 or not start.success:
        return dict(start.order)
    return Homotopy(start.params, "d", [start.params.d, spec.d], init=start, max_step=d_step)


# --------------------------------------------------- constrained reference, finite y


def solution_y_from_raw(par, d: float) -> dict:
    """Coordinates of :func:`~replica.models.local_entropy.theory.solution_reference_free_entropy`
    from the raw order parameters ``[Q, Qhat, phat, t, that, q0, qhat0, q1, qhat1]``
    (the order of docs/derivations/constrained/lecons.py)."""
    Q, Qh, ph, t, th, q0, qh0, q1, qh1 = map(float, par)
    p = 1 - 2 * d
    cx = (p - t) / math.sqrt(q1 - q0)
    return {"phat": ph, "q1": q1, "dq1": q1 - q0, "qhat0": qh0, "dqhat1": qh1 - qh0, "that": th,
            "s2": Qh - th * th / qh0, "cx": cx, "e2": 1 - Q - cx * cx}


# Converged finite-y constrained saddles (raw order parameters [Q, Qhat, phat, t, that, q0,
# qhat0, q1, qhat1]) at y = 5, d = 0.15, from the independent solver
# (docs/derivations/constrained/anchors_y5.json, checked by regenerate_anchors.py there; reproduced
# by this theory to |grad| < 3e-11).
# Newton from the y = inf scaling ansatz does not converge in general: the reference's
# conjugates carry large finite-y corrections.  Other points are reached by continuation.
SOLUTION_Y_ANCHORS = {
    0.5: [0.591043913422861, 0.11977792267993784, 0.7005009002652152, 0.5110683778606877, 0.20506086077244412,
          0.44399472541266205, 0.36422618405114043, 0.5392583942672833, 0.3880261051865659],
    0.7: [0.6837299377445359, 0.7365117162030731, 1.2143983806326986, 0.6110302567221394, 0.9029238771910553,
          0.5512226757683717, 1.1389299919424696, 0.5828983560942212, 1.1585760118617248],
}
SOLUTION_Y_ANCHOR_D, SOLUTION_Y_ANCHOR_Y = 0.15, 5.0


def solution_y_guess(spec) -> dict:
    """Start for the finite-``y`` constrained saddle: continuation from the nearest anchor
    (``y = 5``, ``d = 0.15``) in kappa, alpha, then d, then y (Newton at every step); a leg
    that does not reach its target ends the path there."""
    a0 = min(SOLUTION_Y_ANCHORS, key=lambda a: abs(a - spec.alpha))
    d0, y0 = SOLUTION_Y_ANCHOR_D, SOLUTION_Y_ANCHOR_Y
    start = solution_y_from_raw(SOLUTION_Y_ANCHORS[a0], d0)
    base = dataclasses.replace(spec, alpha=a0, d=d0, y=y0, kappa=0.0)
    for param, target in (("kappa", float(spec.kappa)), ("alpha", float(spec.alpha)), ("d", float(spec.d)),
                          ("y", float(spec.y))):
        here = getattr(base, param)
        if abs(here - target) < 1e-14:
            continue
        # Only the two ends are requested values: the steps between are waypoints, which
        # skip the refined-rule quadrature check (8 times a step's cost on 3-level nests).
        step = abs(target - here) / 7
        if param == "y":
            max_step = lambda v: 0.2 * v  # noqa: E731 (geometric in y: 10 steps from 5 to 30)
        elif param == "d":
            max_step = lambda v: min(step, d_step(v))  # noqa: E731
        else:
            max_step = step
        curve = continuation(base, param, [here, target], init=start, max_step=max_step)
        if not curve.success.all():
            return curve.last_converged(default=start)
        start, base = curve.last_converged(), dataclasses.replace(base, **{param: target})
    return start
