"""Run records as JSON, without training: written exactly, and read back strictly, field by field."""

import json
import math
import re
from dataclasses import replace

import numpy as np
import pytest
from file_parts import leaves, with_leaf

from regstudio.core.datasets.spec import DataSpec
from regstudio.core.errors import SpecError
from regstudio.core.model import Dense, ModelSpec, Regularizer
from regstudio.core.training.record_json import (
    epoch_dict,
    epoch_from_dict,
    record_dict,
    records_from_json,
    records_to_json,
)
from regstudio.core.training.records import DatasetSummary, EpochRecord, RunRecord
from regstudio.core.training.run_spec import EarlyStopping, RunSpec, TrainingConfig
from regstudio.core.weights.stats import dense_layouts, weight_stats


def make_record(n_epochs=3, image=False, diverged=False):
    spec = RunSpec(ModelSpec((Dense(4, regularizer=Regularizer.of("l1", 0.003)),)),
                   TrainingConfig(epochs=5, batch_size=8, early_stopping=EarlyStopping(patience=1)),
                   DataSpec("blobs", samples=60, seed=1))
    layouts = (*dense_layouts("dense_1", 4 if image else 2, 4), *dense_layouts("output", 4, 3))
    rng = np.random.default_rng(n_epochs)
    epochs = []
    for i in range(1, n_epochs + 1):
        nan = diverged and i == n_epochs  # its weights are NaN too, and so are most of their statistics
        stats = tuple(weight_stats(lay, np.full(lay.shape, np.nan) if nan else rng.normal(0, 0.1 * i, lay.shape))
                      for lay in layouts)
        loss = math.nan if diverged and i == n_epochs else 1.25 / i
        epochs.append(EpochRecord(i, loss, 0.5 + i / 10, 0.01 * i, 1.5 / i, 0.4 + i / 10, 0.011 * i, 0.5 * i, stats))
    summary = DatasetSummary("blobs", 38, 10, 12, 4 if image else 2, ("class 0", "class 1", "class 2"),
                             (2, 2) if image else None, "made with numpy")
    return RunRecord(name="3: l1", spec=spec, dataset=summary, params=27, layouts=layouts, epochs=tuple(epochs),
                     outcome="diverged" if diverged else "early-stopped", reason="why it ended",
                     best_epoch=None if diverged else 2, stop_epoch=None if diverged else 3,
                     restored_epoch=None if diverged else 2, test_loss=None if diverged else 0.875,
                     test_accuracy=None if diverged else 0.75, build_seconds=0.125, train_seconds=1.5,
                     test_seconds=0.0, versions={"regstudio": "0.1.0", "keras": "3.15.1"},
                     created="2026-11-25T21:00:00+00:00", steps=5 * n_epochs)


def text_of(data):
    return json.dumps(data)


def read(data):
    return records_from_json(json.dumps(data))


@pytest.fixture(scope="module")
def written():
    return json.loads(records_to_json([make_record(), make_record(2, image=True, diverged=True)]))


def test_a_record_comes_back_equal_and_nan_comes_back_as_nan(written):
    plain, diverged = read(written)
    assert plain == make_record()
    assert diverged.epochs[-1].loss != diverged.epochs[-1].loss  # NaN, written as null
    assert written["runs"][1]["epochs"][-1]["loss"] is None and written["runs"][1]["test_loss"] is None
    # A diverged run's weights are NaN: their statistics come back NaN, their counts as written.
    back, sent = diverged.epochs[-1].weights[0], make_record(2, image=True, diverged=True).epochs[-1].weights[0]
    assert written["runs"][1]["epochs"][-1]["weights"][0]["l2"] is None and math.isnan(back.l2)
    nan_free = {"l1": 0, "l2": 0, "mean": 0, "std": 0, "max_abs": 0}
    assert replace(back, **nan_free) == replace(sent, **nan_free) and back.name == "dense_1/kernel"
    assert back.clipped == sum(back.counts) == 16  # every weight of the 4 x 4 kernel, clipped into the top bin
    assert json.loads(records_to_json([plain, diverged])) == written
    assert (written["format"], written["version"]) == ("regstudio-runs", 1)
    assert diverged.dataset.image_shape == (2, 2) and diverged.test_accuracy is None


