"""Saving what the window shows: text atomically through QSaveFile, plots as PNG or SVG."""

from __future__ import annotations

import os
from pathlib import Path

import pyqtgraph as pg
import pyqtgraph.exporters  # makes pg.exporters available
from PySide6.QtCore import QRect, QSaveFile
from PySide6.QtGui import QPainter
from PySide6.QtSvg import QSvgGenerator


class ExportError(OSError):
    """A file that could not be written; the message names it and says why."""


def save_text(path: str | Path, text: str) -> None:
    """Write all of `text` or nothing: an existing file is replaced only once the new one is complete."""
    out = QSaveFile(str(path))
    if not out.open(QSaveFile.OpenModeFlag.WriteOnly):
        raise ExportError(f"{path}: cannot write here ({out.errorString()})")
    out.write(text.encode("utf-8"))
    if not out.commit():
        raise ExportError(f"{path}: could not be saved ({out.errorString()})")


PLOT_FORMATS = {".png": "PNG image (*.png)", ".svg": "SVG drawing (*.svg)"}


def save_plot(plot: pg.PlotWidget, path: str | Path) -> Path:
    """Save a plot as PNG (twice the on-screen size, for slides) or SVG, by the file's suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in PLOT_FORMATS:
        raise ExportError(f"{path.name}: choose a name ending in .png or .svg")
    if not path.parent.is_dir():
        raise ExportError(f"{path}: the folder {path.parent} does not exist")
    if suffix == ".svg":
        _save_svg(plot, path)
    else:
        exporter = pg.exporters.ImageExporter(plot.getPlotItem())
        exporter.parameters()["width"] = max(int(plot.width()), 400) * 2
        try:
            exporter.export(str(path))
        except OSError as exc:
            raise ExportError(f"{path}: could not be saved ({exc.strerror or exc})") from None
    if not path.exists():
        raise ExportError(f"{path}: could not be saved")
    return path


def _save_svg(plot: pg.PlotWidget, path: Path) -> None:
    """Paint the plot into Qt's SVG generator: vector lines and text, as on screen.

    Not pyqtgraph's SVGExporter: it rewrites the path data Qt generates and fails on the
    form Qt 6.10 and later write (pyqtgraph issue 3485).
    """
    tmp = path.with_name(f".{path.name}.part")
    generator = QSvgGenerator()
    generator.setFileName(str(tmp))
    generator.setSize(plot.size())
    generator.setViewBox(QRect(0, 0, plot.width(), plot.height()))
    generator.setTitle(plot.objectName() or "RegStudio plot")
    generator.setDescription("Made with RegStudio")
    painter = QPainter()
    if not painter.begin(generator):
        raise ExportError(f"{path}: cannot write here")
    try:
        plot.render(painter)
    finally:
        painter.end()
    os.replace(tmp, path)  # a half-written drawing never takes the place of a good one
