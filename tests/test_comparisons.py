"""The lesson's comparisons, and what makes them controlled: same seed, same start, same data."""

import numpy as np
import pytest

from regstudio.core.experiments.comparisons import COMPARISONS, comparison_specs
from regstudio.core.experiments.presets import PRESETS
from regstudio.core.model import Dense, Dropout, ModelSpec
from regstudio.core.model.edits import with_dropout
from regstudio.core.model.keras_model import build_model


def test_each_comparison_is_the_lessons_models_on_the_chosen_training_and_data(small_spec):
    base = small_spec.with_training(epochs=7, batch_size=16)
    specs = comparison_specs("lesson", base)
    assert [label for label, _ in specs] == ["none", "l2", "dropout"]
    assert [spec.model for _, spec in specs] == [PRESETS[n].model for n in ("none", "l2", "dropout")]
    assert all(spec.training == base.training and spec.data == base.data for _, spec in specs)
    rates = [spec.model for _, spec in comparison_specs("dropout-rates", base)]
    assert [{layer.rate for layer in m.layers if isinstance(layer, Dropout)} for m in rates] == [{0.2}, {0.5}, {0.7}]
    assert [label for label, _ in comparison_specs("penalties", base)] == ["none", "l1", "l2", "l1l2"]
    assert comparison_specs("dropout-l2", base)[-1][1].model == PRESETS["dropout-l2"].model
    assert set(COMPARISONS) == {"lesson", "penalties", "dropout-rates", "dropout-l2"}


def test_a_comparison_on_the_playground_puts_each_technique_on_the_playground_network(small_spec):
    specs = comparison_specs("lesson", small_spec, network="playground")
    assert [spec.model for _, spec in specs] == [PRESETS[n].run_spec(network="playground").model
                                                 for n in ("none", "l2", "dropout")]
    assert specs[0][1].model == PRESETS["playground"].model
    assert all(spec.training == small_spec.training for _, spec in specs)  # the student's training settings
    rates = comparison_specs("dropout-rates", small_spec, network="playground")
    assert rates[2][1].model.layers == (Dense(64), Dropout(0.7)) * 3


def test_uncontrolled_runs_each_get_their_own_seed(small_spec):
    seeds = [spec.training.seed for _, spec in comparison_specs("penalties", small_spec, controlled=False)]
    assert seeds == [3, 4, 5, 6]
    assert {spec.training.seed for _, spec in comparison_specs("penalties", small_spec)} == {3}
    with pytest.raises(KeyError, match="unknown comparison 'l9'"):
        comparison_specs("l9", small_spec)


def kernels(model):
    return {layer.name: layer.kernel.numpy() for layer in model.layers if hasattr(layer, "kernel")}


def test_different_presets_start_from_the_same_weights_where_layers_match():
    models = [build_model(PRESETS[name].model, 784, 10, seed=5) for name in ("none", "l2", "dropout", "batchnorm")]
    first = kernels(models[0])
    assert set(first) == {"dense_1", "dense_2", "output"}
    for model in models[1:]:
        for name, kernel in kernels(model).items():
            assert np.array_equal(kernel, first[name]), name
    # Without name seeding, Keras would shift every layer after a Dropout; a different
    # seed gives different weights, and a different shape cannot match.
    assert not np.array_equal(kernels(build_model(PRESETS["none"].model, 784, 10, seed=6))["dense_2"], first["dense_2"])
    wider = build_model(with_dropout(ModelSpec((Dense(100), Dense(64))), 0.5), 784, 10, seed=5)
    assert kernels(wider)["dense_1"].shape == (784, 100)
