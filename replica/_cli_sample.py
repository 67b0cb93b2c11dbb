"""The ``replica sample`` command: simulated binary perceptrons from the command line.

Subcommands::

    replica sample instance  --n N --alpha A [--seed S] [--kind K] [--kappa K] [--save FILE.npz]
    replica sample count     (--n N --alpha A [--seed S] ... | --instance FILE.npz)
    replica sample histogram (...) [--reference solution|random]
    replica sample bp        (...) [--d D [D ...]] [--reference random|teacher|solution]

``count`` and ``histogram`` enumerate all solutions exactly (N <= 34,
:mod:`replica.sampler.enumerate`); ``bp`` runs belief propagation
(:mod:`replica.sampler.bp`, any N).  With ``--k K [--activation sign|relu]`` the three
treat the instance as a tree committee machine with K hidden units
(:mod:`replica.sampler.committee`, :mod:`replica.sampler.committee_bp`).  Every command takes ``--json``.  Bad input gives one
readable line on stderr and exit code 2; ``bp`` exits with 1 when BP did not converge.

Wiring: :func:`add_sample_parser` adds the ``sample`` parser to the ``replica`` command's
subparsers and sets ``run=run_sample``; :func:`main_sample` runs it standalone.
"""

from __future__ import annotations

import argparse
import json
import math
import warnings
import zipfile

import numpy as np

from ._cli_args import parse_float as _float
from ._cli_args import parse_int as _int

__all__ = ["add_sample_parser", "run_sample", "main_sample"]

REFERENCES_HIST = ("solution", "random")
REFERENCES_BP = ("random", "teacher", "solution")


def _finite_or_none(v):
    """JSON-safe number: None instead of NaN/inf."""
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None


# --- parser ------------------------------------------------------------------------------


def _instance_options(p, *, from_file: bool) -> None:
    p.add_argument("--n", type=_int, metavar="N", help="number of weights N (>= 1; odd for --kind teacher)")
    p.add_argument("--alpha", type=_float, metavar="A", help="load P/N (P = round(alpha N) patterns)")
    p.add_argument("--seed", type=_int, default=0, metavar="S",
                   help="random seed (default 0): same seed, same instance (and reference)")
    p.add_argument("--kind", choices=("storage", "teacher"), default="storage",
                   help="random labels (storage, default) or labels of a random binary teacher")
    p.add_argument("--kappa", type=_float, default=0.0, metavar="K", help="margin (>= 0), default 0")
    if from_file:
        p.add_argument("--instance", metavar="FILE.npz",
                       help="read the instance from a file written by 'sample instance --save' "
                            "(instead of --n/--alpha/--kind/--kappa)")
    p.add_argument("--json", action="store_true", help="print JSON")


def _committee_options(p) -> None:
    p.add_argument("--k", type=_int, default=None, metavar="K",
                   help="a tree committee machine with K hidden units (default: the perceptron)")
    p.add_argument("--activation", choices=("sign", "relu"), default="sign",
                   help="hidden units of the committee (with --k): sign (default; odd K and N/K) or relu (K = 2 for bp)")


def _committee(args) -> dict:
    return {} if args.k is None else {"committee": {"k": args.k, "activation": args.activation}}


