"""What a session tells its listener and writes in its record, event by event and field by field."""

import math
import re
import threading
import time
from dataclasses import replace
from datetime import datetime

import numpy as np
import pytest
from keras_probe import capturing_models

from regstudio.core.datasets import load
from regstudio.core.datasets.spec import DataSpec
from regstudio.core.model import Dense, ModelSpec
from regstudio.core.training.events import (
    EarlyStoppingStatus,
    EpochEnded,
    FirstKernel,
    Progress,
    RunFinished,
    RunStarted,
)
from regstudio.core.training.keras_callbacks import RunWatch, evaluation_stop_class
from regstudio.core.training.records import DatasetSummary
from regstudio.core.training.run_spec import EarlyStopping, RunSpec, TrainingConfig
from regstudio.core.training.session import RunRequest, TrainingSession, early_stopping_callback


def kinds(events, kind):
    return [e for e in events if isinstance(e, kind)]


def test_a_request_starts_its_session_under_its_name(small_spec, blobs):
    heard = []
    session = RunRequest(small_spec, "3: l2").start(blobs, heard.append)
    assert isinstance(session, TrainingSession) and RunRequest(small_spec, "x").data == small_spec.data
    assert (session.spec, session.data, session.name, session.listener) == (small_spec, blobs, "3: l2", heard.append)
    assert TrainingSession(small_spec, blobs).name == "run"


def test_progress_is_told_for_every_batch_or_not_at_all(small_spec, blobs):
    spec = small_spec.with_training(epochs=2)  # 192 training rows in batches of 32: 6 batches an epoch
    every, none = [], []
    started, clock = datetime.now().timestamp(), time.perf_counter()
    record = TrainingSession(spec, blobs, listener=every.append, progress_interval=0.0).run()
    whole = time.perf_counter() - clock
    TrainingSession(spec, blobs, listener=none.append, progress_interval=1e9).run()
    told = kinds(every, Progress)
    assert [(p.epoch, p.batch) for p in told] == [(e, b) for e in (1, 2) for b in range(1, 6)]  # batch 0: nothing yet
    assert {(p.epochs, p.batches) for p in told} == {(2, 6)}
    assert all(math.isfinite(p.loss) and p.loss > 0 for p in told)
    assert [p.seconds for p in told] == sorted(p.seconds for p in told)
    assert told[-1].seconds <= record.epochs[-1].seconds
    assert kinds(none, Progress) == []
    # Times: each part measured, none longer than the whole run, the record stamped when it was made.
    assert record.build_seconds > 0 and record.train_seconds > 0 and record.test_seconds > 0
    assert record.build_seconds + record.train_seconds + record.test_seconds <= whole
    assert record.epochs[-1].seconds <= record.train_seconds
    created = datetime.fromisoformat(record.created).timestamp()
    assert started - 1 <= created <= datetime.now().timestamp() + 1
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", record.created)  # UTC, to the second


def test_progress_comes_a_few_times_a_second_by_default(small_spec, blobs):
    events = []
    record = TrainingSession(small_spec.with_training(epochs=1, batch_size=1), blobs, listener=events.append).run()
    told = kinds(events, Progress)  # over 192 short steps
    assert len(told) >= 2 and np.diff([p.seconds for p in told]).min() >= 0.05 * 0.999  # every 0.05 s at most...
    assert len(told) > record.train_seconds  # ...and more than once a second


def test_images_send_their_first_kernel_after_each_epoch():
    data = load(DataSpec(train_size=100))
    spec = RunSpec(ModelSpec((Dense(6), Dense(4))), TrainingConfig(epochs=2, batch_size=50), DataSpec(train_size=100))
    events = []
    with capturing_models() as built:
        record = TrainingSession(spec, data, listener=events.append).run()
    assert record.dataset == DatasetSummary(data.name, 80, 20, len(data.y_test), 784, data.class_names, (28, 28),
                                            data.source)
    assert (data.name, data.class_names[:2], data.image_shape) == ("mnist-5k", ("0", "1"), (28, 28))
    # The window learns from the first event that the kernels it will get are 28 x 28 images.
    assert kinds(events, RunStarted)[0].image_shape == (28, 28)
    kernels = kinds(events, FirstKernel)
    assert [k.epoch for k in kernels] == [1, 2] and kernels[0].kernel.shape == (784, 6)
    assert np.array_equal(kernels[-1].kernel, built[0].kernel("dense_1"))
    assert not np.array_equal(kernels[0].kernel, kernels[1].kernel)  # a copy per epoch, not a view
    assert events.index(kernels[0]) < events.index(kinds(events, EpochEnded)[0])
    # Data that are not images send none: test_session's list of every event a run sends.


