"""Do learning algorithms land in dense regions?  The key figure of PRL 2015 / PNAS 2016.

Around the solutions W* found by several learning algorithms on random binary-perceptron
instances (storage, N = 1001), the local entropy S(d) -- the log-number of solutions at
distance d from W*, per weight -- is measured by belief propagation with a field gamma W*
(:func:`replica.sampler.local_entropy_bp`, a Legendre transform in gamma; no replica
theory enters the measurement).  It is compared with

* the y = inf local-entropy curve of the replica theory (references constrained to be
  solutions, the dense regions: Baldassi et al., PRL 115, 128101 (2015), Fig. 1;
  J. Stat. Mech. (2016) 023301), an upper bound for every solution at large N;
* the Franz–Parisi curve S_FP(d) of typical solutions (Huang & Kabashima, PRE 90, 052813
  (2014)), negative below d_0: typical solutions are isolated;
* typical solutions at small N: exact enumeration (N = 29) of the solutions at each
  distance from a uniformly sampled solution, averaged over instances.

Checks (the claim of the papers, in a form that finite N can decide):

1. every algorithm's solutions have S(d) > 0 at the distances where S_FP(d) < 0 (they are
   not isolated: not typical solutions), with the instance average above S_FP by many
   standard errors there;
2. the instance-averaged S(d) of every algorithm lies below the y = inf curve (the
   theory's maximum over references; a finite-N excess within 3 standard errors + 0.002
   is tolerated) -- and how far below is printed (the distance of each algorithm from the
   dense-region curve, the papers' observation that the algorithms land close to it);
3. typical solutions at N = 29 (relative to each instance's own ln Z, the estimator of
   ``sampler_vs_theory.py``) lie near S_FP, and below the algorithms' curves.

Algorithms: fBP, EdMC, the stochastic-synapse gradient, SBPI and replicated GD, with their
default schedules, on the same instances.  Replicated simulated annealing is not in the
figure: with its default schedule it does not solve N = 1001 beyond alpha ~ 0.4 here (a
pure-Python Metropolis loop; see ``paper_checks/algorithms.py``).

Usage: python paper_checks/dense_regions.py [--out DIR] [--alpha A] [--n N] [--instances K]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import replica  # noqa: E402
from replica import plotting  # noqa: E402
from replica.sampler import (  # noqa: E402
    distance_histogram, local_entropy_bp, random_instance, run_algorithm, sample_solutions,
)
from replica.special import binary_entropy  # noqa: E402
from checklib import Table, figures_dir, finish, relative_shell_entropy  # noqa: E402

SEED = 20151128
# the algorithms of the figure, with the options that make them solve N ~ 1000 at this
# load (each solver's defaults are documented in its module)
ALGORITHMS = {
    "fbp": {},
    "edmc": {"max_sweeps": 30},  # solved runs need 11-14 sweeps; caps a failed run at ~2 min
    "stochastic-gd": {},
    "sbpi": {},
    "rgd": {},
}
GAMMAS = np.concatenate([np.linspace(0.05, 1.0, 12), np.linspace(1.2, 4.0, 15)])
D_GRID = np.array([0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.07, 0.1, 0.15, 0.2])
SMALL_N, SMALL_INSTANCES = 29, 60


def options() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=None)
    ap.add_argument("--alpha", type=float, default=0.6)
    ap.add_argument("--n", type=int, default=1001)
    ap.add_argument("--instances", type=int, default=3)
    return ap.parse_known_args()[0]


def measure_algorithms(alpha: float, n: int, instances: int) -> dict:
    """Solve ``instances`` random instances with each algorithm; BP local entropy around
    each solution, interpolated onto D_GRID (S(d) is monotone along the gamma path)."""
    out = {}
    for name, opts in ALGORITHMS.items():
        rows = []
        t0 = time.perf_counter()
        for i in range(instances):
            inst = random_instance(n, alpha, rng=[SEED, i])
            res = run_algorithm(name, inst, rng=[SEED, 1, i], **opts)
            row = {"instance": i, "solved": res.solved, "seconds": res.seconds, "curve": None}
            if res.solved:
                le = local_entropy_bp(inst, res.weights, gammas=GAMMAS)
                ok = le.converged & np.isfinite(le.d) & np.isfinite(le.local_entropy)
                d, s = le.d[ok], le.local_entropy[ok]
                order = np.argsort(d)
                d, s = d[order], s[order]
                inside = (D_GRID >= d[0]) & (D_GRID <= d[-1])
                row["curve"] = np.where(inside, np.interp(D_GRID, d, s), np.nan)
                row["raw"] = (d, s)
            rows.append(row)
        solved = sum(r["solved"] for r in rows)
        print(f"{name}: solved {solved}/{instances}, {time.perf_counter() - t0:.0f} s", flush=True)
        out[name] = rows
    return out


def typical_small_n(alpha: float, s_rs: float) -> dict:
    """Exact local entropy around uniformly sampled solutions at N = SMALL_N (odd).

    The estimator of ``sampler_vs_theory.py`` (see its docstring): adjacent shells merged
    (their parity alternates), n_k = c_k + c_{k+1} at d = (k + 1/2)/N; the ln N / N term of
    the binomial removed, H2(d) + (1/N) ln[n_k / (C(N,k) + C(N,k+1))]; and each instance
    taken relative to its own ln Z (the instance-to-instance spread of ln Z, ~0.4 sqrt(P),
    is common to all distances), then shifted by the RS entropy s(alpha):
    S_N(d) = s + H2(d) + (1/N) E ln[n_k / (Z (C(N,k) + C(N,k+1)))].
    """
    n = SMALL_N
    counts = []
    for i in range(SMALL_INSTANCES):
        inst = random_instance(n, alpha, rng=[SEED, 7, i])
        try:
            ref = sample_solutions(inst, 1, rng=[SEED, 8, i])[0]
        except ValueError:  # no solution
            continue
        counts.append(distance_histogram(inst, ref))
    d, r = relative_shell_entropy(counts)
    per = s_rs + r
    finite = np.all(np.isfinite(per), axis=0)  # shells never empty
    mean, err = np.full(n, np.nan), np.full(n, np.nan)
    mean[finite] = per[:, finite].mean(axis=0)
    err[finite] = per[:, finite].std(axis=0, ddof=1) / math.sqrt(len(per))
    return {"d": d, "mean": mean, "err": err, "instances": len(per)}


def theory(alpha: float) -> dict:
    """Both theory curves on one grid (a fine one for the figure, with D_GRID in it)."""
    fine = np.union1d(np.geomspace(2e-3, 0.5, 80), D_GRID)
    fp = replica.franz_parisi_curve(alpha, fine)
    dense_fine = np.asarray(replica.local_entropy_curve(alpha, fine, reference="solution")
                            .column("local_entropy").filled(np.nan))
    d0 = replica.isolation_distance(alpha)
    return {"dense": dense_fine[np.searchsorted(fine, D_GRID)],
            "fp_d": fine, "fp": np.asarray(fp.column("entropy").filled(np.nan)),
            "dense_fine": dense_fine,
            "d0": d0.value, "s": replica.solve(replica.Gardner(alpha=alpha)).free_entropy}


def analyse(alpha, n, algos, th, small) -> Table:
    t = Table(f"Local entropy around algorithmic solutions, alpha = {alpha:g}, N = {n} (BP) vs replica theory")
    fp_grid = np.interp(D_GRID, th["fp_d"], th["fp"])
    isolated = D_GRID < th["d0"]  # S_FP < 0 here
    for name, rows in algos.items():
        curves = np.array([r["curve"] for r in rows if r["curve"] is not None])
        if len(curves) == 0:
            t.add(f"{name}: instances solved", len(rows), 0, 0.5, "needs >= 1 solution")
            continue
        mean = np.nanmean(curves, axis=0)
        err = np.nanstd(curves, axis=0, ddof=1) / math.sqrt(len(curves)) if len(curves) > 1 else np.zeros_like(mean)
        sel = isolated & np.isfinite(mean)
        # 1. not isolated where typical solutions are
        worst = float(np.nanmin(curves[:, sel])) if sel.any() else None
        t.bound(f"{name}: min S(d) at d < d0, every instance", worst, ">=", 0.0,
                "PRL 115 128101 (2015): algorithmic solutions are not isolated (S > 0 > S_FP)")
        z = float(np.min((mean[sel] - fp_grid[sel]) / np.maximum(err[sel], 1e-12))) if sel.any() and len(curves) > 1 else None
        t.bound(f"{name}: min (S - S_FP)/stderr at d < d0", z, ">=", 10.0,
                "far above the typical-solution (Franz-Parisi) curve")
        # 2. below the dense-region (y = inf) bound
        ok = np.isfinite(mean) & np.isfinite(th["dense"])
        excess = float(np.max((mean[ok] - th["dense"][ok]) - 3 * err[ok])) if ok.any() else None
        t.bound(f"{name}: max (S - S_inf - 3 stderr) over d", excess, "<=", 0.002,
                "the y = inf curve bounds every reference at large N (PRL 2015 Fig. 1)")
        gap = th["dense"][ok] - mean[ok]
        print(f"  {name}: S_inf - S over d = {D_GRID[ok].min():g}..{D_GRID[ok].max():g}: mean {gap.mean():.4f}, "
              f"max {gap.max():.4f}; at d = 0.02: "
              f"{float(np.interp(0.02, D_GRID[ok], gap)):.4f}; instances {len(curves)}")
    # 3. typical solutions at small N
    win = (small["d"] >= 0.1) & (small["d"] <= 0.4) & np.isfinite(small["mean"])
    fp_small = np.interp(small["d"][win], th["fp_d"], th["fp"])
    dev = float(np.mean(small["mean"][win] - fp_small)) if win.any() else None
    t.add(f"typical (exact, N={SMALL_N}): mean(S - S_FP), d in [0.1, 0.4]", 0.0, dev, 0.01,
          "Huang & Kabashima 2014; at N = 29 sampler_vs_theory.py measures -0.004(1) at alpha = 0.5")
    algo_at = [np.nanmean(np.array([r["curve"] for r in rows if r["curve"] is not None]), axis=0)
               for rows in algos.values() if any(r["curve"] is not None for r in rows)]
    if algo_at and win.any():
        lowest = np.nanmin(np.array(algo_at), axis=0)
        sel = (D_GRID >= 0.1) & np.isfinite(lowest)
        gap = float(np.min(lowest[sel] - np.interp(D_GRID[sel], small["d"][win], small["mean"][win])))
        t.bound("algorithms minus typical (N=29) at d >= 0.1, min", gap, ">=", 0.0,
                "the algorithms' solutions have more neighbours than typical ones")
    return t


def figure(alpha, n, algos, th, small, out) -> list[str]:
    with plotting.style():
        fig, ax = plt.subplots(figsize=(7.2, 5.2), layout="constrained")
        dd = np.linspace(1e-3, 0.3, 300)
        ax.plot(dd, binary_entropy(dd), "k:", lw=0.9, label=r"$H_2(d)$ (all configurations)")
        ax.plot(th["fp_d"], th["dense_fine"], "k-", lw=1.6, label=r"theory, dense regions ($y=\infty$, reference a solution)")
        ax.plot(th["fp_d"], th["fp"], "C3-", lw=1.4, label=r"theory, typical solutions (Franz–Parisi)")
        for k, (name, rows) in enumerate(algos.items()):
            curves = np.array([r["curve"] for r in rows if r["curve"] is not None])
            if len(curves) == 0:
                continue
            mean = np.nanmean(curves, axis=0)
            err = np.nanstd(curves, axis=0, ddof=1) / math.sqrt(len(curves)) if len(curves) > 1 else None
            ax.errorbar(D_GRID + 0.0006 * (k - 1.5), mean, err, fmt="os^D"[k % 4], ms=4, mfc="none", capsize=2,
                        color=f"C{k}", label=f"BP around {name} solutions (N={n}, {len(curves)} inst.)")
        sel = np.isfinite(small["mean"]) & (small["d"] <= 0.3)
        ax.errorbar(small["d"][sel], small["mean"][sel], small["err"][sel], fmt="x", ms=4, color="C7",
                    label=f"exact, around uniformly sampled solutions (N={SMALL_N}, {small['instances']} inst., "
                          r"relative to own $\ln Z$)")
        ax.axhline(0, color="0.5", lw=0.6)
        ax.axvline(th["d0"], color="C3", lw=0.6, ls="--")
        ax.set_xlim(0, 0.3)
        ax.set_ylim(-0.1, 0.45)
        ax.set_xlabel("distance $d$ from the reference solution")
        ax.set_ylabel("local entropy $S(d)$")
        ax.set_title(rf"Dense regions vs isolated typical solutions, $\alpha={alpha:g}$")
        ax.legend(fontsize=7, loc="upper left")
        paths = plotting.save(fig, os.path.join(out, "dense_regions"))
        plt.close(fig)
    return paths


def write_csv(algos, th, out) -> str:
    path = os.path.join(out, "dense_regions.csv")
    with open(path, "w") as f:
        f.write("# BP local entropy around algorithmic solutions (rows: algorithm, instance) and theory\n")
        f.write("source,instance," + ",".join(f"d={d:g}" for d in D_GRID) + "\n")
        f.write("theory_y_inf,," + ",".join(f"{v:.10g}" for v in th["dense"]) + "\n")
        f.write("theory_franz_parisi,," + ",".join(f"{v:.10g}" for v in np.interp(D_GRID, th["fp_d"], th["fp"])) + "\n")
        for name, rows in algos.items():
            for r in rows:
                if r["curve"] is not None:
                    f.write(f"{name},{r['instance']}," + ",".join(f"{v:.10g}" for v in r["curve"]) + "\n")
    return path


def main():
    args = options()
    out = args.out or figures_dir()
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", replica.ConvergenceWarning)
        th = theory(args.alpha)
        print(f"theory: {time.perf_counter() - t0:.0f} s (d0 = {th['d0']:.4f})", flush=True)
        small = typical_small_n(args.alpha, th["s"])
        algos = measure_algorithms(args.alpha, args.n, args.instances)
    table = analyse(args.alpha, args.n, algos, th, small)
    paths = figure(args.alpha, args.n, algos, th, small, out) + [write_csv(algos, th, out)]
    print("wrote:", ", ".join(os.path.relpath(p) for p in paths))
    print(f"total time {time.perf_counter() - t0:.0f} s")
    finish(table)


if __name__ == "__main__":
    main()
