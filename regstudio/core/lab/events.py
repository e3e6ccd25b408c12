"""What the Lab tells its observers: one small frozen event per kind of change.

Observers are plain functions taking one event (Keras's Callback and napari's evented
models are the shapes this follows, without either's machinery). The window's one Qt
adapter (gui/lab_signals.py) turns them into signals; tests collect them in a list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

RUN_ASPECTS = ("state", "epoch", "kernel", "early", "boundary", "name", "shown")  # what RunChanged may say changed


@dataclass(frozen=True)
class SpecChanged:
    """The builder's spec changed: from the builder itself, or from outside (a file, a lesson, a grid value)."""

    from_builder: bool = False


@dataclass(frozen=True)
class RunAdded:
    run_id: int
    index: int  # its place among the lab's runs (restored runs go back where they were)


@dataclass(frozen=True)
class RunChanged:
    run_id: int
    aspect: str  # one of RUN_ASPECTS


@dataclass(frozen=True)
class RunsRemoved:
    run_ids: frozenset[int]


@dataclass(frozen=True)
class SearchAdded:
    search_id: int


@dataclass(frozen=True)
class SearchChanged:
    search_id: int
    aspect: str  # "state" or "trial"


@dataclass(frozen=True)
class NotesChanged:
    pass


@dataclass(frozen=True)
class LimitsChanged:
    pass


@dataclass(frozen=True)
class LessonChanged:
    """The lesson the lab carries, or a student's progress through its exercises."""


@dataclass(frozen=True)
class LabReplaced:
    """Everything changed at once: a new lab, or one opened from a file."""


@dataclass(frozen=True)
class ModifiedChanged:
    modified: bool


Observer = Callable[[object], None]
