"""What a run leaves behind: per-epoch records and the run record.

Records are immutable and hold plain numbers only (histogram counts, never raw weights),
so they can cross threads, be kept for many runs, and be written and read back exactly
(record_json.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..weights.stats import HistogramLayout, WeightStats
from .run_spec import RunSpec

OUTCOMES = ("completed", "early-stopped", "stopped", "diverged")


@dataclass(frozen=True)
class EpochRecord:
    epoch: int  # counted from 1, as students count
    loss: float  # data loss + penalty, as Keras reports it
    accuracy: float
    penalty: float  # the regularizers' share of `loss`, averaged over the epoch
    val_loss: float
    val_accuracy: float
    val_penalty: float
    seconds: float  # since training began, at the end of this epoch
    weights: tuple[WeightStats, ...] = ()
    # 2-feature data only: the length of the decision boundary after this epoch, in picture
    # widths (core/boundary/complexity.py); None for other data.
    boundary_complexity: float | None = None

    @property
    def data_loss(self) -> float:
        return self.loss - self.penalty

    @property
    def val_data_loss(self) -> float:
        return self.val_loss - self.val_penalty

    @property
    def gap(self) -> float:
        """Generalization gap: how much better the network does on data it trained on."""
        return self.accuracy - self.val_accuracy

    def stats(self, name: str) -> WeightStats:
        return next(w for w in self.weights if w.name == name)


@dataclass(frozen=True)
class DatasetSummary:
    name: str
    n_train: int  # examples the network trained on (after the validation hold-out)
    n_val: int
    n_test: int
    n_features: int
    class_names: tuple[str, ...]
    image_shape: tuple[int, int] | None
    source: str


@dataclass(frozen=True)
class RunRecord:
    name: str
    spec: RunSpec
    dataset: DatasetSummary
    params: int
    layouts: tuple[HistogramLayout, ...]
    epochs: tuple[EpochRecord, ...]
    outcome: str  # one of OUTCOMES
    reason: str  # a sentence saying why the run ended
    best_epoch: int | None  # early stopping's best epoch (counted from 1)
    stop_epoch: int | None  # the epoch at which early stopping ended training
    restored_epoch: int | None  # the epoch whose weights the network ended with, if restored
    test_loss: float | None
    test_accuracy: float | None
    build_seconds: float
    train_seconds: float
    test_seconds: float
    versions: dict[str, str] = field(default_factory=dict, hash=False)
    created: str = ""
    # Optimizer updates applied: the batches trained, a cut-short epoch's included. None in
    # records written before RegStudio counted them.
    steps: int | None = None
    # The other runs this one trained beside in one fused model (fused.py), by their names
    # then; empty for a run trained alone. Its numbers are what it would have had alone.
    fused_with: tuple[str, ...] = ()

    @property
    def last(self) -> EpochRecord | None:
        return self.epochs[-1] if self.epochs else None

    @property
    def best_val_accuracy(self) -> float | None:
        values = [e.val_accuracy for e in self.epochs if math.isfinite(e.val_accuracy)]
        return max(values) if values else None

    @property
    def final(self) -> EpochRecord | None:
        """The epoch whose weights the network ended with (the restored one, if any)."""
        if self.restored_epoch is not None:
            return next((e for e in self.epochs if e.epoch == self.restored_epoch), self.last)
        return self.last
