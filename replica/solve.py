"""Saddle-point solver: damped fixed point, affine-invariant Newton, scipy hybrid.

A *model spec* is any object with

* ``free_entropy()`` -> :class:`~replica.symbolic.FreeEntropy` (cached by the model),
* ``parameter_values()`` -> numbers for ``free_entropy().params``, in order,
* ``initial_guess()`` -> dict order-parameter name -> starting value, or an object with
  a ``resolve()`` method that returns one (a :class:`~replica.sweep.Homotopy`),

such as :class:`replica.models.perceptron.Gardner`; new theories subclass
:class:`replica.models.base.ModelSpec`, which states this contract as a recipe.
:func:`solve` finds a zero of the gradient of the free entropy with respect to the order
parameters and returns a :class:`SaddlePoint` that always says whether it converged (and
why not, as a :class:`~replica.errors.Reason`), how far from a solution it is (undamped
residual and Newton step) and how much the quadrature could be off.
"""

from __future__ import annotations

import difflib
import inspect
import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
from scipy import optimize as _opt

from ._coordinates import CoordinateKind, StiffCoordinates
from .compile import CompiledTheory, compiled_theory
from .errors import ConvergenceError, ConvergenceWarning, Reason
from .quadrature import QuadratureOptions

# ConvergenceWarning and ConvergenceError live in .errors; re-exported here for code that
# imported them from replica.solve.
__all__ = [
    "SaddlePoint",
    "ConvergenceWarning",
    "ConvergenceError",
    "Reason",
    "solve",
    "METHODS",
]

METHODS = ("auto", "newton", "fixed-point", "hybr", "lm")

_SPEC_METHODS = ("free_entropy", "parameter_values", "initial_guess")


def _require_spec(spec) -> None:
    """TypeError naming what is missing unless ``spec`` has the model-spec methods."""
    missing = [m for m in _SPEC_METHODS if not callable(getattr(spec, m, None))]
    if missing:
        raise TypeError(
            f"{type(spec).__name__} object is not a model spec: it has no {', '.join(m + '()' for m in missing)} "
            f"(see replica.models.base.ModelSpec)"
        )


def _check_solve_options(options: Mapping[str, Any], *, exclude=()) -> None:
    """TypeError for keyword arguments that :func:`solve` would not accept.

    Functions that forward ``**solve_kwargs`` call this up front, so that a misspelt
    option fails at once with the list of valid ones, not deep inside the first solve.
    ``exclude``: options the caller sets itself (e.g. ``init``).
    """
    accepted = [n for n, p in inspect.signature(solve).parameters.items() if p.kind is inspect.Parameter.KEYWORD_ONLY]
    for name in options:
        if name in exclude:
            raise TypeError(f"solver option {name!r} cannot be passed on to solve() here")
        if name not in accepted:
            close = difflib.get_close_matches(name, accepted, n=1, cutoff=0.5)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise TypeError(f"unknown solver option {name!r}{hint}; solve() accepts: {', '.join(accepted)}")


def _finite_or_none(v):
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None


