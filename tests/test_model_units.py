"""The model registry to the letter: what each layer and penalty says, checks, counts and builds."""

import math

import numpy as np
import pytest

from regstudio.core.errors import SpecError
from regstudio.core.model import Activation, BatchNorm, Dense, Dropout, GaussianNoise, ModelSpec, Regularizer
from regstudio.core.model.edits import with_batchnorm, with_dropout, with_noise, with_regularizer
from regstudio.core.model.keras_model import (
    build_model,
    count_params,
    layer_names,
    make_optimizer,
    output_description,
    summary_rows,
)
from regstudio.core.model.layers import LayerSize, initial_weight_seed, kernel_initializer

PAIR = Regularizer.of("l1l2", 0.01, 0.001)


@pytest.mark.parametrize("layer, text, code, size", [
    (Dense(64), "Dense(64, relu)", "layers.Dense(64, activation='relu')", LayerSize(64, 704, 704)),
    (Dense(8, "tanh", PAIR), "Dense(8, tanh) [L1 0.01 + L2 0.001]",
     "layers.Dense(8, activation='tanh', kernel_regularizer=regularizers.l1_l2(l1=0.01, l2=0.001))",
     LayerSize(8, 88, 88)),
    (Dropout(0.25), "Dropout(0.25)", "layers.Dropout(0.25)", LayerSize(10, 0, 0)),
    (BatchNorm(), "BatchNormalization()", "layers.BatchNormalization()", LayerSize(10, 40, 20)),
    (Activation("elu"), "Activation(elu)", "layers.Activation('elu')", LayerSize(10, 0, 0)),
    (GaussianNoise(0.1), "GaussianNoise(0.1)", "layers.GaussianNoise(0.1)", LayerSize(10, 0, 0)),
])
def test_each_layer_describes_writes_and_sizes_itself(layer, text, code, size):
    assert (layer.describe(), layer.keras_code(), layer.size(10)) == (text, code, size)


def test_the_add_buttons_make_the_usual_layers():
    assert (Dense.new(), Dropout.new(), GaussianNoise.new(), BatchNorm.new(), Activation.new()) == (
        Dense(64, "relu", Regularizer()), Dropout(0.3), GaussianNoise(0.1), BatchNorm(), Activation("relu"))


@pytest.mark.parametrize("reg, text, code, active", [
    (Regularizer(), "none", None, False),
    (Regularizer.of("l1", 0.01), "L1 0.01", "regularizers.l1(0.01)", True),
    (Regularizer.of("l2", 0.001), "L2 0.001", "regularizers.l2(0.001)", True),
    (PAIR, "L1 0.01 + L2 0.001", "regularizers.l1_l2(l1=0.01, l2=0.001)", True),
    (Regularizer.of("l2", 0.0), "L2 0", "regularizers.l2(0.0)", False),
    (Regularizer("none", 0.5, 0.5), "none", None, False),
])
def test_each_penalty_describes_and_writes_itself(reg, text, code, active):
    assert (reg.describe(), reg.keras_code(), reg.active) == (text, code, active)
    assert reg.to_dict() == {"kind": reg.kind, "l1": reg.l1, "l2": reg.l2}


def test_penalties_are_made_from_one_strength_or_two():
    assert Regularizer.of("l1", 0.02) == Regularizer("l1", 0.02, 0.0)
    assert Regularizer.of("l2", 0.02) == Regularizer("l2", 0.0, 0.02)
    assert Regularizer.of("l1l2", 0.02) == Regularizer("l1l2", 0.02, 0.02)
    assert Regularizer.of("l1l2", 0.02, 0.003) == Regularizer("l1l2", 0.02, 0.003)
    assert Regularizer.of("none", 0.02) == Regularizer()


def test_keras_gets_each_penalty_with_its_strengths():
    assert Regularizer().keras() is None
    assert Regularizer.of("l1", 0.0037).keras().get_config() == {"l1": pytest.approx(0.0037)}
    assert Regularizer.of("l2", 0.0023).keras().get_config() == {"l2": pytest.approx(0.0023)}
    assert PAIR.keras().get_config() == {"l1": pytest.approx(0.01), "l2": pytest.approx(0.001)}


