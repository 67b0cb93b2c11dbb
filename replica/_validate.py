"""Input checks that name the argument and its allowed range in the error."""

from __future__ import annotations

import math
import numbers


def real(name: str, value, *, lower=-math.inf, upper=math.inf, lower_open=False, upper_open=False) -> float:
    """``value`` as a float inside the stated range, or a ValueError that says which range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a real number, got {value!r}") from None
    value = float(value)
    left = "(" if lower_open or math.isinf(lower) else "["
    right = ")" if upper_open or math.isinf(upper) else "]"
    allowed = f"{left}{lower:g}, {upper:g}{right}"
    bad_low = value <= lower if lower_open else value < lower
    bad_high = value >= upper if upper_open else value > upper
    if not math.isfinite(value) or bad_low or bad_high:
        raise ValueError(f"{name} must be a finite number in {allowed}, got {value!r}")
    return value


def integer(name: str, value, *, lower: int) -> int:
    """``value`` as an int ``>= lower``, or a ValueError that says so (bools are refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < lower:
        raise ValueError(f"{name} must be an integer >= {lower}, got {value!r}")
    return int(value)


def choice(name: str, value, allowed) -> str:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}; got {value!r}")
    return value
