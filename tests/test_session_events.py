"""What a session tells its listener and writes in its record, event by event and field by field."""

import math
import threading
from dataclasses import replace
from datetime import datetime

import numpy as np
import pytest
from keras_probe import capturing_models

from regstudio.core.datasets import load
from regstudio.core.datasets.spec import DataSpec
from regstudio.core.model import Dense, ModelSpec
from regstudio.core.training.events import EarlyStoppingStatus, EpochEnded, FirstKernel, Progress, RunFinished
from regstudio.core.training.keras_callbacks import RunWatch, evaluation_stop_class
from regstudio.core.training.run_spec import EarlyStopping, RunSpec, TrainingConfig
from regstudio.core.training.session import RunRequest, TrainingSession


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
    started = datetime.now().timestamp()
    record = TrainingSession(spec, blobs, listener=every.append, progress_interval=0.0).run()
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
    assert record.epochs[-1].seconds <= record.train_seconds
    created = datetime.fromisoformat(record.created).timestamp()
    assert started - 1 <= created <= datetime.now().timestamp() + 1 and record.created.endswith("+00:00")


def test_images_send_their_first_kernel_after_each_epoch():
    data = load(DataSpec(train_size=100))
    spec = RunSpec(ModelSpec((Dense(6), Dense(4))), TrainingConfig(epochs=2, batch_size=50), DataSpec(train_size=100))
    events = []
    with capturing_models() as built:
        TrainingSession(spec, data, listener=events.append).run()
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
