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

from .layers import kernel_initializer
from .spec import ModelSpec
from .step_calls import direct_steps_class

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

    class PenaltyTrackingSequential(direct_steps_class(), keras.Sequential):
        def __init__(self, *args: Any, **kwargs: Any):
            super().__init__(*args, **kwargs)
            self.penalty_tracker = keras.metrics.Mean(name="penalty")

        @property
        def metrics(self) -> list[Any]:
            return [*super().metrics, self.penalty_tracker]

        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
            total = super().compute_loss(x, y, y_pred, sample_weight, training)
            self.penalty_tracker.update_state(penalty_of(self.losses), sample_weight=ops.shape(y_pred)[0])
            return total

    return PenaltyTrackingSequential


def penalty_of(losses: list[Any]) -> Any:
    """The regularizers' share of the loss: the sum of a network's own penalty terms."""
    from keras import ops

    return ops.sum(ops.stack(losses)) if losses else ops.zeros(())


def member_key(index: int, metric: str) -> str:
    """How a fused model names member `index`'s metric in its logs ("m2_loss", and "val_m2_loss")."""
    return f"m{index}_{metric}"


def _logits_of(probabilities: Any) -> Any:
    """The logits under a member's softmax output, where Keras's softmax leaves them for its cross-entropy."""
    logits = getattr(probabilities, "_keras_logits", None)
    if logits is None:
        raise ValueError("a fused model's networks end in a softmax layer (build_model)")
    return logits


