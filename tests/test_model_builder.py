"""The Keras side of model construction (these build real models)."""

import numpy as np
import pytest

from regstudio.core.experiments.presets import PRESETS
from regstudio.core.model.keras_model import build_model, count_params, summary_rows


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_keras_model_matches_the_spec(name):
    spec = PRESETS[name].model
    model = build_model(spec, 784, 10)
    assert model.count_params() == count_params(spec, 784, 10)
    rows = summary_rows(spec, 784, 10)
    assert [layer.name for layer in model.layers] == [r.name for r in rows]
    assert [int(np.prod(w.shape)) for w in model.trainable_weights] and \
        sum(int(np.prod(w.shape)) for w in model.trainable_weights) == sum(r.trainable for r in rows)


def test_reference_mlp_in_keras_has_109386_parameters_in_the_lessons_order():
    model = build_model(PRESETS["none"].model, 784, 10)
    assert model.count_params() == 109_386
    assert [(type(layer).__name__, layer.units, layer.activation.__name__) for layer in model.layers] == [
        ("Dense", 128, "relu"), ("Dense", 64, "relu"), ("Dense", 10, "softmax")]


def test_batchnorm_preset_layer_order_in_keras():
    model = build_model(PRESETS["batchnorm"].model, 784, 10)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Dense", "BatchNormalization", "Activation", "Dense", "BatchNormalization",
                     "Activation", "Dense"]
    assert model.layers[0].activation.__name__ == "linear"


def test_regularizers_land_on_hidden_kernels_only():
    model = build_model(PRESETS["l1l2"].model, 784, 10)
    hidden, output = model.layers[:2], model.layers[-1]
    for layer in hidden:
        config = layer.kernel_regularizer.get_config()
        assert config["l1"] == pytest.approx(0.01) and config["l2"] == pytest.approx(0.001)
    assert output.kernel_regularizer is None
