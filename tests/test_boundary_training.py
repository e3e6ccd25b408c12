"""Decision boundaries computed while training: the probe, the session's events, the records."""

import json

import numpy as np
import pytest

from regstudio.core.boundary.plane import plane_over
from regstudio.core.boundary.probe import BoundaryProbe
from regstudio.core.datasets import load
from regstudio.core.datasets.spec import DataSpec
from regstudio.core.errors import SpecError
from regstudio.core.model import Dense, ModelSpec
from regstudio.core.model.keras_model import build_model
from regstudio.core.training.events import DecisionBoundary, EpochEnded, RunStarted
from regstudio.core.training.record_json import records_from_json, records_to_json
from regstudio.core.training.run_spec import RunSpec, TrainingConfig
from regstudio.core.training.session import TrainingSession


def test_the_probe_gives_the_trained_models_own_predictions_on_the_grid(blobs):
    keras_model = build_model(ModelSpec((Dense(16),)), 2, 3, seed=0)
    keras_model.compile(optimizer="adam", loss="categorical_crossentropy")
    keras_model.fit(blobs.x_train, np.eye(3)[blobs.y_train], epochs=5, batch_size=32, verbose=0)
    plane = plane_over(blobs, np.arange(len(blobs.x_train)), size=30)
    frame = BoundaryProbe(plane).frame(keras_model, 5)
    expected = keras_model.predict(plane.grid(), verbose=0)
    assert frame.codes.shape == (30, 30) and frame.epoch == 5
    sure = expected.max(axis=1) - np.sort(expected, axis=1)[:, -2] > 1e-4  # cells not on a tie
    assert np.array_equal(frame.classes.ravel()[sure], expected.argmax(axis=1)[sure])
    assert np.abs(frame.confidence.ravel() - expected.max(axis=1)).max() < 0.01
    assert len(np.unique(frame.classes)) == 3  # three blobs, three regions
    # the grid's rows go up the plane: the bottom-left cell is the grid's first input
    assert frame.classes[0, 0] == expected[0].argmax() and frame.classes[-1, 0] == expected[-30].argmax()


def test_a_run_on_two_features_sends_a_boundary_after_each_epoch_record(blobs, small_spec):
    events = []
    record = TrainingSession(small_spec, blobs, listener=events.append).run()
    started = events[0]
    assert isinstance(started, RunStarted) and started.plane.extent == plane_over(blobs, np.arange(1)).extent
    assert started.plane.size == 100 and len(started.plane.train_points) == record.dataset.n_train
    frames = [e.frame for e in events if isinstance(e, DecisionBoundary)]
    assert [f.epoch for f in frames] == [1, 2, 3] and frames[0].codes.shape == (100, 100)
    assert [f.complexity for f in frames] == [e.boundary_complexity for e in record.epochs]
    assert all(0 < e.boundary_complexity < 50 for e in record.epochs)
    order = [type(e) for e in events if isinstance(e, (DecisionBoundary, EpochEnded))]
    assert order == [EpochEnded, DecisionBoundary] * 3


def test_a_run_on_images_sends_no_boundary():
    spec = RunSpec(ModelSpec((Dense(8),)), TrainingConfig(epochs=1, batch_size=64),
                   DataSpec("mnist-5k", train_size=200))
    events = []
    record = TrainingSession(spec, load(spec.data), listener=events.append).run()
    assert events[0].plane is None and not any(isinstance(e, DecisionBoundary) for e in events)
    assert record.epochs[0].boundary_complexity is None


def test_boundary_complexity_is_written_and_read_strictly(blobs, small_spec):
    record = TrainingSession(small_spec.with_training(epochs=2), blobs).run()
    text = records_to_json([record])
    assert records_from_json(text) == [record]
    data = json.loads(text)
    assert [e["boundary_complexity"] for e in data["runs"][0]["epochs"]] == [e.boundary_complexity
                                                                             for e in record.epochs]
    del data["runs"][0]["epochs"][0]["boundary_complexity"]  # a record from before the playground
    assert records_from_json(json.dumps(data))[0].epochs[0].boundary_complexity is None
    for bad in (-1.0, "1.5", True):
        data["runs"][0]["epochs"][1]["boundary_complexity"] = bad
        with pytest.raises(SpecError, match=r"runs\[0\].epochs\[1\].boundary_complexity"):
            records_from_json(json.dumps(data))
