"""The decision-boundary view, following a Lab fed the way the training thread feeds it."""

import numpy as np
import pytest

from regstudio.core.boundary.frames import frame_of
from regstudio.core.boundary.plane import plane_over
from regstudio.core.datasets import load
from regstudio.core.datasets.spec import DataSpec
from regstudio.core.lab.lab import Lab, LabContent
from regstudio.core.training.events import DecisionBoundary, EpochEnded, RunStarted
from regstudio.core.training.records import EpochRecord
from regstudio.core.training.run_spec import RunSpec
from regstudio.gui.boundary.boundary_view import MAX_SHOWN, BoundaryView
from regstudio.gui.boundary.picture import region_colors
from regstudio.gui.lab_signals import LabSignals

SIZE = 20


@pytest.fixture(scope="module")
def moons():
    return load(DataSpec("moons", samples=200, label_noise=0.2))


@pytest.fixture
def view(qtbot):
    lab = Lab()
    view = BoundaryView(lab, LabSignals(lab))
    qtbot.addWidget(view)
    view.resize(900, 400)
    view.show()  # a hidden view only notes that it is stale
    return view


def probabilities(epoch, tilt):
    """A boundary that turns a little each epoch: class 1 above a line through the middle."""
    rows, columns = np.indices((SIZE, SIZE))
    above = (rows - SIZE / 2) > tilt * epoch * (columns - SIZE / 2)
    p1 = np.where(above, 0.9, 0.2).ravel()
    return np.column_stack([1 - p1, p1])


def feed(view, data, label, epochs=3, tilt=0.1):
    lab = view.lab
    run_id = lab.add_run(RunSpec(), label)
    plane = plane_over(data, np.arange(len(data.x_train)), size=SIZE)
    lab.apply(run_id, RunStarted(label, (), None, epochs, plane))
    for epoch in range(1, epochs + 1):
        frame = frame_of(epoch, probabilities(epoch, tilt), SIZE)
        lab.apply(run_id, EpochEnded(EpochRecord(epoch, 1.0, 0.6 + epoch / 100, 0.0, 1.0, 0.6, 0.0, float(epoch),
                                                 boundary_complexity=frame.complexity)))
        lab.apply(run_id, DecisionBoundary(frame))
    return run_id


def drawn(picture):
    return picture.image.image


def colours_of(frame):
    """The picture of a frame: each cell's code through the colour table."""
    return region_colors(frame.n_classes)[frame.codes]


def test_each_epoch_is_one_image_of_the_frame_and_the_slider_goes_back(view, moons):
    run_id = feed(view, moons, "none")
    picture = view.pictures[0]
    frames = view.lab.run(run_id).boundary.frames
    assert picture.run_id == run_id and view.epoch_slider.value() == 3  # follows the latest
    assert np.array_equal(drawn(picture), colours_of(frames[2]))
    assert f"{frames[2].complexity:.2f}" in picture.caption.text() and "epoch 3" in picture.caption.text()
    assert "train 0.63 · validation 0.60" in picture.caption.text()
    view.epoch_slider.setValue(1)
    assert np.array_equal(drawn(picture), colours_of(frames[0])) and "epoch 1" in picture.caption.text()
    assert view.epoch_label.text() == "1 of 3"
    x, y = picture.trained.getData()
    plane = view.lab.run(run_id).boundary.plane
    assert np.array_equal(x, plane.train_points[:, 0]) and np.array_equal(y, plane.train_points[:, 1])
    assert len(picture.test.getData()[0]) == len(moons.x_test)
    rect = picture.image.mapRectToParent(picture.image.boundingRect())
    assert (rect.left(), rect.right()) == pytest.approx(plane.extent[:2])  # the picture covers the plane


def test_runs_ticked_in_the_table_are_drawn_side_by_side_newest_four(view, moons):
    ids = [feed(view, moons, f"run {i}", epochs=1 + i, tilt=0.05 * i) for i in range(MAX_SHOWN + 1)]
    shown = [p.run_id for p in view.pictures if p.isVisible()]
    assert shown == ids[1:]  # the oldest gave way
    assert view.epoch_slider.maximum() == MAX_SHOWN + 1  # the longest run's epochs
    view.epoch_slider.setValue(2)
    first = view.lab.run(ids[1])  # two epochs: drawn at epoch 2
    assert np.array_equal(drawn(view.pictures[0]), colours_of(first.boundary.at(2)))
    view.lab.set_shown(ids[4], False)  # unticked in the runs table: the one before comes back
    assert [p.run_id for p in view.pictures if p.isVisible()] == ids[:4]
    view.lab.replace_content(LabContent(RunSpec()))  # File > New
    assert not any(p.isVisible() for p in view.pictures) and view.empty.isVisible()


def test_one_colour_scale_for_every_picture():
    colors = region_colors(2)
    assert colors.shape == (256, 4) and colors.dtype == np.uint8 and (colors[:, 3] == 255).all()  # opaque
    unsure, sure = colors[0].astype(int), colors[127].astype(int)  # class 0: a coin toss, then certain
    assert unsure.sum() > sure.sum()  # paler where unsure
    assert sure[2] > sure[0] and colors[255][0] > colors[255][2]  # class 0 blue, class 1 orange
    assert (region_colors(3)[3 * 85:] == 255).all()  # codes no three-class frame uses stay white


def test_a_hidden_view_defers_drawing_until_shown(view, moons):
    view.hide()
    feed(view, moons, "none")
    assert view.pictures[0].run_id is None and view._stale
    view.show()
    assert view.pictures[0].run_id is not None and not view._stale
    assert drawn(view.pictures[0]) is not None
