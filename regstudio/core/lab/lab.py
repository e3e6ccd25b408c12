"""The Lab: everything a student made, in one place, changed only through its methods.

The current spec shown in the builder, every run (queued, training, finished or failed)
with its name, colour, shown flag and record, every grid search with its trials, the
notes, a teacher's limits and the lesson. Views never keep their own copy of any of it:
they observe the Lab (events.py) and read what changed; what a user does in a view
becomes a call to one of the methods below. The Lab lives on the GUI thread (the
training thread's events reach it through a queued signal), so it needs no locks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

import numpy as np

from ..boundary.frames import BoundaryHistory
from ..experiments.grid_search import GridRequest, GridResult, SearchFinished, Trial, TrialFinished
from ..lessons.lesson_files import Lesson
from ..training.events import (
    DecisionBoundary,
    EarlyStoppingStatus,
    EpochEnded,
    FirstKernel,
    JobFailed,
    RunFinished,
    RunStarted,
)
from ..training.records import EpochRecord, RunRecord
from ..training.run_spec import RunSpec
from ..training.summary import RunSummary
from ..weights.stats import HistogramLayout
from .events import (
    LabReplaced,
    LessonChanged,
    LimitsChanged,
    ModifiedChanged,
    NotesChanged,
    Observer,
    RunAdded,
    RunChanged,
    RunsRemoved,
    SearchAdded,
    SearchChanged,
    SpecChanged,
)
from .limits import TeacherLimits

RUN_STATES = ("queued", "training", "done", "failed")
MAX_NAME = 200  # characters in a run's name


@dataclass(frozen=True)
class LabRun:
    run_id: int
    name: str  # "3: l2", as the table, the legends and the record show it
    color: int  # index into the views' palette, fixed for the run's life
    spec: RunSpec
    state: str = "queued"  # one of RUN_STATES
    shown: bool = True
    layouts: tuple[HistogramLayout, ...] = ()
    epochs: tuple[EpochRecord, ...] = ()
    record: RunRecord | None = None  # once done
    summary: RunSummary | None = None  # the table's numbers, computed once when the record arrives
    problem: str = ""  # why it failed
    image_shape: tuple[int, int] | None = None
    first_kernel: np.ndarray | None = field(default=None, compare=False, repr=False)  # latest epoch's
    early: EarlyStoppingStatus | None = None  # early stopping's latest word, while training
    # 2-feature data: the plane and the decision boundary's frames, for scrubbing back (at
    # most frames.MAX_FRAMES of 10 KB each per run)
    boundary: BoundaryHistory | None = field(default=None, compare=False, repr=False)

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")


@dataclass(frozen=True)
class LabSearch:
    search_id: int
    request: GridRequest
    state: str = "queued"  # queued, running, done or failed
    trials: tuple[Trial, ...] = ()
    result: GridResult | None = None
    problem: str = ""


@dataclass(frozen=True)
class ExerciseProgress:
    """How far a student got with one exercise of the lab's lesson, and their answer to its question."""

    number: int
    state: str = "started"  # started | done
    answer: str = ""


@dataclass(frozen=True)
class LabContent:
    """What a lab file holds: the finished part of a Lab."""

    spec: RunSpec
    runs: tuple[LabRun, ...] = ()
    searches: tuple[LabSearch, ...] = ()
    notes: str = ""
    limits: TeacherLimits = field(default_factory=TeacherLimits)
    lesson: Lesson | None = None  # the lesson a teacher packed in; None: the one that ships with RegStudio
    exercises: tuple[ExerciseProgress, ...] = ()


