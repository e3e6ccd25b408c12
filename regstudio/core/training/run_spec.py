"""How to train (optimizer, epochs, early stopping...); a RunSpec is that, the model and the data."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from ..checks import collect, int_in, is_int, one_of, real_in
from ..datasets.spec import DataSpec
from ..errors import Problem, SpecError
from ..model.spec import ModelSpec, expect_keys

OPTIMIZERS = ("adam", "sgd", "rmsprop")
MONITORS = ("val_loss", "val_accuracy", "loss", "accuracy")


@dataclass(frozen=True)
class EarlyStopping:
    """Stop when `monitor` has not improved by `min_delta` for `patience` epochs."""

    monitor: str = "val_loss"
    patience: int = 5
    min_delta: float = 0.0
    restore_best: bool = True

    def problems(self, where: str) -> list[Problem]:
        found = collect(
            one_of(f"{where}.monitor", self.monitor, MONITORS),
            int_in(f"{where}.patience", self.patience, 0, 1000),
            real_in(f"{where}.min_delta", self.min_delta, 0.0, 10.0),
        )
        if not isinstance(self.restore_best, bool):
            found.append(Problem(f"{where}.restore_best", self.restore_best, "true or false"))
        return found


@dataclass(frozen=True)
class TrainingConfig:
    optimizer: str = "adam"
    learning_rate: float = 0.001  # Keras's own default for adam and rmsprop
    epochs: int = 10
    batch_size: int = 128
    validation_split: float = 0.2
    seed: int = 0
    early_stopping: EarlyStopping | None = None

    def problems(self, where: str = "training") -> list[Problem]:
        found = collect(
            one_of(f"{where}.optimizer", self.optimizer, OPTIMIZERS),
            real_in(f"{where}.learning_rate", self.learning_rate, 0.0, 10.0, low_open=True,
                    allowed="a finite number > 0 and <= 10 (typical: 1e-4 to 1e-1)"),
            int_in(f"{where}.epochs", self.epochs, 1, 1000),
            int_in(f"{where}.batch_size", self.batch_size, 1, 65536),
            real_in(f"{where}.validation_split", self.validation_split, 0.0, 0.5, low_open=True,
                    allowed="a share in (0, 0.5]: some data must be held out to see overfitting"),
            int_in(f"{where}.seed", self.seed, 0, 2**31 - 1),
        )
        if self.early_stopping is not None:
            if isinstance(self.early_stopping, EarlyStopping):
                found += self.early_stopping.problems(f"{where}.early_stopping")
            else:
                found.append(Problem(f"{where}.early_stopping", self.early_stopping,
                                     "off (null) or monitor/patience/min_delta/restore_best"))
        return found


@dataclass(frozen=True)
class RunSpec:
    model: ModelSpec = field(default_factory=ModelSpec)
    training: TrainingConfig = field(default_factory=TrainingConfig)
    data: DataSpec = field(default_factory=DataSpec)

    def validate(self) -> list[Problem]:
        model = self.model.validate() if isinstance(self.model, ModelSpec) else [
            Problem("model", self.model, "a ModelSpec")]
        return model + self.training.problems("training") + self.data.problems("data")

    def check(self) -> RunSpec:
        problems = self.validate()
        if problems:
            raise SpecError(problems)
        return self

    def with_training(self, **changes: Any) -> RunSpec:
        return replace(self, training=replace(self.training, **changes))

    def with_data(self, **changes: Any) -> RunSpec:
        return replace(self, data=replace(self.data, **changes))

    # JSON --------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model.to_dict(), "training": asdict(self.training),
                "data": asdict(self.data)}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunSpec:
        if not isinstance(data, Mapping):
            raise SpecError([Problem("run", data, "an object with model, training and data")])
        expect_keys(data, {"model", "training", "data"}, "run")
        model = ModelSpec.from_dict(_mapping(data.get("model", {}), "model"))
        training = _plain(TrainingConfig, _mapping(data.get("training", {}), "training"), "training")
        if isinstance(training.early_stopping, Mapping):
            es = _plain(EarlyStopping, training.early_stopping, "training.early_stopping")
            training = replace(training, early_stopping=es)
        spec = cls(model, training, _plain(DataSpec, _mapping(data.get("data", {}), "data"), "data"))
        return spec

    @classmethod
    def from_json(cls, text: str) -> RunSpec:
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecError([Problem("json", f"line {exc.lineno}", f"valid JSON ({exc.msg})")]) from None
        return cls.from_dict(raw)


def _mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise SpecError([Problem(where, value, "an object")])
    return value


def _plain(cls: type, data: Mapping[str, Any], where: str) -> Any:
    """Build a flat dataclass from JSON, turning whole-number floats into floats where expected."""
    expect_keys(data, {f.name for f in fields(cls)}, where)
    values = dict(data)
    for f in fields(cls):
        v = values.get(f.name)
        if f.type == "float" and is_int(v):
            values[f.name] = float(v)
    return cls(**values)
