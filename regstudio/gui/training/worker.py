"""The training thread: one QObject worker living on one QThread, fed from one job queue.

Everything heavy happens here: importing TensorFlow, loading data, building, fitting and
evaluating, single runs and grid searches alike. Jobs wait in a JobQueue and are taken one
at a time, oldest first; each `put` is followed by one queued "work" signal, and the worker
takes one job per signal: one run, one search, or the compatible runs of a comparison
together as one fused job (the signals of the runs it took find the queue empty). Every
job reports through one listener, which the worker turns into one signal, `event(job id,
event)`, carrying plain frozen data (events.py), so the GUI thread never touches a Keras
object. A fused job's events name their run (MemberEvent); the worker sends each under
that run's id, so the window sees the same events as from runs trained one by one.
Stopping is not a signal (the worker is busy inside `fit` and would not see one until it
finished): the GUI thread empties the queue and calls `request_stop()`, which sets a
threading.Event that the session's Keras callback reads before every batch.
"""

from __future__ import annotations

import gc
import threading
import traceback
from collections.abc import Sequence

from pyqtgraph.util.garbage_collector import GarbageCollector
from PySide6.QtCore import QObject, QThread, Signal, Slot

from ...core.datasets import DatasetSplit, load
from ...core.datasets.messages import load_failure_message
from ...core.datasets.spec import DataSpec
from ...core.errors import describe_error
from ...core.experiments.job_queue import JobQueue, JobRequest, QueuedJob
from ...core.training.events import Job, JobFailed
from ...core.training.fused import MemberEvent


class TrainingWorker(QObject):
    ready = Signal(str)  # TensorFlow is loaded; carries its version
    loadFailed = Signal(str)
    stepCost = Signal(object)  # a StepCost (core/training/epoch_time.py), measured once TensorFlow is loaded
    jobEvent = Signal(int, object)  # job id, one of the jobs' events (core/training/events.py, grid_search.py)

    def __init__(self, queue: JobQueue) -> None:
        super().__init__()
        self.queue = queue
        self._lock = threading.Lock()
        self._job: Job | None = None  # what request_stop() acts on: a TrainingSession or a GridSearch
        self._closing = threading.Event()
        self._data_cache: tuple[DataSpec, DatasetSplit] | None = None

    @Slot()
    def load_tensorflow(self) -> None:
        try:
            from ...core.tf_runtime import import_keras

            keras = import_keras()
        except Exception as exc:  # a broken TensorFlow install: say so, keep the window
            self.loadFailed.emit(describe_error(exc))
            return
        if self._closing.is_set():
            return
        # No throwaway fit first: the first run's long stalls were the garbage collector
        # walking TensorFlow's objects on the GUI thread, which the controller stops once
        # this arrives; the first fit's own tracing stays under 50 ms at a time
        # (bench/ui_latency.py --fit-first compares).
        self.ready.emit(keras.__version__)
        # Then, one to two seconds on its own (once per process): what a step costs here, for
        # saying before a long run how long its epochs take. A job queued meanwhile waits that long.
        from ...core.training.epoch_time import measure_step_cost

        try:
            self.stepCost.emit(measure_step_cost())
        except Exception:  # without it, only a run's measured time is said
            traceback.print_exc()

    def _data(self, spec: DataSpec) -> DatasetSplit:
        # Runs on the same data follow each other; loading Fashion-MNIST again costs a second.
        if self._data_cache is None or self._data_cache[0] != spec:
            self._data_cache = (spec, load(spec))
        return self._data_cache[1]

    @Slot()
    def work(self) -> None:
        queued = self.queue.take_group()
        if queued is None or self._closing.is_set():
            return  # Stop emptied the queue after this job's signal was sent, or a fused job took it
        job_id = queued.job_id

        def tell(event: object) -> None:
            if isinstance(event, MemberEvent):
                self.jobEvent.emit(event.job_id, event.event)
            else:
                self.jobEvent.emit(job_id, event)

        def fail(message: str) -> None:
            for run_id in queued.job_ids:
                self.jobEvent.emit(run_id, JobFailed(message))

        try:
            data = self._data(queued.request.data)
        except Exception as exc:  # a file that cannot be loaded: one sentence, never the exception's text
            traceback.print_exc()
            fail(load_failure_message(exc, queued.request.data.path))
            return
        try:
            job = queued.request.start(data, tell)
            self._set_job(job)
            job.run()
        except Exception as exc:
            traceback.print_exc()  # for whoever reads the terminal; the window gets a sentence
            fail(describe_error(exc))
        finally:
            self._set_job(None)

    def _set_job(self, job: Job | None) -> None:
        """The job request_stop() and cancel_all() act on; None once it has ended."""
        with self._lock:
            self._job = job
            if job is not None and self._closing.is_set():
                job.cancel()

    # Called from the GUI thread -------------------------------------------------------
    def request_stop(self) -> None:
        """End the current run within a batch (its test set is still scored), or a search."""
        with self._lock:
            if self._job is not None:
                self._job.request_stop()

    def cancel_all(self) -> None:
        self._closing.set()
        self.queue.clear()
        with self._lock:
            if self._job is not None:
                self._job.cancel()


