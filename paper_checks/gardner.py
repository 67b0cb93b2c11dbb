"""Paper check: the storage problem of the perceptron (Gardner volume, RS).

Compares with
* W. Krauth and M. Mézard, J. Phys. France 50, 3057 (1989): binary capacity 0.833
  (abstract and sec. 3; the zero of the RS entropy); the seven-digit value 0.8330786
  is the reference of ``docs/physics.md`` (computed);
* E. Gardner, J. Phys. A 21, 257 (1988), eq. (33): spherical capacity
  alpha_c(kappa) = 1 / int_{-kappa}^inf Dt (t + kappa)^2 (evaluated here with mpmath);
* the end of the binary RS branch at alpha = 4/pi (kappa = 0), q -> 1;
* s(0) = ln 2 (all 2^N configurations are solutions);
* the RS (de Almeida–Thouless) instability of the binary solution at alpha ~ 1.015
  (attributed to Gardner & Derrida, J. Phys. A 21, 271 (1988); quoted in
  ``physics.md`` as computed).

Writes figures/gardner_entropy.{png,pdf} and the curve data as CSV, prints the table
and exits non-zero if a check fails.

Usage: python paper_checks/gardner.py [--out FIGURES_DIR]
"""

from __future__ import annotations

import math
import os
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import mpmath  # noqa: E402
import numpy as np  # noqa: E402

import replica  # noqa: E402
from replica import plotting  # noqa: E402
from checklib import Table, figures_dir, finish  # noqa: E402


def gardner_closed_form(kappa: float) -> float:
    """1 / int_{-kappa}^inf Dt (t + kappa)^2, with mpmath at 30 digits (Gardner 1988, eq. 33)."""
    with mpmath.workdps(30):
        k = mpmath.mpf(kappa)
        integral = mpmath.quad(lambda t: mpmath.npdf(t) * (t + k) ** 2, [-k, mpmath.inf])
        return float(1 / integral)


def checks() -> Table:
    t = Table("Gardner volume of the perceptron (RS)")
    cap = replica.capacity("binary")
    t.add("binary alpha_c, kappa=0 (printed 0.833)", 0.833, cap.alpha_c, 5e-4, "Krauth & Mezard 1989, abstract")
    t.add("binary alpha_c, kappa=0 (7 digits)", 0.8330786, cap.alpha_c, 1e-7, "physics.md (computed)")
    for kappa in (0.0, 0.5, 1.0, 2.0):
        c = replica.capacity("spherical", kappa)
        t.add(f"spherical alpha_c, kappa={kappa:g}", gardner_closed_form(kappa), c.alpha_c, 1e-9, "Gardner 1988, eq. (33)")
    end = replica.rs_endpoint("binary")
    t.add("binary RS branch endpoint (q -> 1)", 4 / math.pi, end.alpha_c, 1e-9, "4/pi (Gardner & Derrida 1988)")
    s0 = replica.solve(replica.Gardner(alpha=0.0))
    t.add("binary s(alpha=0)", math.log(2), s0.free_entropy, 1e-12, "ln 2 (all configurations)")
    at = replica.find_parameter(replica.Gardner(alpha=1.0), "alpha", observable="replicon", target=0.0)
    t.add("binary RS instability (replicon = 0)", 1.015, at.value if at.success else None, 5e-4,
          "Gardner & Derrida 1988 (physics.md)")
    return t


def curves():
    """Entropy and overlap curves for the figure (continuation from small alpha)."""
    data = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", replica.ConvergenceWarning)
        for weights, kappa in [("binary", 0.0), ("binary", 0.5), ("spherical", 0.0), ("spherical", 0.5)]:
            end = replica.rs_endpoint(weights, kappa).alpha_c
            alphas = np.concatenate([np.linspace(0.0, 0.97 * end, 120), end - (0.03 * end) * np.logspace(0, -3, 25)[1:]])
            data[(weights, kappa)] = replica.continuation(replica.Gardner(alpha=0.0, weights=weights, kappa=kappa), "alpha", alphas)
        # The failure mode the composite rule prevents: plain Gauss-Hermite on the same equations.
        alphas = np.linspace(0.0, 1.25, 126)
        data["hermite"] = replica.continuation(
            replica.Gardner(alpha=0.0), "alpha", alphas,
            quad=replica.QuadratureOptions(rule="hermite"), quad_tol=math.inf,
        )
    return data


def figure(data, out: str) -> list[str]:
    os.makedirs(os.path.join(out, "data"), exist_ok=True)
    with plotting.style():
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.5, 3.8))
        colors = {"binary": "C0", "spherical": "C1"}
        for (key, curve) in data.items():
            if key == "hermite":
                continue
            weights, kappa = key
            curve.to_csv(os.path.join(out, "data", f"gardner_{weights}_kappa{kappa:g}.csv"))
            ls = "-" if kappa == 0 else "--"
            label = f"{weights}, $\\kappa={kappa:g}$"
            plotting.plot_curve(curve, "entropy", ax=ax1, color=colors[weights], ls=ls, label=label)
            plotting.plot_curve(curve, "q", ax=ax2, color=colors[weights], ls=ls, label=label)
            cap = replica.capacity(weights, kappa)
            ax1.plot([cap.alpha_c], [0.0], "o", color=colors[weights], ms=4)
        herm = data["hermite"]
        herm.to_csv(os.path.join(out, "data", "gardner_binary_plain_hermite.csv"))
        q = np.ma.masked_invalid(np.array([p.order["q"] if p.order["q"] is not None else np.nan for p in herm.points]))
        ax2.plot(herm.values, q, color="0.5", lw=1.0, ls=":", label=f"binary, plain Gauss–Hermite ({replica.QuadratureOptions().n_hermite} nodes)")
        ax1.axhline(0, color="k", lw=0.6)
        ax1.set_ylim(-1.0, 0.75)
        ax1.set_xlabel(r"$\alpha$")
        ax1.set_ylabel(r"entropy $s(\alpha)$ per weight")
        ax1.set_title("RS Gardner entropy (dots: capacities)")
        ax2.axvline(4 / math.pi, color="C0", lw=0.6, ls="-.")
        ax2.set_xlabel(r"$\alpha$")
        ax2.set_ylabel(r"overlap $q$")
        ax2.set_title(r"$q \to 1$ at the end of the RS branch")
        ax1.legend(loc="lower left")
        ax2.legend(loc="lower right")
        paths = plotting.save(fig, os.path.join(out, "gardner_entropy"))
        plt.close(fig)
    return paths


def main():
    table = checks()
    paths = figure(curves(), figures_dir())
    print("figure:", ", ".join(os.path.relpath(p) for p in paths))
    finish(table)


if __name__ == "__main__":
    main()
