"""Errors that are the user's to fix, with messages a student can act on."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a setting: where, what it was, and what would be accepted."""

    field: str
    value: object
    allowed: str

    def __str__(self) -> str:
        return f"{self.field} = {self.value!r}: {self.allowed}"


class SpecError(ValueError):
    """A configuration that cannot be trained; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]):
        self.problems = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


class DatasetError(ValueError):
    """A dataset that cannot be loaded: missing, malformed or unsafe. The message says which."""
