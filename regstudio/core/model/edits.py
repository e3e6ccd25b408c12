"""Rewrites of a ModelSpec that switch one technique on or off across the hidden layers.

The regularization controls, the presets, the comparisons and the grid search all change
models through these, so a switch means the same thing everywhere: "dropout on" is one
Dropout at the end of every hidden Dense block, whoever asks.
"""

from __future__ import annotations

from dataclasses import replace

from .layers import Activation, BatchNorm, Dense, Dropout, GaussianNoise, Layer
from .penalties import Regularizer
from .spec import ModelSpec

HIDDEN_UNITS = (128, 64)  # the lesson's reference network: Dense(128) -> Dense(64) -> softmax
# The 2-D playground's network: about as many weights as the reference network has on two
# inputs, in three layers; each ReLU layer folds the plane again, so a deeper network can
# bend its boundary around single noisy points (bench/boundary.py measures the difference).
PLAYGROUND_UNITS = (64, 64, 64)


def reference_model(regularizer: Regularizer | None = None) -> ModelSpec:
    reg = regularizer or Regularizer()
    return ModelSpec(tuple(Dense(units, "relu", reg) for units in HIDDEN_UNITS))


def playground_model() -> ModelSpec:
    return ModelSpec(tuple(Dense(units, "relu") for units in PLAYGROUND_UNITS))


def with_regularizer(model: ModelSpec, reg: Regularizer, position: int | None = None) -> ModelSpec:
    """Put `reg` on every hidden Dense layer, or only on the layer at `position`."""
    targets = model.dense_positions() if position is None else [position]
    layers = list(model.layers)
    for i in targets:
        if not isinstance(layers[i], Dense):
            raise ValueError(f"layer {i} is {layers[i].describe()}, not a Dense layer")
        layers[i] = replace(layers[i], regularizer=reg)
    return ModelSpec(tuple(layers))


def _blocks(layers: tuple[Layer, ...]) -> list[list[Layer]]:
    """Split into blocks that each start at a Dense layer (a leading non-Dense run is its own)."""
    blocks: list[list[Layer]] = []
    for layer in layers:
        if isinstance(layer, Dense) or not blocks:
            blocks.append([layer])
        else:
            blocks[-1].append(layer)
    return blocks


def with_dropout(model: ModelSpec, rate: float) -> ModelSpec:
    """Dropout(rate) at the end of each hidden Dense block; rate 0 removes them all."""
    out: list[Layer] = []
    for block in _blocks(model.layers):
        kept = [layer for layer in block if not isinstance(layer, Dropout)]
        out += kept
        if rate > 0 and isinstance(block[0], Dense):
            out.append(Dropout(rate))
    return ModelSpec(tuple(out))


def with_batchnorm(model: ModelSpec, on: bool = True) -> ModelSpec:
    """Turn each Dense(act) into Dense(linear) → BatchNorm → Activation(act), or back.

    Normalizing before the nonlinearity is how the lesson does it; the activation moves to
    its own layer so the normalization can sit between the two.
    """
    out: list[Layer] = []
    for block in _blocks(model.layers):
        head, rest = block[0], block[1:]
        if not isinstance(head, Dense):
            out += block
            continue
        has_bn = bool(rest) and isinstance(rest[0], BatchNorm)
        if on and not has_bn:
            act = head.activation
            out += [replace(head, activation="linear"), BatchNorm(), Activation(act), *rest]
        elif not on and has_bn:
            tail = rest[1:]
            act = head.activation
            if tail and isinstance(tail[0], Activation) and head.activation == "linear":
                act, tail = tail[0].activation, tail[1:]
            out += [replace(head, activation=act), *tail]
        else:
            out += block
    return ModelSpec(tuple(out))


def with_noise(model: ModelSpec, stddev: float) -> ModelSpec:
    """GaussianNoise(stddev) after each hidden Dense block (before its dropout); 0 removes them.

    The noise lands on the inputs of the next layer, as dropout's silencing does: a
    different way of keeping a layer from leaning on exact values.
    """
    out: list[Layer] = []
    for block in _blocks(model.layers):
        kept = [layer for layer in block if not isinstance(layer, GaussianNoise)]
        if stddev > 0 and isinstance(block[0], Dense):
            at = next((i for i, layer in enumerate(kept) if isinstance(layer, Dropout)), len(kept))
            kept.insert(at, GaussianNoise(stddev))
        out += kept
    return ModelSpec(tuple(out))
