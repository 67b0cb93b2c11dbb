"""Benchmark: binary Gardner saddle points, replica's engine vs plain adaptive quadrature.

Measures, in one process:
* median wall time of one saddle point (``solve(Gardner(alpha))`` from the default
  initial guess, compiled functions warm) at several loads;
* median wall time of a 100-point alpha-curve by continuation (0.01 .. 1.2);
* the same saddle points computed by two straightforward implementations written
  here, every Gaussian integral done by ``scipy.integrate.quad`` (tolerance 1e-13):
  "quad+FP", the textbook damped fixed-point iteration of the saddle-point equations
  (damping 1/2, stop at change < 1e-12), and "quad+hybr", the same equations handed to
  ``scipy.optimize.root`` (hybr) -- a stronger hand-written solver;
* the accuracy of both against a 30-digit mpmath reference (mpmath.quad for the
  integrals, mpmath.findroot for the equations), also written here, independent of
  replica's compiler.

Usage: python benchmarks/bench_gardner.py [--repeat N] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import time
import warnings

import mpmath
import numpy as np
from scipy import integrate, optimize, special

import replica

ALPHAS = (0.3, 0.5, 0.8)


# --- straightforward implementation with adaptive quadrature -----------------------------

def _quad(f, points=None):
    """int Dz f(z) over the real line with scipy.integrate.quad (split at 0 as one would)."""
    g = lambda z: f(z) * math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)  # noqa: E731
    lo = integrate.quad(g, -np.inf, 0.0, epsabs=1e-13, epsrel=1e-13, limit=200)[0]
    hi = integrate.quad(g, 0.0, np.inf, epsabs=1e-13, epsrel=1e-13, limit=200)[0]
    return lo + hi


def _gh(x):
    return math.sqrt(2 / math.pi) / special.erfcx(x / math.sqrt(2))


def quad_equations(x, alpha):
    q, qhat = min(max(x[0], 1e-12), 1 - 1e-12), abs(x[1])  # keep hybr's trial points legal
    u = lambda z: -math.sqrt(q) * z / math.sqrt(1 - q)  # noqa: E731
    f_q = _quad(lambda z: math.tanh(math.sqrt(qhat) * z) ** 2) - q
    f_qhat = alpha / (1 - q) * _quad(lambda z: _gh(u(z)) ** 2) - qhat
    return [f_q, f_qhat]


def quad_entropy(q, qhat, alpha):
    u = lambda z: -math.sqrt(q) * z / math.sqrt(1 - q)  # noqa: E731
    ent = _quad(lambda z: np.logaddexp(math.sqrt(qhat) * z, -math.sqrt(qhat) * z))
    ene = _quad(lambda z: special.log_ndtr(-u(z)))
    return -qhat * (1 - q) / 2 + ent + alpha * ene


def quad_fixed_point(alpha, x0, tol=1e-12, damping=0.5, maxiter=5000):
    """The textbook way: iterate the saddle-point equations in fixed-point form,
    q <- E tanh^2(sqrt(qhat) z), qhat <- alpha/(1-q) E[(G/H)^2], with damping."""
    q, qhat = x0
    for _ in range(maxiter):
        f_q, f_qhat = quad_equations((q, qhat), alpha)  # = F(x) - x
        if max(abs(f_q), abs(f_qhat) / (1 + qhat)) < tol:
            break
        q, qhat = q + damping * f_q, qhat + damping * f_qhat
    return q, qhat, quad_entropy(q, qhat, alpha)


def quad_saddle(alpha, x0):
    sol = optimize.root(quad_equations, x0, args=(alpha,), method="hybr", options={"xtol": 1e-12})
    q, qhat = sol.x[0], abs(sol.x[1])
    return q, qhat, quad_entropy(q, qhat, alpha)


# --- 30-digit mpmath reference -----------------------------------------------------------

def mp_saddle(alpha, x0, dps=30):
    with mpmath.workdps(dps):
        a = mpmath.mpf(alpha)

        def E(f, pts):
            return mpmath.quad(lambda z: f(z) * mpmath.npdf(z), pts)

        def H(x):
            return mpmath.erfc(x / mpmath.sqrt(2)) / 2

        def eqs(q, qhat):
            w = mpmath.sqrt((1 - q) / q)
            pts = [-mpmath.inf, -w, 0, w, mpmath.inf]
            f1 = E(lambda z: mpmath.tanh(mpmath.sqrt(qhat) * z) ** 2, [-mpmath.inf, 0, mpmath.inf]) - q
            f2 = a / (1 - q) * E(lambda z: (mpmath.npdf(-mpmath.sqrt(q) * z / mpmath.sqrt(1 - q))
                                            / H(-mpmath.sqrt(q) * z / mpmath.sqrt(1 - q))) ** 2, pts) - qhat
            return [f1, f2]

        q, qhat = mpmath.findroot(eqs, [mpmath.mpf(x0[0]), mpmath.mpf(x0[1])], tol=mpmath.mpf(10) ** (-2 * dps + 10))
        w = mpmath.sqrt((1 - q) / q)
        s = (-qhat * (1 - q) / 2
             + E(lambda z: mpmath.log(2 * mpmath.cosh(mpmath.sqrt(qhat) * z)), [-mpmath.inf, 0, mpmath.inf])
             + a * E(lambda z: mpmath.log(H(-mpmath.sqrt(q) * z / mpmath.sqrt(1 - q))), [-mpmath.inf, -w, 0, w, mpmath.inf]))
        return float(q), float(qhat), float(s)


def median_time(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=21)
    ap.add_argument("--json", default=os.path.join(os.path.dirname(__file__), "results", "gardner.json"))
    args = ap.parse_args()

    t0 = time.perf_counter()
    replica.solve(replica.Gardner(alpha=0.5))  # compile (sympy derivation + codegen)
    compile_time = time.perf_counter() - t0

    rows = []
    for alpha in ALPHAS:
        spec = replica.Gardner(alpha=alpha)
        ours = replica.solve(spec)
        t_ours = median_time(lambda: replica.solve(spec), args.repeat)
        x0 = [ours.order["q"], ours.order["qhat"]]
        ref = mp_saddle(alpha, x0)
        start = list(spec.initial_guess().values())
        t_fp = median_time(lambda: quad_fixed_point(alpha, start), 3)
        t_hybr = median_time(lambda: quad_saddle(alpha, start), max(3, args.repeat // 5))

        def error(q, qhat, s):
            return max(abs(q - ref[0]), abs(qhat - ref[1]) / (1 + ref[1]), abs(s - ref[2]))

        rows.append(dict(
            alpha=alpha, t_ours_ms=1e3 * t_ours, t_fp_ms=1e3 * t_fp, t_hybr_ms=1e3 * t_hybr,
            ratio_fp=t_fp / t_ours, ratio_hybr=t_hybr / t_ours,
            err_ours=error(ours.order["q"], ours.order["qhat"], ours.free_entropy),
            err_fp=error(*quad_fixed_point(alpha, start)), err_hybr=error(*quad_saddle(alpha, start)),
            entropy=ours.free_entropy, nit=ours.nit,
        ))

    alphas = np.linspace(0.01, 1.2, 100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", replica.ConvergenceWarning)
        curve_runs = []
        for _ in range(3):
            t0 = time.perf_counter()
            c = replica.continuation(replica.Gardner(alpha=0.01), "alpha", alphas)
            curve_runs.append(time.perf_counter() - t0)
    curve_time = statistics.median(curve_runs)

    print(f"compile (first call, sympy derivation + codegen): {compile_time:.2f} s")
    print("one saddle point, median wall time; errors = max deviation of (q, qhat/(1+qhat), s) from mpmath")
    print(f"{'alpha':>6} {'replica':>9} {'quad+FP':>9} {'ratio':>6} {'quad+hybr':>10} {'ratio':>6} "
          f"{'err replica':>12} {'err FP':>8} {'err hybr':>9}")
    for r in rows:
        print(f"{r['alpha']:>6.2f} {r['t_ours_ms']:>7.2f}ms {r['t_fp_ms']:>7.0f}ms {r['ratio_fp']:>6.0f} "
              f"{r['t_hybr_ms']:>8.1f}ms {r['ratio_hybr']:>6.1f} {r['err_ours']:>12.1e} {r['err_fp']:>8.1e} "
              f"{r['err_hybr']:>9.1e}")
    print(f"100-point alpha-curve (0.01..1.2, continuation): {curve_time:.2f} s, all converged: {bool(c.success.all())}")
    out = {"compile_s": compile_time, "points": rows, "curve_100_s": curve_time, "curve_all_converged": bool(c.success.all()),
           "machine": os.uname().machine, "cpus": os.cpu_count()}
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as fh:
        json.dump(out, fh, indent=1)


if __name__ == "__main__":
    main()