@dataclass(frozen=True)
class SaddlePoint:
    """Result of :func:`solve`.

    Attributes
    ----------
    order : dict
        Order parameters by name.
    free_entropy : float or None
        Free entropy per weight at the point (None only if it could not be evaluated
        to a finite number; then ``success`` is False).
    observables : dict
        Named observables of the theory at the point (values None where non-finite).
    success : bool
        True when the scaled Newton step is below ``tol`` (or the gradient is exactly
        zero) and everything is finite.
    message : str
        What happened, in words.
    nit : int
        Iterations of the method that produced the point.
    residual : float or None
        Undamped residual: max-norm of the saddle-point equations (the gradient of the
        free entropy) at the point; for parameters in logarithmic coordinates
        (``Domain.log``) the derivative with respect to ``ln(x - a)``.
    step : float or None
        Scaled size of the Newton correction at the point,
        ``max_i |dx_i| / (1 + |x_i|)`` (relative, ``|dx_i| / |x_i - a_i|``, in
        logarithmic coordinates): how far from the exact zero the point is.
    quad_error : float or None
        Quadrature error estimate: the larger of the change of the free entropy and
        the Newton shift of the order parameters when every node count is doubled.
    params : object
        The model spec that was solved.
    method : str
        The method that produced the returned point.
    reason : Reason
        The outcome, machine-readable: ``CONVERGED``; ``QUADRATURE_ERROR`` (converged but
        ``quad_error > quad_tol``); ``NOT_FINITE`` (free entropy, gradient or an
        observable not finite); ``NOT_CONVERGED``; or, for points of a curve, why the
        branch ended there (``END_OF_BRANCH``, ``NO_RS_SOLUTION``, ``SATURATED`` ...).
        Default: ``CONVERGED`` if ``success`` else ``NOT_CONVERGED``.
    extra : dict
        Model-specific additions.
    """

    order: Mapping[str, float]
    free_entropy: float | None
    observables: Mapping[str, float | None]
    success: bool
    message: str
    nit: int
    residual: float | None
    step: float | None
    quad_error: float | None
    params: Any
    method: str
    reason: Reason | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        if self.reason is None:
            reason = Reason.CONVERGED if self.success else Reason.NOT_CONVERGED
        else:
            reason = Reason(self.reason)  # also accepts the value string
        object.__setattr__(self, "reason", reason)

    def __getitem__(self, name: str):
        """Order parameter or observable by name (``sp["q"]``, ``sp["entropy"]``)."""
        if name in self.order:
            return self.order[name]
        if name in self.observables:
            return self.observables[name]
        if name == "free_entropy":
            return self.free_entropy
        raise KeyError(name)

    def to_dict(self) -> dict:
        """Plain-data view (JSON-ready; the spec as a dict when it is a dataclass)."""
        try:
            from dataclasses import asdict

            params = asdict(self.params)
        except TypeError:
            params = repr(self.params)
        return {
            "order": dict(self.order),
            "free_entropy": self.free_entropy,
            "observables": dict(self.observables),
            "success": self.success,
            "message": self.message,
            "reason": self.reason.value,
            "nit": self.nit,
            "residual": self.residual,
            "step": self.step,
            "quad_error": self.quad_error,
            "method": self.method,
            "params": params,
        }


@dataclass
class _Attempt:
    x: np.ndarray
    converged: bool
    message: str
    nit: int
    method: str
    noise_floor: bool = False  # Newton stalled on floating-point noise close to a zero
    jacobian: np.ndarray | None = None  # at (or, after chord steps, next to) x, when the method computed it
    value_gradient: tuple | None = None  # (phi or None, gradient) at x with the solver's rule, when known


class _Problem:
    """A theory with its parameter values fixed: the functions the methods need."""

    def __init__(self, spec, quad: QuadratureOptions):
        self.spec = spec
        self.theory = spec.free_entropy()
        self.compiled: CompiledTheory = compiled_theory(self.theory)
        self.p = [float(v) for v in spec.parameter_values()]
        self.quad = quad
        self.lower = np.array([self.theory.domain(s).lower for s in self.theory.order])
        self.upper = np.array([self.theory.domain(s).upper for s in self.theory.order])
        self.coords = StiffCoordinates.of(self.theory)

    def inside(self, x) -> bool:
        return bool(np.all(np.isfinite(x)) and np.all(x > self.lower) and np.all(x < self.upper))

    def gradient(self, x, quad=None):
        return self.compiled.value_and_gradient(x, self.p, quad or self.quad)[1]

    def value_and_gradient(self, x, quad=None):
        return self.compiled.value_and_gradient(x, self.p, quad or self.quad)

    def gradient_and_jacobian(self, x, quad=None):
        return self.compiled.gradient_and_jacobian(x, self.p, quad or self.quad)

    def value_gradient_and_jacobian(self, x):
        """(None, g, J) at x: the Jacobian kernel does not compute phi (None = unknown)."""
        return (None, *self.compiled.gradient_and_jacobian(x, self.p, self.quad))


