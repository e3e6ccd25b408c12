"""Below the histogram: how the weights change over the epochs, and what the first layer sees.

Three tabs: sparsity and L2 norm per epoch for the compared runs; a heat map of one run's
histogram over time (epochs up, weight values across); and each first-layer unit's
incoming weights drawn as a picture (image datasets only).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy, QTabWidget, QVBoxLayout, QWidget

from ...core.weights.arrays import heat_map, series, tile_units
from ..widgets import IntegerAxis, explain


def _small_plot(title: str, y_label: str) -> pg.PlotWidget:
    plot = pg.PlotWidget(background="w", axisItems={"bottom": IntegerAxis("bottom")})  # epochs are whole numbers
    plot.setTitle(f"<span style='color:#222'>{title}</span>")
    plot.setLabel("bottom", "epoch")
    plot.setLabel("left", y_label)
    for side in ("left", "bottom"):
        plot.getAxis(side).enableAutoSIPrefix(False)
    plot.showGrid(x=True, y=True, alpha=0.2)
    return plot


def _image_plot(object_name: str) -> tuple[pg.PlotWidget, pg.ImageItem]:
    plot = pg.PlotWidget(background="w")
    plot.setObjectName(object_name)
    image = pg.ImageItem(axisOrder="row-major")
    plot.addItem(image)
    return plot, image


class WeightExtras(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.tabs = QTabWidget()
        self.run_combo = explain(QComboBox(), "Run shown below", "Which run the heat map and the weight "
                                 "pictures show; compare none, L1 and L2 one after the other.", "imageRunCombo")
        self.run_combo.setMinimumContentsLength(12)
        header = QHBoxLayout()
        header.addStretch(1)
        header.addWidget(QLabel("Run for the heat map and pictures"))
        header.addWidget(self.run_combo)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(header)
        outer.addWidget(self.tabs, 1)
        self.sparsity_plot = _small_plot("Sparsity", "share near zero")
        self.norm_plot = _small_plot("L2 norm", "sqrt(Σ w²)")
        over_time = QWidget()
        row = QHBoxLayout(over_time)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.sparsity_plot)
        row.addWidget(self.norm_plot)
        self.tabs.addTab(explain(over_time, "Sparsity and norm over epochs", "How fast each penalty empties or "
                            "shrinks the layer, epoch by epoch."), "Sparsity and L2 norm")

        self.heat_plot, self.heat_image = _image_plot("heatMap")
        self.heat_plot.setLabel("bottom", "weight value")
        self.heat_plot.getAxis("bottom").enableAutoSIPrefix(False)
        self.heat_plot.setLabel("left", "epoch")
        self.heat_image.setColorMap(pg.colormap.get("viridis"))
        self.heat_label = QLabel()
        heat = QWidget()
        column = QVBoxLayout(heat)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.heat_label)
        column.addWidget(self.heat_plot, 1)
        self.tabs.addTab(explain(heat, "Distribution over time", "One run's histogram for every epoch, stacked: "
                            "brighter means more weights (log scale)."), "Over time")

        self.images_plot, self.images = _image_plot("weightImages")
        self.images_plot.setAspectLocked(True)
        self.images_plot.invertY(True)
        self.images_plot.hideAxis("left")
        self.images_plot.hideAxis("bottom")
        self.images.setColorMap(pg.colormap.get("CET-D1"))  # blue, white, red: sign at a glance
        self.images_label = QLabel()
        self.images_label.setWordWrap(True)
        images = QWidget()
        column = QVBoxLayout(images)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.images_label)
        column.addWidget(self.images_plot, 1)
        explain(self.images_plot, "First-layer weights as images", "Each small picture is one first-layer "
                "unit's weights on the input pixels: red positive, blue negative, white zero.")
        self.tabs.addTab(images, "First-layer weights")
        # Per run: its sparsity and norm curves. Made once and then only given new data:
        # removing plot items and letting them be collected crashed the next repaint
        # (a segfault in QPainter::restore with PySide6 6.11 and pyqtgraph 0.14).
        self._curves: dict[int, tuple[pg.PlotDataItem, pg.PlotDataItem]] = {}
        self._runs: list = []
        self._name = ""
        self._epsilon = 1e-3
        self.run_combo.currentIndexChanged.connect(self._draw_chosen)
        self.tabs.currentChanged.connect(self._draw_chosen)
        for i in range(self.tabs.count()):  # pages take the room they are given, never more
            self.tabs.widget(i).setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)

    def redraw(self, runs: list, name: str, epsilon: float) -> None:
        """Redraw from the compared runs (RunWeights), for layer `name`: the visible tab only."""
        self._runs, self._name, self._epsilon = runs, name, epsilon
        chosen = self.run_combo.currentData()
        self.run_combo.blockSignals(True)
        self.run_combo.clear()
        for run in runs:
            self.run_combo.addItem(run.name, run.run_id)
        index = self.run_combo.findData(chosen)
        self.run_combo.setCurrentIndex(index if index >= 0 else self.run_combo.count() - 1)
        self.run_combo.blockSignals(False)
        self._draw_chosen()

    def _draw_over_time(self) -> None:
        runs, name, epsilon = self._runs, self._name, self._epsilon
        drawn = set()
        for run in runs:
            if not run.epochs or run.layout(name) is None:
                continue
            if run.run_id not in self._curves:
                pen = pg.mkPen(run.color, width=2)
                self._curves[run.run_id] = (self.sparsity_plot.plot([], [], pen=pen),
                                            self.norm_plot.plot([], [], pen=pen))
            sparsity_curve, norm_curve = self._curves[run.run_id]
            x = np.array([e.epoch for e in run.epochs])
            sparsity_curve.setData(x, series(run.epochs, name, "sparsity", epsilon))
            norm_curve.setData(x, series(run.epochs, name, "l2"))
            drawn.add(run.run_id)
        for run_id, curves in self._curves.items():
            for curve in curves:
                curve.setVisible(run_id in drawn)

    def _draw_chosen(self) -> None:
        page = self.tabs.currentIndex()
        if page == 0:
            self._draw_over_time()
            return
        run = next((r for r in self._runs if r.run_id == self.run_combo.currentData()), None)
        if page == 1:
            self._draw_heat(run, self._name)
        else:
            self._draw_images(run)

    def _draw_heat(self, run: object, name: str) -> None:
        layout = run.layout(name) if run is not None else None
        if layout is None or not run.epochs:
            self.heat_image.clear()
            self.heat_label.setText("Train a run to see its weights change over time.")
            return
        grid = heat_map(run.epochs, name)
        self.heat_image.setImage(np.log1p(grid), autoLevels=True)
        low, high = layout.edges[0], layout.edges[-1]
        self.heat_image.setRect(QRectF(low, 0.5, high - low, len(run.epochs)))
        self.heat_label.setText(f"{run.name}, {name}: {len(run.epochs)} epochs (brighter: more weights)")

    def _draw_images(self, run: object) -> None:
        if run is None or run.first_kernel is None or not run.image_shape:
            self.images.clear()
            self.images_label.setText("First-layer weights are drawn for image datasets, such as the digits.")
            return
        grid = tile_units(run.first_kernel, run.image_shape)
        reach = float(np.nanmax(np.abs(grid))) or 1.0
        self.images.setImage(grid, levels=(-reach, reach))  # symmetric: white is exactly zero
        units = run.first_kernel.shape[1]
        empty = float(np.mean(np.abs(run.first_kernel) < 1e-3))
        self.images_label.setText(f"{run.name}: the {units} units of the first layer at its latest epoch; "
                                  f"red positive, blue negative, white zero (±{reach:.2g}). "
                                  f"{empty:.0%} of these weights are practically zero.")
