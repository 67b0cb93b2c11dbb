"""Benchmark: belief propagation for the binary perceptron (replica.sampler.bp).

Measures, in one process:
* median wall time of one parallel BP sweep (all P x N cavity fields updated once) and
  of one Bethe free-entropy evaluation, at N = 1000 and N = 10000, alpha = 0.3 and 0.5;
* sweeps to converge (tol 1e-8 on sqrt(N) |delta u|) from zero messages, undamped and
  with damping 0.5, and the total wall time of the run;
* the Bethe entropy per weight of each instance beside the RS entropy of the package
  (``replica.solve(replica.Gardner(alpha))``), and its spread over instances at
  N = 2000 and 2001 (even N: the zero stability violates the strict inequality, which
  lowers the entropy by O(1/sqrt N) -- compared with RS at the margin kappa_eff = 1/sqrt(N)
  that BP's lattice threshold amounts to; odd N has no such ties).

Usage: python benchmarks/bench_bp.py [--seeds K] [--workers W] [--json FILE] [--quick]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import time

import numpy as np

import replica
from replica.sampler import bp
from replica.sampler.instances import random_instance

ALPHAS = (0.3, 0.5)


def rs_entropy(alpha, kappa=0.0):
    return replica.solve(replica.Gardner(alpha=alpha, weights="binary", kappa=kappa)).free_entropy


def time_sweeps(inst, res, repeat, workers):
    """Median time of one sweep and of one Bethe evaluation, from converged messages."""
    graph = bp._Graph(inst, np.zeros(inst.n), True, workers, None)
    u, H = res.messages.copy(), res.fields.copy()
    sweeps, bethes = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        H, _, _ = graph.sweep(u, H, 0.0)
        sweeps.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        graph.bethe(u, H)
        bethes.append(time.perf_counter() - t0)
    return statistics.median(sweeps), statistics.median(bethes)


def timing_rows(sizes, repeat, workers):
    rows = []
    for n in sizes:
        for alpha in ALPHAS:
            inst = random_instance(n, alpha, rng=1)
            kappa_eff = bp.kappa_effective(n, 0.0)  # 1/sqrt(N) at even N (ties S = 0 violate)
            row = dict(n=n, alpha=alpha, p=inst.p, rs_entropy=rs_entropy(alpha), kappa_eff=kappa_eff,
                       rs_entropy_at_kappa_eff=rs_entropy(alpha, kappa_eff))
            for damping in (0.0, 0.5):
                if damping and n > 2000:
                    continue  # the undamped run is enough for the big size
                t0 = time.perf_counter()
                res = bp.run_bp(inst, damping=damping, tol=1e-8, max_iter=2000, workers=workers)
                key = "undamped" if damping == 0 else f"damping_{damping}"
                row[key] = dict(iterations=res.iterations, converged=res.converged,
                                wall_s=time.perf_counter() - t0)
                if damping == 0:
                    row["bethe_entropy"] = res.entropy
                    t_sweep, t_bethe = time_sweeps(inst, res, repeat, workers)
                    row.update(sweep_s=t_sweep, bethe_s=t_bethe,
                               ns_per_edge=1e9 * t_sweep / (inst.p * n))
                    if workers == 1 and n >= 10000:
                        row["sweep_s_2_threads"] = time_sweeps(inst, res, repeat, 2)[0]
            rows.append(row)
            print(f"N={n:>6} alpha={alpha:.1f}  sweep {1e3 * row['sweep_s']:8.1f} ms "
                  f"({row['ns_per_edge']:.1f} ns/edge)  Bethe {1e3 * row['bethe_s']:7.1f} ms  "
                  f"sweeps undamped {row['undamped']['iterations']:>4}"
                  + (f", damping 0.5 {row['damping_0.5']['iterations']:>4}" if "damping_0.5" in row else "")
                  + f"  run {row['undamped']['wall_s']:6.1f} s  "
                  f"s_Bethe {row['bethe_entropy']:.5f}  s_RS {row['rs_entropy']:.5f} "
                  f"(at kappa_eff {row['rs_entropy_at_kappa_eff']:.5f})", flush=True)
            del inst, res
    return rows


def spread_rows(sizes, seeds, workers):
    rows = []
    for n in sizes:
        for alpha in ALPHAS:
            rs = rs_entropy(alpha)
            # RS at the lattice threshold BP uses (1/sqrt(N) at even N): the O(1/sqrt N)
            # effect of the ties S = 0, which violate the strict inequality
            kappa_eff = bp.kappa_effective(n, 0.0)
            rs_lattice = rs_entropy(alpha, kappa_eff) if kappa_eff else rs
            s, its = [], []
            for seed in range(seeds):
                res = bp.run_bp(random_instance(n, alpha, rng=1000 + seed), workers=workers)
                s.append(res.entropy)
                its.append(res.iterations)
            s = np.array(s)
            row = dict(n=n, alpha=alpha, seeds=seeds, rs_entropy=rs, kappa_eff=kappa_eff,
                       rs_entropy_at_kappa_eff=rs_lattice, mean=float(s.mean()),
                       std=float(s.std(ddof=1)), sem=float(s.std(ddof=1) / math.sqrt(seeds)),
                       std_sqrt_n=float(s.std(ddof=1) * math.sqrt(n)),
                       mean_minus_rs=float(s.mean() - rs), iterations_median=float(np.median(its)))
            rows.append(row)
            print(f"N={n:>5} alpha={alpha:.1f}  s_Bethe = {row['mean']:.5f} +- {row['sem']:.5f} "
                  f"(std {row['std']:.5f}, std*sqrt(N) = {row['std_sqrt_n']:.3f}, {seeds} instances)  "
                  f"s_RS = {rs:.5f}  diff {row['mean_minus_rs']:+.5f}  "
                  f"(s_RS at kappa_eff = {kappa_eff:.4f}: {rs_lattice:.5f})  "
                  f"sweeps {row['iterations_median']:.0f}",
                  flush=True)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="N = 1000 only, 3 seeds")
    ap.add_argument("--json", default=os.path.join(os.path.dirname(__file__), "results", "bp.json"))
    args = ap.parse_args()
    sizes = (1000,) if args.quick else (1000, 10000)
    seeds = 3 if args.quick else args.seeds

    print("BP sweep timing and convergence (zero initial messages, tol 1e-8)")
    timing = timing_rows(sizes, args.repeat, args.workers)
    print("Bethe vs RS entropy over instances")
    spread = spread_rows((2000, 2001), seeds, args.workers)
    out = {"timing": timing, "spread": spread, "workers": args.workers,
           "machine": os.uname().machine, "cpus": os.cpu_count()}
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as fh:
        json.dump(out, fh, indent=1)


if __name__ == "__main__":
    main()