def _scaled(dx, x, coords: StiffCoordinates | None = None) -> float:
    """Size of a step: ``|dx| / (1 + |x|)``, relative ``|dx| / |x - a|`` in log coordinates."""
    if dx.size == 0:
        return 0.0
    ref = 1.0 + np.abs(x)
    if coords is not None:
        ref = np.where(coords.kind == CoordinateKind.LOG, np.abs(x - coords.lower), ref)
    return float(np.max(np.abs(dx) / ref))


def _newton_step(J, g, D=None):
    """Newton correction ``-J^-1 g``, solved as ``D (D J D)^-1 (-D g)``.

    The diagonal scaling ``D = dx/dy`` of the stiff coordinates makes the system well
    conditioned near ``q -> 1``, where ``J`` itself has condition numbers ~1e20.
    """
    if D is None:
        D = np.ones_like(g)
    A = D[:, None] * J * D[None, :]
    b = -D * g
    try:
        dy = np.linalg.solve(A, b)
    except np.linalg.LinAlgError:
        dy = np.linalg.lstsq(A, b, rcond=None)[0]
    return D * dy


_CHORD_STEP = 1e-2  # chord steps (kept Jacobian) only after steps smaller than this


def _newton(prob: _Problem, x0, tol, maxiter) -> _Attempt:
    """Damped Newton in stiff coordinates with an affine-invariant monotonicity test.

    The Newton correction ``dx = -J^-1 g`` is taken in the coordinates of
    :class:`StiffCoordinates`; a step ``t dy`` is accepted when the point stays inside
    the domains and the simplified correction there, ``J^-1 g(x(y + t dy))``, is
    smaller than ``(1 - t/2) |dy|`` (Deuflhard's NLEQ-ERR test); otherwise ``t`` halves.

    The Jacobian (the expensive part: second derivatives of nested integrals) is kept
    for the next iteration when a small full step (scaled size below ``_CHORD_STEP``)
    contracted the correction at least fourfold (``theta <= 1/4``: the quadratic regime
    next to the zero, where a chord step with the old Jacobian still gains several
    digits); a test that fails with a kept Jacobian recomputes it before any step is
    shortened, so the damping logic only ever sees fresh Jacobians.  Far from the zero
    every step gets a fresh Jacobian (a stale one can steer into another basin, e.g. the
    collapsed ``q -> 1`` branch of the Gardner problem).
    """
    coords = prob.coords
    x = np.array(x0, dtype=float)
    if not prob.inside(x):
        return _Attempt(x, False, "initial point outside the domain of the order parameters", 0, "newton")
    y = coords.to_y(x)
    x, dxdy = coords.to_x(y)
    phi, g, J = prob.value_gradient_and_jacobian(x)
    fresh = True  # J was computed at x
    creeping = 0
    for it in range(1, maxiter + 1):
        if not (np.all(np.isfinite(g)) and np.all(np.isfinite(J))):
            return _Attempt(x, False, "non-finite gradient or Jacobian", it, "newton")
        if not np.any(g):
            return _Attempt(x, True, "gradient exactly zero", it, "newton", value_gradient=(phi, g))
        dx = _newton_step(J, g, dxdy)
        if _scaled(dx, x, coords) < tol:
            # Return the point where the step was measured: its accuracy is that step
            # (taking it would gain nothing measurable near the floating-point floor).
            return _Attempt(x, True, f"Newton converged (step {_scaled(dx, x, coords):.1e})", it, "newton",
                            jacobian=J, value_gradient=(phi, g))
        dy = dx / dxdy
        scale = 1.0 + np.abs(y)
        with np.errstate(over="ignore", invalid="ignore"):  # an overflowing step is caught below
            size = np.linalg.norm(dy / scale)
        if not np.isfinite(size):
            return _Attempt(x, False, "singular Jacobian", it, "newton")
        t = 1.0
        while True:
            trial_y = y + t * dy
            trial_x, trial_d = coords.to_x(trial_y)
            if prob.inside(trial_x):
                phi_trial, g_trial = prob.value_and_gradient(trial_x)
                if np.all(np.isfinite(g_trial)):
                    dy_bar = _newton_step(J, g_trial, dxdy) / trial_d
                    with np.errstate(over="ignore", invalid="ignore"):  # inf/NaN fail the test
                        theta = np.linalg.norm(dy_bar / scale) / size
                    if theta <= 1.0 - 0.5 * t:
                        break
            if not fresh:
                # The kept Jacobian may be what failed: recompute it and redo the step.
                phi, g, J = prob.value_gradient_and_jacobian(x)
                fresh = True
                dx = _newton_step(J, g, dxdy)
                dy = dx / dxdy
                with np.errstate(over="ignore", invalid="ignore"):
                    size = np.linalg.norm(dy / scale)
                if not (np.isfinite(size) and np.all(np.isfinite(J))):
                    return _Attempt(x, False, "singular Jacobian", it, "newton")
                if _scaled(dx, x, coords) < tol:
                    return _Attempt(x, True, f"Newton converged (step {_scaled(dx, x, coords):.1e})", it, "newton",
                                    jacobian=J, value_gradient=(phi, g))
                continue
            t *= 0.5
            if t < 1e-4:
                why = _converged(_scaled(dx, x, coords), abs(float(g @ dx)), 0.0, tol, noise_floor=True)
                if why:
                    return _Attempt(x, True, f"Newton converged ({why})", it, "newton", noise_floor=True)
                return _Attempt(x, False, "line search failed (no acceptable Newton step)", it, "newton")
        creeping = creeping + 1 if t < 1.0 / 32 else 0
        if creeping >= 3:
            # Tiny accepted steps: either far from the zero, or stalled on noise next to it.
            why = _converged(_scaled(dx, x, coords), abs(float(g @ dx)), 0.0, tol, noise_floor=True)
            if why:
                return _Attempt(x, True, f"Newton converged ({why})", it, "newton", noise_floor=True)
            return _Attempt(x, False, "Newton creeping with tiny steps (starting point too far)", it, "newton")
        small = _scaled(dx, x, coords) < _CHORD_STEP
        y, x, dxdy, phi, g = trial_y, trial_x, trial_d, phi_trial, g_trial
        if t == 1.0 and theta <= 0.25 and small:
            fresh = False  # quadratic regime next to the zero: keep J for a chord step
        else:
            phi, g, J = prob.value_gradient_and_jacobian(x)
            fresh = True
    return _Attempt(x, False, f"Newton: no convergence in {maxiter} iterations", maxiter, "newton")


