"""The training thread: one QObject worker living on one QThread, fed from one job queue.

Everything heavy happens here: importing TensorFlow, loading data, building, fitting and
evaluating, single runs and grid searches alike. Jobs wait in a JobQueue and are taken one
at a time, oldest first; each `put` is followed by one queued "work" signal, so the worker
takes exactly one job per signal. The worker talks back only through signals that carry
plain data (frozen records, strings), so the GUI thread never touches a Keras object.
Stopping is not a signal (the worker is busy inside `fit` and would not see one until it
finished): the GUI thread empties the queue and calls `request_stop()`, which sets a
threading.Event that the session's Keras callback reads before every batch.
"""

from __future__ import annotations

import gc
import threading
import traceback

from pyqtgraph.util.garbage_collector import GarbageCollector
from PySide6.QtCore import QObject, QThread, Signal, Slot

from ...core.datasets import DatasetSplit, load
from ...core.datasets.spec import DataSpec
from ...core.errors import DatasetError, SpecError
from ...core.experiments.grid_search import GridRequest
from ...core.experiments.job_queue import Job, JobQueue
from ...core.training.run_spec import RunSpec


def readable(exc: BaseException) -> str:
    """A message for the window: the user's mistakes as they are, surprises with their type."""
    if isinstance(exc, (SpecError, DatasetError)):
        return str(exc)
    if isinstance(exc, MemoryError):
        return "Not enough memory for this model and dataset; try a smaller training set or fewer units."
    return f"{type(exc).__name__}: {exc}"


class TrainingWorker(QObject):
    ready = Signal(str)  # TensorFlow is loaded; carries its version
    loadFailed = Signal(str)
    runStarted = Signal(int)  # run id
    layoutsReady = Signal(int, object)  # run id, tuple[HistogramLayout, ...] (before epoch 1)
    firstKernel = Signal(int, int, object, object)  # run id, epoch, first kernel (NumPy copy), image shape
    epochEnded = Signal(int, object)  # run id, EpochRecord
    progressed = Signal(int, object)  # run id, Progress
    runFinished = Signal(int, object)  # run id, RunRecord
    runFailed = Signal(int, str)  # run id, message
    earlyStopping = Signal(int, object)  # run id, EarlyStoppingStatus (after each epoch)
    gridProgressed = Signal(int, int, object)  # job id, trials finished, Progress of the current one
    gridTrial = Signal(int, object)  # job id, Trial (with its full run record)
    gridFinished = Signal(int, object)  # job id, GridResult
    gridFailed = Signal(int, str)  # job id, message

    def __init__(self, queue: JobQueue) -> None:
        super().__init__()
        self.queue = queue
        self._lock = threading.Lock()
        self._session = None  # what request_stop() acts on: a TrainingSession or a GridSearch
        self._closing = threading.Event()
        self._data_cache: tuple[DataSpec, DatasetSplit] | None = None

    @Slot()
    def warm_up(self) -> None:
        try:
            from ...core.tf_runtime import import_keras

            keras = import_keras()
        except Exception as exc:  # a broken TensorFlow install: say so, keep the window
            self.loadFailed.emit(readable(exc))
            return
        self.ready.emit(keras.__version__)

    def _data(self, spec: DataSpec) -> DatasetSplit:
        # Runs on the same data follow each other; loading Fashion-MNIST again costs a second.
        if self._data_cache is None or self._data_cache[0] != spec:
            self._data_cache = (spec, load(spec))
        return self._data_cache[1]

    @Slot()
    def work(self) -> None:
        job = self.queue.take()
        if job is None or self._closing.is_set():
            return  # Stop emptied the queue after this job's signal was sent
        if job.kind == "grid":
            self._grid(job.job_id, job.payload)
        else:
            self._train(job.job_id, job.name, job.payload)

    def _train(self, run_id: int, name: str, spec: RunSpec) -> None:
        from ...core.training.session import TrainingSession

        self.runStarted.emit(run_id)
        try:
            data = self._data(spec.data)
            session = TrainingSession(
                spec, data, name=name,
                on_epoch=lambda record: self.epochEnded.emit(run_id, record),
                on_progress=lambda progress: self.progressed.emit(run_id, progress),
                on_start=lambda layouts: self.layoutsReady.emit(run_id, layouts),
                on_first_kernel=lambda epoch, kernel: self.firstKernel.emit(run_id, epoch, kernel,
                                                                            data.image_shape),
                on_early_stopping=lambda status: self.earlyStopping.emit(run_id, status))
            self._begin(session)
            record = session.run()
        except Exception as exc:
            traceback.print_exc()  # for whoever reads the terminal; the window gets a sentence
            self.runFailed.emit(run_id, readable(exc))
        else:
            self.runFinished.emit(run_id, record)
        finally:
            self._begin(None)

    def _grid(self, job_id: int, request: GridRequest) -> None:
        from ...core.experiments.grid_search import GridSearch

        try:
            data = self._data(request.base.data)
            search = GridSearch.of(request, data, on_trial=lambda trial: self.gridTrial.emit(job_id, trial),
                                   on_progress=lambda done, progress: self.gridProgressed.emit(job_id, done, progress))
            self._begin(search)
            result = search.run()
        except Exception as exc:
            traceback.print_exc()
            self.gridFailed.emit(job_id, readable(exc))
        else:
            self.gridFinished.emit(job_id, result)
        finally:
            self._begin(None)

    def _begin(self, job: object | None) -> None:
        with self._lock:
            self._session = job
            if job is not None and self._closing.is_set():
                job.cancel()  # type: ignore[attr-defined]

    # Called from the GUI thread -------------------------------------------------------
    def request_stop(self) -> None:
        """End the current run within a batch (its test set is still scored), or a search."""
        with self._lock:
            if self._session is not None:
                self._session.request_stop()

    def cancel_all(self) -> None:
        self._closing.set()
        self.queue.clear()
        with self._lock:
            if self._session is not None:
                self._session.cancel()