class Lab:
    def __init__(self, spec: RunSpec | None = None):
        self._observers: list[Observer] = []
        self._next_id = 1
        self._reset(LabContent(spec or RunSpec()))

    # Observing -----------------------------------------------------------------------------
    def observe(self, observer: Observer) -> Callable[[], None]:
        """Call `observer(event)` after every change; returns a function that stops it."""
        self._observers.append(observer)
        return lambda: self._observers.remove(observer) if observer in self._observers else None

    def _tell(self, event: object) -> None:
        for observer in list(self._observers):
            observer(event)

    def _changed(self, event: object) -> None:
        self._tell(event)
        self._mark_modified()

    def _mark_modified(self) -> None:
        if not self.modified:
            self.modified = True
            self._tell(ModifiedChanged(True))

    # Reading -------------------------------------------------------------------------------
    @property
    def runs(self) -> list[LabRun]:
        """Every run, in the order they were added."""
        return list(self._runs.values())

    def run(self, run_id: int) -> LabRun | None:
        return self._runs.get(run_id)

    def finished_records(self) -> list[RunRecord]:
        return [r.record for r in self._runs.values() if r.record is not None]

    @property
    def searches(self) -> list[LabSearch]:
        return list(self._searches.values())

    def search(self, search_id: int) -> LabSearch | None:
        return self._searches.get(search_id)

    @property
    def busy(self) -> bool:
        """Something is queued or training."""
        return any(not r.finished for r in self._runs.values()) or any(
            s.state in ("queued", "running") for s in self._searches.values())

    @property
    def has_work(self) -> bool:
        """Something a student would mind losing: runs, searches or notes."""
        return bool(self._runs or self._searches or self.notes.strip())

    def content(self) -> LabContent:
        """The finished part, for saving: runs still queued or training are left out."""
        runs = tuple(r for r in self._runs.values() if r.finished)
        searches = tuple(s for s in self._searches.values() if s.state in ("done", "failed"))
        return LabContent(self.spec, runs, searches, self.notes, self.limits, self.lesson,
                          tuple(self.exercises.values()))

    # The builder's spec, notes, limits -------------------------------------------------------
    def set_spec(self, spec: RunSpec, *, from_builder: bool = False) -> None:
        """The spec the builder shows; `from_builder` tells the builder not to show it again."""
        if spec == self.spec:
            return
        self.spec = spec
        self._tell(SpecChanged(from_builder))
        self._mark_modified()

    def set_notes(self, notes: str) -> None:
        if notes != self.notes:
            self.notes = notes
            self._changed(NotesChanged())

    def set_limits(self, limits: TeacherLimits) -> None:
        if limits != self.limits:
            self.limits = limits
            self._changed(LimitsChanged())

    def set_lesson(self, lesson: Lesson | None) -> None:
        """The lesson this lab carries (a teacher's); its exercises' progress starts afresh."""
        self.lesson = lesson
        self.exercises = {}
        self._changed(LessonChanged())

    def set_exercise(self, number: int, state: str | None = None, answer: str | None = None) -> None:
        old = self.exercises.get(number, ExerciseProgress(number))
        new = replace(old, state=state or old.state, answer=old.answer if answer is None else answer)
        if new != self.exercises.get(number):
            self.exercises[number] = new
            self._changed(LessonChanged())

    # Runs ----------------------------------------------------------------------------------
    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id - 1

    def new_run_id(self) -> int:
        """An id for a search or run the caller is about to add (never reused in this Lab)."""
        return self._new_id()

    def add_run(self, spec: RunSpec, label: str) -> int:
        """A run waiting in the queue, named "N: label"; returns its id."""
        self._numbered += 1
        run = LabRun(self._new_id(), f"{self._numbered}: {label}"[:MAX_NAME], self._next_color, spec)
        self._next_color += 1
        self._runs[run.run_id] = run
        self._changed(RunAdded(run.run_id, len(self._runs) - 1))
        return run.run_id

    def add_finished_run(self, label: str, record: RunRecord, kernel: np.ndarray | None = None,
                         image_shape: tuple[int, int] | None = None) -> int:
        """A run that trained elsewhere (a grid search's trial), shown as if it had just finished."""
        run_id = self.add_run(record.spec, label)
        run = self._runs[run_id]
        record = replace(record, name=run.name)  # the table's name, in the record and its summary alike
        self._runs[run_id] = replace(run, state="done", layouts=record.layouts, epochs=record.epochs, record=record,
                                     summary=RunSummary.of(record), first_kernel=kernel, image_shape=image_shape)
        self._tell(RunChanged(run_id, "state"))
        return run_id

    def _update(self, run_id: int, aspect: str, **changes: object) -> None:
        run = self._runs.get(run_id)
        if run is not None:
            self._runs[run_id] = replace(run, **changes)
            self._tell(RunChanged(run_id, aspect))

    def rename_run(self, run_id: int, name: str) -> bool:
        """False when the name is empty or unchanged: a run nobody can find would be lost."""
        run, name = self._runs.get(run_id), " ".join(name.split())[:MAX_NAME]
        if run is None or not name or name == run.name:
            return False
        record = replace(run.record, name=name) if run.record is not None else None
        summary = replace(run.summary, name=name) if run.summary is not None else None
        self._runs[run_id] = replace(run, name=name, record=record, summary=summary)
        self._changed(RunChanged(run_id, "name"))
        return True

    def set_shown(self, run_id: int, shown: bool) -> None:
        run = self._runs.get(run_id)
        if run is not None and run.shown != shown:
            self._runs[run_id] = replace(run, shown=shown)
            self._changed(RunChanged(run_id, "shown"))

    def remove_runs(self, run_ids: Iterable[int]) -> int:
        """Remove finished runs (one undo step); runs still queued or training stay. Returns how many."""
        chosen = [(i, r) for i, r in enumerate(self._runs.values()) if r.run_id in set(run_ids) and r.finished]
        if not chosen:
            return 0
        self._undo.append(chosen)
        for _, run in chosen:
            del self._runs[run.run_id]
        self._changed(RunsRemoved(frozenset(r.run_id for _, r in chosen)))
        return len(chosen)

    def clear_runs(self) -> int:
        """Remove every finished run, as one undo step."""
        return self.remove_runs([r.run_id for r in self._runs.values() if r.finished])

    def drop_waiting(self, run_ids: Iterable[int]) -> None:
        """Runs taken out of the queue before they started (Stop): gone, not undoable."""
        gone = frozenset(i for i in run_ids if i in self._runs and self._runs[i].state == "queued")
        for run_id in gone:
            del self._runs[run_id]
        if gone:
            self._tell(RunsRemoved(gone))

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    def undo(self) -> int:
        """Put back the runs of the last removal where they were; returns how many."""
        if not self._undo:
            return 0
        restored = self._undo.pop()
        ordered = list(self._runs.values())
        for index, run in restored:  # ascending indices: each goes back to its old place
            ordered.insert(min(index, len(ordered)), run)
        self._runs = {r.run_id: r for r in ordered}
        for _, run in restored:
            self._tell(RunAdded(run.run_id, ordered.index(run)))
        self._mark_modified()
        return len(restored)

    # Searches ----------------------------------------------------------------------------------
    def add_search(self, request: GridRequest) -> int:
        search = LabSearch(self._new_id(), request)
        self._searches[search.search_id] = search
        self._tell(SearchAdded(search.search_id))
        return search.search_id

    def _update_search(self, search_id: int, aspect: str, **changes: object) -> None:
        search = self._searches.get(search_id)
        if search is not None:
            self._searches[search_id] = replace(search, **changes)
            event = SearchChanged(search_id, aspect)
            self._changed(event) if changes.get("state") in ("done", "failed") else self._tell(event)

    # Training events, as the training thread sends them -----------------------------------------
    def apply(self, job_id: int, event: object) -> None:
        """Route one event of job `job_id` (a run or a search of this Lab) to what it changes."""
        if job_id in self._searches:
            self._apply_search(job_id, event)
            return
        run = self._runs.get(job_id)
        if run is None:
            return  # a job of a lab since closed, or a run removed meanwhile
        if isinstance(event, RunStarted):
            boundary = BoundaryHistory(event.plane) if event.plane is not None else None
            self._update(job_id, "state", state="training", layouts=event.layouts, image_shape=event.image_shape,
                         boundary=boundary)
        elif isinstance(event, DecisionBoundary):
            if run.boundary is not None:
                self._update(job_id, "boundary", boundary=run.boundary.added(event.frame))
        elif isinstance(event, EpochEnded):
            self._update(job_id, "epoch", epochs=(*run.epochs, event.record))
        elif isinstance(event, FirstKernel):
            self._update(job_id, "kernel", first_kernel=event.kernel)
        elif isinstance(event, EarlyStoppingStatus):
            self._update(job_id, "early", early=event)
        elif isinstance(event, RunFinished):
            record = replace(event.record, name=run.name)  # the table's name wins: it may have been edited
            self._runs[job_id] = replace(run, state="done", record=record, epochs=record.epochs,
                                         layouts=record.layouts, summary=RunSummary.of(record), early=None)
            self._changed(RunChanged(job_id, "state"))
        elif isinstance(event, JobFailed):
            self._runs[job_id] = replace(run, state="failed", problem=event.message, early=None)
            self._changed(RunChanged(job_id, "state"))

    def _apply_search(self, search_id: int, event: object) -> None:
        search = self._searches[search_id]
        if isinstance(event, TrialFinished):
            self._update_search(search_id, "trial", state="running", trials=(*search.trials, event.trial))
        elif isinstance(event, SearchFinished):
            self._update_search(search_id, "state", state="done", trials=event.result.trials, result=event.result)
        elif isinstance(event, JobFailed):
            self._update_search(search_id, "state", state="failed", problem=event.message)
        elif search.state == "queued":
            self._update_search(search_id, "state", state="running")

    # Whole labs ----------------------------------------------------------------------------------
    def replace_content(self, content: LabContent) -> None:
        """Become the lab in `content` (New, Open, recovery): undo history and the unsaved mark go."""
        self._reset(content)
        self._tell(LabReplaced())
        self._tell(ModifiedChanged(False))

    def mark_unsaved(self) -> None:
        """Work that exists in no file yet (restored from an autosave, say)."""
        self._mark_modified()

    def mark_saved(self) -> None:
        if self.modified:
            self.modified = False
            self._tell(ModifiedChanged(False))

    def _reset(self, content: LabContent) -> None:
        self.spec = content.spec
        self._runs: dict[int, LabRun] = {}
        self._searches: dict[int, LabSearch] = {}
        # Ids are never reused within a process: a job of the previous lab may still report.
        for run in content.runs:
            run = replace(run, run_id=self._new_id())
            self._runs[run.run_id] = run
        for search in content.searches:
            search = replace(search, search_id=self._new_id())
            self._searches[search.search_id] = search
        self.notes, self.limits, self.lesson = content.notes, content.limits, content.lesson
        self.exercises: dict[int, ExerciseProgress] = {e.number: e for e in content.exercises}
        self._undo: list[list[tuple[int, LabRun]]] = []
        numbers = [int(m.group(1)) for r in content.runs if (m := re.match(r"(\d+):", r.name))]
        self._numbered = max([len(content.runs), *numbers])
        self._next_color = max((r.color + 1 for r in content.runs), default=0)
        self.modified = False
