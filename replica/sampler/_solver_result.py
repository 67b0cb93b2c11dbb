"""The result of a perceptron solver (shared by every algorithm in ``replica.sampler``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class SolverResult:
    """Outcome of one run of a learning algorithm on an instance.

    Attributes
    ----------
    algorithm : str
        Short name (``"sa"``, ``"rsa"``, ``"sbpi"``, ``"cpr"``, ``"stochastic-gd"``, ...).
    weights : ndarray of int8, shape (N,)
        The binary weights returned (the best found if the instance was not solved).
    solved : bool
        True iff ``weights`` satisfies every pattern (checked with ``Instance.is_solution``).
    errors : int
        Number of patterns violated by ``weights``.
    iterations : int
        Iterations in the algorithm's own unit (sweeps, epochs, presentations: see ``unit``).
    seconds : float
        Wall-clock time of the run.
    unit : str
        What one iteration is.
    extra : dict
        Algorithm-specific diagnostics (final temperature, coupling, ...).
    """

    algorithm: str
    weights: np.ndarray
    solved: bool
    errors: int
    iterations: int
    seconds: float
    unit: str = "sweeps"
    extra: dict = field(default_factory=dict)
