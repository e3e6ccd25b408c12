"""A search's trials as units of work, and the runner that trains them here, one after another.

A unit is what one worker trains at once: one value of the searched setting on one fold, or
several values of one fold fused into one model (training/fused.py). A runner takes the
units and tells one listener, on the thread that called `run()`:

    TrialStarted   a unit's training began (its values, fold and repeat)
    TrialEpoch     one trial finished an epoch (its EpochRecord)
    UnitProgress   where a unit is within its epochs, a few times a second
    UnitFinished   the unit's RunRecords, one per value, in the unit's order
    UnitFailed     the unit ended with an error: one sentence, its trials left out

The in-process runner (here) and the Dask runner (cluster/dask_runner.py) send the same
events and stop the same way, so the grid search cannot tell them apart.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from ..datasets.split import DatasetSplit
from ..training.events import EpochEnded, Listener, Progress
from ..training.records import EpochRecord, RunRecord
from ..training.run_spec import RunSpec
from .folds import stratified_folds
from .grid_params import apply_value

if TYPE_CHECKING:
    from ..training.fused import Prepared


@dataclass(frozen=True)
class TrialUnit:
    """Values of one fold (and one repeat) that train together: one alone, or a fused group."""

    key: int  # its place among the search's units, from 0
    group: int  # which fused group of the values it is (the same group on every fold)
    repeat: int
    fold: int | None  # None without cross-validation
    values: tuple[float, ...]
    specs: tuple[RunSpec, ...]
    folds: tuple[np.ndarray, np.ndarray] | None = field(default=None, compare=False, repr=False)
    param: str = ""

    @property
    def names(self) -> list[str]:
        return [f"{self.param}={value:g}" for value in self.values]


def trial_count(values: int, cv: int | None, repeats: int) -> int:
    """A search's trials: every value on every fold (one without cross-validation), per repeat."""
    return values * (cv or 1) * repeats


