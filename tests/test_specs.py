import json
import math

import pytest
from fuzz import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from regstudio.core.datasets.spec import DataSpec
from regstudio.core.errors import SpecError
from regstudio.core.model import Activation, BatchNorm, Dense, Dropout, ModelSpec, Regularizer
from regstudio.core.training.run_spec import EarlyStopping, RunSpec, TrainingConfig


def fields_of(problems):
    return {p.field for p in problems}


def test_default_run_spec_is_valid():
    assert RunSpec().validate() == []


def test_every_problem_is_reported_with_field_value_and_what_is_allowed():
    spec = RunSpec(
        ModelSpec((Dense(0), Dropout(1.0), Dense(8, "wiggle", Regularizer("l2", l2=-1.0)))),
        TrainingConfig(learning_rate=math.inf, epochs=0, validation_split=0.0,
                       early_stopping=EarlyStopping(patience=-1)),
        DataSpec(label_noise=float("nan")),
    )
    problems = spec.validate()
    assert fields_of(problems) == {
        "layers[0].units", "layers[1].rate", "layers[2].activation", "layers[2].regularizer.l2",
        "training.learning_rate", "training.epochs", "training.validation_split",
        "training.early_stopping.patience", "data.label_noise",
    }
    units = next(p for p in problems if p.field == "layers[0].units")
    assert units.value == 0 and "1 to 4096" in units.allowed
    assert "layers[0].units = 0" in str(SpecError(problems))
    with pytest.raises(SpecError) as info:
        spec.check()
    assert len(info.value.problems) == len(problems)


@pytest.mark.parametrize("value", [True, 2.5, "64", None])
def test_units_must_be_a_whole_number(value):
    assert fields_of(ModelSpec((Dense(value),)).validate()) == {"layers[0].units"}


def test_strength_of_an_unused_penalty_must_be_zero():
    problems = Regularizer("l1", l1=0.01, l2=0.5).problems("reg")
    assert fields_of(problems) == {"reg.l2"}


@pytest.mark.parametrize("split, ok", [(0.0, False), (1e-9, True), (0.5, True), (0.51, False)])
def test_validation_split_bounds(split, ok):
    assert (TrainingConfig(validation_split=split).problems() == []) is ok


def test_file_dataset_needs_a_path():
    assert fields_of(DataSpec("file").problems()) == {"data.path"}


def test_unknown_layer_type_and_unknown_keys_are_named():
    with pytest.raises(SpecError, match=r"model.layers\[0\].type = 'conv2d'"):
        RunSpec.from_dict({"model": {"layers": [{"type": "conv2d"}]}})
    for kind in ([], {}, ["dense"], 3, None):  # found by the lab file's fuzz test: a list was a TypeError
        with pytest.raises(SpecError, match=r"model.layers\[0\].type = .*: one of dense, dropout, "):
            RunSpec.from_dict({"model": {"layers": [{"type": kind, "units": 4}]}})
    with pytest.raises(SpecError, match=r"model.layers\[0\].type = \[\]"):
        RunSpec.from_dict({"model": {"layers": [[]]}})
    with pytest.raises(SpecError, match=r"training.epoch = 5"):
        RunSpec.from_dict({"training": {"epoch": 5}})
    with pytest.raises(SpecError, match="valid JSON"):
        RunSpec.from_json("{not json")


def test_json_whole_numbers_come_back_as_floats():
    data = RunSpec(ModelSpec((Dense(4, regularizer=Regularizer.of("l2", 0.5)), Dropout(0.5)))).to_dict()
    data["model"]["layers"][0]["regularizer"]["l2"] = 0
    data["model"]["layers"][1]["rate"] = 0
    spec = RunSpec.from_json(json.dumps(data))
    assert isinstance(spec.model.layers[1].rate, float)
    assert isinstance(spec.model.layers[0].regularizer.l2, float)


# Property-based: any valid spec survives JSON unchanged, and validate never raises.
activations = st.sampled_from(["relu", "tanh", "sigmoid", "linear"])
strengths = st.floats(0, 1, allow_nan=False)
regularizers = st.one_of(
    st.just(Regularizer()),
    strengths.map(lambda s: Regularizer.of("l1", s)),
    strengths.map(lambda s: Regularizer.of("l2", s)),
    st.tuples(strengths, strengths).map(lambda p: Regularizer.of("l1l2", *p)),
)
layers = st.one_of(
    st.builds(Dense, st.integers(1, 4096), activations, regularizers),
    st.builds(Dropout, st.floats(0, 0.99)),
    st.just(BatchNorm()),
    st.builds(Activation, activations),
)
early = st.one_of(st.none(), st.builds(EarlyStopping, st.sampled_from(["val_loss", "val_accuracy"]),
                                       st.integers(0, 50), st.floats(0, 1), st.booleans()))
specs = st.builds(
    RunSpec,
    st.lists(layers, max_size=8).map(lambda ls: ModelSpec(tuple(ls))),
    st.builds(TrainingConfig, st.sampled_from(["adam", "sgd", "rmsprop"]), st.floats(1e-6, 1),
              st.integers(1, 1000), st.integers(1, 4096), st.floats(0.01, 0.5), st.integers(0, 10**6),
              early),
    st.builds(DataSpec, st.sampled_from(["mnist-5k", "moons", "fashion-mnist"]),
              st.one_of(st.none(), st.integers(10, 5000)), st.floats(0, 0.9)),
)


@settings(max_examples=examples(200), deadline=None)
@given(specs)
def test_valid_specs_round_trip_through_json(spec):
    assert spec.validate() == []
    assert RunSpec.from_json(spec.to_json()) == spec


anything = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=5))


@settings(max_examples=examples(300), deadline=None)
@given(anything, anything, anything, anything)
def test_validate_names_problems_instead_of_raising(units, rate, lr, epochs):
    spec = RunSpec(ModelSpec((Dense(units), Dropout(rate))),
                   TrainingConfig(learning_rate=lr, epochs=epochs))
    for problem in spec.validate():
        assert problem.field and problem.allowed


@pytest.mark.parametrize("kind, expected", [("none", (0.0, 0.0)), ("l1", (0.01, 0.0)), ("l2", (0.0, 0.001)),
                                            ("l1l2", (0.01, 0.001))])
def test_from_strengths_keeps_only_what_the_kind_uses(kind, expected):
    reg = Regularizer.from_strengths(kind, 0.01, 0.001)
    assert (reg.l1, reg.l2) == expected and reg.problems("r") == []
