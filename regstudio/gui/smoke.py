"""REGSTUDIO_SMOKE=1: the window proves it works, then quits (packaging/smoke_bundle.sh).

Once TensorFlow has loaded and Train is enabled, it trains the default preset for one
epoch on the embedded digits and quits with 0 if the run completed, 1 if it failed or
TensorFlow did not load, 3 if nothing happened within the time limit. Everything waits on
Qt signals and timers, nothing sleeps.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QApplication

from ..core.training.events import JobFailed, RunFinished


class SmokeRun(QObject):
    def __init__(self, window, timeout_ms: int = 600_000, quit=QApplication.exit):
        super().__init__(window)
        self.window = window
        self._exit = quit  # QApplication.exit ends app.exec() with the code
        self.exit_code: int | None = None
        worker = window.controller.worker
        # Declared slots: the worker emits from its own thread (see MainWindow.__init__).
        worker.ready.connect(self._ready)
        worker.loadFailed.connect(self._load_failed)
        worker.jobEvent.connect(self._event)
        window.files.ask_save_changes = lambda name: "discard"  # a smoke run never waits on a dialog
        self._deadline = QTimer(self, singleShot=True, interval=timeout_ms)
        self._deadline.timeout.connect(lambda: self._quit(3, f"nothing finished within {timeout_ms // 1000} s"))
        self._deadline.start()

    @Slot(str)
    def _ready(self, version: str) -> None:
        QTimer.singleShot(0, self._train)  # queued behind the window's own handler, which enables Train

    def _train(self) -> None:
        if getattr(sys, "frozen", False) and not _spawned_process_works():
            self._quit(1, "a process started by multiprocessing did not work")
            return
        if not self.window.train_button.isEnabled():
            self._quit(1, "TensorFlow loaded but Train stayed disabled")
            return
        self.window.training.epochs_spin.setValue(1)
        self.window.train()

    @Slot(str)
    def _load_failed(self, message: str) -> None:
        self._quit(1, f"TensorFlow did not load: {message}")

    @Slot(int, object)
    def _event(self, run_id: int, event: object) -> None:
        if isinstance(event, RunFinished):
            record = event.record
            done = record.outcome == "completed" and len(record.epochs) == 1
            self._quit(0 if done else 1, f"{record.outcome} after {len(record.epochs)} epoch(s) on "
                                         f"{record.dataset.name}, test accuracy {record.test_accuracy}")
        elif isinstance(event, JobFailed):
            self._quit(1, f"training failed: {event.message}")

    def _quit(self, code: int, message: str) -> None:
        if self.exit_code is not None:
            return
        self.exit_code = code
        self._deadline.stop()
        print(f"regstudio smoke: {'ok' if code == 0 else 'FAILED'}: {message}", file=sys.stderr, flush=True)
        self.window.close()  # stops and joins the training thread
        self._exit(code)


def _spawned_process_works() -> bool:
    """In a bundle, a fresh process re-runs the program; freeze_support() must catch it."""
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.map(abs, [-2]) == [2]
