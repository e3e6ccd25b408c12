"""Loss and accuracy over epochs for every run, live.

Each run gets its plot items once, when it starts; each epoch appends to plain lists and
calls `setData`, which is cheap. Training curves are dashed, validation curves solid and
the regularization penalty dotted, all in the run's color, so the gap between dashed and
solid is the overfitting students are looking for. With early stopping, a star marks the
best epoch so far on the validation curves (it moves while training goes on) and a cross
the epoch where training stopped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ...core.training.records import EpochRecord
from ..widgets import explain

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
KEY = "solid: validation · dashed: training"
EARLY_KEY = "★ best epoch · ✕ stopped"
MARKED = {"loss": "val_loss", "accuracy": "val_accuracy"}  # the curve each plot's markers sit on


@dataclass
class RunCurves:
    run_id: int
    name: str
    color: str
    epochs: list[int] = field(default_factory=list)
    series: dict[str, list[float]] = field(default_factory=dict)
    items: dict[str, pg.PlotDataItem] = field(default_factory=dict)
    markers: dict[str, pg.ScatterPlotItem] = field(default_factory=dict)  # "loss" / "accuracy"
    shown: bool = True  # ticked in the runs table
    best_epoch: int | None = None
    stop_epoch: int | None = None


def _title(plot: pg.PlotWidget, title: str, key: str) -> None:
    plot.setTitle(f"<span style='color:#222'>{title}</span>"
                  f"<span style='color:#666; font-size:9pt'>&nbsp;&nbsp;({key})</span>")


def _plot(object_name: str, title: str, y_label: str, key: str = KEY, legend_at: tuple[int, int] = (-10, 10)
          ) -> pg.PlotWidget:
    plot = pg.PlotWidget(background="w")
    plot.setObjectName(object_name)
    _title(plot, title, key)
    plot.setLabel("bottom", "epoch")
    plot.setLabel("left", y_label)
    plot.showGrid(x=True, y=True, alpha=0.2)
    plot.addLegend(offset=legend_at, labelTextColor="#222")
    plot.getPlotItem().getViewBox().setMouseEnabled(x=True, y=False)
    return plot


class CurvesView(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.loss_plot = _plot("lossPlot", "Loss", "loss", KEY + " · dotted: penalty")
        # Accuracy curves climb toward 1 at the top right; the legend sits below them.
        self.accuracy_plot = _plot("accuracyPlot", "Accuracy", "accuracy", legend_at=(-10, -10))
        self.accuracy_plot.setXLink(self.loss_plot)
        explain(self.loss_plot, "Loss curves", "Training loss keeps falling when a network memorizes; "
                "validation loss turning upward is overfitting. The dotted curve is the penalty's share.")
        explain(self.accuracy_plot, "Accuracy curves", "The distance between training (dashed) and "
                "validation (solid) accuracy is the generalization gap.")
        self.keep_check = explain(QCheckBox("Show earlier runs"), "Show earlier runs",
                                  "Keep earlier runs on the plots to compare them with the new one.",
                                  "keepRunsCheck")
        self.keep_check.setChecked(True)
        self.keep_check.toggled.connect(self._show_earlier)
        self.clear_button = explain(QPushButton("Clear plots"), "Clear plots",
                                    "Remove every finished run from the plots and the runs table.", "clearButton")
        self.hover_label = QLabel("Move the mouse over a plot to read its values.")
        self.hover_label.setObjectName("hoverLabel")
        self.hover_label.setTextFormat(Qt.TextFormat.RichText)
        self.hover_label.setWordWrap(True)

        bottom = QHBoxLayout()
        bottom.addWidget(self.hover_label, 1)
        bottom.addWidget(self.keep_check)
        bottom.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.loss_plot, 1)
        layout.addWidget(self.accuracy_plot, 1)
        layout.addLayout(bottom)

        self.runs: dict[int, RunCurves] = {}
        self._marked = False  # the early-stopping key is in the titles
        self._active: int | None = None
        self._color_index = 0
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.scene().sigMouseMoved.connect(lambda pos, p=plot: self._hover(p, pos))

    # Runs ----------------------------------------------------------------------------------
    def start_run(self, run_id: int, name: str) -> str:
        color = PALETTE[self._color_index % len(PALETTE)]
        self._color_index += 1
        run = RunCurves(run_id, name, color)

        def add(plot: pg.PlotWidget, key: str, style: Qt.PenStyle, width: float, legend: str | None) -> None:
            pen = pg.mkPen(color, width=width, style=style)
            run.items[key] = plot.plot([], [], pen=pen, name=legend)
            run.series[key] = []

        add(self.loss_plot, "val_loss", Qt.PenStyle.SolidLine, 2.5, name)
        add(self.loss_plot, "loss", Qt.PenStyle.DashLine, 1.8, None)
        add(self.loss_plot, "penalty", Qt.PenStyle.DotLine, 1.8, None)
        add(self.accuracy_plot, "val_accuracy", Qt.PenStyle.SolidLine, 2.5, name)
        add(self.accuracy_plot, "accuracy", Qt.PenStyle.DashLine, 1.8, None)
        for key, plot in (("loss", self.loss_plot), ("accuracy", self.accuracy_plot)):
            run.markers[key] = pg.ScatterPlotItem(size=15, pen=pg.mkPen("#222", width=1), brush=pg.mkBrush(color))
            plot.addItem(run.markers[key])
        self.runs[run_id] = run
        self._active = run_id
        self._show_earlier(self.keep_check.isChecked())
        return color

    def add_epoch(self, run_id: int, record: EpochRecord) -> None:
        run = self.runs.get(run_id)
        if run is None:
            return
        run.epochs.append(record.epoch)
        for key in run.series:
            run.series[key].append(getattr(record, key))
        for key, item in run.items.items():
            if key == "penalty" and not any(run.series[key]):
                continue  # no penalty in this run: a flat line at zero would only add clutter
            item.setData(run.epochs, run.series[key])

    def mark_early_stopping(self, run_id: int, best_epoch: int | None, stop_epoch: int | None) -> None:
        """Star at the best epoch, cross at the stop epoch, on both validation curves."""
        run = self.runs.get(run_id)
        if run is None:
            return
        run.best_epoch, run.stop_epoch = best_epoch, stop_epoch
        for key, marker in run.markers.items():
            values = run.series[MARKED[key]]
            spots = [{"pos": (epoch, values[epoch - 1]), "symbol": symbol}
                     for epoch, symbol in ((best_epoch, "star"), (stop_epoch, "x"))
                     if epoch is not None and 0 < epoch <= len(values)]
            marker.setData(spots)
        if not self._marked:
            self._marked = True
            _title(self.loss_plot, "Loss", f"{KEY} · dotted: penalty · {EARLY_KEY}")
            _title(self.accuracy_plot, "Accuracy", f"{KEY} · {EARLY_KEY}")

    def finish_run(self, run_id: int) -> None:
        if self._active == run_id:
            self._active = None

    def finished_runs(self) -> set[int]:
        return {r for r in self.runs if r != self._active}

    def set_shown(self, run_id: int, shown: bool) -> None:
        if run_id in self.runs:
            self.runs[run_id].shown = shown
            self._show_earlier(self.keep_check.isChecked())

    def rename(self, run_id: int, name: str) -> None:
        run = self.runs.get(run_id)
        if run is None:
            return
        run.name = name
        for plot, key in ((self.loss_plot, "val_loss"), (self.accuracy_plot, "val_accuracy")):
            legend = plot.getPlotItem().legend
            legend.removeItem(run.items[key])
            legend.addItem(run.items[key], name)

    def points(self, run_id: int, key: str = "val_loss") -> int:
        """How many points a run's curve holds."""
        x, _ = self.runs[run_id].items[key].getData()
        return 0 if x is None else len(x)

    def remove_runs(self, run_ids: set[int]) -> None:
        for run_id in run_ids & set(self.runs):
            run = self.runs.pop(run_id)
            for key, item in run.items.items():
                plot = self.accuracy_plot if "accuracy" in key else self.loss_plot
                plot.removeItem(item)
            self.loss_plot.removeItem(run.markers["loss"])
            self.accuracy_plot.removeItem(run.markers["accuracy"])

    def _show_earlier(self, show: bool) -> None:
        for run_id, run in self.runs.items():
            visible = run.shown and (show or run_id == self._active or run_id == max(self.runs))
            for item in (*run.items.values(), *run.markers.values()):
                item.setVisible(visible)

    # Hover ---------------------------------------------------------------------------------
    def _hover(self, plot: pg.PlotWidget, pos: QPointF) -> None:
        if not plot.sceneBoundingRect().contains(pos):
            return
        epoch = round(plot.getPlotItem().getViewBox().mapSceneToView(pos).x())
        lines = []
        for run in self.runs.values():
            if epoch not in run.epochs or not run.items["val_loss"].isVisible():
                continue
            i = run.epochs.index(epoch)
            s = run.series
            penalty = f", penalty {s['penalty'][i]:.4f}" if s["penalty"][i] else ""
            note = " ★ best epoch" if epoch == run.best_epoch else ""
            note += " ✕ stopped here" if epoch == run.stop_epoch else ""
            lines.append(f"<span style='color:{run.color}'>■</span> {run.name}: loss {s['loss'][i]:.4f} / "
                         f"{s['val_loss'][i]:.4f}{penalty}; accuracy {s['accuracy'][i]:.3f} / "
                         f"{s['val_accuracy'][i]:.3f}{note}")
        if lines:
            self.hover_label.setText(f"<b>Epoch {epoch}</b> (training / validation)<br>" + "<br>".join(lines))
