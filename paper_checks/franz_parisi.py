"""Franz–Parisi potential: typical solutions of the binary perceptron are isolated.

Huang & Kabashima, PRE 90, 052813 (2014), arXiv 1408.1784: the entropy S_FP(d) of
solutions at distance d from a typical (equilibrium) solution is negative on an
interval (0, d_0) for every alpha > 0.  Regenerates their figure (S_FP(d) for several
loads, beside H2(d)) from our RS computation and checks the identities and the values of
an independent implementation.  Figure: figures/franz_parisi.{png,pdf} (+ CSV data).

The paper's body could not be read from this machine (abstract only), so its printed
numbers are not compared; the isolation statement of its abstract is.
"""

from __future__ import annotations

import os
import sys
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checklib import Table, figures_dir, finish  # noqa: E402

import replica  # noqa: E402
from replica import plotting  # noqa: E402
from replica.models import franz_parisi as fp  # noqa: E402
from replica.special import binary_entropy  # noqa: E402

ALPHAS = (0.3, 0.5, 0.7)
D = np.geomspace(1e-3, 0.5, 100)


def curves():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", replica.ConvergenceWarning)
        return {a: fp.franz_parisi_curve(a, D) for a in ALPHAS}


def checks(data) -> tuple[Table, dict]:
    t = Table("Franz–Parisi potential of the binary perceptron (RS)")
    zeros = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", replica.ConvergenceWarning)
        for a in ALPHAS:
            spec = fp.FranzParisi(a, 0.25)
            d_typ, s = spec.typical_distance, spec.reference.free_entropy
            big, small = fp.franz_parisi_curve(a, [d_typ - 2e-3, d_typ - 1e-3]).column("entropy")
            t.add(f"S_FP(d_typ) = s(alpha), alpha={a} (Richardson)", s, (4 * small - big) / 3, 1e-8,
                  "identity: the constrained replica is typical")
            th = fp.isolation_distance(a)
            zeros[a] = th
            t.add(f"isolation: S_FP < 0 below d_0 > 0, alpha={a}", 1.0, 1.0 if th.success and th.value > 0 else 0.0, 0.0,
                  "Huang & Kabashima 2014, abstract")
        t.add("d_0(alpha=0.5)", 0.0068, zeros[0.5].value, 3e-4, "independent scratch solver, coarse quadrature (docs/derivations/scratch_values.md §5)")
        for d, ref in [(0.15, 0.1003455038), (0.1, 0.0641038232), (0.05, 0.0146911531)]:
            v = fp.franz_parisi_curve(0.7, [d]).points[0]
            t.add(f"S_FP(d={d}), alpha=0.7", ref, v["entropy"] if v.success else None, 2e-10,
                  "independent scratch solver (docs/derivations/scratch_values.md §5)")
        worst = max(float(np.max(c.column("entropy") - binary_entropy(D))) for c in data.values())
        t.add("max over curves of S_FP(d) - H2(d) (<= 0)", 0.0, max(worst, 0.0), 1e-12, "bound")
    return t, zeros


def figure(data, zeros, out: str) -> list[str]:
    os.makedirs(os.path.join(out, "data"), exist_ok=True)
    with plotting.style():
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
        dd = np.linspace(1e-4, 0.5, 500)
        ax1.plot(dd, binary_entropy(dd), "k--", lw=1, label=r"$H_2(d)$")
        for k, (a, c) in enumerate(data.items()):
            c.to_csv(os.path.join(out, "data", f"franz_parisi_alpha{a:g}.csv"))
            for ax in (ax1, ax2):
                plotting.plot_curve(c, "entropy", ax=ax, color=f"C{k}", label=rf"$\alpha={a:g}$")
            d0 = zeros[a].value
            ax2.plot([d0], [0.0], "o", color=f"C{k}", ms=4)
        ax1.set_title("Franz–Parisi entropy around a typical solution (RS)")
        ax1.set_xlim(0, 0.5)
        ax2.set_xscale("log")
        ax2.set_ylim(-0.03, 0.06)
        ax2.set_title(r"small $d$: $S_{FP}<0$ below $d_0$ (dots): isolated")
        for ax in (ax1, ax2):
            ax.axhline(0, color="0.6", lw=0.6)
            ax.set_xlabel("distance $d$")
        ax1.set_ylabel(r"$S_{FP}(d)$")
        ax1.legend()
        paths = plotting.save(fig, os.path.join(out, "franz_parisi"))
        plt.close(fig)
    return paths


def main():
    data = curves()
    table, zeros = checks(data)
    paths = figure(data, zeros, figures_dir())
    print("figure:", ", ".join(os.path.relpath(p) for p in paths))
    finish(table)


if __name__ == "__main__":
    main()