def test_early_stopping_tells_its_status_after_each_epoch(small_spec, blobs):
    events = []
    es = EarlyStopping(monitor="val_accuracy", patience=2, min_delta=1.0, restore_best=False)
    spec = small_spec.with_training(epochs=30, early_stopping=es)
    record = TrainingSession(spec, blobs, listener=events.append).run()
    statuses = kinds(events, EarlyStoppingStatus)
    assert [(s.epoch, s.best_epoch, s.wait, s.patience, s.monitor) for s in statuses] == [
        (1, 1, 0, 2, "val_accuracy"), (2, 1, 1, 2, "val_accuracy"), (3, 1, 2, 2, "val_accuracy")]
    assert statuses[0].best_value == record.epochs[0].val_accuracy and [s.stopping for s in statuses] == [
        False, False, True]
    assert record.reason == "val_accuracy did not improve for 2 epochs after epoch 1"
    # Watching val_loss with a patience it can afford, it runs to the end.
    loose = EarlyStopping(monitor="val_loss", patience=50, restore_best=True)
    done = TrainingSession(small_spec.with_training(epochs=2, early_stopping=loose), blobs).run()
    assert (done.outcome, done.stop_epoch, done.reason) == ("completed", None, "all 2 epochs done")
    assert done.best_epoch == 1 + min(range(2), key=lambda i: done.epochs[i].val_loss) == done.restored_epoch
    # An accuracy is better higher: the best epoch is the first with the highest one, not the lowest.
    watch_accuracy = EarlyStopping(monitor="val_accuracy", patience=50, min_delta=0.0)
    rising = TrainingSession(small_spec.with_training(epochs=4, learning_rate=0.02, early_stopping=watch_accuracy),
                             blobs).run()
    accuracies = [e.val_accuracy for e in rising.epochs]
    assert accuracies.index(max(accuracies)) != accuracies.index(min(accuracies))  # or it could not tell
    assert rising.best_epoch == 1 + accuracies.index(max(accuracies))


def test_early_stopping_with_patience_one_stops_after_the_second_epoch(small_spec, blobs):
    es = EarlyStopping(monitor="val_loss", patience=1, min_delta=1.0, restore_best=False)  # no epoch gains 1.0
    record = TrainingSession(small_spec.with_training(epochs=10, early_stopping=es), blobs).run()
    assert (record.outcome, len(record.epochs), record.best_epoch, record.stop_epoch) == ("early-stopped", 2, 1, 2)
    assert record.reason == "val_loss did not improve for 1 epochs after epoch 1"


@pytest.mark.parametrize("monitor, values, best", [
    ("val_accuracy", [0.5, 0.75, 0.625], 2), ("accuracy", [0.5, 0.25, 0.75], 3),
    ("val_loss", [0.9, 0.4, 0.6], 2), ("loss", [0.3, 0.9, 0.6], 1)])
def test_early_stopping_knows_which_way_is_better_without_compiled_metrics(monitor, values, best):
    """A member of a fused model has no compiled metrics of its own from which Keras could guess it."""
    import keras

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])  # never compiled: no metrics
    watch = RunWatch(threading.Event(), threading.Event(), [], len(values), 1)
    callback = early_stopping_callback(watch, EarlyStopping(monitor=monitor, patience=5, restore_best=False))
    callback.set_model(model)
    callback.on_train_begin()
    for epoch, value in enumerate(values):
        callback.on_epoch_end(epoch, {monitor: value})
    assert (callback.best_epoch + 1, callback.best) == (best, values[best - 1])


