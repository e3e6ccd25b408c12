import gc

import pytest
from PySide6.QtCore import QObject, QSettings, Signal, Slot

from regstudio.core.experiments.grid_search import SearchFinished, TrialFinished
from regstudio.core.training.events import (
    EarlyStoppingStatus,
    EpochEnded,
    JobFailed,
    Progress,
    RunFinished,
    RunStarted,
)
from regstudio.gui.main_window import MainWindow


@pytest.fixture(autouse=True)
def garbage_collected_between_tests():
    """Python's automatic garbage collection off during each GUI test, as in the app.

    Left on, a collection can start inside a pyqtgraph item's Python paint() and delete
    plot items the scene is in the middle of drawing: a segfault in QPainter::restore,
    seen about once in ten runs of the suite (and every time for the weight viewer's tests
    run alone, while its extras still re-created their curves). The app avoids it with
    pyqtgraph's GarbageCollector, which TrainingController.start() installs; widget tests
    build no controller, so here garbage is collected after each test instead.
    """
    enabled = gc.isenabled()
    gc.disable()
    yield
    gc.collect()
    if enabled:
        gc.enable()


class Recorder(QObject):
    """Receives the worker's events on the GUI thread, in the order the window sees them.

    It also re-emits some from the GUI thread, and tests wait on those: pytest-qt 4.5's
    waitSignal stops its timeout timer from whichever thread emits, which Qt reports as
    "Timers cannot be stopped from another thread" (pytest-qt pull request 649).
    """

    epochEnded = Signal(int, object)
    runFinished = Signal(int, object)
    runFailed = Signal(int, str)
    gridFinished = Signal(int, object)
    gridTrial = Signal(int, object)

    def __init__(self, worker):
        super().__init__()
        self.events = []
        worker.jobEvent.connect(self.on_event)

    @Slot(int, object)
    def on_event(self, job_id, event):
        if isinstance(event, RunStarted):
            self.events.append(("started", job_id))
        elif isinstance(event, EpochEnded):
            self.events.append(("epoch", event.record.epoch))
            self.epochEnded.emit(job_id, event.record)
        elif isinstance(event, Progress):
            self.events.append(("progress", event.epoch))
        elif isinstance(event, RunFinished):
            self.events.append(("finished", event.record))
            self.runFinished.emit(job_id, event.record)
        elif isinstance(event, JobFailed):
            self.events.append(("failed", event.message))
            self.runFailed.emit(job_id, event.message)
        elif isinstance(event, EarlyStoppingStatus):
            self.events.append(("early", event))
        elif isinstance(event, TrialFinished):
            self.events.append(("trial", event.trial))
            self.gridTrial.emit(job_id, event.trial)
        elif isinstance(event, SearchFinished):
            self.events.append(("grid", event.result))
            self.gridFinished.emit(job_id, event.result)

    def kinds(self):
        return [kind for kind, _ in self.events if kind not in ("progress", "early")]


@pytest.fixture(autouse=True)
def private_settings_and_state(tmp_path, monkeypatch):
    """Each test gets its own QSettings file and autosave folder: nothing leaks between tests or to the user."""
    # The app's settings are IniFormat on every system (lab_files.settings()), so this moves them on every system.
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    # settings() reads the old NativeFormat file once, where it is a file (Linux): that one is moved too, so a test
    # never starts with the user's own settings. (On Windows and macOS, where setPath cannot move it, it is not read.)
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    monkeypatch.setenv("REGSTUDIO_STATE_DIR", str(tmp_path / "state"))
    # Windows that tests start in a process of their own (copying os.environ) keep their
    # settings here too, on Linux, where Qt looks under XDG_CONFIG_HOME.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def use_dataset(window, name):
    combo = window.training.dataset_combo
    combo.setCurrentIndex(combo.findData(name))


@pytest.fixture
def window(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    w.controller.start()
    qtbot.waitUntil(lambda: w.tf_ready, timeout=60_000)
    use_dataset(w, "blobs")
    w.training.batch_spin.setValue(32)
    w.recorder = Recorder(w.controller.worker)
    w.files.ask_save_changes = lambda name: "discard"  # tests never leave a dialog open
    yield w
    w.close()
    assert w.controller.thread.isFinished()
