"""The grid search tab: choose a setting and its values, watch the validation curve grow.

The chart puts the searched values across (on a log axis for strengths, learning rates and
batch sizes) and the mean score up, with ±1 standard deviation over folds and seeds. Scored
by accuracy, the validation curve rises while the strength helps and falls when it starts
to underfit; scored by loss, it is the same story upside down. The training curve beside
it shows the gap closing. The best value gets a star, and
"Apply best" puts it into the builder. The search itself runs on the training thread; this
view draws the Lab's latest search as its trials arrive, and writes back to the Lab only:
the best value into the spec, chosen trials as runs.
"""

from __future__ import annotations

import contextlib
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import SpecError
from ...core.experiments.grid_search import (
    DEFAULT_VALUES,
    GRID_PARAMS,
    RECIPES,
    SCORES,
    GridPoint,
    GridRecipe,
    GridRequest,
    Trial,
    apply_value,
    best_point,
    grid_points,
    parse_values,
)
from ...core.experiments.trials import trial_count
from ...core.lab.lab import Lab
from ...core.training.run_spec import RunSpec
from ..lab_signals import LabSignals
from ..text_size import scale_plot
from ..widgets import explain
from .run_on import RunOnCombo

VAL_COLOR, TRAIN_COLOR, BEST_COLOR = "#1f77b4", "#ff7f0e", "#f2c200"


