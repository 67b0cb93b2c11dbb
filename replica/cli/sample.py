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
(:mod:`replica.sampler.committee`, :mod:`replica.sampler.committee_bp`).  Every command
takes ``--json``.  Bad input gives one readable line on stderr and exit code 2; ``bp``
exits with 1 when BP did not converge.
"""

from __future__ import annotations

import argparse
import json
import math
import warnings

import numpy as np

from ..errors import ConvergenceWarning
from .common import (add_instance_options, describe_instance, emit, finite_or_none, instance_from_args,
                     local_entropy_json, parse_float, parse_int, print_local_entropy)

__all__ = ["add_sample_parser", "run_sample"]

REFERENCES_HIST = ("solution", "random")
REFERENCES_BP = ("random", "teacher", "solution")


# --- parser ------------------------------------------------------------------------------


def _committee_options(p) -> None:
    p.add_argument("--k", type=parse_int, default=None, metavar="K",
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
    add_instance_options(i, from_file=False)
    i.add_argument("--save", metavar="FILE.npz", help="write the instance to FILE.npz")

    c = sub.add_parser("count", help="exact number of solutions and entropy ln(count)/N (N <= 34)")
    add_instance_options(c, from_file=True)
    _committee_options(c)

    h = sub.add_parser("histogram", help="exact number of solutions at each Hamming distance from a reference (N <= 34)")
    add_instance_options(h, from_file=True)
    _committee_options(h)
    h.add_argument("--reference", choices=REFERENCES_HIST, default="solution",
                   help="a uniformly sampled solution (default) or a random ±1 vector, drawn with --seed")

    b = sub.add_parser("bp", help="belief propagation: Bethe entropy; with --d, local entropy around a reference")
    add_instance_options(b, from_file=True)
    _committee_options(b)
    b.add_argument("--d", type=parse_float, nargs="+", metavar="D",
                   help="distances in (0, 1/2] for the local entropy (perceptron only)")
    b.add_argument("--reference", choices=REFERENCES_BP, default="random",
                   help="reference of the local entropy: random ±1 vector (default, drawn with --seed), "
                        "the teacher (--kind teacher), or a uniformly sampled solution (N <= 34)")
    b.add_argument("--damping", type=parse_float, default=0.0, help="BP damping in [0, 1), default 0")
    b.add_argument("--tol", type=parse_float, default=1e-8, help="BP convergence threshold, default 1e-8")
    b.add_argument("--max-iter", type=parse_int, default=1000, help="maximum number of BP sweeps, default 1000")

    s.set_defaults(run=run_sample)
    return s


# --- commands ----------------------------------------------------------------------------


def _cmd_instance(args) -> int:
    inst, origin = instance_from_args(args)
    out = describe_instance(inst, origin)
    if args.save:
        try:
            out["saved"] = str(inst.save(args.save))
        except OSError as e:
            raise ValueError(f"cannot write {args.save}: {e.strerror or e}") from None
    emit(out, args, list(out.items()))
    return 0


def _cmd_count(args) -> int:
    from ..sampler import count_solutions

    inst, origin = instance_from_args(args)
    if args.k is None:
        count = count_solutions(inst)
    else:
        from ..sampler import count_committee_solutions

        count = count_committee_solutions(inst, args.k, args.activation)
    entropy = math.log(count) / inst.n if count > 0 else None
    out = {**describe_instance(inst, origin), **_committee(args), "count": count, "entropy": entropy}
    rows = list(out.items())
    if count == 0:
        rows[-1] = ("entropy", "-- (no solution: ln 0 is not reported)")
    emit(out, args, rows)
    return 0


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
        from ..sampler import count_solutions, sample_solutions
        from ..sampler.enumerate import MAX_N

        def count():
            return count_solutions(inst)

        def sample():
            return sample_solutions(inst, 1, rng=_reference_rng(seed))[0]
    else:
        from ..sampler import count_committee_solutions, sample_committee_solutions
        from ..sampler.committee import MAX_N

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
    from ..sampler import distance_histogram

    inst, origin = instance_from_args(args)
    ref = _reference(inst, args.reference, args.seed, args.k, args.activation)
    if args.k is None:
        counts = distance_histogram(inst, ref)
    else:
        from ..sampler import committee_distance_histogram

        counts = committee_distance_histogram(inst, ref, args.k, args.activation)
    n = inst.n
    log_counts = [math.log(int(c)) / n if c > 0 else None for c in counts]
    out = {**describe_instance(inst, origin), **_committee(args), "reference": args.reference,
           "reference_seed": args.seed, "count": int(counts.sum()), "d": [k / n for k in range(n + 1)],
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
    from ..sampler import local_entropy_bp, run_bp

    inst, origin = instance_from_args(args)
    opts = dict(damping=args.damping, tol=args.tol, max_iter=args.max_iter)
    if args.k is not None and args.d:
        raise ValueError("--d (the local entropy by BP) is available for the perceptron only, not with --k")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # reported in the output
        if args.k is None:
            res = run_bp(inst, **opts)
            sweeps, change = res.iterations, res.max_change
        else:
            from ..sampler import run_committee_bp

            res = run_committee_bp(inst, args.k, args.activation, **opts)
            sweeps, change = res.sweeps, res.change
        out = {**describe_instance(inst, origin), **_committee(args), "bethe_entropy": finite_or_none(res.entropy),
               "converged": bool(res.converged), "iterations": int(sweeps),
               "max_change": finite_or_none(change), "message": res.message}
        ok = res.converged
        if args.d:
            ref = _reference(inst, args.reference, args.seed)
            le = local_entropy_bp(inst, ref, d_values=args.d, **opts)
            out["local_entropy"] = {
                "reference": args.reference, "reference_seed": args.seed,
                "d_requested": [float(x) for x in args.d],
                "d": [finite_or_none(x) if c else None for x, c in zip(le.d, le.converged)],
                **local_entropy_json(le),
            }
            ok = ok and bool(np.all(le.converged))
    if args.json:
        print(json.dumps(out, indent=1))
    else:
        rows = [(k, v) for k, v in out.items() if k != "local_entropy"]
        emit(out, args, rows)
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
