"""Simulated binary perceptrons against the replica theory: exact enumeration and BP.

Three comparisons of finite instances with the RS theory of the package (none of them
uses the theory to produce the simulated numbers):

1. **Quenched entropy** (1/N) E ln Z from exact enumeration at N = 13, 15, ..., 29 for
   alpha in {0.1, 0.3, 0.5, 0.7}, extrapolated in 1/N, against the RS Gardner entropy
   s(alpha) (Gardner & Derrida 1988; Krauth & Mézard 1989).
2. **Distance histogram around typical solutions** (alpha = 0.5): one uniformly sampled
   solution per instance as reference, against the Franz–Parisi entropy S_FP(d)
   (Huang & Kabashima 2014); and, around a random ±1 reference, against the RS entropy at
   fixed overlap with a random vector (:class:`replica.models.magnetised.MagnetisedGardner`).
3. **Belief propagation** at N = 1001 and 2001: Bethe entropy against s(alpha) at
   alpha in {0.3, 0.5, 0.7}, and the BP local entropy around a random reference against
   :class:`MagnetisedGardner` at alpha = 0.5.

Finite-size conventions (each chosen so that no O(1/sqrt N) or ln N / N term is left):

* **Odd N only.**  With kappa = 0 the field xi.W has the parity of N; at even N a zero
  field (probability ~ sqrt(2/(pi N)) per pattern) counts as an error, which lowers ln Z/N
  by about alpha sqrt(2/(pi N)) (0.09 at N = 20, alpha = 0.5; at N = 28, alpha = 0.7 the
  first five instances of the enumeration have no solution at all).  The theory has no
  ties, nor has odd N.
* **Load.**  P = alpha N is not an integer at odd N; the quenched averages are linearly
  interpolated between the two neighbouring integers P0 = floor(alpha N) and P0 + 1
  (weights 1 - f and f, f = alpha N - P0), with the instances split in the same
  proportions.  The interpolation error is O(s''(alpha)/N^2), part of the 1/N^2 term.
* **Instances with Z = 0** (none at alpha <= 0.3, <= 3% at alpha = 0.5, 10-19% at
  alpha = 0.7 for N = 13..29): ln Z = -inf has no finite average, so the quenched average
  is taken over the instances with Z > 0 (conditional average) and the fraction of empty
  instances is reported.  The fraction goes to 0 as N grows for alpha < alpha_c, so the
  conditional and unconditional quenched entropies have the same limit; at finite N the
  conditioning raises the estimate (it leaves out the hardest instances), an effect that
  the 1/N extrapolation has to remove (the steep 1/N slope at alpha = 0.7).  As a
  cross-check that needs no conditioning, the median of ln Z over all instances (Z = 0
  ranking lowest) is extrapolated the same way and printed (its bootstrap error is large
  because ln Z takes few values at small N, so it is not a row of the table).
* **Extrapolation.**  Weighted least squares of the per-N estimates in x = 1/N, linear
  (reported) and quadratic (the fit systematic); the statistical error is the standard
  error from the instance-to-instance spread, propagated through the weighted fit and
  scaled by sqrt(chi2/dof) when that exceeds 1.  Criterion: |linear - theory| <= 3
  sigma_tot with sigma_tot^2 = sigma_lin^2 + (quadratic - linear)^2.
* **Distance histograms.**  The Franz–Parisi entropy is a quenched average over the
  instance and over the reference, so the average of ln(count) is taken (the log of the
  average count is dominated by rare references with many neighbours, and lies above).
  Three lattice effects of size 1/N are handled exactly rather than fitted:
  (a) the number of configurations at distance k, ln C(N, k) = N H2(k/N) - (1/2)
  ln(2 pi N d(1-d)) + ..., carries a ln N / N term absent from the theory, so the
  estimator is H2(d) + (1/N) ln[count / C(N, k)] (the fraction of the shell that solves
  the instance has no ln N term);
  (b) counts at even and odd k alternate (a flip of k weights moves each field by 2 x
  (a sum of the parity of k), so for the patterns at the margin the even shells are
  easier): adjacent shells are merged, n_k = c_k + c_{k+1} at d = (k + 1/2)/N, which also
  makes empty shells rarer;
  (c) the instance-to-instance spread of ln Z (std ~ 0.4 sqrt(P)) is common to all
  distances: the histogram is compared *relative to the instance's own ln Z*,
  (1/N) E ln[n_k / (Z (C(N,k) + C(N,k+1)))] + H2(d) against S_FP(d) - s(alpha).
  The absolute level is check 1.  Instances with an empty merged shell inside the window
  are left out of that size's average (fraction reported).
  The discrepancy D_N is the mean over d in the window of (data - theory), per instance,
  then averaged.  Criteria: around solutions, the curves approach the theory (|D| at the
  largest N smaller than at the smallest N by more than 3 sigma of the difference) and
  the 1/N extrapolation of D_N is 0 within 3 sigma_tot; around random references D_N is
  already within 0.008 of 0 at N = 13, so only the extrapolation is required.
* **BP** at N = 1001 and 2001 (odd, as above).  sigma_tot^2 = sigma_stat^2 +
  (value(1001) - value(2001))^2: the second term estimates the 1/N correction left at
  N = 2001.  The BP local entropy is compared relative to the instance's own Bethe
  entropy and centre: phi(gamma) - phi(0) is the cumulant generating function of the
  overlap with the reference, whose mean rho_0 (the reference's overlap with the
  instance's centre, O(1/sqrt N), read off BP at gamma = 0 as d_0 = (1 - rho_0)/2) is the
  instance's own; S_BP(d) - S_BP(d_0) is compared with S_RS(d - d_0 + 1/2) - s(alpha).
  Without this, the spread of ln Z (~0.4 sqrt(P)) and of rho_0 over instances makes the
  error ~0.005 with a few instances (the absolute comparison is printed too).

Local entropy at N = 2001: a uniformly sampled solution cannot be had at that size, and
the teacher of a teacher instance is not a typical solution of a storage instance (the
planted ensemble is not contiguous to the random one here, since the annealed entropy
ln 2 - alpha ln 2 is above the quenched one), and the package has no teacher-student
theory.  A random ±1 reference is clean: by the gauge W_i -> W_i ref_i (which leaves
random patterns and labels invariant) the solutions at distance d from it are the
solutions of magnetisation m = 1 - 2d, whose RS entropy is the Gardner computation with
a field h conjugate to m (:class:`MagnetisedGardner`); BP with a reference field gamma is
the same Legendre transform (gamma -> h).

Writes figures/sampler_vs_theory.{png,pdf} and CSV data in figures/data/.
Runtime about 4 minutes on one core.

Usage: python paper_checks/sampler_vs_theory.py [--out FIGURES_DIR]

References
----------
E. Gardner and B. Derrida, J. Phys. A 21, 271 (1988); W. Krauth and M. Mézard, J. Phys.
France 50, 3057 (1989); H. Huang and Y. Kabashima, Phys. Rev. E 90, 052813 (2014);
A. Braunstein and R. Zecchina, Phys. Rev. Lett. 96, 030201 (2006); C. Baldassi et al.,
Phys. Rev. Lett. 115, 128101 (2015).
"""

