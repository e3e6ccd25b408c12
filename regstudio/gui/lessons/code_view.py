"""The Keras code of what is built, updated as the builder changes; Copy and Save as .py.

It shows the Lab's spec (the builder's network and training settings), or, after a right
click on a run in the runs table, that run's own spec until "Back to the builder".
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from ...core.lab.lab import Lab
from ...core.output_files import destination_problem, write_text_atomic
from ...core.training.keras_code import program
from ...core.training.run_spec import RunSpec
from ..lab_signals import LabSignals
from ..widgets import explain


class CodeView(QWidget):
    def __init__(self, lab: Lab, signals: LabSignals, parent: QWidget | None = None):
        super().__init__(parent)
        self.lab = lab
        self._run: int | None = None  # a run whose code is shown instead of the builder's
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.text = explain(QPlainTextEdit(), "Keras code", "The Keras program of the network and training set up "
                            "here: copy it into a notebook that has x_train and y_train.", "codeView")
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.text.setFont(font)
        self.copy_button = explain(QPushButton("Copy"), "Copy the code", "Put the whole program on the clipboard.",
                                   "copyCodeButton")
        self.save_button = explain(QPushButton("Save as .py…"), "Save the code", "Write the program to a Python "
                                   "file.", "saveCodeButton")
        self.back_button = explain(QPushButton("Back to the builder"), "Back to the builder", "Show the code of "
                                   "the network in the builder again.", "codeBackButton")
        row = QHBoxLayout()
        row.addWidget(self.title, 1)
        row.addWidget(self.back_button)
        row.addWidget(self.copy_button)
        row.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.text, 1)
        self.copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.text.toPlainText()))
        self.save_button.clicked.connect(self._ask_save)
        self.back_button.clicked.connect(lambda: self.show_run(None))
        for signal in (signals.specChanged, signals.labReplaced):
            signal.connect(self.refresh)
        signals.runsRemoved.connect(lambda ids: self.show_run(None) if self._run in ids else None)
        self.refresh()

    def spec(self) -> tuple[RunSpec, str]:
        run = self.lab.run(self._run) if self._run is not None else None
        if run is not None:
            return run.spec, f"the code of run {run.name}"
        return self.lab.spec, "the network and training in the builder"

    def show_run(self, run_id: int | None) -> None:
        self._run = run_id
        self.refresh()

    def refresh(self, *_: object) -> None:
        spec, what = self.spec()
        self.title.setText(f"Keras code of {what}. It needs x_train and y_train; RegStudio's own extras (the "
                           "penalty shown apart, weight statistics) are left out.")
        code = program(spec, f"RegStudio, {what}")
        if code != self.text.toPlainText():
            self.text.setPlainText(code)
        self.back_button.setVisible(self._run is not None)

    def save_to(self, path: str | Path) -> str | None:
        """Write the code; None when written, else why not (one sentence)."""
        path = Path(path)
        problem = destination_problem(path)
        if problem:
            return f"{path}: {problem}"
        try:
            write_text_atomic(path, self.text.toPlainText())
        except OSError as exc:
            return f"{path}: could not be saved ({exc.strerror or exc})"
        return None

    def _ask_save(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the Keras code", str(Path.home() / "regstudio_model.py"),
                                              "Python (*.py)")
        if path:
            if not path.endswith(".py"):
                path += ".py"
            problem = self.save_to(path)
            self.window().statusBar().showMessage(problem or f"Saved the code to {path}", 8000)
