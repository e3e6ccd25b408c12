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


class LabFileError(ValueError):
    """A lab file that cannot be opened or saved: not a lab, damaged, too new or unsafe. Says which file."""


class LessonError(ValueError):
    """A lesson file that cannot be used; the message names the file (and line) and what is wrong."""


class ClusterError(RuntimeError):
    """Workers that cannot be used: not reachable, refused, of other versions. Says which and why."""


def describe_error(exc: BaseException) -> str:
    """A message for a student: the user's mistakes as they are, surprises with their type."""
    if isinstance(exc, (SpecError, DatasetError, LabFileError, LessonError, ClusterError)):
        return str(exc)
    if isinstance(exc, MemoryError):
        return "Not enough memory for this model and dataset; try a smaller training set or fewer units."
    return f"{type(exc).__name__}: {exc}"
