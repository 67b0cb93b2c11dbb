"""The ``replica robustness`` command: training error of a solution after a perturbation.

::

    replica robustness --alpha A (--delta D [D ...] | --noise S [S ...])
                       [--activation linear|relu|sign] [--dense-d D] [--kappa K] [--json]

``--delta``: fraction of flipped weights (or input bits) of a binary solution; ``--noise``:
standard deviation of Gaussian noise added to each ±1 input.  The solution is typical
(the Gardner measure) or, with ``--dense-d D``, a member of the y = inf dense cloud at
distance D from the optimal reference (:func:`~replica.models.robustness.typical_local_energy`,
:func:`~replica.models.robustness.dense_local_energy`).

Exit codes: 0 every point ok, 1 a point did not converge, 2 bad input (one line on stderr).
"""

from __future__ import annotations

import json

from ..models import robustness
from .common import parse_float

__all__ = ["add_robustness_parser"]


def _run(args) -> int:
    kind, values = ("noise", args.noise) if args.noise is not None else ("delta", args.delta)
    results = []
    for v in values:
        kw = {kind: v, "activation": args.activation, "kappa": args.kappa}
        if args.dense_d is None:
            results.append(robustness.typical_local_energy(args.alpha, **kw))
        else:
            results.append(robustness.dense_local_energy(args.alpha, args.dense_d, **kw))
    if args.json:
        print(json.dumps({
            kind: [float(v) for v in values],
            "training_error": [r.value if r.success else None for r in results],
            "quad_error": [r.error if r.success else None for r in results],
            "equivalent_delta": [r.delta for r in results],
            "rho": [r.rho for r in results],
            "Q": [r.Q for r in results],
            "success": [r.success for r in results],
            "message": [r.message for r in results],
        }, indent=1))
    else:
        where = "typical solution" if args.dense_d is None else f"dense region, d = {args.dense_d:g}"
        print(f"# {args.activation}, alpha = {args.alpha:g}, {where}")
        print(f"{kind:>10}  {'error':>14}  {'quad_error':>10}  ok")
        for v, r in zip(values, results):
            print(f"{v:>10.6g}  {r.value:>14.10f}  {r.error:>10.1e}  {'yes' if r.success else 'no: ' + r.message}")
    return 0 if all(r.success for r in results) else 1


def add_robustness_parser(sub) -> None:
    """Add the ``robustness`` command (``run`` set).

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The subcommand parsers of the ``replica`` command.
    """
    r = sub.add_parser("robustness", help="training error of a binary solution after flipping a fraction of its "
                                          "weights or adding Gaussian input noise (perceptron or large-K committee)")
    r.add_argument("--alpha", type=parse_float, required=True, help="load P/N (>= 0, below the capacity)")
    what = r.add_mutually_exclusive_group(required=True)
    what.add_argument("--delta", type=parse_float, nargs="+", metavar="D",
                      help="fraction of flipped weights (or input bits), in [0, 1/2]")
    what.add_argument("--noise", type=parse_float, nargs="+", metavar="S",
                      help="standard deviation of Gaussian noise on the ±1 inputs (>= 0)")
    r.add_argument("--activation", choices=("linear", "relu", "sign"), default="linear",
                   help="linear: the perceptron (default); relu, sign: the large-K tree committee")
    r.add_argument("--dense-d", type=parse_float, default=None, metavar="D",
                   help="a solution of the y = inf dense region of radius D instead of a typical one")
    r.add_argument("--kappa", type=parse_float, default=0.0, help="margin of the solution (>= 0), default 0")
    r.add_argument("--json", action="store_true", help="print JSON")
    r.set_defaults(run=_run)
