"""TrainingSession on tiny data: what it records and how it stops."""

import json
import math
import re
import threading
from dataclasses import replace

import numpy as np
import pytest
from keras_probe import capturing_models, cross_entropy

from regstudio.core.boundary.plane import plane_over
from regstudio.core.datasets import stratified_indices
from regstudio.core.errors import SpecError
from regstudio.core.model import Dense, Dropout, ModelSpec, Regularizer
from regstudio.core.training.events import EpochEnded, Progress, RunFinished, RunStarted
from regstudio.core.training.keras_callbacks import RunWatch
from regstudio.core.training.record_json import records_from_json, records_to_json
from regstudio.core.training.run_spec import EarlyStopping
from regstudio.core.training.session import TrainingSession, run_record, split_validation


def on(kind, action):
    """A listener that hands events of one kind to `action`."""
    return lambda event: action(event) if isinstance(event, kind) else None


def test_one_record_per_epoch_in_order_with_every_metric(blobs, small_spec, capsys):
    events = []
    record = TrainingSession(small_spec, blobs, listener=events.append).run()
    assert capsys.readouterr().out == ""  # no Keras progress bars in the CLI's output: all it says goes to the listener
    kinds = [type(e).__name__ for e in events if not isinstance(e, Progress)]  # progress depends on the clock
    # blobs has two features: each epoch's decision boundary comes just after its record
    assert kinds == ["RunStarted", *["EpochEnded", "DecisionBoundary"] * 3, "RunFinished"]
    assert events[0] == RunStarted("run", record.layouts, None, 3) and events[-1] == RunFinished(record)
    # The plane the boundaries are drawn on shows the rows trained on, not the held-out ones.
    fit, _ = stratified_indices(blobs.y_train, 0.2, small_spec.training.seed)
    plane, trained = events[0].plane, {tuple(p) for p in blobs.x_train[fit].astype(np.float32)}
    assert plane == plane_over(blobs, fit) and len(plane.train_points) > 0
    assert all(tuple(p) in trained for p in plane.train_points)
    seen = [e.record for e in events if isinstance(e, EpochEnded)]
    assert [e.epoch for e in seen] == [1, 2, 3]
    assert record.epochs == tuple(seen)
    for e in seen:
        for value in (e.loss, e.accuracy, e.val_loss, e.val_accuracy, e.penalty, e.seconds):
            assert math.isfinite(value)
        assert e.penalty == 0.0 and e.data_loss == e.loss
    assert [e.seconds for e in seen] == sorted(e.seconds for e in seen)
    assert record.outcome == "completed" and record.test_accuracy is not None
    assert (record.dataset.n_train, record.dataset.n_val, record.dataset.n_test) == (192, 48, 60)
    assert record.params == 2 * 16 + 16 + 16 * 8 + 8 + 8 * 3 + 3


def test_weight_histograms_count_every_weight_on_fixed_edges(blobs, small_spec):
    with capturing_models() as built:
        record = TrainingSession(small_spec, blobs).run()
    names = [layout.name for layout in record.layouts]
    assert names == ["dense_1/kernel", "dense_1/bias", "dense_2/kernel", "dense_2/bias",
                     "output/kernel", "output/bias"]
    assert [lay.shape for lay in record.layouts] == [(2, 16), (16,), (16, 8), (8,), (8, 3), (3,)]
    for epoch in record.epochs:
        assert [w.name for w in epoch.weights] == names
        for layout, stats in zip(record.layouts, epoch.weights, strict=True):
            assert sum(stats.counts) == layout.size
            assert len(stats.counts) == len(layout.edges) - 1
    # The last epoch's statistics are those of the weights training ended with.
    kernel = built[0].kernel("dense_2")
    stats = record.last.stats("dense_2/kernel")
    assert stats.l2 == pytest.approx(np.sqrt(np.square(kernel.astype(np.float64)).sum()), rel=1e-6)
    assert (stats.max_abs, stats.sparsity) == (float(np.abs(kernel).max()), float(np.mean(np.abs(kernel) < 1e-3)))


