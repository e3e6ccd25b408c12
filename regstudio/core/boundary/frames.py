"""One picture of a decision boundary per epoch, small enough to keep every run's history.

A frame stores, for each cell of the grid, the predicted class and how sure the network is
of it, packed into one byte: code = class * levels + confidence level, where `levels` is
256 // classes (128 shades for two classes, 25 for ten). The window turns codes into colours
with one 256-entry lookup table, so drawing an epoch is a single image update, and a
100 x 100 frame takes 10 KB. A history keeps at most MAX_FRAMES frames of a run: when a long
run passes that, every other frame is let go (the first and the latest always stay), so a
1,000-epoch run still keeps one frame per 8 epochs in about 1.3 MB.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace

import numpy as np

from .complexity import boundary_complexity
from .plane import BoundaryPlane

MAX_FRAMES = 128


def levels_for(n_classes: int) -> int:
    """Confidence shades per class that fit in one byte beside the class."""
    return 256 // max(n_classes, 1)


@dataclass(frozen=True)
class BoundaryFrame:
    """The network's predictions over the plane after one epoch."""

    epoch: int  # counted from 1
    n_classes: int
    complexity: float  # boundary_complexity of the predicted classes
    codes: np.ndarray = field(compare=False, repr=False)  # (rows, columns) uint8: class * levels + shade

    @property
    def classes(self) -> np.ndarray:
        return self.codes // levels_for(self.n_classes)

    @property
    def confidence(self) -> np.ndarray:
        """The predicted class's probability, as quantized: from 1 / classes (a guess) to 1 (certain)."""
        levels = levels_for(self.n_classes)
        chance = 1.0 / self.n_classes
        return chance + (self.codes % levels) / (levels - 1) * (1.0 - chance)


def frame_of(epoch: int, probabilities: np.ndarray, size: int) -> BoundaryFrame:
    """Pack class probabilities of the grid's cells, (size * size, classes) row by row, into a frame."""
    n_classes = probabilities.shape[1]
    levels = levels_for(n_classes)
    classes = probabilities.argmax(axis=1)
    top = probabilities.max(axis=1)
    chance = 1.0 / n_classes
    shade = np.clip(np.rint((top - chance) / (1.0 - chance) * (levels - 1)), 0, levels - 1)
    codes = (classes * levels + shade).astype(np.uint8).reshape(size, size)
    codes.flags.writeable = False
    return BoundaryFrame(epoch, n_classes, boundary_complexity(codes // levels), codes)


@dataclass(frozen=True)
class BoundaryHistory:
    """A run's plane and its frames so far, oldest first; a new history for each new frame."""

    plane: BoundaryPlane
    frames: tuple[BoundaryFrame, ...] = field(default=(), repr=False)
    stride: int = 1  # frames between the first and the latest are kept for epochs divisible by this

    @property
    def last(self) -> BoundaryFrame | None:
        return self.frames[-1] if self.frames else None

    def _kept(self, frame: BoundaryFrame, stride: int) -> bool:
        return frame.epoch == 1 or frame.epoch % stride == 0

    def added(self, frame: BoundaryFrame) -> BoundaryHistory:
        frames = list(self.frames)
        if frames and not self._kept(frames[-1], self.stride):
            frames.pop()  # it was kept only as the latest
        frames.append(frame)
        stride = self.stride
        while len(frames) > MAX_FRAMES:
            stride *= 2
            frames = [f for f in frames[:-1] if self._kept(f, stride)] + frames[-1:]
        return replace(self, frames=tuple(frames), stride=stride)

    def at(self, epoch: int) -> BoundaryFrame | None:
        """The frame of `epoch`, else the nearest kept one before it (the first, before any)."""
        if not self.frames:
            return None
        i = bisect.bisect_right(self.frames, epoch, key=lambda f: f.epoch)
        return self.frames[max(i - 1, 0)]
