"""Limits a teacher puts on a lab before handing it out: most epochs, most units, most parameters."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QSpinBox, QWidget

from ..core.lab.limits import TeacherLimits
from .widgets import explain


def _spin(maximum: int, value: int | None, name: str, tip: str, object_name: str) -> QSpinBox:
    spin = explain(QSpinBox(), name, tip, object_name)
    spin.setRange(0, maximum)
    spin.setSpecialValueText("no limit")
    spin.setValue(value or 0)
    return spin


class LimitsDialog(QDialog):
    def __init__(self, limits: TeacherLimits, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Limits for this lab")
        self.epochs = _spin(1000, limits.max_epochs, "Most epochs", "Runs may not train longer than this.",
                            "maxEpochsSpin")
        self.units = _spin(4096, limits.max_units, "Most units per layer", "No Dense layer may be wider.",
                           "maxUnitsSpin")
        self.params = _spin(100_000_000, limits.max_params, "Most parameters", "The whole network may not learn "
                            "more numbers than this (keeps runs short on slow computers).", "maxParamsSpin")
        self.params.setSingleStep(10_000)
        note = QLabel("Students who open this lab cannot start a run beyond these limits; the window says which "
                      "limit a setting breaks. Save the lab after changing them.")
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(note)
        form.addRow("Most epochs", self.epochs)
        form.addRow("Most units in a layer", self.units)
        form.addRow("Most parameters", self.params)
        form.addRow(buttons)

    def limits(self) -> TeacherLimits:
        return TeacherLimits(self.epochs.value() or None, self.units.value() or None, self.params.value() or None)
