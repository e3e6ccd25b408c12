"""Search one setting over a few values, as the lesson does, with optional cross-validation.

Each trial is one TrainingSession. Its score is, by default, the best validation accuracy
it reached (the lesson's rule); it can be the lowest validation loss instead (see SCORES).
The training figure of that same epoch is kept beside it so the chart can show under- and
overfitting. With `cv = k`, every value is trained k times, each fold validating once;
`repeats` adds runs with other seeds. Every trial's full run record is kept: its per-epoch
history too.
"""

from __future__ import annotations

import math
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..datasets.spec import DataSpec
from ..datasets.split import DatasetSplit
from ..errors import Problem, SpecError
from ..training.events import Listener, Progress, ignore
from ..training.records import EpochRecord, RunRecord
from ..training.run_spec import RunSpec
from .cluster.where import Where

# The settings it can vary live in grid_params.py; their names are used from here too.
from .grid_params import (  # noqa: F401
    DEFAULT_VALUES,
    GRID_PARAMS,
    MAX_TRIALS,
    MAX_VALUES,
    STRENGTHS,
    GridParam,
    apply_value,
)
from .trials import (
    InProcessRunner,
    TrialEpoch,
    TrialRunner,
    TrialStarted,
    UnitFailed,
    UnitFinished,
    UnitProgress,
    plan_units,
    trial_count,
)


def _best_accuracy(epochs: Sequence[EpochRecord]) -> tuple[float, float]:
    best = max(epochs, key=lambda e: e.val_accuracy)
    return best.val_accuracy, best.accuracy


def _lowest_loss(epochs: Sequence[EpochRecord]) -> tuple[float, float]:
    # A diverged epoch (nan loss) is never the best one.
    best = min(epochs, key=lambda e: e.val_data_loss if math.isfinite(e.val_data_loss) else math.inf)
    return best.val_data_loss, best.data_loss


@dataclass(frozen=True)
class GridScore:
    """What a trial is scored by: one figure from its best epoch, and which way is better."""

    label: str  # names the trial's score in a sentence: "best validation accuracy 0.92"
    measure: str  # names the chart's vertical axis
    short: str  # in column headers: "validation acc"
    higher_is_better: bool
    of: Callable[[Sequence[EpochRecord]], tuple[float, float]]  # (validation, training at that epoch)


# The loss score leaves the penalty out (data loss): the penalty grows with the strength
# being searched, so counting it would mark strong regularization down for its own
# penalty rather than for its predictions. Loss also shows overfitting that accuracy
# hides: an overconfident network's validation loss climbs while its accuracy holds.
SCORES: dict[str, GridScore] = {
    "accuracy": GridScore("best validation accuracy", "accuracy", "acc", True, _best_accuracy),
    "loss": GridScore("lowest validation loss", "loss (penalty left out)", "loss", False, _lowest_loss),
}


@dataclass(frozen=True)
class GridRecipe:
    """A ready-made search: every setting of the grid tab, chosen to show one thing."""

    key: str
    title: str
    what: str  # what the search shows, for the menu's tooltip
    param: str
    values: tuple[float, ...]
    cv: int | None
    epochs: int
    score: str


# Measured on the embedded digits (bench/RESULTS.md): by accuracy the weak strengths tie,
# so only the loss-scored, longer search shows a best strength with worse on both sides.
RECIPES: dict[str, GridRecipe] = {r.key: r for r in (
    GridRecipe("lesson", "The lesson's search: L2, 5 epochs, best validation accuracy",
               "The lesson's own search: one validation split, 5 epochs per value, the value with "
               "the best validation accuracy wins.", "l2", STRENGTHS, None, 5, "accuracy"),
    GridRecipe("both-sides", "Too weak and too strong: L2, 3 folds, 30 epochs, lowest validation loss",
               "Long enough for weak penalties to overfit: validation loss falls while the strength "
               "helps and rises once it underfits. About 40 s on two cores.", "l2", STRENGTHS, 3, 30, "loss"),
    GridRecipe("dropout", "Dropout rates 0.2 / 0.5 / 0.7, 3 folds, 30 epochs",
               "The lesson's dropout exercise, cross-validated. Training accuracy is measured with "
               "dropout on, so as the rate grows it sinks below validation: the gap closes, then "
               "turns over.", "dropout", (0.2, 0.5, 0.7), 3, 30, "accuracy"),
)}


@dataclass(frozen=True)
class Trial:
    value: float
    fold: int | None
    repeat: int
    val_score: float  # at the trial's best epoch, by the search's GridScore
    train_score: float  # the training figure at that same epoch
    record: RunRecord


@dataclass(frozen=True)
class GridPoint:
    value: float
    val_mean: float
    val_std: float
    train_mean: float
    train_std: float
    trials: int


