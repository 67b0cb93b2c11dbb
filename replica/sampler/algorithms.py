"""The learning algorithms of :mod:`replica.sampler` by name (the ``replica solve`` CLI and
the capacity table use this registry).

=================  ==============================================  ====================
name               function                                        module
=================  ==============================================  ====================
``sa``             :func:`simulated_annealing`                     ``annealing``
``rsa``            :func:`replicated_simulated_annealing`          ``annealing``
``edmc``           :func:`entropy_driven_mc`                       ``edmc``
``bp-r``           :func:`reinforced_bp`                           ``focusing``
``fbp``            :func:`focusing_bp`                             ``focusing``
``sbpi``           :func:`sbpi`                                    ``online``
``cpr``            :func:`cp_r`                                    ``online``
``stochastic-gd``  :func:`stochastic_gd`                           ``stochastic``
``rgd``            :func:`replicated_gd`                           ``replicated_gd``
=================  ==============================================  ====================

Every function takes the instance first, ``rng=`` and keyword options, and returns a
:class:`~replica.sampler.SolverResult` (``success``, ``nit``, ``message``, ``reason``).  The
bookkeeping they share (instance and option checks, the generator, timer, best-so-far
configuration, iteration and time budget, the result) lives in ``_harness.py``; each
algorithm module holds only its update rule.
"""

from __future__ import annotations

import importlib

from .._validate import choice

__all__ = ["ALGORITHMS", "algorithm", "run_algorithm"]

# name -> (module, function); imported on first use so that one slow import never taxes
# the others
_REGISTRY = {
    "sa": ("annealing", "simulated_annealing"),
    "rsa": ("annealing", "replicated_simulated_annealing"),
    "edmc": ("edmc", "entropy_driven_mc"),
    "bp-r": ("focusing", "reinforced_bp"),
    "fbp": ("focusing", "focusing_bp"),
    "sbpi": ("online", "sbpi"),
    "cpr": ("online", "cp_r"),
    "stochastic-gd": ("stochastic", "stochastic_gd"),
    "rgd": ("replicated_gd", "replicated_gd"),
}

ALGORITHMS = tuple(_REGISTRY)
"""The algorithm names, in the order of the table above."""


def algorithm(name: str):
    """The solver function called ``name`` (one of :data:`ALGORITHMS`).

    Raises
    ------
    ValueError
        Unknown name (the message lists the allowed ones).
    """
    name = choice("algorithm", name, ALGORITHMS)
    module, function = _REGISTRY[name]
    return getattr(importlib.import_module(f"{__package__}.{module}"), function)


def run_algorithm(name: str, instance, *, rng=None, **options):
    """Run the solver ``name`` on ``instance``: ``algorithm(name)(instance, rng=rng, **options)``.

    Returns
    -------
    SolverResult

    Examples
    --------
    >>> from replica.sampler import random_instance, run_algorithm
    >>> res = run_algorithm("sbpi", random_instance(201, 0.3, rng=0), rng=1)
    >>> res.success, res.errors, res.reason.value
    (True, 0, 'converged')
    >>> res.solved == res.success and res.iterations == res.nit   # the older names still work
    True
    """
    return algorithm(name)(instance, rng=rng, **options)
