"""The local-entropy model specs: :class:`LocalEntropy` (distance ``d``) and
:class:`RobustEnsemble` (coupling ``gamma``), their checks and the theory each point uses.

The free entropies are in :mod:`.theory`; where the saddle points are started, in
:mod:`.starts`; curves along ``d``, in :mod:`.curves`.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from ... import _validate
from ...quadrature import QuadratureOptions
from ...solve import solve
from ...symbolic import FreeEntropy
from .. import committee
from ..base import ModelSpec
from . import starts, theory

__all__ = ["LocalEntropy", "RobustEnsemble", "REFERENCES", "check"]

REFERENCES = ("free", "solution")


def check(alpha, d, y, reference, kappa, activation="linear"):
    _validate.choice("activation", activation, committee.ACTIVATIONS)
    _validate.real("alpha", alpha, lower=0.0)
    _validate.real("d", d, lower=0.0, upper=0.5, lower_open=True)
    if not (isinstance(y, (int, float)) and y == math.inf):
        _validate.real("y", y, lower=0.0, lower_open=True)
    _validate.choice("reference", reference, REFERENCES)
    _validate.real("kappa", kappa, lower=0.0)


def _require_free(reference: str) -> None:
    """The robust ensemble exists for the free reference only: say so plainly."""
    if reference != "free":
        raise ValueError("reference must be 'free' for the robust ensemble; got 'solution'")


def _require_linear(reference: str, activation: str) -> None:
    """The constrained reference is implemented for the perceptron only."""
    if reference == "solution" and activation != "linear":
        raise ValueError(
            f"reference='solution' is available for the perceptron (activation='linear') only; got "
            f"activation={activation!r}: use reference='free' for the committee"
        )



@dataclass(frozen=True)
class LocalEntropy(ModelSpec):
    """Local-entropy large deviations at distance ``d``, binary perceptron.

    Parameters
    ----------
    alpha : float
        Load ``>= 0``.
    d : float
        Distance, in ``(0, 1/2]``.
    y : float
        Large-deviation parameter, ``> 0`` or ``math.inf`` (its own scaling limit).
    reference : {"free", "solution"}
        Whether the reference must itself be a solution (perceptron only).  At ``y = inf``
        its saddle point is found from the free one at ``0.6 d*``; at finite ``y`` from
        stored anchors at ``y = 5`` (see :func:`local_entropy_curve` for its branch).
    kappa : float
        Margin ``>= 0``.
    activation : {"linear", "relu", "sign"}
        ``"linear"`` (default): the binary perceptron.  ``"relu"``, ``"sign"``: the
        large-K tree committee with binary weights (free reference only), whose patterns
        see the output overlaps ``Q_K(q)`` (:func:`~replica.models.committee.kernel_pair`).

    Observables: ``local_entropy`` (``S_I``), ``external_entropy``, ``slope``
    (``d S_I/d d`` at ``y = inf``; ``d phi/d d`` at finite ``y``), ``H2``.

    Examples
    --------
    >>> from replica import LocalEntropy, solve
    >>> sp = solve(LocalEntropy(alpha=0.5, d=0.15))
    >>> sp.success, round(sp["local_entropy"], 7)
    (True, 0.2784875)
    """

    alpha: float
    d: float
    y: float = math.inf
    reference: str = "free"
    kappa: float = 0.0
    activation: str = "linear"

    def __post_init__(self):
        check(self.alpha, self.d, self.y, self.reference, self.kappa, self.activation)
        _require_linear(self.reference, self.activation)

    @property
    def is_limit(self) -> bool:
        return self.y == math.inf

    @property
    def on_plateau(self) -> bool:
        """Free reference, ``y = inf`` and ``d >= d*``: the flat part ``S_I = s(alpha)``."""
        return (self.reference == "free" and self.is_limit
                and self.d >= starts.gardner_end_point(self.alpha, self.kappa, self.activation)[0])

    @property
    def quadrature(self) -> QuadratureOptions | None:
        """Rules of the finite-``y`` constrained theory (3-level nested integrals); default else."""
        return theory.SOLUTION_Y_QUAD if (self.reference == "solution" and not self.is_limit) else None

    def free_entropy(self) -> FreeEntropy:
        if self.reference == "solution":
            if self.is_limit:
                return theory.solution_reference_inf_free_entropy()
            return theory.solution_reference_free_entropy()
        if self.on_plateau:
            return theory.gardner_plateau_free_entropy(self.activation)
        if self.is_limit:
            return theory.free_reference_inf_free_entropy(self.activation)
        return theory.free_reference_free_entropy(self.activation)

    def initial_guess(self):
        if self.reference == "solution":
            return starts.solution_inf_guess(self) if self.is_limit else starts.solution_y_guess(self)
        if self.on_plateau:
            return dict(committee.typical_saddle(float(self.alpha), float(self.kappa), self.activation).order)
        if self.is_limit:
            return starts.inf_branch_guess(self)
        limit = dataclasses.replace(self, y=math.inf)
        if limit.on_plateau:
            return starts.plateau_finite_guess(self)
        inf = solve(limit)
        return starts.down_in_y(self, lambda y0: starts.finite_from_inf(inf.order, y0))


@dataclass(frozen=True)
class RobustEnsemble(ModelSpec):
    """Robust ensemble: ``y`` replicas coupled to a centre by ``gamma`` (soft distance).

    The Legendre transform of :class:`LocalEntropy` in the distance: solving it at
    ``gamma`` gives the distance ``d(gamma)`` and ``S_I(d(gamma))``, with
    ``phat(d(gamma)) = gamma``.

    Parameters
    ----------
    alpha : float
    gamma : float
        Coupling (real; the distance decreases as it grows).
    y : float
        Number of replicas (real ``> 0``) or ``math.inf``.
    reference : {"free"}
    kappa : float
    activation : {"linear", "relu", "sign"}
        As in :class:`LocalEntropy` (``"linear"``: the perceptron).
    """

    alpha: float
    gamma: float
    y: float = math.inf
    reference: str = "free"
    kappa: float = 0.0
    activation: str = "linear"

    def __post_init__(self):
        check(self.alpha, 0.25, self.y, self.reference, self.kappa, self.activation)
        _validate.real("gamma", self.gamma)
        _require_free(self.reference)

    @property
    def is_limit(self) -> bool:
        return self.y == math.inf

    def free_entropy(self) -> FreeEntropy:
        if self.is_limit:
            return theory.robust_ensemble_inf_free_entropy(self.activation)
        return theory.robust_ensemble_free_entropy(self.activation)

    def initial_guess(self):
        return starts.robust_ensemble_guess(self)
