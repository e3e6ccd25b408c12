"""Every setting a student can change reaches the computation; each test here fails when one does not.

Values are chosen away from Keras's defaults (0.01 for an L1 or L2 strength, 0.001 for
adam's learning rate and 0.01 for SGD's, batch 32, no validation), so a setting lost on
its way to Keras cannot pass for one that arrived. The checks recompute what Keras did
from the model the session built (keras_probe.py): the losses of given rows, the penalty
of given weights, the step an optimizer takes.
"""

import math
from types import SimpleNamespace

import numpy as np
import pytest
from keras_probe import capturing_models, cross_entropy

from regstudio.core.datasets import load, stratified_indices
from regstudio.core.datasets.spec import DataSpec
from regstudio.core.model import Activation, BatchNorm, Dense, Dropout, GaussianNoise, ModelSpec, Regularizer
from regstudio.core.model.keras_model import build_model
from regstudio.core.model.layers import initial_weight_seed
from regstudio.core.training.run_spec import RunSpec, TrainingConfig
from regstudio.core.training.session import TrainingSession
from regstudio.core.weights.stats import weight_stats

KERNELS = ("dense_1/kernel", "dense_2/kernel")
BLOBS = DataSpec("blobs", samples=300, seed=1)


def penalty_of(regs, kernels):
    """λ1·Σ|w| + λ2·Σw² over the kernels, in float64."""
    return sum(r.l1 * np.abs(k.astype(np.float64)).sum() + r.l2 * np.square(k.astype(np.float64)).sum()
               for r, k in zip(regs, kernels, strict=True))


def test_each_layers_penalty_kind_and_strength_reach_keras(blobs):
    # L1 and L2 each on its own layer: the frozen run below; here both on one layer, none on the other.
    first, second = Regularizer.of("l1l2", 0.0031, 0.0017), Regularizer()
    spec = RunSpec(ModelSpec((Dense(16, regularizer=first), Dense(8, regularizer=second))),
                   TrainingConfig(epochs=2, batch_size=32, learning_rate=0.01, seed=3), BLOBS)
    record = TrainingSession(spec, blobs).run()
    for e in record.epochs:
        # Validation runs on the epoch's final weights, the ones its statistics describe:
        # l1 = Σ|w| and l2 = sqrt(Σw²) per kernel.
        expected = sum(reg.l1 * e.stats(k).l1 + reg.l2 * e.stats(k).l2 ** 2
                       for reg, k in zip((first, second), KERNELS, strict=True))
        assert e.val_penalty == pytest.approx(expected, rel=1e-5)
    assert record.epochs[0].weights != record.epochs[1].weights  # the weights moved: two epochs, two checks


FROZEN_LR = 1e-9  # an SGD step of 1e-9 x gradient vanishes in float32 rounding: the weights stay as built


@pytest.fixture(scope="module")
def frozen():
    """A run whose weights never move, so every number it reports can be recomputed from its model."""
    data_spec = DataSpec("blobs", samples=300, seed=1, train_size=200, label_noise=0.25)
    regs = (Regularizer.of("l1", 0.0037), Regularizer.of("l2", 0.0023))
    spec = RunSpec(ModelSpec(tuple(Dense(units, regularizer=r) for units, r in zip((16, 8), regs, strict=True))),
                   TrainingConfig("sgd", FROZEN_LR, epochs=2, batch_size=50, validation_split=0.3, seed=5), data_spec)
    data = load(data_spec)
    with capturing_models() as built:
        record = TrainingSession(spec, data).run()
    fit, val = stratified_indices(data.y_train, 0.3, 5)
    return SimpleNamespace(spec=spec, data=data, record=record, built=built[0], regs=regs, fit=fit, val=val)


def test_training_size_and_label_noise_reach_the_training_data(frozen):
    data, record = frozen.data, frozen.record
    clean = load(DataSpec("blobs", samples=300, seed=1, train_size=200))
    assert len(data.y_train) == record.dataset.n_train + record.dataset.n_val == 200
    assert np.array_equal(data.x_train, clean.x_train) and np.array_equal(data.y_test, clean.y_test)
    assert np.count_nonzero(data.y_train != clean.y_train) == 50  # a quarter of the labels, each one changed


def test_validation_share_and_seed_choose_the_validation_rows(frozen):
    record, model, data = frozen.record, frozen.built.model, frozen.data
    assert (record.dataset.n_train, record.dataset.n_val) == (len(frozen.fit), len(frozen.val)) == (140, 60)
    on_val = cross_entropy(model, data.x_train[frozen.val], data.y_train[frozen.val])
    on_fit = cross_entropy(model, data.x_train[frozen.fit], data.y_train[frozen.fit])
    assert abs(on_val - on_fit) > 1e-3  # or the comparisons below could not tell the two sets apart
    for e in record.epochs:
        assert e.val_data_loss == pytest.approx(on_val, rel=1e-5)


def test_training_loss_comes_from_the_training_rows_only(frozen):
    """Validation rows never train: the training loss is the loss of exactly the other rows."""
    model, data = frozen.built.model, frozen.data
    on_fit = cross_entropy(model, data.x_train[frozen.fit], data.y_train[frozen.fit])
    everything = cross_entropy(model, data.x_train, data.y_train)
    assert abs(everything - on_fit) > 1e-3
    for e in frozen.record.epochs:
        assert e.data_loss == pytest.approx(on_fit, rel=1e-5)


def test_the_penalty_is_the_weights_penalty_on_the_training_and_the_validation_side(frozen):
    built = frozen.built
    kernels = [built.kernel(name) for name in ("dense_1", "dense_2")]
    assert all(np.array_equal(k, built.initial[name][0]) for k, name in zip(kernels, ("dense_1", "dense_2"),
                                                                             strict=True))  # frozen indeed
    expected = penalty_of(frozen.regs, kernels)
    for e in frozen.record.epochs:
        assert e.penalty == pytest.approx(expected, rel=1e-5)
        assert e.val_penalty == pytest.approx(expected, rel=1e-5)


