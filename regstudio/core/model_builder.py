"""Turn a ModelSpec into a Keras model that reports its weight penalty as a metric.

Keras folds the regularizers' penalty into `loss`. To show students how much of the loss
is penalty, the model below also keeps a running mean of the penalty alone, weighted by
batch size exactly as Keras weights `loss`, so `loss - penalty` is the data loss of the
same batches. Evaluation runs the same code, so validation gets `val_penalty` too.
"""

from __future__ import annotations

import functools
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from .model_spec import Activation, BatchNorm, Dense, Dropout, ModelSpec


@dataclass(frozen=True)
class LayerRow:
    """One line of a model summary: what the layer is, its output width, its parameters."""

    name: str
    description: str
    outputs: int
    params: int
    trainable: int


def summary_rows(spec: ModelSpec, input_dim: int, n_classes: int) -> list[LayerRow]:
    """The layers as Keras will build them, with parameter counts, without TensorFlow."""
    rows: list[LayerRow] = []
    width = input_dim
    names = layer_names(spec)
    for layer, name in zip(spec.layers, names[:-1], strict=True):
        if isinstance(layer, Dense):
            n = width * layer.units + layer.units
            rows.append(LayerRow(name, layer.describe(), layer.units, n, n))
            width = layer.units
        elif isinstance(layer, BatchNorm):
            # gamma and beta learn; the moving mean and variance are statistics, not trained.
            rows.append(LayerRow(name, layer.describe(), width, 4 * width, 2 * width))
        else:
            rows.append(LayerRow(name, layer.describe(), width, 0, 0))
    n = width * n_classes + n_classes
    rows.append(LayerRow(names[-1], f"Dense({n_classes}, softmax)", n_classes, n, n))
    return rows


def count_params(spec: ModelSpec, input_dim: int, n_classes: int) -> int:
    return sum(row.params for row in summary_rows(spec, input_dim, n_classes))


def keras_code(spec: ModelSpec, input_dim: int, n_classes: int) -> str:
    """The Sequential model as a student would type it (without the penalty bookkeeping)."""
    lines = ["model = keras.Sequential([", f"    keras.Input(shape=({input_dim},)),"]
    for layer in spec.layers:
        if isinstance(layer, Dense):
            reg = layer.regularizer.keras_code()
            extra = f", kernel_regularizer={reg}" if reg else ""
            lines.append(f"    layers.Dense({layer.units}, activation={layer.activation!r}{extra}),")
        elif isinstance(layer, Dropout):
            lines.append(f"    layers.Dropout({layer.rate!r}),")
        elif isinstance(layer, BatchNorm):
            lines.append("    layers.BatchNormalization(),")
        elif isinstance(layer, Activation):
            lines.append(f"    layers.Activation({layer.activation!r}),")
    lines += [f"    layers.Dense({n_classes}, activation='softmax'),", "])"]
    return "\n".join(lines)


@functools.cache
def _penalty_model_class() -> type:
    # Defined on first use so that importing this module does not import TensorFlow.
    import keras
    from keras import ops

    class PenaltyTrackingSequential(keras.Sequential):
        def __init__(self, *args: Any, **kwargs: Any):
            super().__init__(*args, **kwargs)
            self.penalty_tracker = keras.metrics.Mean(name="penalty")

        @property
        def metrics(self) -> list[Any]:
            return [*super().metrics, self.penalty_tracker]

        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
            total = super().compute_loss(x, y, y_pred, sample_weight, training)
            losses = self.losses
            penalty = ops.sum(ops.stack(losses)) if losses else ops.zeros(())
            self.penalty_tracker.update_state(penalty, sample_weight=ops.shape(y_pred)[0])
            return total

    return PenaltyTrackingSequential


def _regularizer(reg: Any) -> Any:
    from keras import regularizers

    if reg.kind == "l1":
        return regularizers.l1(reg.l1)
    if reg.kind == "l2":
        return regularizers.l2(reg.l2)
    if reg.kind == "l1l2":
        return regularizers.l1_l2(l1=reg.l1, l2=reg.l2)
    return None


def layer_names(spec: ModelSpec) -> list[str]:
    """Names by kind and position ("dense_1", "dropout_2", ... then "output").

    Keras would number layers with a counter shared by every model in the process, so the
    first layer of the third run would be "dense_6". Fixed names let records of different
    runs refer to the same layer.
    """
    counts: dict[str, int] = {}
    names = []
    for layer in spec.layers:
        counts[layer.type] = counts.get(layer.type, 0) + 1
        names.append(f"{layer.type}_{counts[layer.type]}")
    return [*names, "output"]


def initial_weight_seed(seed: int, layer_name: str) -> int:
    """The seed of one Dense layer's initial kernel, from the run's seed and the layer's name.

    Unseeded, Keras draws each initializer's seed from one shared stream, and every Dropout
    layer draws from it too: adding dropout would change the starting weights of every
    later layer. Seeding by name instead gives "dense_2" the same start in every model that
    has it with the same shape, so a comparison measures the technique, not the luck of
    the draw.
    """
    return int(np.random.SeedSequence([seed, zlib.crc32(layer_name.encode())]).generate_state(1)[0] >> 1)


def build_model(spec: ModelSpec, input_dim: int, n_classes: int, seed: int | None = None) -> Any:
    """A fresh, uncompiled Keras model.

    With `seed`, each Dense kernel starts from `initial_weight_seed(seed, its name)`;
    without, from Keras's global stream (seed Keras before calling it for repeatable weights).
    """
    import keras
    from keras import layers

    def init(name: str) -> Any:
        return "glorot_uniform" if seed is None else keras.initializers.GlorotUniform(
            seed=initial_weight_seed(seed, name))

    names = layer_names(spec.check())
    stack: list[Any] = [keras.Input(shape=(input_dim,))]
    for layer, name in zip(spec.layers, names[:-1], strict=True):
        if isinstance(layer, Dense):
            stack.append(layers.Dense(layer.units, activation=layer.activation, name=name,
                                      kernel_initializer=init(name),
                                      kernel_regularizer=_regularizer(layer.regularizer)))
        elif isinstance(layer, Dropout):
            stack.append(layers.Dropout(layer.rate, name=name))
        elif isinstance(layer, BatchNorm):
            stack.append(layers.BatchNormalization(name=name))
        elif isinstance(layer, Activation):
            stack.append(layers.Activation(layer.activation, name=name))
    stack.append(layers.Dense(n_classes, activation="softmax", name=names[-1], kernel_initializer=init(names[-1])))
    return _penalty_model_class()(stack)


def make_optimizer(name: str, learning_rate: float) -> Any:
    from keras import optimizers

    from .tf_runtime import skip_single_device_all_reduce

    cls = {"adam": optimizers.Adam, "sgd": optimizers.SGD, "rmsprop": optimizers.RMSprop}[name]
    return skip_single_device_all_reduce(cls(learning_rate=learning_rate))
