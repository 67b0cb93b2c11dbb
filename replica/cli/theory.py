"""The theory commands: ``gardner``, ``capacity``, ``committee``, ``franz-parisi``, ``local-entropy``.

::

    replica gardner       --alpha A [--weights binary|spherical] [--kappa K] [--json]
    replica capacity      [--model perceptron|committee] [--weights W] [--activation F] [--k K]
                          [--kappa K] [--rsb 0|1] [--json]
    replica committee     --alpha A [--activation relu|sign|linear] [--weights W] [--k K] [--kappa K] [--json]
    replica franz-parisi  --alpha A --d D [D ...] [--kappa K] [--activation F] [--json | --csv FILE] [--plot FILE]
    replica local-entropy (the same) [--y Y|inf] [--reference free|solution]

Exit codes: 0 converged, 1 a point did not converge, 2 bad input (one line on stderr).
"""

from __future__ import annotations

import json
import math

from ..models import franz_parisi, local_entropy, perceptron
from ..solve import SaddlePoint, solve
from ..sweep import Curve
from .common import parse_float, print_table

__all__ = ["add_theory_parsers"]


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
        print_table(rows)
    return 0 if sp.success else 1


def _json_number(v):
    """JSON has no inf: an infinite capacity is written as the string "inf"."""
    return "inf" if isinstance(v, float) and math.isinf(v) else v


def _cmd_capacity(args) -> int:
    if args.rsb == 1 and (args.model != "committee" or (args.weights or "spherical") != "spherical"):
        raise ValueError("--rsb 1: the 1RSB capacity is available for --model committee --weights spherical only")
    k = None
    if args.model == "committee":
        from ..models import committee, committee_1rsb, committee_finite

        k = _committee_k(args.k)
        if k is not None and args.rsb == 1:
            raise ValueError("--rsb 1 is available at --k inf only")
        if k is not None:
            _finite_k_margin(args.kappa)
            cap = committee_finite.capacity(args.activation or "sign", k, args.weights or "spherical")
        elif args.rsb == 1:
            cap = committee_1rsb.capacity_1rsb(args.activation or "relu", args.kappa)
        else:
            cap = committee.capacity(args.activation or "relu", args.weights or "spherical", args.kappa)
    else:
        if args.activation is not None:
            raise ValueError("--activation needs --model committee")
        cap = perceptron.capacity(args.weights or "binary", args.kappa)
    out = {"model": args.model, "rsb": args.rsb}
    if args.model == "committee":
        out["k"] = "inf" if k is None else k
    out.update({key: _json_number(v) for key, v in cap.to_dict().items()})
    if args.json:
        print(json.dumps(out, indent=1))
    else:
        print_table([(k, v) for k, v in out.items() if k != "order"] + list(out.get("order", {}).items()))
    return 0 if cap.success else 1


def _committee_k(text) -> int | None:
    """``--k``: None for the large-K theory (``inf``, the default), else the integer K."""
    if text is None or text.strip().lower() in ("inf", "infinity"):
        return None
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"--k must be an integer (1 or 3 for sign, 2 for relu) or inf, got {text!r}") from None


def _finite_k_margin(kappa: float) -> None:
    if kappa != 0:
        raise ValueError(f"--kappa must be 0 at finite K (no margin in the finite-K theory), got {kappa!r}")


def _cmd_committee(args) -> int:
    from ..models import committee, committee_finite

    k = _committee_k(args.k)
    if k is None:
        spec = committee.LargeKCommittee(alpha=args.alpha, activation=args.activation, weights=args.weights,
                                         kappa=args.kappa)
    else:
        _finite_k_margin(args.kappa)
        spec = committee_finite.FiniteKCommittee(alpha=args.alpha, k=k, activation=args.activation,
                                                 weights=args.weights)
    sp = solve(spec)
    out = {"model": "committee", "k": "inf" if k is None else k, "activation": spec.activation, "alpha": spec.alpha,
           "weights": spec.weights, "kappa": spec.kappa}
    out.update(_saddle_json(sp))
    if args.json:
        print(json.dumps(out, indent=1))
    else:
        rows = [("model", f"tree committee, K = {out['k']}, {spec.activation}, {spec.weights} weights, RS"),
                ("alpha", spec.alpha), ("kappa", spec.kappa), ("entropy", sp.free_entropy)]
        rows += list(out["order"].items())
        rows += [(k, v) for k, v in sp.observables.items() if k not in out["order"] and k != "entropy"]
        rows += [("success", sp.success), ("residual", sp.residual), ("quad_error", sp.quad_error),
                 ("message", sp.message)]
        print_table(rows)
    return 0 if sp.success else 1


