"""All regularization switches in one place, applied to every hidden Dense layer at once.

Each control announces an *edit*: a function from the current ModelSpec to the next, so a
change of the L2 strength touches only the penalties and keeps everything else the student
built by hand. The core's preset helpers do the actual rewriting.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QSpinBox, QWidget

from ...core.experiments.presets import DROPOUT_RATE, L1_STRENGTH, L2_STRENGTH, NOISE_STDDEV
from ...core.model import (
    PENALTY_KINDS,
    STRENGTHS_USED,
    BatchNorm,
    Dense,
    Dropout,
    GaussianNoise,
    ModelSpec,
    Regularizer,
)
from ...core.model.edits import with_batchnorm, with_dropout, with_noise, with_regularizer
from ...core.model.layers import MAX_NOISE
from ...core.training.run_spec import MONITORS, EarlyStopping
from ..widgets import LogStrength, explain

ModelEdit = Callable[[ModelSpec], ModelSpec]


class RegularizationPanel(QGroupBox):
    edit = Signal(object)  # ModelEdit
    earlyStoppingChanged = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Regularization (all hidden layers)", parent)
        self._syncing = False
        form = QFormLayout(self)

        self.penalty_combo = explain(QComboBox(), "Weight penalty", "Adds the size of the weights to "
                                     "the loss. L1 makes many weights exactly zero; L2 keeps them all "
                                     "small; L1 + L2 does both.", "penaltyCombo")
        for kind in PENALTY_KINDS.values():
            self.penalty_combo.addItem(kind.label, kind.key)
        self.l1_strength = LogStrength(value=L1_STRENGTH)
        self.l1_strength.setObjectName("l1Strength")
        self.l1_strength.set_accessible("L1 strength λ1", "How hard L1 pulls weights to zero. Too small: "
                                        "still overfits. Too large: most weights die and it underfits.")
        self.l2_strength = LogStrength(value=L2_STRENGTH)
        self.l2_strength.setObjectName("l2Strength")
        self.l2_strength.set_accessible("L2 strength λ2", "How hard L2 shrinks weights. Too small: still "
                                        "overfits. Too large: weights cannot grow and it underfits.")
        self.dropout_check = explain(QCheckBox("Dropout after each hidden layer"), "Dropout",
                                     "Silences a random share of each hidden layer's outputs while "
                                     "training, so no unit can rely on another.", "dropoutCheck")
        self.dropout_rate = explain(QDoubleSpinBox(), "Dropout rate", "The share silenced: 0.2 to 0.5 "
                                    "is typical, 0.7 is a lot.", "dropoutRateSpin")
        self.dropout_rate.setRange(0.05, 0.95)
        self.dropout_rate.setSingleStep(0.05)
        self.dropout_rate.setValue(DROPOUT_RATE)
        self.noise_check = explain(QCheckBox("Gaussian noise after each hidden layer"), "Gaussian noise",
                                   "Adds random values to each hidden layer's outputs while training, so the "
                                   "next layer cannot rely on exact values.", "noiseCheck")
        self.noise_stddev = explain(QDoubleSpinBox(), "Noise spread", "Standard deviation of the added noise: "
                                    "0.05 to 0.5 is typical.", "noiseStddevSpin")
        self.noise_stddev.setRange(0.01, MAX_NOISE)
        self.noise_stddev.setSingleStep(0.05)
        self.noise_stddev.setValue(NOISE_STDDEV)
        self.batchnorm_check = explain(QCheckBox("Batch normalization"), "Batch normalization",
                                       "Normalizes each hidden layer's inputs to its activation batch by "
                                       "batch: steadier training, a mild regularizer.", "batchnormCheck")

        self.early_box = QGroupBox("Early stopping")
        self.early_box.setCheckable(True)
        self.early_box.setChecked(False)
        explain(self.early_box, "Early stopping", "Stops when the watched validation number has not "
                "improved for 'patience' epochs, before the network memorizes the training set.",
                "earlyStoppingBox")
        early = QFormLayout(self.early_box)
        self.monitor_combo = explain(QComboBox(), "Watch", "What to watch: validation loss is the usual "
                                     "choice.", "monitorCombo")
        self.monitor_combo.addItems(MONITORS)
        self.patience_spin = explain(QSpinBox(), "Patience", "Epochs without improvement to wait before "
                                     "stopping. Small: stops at the first wobble.", "patienceSpin")
        self.patience_spin.setRange(0, 1000)
        self.patience_spin.setValue(5)
        self.restore_check = explain(QCheckBox("Go back to the best epoch's weights"), "Restore best weights",
                                     "At the end, keep the weights of the best epoch rather than the "
                                     "last.", "restoreCheck")
        self.restore_check.setChecked(True)
        early.addRow("Watch", self.monitor_combo)
        early.addRow("Patience", self.patience_spin)
        early.addRow(self.restore_check)

        form.addRow("Penalty", self.penalty_combo)
        form.addRow("L1 λ", self.l1_strength)
        form.addRow("L2 λ", self.l2_strength)
        form.addRow(self.dropout_check)
        form.addRow("Rate", self.dropout_rate)
        form.addRow(self.noise_check)
        form.addRow("Spread", self.noise_stddev)
        form.addRow(self.batchnorm_check)
        form.addRow(self.early_box)

        self.penalty_combo.currentIndexChanged.connect(self._penalty_edited)
        self.l1_strength.valueChanged.connect(self._penalty_edited)
        self.l2_strength.valueChanged.connect(self._penalty_edited)
        self.dropout_check.toggled.connect(self._dropout_edited)
        self.dropout_rate.valueChanged.connect(self._dropout_edited)
        self.noise_check.toggled.connect(self._noise_edited)
        self.noise_stddev.valueChanged.connect(self._noise_edited)
        self.batchnorm_check.toggled.connect(self._batchnorm_edited)
        for signal in (self.early_box.toggled, self.monitor_combo.currentIndexChanged,
                       self.patience_spin.valueChanged, self.restore_check.toggled):
            signal.connect(self._early_edited)
        self._enable()

    # Reading -------------------------------------------------------------------------------
    def regularizer(self) -> Regularizer:
        kind = self.penalty_combo.currentData()
        return Regularizer.from_strengths(kind, self.l1_strength.value(), self.l2_strength.value())

    def early_stopping(self) -> EarlyStopping | None:
        if not self.early_box.isChecked():
            return None
        return EarlyStopping(self.monitor_combo.currentText(), self.patience_spin.value(), 0.0,
                             self.restore_check.isChecked())

    # Showing a model or preset without echoing edits back -------------------------------------
    def sync(self, model: ModelSpec, early: EarlyStopping | None) -> None:
        self._syncing = True
        dense = [layer for layer in model.layers if isinstance(layer, Dense)]
        reg = dense[0].regularizer if dense else Regularizer()
        self.penalty_combo.setCurrentIndex(self.penalty_combo.findData(reg.kind))
        if reg.l1 > 0:
            self.l1_strength.setValue(reg.l1)
        if reg.l2 > 0:
            self.l2_strength.setValue(reg.l2)
        dropouts = [layer for layer in model.layers if isinstance(layer, Dropout)]
        self.dropout_check.setChecked(bool(dropouts))
        if dropouts:
            self.dropout_rate.setValue(dropouts[0].rate)
        noises = [layer for layer in model.layers if isinstance(layer, GaussianNoise)]
        self.noise_check.setChecked(bool(noises))
        if noises:
            self.noise_stddev.setValue(noises[0].stddev)
        self.batchnorm_check.setChecked(any(isinstance(layer, BatchNorm) for layer in model.layers))
        self.early_box.setChecked(early is not None)
        if early is not None:
            self.monitor_combo.setCurrentText(early.monitor)
            self.patience_spin.setValue(early.patience)
            self.restore_check.setChecked(early.restore_best)
        self._syncing = False
        self._enable()

    # Edits ---------------------------------------------------------------------------------
    def _enable(self) -> None:
        kind = self.penalty_combo.currentData()
        self.l1_strength.setEnabled("l1" in STRENGTHS_USED[kind])
        self.l2_strength.setEnabled("l2" in STRENGTHS_USED[kind])
        self.dropout_rate.setEnabled(self.dropout_check.isChecked())
        self.noise_stddev.setEnabled(self.noise_check.isChecked())

    def _penalty_edited(self) -> None:
        self._enable()
        if not self._syncing:
            reg = self.regularizer()
            self.edit.emit(lambda model: with_regularizer(model, reg))

    def _dropout_edited(self) -> None:
        self._enable()
        if not self._syncing:
            rate = round(self.dropout_rate.value(), 4) if self.dropout_check.isChecked() else 0.0
            self.edit.emit(lambda model: with_dropout(model, rate))

    def _noise_edited(self) -> None:
        self._enable()
        if not self._syncing:
            stddev = round(self.noise_stddev.value(), 4) if self.noise_check.isChecked() else 0.0
            self.edit.emit(lambda model: with_noise(model, stddev))

    def _batchnorm_edited(self, on: bool) -> None:
        if not self._syncing:
            self.edit.emit(lambda model: with_batchnorm(model, on))

    def _early_edited(self) -> None:
        if not self._syncing:
            self.earlyStoppingChanged.emit()
