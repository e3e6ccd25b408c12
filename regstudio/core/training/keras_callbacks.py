"""The Keras callback through which a TrainingSession watches and steers `fit`.

It does as little as possible per batch (check the stop flag, look at the clock), because
anything more is paid thousands of times per run; the real work happens once per epoch.
"""

from __future__ import annotations

import functools
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..weights.stats import HistogramLayout, weight_stats
from .records import EpochRecord


@dataclass(frozen=True)
class Progress:
    """Where training is within the run, sent a few times a second."""

    epoch: int  # counted from 1
    epochs: int
    batch: int  # batches done in this epoch
    batches: int
    seconds: float  # since training began
    loss: float  # running mean of this epoch so far

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


@dataclass
class EpochWatch:
    """State the callback shares with its session (read after `fit` returns)."""

    stop: threading.Event
    cancel: threading.Event
    epochs: list[EpochRecord]
    diverged_at: int | None = None  # epoch (from 1) whose loss stopped being finite
    interrupted: bool = False  # a user stop cut an epoch short


@functools.cache
def callback_class() -> type:
    from ..tf_runtime import import_keras

    keras = import_keras()

    class SessionCallback(keras.callbacks.Callback):
        def __init__(self, watch: EpochWatch, layouts: list[HistogramLayout], total_epochs: int,
                     batches: int, on_epoch: Callable[[EpochRecord], None] | None,
                     on_progress: Callable[[Progress], None] | None, interval: float,
                     on_first_kernel: Callable[[int, Any], None] | None = None):
            super().__init__()
            self.on_first_kernel = on_first_kernel
            self.watch, self.layouts, self.total_epochs, self.batches = watch, layouts, total_epochs, batches
            self.on_epoch, self.on_progress, self.interval = on_epoch, on_progress, interval
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
            if self.watch.stop.is_set():
                self.watch.interrupted = True
                self.model.stop_training = True
                return
            now = time.perf_counter()
            if batch == 0 or now - self.last_emit < self.interval:
                return
            self.last_emit = now
            # Reading the running loss waits for the step in flight; a few times a second only.
            loss = float(self.model.metrics[0].result())
            if not math.isfinite(loss):
                # The running mean stays NaN for the rest of the epoch; no point going on.
                self.watch.diverged_at = self.epoch
                self.model.stop_training = True
            if self.on_progress is not None:
                self.on_progress(Progress(self.epoch, self.total_epochs, batch, self.batches,
                                          now - self.started, loss))

        def on_test_batch_begin(self, batch: int, logs: Any = None) -> None:
            # During fit this is the validation pass; Keras would finish it after stop_training.
            if self.watch.stop.is_set():
                self.watch.interrupted = True
                self.model.stop_evaluating = True

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            if self.watch.interrupted or self.watch.stop.is_set():
                self.watch.interrupted = True
                self.model.stop_training = True
                return  # a cut-short epoch's numbers would mislead; it is not recorded
            logs = logs or {}
            get = lambda key: float(logs.get(key, math.nan))  # noqa: E731
            by_layer = {layer.name: layer for layer in self.model.layers}
            weights = []
            for layout in self.layouts:
                layer = by_layer[layout.layer]
                variable = layer.kernel if layout.kind == "kernel" else layer.bias
                weights.append(weight_stats(layout, variable.numpy()))
            record = EpochRecord(epoch + 1, get("loss"), get("accuracy"), get("penalty"),
                                 get("val_loss"), get("val_accuracy"), get("val_penalty"),
                                 time.perf_counter() - self.started, tuple(weights))
            self.watch.epochs.append(record)
            if self.on_first_kernel is not None and self.layouts:
                first = by_layer[self.layouts[0].layer].kernel.numpy()  # .numpy() is already a copy
                self.on_first_kernel(epoch + 1, first)
            if not math.isfinite(record.loss) and self.watch.diverged_at is None:
                self.watch.diverged_at = epoch + 1
            if self.watch.diverged_at is not None:
                self.model.stop_training = True
            if self.on_epoch is not None:
                self.on_epoch(record)

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
        look best, the run would end on weights from half an epoch.
        """

        def __init__(self, watch: EpochWatch, on_status: Callable[[EarlyStoppingStatus], None] | None = None,
                     **kwargs: Any):
            super().__init__(**kwargs)
            self.watch = watch
            self.on_status = on_status

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            if self.watch.interrupted:
                return
            super().on_epoch_end(epoch, logs)
            if self.on_status is not None and self.best is not None:
                self.on_status(EarlyStoppingStatus(epoch + 1, int(self.best_epoch) + 1, float(self.best),
                                                   int(self.wait), int(self.patience), self.monitor))

    return GuardedEarlyStopping
