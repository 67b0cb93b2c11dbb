"""Shared bits of the paper checks: a table of comparisons and the exit code, and the
exact-enumeration estimator of the local entropy around a reference."""

from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln

from replica.special import binary_entropy

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIGURES = os.path.join(ROOT, "figures")


def figures_dir() -> str:
    """Output folder: ``--out DIR`` on the command line, else the repository's figures/."""
    import argparse

    ap = argparse.ArgumentParser(add_help=True)
    ap.add_argument("--out", default=FIGURES, help="folder for figures and their data (default: figures/)")
    return ap.parse_known_args()[0].out


@dataclass
class Check:
    quantity: str
    reference: float
    ours: float | None
    tolerance: float
    source: str
    discrepancy: str | None = None  # a documented, investigated disagreement
    relation: str = "=="  # "==": |ours - reference| <= tolerance; ">=" / "<=": a bound (tolerance 0)

    @property
    def agrees(self) -> bool:
        if self.ours is None or not math.isfinite(self.ours):
            return False
        if self.relation == ">=":
            return self.ours >= self.reference
        if self.relation == "<=":
            return self.ours <= self.reference
        return abs(self.ours - self.reference) <= self.tolerance

    @property
    def passed(self) -> bool:
        """Agreement, or a disagreement that is documented (the value must still exist)."""
        if self.discrepancy is not None:
            return self.ours is not None and math.isfinite(self.ours)
        return self.agrees


class Table:
    """Collects comparisons, prints them, and gives the exit code."""

    def __init__(self, title: str):
        self.title = title
        self.rows: list[Check] = []

    def add(self, quantity, reference, ours, tolerance, source, discrepancy=None) -> Check:
        """One comparison.  ``discrepancy``: text explaining a known, investigated
        disagreement (printed as DISC, listed under the table, not a failure)."""
        row = Check(quantity, float(reference), None if ours is None else float(ours), float(tolerance), source, discrepancy)
        self.rows.append(row)
        return row

    def bound(self, quantity, ours, relation, reference, source, discrepancy=None) -> Check:
        """An inequality ``ours >= reference`` or ``ours <= reference`` (relation ">=" / "<=")."""
        if relation not in (">=", "<="):
            raise ValueError(f"relation must be '>=' or '<=', got {relation!r}")
        row = Check(quantity, float(reference), None if ours is None else float(ours), 0.0, source, discrepancy,
                    relation)
        self.rows.append(row)
        return row

    def print(self) -> None:
        print(f"\n== {self.title} ==")
        header = f"{'quantity':<44} {'reference':>16} {'ours':>18} {'|diff|':>9} {'tol':>8}  pass  source"
        print(header)
        print("-" * len(header))
        for r in self.rows:
            ours = "failed" if r.ours is None else f"{r.ours:.12g}"
            diff = "" if r.ours is None or r.relation != "==" else f"{abs(r.ours - r.reference):.1e}"
            ref = f"{r.reference:.12g}" if r.relation == "==" else f"{r.relation} {r.reference:.6g}"
            tol = f"{r.tolerance:.0e}" if r.relation == "==" else "bound"
            print(
                f"{r.quantity:<44} {ref:>16} {ours:>18} {diff:>9} {tol:>8}  "
                f"{self._status(r):<4}  {r.source}"
            )
        n_bad = sum(not r.passed for r in self.rows)
        n_disc = sum(r.discrepancy is not None and not r.agrees for r in self.rows)
        print(f"{len(self.rows) - n_bad}/{len(self.rows)} checks passed" + (f" ({n_disc} documented discrepancies)" if n_disc else ""))
        for r in self.rows:
            if r.discrepancy is not None and not r.agrees:
                print(f"  DISC {r.quantity}: {r.discrepancy}")

    @staticmethod
    def _status(r: Check) -> str:
        if r.agrees:
            return "yes"
        return "DISC" if r.passed else "NO "

    def exit_code(self) -> int:
        return 0 if all(r.passed for r in self.rows) else 1


def finish(*tables: Table) -> None:
    for t in tables:
        t.print()
    sys.exit(max(t.exit_code() for t in tables))


def relative_shell_entropy(counts) -> tuple[np.ndarray, np.ndarray]:
    """Local entropy around a reference from exact distance histograms, relative to each
    instance's own ln Z (the estimator of ``sampler_vs_theory.py``, see its docstring).

    ``counts``: (m, N + 1) numbers of solutions at Hamming distance 0..N, instances with
    Z > 0.  Adjacent shells are merged (their parity alternates), n_k = c_k + c_{k+1} at
    d = (k + 1/2)/N, and the ln N / N term of the binomial is removed:

        r(d) = H2(d) + (1/N) ln[n_k / (Z (C(N,k) + C(N,k+1)))]   (-inf: empty shell).

    Returns ``d`` (N,) and ``r`` (m, N).
    """
    counts = np.atleast_2d(np.asarray(counts, dtype=float))
    n = counts.shape[1] - 1
    k = np.arange(n + 1)
    lnc = gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)
    shell = np.logaddexp(lnc[:-1], lnc[1:])
    d = (np.arange(n) + 0.5) / n
    merged = counts[:, :-1] + counts[:, 1:]
    with np.errstate(divide="ignore"):
        r = binary_entropy(d) + (np.log(merged) - shell - np.log(counts.sum(axis=1))[:, None]) / n
    return d, r
