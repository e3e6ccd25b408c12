"""The RegStudio window: controls on the left, the views (curves and runs table, weights, grid search,
decision boundary, Keras code, notes) in the middle, the lesson and what happened docked on the right.

Everything the student makes lives in one Lab (core/lab/); the views follow it through
LabSignals and write to it, never to each other. The window composes the builder's spec,
checks it before every run (problems are shown under the Train button, never as
dialogs), hands runs, comparisons and grid searches to the training thread's queue, and
passes the training thread's events to the Lab. Files, autosave and recovery are
LabFiles' business (lab_files.py).
"""

from __future__ import annotations

import html
from dataclasses import replace

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QMainWindow

from ..core.datasets import known_shape
from ..core.errors import Problem, SpecError
from ..core.experiments.comparisons import comparison_specs
from ..core.experiments.grid_search import GRID_PARAMS, SearchFinished, SearchProgress, TrialsFailed
from ..core.experiments.presets import PRESETS, preset
from ..core.lab.lab import Lab
from ..core.lessons.observations import chance
from ..core.training.events import JobFailed, Progress, RunFinished
from ..core.training.run_spec import RunSpec
from ..core.training.session import RunRequest
from .boundary.boundary_view import BoundaryView
from .builder.network_panel import ModelBuilderPanel
from .builder.regularization_panel import RegularizationPanel
from .builder.training_panel import TrainingPanel
from .grid.grid_view import GridSearchView
from .grid.run_on import close_workers
from .lab_files import LabFiles
from .lab_signals import LabSignals
from .lessons.lesson_actions import LessonActions
from .runs.curves_view import CurvesView
from .runs.export_menu import ExportMenu
from .runs.runs_table import RunsPanel
from .top_bar import TopBar
from .training.epoch_time_notice import EpochTimeNotice
from .training.status import TrainingStatus
from .training.worker import TrainingController
from .weights.weights_view import WeightsView
from .widgets import ScientificSpinBox
from .window_layout import build_layout, build_view_menu, fit_scroll_width
from .window_menus import build_menus


