"""Saying how long an epoch will take when it is long: before training, then as measured.

Before a run or comparison starts, the estimate comes from the step cost the training
thread measured once TensorFlow loaded (core/training/epoch_time.py) and the networks' sizes,
for data whose size is known without loading. Once a run's first epoch is under way, two
of its progress reports give the measured figure, for any data; it is said if the
estimate was not, or was off by more than half.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ...core.model.keras_model import summary_rows
from ...core.training.epoch_time import (
    StepCost,
    epoch_seconds,
    measured_epoch_seconds,
    slow_epoch_message,
    training_examples,
)
from ...core.training.events import Progress
from ...core.training.run_spec import RunSpec


class EpochTimeNotice:
    def __init__(self, shape: Callable[[], tuple[int, int] | None], say: Callable[[str], None]):
        self._shape = shape  # (features, classes) of the chosen data, None until known
        self._say = say
        self.cost: StepCost | None = None  # set once the training thread has measured it
        self._runs = 0  # in the batch just queued
        self._estimate: float | None = None  # seconds per epoch of all of them, if it was said
        self._first: tuple[int, Progress] | None = None  # the batch's first report in a first epoch, with its run
        self._judged = False  # the measured figure has been compared, once per batch

    def estimate(self, specs: Sequence[RunSpec]) -> float | None:
        """Seconds for one epoch of all `specs` on this computer, or None when it cannot be told yet."""
        shape = self._shape()
        if self.cost is None or shape is None or not specs:
            return None
        total = 0.0
        for spec in specs:
            examples = training_examples(spec)
            if examples is None:
                return None
            params = sum(r.params for r in summary_rows(spec.model, *shape))
            t = spec.training
            total += epoch_seconds(self.cost, params, examples, t.validation_split, t.batch_size)
        return total

    def queued(self, specs: Sequence[RunSpec]) -> None:
        """Runs were just queued (nothing else can be while they train): say the estimate if their epochs are slow."""
        self._runs, self._first, self._judged = len(specs), None, False
        self._estimate = self.estimate(specs)
        if self._estimate is not None and specs:
            message = slow_epoch_message(self._estimate, max(s.training.epochs for s in specs), runs=len(specs))
            if message is not None:
                self._say(message)
                return
        self._estimate = None  # nothing said: the measured figure speaks if it must

    def progressed(self, run_id: int, progress: Progress) -> None:
        """Judge the first run (or fused group) of the batch once, a few batches into its first epoch."""
        if self._judged or progress.epoch != 1:
            return
        if self._first is None or self._first[0] != run_id:  # another run: its own clock
            self._first = (run_id, progress)
            return
        if progress.batch < self._first[1].batch + 3:  # a few batches apart, so the clock's grain does not matter
            return
        self._judged = True
        measured = measured_epoch_seconds(self._first[1], progress)
        if measured is None:
            return
        # The estimate is for the whole batch; what trains now is `together` of its runs.
        share = progress.together / max(self._runs, 1)
        if self._estimate is not None and 0.5 <= measured / (self._estimate * share) <= 2:
            return  # the estimate said it already, near enough
        message = slow_epoch_message(measured, progress.epochs, measured=True, runs=progress.together)
        if message is not None:
            self._say(message)
