"""TrainingSession: train one RunSpec on one dataset and describe what happened.

A plain job with one listener, no Qt: the window runs it on its training thread, the CLI
runs it directly, tests run it on tiny data. `run()` blocks until training ends, telling
the listener as it goes (events.py); another thread may call `request_stop()` or
`cancel()` at any time.

It trains the lesson's way (categorical cross-entropy, one-hot labels, shuffled batches,
validation on held-out training data each epoch) but faster than a plain `model.fit` on
arrays: the data are turned into a cached tf.data pipeline once, validation runs in large
batches, and per-batch work is a flag check. bench/train_speed.py measures the difference.

The steps of a run (the split, the pipelines, the callbacks, the outcome, the record) are
module functions, because a fused group of runs (fused.py) takes the very same steps for
each of its members.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import numpy as np

from ..boundary.plane import BoundaryPlane, plane_over
from ..boundary.probe import BoundaryProbe
from ..datasets.spec import DataSpec
from ..datasets.split import DatasetSplit, stratified_indices
from ..errors import Problem, SpecError
from ..model.keras_model import build_model, make_optimizer
from ..tf_runtime import build_state_eagerly, import_keras, release_memory, versions
from ..weights.stats import HistogramLayout, dense_layouts
from .events import Listener, RunFinished, RunStarted, ignore
from .keras_callbacks import RunWatch, StopFlag, callback_class, early_stopping_class, evaluation_stop_class
from .records import DatasetSummary, RunRecord
from .run_spec import EarlyStopping, RunSpec

EVAL_BATCH = 2048  # batch size has no effect on evaluation results, only on speed


@dataclass(frozen=True)
class RunRequest:
    """One run waiting in the queue: what to train and under which name.

    `fuse`: it may train together with the compatible runs queued right behind it (one
    fused model, fused.py); False trains it alone, as a teacher may want to show.
    """

    spec: RunSpec
    name: str
    fuse: bool = True

    @property
    def data(self) -> DataSpec:
        return self.spec.data

    def start(self, data: DatasetSplit, listener: Listener) -> TrainingSession:
        return TrainingSession(self.spec, data, name=self.name, listener=listener)


# The steps of a run ----------------------------------------------------------------------------
def split_validation(spec: RunSpec, data: DatasetSplit,
                     folds: tuple[np.ndarray, np.ndarray] | None) -> tuple[np.ndarray, np.ndarray]:
    """(train positions, validation positions): the given folds, else a seeded stratified hold-out."""
    if folds is not None:
        return folds
    t = spec.training
    fit_idx, val_idx = stratified_indices(data.y_train, t.validation_split, t.seed)
    if len(fit_idx) == 0 or len(val_idx) == 0:
        raise SpecError([Problem("training.validation_split", t.validation_split,
                                 f"a share that leaves examples on both sides of "
                                 f"{len(data.y_train)} training examples")])
    return fit_idx, val_idx


def pipelines(spec: RunSpec, data: DatasetSplit, fit_idx: np.ndarray,
              val_idx: np.ndarray) -> tuple[Any, Any, Any]:
    """The training, validation and test tf.data pipelines; seed Keras first for the batch order."""
    import tensorflow as tf

    t, d = spec.training, data
    onehot = np.eye(d.n_classes, dtype=np.float32)

    # The data are already in memory; tf.data's own thread pool and autotuner would only
    # compete with the training ops for the few cores a classroom laptop has (measured:
    # 25 % slower epochs on 2 cores with them on).
    options = tf.data.Options()
    options.threading.private_threadpool_size = 1
    options.autotune.enabled = False

    def source(x: np.ndarray, y: np.ndarray) -> tf.data.Dataset:
        return tf.data.Dataset.from_tensor_slices((x, onehot[y])).cache().with_options(options)

    train = (source(d.x_train[fit_idx], d.y_train[fit_idx])
             .shuffle(len(fit_idx), seed=t.seed, reshuffle_each_iteration=True)
             .batch(t.batch_size).prefetch(2))
    val = source(d.x_train[val_idx], d.y_train[val_idx]).batch(EVAL_BATCH)
    test = source(d.x_test, d.y_test).batch(EVAL_BATCH)
    return train, val, test


def layouts_of(model: Any) -> list[HistogramLayout]:
    """The histogram layouts of a network's Dense layers, named by layer as records name them."""
    keras = import_keras()
    layouts: list[HistogramLayout] = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dense):
            fan_in, fan_out = layer.kernel.shape
            layouts += dense_layouts(layer.name, int(fan_in), int(fan_out))
    return layouts