class GridSearchView(QWidget):
    runRequested = Signal()  # the window checks the settings (request()) and queues the search
    applied = Signal(str, float)  # the best value went into the Lab's spec: setting, value
    trialsShown = Signal(int)  # how many trials were added to the Lab as runs

    def __init__(self, lab: Lab, signals: LabSignals, parent: QWidget | None = None):
        super().__init__(parent)
        self.param_combo = explain(QComboBox(), "Setting to search", "Which setting to vary; everything else "
                                   "stays as built on the left.", "gridParamCombo")
        self.lab = lab
        for key, label in ((p.key, p.label) for p in GRID_PARAMS.values()):
            self.param_combo.addItem(label, key)
        self.values_edit = explain(QLineEdit(), "Values", "The values to try, separated by spaces or commas.",
                                   "gridValuesEdit")
        self.folds_spin = explain(QSpinBox(), "Cross-validation folds", "k-fold cross-validation: each value "
                                  "is trained k times, each fold validating once (stratified). Off: one "
                                  "validation split.", "gridFoldsSpin")
        self.folds_spin.setRange(1, 10)
        self.folds_spin.setSpecialValueText("off")
        self.folds_spin.setValue(3)
        self.repeats_spin = explain(QSpinBox(), "Seeds", "Repeat everything with this many seeds, for "
                                    "a fairer spread.", "gridRepeatsSpin")
        self.repeats_spin.setRange(1, 20)
        self.epochs_spin = explain(QSpinBox(), "Epochs per trial", "The lesson searches with 5 epochs per "
                                   "trial.", "gridEpochsSpin")
        self.epochs_spin.setRange(1, 1000)
        self.epochs_spin.setValue(5)
        self.score_combo = explain(QComboBox(), "Score", "What makes a value best. Best validation "
                                   "accuracy is the lesson's rule. Lowest validation loss (the data part, "
                                   "without the penalty) also catches the overconfidence of an overfitting "
                                   "network, which accuracy hides: with enough epochs it shows too little "
                                   "and too much regularization on either side of the best strength.",
                                   "gridScoreCombo")
        self.score_combo.addItem("best validation accuracy", "accuracy")
        self.score_combo.addItem("lowest validation loss", "loss")
        self.run_on = RunOnCombo()
        self.recipe_button = explain(QPushButton("Ready-made"), "Ready-made searches", "Fill in every "
                                     "setting below for a search chosen to show one thing; change any of "
                                     "them before pressing Run search.", "gridRecipeButton")
        recipes = QMenu(self.recipe_button)
        for recipe in RECIPES.values():
            action = recipes.addAction(recipe.title)
            action.setToolTip(recipe.what)
            action.triggered.connect(lambda _=False, r=recipe: self.use_recipe(r))
        recipes.setToolTipsVisible(True)
        self.recipe_button.setMenu(recipes)
        self.run_button = explain(QPushButton("Run search"), "Run grid search", "Train every value (and fold, "
                                  "and seed) on the network built on the left, where Run on says.", "gridButton")
        self.apply_button = explain(QPushButton("Apply best"), "Apply best", "Put the best value into the "
                                    "builder, ready to train.", "applyBestButton")
        self.apply_button.setEnabled(False)
        self.trials_button = explain(QPushButton("Show trials as runs"), "Show trials as runs", "Add every "
                                     "trial of the value selected in the table below (the best one if none "
                                     "is) to the runs table and the curves, epoch by epoch.", "showTrialsButton")
        self.trials_button.setEnabled(False)
        self.status_label = QLabel("Choose a setting and press Run search.")
        self.status_label.setObjectName("gridStatusLabel")
        self.status_label.setWordWrap(True)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)

        self.chart = pg.PlotWidget(background="w")
        self.chart.setObjectName("gridChart")
        explain(self.chart, "Validation curve", "Mean score against the searched value, ±1 standard "
                "deviation. Validation accuracy rises while the setting helps and falls when it is too "
                "strong; validation loss falls, then rises.")
        self.chart.showGrid(x=True, y=True, alpha=0.2)
        self.chart.setTitle("<span style='color:#222'>Validation curve</span>")
        for side in ("bottom", "left"):  # "loss (x0.001)" over 100..800 would read as nonsense
            self.chart.getAxis(side).enableAutoSIPrefix(False)
        self.chart.addLegend(offset=(-10, 10), labelTextColor="#222")  # top right: strong values fall away
        # Created once; each trial only calls setData.
        self.val_line = self.chart.plot([], [], pen=pg.mkPen(VAL_COLOR, width=2.5), symbol="o",
                                        symbolBrush=VAL_COLOR, name="validation (best epoch), mean ± sd")
        self.train_line = self.chart.plot([], [], pen=pg.mkPen(TRAIN_COLOR, width=1.8, style=Qt.PenStyle.DashLine),
                                          symbol="t", symbolBrush=TRAIN_COLOR, name="training, same epoch")
        self.val_bars = pg.ErrorBarItem(pen=pg.mkPen(VAL_COLOR, width=1.5), beam=0.06)
        self.train_bars = pg.ErrorBarItem(pen=pg.mkPen(TRAIN_COLOR, width=1.2), beam=0.06)
        self.best_marker = pg.ScatterPlotItem(size=24, symbol="star", pen=pg.mkPen("#222"), brush=BEST_COLOR)
        self.best_text = pg.TextItem(color="#222", anchor=(-0.15, 1.3))  # above right, clear of the bar
        for item in (self.val_bars, self.train_bars, self.best_marker, self.best_text):
            self.chart.addItem(item)

        self.table = explain(QTableWidget(0, 4), "Grid results", "Mean and spread per value.", "gridTable")
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setMaximumHeight(150)

        form = QFormLayout()
        search_row = QHBoxLayout()
        search_row.addWidget(self.param_combo, 1)
        search_row.addWidget(self.recipe_button)
        form.addRow("Search", search_row)
        form.addRow("Values", self.values_edit)
        form.addRow("Best by", self.score_combo)
        row = QHBoxLayout()
        for label, widget in (("folds", self.folds_spin), ("seeds", self.repeats_spin),
                              ("epochs", self.epochs_spin)):
            row.addWidget(QLabel(label))
            row.addWidget(widget)
        row.addStretch(1)
        form.addRow("Cross-validation", row)
        form.addRow("Run on", self.run_on)
        buttons = QHBoxLayout()  # a row of their own: the tab fits a 1366 px screen beside the lesson
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.apply_button)
        buttons.addWidget(self.trials_button)
        buttons.addStretch(1)
        form.addRow(buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.status_label)
        layout.addWidget(self.chart, 1)
        layout.addWidget(self.table)

        self.param_combo.currentIndexChanged.connect(self._param_chosen)
        for changed in (self.values_edit.textChanged, self.folds_spin.valueChanged, self.repeats_spin.valueChanged,
                        self.epochs_spin.valueChanged):
            changed.connect(self._size_changed)
        self.run_button.clicked.connect(self.runRequested)
        self.apply_button.clicked.connect(self._apply)
        self.trials_button.clicked.connect(self._show_trials)
        self.searched_param: str = ""
        self.searched_values: tuple[float, ...] = ()
        self.searched_score = "accuracy"
        self.shown_search: int | None = None
        self._can_start = False
        self.trials: list[Trial] = []
        self.total = 0
        self.best: GridPoint | None = None
        self.chart.getPlotItem().getViewBox().disableAutoRange()  # framed by hand: _frame_values, _draw
        self._param_chosen()
        self._label_score("accuracy")
        self._draw()  # the empty chart on an accuracy scale from 0 to 1
        self._follow(signals)
        self._replaced()

    # Settings ------------------------------------------------------------------------------
    def param(self) -> str:
        return self.param_combo.currentData()

    def values(self) -> tuple[float, ...]:
        """The typed values; raises SpecError naming the field if they are not numbers."""
        return parse_values(self.values_edit.text())

    def score(self) -> str:
        return self.score_combo.currentData()

    def cv(self) -> int | None:
        return self.folds_spin.value() if self.folds_spin.value() >= 2 else None

    def use_recipe(self, recipe: GridRecipe) -> None:
        """Fill in a ready-made search; nothing runs until Run search is pressed."""
        self.param_combo.setCurrentIndex(self.param_combo.findData(recipe.param))  # resets the values: set after
        self.values_edit.setText(" ".join(f"{v:g}" for v in recipe.values))
        self.folds_spin.setValue(recipe.cv or 1)
        self.repeats_spin.setValue(1)
        self.epochs_spin.setValue(recipe.epochs)
        self.score_combo.setCurrentIndex(self.score_combo.findData(recipe.score))

    def _size_changed(self) -> None:
        """The search's size picks where it trains, until the user chooses (run_on.py)."""
        with contextlib.suppress(SpecError):  # values half typed: the choice stays as it was
            self.run_on.suggest(trial_count(len(self.values()), self.cv(), self.repeats_spin.value()),
                                self.epochs_spin.value())

    def _param_chosen(self) -> None:
        self.values_edit.setText(" ".join(f"{v:g}" for v in DEFAULT_VALUES[self.param()]))
        if not self.trials:  # nothing searched yet: show the axis the search will fill
            self._frame_values(self.param(), DEFAULT_VALUES[self.param()])

    def set_scale(self, scale: float, points: float) -> None:
        """Larger text: the chart's fonts and lines follow the window's font."""
        scale_plot(self.chart, points)
        self.val_line.setPen(pg.mkPen(VAL_COLOR, width=2.5 * scale))
        self.train_line.setPen(pg.mkPen(TRAIN_COLOR, width=1.8 * scale, style=Qt.PenStyle.DashLine))

    def request(self, base: RunSpec) -> GridRequest:
        """The search these settings describe on `base`; raises SpecError naming what is wrong."""
        request = GridRequest(base.with_training(epochs=self.epochs_spin.value()), self.param(), self.values(),
                              self.cv(), self.repeats_spin.value(), self.score(), where=self.run_on.where())
        return request.check()

    # Following the Lab ---------------------------------------------------------------------------
    def _follow(self, signals: LabSignals) -> None:
        signals.searchAdded.connect(self._show_search)
        signals.searchChanged.connect(lambda search_id, _: self._show_search(search_id))
        signals.labReplaced.connect(self._replaced)

    def _replaced(self) -> None:
        searches = self.lab.searches
        if searches:
            self._show_search(searches[-1].search_id)
        else:
            self.shown_search = None
            self.trials, self.best = [], None
            self._param_chosen()
            self._draw()
            self.status_label.setText("Choose a setting and press Run search.")

    def _show_search(self, search_id: int) -> None:
        search = self.lab.search(search_id)
        if search is None:
            return
        request = search.request
        if search_id != self.shown_search:  # a new search (or one from a file): frame it anew
            self.shown_search = search_id
            self.searched_param, self.searched_values, self.searched_score = request.param, request.values, \
                request.score
            self.total = request.total_trials
            self._label_score(request.score)
            self._frame_values(request.param, request.values)
        self.trials = list(search.trials)
        self._draw()
        label = GRID_PARAMS[request.param].label
        if search.state in ("queued", "running"):
            self.status_label.setText(f"Searching {label}: {len(self.trials)} of {self.total} trials done…")
        elif search.state == "failed":
            self.status_label.setText(f"The search failed: {search.problem}")
        else:
            result = search.result
            how = "cancelled; the finished trials are kept" if result and result.cancelled else "done"
            score = SCORES[self.searched_score]
            best = (f" Best {label}: {self.best.value:g} (mean {score.label} {self.best.val_mean:.4f} ± "
                    f"{self.best.val_std:.4f})." if self.best else "")
            seconds = f" in {result.seconds:.0f} s" if result else ""
            self.status_label.setText(f"Search {how}: {len(self.trials)} of {self.total} trials{seconds}.{best}")
        self.set_running(search.state in ("queued", "running"))

    def refuse(self, message: str) -> None:
        """Settings that cannot be searched: said here, nothing is queued."""
        self.status_label.setText(f"Cannot search yet: {message}")

    def set_running(self, running: bool, can_start: bool | None = None) -> None:
        """A search is running (Run becomes Cancel) or not; `can_start` says whether Run may start one."""
        if can_start is not None:
            self._can_start = can_start
        self.run_button.setText("Cancel search" if running else "Run search")
        self.run_button.setEnabled(running or self._can_start)
        for widget in (self.param_combo, self.recipe_button, self.values_edit, self.score_combo, self.folds_spin,
                       self.repeats_spin, self.epochs_spin, self.run_on):
            widget.setEnabled(not running)
        self.apply_button.setEnabled(not running and self.best is not None)
        self.trials_button.setEnabled(not running and bool(self.trials))

    def can_start(self) -> bool:
        return self.run_button.isEnabled() and self.run_button.text() == "Run search"

    # Drawing -------------------------------------------------------------------------------
    def _label_score(self, key: str) -> None:
        score = SCORES[key]
        self.chart.setLabel("left", score.measure)
        self.table.setHorizontalHeaderLabels(("value", f"validation {score.short}", f"training {score.short}",
                                              "trials"))

    def _x(self, value: float, param: str | None = None) -> float:
        log = GRID_PARAMS[param or self.searched_param].log_scale
        return math.log10(value) if log and value > 0 else value

    def _frame_values(self, param: str, values: tuple[float, ...]) -> None:
        """The horizontal axis over every value to be tried, each one a tick.

        A fixed frame, so the curve grows into it; auto-range on items that start empty can
        settle on a degenerate range and stay there.
        """
        log = GRID_PARAMS[param].log_scale
        self.chart.setLabel("bottom", GRID_PARAMS[param].label + (" (log scale)" if log else ""))
        ordered = sorted(values)
        ticks = [self._x(v, param) for v in ordered]
        self.chart.getAxis("bottom").setTicks([[(x, f"{v:g}") for x, v in zip(ticks, ordered, strict=True)]])
        pad = max((ticks[-1] - ticks[0]) * 0.08, 0.05)
        self.chart.setXRange(ticks[0] - pad, ticks[-1] + pad, padding=0)

    def _draw(self) -> None:
        points = grid_points(self.searched_values, self.trials)
        self.best = best_point(points, self.searched_score)
        ordered = sorted(points, key=lambda p: p.value)
        x = np.array([self._x(p.value) for p in ordered])
        for line, bars, mean, std in ((self.val_line, self.val_bars, "val_mean", "val_std"),
                                      (self.train_line, self.train_bars, "train_mean", "train_std")):
            y = np.array([getattr(p, mean) for p in ordered])
            line.setData(x, y)
            bars.setData(x=x, y=y, height=2 * np.array([getattr(p, std) for p in ordered]))
        low = min((min(p.val_mean - p.val_std, p.train_mean - p.train_std) for p in ordered), default=0.0)
        high = max((max(p.val_mean + p.val_std, p.train_mean + p.train_std) for p in ordered), default=1.0)
        if not (math.isfinite(low) and math.isfinite(high)):  # a diverged trial: frame what is finite
            low, high = 0.0, 1.0
        margin = max(0.1 * (high - low), 0.01)
        ceiling = 1.0 if self.searched_score == "accuracy" else math.inf  # loss has no upper bound
        # Extra room on top for the "best" label above its star.
        self.chart.setYRange(max(0.0, low - margin), min(ceiling, high + margin) + 2 * margin, padding=0)
        if self.best is not None:
            bx = self._x(self.best.value)
            self.best_marker.setData([bx], [self.best.val_mean])
            self.best_text.setText(f"best: {self.best.value:g}")
            self.best_text.setPos(bx, self.best.val_mean)
        else:
            self.best_marker.setData([], [])
            self.best_text.setText("")
        self.table.setRowCount(len(ordered))
        for r, p in enumerate(ordered):
            mark = " ★" if p is self.best else ""
            cells = (f"{p.value:g}{mark}", f"{p.val_mean:.4f} ± {p.val_std:.4f}",
                     f"{p.train_mean:.4f} ± {p.train_std:.4f}", str(p.trials))
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))

    def chosen_value(self) -> float | None:
        """The value selected in the results table, else the best one."""
        rows = self.table.selectionModel().selectedRows()
        if rows:
            return sorted(p.value for p in grid_points(self.searched_values, self.trials))[rows[0].row()]
        return self.best.value if self.best is not None else None

    def _show_trials(self) -> None:
        """The chosen value's trials as runs in the Lab: every epoch of each was recorded."""
        value = self.chosen_value()
        chosen = [t for t in self.trials if t.value == value]
        seeds = len({t.repeat for t in chosen}) > 1
        for trial in chosen:
            where = f", fold {trial.fold + 1}" if trial.fold is not None else ""
            seed = f", seed {trial.record.spec.training.seed}" if seeds else ""
            self.lab.add_finished_run(f"{trial.record.name}{where}{seed}", trial.record)  # "l2=0.001, fold 2"
        if chosen:
            self.trialsShown.emit(len(chosen))

    def _apply(self) -> None:
        if self.best is not None:
            self.lab.set_spec(apply_value(self.lab.spec, self.searched_param, self.best.value))
            self.applied.emit(self.searched_param, self.best.value)
