"""Simulated binary perceptrons that check the theory: random instances, exact
enumeration (meet in the middle, N up to 34), belief propagation (Bethe entropy,
local entropy around a reference)."""

from .bp import BPResult, LocalEntropyBP, bethe_entropy, local_entropy_bp, run_bp
from .enumerate import count_solutions, distance_histogram, entropy_per_weight, enumerate_solutions, sample_solutions
from .instances import Instance, load_instance, random_instance

__all__ = [
    "BPResult",
    "Instance",
    "LocalEntropyBP",
    "bethe_entropy",
    "count_solutions",
    "distance_histogram",
    "entropy_per_weight",
    "enumerate_solutions",
    "load_instance",
    "local_entropy_bp",
    "random_instance",
    "run_bp",
    "sample_solutions",
]
