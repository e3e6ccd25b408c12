"""The members of a fused model (fused.py), each steered by a lone run's own callbacks.

A member's callbacks (keras_callbacks.py: its SessionCallback, its early stopping) see
their own network through a MemberView and their own logs, so what they record and
decide is what they would alone; one FusedCallback hands each of fit's hooks to every
member still training.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..model.keras_model import member_key
from ..tf_runtime import import_keras
from ..weights.stats import HistogramLayout
from .keras_callbacks import RunWatch
from .run_spec import RunSpec

METRICS = ("loss", "accuracy", "penalty")  # each member's, as a lone model logs them


class MemberView:
    """A member's network as its own callbacks see it: its layers, weights and loss, and a stop of its own.

    Setting `stop_training` (early stopping, a diverged loss) ends this member only; the
    fused callback reads it after each epoch. Anything else is the member's network.
    """

    def __init__(self, network: Any, loss_metric: Any, group: Any):
        self._network, self._group = network, group
        self.metrics = [loss_metric]
        self.stop_training = False

    @property
    def layers(self) -> list[Any]:
        return self._network.layers

    def get_weights(self) -> list[np.ndarray]:
        return self._network.get_weights()

    def set_weights(self, weights: list[np.ndarray]) -> None:
        self._network.set_weights(weights)

    @property
    def stop_evaluating(self) -> bool:
        return bool(self._group.stop_evaluating)

    @stop_evaluating.setter
    def stop_evaluating(self, value: bool) -> None:  # only a user's stop asks this: it ends the group's pass
        self._group.stop_evaluating = value

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._network(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._network, name)


class HeldStop:
    """The user's Stop as the members' callbacks see it: live, except while the fused callback
    hands an epoch's end round the members, when it keeps the value it had as that began."""

    def __init__(self, stop: threading.Event):
        self._stop = stop
        self._held: bool | None = None

    def is_set(self) -> bool:
        return self._stop.is_set() if self._held is None else self._held

    def hold(self) -> None:
        self._held = self._stop.is_set()

    def release(self) -> None:
        self._held = None


@dataclass(eq=False)
class Member:
    """One run inside a fused model, and what its callbacks have made of it so far."""

    index: int
    tag: int
    name: str
    spec: RunSpec
    network: Any
    layouts: list[HistogramLayout]
    watch: RunWatch
    view: MemberView
    callbacks: list[Any]  # its SessionCallback, then its early stopping if it has one: a lone run's order
    early: Any | None
    active: bool = True  # still recorded and steered by its callbacks
    frozen: list[np.ndarray] | None = field(default=None, repr=False)  # its weights when it stopped

    def logs(self, logs: dict[str, Any]) -> dict[str, Any]:
        """The fused model's epoch logs as this member alone would have logged them."""
        return {prefix + metric: logs[prefix + member_key(self.index, metric)]
                for prefix in ("", "val_") for metric in METRICS if prefix + member_key(self.index, metric) in logs}


@functools.cache
def fused_callback_class() -> type:
    keras = import_keras()

    class FusedCallback(keras.callbacks.Callback):
        """Hands each of fit's hooks to every member still training, with that member's own logs.

        Batch hooks are *_begin only, as in SessionCallback: a batch-end hook would make
        Keras wait for every step. The validation pass's begin and end go to the members
        without logs (none of their callbacks reads them there).
        """

        def __init__(self, members: list[Member], stop: threading.Event, members_stop: HeldStop):
            super().__init__()
            self.members, self.stop, self.members_stop = members, stop, members_stop

        def _active(self) -> list[Member]:
            return [m for m in self.members if m.active]

        def on_train_begin(self, logs: Any = None) -> None:
            for member in self.members:
                for callback in member.callbacks:
                    callback.on_train_begin()

        def _hand_on(self, hook: str, *args: int) -> None:
            """Call `hook` on each still-training member's callbacks, in a lone run's order."""
            for member in self._active():
                for callback in member.callbacks:
                    getattr(callback, hook)(*args)

        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            self._hand_on("on_epoch_begin", epoch)

        def on_train_batch_begin(self, batch: int, logs: Any = None) -> None:
            self._hand_on("on_train_batch_begin", batch)
            if self.stop.is_set():
                self.model.stop_training = True

        def on_test_begin(self, logs: Any = None) -> None:  # the validation pass inside fit
            self._hand_on("on_test_begin")

        def on_test_batch_begin(self, batch: int, logs: Any = None) -> None:
            self._hand_on("on_test_batch_begin", batch)

        def on_test_end(self, logs: Any = None) -> None:
            self._hand_on("on_test_end")

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            # The epoch, validation included, is complete for every member alike: a Stop that
            # arrives while it is handed round must not keep it from the later members only.
            self.members_stop.hold()
            try:
                for member in self._active():
                    own = member.logs(logs or {})
                    for callback in member.callbacks:
                        callback.on_epoch_end(epoch, own)
                    if member.view.stop_training and not self.members_stop.is_set():
                        member.active = False  # done by its own rule: what follows is not its run
                        member.frozen = member.network.get_weights()
            finally:
                self.members_stop.release()
            if self.stop.is_set() or not self._active():
                self.model.stop_training = True

        def on_train_end(self, logs: Any = None) -> None:
            for member in self.members:
                if member.frozen is not None:
                    member.network.set_weights(member.frozen)
                for callback in member.callbacks:
                    callback.on_train_end()  # early stopping restores the best weights here, as alone

    return FusedCallback
