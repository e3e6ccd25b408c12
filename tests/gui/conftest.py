import gc

import pytest
from PySide6.QtCore import QObject, Signal, Slot

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
    """Receives the worker's signals on the GUI thread, in the order the window sees them.

    It also re-emits them from the GUI thread, and tests wait on those: pytest-qt 4.5's
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
        worker.runStarted.connect(self.started)
        worker.epochEnded.connect(self.epoch)
        worker.progressed.connect(self.progress)
        worker.runFinished.connect(self.finished)
        worker.runFailed.connect(self.failed)
        worker.earlyStopping.connect(self.early)
        worker.gridTrial.connect(self.trial)
        worker.gridFinished.connect(self.grid_finished)

    @Slot(int)
    def started(self, run_id):
        self.events.append(("started", run_id))

    @Slot(int, object)
    def epoch(self, run_id, record):
        self.events.append(("epoch", record.epoch))
        self.epochEnded.emit(run_id, record)

    @Slot(int, object)
    def progress(self, run_id, progress):
        self.events.append(("progress", progress.epoch))

    @Slot(int, object)
    def finished(self, run_id, record):
        self.events.append(("finished", record))
        self.runFinished.emit(run_id, record)

    @Slot(int, str)
    def failed(self, run_id, message):
        self.events.append(("failed", message))
        self.runFailed.emit(run_id, message)

    @Slot(int, object)
    def early(self, run_id, status):
        self.events.append(("early", status))

    @Slot(int, object)
    def trial(self, job_id, trial):
        self.events.append(("trial", trial))
        self.gridTrial.emit(job_id, trial)

    @Slot(int, object)
    def grid_finished(self, job_id, result):
        self.events.append(("grid", result))
        self.gridFinished.emit(job_id, result)

    def kinds(self):
        return [kind for kind, _ in self.events if kind not in ("progress", "early")]


@pytest.fixture
def window(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    w.controller.start()
    qtbot.waitUntil(lambda: w.tf_ready, timeout=60_000)
    w.training.dataset_combo.setCurrentIndex(w.training.dataset_combo.findData("blobs"))
    w.training.batch_spin.setValue(32)
    w.recorder = Recorder(w.controller.worker)
    yield w
    w.close()
    assert w.controller.thread.isFinished()