from __future__ import annotations

import csv
import math
import os
import sys
import time
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from scipy.interpolate import CubicSpline  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checklib import Table, figures_dir, finish, relative_shell_entropy  # noqa: E402

import replica  # noqa: E402
from replica import plotting  # noqa: E402
from replica.models.magnetised import MagnetisedGardner  # noqa: E402
from replica.sampler.enumerate import count_solutions, distance_histogram, sample_solutions  # noqa: E402
from replica.sampler.instances import random_instance  # noqa: E402
from replica.special import binary_entropy  # noqa: E402

SEED = 20250601
ALPHAS = (0.1, 0.3, 0.5, 0.7)
#: instances per size (split between the two neighbouring loads)
INSTANCES = {13: 1000, 15: 1000, 17: 1000, 19: 1000, 21: 800, 23: 600, 25: 400, 27: 300, 29: 200}
HIST_ALPHA = 0.5
FP_WINDOW = (0.1, 0.4)
RANDOM_WINDOW = (0.35, 0.48)  # where the entropy around a random reference is well above 0
BP_ALPHAS = (0.3, 0.5, 0.7)
BP_INSTANCES = {1001: 8, 2001: 4}
LE_ALPHA = 0.5
LE_TARGETS = (0.45, 0.4, 0.35, 0.3)  # distances of the BP local entropy (gamma from the theory's h)
SIGMAS = 3.0


# --- theory: entropy at fixed distance from a random reference: replica.models.magnetised


def random_reference_curve(alpha: float, d_values) -> dict:
    """S(d) and h(d) around a random reference, by continuation from d = 1/2 downwards.

    Returns
    -------
    dict
        ``d``, ``entropy``, ``h`` (arrays, only converged points, increasing d).
    """
    ds = np.sort(np.asarray(d_values, dtype=float))[::-1]
    out, init = [], None
    for d in ds:
        sp_ = replica.solve(MagnetisedGardner(alpha, float(d)), init=init)
        if sp_.success:
            out.append((d, sp_.free_entropy, sp_["h"]))
            init = sp_
    out.sort()
    d, s, h = (np.array(c) for c in zip(*out))
    return {"d": d, "entropy": s, "h": h}


# --- statistics ------------------------------------------------------------------------------


def loads(n: int, alpha: float) -> list[tuple[int, float]]:
    """The integer loads P bracketing alpha N, with linear-interpolation weights."""
    p0 = math.floor(alpha * n + 1e-12)
    f = alpha * n - p0
    return [(p0, 1.0)] if f < 1e-12 else [(p0, 1.0 - f), (p0 + 1, f)]


