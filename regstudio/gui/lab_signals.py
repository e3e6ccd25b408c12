"""The one Qt adapter of the Lab: its events as signals, for views to connect to.

The Lab and this adapter live on the GUI thread, so the signals are delivered at once,
in the order the Lab changed. Views read what changed from the Lab itself; the signals
only say what to look at.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from ..core.lab import events as lab_events
from ..core.lab.lab import Lab


class LabSignals(QObject):
    specChanged = Signal(bool)  # True: the builder's own edit; False: a file, a lesson, a grid value
    runAdded = Signal(int, int)  # run id, its index among the runs
    runChanged = Signal(int, str)  # run id, which aspect (lab/events.py RUN_ASPECTS)
    runsRemoved = Signal(object)  # frozenset of run ids
    searchAdded = Signal(int)
    searchChanged = Signal(int, str)  # search id, "state" or "trial"
    notesChanged = Signal()
    limitsChanged = Signal()
    lessonChanged = Signal()
    labReplaced = Signal()  # everything at once: New, Open, recovery
    modifiedChanged = Signal(bool)

    def __init__(self, lab: Lab, parent: QObject | None = None):
        super().__init__(parent)
        self.lab = lab
        self._stop = lab.observe(self._relay)

    def _relay(self, event: object) -> None:
        if isinstance(event, lab_events.RunChanged):
            self.runChanged.emit(event.run_id, event.aspect)
        elif isinstance(event, lab_events.RunAdded):
            self.runAdded.emit(event.run_id, event.index)
        elif isinstance(event, lab_events.RunsRemoved):
            self.runsRemoved.emit(event.run_ids)
        elif isinstance(event, lab_events.SearchChanged):
            self.searchChanged.emit(event.search_id, event.aspect)
        elif isinstance(event, lab_events.SearchAdded):
            self.searchAdded.emit(event.search_id)
        elif isinstance(event, lab_events.SpecChanged):
            self.specChanged.emit(event.from_builder)
        elif isinstance(event, lab_events.NotesChanged):
            self.notesChanged.emit()
        elif isinstance(event, lab_events.LimitsChanged):
            self.limitsChanged.emit()
        elif isinstance(event, lab_events.LessonChanged):
            self.lessonChanged.emit()
        elif isinstance(event, lab_events.LabReplaced):
            self.labReplaced.emit()
        elif isinstance(event, lab_events.ModifiedChanged):
            self.modifiedChanged.emit(event.modified)

    def detach(self) -> None:
        self._stop()