class TrainingThread(QThread):
    """A QThread whose whole life is one Python call, so it keeps one Python thread state.

    On a plain QThread, PySide6 makes a fresh Python thread state for every slot call and
    frees it afterwards. TensorFlow's pybind11 code remembers the first thread state it sees
    on a thread (when load_tensorflow imports it) and takes the GIL with it on later calls, by
    then freed memory: heap corruption and random crashes one run in ten (seen under gdb
    in tsl::ml_dtypes init, "PyMUTEX_LOCK(gil->mutex) failed"). Running the event loop from
    a Python run() keeps the first thread state alive until the thread ends.
    """

    def run(self) -> None:
        self.exec()


class TrainingController(QObject):
    """Owns the training thread and its worker; the window's one handle on training."""

    _loadRequested = Signal()
    _workRequested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thread = TrainingThread()
        self.thread.setObjectName("RegStudio training")
        self.queue = JobQueue()
        self.worker = TrainingWorker(self.queue)
        self.worker.moveToThread(self.thread)
        # Queued connections: the slots run on the training thread.
        self._loadRequested.connect(self.worker.load_tensorflow)
        self._workRequested.connect(self.worker.work)
        self._collector: GarbageCollector | None = None
        self._gc_was_enabled = True
        self.worker.ready.connect(self._collect_from_now_on)
        self.worker.loadFailed.connect(self._collect_from_now_on)

    def start(self) -> None:
        # Python collects garbage on whichever thread happens to allocate, and training
        # allocates all the time: the training thread would then finalize Qt objects that
        # belong to the GUI thread (old plot items, say), which deadlocks or crashes (seen:
        # the training thread stuck mid-import while a test's widgets were collected).
        # pyqtgraph's collector switches automatic collection off and collects on a
        # GUI-thread timer instead. Its collections skip TensorFlow's few hundred thousand
        # objects: import_keras sets them aside (tf_runtime._objects_kept_for_good), but only
        # once the import is over; until then the timer waits, or each tick walks all the
        # import has made so far (0.2-0.3 s longer to Train enabled, measured).
        if self._collector is None:
            self._gc_was_enabled = gc.isenabled()  # the collector turns it off
            self._collector = GarbageCollector(interval=0.5)
            self._collector.timer.stop()
        self.thread.start()
        self._loadRequested.emit()

    @Slot(str)
    def _collect_from_now_on(self, _version_or_failure: str) -> None:
        if self._collector is not None:
            self._collector.timer.start()  # at the interval it was made with

    def submit(self, job_id: int, request: JobRequest) -> None:
        """Queue a run or a search under the Lab's id for it; jobs start in queue order."""
        self.submit_all([(job_id, request)])

    def submit_all(self, jobs: Sequence[tuple[int, JobRequest]]) -> None:
        """Queue several at once (a comparison's runs), so that compatible ones can train together."""
        self.queue.put_all(QueuedJob(job_id, request) for job_id, request in jobs)
        for _ in jobs:
            self._workRequested.emit()

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
