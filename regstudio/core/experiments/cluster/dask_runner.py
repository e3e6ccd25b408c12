"""A search's units on Dask workers, with the same events and the same cancel as training here.

The data go to the workers once (`scatter`, pixels as uint8); every unit is submitted at once
and the scheduler hands them out as workers come free. Each worker sends its epochs and
progress on the search's own topic; the client's handler puts them in a queue that `run()`
drains on its own thread, so the listener hears everything on the thread that called
`run()`, as with the in-process runner. Cancel sets a `distributed.Event` that every running
unit watches (a running task cannot be stopped from outside) and cancels the ones waiting.
"""

from __future__ import annotations

import contextlib
import json
import queue
import threading
import uuid
from collections.abc import Sequence
from typing import Any

from ...datasets.split import DatasetSplit
from ...errors import ClusterError, describe_error
from ...training.events import Listener, Progress
from ...training.record_json import epoch_from_dict
from ...training.records import EpochRecord
from ..trials import TrialEpoch, TrialStarted, TrialUnit, UnitFailed, UnitFinished, UnitProgress
from .connect import connect
from .parcel import pack
from .versions import local_versions
from .where import Where

WAKE_EVERY = 0.1  # seconds: how soon run() notices a cancel while nothing arrives


def failure_sentence(unit: TrialUnit, exc: BaseException | None) -> str:
    """Which trials failed and why, for the teacher."""
    which = ", ".join(unit.names) + (f", fold {unit.fold + 1}" if unit.fold is not None else "")
    if exc is None or type(exc).__name__ == "KilledWorker":
        why = "the workers training them stopped (closed, out of memory or disconnected)"
    elif isinstance(exc, ClusterError):
        why = str(exc)
    else:
        why = describe_error(exc)
    return f"{which} failed on a worker: {why}"


class DaskRunner:
    def __init__(self, where: Where, progress_interval: float = 0.25):
        self.where = where
        self.progress_interval = progress_interval
        self._cancel = threading.Event()
        self._client: Any = None
        self.data_bytes = 0  # what was sent to the workers, for bench/cluster.py

    def cancel(self) -> None:
        self._cancel.set()  # run() acts on it from its own thread, within WAKE_EVERY

    def slots(self) -> int:
        """Worker threads now (connecting, if not yet): plan_units fuses and splits by it."""
        if self._client is None:
            self._client = connect(self.where)
        if self.where.kind == "local":
            return self.where.workers
        return max(1, sum(self._client.nthreads().values()))

    def run(self, units: Sequence[TrialUnit], data: DatasetSplit, listener: Listener) -> None:
        from distributed import Event

        from .worker_side import forget, train_on_worker

        client, self._client = self._client or connect(self.where), None
        token = uuid.uuid4().hex
        topic, inbox = f"regstudio-{token}", queue.Queue()
        futures: dict[Any, TrialUnit] = {}
        kept = ""  # the parcel's token: what the workers keep for this search
        try:
            if self._cancel.is_set() or not units:
                return
            client.subscribe_topic(topic, lambda event: inbox.put(("event", event[1])))
            flag = Event(f"regstudio-cancel-{token}", client=client)
            parcel = pack(data)
            self.data_bytes, kept = parcel.nbytes, parcel.token
            sent = client.scatter(parcel, broadcast=True, hash=False)
            versions = local_versions()  # a worker that joins later is checked by its first unit
            for unit in units:
                future = client.submit(train_on_worker, unit, sent, topic, flag.name, self.progress_interval,
                                       versions, key=f"regstudio-unit-{token}-{unit.key}", pure=False)
                future.add_done_callback(lambda f: inbox.put(("done", f)))
                futures[future] = unit
            _Drain(self, futures, listener, flag, client).run(inbox)
        finally:
            if client.status == "running":  # a lost scheduler takes nothing more
                with contextlib.suppress(Exception):
                    client.unsubscribe_topic(topic)
                    client.cancel([f for f in futures if not f.done()], force=True)
                    if kept:
                        client.run(forget, kept)  # the data and fused models leave the workers' memory
            with contextlib.suppress(Exception):
                client.close()


class _Drain:
    """run()'s loop: the units' events and results, told to the listener in order, each epoch once."""

    def __init__(self, runner: DaskRunner, futures: dict[Any, TrialUnit], listener: Listener, flag: Any,
                 client: Any):
        self.runner, self.futures, self.listener, self.flag, self.client = runner, futures, listener, flag, client
        self.by_key = {unit.key: unit for unit in futures.values()}
        self.attempts: dict[int, str] = {}  # unit key -> the attempt whose events count (a retry's, after a loss)
        self.told: dict[tuple[int, int], int] = {}  # (unit key, member) -> epochs told so far
        self.finished: set[int] = set()  # units whose result came: their late events were told from it
        self.announced: set[int] = set()  # units whose TrialStarted was told

    def run(self, inbox: queue.Queue) -> None:
        pending = set(self.futures)
        while pending:
            if self.runner._cancel.is_set():
                self.flag.set()  # running units stop within a batch of their next look
                self.client.cancel(list(pending), force=True)
                return
            if self.client.status != "running":  # the scheduler is gone: every unit still out with it
                address = getattr(self.runner.where, "address", "") or "the local workers"
                for future in pending:
                    unit = self.futures[future]
                    self.listener(UnitFailed(unit, failure_sentence(
                        unit, ClusterError(f"the connection to {address} was lost"))))
                return
            try:
                kind, item = inbox.get(timeout=WAKE_EVERY)
            except queue.Empty:
                continue
            if kind == "done":
                if item in pending:
                    pending.discard(item)
                    self._done(item)
            else:
                self._event(item)

    def _started(self, unit: TrialUnit) -> None:
        if unit.key not in self.announced:  # once, though a retry starts it again
            self.announced.add(unit.key)
            self.listener(TrialStarted(unit))

    def _epoch(self, unit: TrialUnit, member: int, record: EpochRecord) -> None:
        if record.epoch > self.told.get((unit.key, member), 0):  # a retry's epochs repeat the lost attempt's
            self.told[(unit.key, member)] = record.epoch
            self.listener(TrialEpoch(unit, member, record))

    def _done(self, future: Any) -> None:
        unit = self.futures[future]
        self.finished.add(unit.key)
        if self.runner._cancel.is_set():
            return
        if future.status == "finished":
            records = future.result()
            if records:
                self._started(unit)
                # Epochs still on their way (the event log and the result travel apart) are told
                # now from the records, so every epoch is told once, before the trial ends.
                for member, record in enumerate(records):
                    for epoch in record.epochs:
                        self._epoch(unit, member, epoch)
                self.listener(UnitFinished(unit, tuple(records)))
        elif future.status == "error":
            self.listener(UnitFailed(unit, failure_sentence(unit, future.exception())))
        elif self.client.status == "running":  # cancelled by the scheduler itself (restarted)
            self.listener(UnitFailed(unit, failure_sentence(unit, None)))

    def _event(self, item: dict[str, Any]) -> None:
        unit = self.by_key.get(item.get("unit"))
        if unit is None or unit.key in self.finished:
            return
        if item["kind"] == "started":
            self._started(unit)
            self.attempts[unit.key] = item["attempt"]
        elif self.attempts.get(unit.key) != item["attempt"]:
            return  # a lost worker's last words
        elif item["kind"] == "epoch":
            self._epoch(unit, item["member"], epoch_from_dict(json.loads(item["record"])))
        elif item["kind"] == "progress":
            self.listener(UnitProgress(unit, Progress(*item["progress"])))
