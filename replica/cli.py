"""The ``replica`` command: a thin layer over the public API.

Bad input gives one readable line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings

from . import __version__
from .models import perceptron
from .solve import ConvergenceWarning, SaddlePoint, solve

__all__ = ["main"]


class UsageError(Exception):
    """Bad command-line input (exit code 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage dump
        raise UsageError(f"{self.prog}: {message}")


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None


def _saddle_json(sp: SaddlePoint) -> dict:
    order = dict(sp.order)
    for name in ("qhat",):  # conjugates eliminated analytically are observables
        if name not in order and name in sp.observables:
            order[name] = sp.observables[name]
    return {
        "entropy": sp.free_entropy,
        "order": order,
        "observables": dict(sp.observables),
        "success": sp.success,
        "residual": sp.residual,
        "step": sp.step,
        "quad_error": sp.quad_error,
        "method": sp.method,
        "message": sp.message,
    }


def _print_table(rows):
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        if isinstance(v, float):
            v = f"{v:.12g}"
        print(f"{k:<{width}}  {v}")


def _cmd_gardner(args) -> int:
    spec = perceptron.Gardner(alpha=args.alpha, weights=args.weights, kappa=args.kappa)
    sp = solve(spec)
    out = {"model": "gardner", "alpha": spec.alpha, "weights": spec.weights, "kappa": spec.kappa}
    out.update(_saddle_json(sp))
    if args.json:
        print(json.dumps(out, indent=1))
    else:
        rows = [("model", f"Gardner volume, {spec.weights} weights, RS"), ("alpha", spec.alpha), ("kappa", spec.kappa),
                ("entropy", sp.free_entropy)]
        rows += [(k, v) for k, v in out["order"].items()]
        rows += [(k, v) for k, v in sp.observables.items() if k not in out["order"] and k != "entropy"]
        rows += [("success", sp.success), ("residual", sp.residual), ("quad_error", sp.quad_error), ("message", sp.message)]
        _print_table(rows)
    return 0 if sp.success else 1


def _cmd_capacity(args) -> int:
    cap = perceptron.capacity(args.weights, args.kappa)
    out = cap.to_dict()
    if args.json:
        print(json.dumps(out, indent=1))
    else:
        _print_table([(k, v) for k, v in out.items() if k != "order"] + list(out["order"].items()))
    return 0 if cap.success else 1


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="replica", description="Replica theory of learning with binary synapses.")
    p.add_argument("--version", action="version", version=f"replica {__version__}")
    sub = p.add_subparsers(dest="command", parser_class=_Parser, required=True, metavar="COMMAND")

    g = sub.add_parser("gardner", help="RS Gardner volume (entropy of solutions) of the perceptron")
    g.add_argument("--alpha", type=_float, required=True, help="load P/N (>= 0)")
    g.add_argument("--weights", choices=perceptron.WEIGHTS, default="binary")
    g.add_argument("--kappa", type=_float, default=0.0, help="margin (>= 0), default 0")
    g.add_argument("--json", action="store_true", help="print JSON")
    g.set_defaults(run=_cmd_gardner)

    c = sub.add_parser("capacity", help="storage capacity alpha_c of the perceptron")
    c.add_argument("--weights", choices=perceptron.WEIGHTS, default="binary")
    c.add_argument("--kappa", type=_float, default=0.0, help="margin (>= 0), default 0")
    c.add_argument("--json", action="store_true", help="print JSON")
    c.set_defaults(run=_cmd_capacity)
    return p


def main(argv=None) -> int:
    """Entry point; returns the exit code (0 ok, 1 not converged, 2 bad input)."""
    try:
        args = _parser().parse_args(argv)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # reported in the output
            return args.run(args)
    except UsageError as e:
        print(str(e), file=sys.stderr)
        return 2
    except ValueError as e:
        print(f"replica: error: {e}", file=sys.stderr)
        return 2


def main_exit() -> None:
    """Console-script wrapper: exit with :func:`main`'s code."""
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    main_exit()
