"""Random instances of the binary perceptron: patterns, labels and (optionally) a teacher.

A configuration ``W`` in {-1, +1}^N *solves* an instance when every pattern is stored with
stability above the margin: ``labels[mu] * (patterns[mu] @ W) / sqrt(N) > kappa`` for all mu
(strict inequality; with kappa = 0 and N even a zero field counts as an error, as in the
theory, where the measure of ties vanishes).

References
----------
E. Gardner, J. Phys. A 21, 257 (1988) (storage problem, random ±1 patterns and labels);
G. Györgyi, Phys. Rev. A 41, 7097 (1990) (teacher–student rule).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._validate import choice, integer, real

__all__ = ["Instance", "random_instance", "load_instance"]

KINDS = ("storage", "teacher")


@dataclass(frozen=True, eq=False)
class Instance:
    """One instance of the binary perceptron.

    Attributes
    ----------
    patterns : ndarray of int8, shape (P, N)
        Inputs xi^mu_i = ±1.
    labels : ndarray of int8, shape (P,)
        Desired outputs sigma^mu = ±1.
    teacher : ndarray of int8, shape (N,), or None
        The teacher's weights for ``kind="teacher"`` (labels = sign(xi . teacher)).
    kind : {"storage", "teacher"}
    kappa : float
        Margin of the stability constraint (>= 0).
    """

    patterns: np.ndarray
    labels: np.ndarray
    teacher: np.ndarray | None = None
    kind: str = "storage"
    kappa: float = 0.0

    def __post_init__(self):
        patterns = np.asarray(self.patterns)
        labels = np.asarray(self.labels)
        if patterns.ndim != 2:
            raise ValueError(f"patterns must be a 2-d array (P, N), got shape {patterns.shape}")
        if labels.shape != (patterns.shape[0],):
            raise ValueError(f"labels must have shape ({patterns.shape[0]},), got {labels.shape}")
        if patterns.shape[1] < 1:
            raise ValueError("patterns must have N >= 1 columns")
        for name, arr in (("patterns", patterns), ("labels", labels)):
            if arr.size and not np.all(np.abs(arr) == 1):
                raise ValueError(f"{name} must contain only -1 and +1")
        object.__setattr__(self, "patterns", patterns.astype(np.int8))
        object.__setattr__(self, "labels", labels.astype(np.int8))
        if self.teacher is not None:
            teacher = np.asarray(self.teacher)
            if teacher.shape != (patterns.shape[1],) or not np.all(np.abs(teacher) == 1):
                raise ValueError(f"teacher must be a ±1 vector of length N = {patterns.shape[1]}")
            object.__setattr__(self, "teacher", teacher.astype(np.int8))
        choice("kind", self.kind, KINDS)
        object.__setattr__(self, "kappa", real("kappa", self.kappa, lower=0.0))

    @property
    def n(self) -> int:
        """Number of weights N."""
        return int(self.patterns.shape[1])

    @property
    def p(self) -> int:
        """Number of patterns P."""
        return int(self.patterns.shape[0])

    @property
    def alpha(self) -> float:
        """Load P / N."""
        return self.p / self.n

    def signed_patterns(self) -> np.ndarray:
        """sigma^mu xi^mu as an int8 array (P, N): W solves the instance iff every row has
        ``row @ W > kappa sqrt(N)``."""
        return (self.patterns * self.labels[:, None]).astype(np.int8)

    def stabilities(self, weights) -> np.ndarray:
        """Stabilities sigma^mu (xi^mu . W) / sqrt(N); ``weights`` of shape (N,) or (M, N)."""
        w = np.asarray(weights)
        fields = w.astype(np.int64) @ self.signed_patterns().T.astype(np.int64)
        return fields / math.sqrt(self.n)

    def threshold(self) -> int:
        """Smallest integer field sigma (xi . W) that satisfies a pattern (margin kappa)."""
        # the field has the parity of N; strict inequality field > kappa sqrt(N)
        bound = self.kappa * math.sqrt(self.n)
        t = math.floor(bound) + 1
        return t

    def errors(self, weights) -> np.ndarray:
        """Number of patterns violated by ``weights`` (shape (N,) -> int, (M, N) -> (M,))."""
        w = np.asarray(weights)
        fields = w.astype(np.int64) @ self.signed_patterns().T.astype(np.int64)
        return np.sum(fields < self.threshold(), axis=-1)

    def is_solution(self, weights):
        """True where ``weights`` satisfies every pattern."""
        return self.errors(weights) == 0

    def save(self, path) -> Path:
        """Write the instance to a ``.npz`` file (suffix added if missing)."""
        path = Path(path)
        if path.suffix != ".npz":
            path = path.with_suffix(path.suffix + ".npz")
        data = dict(patterns=self.patterns, labels=self.labels, kind=np.array(self.kind),
                    kappa=np.array(self.kappa))
        if self.teacher is not None:
            data["teacher"] = self.teacher
        np.savez_compressed(path, **data)
        return path

    @classmethod
    def load(cls, path) -> "Instance":
        """Read an instance written by :meth:`save`."""
        with np.load(Path(path), allow_pickle=False) as f:
            teacher = f["teacher"] if "teacher" in f.files else None
            return cls(patterns=f["patterns"], labels=f["labels"], teacher=teacher,
                       kind=str(f["kind"]), kappa=float(f["kappa"]))


def as_instance(value) -> Instance:
    """``value`` if it is an :class:`Instance`, else a ValueError naming ``instance``."""
    if not isinstance(value, Instance):
        raise ValueError(f"instance must be a replica.sampler.Instance, got {type(value).__name__}")
    return value


def load_instance(path) -> Instance:
    """Read an instance from a ``.npz`` file written by :meth:`Instance.save`."""
    return Instance.load(path)


def random_instance(n: int, alpha: float, *, rng=None, kind: str = "storage", kappa: float = 0.0) -> Instance:
    """A random binary-perceptron instance with P = round(alpha N) patterns.

    Parameters
    ----------
    n : int
        Number of weights N >= 1. For ``kind="teacher"`` N must be odd (the teacher's field
        is then never zero, so the teacher solves its own instance).
    alpha : float
        Load P/N >= 0.
    rng : anything :func:`numpy.random.default_rng` accepts
        Same seed, same instance.
    kind : {"storage", "teacher"}
        "storage": i.i.d. uniform ±1 patterns and labels (Gardner 1988).
        "teacher": labels sign(xi . W*) of a uniform random binary teacher W* (Györgyi 1990).
    kappa : float
        Margin (>= 0).

    References
    ----------
    E. Gardner, J. Phys. A 21, 257 (1988); G. Györgyi, Phys. Rev. A 41, 7097 (1990).
    """
    n = integer("n", n, lower=1)
    alpha = real("alpha", alpha, lower=0.0)
    choice("kind", kind, KINDS)
    if kind == "teacher" and n % 2 == 0:
        raise ValueError(f"n must be odd for kind='teacher' (no zero teacher fields), got {n}")
    gen = np.random.default_rng(rng)
    p = int(round(alpha * n))
    patterns = (2 * gen.integers(0, 2, size=(p, n), dtype=np.int8) - 1).astype(np.int8)
    teacher = None
    if kind == "storage":
        labels = (2 * gen.integers(0, 2, size=p, dtype=np.int8) - 1).astype(np.int8)
    else:
        teacher = (2 * gen.integers(0, 2, size=n, dtype=np.int8) - 1).astype(np.int8)
        labels = np.sign(patterns.astype(np.int64) @ teacher).astype(np.int8)
    return Instance(patterns=patterns, labels=labels, teacher=teacher, kind=kind, kappa=kappa)
