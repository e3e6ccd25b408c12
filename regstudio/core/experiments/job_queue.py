"""The training thread's to-do list: runs and searches wait here and are taken one at a time.

A plain thread-safe FIFO rather than Qt's event queue, because Stop must be able to drop
everything that has not started yet, and say which jobs those were, at once. What waits
is a request (a RunRequest or a GridRequest): it names its data, so the thread can load
them, and it starts its own job on them. Compatible runs queued one behind the other (a
comparison, put in at once) are taken together, as one fused job (training/fused.py).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from ..datasets.spec import DataSpec
from ..datasets.split import DatasetSplit
from ..training.events import Job, Listener
from ..training.fused import MAX_MEMBERS, FusedRequest, fusable


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

    @property
    def job_ids(self) -> tuple[int, ...]:
        """Every id this job reports for: a fused job's members', else its own."""
        return self.request.job_ids if isinstance(self.request, FusedRequest) else (self.job_id,)


class JobQueue:
    def __init__(self) -> None:
        self._jobs: deque[QueuedJob] = deque()
        self._lock = threading.Lock()

    def put(self, job: QueuedJob) -> None:
        with self._lock:
            self._jobs.append(job)

    def put_all(self, jobs: Iterable[QueuedJob]) -> None:
        """Queue several jobs at once: none can be taken before the last is in, so they can be fused."""
        with self._lock:
            self._jobs.extend(jobs)

    def take_group(self, limit: int = MAX_MEMBERS) -> QueuedJob | None:
        """The oldest waiting job, with the runs right behind it that can train with it (up to `limit` in all).

        Several come back as one QueuedJob of a FusedRequest, under the first one's id.
        """
        with self._lock:
            if not self._jobs:
                return None
            group = [self._jobs.popleft()]
            while self._jobs and len(group) < limit and fusable(group[0].request, self._jobs[0].request):
                group.append(self._jobs.popleft())
        if len(group) == 1:
            return group[0]
        return QueuedJob(group[0].job_id, FusedRequest(tuple((job.job_id, job.request) for job in group)))

    def take(self) -> QueuedJob | None:
        """The oldest waiting job alone, or None if there is none."""
        return self.take_group(limit=1)

    def clear(self) -> list[QueuedJob]:
        """Drop every waiting job; returns them, oldest first."""
        with self._lock:
            dropped = list(self._jobs)
            self._jobs.clear()
            return dropped

    def __len__(self) -> int:
        with self._lock:
            return len(self._jobs)
