"""Computing a run's decision boundary on the training thread, once per epoch.

The grid goes to TensorFlow once, as a constant, and the network's forward pass over it is
traced once per run into a graph function: a plain eager `model(grid)` goes through Keras's
layer machinery on every call, three to five times slower (bench/boundary.py). Dropout and
noise layers are off (`training=False`), as in `predict`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .frames import BoundaryFrame, frame_of
from .plane import BoundaryPlane


class BoundaryProbe:
    """Turns a model's state after an epoch into a BoundaryFrame on `plane`."""

    def __init__(self, plane: BoundaryPlane):
        self.plane = plane
        self._grid: Any = None
        self._forward: Any = None

    def frame(self, model: Any, epoch: int) -> BoundaryFrame | None:
        """The frame after `epoch`; None once the network's outputs are no longer numbers (it diverged)."""
        if self._forward is None:
            import tensorflow as tf

            self._grid = tf.constant(self.plane.grid())
            # No autograph: the function is one call, nothing to convert, and tracing is quicker.
            self._forward = tf.function(lambda grid: model(grid, training=False), autograph=False)
        probabilities = np.asarray(self._forward(self._grid))
        if not np.isfinite(probabilities).all():
            return None
        return frame_of(epoch, probabilities, self.plane.size)
