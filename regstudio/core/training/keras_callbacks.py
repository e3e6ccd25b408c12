"""The Keras callbacks through which a TrainingSession watches and steers `fit`.

They do as little as possible per batch (check the stop flag, look at the clock), because
anything more is paid thousands of times per run; the real work happens once per epoch.
Everything they share with their session sits in one RunWatch.
"""

from __future__ import annotations

import functools
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..boundary.probe import BoundaryProbe
from ..weights.stats import HistogramLayout, weight_stats
from .events import DecisionBoundary, EarlyStoppingStatus, EpochEnded, FirstKernel, Listener, Progress, ignore
from .records import EpochRecord


class StopFlag(Protocol):
    """A user's Stop as a run sees it: a threading.Event, or a fused member's view of one."""

    def is_set(self) -> bool: ...


@dataclass
class RunWatch:
    """What a session's callbacks share with it: the plan, the flags, and what happened."""

    stop: StopFlag
    cancel: threading.Event
    layouts: list[HistogramLayout]
    epochs_planned: int
    batches: int  # per epoch
    listener: Listener = ignore
    progress_interval: float = 0.05  # seconds between Progress events
    send_first_kernel: bool = False  # image data: the first layer's units can be drawn as pictures
    boundary: BoundaryProbe | None = None  # 2-feature data: the decision boundary after each epoch
    epochs: list[EpochRecord] = field(default_factory=list)  # complete epochs, in order
    diverged_at: int | None = None  # epoch (from 1) whose loss stopped being finite
    interrupted: bool = False  # a user stop cut an epoch short


@functools.cache
def callback_class() -> type:
    from ..tf_runtime import import_keras

    keras = import_keras()

    class SessionCallback(keras.callbacks.Callback):
        def __init__(self, watch: RunWatch):
            super().__init__()
            self.watch = watch
            self.started = self.last_emit = 0.0
            self.epoch = 0

        def on_train_begin(self, logs: Any = None) -> None:
            self.started = self.last_emit = time.perf_counter()

        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            self.epoch = epoch + 1

        # Only *_begin batch hooks: a callback with a batch-*end* hook makes Keras wait for
        # every step to finish and convert its logs (about 20 % slower on small models).
        # Keras checks stop_training right after the batch that follows, hence "within one
        # batch".
        def on_train_batch_begin(self, batch: int, logs: Any = None) -> None:
            watch = self.watch
            if watch.stop.is_set():
                watch.interrupted = True
                self.model.stop_training = True
                return
            now = time.perf_counter()
            if batch == 0 or now - self.last_emit < watch.progress_interval:
                return
            self.last_emit = now
            # Reading the running loss waits for the step in flight; a few times a second only.
            loss = float(self.model.metrics[0].result())
            if not math.isfinite(loss):
                # The running mean stays NaN for the rest of the epoch; no point going on.
                watch.diverged_at = self.epoch
                self.model.stop_training = True
            watch.listener(Progress(self.epoch, watch.epochs_planned, batch, watch.batches,
                                    now - self.started, loss))

        def on_test_batch_begin(self, batch: int, logs: Any = None) -> None:
            # During fit this is the validation pass; Keras would finish it after stop_training.
            if self.watch.stop.is_set():
                self.watch.interrupted = True
                self.model.stop_evaluating = True

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            watch = self.watch
            if watch.interrupted or watch.stop.is_set():
                watch.interrupted = True
                self.model.stop_training = True
                return  # a cut-short epoch's numbers would mislead; it is not recorded
            logs = logs or {}
            get = lambda key: float(logs.get(key, math.nan))  # noqa: E731
            by_layer = {layer.name: layer for layer in self.model.layers}
            weights = []
            for layout in watch.layouts:
                layer = by_layer[layout.layer]
                variable = layer.kernel if layout.kind == "kernel" else layer.bias
                weights.append(weight_stats(layout, variable.numpy()))
            frame = watch.boundary.frame(self.model, epoch + 1) if watch.boundary is not None else None
            record = EpochRecord(epoch + 1, get("loss"), get("accuracy"), get("penalty"),
                                 get("val_loss"), get("val_accuracy"), get("val_penalty"),
                                 time.perf_counter() - self.started, tuple(weights),
                                 frame.complexity if frame is not None else None)
            watch.epochs.append(record)
            if watch.send_first_kernel and watch.layouts:
                first = by_layer[watch.layouts[0].layer].kernel.numpy()  # .numpy() is already a copy
                watch.listener(FirstKernel(epoch + 1, first))
            if not math.isfinite(record.loss) and watch.diverged_at is None:
                watch.diverged_at = epoch + 1
            if watch.diverged_at is not None:
                self.model.stop_training = True
            watch.listener(EpochEnded(record))
            if frame is not None:  # after its record, so a view drawing it can show the epoch's accuracy too
                watch.listener(DecisionBoundary(frame))
            if watch.stop.is_set():  # asked while this epoch ended: end here, before another batch trains
                self.model.stop_training = True

    return SessionCallback


@functools.cache
def evaluation_stop_class() -> type:
    from ..tf_runtime import import_keras

    keras = import_keras()

    class EvaluationStop(keras.callbacks.Callback):
        def __init__(self, cancel: threading.Event):
            super().__init__()
            self.cancel = cancel

        def on_test_batch_begin(self, batch: int, logs: Any = None) -> None:
            if self.cancel.is_set():
                self.model.stop_evaluating = True

    return EvaluationStop


@functools.cache
def early_stopping_class() -> type:
    from ..tf_runtime import import_keras

    keras = import_keras()

    class GuardedEarlyStopping(keras.callbacks.EarlyStopping):
        """Keras's EarlyStopping, blind to an epoch that a user stop cut short.

        Such an epoch's validation numbers come from part of the data; if they happened to
        look best, the run would end on weights from half an epoch. After each epoch it
        tells the listener the best epoch so far and the patience used.
        """

        def __init__(self, watch: RunWatch, **kwargs: Any):
            super().__init__(**kwargs)
            self.watch = watch

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            if self.watch.interrupted:
                return
            super().on_epoch_end(epoch, logs)
            if self.best is not None:
                self.watch.listener(EarlyStoppingStatus(epoch + 1, int(self.best_epoch) + 1, float(self.best),
                                                        int(self.wait), int(self.patience), self.monitor))

    return GuardedEarlyStopping
