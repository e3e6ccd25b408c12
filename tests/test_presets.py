import pytest

from regstudio.core.datasets.spec import DataSpec
from regstudio.core.experiments.presets import NETWORKS, PRESETS, preset
from regstudio.core.model import Activation, BatchNorm, Dense, Dropout, Regularizer
from regstudio.core.model.edits import reference_model, with_batchnorm, with_dropout, with_regularizer
from regstudio.core.model.keras_model import count_params, summary_rows

LESSON = sorted(name for name, p in PRESETS.items() if p.network == "reference")


def test_all_lesson_presets_exist():
    assert set(LESSON) == {"none", "l1", "l2", "l1l2", "dropout", "noise", "batchnorm", "early-stopping",
                           "dropout-l2"}
    assert set(PRESETS) - set(LESSON) == {"playground"}
    with pytest.raises(KeyError, match="choose from"):
        preset("l3")


@pytest.mark.parametrize("name", LESSON)
def test_presets_are_valid_and_train_like_the_lesson(name):
    p = PRESETS[name]
    assert p.run_spec().validate() == []
    t = p.training
    assert (t.optimizer, t.learning_rate, t.batch_size, t.validation_split) == ("adam", 0.001, 128, 0.2)
    assert t.epochs == (100 if name == "early-stopping" else 10)


def test_reference_network_has_the_lessons_parameter_count():
    assert count_params(reference_model(), 784, 10) == 109_386
    for name in ("none", "l1", "l2", "l1l2", "dropout", "early-stopping", "dropout-l2"):
        assert count_params(PRESETS[name].model, 784, 10) == 109_386


def test_regularizer_presets_put_the_lessons_strengths_on_both_hidden_layers():
    assert PRESETS["l1"].model.layers == (Dense(128, "relu", Regularizer("l1", 0.01)),
                                          Dense(64, "relu", Regularizer("l1", 0.01)))
    assert PRESETS["l2"].model.layers == (Dense(128, "relu", Regularizer("l2", l2=0.001)),
                                          Dense(64, "relu", Regularizer("l2", l2=0.001)))
    assert PRESETS["l1l2"].model.layers[0].regularizer == Regularizer("l1l2", 0.01, 0.001)


def test_dropout_and_batchnorm_layer_orders():
    assert PRESETS["dropout"].model.layers == (Dense(128), Dropout(0.3), Dense(64), Dropout(0.3))
    assert PRESETS["batchnorm"].model.layers == (
        Dense(128, "linear"), BatchNorm(), Activation("relu"),
        Dense(64, "linear"), BatchNorm(), Activation("relu"))
    l2 = Regularizer("l2", l2=0.001)
    assert PRESETS["dropout-l2"].model.layers == (Dense(128, "relu", l2), Dropout(0.3),
                                                  Dense(64, "relu", l2), Dropout(0.3))


def test_early_stopping_preset_is_the_lessons():
    es = PRESETS["early-stopping"].training.early_stopping
    assert (es.monitor, es.patience, es.restore_best) == ("val_loss", 5, True)


def test_batchnorm_adds_two_trainable_and_two_statistic_values_per_unit():
    rows = summary_rows(PRESETS["batchnorm"].model, 784, 10)
    bn = [r for r in rows if r.name.startswith("batchnorm")]
    assert [(r.params, r.trainable) for r in bn] == [(512, 256), (256, 128)]
    assert count_params(PRESETS["batchnorm"].model, 784, 10) == 109_386 + 768


def test_helpers_switch_one_technique_and_back():
    ref = reference_model()
    l1 = Regularizer.of("l1", 0.01)
    assert with_regularizer(ref, l1) == PRESETS["l1"].model
    only_first = with_regularizer(ref, l1, position=0)
    assert only_first.layers[0].regularizer == l1 and not only_first.layers[1].regularizer.active
    with pytest.raises(ValueError, match="not a Dense layer"):
        with_regularizer(PRESETS["dropout"].model, l1, position=1)
    assert with_dropout(ref, 0.5).layers == (Dense(128), Dropout(0.5), Dense(64), Dropout(0.5))
    assert with_dropout(with_dropout(ref, 0.5), 0.0) == ref
    both = with_batchnorm(with_dropout(ref, 0.2))
    kinds = [type(layer).__name__ for layer in both.layers[:4]]
    assert kinds == ["Dense", "BatchNorm", "Activation", "Dropout"]
    assert with_batchnorm(both, on=False) == with_dropout(ref, 0.2)


def test_the_playground_is_three_layers_of_64_trained_long_in_small_batches():
    p = PRESETS["playground"]
    assert p.model.layers == (Dense(64), Dense(64), Dense(64)) and p.run_spec().validate() == []
    assert (p.training.epochs, p.training.batch_size, p.training.optimizer) == (200, 32, "adam")
    assert p.training.learning_rate == 0.003
    assert count_params(p.model, 2, 2) == 3 * 64 + 2 * (64 * 64 + 64) + 64 * 2 + 2


@pytest.mark.parametrize("name", LESSON)
def test_every_technique_goes_onto_the_playground_network_the_same_way(name):
    p = PRESETS[name]
    on_playground = p.run_spec(network="playground")
    assert on_playground.validate() == []
    assert on_playground.model == p.technique(NETWORKS["playground"].model)
    assert on_playground.training.batch_size == 32
    assert on_playground.training.epochs == 200  # early stopping's "up to 100" is no cut for it
    assert (on_playground.training.early_stopping is None) == (name != "early-stopping")
    if name == "l2":
        assert on_playground.model.layers == (Dense(64, "relu", Regularizer("l2", l2=0.001)),) * 3
    if name == "dropout":
        assert on_playground.model.layers == (Dense(64), Dropout(0.3)) * 3


def test_the_playground_brings_noisy_2d_data_and_keeps_a_2d_set_already_chosen():
    playground = NETWORKS["playground"]
    assert playground.data_for(DataSpec()) == DataSpec("moons", train_size=300, label_noise=0.3)
    assert playground.data_for(DataSpec("spirals", seed=4)) == DataSpec("spirals", 300, 0.3, seed=4)
    assert playground.data_for(DataSpec("file", path="x.csv")).path is None
    assert NETWORKS["reference"].data_for(DataSpec("moons")) == DataSpec("moons")
