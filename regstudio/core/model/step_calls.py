"""Keras's fit and evaluate with less Python around each step: direct step calls, no idle hooks.

Keras calls every step through a polymorphic `tf.function` that takes the data iterator,
finds its trace by the iterator's type, wraps the step's logs in an Optional and unwraps
them again: about half a millisecond of Python a step (measured on this project's 2-core
machine: a lone run's step 2.1 ms that way, 1.6 ms called directly; a fused model of three
networks 4.3-5.4 ms against 3.0-3.9 ms; bench/RESULTS.md). On the lesson's small networks
that is a good share of every step. Here the step is traced once for the iterator's element
type, without AutoGraph (Keras's own step function runs without it too), and its concrete
function is called directly: the same graph, the same numbers, less Python around it.

Anything this does not cover (several steps a call, XLA, a distribution strategy, data that
are not a tf.data iterator) goes through Keras's own function, unchanged.

After every step Keras also hands the step's logs to a thread of its own, which turns each
into a Python float to call the callbacks' batch-end hooks, even when no callback has one
(none of this project's has: SessionCallback says why). When none has, fit and evaluate
here skip that hand-over; the logs are still read at each epoch's end. fit alone, 8
alternating runs of 10 epochs: a lone network 2.68 -> 2.50 ms a step, a fused three 5.23 ->
5.16 ms (bench/RESULTS.md).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any


def _direct(step: Callable[[Any], Any], keras_function: Callable[[Any], Any], model: Any) -> Callable[[Any], Any]:
    import tensorflow as tf

    traced = tf.function(lambda iterator: step(iterator.get_next()), autograph=False)
    concrete: dict[Any, Any] = {}  # by the iterator's element type: the training batches, or the evaluation ones

    def function(iterator: Any) -> Any:
        if (not isinstance(iterator, tf.data.Iterator) or model.steps_per_execution != 1 or model.jit_compile
                or tf.distribute.has_strategy()):
            return keras_function(iterator)
        key = iterator.element_spec
        call = concrete.get(key)
        if call is None:
            call = concrete[key] = traced.get_concrete_function(iterator)
        return call(iterator)

    return function


_BATCH_END_HOOKS = ("on_batch_end", "on_train_batch_end", "on_test_batch_end")


@functools.cache
def _quiet_batch_ends_class() -> type:
    import keras

    class QuietBatchEnds(keras.callbacks.CallbackList):
        """Callbacks none of which has a batch-end hook: a step's end is not handed on."""

        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            pass

        def on_test_batch_end(self, batch: int, logs: Any = None) -> None:
            pass

    return QuietBatchEnds


def _quiet_if_possible(callbacks: Any, verbose: Any, model: Any, history: bool) -> Any:
    """The callbacks as a QuietBatchEnds when nothing would miss a batch's end; else as given."""
    import keras

    if verbose != 0 or isinstance(callbacks, keras.callbacks.CallbackList):  # a progress bar counts steps
        return callbacks
    callbacks = list(callbacks or [])
    base = keras.callbacks.Callback
    if any(getattr(type(c), hook) is not getattr(base, hook) for c in callbacks for hook in _BATCH_END_HOOKS):
        return callbacks
    return _quiet_batch_ends_class()(callbacks, add_history=history, model=model)


@functools.cache
def direct_steps_class() -> type:
    """A mixin for a Keras model (before the model class among its bases): direct steps, no idle hooks."""

    class DirectSteps:
        def fit(self, *args: Any, callbacks: Any = None, verbose: Any = "auto", **kwargs: Any) -> Any:
            callbacks = _quiet_if_possible(callbacks, verbose, self, history=True)  # Keras's fit keeps a History
            return super().fit(*args, callbacks=callbacks, verbose=verbose, **kwargs)

        def evaluate(self, *args: Any, callbacks: Any = None, verbose: Any = "auto", **kwargs: Any) -> Any:
            callbacks = _quiet_if_possible(callbacks, verbose, self, history=False)
            return super().evaluate(*args, callbacks=callbacks, verbose=verbose, **kwargs)

        def make_train_function(self, force: bool = False) -> Any:
            return self._direct_function("train", force)

        def make_test_function(self, force: bool = False) -> Any:
            return self._direct_function("test", force)

        def _direct_function(self, kind: str, force: bool) -> Any:
            """Keras's `{kind}_function`, made as Keras makes it, then called directly where it can be."""
            name = f"{kind}_function"
            if getattr(self, name) is not None and not force:
                return getattr(self, name)
            getattr(super(), f"make_{kind}_function")(force=True)
            setattr(self, name, _direct(getattr(self, f"{kind}_step"), getattr(self, name), self))
            return getattr(self, name)

    return DirectSteps