def test_penalty_is_reported_apart_from_the_data_loss(blobs, small_spec):
    lam = 0.0021  # not Keras's default strength (0.01), which a lost setting would fall back to
    reg = Regularizer.of("l2", lam)
    spec = replace(small_spec, model=ModelSpec((Dense(16, regularizer=reg), Dense(8, regularizer=reg))))
    with capturing_models() as built:
        record = TrainingSession(spec, blobs).run()
    last, model = record.last, built[0].model
    # The validation pass runs on the final weights: its penalty is λ·Σw² over the two
    # regularized kernels, and what is left is the cross-entropy of the validation rows.
    kernels = [built[0].kernel(name).astype(np.float64) for name in ("dense_1", "dense_2")]
    assert last.val_penalty == pytest.approx(lam * sum(np.square(k).sum() for k in kernels), rel=1e-5)
    _, val = stratified_indices(blobs.y_train, 0.2, small_spec.training.seed)
    assert last.val_data_loss == pytest.approx(cross_entropy(model, blobs.x_train[val], blobs.y_train[val]), rel=1e-5)
    assert 0 < last.penalty < last.loss


def test_stop_from_another_thread_ends_the_run(blobs, small_spec):
    spec = small_spec.with_training(epochs=500)
    first_epoch = threading.Event()
    session = TrainingSession(spec, blobs, listener=on(EpochEnded, lambda e: first_epoch.set()))
    result = {}
    worker = threading.Thread(target=lambda: result.setdefault("record", session.run()))
    worker.start()
    assert first_epoch.wait(timeout=60)
    session.request_stop()
    worker.join(timeout=60)
    record = result["record"]
    assert record.outcome == "stopped" and 1 <= len(record.epochs) < 500
    assert "stopped by request" in record.reason
    assert record.test_accuracy is not None  # a stop still evaluates on the test set


def test_stop_is_honoured_within_one_batch(blobs, small_spec):
    spec = small_spec.with_training(epochs=5, batch_size=8)  # 24 batches an epoch
    batches_after_stop = []
    session = None

    def on_progress(p):
        if session.stop_requested:
            batches_after_stop.append(p)
        elif p.epoch == 2 and p.batch == 5:
            session.request_stop()

    session = TrainingSession(spec, blobs, listener=on(Progress, on_progress), progress_interval=0.0)
    with capturing_models() as built:
        record = session.run()
    assert batches_after_stop == []
    assert [e.epoch for e in record.epochs] == [1]  # the cut-short epoch is not recorded
    assert record.outcome == "stopped"
    # Counted by the optimizer: 24 steps of epoch 1, then batches 0 to 5 of epoch 2 (the
    # stop came while batch 5 was starting) and at most the one after it.
    assert record.steps == built[0].steps
    assert 24 + 6 <= record.steps <= 24 + 7


def test_a_stop_after_the_first_epoch_says_one_epoch(small_spec, blobs):
    session = None

    def on_epoch(event):
        if isinstance(event, EpochEnded):
            session.request_stop()

    session = TrainingSession(small_spec.with_training(epochs=4), blobs, listener=on_epoch)
    record = session.run()
    assert (len(record.epochs), record.outcome) == (1, "stopped")
    assert record.reason == "stopped by request after 1 complete epoch"
    # Asked between epochs, it ends there: no batch of epoch 2 trains, so the test set is scored on
    # the weights epoch 1 ended with, the ones the record's last epoch describes.
    assert record.steps == 6 and record.test_accuracy is not None


def test_cancel_skips_the_test_evaluation(blobs, small_spec):
    session = None
    scored = []

    def on_epoch(e):
        session.cancel()
        model, evaluate = built[0].model, built[0].model.evaluate
        model.evaluate = lambda *a, **k: scored.append(a) or evaluate(*a, **k)

    session = TrainingSession(small_spec.with_training(epochs=50), blobs, listener=on(EpochEnded, on_epoch))
    with capturing_models() as built:
        record = session.run()
    assert len(record.epochs) == 1 and record.test_accuracy is None and scored == []  # not even started