def split(m: int, weights) -> list[int]:
    """Instances per load: proportional to the weight (so that the variance of the
    interpolated mean is that of m instances), at least 10 each."""
    return [max(int(round(w * m)), 10) for w in weights]


def weighted_fit(x, y, err, degree: int) -> tuple[float, float, float, np.ndarray]:
    """Weighted least-squares polynomial in x; returns (intercept, its standard error
    scaled by sqrt(max(1, chi2/dof)), chi2/dof, coefficients)."""
    x, y, err = (np.asarray(v, dtype=float) for v in (x, y, err))
    X = np.vander(x, degree + 1, increasing=True)
    w = 1.0 / err**2
    cov = np.linalg.inv(X.T @ (X * w[:, None]))
    beta = cov @ X.T @ (w * y)
    dof = len(x) - degree - 1
    chi2 = float(np.sum(w * (y - X @ beta) ** 2)) / dof if dof > 0 else 0.0
    return float(beta[0]), float(math.sqrt(cov[0, 0] * max(1.0, chi2))), chi2, beta


def extrapolate(sizes, y, err) -> dict:
    """Linear and quadratic extrapolations in 1/N and the total error of the linear one."""
    x = 1.0 / np.asarray(sizes, dtype=float)
    lin, lin_err, lin_chi2, lin_beta = weighted_fit(x, y, err, 1)
    quad, quad_err, quad_chi2, _ = weighted_fit(x, y, err, 2)
    x_c = x - np.average(x, weights=1.0 / np.asarray(err, dtype=float) ** 2)
    slope_err = math.sqrt(max(1.0, lin_chi2) / float(np.sum(x_c**2 / np.asarray(err, dtype=float) ** 2)))
    return {"linear": lin, "linear_err": lin_err, "linear_chi2": lin_chi2, "slope": float(lin_beta[1]),
            "slope_err": slope_err,
            "quadratic": quad, "quadratic_err": quad_err, "quadratic_chi2": quad_chi2,
            "total_err": math.hypot(lin_err, quad - lin)}


def _root(rng) -> int:
    """Integer root of the per-instance seeds: an int is used as is, anything else that
    :func:`numpy.random.default_rng` accepts is drawn from."""
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return int(rng)
    return int(np.random.default_rng(rng).integers(2**62))


def enumerate_size(alpha: float, n: int, m: int, *, histograms=(), rng=SEED) -> list[dict]:
    """Exact solution counts (and, optionally, distance histograms) of about m instances.

    Parameters
    ----------
    alpha, n : float, int
        Load and (odd) size; the loads are the two integers around alpha N (:func:`loads`).
    m : int
        Number of instances, split between the loads (:func:`split`).
    histograms : subset of {"solution", "random"}
        Also the distance histograms around a uniformly sampled solution and around a
        random ±1 vector (rows of zeros where Z = 0).
    rng : int or seed
        Instance i of load P is ``random_instance(..., rng=[root, 1, 1000 alpha, n, P, i])``
        (reference and sample with 2 and 3 in place of 1), so any subset is reproducible.

    Returns
    -------
    list of dict
        Per load: ``p``, ``weight``, ``z`` (counts) and the requested histograms.
    """
    root = _root(rng)
    out = []
    pw = loads(n, alpha)
    tag = int(round(alpha * 1000))
    for (p, w), m_p in zip(pw, split(m, [w for _, w in pw])):
        z = np.zeros(m_p, dtype=np.int64)
        hist = {key: np.zeros((m_p, n + 1), dtype=np.int64) for key in histograms}
        for i in range(m_p):
            key = (tag, n, p, i)
            inst = random_instance(n, p / n, rng=[root, 1, *key])
            if "random" in hist:
                ref = np.where(np.random.default_rng([root, 3, *key]).random(n) < 0.5, 1, -1)
                hist["random"][i] = distance_histogram(inst, ref)
                z[i] = hist["random"][i].sum()
            else:
                z[i] = count_solutions(inst)
            if "solution" in hist and z[i] > 0:
                w0 = sample_solutions(inst, 1, rng=[root, 2, *key])[0]
                hist["solution"][i] = distance_histogram(inst, w0)
        out.append({"p": p, "weight": w, "z": z, **hist})
    return out


