"""The student's notes: free text kept in the Lab, saved with the lab file, handed in with it."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from ..core.lab.lab import Lab
from .lab_signals import LabSignals
from .widgets import explain

TYPING_PAUSE_MS = 400  # the Lab hears of a change once typing pauses, not at every key


class NotesView(QWidget):
    def __init__(self, lab: Lab, signals: LabSignals, parent: QWidget | None = None):
        super().__init__(parent)
        self.lab = lab
        self.edit = explain(QPlainTextEdit(), "Notes", "Your own notes on this lab: what you tried, what you "
                            "saw, your answers. They are saved in the lab file.", "notesEdit")
        self.edit.setPlaceholderText("Write what you tried and what you observed. Saved with the lab (Ctrl+S).")
        hint = QLabel("Notes are part of the lab file, so a teacher sees them when you hand the file in.")
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(hint)
        layout.addWidget(self.edit, 1)
        self._pause = QTimer(self, singleShot=True, interval=TYPING_PAUSE_MS)
        self._pause.timeout.connect(self.commit)
        self.edit.textChanged.connect(self._pause.start)
        signals.notesChanged.connect(self._show)
        signals.labReplaced.connect(self._show)
        self._show()

    def commit(self) -> None:
        """Hand the text to the Lab now (also before saving, so the last words are never lost)."""
        self._pause.stop()
        self.lab.set_notes(self.edit.toPlainText())

    def _show(self) -> None:
        if self.edit.toPlainText() != self.lab.notes:
            self.edit.blockSignals(True)
            self.edit.setPlainText(self.lab.notes)
            self.edit.blockSignals(False)