def test_the_written_fields_are_the_records_own(written):
    record = make_record()
    data = written["runs"][0]
    assert data == json.loads(json.dumps(record_dict(record)))  # tuples written as lists
    assert data["epochs"][1] == json.loads(json.dumps(epoch_dict(record.epochs[1])))
    assert {k: data["epochs"][1][k] for k in ("epoch", "loss", "penalty", "val_accuracy", "seconds")} == {
        "epoch": 2, "loss": 0.625, "penalty": 0.02, "val_accuracy": 0.6000000000000001, "seconds": 1.0}
    first = data["epochs"][0]["weights"][0]
    stats = record.epochs[0].weights[0]
    assert first == {"name": "dense_1/kernel", "counts": list(stats.counts), "clipped": stats.clipped,
                     "l1": stats.l1, "l2": stats.l2, "sparsity": stats.sparsity, "mean": stats.mean,
                     "std": stats.std, "max_abs": stats.max_abs, "zoom_counts": list(stats.zoom_counts),
                     "magnitude_counts": list(stats.magnitude_counts)}
    assert data["layouts"][1] == {"name": "dense_1/bias", "layer": "dense_1", "kind": "bias", "shape": [4],
                                  "edges": list(record.layouts[1].edges),
                                  "zoom_edges": list(record.layouts[1].zoom_edges)}
    assert data["dataset"] == {"name": "blobs", "n_train": 38, "n_val": 10, "n_test": 12, "n_features": 2,
                               "class_names": ["class 0", "class 1", "class 2"], "image_shape": None,
                               "source": "made with numpy"}
    assert (data["steps"], data["params"], data["test_loss"], data["outcome"]) == (15, 27, 0.875, "early-stopped")


def test_any_field_of_another_type_is_refused_by_name_or_read_as_written(written):
    checked = 0
    for path in leaves(written["runs"][0]):
        if not path or path[:1] == ("spec",) or any(isinstance(key, int) and key > 0 for key in path[:-1]) or \
                any(isinstance(key, int) and key > 1 for key in path[-1:]):
            continue  # the spec has its own tests; the first items of each list stand for all
        for new in (None, "x", -1, 0.5, True, [], {}):
            data = with_leaf(written, ("runs", 0, *path), new)
            try:
                back = records_from_json(json.dumps(data))
            except SpecError as exc:
                named = str(exc).split(" = ")[0]
                field = str(path[-1]) if isinstance(path[-1], str) else str(path[-2])
                # Named by its place, or (a layout's name or edges) by the epochs' statistics that no longer fit it.
                fits = named.endswith("].weights") or named.endswith("counts")
                assert named.startswith("runs[0].") and (field in named or fits), (path, new, str(exc))
            else:
                assert json.loads(records_to_json(back)) == data, (path, new)
            checked += 1
    assert checked > 300


