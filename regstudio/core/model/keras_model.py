"""Turn a ModelSpec into a Keras model that reports its weight penalty as a metric.

Keras folds the regularizers' penalty into `loss`. To show students how much of the loss
is penalty, the model below also keeps a running mean of the penalty alone, weighted by
batch size exactly as Keras weights `loss`, so `loss - penalty` is the data loss of the
same batches. Evaluation runs the same code, so validation gets `val_penalty` too.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from .layers import LAYER_TYPES, kernel_initializer
from .spec import ModelSpec

OPTIMIZER_CLASSES = {"adam": "Adam", "sgd": "SGD", "rmsprop": "RMSprop"}  # Keras's spelling of each


@dataclass(frozen=True)
class LayerRow:
    """One line of a model summary: what the layer is, its output width, its parameters."""

    name: str
    description: str
    outputs: int
    params: int
    trainable: int


def output_description(n_classes: int) -> str:
    return f"Dense({n_classes}, softmax)"


def summary_rows(spec: ModelSpec, input_dim: int, n_classes: int) -> list[LayerRow]:
    """The layers as Keras will build them, with parameter counts, without TensorFlow."""
    rows: list[LayerRow] = []
    width = input_dim
    names = layer_names(spec)
    for layer, name in zip(spec.layers, names[:-1], strict=True):
        size = layer.size(width)
        rows.append(LayerRow(name, layer.describe(), size.outputs, size.params, size.trainable))
        width = size.outputs
    n = width * n_classes + n_classes
    rows.append(LayerRow(names[-1], output_description(n_classes), n_classes, n, n))
    return rows


def count_params(spec: ModelSpec, input_dim: int, n_classes: int) -> int:
    return sum(row.params for row in summary_rows(spec, input_dim, n_classes))


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


def build_model(spec: ModelSpec, input_dim: int, n_classes: int, seed: int | None = None) -> Any:
    """A fresh, uncompiled Keras model.

    With `seed`, each Dense kernel starts from `initial_weight_seed(seed, its name)`;
    without, from Keras's global stream (seed Keras before calling it for repeatable weights).
    A layer type outside the registry is an error, never skipped.
    """
    import keras
    from keras import layers

    names = layer_names(spec.check())
    stack: list[Any] = [keras.Input(shape=(input_dim,))]
    for layer, name in zip(spec.layers, names[:-1], strict=True):
        if LAYER_TYPES.get(layer.type) is not type(layer):
            raise TypeError(f"{name}: {type(layer).__name__} is not a layer type RegStudio can build")
        stack.append(layer.keras_layer(name, seed))
    stack.append(layers.Dense(n_classes, activation="softmax", name=names[-1],
                              kernel_initializer=kernel_initializer(seed, names[-1])))
    return _penalty_model_class()(stack)


def make_optimizer(name: str, learning_rate: float) -> Any:
    from keras import optimizers

    from ..tf_runtime import skip_single_device_all_reduce

    cls = getattr(optimizers, OPTIMIZER_CLASSES[name])
    return skip_single_device_all_reduce(cls(learning_rate=learning_rate))
