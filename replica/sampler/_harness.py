"""What every learning algorithm of :mod:`replica.sampler` shares, so that each algorithm
module keeps only its update rule (emcee's ``RedBlueMove`` habit: the loop bookkeeping in
one place, the move in the subclass; here the move is the body of the algorithm's loop).

A solver is written as::

    def my_solver(instance, *, rng=None, lr=0.5, max_epochs=100, init=None):
        run = Run("mine", instance, rng, unit="epochs", budget=("max_epochs", max_epochs))
        lr = check("lr", lr, "> 0")              # ValueError naming lr and (0, inf)
        w = run.spins(init, (run.n,))            # random ±1 from run.rng, or the checked init
        run.offer(w)                             # best-so-far: fewest errors, first kept
        while run.running():                     # not solved, budget (and time) left
            ...                                  # the update rule, drawing from run.rng
            run.nit += 1                         # where the algorithm counts an iteration
            run.offer(w)                         # True once w solves the instance
        return run.result(extra=dict(lr=lr))     # SolverResult: success, nit, message, reason

:class:`Run` does the instance check, ``rng = np.random.default_rng(rng)``, the timer, the
exact error count, the best-so-far configuration, the iteration (and optional wall-clock)
budget and the :class:`~replica.sampler.SolverResult` with its ``message`` and ``reason``.
:func:`check` validates an option against a range written as in the docstrings
(``"> 0"``, ``"[0, 1)"``, ``"int >= 1"``, ...).  :func:`schedule` is the capped geometric
ramp of the annealing and scoping schedules, :func:`binarize` the sign with ties to +1.

The module is private: the nine algorithms are its only clients and its shape may still
change.  Nothing here draws a random number unless the algorithm asks for it (``spins``
with ``init=None``), so moving a solver onto the harness leaves its trajectory unchanged.
"""

from __future__ import annotations

import math
import numbers
import re
import time

import numpy as np

from .._validate import choice, integer, real
from ..errors import Reason
from ._solver_result import SolverResult
from .instances import as_instance

__all__ = ["Run", "check", "schedule", "binarize", "CAP"]

CAP = 1e8
"""Cap of the geometric schedules (inverse temperatures, couplings): beyond it the dynamics
is already at zero temperature / infinite coupling for integer energies, and every float
stays finite."""

# ----------------------------------------------------------------------------------------
# option checks
# ----------------------------------------------------------------------------------------

_NUMBER = r"[-+]?(?:inf|\d+(?:\.\d*)?(?:e[-+]?\d+)?)"
_BOUND = re.compile(rf"^(>=?)\s*({_NUMBER})$")
_INTERVAL = re.compile(rf"^([\[(])\s*({_NUMBER})\s*,\s*({_NUMBER})\s*([\])])$")
_INTEGER = re.compile(r"^(odd )?int >= ([-+]?\d+)$")


def check(name: str, value, rule, *, note: str | None = None):
    """``value`` validated against ``rule``, or a ValueError naming ``name`` and the range.

    Parameters
    ----------
    name : str
        The argument's name, as the user wrote it (it starts the error message).
    value
        The argument.
    rule : str or tuple of str
        ``"> a"``, ``">= a"``: a finite real number above ``a`` (returned as float);
        ``"[a, b]"``, ``"(a, b)"``, ``"[a, b)"``, ``"(a, b]"``: a real number in the
        interval, finite unless the interval is closed at ``inf`` (``"(0, inf]"``);
        ``"int >= k"``, ``"odd int >= k"``: an integer (bools refused);
        a tuple of strings: one of them.  A rule ending in ``" or None"`` lets None through.
    note : str, optional
        Explanation added to the error message in parentheses.

    Returns
    -------
    float, int, str or None
        The value converted (float for real ranges, int for integers).

    Raises
    ------
    ValueError
        ``"<name> must be ... , got <value>"``.

    Examples
    --------
    >>> check("lr", 0.5, "> 0"), check("damping", 0, "[0, 1)"), check("y", 3, "int >= 1")
    (0.5, 0.0, 3)
    >>> check("gamma_max", float("inf"), "(0, inf]"), check("refresh", None, "int >= 1 or None")
    (inf, None)
    >>> check("p_s", 1.5, "[0, 1]")
    Traceback (most recent call last):
    ...
    ValueError: p_s must be a finite number in [0, 1], got 1.5
    """
    if isinstance(rule, tuple):
        return choice(name, value, rule)
    if rule.endswith(" or None"):
        if value is None:
            return None
        rule = rule[: -len(" or None")]
    try:
        if m := _INTEGER.match(rule):
            return _integer(name, value, int(m.group(2)), odd=bool(m.group(1)), note=note)
        if m := _BOUND.match(rule):
            return real(name, value, lower=float(m.group(2)), lower_open=m.group(1) == ">")
        if m := _INTERVAL.match(rule):
            left, a, b, right = m.groups()
            lower, upper = float(a), float(b)
            if right == "]" and math.isinf(upper):  # closed at infinity: inf allowed
                return _real_to_inf(name, value, lower, lower_open=left == "(", text=rule)
            return real(name, value, lower=lower, upper=upper, lower_open=left == "(",
                        upper_open=right == ")")
    except ValueError as err:
        if note is None:
            raise
        text = str(err)
        head, sep, tail = text.rpartition(", got ")
        raise ValueError(f"{head} ({note}){sep}{tail}") from None
    raise ValueError(f"unknown rule {rule!r} for {name}")  # a bug in the caller, not the user