def run_watch(stop: StopFlag, cancel: threading.Event, layouts: list[HistogramLayout], spec: RunSpec,
              data: DatasetSplit, n_fit: int, listener: Listener, progress_interval: float,
              plane: BoundaryPlane | None = None) -> RunWatch:
    t = spec.training
    # Each epoch also sends a copy of the first Dense kernel (inputs x units) for image
    # data only: the one piece of raw weights worth drawing (as pictures), 400 KB for MNIST.
    # 2-feature data: the class probabilities over a grid of the plane after each epoch
    # (a few milliseconds), for the decision-boundary pictures and their complexity.
    return RunWatch(stop, cancel, layouts, t.epochs, math.ceil(n_fit / t.batch_size), listener,
                    progress_interval, send_first_kernel=data.image_shape is not None,
                    boundary=BoundaryProbe(plane) if plane is not None else None)


def early_stopping_callback(watch: RunWatch, es: EarlyStopping) -> Any:
    # The direction is given, not left to Keras's "auto": auto looks it up among the
    # model's compiled metrics, which a member of a fused model does not have.
    mode = "max" if es.monitor.endswith("accuracy") else "min"
    return early_stopping_class()(watch, monitor=es.monitor, patience=es.patience, min_delta=es.min_delta,
                                  restore_best_weights=es.restore_best, mode=mode)


def run_outcome(spec: RunSpec, watch: RunWatch, early: Any | None,
                stopped: bool) -> tuple[str, str, int | None, int | None, int | None]:
    """(outcome, reason, best epoch, stop epoch, restored epoch); `stopped`: a user stop reached this run."""
    n = len(watch.epochs)
    best = stop_at = restored = None
    es = spec.training.early_stopping
    if early is not None and n:
        best = int(early.best_epoch) + 1
        if early.stopped_epoch > 0:
            stop_at = int(early.stopped_epoch) + 1
        if es is not None and es.restore_best and early.best_weights is not None:
            restored = best
    if watch.diverged_at is not None:
        return ("diverged", f"the loss became NaN or infinite in epoch {watch.diverged_at}; "
                "try a smaller learning rate or a weaker penalty", best, stop_at, restored)
    if watch.interrupted or (stopped and n < spec.training.epochs):
        return ("stopped", f"stopped by request after {n} complete epoch{'s' * (n != 1)}",
                best, stop_at, restored)
    if stop_at is not None and es is not None:
        return ("early-stopped", f"{es.monitor} did not improve for {es.patience} epochs after "
                f"epoch {best}", best, stop_at, restored)
    return "completed", f"all {n} epochs done", best, stop_at, restored


def run_record(name: str, spec: RunSpec, data: DatasetSplit, n_fit: int, n_val: int, params: int,
               layouts: list[HistogramLayout], watch: RunWatch, outcome: tuple[str, str, int | None, int | None,
                                                                               int | None],
               test: tuple[float | None, float | None], seconds: tuple[float, float, float],
               fused_with: tuple[str, ...] = (), steps: int | None = None) -> RunRecord:
    d = data
    kind, reason, best, stop_at, restored = outcome
    return RunRecord(
        name=name, spec=spec,
        dataset=DatasetSummary(d.name, n_fit, n_val, len(d.x_test), d.n_features, d.class_names, d.image_shape,
                               d.source),
        params=params, layouts=tuple(layouts), epochs=tuple(watch.epochs),
        outcome=kind, reason=reason, best_epoch=best, stop_epoch=stop_at, restored_epoch=restored,
        test_loss=test[0], test_accuracy=test[1],
        build_seconds=seconds[0], train_seconds=seconds[1], test_seconds=seconds[2],
        versions=versions(), created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        fused_with=fused_with, steps=steps,
    )


