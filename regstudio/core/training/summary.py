"""One line per run: the numbers the runs table shows and the CSV export writes.

Derived from a RunRecord only, so the window, the export and the tests agree on what
"best epoch" or "sparsity" mean. With early stopping that restored the best weights, the
final accuracies are those of the restored epoch: the weights the test set was scored on.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from dataclasses import astuple, dataclass, fields

from ..model import BatchNorm, Dense, Dropout, GaussianNoise
from .records import RunRecord
from .run_spec import RunSpec


@dataclass(frozen=True)
class RunSummary:
    name: str
    configuration: str
    test_accuracy: float | None
    best_val_accuracy: float | None
    final_train_accuracy: float | None
    final_val_accuracy: float | None
    gap: float | None  # final training minus final validation accuracy
    best_epoch: int | None  # early stopping's best epoch, else the epoch of best validation accuracy
    stop_epoch: int | None  # where training ended
    sparsity: float | None  # share of first-layer kernel weights with |w| < 1e-3, at the final epoch
    seconds: float
    outcome: str

    @classmethod
    def of(cls, record: RunRecord) -> RunSummary:
        final = record.final
        best = record.best_epoch
        if best is None and record.epochs:
            best = max(record.epochs, key=lambda e: _or_minus_inf(e.val_accuracy)).epoch
        stop = record.stop_epoch or (record.last.epoch if record.last else None)
        sparsity = None
        kernels = [lay for lay in record.layouts if lay.kind == "kernel"]
        if final is not None and kernels:
            sparsity = final.stats(kernels[0].name).sparsity
        return cls(
            name=record.name, configuration=describe_configuration(record.spec),
            test_accuracy=record.test_accuracy, best_val_accuracy=record.best_val_accuracy,
            final_train_accuracy=final.accuracy if final else None,
            final_val_accuracy=final.val_accuracy if final else None,
            gap=final.gap if final else None, best_epoch=best, stop_epoch=stop, sparsity=sparsity,
            seconds=record.build_seconds + record.train_seconds + record.test_seconds,
            outcome=record.outcome)


def _or_minus_inf(value: float) -> float:
    return value if math.isfinite(value) else -math.inf


def techniques(spec: RunSpec) -> set[str]:
    """The regularization techniques a run uses: penalty kinds, dropout, noise, batchnorm, early-stopping."""
    found: set[str] = set()
    for layer in spec.model.layers:
        if isinstance(layer, Dense) and layer.regularizer.active:
            found.add(layer.regularizer.kind)
        elif isinstance(layer, Dropout) and layer.rate > 0:
            found.add("dropout")
        elif isinstance(layer, GaussianNoise) and layer.stddev > 0:
            found.add("noise")
        elif isinstance(layer, BatchNorm):
            found.add("batchnorm")
    if spec.training.early_stopping is not None:
        found.add("early-stopping")
    return found


def describe_configuration(spec: RunSpec) -> str:
    """A short line: architecture, techniques, then the training settings that matter."""
    layers = spec.model.layers
    parts = ["-".join(str(layer.units) for layer in layers if isinstance(layer, Dense)) or "no hidden layer"]
    penalties = sorted({layer.regularizer.describe() for layer in layers
                        if isinstance(layer, Dense) and layer.regularizer.active})
    parts += penalties
    rates = sorted({layer.rate for layer in layers if isinstance(layer, Dropout)})
    parts += [f"dropout {rate:g}" for rate in rates]
    spreads = sorted({layer.stddev for layer in layers if isinstance(layer, GaussianNoise)})
    parts += [f"noise {spread:g}" for spread in spreads]
    if any(isinstance(layer, BatchNorm) for layer in layers):
        parts.append("batch norm")
    t = spec.training
    if t.early_stopping is not None:
        parts.append(f"early stop ({t.early_stopping.monitor}, patience {t.early_stopping.patience})")
    parts.append(f"{t.optimizer} {t.learning_rate:g}, {t.epochs} epochs, batch {t.batch_size}, seed {t.seed}")
    data = spec.data
    where = data.dataset if data.dataset != "file" else (data.path or "file")
    if data.train_size:
        where += f", {data.train_size} examples"
    if data.label_noise:
        where += f", {data.label_noise:.0%} label noise"
    parts.append(where)
    return " · ".join(parts)


# CSV ---------------------------------------------------------------------------------------
SUMMARY_COLUMNS = tuple(f.name for f in fields(RunSummary))
HISTORY_COLUMNS = ("run", "epoch", "loss", "data_loss", "penalty", "accuracy", "val_loss", "val_data_loss",
                   "val_penalty", "val_accuracy", "gap", "first_layer_sparsity", "boundary_complexity", "seconds")


def _cell(value: object) -> object:
    return "" if value is None else value


def runs_csv(records: Iterable[RunRecord]) -> str:
    """The runs table: one row per run, in the given order, full precision."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SUMMARY_COLUMNS)
    for record in records:
        writer.writerow([_cell(v) for v in astuple(RunSummary.of(record))])
    return out.getvalue()


def histories_csv(records: Iterable[RunRecord]) -> str:
    """Every epoch of every run, one row each (long format: easy to pivot or plot elsewhere)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HISTORY_COLUMNS)
    for record in records:
        kernels = [lay.name for lay in record.layouts if lay.kind == "kernel"]
        for e in record.epochs:
            sparsity = e.stats(kernels[0]).sparsity if kernels and e.weights else None
            writer.writerow([record.name, e.epoch, e.loss, e.data_loss, e.penalty, e.accuracy, e.val_loss,
                             e.val_data_loss, e.val_penalty, e.val_accuracy, e.gap, _cell(sparsity),
                             _cell(e.boundary_complexity), e.seconds])
    return out.getvalue()