def test_test_metrics_come_from_the_test_split(frozen):
    record, model, data = frozen.record, frozen.built.model, frozen.data
    on_test = cross_entropy(model, data.x_test, data.y_test)
    assert abs(on_test - record.last.val_data_loss) > 1e-3
    penalty = penalty_of(frozen.regs, [frozen.built.kernel("dense_1"), frozen.built.kernel("dense_2")])
    assert record.test_loss == pytest.approx(on_test + penalty, rel=1e-5)
    predicted = np.asarray(model(data.x_test, training=False)).argmax(axis=1)
    assert record.test_accuracy == pytest.approx(np.mean(predicted == data.y_test))


def test_optimizer_steps_are_epochs_times_batches(frozen):
    batches = math.ceil(140 / 50)  # Keras's default batch of 32 would make it 5
    assert frozen.record.steps == frozen.built.steps == 2 * batches
    assert [e.epoch for e in frozen.record.epochs] == [1, 2]


def test_seed_sets_the_initial_weights(frozen):
    import keras

    for name, shape in (("dense_1", (2, 16)), ("dense_2", (16, 8)), ("output", (8, 3))):
        expected = keras.initializers.GlorotUniform(seed=initial_weight_seed(5, name))(shape)
        assert np.array_equal(frozen.built.initial[name][0], np.asarray(expected)), name


def test_epoch_statistics_describe_the_trained_weights(frozen):
    record, model = frozen.record, frozen.built.model
    for layout in record.layouts:
        layer = model.get_layer(layout.layer)
        values = (layer.kernel if layout.kind == "kernel" else layer.bias).numpy()
        assert record.last.stats(layout.name) == weight_stats(layout, values), layout.name
    assert record.last.stats("dense_1/kernel").l1 == pytest.approx(np.abs(frozen.built.kernel("dense_1")).sum())


def kernel_gradients(model, x, y, n_classes=3):
    """d(mean cross-entropy)/d(kernel) for each Dense layer, on the rows given."""
    import keras
    import tensorflow as tf

    target = np.eye(n_classes, dtype=np.float32)[y]
    kernels = [layer.kernel for layer in model.layers if hasattr(layer, "kernel")]
    with tf.GradientTape() as tape:
        loss = keras.ops.mean(keras.losses.categorical_crossentropy(target, model(x, training=True)))
    return [g.numpy().astype(np.float64) for g in tape.gradient(loss, kernels)]


def first_step(optimizer, lr, g):
    """The change each optimizer makes on its first step, as Keras writes its update."""
    if optimizer == "sgd":
        return -lr * g
    if optimizer == "adam":  # m = 0.1 g, v = 0.001 g², bias-corrected
        alpha = lr * math.sqrt(1 - 0.999) / (1 - 0.9)
        return -alpha * (0.1 * g) / (np.sqrt(0.001 * g * g) + 1e-7)
    return -lr * g / np.sqrt(0.1 * g * g + 1e-7)  # rmsprop: velocity 0.1 g²


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "rmsprop"])
def test_optimizer_and_learning_rate_make_the_first_step(blobs, optimizer):
    lr = 0.0123
    spec = RunSpec(ModelSpec((Dense(8),)), TrainingConfig(optimizer, lr, epochs=1, batch_size=1000, seed=2), BLOBS)
    with capturing_models() as built:
        record = TrainingSession(spec, blobs).run()
    assert record.steps == 1  # one batch holds every training row
    fit, _ = stratified_indices(blobs.y_train, 0.2, 2)
    start = build_model(spec.model, 2, 3, seed=2)
    grads = kernel_gradients(start, blobs.x_train[fit], blobs.y_train[fit])
    for name, g in zip(("dense_1", "output"), grads, strict=True):
        before = built[0].initial[name][0].astype(np.float64)
        np.testing.assert_allclose(built[0].kernel(name) - before, first_step(optimizer, lr, g), rtol=2e-3,
                                   atol=lr * 1e-5, err_msg=name)


def test_dropout_rate_noise_spread_and_batch_normalization_act_in_the_built_model():
    spec = ModelSpec((Dense(8, "linear"), BatchNorm(), Activation("relu"), GaussianNoise(0.23), Dropout(0.37)))
    model = build_model(spec, 4, 3, seed=0)
    assert [layer.name for layer in model.layers] == ["dense_1", "batchnorm_1", "activation_1",
                                                      "gaussian_noise_1", "dropout_1", "output"]
    ones = np.ones((200, 1000), np.float32)
    dropped = np.asarray(model.get_layer("dropout_1")(ones, training=True))
    assert np.mean(dropped == 0) == pytest.approx(0.37, abs=0.01)
    assert np.allclose(dropped[dropped != 0], 1 / (1 - 0.37))  # the survivors are scaled up
    assert np.array_equal(np.asarray(model.get_layer("dropout_1")(ones, training=False)), ones)
    noisy = np.asarray(model.get_layer("gaussian_noise_1")(np.zeros_like(ones), training=True))
    assert noisy.std() == pytest.approx(0.23, rel=0.02) and abs(noisy.mean()) < 0.005
    assert not np.asarray(model.get_layer("gaussian_noise_1")(ones, training=False)).std()
    x = np.random.default_rng(0).normal(3.0, 2.0, (256, 8)).astype(np.float32)
    normed = np.asarray(model.get_layer("batchnorm_1")(x, training=True))
    assert np.allclose(normed.mean(axis=0), 0, atol=1e-4) and np.allclose(normed.std(axis=0), 1, atol=1e-3)
