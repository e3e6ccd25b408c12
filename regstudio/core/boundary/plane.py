"""The plane a run's decision boundary is drawn on: a fixed grid over the data, and the points.

The grid covers every example of the dataset (training and test) with a margin, so runs on
the same data are drawn over the same extent and their pictures can be set side by side.
The points drawn over it are the examples the network trained on (with their labels as
trained, label noise included) and the test examples (true labels, never trained on); at
most MAX_POINTS of each, picked evenly, so a large file's points stay cheap to send and draw.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..datasets.split import DatasetSplit

GRID_SIZE = 100  # cells along each side: 10,000 predictions per epoch
MARGIN = 0.1  # of the data's range, added on each side
MAX_POINTS = 2_000  # of each kind, training and test
MAX_CLASSES = 10  # beyond this, regions in as many colours would not be readable


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False  # shared between the training thread and the window
    return array


@dataclass(frozen=True)
class BoundaryPlane:
    """Where a run's decision boundary is drawn, and the points drawn over it."""

    extent: tuple[float, float, float, float]  # (x_min, x_max, y_min, y_max) of the picture
    size: int  # cells along each side of the grid
    n_classes: int
    train_points: np.ndarray = field(compare=False, repr=False)  # (n, 2) float32: trained on
    train_labels: np.ndarray = field(compare=False, repr=False)  # (n,) uint8, as trained (noise included)
    test_points: np.ndarray = field(compare=False, repr=False)  # (m, 2) float32: never trained on
    test_labels: np.ndarray = field(compare=False, repr=False)  # (m,) uint8

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """x of each column's cell centres, y of each row's (rows go up from y_min)."""
        x_min, x_max, y_min, y_max = self.extent
        steps = (np.arange(self.size) + 0.5) / self.size
        return x_min + steps * (x_max - x_min), y_min + steps * (y_max - y_min)

    def grid(self) -> np.ndarray:
        """The cell centres as network inputs, (size * size, 2) float32, row by row from the bottom."""
        xs, ys = self.centres()
        gx, gy = np.meshgrid(xs, ys)  # gx[row, column]: row is y, column is x
        return np.column_stack([gx.ravel(), gy.ravel()]).astype(np.float32)


def _evenly(count: int, most: int) -> np.ndarray:
    return np.arange(count) if count <= most else np.linspace(0, count - 1, most).round().astype(np.int64)


def _extent(points: np.ndarray) -> tuple[float, float, float, float]:
    low, high = points.min(axis=0).astype(np.float64), points.max(axis=0).astype(np.float64)
    span = np.where(high > low, high - low, 1.0)  # a single value still gets a picture around it
    low, high = low - MARGIN * span, high + MARGIN * span
    return float(low[0]), float(high[0]), float(low[1]), float(high[1])


def plane_over(data: DatasetSplit, trained: np.ndarray, size: int = GRID_SIZE) -> BoundaryPlane | None:
    """The plane for a run on `data` that trains on the rows `trained` of x_train; None unless 2-D.

    Data with more than two features have no plane to draw on, and more than MAX_CLASSES
    classes no readable colours.
    """
    if data.n_features != 2 or data.n_classes > MAX_CLASSES or not len(data.x_train):
        return None
    everything = np.concatenate([data.x_train, data.x_test]) if len(data.x_test) else data.x_train
    train = trained[_evenly(len(trained), MAX_POINTS)]
    test = _evenly(len(data.x_test), MAX_POINTS)
    return BoundaryPlane(
        _extent(everything), size, data.n_classes,
        _read_only(data.x_train[train].astype(np.float32)), _read_only(data.y_train[train].astype(np.uint8)),
        _read_only(data.x_test[test].astype(np.float32)), _read_only(data.y_test[test].astype(np.uint8)))
