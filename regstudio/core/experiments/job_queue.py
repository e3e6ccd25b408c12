"""The training thread's to-do list: runs and searches wait here and are taken one at a time.

A plain thread-safe FIFO rather than Qt's event queue, because Stop must be able to drop
everything that has not started yet, and say which jobs those were, at once. What waits
is a request (a RunRequest or a GridRequest): it names its data, so the thread can load
them, and it starts its own job on them.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Protocol

from ..datasets.spec import DataSpec
from ..datasets.split import DatasetSplit
from ..training.events import Job, Listener


class JobRequest(Protocol):
    """A job not started yet: what it trains on, and how to start it once the data are loaded."""

    @property
    def name(self) -> str: ...

    @property
    def data(self) -> DataSpec: ...

    def start(self, data: DatasetSplit, listener: Listener) -> Job: ...


@dataclass(frozen=True)
class QueuedJob:
    job_id: int  # the Lab's id of the run or search, so events find their way back
    request: JobRequest


class JobQueue:
    def __init__(self) -> None:
        self._jobs: deque[QueuedJob] = deque()
        self._lock = threading.Lock()

    def put(self, job: QueuedJob) -> None:
        with self._lock:
            self._jobs.append(job)

    def take(self) -> QueuedJob | None:
        """The oldest waiting job, or None if there is none."""
        with self._lock:
            return self._jobs.popleft() if self._jobs else None

    def clear(self) -> list[QueuedJob]:
        """Drop every waiting job; returns them, oldest first."""
        with self._lock:
            dropped = list(self._jobs)
            self._jobs.clear()
            return dropped

    def __len__(self) -> int:
        with self._lock:
            return len(self._jobs)