def test_a_loss_that_becomes_nan_ends_the_run_with_that_reason(blobs, small_spec):
    huge = replace(blobs, x_train=np.asarray(blobs.x_train) * np.float32(1e37))
    record = TrainingSession(small_spec.with_training(epochs=20), huge).run()
    assert record.outcome == "diverged"
    assert "NaN or infinite" in record.reason and len(record.epochs) <= 1


@pytest.mark.parametrize("restore", [True, False])
def test_early_stopping_scores_the_test_set_on_the_restored_epochs_weights(blobs, small_spec, restore):
    fit, val = stratified_indices(blobs.y_train, 0.2, 3)
    # The test set is the validation rows here, so the test loss names the weights it was scored on.
    data = replace(blobs, x_test=blobs.x_train[val], y_test=blobs.y_train[val])
    # No epoch can improve val_accuracy by a whole 1.0, so patience 2 stops at epoch 3.
    es = EarlyStopping(monitor="val_accuracy", patience=2, min_delta=1.0, restore_best=restore)
    spec = small_spec.with_training(epochs=30, learning_rate=0.02, early_stopping=es)
    record = TrainingSession(spec, data, folds=(fit, val)).run()
    assert record.outcome == "early-stopped" and "did not improve for 2 epochs after epoch 1" in record.reason
    assert (len(record.epochs), record.stop_epoch, record.best_epoch) == (3, 3, 1)
    first, last = record.epochs[0], record.epochs[-1]
    assert abs(first.val_loss - last.val_loss) > 0.01  # or the test loss could not tell them apart
    scored = first if restore else last
    assert record.test_loss == pytest.approx(scored.val_loss, rel=1e-5)
    assert record.test_accuracy == pytest.approx(scored.val_accuracy)
    assert (record.restored_epoch, record.final) == ((1, first) if restore else (None, last))


def test_the_batches_are_drawn_in_a_new_order_each_epoch(blobs, small_spec):
    # Weights frozen by a vanishing step: each epoch's loss is then the same mean over the
    # same rows, but the running loss after each batch shows which rows came first.
    frozen = small_spec.with_training(optimizer="sgd", learning_rate=1e-9, epochs=2)
    told = []
    record = TrainingSession(frozen, blobs, listener=on(Progress, told.append), progress_interval=0.0).run()
    first, second = ([p.loss for p in told if p.epoch == epoch] for epoch in (1, 2))
    assert len(first) == len(second) == 5 and first != second
    assert record.epochs[0].loss == pytest.approx(record.epochs[1].loss, rel=1e-6)


def test_the_record_step_keeps_each_time_and_the_runs_trained_beside(blobs, small_spec):
    """run_record is the step a session and each member of a fused group (fused.py) take alike."""
    watch = RunWatch(threading.Event(), threading.Event(), [], 3, 6)
    record = run_record("a", small_spec, blobs, 192, 48, 10, [], watch, ("stopped", "why", None, None, None),
                        (None, None), (0.5, 1.5, 0.25), fused_with=("b", "c"), steps=0)
    assert (record.build_seconds, record.train_seconds, record.test_seconds) == (0.5, 1.5, 0.25)
    assert (record.fused_with, record.steps, record.outcome, record.reason) == (("b", "c"), 0, "stopped", "why")


def test_validation_rows_are_held_out_and_folds_are_used_as_given(blobs, small_spec):
    fit, val = split_validation(small_spec.with_training(validation_split=0.3, seed=4), blobs, None)
    assert (len(fit), len(val)) == (168, 72)  # Keras's count: 240 - ceil(240 x 0.7)
    assert set(fit).isdisjoint(val) and sorted([*fit, *val]) == list(range(240))
    assert np.array_equal(val, stratified_indices(blobs.y_train, 0.3, 4)[1])
    folds = (np.arange(100, 240), np.arange(100))
    assert split_validation(small_spec, blobs, folds) is folds
    record = TrainingSession(small_spec.with_training(epochs=1), blobs, folds=folds).run()
    assert (record.dataset.n_train, record.dataset.n_val, record.steps) == (140, 100, 5)  # ceil(140 / 32) batches
    with pytest.raises(SpecError, match=r"training\.validation_split = 0\.001: a share that leaves examples on both"):
        split_validation(small_spec.with_training(validation_split=0.001), blobs, None)
    # One example on a side is enough: 0.5% of 240 rows, or half of two.
    assert [len(part) for part in split_validation(small_spec.with_training(validation_split=0.005), blobs, None)] \
        == [239, 1]
    two = replace(blobs, x_train=blobs.x_train[:2], y_train=np.array([0, 1]))
    assert [len(part) for part in split_validation(small_spec.with_training(validation_split=0.5), two, None)] == [1, 1]


