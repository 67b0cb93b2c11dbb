"""Coordinates in which order parameters near the edge of their domain behave smoothly."""

from __future__ import annotations

import enum

import numpy as np


class CoordinateKind(enum.IntEnum):
    """How an order parameter's domain ``(a, b)`` maps to its stiff coordinate ``y``."""

    LINEAR = 0
    """``(-inf, inf)``: ``y = x``."""
    INTERVAL = 1
    """``(a, b)``, both finite: ``y = -ln((b - x)/(b - a))``."""
    LOWER_BOUNDED = 2
    """``(a, inf)``: ``y = ln(1 + x - a)``."""
    UPPER_BOUNDED = 3
    """``(-inf, b)``: ``y = ln(1 + b - x)``."""
    LOG = 4
    """``(a, inf)`` flagged ``log``: ``y = ln(x - a)``."""


def _branches(kind):
    """Masks of the non-linear kinds, in the order of the ``np.select`` choices below."""
    K = CoordinateKind
    return [kind == K.INTERVAL, kind == K.LOWER_BOUNDED, kind == K.UPPER_BOUNDED, kind == K.LOG]


class StiffCoordinates:
    """Coordinates ``y`` in which Newton steps are taken, one per order parameter.

    Linear near the lower end of a domain and logarithmic towards the upper end:
    ``y = -ln((b - x)/(b - a))`` on ``(a, b)`` (overlaps approaching 1 behave like powers
    of ``1 - q``), ``y = ln(1 + x - a)`` on ``(a, inf)`` (conjugates diverging like
    ``1/(1 - q)**2``), ``y = x`` on the real line.  A Newton step ``dx`` becomes
    ``dy = dx / (dx/dy)``: the same direction, but a step that shrinks ``1 - q``
    multiplicatively instead of overshooting past 1.

    A domain flagged ``log`` on ``(a, inf)`` uses ``y = ln(x - a)`` instead: for
    parameters that vanish or diverge exponentially along a branch (the conjugates on
    the dense branch of the local entropy scale like ``exp(-c/d)``).
    """

    def __init__(self, lower, upper, log=None):
        self.lower, self.upper = np.asarray(lower, float), np.asarray(upper, float)
        lo, hi = np.isfinite(self.lower), np.isfinite(self.upper)
        log = np.zeros(self.lower.shape, bool) if log is None else np.asarray(log, bool)
        K = CoordinateKind
        #: CoordinateKind value (an int array) per order parameter.
        self.kind = np.where(hi, np.where(lo, K.INTERVAL, K.UPPER_BOUNDED),
                             np.where(lo, np.where(log, K.LOG, K.LOWER_BOUNDED), K.LINEAR))

    def to_y(self, x):
        a, b, k = self.lower, self.upper, self.kind
        with np.errstate(all="ignore"):
            return np.select(
                _branches(k),
                [-np.log((b - x) / (b - a)), np.log1p(x - a), np.log1p(b - x), np.log(x - a)],
                default=x,
            )

    def scale(self, x):
        """``dx/dy`` at ``x``."""
        a, b, k = self.lower, self.upper, self.kind
        with np.errstate(all="ignore"):
            return np.select(_branches(k), [b - x, 1.0 + x - a, -(1.0 + b - x), x - a], default=1.0)

    def to_x(self, y):
        """``x(y)`` and ``dx/dy``."""
        a, b, k = self.lower, self.upper, self.kind
        with np.errstate(all="ignore"):
            e = np.exp(-y)
            x = np.select(_branches(k),
                          [b - (b - a) * e, a + np.expm1(y), b - np.expm1(y), a + 1.0 / e], default=y)
            d = np.select(_branches(k),
                          [(b - a) * e, 1.0 + np.expm1(y), -(1.0 + np.expm1(y)), 1.0 / e], default=1.0)
        return x, d

    @classmethod
    def of(cls, theory) -> "StiffCoordinates":
        """The coordinates of a :class:`~replica.symbolic.FreeEntropy`'s order parameters."""
        lower = [theory.domain(s).lower for s in theory.order]
        upper = [theory.domain(s).upper for s in theory.order]
        return cls(lower, upper, [theory.domain(s).log for s in theory.order])
