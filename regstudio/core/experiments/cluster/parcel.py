"""A dataset as it travels to the workers once: pixels as bytes where that loses nothing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import numpy as np

from ...datasets.split import DatasetSplit

_SCALE = np.float32(255)


def _as_pixels(x: np.ndarray) -> np.ndarray | None:
    """x as uint8 if every value is a pixel / 255 that comes back bit for bit, else None."""
    if x.size == 0 or x.dtype != np.float32:
        return None
    scaled = np.rint(x * _SCALE)
    if scaled.min() < 0 or scaled.max() > 255:
        return None
    pixels = scaled.astype(np.uint8)
    return pixels if np.array_equal(pixels.astype(np.float32) / _SCALE, x) else None


@dataclass(frozen=True, eq=False)
class DataParcel:
    """The split's arrays as sent; `unpack()` gives back the very same float32 values."""

    token: str
    name: str
    class_names: tuple[str, ...]
    image_shape: tuple[int, int] | None
    source: str
    arrays: tuple[np.ndarray, ...] = field(repr=False)  # x_train, y_train, x_test, y_test
    pixels: bool  # x arrays are uint8 pixels

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in self.arrays)

    def unpack(self) -> DatasetSplit:
        x_train, y_train, x_test, y_test = self.arrays
        if self.pixels:
            x_train, x_test = (x.astype(np.float32) / _SCALE for x in (x_train, x_test))
        return DatasetSplit(self.name, x_train, y_train, x_test, y_test, self.class_names, self.image_shape,
                            self.source)


def pack(data: DatasetSplit) -> DataParcel:
    train, test = _as_pixels(data.x_train), _as_pixels(data.x_test)
    pixels = data.image_shape is not None and train is not None and test is not None
    xs = (train, test) if pixels else (data.x_train, data.x_test)
    return DataParcel(uuid.uuid4().hex, data.name, data.class_names, data.image_shape, data.source,
                      (xs[0], data.y_train, xs[1], data.y_test), pixels)