def _y_value(text: str) -> float:
    if text.strip().lower() in ("inf", "infinity"):
        return math.inf
    return parse_float(text)


def _emit_curve(curve: Curve, args, title: str, label: str, bound: bool = True) -> int:
    """Print/write a curve of the entropy ``label`` (column ``local_entropy``) against ``d``:
    JSON, CSV, table, plot."""
    if args.csv:
        curve.to_csv(args.csv)
    if args.plot:
        _plot_curve(curve, args.plot, title, label, bound)
    if args.json:
        print(curve.to_json())
    elif not args.csv:
        s = curve.column("local_entropy")
        print(f"# {title}")
        print(f"{'d':>12}  {label:>16}  {'H2(d)':>10}  success")
        for d, v, p in zip(curve.values, s, curve.points):
            h2 = -d * math.log(d) - (1 - d) * math.log(1 - d) if d < 0.5 else math.log(2)
            value = f"{v:16.10f}" if p.success else f"{'--':>16}"
            print(f"{d:12.6g}  {value}  {h2:10.6f}  {p.success}" + ("" if p.success else f"  ({p.message[:120]})"))
    return 0 if curve.success.all() else 1


_TEX_LABELS = {"S_FP(d)": r"$S_{\rm FP}(d)$", "S_I(d)": r"$S_I(d)$"}


def _plot_curve(curve: Curve, path: str, title: str, label: str, bound: bool) -> None:
    import os

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from .. import plotting

    with plotting.style():
        fig, ax = plt.subplots()
        ax.plot(curve.values, curve.column("local_entropy"), "o-", ms=3, label=title)
        if bound:
            d = np.linspace(1e-4, 0.5, 400)
            ax.plot(d, -d * np.log(d) - (1 - d) * np.log(1 - d), "k--", lw=1, label=r"$H_2(d)$")
        ax.axhline(0.0, color="0.6", lw=0.8)
        ax.set_xlabel("$d$")
        ax.set_ylabel(_TEX_LABELS.get(label, label))
        ax.legend()
        stem, ext = os.path.splitext(path)
        if ext.lower() in (".png", ".pdf", ".svg"):
            folder = os.path.dirname(path)
            if folder:
                os.makedirs(folder, exist_ok=True)
            fig.savefig(path)
        else:
            plotting.save(fig, path)
        plt.close(fig)


def _model_title(activation: str) -> str:
    return "binary perceptron" if activation == "linear" else f"large-K {activation} committee, binary weights"


def _cmd_franz_parisi(args) -> int:
    curve = franz_parisi.franz_parisi_curve(args.alpha, args.d, kappa=args.kappa, activation=args.activation)
    return _emit_curve(curve, args, f"Franz-Parisi S_FP(d), {_model_title(args.activation)}, alpha={args.alpha:g}",
                       "S_FP(d)")


def _cmd_local_entropy(args) -> int:
    curve = local_entropy.local_entropy_curve(args.alpha, args.d, y=args.y, reference=args.reference, kappa=args.kappa,
                                              activation=args.activation)
    return _emit_curve(curve, args, f"local entropy S_I(d), {_model_title(args.activation)}, alpha={args.alpha:g}, "
                                    f"y={args.y:g}, {args.reference} reference", "S_I(d)")