def quenched(per_load: list[dict], n: int, *, rng=SEED) -> dict:
    """Interpolated quenched entropy over the instances with Z > 0, its standard error,
    the fraction of instances with Z = 0, and the interpolated median of ln Z / N with a
    bootstrap error (``rng`` seeds the bootstrap)."""
    mean = var = zero = med = 0.0
    med_var = 0.0
    rng = np.random.default_rng(rng)
    for d in per_load:
        z, w = d["z"], d["weight"]
        pos = np.log(z[z > 0].astype(float)) / n
        if len(pos) < 2:
            raise RuntimeError(f"fewer than two instances with solutions at N={n}, P={d['p']}")
        mean += w * pos.mean()
        var += w * w * pos.var(ddof=1) / len(pos)
        zero += w * float(np.mean(z == 0))
        logs = np.where(z > 0, np.log(np.maximum(z, 1).astype(float)) / n, -np.inf)
        med += w * float(np.median(logs))
        boot = np.median(rng.choice(logs, size=(400, len(logs))), axis=1)
        boot = boot[np.isfinite(boot)]
        # bootstrap error of the median, floored by the error of the mean (ln Z is discrete:
        # the bootstrap median can sit on one value)
        med_var += w * w * max(float(np.var(boot)) if len(boot) > 1 else 0.0, pos.var(ddof=1) / len(pos))
    return {"mean": mean, "err": math.sqrt(var), "zero_fraction": zero, "median": med, "median_err": math.sqrt(med_var)}


def relative_profile(per_load: list[dict], n: int, key: str, theory, window) -> dict:
    """Entropy at distance d relative to the instance's own ln Z, against ``theory``.

    Per instance with Z > 0: merged shells n_k = c_k + c_{k+1} at d = (k + 1/2)/N,
    r(d) = H2(d) + (1/N) ln[n_k / (Z (C(N,k) + C(N,k+1)))], and the window mean of
    r(d) - theory(d) (linear interpolation on a fixed grid of 13 distances).  Instances
    with an empty merged shell that the window needs are left out (fraction reported).

    Returns
    -------
    dict
        ``d`` (merged-shell distances), ``profile`` and ``profile_err`` (mean of r over the
        kept instances, per d, load-interpolated), ``D`` and ``D_err`` (window-mean
        discrepancy), ``excluded`` (fraction of instances left out).
    """
    d = (np.arange(n) + 0.5) / n
    grid = np.linspace(window[0], window[1], 13)
    need = (d >= window[0] - 1.0 / n) & (d <= window[1] + 1.0 / n)
    th = theory(d)
    prof = np.zeros(n)
    prof_var = np.zeros(n)
    D = D_var = excluded = 0.0
    for item in per_load:
        h, w = item[key], item["weight"]
        _, r = relative_shell_entropy(h[item["z"] > 0])
        keep = np.all(np.isfinite(r[:, need]), axis=1)  # no empty merged shell in the window
        excluded += w * (1.0 - float(np.mean(keep))) * np.mean(item["z"] > 0) + w * float(np.mean(item["z"] == 0))
        r = r[keep]
        delta = np.array([np.interp(grid, d[need], row[need] - th[need]).mean() for row in r])
        D += w * delta.mean()
        D_var += w * w * delta.var(ddof=1) / len(delta)
        with np.errstate(invalid="ignore"):
            finite = np.isfinite(r)
            cnt = finite.sum(axis=0)
            rr = np.where(finite, r, 0.0)
            mean = np.where(cnt > 0, rr.sum(axis=0) / np.maximum(cnt, 1), np.nan)
            var = np.where(cnt > 1, (np.where(finite, (r - mean) ** 2, 0.0)).sum(axis=0) / np.maximum(cnt - 1, 1)
                           / np.maximum(cnt, 1), np.nan)
        prof += w * mean
        prof_var += w * w * var
    return {"d": d, "profile": prof, "profile_err": np.sqrt(prof_var), "D": D, "D_err": math.sqrt(D_var),
            "excluded": excluded}


def centred_deviation(d, entropy, d0, entropy0, relative_theory, d_min) -> float:
    """Mean over points of [S(d) - S(d0)] - [S_RS(d - d0 + 1/2) - s]: a BP local-entropy
    curve of one instance, relative to its own value and distance at gamma = 0 (the
    reference's overlap with the instance's centre), against ``relative_theory(d) =
    S_RS(d) - s`` (a spline valid on [d_min, 1/2])."""
    shifted = np.clip(np.asarray(d) - d0 + 0.5, d_min, 0.5)
    return float(np.mean((np.asarray(entropy) - entropy0) - relative_theory(shifted)))


# --- the three parts ---------------------------------------------------------------------------


def part_entropy() -> dict:
    """Quenched entropies for every alpha and size; histograms at HIST_ALPHA."""
    data = {}
    for a in ALPHAS:
        t0 = time.perf_counter()
        refs = ("solution", "random") if a == HIST_ALPHA else ()
        data[a] = {n: enumerate_size(a, n, m, histograms=refs) for n, m in INSTANCES.items()}
        print(f"enumeration alpha={a}: {time.perf_counter() - t0:.0f} s", flush=True)
    return data


