"""Input arrays made ready for a Dense network: float32 rows, pixels scaled to 0..1.

The conversion is where loading used to spend its memory: a float64 copy, a rounded copy
to test for whole numbers, a float32 copy, then another copy per train/test part. Here
each output is allocated once, in float32, and filled chunk by chunk from the source, so
the only temporaries are one chunk big; the checks (finite? whole numbers in 0..255?)
run on those chunks too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..errors import DatasetError

CHUNK_VALUES = 1 << 19  # values per step: a few MB of temporaries, however big the data
FLOAT32_MAX = float(np.finfo(np.float32).max)


def feature_rows(x: np.ndarray, where: str) -> tuple[np.ndarray, tuple[int, int] | None]:
    """The array as (examples, features), a view where possible, and its image shape if any."""
    if x.dtype.kind not in "biuf":
        raise DatasetError(f"{where}: values are of type {x.dtype}, but numbers are needed")
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim not in (2, 3) or x.shape[0] == 0 or min(x.shape) == 0:
        raise DatasetError(f"{where}: shape {x.shape}; expected (examples, features) or "
                           "(examples, height, width) with no empty axis")
    image_shape = (int(x.shape[1]), int(x.shape[2])) if x.ndim == 3 else None
    return x.reshape(len(x), -1), image_shape


def to_float32(flat: np.ndarray, parts: Sequence[np.ndarray | None], where: str,
               owned: bool = False) -> tuple[list[np.ndarray], tuple[int, int] | None]:
    """float32 copies of the rows `parts` of `flat` (None: all rows), and the image shape found.

    uint8 arrays, and whole numbers in 0..255 with a square number of features (at least
    8 x 8), are pixels: they are divided by 255 as in the lesson. Anything else is used as
    it is. With `owned`, a float32 source asked for whole is converted in place.
    """
    n, width = flat.shape
    step = max(1, CHUNK_VALUES // width)
    outputs: list[np.ndarray] = []
    low, high = math.inf, -math.inf
    whole, test_whole = True, flat.dtype.kind == "f"  # integers are whole by their type
    for rows in parts:
        in_place = rows is None and owned and flat.dtype == np.float32 and flat.flags.c_contiguous
        out = flat if in_place else np.empty((n if rows is None else len(rows), width), np.float32)
        for start in range(0, len(out), step):
            part = out[start:start + step]
            if not in_place:
                with np.errstate(over="ignore", invalid="ignore"):  # overflow shows as inf just below
                    part[...] = flat[start:start + step] if rows is None else flat[rows[start:start + step]]
            finite = np.isfinite(part)
            if not finite.all():
                bad = start + int(np.argwhere(~finite)[0][0])
                source_row = bad if rows is None else int(rows[bad])
                raise DatasetError(f"{where}: example {source_row} holds NaN or infinity (or a number beyond "
                                   f"±{FLOAT32_MAX:.1e}, too large for 32-bit floats); every value must be finite")
            low, high = min(low, float(part.min())), max(high, float(part.max()))
            if whole and test_whole:  # past 255 these cannot be pixels, so the test can stop
                whole = high <= 255 and bool(np.array_equal(part, np.round(part)))
        outputs.append(out)
    side = math.isqrt(width)
    square = side * side == width
    pixels = flat.dtype == np.uint8 or (flat.dtype.kind in "iuf" and low >= 0 and high <= 255 and high > 1
                                       and square and side >= 8 and whole)
    if pixels:
        for out in outputs:
            for start in range(0, len(out), step):
                out[start:start + step] /= 255.0
    return outputs, ((side, side) if pixels and square else None)
