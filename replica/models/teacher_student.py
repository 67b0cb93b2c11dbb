"""Teacher–student binary perceptron: Gibbs learning, replica symmetric.

A binary teacher ``W*`` (uniform on {±1}^N) labels ``P = alpha N`` random Gaussian patterns,
``y = sign(xi . W* / sqrt N)``; the student is drawn uniformly among the binary weights
that reproduce every label (the version space).  Student and teacher are then
exchangeable (Bayes-optimal setting, Nishimori symmetry), so the student–teacher overlap
``R`` equals the student–student overlap ``q`` and the RS free entropy of the generalised
linear model is

    phi(alpha) = extr_{q, r} [ E_z ln 2cosh(sqrt(r) z + r) - r/2 - r q/2
                               + 2 alpha E_z H(u) ln H(u) ],    u = -sqrt(q) z / sqrt(1 - q),

with ``phi = (1/N) E ln |version space|`` (the entropy of the version space: ln 2 at
alpha = 0; the ``ln 2cosh`` counts both signs of every weight).  Stationarity gives ``q = E_z tanh(sqrt(r) z + r)``.  The generalisation
error of the Gibbs student is ``arccos(R)/pi = arccos(q)/pi``.

This is the poor-generalisation (RS, ``q < 1``) branch; at larger loads the student
freezes onto the teacher in a first-order transition where this branch's entropy
vanishes.

References
----------
G. Györgyi, Phys. Rev. A 41, 7097 (1990); H. Sompolinsky, N. Tishby, H. S. Seung, Phys.
Rev. Lett. 65, 1683 (1990) (Gibbs learning of a binary perceptron; transition at
alpha ~ 1.245 where the q < 1 entropy vanishes); J. Barbier, F. Krzakala, N. Macris,
L. Miolane, L. Zdeborová, PNAS 116, 5451 (2019), eq. (8)-(10) (the replica formula of
generalised linear models in the form used here).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import sympy as sp

from .. import _validate
from ..symbolic import LOG_POSITIVE, UNIT, FreeEntropy, GaussE, H, Log2Cosh, LogH
from . import terms as T
from .base import ModelSpec

__all__ = ["GibbsTeacherStudent", "gibbs_teacher_student_free_entropy"]

_r = T.symbol("r", "positive")  # conjugate of the teacher overlap q


@functools.lru_cache(maxsize=None)
def gibbs_teacher_student_free_entropy() -> FreeEntropy:
    """RS free entropy of Gibbs learning of a binary teacher by a binary student.

    References
    ----------
    Barbier et al., PNAS 116, 5451 (2019), eqs. (8)-(10) with a ±1 prior and the sign
    channel; Györgyi, PRA 41, 7097 (1990) (the same problem).
    """
    u = -sp.sqrt(T.q) * T.z / sp.sqrt(1 - T.q)
    prior = GaussE(Log2Cosh(sp.sqrt(_r) * T.z + _r), T.z, [(-sp.sqrt(_r), 1 / sp.sqrt(_r))]) - _r / 2
    channel = 2 * GaussE(H(u) * LogH(u), T.z, [(0, sp.sqrt((1 - T.q) / T.q))])
    expr = prior - _r * T.q / 2 + T.alpha * channel
    return FreeEntropy(
        name="teacher-student-gibbs-binary",
        expr=expr,
        order=(T.q, _r),
        params=(T.alpha,),
        observables={
            "entropy": expr,  # of the version space, per weight
            "teacher_overlap": T.q,
            "generalisation_error": sp.acos(T.q) / sp.pi,
        },
        domains={T.q: UNIT, _r: LOG_POSITIVE},
    )


@dataclass(frozen=True)
class GibbsTeacherStudent(ModelSpec):
    """Gibbs learning (uniform in the version space) of a binary teacher, RS.

    Parameters
    ----------
    alpha : float
        Load ``P/N``, ``> 0``.

    Order parameters ``q`` (= the teacher overlap R, Nishimori) and its conjugate ``r``;
    observables ``entropy`` (of the version space), ``teacher_overlap``,
    ``generalisation_error`` = arccos(q)/pi.

    Examples
    --------
    >>> from replica import GibbsTeacherStudent, solve
    >>> sp = solve(GibbsTeacherStudent(alpha=0.4))
    >>> sp.success, round(sp["generalisation_error"], 4)
    (True, 0.4237)
    """

    alpha: float

    def __post_init__(self):
        _validate.real("alpha", self.alpha, lower=0.0, lower_open=True)

    def free_entropy(self) -> FreeEntropy:
        return gibbs_teacher_student_free_entropy()

    def initial_guess(self) -> dict:
        # small alpha: q ~ r ~ (2/pi) alpha (the linearised stationarity conditions)
        q = min(2 / math.pi * self.alpha, 0.9)
        return {"q": q, "r": max(q / (1 - q), 1e-6)}
