"""Small checks shared by the specs; each returns a Problem or None.

Values may come from JSON or a text field, so every check first makes sure of the type:
`True` is not an int here, and NaN is not a number anyone meant to type.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from .errors import Problem


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_real(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def int_in(field: str, value: object, low: int, high: int) -> Problem | None:
    if not is_int(value) or not low <= value <= high:  # type: ignore[operator]
        return Problem(field, value, f"a whole number from {low} to {high}")
    return None


def real_in(
    field: str,
    value: object,
    low: float,
    high: float,
    *,
    low_open: bool = False,
    high_open: bool = False,
    allowed: str | None = None,
) -> Problem | None:
    """A finite number in the interval; the ends are closed unless said otherwise."""
    ok = is_real(value) and math.isfinite(value)  # type: ignore[arg-type]
    if ok:
        v = float(value)  # type: ignore[arg-type]
        ok = (v > low if low_open else v >= low) and (v < high if high_open else v <= high)
    if ok:
        return None
    if allowed is None:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        allowed = f"a finite number in {left}{low:g}, {high:g}{right}"
    return Problem(field, value, allowed)


def one_of(field: str, value: object, choices: Iterable[str]) -> Problem | None:
    choices = tuple(choices)
    if value not in choices:
        return Problem(field, value, "one of " + ", ".join(choices))
    return None


def collect(*maybe: Problem | None) -> list[Problem]:
    return [p for p in maybe if p is not None]