def theory_curves() -> dict:
    """S_FP(d) - s and S_random(d) - s at HIST_ALPHA as splines, and the RS entropies."""
    s = {a: replica.solve(replica.Gardner(alpha=a)).free_entropy for a in sorted(set(ALPHAS) | set(BP_ALPHAS))}
    grid = np.linspace(0.02, 0.5, 49)
    fp = replica.franz_parisi_curve(HIST_ALPHA, grid)
    ok = fp.success
    fp_spline = CubicSpline(grid[ok], np.asarray(fp.column("entropy"))[ok] - s[HIST_ALPHA])
    rnd = random_reference_curve(HIST_ALPHA, np.linspace(0.24, 0.5, 27))
    rnd_spline = CubicSpline(rnd["d"], rnd["entropy"] - s[HIST_ALPHA])
    h_spline = CubicSpline(rnd["d"], rnd["h"])
    return {"s": s, "fp": fp_spline, "fp_grid": grid[ok], "random": rnd_spline, "random_d": rnd["d"],
            "random_h": h_spline, "random_raw": rnd}


def part_bp(theory) -> dict:
    """Bethe entropies and BP local entropies around random references."""
    from replica.sampler.bp import local_entropy_bp, run_bp

    gammas = [0.0] + [float(theory["random_h"](d)) for d in LE_TARGETS]
    rows = []
    for n, m in BP_INSTANCES.items():
        for a in BP_ALPHAS:
            t0 = time.perf_counter()
            for i in range(m):
                inst = random_instance(n, a, rng=[SEED, 4, int(a * 1000), n, i])
                if a == LE_ALPHA:
                    ref = np.where(np.random.default_rng([SEED, 5, n, i]).random(n) < 0.5, 1, -1)
                    le = local_entropy_bp(inst, ref, gammas=gammas)
                    for g, d, s, c in zip(le.gamma, le.d, le.local_entropy, le.converged):
                        rows.append({"alpha": a, "n": n, "instance": i, "gamma": float(g), "d": float(d),
                                     "entropy": float(s), "converged": bool(c)})
                else:
                    r = run_bp(inst)
                    rows.append({"alpha": a, "n": n, "instance": i, "gamma": 0.0, "d": math.nan,
                                 "entropy": r.entropy if r.entropy is not None else math.nan,
                                 "converged": bool(r.converged)})
            print(f"BP N={n} alpha={a}: {m} instances, {time.perf_counter() - t0:.0f} s", flush=True)
    return {"rows": rows, "gammas": gammas}


# --- checks ---------------------------------------------------------------------------------------


def _mean_err(values) -> tuple[float, float]:
    v = np.asarray(values, dtype=float)
    return float(v.mean()), float(v.std(ddof=1) / math.sqrt(len(v)))


