"""Simulated binary perceptrons that check the theory: random instances, exact
enumeration (meet in the middle, N up to 34), belief propagation (Bethe entropy,
local entropy around a reference), learning algorithms (each returns a ``SolverResult``),
and tree committee machines (exact enumeration, belief propagation, Monte Carlo entropy)."""

from .algorithms import ALGORITHMS, algorithm, run_algorithm
from .committee import (
    CommitteeEntropyMC,
    CommitteeOverlap,
    committee_distance_histogram,
    committee_entropy_mc,
    committee_entropy_per_weight,
    committee_output,
    committee_overlap,
    committee_overlap_distribution,
    count_committee_solutions,
    default_output_weights,
    enumerate_committee_solutions,
    is_committee_solution,
    sample_committee_solutions,
)
from .bp import BPResult, LocalEntropyBP, bethe_entropy, local_entropy_bp, run_bp
from .committee_bp import CommitteeBPResult, committee_bethe_entropy, run_committee_bp
from .enumerate import count_solutions, distance_histogram, entropy_per_weight, enumerate_solutions, sample_solutions
from ._solver_result import SolverResult
from .annealing import replicated_simulated_annealing, simulated_annealing
from .edmc import entropy_driven_mc
from .focusing import focusing_bp, reinforced_bp
from .instances import Instance, load_instance, random_instance
from .online import cp_r, sbpi
from .replicated_gd import replicated_gd
from .stochastic import stochastic_gd

__all__ = [
    "ALGORITHMS",
    "algorithm",
    "run_algorithm",
    "BPResult",
    "CommitteeEntropyMC",
    "CommitteeOverlap",
    "CommitteeBPResult",
    "committee_bethe_entropy",
    "run_committee_bp",
    "committee_distance_histogram",
    "committee_entropy_mc",
    "committee_entropy_per_weight",
    "committee_output",
    "committee_overlap",
    "committee_overlap_distribution",
    "count_committee_solutions",
    "default_output_weights",
    "enumerate_committee_solutions",
    "is_committee_solution",
    "sample_committee_solutions",
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
    "SolverResult",
    "cp_r",
    "entropy_driven_mc",
    "focusing_bp",
    "reinforced_bp",
    "replicated_gd",
    "replicated_simulated_annealing",
    "sbpi",
    "simulated_annealing",
    "stochastic_gd",
]
