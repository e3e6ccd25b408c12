"""What a training job tells its one listener, and the shape every job has.

A job (one TrainingSession, one GridSearch) runs on whatever thread calls `run()` and
reports through a single listener: a function taking one event. Events are frozen plain
data (numbers, tuples, NumPy copies, records), so a listener may hand them to another
thread as they are. The window forwards them to the GUI thread with one Qt signal; the
command line prints some of them; tests collect them in a list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from ..boundary.frames import BoundaryFrame
from ..boundary.plane import BoundaryPlane
from ..weights.stats import HistogramLayout
from .records import EpochRecord, RunRecord


@dataclass(frozen=True)
class RunStarted:
    """Sent once the model is built, before the first epoch."""

    name: str
    layouts: tuple[HistogramLayout, ...]  # the weight histograms each epoch will carry
    image_shape: tuple[int, int] | None  # (height, width) when each input row is an image
    epochs: int  # planned epochs
    plane: BoundaryPlane | None = field(default=None, compare=False)  # 2-feature data: where boundaries are drawn


@dataclass(frozen=True)
class EpochEnded:
    record: EpochRecord


@dataclass(frozen=True)
class Progress:
    """Where training is within the run, sent a few times a second."""

    epoch: int  # counted from 1
    epochs: int
    batch: int  # batches done in this epoch
    batches: int
    seconds: float  # since training began
    loss: float  # running mean of this epoch so far
    together: int = 1  # runs training together in one fused model (training/fused.py), this one included

    @property
    def fraction(self) -> float:
        done = (self.epoch - 1) + self.batch / max(self.batches, 1)
        return min(1.0, done / self.epochs)


@dataclass(frozen=True)
class EarlyStoppingStatus:
    """Early stopping's view after an epoch: the best epoch so far and how much patience is used."""

    epoch: int  # the epoch just finished, counted from 1
    best_epoch: int  # counted from 1
    best_value: float  # of the monitored metric
    wait: int  # epochs since the best one without enough improvement
    patience: int
    monitor: str

    @property
    def stopping(self) -> bool:
        return self.epoch > self.best_epoch and self.wait >= self.patience


@dataclass(frozen=True)
class FirstKernel:
    """The first Dense layer's kernel (inputs x units) after an epoch, for image data only."""

    epoch: int
    kernel: np.ndarray = field(compare=False)  # a copy: the training thread never touches it again


@dataclass(frozen=True)
class DecisionBoundary:
    """The network's predictions over the run's plane after an epoch, for 2-feature data only.

    Sent just after that epoch's EpochEnded, whose record carries the same complexity.
    """

    frame: BoundaryFrame


@dataclass(frozen=True)
class RunFinished:
    record: RunRecord


@dataclass(frozen=True)
class JobFailed:
    """The job ended with an error; `message` is a sentence for the student."""

    message: str


Listener = Callable[[Any], None]  # receives any of the events above (and a search's own)


def ignore(event: object) -> None:
    """The listener of a job nobody watches."""


class Job(Protocol):
    """What the training thread and the command line run: a session or a search."""

    def run(self) -> object:
        """Block until done; tell the listener along the way, and return the result."""

    def request_stop(self) -> None:
        """End soon, keeping what is finished (from any thread)."""

    def cancel(self) -> None:
        """End as soon as possible, skipping any final evaluation (from any thread)."""
