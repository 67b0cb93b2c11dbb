"""Benchmark: exact enumeration of binary perceptrons (replica.sampler.enumerate) vs brute force.

Measures, in one process, on this machine:
* median wall time of ``count_solutions`` for random storage instances at alpha = 0.5
  (P = N/2) and N = 16, 20, 24, 28, 32 over several seeds (each seed timed a few times
  at small N), the throughput in configurations x patterns per second (2^N P / time),
  and the times of ``distance_histogram`` and of ``sample_solutions`` (1000 samples);
* a straightforward brute force written here -- all 2^N configurations in chunks of 2^18
  rows, fields by a float32 matrix product (BLAS), ``all(fields >= threshold)`` -- at
  N = 20 and 24 on the same instances, with the ratio of the median times and a check
  that both give the same counts.

Usage: python benchmarks/bench_enumeration.py [--ns 16 20 24 28 32] [--seeds 5] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

import numpy as np

from replica.sampler import enumerate as E
from replica.sampler.instances import random_instance

ALPHA = 0.5
BRUTE_NS = (20, 24)


def brute_count(inst, chunk: int = 1 << 18) -> int:
    """All 2^N configurations, chunk by chunk, fields by one matrix product per chunk."""
    n = inst.n
    signed = inst.signed_patterns().T.astype(np.float32)
    t = inst.threshold()
    shifts = np.arange(n, dtype=np.int64)
    total = 0
    for lo in range(0, 1 << n, chunk):
        idx = np.arange(lo, min(lo + chunk, 1 << n), dtype=np.int64)
        w = (1 - 2 * ((idx[:, None] >> shifts) & 1)).astype(np.float32)
        total += int(np.count_nonzero(np.all(w @ signed >= t, axis=1)))
    return total


def timed(fn, repeat: int) -> tuple[list[float], object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return times, out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ns", type=int, nargs="+", default=[16, 20, 24, 28, 32])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--json", default=os.path.join(os.path.dirname(__file__), "results", "enumeration.json"))
    args = ap.parse_args()

    E.count_solutions(random_instance(12, ALPHA, rng=0))  # warm numpy code paths
    rows = []
    for n in args.ns:
        repeat = 5 if n <= 24 else 1
        t_count, t_hist, t_sample, counts, brute_times, brute_counts = [], [], [], [], [], []
        for seed in range(args.seeds):
            inst = random_instance(n, ALPHA, rng=seed)
            ts, c = timed(lambda: E.count_solutions(inst), repeat)
            t_count += ts
            counts.append(c)
            t_hist += timed(lambda: E.distance_histogram(inst, np.ones(n)), 1)[0]
            if c:
                t_sample += timed(lambda: E.sample_solutions(inst, 1000, rng=seed), 1)[0]
            if n in BRUTE_NS:
                tb, cb = timed(lambda: brute_count(inst), 1)
                brute_times += tb
                brute_counts.append(cb)
        p = int(round(ALPHA * n))
        t = statistics.median(t_count)
        row = dict(n=n, p=p, seeds=args.seeds, count_s=t, throughput=(2 ** n) * p / t,
                   histogram_s=statistics.median(t_hist),
                   sample_1000_s=statistics.median(t_sample) if t_sample else None,
                   counts=counts)
        if brute_times:
            row.update(brute_s=statistics.median(brute_times), ratio=statistics.median(brute_times) / t,
                       brute_agrees=brute_counts == counts)
        rows.append(row)
        extra = (f"  brute force {row['brute_s']:7.3f} s  ratio {row['ratio']:7.0f}  agree {row['brute_agrees']}"
                 if brute_times else "")
        print(f"N={n:2d} P={p:2d}  count {1e3 * t:9.2f} ms  {row['throughput']:.2e} config x pattern/s  "
              f"histogram {1e3 * row['histogram_s']:9.2f} ms  1000 samples "
              f"{1e3 * row['sample_1000_s']:9.2f} ms{extra}", flush=True)

    out = {"alpha": ALPHA, "kind": "storage", "kappa": 0.0, "rows": rows,
           "machine": os.uname().machine, "cpus": os.cpu_count(), "numpy": np.__version__}
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as fh:
        json.dump(out, fh, indent=1)


if __name__ == "__main__":
    main()