def test_layer_problems_are_named_with_what_is_allowed():
    def said(layer):
        return [str(p) for p in layer.problems("L")]

    assert said(Dense(0, "wiggle", Regularizer("l2", 0.5, -1.0))) == [
        "L.units = 0: a whole number from 1 to 4096",
        "L.activation = 'wiggle': one of relu, tanh, sigmoid, elu, selu, gelu, silu, leaky_relu, linear",
        "L.regularizer.l1 = 0.5: 0, because the regularizer kind is 'l2'",
        "L.regularizer.l2 = -1.0: a finite strength >= 0 (typical: 1e-4 to 1e-1)"]
    assert said(Dense(1)) == said(Dense(4096)) == [] and said(Dense(4097)) == ["L.units = 4097: a whole number from "
                                                                                "1 to 4096"]
    assert said(Dense(4, regularizer=Regularizer.of("l1", math.inf))) == [
        "L.regularizer.l1 = inf: a finite strength >= 0 (typical: 1e-4 to 1e-1)"]
    assert said(Dense(4, regularizer=Regularizer("l3"))) == [
        "L.regularizer.kind = 'l3': one of none, l1, l2, l1l2"]
    assert said(Dense(4, regularizer=Regularizer("none", True))) == [
        "L.regularizer.l1 = True: 0, because the regularizer kind is 'none'"]
    assert said(Dropout(0.0)) == said(Dropout(0.999)) == []
    assert said(Dropout(1.0)) == ["L.rate = 1.0: a share in [0, 1): 0.2 to 0.5 is typical"]
    assert said(Dropout(-0.1)) == ["L.rate = -0.1: a share in [0, 1): 0.2 to 0.5 is typical"]
    assert said(GaussianNoise(0.0)) == said(GaussianNoise(5.0)) == []
    assert said(GaussianNoise(5.01)) == ["L.stddev = 5.01: a spread in [0, 5]: 0.05 to 0.5 is typical"]
    assert said(Activation("x")) == ["L.activation = 'x': one of relu, tanh, sigmoid, elu, selu, gelu, silu, "
                                     "leaky_relu, linear"]
    assert said(BatchNorm()) == []


def test_a_model_is_checked_as_a_whole():
    assert [str(p) for p in ModelSpec(tuple([Dense(1)] * 33)).validate()] == ["layers = '33 layers': at most 32 "
                                                                              "hidden layers"]
    assert ModelSpec(tuple([Dense(1)] * 32)).validate() == []
    assert [str(p) for p in ModelSpec(("conv",)).validate()] == [
        "layers[0] = 'conv': one of the layer types: Dense, Dropout, Noise, BatchNorm, Activation"]
    assert [p.field for p in ModelSpec([Dense(1)]).validate()] == ["layers"]
    with pytest.raises(SpecError) as bad:
        ModelSpec((Dense(0), Dropout(2.0))).check()
    assert [p.field for p in bad.value.problems] == ["layers[0].units", "layers[1].rate"]
    good = ModelSpec((Dense(2),))
    assert good.check() is good
    assert ModelSpec((Dropout(0.1), Dense(4), BatchNorm(), Dense(2))).dense_positions() == [1, 3]
    assert ModelSpec((Dense(4), Dropout(0.5))).describe() == "Dense(4, relu) → Dropout(0.5)"
    assert ModelSpec().describe() == "(no hidden layers)"


def test_every_layer_type_goes_through_json_and_back():
    spec = ModelSpec((Dense(8, "tanh", PAIR), Dropout(0.25), GaussianNoise(0.2), BatchNorm(), Activation("elu")))
    data = spec.to_dict()
    assert data["layers"][0] == {"type": "dense", "units": 8, "activation": "tanh",
                                 "regularizer": {"kind": "l1l2", "l1": 0.01, "l2": 0.001}}
    assert data["layers"][1:] == [{"type": "dropout", "rate": 0.25}, {"type": "gaussian_noise", "stddev": 0.2},
                                  {"type": "batchnorm"}, {"type": "activation", "activation": "elu"}]
    assert ModelSpec.from_dict(data) == spec
    assert ModelSpec.from_dict({}) == ModelSpec()
    # Optional fields take their defaults; whole numbers become floats where floats belong.
    back = ModelSpec.from_dict({"layers": [{"type": "dense", "units": 3}, {"type": "gaussian_noise", "stddev": 1}]})
    assert back == ModelSpec((Dense(3), GaussianNoise(1.0))) and isinstance(back.layers[1].stddev, float)
    assert ModelSpec.from_dict({"layers": [{"type": "dropout", "rate": True}]}).layers[0].rate is True  # refused later


