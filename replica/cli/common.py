"""Helpers shared by the ``replica`` subcommands.

The parser class (one-line errors), argument types, JSON-safe numbers, key/value tables,
the instance options of ``sample`` and ``solve``, and the BP local-entropy output of both.
Command modules import from here; this module imports no other module of the package.
"""

from __future__ import annotations

import argparse
import json
import math
import zipfile

__all__ = [
    "UsageError",
    "Parser",
    "parse_float",
    "parse_int",
    "finite_or_none",
    "print_table",
    "emit",
    "add_instance_options",
    "instance_from_args",
    "describe_instance",
    "local_entropy_json",
    "print_local_entropy",
]


# --- parsing -----------------------------------------------------------------------------


class UsageError(Exception):
    """Bad command-line input (exit code 2)."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (:class:`UsageError`), no usage dump."""

    def error(self, message):
        raise UsageError(f"{self.prog}: {message}")


def parse_float(text: str) -> float:
    """A float, or an argparse error that quotes the text."""
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None


def parse_int(text: str) -> int:
    """An int, or an argparse error that quotes the text."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None


# --- output ------------------------------------------------------------------------------


def finite_or_none(v):
    """JSON-safe number: None instead of NaN/inf."""
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None


def print_table(rows, missing: str | None = None) -> None:
    """Print ``(key, value)`` rows as two aligned columns.

    Parameters
    ----------
    rows : list of (str, object)
        Floats are printed with 12 significant digits.
    missing : str, optional
        Printed instead of a None value (default: None is printed as ``None``).
    """
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        if isinstance(v, float):
            v = f"{v:.12g}"
        elif v is None and missing is not None:
            v = missing
        print(f"{k:<{width}}  {v}")


def emit(out: dict, args, rows) -> None:
    """Print ``out`` as JSON with ``--json``, else ``rows`` as a table (None as ``--``)."""
    if args.json:
        print(json.dumps(out, indent=1))
        return
    print_table(rows, missing="--")


# --- the instance of ``sample`` and ``solve`` ----------------------------------------------


def add_instance_options(p, *, from_file: bool) -> None:
    """Add ``--n --alpha --seed --kind --kappa`` (and ``--instance`` if ``from_file``) and ``--json``."""
    p.add_argument("--n", type=parse_int, metavar="N", help="number of weights N (>= 1; odd for --kind teacher)")
    p.add_argument("--alpha", type=parse_float, metavar="A", help="load P/N (P = round(alpha N) patterns)")
    p.add_argument("--seed", type=parse_int, default=0, metavar="S",
                   help="random seed (default 0): same seed, same instance (and reference)")
    p.add_argument("--kind", choices=("storage", "teacher"), default="storage",
                   help="random labels (storage, default) or labels of a random binary teacher")
    p.add_argument("--kappa", type=parse_float, default=0.0, metavar="K", help="margin (>= 0), default 0")
    if from_file:
        p.add_argument("--instance", metavar="FILE.npz",
                       help="read the instance from a file written by 'sample instance --save' "
                            "(instead of --n/--alpha/--kind/--kappa)")
    p.add_argument("--json", action="store_true", help="print JSON")


def _load(path: str):
    from ..sampler import Instance

    try:
        return Instance.load(path)
    except FileNotFoundError:
        raise ValueError(f"no such instance file: {path}") from None
    except (OSError, KeyError, zipfile.BadZipFile, ValueError) as e:
        raise ValueError(f"cannot read an instance from {path}: {e}") from None


def instance_from_args(args):
    """The instance of the command line, and a description of where it came from.

    Returns
    -------
    inst : replica.sampler.Instance
        Read from ``--instance`` or drawn from ``--n --alpha --seed --kind --kappa``.
    origin : dict
        ``{"instance_file": path}`` or ``{"seed": seed}``.
    """
    from ..sampler import random_instance

    path = getattr(args, "instance", None)
    if path is not None:
        if args.n is not None or args.alpha is not None:
            raise ValueError("give either --instance or --n/--alpha, not both")
        return _load(path), {"instance_file": path}
    missing = [name for name in ("n", "alpha") if getattr(args, name) is None]
    if missing:
        need = " and ".join(f"--{m}" for m in missing)
        raise ValueError(f"{need} required" + (" (or --instance FILE.npz)" if hasattr(args, "instance") else ""))
    inst = random_instance(args.n, args.alpha, rng=args.seed, kind=args.kind, kappa=args.kappa)
    return inst, {"seed": args.seed}


def describe_instance(inst, origin: dict) -> dict:
    """Size, load, kind and margin of an instance, followed by ``origin``."""
    return {"n": inst.n, "p": inst.p, "alpha": inst.alpha, "kind": inst.kind, "kappa": inst.kappa, **origin}


# --- BP local entropy ----------------------------------------------------------------------


def local_entropy_json(le) -> dict:
    """``gamma``, ``local_entropy`` and ``converged`` of a :class:`~replica.sampler.LocalEntropyBP`
    as JSON-safe lists (None where a point did not converge)."""
    return {
        "gamma": [finite_or_none(x) if c else None for x, c in zip(le.gamma, le.converged)],
        "local_entropy": [finite_or_none(x) if c else None for x, c in zip(le.local_entropy, le.converged)],
        "converged": [bool(c) for c in le.converged],
    }


def print_local_entropy(title: str, d_values, le_out: dict) -> None:
    """The table of :func:`local_entropy_json`'s points, one row per requested distance."""
    print(f"# {title}")
    print(f"{'d':>10}  {'gamma':>10}  {'local_entropy':>14}  converged")
    for d_req, g, s, c in zip(d_values, le_out["gamma"], le_out["local_entropy"], le_out["converged"]):
        gs = f"{g:10.6f}" if g is not None else f"{'--':>10}"
        ss = f"{s:14.8f}" if s is not None else f"{'--':>14}"
        print(f"{d_req:10.6g}  {gs}  {ss}  {c}")
