"""Local-entropy large deviations of the binary perceptron and of large-K committees: the
dense regions (Baldassi et al., PRL 115, 128101 (2015); PNAS 113, E7655 (2016)).

The package keeps the theory apart from the navigation:

* :mod:`.theory`: the free entropies (sympy only): free and constrained reference,
  ``y = inf`` (own scaling limit) and finite ``y``, the robust ensemble;
* :mod:`.spec`: the model specs :class:`LocalEntropy` and :class:`RobustEnsemble`;
* :mod:`.starts`: where the saddle points are started (anchors, homotopies);
* :mod:`.curves`: curves along ``d`` with their branch ends, and ``alpha_U``.

The equations, their derivation and checks: docs/derivations/ (see
:mod:`.theory`).
"""

from .curves import local_entropy_curve, monotonicity_threshold
from .spec import REFERENCES, LocalEntropy, RobustEnsemble
from .starts import gardner_end_point
from .theory import (
    free_reference_free_entropy,
    free_reference_inf_free_entropy,
    gardner_plateau_free_entropy,
    robust_ensemble_free_entropy,
    robust_ensemble_inf_free_entropy,
    solution_reference_free_entropy,
    solution_reference_inf_free_entropy,
)

__all__ = [
    "LocalEntropy",
    "RobustEnsemble",
    "local_entropy_curve",
    "gardner_end_point",
    "monotonicity_threshold",
    "REFERENCES",
    "free_reference_inf_free_entropy",
    "gardner_plateau_free_entropy",
    "solution_reference_inf_free_entropy",
    "free_reference_free_entropy",
    "solution_reference_free_entropy",
    "robust_ensemble_inf_free_entropy",
    "robust_ensemble_free_entropy",
]
