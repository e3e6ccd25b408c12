"""The RegStudio window: builder and controls on the left, live curves on the right.

The window composes a RunSpec from its panels, checks it before every run (problems are
shown under the Train button, never as dialogs), and hands it to the training thread. It
only ever receives plain records back.
"""

from __future__ import annotations

import html
from dataclasses import replace

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import Problem
from ..core.presets import PRESETS, preset
from ..core.records import EpochRecord, RunRecord
from ..core.run_spec import RunSpec
from ..core.training_callback import Progress
from .curves_view import CurvesView
from .model_builder_panel import ModelBuilderPanel
from .regularization_panel import RegularizationPanel
from .training_panel import TrainingPanel
from .training_worker import TrainingController
from .weights_view import WeightsView
from .widgets import explain


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
        self.resize(1440, 880)
        self.controller = controller or TrainingController(self)
        self.tf_ready = False
        self._running: int | None = None
        self._run_names: dict[int, str] = {}

        start = preset("none")
        self.builder = ModelBuilderPanel(start.model)
        self.regularization = RegularizationPanel()
        self.training = TrainingPanel()
        self.curves = CurvesView()
        self.weights = WeightsView()

        self.preset_combo = explain(QComboBox(), "Preset", "Load one of the lesson's models: the same "
                                    "network with one technique added.", "presetCombo")
        for p in PRESETS.values():
            self.preset_combo.addItem(f"{p.name}: {p.title}", p.name)
            self.preset_combo.setItemData(self.preset_combo.count() - 1, f"{p.what}\nWhen: {p.when}",
                                          Qt.ItemDataRole.ToolTipRole)
        self.train_button = explain(QPushButton("Train"), "Train", "Train the network as set up here and "
                                    "draw its curves next to earlier runs (Ctrl+Enter).", "trainButton")
        self.stop_button = explain(QPushButton("Stop"), "Stop", "End training after the current batch; "
                                   "the test set is still scored (Esc).", "stopButton")
        self.progress_bar = explain(QProgressBar(), "Training progress", "Epochs done and time left.",
                                    "progressBar")
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("Not started")
        self.progress_bar.setTextVisible(True)
        self.message_label = QLabel()
        self.message_label.setObjectName("messageLabel")
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.RichText)
        for button in (self.train_button, self.stop_button):
            button.setMinimumWidth(110)
        self.train_button.setStyleSheet("QPushButton:enabled { font-weight: bold; }")

        top = QHBoxLayout()
        top.addWidget(QLabel("Preset"))
        top.addWidget(self.preset_combo)
        top.addWidget(self.train_button)
        top.addWidget(self.stop_button)
        top.addWidget(self.progress_bar, 1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(4, 0, 0, 0)
        self.view_tabs = QTabWidget()
        self.view_tabs.setObjectName("viewTabs")
        self.view_tabs.addTab(self.curves, "Curves")
        self.view_tabs.addTab(self.weights, "Weights")
        right_layout.addWidget(self.view_tabs, 1)
        splitter = QSplitter()
        splitter.addWidget(_scroll(self.builder))
        splitter.addWidget(_scroll(self.regularization, self.training))
        splitter.addWidget(right)
        splitter.setChildrenCollapsible(False)
        # The control columns get the width their controls need (their scroll areas' minimum,
        # so nothing is clipped); the plots get the rest.
        splitter.setSizes([1, 1, 10_000])
        splitter.setStretchFactor(2, 1)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(top)
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
        self.curves.clear_button.clicked.connect(self._clear_weights)
        self.stop_button.clicked.connect(self.stop)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.train)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self.stop)

        # Every receiver of a training-thread signal is a declared @Slot: PySide6 6.8+ can
        # corrupt memory delivering cross-thread signals to undecorated methods (PYSIDE-3124).
        worker = self.controller.worker
        worker.ready.connect(self._tf_ready)
        worker.loadFailed.connect(self._tf_failed)
        worker.runStarted.connect(self._run_started_slot)
        worker.layoutsReady.connect(self._layouts_ready)
        worker.firstKernel.connect(self._first_kernel)
        worker.epochEnded.connect(self._epoch_ended)
        worker.progressed.connect(self._progressed)
        worker.runFinished.connect(self._run_finished)
        worker.runFailed.connect(self._run_failed)
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
            text = html.escape("; ".join(str(p) for p in problems))
            self.message_label.setText(f"<span style='color:#b00020'>Cannot train yet: {text}</span>")
        elif self.message_label.property("kind") != "error":
            self.message_label.setText("")
        self._update_buttons(problems)
        return problems

    def _update_buttons(self, problems: list[Problem] | None = None) -> None:
        problems = self.current_spec().validate() if problems is None else problems
        busy = self._running is not None
        self.train_button.setEnabled(self.tf_ready and not busy and not problems)
        self.train_button.setText("Train" if self.tf_ready else "Getting ready…")
        self.stop_button.setEnabled(busy)

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

    def _clear_weights(self) -> None:
        self.weights.remove_runs(set(self.curves.runs))  # Clear plots clears both views

    @Slot(str)
    def _tf_failed(self, message: str) -> None:
        self._show_error(f"TensorFlow could not load: {message}")

    @Slot(str)
    def _tf_ready(self, version: str) -> None:
        self.tf_ready = True
        self.statusBar().showMessage(f"Ready (Keras {version}). Press Train.", 8000)
        self._update_buttons()

    # Training ------------------------------------------------------------------------------
    def train(self) -> None:
        if not self.train_button.isEnabled() or self._check():
            return
        spec = self.current_spec()
        self.message_label.setProperty("kind", None)
        self.message_label.setText("")
        run_id = self.controller.train(spec)
        self._run_names[run_id] = f"{run_id}: {self._run_label(spec)}"
        self._running = run_id
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("Preparing data and model…")
        self._update_buttons()

    def stop(self) -> None:
        if self._running is not None:
            self.controller.stop()
            self.progress_bar.setFormat("Stopping after this batch…")

    @Slot(int)
    def _run_started_slot(self, run_id: int) -> None:
        name = self._run_names.get(run_id, f"run {run_id}")
        color = self.curves.start_run(run_id, name)
        self.weights.start_run(run_id, name, color)

    @Slot(int, object)
    def _layouts_ready(self, run_id: int, layouts: tuple) -> None:
        self.weights.set_layouts(run_id, layouts)

    @Slot(int, int, object, object)
    def _first_kernel(self, run_id: int, epoch: int, kernel: object, image_shape: object) -> None:
        self.weights.set_first_kernel(run_id, kernel, image_shape)

    @Slot(int, object)
    def _epoch_ended(self, run_id: int, record: EpochRecord) -> None:
        self.curves.add_epoch(run_id, record)
        self.weights.add_epoch(run_id, record)

    @Slot(int, object)
    def _progressed(self, run_id: int, progress: Progress) -> None:
        self.progress_bar.setValue(round(progress.fraction * 1000))
        left = progress.seconds / progress.fraction - progress.seconds if progress.fraction > 0 else 0.0
        self.progress_bar.setFormat(f"Epoch {progress.epoch}/{progress.epochs} · about {left:.0f} s left")

    @Slot(int, object)
    def _run_finished(self, run_id: int, record: RunRecord) -> None:
        self.curves.finish_run(run_id)
        self._running = None
        self.progress_bar.setValue(1000 if record.outcome != "stopped" else self.progress_bar.value())
        test = f"test accuracy {record.test_accuracy:.3f}" if record.test_accuracy is not None else "not tested"
        self.progress_bar.setFormat(f"{self._run_names.get(run_id)}: {test}")
        self.statusBar().showMessage(f"{self._run_names.get(run_id)}: {record.reason}; {test}.")
        self._update_buttons()

    @Slot(int, str)
    def _run_failed(self, run_id: int, message: str) -> None:
        self.curves.finish_run(run_id)
        self._running = None
        self.progress_bar.setFormat("Training failed")
        self._show_error(f"{self._run_names.get(run_id, 'The run')} failed: {message}")
        self._update_buttons()

    def _show_error(self, message: str) -> None:
        self.message_label.setProperty("kind", "error")
        # Messages can hold paths and rules such as "<= 10": text, not markup.
        self.message_label.setText(f"<span style='color:#b00020'><b>{html.escape(message)}</b></span>")

    def closeEvent(self, event: QCloseEvent) -> None:
        # Stop within a batch and wait for the thread, so Qt never destroys a running thread.
        self.controller.shutdown()
        event.accept()