@pytest.mark.parametrize("data, message", [
    ({"layers": {}}, "model.layers = {}: a list of layers"),
    ({"layers": [{"type": "dropout"}]}, "model.layers[0].rate = None: required for a Dropout layer"),
    ({"layers": [{"type": "dense", "units": 2, "size": 3}]}, "model.layers[0].size = 3: not a known setting here: "
                                                             "activation, regularizer, type, units"),
    ({"layers": [{"type": "dense", "units": 2, "regularizer": "l2"}]},
     "model.layers[0].regularizer = 'l2': an object with kind, l1 and l2"),
    ({"layers": [{"type": "dense", "units": 2, "regularizer": {"kind": "l2", "l3": 1}}]},
     "model.layers[0].regularizer.l3 = 1: not a known setting here: kind, l1, l2"),
    ({"layers": [["dense"]]}, "model.layers[0].type = ['dense']: one of dense, dropout, gaussian_noise, batchnorm, "
                              "activation"),
    ({"layers": [{"type": "conv"}]}, "model.layers[0].type = 'conv': one of dense"),
    ({"layer": []}, "model.layer = []: not a known setting here: layers"),
])
def test_json_that_is_not_a_model_is_refused_by_name(data, message):
    with pytest.raises(SpecError) as bad:
        ModelSpec.from_dict(data)
    assert str(bad.value).startswith(message)


def test_regularizer_strengths_from_json_are_floats():
    back = ModelSpec.from_dict({"layers": [{"type": "dense", "units": 2,
                                            "regularizer": {"kind": "l1l2", "l1": 1, "l2": 0}}]})
    reg = back.layers[0].regularizer
    assert reg == Regularizer("l1l2", 1.0, 0.0) and isinstance(reg.l1, float) and isinstance(reg.l2, float)


def test_edits_switch_one_technique_on_every_hidden_block():
    base = ModelSpec((Activation("tanh"), Dense(8), Dense(4, "elu")))
    l2 = Regularizer.of("l2", 0.004)
    assert with_regularizer(base, l2).layers == (Activation("tanh"), Dense(8, regularizer=l2),
                                                 Dense(4, "elu", l2))
    assert with_regularizer(base, l2, position=2).layers == (Activation("tanh"), Dense(8), Dense(4, "elu", l2))
    with pytest.raises(ValueError, match=r"layer 0 is Activation\(tanh\), not a Dense layer"):
        with_regularizer(base, l2, position=0)
    dropped = with_dropout(base, 0.4)  # a leading non-Dense block gets none
    assert dropped.layers == (Activation("tanh"), Dense(8), Dropout(0.4), Dense(4, "elu"), Dropout(0.4))
    assert with_dropout(dropped, 0.2).layers == (Activation("tanh"), Dense(8), Dropout(0.2), Dense(4, "elu"),
                                                 Dropout(0.2))
    assert with_dropout(dropped, 0.0) == base
    noisy = with_noise(dropped, 0.3)  # before each block's dropout
    assert noisy.layers == (Activation("tanh"), Dense(8), GaussianNoise(0.3), Dropout(0.4), Dense(4, "elu"),
                            GaussianNoise(0.3), Dropout(0.4))
    assert with_noise(with_noise(base, 0.3), 0.5).layers[2] == GaussianNoise(0.5)
    assert with_noise(noisy, 0.0) == dropped


def test_batch_normalization_moves_the_activation_and_back():
    base = ModelSpec((Dense(8, "tanh"), Dropout(0.5), Dense(4, "linear")))
    normed = with_batchnorm(base)
    assert normed.layers == (Dense(8, "linear"), BatchNorm(), Activation("tanh"), Dropout(0.5),
                             Dense(4, "linear"), BatchNorm(), Activation("linear"))
    assert with_batchnorm(normed) == normed  # on twice is on
    assert with_batchnorm(normed, on=False) == base
    assert with_batchnorm(base, on=False) == base
    # A Dense that was not made linear by the switch keeps its own activation and the layers after it.
    kept = ModelSpec((Dense(8, "tanh"), BatchNorm(), Activation("relu")))
    assert with_batchnorm(kept, on=False).layers == (Dense(8, "tanh"), Activation("relu"))
    assert with_batchnorm(ModelSpec((Dense(8, "linear"), BatchNorm())), on=False).layers == (Dense(8, "linear"),)