def test_same_seed_same_run_other_seed_other_run(blobs, small_spec):
    # With dropout, whose masks only the run's seed makes repeatable.
    spec = replace(small_spec, model=ModelSpec((Dense(16), Dropout(0.5), Dense(8)))).with_training(epochs=1)
    one, two = (TrainingSession(spec, blobs).run().epochs[0] for _ in range(2))
    assert (one.loss, one.val_loss, one.accuracy, one.weights) == (two.loss, two.val_loss, two.accuracy, two.weights)
    # That another seed starts elsewhere: test_settings_reach_keras (the initial weights of the seed).


def test_run_record_json_round_trip_is_identical(blobs, small_spec):
    es = EarlyStopping(patience=1)
    record = TrainingSession(small_spec.with_training(early_stopping=es), blobs, name="mine").run()
    assert records_from_json(records_to_json([record, record])) == [record, record]
    assert {"tensorflow", "keras", "numpy", "regstudio"} <= set(record.versions)
    assert record.steps == len(record.epochs) * 6  # 192 training rows in batches of 32
    data = json.loads(records_to_json([record]))
    del data["runs"][0]["steps"]  # a file from before steps were counted
    assert records_from_json(json.dumps(data))[0] == replace(record, steps=None)
    n = len(record.epochs)
    for bad, message in (("12", "runs[0].steps = '12': a whole number"), (-1, "runs[0].steps = -1"),
                         (n - 1, f"runs[0].steps = {n - 1}: at least {n}: every complete epoch trains a batch")):
        data["runs"][0]["steps"] = bad
        with pytest.raises(SpecError, match=re.escape(message)):
            records_from_json(json.dumps(data))


def test_fused_with_is_written_only_for_a_fused_run_and_read_back(blobs, small_spec):
    alone = TrainingSession(small_spec.with_training(epochs=1), blobs, name="a").run()
    assert "fused_with" not in records_to_json([alone])  # a run trained alone is written as before
    fused = replace(alone, fused_with=("b", "c"))
    assert records_from_json(records_to_json([fused, alone])) == [fused, alone]
    with pytest.raises(SpecError, match=r"fused_with\[0\]"):
        records_from_json(records_to_json([fused]).replace('"fused_with":["b"', '"fused_with":[7'))


def test_records_of_another_format_are_refused():
    with pytest.raises(SpecError, match="a file of RegStudio run records"):
        records_from_json('{"format": "something-else", "version": 1, "runs": []}')
    with pytest.raises(SpecError, match="version = 99"):
        records_from_json('{"format": "regstudio-runs", "version": 99, "runs": []}')
    with pytest.raises(SpecError, match="valid JSON"):
        records_from_json('{"format": "regstudio-runs", "version": NaN, "runs": []}')


def test_warm_up_trains_a_throwaway_model_once_per_process():
    from regstudio.core.model import LAYER_TYPES
    from regstudio.core.training import session as module

    module._warmed.clear()  # whatever ran before in this process
    started, finished = [], []

    def watch(session):
        started.append(session)
        session.listener = on(RunFinished, finished.append)

    module.warm_up(watch)
    assert [s.name for s in started] == ["warm-up"] and started[0].stop_requested is False
    # Each first-use path is paid here, not in a student's first run: every layer type, a
    # penalty that counts, early stopping that watches.
    record = finished[0].record
    assert {type(layer) for layer in record.spec.model.layers} == set(LAYER_TYPES.values())
    assert (record.outcome, len(record.epochs), record.best_epoch) == ("completed", 1, 1)  # one tiny fit
    assert record.epochs[0].penalty > 0
    module.warm_up(watch)
    assert len(started) == 1  # the first-fit costs are paid once per process
