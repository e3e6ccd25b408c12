"""What the progress bar and the status bar say while jobs train and when they end."""

from __future__ import annotations

from PySide6.QtWidgets import QProgressBar, QStatusBar

from ...core.experiments.grid_search import GRID_PARAMS, SearchProgress
from ...core.lab.lab import Lab
from ...core.training.events import Progress


class TrainingStatus:
    """Turns the training thread's progress and the Lab's finished jobs into sentences."""

    def __init__(self, lab: Lab, bar: QProgressBar, status_bar: QStatusBar):
        self.lab, self.bar, self.status_bar = lab, bar, status_bar

    def job_name(self, job_id: int) -> str:
        run = self.lab.run(job_id)
        return run.name if run is not None else "The grid search"

    def run_progressed(self, run_id: int, progress: Progress, batch: list[int]) -> None:
        self.bar.setValue(round(progress.fraction * 1000))
        left = progress.seconds / progress.fraction - progress.seconds if progress.fraction > 0 else 0.0
        where = f"Run {batch.index(run_id) + 1} of {len(batch)} · " if len(batch) > 1 and run_id in batch else ""
        if progress.together > 1:  # a fused group: its runs share one epoch and batch count
            of = f" of {len(batch)}" if len(batch) > progress.together else ""
            where = f"{progress.together}{of} runs together · "
        run = self.lab.run(run_id)
        status = run.early if run is not None else None
        patience = (f" · no better {status.monitor} for {status.wait} of {status.patience} epochs (best: "
                    f"epoch {status.best_epoch})" if status is not None else "")
        self.bar.setFormat(f"{where}Epoch {progress.epoch}/{progress.epochs}{patience} · about {left:.0f} s left")

    def search_progressed(self, event: SearchProgress) -> None:
        self.bar.setValue(round(event.fraction * 1000))
        epoch = f"epoch {event.progress.epoch}/{event.progress.epochs}"  # of one of them, when several train
        if event.running is not None:  # units on several workers at once: no single "trial N" is training
            self.bar.setFormat(f"Grid search: {event.done} of {event.total} trials done, {event.training} "
                               f"training · {epoch}")
            return
        together = event.progress.together
        trials = f"trials {event.done + 1}–{event.done + together}" if together > 1 else f"trial {event.done + 1}"
        self.bar.setFormat(f"Grid search: {trials} of {event.total} · {epoch}")

    def failed(self, job_id: int) -> None:
        self.bar.setFormat("Training failed" if self.lab.run(job_id) is not None else "Grid search failed")

    def finished(self, job_id: int, waiting: int) -> None:
        run, search = self.lab.run(job_id), self.lab.search(job_id)
        if run is not None and run.record is not None:
            record = run.record
            self.bar.setValue(1000 if record.outcome != "stopped" else self.bar.value())
            test = f"test accuracy {record.test_accuracy:.3f}" if record.test_accuracy is not None else "not tested"
            self.bar.setFormat(f"{run.name}: {test}" + (f" · {waiting} waiting" if waiting else ""))
            self.status_bar.showMessage(f"{run.name}: {record.reason}; {test}.")
        elif search is not None and search.result is not None:
            result = search.result
            self.bar.setValue(1000 if not result.cancelled else self.bar.value())
            best = f"best {result.best.value:g}" if result.best else "no trial finished"
            how = "cancelled" if result.cancelled else "done"
            self.bar.setFormat(f"Grid search {how}: {best}")
            # The status bar would otherwise still speak of the last run trained before the search.
            self.status_bar.showMessage(f"Grid search over {GRID_PARAMS[result.param].label} {how}: "
                                        f"{len(result.trials)} trials in {result.seconds:.0f} s, {best}.")
