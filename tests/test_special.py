"""replica.special against mpmath at 40 digits, |x| up to 1e3.

Relative errors are measured against the function's condition number where it grows:
H(x), G(x) and the tail ln H(x) ~ -H(-x) (x << 0) have condition ~x^2 (a relative
rounding of x changes exp(-x^2/2) by eps * x^2), so the bound there is rtol * max(1, x^2).
"""

import mpmath
import numpy as np
import pytest

from replica import special

mpmath.mp.dps = 40
XS = np.concatenate([-np.logspace(-3, 3, 61), [0.0], np.logspace(-3, 3, 61)])


def _rel(ours, ref):
    ref = float(ref)
    if ref == 0.0:
        return abs(ours)
    return abs(ours - ref) / abs(ref)


@pytest.mark.parametrize(
    "name, mp_name, rtol, conditioned",
    [
        ("log_H", "mp_log_H", 1e-15, True),
        ("G_over_H", "mp_G_over_H", 1e-15, True),
        ("log_2cosh", "mp_log_2cosh", 1e-15, False),
        ("H", "mp_H", 1e-15, True),
        ("G", "mp_G", 1e-15, True),
    ],
)
def test_against_mpmath(name, mp_name, rtol, conditioned):
    f, g = getattr(special, name), getattr(special, mp_name)
    values = f(XS)
    assert values.shape == XS.shape
    assert np.all(np.isfinite(values))
    worst = 0.0
    for x, v in zip(XS, values):
        ref = g(mpmath.mpf(x))
        if abs(ref) < mpmath.mpf("2.3e-308"):  # subnormal or below: only absolute accuracy
            assert abs(v) < 2.3e-308
            continue
        bound = rtol * (max(1.0, x * x) if conditioned else 1.0)
        worst = max(worst, _rel(v, ref) / bound)
    assert worst < 1.0


def test_naive_formulas_would_fail_here():
    # The regime the stable forms exist for: the naive ones overflow or give -inf.
    with np.errstate(all="ignore"):
        assert not np.isfinite(np.log(2 * np.cosh(1000.0)))
        assert not np.isfinite(np.log(0.5 * __import__("scipy").special.erfc(1000.0 / np.sqrt(2))))
    assert np.isfinite(special.log_2cosh(1000.0)) and np.isfinite(special.log_H(1000.0))


def test_binary_entropy_against_mpmath():
    ds = np.concatenate([np.logspace(-300, -1, 50), np.linspace(0.1, 0.9, 17), 1 - np.logspace(-1, -15, 20)])
    values = special.binary_entropy(ds)
    for d, v in zip(ds, values):
        assert _rel(v, special.mp_binary_entropy(mpmath.mpf(d))) < 1e-13
    assert special.binary_entropy(0.0) == 0.0 and special.binary_entropy(1.0) == 0.0
    assert special.binary_entropy(0.5) == pytest.approx(np.log(2), rel=1e-15)


def test_vectorised_broadcasting():
    x = np.linspace(-5, 5, 12).reshape(3, 4)
    for f in (special.log_H, special.G_over_H, special.log_2cosh, special.H, special.G):
        assert f(x).shape == (3, 4)
    assert np.isscalar(float(special.log_H(1.0)))


def test_penalised_logh_max_against_mpmath_maximisation():
    """max_v [ln H(x - v) - v^2/(2D) - (b - v)_+^2/(2E)] against mpmath's own maximiser
    (findroot on the derivative at 30 digits), including penalty on and off."""
    import mpmath

    from replica.special import penalised_logh_argmax, penalised_logh_max

    rng = np.random.default_rng(5)
    x, b = rng.normal(0, 2, 12), rng.normal(0, 2, 12)
    D, E = np.exp(rng.normal(0, 1, 12)), np.exp(rng.normal(-1, 1.5, 12))
    v, P = penalised_logh_argmax(x, D, b, E), penalised_logh_max(x, D, b, E)
    mpmath.mp.dps = 30
    try:
        for i in range(12):
            xi, Di, bi, Ei = (mpmath.mpf(float(a[i])) for a in (x, D, b, E))

            def objective(t):
                return mpmath.log(mpmath.erfc((xi - t) / mpmath.sqrt(2)) / 2) - t**2 / (2 * Di) - max(bi - t, 0)**2 / (2 * Ei)

            t = mpmath.findroot(lambda t: mpmath.diff(objective, t), float(v[i]) + 0.1)
            assert float(t) == pytest.approx(v[i], abs=1e-10)
            assert float(objective(t)) == pytest.approx(P[i], abs=1e-13)
    finally:
        mpmath.mp.dps = 15
