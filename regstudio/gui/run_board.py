"""Keeps the three views of the runs in step: the curves, the weight viewer and the runs table.

Every run appears in all three at once, in one color, under one name. Renaming it in the
table renames it everywhere; unticking it hides it from the curves and the histogram;
removing it removes it from all three. The board receives the training thread's per-run
signals (its slots are declared, see PYSIDE-3124 in main_window) and nothing else: what
the window does with a finished run beyond drawing it (progress bar, buttons) is its own.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot

from ..core.training.keras_callbacks import EarlyStoppingStatus
from ..core.training.records import EpochRecord, RunRecord
from .runs.curves_view import CurvesView
from .runs.runs_table import RunsPanel
from .weights.weights_view import WeightsView


class RunBoard(QObject):
    def __init__(self, curves: CurvesView, weights: WeightsView, runs: RunsPanel, parent: QObject | None = None):
        super().__init__(parent)
        self.curves, self.weights, self.runs = curves, weights, runs
        self.names: dict[int, str] = {}  # run id -> name, set when the run is queued
        self._numbered = 0  # runs are numbered 1, 2, 3... in the order they were named
        self.status: dict[int, EarlyStoppingStatus] = {}  # the latest, for runs with early stopping
        model = runs.model
        model.shownChanged.connect(self._shown_changed)
        model.renamed.connect(self._renamed)
        runs.removeRequested.connect(self.remove)
        curves.clear_button.clicked.connect(lambda: self.remove(curves.finished_runs()))

    def name(self, run_id: int) -> str:
        return self.names.get(run_id, f"run {run_id}")

    def next_name(self, label: str) -> str:
        """"4: l2": the next run number and what the run is; the table, legends and record use it."""
        self._numbered += 1
        return f"{self._numbered}: {label}"

    def records(self) -> list[RunRecord]:
        """Finished runs in the order the table shows them."""
        return self.runs.records_in_view_order()

    # From the training thread -------------------------------------------------------------
    @Slot(int)
    def started(self, run_id: int) -> None:
        name = self.name(run_id)
        color = self.curves.start_run(run_id, name)
        self.weights.start_run(run_id, name, color)
        self.runs.model.add_run(run_id, name, color)

    @Slot(int, object)
    def layouts(self, run_id: int, layouts: tuple) -> None:
        self.weights.set_layouts(run_id, layouts)

    @Slot(int, int, object, object)
    def first_kernel(self, run_id: int, epoch: int, kernel: object, image_shape: object) -> None:
        self.weights.set_first_kernel(run_id, kernel, image_shape)  # type: ignore[arg-type]

    @Slot(int, object)
    def epoch(self, run_id: int, record: EpochRecord) -> None:
        self.curves.add_epoch(run_id, record)
        self.weights.add_epoch(run_id, record)

    @Slot(int, object)
    def early_stopping(self, run_id: int, status: EarlyStoppingStatus) -> None:
        self.status[run_id] = status
        self.curves.mark_early_stopping(run_id, status.best_epoch, None)

    @Slot(int, object)
    def finished(self, run_id: int, record: RunRecord) -> None:
        self.curves.finish_run(run_id)
        if record.best_epoch is not None:  # the final word on the markers: the run's own record
            self.curves.mark_early_stopping(run_id, record.best_epoch, record.stop_epoch)
        self.runs.model.finish(run_id, record)
        self.status.pop(run_id, None)

    @Slot(int, str)
    def failed(self, run_id: int, message: str) -> None:
        self.curves.finish_run(run_id)
        self.runs.model.fail(run_id, message)
        self.status.pop(run_id, None)

    def add_finished(self, run_id: int, label: str, record: RunRecord) -> None:
        """Show a run that trained elsewhere (a grid search trial) as if it had just finished."""
        self.names[run_id] = self.next_name(label)
        self.started(run_id)
        self.layouts(run_id, record.layouts)
        for epoch in record.epochs:
            self.epoch(run_id, epoch)
        self.finished(run_id, record)

    # From the table -----------------------------------------------------------------------
    def remove(self, run_ids: set[int]) -> None:
        """Remove finished runs everywhere; a run still training stays."""
        done = set(run_ids) & self.curves.finished_runs()
        self.curves.remove_runs(done)
        self.weights.remove_runs(set(self.weights.runs) - done)
        self.runs.model.remove(done)
        for run_id in done:
            self.names.pop(run_id, None)

    def _shown_changed(self, run_id: int, shown: bool) -> None:
        self.curves.set_shown(run_id, shown)
        self.weights.set_shown(run_id, shown)

    def _renamed(self, run_id: int, name: str) -> None:
        self.names[run_id] = name
        self.curves.rename(run_id, name)
        self.weights.rename(run_id, name)
