"""The runs table's numbers and the CSV export, from real run records."""

import csv
import io
from dataclasses import replace

import pytest

from regstudio.core.training.events import EarlyStoppingStatus
from regstudio.core.training.run_spec import EarlyStopping
from regstudio.core.training.session import TrainingSession
from regstudio.core.training.summary import HISTORY_COLUMNS, SUMMARY_COLUMNS, RunSummary, histories_csv, runs_csv


@pytest.fixture(scope="module")
def records(blobs):
    from regstudio.core.datasets.spec import DataSpec
    from regstudio.core.model import Dense, ModelSpec, Regularizer
    from regstudio.core.training.run_spec import RunSpec, TrainingConfig

    data = DataSpec("blobs", samples=300, seed=1)
    plain = RunSpec(ModelSpec((Dense(16), Dense(8))), TrainingConfig(epochs=3, batch_size=32), data)
    l1 = RunSpec(ModelSpec((Dense(16, regularizer=Regularizer.of("l1", 0.05)), Dense(8))),
                 TrainingConfig(epochs=4, batch_size=32), data)
    return [TrainingSession(plain, blobs, name="plain").run(), TrainingSession(l1, blobs, name="l1").run()]


def test_summary_reads_the_record(records):
    plain = RunSummary.of(records[0])
    last = records[0].epochs[-1]
    assert (plain.final_train_accuracy, plain.final_val_accuracy) == (last.accuracy, last.val_accuracy)
    assert plain.gap == pytest.approx(last.accuracy - last.val_accuracy)
    assert plain.stop_epoch == 3 and plain.test_accuracy == records[0].test_accuracy
    best = max(records[0].epochs, key=lambda e: e.val_accuracy)
    assert plain.best_epoch == best.epoch and plain.best_val_accuracy == best.val_accuracy
    assert plain.configuration.startswith("16-8 · adam 0.001, 3 epochs, batch 32, seed 0 · blobs")
    assert "L1 0.05" in RunSummary.of(records[1]).configuration
    assert plain.sparsity == last.stats("dense_1/kernel").sparsity


def test_sparsity_is_the_first_kernels_at_the_epoch_the_network_ended_with(records):
    """Each epoch and layer given its own sparsity, so that only the right one can match."""
    record = records[1]
    epochs = tuple(replace(e, weights=tuple(replace(w, sparsity=e.epoch / 10 + i / 100)
                                            for i, w in enumerate(e.weights))) for e in record.epochs)
    marked = replace(record, epochs=epochs)
    assert RunSummary.of(marked).sparsity == pytest.approx(0.4)  # epoch 4, dense_1/kernel (the first)
    restored = replace(marked, restored_epoch=2, best_epoch=2, stop_epoch=4)
    summary = RunSummary.of(restored)
    assert summary.sparsity == pytest.approx(0.2)
    assert (summary.final_val_accuracy, summary.best_epoch, summary.stop_epoch) == (epochs[1].val_accuracy, 2, 4)
    assert summary.seconds == record.build_seconds + record.train_seconds + record.test_seconds


def test_early_stopping_summary_uses_the_restored_epoch(small_spec, blobs):
    seen = []
    spec = small_spec.with_training(epochs=200, early_stopping=EarlyStopping("val_loss", 1, 0.5, True))
    listener = lambda e: seen.append(e) if isinstance(e, EarlyStoppingStatus) else None  # noqa: E731
    record = TrainingSession(spec, blobs, listener=listener).run()
    assert record.outcome == "early-stopped"  # nothing improves val_loss by 0.5 twice
    summary = RunSummary.of(record)
    restored = next(e for e in record.epochs if e.epoch == record.restored_epoch)
    assert summary.best_epoch == record.best_epoch and summary.stop_epoch == record.stop_epoch == len(record.epochs)
    assert summary.final_val_accuracy == restored.val_accuracy
    # One status per epoch, the last one out of patience, agreeing with the record.
    assert [s.epoch for s in seen] == [e.epoch for e in record.epochs]
    assert seen[-1].stopping and seen[-1].best_epoch == record.best_epoch and seen[-1].patience == 1
    assert not any(s.stopping for s in seen[:-1])


def test_runs_csv_has_one_row_per_run_in_full_precision(records):
    rows = list(csv.DictReader(io.StringIO(runs_csv(records))))
    assert tuple(rows[0]) == SUMMARY_COLUMNS
    assert [r["name"] for r in rows] == ["plain", "l1"]
    for row, record in zip(rows, records, strict=True):
        assert float(row["test_accuracy"]) == record.test_accuracy
        assert int(row["stop_epoch"]) == len(record.epochs)
        assert row["outcome"] == "completed"


def test_histories_csv_has_every_epoch_of_every_run(records):
    rows = list(csv.DictReader(io.StringIO(histories_csv(records))))
    assert tuple(rows[0]) == HISTORY_COLUMNS
    assert [(r["run"], int(r["epoch"])) for r in rows] == [("plain", 1), ("plain", 2), ("plain", 3),
                                                          ("l1", 1), ("l1", 2), ("l1", 3), ("l1", 4)]
    l1_last = records[1].epochs[-1]
    assert float(rows[-1]["penalty"]) == l1_last.penalty > 0
    assert float(rows[-1]["data_loss"]) == pytest.approx(l1_last.loss - l1_last.penalty)
