"""IDX, the format MNIST is published in: raw or gzip-compressed.

The header states the type and the shape, so the size is known, and refused when too
large, before a byte of data is decompressed or any memory is set aside for it.
"""

from __future__ import annotations

import math
import struct
from pathlib import Path

import numpy as np

from ..errors import DatasetError
from .streams import MAX_ARRAY_BYTES, describe_bytes, open_capped, read_failure

IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_CHUNK = 16 << 20  # bytes read per call: big enough to be fast, small enough to not matter


def read_idx(path: str | Path, max_bytes: int = MAX_ARRAY_BYTES) -> np.ndarray:
    """One IDX array: 2 zero bytes, a type code, the rank, the sizes, then the data."""
    path = Path(path)
    try:
        with open_capped(path, max_bytes + 4 + 4 * 4 + 1) as f:
            head = f.read(4)
            if len(head) < 4 or head[:2] != b"\0\0" or head[2] not in IDX_TYPES or not 1 <= head[3] <= 4:
                raise DatasetError(f"{path.name}: not an IDX file (the first 4 bytes must be "
                                   "0, 0, a type code and a rank from 1 to 4)")
            dtype = np.dtype(IDX_TYPES[head[2]])
            raw_dims = f.read(4 * head[3])
            if len(raw_dims) < 4 * head[3]:
                raise DatasetError(f"{path.name}: the file ends inside its header")
            dims = struct.unpack(f">{head[3]}I", raw_dims)
            nbytes = math.prod(dims) * dtype.itemsize
            # An empty axis makes the size 0 but not the claim: (0, 2**32 - 1, 2**32 - 1) is still refused.
            if math.prod(d or 1 for d in dims) * dtype.itemsize > max_bytes:
                raise DatasetError(f"{path.name}: the header claims an array of shape {dims} "
                                   f"({nbytes:,} bytes); refused, the limit is {describe_bytes(max_bytes)}")
            # Read straight into the array's own memory: no bytes object beside it.
            data = np.empty(nbytes, np.uint8)
            got = _fill(f, memoryview(data))
            extra = f.read(1)
    except Exception as exc:  # every way a file breaks while read becomes one sentence
        if isinstance(exc, DatasetError):
            raise
        raise read_failure(path, exc) from None
    if got < nbytes:
        raise DatasetError(f"{path.name}: truncated, the header promises {nbytes:,} bytes of data "
                           f"but the file holds {got:,}")
    if extra:
        raise DatasetError(f"{path.name}: more data than the header's shape {dims} describes")
    array = data.view(dtype)
    if not dtype.isnative and dtype.itemsize > 1:
        array = array.byteswap(inplace=True).view(dtype.newbyteorder("="))
    return array.reshape(dims)


def _fill(f: object, view: memoryview) -> int:
    got = 0
    while got < len(view):
        n = f.readinto(view[got:got + _CHUNK])  # type: ignore[attr-defined]
        if not n:
            break
        got += n
    return got
