"""Looking inside a training run: the Keras models a TrainingSession builds, and losses recomputed by hand.

A test that only reads the run record checks bookkeeping; these let a test check the
computation itself: which rows a loss came from, what the weights were before and after,
how many optimizer steps ran.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pytest


@dataclass
class Built:
    """A model as a session built it, with copies of its weights before any training."""

    model: object
    initial: dict[str, list[np.ndarray]] = field(default_factory=dict)  # layer name -> its weights

    def kernel(self, name: str) -> np.ndarray:
        return self.model.get_layer(name).kernel.numpy()  # type: ignore[attr-defined]

    @property
    def steps(self) -> int:
        return int(self.model.optimizer.iterations.numpy())  # type: ignore[attr-defined]


@contextlib.contextmanager
def capturing_models() -> Iterator[list[Built]]:
    """Every model TrainingSession builds inside the block, in order."""
    from regstudio.core.training import session as session_module

    built: list[Built] = []
    real = session_module.build_model

    def build_and_keep(*args: object, **kwargs: object) -> object:
        model = real(*args, **kwargs)
        built.append(Built(model, {layer.name: [w.copy() for w in layer.get_weights()] for layer in model.layers}))
        return model

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(session_module, "build_model", build_and_keep)
        yield built


def cross_entropy(model: object, x: np.ndarray, y: np.ndarray, clip: float = 1e-7) -> float:
    """Mean categorical cross-entropy of `model` (inference mode) on rows x with class indices y."""
    probs = np.asarray(model(np.asarray(x), training=False), dtype=np.float64)  # type: ignore[operator]
    picked = np.clip(probs[np.arange(len(y)), y], clip, 1 - clip)
    return float(-np.log(picked).mean())