class TrainingThread(QThread):
    """A QThread whose whole life is one Python call, so it keeps one Python thread state.

    On a plain QThread, PySide6 makes a fresh Python thread state for every slot call and
    frees it afterwards. TensorFlow's pybind11 code remembers the first thread state it sees
    on a thread (when the warm-up imports it) and takes the GIL with it on later calls, by
    then freed memory: heap corruption and random crashes one run in ten (seen under gdb
    in tsl::ml_dtypes init, "PyMUTEX_LOCK(gil->mutex) failed"). Running the event loop from
    a Python run() keeps the first thread state alive until the thread ends.
    """

    def run(self) -> None:
        self.exec()


class TrainingController(QObject):
    """Owns the training thread and its worker; the window's one handle on training."""

    _warmUpRequested = Signal()
    _workRequested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thread = TrainingThread()
        self.thread.setObjectName("RegStudio training")
        self.queue = JobQueue()
        self.worker = TrainingWorker(self.queue)
        self.worker.moveToThread(self.thread)
        # Queued connections: the slots run on the training thread.
        self._warmUpRequested.connect(self.worker.warm_up)
        self._workRequested.connect(self.worker.work)
        self._next_id = 0
        self._collector: GarbageCollector | None = None
        self._gc_was_enabled = True

    def start(self) -> None:
        # Python collects garbage on whichever thread happens to allocate, and training
        # allocates all the time: the training thread would then finalize Qt objects that
        # belong to the GUI thread (old plot items, say), which deadlocks or crashes (seen:
        # the training thread stuck mid-import while a test's widgets were collected).
        # pyqtgraph's collector switches automatic collection off and collects on a
        # GUI-thread timer instead.
        if self._collector is None:
            self._gc_was_enabled = gc.isenabled()  # the collector turns it off
            self._collector = GarbageCollector(interval=0.5)
        self.thread.start()
        self._warmUpRequested.emit()

    def new_id(self) -> int:
        """A run or job id never used before (also for finished records shown as runs)."""
        self._next_id += 1
        return self._next_id

    def _submit(self, kind: str, name: str, payload: object) -> int:
        job = Job(self.new_id(), kind, name, payload)
        self.queue.put(job)
        self._workRequested.emit()
        return job.job_id

    def train(self, spec: RunSpec, name: str) -> int:
        """Queue one run under `name` (its record's name); returns its id. Runs start in queue order."""
        return self._submit("run", name, spec)

    def grid(self, request: GridRequest) -> int:
        """Queue a grid search; returns its job id."""
        return self._submit("grid", f"grid {request.param}", request)

    def stop(self) -> list[int]:
        """Drop every job still waiting and stop the current one; returns the dropped ids."""
        dropped = [job.job_id for job in self.queue.clear()]
        self.worker.request_stop()
        return dropped

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """End any run, stop the thread, wait for it. True if it ended in time."""
        self.worker.cancel_all()
        self.thread.quit()
        ended = self.thread.wait(timeout_ms)
        if ended and self._collector is not None:
            self._collector.timer.stop()
            self._collector = None
            if self._gc_was_enabled:
                gc.enable()  # one thread again: Python may collect on its own
        return ended