def test_names_sizes_and_counts_of_the_keras_layers():
    spec = ModelSpec((Dense(4), Dropout(0.5), BatchNorm(), Dense(3), Dropout(0.2)))
    assert layer_names(spec) == ["dense_1", "dropout_1", "batchnorm_1", "dense_2", "dropout_2", "output"]
    rows = summary_rows(spec, 3, 2)
    assert [(r.name, r.description, r.outputs, r.params, r.trainable) for r in rows] == [
        ("dense_1", "Dense(4, relu)", 4, 16, 16), ("dropout_1", "Dropout(0.5)", 4, 0, 0),
        ("batchnorm_1", "BatchNormalization()", 4, 16, 8), ("dense_2", "Dense(3, relu)", 3, 15, 15),
        ("dropout_2", "Dropout(0.2)", 3, 0, 0), ("output", "Dense(2, softmax)", 2, 8, 8)]
    assert count_params(spec, 3, 2) == 16 + 16 + 15 + 8 == build_model(spec, 3, 2).count_params()
    assert output_description(7) == "Dense(7, softmax)"
    assert count_params(ModelSpec(), 5, 3) == 18


def test_initial_weights_are_seeded_by_the_runs_seed_and_the_layers_name():
    assert (initial_weight_seed(5, "dense_1"), initial_weight_seed(0, "output")) == (805256396, 1579276319)
    seeds = {initial_weight_seed(seed, name) for seed in range(20) for name in ("dense_1", "dense_2", "output")}
    assert len(seeds) == 60 and all(0 <= s < 2**31 for s in seeds)
    assert kernel_initializer(None, "dense_1") == "glorot_uniform"
    assert kernel_initializer(3, "dense_1").get_config()["seed"] == initial_weight_seed(3, "dense_1")
    one, two = (build_model(ModelSpec((Dense(4),)), 3, 2, seed=s).get_layer("dense_1").kernel.numpy() for s in (1, 1))
    assert np.array_equal(one, two)


def test_only_registered_layer_types_are_built():
    class Conv(Dense):
        type = "dense"

    with pytest.raises(SpecError):
        build_model(ModelSpec((Conv(4),)), 3, 2)
    model = build_model(ModelSpec((Dense(4, "tanh", Regularizer.of("l2", 0.5)),)), 3, 2)
    assert [layer.name for layer in model.layers] == ["dense_1", "output"]
    assert model.layers[0].activation.__name__ == "tanh" and model.layers[1].activation.__name__ == "softmax"
    assert model.layers[1].kernel_regularizer is None


def test_the_penalty_metric_is_averaged_over_examples_like_the_loss():
    import keras

    model = build_model(ModelSpec((Dense(4, regularizer=Regularizer.of("l2", 0.5)),)), 3, 2, seed=0)
    model.compile(optimizer=make_optimizer("sgd", 0.1), loss="categorical_crossentropy")
    kernel = model.get_layer("dense_1").kernel
    penalties, sizes = [], (10, 2)
    for scale, n in zip((1.0, 3.0), sizes, strict=True):
        kernel.assign(np.full((3, 4), scale, np.float32))
        x, y = np.ones((n, 3), np.float32), keras.utils.to_categorical(np.arange(n) % 2, 2)
        model.compute_loss(x, y, model(x))
        penalties.append(0.5 * 12 * scale**2)
    expected = (10 * penalties[0] + 2 * penalties[1]) / 12
    assert float(model.penalty_tracker.result()) == pytest.approx(expected)
    assert model.metrics[-1] is model.penalty_tracker
    plain = build_model(ModelSpec((Dense(4),)), 3, 2)
    plain.compile(optimizer="sgd", loss="categorical_crossentropy")
    plain.compute_loss(np.ones((2, 3)), keras.utils.to_categorical([0, 1], 2), plain(np.ones((2, 3))))
    assert float(plain.penalty_tracker.result()) == 0.0


def test_optimizers_are_keras_own_at_the_rate_asked():
    import keras

    for name, cls in (("adam", "Adam"), ("sgd", "SGD"), ("rmsprop", "RMSprop")):
        optimizer = make_optimizer(name, 0.0123)
        assert isinstance(optimizer, getattr(keras.optimizers, cls))
        assert float(optimizer.learning_rate) == pytest.approx(0.0123)
    assert type(make_optimizer("sgd", 0.1)) is keras.optimizers.SGD


