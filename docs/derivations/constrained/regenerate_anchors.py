"""Regenerate and check the stored finite-y anchors of the constrained-reference theory.

``anchors_y5.json`` holds the converged saddle points at ``y = 5``, ``d = 0.15``,
``alpha = 0.5, 0.7`` (raw order parameters ``[Q, Qhat, phat, t, that, q0, qhat0, q1,
qhat1]``) that ``replica.models.local_entropy`` keeps as ``_SOLUTION_Y_ANCHORS``: the
starting points of every finite-y constrained computation (continuation in alpha, d, y
from there).  Newton from the y = inf scaling ansatz does not reach them (the reference's
conjugates carry large finite-y corrections), hence the stored values.

Two independent routes:

1. ``--scratch``: the independent solver ``lecons.py`` (no ``replica`` import) re-solves
   each anchor by continuation in ``y`` from the tabulated saddle at ``y = 4`` (or from the
   anchor perturbed by 2% with ``--perturbed``) and compares with the json;
   ``--write`` stores what it finds.
2. ``--replica``: the package's theory (``LocalEntropy(alpha, 0.15, 5.0, "solution")``)
   evaluated at the stored values: the gradient there (the docstring's claim is
   ``|grad| < 1e-11``), then ``replica.solve`` from them and the change of every raw
   order parameter, of ``phi`` and of ``S_I``.

Run from the repository root: ``python docs/derivations/constrained/regenerate_anchors.py``
(both routes; about 2 minutes for the scratch route, 1 minute for the replica route).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ANCHORS = os.path.join(HERE, "anchors_y5.json")
sys.path.insert(0, HERE)


def load():
    with open(ANCHORS) as fh:
        return json.load(fh)


def coords_from_raw(par, d):
    """Coordinates of replica's finite-y constrained theory from the raw order parameters
    (Sec. 3.3 of constrained_reference.md)."""
    Q, Qh, ph, t, th, q0, qh0, q1, qh1 = map(float, par)
    p = 1 - 2 * d
    cx = (p - t) / math.sqrt(q1 - q0)
    return {"phat": ph, "q1": q1, "dq1": q1 - q0, "qhat0": qh0, "dqhat1": qh1 - qh0, "that": th,
            "s2": Qh - th * th / qh0, "cx": cx, "e2": 1 - Q - cx * cx}


def raw_from_saddle(sp):
    o = sp.order
    return [sp["Q"], sp["Qhat"], o["phat"], sp["t"], o["that"], sp["q0"], o["qhat0"], o["q1"], sp["qhat1"]]


def scratch(data, perturbed=False, write=False):
    import lecons

    d, y = data["d"], data["y"]
    rows = lecons.load_rows()
    worst = 0.0
    for a, anc in data["anchors"].items():
        alpha = float(a)
        if perturbed:
            start = [v * f for v, f in zip(anc["par"], (1.0, 1.02, 0.98, 1.0, 1.02, 1.0, 0.98, 1.0, 1.02))]
            path = [y]
            how = "anchor perturbed by 2% in the conjugates"
        else:
            ys = sorted(k[2] for k in rows if k[:2] == (alpha, d) and k[2] < y)
            start = rows[(alpha, d, ys[-1])]["par"]
            path = [0.5 * (ys[-1] + y), y]
            how = f"tabulated saddle at y = {ys[-1]}, continuation through y = {path[0]}"
        for yy in path:
            res = lecons.solve_point(alpha, d, yy, start)
            start = res["par"]
        dpar = max(abs(u - v) for u, v in zip(res["par"], anc["par"]))
        dphi, dsi = res["phi"] - anc["phi"], res["SI"] - anc["local_entropy"]
        worst = max(worst, dpar, abs(dphi), abs(dsi))
        print(f"[scratch] alpha = {alpha}: start {how}; converged={res['ok']} |grad| = {res['grad']:.1e}; "
              f"max |par - stored| = {dpar:.1e}, phi - stored = {dphi:.1e}, S_I - stored = {dsi:.1e}", flush=True)
        if write:
            anc.update(phi=res["phi"], local_entropy=res["SI"], par=res["par"])
    if write:
        with open(ANCHORS, "w") as fh:
            json.dump(data, fh, indent=1)
        print("written", ANCHORS)
    return worst


def with_replica(data):
    import replica
    from replica.compile import compiled_theory
    from replica.models.local_entropy import LocalEntropy

    d, y = data["d"], data["y"]
    worst = 0.0
    for a, anc in data["anchors"].items():
        spec = LocalEntropy(float(a), d, y, "solution")
        theory = spec.free_entropy()
        init = coords_from_raw(anc["par"], d)
        x = np.array([init[k] for k in theory.order_names])
        _, grad = compiled_theory(theory).value_and_gradient(x, spec.parameter_values(), spec.quadrature)
        sp = replica.solve(spec, init=init)
        dpar = max(abs(u - v) for u, v in zip(raw_from_saddle(sp), anc["par"]))
        dphi, dsi = sp.free_entropy - anc["phi"], sp["local_entropy"] - anc["local_entropy"]
        worst = max(worst, float(np.max(np.abs(grad))), dpar, abs(dphi), abs(dsi))
        print(f"[replica] alpha = {a}: |grad| at the stored values = {np.max(np.abs(grad)):.1e}; solve: "
              f"success={sp.success}, residual {sp.residual:.1e}, quad_error {sp.quad_error:.1e}; "
              f"max |par - stored| = {dpar:.1e}, phi - stored = {dphi:.1e}, S_I - stored = {dsi:.1e}", flush=True)
    return worst


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scratch", action="store_true", help="independent solver only")
    ap.add_argument("--replica", action="store_true", help="package theory only")
    ap.add_argument("--perturbed", action="store_true", help="scratch route from the perturbed anchor")
    ap.add_argument("--write", action="store_true", help="store the scratch solver's values in the json")
    ap.add_argument("--tol", type=float, default=1e-9)
    args = ap.parse_args(argv)
    both = not (args.scratch or args.replica)
    data = load()
    worst = 0.0
    if args.scratch or both:
        worst = max(worst, scratch(data, args.perturbed, args.write))
    if args.replica or both:
        worst = max(worst, with_replica(data))
    print(f"largest difference / gradient: {worst:.1e} (tolerance {args.tol:g})")
    return 0 if worst < args.tol else 1


if __name__ == "__main__":
    raise SystemExit(main())
