"""The boundary view as a PNG file, drawn without a window: `regstudio compare --boundary OUT.png`.

The same view the window shows, with one picture per run and no slider, rendered by Qt's
offscreen platform: a picture for a file needs no display, so none is looked for (a
machine without one, such as a classroom server, works the same).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ...core.lab.lab import Lab, LabContent
from ...core.output_files import write_atomic

WIDTH_PER_RUN = 340  # pixels; the height follows the plane's shape
TEXT_HEIGHT = 150  # a first guess for the key above the pictures, each run's title and caption
# Said by Qt's offscreen platform about every top-level widget; nothing for a student to act on.
OFFSCREEN_NOTICE = "This plugin does not support propagateSizeHints()"


def _quiet(kind: object, context: object, message: str) -> None:
    if message != OFFSCREEN_NOTICE:
        print(message, file=sys.stderr)


def _application() -> object:
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # read once, when the application starts
        qInstallMessageHandler(_quiet)
        app = QApplication(["regstudio"])
    return app


def save_boundary_picture(content: LabContent, path: Path) -> int:
    """Draw every run of `content` that has a boundary, side by side at its last epoch; returns how many."""
    app = _application()
    from PySide6.QtCore import QBuffer, QIODevice

    from ..lab_signals import LabSignals
    from .boundary_view import BoundaryView

    lab = Lab(content.spec)
    lab.replace_content(content)
    count = sum(run.boundary is not None for run in lab.runs)
    view = BoundaryView(lab, LabSignals(lab), most=max(count, 1), one_row=True)
    view.scrub.hide()  # a file has no slider; each caption says its epoch
    planes = [run.boundary.plane for run in lab.runs if run.boundary is not None]
    x_min, x_max, y_min, y_max = planes[0].extent if planes else (0.0, 1.0, 0.0, 1.0)
    view.resize(WIDTH_PER_RUN * max(count, 1), TEXT_HEIGHT + WIDTH_PER_RUN)
    view.show()
    app.processEvents()  # type: ignore[attr-defined]
    # Then as tall as the plane's shape asks, so the pictures fill their frames (the text
    # above and below takes what it takes: the key wraps more over fewer runs).
    plot = view.pictures[0].plot
    spare = plot.height() - round(plot.width() * (y_max - y_min) / (x_max - x_min))
    view.resize(view.width(), view.height() - spare)
    app.processEvents()  # type: ignore[attr-defined]
    pixels = view.grab()
    view.close()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not pixels.save(buffer, "PNG"):
        raise OSError(f"{path}: Qt could not encode the picture")
    data = bytes(buffer.data())
    write_atomic(path, lambda out: out.write(data))
    return count
