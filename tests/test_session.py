"""TrainingSession on tiny data: what it records and how it stops."""

import math
import threading
from dataclasses import replace

import numpy as np
import pytest

from regstudio.core.errors import SpecError
from regstudio.core.model import Dense, ModelSpec, Regularizer
from regstudio.core.training.events import EpochEnded, Progress, RunFinished, RunStarted
from regstudio.core.training.record_json import records_from_json, records_to_json
from regstudio.core.training.run_spec import EarlyStopping
from regstudio.core.training.session import TrainingSession


def on(kind, action):
    """A listener that hands events of one kind to `action`."""
    return lambda event: action(event) if isinstance(event, kind) else None


def test_one_record_per_epoch_in_order_with_every_metric(blobs, small_spec):
    events = []
    record = TrainingSession(small_spec, blobs, listener=events.append).run()
    kinds = [type(e).__name__ for e in events if not isinstance(e, Progress)]  # progress depends on the clock
    assert kinds == ["RunStarted", "EpochEnded", "EpochEnded", "EpochEnded", "RunFinished"]
    assert events[0] == RunStarted("run", record.layouts, None, 3) and events[-1] == RunFinished(record)
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
    record = TrainingSession(small_spec, blobs).run()
    names = [layout.name for layout in record.layouts]
    assert names == ["dense_1/kernel", "dense_1/bias", "dense_2/kernel", "dense_2/bias",
                     "output/kernel", "output/bias"]
    for epoch in record.epochs:
        assert [w.name for w in epoch.weights] == names
        for layout, stats in zip(record.layouts, epoch.weights, strict=True):
            assert sum(stats.counts) == layout.size
            assert len(stats.counts) == len(layout.edges) - 1
            assert 0.0 <= stats.sparsity <= 1.0 and stats.max_abs <= stats.l1


def test_penalty_is_reported_apart_from_the_data_loss(blobs, small_spec):
    lam = 0.01
    reg = Regularizer.of("l2", lam)
    spec = replace(small_spec, model=ModelSpec((Dense(16, regularizer=reg), Dense(8, regularizer=reg))))
    record = TrainingSession(spec, blobs).run()
    last = record.last
    assert last.penalty > 0 and math.isclose(last.data_loss, last.loss - last.penalty)
    # The validation pass runs on the final weights, so its penalty is λ·Σw² over the two
    # regularized kernels: the L2 norms in the weight statistics must give it back.
    expected = lam * sum(last.stats(n).l2 ** 2 for n in ("dense_1/kernel", "dense_2/kernel"))
    assert last.val_penalty == pytest.approx(expected, rel=1e-4)


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
    record = session.run()
    assert batches_after_stop == []
    assert [e.epoch for e in record.epochs] == [1]  # the cut-short epoch is not recorded
    assert record.outcome == "stopped"


def test_cancel_skips_the_test_evaluation(blobs, small_spec):
    session = None

    def on_epoch(e):
        session.cancel()

    session = TrainingSession(small_spec.with_training(epochs=50), blobs, listener=on(EpochEnded, on_epoch))
    record = session.run()
    assert len(record.epochs) == 1 and record.test_accuracy is None


def test_a_loss_that_becomes_nan_ends_the_run_with_that_reason(blobs, small_spec):
    huge = replace(blobs, x_train=np.asarray(blobs.x_train) * np.float32(1e37))
    record = TrainingSession(small_spec.with_training(epochs=20), huge).run()
    assert record.outcome == "diverged"
    assert "NaN or infinite" in record.reason and len(record.epochs) <= 1


def test_early_stopping_reports_stop_and_restored_best_epoch(blobs, small_spec):
    # No epoch can improve val_accuracy by a whole 1.0, so patience 2 stops at epoch 3.
    es = EarlyStopping(monitor="val_accuracy", patience=2, min_delta=1.0, restore_best=True)
    record = TrainingSession(small_spec.with_training(epochs=30, early_stopping=es), blobs).run()
    assert record.outcome == "early-stopped"
    assert (len(record.epochs), record.stop_epoch, record.best_epoch, record.restored_epoch) == (3, 3, 1, 1)
    assert record.final.epoch == 1


def test_same_seed_same_start_other_seed_other_start(blobs, small_spec):
    one = TrainingSession(small_spec.with_training(epochs=1), blobs).run()
    two = TrainingSession(small_spec.with_training(epochs=1), blobs).run()
    other = TrainingSession(small_spec.with_training(epochs=1, seed=99), blobs).run()
    assert one.epochs[0].loss == two.epochs[0].loss
    assert one.epochs[0].loss != other.epochs[0].loss


def test_run_record_json_round_trip_is_identical(blobs, small_spec):
    es = EarlyStopping(patience=1)
    record = TrainingSession(small_spec.with_training(early_stopping=es), blobs, name="mine").run()
    assert records_from_json(records_to_json([record, record])) == [record, record]
    assert {"tensorflow", "keras", "numpy", "regstudio"} <= set(record.versions)


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
    from regstudio.core.training import session as module

    module._warmed.clear()  # whatever ran before in this process
    started = []
    module.warm_up(started.append)
    assert [s.name for s in started] == ["warm-up"] and started[0].stop_requested is False
    module.warm_up(started.append)
    assert len(started) == 1  # the first-fit costs are paid once per process
