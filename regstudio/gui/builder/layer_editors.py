"""One editor page per layer type, registered by the type's key (core/model/layers.py).

A page shows a layer's settings and, when the student changes one, makes the new layer
from the old one. A new technique is its core class plus one page here.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QFormLayout, QLabel, QSpinBox, QWidget

from ...core.model import (
    ACTIVATIONS,
    MAX_UNITS,
    PENALTY_KINDS,
    STRENGTHS_USED,
    Activation,
    BatchNorm,
    Dense,
    Dropout,
    GaussianNoise,
    Layer,
    Regularizer,
)
from ...core.model.layers import MAX_NOISE
from ..widgets import ScientificSpinBox, explain


class LayerEditor(QWidget):
    edited = Signal()  # the student changed a setting; the panel asks for the new layer

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.form = QFormLayout(self)
        self._showing = False

    def show_layer(self, layer: Layer) -> None:
        """Fill the controls from `layer` without announcing an edit."""
        self._showing = True
        try:
            self._fill(layer)
        finally:
            self._showing = False

    def _fill(self, layer: Layer) -> None:
        pass

    def layer(self, old: Layer) -> Layer:
        """The layer the controls now describe, keeping what they do not show from `old`."""
        return old

    def _changed(self) -> None:
        if not self._showing:
            self.edited.emit()


class DenseEditor(LayerEditor):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.units_spin = explain(QSpinBox(), "Units", "Neurons in this layer. More units, more "
                                  "capacity to memorize the training set.", "unitsSpin")
        self.units_spin.setRange(1, MAX_UNITS)
        self.activation_combo = explain(QComboBox(), "Activation", "The nonlinearity after the layer. "
                                        "'linear' is used before batch normalization.", "activationCombo")
        self.activation_combo.addItems(ACTIVATIONS)
        self.reg_combo = explain(QComboBox(), "Weight penalty", "Adds the size of this layer's weights "
                                 "to the loss, so the network prefers small or few weights.", "layerRegCombo")
        for kind in PENALTY_KINDS.values():
            self.reg_combo.addItem(kind.short, kind.key)
        self.l1_spin = explain(ScientificSpinBox(1e-6, 1.0), "L1 strength for this layer", "λ1 in λ1·Σ|w|: larger "
                               "pushes more weights to exactly zero.", "layerL1Spin")
        self.l2_spin = explain(ScientificSpinBox(1e-6, 1.0), "L2 strength for this layer", "λ2 in λ2·Σw²: larger "
                               "keeps all weights smaller.", "layerL2Spin")
        for label, widget in (("Units", self.units_spin), ("Activation", self.activation_combo),
                              ("Penalty", self.reg_combo), ("L1 λ", self.l1_spin), ("L2 λ", self.l2_spin)):
            self.form.addRow(label, widget)
        for spin in (self.units_spin, self.l1_spin, self.l2_spin):
            spin.valueChanged.connect(self._changed)
        for combo in (self.activation_combo, self.reg_combo):
            combo.currentIndexChanged.connect(self._changed)

    def _fill(self, layer: Dense) -> None:
        reg = layer.regularizer
        self.units_spin.setValue(layer.units)
        self.activation_combo.setCurrentText(layer.activation)
        self.reg_combo.setCurrentIndex(self.reg_combo.findData(reg.kind))
        self.l1_spin.setValue(reg.l1 or 0.01)
        self.l2_spin.setValue(reg.l2 or 0.001)
        self.l1_spin.setEnabled("l1" in STRENGTHS_USED[reg.kind])
        self.l2_spin.setEnabled("l2" in STRENGTHS_USED[reg.kind])

    def layer(self, old: Dense) -> Dense:
        reg = Regularizer.from_strengths(self.reg_combo.currentData(), self.l1_spin.value(), self.l2_spin.value())
        return replace(old, units=self.units_spin.value(), activation=self.activation_combo.currentText(),
                       regularizer=reg)


class DropoutEditor(LayerEditor):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.rate_spin = explain(QDoubleSpinBox(), "Dropout rate", "Share of the previous layer's outputs "
                                 "silenced at random in each training step. 0.2 to 0.5 is typical; "
                                 "too high and the network underfits.", "rateSpin")
        self.rate_spin.setRange(0.0, 0.95)
        self.rate_spin.setSingleStep(0.05)
        self.rate_spin.setDecimals(2)
        self.rate_spin.valueChanged.connect(self._changed)
        self.form.addRow("Rate", self.rate_spin)

    def _fill(self, layer: Dropout) -> None:
        self.rate_spin.setValue(layer.rate)

    def layer(self, old: Dropout) -> Dropout:
        return Dropout(round(self.rate_spin.value(), 4))


class NoiseEditor(LayerEditor):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.stddev_spin = explain(QDoubleSpinBox(), "Noise spread", "Standard deviation of the random values "
                                   "added to the previous layer's outputs while training. 0.05 to 0.5 is "
                                   "typical; nothing is added at test time.", "noiseSpin")
        self.stddev_spin.setRange(0.0, MAX_NOISE)
        self.stddev_spin.setSingleStep(0.05)
        self.stddev_spin.setDecimals(3)
        self.stddev_spin.valueChanged.connect(self._changed)
        self.form.addRow("Stddev", self.stddev_spin)

    def _fill(self, layer: GaussianNoise) -> None:
        self.stddev_spin.setValue(layer.stddev)

    def layer(self, old: GaussianNoise) -> GaussianNoise:
        return GaussianNoise(round(self.stddev_spin.value(), 4))


class BatchNormEditor(LayerEditor):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        note = QLabel("Batch normalization has no settings: it learns its own scale and shift.")
        note.setWordWrap(True)
        self.form.addRow(note)


class ActivationEditor(LayerEditor):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.function_combo = explain(QComboBox(), "Activation function", "The nonlinearity applied here.",
                                      "activationOnlyCombo")
        self.function_combo.addItems(ACTIVATIONS)
        self.function_combo.currentIndexChanged.connect(self._changed)
        self.form.addRow("Function", self.function_combo)

    def _fill(self, layer: Activation) -> None:
        self.function_combo.setCurrentText(layer.activation)

    def layer(self, old: Activation) -> Activation:
        return Activation(self.function_combo.currentText())


EDITORS: dict[str, type[LayerEditor]] = {Dense.type: DenseEditor, Dropout.type: DropoutEditor,
                                          GaussianNoise.type: NoiseEditor, BatchNorm.type: BatchNormEditor,
                                          Activation.type: ActivationEditor}
