"""What happened: plain sentences about the shown runs and the latest search, renewed as runs finish."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTextBrowser, QVBoxLayout, QWidget

from ...core.lab.lab import Lab
from ...core.lessons.observations import Observation, observe_runs, observe_search
from ..lab_signals import LabSignals
from ..widgets import explain


class ObservationsView(QWidget):
    def __init__(self, lab: Lab, signals: LabSignals, parent: QWidget | None = None):
        super().__init__(parent)
        self.lab = lab
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.text = explain(QTextBrowser(), "What happened", "What the finished runs show, in sentences with their "
                            "numbers: where a run overfits, what a technique changed, which runs are too close to "
                            "call. Only runs ticked in the runs table are described.", "observationsView")
        self.text.setOpenLinks(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.text, 1)
        self.observations: list[Observation] = []
        signals.runChanged.connect(lambda run_id, aspect: self.refresh() if aspect in ("state", "shown", "name")
                                   else None)
        signals.runsRemoved.connect(self.refresh)
        signals.runAdded.connect(self.refresh)
        signals.searchChanged.connect(lambda search_id, aspect: self.refresh() if aspect == "state" else None)
        signals.labReplaced.connect(self.refresh)
        self.refresh()

    def refresh(self, *_: object) -> None:
        records = [run.record for run in self.lab.runs if run.record is not None and run.shown]
        found = observe_runs(records)
        searches = [s.result for s in self.lab.searches if s.result is not None]
        if searches:
            found += observe_search(searches[-1])
        self.observations = found
        if not records and not searches:
            self.heading.setText("Train a run, or press Compare: what it shows appears here.")
        else:
            self.heading.setText(f"{len(found)} observation{'s' * (len(found) != 1)} on {len(records)} shown "
                                 f"run{'s' * (len(records) != 1)}.")
        items = "".join(f"<li style='margin-bottom:6px'>{html.escape(o.text)}</li>" for o in found)
        self.text.setHtml(f"<ul style='margin-left:-20px'>{items}</ul>" if found else
                          "<p style='color:#666'>Nothing stands out yet. Runs that differ only a little, or that do "
                          "not overfit, give little to say: try <b>Make it overfit</b> on the first lesson page.</p>")
        self.text.setAlignment(Qt.AlignmentFlag.AlignLeft)
