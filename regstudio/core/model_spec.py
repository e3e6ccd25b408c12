"""What the network looks like: hidden layers in order, with their regularizers.

The output layer is not part of the spec. It is always Dense(number of classes, softmax)
with no regularizer, as in the lesson; the dataset decides its size. Keeping it out means
a student cannot break it, and the same spec works on digits and on 2-D toy sets.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, ClassVar, Union

from .checks import collect, int_in, is_real, one_of, real_in
from .errors import Problem, SpecError

ACTIVATIONS = ("relu", "tanh", "sigmoid", "elu", "selu", "gelu", "silu", "leaky_relu", "linear")
REGULARIZER_KINDS = ("none", "l1", "l2", "l1l2")
# Which strengths each kind of penalty uses; the other one must be 0.
STRENGTHS_USED: dict[str, tuple[str, ...]] = {"none": (), "l1": ("l1",), "l2": ("l2",), "l1l2": ("l1", "l2")}
MAX_UNITS = 4096
MAX_LAYERS = 32


@dataclass(frozen=True)
class Regularizer:
    """A weight penalty on a Dense kernel: λ1·Σ|w| and/or λ2·Σw² added to the loss."""

    kind: str = "none"
    l1: float = 0.0
    l2: float = 0.0

    @classmethod
    def of(cls, kind: str, strength: float = 0.0, l2: float | None = None) -> Regularizer:
        """`of("l1", 0.01)`, `of("l2", 0.001)`, `of("l1l2", 0.01, 0.001)`, `of("none")`."""
        if kind == "l1":
            return cls("l1", l1=strength)
        if kind == "l2":
            return cls("l2", l2=strength)
        if kind == "l1l2":
            return cls("l1l2", l1=strength, l2=strength if l2 is None else l2)
        return cls(kind)

    @classmethod
    def from_strengths(cls, kind: str, l1: float, l2: float) -> Regularizer:
        """`kind` with the strengths it uses taken from l1 and l2, the others set to 0.

        For controls that keep both strengths around while the kind changes.
        """
        used = STRENGTHS_USED.get(kind, ())
        return cls(kind, l1 if "l1" in used else 0.0, l2 if "l2" in used else 0.0)

    @property
    def active(self) -> bool:
        return self.kind != "none" and (self.l1 > 0 or self.l2 > 0)

    def problems(self, where: str) -> list[Problem]:
        found = collect(one_of(f"{where}.kind", self.kind, REGULARIZER_KINDS))
        uses = STRENGTHS_USED.get(self.kind, ())
        for name in ("l1", "l2"):
            value = getattr(self, name)
            if name in uses:
                found += collect(
                    real_in(f"{where}.{name}", value, 0.0, math.inf, high_open=True,
                            allowed="a finite strength >= 0 (typical: 1e-4 to 1e-1)")
                )
            elif not (is_real(value) and value == 0):
                found.append(Problem(f"{where}.{name}", value,
                                     f"0, because the regularizer kind is {self.kind!r}"))
        return found

    def describe(self) -> str:
        if self.kind == "l1":
            return f"L1 {self.l1:g}"
        if self.kind == "l2":
            return f"L2 {self.l2:g}"
        if self.kind == "l1l2":
            return f"L1 {self.l1:g} + L2 {self.l2:g}"
        return "none"

    def keras_code(self) -> str | None:
        if self.kind == "l1":
            return f"regularizers.l1({self.l1!r})"
        if self.kind == "l2":
            return f"regularizers.l2({self.l2!r})"
        if self.kind == "l1l2":
            return f"regularizers.l1_l2(l1={self.l1!r}, l2={self.l2!r})"
        return None


@dataclass(frozen=True)
class Dense:
    units: int
    activation: str = "relu"
    regularizer: Regularizer = field(default_factory=Regularizer)
    type: ClassVar[str] = "dense"

    def problems(self, where: str) -> list[Problem]:
        return collect(
            int_in(f"{where}.units", self.units, 1, MAX_UNITS),
            one_of(f"{where}.activation", self.activation, ACTIVATIONS),
        ) + self.regularizer.problems(f"{where}.regularizer")

    def describe(self) -> str:
        text = f"Dense({self.units}, {self.activation})"
        return text if not self.regularizer.active else f"{text} [{self.regularizer.describe()}]"


@dataclass(frozen=True)
class Dropout:
    rate: float
    type: ClassVar[str] = "dropout"

    def problems(self, where: str) -> list[Problem]:
        return collect(real_in(f"{where}.rate", self.rate, 0.0, 1.0, high_open=True,
                               allowed="a share in [0, 1): 0.2 to 0.5 is typical"))

    def describe(self) -> str:
        return f"Dropout({self.rate:g})"


@dataclass(frozen=True)
class BatchNorm:
    type: ClassVar[str] = "batchnorm"

    def problems(self, where: str) -> list[Problem]:
        return []

    def describe(self) -> str:
        return "BatchNormalization()"


@dataclass(frozen=True)
class Activation:
    activation: str = "relu"
    type: ClassVar[str] = "activation"

    def problems(self, where: str) -> list[Problem]:
        return collect(one_of(f"{where}.activation", self.activation, ACTIVATIONS))

    def describe(self) -> str:
        return f"Activation({self.activation})"


Layer = Union[Dense, Dropout, BatchNorm, Activation]  # noqa: UP007 (a runtime alias on 3.10)
LAYER_TYPES: dict[str, type] = {cls.type: cls for cls in (Dense, Dropout, BatchNorm, Activation)}


@dataclass(frozen=True)
class ModelSpec:
    """The hidden layers, first to last. An empty tuple is plain softmax regression."""

    layers: tuple[Layer, ...] = ()

    def validate(self) -> list[Problem]:
        found: list[Problem] = []
        if not isinstance(self.layers, tuple):
            return [Problem("layers", self.layers, "a tuple of layers")]
        if len(self.layers) > MAX_LAYERS:
            found.append(Problem("layers", f"{len(self.layers)} layers",
                                 f"at most {MAX_LAYERS} hidden layers"))
        for i, layer in enumerate(self.layers):
            if type(layer) not in LAYER_TYPES.values():
                found.append(Problem(f"layers[{i}]", layer,
                                     "a Dense, Dropout, BatchNorm or Activation layer"))
            else:
                found += layer.problems(f"layers[{i}]")
        return found

    def check(self) -> ModelSpec:
        problems = self.validate()
        if problems:
            raise SpecError(problems)
        return self

    def dense_positions(self) -> list[int]:
        return [i for i, layer in enumerate(self.layers) if isinstance(layer, Dense)]

    def replace_layer(self, index: int, layer: Layer) -> ModelSpec:
        layers = list(self.layers)
        layers[index] = layer
        return replace(self, layers=tuple(layers))

    def describe(self) -> str:
        return " → ".join(layer.describe() for layer in self.layers) or "(no hidden layers)"

    # JSON --------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {"layers": [layer_to_dict(layer) for layer in self.layers]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "model") -> ModelSpec:
        expect_keys(data, {"layers"}, where)
        raw = data.get("layers", [])
        if not isinstance(raw, list):
            raise SpecError([Problem(f"{where}.layers", raw, "a list of layers")])
        return cls(tuple(layer_from_dict(item, f"{where}.layers[{i}]") for i, item in enumerate(raw)))


def layer_to_dict(layer: Layer) -> dict[str, Any]:
    out: dict[str, Any] = {"type": layer.type}
    for f in fields(layer):
        value = getattr(layer, f.name)
        out[f.name] = regularizer_to_dict(value) if isinstance(value, Regularizer) else value
    return out


def regularizer_to_dict(reg: Regularizer) -> dict[str, Any]:
    return {"kind": reg.kind, "l1": reg.l1, "l2": reg.l2}


def layer_from_dict(data: object, where: str) -> Layer:
    if not isinstance(data, Mapping) or data.get("type") not in LAYER_TYPES:
        kind = data.get("type") if isinstance(data, Mapping) else data
        raise SpecError([Problem(f"{where}.type", kind, "one of " + ", ".join(LAYER_TYPES))])
    cls = LAYER_TYPES[data["type"]]
    names = {f.name for f in fields(cls)}
    expect_keys(data, names | {"type"}, where)
    values = {k: v for k, v in data.items() if k in names}
    if "regularizer" in values:
        reg = values["regularizer"]
        if not isinstance(reg, Mapping):
            raise SpecError([Problem(f"{where}.regularizer", reg, "an object with kind, l1 and l2")])
        expect_keys(reg, {"kind", "l1", "l2"}, f"{where}.regularizer")
        values["regularizer"] = Regularizer(**{k: _float_if_int(v) if k != "kind" else v
                                               for k, v in reg.items()})
    if "rate" in values:
        values["rate"] = _float_if_int(values["rate"])
    if "units" not in values and cls is Dense:
        raise SpecError([Problem(f"{where}.units", None, "required for a Dense layer")])
    if "rate" not in values and cls is Dropout:
        raise SpecError([Problem(f"{where}.rate", None, "required for a Dropout layer")])
    return cls(**values)


def expect_keys(data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise SpecError([Problem(f"{where}.{key}", data[key], "not a known setting here: "
                                 + ", ".join(sorted(allowed))) for key in unknown])


def _float_if_int(value: object) -> object:
    """JSON writes 0.0 as 0; a strength or rate is a float all the same."""
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value