def analyse(data, theory, bp) -> tuple[Table, dict]:
    t = Table("Simulated binary perceptrons vs RS theory (exact enumeration N <= 29, BP N = 2001)")
    sizes = sorted(INSTANCES)
    res = {"entropy": {}, "fp": {}, "random": {}, "bp": {}}
    s = theory["s"]

    # 1. quenched entropy
    print("\n1. quenched entropy (1/N) E[ln Z | Z > 0], load-interpolated; zero = fraction of instances with Z = 0")
    for a in ALPHAS:
        q = [quenched(data[a][n], n) for n in sizes]
        print(f"  alpha={a}: " + "  ".join(f"N={n}: {v['mean']:.4f}({1e4 * v['err']:.0f}) z0={v['zero_fraction']:.2f}"
                                            for n, v in zip(sizes, q)))
        ex = extrapolate(sizes, [v["mean"] for v in q], [v["err"] for v in q])
        exm = extrapolate(sizes, [v["median"] for v in q], [v["median_err"] for v in q])
        res["entropy"][a] = {"sizes": sizes, "per_n": q, "fit": ex, "median_fit": exm}
        print(f"    linear {ex['linear']:.4f} +- {ex['linear_err']:.4f} (chi2/dof {ex['linear_chi2']:.2f}), "
              f"quadratic {ex['quadratic']:.4f} +- {ex['quadratic_err']:.4f}, sigma_tot {ex['total_err']:.4f}; "
              f"RS {s[a]:.4f};  median (no conditioning): linear {exm['linear']:.4f} +- {exm['total_err']:.4f}")
        t.add(f"s(alpha={a}), enumeration, linear in 1/N", s[a], ex["linear"], SIGMAS * ex["total_err"],
              "RS Gardner entropy (Gardner & Derrida 1988)")

    # 2. histograms
    hist = data[HIST_ALPHA]
    for key, theory_fn, window, label, src in [
        ("solution", theory["fp"], FP_WINDOW, "Franz-Parisi", "S_FP - s, RS (Huang & Kabashima 2014)"),
        ("random", theory["random"], RANDOM_WINDOW, "random reference", "MagnetisedGardner (RS, replica.models.magnetised)"),
    ]:
        prof = {n: relative_profile(hist[n], n, key, theory_fn, window) for n in sizes}
        D = [prof[n]["D"] for n in sizes]
        E = [prof[n]["D_err"] for n in sizes]
        ex = extrapolate(sizes, D, E)
        res["fp" if key == "solution" else "random"] = {"profiles": prof, "fit": ex}
        print(f"\n2. {label}: window-mean discrepancy D_N on d in {window} (relative to own ln Z), "
              f"alpha={HIST_ALPHA}; excl = instances left out (Z = 0 or an empty merged shell)")
        print("  " + "  ".join(f"N={n}: {prof[n]['D']:+.4f}({1e4 * prof[n]['D_err']:.0f}) excl={prof[n]['excluded']:.2f}"
                               for n in sizes))
        print(f"    linear {ex['linear']:+.4f} +- {ex['linear_err']:.4f} (chi2/dof {ex['linear_chi2']:.2f}, slope "
              f"{ex['slope']:+.3f} +- {ex['slope_err']:.3f}), quadratic {ex['quadratic']:+.4f} +- {ex['quadratic_err']:.4f}")
        lo, hi = prof[sizes[0]], prof[sizes[-1]]
        gain = abs(lo["D"]) - abs(hi["D"])
        gain_err = math.hypot(lo["D_err"], hi["D_err"])
        print(f"    |D_{sizes[0]}| - |D_{sizes[-1]}| = {gain:+.4f} +- {gain_err:.4f}")
        if key == "solution":  # the trend criterion of the brief (the random reference is close throughout)
            t.add(f"{label}: |D_N| shrinks, N={sizes[0]}->{sizes[-1]} (1=yes)", 1.0,
                  1.0 if gain > SIGMAS * gain_err else 0.0, 0.0, f"|D| drops by > {SIGMAS:g} sigma")
        t.add(f"{label}: D_N extrapolated (1/N, linear)", 0.0, ex["linear"], SIGMAS * ex["total_err"], src)

    # 3. BP
    rows = bp["rows"]
    print("\n3. BP (Bethe entropy at gamma = 0; mean over instances +- standard error)")
    for a in BP_ALPHAS:
        val = {}
        for n in BP_INSTANCES:
            v = [r["entropy"] for r in rows if r["alpha"] == a and r["n"] == n and r["gamma"] == 0.0 and r["converged"]]
            val[n] = _mean_err(v)
        (n1, (s1, e1)), (n2, (s2, e2)) = sorted(val.items())
        tot = math.hypot(e2, s1 - s2)
        res["bp"][a] = val
        print(f"  alpha={a}: " + "  ".join(f"N={n}: {m:.5f} +- {e:.5f}" for n, (m, e) in val.items()) + f"  RS {s[a]:.5f}")
        t.add(f"Bethe entropy alpha={a}, N={n2}", s[a], s2, SIGMAS * tot, "RS Gardner entropy")
    # Local entropy around a random reference, relative to the instance's own Bethe entropy
    # and centre: BP's phi(gamma) - phi(0) is the cumulant generating function of the
    # overlap with the reference; its first cumulant rho_0 (the overlap of the reference
    # with the instance's centre, O(1/sqrt N), distance d_0 = (1 - rho_0)/2 at gamma = 0) is
    # the instance's own, the rest is compared with the theory:
    #     S_BP(d) - S_BP(d_0)  vs  S_RS(d - d_0 + 1/2) - s(alpha).
    # The level S_BP(d_0) is the Bethe entropy checked above.
    le_all = [r for r in rows if r["alpha"] == LE_ALPHA]
    le_rows = [r for r in le_all if r["gamma"] > 0]
    nconv = sum(r["converged"] for r in le_rows)
    dev, absolute = {}, {}
    for n in BP_INSTANCES:
        rel_i, abs_i = [], []
        for i in range(BP_INSTANCES[n]):
            pts = [r for r in le_all if r["n"] == n and r["instance"] == i]
            if not all(r["converged"] for r in pts):
                continue
            base, pts = pts[0], pts[1:]
            d = np.array([r["d"] for r in pts])
            ent = np.array([r["entropy"] for r in pts])
            rel_i.append(centred_deviation(d, ent, base["d"], base["entropy"], theory["random"], theory["random_d"][0]))
            abs_i.append(float(np.mean(ent - s[LE_ALPHA] - theory["random"](d))))
        dev[n], absolute[n] = _mean_err(rel_i), _mean_err(abs_i)
    (n1, (d1, e1)), (n2, (d2, e2)) = sorted(dev.items())
    res["bp"]["local"] = dev
    print(f"  local entropy around a random reference, alpha={LE_ALPHA}, gamma = h_RS(d) for d in {LE_TARGETS}: "
          f"{nconv}/{len(le_rows)} BP runs converged")
    print("    relative to own centre and Bethe entropy, mean of S_BP - S_RS: "
          + "  ".join(f"N={n}: {m:+.5f} +- {e:.5f}" for n, (m, e) in dev.items()))
    print("    absolute (no centring; spread of ln Z and of the centre included): "
          + "  ".join(f"N={n}: {m:+.5f} +- {e:.5f}" for n, (m, e) in absolute.items()))
    t.add(f"BP local entropy - RS, random ref, N={n2}", 0.0, d2, SIGMAS * math.hypot(e2, d1 - d2),
          "MagnetisedGardner (RS, replica.models.magnetised)")
    t.add(f"BP local entropy runs converged (of {len(le_rows)})", len(le_rows), nconv, 0.0, "")

    # identities of the new theory
    raw = theory["random_raw"]
    t.add(f"S_random(d=1/2) = s(alpha={HIST_ALPHA})", s[HIST_ALPHA], float(raw["entropy"][-1]), 1e-9,
          "identity (h = 0 is the Gardner saddle)")
    low = replica.solve(MagnetisedGardner(1e-6, 0.3))
    t.add("S_random(d=0.3) at alpha=1e-6 = H2(0.3)", float(binary_entropy(0.3)), low.free_entropy, 1e-5,
          "no constraint: all configurations at distance d")
    return t, res


