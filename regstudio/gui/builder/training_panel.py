"""Training settings and the data choice: what the TrainingConfig and DataSpec are made of."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...core.datasets import catalog, known_shape
from ...core.datasets.spec import FILE_DATASET, DataSpec
from ...core.training.run_spec import OPTIMIZERS, EarlyStopping, TrainingConfig
from ..widgets import ScientificSpinBox, explain


class TrainingPanel(QGroupBox):
    changed = Signal()
    dataChanged = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Training and data", parent)
        self._file: str | None = None
        defaults = DataSpec()
        self._data_extras = (defaults.samples, defaults.noise, defaults.seed)
        form = QFormLayout(self)

        self.optimizer_combo = explain(QComboBox(), "Optimizer", "How weights are updated from the "
                                       "gradients. adam is the lesson's choice.", "optimizerCombo")
        self.optimizer_combo.addItems(OPTIMIZERS)
        self.lr_spin = explain(ScientificSpinBox(1e-5, 1.0), "Learning rate", "Step size of each update. "
                               "Too large and the loss jumps or becomes NaN.", "learningRateSpin")
        self.lr_spin.setValue(0.001)
        self.epochs_spin = explain(QSpinBox(), "Epochs", "Passes over the training data. Many epochs "
                                   "without regularization is how a network memorizes.", "epochsSpin")
        self.epochs_spin.setRange(1, 1000)
        self.batch_spin = explain(QSpinBox(), "Batch size", "Examples per update. Small batches are "
                                  "noisier, which itself regularizes a little.", "batchSizeSpin")
        self.batch_spin.setRange(1, 65536)
        self.split_spin = explain(QDoubleSpinBox(), "Validation share", "Part of the training data held "
                                  "out each epoch to show overfitting as it happens.", "validationSplitSpin")
        self.split_spin.setRange(0.05, 0.5)
        self.split_spin.setSingleStep(0.05)
        self.seed_spin = explain(QSpinBox(), "Seed", "Fixes the initial weights and the shuffling, so "
                                 "two runs differ only in what you changed.", "seedSpin")
        self.seed_spin.setRange(0, 2**31 - 1)

        self.dataset_combo = explain(QComboBox(), "Dataset", "What to train on. The 5,000 digits ship "
                                     "with RegStudio; small data overfits easily.", "datasetCombo")
        for info in catalog():
            self.dataset_combo.addItem(info.title, info.name)
            item = self.dataset_combo.model().item(self.dataset_combo.count() - 1)
            item.setEnabled(info.available)
            item.setToolTip(info.where if info.available else f"Not on this computer: {info.where}")
        # Sized by a typical name, not the longest one: the open list shows them in full, and
        # a combo as wide as "Fashion-MNIST clothing, 70,000" took the plots' room.
        self.dataset_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.dataset_combo.setMinimumContentsLength(16)
        self.import_button = explain(QPushButton("Import…"), "Import a data file", "Train on your own "
                                     ".npz, .csv or IDX file.", "importButton")
        self.import_button.clicked.connect(self._import)
        # The combo over the button, not beside it: the column stays narrow enough for 1366 px screens.
        data_row = QVBoxLayout()
        data_row.addWidget(self.dataset_combo)
        data_row.addWidget(self.import_button)
        self.train_size_spin = explain(QSpinBox(), "Training examples", "Use only this many training "
                                       "examples (0 = all). Fewer examples, more overfitting.", "trainSizeSpin")
        self.train_size_spin.setRange(0, 10_000_000)
        self.train_size_spin.setSpecialValueText("all")
        self.train_size_spin.setSingleStep(500)
        self.noise_spin = explain(QDoubleSpinBox(), "Label noise", "Share of training labels made wrong "
                                  "on purpose. An unregularized network learns the wrong ones too.",
                                  "labelNoiseSpin")
        self.noise_spin.setRange(0.0, 0.9)
        self.noise_spin.setSingleStep(0.05)

        form.addRow("Optimizer", self.optimizer_combo)
        form.addRow("Learning rate", self.lr_spin)
        form.addRow("Epochs", self.epochs_spin)
        form.addRow("Batch size", self.batch_spin)
        form.addRow("Validation share", self.split_spin)
        form.addRow("Seed", self.seed_spin)
        form.addRow("Dataset", data_row)
        form.addRow("Training examples", self.train_size_spin)
        form.addRow("Label noise", self.noise_spin)
        # How the queue trains, not part of any run: each run's record is the same either way.
        self.fuse_check = explain(QCheckBox("Train compared runs together"), "Train compared runs together",
                                  "The runs of a comparison, or a grid search's values, that differ only in their "
                                  "network train side by side as one model: about twice as fast, and every run's "
                                  "numbers are the ones it would get alone. Untick to train them one after "
                                  "another and show the difference in time.", "fuseCheck")
        self.fuse_check.setChecked(True)
        form.addRow("", self.fuse_check)

        for spin in (self.lr_spin, self.epochs_spin, self.batch_spin, self.split_spin, self.seed_spin):
            spin.valueChanged.connect(self.changed)
        self.optimizer_combo.currentIndexChanged.connect(self.changed)
        for signal in (self.dataset_combo.currentIndexChanged, self.train_size_spin.valueChanged,
                       self.noise_spin.valueChanged):
            signal.connect(self.dataChanged)
            signal.connect(self.changed)
        self.set_training(TrainingConfig())

    def set_training(self, config: TrainingConfig) -> None:
        self.optimizer_combo.setCurrentText(config.optimizer)
        self.lr_spin.setValue(config.learning_rate)
        self.epochs_spin.setValue(config.epochs)
        self.batch_spin.setValue(config.batch_size)
        self.split_spin.setValue(config.validation_split)
        self.seed_spin.setValue(config.seed)

    def training_config(self, early: EarlyStopping | None) -> TrainingConfig:
        return TrainingConfig(self.optimizer_combo.currentText(), self.lr_spin.value(),
                              self.epochs_spin.value(), self.batch_spin.value(),
                              round(self.split_spin.value(), 4), self.seed_spin.value(), early)

    def data_spec(self) -> DataSpec:
        name = self.dataset_combo.currentData()
        size = self.train_size_spin.value() or None
        noise = round(self.noise_spin.value(), 4)
        samples, spread, seed = self._data_extras  # not shown here; kept as a lab file brought them
        if name == FILE_DATASET:
            return DataSpec(FILE_DATASET, size, noise, path=self._file, samples=samples, noise=spread, seed=seed)
        return DataSpec(name, size, noise, samples=samples, noise=spread, seed=seed)

    def data_shape(self) -> tuple[int, int] | None:
        return known_shape(self.dataset_combo.currentData())

    def set_data(self, data: DataSpec) -> None:
        """Show `data` (from a lab file or a lesson); a file the lab names is offered as the user's file."""
        if data.dataset == FILE_DATASET and data.path:
            self.choose_file(data.path)
        else:
            index = self.dataset_combo.findData(data.dataset)
            if index >= 0:
                self.dataset_combo.setCurrentIndex(index)
        self.train_size_spin.setValue(data.train_size or 0)
        self.noise_spin.setValue(data.label_noise)
        self._data_extras = (data.samples, data.noise, data.seed)

    def choose_file(self, path: str) -> None:
        self._file = path
        index = self.dataset_combo.findData(FILE_DATASET)
        if index < 0:
            self.dataset_combo.addItem("", FILE_DATASET)
            index = self.dataset_combo.count() - 1
        self.dataset_combo.setItemText(index, f"Your file: {Path(path).name}")
        self.dataset_combo.setItemData(index, path, Qt.ItemDataRole.ToolTipRole)
        self.dataset_combo.setCurrentIndex(index)
        self.dataChanged.emit()

    def _import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a dataset", str(Path.home()),
                                              "Data files (*.npz *.csv *.txt *.gz *ubyte *.idx);;All files (*)")
        if path:
            self.choose_file(path)
