"""What runs on a Dask worker: one unit of a search, its events sent back as they happen.

Everything here executes in the worker's process. Events go to the client through the
scheduler's event log (`log_event` on a topic the client subscribed to), as plain dicts,
since they must be msgpack data (an epoch as the JSON text a lab file holds: msgpack would
turn its lists into tuples, which the checked reader refuses); the unit's RunRecords come back as the task's result.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import astuple
from typing import Any

from ...datasets.split import DatasetSplit
from ...errors import ClusterError
from ...training.record_json import epoch_dict
from ..trials import TrialEpoch, TrialUnit, UnitProgress, train_unit
from .parcel import DataParcel
from .versions import local_versions, version_problem

CANCEL_POLL = 0.25  # seconds between looks at the search's cancel flag

# One search's data and fused models stay on the worker for its next units.
_kept: dict[str, Any] = {"token": None, "data": None, "prepared": {}}
_kept_lock = threading.Lock()


def _data_of(parcel: DataParcel) -> tuple[DatasetSplit, dict[int, Any]]:
    with _kept_lock:
        if _kept["token"] != parcel.token:
            _kept.update(token=parcel.token, data=parcel.unpack(), prepared={})
        return _kept["data"], _kept["prepared"]


class _CancelWatch:
    """Waits on the search's distributed.Event in a thread and cancels the session when it is set.

    The Event's client is found on the task's own thread: only there does Dask know which
    worker's client to use (the Event looks for one lazily, and from a thread of our own it
    would find none: the cancel would never arrive).
    """

    def __init__(self, flag_name: str):
        from distributed import Event, get_client

        self.flag = Event(flag_name, client=get_client())
        self.session: Any = None
        self.done = threading.Event()
        self.cancelled = False
        self._thread = threading.Thread(target=self._wait, name="regstudio-cancel", daemon=True)

    def attach(self, session: Any) -> None:
        self.session = session
        self._thread.start()

    def _wait(self) -> None:
        try:
            while not self.done.is_set():
                if self.flag.wait(timeout=CANCEL_POLL):
                    self.cancelled = True
                    self.session.cancel()
                    return
        except Exception:  # the scheduler is gone: the task's end comes another way
            return


def _quiet_tensorflow() -> None:
    """Keep TensorFlow's Python warnings (retracing notes as each new model traces) off the
    worker's terminal: a teacher running `regstudio worker` should see only RegStudio's lines."""
    from ...tf_runtime import import_keras

    import_keras()
    import logging

    logging.getLogger("tensorflow").setLevel(logging.ERROR)


def forget(token: str) -> None:
    """A search has ended: let its data and fused models go (local workers stay for the next)."""
    with _kept_lock:
        if _kept["token"] == token or token == "*":
            _kept.update(token=None, data=None, prepared={})


def train_on_worker(unit: TrialUnit, parcel: DataParcel, topic: str, flag_name: str,
                    progress_interval: float, versions: dict[str, str]) -> list[Any]:
    """The task a DaskRunner submits for each unit; `versions` are the client's, checked here
    too, since a worker may join the cluster after the search began."""
    from distributed import get_worker

    worker = get_worker()
    problem = version_problem(versions, {worker.address: local_versions()})
    if problem:
        raise ClusterError(problem.replace("this computer", "the computer running the search"))
    attempt = uuid.uuid4().hex[:8]  # a unit retried after a lost worker starts its epochs again

    def send(kind: str, **fields: Any) -> None:
        worker.log_event(topic, {"unit": unit.key, "kind": kind, "attempt": attempt, **fields})

    def heard(event: object) -> None:
        if isinstance(event, TrialEpoch):
            send("epoch", member=event.member, record=json.dumps(epoch_dict(event.record)))
        elif isinstance(event, UnitProgress):
            send("progress", progress=list(astuple(event.progress)))  # Progress(*fields) again there

    data, prepared = _data_of(parcel)
    _quiet_tensorflow()
    send("started")
    watch = _CancelWatch(flag_name)
    # Units of one search follow each other on a worker with one thread, so a fused group's
    # model traced for one fold serves the next fold it gets.
    try:
        records = train_unit(unit, data, heard, watch.attach, progress_interval,
                             prepared if len(unit.specs) > 1 else None)
    finally:
        watch.done.set()
    return [] if watch.cancelled else records
