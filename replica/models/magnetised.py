"""Solutions at a fixed distance from a random reference: the Gardner volume with a field.

The worked example of docs/adding_a_theory.md: a new theory in one file, built from the
kit of :mod:`replica.models.terms`.  Count the solutions ``W`` of the binary storage
problem at normalised Hamming distance ``d`` from a reference ``W~`` drawn at random,
independently of the patterns.  After the gauge ``W_i -> W_i W~_i`` the overlap with the
reference is the magnetisation ``m = 1 - 2d``, and the patterns (random, hence
unaffected by the gauge) still see the replicas' overlap ``q``: only the entropic term
changes, by a field ``h`` conjugate to ``m``::

    S(d) = extr_{q, qhat, h} [ -qhat (1 - q)/2 - h m + E_z ln 2cosh(h + sqrt(qhat) z)
                               + alpha E_z ln H((kappa - sqrt(q) z)/sqrt(1 - q)) ]

with ``m = E_z tanh(h + sqrt(qhat) z)`` and ``q = E_z tanh^2(h + sqrt(qhat) z)``.
Checks (tests/test_magnetised.py): at ``alpha = 0`` it is ``H2(d)``, at ``d = 1/2``
(``h = 0``) the Gardner entropy, and ``dS/dd = 2h`` (envelope theorem); the sampler's
exact enumeration counts the same solutions at small N (paper_checks/sampler_vs_theory.py).

References
----------
E. Gardner and B. Derrida, J. Phys. A 21, 271 (1988), eq. (17) (the Gardner volume;
here with a uniform field on the weights, as for a magnetised prior).
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import sympy as sp

from .. import _validate
from ..solve import solve
from ..sweep import Homotopy
from ..symbolic import POSITIVE, REAL, UNIT, FreeEntropy, GaussE, Log2Cosh
from . import terms as T
from .base import ModelSpec
from .perceptron import Gardner

__all__ = ["MagnetisedGardner", "magnetised_free_entropy"]

_h = T.symbol("h")  # the field conjugate to the overlap with the reference


@functools.lru_cache(maxsize=None)
def magnetised_free_entropy() -> FreeEntropy:
    """RS entropy of the binary storage problem at distance ``d`` from a random vector
    (module docstring); order parameters ``q, qhat, h``; parameters ``alpha, kappa, d``.

    References
    ----------
    Gardner and Derrida, J. Phys. A 21, 271 (1988), eq. (17), with a field on the weights.
    """
    m = 1 - 2 * T.d
    arg = _h + sp.sqrt(T.qhat) * T.z
    feature = [(-_h / sp.sqrt(T.qhat), 1 / sp.sqrt(T.qhat))]  # the kink of ln 2cosh at arg = 0
    entropic = -T.qhat * (1 - T.q) / 2 - _h * m + GaussE(Log2Cosh(arg), T.z, feature, integrate_by_parts=True)
    expr = entropic + T.channel("linear").energetic()
    return FreeEntropy(
        name="gardner-binary-fixed-distance-random-reference",
        expr=expr,
        order=(T.q, T.qhat, _h),
        params=(T.alpha, T.kappa, T.d),
        observables={"entropy": expr, "overlap": GaussE(sp.tanh(arg), T.z, feature), "slope": 2 * _h},
        domains={T.q: UNIT, T.qhat: POSITIVE, _h: REAL},
    )


@dataclass(frozen=True)
class MagnetisedGardner(ModelSpec):
    """Solutions at distance ``d`` from a random ``+-1`` reference (RS, binary weights).

    Parameters
    ----------
    alpha : float
        Load ``P/N``, ``>= 0``.
    d : float
        Distance ``(1 - overlap)/2`` from the reference, in ``(0, 1/2]``.
    kappa : float
        Margin, ``>= 0``.

    Observables: ``entropy`` (log-number of such solutions per weight), ``overlap`` (the
    ``m`` of the saddle point, equal to ``1 - 2d``), ``slope`` (``dS/dd = 2h``).  The
    entropy decreases with ``d`` and turns negative below a distance ``d_0(alpha)``
    (``alpha = 0.5``: between 0.2 and 0.22); a little further down the RS branch ends
    (``q -> 1``) and :func:`~replica.solve.solve` reports no converged saddle point.

    Examples
    --------
    >>> import math
    >>> from replica import solve
    >>> sp = solve(MagnetisedGardner(alpha=0.0, d=0.2))        # no patterns: H2(d)
    >>> round(sp.free_entropy, 12) == round(-0.2 * math.log(0.2) - 0.8 * math.log(0.8), 12)
    True
    """

    alpha: float
    d: float
    kappa: float = 0.0

    def __post_init__(self):
        _validate.real("alpha", self.alpha, lower=0.0)
        _validate.real("d", self.d, lower=0.0, upper=0.5, lower_open=True)
        _validate.real("kappa", self.kappa, lower=0.0)

    def free_entropy(self) -> FreeEntropy:
        return magnetised_free_entropy()

    def initial_guess(self):
        # At d = 1/2 the reference does not constrain the solutions: h = 0 and (q, qhat)
        # are the Gardner saddle's.  From there, follow d down to the target.
        typical = {**solve(Gardner(alpha=self.alpha, kappa=self.kappa)).order, "h": 0.0}
        if self.d == 0.5:
            return typical
        return Homotopy(dataclasses.replace(self, d=0.5), "d", [0.5, self.d], init=typical, max_step=0.05)
