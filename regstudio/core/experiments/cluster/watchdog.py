"""Loaded into every worker process RegStudio starts (Dask's `preload`): the worker ends when the
process that started it is gone.

Dask's local workers outlive a client killed with `kill -9` by minutes (dask/distributed#1322),
each holding about 750 MB. A worker's parent is the process that started it (RegStudio's
window, the command line, or `regstudio worker`): when that process disappears, so does the
worker, within about a second.
"""

from __future__ import annotations

import os
import threading
from typing import Any

CHECK_EVERY = 0.5  # seconds


def _watch(parent: Any) -> None:
    import time

    while parent.is_running():  # compares the start time too: a reused process number is not ours
        time.sleep(CHECK_EVERY)
    os._exit(0)  # nothing to save: the results had nowhere to go


def dask_setup(worker: object) -> None:
    import psutil

    parent = psutil.Process(os.getppid())
    threading.Thread(target=_watch, args=(parent,), name="regstudio-watchdog", daemon=True).start()