def test_adam_steps_as_keras_own_adam_does_with_one_kernel_call_per_weight(monkeypatch):
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(3)
    x = rng.normal(size=(32, 5)).astype(np.float32)
    y = keras.utils.to_categorical(rng.integers(0, 3, 32), 3)
    kernel_calls = []
    apply_adam = tf.raw_ops.ResourceApplyAdam
    monkeypatch.setattr(tf.raw_ops, "ResourceApplyAdam", lambda **kw: kernel_calls.append(kw) or apply_adam(**kw))

    def trained(optimizer):
        model = build_model(ModelSpec((Dense(8, regularizer=Regularizer.of("l2", 0.01)),)), 5, 3, seed=1)
        model.compile(optimizer=optimizer, loss="categorical_crossentropy")
        start = [w.numpy().copy() for w in model.trainable_weights]
        for _ in range(6):  # the bias correction changes from step to step
            model.train_on_batch(x, y)
        return start, [w.numpy() for w in model.trainable_weights]

    start, ours = trained(make_optimizer("adam", 0.01))
    # Each trace (Keras may trace the step more than once) updates the hidden and output
    # layers' kernels and biases through the kernel.
    assert len(kernel_calls) >= 4 and len(kernel_calls) % 4 == 0
    kernel_calls.clear()
    _, keras_own = trained(keras.optimizers.Adam(learning_rate=0.01))
    assert kernel_calls == []
    for before, a, b in zip(start, ours, keras_own, strict=True):
        assert not np.allclose(a, before)  # it trained
        # float32 rounding apart (the kernel orders the arithmetic its own way): each of the
        # six steps moves a weight by up to 0.01, and a wrong bias correction, β or ε would
        # differ by about that much.
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=2e-6)


def test_the_reference_and_playground_networks_are_the_lessons_own():
    from regstudio.core.model.edits import HIDDEN_UNITS, PLAYGROUND_UNITS, playground_model, reference_model

    l2 = Regularizer.of("l2", 0.003)
    assert reference_model(l2).layers == tuple(Dense(units, "relu", l2) for units in HIDDEN_UNITS)
    assert reference_model().layers == (Dense(128, "relu"), Dense(64, "relu"))
    assert playground_model().layers == (Dense(64, "relu"), Dense(64, "relu"), Dense(64, "relu"))
    assert PLAYGROUND_UNITS == (64, 64, 64)


def test_batch_normalization_leaves_a_leading_noise_layer_and_changes_every_block_after_it():
    model = ModelSpec((GaussianNoise(0.1), Dense(8, "tanh"), Dense(4)))
    on = with_batchnorm(model)
    assert on.layers == (GaussianNoise(0.1), Dense(8, "linear"), BatchNorm(), Activation("tanh"),
                         Dense(4, "linear"), BatchNorm(), Activation("relu"))
    assert with_batchnorm(on, on=False) == model


def test_an_activation_layer_applies_its_own_function():
    layer = Activation("relu").keras_layer("activation_1", None)
    assert layer.name == "activation_1"
    assert np.asarray(layer(np.array([[-2.0, 3.0]], np.float32))).tolist() == [[0.0, 3.0]]


def test_a_model_whose_layers_are_not_a_tuple_is_refused_in_one_sentence():
    [problem] = ModelSpec([Dense(4)]).validate()  # type: ignore[arg-type]
    assert str(problem) == "layers = [Dense(units=4, activation='relu', regularizer=Regularizer(kind='none', " \
                           "l1=0.0, l2=0.0))]: a tuple of layers"


def test_a_penalty_kind_read_from_json_keeps_the_value_written_for_the_sentence():
    from regstudio.core.model.spec import regularizer_from_dict

    reg = regularizer_from_dict({"kind": 2, "l1": 0, "l2": 1}, "layers[0].regularizer")
    assert reg.kind == 2 and type(reg.kind) is int and (reg.l1, reg.l2) == (0.0, 1.0)
    assert "kind = 2:" in str(reg.problems("layers[0].regularizer")[0])


def test_a_penalty_made_without_strengths_has_none_and_an_unknown_kind_gets_none_either():
    assert Regularizer.of("l2") == Regularizer("l2", 0.0, 0.0)
    assert Regularizer.of("l1") == Regularizer("l1", 0.0, 0.0)
    assert Regularizer.from_strengths("l3", 0.5, 0.25) == Regularizer("l3", 0.0, 0.0)


def test_a_fused_model_has_one_output_per_network_on_one_input_and_their_weights():
    from regstudio.core.model.keras_model import build_fused_model

    members = [build_model(ModelSpec((Dense(n),)), 3, 2, seed=1) for n in (4, 5)]
    fused = build_fused_model(members, 3)
    assert fused.input_shape == (None, 3) and len(fused.outputs) == 2
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    for member, out in zip(members, fused(x), strict=True):
        np.testing.assert_array_equal(np.asarray(out), np.asarray(member(x)))
    assert fused.count_params() == sum(m.count_params() for m in members) == (16 + 10) + (20 + 12)


