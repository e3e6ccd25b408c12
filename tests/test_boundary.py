"""Decision-boundary pictures without TensorFlow: complexity, frames, histories, the plane."""

import numpy as np
import pytest

from regstudio.core.boundary.complexity import boundary_complexity
from regstudio.core.boundary.frames import MAX_FRAMES, BoundaryHistory, frame_of, levels_for
from regstudio.core.boundary.plane import MARGIN, MAX_POINTS, plane_over
from regstudio.core.datasets import load
from regstudio.core.datasets.spec import DataSpec
from regstudio.core.datasets.split import DatasetSplit


def halves(rows, columns, vertical=True):
    grid = np.zeros((rows, columns), np.uint8)
    if vertical:
        grid[:, columns // 2:] = 1
    else:
        grid[rows // 2:, :] = 1
    return grid


def disc(size, radius=0.3):
    centres = (np.arange(size) + 0.5) / size - 0.5
    x, y = np.meshgrid(centres, centres)
    return (x**2 + y**2 < radius**2).astype(np.uint8)


@pytest.mark.parametrize("shape", [(10, 10), (100, 100), (37, 250)])
def test_a_straight_boundary_across_the_picture_is_one_whatever_the_grid(shape):
    assert boundary_complexity(halves(*shape)) == pytest.approx(1.0)
    assert boundary_complexity(halves(*shape, vertical=False)) == pytest.approx(1.0)
    assert boundary_complexity(np.ones(shape, np.uint8)) == 0.0


def test_a_checkerboard_is_far_more_complex_than_a_straight_boundary():
    rows, columns = np.indices((100, 100))
    fine = ((rows + columns) % 2).astype(np.uint8)  # every cell differs from its four neighbours
    coarse = ((rows // 10 + columns // 10) % 2).astype(np.uint8)  # 10 x 10 squares
    assert boundary_complexity(fine) == pytest.approx(2 * 99)
    assert boundary_complexity(coarse) == pytest.approx(2 * 9)
    assert boundary_complexity(fine) > boundary_complexity(coarse) > 10 * boundary_complexity(halves(100, 100))


def test_the_same_shape_measures_the_same_on_coarse_and_fine_grids():
    # a disc of radius 0.3: measured along the axes its edge is 4 x 0.6 picture widths
    for size in (50, 100, 400):
        assert boundary_complexity(disc(size)) == pytest.approx(2.4, rel=0.05)


def test_three_classes_count_every_change_of_class():
    grid = np.zeros((30, 30), np.uint8)
    grid[:, 10:20], grid[:, 20:] = 1, 2
    assert boundary_complexity(grid) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="two axes"):
        boundary_complexity(np.zeros(5))


def test_a_frame_packs_class_and_confidence_in_one_byte():
    size = 4
    rng = np.random.default_rng(0)
    for n_classes in (2, 3, 10):
        p = rng.dirichlet(np.ones(n_classes), size * size).astype(np.float32)
        frame = frame_of(7, p, size)
        assert frame.codes.shape == (size, size) and frame.codes.dtype == np.uint8 and frame.epoch == 7
        assert np.array_equal(frame.classes.ravel(), p.argmax(axis=1))
        step = (1 - 1 / n_classes) / (levels_for(n_classes) - 1)  # one shade
        assert np.abs(frame.confidence.ravel() - p.max(axis=1)).max() <= step / 2 + 1e-6
        assert frame.complexity == boundary_complexity(p.argmax(axis=1).reshape(size, size))
    sure = frame_of(1, np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0], [0.25, 0.75]]), 2)
    assert sure.codes.tolist() == [[127, 0], [255, 128 + 64]]  # 128 shades per class for two classes


def frame(epoch):
    return frame_of(epoch, np.array([[0.9, 0.1]]), 1)


def test_a_long_run_keeps_a_bounded_history_with_its_first_and_latest_frames():
    plane = plane_over(load(DataSpec("moons", samples=100)), np.arange(10))
    history = BoundaryHistory(plane)
    assert history.at(5) is None and history.last is None
    for epoch in range(1, 1001):
        history = history.added(frame(epoch))
        assert len(history.frames) <= MAX_FRAMES and history.last.epoch == epoch
    epochs = [f.epoch for f in history.frames]
    assert epochs[0] == 1 and epochs[-1] == 1000 and epochs == sorted(epochs)
    assert history.stride == 8 and all(e % 8 == 0 for e in epochs[1:])
    assert history.at(1000).epoch == 1000 and history.at(999).epoch == 992  # the nearest kept before
    assert history.at(3).epoch == 1


def test_a_short_run_keeps_every_frame():
    plane = plane_over(load(DataSpec("moons", samples=100)), np.arange(10))
    history = BoundaryHistory(plane)
    for epoch in range(1, 31):
        history = history.added(frame(epoch))
    assert [f.epoch for f in history.frames] == list(range(1, 31)) and history.at(17).epoch == 17


def test_the_plane_covers_all_the_data_with_a_margin_and_holds_the_points_trained_on():
    data = load(DataSpec("moons", samples=400, label_noise=0.3))
    trained = np.arange(0, 320, 2)
    plane = plane_over(data, trained, size=20)
    x_min, _, _, y_max = plane.extent
    everything = np.concatenate([data.x_train, data.x_test])
    span = everything.max(axis=0) - everything.min(axis=0)
    assert x_min == pytest.approx(everything[:, 0].min() - MARGIN * span[0])
    assert y_max == pytest.approx(everything[:, 1].max() + MARGIN * span[1])
    assert np.array_equal(plane.train_points, data.x_train[trained])
    assert np.array_equal(plane.train_labels, data.y_train[trained])  # as trained: the noisy labels
    assert np.array_equal(plane.test_points, data.x_test) and plane.n_classes == 2
    grid = plane.grid()
    assert grid.shape == (400, 2) and grid.dtype == np.float32
    xs, ys = plane.centres()
    assert np.array_equal(grid[:20, 0], xs.astype(np.float32)) and np.all(grid[:20, 1] == np.float32(ys[0]))
    assert x_min < grid[:, 0].min() and grid[:, 1].max() < y_max  # cell centres, inside the extent


def test_no_plane_for_data_that_are_not_two_dimensional_and_few_points_for_big_data():
    rng = np.random.default_rng(1)
    three = DatasetSplit("3d", rng.normal(size=(50, 3)).astype(np.float32), np.arange(50) % 2,
                         rng.normal(size=(10, 3)).astype(np.float32), np.arange(10) % 2, ("a", "b"))
    assert plane_over(three, np.arange(50)) is None
    many = DatasetSplit("many", rng.normal(size=(9000, 2)).astype(np.float32), np.arange(9000) % 12,
                        rng.normal(size=(10, 2)).astype(np.float32), np.arange(10) % 12, tuple("abcdefghijkl"))
    assert plane_over(many, np.arange(9000)) is None  # twelve classes: no readable colours
    big = DatasetSplit("big", many.x_train, np.arange(9000) % 2, many.x_test, np.arange(10) % 2, ("a", "b"))
    plane = plane_over(big, np.arange(9000))
    assert len(plane.train_points) == MAX_POINTS and not plane.train_points.flags.writeable
