"""What the network looks like: hidden layers in order, with their regularizers.

The output layer is not part of the spec. It is always Dense(number of classes, softmax)
with no regularizer, as in the lesson; the dataset decides its size. Keeping it out means
a student cannot break it, and the same spec works on digits and on 2-D toy sets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields
from typing import Any

from ..errors import Problem, SpecError
from .layers import LAYER_TYPES, Dense, Layer
from .penalties import Regularizer

MAX_LAYERS = 32


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
                found.append(Problem(f"layers[{i}]", layer, "one of the layer types: "
                                     + ", ".join(cls.title for cls in LAYER_TYPES.values())))
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
        out[f.name] = value.to_dict() if isinstance(value, Regularizer) else value
    return out


def layer_from_dict(data: object, where: str) -> Layer:
    """A layer from JSON, every field present and of its type; validation comes after."""
    kind = data.get("type") if isinstance(data, Mapping) else data
    if not isinstance(kind, str) or kind not in LAYER_TYPES:  # a list or an object cannot even be looked up
        raise SpecError([Problem(f"{where}.type", kind, "one of " + ", ".join(LAYER_TYPES))])
    cls = LAYER_TYPES[kind]
    expect_keys(data, {f.name for f in fields(cls)} | {"type"}, where)
    values: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in data:
            if f.default is MISSING and f.default_factory is MISSING:
                raise SpecError([Problem(f"{where}.{f.name}", None, f"required for a {cls.title} layer")])
            continue
        value = data[f.name]
        if f.type == "Regularizer":
            value = regularizer_from_dict(value, f"{where}.{f.name}")
        elif f.type == "float":
            value = _float_if_int(value)
        values[f.name] = value
    return cls(**values)


def regularizer_from_dict(data: object, where: str) -> Regularizer:
    if not isinstance(data, Mapping):
        raise SpecError([Problem(where, data, "an object with kind, l1 and l2")])
    expect_keys(data, {"kind", "l1", "l2"}, where)
    return Regularizer(**{k: _float_if_int(v) if k != "kind" else v for k, v in data.items()})


def expect_keys(data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise SpecError([Problem(f"{where}.{key}", data[key], "not a known setting here: "
                                 + ", ".join(sorted(allowed))) for key in unknown])


def _float_if_int(value: object) -> object:
    """JSON writes 0.0 as 0; a strength or rate is a float all the same."""
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value