def _curve_options(parser) -> None:
    parser.add_argument("--alpha", type=parse_float, required=True, help="load P/N")
    parser.add_argument("--d", type=parse_float, nargs="+", required=True, metavar="D", help="distances in (0, 1/2]")
    parser.add_argument("--kappa", type=parse_float, default=0.0, help="margin (>= 0), default 0")
    parser.add_argument("--activation", choices=("linear", "relu", "sign"), default="linear",
                        help="linear: the binary perceptron (default); relu, sign: the large-K tree committee "
                             "with binary weights and that hidden activation")
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON (arrays d, local_entropy, success, order parameters)")
    out.add_argument("--csv", metavar="FILE", help="write the curve as CSV")
    parser.add_argument("--plot", metavar="FILE", help="plot (FILE.png/.pdf, or both for a stem without extension)")


def add_theory_parsers(sub) -> None:
    """Add ``gardner``, ``capacity``, ``committee``, ``franz-parisi`` and ``local-entropy``.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The subcommand parsers of the ``replica`` command; each command sets ``run``.
    """
    g = sub.add_parser("gardner", help="RS Gardner volume (entropy of solutions) of the perceptron")
    g.add_argument("--alpha", type=parse_float, required=True, help="load P/N (>= 0)")
    g.add_argument("--weights", choices=perceptron.WEIGHTS, default="binary")
    g.add_argument("--kappa", type=parse_float, default=0.0, help="margin (>= 0), default 0")
    g.add_argument("--json", action="store_true", help="print JSON")
    g.set_defaults(run=_cmd_gardner)

    c = sub.add_parser("capacity", help="storage capacity alpha_c of the perceptron or of a committee machine")
    c.add_argument("--model", choices=("perceptron", "committee"), default="perceptron")
    c.add_argument("--weights", choices=perceptron.WEIGHTS, default=None,
                   help="binary or spherical (default: binary for the perceptron, spherical for a committee)")
    c.add_argument("--activation", choices=("relu", "sign", "linear"), default=None,
                   help="committee hidden units (default relu)")
    c.add_argument("--k", metavar="K", default=None,
                   help="committee hidden units: inf (default, the large-K theory), or 1, 3 (sign), 2 (relu)")
    c.add_argument("--kappa", type=parse_float, default=0.0, help="margin (>= 0), default 0")
    c.add_argument("--rsb", type=int, choices=(0, 1), default=0,
                   help="0: replica-symmetric (default); 1: 1RSB SAT/UNSAT (committee, spherical weights)")
    c.add_argument("--json", action="store_true", help="print JSON")
    c.set_defaults(run=_cmd_capacity)

    cm = sub.add_parser("committee", help="tree committee machine, large K or K = 1, 2, 3 (ReLU, sign or linear "
                                          "units), RS")
    cm.add_argument("--activation", choices=("relu", "sign", "linear"), default="relu")
    cm.add_argument("--weights", choices=perceptron.WEIGHTS, default="spherical")
    cm.add_argument("--alpha", type=parse_float, required=True, help="load P/N (N: all the weights)")
    cm.add_argument("--k", metavar="K", default=None,
                    help="hidden units: inf (default, the large-K theory), or 1, 3 (sign), 2 (relu)")
    cm.add_argument("--kappa", type=parse_float, default=0.0, help="margin (>= 0), default 0")
    cm.add_argument("--json", action="store_true", help="print JSON")
    cm.set_defaults(run=_cmd_committee)

    f = sub.add_parser("franz-parisi", help="Franz-Parisi entropy around typical solutions (binary perceptron or "
                                            "large-K committee, RS)")
    _curve_options(f)
    f.set_defaults(run=_cmd_franz_parisi)

    le = sub.add_parser("local-entropy", help="local-entropy large deviations (dense regions), binary perceptron or "
                                             "large-K committee")
    _curve_options(le)
    le.add_argument("--y", type=_y_value, default=math.inf, metavar="Y|inf", help="large-deviation parameter (default inf)")
    le.add_argument("--reference", choices=local_entropy.REFERENCES, default="free",
                    help="whether the reference must be a solution (default free; 'solution': the perceptron only)")
    le.set_defaults(run=_cmd_local_entropy)
