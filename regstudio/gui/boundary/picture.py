"""One small multiple of the boundary view: a run's decision regions, its points, its numbers.

The regions are one ImageItem fed a frame's byte codes (class and confidence, see
core/boundary/frames.py) looked up in a 256-entry colour table, so a new epoch is one
`setImage` of a 100 x 100 colour image (handing pyqtgraph the codes and the table
instead costs several times as much: it rebuilds an indexed image and Qt converts it on
every paint). The points are two scatter items filled once per run: the
examples trained on as filled dots in the colour of the label they were trained with (a
wrongly labelled point shows as a dot of the other colour), the test examples as hollow
rings in the colour of their true class.
"""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QRectF, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGraphicsItem, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ...core.boundary.frames import BoundaryFrame, levels_for
from ...core.boundary.plane import BoundaryPlane
from ...core.lab.lab import LabRun

# One colour per predicted class, apart from the runs' own colours, which name the runs.
CLASS_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                "#bcbd22", "#17becf")
PALEST, DEEPEST = 0.12, 0.75  # how much of the class colour shows at a coin toss and when certain


def region_colors(n_classes: int) -> np.ndarray:
    """(256, 4) uint8 RGBA: the colour of each frame code, white blended toward its class by confidence.

    The same table for every picture of the same number of classes: one colour scale for all
    small multiples.
    """
    levels = levels_for(n_classes)
    codes = np.arange(256)
    classes, shades = codes // levels, (codes % levels) / max(levels - 1, 1)
    base = np.array([QColor(CLASS_COLORS[c % len(CLASS_COLORS)]).getRgb()[:3] for c in range(n_classes)] +
                    [(255, 255, 255)], dtype=np.float64)
    share = (PALEST + (DEEPEST - PALEST) * shades)[:, None]
    colors = 255 * (1 - share) + base[np.minimum(classes, n_classes)] * share
    colors[classes >= n_classes] = 255  # codes no frame uses
    return np.column_stack([colors.round(), np.full(256, 255)]).astype(np.uint8)


def _class_brushes(labels: np.ndarray, darker: int = 100) -> list:
    brushes = [pg.mkBrush(QColor(color).darker(darker)) for color in CLASS_COLORS]
    return [brushes[label % len(brushes)] for label in labels]


def _class_pens(labels: np.ndarray) -> list:
    pens = [pg.mkPen(QColor(color).darker(140), width=1.6) for color in CLASS_COLORS]
    return [pens[label % len(pens)] for label in labels]


class BoundaryPicture(QWidget):
    """A run's title, its regions with points, and a caption with the boundary's complexity.

    Drawn for speed while scrubbing: a bare view box (no axes, no plot frame), the points
    cached as a picture of their own (they never move while epochs change), and a caption
    of fixed size in plain text, so a new epoch relays nothing out.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.run_id: int | None = None
        self.plane: BoundaryPlane | None = None
        self._lut: tuple[int, np.ndarray] | None = None  # (classes, colours)
        self._placed = False  # the image is stretched over the plane (possible only once it has pixels)
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.plot = pg.GraphicsView(background="w")
        self.plot.setObjectName("boundaryPicture")
        self.view = pg.ViewBox(lockAspect=True, enableMouse=False, enableMenu=False)  # the plane keeps its shape
        self.plot.setCentralItem(self.view)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.trained = pg.ScatterPlotItem(size=6, pen=pg.mkPen("#222", width=0.6))
        self.test = pg.ScatterPlotItem(size=7, brush=pg.mkBrush(None))
        for points in (self.test, self.trained):
            points.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        for part in (self.image, self.test, self.trained):
            self.view.addItem(part)
        self.caption = QLabel()
        self.caption.setObjectName("boundaryCaption")
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._fit_caption()
        self.caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 0, 2, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.caption)

    def _fit_caption(self) -> None:
        # Two lines exactly: a fixed height keeps each epoch's new caption from relaying out the view.
        self.caption.setFixedHeight(2 * self.caption.fontMetrics().lineSpacing() + 6)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:  # Larger text: both lines still shown
            self._fit_caption()
        super().changeEvent(event)

    def show_run(self, run: LabRun, color: str) -> None:
        """Take on `run` (its plane and points); cheap when it is already the one shown."""
        self.title.setText(f"<span style='color:{color}'>■</span> <b>{html.escape(run.name)}</b>")
        plane = run.boundary.plane if run.boundary is not None else None
        if run.run_id == self.run_id and plane is self.plane:
            return
        self.run_id, self.plane = run.run_id, plane
        if plane is None:
            return
        self._placed = False
        x_min, x_max, y_min, y_max = plane.extent
        self.view.setRange(xRange=(x_min, x_max), yRange=(y_min, y_max), padding=0)
        self.trained.setData(x=plane.train_points[:, 0], y=plane.train_points[:, 1],
                             brush=_class_brushes(plane.train_labels))
        self.test.setData(x=plane.test_points[:, 0], y=plane.test_points[:, 1], pen=_class_pens(plane.test_labels))

    def show_frame(self, frame: BoundaryFrame | None, run: LabRun) -> None:
        if frame is None:
            self.image.clear()
            self._placed = False
            self.caption.setText("waiting for the first epoch…")
            return
        if self._lut is None or self._lut[0] != frame.n_classes:
            self._lut = (frame.n_classes, region_colors(frame.n_classes))
        self.image.setImage(self._lut[1][frame.codes], autoLevels=False, levels=None)
        if not self._placed and self.plane is not None:
            x_min, x_max, y_min, y_max = self.plane.extent
            self.image.setRect(QRectF(x_min, y_min, x_max - x_min, y_max - y_min))
            self._placed = True
        record = run.epochs[frame.epoch - 1] if frame.epoch <= len(run.epochs) else None
        accuracy = (f" · train {record.accuracy:.2f} · validation {record.val_accuracy:.2f}"
                    if record is not None else "")
        self.caption.setText(f"boundary length {frame.complexity:.2f}{accuracy}\nepoch {frame.epoch}")

    def clear(self) -> None:
        self.run_id = self.plane = None
        self._placed = False
        self.image.clear()
        self.trained.clear()
        self.test.clear()
        self.title.setText("")
        self.caption.setText("")
