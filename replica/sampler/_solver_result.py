"""The result of a perceptron solver (shared by every algorithm in ``replica.sampler``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import Reason


@dataclass(frozen=True)
class SolverResult:
    """Outcome of one run of a learning algorithm on an instance.

    The names follow :class:`scipy.optimize.OptimizeResult` (``success``, ``nit``,
    ``message``), as do the other results of the library; ``solved`` and ``iterations``
    are kept as read-only aliases.

    Attributes
    ----------
    algorithm : str
        Short name (``"sa"``, ``"rsa"``, ``"sbpi"``, ``"cpr"``, ``"stochastic-gd"``, ...).
    weights : ndarray of int8, shape (N,)
        The binary weights returned (the best found if the instance was not solved).
    success : bool
        True iff ``weights`` satisfies every pattern (checked with ``Instance.is_solution``).
    errors : int
        Number of patterns violated by ``weights``.
    nit : int
        Iterations in the algorithm's own unit (sweeps, epochs, presentations: see ``unit``).
    seconds : float
        Wall-clock time of the run.
    unit : str
        What one iteration is.
    extra : dict
        Algorithm-specific diagnostics (final temperature, coupling, ...).
    message : str
        What happened, in words (for people; the wording may change).
    reason : Reason or None
        The outcome, machine-readable: ``Reason.CONVERGED`` (solved),
        ``Reason.BUDGET_EXHAUSTED`` (iteration cap or time budget reached unsolved) or
        ``Reason.NOT_CONVERGED`` (stopped early unsolved: frozen messages, stalled
        gradient, ...).  None only for a result built by hand without one.
    solved : bool
        Read-only alias of ``success``.
    iterations : int
        Read-only alias of ``nit``.
    """

    algorithm: str
    weights: np.ndarray
    success: bool
    errors: int
    nit: int
    seconds: float
    unit: str = "sweeps"
    extra: dict = field(default_factory=dict)
    message: str = ""
    reason: Reason | None = None

    @property
    def solved(self) -> bool:
        """Alias of ``success`` (the name used before the results shared one vocabulary)."""
        return self.success

    @property
    def iterations(self) -> int:
        """Alias of ``nit``."""
        return self.nit
