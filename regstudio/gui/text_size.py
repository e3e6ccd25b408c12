"""Larger text for projectors: the whole window's font and the plots' fonts and lines, kept in settings.

View > Larger text (Ctrl++) and Smaller text (Ctrl+-) step the application's font by a
point at a time, from the system's size up to 16 points; the plots follow with their tick
labels, titles and line widths, so a curve is as readable from the back of a room as the
buttons are. The size is remembered (QSettings) for the next start.
"""

from __future__ import annotations

import contextlib

import pyqtgraph as pg
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from .lab_files import settings

LARGEST = 16.0  # points: readable from the back of a classroom, and the window still fits 1920 x 1080
KEY = "textSize"


class TextSize(QObject):
    changed = Signal(float)  # the scale against the system's size: 1.0 is normal

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        app = QApplication.instance()
        self.base = app.font().pointSizeF() if app is not None and app.font().pointSizeF() > 0 else 10.0
        self.size = self.base

    @property
    def scale(self) -> float:
        return self.size / self.base

    def restore(self) -> None:
        saved = settings().value(KEY)
        with contextlib.suppress(TypeError, ValueError):  # a settings file edited by hand: keep the normal size
            if saved is not None:
                self.set_points(float(saved))

    def larger(self) -> None:
        self.set_points(self.size + 1)

    def smaller(self) -> None:
        self.set_points(self.size - 1)

    def normal(self) -> None:
        self.set_points(self.base)

    def set_points(self, points: float) -> None:
        points = min(max(points, self.base), max(LARGEST, self.base))
        if points == self.size:
            return
        self.size = points
        app = QApplication.instance()
        font = QFont(app.font())
        font.setPointSizeF(points)
        app.setFont(font)
        settings().setValue(KEY, points)
        self.changed.emit(self.scale)


def scale_plot(plot: pg.PlotWidget, points: float) -> None:
    """Tick labels, axis labels and title of one plot at `points`."""
    font = QFont()
    font.setPointSizeF(points)
    item = plot.getPlotItem()
    for side in ("left", "bottom"):
        axis = item.getAxis(side)
        axis.setStyle(tickFont=font)
        axis.label.setFont(font)
    item.titleLabel.item.setFont(font)