def _fixed_point(prob: _Problem, x0, tol, maxiter, damping) -> _Attempt:
    """Damped iteration ``x <- (1-eta) x + eta F(x)`` of the model's fixed-point map.

    Convergence is judged on the *undamped* change ``r = |F(x) - x|``: for a contraction
    with rate ``rho`` the distance to the fixed point is about ``r / (1 - rho)``, so the
    iteration stops when that estimate is below ``tol`` (``rho`` from successive
    changes).  ``eta`` starts at ``damping``, halves whenever the change grows and
    recovers slowly otherwise.
    """
    x = np.array(x0, dtype=float)
    eta = damping
    prev = math.inf
    for it in range(1, maxiter + 1):
        fx = prob.compiled.fixed_point_map(x, prob.p, prob.quad)
        if not np.all(np.isfinite(fx)):
            return _Attempt(x, False, "fixed-point map not finite", it, "fixed-point")
        r = _scaled(fx - x, x, prob.coords)
        rho = min(r / prev, 0.999) if prev < math.inf else 0.999
        if r / (1.0 - rho) < tol:
            return _Attempt(fx, True, f"fixed point converged (undamped change {r:.1e}, rate {rho:.2f})", it, "fixed-point")
        if r > prev:
            eta = max(0.5 * eta, 1e-3)
        else:
            eta = min(1.1 * eta, damping)
        prev = r
        new = (1.0 - eta) * x + eta * fx
        if not prob.inside(new):
            new = 0.5 * (x + np.clip(new, prob.lower + 1e-300, prob.upper - 1e-16))
            if not prob.inside(new):
                return _Attempt(x, False, "fixed-point iterate left the domain", it, "fixed-point")
        x = new
    return _Attempt(x, False, f"fixed point: no convergence in {maxiter} iterations", maxiter, "fixed-point")