def plan_units(base: RunSpec, param: str, values: Sequence[float], cv: int | None, repeats: int,
               y_train: np.ndarray, fuse: bool = True, slots: int = 1) -> list[TrialUnit]:
    """Every unit of a search, in the order the in-process runner trains them (fold by fold).

    With `slots` workers training at once, the last units are split so that no worker is left
    idle for a whole unit at the end: 3 folds of one fused group on 2 workers would otherwise
    take two rounds of whole folds, one with a worker idle; with the third fold split in two
    halves, each worker trains one whole fold and one half. With a slot for every trial (a
    lab's cluster), nothing is fused: all train at once, each alone.
    """
    from ..training.fused import fused_groups  # imports no TensorFlow, but the fused room is heavy

    fuse = fuse and slots < trial_count(len(values), cv, repeats)
    units: list[TrialUnit] = []
    for repeat in range(repeats):
        seed = base.training.seed + repeat
        splits = stratified_folds(y_train, cv, seed) if cv else [None]
        specs = [(value, apply_value(base, param, value).with_training(seed=seed)) for value in values]
        for fold, folds in enumerate(splits):
            for group, members in enumerate(fused_groups(specs, fuse)):
                units.append(TrialUnit(len(units), group, repeat, fold if cv else None,
                                       tuple(v for v, _ in members), tuple(s for _, s in members), folds, param))
    left = len(units) % slots if slots > 1 else 0
    if left and any(len(u.values) > 1 for u in units[-left:]):
        whole, tail = units[:-left], units[-left:]
        parts = slots // left
        groups = 1 + max(u.group for u in units)  # pieces are groups of their own: other members, other models
        units = list(whole)
        for unit in tail:
            size = -(-len(unit.values) // parts)
            for piece, start in enumerate(range(0, len(unit.values), size)):
                # The same piece of the same group (other folds) has the same members: one model serves them.
                units.append(replace(unit, key=len(units), group=groups + unit.group * parts + piece,
                                     values=unit.values[start:start + size], specs=unit.specs[start:start + size]))
    return units


@dataclass(frozen=True)
class TrialStarted:
    unit: TrialUnit


@dataclass(frozen=True)
class TrialEpoch:
    unit: TrialUnit
    member: int  # which of the unit's values
    record: EpochRecord


@dataclass(frozen=True)
class UnitProgress:
    unit: TrialUnit
    progress: Progress


@dataclass(frozen=True)
class UnitFinished:
    unit: TrialUnit
    records: tuple[RunRecord, ...]


@dataclass(frozen=True)
class UnitFailed:
    unit: TrialUnit
    message: str  # a sentence for the teacher: which trials, and why


class TrialRunner(Protocol):
    """Trains a search's units and tells its listener; `cancel()` from any thread."""

    def slots(self) -> int:
        """How many units train at once (a cluster is asked: this may connect to it)."""

    def run(self, units: Sequence[TrialUnit], data: DatasetSplit, listener: Listener) -> None: ...

    def cancel(self) -> None: ...


def train_unit(unit: TrialUnit, data: DatasetSplit, listener: Listener, started: Callable[[Any], None],
               progress_interval: float = 0.25,
               prepared: dict[tuple[int, int], Prepared] | None = None) -> list[RunRecord]:
    """Train one unit here, telling `listener` TrialEpoch and UnitProgress; `started(session)`
    receives the session before it trains, so that a cancel can reach it.

    `prepared` keeps each fused group's model for the group's next fold, by (repeat, group): a
    model built with one repeat's seed restarts to that seed's weights. Tracing the training
    step again costs as much as a few epochs (FusedSession.prepared).
    """
    from ..training.fused import FusedSession, MemberEvent
    from ..training.session import TrainingSession

    def report(event: object) -> None:
        member = 0
        if isinstance(event, MemberEvent):
            member, event = event.job_id, event.event
        if isinstance(event, EpochEnded):
            listener(TrialEpoch(unit, member, event.record))
        elif isinstance(event, Progress) and member == 0:  # members of a fused unit advance together
            listener(UnitProgress(unit, event))

    session: Any
    if len(unit.specs) == 1:
        session = TrainingSession(unit.specs[0], data, name=unit.names[0], folds=unit.folds, listener=report,
                                  progress_interval=progress_interval)
    else:
        session = FusedSession(list(unit.specs), data, names=unit.names, folds=unit.folds, listener=report,
                               progress_interval=progress_interval,
                               prepared=None if prepared is None else prepared.get((unit.repeat, unit.group)),
                               keep_prepared=prepared is not None)
    started(session)
    records = session.run()
    if isinstance(records, RunRecord):
        return [records]
    if prepared is not None:
        prepared[(unit.repeat, unit.group)] = session.prepared
    return list(records)


class InProcessRunner:
    """Trains the units one after another on the calling thread: the search as it always ran."""

    def __init__(self, progress_interval: float = 0.25):
        self.progress_interval = progress_interval
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self._session: Any = None

    def slots(self) -> int:
        return 1

    def cancel(self) -> None:
        self._cancel.set()
        with self._lock:
            if self._session is not None:
                self._session.cancel()

    def _started(self, session: Any) -> None:
        with self._lock:
            self._session = session
            if self._cancel.is_set():  # cancelled between the loop's check and here
                session.cancel()

    def run(self, units: Sequence[TrialUnit], data: DatasetSplit, listener: Listener) -> None:
        prepared: dict[tuple[int, int], Prepared] = {}
        for unit in units:
            if self._cancel.is_set():
                return
            if any(key[0] != unit.repeat for key in prepared):  # models of an earlier seed serve no more
                prepared.clear()
            listener(TrialStarted(unit))
            records = train_unit(unit, data, listener, self._started, self.progress_interval, prepared)
            if self._cancel.is_set():
                return  # trials cut short are not results
            listener(UnitFinished(unit, tuple(records)))