# --- output -------------------------------------------------------------------------------------


def write_csv(data, res, theory, bp, out: str) -> list[str]:
    folder = os.path.join(out, "data")
    os.makedirs(folder, exist_ok=True)
    paths = []

    def dump(name, header, rows):
        path = os.path.join(folder, name)
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(rows)
        paths.append(path)

    rows = []
    for a in ALPHAS:
        for n, v in zip(res["entropy"][a]["sizes"], res["entropy"][a]["per_n"]):
            pl = data[a][n]
            rows.append([a, n, " ".join(str(d["p"]) for d in pl), " ".join(f"{d['weight']:.4f}" for d in pl),
                         " ".join(str(len(d["z"])) for d in pl), f"{v['zero_fraction']:.5f}", f"{v['mean']:.8f}",
                         f"{v['err']:.8f}", f"{v['median']:.8f}", f"{theory['s'][a]:.10f}"])
    dump("sampler_entropy.csv", ["alpha", "n", "p_values", "p_weights", "instances", "zero_fraction",
                                 "quenched_entropy", "std_error", "median_entropy", "rs_entropy"], rows)
    for key, name, fn in [("fp", "sampler_fp_profile.csv", theory["fp"]), ("random", "sampler_random_profile.csv",
                                                                             theory["random"])]:
        rows = []
        for n, p in res[key]["profiles"].items():
            for d, v, e in zip(p["d"], p["profile"], p["profile_err"]):
                if np.isfinite(v) and np.isfinite(e):
                    rows.append([n, f"{d:.6f}", f"{v:.8f}", f"{e:.8f}", f"{float(fn(d)):.8f}"])
        dump(name, ["n", "d", "entropy_minus_own_lnZ_per_n", "std_error", "theory_minus_s"], rows)
    dump("sampler_bp.csv", ["alpha", "n", "instance", "gamma", "d", "entropy", "converged"],
         [[r["alpha"], r["n"], r["instance"], f"{r['gamma']:.8f}", f"{r['d']:.8f}" if np.isfinite(r["d"]) else "",
           f"{r['entropy']:.10f}" if np.isfinite(r["entropy"]) else "", r["converged"]] for r in bp["rows"]])
    return paths