@pytest.mark.parametrize("path, value, message", [
    (("name",), "n" * 201, "runs[0].name = '201 characters': text of at most 200 characters"),
    (("epochs", 0, "epoch"), 2, "runs[0].epochs[0].epoch = 2: 1: epochs are counted 1, 2, 3 in order"),
    (("epochs", 0, "epoch"), 0, "runs[0].epochs[0].epoch = 0: a whole number from 1 to 100000"),
    (("epochs", 0, "seconds"), -0.5, "runs[0].epochs[0].seconds = -0.5: a finite number in [0, inf]"),
    (("epochs", 0, "boundary_complexity"), -0.5,
     "runs[0].epochs[0].boundary_complexity = -0.5: a finite number in [0, inf]"),
    (("epochs", 1, "weights"), [{}] * 513, "runs[0].epochs[1].weights = '513 items': a list of at most 512 items"),
    (("test_accuracy",), 1.5, "runs[0].test_accuracy = 1.5: a finite number in [0, 1]"),
    (("train_seconds",), -1, "runs[0].train_seconds = -1: a finite number in [0, inf]"),
    (("best_epoch",), 0, "runs[0].best_epoch = 0: a whole number from 1 to 100000"),
    (("stop_epoch",), 100_001, "runs[0].stop_epoch = 100001: a whole number from 1 to 100000"),
    (("restored_epoch",), "2", "runs[0].restored_epoch = '2': a whole number from 1 to 100000"),
    (("outcome",), "finished", "runs[0].outcome = 'finished': one of completed, early-stopped, stopped, diverged"),
    (("dataset", "name"), "n" * 201, "runs[0].dataset.name = '201 characters': text of at most 200 characters"),
    (("dataset", "class_names"), ["c"] * 10_001, "runs[0].dataset.class_names = '10001 items': a list of"),
    (("dataset", "class_names", 1), "c" * 201, "runs[0].dataset.class_names[1] = '201 characters': text of"),
    (("dataset", "source"), "s" * 10_001, "runs[0].dataset.source = '10001 characters': text of at most 10,000"),
    (("dataset", "image_shape"), [28], "runs[0].dataset.image_shape = 'list': [height, width] or null"),
    (("dataset", "image_shape"), [28, 28, 1], "runs[0].dataset.image_shape = '3 items': a list of at most 2 items"),
    (("dataset", "image_shape"), [28, 0], "runs[0].dataset.image_shape[1] = 0: a whole number from 1 to"),
    (("layouts", 0, "kind"), "gamma", "runs[0].layouts[0].kind = 'gamma': one of kernel, bias"),
    (("layouts", 0, "name"), "n" * 201, "runs[0].layouts[0].name = '201 characters': text of at most 200 characters"),
    (("layouts", 1, "layer"), "n" * 201, "runs[0].layouts[1].layer = '201 characters': text of at most 200 characters"),
    (("layouts", 0, "shape"), [2, 0], "runs[0].layouts[0].shape[1] = 0: a whole number from 1 to 10000000"),
    (("layouts", 0, "shape"), [1, 1, 1, 1, 1], "runs[0].layouts[0].shape = '5 items': a list of at most 4 items"),
    (("epochs", 1, "weights", 0, "name"), "dense_1/bias",
     "runs[0].epochs[1].weights = 4: statistics for each of the record's layouts, in their order"),
    (("epochs", 1, "weights", 0, "name"), "n" * 201,
     "runs[0].epochs[1].weights[0].name = '201 characters': text of at most 200 characters"),
    (("epochs", 1, "weights", 0, "counts", 0), -1, "runs[0].epochs[1].weights[0].counts = -1: a list of whole numbers"),
    (("epochs", 1, "weights", 0, "magnitude_counts", 1), 0.5,
     "runs[0].epochs[1].weights[0].magnitude_counts = 0.5: a list of whole numbers >= 0"),
    (("epochs", 1, "weights", 0, "counts"), [1, 2], "runs[0].epochs[1].weights.dense_1/kernel.counts = 2: one count"),
    (("epochs", 1, "weights", 0, "zoom_counts"), [1], "runs[0].epochs[1].weights.dense_1/kernel.counts = 64: one "),
    (("epochs", 1, "weights", 0, "clipped"), -1, "runs[0].epochs[1].weights[0].clipped = -1: a whole number"),
    (("epochs", 1, "weights", 0, "magnitude_counts"), [0] * 4097,
     "runs[0].epochs[1].weights[0].magnitude_counts = '4097 items': a list of at most 4,096 items"),
    (("epochs", 1, "weights", 0, "clipped"), 2**53 + 1,
     "runs[0].epochs[1].weights[0].clipped = 9007199254740993: a whole number from 0 to 9007199254740992"),
    (("steps",), 2, "runs[0].steps = 2: at least 3: every complete epoch trains a batch"),
    (("steps",), 10**12 + 1, "runs[0].steps = 1000000000001: a whole number from 0 to 1000000000000"),
    (("fused_with",), ["f"] * 65, "runs[0].fused_with = '65 items': a list of at most 64 items"),
    (("fused_with",), ["f" * 201], "runs[0].fused_with[0] = '201 characters': text of at most 200 characters"),
    (("layouts",), [{}] * 513, "runs[0].layouts = '513 items': a list of at most 512 items"),
    (("epochs",), [{}] * 100_001, "runs[0].epochs = '100001 items': a list of at most 100,000 items"),
    (("build_seconds",), -0.5, "runs[0].build_seconds = -0.5: a finite number in [0, inf]"),
    (("test_seconds",), -0.5, "runs[0].test_seconds = -0.5: a finite number in [0, inf]"),
    (("created",), "c" * 101, "runs[0].created = '101 characters': text of at most 100 characters"),
    (("versions",), {str(i): "1" for i in range(21)}, "runs[0].versions = 'dict': an object of up to 20 names"),
    (("versions",), ["3.15"], "runs[0].versions = 'list': an object of up to 20 names"),
    (("versions", "keras"), "9" * 101, "runs[0].versions.keras = '101 characters': text of at most 100 characters"),
    ((), 7, "runs[0] = 7: an object"),
    (("colour",), "red", "runs[0].colour = 'red': not a known field here"),
    (("spec",), 7, "runs[0].spec = 7: an object"),
    (("spec", "colour"), "red", "runs[0].spec.colour = 'red': not a known field here"),
    (("spec", "training", "epochs"), 0, "runs[0].spec.training.epochs = 0: a whole number from 1 to 1000"),
    (("spec", "training", "speed"), 1, "runs[0].spec.training.speed = 1: not a known setting here"),
])
def test_each_rule_names_the_field_and_what_is_allowed(written, path, value, message):
    with pytest.raises(SpecError) as refused:
        read(with_leaf(written, ("runs", 0, *path), value))
    assert str(refused.value).startswith(message)


@pytest.mark.parametrize("path", [("test_loss",), ("epochs", 1, "val_loss"), ("epochs", 1, "weights", 0, "l2"),
                                  ("epochs", 1, "weights", 1, "max_abs")])