class MainWindow(QMainWindow):
    def __init__(self, controller: TrainingController | None = None, lab: Lab | None = None):
        super().__init__()
        self.resize(1440, 900)
        self.setAcceptDrops(True)
        self.controller = controller or TrainingController(self)
        self.lab = lab or Lab(preset("none").run_spec())
        self.signals = LabSignals(self.lab, self)
        self.tf_ready = False
        self._jobs: list[int] = []  # the Lab's ids of queued or running runs and searches, oldest first
        self._batch: list[int] = []  # the runs of the current comparison, for "run 2 of 3"
        self._showing_spec = False  # filling the panels from the Lab: no echo back

        self.builder = ModelBuilderPanel(self.lab.spec.model)
        self.regularization = RegularizationPanel()
        self.training = TrainingPanel()
        self.curves = CurvesView(self.lab, self.signals)
        self.weights = WeightsView(self.lab, self.signals)
        self.grid = GridSearchView(self.lab, self.signals)
        self.boundary = BoundaryView(self.lab, self.signals)
        self.runs = RunsPanel(self.lab, self.signals)

        bar = TopBar()
        self.preset_combo, self.train_button = bar.preset_combo, bar.train_button
        self.compare_button, self.compare_menu = bar.compare_button, bar.compare_menu
        self.controlled_check = bar.controlled_check
        self.stop_button, self.progress_bar = bar.stop_button, bar.progress_bar
        bar.compareRequested.connect(self.compare)
        self.message_label = QLabel()
        self.message_label.setObjectName("messageLabel")
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.RichText)
        self.export_menu = ExportMenu(self)
        self.runs.set_export_menu(self.export_menu)

        build_layout(self, bar)
        self.statusBar().showMessage("Loading TensorFlow in the background…")

        self.files = LabFiles(self)
        self.status = TrainingStatus(self.lab, self.progress_bar, self.statusBar())
        self.epoch_time = EpochTimeNotice(self.training.data_shape, self._show_note)
        self.lesson_actions = LessonActions(self)
        self.lesson.actionRequested.connect(self.lesson_actions.run)
        build_menus(self)
        build_view_menu(self)
        self.runs.codeRequested.connect(self.show_code_of)
        for spin in self.findChildren(ScientificSpinBox):  # a learning rate of 10 is refused aloud
            spin.refused.connect(self._show_problem)

        self.preset_combo.currentIndexChanged.connect(self._preset_chosen)
        self.builder.modelChanged.connect(self._model_changed)
        self.regularization.edit.connect(self._apply_edit)
        self.regularization.earlyStoppingChanged.connect(self._panels_changed)
        self.training.changed.connect(self._panels_changed)
        self.training.dataChanged.connect(lambda: self.builder.set_data_shape(self.training.data_shape()))
        self.train_button.clicked.connect(self.train)
        self.stop_button.clicked.connect(self.stop)
        self.grid.runRequested.connect(self._grid_button)
        self.grid.applied.connect(lambda param, value: self.statusBar().showMessage(
            f"Applied {GRID_PARAMS[param].label} = {value:g}. Press Train to train with it.", 10_000))
        self.grid.trialsShown.connect(lambda n: self.view_tabs.setCurrentWidget(self.curves_page))
        self.signals.specChanged.connect(lambda from_builder: None if from_builder else self._show_spec())
        self.signals.labReplaced.connect(self._lab_replaced)
        self.signals.limitsChanged.connect(self._check)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.train)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self.stop)

        # Every receiver of a training-thread signal is a declared @Slot: PySide6 6.8+ can
        # corrupt memory delivering cross-thread signals to undecorated methods (PYSIDE-3124).
        worker = self.controller.worker
        worker.ready.connect(self._tf_ready)
        worker.loadFailed.connect(self._tf_failed)
        worker.jobEvent.connect(self._training_event)
        worker.stepCost.connect(self._step_cost_measured)
        self._preset_chosen()
        self.builder.select_layer(0)  # an editor with something in it from the start

    # Spec: panels <-> Lab ---------------------------------------------------------------------
    def current_spec(self) -> RunSpec:
        early = self.regularization.early_stopping()
        return RunSpec(self.builder.model, self.training.training_config(early), self.training.data_spec())

    def _panels_changed(self) -> None:
        if not self._showing_spec:
            self.lab.set_spec(self.current_spec(), from_builder=True)
        self._check()

    def _show_spec(self) -> None:
        """Fill the panels from the Lab's spec (a file, a lesson, Apply best), without echo."""
        spec = self.lab.spec
        self._showing_spec = True
        try:
            self.training.set_data(spec.data)
            self.builder.set_data_shape(self.training.data_shape())
            self.builder.set_model(spec.model)
            self.regularization.sync(spec.model, spec.training.early_stopping)
            self.training.set_training(spec.training)
        finally:
            self._showing_spec = False
        self._check()

    def _run_label(self, spec: RunSpec) -> str:
        for p in PRESETS.values():
            if p.model == spec.model and p.training.early_stopping == spec.training.early_stopping:
                return p.name
        return "custom"

    def problems(self) -> list[Problem]:
        spec = self.current_spec()
        shape = known_shape(spec.data.dataset)
        return spec.validate() + self.lab.limits.problems(spec, shape)

    def _check(self) -> list[Problem]:
        problems = self.problems()
        if problems:
            self._show_problem("Cannot train yet: " + "; ".join(str(p) for p in problems))
        elif self.message_label.property("kind") != "error":
            self.message_label.setText("")
        self._update_buttons(problems)
        return problems

    @property
    def busy(self) -> bool:
        return bool(self._jobs)

    def _update_buttons(self, problems: list[Problem] | None = None) -> None:
        problems = self.problems() if problems is None else problems
        busy = self.busy
        can_start = self.tf_ready and not busy and not problems
        self.train_button.setEnabled(can_start)
        self.compare_button.setEnabled(can_start)
        self.train_button.setText("Train" if self.tf_ready else "Getting ready…")
        self.stop_button.setEnabled(busy)
        searching = any(self.lab.search(j) is not None for j in self._jobs)
        self.grid.set_running(searching, can_start)

    # Reactions -------------------------------------------------------------------------------
    def select_preset(self, name: str) -> None:
        self.preset_combo.setCurrentIndex(self.preset_combo.findData(name))

    def show_code_of(self, run_id: int) -> None:
        """A run's own Keras code (runs table, right click)."""
        self.code.show_run(run_id)
        self.view_tabs.setCurrentWidget(self.code)

    def apply_text_scale(self, scale: float) -> None:
        """Larger text: the plots' fonts and lines follow the window's font."""
        points = self.text_size.size
        for view in (self.curves, self.weights, self.grid):
            view.set_scale(scale, points)
        for i in range(self.controls.count()):  # wider text needs wider control columns
            fit_scroll_width(self.controls.widget(i))

    def _preset_chosen(self) -> None:
        p = preset(self.preset_combo.currentData())
        self._showing_spec = True
        self.builder.set_model(p.model)
        self.regularization.sync(p.model, p.training.early_stopping)
        # The preset decides the epochs (100 for early stopping); the user's other training
        # settings, such as the seed, stay as they are. The 2-D playground brings its own data.
        self.training.set_training(p.training_for(self.training.training_config(None)))
        if p.data_for(self.training.data_spec()) != self.training.data_spec():
            self.training.set_data(p.data_for(self.training.data_spec()))
        self._showing_spec = False
        self.builder.set_data_shape(self.training.data_shape())
        self.preset_combo.setToolTip(f"<b>{p.title}</b><br>{p.what}<br><i>When:</i> {p.when}")
        self._panels_changed()

    def _apply_edit(self, edit: object) -> None:
        self.builder.set_model(edit(self.builder.model))  # type: ignore[operator]
        self._panels_changed()

    def _model_changed(self, model: object) -> None:
        self.regularization.sync(self.builder.model, self.regularization.early_stopping())
        self._panels_changed()

    def _lab_replaced(self) -> None:
        self._show_spec()
        self.view_tabs.setCurrentWidget(self.curves_page)

    def undo(self) -> None:
        restored = self.lab.undo()
        if restored:
            self.statusBar().showMessage(f"Brought back {restored} run{'s' * (restored != 1)}.", 6000)

    @Slot(str)
    def _tf_failed(self, message: str) -> None:
        self.show_error(f"TensorFlow could not load: {message}")

    @Slot(str)
    def _tf_ready(self, version: str) -> None:
        self.tf_ready = True
        self.statusBar().showMessage(f"Ready (Keras {version}). Press Train.", 8000)
        self._update_buttons()

    # Starting and stopping -------------------------------------------------------------------
    def _queue_runs(self, specs: list[tuple[str, RunSpec]]) -> list[int]:
        """Add labelled runs to the Lab and queue them at once, so compatible ones may train together."""
        fuse = self.training.fuse_check.isChecked()
        ids = [self.lab.add_run(spec, label) for label, spec in specs]
        self.controller.submit_all([(run_id, RunRequest(spec, self.lab.run(run_id).name, fuse))
                                    for run_id, (_, spec) in zip(ids, specs, strict=True)])
        self._jobs += ids
        return ids

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
        self._batch = self._queue_runs([(self._run_label(spec), spec)])
        self._started()
        self.epoch_time.queued([spec])

    def compare(self, key: str) -> None:
        """Queue one of the lesson's comparisons on the current training settings and data."""
        if not self.compare_button.isEnabled() or self._check():
            return
        specs = comparison_specs(key, self.current_spec(), self.controlled_check.isChecked(),
                                 preset(self.preset_combo.currentData()).network)  # on the chosen preset's network
        self.queue_runs(specs)

    def queue_runs(self, specs: list[tuple[str, RunSpec]]) -> None:
        """Queue labelled runs (a comparison), fused where they can be unless unticked; earlier runs stay."""
        self._batch = self._queue_runs(specs)
        self._started()
        self.epoch_time.queued([spec for _, spec in specs])
        self.view_tabs.setCurrentWidget(self.curves_page)

    def stop(self) -> None:
        if self._jobs:
            dropped = set(self.controller.stop())
            self.lab.drop_waiting(dropped)
            self._jobs = [j for j in self._jobs if j not in dropped]
            self.progress_bar.setFormat("Stopping after this batch…")
            self._update_buttons()

    def _grid_button(self) -> None:
        if any(self.lab.search(j) is not None for j in self._jobs):
            self.stop()
            return
        if not self.grid.can_start():
            return
        try:
            request = replace(self.grid.request(self.current_spec()), fuse=self.training.fuse_check.isChecked())
        except SpecError as exc:
            self._show_problem("Cannot search yet: " + str(exc))
            self.grid.refuse(str(exc))
            return
        search_id = self.lab.add_search(request)
        self.controller.submit(search_id, request)
        self._jobs.append(search_id)
        self._batch = []
        self._started()

    def _job_done(self, job_id: int) -> None:
        if job_id in self._jobs:
            self._jobs.remove(job_id)
        self._update_buttons()

    # The training thread's events ------------------------------------------------------------
    @Slot(int, object)
    def _training_event(self, job_id: int, event: object) -> None:
        if job_id not in self._jobs:
            return  # a job of a lab since replaced, or one dropped by Stop
        if isinstance(event, Progress):
            self.status.run_progressed(job_id, event, self._batch)
            self.epoch_time.progressed(job_id, event)
            return
        if isinstance(event, SearchProgress):
            self.status.search_progressed(event)
            return
        self.lab.apply(job_id, event)
        if isinstance(event, TrialsFailed):  # a lost worker, say: said where failures are, the search goes on
            self.show_error(f"{event.message}; the search goes on without them.")
        if isinstance(event, (RunFinished, SearchFinished, JobFailed)):
            self._job_done(job_id)
            if isinstance(event, JobFailed):
                self.status.failed(job_id)
                self.show_error(f"{self.status.job_name(job_id)} failed: {event.message}")
            else:
                self.status.finished(job_id, waiting=len(self._jobs))
                self.files.run_finished()
                run = self.lab.run(job_id)
                stuck = chance(run.record) if run is not None and run.record is not None else None
                if stuck is not None:  # a learning rate of 1: say why nothing was learned, where it is seen
                    self._show_problem(stuck.text)

    @Slot(object)
    def _step_cost_measured(self, cost: object) -> None:
        self.epoch_time.cost = cost  # type: ignore[assignment]

    # Messages ----------------------------------------------------------------------------------
    def _show_note(self, message: str) -> None:
        """Something to know, not a mistake: how long the epochs about to run will take. A failure shown stays."""
        if self.message_label.property("kind") == "error":
            return
        self.message_label.setProperty("kind", None)
        self.message_label.setText(html.escape(message))

    def _show_problem(self, message: str) -> None:
        # Messages can hold paths and rules such as "<= 10": text, not markup.
        self.message_label.setText(f"<span style='color:#b00020'>{html.escape(message)}</span>")

    def show_error(self, message: str) -> None:
        self.message_label.setProperty("kind", "error")
        self.message_label.setText(f"<span style='color:#b00020'><b>{html.escape(message)}</b></span>")

    # Files dropped on the window, and closing ----------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.files.droppable(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = self.files.droppable(event.mimeData())
        if path:
            event.acceptProposedAction()
            QTimer.singleShot(0, lambda: self.files.open_path(path))  # not inside the drop: a dialog may follow

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.files.confirm_close():
            event.ignore()
            return
        # Stop within a batch and wait for the thread, so Qt never destroys a running thread.
        self.controller.shutdown()
        self._jobs.clear()  # what the stopped thread still sends is for nobody now
        close_workers()  # now, not at exit: their processes would outlive a window still closing
        self.files.closed()
        event.accept()