@dataclass(frozen=True)
class GridResult:
    param: str
    values: tuple[float, ...]
    cv: int | None
    repeats: int
    trials: tuple[Trial, ...]
    cancelled: bool
    seconds: float
    score: str = "accuracy"

    @property
    def points(self) -> tuple[GridPoint, ...]:
        return grid_points(self.values, self.trials)

    @property
    def best(self) -> GridPoint | None:
        return best_point(self.points, self.score)


def grid_points(values: Sequence[float], trials: Sequence[Trial]) -> tuple[GridPoint, ...]:
    """Mean and spread per value over the trials done so far (values with none are left out)."""
    out = []
    for value in values:
        done = [t for t in trials if t.value == value]
        if not done:
            continue
        val = [t.val_score for t in done]
        train = [t.train_score for t in done]
        out.append(GridPoint(value, statistics.fmean(val), _spread(val), statistics.fmean(train),
                             _spread(train), len(done)))
    return tuple(out)


def best_point(points: Sequence[GridPoint], score: str = "accuracy") -> GridPoint | None:
    """The point with the best mean validation score; points whose mean is nan never win."""
    sign = 1.0 if SCORES[score].higher_is_better else -1.0
    finite = [p for p in points if math.isfinite(p.val_mean)]
    return max(finite, key=lambda p: sign * p.val_mean, default=None)


@dataclass(frozen=True)
class GridRequest:
    """What the window asks the training thread to search: checked before it is queued."""

    base: RunSpec
    param: str
    values: tuple[float, ...]
    cv: int | None = None
    repeats: int = 1
    score: str = "accuracy"
    fuse: bool = True  # a fold's values may train as one fused model (training/fused.py) if only the network differs
    # Where the trials train: here (None), local workers or a cluster (cluster/where.py). Not a
    # setting of the search's results: a lab file does not keep it.
    where: Where | None = field(default=None, compare=False)

    @property
    def total_trials(self) -> int:
        return trial_count(len(self.values), self.cv, self.repeats)

    @property
    def name(self) -> str:
        return f"grid {self.param}"

    @property
    def data(self) -> DataSpec:
        return self.base.data

    def start(self, data: DatasetSplit, listener: Listener) -> GridSearch:
        return GridSearch(self, data, listener)

    def problems(self) -> list[Problem]:
        if self.param not in GRID_PARAMS:
            return [Problem("grid.param", self.param, "one of " + ", ".join(GRID_PARAMS))]
        found = self.base.validate()
        if self.score not in SCORES:
            found.append(Problem("grid.score", self.score, "one of " + ", ".join(SCORES)))
        if not self.values:
            found.append(Problem("grid.values", "", "at least one value, e.g. 1e-4 1e-3 1e-2 1e-1"))
        if len(self.values) > MAX_VALUES:  # before checking each one: 10,000 values were tried
            found.append(Problem("grid.values", f"{len(self.values):,} values",
                                 f"at most {MAX_VALUES} values in one search"))
            return found
        if len(set(self.values)) != len(self.values):
            found.append(Problem("grid.values", list(self.values), "each value once"))
        if self.cv is not None and not (isinstance(self.cv, int) and 2 <= self.cv <= 10):
            found.append(Problem("grid.cv", self.cv, "off, or 2 to 10 folds"))
        if not (isinstance(self.repeats, int) and 1 <= self.repeats <= 100):
            found.append(Problem("grid.repeats", self.repeats, "a whole number from 1 to 100"))
        elif not any(p.field == "grid.cv" for p in found) and self.total_trials > MAX_TRIALS:
            found.append(Problem("grid", f"{self.total_trials:,} trials",
                                 f"at most {MAX_TRIALS:,} trials (values x folds x repeats) in one search; "
                                 "use fewer values, folds or repeats"))
        base_problems = list(found)
        for value in self.values:
            if self.param == "batch_size" and value != int(value):
                found.append(Problem("grid.values", value, "whole numbers for the batch size"))
                continue
            # Only what this value breaks: a problem the base already has (epochs = 0) is its own.
            wrong = [p for p in apply_value(self.base, self.param, value).validate() if p not in base_problems]
            if wrong:  # once per value, though it may be wrong on every layer it is put on
                found.append(Problem("grid.values", value, f"{wrong[0].allowed} (as {wrong[0].field})"))
        return found

    def check(self) -> GridRequest:
        problems = self.problems()
        if problems:
            raise SpecError(problems)
        return self


