"""File > Export report…: the plots as pictures and everything else from the Lab, into one HTML file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pyqtgraph as pg
import pyqtgraph.exporters  # makes pg.exporters available
from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtWidgets import QFileDialog

from ...core.lessons.exercises import check
from ...core.lessons.lesson_files import builtin_lesson
from ...core.lessons.observations import observe_runs, observe_search
from ...core.lessons.report import ExerciseAnswer, report_html
from ...core.output_files import destination_problem, write_text_atomic
from ...core.training.summary import RunSummary

if TYPE_CHECKING:
    from ..main_window import MainWindow


def plot_png(plot: pg.PlotWidget, width: int = 1000) -> bytes:
    """The plot drawn at `width` pixels as PNG bytes, whether or not its tab is showing."""
    exporter = pg.exporters.ImageExporter(plot.getPlotItem())
    exporter.parameters()["width"] = width
    image = exporter.export(toBytes=True)
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data())


def report_for(w: MainWindow) -> str:
    w.notes.commit()  # the last words typed belong in the report
    lab = w.lab
    records = w.runs.records_in_view_order()
    shown = [r for r in records if any(run.record is r and run.shown for run in lab.runs)]
    searches = [s.result for s in lab.searches if s.result is not None]
    observations = observe_runs(shown) + (observe_search(searches[-1]) if searches else [])
    lesson = lab.lesson or builtin_lesson()
    finished = [run.record for run in lab.runs if run.record is not None]
    answers = [ExerciseAnswer(e.title, e.question, lab.exercises[e.number].answer,
                              check(e.number, finished, searches).done)
               for e in lesson.exercises if e.number in lab.exercises]
    pictures = []
    if records:
        pictures += [("Loss over the epochs (dashed: training, solid: validation)", plot_png(w.curves.loss_plot)),
                     ("Accuracy over the epochs", plot_png(w.curves.accuracy_plot)),
                     (f"Weights of {w.weights.layer()}", plot_png(w.weights.plot))]
    if searches:
        pictures.append(("Grid search: the validation curve", plot_png(w.grid.chart)))
    title = f"RegStudio report: {w.files.path.stem}" if w.files.path else "RegStudio report"
    return report_html(title, [RunSummary.of(r) for r in records], observations, answers, lab.notes, pictures)


def export_report(w: MainWindow, path: str | Path | None = None) -> bool:
    if path is None:
        start = Path.home() / ((w.files.path.stem if w.files.path else "my-lab") + "-report.html")
        path, _ = QFileDialog.getSaveFileName(w, "Export a report", str(start), "Web page (*.html)")
        if not path:
            return False
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        path = path.with_name(path.name + ".html")
    problem = destination_problem(path)
    if problem:
        w.show_error(f"Could not write the report: {path}: {problem}")
        return False
    try:
        write_text_atomic(path, report_for(w))
    except OSError as exc:
        w.show_error(f"Could not write the report: {path}: {exc.strerror or exc}")
        return False
    w.statusBar().showMessage(f"Report written to {path}: open it in any browser.", 10_000)
    return True
