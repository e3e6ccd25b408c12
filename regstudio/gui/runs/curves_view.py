"""Loss and accuracy over epochs for every run of the Lab, live.

Each run gets its plot items once, when it appears in the Lab; each new epoch only calls
`setData`, which is cheap. Training curves are dashed, validation curves solid and the
regularization penalty dotted, all in the run's colour, so the gap between dashed and
solid is the overfitting students are looking for. The loss is shown without the penalty
by default (an L1 penalty of 40 in the first epoch would flatten every other curve); a
tick adds it back. With early stopping, a star marks the best epoch so far and a cross
the epoch where training stopped; a triangle marks where validation loss turned upward.
The legend is a line above the plots, so it never covers a curve.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ...core.lab.lab import Lab, LabRun
from ...core.training.curves import overfitting_onset
from ..lab_signals import LabSignals
from ..text_size import scale_plot
from ..widgets import IntegerAxis, explain, run_color

KEY = "solid: validation · dashed: training"
MARKS = "★ best epoch · ✕ stopped · ▼ validation loss turned up"
# series key -> (plot, pen style, width); "loss" and "val_loss" follow the penalty tick.
SERIES = {"val_loss": ("loss", Qt.PenStyle.SolidLine, 2.5), "loss": ("loss", Qt.PenStyle.DashLine, 1.8),
          "penalty": ("loss", Qt.PenStyle.DotLine, 1.8), "val_accuracy": ("accuracy", Qt.PenStyle.SolidLine, 2.5),
          "accuracy": ("accuracy", Qt.PenStyle.DashLine, 1.8)}


@dataclass
class RunCurves:
    items: dict[str, pg.PlotCurveItem] = field(default_factory=dict)
    markers: dict[str, pg.ScatterPlotItem] = field(default_factory=dict)  # "loss" / "accuracy"
    drawn: int = -1  # epochs drawn so far


def _plot(object_name: str, title: str, y_label: str) -> pg.PlotWidget:
    plot = pg.PlotWidget(background="w", axisItems={"bottom": IntegerAxis("bottom")})
    plot.setObjectName(object_name)
    plot.setTitle(f"<span style='color:#222'>{title}</span>")
    plot.setLabel("bottom", "epoch")
    plot.setLabel("left", y_label)
    for side in ("left", "bottom"):  # "accuracy (x0.001)" over 600..900 reads as nonsense
        plot.getAxis(side).enableAutoSIPrefix(False)
    plot.showGrid(x=True, y=True, alpha=0.2)
    plot.getPlotItem().getViewBox().setMouseEnabled(x=True, y=False)
    return plot


class CurvesView(QWidget):
    def __init__(self, lab: Lab, signals: LabSignals, parent: QWidget | None = None):
        super().__init__(parent)
        self.lab = lab
        self.loss_plot = _plot("lossPlot", "Loss", "loss")
        self.accuracy_plot = _plot("accuracyPlot", "Accuracy", "accuracy")
        self.accuracy_plot.setXLink(self.loss_plot)
        self.plots = {"loss": self.loss_plot, "accuracy": self.accuracy_plot}
        explain(self.loss_plot, "Loss curves", "Training loss keeps falling when a network memorizes; "
                "validation loss turning upward (▼) is overfitting. The dotted curve is the penalty.")
        explain(self.accuracy_plot, "Accuracy curves", "The distance between training (dashed) and "
                "validation (solid) accuracy is the generalization gap. With dropout, training accuracy is "
                "measured with dropout on, so it can sit below validation.")
        self.legend = QLabel()
        self.legend.setObjectName("curvesLegend")
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.penalty_check = explain(QCheckBox("Add the penalty to the loss"), "Add the penalty to the loss",
                                     "Off: the loss curves show the data loss only, comparable between runs. On: "
                                     "data loss plus penalty, the number Keras minimizes.", "penaltyCheck")
        self.log_check = explain(QCheckBox("Log scale"), "Log scale", "A logarithmic loss axis: small "
                                 "losses stay readable next to large ones.", "logScaleCheck")
        self.fit_check = explain(QCheckBox("Fit accuracy axis"), "Fit accuracy axis", "Off: accuracy from "
                                 "0 to 1, the same scale for every run. On: zoom in on the curves.", "fitAccuracyCheck")
        self.keep_check = explain(QCheckBox("Show earlier runs"), "Show earlier runs",
                                  "Keep earlier runs on the plots to compare them with the new one.",
                                  "keepRunsCheck")
        self.keep_check.setChecked(True)
        self.clear_button = explain(QPushButton("Clear plots"), "Clear plots", "Remove every finished run from "
                                    "the plots and the runs table (Ctrl+Z brings them back).", "clearButton")
        self.hover_label = QLabel("Move the mouse over a plot to read its values.")
        self.hover_label.setObjectName("hoverLabel")
        self.hover_label.setTextFormat(Qt.TextFormat.RichText)
        self.hover_label.setWordWrap(True)

        options = QHBoxLayout()
        for widget in (self.penalty_check, self.log_check, self.fit_check):
            options.addWidget(widget)
        options.addStretch(1)
        runs_row = QHBoxLayout()  # two short rows fit beside the lesson on a 1366 px screen; one long row did not
        runs_row.addWidget(self.keep_check)
        runs_row.addStretch(1)
        runs_row.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(options)
        layout.addLayout(runs_row)
        layout.addWidget(self.legend)
        layout.addWidget(self.loss_plot, 1)
        layout.addWidget(self.accuracy_plot, 1)
        layout.addWidget(self.hover_label)

        self.runs: dict[int, RunCurves] = {}
        self._scale = 1.0  # larger text: lines grow with the fonts
        self.penalty_check.toggled.connect(self._redraw_all)
        self.log_check.toggled.connect(lambda on: self.loss_plot.setLogMode(x=False, y=on))
        self.fit_check.toggled.connect(self._frame_accuracy)
        self.keep_check.toggled.connect(self._update_visibility)
        self.clear_button.clicked.connect(lambda: self.lab.clear_runs())
        for plot in self.plots.values():
            plot.scene().sigMouseMoved.connect(lambda pos, p=plot: self._hover(p, pos))
        signals.runAdded.connect(lambda run_id, _: self._add(run_id))
        signals.runChanged.connect(self._changed)
        signals.runsRemoved.connect(self._remove)
        signals.labReplaced.connect(self._replaced)
        self._frame_accuracy()
        self._replaced()

    # Following the Lab ---------------------------------------------------------------------------
    def _add(self, run_id: int, update: bool = True) -> None:
        run = self.lab.run(run_id)
        if run is None or run_id in self.runs:
            return
        curves = RunCurves()
        for key in SERIES:
            if key != "penalty":  # made when a penalty shows up: a flat line at zero would only add clutter
                self._make_item(curves, key, run.color)
        self.runs[run_id] = curves
        self._draw(run)
        if update:
            self._update_visibility()

    def _make_item(self, curves: RunCurves, key: str, color_index: int) -> pg.PlotCurveItem:
        # A bare curve item, not plot()'s PlotDataItem: a third of the cost to make, and a lab
        # of 20 runs opens with a hundred of them.
        plot, style, width = SERIES[key]
        item = pg.PlotCurveItem(pen=pg.mkPen(run_color(color_index), width=width * self._scale, style=style))
        self.plots[plot].addItem(item)
        curves.items[key] = item
        return item

    def _marker(self, curves: RunCurves, key: str, color_index: int) -> pg.ScatterPlotItem:
        """Made on first use: most runs never have a star, a cross or a turn to mark."""
        if key not in curves.markers:
            marker = pg.ScatterPlotItem(size=15 * self._scale, pen=pg.mkPen("#222", width=1),
                                        brush=pg.mkBrush(run_color(color_index)))
            self.plots[key].addItem(marker)
            curves.markers[key] = marker
        return curves.markers[key]

    def _changed(self, run_id: int, aspect: str) -> None:
        run = self.lab.run(run_id)
        if run is None or run_id not in self.runs:
            return
        if aspect in ("epoch", "state", "early"):
            self._draw(run)
        if aspect in ("shown", "state", "name"):
            self._update_visibility()

    def _remove(self, run_ids: frozenset[int]) -> None:
        for run_id in run_ids & set(self.runs):
            curves = self.runs.pop(run_id)
            for key, item in curves.items.items():
                self.plots[SERIES[key][0]].removeItem(item)
            for key, marker in curves.markers.items():
                self.plots[key].removeItem(marker)
        self._update_visibility()

    def _replaced(self) -> None:
        self._remove(frozenset(self.runs))
        for run in self.lab.runs:
            self._add(run.run_id, update=False)  # legend and visibility once, at the end
        self._update_visibility()

    def set_scale(self, scale: float, points: float) -> None:
        """Larger text: fonts of both plots and every curve's line width grow together."""
        self._scale = scale
        for plot in self.plots.values():
            scale_plot(plot, points)
        for run_id, curves in self.runs.items():
            run = self.lab.run(run_id)
            if run is not None:
                self._style(curves, run_color(run.color))

    def _style(self, curves: RunCurves, color: str) -> None:
        for key, item in curves.items.items():
            _, style, width = SERIES[key]
            item.setPen(pg.mkPen(color, width=width * self._scale, style=style))
        for marker in curves.markers.values():
            marker.setSize(15 * self._scale)

    def _redraw_all(self) -> None:
        for run_id in self.runs:
            run = self.lab.run(run_id)
            if run is not None:
                self.runs[run_id].drawn = -1
                self._draw(run)
        self.loss_plot.setLabel("left", "loss (data + penalty)" if self.penalty_check.isChecked() else "loss")

    # Drawing -----------------------------------------------------------------------------------
    def _series(self, run: LabRun) -> dict[str, list[float]]:
        with_penalty = self.penalty_check.isChecked()
        e = run.epochs
        return {"val_loss": [x.val_loss if with_penalty else x.val_data_loss for x in e],
                "loss": [x.loss if with_penalty else x.data_loss for x in e],
                "penalty": [x.penalty for x in e], "val_accuracy": [x.val_accuracy for x in e],
                "accuracy": [x.accuracy for x in e]}

    def _draw(self, run: LabRun) -> None:
        curves = self.runs[run.run_id]
        x = [e.epoch for e in run.epochs]
        series = self._series(run)
        if curves.drawn != len(x):
            if "penalty" not in curves.items and any(series["penalty"]):
                self._make_item(curves, "penalty", run.color)
                self._update_visibility()
            for key, item in curves.items.items():
                item.setData(x, series[key])
            curves.drawn = len(x)
        best, stop = self._early_epochs(run)
        onset = overfitting_onset([e.val_data_loss for e in run.epochs])
        for key in self.plots:
            values = series["val_loss" if key == "loss" else "val_accuracy"]
            marks = [(best, "star"), (stop, "x")] + ([(onset.epoch, "t")] if onset and key == "loss" else [])
            spots = [{"pos": (epoch, values[epoch - 1]), "symbol": symbol}
                     for epoch, symbol in marks if epoch is not None and 0 < epoch <= len(values)]
            if spots or key in curves.markers:
                self._marker(curves, key, run.color).setData(spots)

    @staticmethod
    def _early_epochs(run: LabRun) -> tuple[int | None, int | None]:
        if run.record is not None:
            return run.record.best_epoch, run.record.stop_epoch
        return (run.early.best_epoch if run.early else None), None

    def _frame_accuracy(self) -> None:
        box = self.accuracy_plot.getPlotItem().getViewBox()
        if self.fit_check.isChecked():
            box.enableAutoRange(axis="y")
        else:
            box.disableAutoRange(axis="y")
            self.accuracy_plot.setYRange(0.0, 1.0, padding=0.02)

    def _update_visibility(self) -> None:
        runs = {run.run_id: run for run in self.lab.runs}
        newest = max(self.runs, default=None)
        keep = self.keep_check.isChecked()
        legend = []
        for run_id, curves in self.runs.items():
            run = runs.get(run_id)
            visible = run is not None and run.shown and (keep or not run.finished or run_id == newest)
            for item in (*curves.items.values(), *curves.markers.values()):
                item.setVisible(visible)
            if visible:
                legend.append(f"<span style='color:{run_color(run.color)}'>■</span>&nbsp;{html.escape(run.name)}")
        marks = f" · {MARKS}" if legend else ""
        self.legend.setText(("&nbsp;&nbsp; ".join(legend) or "No runs yet: press Train or Compare.")
                            + f"<br><span style='color:#666'>{KEY} · dotted: penalty{marks}</span>")

    def visible_runs(self) -> list[int]:
        return [run_id for run_id, c in self.runs.items() if c.items["val_loss"].isVisible()]

    def points(self, run_id: int, key: str = "val_loss") -> int:
        """How many points a run's curve holds."""
        x, _ = self.runs[run_id].items[key].getData()
        return 0 if x is None else len(x)

    # Hover -------------------------------------------------------------------------------------
    def _hover(self, plot: pg.PlotWidget, pos: QPointF) -> None:
        if not plot.sceneBoundingRect().contains(pos):
            return
        epoch = round(plot.getPlotItem().getViewBox().mapSceneToView(pos).x())
        lines = []
        for run_id in self.visible_runs():
            run = self.lab.run(run_id)
            if run is None or not 0 < epoch <= len(run.epochs):
                continue
            e = run.epochs[epoch - 1]
            penalty = f", penalty {e.penalty:.4f}" if e.penalty else ""
            best, stop = self._early_epochs(run)
            note = " ★ best epoch" if epoch == best else ""
            note += " ✕ stopped here" if epoch == stop else ""
            lines.append(f"<span style='color:{run_color(run.color)}'>■</span> {html.escape(run.name)}: data loss "
                         f"{e.data_loss:.4f} / {e.val_data_loss:.4f}{penalty}; accuracy {e.accuracy:.3f} / "
                         f"{e.val_accuracy:.3f}{note}")
        if lines:
            self.hover_label.setText(f"<b>Epoch {epoch}</b> (training / validation)<br>" + "<br>".join(lines))
