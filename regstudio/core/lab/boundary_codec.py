"""A run's decision boundary in a lab file: its last frame only, and the points drawn over it.

Keeping every frame would make a lab of forty 2-D runs tens of megabytes for pictures a
student rarely scrubs through again; the last frame (10 KB at 100 x 100) is what the
Decision boundary tab and `regstudio summary` readers look at. lab.json holds the plane's
extent, the classes, the frame's epoch and the names of two arrays in arrays.npz:
`boundary_N` (uint8 codes, rows x columns) and `points_N` (float32 rows of x, y, label,
1 for trained on or 0 for test). Read back, every value is checked and the complexity is
computed again from the codes, and must match the run record's figure for that epoch.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import json_fields as jf
from ..boundary.complexity import boundary_complexity
from ..boundary.frames import BoundaryFrame, BoundaryHistory, levels_for
from ..boundary.plane import MAX_CLASSES, MAX_POINTS, BoundaryPlane
from ..training.records import RunRecord
from .lab import LabRun

MAX_GRID = 1000  # cells along a side


def boundary_dict(run: LabRun, index: int, arrays: dict[str, np.ndarray]) -> dict[str, Any] | None:
    """lab.json's description of the run's last frame, its arrays added to `arrays`; None without one."""
    last = run.boundary.last if run.boundary is not None else None
    if run.boundary is None or last is None:
        return None
    plane = run.boundary.plane
    codes, points = f"boundary_{index}", f"points_{index}"
    arrays[codes] = np.ascontiguousarray(last.codes, dtype=np.uint8)
    arrays[points] = np.concatenate([
        np.column_stack([plane.train_points, plane.train_labels, np.ones(len(plane.train_labels))]),
        np.column_stack([plane.test_points, plane.test_labels, np.zeros(len(plane.test_labels))]),
    ]).astype(np.float32)
    return {"extent": list(plane.extent), "classes": plane.n_classes, "epoch": last.epoch, "codes": codes,
            "points": points}


def _array(arrays: Mapping[str, np.ndarray], value: object, where: str, prefix: str) -> np.ndarray:
    name = jf.text(value, where, 40)
    if not name.startswith(prefix) or name not in arrays:
        raise jf.fail(where, name, f"the name of a {prefix}N array in arrays.npz")
    return arrays[name]


def read_boundary(value: object, where: str, arrays: Mapping[str, np.ndarray],
                  record: RunRecord | None) -> BoundaryHistory | None:
    if value is None:
        return None
    d = jf.obj(value, where, {"extent", "classes", "epoch", "codes", "points"})
    extent = jf.reals(d["extent"], f"{where}.extent", 4)
    if len(extent) != 4 or not (extent[0] < extent[1] and extent[2] < extent[3]):
        raise jf.fail(f"{where}.extent", list(extent), "[x_min, x_max, y_min, y_max] with each min below its max")
    classes = jf.integer(d["classes"], f"{where}.classes", 2, MAX_CLASSES)
    if record is None or classes != len(record.dataset.class_names):
        raise jf.fail(f"{where}.classes", classes, "the number of classes of the run's record")
    epoch = jf.integer(d["epoch"], f"{where}.epoch", 1, len(record.epochs))
    codes = _array(arrays, d["codes"], f"{where}.codes", "boundary_")
    size = codes.shape[0]
    if codes.dtype != np.uint8 or codes.shape != (size, size) or not 2 <= size <= MAX_GRID:
        raise jf.fail(f"{where}.codes", f"{codes.dtype} {codes.shape}", f"square uint8 codes, 2 to {MAX_GRID} a side")
    if int(codes.max()) >= classes * levels_for(classes):
        raise jf.fail(f"{where}.codes", int(codes.max()), f"codes below {classes * levels_for(classes)}")
    codes.flags.writeable = False
    frame = BoundaryFrame(epoch, classes, boundary_complexity(codes // levels_for(classes)), codes)
    recorded = record.epochs[epoch - 1].boundary_complexity
    if recorded is None or not math.isclose(recorded, frame.complexity, rel_tol=1e-9):
        raise jf.fail(f"{where}.codes", f"complexity {frame.complexity:g}", f"the record's boundary_complexity "
                      f"of epoch {epoch} ({recorded})")
    return BoundaryHistory(_plane(arrays, d["points"], f"{where}.points", extent, size, classes)).added(frame)


def _plane(arrays: Mapping[str, np.ndarray], value: object, where: str, extent: tuple[float, ...], size: int,
           classes: int) -> BoundaryPlane:
    points = _array(arrays, value, where, "points_")
    if points.dtype != np.float32 or points.ndim != 2 or points.shape[1] != 4 or len(points) > 2 * MAX_POINTS:
        raise jf.fail(where, f"{points.dtype} {points.shape}", f"float32 rows of x, y, label, trained; at most "
                      f"{2 * MAX_POINTS}")
    labels, trained = points[:, 2], points[:, 3]
    if not (np.isfinite(points).all() and np.isin(labels, np.arange(classes)).all() and np.isin(trained, (0, 1)).all()):
        raise jf.fail(where, "a row", f"finite x and y, a label from 0 to {classes - 1}, trained 1 or 0")

    def part(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        xy, label = points[rows, :2].copy(), points[rows, 2].astype(np.uint8)
        xy.flags.writeable = label.flags.writeable = False
        return xy, label

    x_min, x_max, y_min, y_max = extent
    return BoundaryPlane((x_min, x_max, y_min, y_max), size, classes, *part(trained == 1), *part(trained == 0))
