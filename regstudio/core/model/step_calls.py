"""Each training and evaluation step called as one traced function, without Keras's wrapping.

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


@functools.cache
def direct_steps_class() -> type:
    """A mixin for a Keras model (before the model class among its bases) that calls its steps directly."""

    class DirectSteps:
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
