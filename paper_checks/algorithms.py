"""Algorithmic capacity of the learning algorithms of ``replica.sampler`` (a benchmark-style
script: success probability against the load, time per solve; not part of ``run_all.py``).

For each algorithm, size N and load alpha, ``--samples`` random storage instances
``random_instance(N, alpha, rng=[SEED, N, alpha, i])`` are given to the solver with its
default schedule (``rng=[SEED, 1, N, alpha, i]``); a run counts as a success when the
weights returned satisfy every pattern (checked here with ``Instance.is_solution``).  The
algorithmic capacity alpha_alg(N) is the largest load of the grid at which at least half
of the runs succeed (loads above a load with no success are skipped: success is
monotone in alpha up to noise).  Each (algorithm, N) has a time budget; loads left when
it runs out are reported as "not run".

What the papers report (the numbers quoted in the project's issue; the papers' bodies
could not be consulted from this machine, see the note):

* stochastic-synapse gradient (PRL 120, 268103 (2018), arXiv:1710.09825): alpha ~ 0.63
  at N = 1001;
* message-passing heuristics (reinforced / focusing BP, SBPI and its CP+R
  simplification; Braunstein & Zecchina PRL 96, 030201 (2006); Baldassi et al. PNAS 104,
  11079 (2007); Baldassi, J. Stat. Phys. 136, 902 (2009); PNAS 113, E7655 (2016)):
  alpha ~ 0.6-0.74;
* simulated annealing, replicated SA, EdMC and replicated GD: no number available here;
  the papers' qualitative claim (PNAS 2016, J. Stat. Mech. 2016) is that the replicated /
  entropy-driven versions reach far higher loads than plain SA at the same N.

Usage::

    python paper_checks/algorithms.py [--out DIR] [--n 201 1001 [4001]] [--samples K]
                                      [--algorithms NAME ...] [--budget SECONDS]

Writes ``algorithms.csv`` (one row per algorithm, N, alpha) and ``algorithms.png/pdf``
(success probability against alpha, one panel per N) into ``--out`` (default figures/).

Teacher-student (``--teacher``, on by default): each algorithm on ``--samples`` teacher
instances at N = 1001, alpha = 0.4 (labels of a random binary teacher); the overlap R of
the solution with the teacher and the generalisation error arccos(R)/pi, mean and
standard error over instances, into ``algorithms_teacher.csv``, beside the RS theory of
Gibbs learning (a uniformly drawn solution of the version space,
:class:`replica.GibbsTeacherStudent`: 0.4237 at alpha = 0.4).  The PRL 2018
supplementary material tabulates the solvers' numbers, but it could not be consulted
here.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import replica  # noqa: E402
from replica import plotting  # noqa: E402
from replica.sampler import ALGORITHMS, random_instance, run_algorithm  # noqa: E402
from checklib import Table, figures_dir, finish  # noqa: E402

SEED = 1605
ALPHAS = (0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.72, 0.74, 0.76)
# (low, high) of the published algorithmic capacity at N ~ 1000, with its source
PUBLISHED = {
    "stochastic-gd": (0.60, 0.66, "PRL 120, 268103 (2018): alpha ~ 0.63 at N = 1001 (as quoted in the issue)"),
    "bp-r": (0.60, 0.74, "message-passing heuristics 0.6-0.74 (PRL 96 030201; PNAS 113 E7655)"),
    "fbp": (0.60, 0.74, "message-passing heuristics 0.6-0.74 (PNAS 113 E7655 (2016))"),
    "sbpi": (0.60, 0.74, "message-passing heuristics 0.6-0.74 (PNAS 104 11079 (2007))"),
    "cpr": (0.60, 0.74, "SBPI's simplification, same range (J. Stat. Phys. 136 902 (2009))"),
}


def options():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=None)
    ap.add_argument("--n", type=int, nargs="+", default=[201, 1001])
    ap.add_argument("--samples", type=int, default=4)
    ap.add_argument("--algorithms", nargs="+", default=list(ALGORITHMS), choices=ALGORITHMS)
    ap.add_argument("--budget", type=float, default=600.0, help="seconds per (algorithm, N), default 600")
    ap.add_argument("--alphas", type=float, nargs="+", default=list(ALPHAS), help="the load grid")
    ap.add_argument("--no-teacher", dest="teacher", action="store_false", help="skip the teacher-student part")
    ap.add_argument("--from-csv", metavar="CSV", help="only redraw the figure from an algorithms.csv written before")
    ap.add_argument("--stem", default="algorithms", help="file names <stem>.csv/.png/.pdf (default algorithms)")
    return ap.parse_known_args()[0]


def teacher_student(names, samples: int, n: int = 1001, alpha: float = 0.4) -> list[dict]:
    """Generalisation error of each algorithm's solutions on teacher instances."""
    rows = []
    for name in names:
        errs, solved, seconds = [], 0, []
        for i in range(samples):
            inst = random_instance(n, alpha, rng=[SEED, 9, i], kind="teacher")
            res = run_algorithm(name, inst, rng=[SEED, 10, i])
            seconds.append(res.seconds)
            if inst.is_solution(res.weights):
                solved += 1
                r = float(res.weights.astype(float) @ inst.teacher) / n
                errs.append(math.acos(max(-1.0, min(1.0, r))) / math.pi)
        mean = float(np.mean(errs)) if errs else float("nan")
        sem = float(np.std(errs, ddof=1) / math.sqrt(len(errs))) if len(errs) > 1 else float("nan")
        rows.append({"algorithm": name, "n": n, "alpha": alpha, "runs": samples, "solved": solved,
                     "generalisation_error": mean, "stderr": sem, "median_seconds": float(np.median(seconds))})
        print(f"{name:>14} teacher N={n} alpha={alpha}: solved {solved}/{samples}, "
              f"generalisation error {mean:.4f} +- {sem:.4f}", flush=True)
    gibbs = replica.solve(replica.GibbsTeacherStudent(alpha))["generalisation_error"]
    print(f"  RS theory, Gibbs learning (a typical solution of the version space; Györgyi 1990): {gibbs:.4f};"
          f" solutions below it generalise better than typical ones")
    for row in rows:
        row["gibbs_rs_theory"] = gibbs
    return rows


