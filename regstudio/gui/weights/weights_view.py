"""The weight viewer: one layer's histogram for up to four runs on the same bins, at any epoch.

It reads the Lab's runs: the same per-epoch records as the curves (counts, never raw
weights), so scrubbing back through a finished run costs nothing but a `setData`. Which
runs are compared (up to four, ticked in its list) is this view's own choice; a run
hidden in the runs table is unticked here too. The bins of a layer depend only
on its shape, so runs of the same network share them and their shapes can be compared:
L1's spike at zero next to L2's narrow bell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSlider,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.lab.lab import Lab, LabRun
from ...core.training.records import EpochRecord
from ...core.weights.arrays import histogram_of, record_at
from ...core.weights.stats import MAGNITUDE_EDGES, SPARSITY_EPSILON, HistogramLayout
from ..lab_signals import LabSignals
from ..text_size import scale_plot
from ..widgets import ScientificSpinBox, explain, run_color
from .extras import WeightExtras

MAX_OVERLAY = 4
STAT_COLUMNS = ("run", "sparsity", "L1 norm", "L2 norm", "max |w|", "mean", "std")


@dataclass(frozen=True)
class RunWeights:
    """What the weight views draw of one Lab run, with its colour as a colour."""

    run_id: int
    name: str
    color: str
    layouts: tuple[HistogramLayout, ...]
    epochs: tuple[EpochRecord, ...]
    image_shape: tuple[int, int] | None
    first_kernel: np.ndarray | None  # the latest epoch's, for the image grid

    @classmethod
    def of(cls, run: LabRun) -> RunWeights:
        return cls(run.run_id, run.name, run_color(run.color), run.layouts, run.epochs, run.image_shape,
                   run.first_kernel)

    def layout(self, name: str) -> HistogramLayout | None:
        return next((lay for lay in self.layouts if lay.name == name), None)


class WeightsView(QWidget):
    def __init__(self, lab: Lab, signals: LabSignals, parent: QWidget | None = None):
        super().__init__(parent)
        self.lab = lab
        self.items: dict[int, pg.PlotDataItem] = {}  # run id -> its histogram
        self._stale = False  # records arrived while hidden; drawn when shown
        self._scale = 1.0  # Larger text: line widths follow it
        self._legend_ids: tuple[int, ...] | None = None  # the runs the legend lists now
        self._frame: tuple[float, float, float] | None = None  # (left, right, top) the axes show now
        self.layer_combo = explain(QComboBox(), "Layer", "Which weights to look at: a layer's kernel (the "
                                   "weights the penalties act on) or its bias.", "layerCombo")
        self.layer_combo.setMinimumContentsLength(16)
        self.zoom_check = explain(QCheckBox("Zoom near zero"), "Zoom near zero", "Show only the middle "
                                  "sixteenth of the range, with finer bins: where L1 piles weights up.",
                                  "zoomCheck")
        self.log_check = explain(QCheckBox("Log counts"), "Log counts", "Logarithmic count axis, so small "
                                 "bins stay visible next to a tall spike.", "logCountsCheck")
        self.epsilon_spin = explain(ScientificSpinBox(MAGNITUDE_EDGES[1], 1.0), "Sparsity threshold",
                                    "A weight counts as zero when |w| is below this.", "epsilonSpin")
        self.epsilon_spin.setValue(SPARSITY_EPSILON)
        self.epsilon_spin.stepBy = self._epsilon_step  # quarter decades: the recorded grid

        self.run_list = explain(QListWidget(), "Runs to compare", f"Tick up to {MAX_OVERLAY} runs to draw "
                                "on the same axes, in the colors of their curves.", "weightRunList")
        self.run_list.setMaximumHeight(80)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setObjectName("histogramView")
        explain(self.plot, "Weight histogram", "How many weights have each value. L1 makes a spike at "
                "zero; L2 a narrow bell; no penalty a wide one.")
        self.plot.setLabel("bottom", "weight value")
        self.plot.getAxis("bottom").enableAutoSIPrefix(False)  # "×0.001" puzzles more than it helps
        self.plot.setLabel("left", "weights")
        # No grid here: pyqtgraph draws it from the axes, which then repaint with every
        # scrub, and translucent lines over the whole plot tripled the redraw time.
        self.plot.addLegend(offset=(-10, 10), labelTextColor="#222")
        # The axes are framed by hand (see _frame_axes), not auto-ranged on every scrub.
        self.plot.getPlotItem().getViewBox().disableAutoRange()
        self.epoch_slider = explain(QSlider(Qt.Orientation.Horizontal), "Epoch", "Go back through the "
                                    "recorded epochs; at the right end it follows training live.", "epochSlider")
        self.epoch_slider.setRange(1, 1)
        self.epoch_label = QLabel("no epochs yet")
        self.sparsity_label = explain(QLabel(), "Sparsity", "Share of the layer's weights that are "
                                      "practically zero.", "sparsityLabel")
        self.sparsity_label.setTextFormat(Qt.TextFormat.RichText)
        self.sparsity_label.setWordWrap(True)
        self.table = explain(QTableWidget(0, len(STAT_COLUMNS)), "Weight statistics", "Per run at the "
                             "chosen epoch: sparsity, norms, largest weight, mean and spread.", "weightStatsTable")
        self.table.setHorizontalHeaderLabels(STAT_COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setMaximumHeight(118)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.extras = WeightExtras()

        top = QHBoxLayout()
        top.addWidget(QLabel("Layer"))
        top.addWidget(self.layer_combo)
        top.addStretch(1)
        top.addWidget(QLabel("zero when |w| <"))
        top.addWidget(self.epsilon_spin)
        checks = QHBoxLayout()
        checks.addWidget(self.zoom_check)
        checks.addWidget(self.log_check)
        checks.addStretch(1)
        scrub = QHBoxLayout()
        scrub.addWidget(QLabel("Epoch"))
        scrub.addWidget(self.epoch_slider, 1)
        scrub.addWidget(self.epoch_label)
        histogram = QWidget()
        column = QVBoxLayout(histogram)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(top)
        column.addLayout(checks)
        column.addWidget(self.run_list)
        column.addWidget(self.plot, 1)
        column.addLayout(scrub)
        column.addWidget(self.sparsity_label)
        column.addWidget(self.table)
        # The views over epochs can be dragged smaller or larger: on a 768 px screen the
        # histogram needs most of the height, on a projector both fit.
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.addWidget(histogram)
        self.split.addWidget(self.extras)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 2)
        self.split.setCollapsible(0, False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.split)

        self.layer_combo.currentIndexChanged.connect(self._layer_chosen)
        self.zoom_check.toggled.connect(self._zoom_toggled)
        self.log_check.toggled.connect(self._log_toggled)
        self.epsilon_spin.valueChanged.connect(self.refresh)
        self.epoch_slider.valueChanged.connect(self.redraw)  # scrubbing redraws the histogram only
        self.run_list.itemChanged.connect(self._run_ticked)
        self._follow(signals)
        self._replaced()

    def set_scale(self, scale: float, points: float) -> None:
        """Larger text: the histogram's fonts and outlines follow the window's font."""
        for plot in (self.plot, self.extras.sparsity_plot, self.extras.norm_plot):
            scale_plot(plot, points)
        self._scale = scale  # runs added later (a lab opened after the size was restored) too
        for run_id, item in self.items.items():
            run = self.lab.run(run_id)
            if run is not None:
                item.setPen(pg.mkPen(run_color(run.color), width=2 * scale))

    # Following the Lab ---------------------------------------------------------------------------
    def _follow(self, signals: LabSignals) -> None:
        signals.runAdded.connect(lambda run_id, _: self._add(run_id))
        signals.runChanged.connect(self._changed)
        signals.runsRemoved.connect(self._remove)
        signals.labReplaced.connect(self._replaced)

    def _add(self, run_id: int) -> None:
        run = self.lab.run(run_id)
        if run is None or run_id in self.items:
            return
        color = run_color(run.color)
        self.items[run_id] = self.plot.plot([], [], stepMode="center", pen=pg.mkPen(color, width=2 * self._scale),
                                            brush=QBrush(QColor(color).lighter(170)), fillLevel=None)
        item = QListWidgetItem(run.name)
        item.setData(Qt.ItemDataRole.UserRole, run_id)
        item.setForeground(QColor(color))
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if run.shown else Qt.CheckState.Unchecked)
        self.run_list.addItem(item)
        self._add_layers(run.layouts)
        self._run_ticked(item)  # an item added ticked emits no itemChanged; keep at most four

    def _add_layers(self, layouts: tuple[HistogramLayout, ...]) -> None:
        known = {self.layer_combo.itemText(i) for i in range(self.layer_combo.count())}
        for lay in layouts:
            if lay.name not in known:
                self.layer_combo.addItem(lay.name)
                known.add(lay.name)

    def _changed(self, run_id: int, aspect: str) -> None:
        run, item = self.lab.run(run_id), self._item_of(run_id)
        if run is None or item is None:
            return
        if aspect == "shown":
            item.setCheckState(Qt.CheckState.Checked if run.shown else Qt.CheckState.Unchecked)
        elif aspect == "name":
            item.setText(run.name)
            self._legend_ids = None  # relabel on the next redraw
            self.refresh()
        elif aspect == "state":
            self._add_layers(run.layouts)
            self._update_range(follow=self.epoch_slider.value() >= self.epoch_slider.maximum())
            self.refresh()
        elif aspect == "epoch":
            following = self.epoch_slider.value() >= self.epoch_slider.maximum()
            self._update_range(follow=following)
            self.refresh()

    def _remove(self, run_ids: frozenset[int]) -> None:
        for run_id in run_ids & set(self.items):
            self.plot.removeItem(self.items.pop(run_id))
            item = self._item_of(run_id)
            if item is not None:
                self.run_list.takeItem(self.run_list.row(item))
        self._legend_ids = None
        self._update_range(follow=True)
        self._frame = None
        self.refresh()

    def _replaced(self) -> None:
        self._remove(frozenset(self.items))
        for run in self.lab.runs:
            self._add(run.run_id)

    def showEvent(self, event: object) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def _item_of(self, run_id: int) -> QListWidgetItem | None:
        for i in range(self.run_list.count()):
            if self.run_list.item(i).data(Qt.ItemDataRole.UserRole) == run_id:
                return self.run_list.item(i)
        return None

    # Reading -------------------------------------------------------------------------------
    def selected(self) -> list[RunWeights]:
        """The compared runs (ticked in this view's list), oldest first."""
        out = []
        for i in range(self.run_list.count()):
            item = self.run_list.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                run = self.lab.run(item.data(Qt.ItemDataRole.UserRole))
                if run is not None:
                    out.append(RunWeights.of(run))
        return out

    def layer(self) -> str:
        return self.layer_combo.currentText()

    # Drawing -------------------------------------------------------------------------------
    def _run_ticked(self, item: QListWidgetItem) -> None:
        ticked = [self.run_list.item(i) for i in range(self.run_list.count())
                  if self.run_list.item(i).checkState() == Qt.CheckState.Checked]
        if len(ticked) > MAX_OVERLAY:  # untick the oldest other than the one just ticked
            oldest = next(t for t in ticked if t is not item)
            oldest.setCheckState(Qt.CheckState.Unchecked)
            return
        self._update_range(follow=True)
        self._frame = None
        self.refresh()

    def _update_range(self, follow: bool) -> None:
        most = max((len(run.epochs) for run in self.selected()), default=0)
        self.epoch_slider.blockSignals(True)
        self.epoch_slider.setRange(1, max(1, most))
        if follow:
            self.epoch_slider.setValue(max(1, most))
        self.epoch_slider.blockSignals(False)

    def _log_toggled(self, on: bool) -> None:
        self.plot.setLogMode(x=False, y=on)
        self._frame = None
        self.redraw()

    def _zoom_toggled(self) -> None:
        self._frame = None  # other bins: frame the axes anew
        self.redraw()

    def _layer_chosen(self) -> None:
        self._frame = None
        self.refresh()

    def _frame_axes(self, drawn: list[tuple[np.ndarray, np.ndarray]]) -> None:
        """Hold the axes still while scrubbing; widen them only when a taller bar appears.

        A count axis that rescaled to every epoch would draw each epoch's histogram the same
        height, hiding the very change a student scrubs to see (L1's spike growing), and
        re-laying the axes out cost about a third of each scrub's redraw.
        """
        if not drawn:
            return
        left = min(float(edges[0]) for edges, _ in drawn)
        right = max(float(edges[-1]) for edges, _ in drawn)
        top = max(float(counts.max()) for _, counts in drawn)
        if self._frame is not None and (left, right) == self._frame[:2] and top <= self._frame[2]:
            return
        self._frame = (left, right, top)
        log = self.log_check.isChecked()
        high = np.log10(max(top, 1.0)) * 1.05 + 0.05 if log else top * 1.05
        self.plot.setXRange(left, right, padding=0.02)
        self.plot.setYRange(0.0, high, padding=0)

    def _epsilon_step(self, steps: int) -> None:
        self.epsilon_spin.setValue(min(1.0, max(MAGNITUDE_EDGES[1], self.epsilon_spin.value() * 10 ** (steps / 4))))

    @Slot()
    def refresh(self) -> None:
        """Everything: the histogram and the views over epochs below it.

        While the tab is hidden this only notes that a redraw is due: drawing costs ~25 ms
        on the GUI thread, which would otherwise be paid for every epoch nobody looks at.
        """
        if not self.isVisible():
            self._stale = True
            return
        self._stale = False
        self.redraw()
        self.extras.redraw(self.selected(), self.layer(), self.epsilon_spin.value())

    def _sync_legend(self, drawn: list[RunWeights]) -> None:
        """List only the runs drawn: pyqtgraph shows hidden items with a strike-through icon."""
        ids = tuple(run.run_id for run in drawn)
        if ids == self._legend_ids:
            return  # scrubbing: nothing to do
        legend = self.plot.getPlotItem().legend
        legend.clear()
        for run in drawn:
            legend.addItem(self.items[run.run_id], run.name)
        self._legend_ids = ids

    @Slot()
    def redraw(self) -> None:
        """The histogram, its sparsity line and table at the chosen epoch (cheap: scrubbing)."""
        name, epoch, zoom = self.layer(), self.epoch_slider.value(), self.zoom_check.isChecked()
        epsilon = self.epsilon_spin.value()
        rows, parts, drawn, bars = [], [], [], []
        compared = {run.run_id: run for run in self.selected()}
        for run_id, item in self.items.items():
            run = compared.get(run_id)
            layout = run.layout(name) if run is not None else None
            if run is None or layout is None or not run.epochs:
                item.setVisible(False)
                continue
            stats = record_at(run.epochs, epoch).stats(name)
            edges, counts = histogram_of(stats, layout, zoom)
            # Log mode cannot show 0; an empty bin is drawn as 1 weight, a value no layer has.
            item.setData(edges, np.maximum(counts, 1) if self.log_check.isChecked() else counts)
            bars.append((edges, counts))
            item.setVisible(True)
            drawn.append(run)
            share = stats.sparsity_below(epsilon)
            parts.append(f"<span style='color:{run.color}'>■</span> {run.name}: <b>{share:.1%}</b>")
            rows.append((run.name, f"{share:.1%}", f"{stats.l1:.4g}", f"{stats.l2:.4g}", f"{stats.max_abs:.4g}",
                         f"{stats.mean:.3g}", f"{stats.std:.3g}"))
        self._sync_legend(drawn)
        self._frame_axes(bars)
        total = self.epoch_slider.maximum()
        self.epoch_label.setText(f"{epoch} of {total}" if parts else "no epochs yet")
        self.sparsity_label.setText(f"Weights with |w| &lt; {epsilon:.2g} in {name}: " + " · ".join(parts)
                                    if parts else "Train a run to see its weights.")
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(text))