def _integer(name, value, lower, *, odd, note):
    if not odd:
        return integer(name, value, lower=lower)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < lower or value % 2 == 0:
        raise ValueError(f"{name} must be an odd integer >= {lower}, got {value!r}")
    return int(value)


def _real_to_inf(name, value, lower, *, lower_open, text):
    """A real number > (or >=) ``lower``, +inf allowed."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number in {text}, got {value!r}") from None
    if isinstance(value, bool) or math.isnan(v) or (v <= lower if lower_open else v < lower):
        raise ValueError(f"{name} must be a number in {text}, got {value!r}")
    return v


# ----------------------------------------------------------------------------------------
# small shared numerics
# ----------------------------------------------------------------------------------------

def schedule(x0: float, rate: float, step: int, cap: float = CAP) -> float:
    """``x0 (1 + rate)**step``, capped at ``cap`` (computed in logs: no overflow); 0 if x0 = 0."""
    if x0 == 0.0:
        return 0.0
    lg = math.log(x0) + step * math.log1p(rate)
    return cap if lg >= math.log(cap) else math.exp(lg)


def binarize(x) -> np.ndarray:
    """sign(x) as int8 ±1, ties (x = 0) to +1; any shape."""
    return np.where(np.asarray(x) >= 0, 1, -1).astype(np.int8)


# ----------------------------------------------------------------------------------------
# one run
# ----------------------------------------------------------------------------------------

class Run:
    """Bookkeeping of one run of a learning algorithm on an instance.

    Parameters
    ----------
    algorithm : str
        Short name stored in the result (``"sa"``, ``"sbpi"``, ...).
    instance : Instance
        Checked here (ValueError naming ``instance`` otherwise).
    rng : anything :func:`numpy.random.default_rng` accepts
        Becomes :attr:`rng`, the algorithm's only source of randomness.
    unit : str
        What one iteration is (``"sweeps"``, ``"epochs"``).
    budget : (str, int)
        Name and value of the iteration cap argument, e.g. ``("max_sweeps", 10000)``;
        checked as an integer >= 1 and named in the errors and in the result's message.
    max_seconds : float > 0 or None
        Optional wall-clock budget; the algorithm polls it with :meth:`out_of_time`.

    Attributes
    ----------
    instance, rng, n, p, unit, max_iter, max_seconds
        As given (``n``, ``p``: size of the instance; ``max_iter``: the budget's value).
    nit : int
        Iterations done; the algorithm increments it where it counts one.
    best_weights : ndarray of int8 or None
        The configuration with the lowest score offered so far (first one kept on ties).
    best_score : int or None
        Its score (errors, or the algorithm's own score: 0 iff solved).
    best_nit : int
        ``nit`` when it was offered.
    solved : bool
        True once an offered configuration scored 0.
    solved_by : str or None
        The label given with the first solving offer.
    timed_out : bool
        True once :meth:`out_of_time` found the time budget spent.
    """

    def __init__(self, algorithm: str, instance, rng=None, *, unit: str = "sweeps",
                 budget: tuple[str, int] = ("max_iter", 1000), max_seconds: float | None = None):
        self.instance = as_instance(instance)
        self.budget_name, value = budget
        self.max_iter = check(self.budget_name, value, "int >= 1")
        self.max_seconds = check("max_seconds", max_seconds, "> 0 or None")
        self.algorithm = algorithm
        self.unit = unit
        self.rng = np.random.default_rng(rng)
        self.n, self.p = self.instance.n, self.instance.p
        self.nit = 0
        self.best_weights = None
        self.best_score = None
        self.best_nit = 0
        self.solved = False
        self.solved_by = None
        self.timed_out = False
        self._stop_message = None
        self._x = None
        self._threshold = float(self.instance.threshold())
        self._start = time.perf_counter()

    # --- data of the instance -------------------------------------------------------------

    @property
    def x(self) -> np.ndarray:
        """Signed patterns sigma^mu xi^mu as float64 (P, N), computed once."""
        if self._x is None:
            self._x = self.instance.signed_patterns().astype(np.float64)
        return self._x

    @property
    def threshold(self) -> float:
        """Smallest integer field that satisfies a pattern (``instance.threshold()``), as float."""
        return self._threshold

    def errors(self, weights):
        """Patterns violated by ``weights`` (shape (N,) -> int, (M, N) -> int array).

        The fields are integers of size <= N, exact in float64: the count equals
        ``instance.errors`` without its int64 copy of the patterns.
        """
        w = np.asarray(weights, dtype=np.float64)
        if w.ndim == 1:
            return int(np.count_nonzero(self.x @ w < self._threshold))
        return np.count_nonzero(w @ self.x.T < self._threshold, axis=-1)

    def spins(self, init, shape, expected: str | None = None) -> np.ndarray:
        """Starting ±1 configuration (int8): uniform from :attr:`rng` if ``init`` is None,
        else ``init`` checked to be ±1 of ``shape`` (ValueError "init must be <expected>")."""
        if init is None:
            return (2 * self.rng.integers(0, 2, size=shape, dtype=np.int8) - 1).astype(np.int8)
        w = np.array(init)
        if w.shape != tuple(shape) or not np.all(np.abs(w) == 1):
            if expected is None:
                expected = (f"a ±1 vector of length N = {shape[0]}" if len(shape) == 1
                            else f"a ±1 array of shape {tuple(shape)}")
            raise ValueError(f"init must be {expected}")
        return w.astype(np.int8)

    # --- best so far ----------------------------------------------------------------------

    def offer(self, weights, score=None, label: str | None = None) -> bool:
        """Keep ``weights`` if its score is below the best so far; True if it solves.

        ``score`` defaults to :meth:`errors`; an algorithm may pass its own (e.g. the
        annealing energy) provided it is 0 exactly for solutions.  The first solving offer
        sets :attr:`solved` and :attr:`solved_by` (= ``label``).
        """
        if score is None:
            score = self.errors(weights)
        score = int(score)
        if self.best_score is None or score < self.best_score:
            self.best_score, self.best_nit = score, self.nit
            self.best_weights = np.array(weights, dtype=np.int8)
        if score == 0 and not self.solved:
            self.solved, self.solved_by = True, label
        return score == 0

    # --- budget ---------------------------------------------------------------------------

    def running(self) -> bool:
        """True while unsolved, not stopped, within the iteration budget and not timed out."""
        return (not self.solved and self._stop_message is None and self.nit < self.max_iter
                and not self.timed_out)

    def out_of_time(self) -> bool:
        """True (and :attr:`timed_out` set) once ``max_seconds`` have passed; False without
        a time budget.  The algorithm calls it where it may stop."""
        if self.max_seconds is not None and not self.timed_out:
            self.timed_out = self.elapsed > self.max_seconds
        return self.timed_out

    def stop(self, why: str) -> None:
        """End the run early for a reason of the algorithm's own (frozen, stalled, ...):
        :meth:`running` turns False and the result has ``reason=NOT_CONVERGED``."""
        self._stop_message = why

    @property
    def elapsed(self) -> float:
        """Seconds since the run started."""
        return time.perf_counter() - self._start

    # --- result ---------------------------------------------------------------------------

    def result(self, weights=None, extra: dict | None = None) -> SolverResult:
        """The :class:`SolverResult` of the run: ``weights`` (default: the best offered),
        errors and success from :meth:`Instance.errors`, ``nit``, seconds, message, reason."""
        w = self.best_weights if weights is None else np.asarray(weights, dtype=np.int8)
        errors = int(self.instance.errors(w))
        success = bool(self.instance.is_solution(w))
        done = f"{self.nit} {self.unit[:-1] if self.nit == 1 and self.unit.endswith('s') else self.unit}"
        left = f"{errors} error{'s' if errors != 1 else ''} left"
        if success:
            reason = Reason.CONVERGED
            message = f"solved in {done}" + (f" (by the {self.solved_by})" if self.solved_by else "")
        elif self.timed_out:
            reason = Reason.BUDGET_EXHAUSTED
            message = f"time budget max_seconds = {self.max_seconds:g} spent after {done}; {left}"
        elif self._stop_message is not None:
            reason = Reason.NOT_CONVERGED
            message = f"stopped after {done}: {self._stop_message}; {left}"
        elif self.nit >= self.max_iter:
            reason = Reason.BUDGET_EXHAUSTED
            message = f"{self.budget_name} = {self.max_iter} reached; {left}"
        else:
            reason = Reason.NOT_CONVERGED
            message = f"stopped after {done} unsolved; {left}"
        return SolverResult(algorithm=self.algorithm, weights=w, success=success, errors=errors,
                            nit=self.nit, seconds=self.elapsed, unit=self.unit,
                            extra={} if extra is None else dict(extra), message=message,
                            reason=reason)
