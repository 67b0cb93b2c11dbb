"""Public exceptions and warnings of ``replica``, and the machine-readable outcome of a result.

Every module (engine, models, sampler, CLI) imports these from here, so that catching
``replica.ConvergenceWarning`` works whichever part of the library raised it.
"""

from __future__ import annotations

import enum

__all__ = ["ConvergenceWarning", "ConvergenceError", "Reason"]


class ConvergenceWarning(RuntimeWarning):
    """A computation did not converge; the result carries ``success=False``."""


class ConvergenceError(RuntimeError):
    """Raised instead of :class:`ConvergenceWarning` when ``strict=True``.

    The partial result (a :class:`~replica.solve.SaddlePoint`, a BP result, ...) is
    available as ``error.result``.
    """

    def __init__(self, message: str, result=None):
        super().__init__(message)
        self.result = result


class Reason(str, enum.Enum):
    """Why a result is what it is: the machine-readable twin of its ``message``.

    Code that needs to know why a point failed compares ``result.reason`` with these
    members; the ``message`` is for people and may change wording at any time.  The
    members are also strings (``Reason.CONVERGED == "converged"``), so they serialise
    to JSON and CSV as their value.
    """

    CONVERGED = "converged"
    """A saddle point (or fixed point) to within ``tol``, quadrature resolved."""
    NOT_CONVERGED = "not converged"
    """The iterations stopped without meeting ``tol`` (line search failed, iteration cap, ...)."""
    NOT_FINITE = "not finite"
    """The free entropy, its gradient or an observable is not a finite number at the point."""
    QUADRATURE_ERROR = "quadrature error"
    """Converged, but the integrals are not resolved to ``quad_tol`` (n -> 2n changes too much)."""
    NO_RS_SOLUTION = "no RS solution"
    """The replica-symmetric equations have no admissible solution here (e.g. a conjugate
    that must stay positive would change sign: the gap of a non-monotonic curve)."""
    END_OF_BRANCH = "end of branch"
    """The branch being followed ends (an overlap reaches 1, the curve closes on another)."""
    SATURATED = "saturated"
    """The quantity is at its bound to within double precision (e.g. S_I = H2 as d -> 0)."""
    NOT_ATTEMPTED = "not attempted"
    """Not computed: past the end of a branch, or outside the theory's range."""
    BUDGET_EXHAUSTED = "budget exhausted"
    """A learning algorithm or message passing ran out of iterations or time."""

    def __str__(self) -> str:  # f"{reason}" gives the value, as str(Enum) did before 3.11
        return self.value
