"""The contract every theory follows: :class:`ModelSpec`.

Every model imports this module; it imports nothing from :mod:`replica.solve` or
:mod:`replica.sweep` (only type names, for annotations), so there is no import circle.
"""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING, ClassVar, Mapping

if TYPE_CHECKING:  # type names only
    from ..quadrature import QuadratureOptions
    from ..symbolic import FreeEntropy

__all__ = ["ModelSpec"]


class ModelSpec(abc.ABC):
    """Base class of model specs: one point of one theory, ready for :func:`~replica.solve`.

    A model spec names a free entropy (a :class:`~replica.symbolic.FreeEntropy`), the
    values of its external parameters, and where to start looking for its saddle point.
    The engine (:func:`~replica.solve`, :func:`~replica.continuation`,
    :func:`~replica.find_parameter`, :func:`~replica.sweep`) needs nothing else.

    To implement a new theory, follow this recipe:

    1. Write a frozen dataclass subclassing ``ModelSpec`` whose fields are the external
       parameters (``alpha``, ``kappa``, ``d``, ``y`` ...).  Validate them in
       ``__post_init__`` with :mod:`replica._validate` (``real``, ``integer``,
       ``choice``), so that bad input raises a ``ValueError`` naming the argument and
       its allowed range.  Frozen, because :func:`~replica.continuation` varies one field
       with :func:`dataclasses.replace` and results keep the spec as ``params``.
    2. Implement :meth:`free_entropy`, returning a :class:`~replica.symbolic.FreeEntropy`
       built once and cached (``functools.lru_cache`` on a module-level function of the
       discrete options, e.g. ``weights``): compiled functions are cached per theory
       object, so a new object per call would recompile.
    3. :meth:`parameter_values` gives the numbers for ``free_entropy().params``, in
       order.  The default reads the spec's attributes named like the theory's
       parameter symbols (``FreeEntropy.param_names``); override it only when a symbol
       has no attribute of the same name (or needs a transformation).
    4. Implement :meth:`initial_guess`, returning a dict order-parameter name -> value,
       or a :class:`~replica.Homotopy` (followed by continuation from a point where the
       saddle is easy to find, e.g. a small load) when no closed-form guess is good
       enough.  It is called only when ``solve`` is given no complete ``init``.
    5. Optionally set the class attribute ``quadrature`` to a
       :class:`~replica.quadrature.QuadratureOptions`: the default rules ``solve`` uses
       for this theory (e.g. a wider range for nested integrals).

    Then add a test next to the others: a known value, the gradient against finite
    differences of the free entropy, and a limit (``alpha -> 0`` ...).

    Duck typing still works: the engine accepts any object with these three methods.

    Examples
    --------
    The Curie–Weiss magnet, ``phi = extr_m [-beta m^2/2 + ln 2cosh(beta m + h)]``:

    >>> import functools
    >>> from dataclasses import dataclass
    >>> import sympy as sp
    >>> from replica import _validate, solve
    >>> from replica.models.base import ModelSpec
    >>> from replica.symbolic import FreeEntropy, Log2Cosh
    >>> m, beta, h = sp.symbols("m beta h", real=True)
    >>> @functools.lru_cache(maxsize=None)
    ... def curie_weiss() -> FreeEntropy:
    ...     expr = -beta * m**2 / 2 + Log2Cosh(beta * m + h)
    ...     return FreeEntropy("curie-weiss-doc", expr, order=(m,), params=(beta, h))
    >>> @dataclass(frozen=True)
    ... class CurieWeiss(ModelSpec):
    ...     beta: float
    ...     h: float = 0.0
    ...
    ...     def __post_init__(self):
    ...         _validate.real("beta", self.beta, lower=0.0)
    ...         _validate.real("h", self.h)
    ...
    ...     def free_entropy(self):
    ...         return curie_weiss()
    ...
    ...     def initial_guess(self):
    ...         return {"m": 0.5}
    >>> spec = CurieWeiss(beta=2.0, h=0.1)
    >>> spec.parameter_values()
    (2.0, 0.1)
    >>> saddle = solve(spec)
    >>> saddle.success, round(saddle["m"], 10)    # m = tanh(beta m + h)
    (True, 0.9662537094)
    """

    quadrature: ClassVar["QuadratureOptions | None"] = None
    """Default quadrature rules of the theory (``None``: ``QuadratureOptions()``)."""

    @abc.abstractmethod
    def free_entropy(self) -> "FreeEntropy":
        """The theory: a cached :class:`~replica.symbolic.FreeEntropy`."""

    def parameter_values(self) -> tuple[float, ...]:
        """Values of ``free_entropy().params``, in order: the attributes of the same names.

        Raises
        ------
        AttributeError
            If a parameter symbol has no attribute of that name (then override this
            method).
        """
        theory = self.free_entropy()
        values = []
        for name in theory.param_names:
            try:
                values.append(float(getattr(self, name)))
            except AttributeError:
                raise AttributeError(
                    f"{type(self).__name__} has no attribute {name!r} for the parameter {name!r} of theory "
                    f"{theory.name!r}: add a field of that name or override parameter_values()"
                ) from None
        return tuple(values)

    @abc.abstractmethod
    def initial_guess(self) -> "Mapping[str, float] | object":
        """Start of the saddle-point search: a dict order-parameter name -> value, or an
        object with a ``resolve()`` method returning one (a :class:`~replica.Homotopy`)."""
