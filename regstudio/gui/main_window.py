"""The RegStudio window: builder and controls on the left, live curves and the runs table on the right.

The window composes a RunSpec from its panels, checks it before every run (problems are
shown under the Train button, never as dialogs), and hands runs, comparisons and grid
searches to the training thread's queue. It only ever receives plain records back; the
RunBoard spreads each run over the curves, the weight viewer and the runs table.
"""

from __future__ import annotations

import html
from dataclasses import replace

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import Problem, SpecError
from ..core.experiments.comparisons import comparison_specs
from ..core.experiments.grid_search import GridRequest, GridResult, apply_value
from ..core.experiments.presets import PRESETS, preset
from ..core.training.keras_callbacks import Progress
from ..core.training.records import RunRecord
from ..core.training.run_spec import RunSpec
from .builder.network_panel import ModelBuilderPanel
from .builder.regularization_panel import RegularizationPanel
from .builder.training_panel import TrainingPanel
from .grid.grid_view import PARAMS, GridSearchView
from .run_board import RunBoard
from .runs.curves_view import CurvesView
from .runs.export_menu import ExportMenu
from .runs.runs_table import RunsPanel
from .top_bar import TopBar
from .training.worker import TrainingController
from .weights.weights_view import WeightsView


def _scroll(*widgets: QWidget) -> QScrollArea:
    inner = QWidget()
    layout = QVBoxLayout(inner)
    for widget in widgets:
        layout.addWidget(widget)
    layout.addStretch(1)
    area = QScrollArea()
    area.setWidget(inner)
    area.setWidgetResizable(True)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    # Never narrower than the controls need: a clipped spin box is a hidden control.
    area.setMinimumWidth(inner.minimumSizeHint().width() + area.verticalScrollBar().sizeHint().width() + 4)
    return area


