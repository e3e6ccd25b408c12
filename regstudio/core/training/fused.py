"""Train up to eight compatible runs as one fused model; each still gets its own record.

On a two-core laptop a good part of a small network's training step is per-step overhead
(Python, callbacks, graph dispatch), not arithmetic. Runs that share everything but their
network (data, validation split, batch size, optimizer, learning rate, epochs and seed,
hence the batch order: a Controlled comparison, or the values of one fold of a grid
search) can take their steps together: one model whose outputs are the runs' networks,
with disjoint weights and the sum of their losses as its loss, so each network's gradients
and optimizer state are exactly its own (model/keras_model.py). One pipeline, one step and
one validation pass then serve them all (bench/fused.py: about half to two thirds of the
time on two cores, less the more runs).

Each member runs the very callbacks a lone run would (keras_callbacks.py), looking at its
own network through a MemberView, with its own logs: its records, events, early stopping
(best epoch, stop, restored weights) come out as they would alone. A member that stops
early is no longer recorded; the group trains on, its later updates are discarded and its
weights at the stop (or its best, if restored) put back at the end. A user's Stop or
Cancel ends the whole group within one batch.

Every event is wrapped in a MemberEvent naming its member, so one job can report for
several runs: the training thread unwraps them and the Lab sees ordinary per-run events.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import numpy as np

from ..boundary.plane import plane_over
from ..datasets.spec import DataSpec
from ..datasets.split import DatasetSplit
from ..model.keras_model import build_fused_model, build_model, make_optimizer, member_key
from ..tf_runtime import build_state_eagerly, import_keras, release_memory
from .events import Listener, Progress, RunFinished, RunStarted, ignore
from .fused_members import HeldStop, Member, MemberView, fused_callback_class
from .keras_callbacks import callback_class, evaluation_stop_class
from .records import RunRecord
from .run_spec import RunSpec
from .session import (
    RunRequest,
    early_stopping_callback,
    layouts_of,
    pipelines,
    run_outcome,
    run_record,
    run_watch,
    split_validation,
)

# At most eight runs in one model (issue 15): every comparison fits; a grid's longer list
# of values is split into even groups (fused_groups).
MAX_MEMBERS = 8
T = TypeVar("T")


def fusion_key(spec: RunSpec) -> tuple[object, ...]:
    """What runs must share to train as one model: everything but the network and early stopping."""
    return spec.data, replace(spec.training, early_stopping=None)


def fusable(first: object, other: object) -> bool:
    """Whether two queued requests may train together in one fused model."""
    return (isinstance(first, RunRequest) and isinstance(other, RunRequest) and first.fuse and other.fuse
            and fusion_key(first.spec) == fusion_key(other.spec))


def fused_groups(items: Sequence[tuple[T, RunSpec]], fuse: bool = True) -> list[list[tuple[T, RunSpec]]]:
    """(label, spec) pairs in groups that may train together, in order: one each when they cannot.

    Groups are as even as MAX_MEMBERS allows (twelve: two of six rather than eight and four).
    """
    if not fuse or len({fusion_key(spec) for _, spec in items}) != 1:
        return [[item] for item in items]
    size = math.ceil(len(items) / math.ceil(len(items) / MAX_MEMBERS))
    return [list(items[i:i + size]) for i in range(0, len(items), size)]


@dataclass(frozen=True)
class MemberEvent:
    """An event of one member of a fused job: `job_id` is whose (the Lab's run id, or the member's index)."""

    job_id: int
    event: object


@dataclass(frozen=True)
class FusedRequest:
    """Queued runs that train together: (the Lab's run id, its request), in queue order."""

    members: tuple[tuple[int, RunRequest], ...]

    @property
    def name(self) -> str:
        return " + ".join(request.name for _, request in self.members)

    @property
    def data(self) -> DataSpec:
        return self.members[0][1].data

    @property
    def job_ids(self) -> tuple[int, ...]:
        return tuple(job_id for job_id, _ in self.members)

    def start(self, data: DatasetSplit, listener: Listener) -> FusedSession:
        return FusedSession([r.spec for _, r in self.members], data, names=[r.name for _, r in self.members],
                            tags=self.job_ids, listener=listener)


@dataclass(eq=False)
class Prepared:
    """A fused model as built, kept to train again: a grid search trains one group on every fold.

    `restart()` puts back every variable of the model and its optimizer (weights, Adam's
    moments and step count, dropout's seed states) as they were when built: exactly a fresh
    build, without tracing the training step again, which costs as much as a few epochs.
    """

    model: Any
    networks: list[Any]
    start: list[np.ndarray] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.start = [variable.numpy() for variable in self._state()]

    def _state(self) -> list[Any]:
        return [*self.model.variables, *self.model.optimizer.variables]

    def restart(self) -> None:
        for variable, value in zip(self._state(), self.start, strict=True):
            variable.assign(value)


class FusedSession:
    """Trains runs that differ only in their network (and early stopping) as one model.

    `run()` returns their records in the order given, each as a TrainingSession of that
    run would have written it, plus `fused_with`. Events go to the one listener wrapped in
    MemberEvent(tag, event), tags defaulting to the members' positions. Given the
    `prepared` model of a session of the same runs (on other folds), it trains that again.
    """

    def __init__(self, specs: Sequence[RunSpec], data: DatasetSplit, *, names: Sequence[str],
                 tags: Sequence[int] | None = None, listener: Listener = ignore, progress_interval: float = 0.05,
                 folds: tuple[np.ndarray, np.ndarray] | None = None, prepared: Prepared | None = None,
                 keep_prepared: bool = False):
        self.specs = [spec.check() for spec in specs]
        if not 1 <= len(self.specs) <= MAX_MEMBERS:
            raise ValueError(f"{len(self.specs)} runs: a fused model trains 1 to {MAX_MEMBERS}")
        if len({fusion_key(spec) for spec in self.specs}) != 1:
            raise ValueError("runs with different data or training settings cannot train as one model")
        self.names = list(names)
        self.tags = list(tags) if tags is not None else list(range(len(self.specs)))
        if not len(self.names) == len(self.tags) == len(self.specs):
            raise ValueError("one name and one tag for each run")
        self.data, self.listener, self.progress_interval, self.folds = data, listener, progress_interval, folds
        # Kept after run() only for a caller that trains the same runs again (a grid search's next
        # fold); otherwise the model is let go with the rest, as a lone run's is.
        self.prepared, self.keep_prepared = prepared, keep_prepared
        self._stop = threading.Event()
        self._cancel = threading.Event()
        # The stop the members' callbacks see: the user's, held still while an epoch's end is
        # handed round them, so a Stop then reaches all of them at the next batch alike.
        self._members_stop = HeldStop(self._stop)
        self._members: list[Member] = []

    def request_stop(self) -> None:
        """End every member's training within one batch; the test set is still evaluated."""
        self._stop.set()

    def cancel(self) -> None:
        """End training and skip the test evaluation (the window is closing)."""
        self._cancel.set()
        self._stop.set()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    def _tell(self, index: int) -> Listener:
        """The listener of member `index`'s callbacks: its events, tagged; progress says how many train together."""
        def tell(event: object) -> None:
            if isinstance(event, Progress):
                event = replace(event, together=len(self.specs))
            self.listener(MemberEvent(self.tags[index], event))
        return tell

    def _build(self, fit_idx: np.ndarray) -> Any:
        keras = import_keras()
        t, d = self.specs[0].training, self.data
        if self.prepared is not None:
            self.prepared.restart()
        else:
            networks = []
            for spec in self.specs:
                # Reseeded before each network: its dropout and noise layers draw their seeds
                # as they would in a lone run, so even their masks are the same.
                keras.utils.set_random_seed(t.seed)
                networks.append(build_model(spec.model, d.n_features, d.n_classes, seed=t.seed))
            model = build_fused_model(networks, d.n_features)
            model.compile(optimizer=make_optimizer(t.optimizer, t.learning_rate))
            build_state_eagerly(model, d.n_features, d.n_classes)
            self.prepared = Prepared(model, networks)
        model, networks = self.prepared.model, self.prepared.networks
        plane = plane_over(d, fit_idx)  # 2-feature data: each member draws its own decision boundary
        for i, (spec, network) in enumerate(zip(self.specs, networks, strict=True)):
            layouts = layouts_of(network)
            view = MemberView(network, model.member_loss(i), model)
            watch = run_watch(self._members_stop, self._cancel, layouts, spec, d, len(fit_idx), self._tell(i),
                              self.progress_interval, plane)
            callbacks = [callback_class()(watch)]
            early = None
            if spec.training.early_stopping is not None:
                early = early_stopping_callback(watch, spec.training.early_stopping)
                callbacks.append(early)
            for callback in callbacks:
                callback.set_model(view)
            self._members.append(Member(i, self.tags[i], self.names[i], spec, network, layouts, watch, view,
                                        callbacks, early))
        return model

    def run(self) -> list[RunRecord]:
        keras = import_keras()
        t, d = self.specs[0].training, self.data
        started = time.perf_counter()
        keras.utils.set_random_seed(t.seed)  # the batch order of a lone run with this seed
        fit_idx, val_idx = split_validation(self.specs[0], d, self.folds)
        train_ds, val_ds, test_ds = pipelines(self.specs[0], d, fit_idx, val_idx)
        model = self._build(fit_idx)
        for member in self._members:
            self._tell(member.index)(RunStarted(member.name, tuple(member.layouts), d.image_shape, t.epochs,
                                                member.watch.boundary.plane if member.watch.boundary else None))
        build_seconds = time.perf_counter() - started

        fit_started = time.perf_counter()
        if not self._stop.is_set():
            model.fit(train_ds, validation_data=val_ds, epochs=t.epochs, verbose=0, shuffle=False,
                      callbacks=[fused_callback_class()(self._members, self._stop, self._members_stop)])
        steps = int(model.optimizer.iterations.numpy())  # from 0: a prepared model's restart resets it too
        train_seconds = time.perf_counter() - fit_started

        test_started = time.perf_counter()
        result: dict[str, float] = {}
        if not self._cancel.is_set() and any(m.watch.epochs for m in self._members):
            result = model.evaluate(test_ds, verbose=0, return_dict=True,
                                    callbacks=[evaluation_stop_class()(self._cancel)])
            if self._cancel.is_set():
                result = {}
        test_seconds = time.perf_counter() - test_started

        records = []
        for m in self._members:
            test = (None, None)
            if m.watch.epochs and result:
                test = (float(result[member_key(m.index, "loss")]), float(result[member_key(m.index, "accuracy")]))
            # A member that had stopped by its own rule before a user's stop was not stopped by it.
            outcome = run_outcome(m.spec, m.watch, m.early, self._stop.is_set() and m.active)
            others = tuple(name for other, name in zip(self._members, self.names, strict=True) if other is not m)
            # A member that stopped by its own rule (always at an epoch's end) took its epochs' steps;
            # the others took the group's.
            own_steps = steps if m.frozen is None else len(m.watch.epochs) * m.watch.batches
            m.watch.boundary = None  # its traced forward pass holds the network
            records.append(run_record(m.name, m.spec, d, len(fit_idx), len(val_idx), int(m.network.count_params()),
                                      m.layouts, m.watch, outcome, test, (build_seconds, train_seconds, test_seconds),
                                      fused_with=others, steps=own_steps))
        self._members.clear()
        if not self.keep_prepared:
            self.prepared = None
        del model, train_ds, val_ds, test_ds
        release_memory()
        for tag, record in zip(self.tags, records, strict=True):
            self.listener(MemberEvent(tag, RunFinished(record)))
        return records
