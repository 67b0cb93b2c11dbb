"""replica: replica and large-deviation theory of learning with discrete synapses.

Free entropies are written in sympy (:mod:`replica.symbolic`), compiled to vectorised
NumPy with Gaussian quadrature (:mod:`replica.compile`, :mod:`replica.quadrature`) and
solved at their saddle points (:mod:`replica.solve`, :mod:`replica.sweep`).
"""

from .errors import ConvergenceError, ConvergenceWarning, Reason
from .models.base import ModelSpec
from .models.committee import LargeKCommittee
from .models.committee_1rsb import OneRSBCapacity, at_line, capacity_1rsb, replicon
from .models.franz_parisi import FranzParisi, franz_parisi_curve, isolation_distance
from .models.local_entropy import (
    LocalEntropy,
    RobustEnsemble,
    gardner_end_point,
    local_entropy_curve,
    monotonicity_threshold,
)
from .models.robustness import LocalEnergy, dense_local_energy, typical_local_energy
from .models.perceptron import Capacity, Gardner, GardnerQ1Limit, capacity, rs_endpoint
from .models.teacher_student import GibbsTeacherStudent
from .quadrature import QuadratureOptions, gaussian_expectation, nested_expectation
from .solve import SaddlePoint, solve
from .sweep import Curve, Homotopy, Threshold, continuation, find_parameter, sweep

__version__ = "0.1.0"

__all__ = [
    "Capacity",
    "ConvergenceError",
    "ConvergenceWarning",
    "Curve",
    "FranzParisi",
    "Gardner",
    "GardnerQ1Limit",
    "GibbsTeacherStudent",
    "Homotopy",
    "LargeKCommittee",
    "LocalEnergy",
    "LocalEntropy",
    "ModelSpec",
    "OneRSBCapacity",
    "QuadratureOptions",
    "Reason",
    "RobustEnsemble",
    "SaddlePoint",
    "Threshold",
    "at_line",
    "capacity",
    "capacity_1rsb",
    "continuation",
    "dense_local_energy",
    "find_parameter",
    "franz_parisi_curve",
    "gardner_end_point",
    "gaussian_expectation",
    "isolation_distance",
    "local_entropy_curve",
    "monotonicity_threshold",
    "nested_expectation",
    "replicon",
    "rs_endpoint",
    "solve",
    "sweep",
    "typical_local_energy",
]
