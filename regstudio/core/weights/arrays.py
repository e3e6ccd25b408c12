"""Arrays for the weight views, computed from per-epoch statistics without Qt (and tested without it)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from .stats import HistogramLayout, WeightStats


class EpochStats(Protocol):
    """What the weight views need of an epoch's record (training's EpochRecord has it)."""

    epoch: int

    def stats(self, name: str) -> WeightStats: ...


def record_at(epochs: Sequence[EpochStats], epoch: int) -> EpochStats:
    """The record of `epoch`, or of the last epoch before it (a shorter run stays at its end)."""
    if not epochs:
        raise ValueError("no epochs recorded yet")
    return next((e for e in reversed(epochs) if e.epoch <= epoch), epochs[0])


def histogram_of(stats: WeightStats, layout: HistogramLayout, zoom: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(edges, counts) of one layer's statistics: the main bins, or the fine bins near zero."""
    if zoom and stats.zoom_counts:
        return np.asarray(layout.zoom_edges), np.asarray(stats.zoom_counts)
    return np.asarray(layout.edges), np.asarray(stats.counts)


def heat_map(epochs: Sequence[EpochStats], name: str) -> np.ndarray:
    """Counts of one layer as an (epochs, bins) array: a row per epoch, oldest first."""
    return np.array([e.stats(name).counts for e in epochs], dtype=np.int64).reshape(len(epochs), -1)


def series(epochs: Sequence[EpochStats], name: str, what: str, epsilon: float = 1e-3) -> np.ndarray:
    """One statistic of a layer over the epochs: sparsity (at epsilon), l1, l2, max_abs, mean or std."""
    if what == "sparsity":
        return np.array([e.stats(name).sparsity_below(epsilon) for e in epochs])
    return np.array([getattr(e.stats(name), what) for e in epochs])


def tile_units(kernel: np.ndarray, image_shape: tuple[int, int], columns: int = 16,
               gap: int = 1) -> np.ndarray:
    """Each unit's incoming weights as a small image, in a grid; gaps are NaN (drawn blank).

    `kernel` is (inputs, units) with inputs = height * width. Returns a 2-D array with
    row-major image layout, units left to right then top to bottom.
    """
    height, width = image_shape
    inputs, units = kernel.shape
    if inputs != height * width:
        raise ValueError(f"a layer with {inputs} inputs cannot be drawn as {height}x{width} images")
    columns = max(1, min(columns, units))
    rows = math.ceil(units / columns)
    grid = np.full((rows * (height + gap) - gap, columns * (width + gap) - gap), np.nan, dtype=np.float32)
    for unit in range(units):
        r, c = divmod(unit, columns)
        top, left = r * (height + gap), c * (width + gap)
        grid[top:top + height, left:left + width] = kernel[:, unit].reshape(height, width)
    return grid