# One run ---------------------------------------------------------------------------------------
class TrainingSession:
    def __init__(self, spec: RunSpec, data: DatasetSplit, *, name: str | None = None, listener: Listener = ignore,
                 progress_interval: float = 0.05, folds: tuple[np.ndarray, np.ndarray] | None = None):
        self.spec = spec.check()
        self.data = data
        self.name = name or "run"
        self.listener = listener
        self.progress_interval = progress_interval
        # (train positions, validation positions) into data.x_train, for cross-validation;
        # by default a stratified hold-out of training.validation_split, seeded.
        self.folds = folds
        self._stop = threading.Event()
        self._cancel = threading.Event()

    def request_stop(self) -> None:
        """End training within one batch; the test set is still evaluated."""
        self._stop.set()

    def cancel(self) -> None:
        """End training and skip the test evaluation (the window is closing)."""
        self._cancel.set()
        self._stop.set()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    def run(self) -> RunRecord:
        keras = import_keras()
        t, d = self.spec.training, self.data
        started = time.perf_counter()
        # Same seed, same batch order and dropout masks; build_model seeds the initial weights.
        keras.utils.set_random_seed(t.seed)
        fit_idx, val_idx = split_validation(self.spec, d, self.folds)
        train_ds, val_ds, test_ds = pipelines(self.spec, d, fit_idx, val_idx)
        model = build_model(self.spec.model, d.n_features, d.n_classes, seed=t.seed)
        model.compile(optimizer=make_optimizer(t.optimizer, t.learning_rate),
                      loss="categorical_crossentropy", metrics=["accuracy"])
        build_state_eagerly(model, d.n_features, d.n_classes)
        layouts = layouts_of(model)
        plane = plane_over(d, fit_idx)
        watch = run_watch(self._stop, self._cancel, layouts, self.spec, d, len(fit_idx), self.listener,
                          self.progress_interval, plane)
        self.listener(RunStarted(self.name, tuple(layouts), d.image_shape, t.epochs, plane))
        callbacks = [callback_class()(watch)]
        early = None
        if t.early_stopping is not None:
            early = early_stopping_callback(watch, t.early_stopping)
            callbacks.append(early)
        build_seconds = time.perf_counter() - started

        fit_started = time.perf_counter()
        if not self._stop.is_set():
            model.fit(train_ds, validation_data=val_ds, epochs=t.epochs, verbose=0, shuffle=False,
                      callbacks=callbacks)
        train_seconds = time.perf_counter() - fit_started

        test_started = time.perf_counter()
        test_loss = test_accuracy = None
        if not self._cancel.is_set() and watch.epochs:
            result = model.evaluate(test_ds, verbose=0, return_dict=True,
                                    callbacks=[evaluation_stop_class()(self._cancel)])
            if not self._cancel.is_set():
                test_loss, test_accuracy = float(result["loss"]), float(result["accuracy"])
        test_seconds = time.perf_counter() - test_started

        outcome = run_outcome(self.spec, watch, early, self._stop.is_set())
        params = int(model.count_params())
        watch.boundary = None  # its traced forward pass holds the model
        steps = int(model.optimizer.iterations.numpy())
        del model, callbacks, early, train_ds, val_ds, test_ds
        release_memory()  # runs follow each other in one process all lesson long
        record = run_record(self.name, self.spec, d, len(fit_idx), len(val_idx), params, layouts, watch, outcome,
                            (test_loss, test_accuracy), (build_seconds, train_seconds, test_seconds), steps=steps)
        self.listener(RunFinished(record))
        return record


# The first fit in a process ----------------------------------------------------------------------
_warmed = threading.Event()


def warm_up(started: Callable[[TrainingSession], None] = lambda session: None) -> None:
    """Pay TensorFlow's once-per-process costs now: one tiny fit of a throwaway model.

    The first fit in a process imports Keras's training code and builds TensorFlow's first
    graph functions, about 0.7 s. The benchmarks call this first, so that neither side of a
    comparison pays it. (The window does not: its first run's stalls were the garbage
    collector's, see TrainingController.) The model holds every layer type, a penalty and
    early stopping, so each first-use path is taken here. Once per process; `started`
    receives the session (to cancel it).
    """
    from ..datasets import load
    from ..model import Activation, BatchNorm, Dense, Dropout, GaussianNoise, ModelSpec, Regularizer
    from .run_spec import TrainingConfig

    if _warmed.is_set():
        return
    data = DataSpec("blobs", samples=64, seed=0)
    model = ModelSpec((GaussianNoise(0.1), Dense(4, "linear", Regularizer.of("l1l2", 1e-3, 1e-3)), BatchNorm(),
                       Activation("relu"), Dropout(0.2)))
    spec = RunSpec(model, TrainingConfig(epochs=1, batch_size=16, early_stopping=EarlyStopping()), data)
    session = TrainingSession(spec, load(data), name="warm-up")
    started(session)
    session.run()
    _warmed.set()