@functools.cache
def _fused_model_class() -> type:
    import keras
    import tensorflow as tf
    from keras import ops

    class Tallies(keras.metrics.Metric):
        """One running mean per member, `total / count`, kept with two additions a batch.

        Keras's Mean adds `value * batch size` and the batch size for a batch's mean loss,
        and its accuracy adds the batch's matches and size: the very arithmetic here, but
        each builds some thirty graph operations a batch, for each member. These do it for
        all members at once: the same numbers, a fraction of the step and of its tracing.
        """

        def __init__(self, name: str, n_members: int):
            super().__init__(name=name)
            self.total = self.add_variable(shape=(n_members,), initializer="zeros", name="total")
            self.count = self.add_variable(shape=(), initializer="zeros", name="count")

        def update_state(self, amounts: Any, count: Any) -> None:
            self.total.assign_add(amounts)
            self.count.assign_add(count)

        def reset_state(self) -> None:
            self.total.assign(ops.zeros_like(self.total))
            self.count.assign(0.0)

        def result(self) -> Any:
            return ops.divide_no_nan(self.total, self.count)

    class MemberResult:
        """One member's share of a Tallies, read as a lone model's metric is read: `result()`."""

        def __init__(self, tallies: Tallies, index: int):
            self.tallies, self.index = tallies, index

        def result(self) -> Any:
            return self.tallies.result()[self.index]

    class FusedModel(direct_steps_class(), keras.Model):
        """Several networks on one input, trained as one model: a loss and metrics each.

        Their weights are disjoint and the loss is the sum of the members' losses, so each
        member's gradients, and its optimizer state (Adam's moments are per weight), are
        exactly those it would have alone. Each member's loss is formed as Keras forms a
        lone model's (cross-entropy from the logits under the softmax, then plus each
        penalty term, summed in that order), so the two agree to the last bit;
        bench/fused.py and tests/test_fused.py check it.
        """

        def __init__(self, members: list[Any], input_dim: int):
            inputs = keras.Input(shape=(input_dim,))
            super().__init__(inputs=inputs, outputs=[member(inputs) for member in members])
            self.members = list(members)  # in output order (the order of self.layers may differ)
            n = len(members)
            # Named as a lone model names them, so each member's early stopping and records
            # read them the same way; get_metrics_result tells the members apart.
            self.tallies = (Tallies("loss", n), Tallies("accuracy", n), Tallies("penalty", n))

        def member_loss(self, index: int) -> Any:
            """Member `index`'s running loss, as its callbacks read a lone model's (`metrics[0]`)."""
            return MemberResult(self.tallies[0], index)

        @property
        def metrics(self) -> list[Any]:
            return [self._loss_tracker, *self.tallies] if self.compiled else list(self.tallies)

        @staticmethod
        def _each(y_pred: Any) -> list[Any]:
            """The members' outputs: Keras hands a model of one output its tensor, not a list."""
            return list(y_pred) if isinstance(y_pred, (list, tuple)) else [y_pred]

        @staticmethod
        def _crossentropy(y: Any, pred: Any) -> Any:
            """A member's mean categorical cross-entropy over the batch, from the logits under its softmax.

            Keras's loss for a lone model without its wrapping: TensorFlow's kernel itself,
            not `tf.nn.softmax_cross_entropy_with_logits`, whose reshaping for any rank and
            axis (some twenty operations a member, nothing to do for a batch of rows) made a
            third of the fused step's tracing. The same arithmetic on the same numbers. It
            stays one per member: computed for all at once, it would reach the weights'
            gradients last, and a weight with three parts to its gradient (data, L1, L2)
            would add them in another order than alone.
            """
            each, _ = tf.raw_ops.SoftmaxCrossEntropyWithLogits(features=_logits_of(pred), labels=ops.cast(y, "float32"))
            return ops.divide_no_nan(ops.sum(each), ops.cast(ops.shape(each)[0], "float32"))

        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
            if sample_weight is not None:
                raise ValueError("a fused model trains without sample weights")
            totals, penalties = [], []
            for member, pred in zip(self.members, self._each(y_pred), strict=True):
                terms = member.losses  # built anew at each reading: read once
                # As Keras's Trainer.compute_loss sums a lone model's loss.
                parts = [self._crossentropy(y, pred), *(ops.sum(term) for term in terms)]
                totals.append(parts[0] if len(parts) == 1 else ops.sum(parts))
                penalties.append(penalty_of(terms))
            totals, penalties = ops.stack(totals), ops.stack(penalties)
            batch = ops.cast(ops.shape(y)[0], "float32")
            loss, _, penalty = self.tallies
            loss.update_state(totals * batch, batch)
            penalty.update_state(penalties * batch, batch)
            return ops.sum(totals)

        def compute_metrics(self, x, y, y_pred, sample_weight=None):
            # Keras's categorical accuracy: the index of the largest output, the first if tied.
            truth = ops.argmax(y, axis=-1)
            matches = ops.cast(ops.equal(truth[None, :], ops.argmax(ops.stack(self._each(y_pred)), axis=-1)), "float32")
            self.tallies[1].update_state(ops.sum(matches, axis=-1), ops.cast(ops.shape(y)[0], "float32"))
            return self.get_metrics_result()

        def get_metrics_result(self) -> dict[str, Any]:
            out = {"loss": self._loss_tracker.result()}
            for tally in self.tallies:
                values = ops.unstack(tally.result(), num=len(self.members))  # one operation, not one slice a member
                out.update({member_key(i, tally.name): values[i] for i in range(len(self.members))})
            return out

    return FusedModel


def build_model(spec: ModelSpec, input_dim: int, n_classes: int, seed: int | None = None) -> Any:
    """A fresh, uncompiled Keras model.

    With `seed`, each Dense kernel starts from `initial_weight_seed(seed, its name)`;
    without, from Keras's global stream (seed Keras before calling it for repeatable weights).
    A layer type outside the registry is an error (SpecError from check()), never skipped.
    """
    import keras
    from keras import layers

    names = layer_names(spec.check())
    stack: list[Any] = [keras.Input(shape=(input_dim,))]
    for layer, name in zip(spec.layers, names[:-1], strict=True):  # check() refused unregistered types
        stack.append(layer.keras_layer(name, seed))
    stack.append(layers.Dense(n_classes, activation="softmax", name=names[-1],
                              kernel_initializer=kernel_initializer(seed, names[-1])))
    return _penalty_model_class()(stack)


def build_fused_model(members: list[Any], input_dim: int) -> Any:
    """One uncompiled model whose outputs are the given networks' (from build_model), in order."""
    return _fused_model_class()(members, input_dim)


def make_optimizer(name: str, learning_rate: float) -> Any:
    from keras import optimizers

    from ..tf_runtime import one_kernel_adam, skip_single_device_all_reduce

    cls = one_kernel_adam() if name == "adam" else getattr(optimizers, OPTIMIZER_CLASSES[name])
    return skip_single_device_all_reduce(cls(learning_rate=learning_rate))
