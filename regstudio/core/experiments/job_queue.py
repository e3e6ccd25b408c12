"""The training thread's to-do list: runs and searches wait here and are taken one at a time.

A plain thread-safe FIFO rather than Qt's event queue, because Stop must be able to drop
everything that has not started yet, and say which jobs those were, at once.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Job:
    job_id: int
    kind: str  # "run" or "grid"
    name: str
    payload: Any  # a RunSpec for a run; the search's settings for a grid


class JobQueue:
    def __init__(self) -> None:
        self._jobs: deque[Job] = deque()
        self._lock = threading.Lock()

    def put(self, job: Job) -> None:
        with self._lock:
            self._jobs.append(job)

    def take(self) -> Job | None:
        """The oldest waiting job, or None if there is none."""
        with self._lock:
            return self._jobs.popleft() if self._jobs else None

    def clear(self) -> list[Job]:
        """Drop every waiting job; returns them, oldest first."""
        with self._lock:
            dropped = list(self._jobs)
            self._jobs.clear()
            return dropped

    def __len__(self) -> int:
        with self._lock:
            return len(self._jobs)
