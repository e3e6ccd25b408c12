"""Small widgets the panels share: run colours, an epoch axis, a log-scale strength control, labelling."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QHBoxLayout, QSlider, QWidget

# Runs keep their colour for life: the Lab stores an index, every view maps it through here.
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")


def run_color(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


class IntegerAxis(pg.AxisItem):
    """An axis of whole numbers (epochs): never a tick at 1.5, however far one zooms in."""

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:
        levels = [(spacing, [v for v in values if float(v).is_integer()])
                  for spacing, values in super().tickValues(minVal, maxVal, size) if spacing >= 1]
        if any(values for _, values in levels):
            return levels
        return [(1.0, [float(v) for v in range(math.ceil(minVal), math.floor(maxVal) + 1)])]


def explain(widget: QWidget, name: str, tip: str, object_name: str | None = None) -> QWidget:
    """Give a control its accessible name and a tooltip that says what it does to overfitting."""
    widget.setAccessibleName(name)
    widget.setAccessibleDescription(tip)
    widget.setToolTip(f"<b>{name}</b><br>{tip}")
    if object_name:
        widget.setObjectName(object_name)
    return widget


class ScientificSpinBox(QDoubleSpinBox):
    """A spin box for values spanning decades: shows 1e-04, steps by a quarter decade.

    A typed value outside the range is not silently put back: `refused` says what was typed
    and what is allowed, and the window shows it.
    """

    refused = Signal(str)

    def __init__(self, low: float, high: float, parent: QWidget | None = None):
        super().__init__(parent)
        self.setDecimals(12)
        self.setRange(low, high)
        self.setKeyboardTracking(False)  # act on the finished number, not each keystroke

    def textFromValue(self, value: float) -> str:
        return f"{value:.3g}" if value >= 1e-3 else f"{value:.2e}".replace("e-0", "e-")

    def valueFromText(self, text: str) -> float:
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int) -> object:
        try:
            value = float(text)
        except ValueError:
            # Half-typed numbers like "1e" or "0." must be allowed while typing.
            ok = text.strip() == "" or any(c in "eE.-+" for c in text[-1:])
            return (QValidator.State.Intermediate if ok else QValidator.State.Invalid, text, pos)
        if self.minimum() <= value <= self.maximum():
            return (QValidator.State.Acceptable, text, pos)
        return (QValidator.State.Intermediate, text, pos)

    def stepBy(self, steps: int) -> None:
        self.setValue(min(self.maximum(), max(self.minimum(), self.value() * 10 ** (steps / 4))))

    def fixup(self, text: str) -> str:
        """Qt calls this when editing ends on a value it will not take; it then keeps the old one."""
        try:
            typed = float(text)
        except ValueError:
            typed = None
        name = self.accessibleName() or "This value"
        allowed = f"from {self.textFromValue(self.minimum())} to {self.textFromValue(self.maximum())}"
        shown = text.strip() or "nothing"
        if typed is not None and math.isfinite(typed):
            self.refused.emit(f"{name} = {shown}: allowed {allowed}; it stays {self.textFromValue(self.value())}")
        else:
            self.refused.emit(f"{name} = {shown}: a number {allowed}; it stays {self.textFromValue(self.value())}")
        return text


class LogStrength(QWidget):
    """A regularization strength from `low` to `high`: a log-scale slider beside a spin box."""

    valueChanged = Signal(float)
    STEPS_PER_DECADE = 20

    def __init__(self, low: float = 1e-6, high: float = 1.0, value: float = 1e-3,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._low_exp, self._high_exp = math.log10(low), math.log10(high)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, round((self._high_exp - self._low_exp) * self.STEPS_PER_DECADE))
        self.spin = ScientificSpinBox(low, high)
        self.spin.setMinimumWidth(90)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.spin)
        self.slider.valueChanged.connect(self._from_slider)
        self.spin.valueChanged.connect(self._from_spin)
        self.setValue(value)

    def value(self) -> float:
        return self.spin.value()

    def setValue(self, value: float) -> None:
        self.spin.setValue(value)

    def _from_slider(self, position: int) -> None:
        value = 10 ** (self._low_exp + position / self.STEPS_PER_DECADE)
        if not math.isclose(value, self.spin.value(), rel_tol=0.06):
            self.spin.setValue(float(f"{value:.2g}"))  # tidy numbers: 0.0032, not 0.0031623

    def _from_spin(self, value: float) -> None:
        position = round((math.log10(max(value, 1e-12)) - self._low_exp) * self.STEPS_PER_DECADE)
        self.slider.blockSignals(True)
        self.slider.setValue(position)
        self.slider.blockSignals(False)
        self.valueChanged.emit(value)

    def set_accessible(self, name: str, tip: str) -> None:
        explain(self.slider, f"{name} (slider)", tip)
        explain(self.spin, name, tip)
