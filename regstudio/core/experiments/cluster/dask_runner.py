"""A search's units on Dask workers, with the same events and the same cancel as training here.

The data go to the workers once (`scatter`, pixels as uint8); every unit is submitted at once
and the scheduler hands them out as workers come free. Each worker sends its epochs and
progress on the search's own topic; the client's handler puts them in a queue that `run()`
drains on its own thread, so the listener hears everything on the thread that called
`run()`, as with the in-process runner. Cancel sets a `distributed.Event` that every running
unit watches (a running task cannot be stopped from outside) and cancels the ones waiting.
"""

from __future__ import annotations

import json
import queue
import threading
import uuid
from collections.abc import Sequence
from typing import Any

from ...datasets.split import DatasetSplit
from ...training.events import Listener, Progress
from ...training.record_json import epoch_from_dict
from ..trials import TrialEpoch, TrialStarted, TrialUnit, UnitFailed, UnitFinished, UnitProgress
from .connect import connect
from .parcel import pack
from .where import Where

WAKE_EVERY = 0.1  # seconds: how soon run() notices a cancel while nothing arrives


def failure_sentence(unit: TrialUnit, exc: BaseException | None) -> str:
    """Which trials failed and why, for the teacher."""
    which = ", ".join(unit.names) + (f", fold {unit.fold + 1}" if unit.fold is not None else "")
    name = type(exc).__name__ if exc is not None else "lost"
    if name == "KilledWorker" or exc is None:
        why = "the worker training them stopped (closed, out of memory or disconnected), twice"
    else:
        why = f"{name}: {str(exc).strip().splitlines()[0][:200] if str(exc).strip() else 'no message'}"
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

        from .worker_side import train_on_worker

        client, self._client = self._client or connect(self.where), None
        if self._cancel.is_set() or not units:
            client.close()
            return
        token = uuid.uuid4().hex
        topic, inbox = f"regstudio-{token}", queue.Queue()
        by_key = {unit.key: unit for unit in units}
        client.subscribe_topic(topic, lambda event: inbox.put(("event", event[1])))
        flag = Event(f"regstudio-cancel-{token}", client=client)
        futures: dict[Any, TrialUnit] = {}
        try:
            parcel = pack(data)
            self.data_bytes = parcel.nbytes
            sent = client.scatter(parcel, broadcast=True, hash=False)
            for unit in units:
                future = client.submit(train_on_worker, unit, sent, topic, flag.name, self.progress_interval,
                                       key=f"regstudio-unit-{token}-{unit.key}", pure=False)
                future.add_done_callback(lambda f: inbox.put(("done", f)))
                futures[future] = unit
            self._drain(inbox, futures, by_key, listener, flag, client)
        finally:
            try:
                client.unsubscribe_topic(topic)
                client.cancel(list(futures), force=True)
            finally:
                client.close()

    def _drain(self, inbox: queue.Queue, futures: dict[Any, TrialUnit], by_key: dict[int, TrialUnit],
               listener: Listener, flag: Any, client: Any) -> None:
        pending = set(futures)
        attempts: dict[int, str] = {}  # unit key -> the attempt whose events count
        heard: dict[tuple[int, int], int] = {}  # (unit key, member) -> epochs told so far
        finished: set[int] = set()  # units whose result came: their late events are told already
        while pending:
            if self._cancel.is_set():
                flag.set()  # running units stop within a batch of their next look
                client.cancel(list(pending), force=True)
                return
            try:
                kind, item = inbox.get(timeout=WAKE_EVERY)
            except queue.Empty:
                continue
            if kind == "done":
                if item not in pending:
                    continue
                pending.discard(item)
                unit = futures[item]
                finished.add(unit.key)
                if item.status == "finished":
                    records = item.result()
                    if records and not self._cancel.is_set():
                        # Epochs still on their way (the event log and the result travel apart) are
                        # told now from the records, so every epoch is told once, before the trial ends.
                        for member, record in enumerate(records):
                            told = heard.get((unit.key, member), 0)
                            for epoch in record.epochs[told:]:
                                listener(TrialEpoch(unit, member, epoch))
                        listener(UnitFinished(unit, tuple(records)))
                elif item.status == "error":
                    listener(UnitFailed(unit, failure_sentence(unit, item.exception())))
                elif not self._cancel.is_set():  # cancelled by someone else: the scheduler restarted
                    listener(UnitFailed(unit, failure_sentence(unit, None)))
                continue
            unit = by_key.get(item.get("unit"))
            if unit is None or unit.key in finished:
                continue
            if item["kind"] == "started":
                attempts[unit.key] = item["attempt"]
                heard.update({(unit.key, member): 0 for member in range(len(unit.values))})
                listener(TrialStarted(unit))
            elif attempts.get(unit.key) != item["attempt"]:
                continue  # a lost worker's last words
            elif item["kind"] == "epoch":
                record = epoch_from_dict(json.loads(item["record"]))
                heard[(unit.key, item["member"])] = record.epoch
                listener(TrialEpoch(unit, item["member"], record))
            elif item["kind"] == "progress":
                listener(UnitProgress(unit, Progress(*item["progress"])))