def test_a_number_too_large_for_a_float_is_refused_not_read_as_infinity(written, path):
    # JSON has no infinity, but 1e999 is a number in it, and Python reads it as inf.
    text = json.dumps(with_leaf(written, ("runs", 0, *path), 12345.5)).replace("12345.5", "1e999")
    where = "runs[0]" + "".join(f"[{key}]" if isinstance(key, int) else f".{key}" for key in path)
    with pytest.raises(SpecError) as refused:
        records_from_json(text)
    assert str(refused.value).startswith(f"{where} = inf: a finite number")


def test_a_records_spec_may_leave_out_a_section_as_a_spec_file_may(written):
    data = json.loads(json.dumps(written))
    del data["runs"][0]["spec"]["training"]
    assert read(data)[0].spec == replace(make_record().spec, training=TrainingConfig())


def test_values_at_the_limits_are_read(written):
    limits = [(("name",), "n" * 200), (("test_accuracy",), 1.0), (("test_accuracy",), 0.0), (("steps",), 3),
              (("train_seconds",), 0), (("versions",), {str(i): "1" for i in range(20)}),
              (("epochs", 0, "seconds"), 0.0), (("stop_epoch",), 100_000), (("created",), "c" * 100),
              (("epochs", 0, "weights", 0, "clipped"), 2**53), (("epochs", 0, "weights", 0, "clipped"), 0),
              (("epochs", 0, "boundary_complexity"), 0.0), (("epochs", 0, "boundary_complexity"), 0.5),
              (("layouts", 1, "layer"), "l" * 200), (("dataset", "name"), "n" * 200),
              (("dataset", "class_names"), ["c"] * 10_000), (("dataset", "class_names", 1), "c" * 200),
              (("dataset", "source"), "s" * 10_000), (("steps",), 10**12), (("fused_with",), ["f" * 200] * 64)]
    for path, value in limits:
        back = read(with_leaf(written, ("runs", 0, *path), value))[0]
        assert json.loads(records_to_json([back]))["runs"][0] == with_leaf(written["runs"][0], path, value)
    empty = replace(make_record(), epochs=(), steps=0, best_epoch=None, stop_epoch=None, restored_epoch=None)
    assert read(json.loads(records_to_json([empty]))) == [empty]  # stopped before an epoch ended


def test_an_epoch_sent_on_its_own_comes_back_equal_or_is_refused_by_name():
    """A worker's epoch arrives alone, without a record around it to check its statistics against."""
    plain, diverged = make_record().epochs[1], make_record(2, diverged=True).epochs[-1]
    sent = json.loads(json.dumps(epoch_dict(plain)))
    assert epoch_from_dict(sent) == plain
    nan_sent = json.loads(json.dumps(epoch_dict(diverged)))  # NaN loss and weights, written as null
    back = epoch_from_dict(nan_sent)
    assert math.isnan(back.loss) and math.isnan(back.weights[0].l2)
    assert json.loads(json.dumps(epoch_dict(back))) == nan_sent
    for path, value, message in ((("val_loss",), "x", "epoch.val_loss = 'x': a finite number"),
                                 (("weights", 0, "name"), "n" * 201,
                                  "epoch.weights[0].name = '201 characters': text of at most 200 characters"),
                                 (("weights", 1, "counts", 0), -3, "epoch.weights[1].counts = -3: a list of whole")):
        with pytest.raises(SpecError) as refused:
            epoch_from_dict(with_leaf(sent, path, value))
        assert str(refused.value).startswith(message)
    with pytest.raises(SpecError, match=re.escape("member 2.epoch = 0: a whole number from 1 to")):
        epoch_from_dict(with_leaf(sent, ("epoch",), 0), "member 2")


def test_a_file_of_records_is_checked_as_a_whole(written):
    assert read({**written, "runs": []}) == []
    for data, message in (({**written, "format": "regstudio-lab"}, "runs file.format = 'regstudio-lab': "
                           "'regstudio-runs': a file of RegStudio run records"),
                          ({**written, "version": 2}, "runs file.version = 2: 1, the version this RegStudio reads"),
                          ({**written, "extra": 1}, "runs file.extra = 1: not a known field here"),
                          ({"format": "regstudio-runs", "version": 1}, "runs file.runs = None: required here"),
                          ({**written, "runs": {}}, "runs = 'dict': a list of at most 100,000 items")):
        with pytest.raises(SpecError, match=re.escape(message)):
            read(data)
    with pytest.raises(SpecError, match=re.escape("my.json = 'line 1': valid JSON")):
        records_from_json("{", "my.json")