@pytest.mark.parametrize("fused", [False, True])
def test_steps_called_directly_train_as_through_keras_own_function(fused):
    import tensorflow as tf

    from regstudio.core.model.keras_model import build_fused_model

    def trained(steps_per_execution):
        spec = ModelSpec((Dense(8, regularizer=Regularizer.of("l1l2", 0.01, 0.01)), Dropout(0.2)))
        tf.keras.utils.set_random_seed(1)
        model = build_model(spec, 4, 3, seed=1)
        if fused:
            model = build_fused_model([model, build_model(ModelSpec((Dense(5),)), 4, 3, seed=2)], 4)
        model.compile(optimizer=make_optimizer("adam", 0.01), steps_per_execution=steps_per_execution,
                      **({} if fused else {"loss": "categorical_crossentropy", "metrics": ["accuracy"]}))
        rng = np.random.default_rng(0)
        x, y = rng.random((40, 4), np.float32), np.eye(3, dtype=np.float32)[rng.integers(0, 3, 40)]
        data = tf.data.Dataset.from_tensor_slices((x, y)).batch(8)
        history = model.fit(data, validation_data=data, epochs=3, verbose=0, shuffle=False).history
        return model, history

    direct, direct_history = trained(1)
    keras_own, keras_history = trained(2)  # several steps a call: Keras's own function, as before
    assert "_direct" in direct.train_function.__qualname__ and "_direct" in direct.test_function.__qualname__
    assert direct_history == keras_history  # to the last bit, validation included
    assert all(np.array_equal(a, b) for a, b in zip(direct.get_weights(), keras_own.get_weights(), strict=True))


def test_a_step_goes_through_keras_own_function_where_a_direct_call_would_not_do_the_same():
    from types import SimpleNamespace

    import tensorflow as tf

    from regstudio.core.model.step_calls import _direct

    batches = tf.data.Dataset.from_tensor_slices(np.zeros((4, 2), np.float32)).batch(2)
    step = lambda data: tf.reduce_sum(data)  # noqa: E731
    keras_own = lambda iterator: "keras"  # noqa: E731
    for settings in ({"steps_per_execution": 2, "jit_compile": False},
                     {"steps_per_execution": 1, "jit_compile": True}):
        assert _direct(step, keras_own, SimpleNamespace(**settings))(iter(batches)) == "keras"
    plain = _direct(step, keras_own, SimpleNamespace(steps_per_execution=1, jit_compile=False))
    assert plain([np.ones((2, 2))]) == "keras"  # not a tf.data iterator
    with tf.distribute.OneDeviceStrategy("/cpu:0").scope():
        assert plain(iter(batches)) == "keras"
    assert float(plain(iter(batches))) == 0.0


@pytest.mark.parametrize("hook", ["on_batch_end", "on_train_batch_end", "on_test_batch_end"])
def test_a_batch_end_hook_is_still_called_and_only_then_are_step_ends_handed_on(hook):
    import keras
    import tensorflow as tf

    from regstudio.core.model.step_calls import _quiet_batch_ends_class, _quiet_if_possible

    calls = []
    listens = type("Listens", (keras.callbacks.Callback,), {hook: lambda self, batch, logs=None: calls.append(batch)})
    model = build_model(ModelSpec((Dense(4),)), 3, 2, seed=0)
    model.compile(optimizer=make_optimizer("sgd", 0.1), loss="categorical_crossentropy")
    data = tf.data.Dataset.from_tensor_slices((np.ones((8, 3), np.float32), np.eye(2, dtype=np.float32)[[0, 1] * 4]))
    model.fit(data.batch(4), validation_data=data.batch(4), epochs=1, verbose=0, shuffle=False, callbacks=[listens()])
    assert calls == [0, 1]  # two training steps (or two validation steps), each handed on
    quiet = _quiet_batch_ends_class()
    assert isinstance(_quiet_if_possible([keras.callbacks.Callback()], 0, model, history=True), quiet)
    assert not isinstance(_quiet_if_possible([listens()], 0, model, history=True), quiet)
    assert not isinstance(_quiet_if_possible([keras.callbacks.Callback()], 1, model, history=True), quiet)  # a bar
    history = model.fit(data.batch(4), epochs=2, verbose=0, shuffle=False, callbacks=[keras.callbacks.Callback()])
    assert list(history.epoch) == [0, 1]  # fit still returns its History