def figure(res, theory, bp, out: str) -> list[str]:
    sizes = sorted(INSTANCES)
    s = theory["s"]
    with plotting.style():
        fig, axes = plt.subplots(2, 2, figsize=(11, 8.5), layout="constrained")
        (ax1, ax2), (ax3, ax4) = axes
        xx = np.linspace(0, 1.0 / sizes[0], 50)
        for k, a in enumerate(ALPHAS):
            r = res["entropy"][a]
            x = 1.0 / np.array(sizes)
            y = np.array([v["mean"] for v in r["per_n"]])
            e = np.array([v["err"] for v in r["per_n"]])
            ax1.errorbar(x, y - s[a], e, fmt="o", ms=3, color=f"C{k}", label=rf"$\alpha={a:g}$")
            _, _, _, beta = weighted_fit(x, y, e, 1)
            ax1.plot(xx, beta[0] + beta[1] * xx - s[a], color=f"C{k}", lw=1)
            ax1.errorbar([0], [r["fit"]["linear"] - s[a]], [r["fit"]["total_err"]], fmt="s", color=f"C{k}", ms=4)
        ax1.axhline(0, color="k", lw=0.8)
        ax1.set_xlim(-0.003, None)
        ax1.set_xlabel("$1/N$")
        ax1.set_ylabel(r"$\frac{1}{N}E[\ln Z\,|\,Z>0] - s_{RS}(\alpha)$")
        ax1.set_title("quenched entropy, exact enumeration (odd N); squares: extrapolation")
        ax1.legend(ncol=2)

        dd = np.linspace(0.03, 0.5, 200)
        ax2.plot(dd, theory["fp"](dd), "k-", lw=1.2, label=r"$S_{FP}(d) - s$ (RS)")
        ax2.plot(dd, binary_entropy(dd) - s[HIST_ALPHA], "k:", lw=0.8, label=r"$H_2(d) - s$")
        for k, n in enumerate((13, 21, 29)):
            p = res["fp"]["profiles"][n]
            sel = np.isfinite(p["profile"]) & (p["d"] <= 0.5)
            ax2.errorbar(p["d"][sel], p["profile"][sel], p["profile_err"][sel], fmt="o-", ms=3, lw=0.8,
                         color=plt.cm.viridis(0.15 + 0.35 * k), label=f"N={n}")
        ax2.axvspan(*FP_WINDOW, color="0.9", zorder=-1)
        ax2.set_ylim(-0.35, 0.1)
        ax2.set_xlabel("distance $d$ from a uniformly sampled solution")
        ax2.set_ylabel(r"$H_2(d) + \frac{1}{N}E\ln\frac{n_k}{Z\,\binom{N}{k..k+1}}$")
        ax2.set_title(rf"around typical solutions, $\alpha={HIST_ALPHA:g}$ (relative to own $\ln Z$)")
        ax2.legend()

        for key, label, c in (("fp", "solution reference vs $S_{FP}$", "C0"),
                              ("random", "random reference vs RS at fixed overlap", "C1")):
            prof = res[key]["profiles"]
            x = 1.0 / np.array(sizes)
            y = np.array([prof[n]["D"] for n in sizes])
            e = np.array([prof[n]["D_err"] for n in sizes])
            ax3.errorbar(x, y, e, fmt="o", ms=3, color=c, label=label)
            _, _, _, beta = weighted_fit(x, y, e, 1)
            ax3.plot(xx, beta[0] + beta[1] * xx, color=c, lw=1)
            f = res[key]["fit"]
            ax3.errorbar([0], [f["linear"]], [f["total_err"]], fmt="s", color=c, ms=4)
        ax3.axhline(0, color="k", lw=0.8)
        ax3.set_xlim(-0.003, None)
        ax3.set_xlabel("$1/N$")
        ax3.set_ylabel("window-mean (data - theory)")
        ax3.set_title(f"histogram discrepancy D_N, windows {FP_WINDOW} / {RANDOM_WINDOW}")
        ax3.legend()

        raw = theory["random_raw"]
        ax4.plot(raw["d"], raw["entropy"], "k-", lw=1.2, label="RS, random reference")
        ax4.plot(dd, binary_entropy(dd) - LE_ALPHA * math.log(2), "k:", lw=0.8, label=r"annealed $H_2(d) - \alpha\ln 2$")
        for k, n in enumerate(BP_INSTANCES):
            pts = [r for r in bp["rows"] if r["alpha"] == LE_ALPHA and r["n"] == n and r["converged"]]
            ax4.plot([r["d"] for r in pts], [r["entropy"] for r in pts], "o^"[k], ms=4, mfc="none",
                     color=f"C{k + 2}", label=f"BP, N={n} ({BP_INSTANCES[n]} instances)")
        ax4.set_xlim(0.25, 0.52)
        ax4.set_ylim(0.0, 0.4)
        ax4.set_xlabel("distance $d$ from a random reference")
        ax4.set_ylabel("entropy per weight")
        txt = "Bethe entropy, N=2001 vs RS:\n" + "\n".join(
            rf"$\alpha={a:g}$: {res['bp'][a][max(BP_INSTANCES)][0]:.4f} vs {s[a]:.4f}" for a in BP_ALPHAS)
        ax4.text(0.3, 0.02, txt, fontsize=7, va="bottom")
        ax4.set_title(rf"BP local entropy, $\alpha={LE_ALPHA:g}$")
        ax4.legend(loc="upper left")
        paths = plotting.save(fig, os.path.join(out, "sampler_vs_theory"))
        plt.close(fig)
    return paths


def main():
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", replica.ConvergenceWarning)
        theory = theory_curves()
        print(f"theory: {time.perf_counter() - t0:.0f} s", flush=True)
        data = part_entropy()
        t1 = time.perf_counter()
        bp = part_bp(theory)
        print(f"BP: {time.perf_counter() - t1:.0f} s", flush=True)
        table, res = analyse(data, theory, bp)
    out = figures_dir()
    paths = figure(res, theory, bp, out) + write_csv(data, res, theory, bp, out)
    print("wrote:", ", ".join(os.path.relpath(p) for p in paths))
    print(f"total time {time.perf_counter() - t0:.0f} s")
    finish(table)


if __name__ == "__main__":
    main()