def _to_unbounded(prob: _Problem, x):
    y = np.array(x, dtype=float)
    for i, (lo, hi) in enumerate(zip(prob.lower, prob.upper)):
        if np.isfinite(lo) and np.isfinite(hi):
            s = (x[i] - lo) / (hi - lo)
            y[i] = math.log(s) - math.log1p(-s)
        elif np.isfinite(lo):
            y[i] = math.log(x[i] - lo)
        elif np.isfinite(hi):
            y[i] = -math.log(hi - x[i])
    return y


def _from_unbounded(prob: _Problem, y):
    """Map back to the domain; also returns dx/dy for the chain rule."""
    x = np.array(y, dtype=float)
    dxdy = np.ones_like(x)
    for i, (lo, hi) in enumerate(zip(prob.lower, prob.upper)):
        if np.isfinite(lo) and np.isfinite(hi):
            s = 0.5 * (1.0 + math.tanh(0.5 * y[i]))
            x[i] = lo + (hi - lo) * s
            dxdy[i] = (hi - lo) * s * (1.0 - s)
        elif np.isfinite(lo):
            e = math.exp(min(y[i], 700.0))
            x[i], dxdy[i] = lo + e, e
        elif np.isfinite(hi):
            e = math.exp(min(-y[i], 700.0))
            x[i], dxdy[i] = hi - e, e
    return x, dxdy


