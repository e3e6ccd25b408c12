"""What a run leaves behind: per-epoch records and the run record, as versioned JSON.

Records are immutable and hold plain numbers only (histogram counts, never raw weights),
so they can cross threads, be kept for many runs, and be written and read back exactly.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from ..weights.stats import HistogramLayout, WeightStats
from .run_spec import RunSpec

FORMAT = "regstudio-run"
FORMAT_VERSION = 1
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

    # JSON ------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["spec"] = self.spec.to_dict()
        out["dataset"] = asdict(self.dataset)
        out["layouts"] = [asdict(layout) for layout in self.layouts]
        out["epochs"] = [asdict(e) for e in self.epochs]
        return {"format": FORMAT, "version": FORMAT_VERSION, **out}

    def to_json(self) -> str:
        # NaN is kept (a diverged run's loss is the point); Python's json reads it back.
        return json.dumps(self.to_dict(), indent=1)

    def save(self, path: str | Path) -> None:
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(self.to_json(), encoding="utf-8")
        tmp.replace(path)  # atomic: a crash never leaves half a record behind

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunRecord:
        if data.get("format") != FORMAT:
            raise ValueError(f"not a RegStudio run record (format = {data.get('format')!r})")
        version = data.get("version")
        if version != FORMAT_VERSION:
            raise ValueError(f"run record version {version!r}; this RegStudio reads "
                             f"version {FORMAT_VERSION}")
        values = {k: v for k, v in data.items() if k not in ("format", "version")}
        values["spec"] = RunSpec.from_dict(values["spec"])
        ds = dict(values["dataset"])
        ds["class_names"] = tuple(ds["class_names"])
        ds["image_shape"] = tuple(ds["image_shape"]) if ds["image_shape"] else None
        values["dataset"] = DatasetSummary(**ds)
        values["layouts"] = tuple(
            HistogramLayout(**{**lay, "shape": tuple(lay["shape"]), "edges": tuple(lay["edges"]),
                               "zoom_edges": tuple(lay.get("zoom_edges", ()))})
            for lay in values["layouts"])
        values["epochs"] = tuple(_epoch_from_dict(e) for e in values["epochs"])
        return cls(**values)

    @classmethod
    def from_json(cls, text: str) -> RunRecord:
        return cls.from_dict(json.loads(text))

    @classmethod
    def load(cls, path: str | Path) -> RunRecord:
        return cls.from_json(Path(path).read_text(encoding="utf-8"))


def _epoch_from_dict(data: dict[str, Any]) -> EpochRecord:
    weights = tuple(WeightStats(**{**w, **{k: tuple(w[k]) for k in ("counts", "zoom_counts", "magnitude_counts")
                                           if k in w}}) for w in data["weights"])
    return EpochRecord(**{**data, "weights": weights})


def records_to_json(records: list[RunRecord]) -> str:
    return json.dumps({"format": FORMAT + "s", "version": FORMAT_VERSION,
                       "runs": [r.to_dict() for r in records]}, indent=1)