class MainWindow(QMainWindow):
    def __init__(self, controller: TrainingController | None = None):
        super().__init__()
        self.setWindowTitle("RegStudio: see what regularization does")
        self.resize(1440, 900)
        self.controller = controller or TrainingController(self)
        self.tf_ready = False
        self._jobs: list[int] = []  # queued or running, oldest first: runs and grid searches
        self._batch: list[int] = []  # the runs of the current comparison, for "run 2 of 3"
        self._grid_job: int | None = None

        start = preset("none")
        self.builder = ModelBuilderPanel(start.model)
        self.regularization = RegularizationPanel()
        self.training = TrainingPanel()
        self.curves = CurvesView()
        self.weights = WeightsView()
        self.grid = GridSearchView()
        self.runs = RunsPanel()
        self.board = RunBoard(self.curves, self.weights, self.runs, self)

        bar = TopBar()
        self.preset_combo, self.train_button = bar.preset_combo, bar.train_button
        self.compare_button, self.compare_menu, self.controlled_check = bar.compare_button, bar.compare_menu, \
            bar.controlled_check
        self.stop_button, self.progress_bar = bar.stop_button, bar.progress_bar
        bar.compareRequested.connect(self.compare)
        self.message_label = QLabel()
        self.message_label.setObjectName("messageLabel")
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.RichText)
        self.export_menu = ExportMenu(self)
        self.runs.export_button.setMenu(self.export_menu)

        # The runs table sits under the curves, the view it is about; the Weights and Grid
        # search tabs have tables of their own and need the full height.
        self.curves_page = QSplitter(Qt.Orientation.Vertical)
        self.curves_page.addWidget(self.curves)
        self.curves_page.addWidget(self.runs)
        self.curves_page.setCollapsible(0, False)  # the table may be dragged away to give the plots room
        self.curves_page.setSizes([620, 200])
        self.curves_page.setStretchFactor(0, 1)
        self.view_tabs = QTabWidget()
        self.view_tabs.setObjectName("viewTabs")
        self.view_tabs.addTab(self.curves_page, "Curves")
        self.view_tabs.addTab(self.weights, "Weights")
        self.view_tabs.addTab(self.grid, "Grid search")
        splitter = QSplitter()
        splitter.addWidget(_scroll(self.builder))
        splitter.addWidget(_scroll(self.regularization, self.training))
        splitter.addWidget(self.view_tabs)
        splitter.setChildrenCollapsible(False)
        # The control columns get the width their controls need (their scroll areas' minimum,
        # so nothing is clipped); the plots get the rest.
        splitter.setSizes([1, 1, 10_000])
        splitter.setStretchFactor(2, 1)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(bar)
        layout.addWidget(self.message_label)
        layout.addWidget(splitter, 1)
        self.setCentralWidget(central)
        self.statusBar().showMessage("Loading TensorFlow in the background…")

        self.preset_combo.currentIndexChanged.connect(self._preset_chosen)
        self.builder.modelChanged.connect(self._model_changed)
        self.regularization.edit.connect(self._apply_edit)
        self.regularization.earlyStoppingChanged.connect(self._check)
        self.training.changed.connect(self._check)
        self.training.dataChanged.connect(lambda: self.builder.set_data_shape(self.training.data_shape()))
        self.train_button.clicked.connect(self.train)
        self.stop_button.clicked.connect(self.stop)
        self.grid.runRequested.connect(self._grid_button)
        self.grid.applyRequested.connect(self.apply_grid_value)
        self.grid.trialsRequested.connect(self.show_trials)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.train)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self.stop)

        # Every receiver of a training-thread signal is a declared @Slot: PySide6 6.8+ can
        # corrupt memory delivering cross-thread signals to undecorated methods (PYSIDE-3124).
        worker, board = self.controller.worker, self.board
        worker.ready.connect(self._tf_ready)
        worker.loadFailed.connect(self._tf_failed)
        worker.runStarted.connect(board.started)
        worker.layoutsReady.connect(board.layouts)
        worker.firstKernel.connect(board.first_kernel)
        worker.epochEnded.connect(board.epoch)
        worker.earlyStopping.connect(board.early_stopping)
        worker.progressed.connect(self._progressed)
        worker.runFinished.connect(board.finished)
        worker.runFinished.connect(self._run_finished)
        worker.runFailed.connect(board.failed)
        worker.runFailed.connect(self._run_failed)
        worker.gridProgressed.connect(self._grid_progressed)
        worker.gridTrial.connect(self._grid_trial)
        worker.gridFinished.connect(self._grid_finished)
        worker.gridFailed.connect(self._grid_failed)
        self._preset_chosen()
        self.builder.layer_list.setCurrentRow(0)  # an editor with something in it from the start

    # Spec ----------------------------------------------------------------------------------
    def current_spec(self) -> RunSpec:
        early = self.regularization.early_stopping()
        return RunSpec(self.builder.model, self.training.training_config(early), self.training.data_spec())

    def _run_label(self, spec: RunSpec) -> str:
        for p in PRESETS.values():
            if p.model == spec.model and p.training.early_stopping == spec.training.early_stopping:
                return p.name
        return "custom"

    def _check(self) -> list[Problem]:
        problems = self.current_spec().validate()
        if problems:
            self._show_problem("Cannot train yet: " + "; ".join(str(p) for p in problems))
        elif self.message_label.property("kind") != "error":
            self.message_label.setText("")
        self._update_buttons(problems)
        return problems

    def _update_buttons(self, problems: list[Problem] | None = None) -> None:
        problems = self.current_spec().validate() if problems is None else problems
        busy = bool(self._jobs)
        can_start = self.tf_ready and not busy and not problems
        self.train_button.setEnabled(can_start)
        self.compare_button.setEnabled(can_start)
        self.train_button.setText("Train" if self.tf_ready else "Getting ready…")
        self.stop_button.setEnabled(busy)
        self.grid.run_button.setEnabled(self._grid_job is not None or can_start)
        self.grid.set_running(self._grid_job is not None)

    # Reactions -----------------------------------------------------------------------------
    def _preset_chosen(self) -> None:
        p = preset(self.preset_combo.currentData())
        self.builder.set_model(p.model)
        self.regularization.sync(p.model, p.training.early_stopping)
        # The preset decides the epochs (100 for early stopping); the user's other training
        # settings, such as the seed, stay as they are.
        self.training.set_training(replace(self.training.training_config(None), epochs=p.training.epochs))
        self.builder.set_data_shape(self.training.data_shape())
        self.preset_combo.setToolTip(f"<b>{p.title}</b><br>{p.what}<br><i>When:</i> {p.when}")
        self._check()

    def _apply_edit(self, edit: object) -> None:
        self.builder.set_model(edit(self.builder.model))  # type: ignore[operator]
        self._check()

    def _model_changed(self, model: object) -> None:
        self.regularization.sync(self.builder.model, self.regularization.early_stopping())
        self._check()

    def apply_grid_value(self, param: str, value: float) -> None:
        """Put one searched value into the builder and controls (the grid's "Apply best")."""
        spec = apply_value(self.current_spec(), param, value)
        self.builder.set_model(spec.model)
        self.regularization.sync(spec.model, spec.training.early_stopping)
        self.training.set_training(spec.training)
        self._check()
        self.statusBar().showMessage(f"Applied {PARAMS[param]} = {value:g}. Press Train to train with it.", 10_000)

    def show_trials(self, trials: tuple) -> None:
        """Grid trials in the runs table and curves: every epoch of each was recorded."""
        seeds = len({t.repeat for t in trials}) > 1
        for trial in trials:
            where = f", fold {trial.fold + 1}" if trial.fold is not None else ""
            seed = f", seed {trial.record.spec.training.seed}" if seeds else ""
            label = f"{trial.record.name}{where}{seed}"  # "l2=0.001, fold 2"
            self.board.add_finished(self.controller.new_id(), label, trial.record)
        self.view_tabs.setCurrentWidget(self.curves_page)

    @Slot(str)
    def _tf_failed(self, message: str) -> None:
        self.show_error(f"TensorFlow could not load: {message}")

    @Slot(str)
    def _tf_ready(self, version: str) -> None:
        self.tf_ready = True
        self.statusBar().showMessage(f"Ready (Keras {version}). Press Train.", 8000)
        self._update_buttons()

    # Starting and stopping -------------------------------------------------------------------
    def _queue(self, spec: RunSpec, label: str) -> int:
        name = self.board.next_name(label)
        run_id = self.controller.train(spec, name)
        self.board.names[run_id] = name
        self._jobs.append(run_id)
        return run_id

    def _started(self) -> None:
        self.message_label.setProperty("kind", None)
        self.message_label.setText("")
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("Preparing data and model…")
        self._update_buttons()

    def train(self) -> None:
        if not self.train_button.isEnabled() or self._check():
            return
        spec = self.current_spec()
        self._batch = [self._queue(spec, self._run_label(spec))]
        self._started()

    def compare(self, key: str) -> None:
        """Queue one of the lesson's comparisons on the current training settings and data."""
        if not self.compare_button.isEnabled() or self._check():
            return
        specs = comparison_specs(key, self.current_spec(), self.controlled_check.isChecked())
        self._batch = [self._queue(spec, label) for label, spec in specs]
        self._started()
        self.view_tabs.setCurrentWidget(self.curves_page)

    def stop(self) -> None:
        if self._jobs:
            dropped = set(self.controller.stop())
            self._jobs = [j for j in self._jobs if j not in dropped]
            self.progress_bar.setFormat("Stopping after this batch…")
            self._update_buttons()

    def _grid_button(self) -> None:
        if self._grid_job is not None:
            self.stop()
            return
        if not self.grid.run_button.isEnabled():
            return
        try:
            base = self.current_spec().with_training(epochs=self.grid.epochs_spin.value())
            request = GridRequest(base, self.grid.param(), self.grid.values(), self.grid.cv(),
                                  self.grid.repeats_spin.value(), self.grid.score()).check()
        except SpecError as exc:
            self._show_problem("Cannot search yet: " + str(exc))
            self.grid.refuse(str(exc))
            return
        self._grid_job = self.controller.grid(request)
        self._jobs.append(self._grid_job)
        self._batch = []
        self.grid.start(request)
        self._started()

    def _job_done(self, job_id: int) -> None:
        if job_id in self._jobs:
            self._jobs.remove(job_id)
        if job_id == self._grid_job:
            self._grid_job = None
        self._update_buttons()

    # Progress and results ----------------------------------------------------------------------
    @Slot(int, object)
    def _progressed(self, run_id: int, progress: Progress) -> None:
        self.progress_bar.setValue(round(progress.fraction * 1000))
        left = progress.seconds / progress.fraction - progress.seconds if progress.fraction > 0 else 0.0
        where = f"Run {self._batch.index(run_id) + 1} of {len(self._batch)} · " if len(self._batch) > 1 \
            and run_id in self._batch else ""
        status = self.board.status.get(run_id)
        patience = (f" · no better {status.monitor} for {status.wait} of {status.patience} epochs (best: "
                    f"epoch {status.best_epoch})" if status is not None else "")
        self.progress_bar.setFormat(f"{where}Epoch {progress.epoch}/{progress.epochs}{patience} · "
                                    f"about {left:.0f} s left")

    @Slot(int, object)
    def _run_finished(self, run_id: int, record: RunRecord) -> None:
        self._job_done(run_id)
        self.progress_bar.setValue(1000 if record.outcome != "stopped" else self.progress_bar.value())
        test = f"test accuracy {record.test_accuracy:.3f}" if record.test_accuracy is not None else "not tested"
        name = self.board.name(run_id)
        self.progress_bar.setFormat(f"{name}: {test}" + (f" · {len(self._jobs)} waiting" if self._jobs else ""))
        self.statusBar().showMessage(f"{name}: {record.reason}; {test}.")

    @Slot(int, str)
    def _run_failed(self, run_id: int, message: str) -> None:
        self._job_done(run_id)
        self.progress_bar.setFormat("Training failed")
        self.show_error(f"{self.board.name(run_id)} failed: {message}")

    @Slot(int, int, object)
    def _grid_progressed(self, job_id: int, done: int, progress: Progress) -> None:
        total = max(self.grid.total, 1)
        self.progress_bar.setValue(round((done + progress.fraction) / total * 1000))
        self.progress_bar.setFormat(f"Grid search: trial {done + 1} of {total} · epoch {progress.epoch}/"
                                    f"{progress.epochs}")

    @Slot(int, object)
    def _grid_trial(self, job_id: int, trial: object) -> None:
        self.grid.add_trial(trial)  # type: ignore[arg-type]

    @Slot(int, object)
    def _grid_finished(self, job_id: int, result: GridResult) -> None:
        self._job_done(job_id)
        self.grid.finish(result)
        self.progress_bar.setValue(1000 if not result.cancelled else self.progress_bar.value())
        best = f"best {result.best.value:g}" if result.best else "no trial finished"
        how = "cancelled" if result.cancelled else "done"
        self.progress_bar.setFormat(f"Grid search {how}: {best}")
        # The status bar would otherwise still speak of the last run trained before the search.
        self.statusBar().showMessage(f"Grid search over {PARAMS[result.param]} {how}: {len(result.trials)} "
                                     f"trials in {result.seconds:.0f} s, {best}.")

    @Slot(int, str)
    def _grid_failed(self, job_id: int, message: str) -> None:
        self._job_done(job_id)
        self.grid.fail(message)
        self.progress_bar.setFormat("Grid search failed")
        self.show_error(f"The grid search failed: {message}")

    def _show_problem(self, message: str) -> None:
        # Messages can hold paths and rules such as "<= 10": text, not markup.
        self.message_label.setText(f"<span style='color:#b00020'>{html.escape(message)}</span>")

    def show_error(self, message: str) -> None:
        self.message_label.setProperty("kind", "error")
        self.message_label.setText(f"<span style='color:#b00020'><b>{html.escape(message)}</b></span>")

    def closeEvent(self, event: QCloseEvent) -> None:
        # Stop within a batch and wait for the thread, so Qt never destroys a running thread.
        self.controller.shutdown()
        event.accept()
