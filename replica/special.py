"""Numerically stable physics primitives, with mpmath twins.

Every function takes array-likes, broadcasts like a NumPy ufunc and stays finite and
accurate for ``|x|`` up to at least 1e3, where the naive formulas overflow (``cosh``
beyond ~710, ``log(erfc)`` beyond ~27).  The ``mp_*`` twins evaluate the same quantity
with mpmath at the current ``mpmath.mp.dps`` and serve as references and as the
high-precision backend of the compiler.

Conventions (``physics.md``): ``Dz = exp(-z**2/2)/sqrt(2 pi) dz``,
``H(x) = int_x^inf Dz`` and ``G(x) = exp(-x**2/2)/sqrt(2 pi)``.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
from scipy import special as _sc

__all__ = [
    "G",
    "H",
    "log_H",
    "G_over_H",
    "log_2cosh",
    "binary_entropy",
    "mp_G",
    "mp_H",
    "mp_log_H",
    "mp_G_over_H",
    "mp_log_2cosh",
    "mp_binary_entropy",
]

_SQRT2 = math.sqrt(2.0)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def G(x):
    """Standard normal density ``exp(-x**2/2)/sqrt(2 pi)``."""
    x = np.asarray(x, dtype=float)
    return _INV_SQRT_2PI * np.exp(-0.5 * x * x)


def H(x):
    """Gaussian tail ``H(x) = int_x^inf Dz = erfc(x/sqrt 2)/2``.

    Computed as ``ndtr(-x)``, which keeps full relative accuracy in the far tail.
    """
    return _sc.ndtr(-np.asarray(x, dtype=float))


def log_H(x):
    """``ln H(x)``, accurate for all real ``x``.

    For large positive ``x`` it behaves like ``-x**2/2 - ln(x sqrt(2 pi))``; the naive
    ``log(erfc(x/sqrt 2)/2)`` returns ``-inf`` beyond ``x ~ 38``.
    """
    x = np.asarray(x, dtype=float)
    # For x << 0, ln H(x) = ln(1 - H(-x)) ~ -H(-x): log1p keeps the tiny value accurate
    # where log_ndtr loses relative precision (about 1e-6 at x = -12.6).
    with np.errstate(all="ignore"):
        return np.where(x < -5.0, np.log1p(-_sc.ndtr(x)), _sc.log_ndtr(-x))


def G_over_H(x):
    """The ratio ``G(x)/H(x)`` (minus the derivative of ``ln H``).

    Written as ``sqrt(2/pi) / erfcx(x/sqrt 2)``: ``erfcx`` is the scaled complementary
    error function, so no exponential is formed and nothing overflows.  For large
    positive ``x`` the ratio tends to ``x + 1/x``, for large negative ``x`` to 0.
    """
    x = np.asarray(x, dtype=float)
    return _SQRT_2_OVER_PI / _sc.erfcx(x / _SQRT2)


def log_2cosh(x):
    """``ln(2 cosh x) = |x| + ln(1 + exp(-2|x|))``, finite for every finite ``x``."""
    x = np.abs(np.asarray(x, dtype=float))
    return x + np.log1p(np.exp(-2.0 * x))


def binary_entropy(d):
    """Binary entropy ``H2(d) = -d ln d - (1-d) ln(1-d)`` in nats.

    ``H2(0) = H2(1) = 0``; it is the log-number of configurations per weight at
    normalised Hamming distance ``d`` from a given one.  Values outside ``[0, 1]``
    give NaN, as for any out-of-domain NumPy ufunc (callers validate their inputs).
    """
    d = np.asarray(d, dtype=float)
    return -_sc.xlogy(d, d) - _sc.xlog1py(1.0 - d, -d)


# --- mpmath twins ---------------------------------------------------------------------


def mp_G(x):
    """mpmath twin of :func:`G`."""
    x = mpmath.mpf(x)
    return mpmath.npdf(x)


def mp_H(x):
    """mpmath twin of :func:`H`."""
    return mpmath.erfc(mpmath.mpf(x) / mpmath.sqrt(2)) / 2


def mp_log_H(x):
    """mpmath twin of :func:`log_H` (``log1p(-H(-x))`` for ``x < 0``: no cancellation)."""
    x = mpmath.mpf(x)
    if x < 0:
        return mpmath.log1p(-mp_H(-x))
    return mpmath.log(mp_H(x))


def mp_G_over_H(x):
    """mpmath twin of :func:`G_over_H`."""
    return mp_G(x) / mp_H(x)


def mp_log_2cosh(x):
    """mpmath twin of :func:`log_2cosh`."""
    return mpmath.log(2 * mpmath.cosh(mpmath.mpf(x)))


def mp_binary_entropy(d):
    """mpmath twin of :func:`binary_entropy`."""
    d = mpmath.mpf(d)
    if d == 0 or d == 1:
        return mpmath.mpf(0)
    return -d * mpmath.log(d) - (1 - d) * mpmath.log1p(-d)
