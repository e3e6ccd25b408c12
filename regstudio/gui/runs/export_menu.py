"""The Export menu under the runs table: the table and every epoch as CSV, any plot as PNG or SVG.

The saving itself is in methods that take a path, so tests (and scripts) can call them
without a file dialog; the menu only asks where. A file that cannot be written is said in
the window's message line, never as a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtWidgets import QFileDialog, QMenu

from ...core.training.summary import histories_csv, runs_csv
from .export import PLOT_FORMATS, ExportError, save_plot, save_text

if TYPE_CHECKING:
    from ..main_window import MainWindow


class ExportMenu(QMenu):
    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window_ = window
        self._folder = str(Path.home())
        self.addAction("Runs table as CSV…", lambda: self._ask_csv("runs.csv", self.runs_csv))
        self.addAction("Every epoch of every run as CSV…", lambda: self._ask_csv("epochs.csv", self.histories_csv))
        self.addSeparator()
        for title, plot in self.plots().items():
            self.addAction(f"{title} as PNG or SVG…", lambda t=title, p=plot: self._ask_plot(t, p))
            # A right click on a plot offers pyqtgraph's "Export...", whose SVG writer fails on
            # what Qt 6.10+ generates (pyqtgraph issue 3485); it opens this save dialog instead.
            action = plot.scene().contextMenu[0]
            action.triggered.disconnect()
            action.triggered.connect(lambda _=False, t=title, p=plot: self._ask_plot(t, p))

    def plots(self) -> dict[str, pg.PlotWidget]:
        w = self.window_
        return {"Loss plot": w.curves.loss_plot, "Accuracy plot": w.curves.accuracy_plot,
                "Weight histogram": w.weights.plot, "Grid search chart": w.grid.chart}

    # Saving (no dialogs) ---------------------------------------------------------------------
    def runs_csv(self, path: str | Path) -> int:
        records = self.window_.runs.records_in_view_order()
        save_text(path, runs_csv(records))
        return len(records)

    def histories_csv(self, path: str | Path) -> int:
        records = self.window_.runs.records_in_view_order()
        save_text(path, histories_csv(records))
        return len(records)

    # Asking where ----------------------------------------------------------------------------
    def _ask_csv(self, default: str, save: Callable[[str], int]) -> None:
        path, _ = QFileDialog.getSaveFileName(self.window_, "Export as CSV", str(Path(self._folder) / default),
                                              "CSV table (*.csv)")
        if path:
            if not path.lower().endswith(".csv"):
                path += ".csv"
            self._done(path, lambda: f"{save(path)} runs")

    def _ask_plot(self, title: str, plot: pg.PlotWidget) -> None:
        name = title.lower().replace(" ", "-") + ".png"
        path, chosen = QFileDialog.getSaveFileName(self.window_, f"Export {title.lower()}",
                                                   str(Path(self._folder) / name), ";;".join(PLOT_FORMATS.values()))
        if path:
            if Path(path).suffix.lower() not in PLOT_FORMATS:
                path += ".svg" if chosen.startswith("SVG") else ".png"
            self._done(path, lambda: str(save_plot(plot, path).name))

    def _done(self, path: str, save: Callable[[], str]) -> None:
        try:
            what = save()
        except ExportError as exc:
            self.window_.show_error(f"Export failed: {exc}")
            return
        self._folder = str(Path(path).parent)
        self.window_.statusBar().showMessage(f"Saved {what} to {path}", 8000)