def add_sample_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``sample`` command (with subcommands instance, count, histogram, bp).

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        From ``parser.add_subparsers(...)`` of the ``replica`` command; the nested parsers
        are of the same class as the ``sample`` parser (so they report errors the same way).

    Returns
    -------
    argparse.ArgumentParser
        The ``sample`` parser, with ``run=run_sample`` as default.
    """
    s = subparsers.add_parser("sample", help="simulated binary perceptrons: instances, exact enumeration, BP")
    sub = s.add_subparsers(dest="sample_command", parser_class=type(s), required=True, metavar="SUBCOMMAND")

    i = sub.add_parser("instance", help="draw a random instance (optionally save it as .npz)")
    _instance_options(i, from_file=False)
    i.add_argument("--save", metavar="FILE.npz", help="write the instance to FILE.npz")

    c = sub.add_parser("count", help="exact number of solutions and entropy ln(count)/N (N <= 34)")
    _instance_options(c, from_file=True)
    _committee_options(c)

    h = sub.add_parser("histogram", help="exact number of solutions at each Hamming distance from a reference (N <= 34)")
    _instance_options(h, from_file=True)
    _committee_options(h)
    h.add_argument("--reference", choices=REFERENCES_HIST, default="solution",
                   help="a uniformly sampled solution (default) or a random ±1 vector, drawn with --seed")

    b = sub.add_parser("bp", help="belief propagation: Bethe entropy; with --d, local entropy around a reference")
    _instance_options(b, from_file=True)
    _committee_options(b)
    b.add_argument("--d", type=_float, nargs="+", metavar="D",
                   help="distances in (0, 1/2] for the local entropy (perceptron only)")
    b.add_argument("--reference", choices=REFERENCES_BP, default="random",
                   help="reference of the local entropy: random ±1 vector (default, drawn with --seed), "
                        "the teacher (--kind teacher), or a uniformly sampled solution (N <= 34)")
    b.add_argument("--damping", type=_float, default=0.0, help="BP damping in [0, 1), default 0")
    b.add_argument("--tol", type=_float, default=1e-8, help="BP convergence threshold, default 1e-8")
    b.add_argument("--max-iter", type=_int, default=1000, help="maximum number of BP sweeps, default 1000")

    s.set_defaults(run=run_sample)
    return s


# --- commands ----------------------------------------------------------------------------


def _load(path: str):
    from .sampler.instances import Instance

    try:
        return Instance.load(path)
    except FileNotFoundError:
        raise ValueError(f"no such instance file: {path}") from None
    except (OSError, KeyError, zipfile.BadZipFile, ValueError) as e:
        raise ValueError(f"cannot read an instance from {path}: {e}") from None


def _instance(args):
    """The instance of the command line, and a description of where it came from."""
    from .sampler.instances import random_instance

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


def _describe(inst, origin) -> dict:
    return {"n": inst.n, "p": inst.p, "alpha": inst.alpha, "kind": inst.kind, "kappa": inst.kappa, **origin}


def _emit(out: dict, args, rows) -> None:
    if args.json:
        print(json.dumps(out, indent=1))
        return
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        if isinstance(v, float):
            v = f"{v:.12g}"
        elif v is None:
            v = "--"
        print(f"{k:<{width}}  {v}")


def _cmd_instance(args) -> int:
    inst, origin = _instance(args)
    out = _describe(inst, origin)
    if args.save:
        try:
            out["saved"] = str(inst.save(args.save))
        except OSError as e:
            raise ValueError(f"cannot write {args.save}: {e.strerror or e}") from None
    _emit(out, args, list(out.items()))
    return 0


def _cmd_count(args) -> int:
    from .sampler.enumerate import count_solutions

    inst, origin = _instance(args)
    if args.k is None:
        count = count_solutions(inst)
    else:
        from .sampler.committee import count_committee_solutions

        count = count_committee_solutions(inst, args.k, args.activation)
    entropy = math.log(count) / inst.n if count > 0 else None
    out = {**_describe(inst, origin), **_committee(args), "count": count, "entropy": entropy}
    rows = list(out.items())
    if count == 0:
        rows[-1] = ("entropy", "-- (no solution: ln 0 is not reported)")
    _emit(out, args, rows)
    return 0


def local_entropy_json(le) -> dict:
    """``gamma``, ``local_entropy`` and ``converged`` of a :class:`LocalEntropyBP` as
    JSON-safe lists (None where a point did not converge)."""
    return {
        "gamma": [_finite_or_none(x) if c else None for x, c in zip(le.gamma, le.converged)],
        "local_entropy": [_finite_or_none(x) if c else None for x, c in zip(le.local_entropy, le.converged)],
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


def _reference_rng(seed):
    """Generator of the reference: independent of the instance's stream for the same seed."""
    return np.random.default_rng([seed, 1])


def _random_reference(n, seed) -> np.ndarray:
    return np.where(_reference_rng(seed).random(n) < 0.5, 1, -1).astype(np.int8)


def _reference(inst, kind: str, seed: int, k=None, activation="sign") -> np.ndarray:
    """The reference vector: random, the teacher, or a uniformly sampled solution of the
    perceptron (``k`` None) or of the tree committee with ``k`` units (exact, N <= 34)."""
    if kind == "random":
        return _random_reference(inst.n, seed)
    if kind == "teacher":
        if inst.teacher is None:
            raise ValueError("--reference teacher needs an instance with a teacher (--kind teacher)")
        return inst.teacher
    if k is None:
        from .sampler.enumerate import MAX_N, count_solutions, sample_solutions

        def count():
            return count_solutions(inst)

        def sample():
            return sample_solutions(inst, 1, rng=_reference_rng(seed))[0]
    else:
        from .sampler.committee import MAX_N, count_committee_solutions, sample_committee_solutions

        def count():
            return count_committee_solutions(inst, k, activation)

        def sample():
            return sample_committee_solutions(inst, 1, k, activation, rng=_reference_rng(seed))[0]
    if inst.n > MAX_N:
        raise ValueError(f"--reference solution samples by exact enumeration, which needs N <= {MAX_N}; got N = {inst.n}")
    try:
        return sample()
    except ValueError:
        if count() == 0:
            raise ValueError("the instance has no solution, so no solution can be the reference "
                             "(use --reference random)") from None
        raise


