"""Numerically stable physics primitives, with mpmath twins.

Every function takes array-likes, broadcasts like a NumPy ufunc and stays finite and
accurate for ``|x|`` up to at least 1e3, where the naive formulas overflow (``cosh``
beyond ~710, ``log(erfc)`` beyond ~27).  The ``mp_*`` twins evaluate the same quantity
with mpmath at the current ``mpmath.mp.dps`` and serve as references and as the
high-precision backend of the compiler.

Conventions (``docs/physics.md``): ``Dz = exp(-z**2/2)/sqrt(2 pi) dz``,
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
    "logaddexp",
    "cosh_argmax",
    "cosh_max",
    "logh_argmax",
    "logh_max",
    "mp_G",
    "mp_H",
    "mp_log_H",
    "mp_G_over_H",
    "mp_log_2cosh",
    "mp_binary_entropy",
    "mp_logaddexp",
    "mp_cosh_argmax",
    "mp_cosh_max",
    "mp_logh_argmax",
    "mp_logh_max",
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
    out = _sc.log_ndtr(-x)
    # For x << 0, ln H(x) = ln(1 - H(-x)) ~ -H(-x): log1p keeps the tiny value accurate
    # where log_ndtr loses relative precision (about 1e-6 at x = -12.6).
    deep = x < -5.0
    if np.any(deep):
        if out.ndim == 0:
            return np.log1p(-_sc.ndtr(x))
        out[deep] = np.log1p(-_sc.ndtr(x[deep]))
    return out


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


def logaddexp(a, b):
    """``ln(e^a + e^b)`` (``numpy.logaddexp``)."""
    return np.logaddexp(np.asarray(a, dtype=float), np.asarray(b, dtype=float))


def mp_logaddexp(a, b):
    """mpmath twin of :func:`logaddexp`."""
    a, b = mpmath.mpf(a), mpmath.mpf(b)
    top = max(a, b)
    return top + mpmath.log(mpmath.exp(a - top) + mpmath.exp(b - top))


# --- implicit primitives: maxima over an auxiliary variable ---------------------------------
#
# In scaling limits (y -> infinity) the integrand of a free entropy becomes a maximum
# over an auxiliary field (a Laplace / saddle-point evaluation of an inner Gaussian
# integral).  The two that the binary perceptron needs are
#
#   cosh_max(g, D) = max_u [ ln 2cosh(g + u) - u^2 / (2 D) ]     (weights)
#   logh_max(x, D) = max_v [ ln H(x - v)      - v^2 / (2 D) ]     (patterns)
#
# computed per point by vectorised Newton iterations; their derivatives follow from the
# envelope theorem (see replica.symbolic).

_NEWTON_STEPS = 100


def cosh_argmax(g, D):
    """Global maximiser ``u*`` of ``ln 2cosh(g + u) - u^2/(2D)`` (``D > 0``).

    It solves ``u = D tanh(g + u)``.  For ``D > 1`` and small ``|g|`` there are three
    roots; the global maximum is the outermost root on the side of ``g`` (at ``g = 0``
    the two maxima tie and ``+`` is returned: ``cosh_max`` has a kink there).  Newton
    from ``u = D`` decreases monotonically to that root because ``u - D tanh(g + u)`` is
    convex where ``g + u > 0``.
    """
    g = np.asarray(g, dtype=float)
    D = np.asarray(D, dtype=float)
    g, D = np.broadcast_arrays(g, D)
    sign = np.where(g < 0, -1.0, 1.0)
    a = np.abs(g)
    u = D.copy()
    for _ in range(_NEWTON_STEPS):
        m = np.tanh(a + u)
        f = u - D * m
        fp = 1.0 - D * (1.0 - m * m)
        step = np.where(fp > 0, f / np.where(fp > 0, fp, 1.0), 0.5 * u)
        u_new = np.maximum(u - step, 0.0)
        if np.all(np.abs(u_new - u) <= 1e-13 * (1.0 + np.abs(u))):
            u = u_new
            break
        u = u_new
    # one more step: Newton is quadratic here, so this brings the error to rounding level
    m = np.tanh(a + u)
    fp = 1.0 - D * (1.0 - m * m)
    u = np.where(fp > 0, np.maximum(u - (u - D * m) / np.where(fp > 0, fp, 1.0), 0.0), u)
    return sign * u


def cosh_max(g, D):
    """``max_u [ln 2cosh(g + u) - u^2/(2D)]`` (even in ``g``)."""
    u = cosh_argmax(g, D)
    return log_2cosh(np.asarray(g, float) + u) - u * u / (2.0 * np.asarray(D, float))


def logh_argmax(x, D):
    """Unique maximiser ``v*`` of ``ln H(x - v) - v^2/(2D)`` (``D > 0``).

    Stationarity reads ``v = D G/H(x - v)``; with ``y = x - v`` it becomes
    ``phi(y) = y + D G/H(y) = x``.  ``phi`` is increasing and convex (``G/H`` is), so
    Newton from ``y = x`` (where ``phi >= x``) decreases monotonically to the root and
    converges quadratically near it.  ``v*`` is returned as ``D G/H(y*)``, which keeps
    full relative precision when it is tiny.
    """
    x = np.asarray(x, dtype=float)
    D = np.asarray(D, dtype=float)
    x, D = np.broadcast_arrays(x, D)
    y = x.copy()
    with np.errstate(all="ignore"):
        for _ in range(_NEWTON_STEPS):
            r = G_over_H(y)
            step = (y + D * r - x) / (1.0 + D * r * (r - y))
            y = y - step
            # quadratic convergence: a step of 1e-13 leaves an error ~1e-26
            if np.all(np.abs(step) <= 1e-13 * (1.0 + np.abs(y))):
                break
    return D * G_over_H(y)


def logh_max(x, D):
    """``max_v [ln H(x - v) - v^2/(2D)]``."""
    v = logh_argmax(x, D)
    return log_H(np.asarray(x, float) - v) - v * v / (2.0 * np.asarray(D, float))


def penalised_logh_argmax(x, D, b, E):
    """Unique maximiser ``v*`` of ``ln H(x - v) - v^2/(2D) - (b - v)_+^2/(2E)`` (``D, E > 0``).

    The objective is strictly concave.  Without the penalty the maximiser is
    ``V0 = logh_argmax(x, D)``; if ``V0 >= b`` the penalty is inactive there and
    ``v* = V0``.  Otherwise ``v*`` lies in ``(V0, b)``, where the stationarity condition
    ``F(v) = G/H(x - v) - v/D + (b - v)/E = 0`` has ``F`` convex and decreasing with
    ``F(V0) > 0``: Newton from ``V0`` increases monotonically to the root.
    """
    x, D, b, E = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (x, D, b, E)))
    v = logh_argmax(x, D)
    active = v < b
    if not np.any(active):
        return v
    with np.errstate(all="ignore"):
        for _ in range(_NEWTON_STEPS):
            y = x - v
            r = G_over_H(y)
            F = r - v / D + (b - v) / E
            dF = -r * (r - y) - 1.0 / D - 1.0 / E
            step = np.where(active, -F / dF, 0.0)
            v = np.where(active, np.minimum(v + step, b), v)
            if np.all(np.abs(step) <= 1e-13 * (1.0 + np.abs(v))):
                break
    return v


def penalised_logh_max(x, D, b, E):
    """``max_v [ln H(x - v) - v^2/(2D) - (b - v)_+^2/(2E)]``."""
    v = penalised_logh_argmax(x, D, b, E)
    x, D, b, E = (np.asarray(a, dtype=float) for a in (x, D, b, E))
    w = np.maximum(b - v, 0.0)
    return log_H(x - v) - v * v / (2.0 * D) - w * w / (2.0 * E)


def mp_cosh_argmax(g, D):
    """mpmath twin of :func:`cosh_argmax` (Newton from ``u = D`` at working precision)."""
    g, D = mpmath.mpf(g), mpmath.mpf(D)
    sign = -1 if g < 0 else 1
    a = abs(g)
    u = D
    for _ in range(200):
        m = mpmath.tanh(a + u)
        step = (u - D * m) / (1 - D * (1 - m * m))
        u_new = max(u - step, mpmath.mpf(0))
        if abs(u_new - u) <= mpmath.mpf(10) ** (-mpmath.mp.dps + 3) * (1 + abs(u)):
            u = u_new
            break
        u = u_new
    return sign * u


def mp_cosh_max(g, D):
    """mpmath twin of :func:`cosh_max`."""
    u = mp_cosh_argmax(g, D)
    return mp_log_2cosh(mpmath.mpf(g) + u) - u * u / (2 * mpmath.mpf(D))


def mp_logh_argmax(x, D):
    """mpmath twin of :func:`logh_argmax` (the same monotone Newton iteration)."""
    x, D = mpmath.mpf(x), mpmath.mpf(D)
    y = x
    tol = mpmath.mpf(10) ** (-mpmath.mp.dps // 2 - 2)
    for _ in range(400):
        r = mp_G_over_H(y)
        step = (y + D * r - x) / (1 + D * r * (r - y))
        y -= step
        if abs(step) <= tol * (1 + abs(y)):
            break
    return D * mp_G_over_H(y)


def mp_logh_max(x, D):
    """mpmath twin of :func:`logh_max`."""
    v = mp_logh_argmax(x, D)
    return mp_log_H(mpmath.mpf(x) - v) - v * v / (2 * mpmath.mpf(D))


def mp_penalised_logh_argmax(x, D, b, E):
    """mpmath twin of :func:`penalised_logh_argmax` (the same monotone Newton iteration)."""
    x, D, b, E = (mpmath.mpf(a) for a in (x, D, b, E))
    v = mp_logh_argmax(x, D)
    if v >= b:
        return v
    tol = mpmath.mpf(10) ** (-mpmath.mp.dps // 2 - 2)
    for _ in range(400):
        r = mp_G_over_H(x - v)
        F = r - v / D + (b - v) / E
        dF = -r * (r - (x - v)) - 1 / D - 1 / E
        step = -F / dF
        v = min(v + step, b)
        if abs(step) <= tol * (1 + abs(v)):
            break
    return v


def mp_penalised_logh_max(x, D, b, E):
    """mpmath twin of :func:`penalised_logh_max`."""
    v = mp_penalised_logh_argmax(x, D, b, E)
    x, D, b, E = (mpmath.mpf(a) for a in (x, D, b, E))
    w = max(b - v, mpmath.mpf(0))
    return mp_log_H(x - v) - v * v / (2 * D) - w * w / (2 * E)
