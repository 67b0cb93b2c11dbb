"""The ``replica solve`` command: run a learning algorithm on a random binary perceptron.

::

    replica solve --algorithm NAME --n N --alpha A [--seed S] [--kind storage|teacher]
                  [--kappa K] [--instance FILE.npz] [--option KEY=VALUE ...]
                  [--local-entropy [--d D ...]] [--save-weights FILE.npy] [--json]

The instance is ``random_instance(N, A, rng=S, kind=..., kappa=...)``; the solver's own
random stream is ``np.random.default_rng([S, 2])`` (independent of the instance's, same
seed -> same run).  ``--option`` passes keyword arguments to the solver (values are read
as int, float, true/false or a string).  ``--local-entropy`` measures, by BP with a field
towards the weights found, the local entropy S(d) around them (:func:`local_entropy_bp`).
For a teacher instance the overlap R with the teacher and the generalisation error
arccos(R)/pi are reported.

Exit codes: 0 solved, 1 not solved (or a local-entropy point did not converge), 2 bad
input (one line on stderr).
"""

from __future__ import annotations

import json
import math
import warnings

import numpy as np

from ..errors import ConvergenceWarning
from .common import (add_instance_options, describe_instance, emit, finite_or_none, instance_from_args,
                     local_entropy_json, parse_float, print_local_entropy)

__all__ = ["add_solve_parser", "run_solve"]

DEFAULT_D = (0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3)


def _option(text: str):
    """KEY=VALUE -> (key, value) with the value read as int, float, bool or string."""
    key, sep, value = text.partition("=")
    key = key.strip().replace("-", "_")
    if not sep or not key.isidentifier():
        raise ValueError(f"--option must look like KEY=VALUE, got {text!r}")
    low = value.strip().lower()
    if low in ("true", "false"):
        return key, low == "true"
    if low in ("none", "null"):
        return key, None
    for cast in (int, float):
        try:
            return key, cast(value)
        except ValueError:
            pass
    return key, value


def _scalars(extra: dict) -> dict:
    """The JSON-able scalar entries of a solver's ``extra`` (non-finite floats -> None)."""
    out = {}
    for key, value in extra.items():
        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, float):
            out[key] = finite_or_none(value)
        elif isinstance(value, (bool, int, str)) or value is None:
            out[key] = value
    return out


def add_solve_parser(subparsers):
    """Add the ``solve`` command (``run=run_solve``).

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The subcommand parsers of the ``replica`` command.

    Returns
    -------
    argparse.ArgumentParser
        The ``solve`` parser.
    """
    from ..sampler import ALGORITHMS

    s = subparsers.add_parser("solve", help="run a learning algorithm (sa, rsa, edmc, bp-r, fbp, sbpi, cpr, "
                                            "stochastic-gd, rgd) on a random binary perceptron")
    s.add_argument("--algorithm", required=True, choices=ALGORITHMS, metavar="NAME",
                   help="one of " + ", ".join(ALGORITHMS))
    add_instance_options(s, from_file=True)
    s.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                   help="keyword argument of the solver (repeatable), e.g. --option max_epochs=500")
    s.add_argument("--local-entropy", action="store_true",
                   help="measure the BP local entropy S(d) around the weights found")
    s.add_argument("--d", type=parse_float, nargs="+", metavar="D",
                   help="distances in (0, 1/2] for --local-entropy (default " +
                        " ".join(f"{d:g}" for d in DEFAULT_D) + ")")
    s.add_argument("--save-weights", metavar="FILE.npy", help="write the weights found (int8) to FILE.npy")
    s.set_defaults(run=run_solve)
    return s


def run_solve(args) -> int:
    """Run a parsed ``replica solve`` command; returns the exit code (0 solved, 1 not)."""
    from ..sampler import local_entropy_bp, run_algorithm

    if args.d is not None and not args.local_entropy:
        raise ValueError("--d needs --local-entropy")
    options = dict(_option(text) for text in args.option)
    inst, origin = instance_from_args(args)
    try:
        res = run_algorithm(args.algorithm, inst, rng=np.random.default_rng([args.seed, 2]), **options)
    except TypeError as e:  # an --option the solver does not take
        raise ValueError(f"--option: {e}") from None
    out = {**describe_instance(inst, origin), "algorithm": res.algorithm, "solved": bool(res.solved),
           "errors": int(res.errors), "iterations": int(res.iterations), "unit": res.unit,
           "seconds": float(res.seconds), "options": options}
    if inst.teacher is not None:
        r = float(np.dot(res.weights.astype(np.float64), inst.teacher) / inst.n)
        out["teacher_overlap"] = r
        out["generalisation_error"] = math.acos(max(-1.0, min(1.0, r))) / math.pi
    ok = res.solved
    if args.local_entropy:
        d_values = list(args.d) if args.d else list(DEFAULT_D)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # reported per point
            le = local_entropy_bp(inst, res.weights, d_values=d_values)
        out["local_entropy"] = {"d": [float(d) for d in d_values], **local_entropy_json(le)}
        ok = ok and bool(np.all(le.converged))
    if args.save_weights:
        try:
            np.save(args.save_weights, res.weights.astype(np.int8))
        except OSError as e:
            raise ValueError(f"cannot write {args.save_weights}: {e.strerror or e}") from None
        out["saved_weights"] = args.save_weights
    out["extra"] = _scalars(res.extra)
    if args.json:
        out["weights"] = [int(w) for w in res.weights]
        print(json.dumps(out, indent=1))
        return 0 if ok else 1
    rows = [(k, v) for k, v in out.items() if k not in ("local_entropy", "extra", "options")]
    rows += [("options", " ".join(f"{k}={v}" for k, v in options.items()) or "(defaults)")]
    emit(out, args, rows)
    if args.local_entropy:
        print_local_entropy("BP local entropy around the weights found", out["local_entropy"]["d"],
                            out["local_entropy"])
    return 0 if ok else 1
