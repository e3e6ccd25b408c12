"""The strip across the top of the window: what to train, the buttons that start and stop it, progress."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QMenu, QProgressBar, QPushButton, QWidget

from ..core.experiments.comparisons import COMPARISONS
from ..core.experiments.presets import PRESETS
from .widgets import explain


class TopBar(QWidget):
    compareRequested = Signal(str)  # comparison key

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.preset_combo = explain(QComboBox(), "Preset", "Load one of the lesson's models: the same "
                                    "network with one technique added.", "presetCombo")
        for p in PRESETS.values():
            self.preset_combo.addItem(f"{p.name}: {p.title}", p.name)
            self.preset_combo.setItemData(self.preset_combo.count() - 1, f"{p.what}\nWhen: {p.when}",
                                          Qt.ItemDataRole.ToolTipRole)
        self.train_button = explain(QPushButton("Train"), "Train", "Train the network as set up here and "
                                    "draw its curves next to earlier runs (Ctrl+Enter).", "trainButton")
        self.compare_button = explain(QPushButton("Compare"), "Compare", "Train one of the lesson's comparisons "
                                      "one run after another, with the training settings and data chosen "
                                      "here.", "compareButton")
        self.compare_menu = QMenu(self.compare_button)
        for c in COMPARISONS.values():
            action = self.compare_menu.addAction(c.title)
            action.setToolTip(c.what)
            action.setData(c.key)
            action.triggered.connect(lambda _=False, key=c.key: self.compareRequested.emit(key))
        self.compare_menu.setToolTipsVisible(True)
        self.compare_button.setMenu(self.compare_menu)
        self.controlled_check = explain(QCheckBox("Controlled"), "Controlled comparison", "Every run of a "
                                        "comparison starts from the same initial weights and sees the same "
                                        "validation split and batch order, so only the technique differs. "
                                        "Off: each run gets its own seed.", "controlledCheck")
        self.controlled_check.setChecked(True)
        self.stop_button = explain(QPushButton("Stop"), "Stop", "End training after the current batch (the "
                                   "test set is still scored) and drop the runs still waiting (Esc).", "stopButton")
        self.progress_bar = explain(QProgressBar(), "Training progress", "Epochs done and time left.",
                                    "progressBar")
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("Not started")
        self.progress_bar.setTextVisible(True)
        for button in (self.train_button, self.compare_button, self.stop_button):
            button.setMinimumWidth(100)
        self.train_button.setStyleSheet("QPushButton:enabled { font-weight: bold; }")

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Preset"))
        for widget in (self.preset_combo, self.train_button, self.compare_button, self.controlled_check,
                       self.stop_button):
            layout.addWidget(widget)
        layout.addWidget(self.progress_bar, 1)