def run(name: str, n: int, samples: int, budget: float, alphas=ALPHAS) -> list[dict]:
    rows = []
    start = time.perf_counter()
    dead = False
    for alpha in sorted(alphas):
        if dead or time.perf_counter() - start > budget:
            rows.append({"algorithm": name, "n": n, "alpha": alpha, "runs": 0, "solved": 0,
                         "median_seconds": float("nan"), "status": "skipped" if dead else "not run (budget)"})
            continue
        solved, seconds = 0, []
        for i in range(samples):
            key = int(round(1000 * alpha))
            inst = random_instance(n, alpha, rng=[SEED, n, key, i])
            res = run_algorithm(name, inst, rng=[SEED, 1, n, key, i])
            ok = bool(inst.is_solution(res.weights))
            if ok != res.solved:
                raise RuntimeError(f"{name} reported solved={res.solved} but is_solution={ok}")
            solved += ok
            seconds.append(res.seconds)
        rows.append({"algorithm": name, "n": n, "alpha": alpha, "runs": samples, "solved": solved,
                     "median_seconds": float(np.median(seconds)), "status": "run"})
        print(f"{name:>14} N={n:<5} alpha={alpha:<5} solved {solved}/{samples}  median {np.median(seconds):.2f} s",
              flush=True)
        dead = solved == 0
    return rows


def capacity(rows) -> float | None:
    ok = [r["alpha"] for r in rows if r["runs"] and 2 * r["solved"] >= r["runs"]]
    return max(ok) if ok else None


def figure(results, ns, out, stem: str = "algorithms") -> list[str]:
    with plotting.style():
        fig, axes = plt.subplots(1, len(ns), figsize=(4.2 * len(ns), 3.6), layout="constrained", squeeze=False)
        for ax, n in zip(axes[0], ns):
            for k, (name, per_n) in enumerate(results.items()):
                rows = [r for r in per_n.get(n, []) if r["runs"]]
                if rows:
                    ax.plot([r["alpha"] for r in rows], [r["solved"] / r["runs"] for r in rows],
                            marker="osD^v<>ph"[k % 9], ms=4, mfc="none", lw=1, color=plt.cm.tab10(k % 10),
                            label=name)
            ax.set_title(f"N = {n}")
            ax.set_xlabel(r"load $\alpha$")
            ax.set_ylim(-0.05, 1.05)
        axes[0][0].set_ylabel("fraction of instances solved")
        axes[0][-1].legend(fontsize=7)
        paths = plotting.save(fig, os.path.join(out, stem))
        plt.close(fig)
    return paths


def redraw(path: str, out: str, stem: str) -> list[str]:
    """The figure again from a CSV written by an earlier scan (no solver is run)."""
    results: dict = {}
    with open(path) as f:
        for row in csv.DictReader(f):
            row = {**row, "n": int(row["n"]), "alpha": float(row["alpha"]), "runs": int(row["runs"]),
                   "solved": int(row["solved"])}
            results.setdefault(row["algorithm"], {}).setdefault(row["n"], []).append(row)
    ns = sorted({n for per_n in results.values() for n in per_n})
    return figure(results, ns, out, stem)


def main():
    args = options()
    out = args.out or figures_dir()
    os.makedirs(out, exist_ok=True)
    if args.from_csv:
        print("wrote:", ", ".join(os.path.relpath(p) for p in redraw(args.from_csv, out, args.stem)))
        return
    results, all_rows = {}, []
    for name in args.algorithms:
        results[name] = {}
        for n in args.n:
            rows = run(name, n, args.samples, args.budget, args.alphas)
            results[name][n] = rows
            all_rows += rows
    path = os.path.join(out, f"{args.stem}.csv")
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(all_rows[0]))
        w.writeheader()
        w.writerows(all_rows)
    paths = figure(results, args.n, out, args.stem) + [path]
    if args.teacher:
        rows = teacher_student(args.algorithms, args.samples)
        tpath = os.path.join(out, f"{args.stem}_teacher.csv")
        with open(tpath, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        paths.append(tpath)
    table = Table("Algorithmic capacity (largest alpha of the grid solved in >= half the runs)")
    print("\nalgorithm       " + "  ".join(f"alpha_alg(N={n})" for n in args.n))
    for name in args.algorithms:
        caps = [capacity(results[name][n]) for n in args.n]
        print(f"{name:<15} " + "  ".join(f"{c if c is not None else '--':>15}" for c in caps))
        n_ref = 1001 if 1001 in args.n else max(args.n)
        cap = capacity(results[name][n_ref])
        if name in PUBLISHED:
            lo, hi, src = PUBLISHED[name]
            table.add(f"{name}: alpha_alg(N={n_ref}) in [{lo}, {hi}]", 0.5 * (lo + hi), cap, 0.5 * (hi - lo) + 1e-9, src)
    print("wrote:", ", ".join(os.path.relpath(p) for p in paths))
    finish(table)


if __name__ == "__main__":
    main()