def _scipy_root(prob: _Problem, x0, tol, maxiter, method) -> _Attempt:
    """``scipy.optimize.root`` with the symbolic Jacobian, in unbounded variables."""
    if not prob.inside(np.asarray(x0, float)):
        return _Attempt(np.asarray(x0, float), False, "initial point outside the domain", 0, method)

    def fun(y):
        x, dxdy = _from_unbounded(prob, y)
        g, J = prob.gradient_and_jacobian(x)
        if not (np.all(np.isfinite(g)) and np.all(np.isfinite(J))):
            return np.full_like(y, 1e100), np.eye(len(y))
        return g, J * dxdy[None, :]

    options = {"xtol": tol} if method == "hybr" else {"xtol": tol, "ftol": 1e-14}
    if method == "hybr":
        options["maxfev"] = maxiter * (len(x0) + 1)
    else:
        options["maxiter"] = maxiter * (len(x0) + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = _opt.root(fun, _to_unbounded(prob, np.asarray(x0, float)), jac=True, method=method, options=options)
    x, _ = _from_unbounded(prob, res.x)
    nit = int(getattr(res, "nfev", 0))
    message = " ".join(str(res.message).split())  # scipy's messages contain line breaks
    return _Attempt(x, bool(res.success), f"scipy {method}: {message}", nit, method)


# Below this scaled step a Newton iteration may stall on floating-point noise (order
# parameters near 1 lose relative precision in 1 - q); it then counts as converged if the
# free entropy is stationary to machine precision (Newton decrement |g . dx|).
_NOISE_FLOOR_STEP = 1e-6
_DECREMENT_RTOL = 1e-15


def _converged(step: float, decrement: float, phi: float, tol: float, noise_floor: bool = False) -> str | None:
    """Why a point counts as converged, or None.

    The noise-floor criterion applies only where Newton itself stalled (``noise_floor``):
    a slow iteration stopped early must meet ``tol``.
    """
    if step < tol:
        return f"step {step:.1e} < tol"
    if noise_floor and step < _NOISE_FLOOR_STEP and decrement <= _DECREMENT_RTOL * (1.0 + abs(phi)):
        return f"at the floating-point noise floor: step {step:.1e}, free entropy stationary to {decrement:.1e}"
    return None


def _assess(prob: _Problem, attempt: _Attempt, tol, quad_tol, quad_check=True):
    """Undamped residual, Newton step, quadrature error and the verdict at a point.

    ``quad_error`` is the larger of ``|phi(2n) - phi(n)|`` and the scaled Newton shift
    ``max_i |dx_i| / (1 + |x_i|)`` that the doubled-node gradient would ask for
    (``None`` when ``quad_check`` is off).  ``reason`` is the :class:`Reason` of the
    verdict (before the observables are looked at).
    """
    x = attempt.x
    if attempt.value_gradient is not None and attempt.value_gradient[0] is not None:
        phi, g = attempt.value_gradient
    else:
        phi, g = prob.compiled.value_and_gradient(x, prob.p, prob.quad)
    phi2, g2 = prob.compiled.value_and_gradient(x, prob.p, prob.quad.refined()) if quad_check else (phi, None)
    if len(x) == 0:
        quad_error = abs(phi2 - phi) if quad_check else None
        ok = math.isfinite(phi)
        return dict(phi=phi, residual=0.0, step=0.0, quad_error=quad_error, ok=ok, why="",
                    reason=Reason.CONVERGED if ok else Reason.NOT_FINITE)
    J = attempt.jacobian if attempt.jacobian is not None else prob.gradient_and_jacobian(x)[1]
    D = prob.coords.scale(x)
    # d phi/d ln(x - a) for log-coordinate parameters: d phi/dx itself is a difference
    # of huge cancelling terms when x -> a exponentially.
    with np.errstate(all="ignore"):
        residual = float(np.max(np.abs(np.where(prob.coords.kind == CoordinateKind.LOG, g * D, g))))
    finite = math.isfinite(phi) and np.all(np.isfinite(g)) and np.all(np.isfinite(J))
    if not finite:
        return dict(phi=phi, residual=residual, step=math.inf, quad_error=math.inf, ok=False, why="not finite",
                    reason=Reason.NOT_FINITE)
    dx = _newton_step(J, g, D)
    step = _scaled(dx, x, prob.coords)
    shift = _scaled(_newton_step(J, g2, D) - dx, x, prob.coords) if quad_check else 0.0
    quad_error = max(abs(phi2 - phi), shift) if quad_check else None
    why = "gradient exactly zero" if residual == 0.0 else _converged(step, abs(float(g @ dx)), phi, tol, attempt.noise_floor)
    if why is None and step <= shift and shift <= quad_tol:
        # Iterating further would chase the discretisation: the point is a saddle point
        # of the integrals to within their quadrature error (reported as quad_error).
        why = f"step {step:.1e} within the quadrature error {shift:.1e}"
    ok = why is not None
    reason = Reason.CONVERGED if ok else Reason.NOT_CONVERGED
    if not ok:
        why = f"Newton step {step:.1e} above tol {tol:.0e}"
    if ok and quad_check and not quad_error <= quad_tol:
        ok, why = False, f"quadrature error {quad_error:.1e} above quad_tol {quad_tol:.0e}"
        reason = Reason.QUADRATURE_ERROR
    return dict(phi=phi, residual=residual, step=step, quad_error=quad_error, ok=ok, why=why, reason=reason)


def _initial_vector(prob: _Problem, init) -> np.ndarray:
    """The start: ``init`` where given, the spec's ``initial_guess()`` for the rest.

    ``initial_guess`` is only called when needed: for some models it runs a short
    continuation (a homotopy from a point where the saddle is known).  Either may be
    an object with a ``resolve()`` method (a :class:`~replica.sweep.Homotopy`): it is
    resolved here, by duck typing, so that this module does not import ``sweep``.
    """
    names = prob.theory.order_names
    guess: dict = {}
    if init is not None:
        if hasattr(init, "resolve"):
            init = init.resolve()
        if isinstance(init, SaddlePoint):
            init = init.order
        unknown = set(init) - set(names)
        if unknown:
            raise ValueError(f"init has unknown order parameters {sorted(unknown)}; this theory has {list(names)}")
        guess.update({k: float(v) for k, v in init.items() if v is not None})
    if set(names) - set(guess):
        start = prob.spec.initial_guess()
        if hasattr(start, "resolve"):
            start = start.resolve()
        if isinstance(start, SaddlePoint):
            start = start.order
        guess = {**dict(start), **guess}
    return np.array([guess[n] for n in names], dtype=float)


def solve(
    spec,
    *,
    init: Mapping[str, float] | SaddlePoint | None = None,
    method: str = "auto",
    tol: float = 1e-11,
    maxiter: int = 50,
    damping: float = 0.5,
    quad: QuadratureOptions | None = None,
    quad_tol: float = 1e-6,
    strict: bool = False,
    quad_check: bool = True,
) -> SaddlePoint:
    """Find the saddle point of a model's free entropy.

    Parameters
    ----------
    spec : model spec
        For example ``Gardner(alpha=0.5, weights="binary")``.
    init : dict or SaddlePoint or Homotopy, optional
        Starting order parameters (missing ones from ``spec.initial_guess()``); an
        object with a ``resolve()`` method (:class:`~replica.sweep.Homotopy`) is
        resolved first.
    method : {"auto", "newton", "fixed-point", "hybr", "lm"}
        ``"newton"``: damped Newton with the symbolic Jacobian, staying inside the
        order parameters' domains (follows unstable branches too).
        ``"fixed-point"``: damped iteration of the model's fixed-point map (reaches only
        branches that are stable for the iteration).  ``"hybr"``/``"lm"``:
        :func:`scipy.optimize.root` with the symbolic Jacobian in unbounded variables.
        ``"auto"``: Newton; if it fails, fixed point (when available) then Newton;
        then ``hybr``.
    tol : float
        Convergence threshold on the scaled Newton step ``max |dx|/(1+|x|)``.  Two
        exceptions, both stated in the message and measured by ``step``: a point where
        Newton stalls on floating-point noise (order parameters within ~1e-4 of 1)
        counts as converged if the step is below 1e-6 and the free entropy is
        stationary to 1e-15 relative (the Newton decrement ``|g . dx|``); and a point
        whose step is below its own quadrature error (``quad_error`` <= ``quad_tol``)
        is converged as far as the integrals are resolved.
    maxiter : int
        Iteration cap per method (fixed point gets 10 times as many).
    damping : float
        Largest mixing ``eta`` of the fixed-point iteration.
    quad : QuadratureOptions
        Quadrature rules; the error estimate uses ``quad.refined()``.  Default: the
        spec's ``quadrature`` attribute if it has one, else ``QuadratureOptions()``.
    quad_tol : float
        A converged point whose quadrature error estimate exceeds this is reported as
        ``success=False`` (the rule cannot resolve the integrand there).
    strict : bool
        Raise :class:`ConvergenceError` instead of warning when not converged.
    quad_check : bool
        Estimate the quadrature error by refinement (``n -> 2n``).  Turned off only
        for intermediate continuation steps that are not returned (``quad_error`` is
        then ``None``).

    Returns
    -------
    SaddlePoint
        With ``success`` and its ``reason`` (:class:`~replica.errors.Reason`).

    Raises
    ------
    TypeError
        If ``spec`` lacks ``free_entropy``, ``parameter_values`` or ``initial_guess``.
    ValueError
        For an argument out of range, or ``init`` naming unknown order parameters.
    ConvergenceError
        With ``strict=True``, if the point does not converge.
    """
    _require_spec(spec)
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if not (tol > 0):
        raise ValueError(f"tol must be > 0, got {tol!r}")
    if int(maxiter) != maxiter or maxiter < 1:
        raise ValueError(f"maxiter must be a positive integer, got {maxiter!r}")
    if not (0 < damping <= 1):
        raise ValueError(f"damping must be in (0, 1], got {damping!r}")
    if not (quad_tol > 0):
        raise ValueError(f"quad_tol must be > 0, got {quad_tol!r}")
    # A spec may carry its own default rules (e.g. nested integrals that need a wider range).
    prob = _Problem(spec, quad or getattr(spec, "quadrature", None) or QuadratureOptions())
    x0 = _initial_vector(prob, init)
    has_fp = prob.theory.fixed_point is not None
    if method == "fixed-point" and not has_fp:
        raise ValueError(f"theory {prob.theory.name!r} has no fixed-point map; use method='newton'")

    def run(m, start):
        if len(start) == 0:
            return _Attempt(start, True, "no order parameters", 0, "none")
        if m == "newton":
            return _newton(prob, start, tol, maxiter)
        if m == "fixed-point":
            return _fixed_point(prob, start, tol, 10 * maxiter, damping)
        if m == "approach":
            return _fixed_point(prob, start, max(tol, 1e-4), 10 * maxiter, 1.0)
        return _scipy_root(prob, start, tol, maxiter, m)

    attempts = []
    if method == "auto":
        plan = [("newton", None)]
        if has_fp:
            plan.append(("approach", None))  # loose fixed point: into Newton's basin
            plan.append(("newton", "previous"))
        plan.append(("hybr", None))
    else:
        plan = [(method, None)]
    best = None
    for m, start in plan:
        begin = attempts[-1].x if (start == "previous" and attempts) else x0
        att = run(m, begin)
        attempts.append(att)
        assess = _assess(prob, att, tol, quad_tol, quad_check)
        if best is None or assess["ok"] or (assess["step"] < best[1]["step"]):
            best = (att, assess)
        if assess["ok"]:
            break
    att, assess = best
    return _result(prob, att, assess, attempts, strict)


def _result(prob: _Problem, att: _Attempt, assess: dict, attempts, strict: bool) -> SaddlePoint:
    names = prob.theory.order_names
    obs = prob.compiled.observables(att.x, prob.p, prob.quad)
    obs = {k: _finite_or_none(v) for k, v in obs.items()}
    order = {n: _finite_or_none(v) for n, v in zip(names, att.x)}
    not_finite = [k for k, v in [*order.items(), *obs.items()] if v is None]
    success = assess["ok"] and not not_finite
    reason = assess["reason"]
    if not_finite:
        reason = Reason.NOT_FINITE
        if assess["ok"]:
            assess = {**assess, "why": f"{assess['why']}, but not finite: {', '.join(not_finite)}"}
    message = f"{att.method}: {att.message}; {assess['why']}"
    if not success:
        tried = "; ".join(f"{a.method}: {a.message}" for a in attempts)
        message = f"no converged saddle point ({tried}; at the returned point: {assess['why']})"
    result = SaddlePoint(
        order=order,
        free_entropy=_finite_or_none(assess["phi"]),
        observables=obs,
        success=bool(success),
        message=message,
        nit=sum(a.nit for a in attempts),
        residual=_finite_or_none(assess["residual"]),
        step=_finite_or_none(assess["step"]),
        quad_error=_finite_or_none(assess["quad_error"]),
        params=prob.spec,
        method=att.method,
        reason=Reason.CONVERGED if success else reason,
    )
    if not success:
        text = f"{prob.theory.name}: {message}"
        if strict:
            raise ConvergenceError(text, result)
        warnings.warn(text, ConvergenceWarning, stacklevel=3)
    return result