def _cmd_histogram(args) -> int:
    from .sampler.enumerate import distance_histogram

    inst, origin = _instance(args)
    ref = _reference(inst, args.reference, args.seed, args.k, args.activation)
    if args.k is None:
        counts = distance_histogram(inst, ref)
    else:
        from .sampler.committee import committee_distance_histogram

        counts = committee_distance_histogram(inst, ref, args.k, args.activation)
    n = inst.n
    log_counts = [math.log(int(c)) / n if c > 0 else None for c in counts]
    out = {**_describe(inst, origin), **_committee(args), "reference": args.reference, "reference_seed": args.seed,
           "count": int(counts.sum()), "d": [k / n for k in range(n + 1)],
           "counts": [int(c) for c in counts], "log_counts_per_n": log_counts}
    if args.json:
        print(json.dumps(out, indent=1))
        return 0
    print(f"# solutions at Hamming distance k from a {args.reference} reference; N={n}, P={inst.p}, "
          f"total {out['count']}")
    print(f"{'k':>4}  {'d=k/N':>8}  {'count':>14}  {'ln(count)/N':>12}")
    for k, (c, s) in enumerate(zip(counts, log_counts)):
        print(f"{k:>4}  {k / n:8.4f}  {int(c):>14}  " + (f"{s:12.6f}" if s is not None else f"{'--':>12}"))
    return 0


def _cmd_bp(args) -> int:
    from .sampler.bp import local_entropy_bp, run_bp
    from .solve import ConvergenceWarning

    inst, origin = _instance(args)
    opts = dict(damping=args.damping, tol=args.tol, max_iter=args.max_iter)
    if args.k is not None and args.d:
        raise ValueError("--d (the local entropy by BP) is available for the perceptron only, not with --k")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # reported in the output
        if args.k is None:
            res = run_bp(inst, **opts)
            sweeps, change = res.iterations, res.max_change
        else:
            from .sampler.committee_bp import run_committee_bp

            res = run_committee_bp(inst, args.k, args.activation, **opts)
            sweeps, change = res.sweeps, res.change
        out = {**_describe(inst, origin), **_committee(args), "bethe_entropy": _finite_or_none(res.entropy),
               "converged": bool(res.converged), "iterations": int(sweeps),
               "max_change": _finite_or_none(change), "message": res.message}
        ok = res.converged
        if args.d:
            ref = _reference(inst, args.reference, args.seed)
            le = local_entropy_bp(inst, ref, d_values=args.d, **opts)
            out["local_entropy"] = {
                "reference": args.reference, "reference_seed": args.seed,
                "d_requested": [float(x) for x in args.d],
                "d": [_finite_or_none(x) if c else None for x, c in zip(le.d, le.converged)],
                **local_entropy_json(le),
            }
            ok = ok and bool(np.all(le.converged))
    if args.json:
        print(json.dumps(out, indent=1))
    else:
        rows = [(k, v) for k, v in out.items() if k != "local_entropy"]
        _emit(out, args, rows)
        if args.d:
            print_local_entropy(f"BP local entropy around a {args.reference} reference", args.d, out["local_entropy"])
    return 0 if ok else 1


_COMMANDS = {"instance": _cmd_instance, "count": _cmd_count, "histogram": _cmd_histogram, "bp": _cmd_bp}


def run_sample(args) -> int:
    """Run a parsed ``replica sample`` command; returns the exit code.

    0: done; 1: BP did not converge (``bp``); bad input raises ``ValueError`` with a
    one-line message (the ``replica`` entry point prints it and exits with 2).
    """
    try:
        return _COMMANDS[args.sample_command](args)
    except MemoryError:
        raise ValueError("not enough memory for an instance of this size") from None
    except TypeError as e:  # e.g. a wrong type inside a loaded file
        raise ValueError(str(e)) from None


def main_sample(argv=None) -> int:
    """``replica sample ...`` (argv without the word ``replica``): the ``replica`` entry point.

    Returns the exit code: 0 ok, 1 BP not converged, 2 bad input (one line on stderr).
    """
    from .cli import main

    return main(argv)
