"""Reading JSON someone else wrote: every field checked for presence, type and range.

Files travel between students, so nothing in them is trusted: a wrong type, a missing
key, an unknown key or a number that is not finite stops the reading with one Problem
naming the field's path ("runs[2].record.epochs[4].loss"), what it held and what is
allowed. Metric values that may legitimately be NaN (a diverged run's loss) are written
as null and come back as NaN; a literal NaN in the file is refused before this module
sees it (see `loads`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from .errors import Problem, SpecError

T = TypeVar("T")


def fail(where: str, value: object, allowed: str) -> SpecError:
    shown = value if not isinstance(value, (dict, list)) else type(value).__name__
    return SpecError([Problem(where, shown, allowed)])


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows; write null for a missing value")


def loads(text: str | bytes, where: str) -> Any:
    """Parse JSON strictly: NaN and Infinity are refused, as standard JSON does."""
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise fail(where, f"line {exc.lineno}", f"valid JSON ({exc.msg})") from None
    except (ValueError, RecursionError) as exc:
        raise fail(where, "the text", f"valid JSON ({exc})") from None


def dumps(data: Any) -> str:
    """JSON without NaN or Infinity (callers write null for those), compact."""
    return json.dumps(data, allow_nan=False, separators=(",", ":"), ensure_ascii=False)


def finite_or_none(value: float | None) -> float | None:
    """For writing: NaN and infinities become null."""
    return value if value is not None and math.isfinite(value) else None


def obj(value: object, where: str, required: set[str], optional: set[str] = frozenset()) -> Mapping[str, Any]:
    """A JSON object with all of `required`, perhaps some of `optional`, and nothing else."""
    if not isinstance(value, Mapping):
        raise fail(where, value, "an object")
    keys = value.keys()
    if keys >= required and (keys <= required or keys <= required | optional):  # the usual case, checked in C
        return value
    missing = sorted(required - set(value))
    if missing:
        raise fail(f"{where}.{missing[0]}", None, "required here")
    unknown = sorted(set(value) - required - set(optional))
    if unknown:
        raise fail(f"{where}.{unknown[0]}", value[unknown[0]], "not a known field here")
    return value


def integer(value: object, where: str, low: int = 0, high: int = 2**53) -> int:
    if not (isinstance(value, int) and not isinstance(value, bool) and low <= value <= high):
        raise fail(where, value, f"a whole number from {low} to {high}")
    return value


def optional_integer(value: object, where: str, low: int = 0, high: int = 2**53) -> int | None:
    return None if value is None else integer(value, where, low, high)


def real(value: object, where: str, low: float = -math.inf, high: float = math.inf) -> float:
    """A finite number in [low, high]."""
    if not (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
            and low <= value <= high):
        bounds = "" if math.isinf(low) and math.isinf(high) else f" in [{low:g}, {high:g}]"
        raise fail(where, value, f"a finite number{bounds}")
    return float(value)


def metric(value: object, where: str) -> float:
    """A measured value: a finite number, or null for NaN (a diverged run's loss)."""
    return math.nan if value is None else real(value, where)


def optional_real(value: object, where: str, low: float = -math.inf, high: float = math.inf) -> float | None:
    return None if value is None else real(value, where, low, high)


def text(value: object, where: str, longest: int = 100_000) -> str:
    if not isinstance(value, str) or len(value) > longest:
        raise fail(where, value if not isinstance(value, str) else f"{len(value)} characters",
                   f"text of at most {longest:,} characters")
    return value


def boolean(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise fail(where, value, "true or false")
    return value


def array(value: object, where: str, longest: int = 1_000_000) -> Sequence[Any]:
    if not isinstance(value, list) or len(value) > longest:
        raise fail(where, value if not isinstance(value, list) else f"{len(value)} items",
                   f"a list of at most {longest:,} items")
    return value


def each(value: object, where: str, read: Callable[[object, str], T], longest: int = 1_000_000) -> tuple[T, ...]:
    return tuple(read(item, f"{where}[{i}]") for i, item in enumerate(array(value, where, longest)))


def counts(value: object, where: str, longest: int = 4096) -> tuple[int, ...]:
    """A list of whole numbers >= 0 (histogram counts): checked in one pass, it is the bulk of a file."""
    items = array(value, where, longest)
    # map(type) and min() run in C: a lab file holds hundreds of thousands of counts.
    if items and (set(map(type, items)) != {int} or min(items) < 0):
        bad = next(c for c in items if not (type(c) is int and c >= 0))
        raise fail(where, bad, "a list of whole numbers >= 0")
    return tuple(items)


def reals(value: object, where: str, longest: int = 4096) -> tuple[float, ...]:
    """A list of finite numbers, as floats (checked in C first; one by one only to name a bad one)."""
    items = array(value, where, longest)
    if set(map(type, items)) <= {int, float} and all(map(math.isfinite, items)):
        return tuple(map(float, items))
    return tuple(real(v, f"{where}[{i}]") for i, v in enumerate(items))


def one_of(value: object, where: str, choices: Sequence[str]) -> str:
    if value not in choices:
        raise fail(where, value, "one of " + ", ".join(choices))
    return value  # type: ignore[return-value]