def test_a_stop_asked_as_the_last_epoch_ends_leaves_a_completed_run(small_spec, blobs):
    session = None

    def on_epoch(event):
        if isinstance(event, EpochEnded) and event.record.epoch == 3:
            session.request_stop()

    session = TrainingSession(small_spec, blobs, listener=on_epoch)
    record = session.run()
    assert (record.outcome, record.reason, len(record.epochs)) == ("completed", "all 3 epochs done", 3)
    assert record.test_accuracy is not None and record.steps == 3 * 6


def test_a_stop_before_training_starts_trains_nothing_and_says_so(small_spec, blobs):
    session = TrainingSession(small_spec, blobs)
    session.request_stop()
    record = session.run()
    assert (record.epochs, record.steps, record.test_accuracy, record.outcome) == ((), 0, None, "stopped")
    assert record.reason == "stopped by request after 0 complete epochs"


def test_divergence_is_caught_within_the_epoch(small_spec, blobs):
    huge = replace(blobs, x_train=np.asarray(blobs.x_train) * np.float32(1e37))
    record = TrainingSession(small_spec.with_training(epochs=20), huge, progress_interval=0.0).run()
    assert record.outcome == "diverged" and len(record.epochs) == 1 and math.isnan(record.epochs[0].loss)
    assert record.reason == ("the loss became NaN or infinite in epoch 1; try a smaller learning rate or a weaker "
                             "penalty")
    assert record.steps < 6  # seen at a batch, not at the end of the epoch


def test_a_stop_during_validation_drops_that_epoch(small_spec, blobs):
    """Stop set while an epoch's validation runs: that epoch is not recorded, training ends."""
    session = None
    seen = []

    class StopInValidation:
        def __call__(self, event):
            if isinstance(event, EpochEnded):
                seen.append(event.record.epoch)

    session = TrainingSession(small_spec.with_training(epochs=3), blobs, listener=StopInValidation())
    from regstudio.core.training import keras_callbacks

    real = keras_callbacks.callback_class()
    original = real.on_test_batch_begin

    def stop_then_check(self, batch, logs=None):
        session.request_stop()
        return original(self, batch, logs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(real, "on_test_batch_begin", stop_then_check)
        record = session.run()
    assert seen == [] and record.epochs == () and record.outcome == "stopped"


def test_a_cancel_during_the_test_evaluation_ends_it_within_a_batch(small_spec, blobs):
    import keras

    many = replace(blobs, x_test=np.tile(blobs.x_test, (100, 1)), y_test=np.tile(blobs.y_test, 100))  # 3 batches
    evaluated = []

    class CancelAtTheFirstBatch(keras.callbacks.Callback):
        def on_test_batch_begin(self, batch, logs=None):
            evaluated.append(batch)
            session.cancel()  # the window closes while the test set is being scored

    def after_the_last_epoch(event):  # the next evaluation is the test set's
        if isinstance(event, EpochEnded):
            model, evaluate = built[0].model, built[0].model.evaluate
            model.evaluate = lambda *a, callbacks=None, **k: evaluate(
                *a, callbacks=[*(callbacks or []), CancelAtTheFirstBatch()], **k)

    session = TrainingSession(small_spec.with_training(epochs=1), many, listener=after_the_last_epoch)
    with capturing_models() as built:
        record = session.run()
    assert 1 <= len(evaluated) < 3 and record.test_accuracy is None


def test_the_evaluation_stops_at_a_cancel():
    class Model:
        stop_evaluating = False

    cancel = threading.Event()
    callback = evaluation_stop_class()(cancel)
    callback.set_model(Model())
    callback.on_test_batch_begin(0)
    assert not callback.model.stop_evaluating
    cancel.set()
    callback.on_test_batch_begin(1)
    assert callback.model.stop_evaluating


def test_the_watch_starts_empty():
    watch = RunWatch(threading.Event(), threading.Event(), [], 3, 7)
    assert (watch.epochs, watch.diverged_at, watch.interrupted, watch.progress_interval) == ([], None, False, 0.05)
    assert not watch.send_first_kernel
    assert watch.listener(RunFinished(None)) is None
