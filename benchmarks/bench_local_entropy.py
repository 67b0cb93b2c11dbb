"""Benchmark: Franz–Parisi and y = inf local-entropy curves, and one local-entropy saddle
point against a plain adaptive-quadrature implementation.

Measures, in one process, on this machine:
* 100-point curves over d in [1e-3, 1/2] (geometric and uniform grids): wall time (warm:
  the first call of each theory, which derives and compiles it, is timed separately) and
  the number of converged points, for S_I at y = inf (alpha = 0.5, 0.7, 0.78) and S_FP
  (alpha = 0.5, 0.7);
* one evaluation of the Franz-Parisi entropy at its saddle point (alpha = 0.5, d = 0.1):
  replica's value and gradient against the value alone by nested scipy.integrate.quad of
  the module formula (an independent check of the value too);
* one y = inf local-entropy saddle point (alpha = 0.5, d = 0.1) by replica, warm, vs a
  straightforward implementation written here: the same free entropy (module docstring of
  replica.models.local_entropy) with every Gaussian integral by scipy.integrate.quad, the
  inner maxima by scipy.optimize.minimize_scalar, the gradient by central differences and
  the saddle point by scipy.optimize.root (hybr) from the same starting point.

Usage: python benchmarks/bench_local_entropy.py [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import time
import warnings

import numpy as np
from scipy import integrate, optimize, special

import replica
from replica.models import committee
from replica.models import franz_parisi as fp
from replica.models import local_entropy as le


def _timed(f):
    t0 = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t0


def curves() -> list[dict]:
    rows = []
    # First call of each theory: sympy derivation and code generation (once per process);
    # the curves below are timed warm.
    for name, fn in [("local entropy y=inf", le.local_entropy_curve), ("Franz-Parisi", fp.franz_parisi_curve)]:
        _, dt = _timed(lambda: fn(0.6, [0.2]))
        rows.append({"theory": name, "first_call_seconds": dt})
        print(f"{name:20s} first call (derivation + compilation + one point) {dt:.2f} s", flush=True)
    grids = {"geometric": np.geomspace(1e-3, 0.5, 100), "uniform": np.linspace(1e-3, 0.5, 100)}
    for name, fn, alphas in [("local entropy y=inf", le.local_entropy_curve, (0.5, 0.7, 0.78)),
                             ("Franz-Parisi", fp.franz_parisi_curve, (0.5, 0.7))]:
        for a in alphas:
            for gname, grid in grids.items():
                committee.typical_saddle.cache_clear()
                curve, dt = _timed(lambda: fn(a, grid))
                failed = [p.message.split(":")[0] for p in curve.points if not p.success]
                rows.append({"theory": name, "alpha": a, "grid": gname, "points": len(grid),
                             "converged": int(curve.success.sum()), "seconds": dt,
                             "failed_reasons": sorted(set(failed))})
                print(f"{name:20s} alpha={a:<5} {gname:9s} {dt:7.2f} s  converged {curve.success.sum()}/100"
                      + (f"  (others: {sorted(set(failed))})" if failed else ""), flush=True)
    return rows


# --- straightforward implementation: scipy.quad + minimize_scalar + root --------------------

def _L(g, D):
    """max_u [ln 2cosh(g + u) - u^2/(2D)]."""
    r = optimize.minimize_scalar(lambda u: -(np.logaddexp(g + u, -(g + u)) - u * u / (2 * D)),
                                 bounds=(-D - 1, D + 1), method="bounded", options={"xatol": 1e-12})
    return -r.fun


def _M(x, D):
    """max_v [ln H(x - v) - v^2/(2D)]."""
    r = optimize.minimize_scalar(lambda v: -(special.log_ndtr(v - x) - v * v / (2 * D)),
                                 bounds=(-40.0, 40.0), method="bounded", options={"xatol": 1e-12})
    return -r.fun


def plain_free_entropy(x, alpha, d):
    phat, q, qhat, dq, dqhat = x
    pdf = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    ent = 2 * integrate.quad(lambda z: pdf(z) * _L(math.sqrt(qhat) * z + phat, dqhat), 0, 12, epsabs=1e-13, limit=200)[0]
    D = dq / (1 - q)
    en = integrate.quad(lambda z: pdf(z) * _M(-math.sqrt(q) * z / math.sqrt(1 - q), D), -12, 12, epsabs=1e-13, limit=200)[0]
    return -phat * (1 - 2 * d) - qhat * (1 - q) / 2 - (qhat * dq + dqhat * q) / 2 + ent + alpha * en


def plain_saddle(x0, alpha, d):
    h = 1e-5

    def grad(x):
        g = np.zeros(5)
        for i in range(5):
            e = np.zeros(5)
            e[i] = h * max(abs(x[i]), 1e-2)
            g[i] = (plain_free_entropy(x + e, alpha, d) - plain_free_entropy(x - e, alpha, d)) / (2 * e[i])
        return g

    sol = optimize.root(grad, x0, method="hybr", options={"xtol": 1e-10})
    return sol.x, plain_free_entropy(sol.x, alpha, d), sol.success


def one_point(alpha=0.5, d=0.1) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = le.local_entropy_curve(alpha, [d]).points[0]
        x_star = np.array([ref.order[k] for k in ("phat", "q", "qhat", "dq", "dqhat")])
        start = {k: v * 1.02 for k, v in ref.order.items()}
        spec = le.LocalEntropy(alpha, d)
        times = []
        for _ in range(5):
            r, dt = _timed(lambda: replica.solve(spec, init=start))
            times.append(dt)
        ours = r["local_entropy"]
        (x_plain, s_plain, ok), dt_plain = _timed(lambda: plain_saddle(x_star * 1.02, alpha, d))
    out = {"alpha": alpha, "d": d, "ours_seconds_median": statistics.median(times), "ours_value": ours,
           "ours_quad_error": r.quad_error, "plain_seconds": dt_plain, "plain_value": s_plain, "plain_success": bool(ok),
           "ratio": dt_plain / statistics.median(times), "abs_diff": abs(ours - s_plain),
           "independent_reference": 0.2341575}
    print(f"one saddle point alpha={alpha} d={d}: replica {out['ours_seconds_median'] * 1e3:.1f} ms, "
          f"plain quad+root {dt_plain:.1f} s (ratio {out['ratio']:.0f}x); |S_I diff| = {out['abs_diff']:.1e}; "
          f"vs independent solver 0.2341575: ours {abs(ours - 0.2341575):.1e}, plain {abs(s_plain - 0.2341575):.1e}")
    return out


def plain_franz_parisi(x, alpha, d, Q, Qh):
    """S_FP by nested scipy.integrate.quad of the module formula of replica.models.franz_parisi
    (overlaps q1, qhat1; kappa = 0), written independently of the sympy expression."""
    phat, t, that, q1, qhat1 = x
    p = 1 - 2 * d
    pdf = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    r = math.sqrt(qhat1 - that**2 / Qh)

    def weights(z):
        shift = that / math.sqrt(Qh) * z + phat - that
        inner = integrate.quad(lambda w: pdf(w) * np.logaddexp(shift + r * w, -(shift + r * w)), -12, 12,
                               epsabs=1e-13, limit=200)[0]
        return pdf(z) * (1 + math.tanh(math.sqrt(Qh) * z)) * inner

    a, b = t / math.sqrt(Q), (p - t) / math.sqrt(1 - Q)
    sigma, c = math.sqrt(q1 - a * a), math.sqrt(q1 - a * a - b * b)

    def patterns(z):
        u = -math.sqrt(Q) * z / math.sqrt(1 - Q)
        f = lambda v: (pdf(v) * math.exp(special.log_ndtr(-(u - b / sigma * v) * sigma / c) - special.log_ndtr(-u))  # noqa: E731
                       * special.log_ndtr((a * z + sigma * v) / math.sqrt(1 - q1)))
        return pdf(z) * integrate.quad(f, -12, 12, epsabs=1e-13, limit=200)[0]

    ent = integrate.quad(weights, -12, 12, epsabs=1e-12, limit=200)[0]
    en = integrate.quad(patterns, -12, 12, epsabs=1e-12, limit=200)[0]
    return -phat * p + that * t - qhat1 * (1 - q1) / 2 + ent + alpha * en


def franz_parisi_evaluation(alpha=0.5, d=0.1) -> dict:
    """One evaluation of S_FP at its saddle point: replica's compiled value and gradient
    against the plain nested quad of the value alone (same point, same process)."""
    from replica.compile import compiled_theory

    spec = fp.FranzParisi(alpha, d)
    sp = replica.solve(spec)
    Q, Qh = spec.reference.order["q"], spec.reference.order["qhat"]
    x_old = [sp["phat"], sp["t"], sp["that"], sp["q1"], sp["qhat1"]]
    ct, params, opts = compiled_theory(spec.free_entropy()), spec.parameter_values(), spec.quadrature
    x = np.array(list(sp.order.values()))
    times = []
    for _ in range(20):
        (phi, _), dt = _timed(lambda: ct.value_and_gradient(x, params, opts))
        times.append(dt)
    plain, dt_plain = _timed(lambda: plain_franz_parisi(x_old, alpha, d, Q, Qh))
    out = {"alpha": alpha, "d": d, "ours_value_and_gradient_seconds_median": statistics.median(times),
           "ours_value": phi, "plain_value_seconds": dt_plain, "plain_value": plain,
           "ratio": dt_plain / statistics.median(times), "abs_diff": abs(phi - plain)}
    print(f"Franz-Parisi, one evaluation at the saddle alpha={alpha} d={d}: replica value+gradient "
          f"{out['ours_value_and_gradient_seconds_median'] * 1e3:.1f} ms, plain nested quad (value only) "
          f"{dt_plain:.1f} s (ratio {out['ratio']:.0f}x); |S_FP diff| = {out['abs_diff']:.1e}")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", default=os.path.join(os.path.dirname(__file__), "results", "local_entropy.json"))
    args = ap.parse_args()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", replica.ConvergenceWarning)
        rows = curves()
    single = one_point()
    fp_eval = franz_parisi_evaluation()
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as fh:
        json.dump({"curves": rows, "one_point": single, "franz_parisi_evaluation": fp_eval}, fh, indent=1)
    print("written", args.json)


if __name__ == "__main__":
    main()