def parse_values(text: str) -> tuple[float, ...]:
    """Values typed by a person: numbers separated by spaces, commas or semicolons."""
    words = text.replace(",", " ").replace(";", " ").split()
    try:
        values = tuple(float(word) for word in words)
    except ValueError:
        raise SpecError([Problem("grid.values", text, "numbers separated by spaces or commas, "
                                 "e.g. 1e-4 1e-3 1e-2 1e-1")]) from None
    if not all(math.isfinite(v) for v in values):
        raise SpecError([Problem("grid.values", text, "finite numbers")])
    return values


def _spread(values: list[float]) -> float:
    return statistics.stdev(values) if len(values) > 1 else 0.0


@dataclass(frozen=True)
class SearchProgress:
    """A search's place: trials finished, and the progress of the unit training now.

    With several workers, several units train at once: `running` is then how many trials'
    worth of training they have done between them, `training` how many trials they train,
    and `progress` is one of them.
    """

    done: int
    total: int
    progress: Progress
    running: float | None = None
    training: int = 0

    @property
    def fraction(self) -> float:
        # Trials training together advance together.
        now = self.progress.together * self.progress.fraction if self.running is None else self.running
        return min(1.0, (self.done + now) / max(self.total, 1))


@dataclass(frozen=True)
class TrialFinished:
    trial: Trial


@dataclass(frozen=True)
class TrialsFailed:
    """Some trials ended with an error (a worker lost, say); the search goes on without them."""

    values: tuple[float, ...]
    fold: int | None
    message: str


@dataclass(frozen=True)
class SearchFinished:
    result: GridResult


class GridSearch:
    """Runs the trials through a runner: here one after another (all values of a fold, alone or
    fused, then the next fold), or on Dask workers (cluster/), as the request's `where` says.

    Tells its listener TrialStarted as units start, SearchProgress, TrialEpoch as trials finish
    epochs, TrialFinished after each trial, TrialsFailed when a unit fails, SearchFinished at
    the end; `cancel()` from any thread keeps what finished.
    """

    def __init__(self, request: GridRequest, data: DatasetSplit, listener: Listener = ignore,
                 progress_interval: float = 0.25, runner: TrialRunner | None = None):
        self.request = request.check()  # every value valid before anything trains; the window's rules
        self.data, self.listener = data, listener
        self.runner = runner if runner is not None else runner_for(request.where, progress_interval)
        self._cancel = threading.Event()

    @property
    def total_trials(self) -> int:
        return self.request.total_trials

    def cancel(self) -> None:
        self._cancel.set()
        self.runner.cancel()

    request_stop = cancel  # a search stopped by the user keeps the trials that finished

    def run(self) -> GridResult:
        r = self.request
        started = time.perf_counter()
        trials: list[Trial] = []
        running: dict[int, tuple[int, float]] = {}  # unit key -> (trials in it, fraction done)

        def heard(event: object) -> None:
            if isinstance(event, UnitProgress):
                running[event.unit.key] = (len(event.unit.values), event.progress.fraction)
                now = sum(n * f for n, f in running.values()) if len(running) > 1 else None
                training = sum(n for n, _ in running.values())
                self.listener(SearchProgress(len(trials), r.total_trials, event.progress, now, training))
            elif isinstance(event, (TrialStarted, TrialEpoch)):
                self.listener(event)
            elif isinstance(event, UnitFinished):
                running.pop(event.unit.key, None)
                if self._cancel.is_set():
                    return  # trials cut short are not results
                unit = event.unit
                for value, record in zip(unit.values, event.records, strict=True):
                    if not record.epochs:
                        continue  # not one epoch to score
                    val, train = SCORES[r.score].of(record.epochs)
                    trial = Trial(value, unit.fold, unit.repeat, val, train, record)
                    trials.append(trial)
                    self.listener(TrialFinished(trial))
            elif isinstance(event, UnitFailed):
                running.pop(event.unit.key, None)
                self.listener(TrialsFailed(event.unit.values, event.unit.fold, event.message))

        if not self._cancel.is_set():  # slots() may start or reach workers: not for a search cancelled already
            units = plan_units(r.base, r.param, r.values, r.cv, r.repeats, self.data.y_train, r.fuse,
                               self.runner.slots())
            self.runner.run(units, self.data, heard)
        # The in-process order (fold by fold) for every runner: workers finish in any order.
        trials.sort(key=lambda t: (t.repeat, t.fold or 0, r.values.index(t.value)))
        result = GridResult(r.param, r.values, r.cv, r.repeats, tuple(trials),
                            self._cancel.is_set(), time.perf_counter() - started, r.score)
        self.listener(SearchFinished(result))
        return result


def runner_for(where: Where | None, progress_interval: float = 0.25) -> TrialRunner:
    """The runner a request's `where` asks for: here, or Dask workers (local or a cluster)."""
    if where is None or where.kind == "here":
        return InProcessRunner(progress_interval)
    from .cluster.dask_runner import DaskRunner

    return DaskRunner(where, progress_interval)
