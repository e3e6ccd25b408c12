"""Opening a user's data file: the size limits, gzip, and the sentences for what goes wrong.

The limits are the memory a file can make RegStudio use. They are checked against what a
file claims before anything is decompressed or allocated, and again while reading, since
a claim can be a lie (a gzip stream says nothing about its size until it ends).
"""

from __future__ import annotations

import gzip
import io
import os
import stat
import zlib
from pathlib import Path
from typing import BinaryIO

from ..errors import DatasetError

MAX_ARRAY_BYTES = 1 << 30  # one array as stored: ten times full MNIST as uint8
MAX_TOTAL_BYTES = 2 << 30  # all the arrays read from one file together
MAX_TEXT_BYTES = 1 << 30  # a CSV file, after decompressing
GZIP_MAGIC = b"\x1f\x8b"


def describe_bytes(n: int) -> str:
    """1,073,741,824 -> '1 GiB': limits are easier to read in binary units."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            value = n / size
            return f"{value:.3g} {unit}" if value != int(value) else f"{int(value)} {unit}"
    return f"{n} bytes"


def checked_file(path: Path) -> int:
    """The size of `path` if it is a regular file; otherwise a sentence saying what it is."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise DatasetError(f"data.path = {str(path)!r}: no such file") from None
    except OSError as exc:
        raise DatasetError(f"data.path = {str(path)!r}: cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise DatasetError(f"data.path = {str(path)!r}: a folder, not a file; choose an .npz, .csv or "
                           "IDX file inside it")
    if not stat.S_ISREG(info.st_mode):
        # A device or a pipe never ends (/dev/zero) or cannot be read twice.
        raise DatasetError(f"data.path = {str(path)!r}: not a regular file; choose an .npz, .csv or IDX file")
    if not os.access(path, os.R_OK):
        raise DatasetError(f"data.path = {str(path)!r}: this account may not read it (permission denied)")
    return info.st_size


def is_gzip(path: Path) -> bool:
    with open(path, "rb") as probe:
        return probe.read(2) == GZIP_MAGIC


class CappedReader(io.RawIOBase):
    """A binary stream that refuses to give more than `limit` bytes.

    Wrapped around a gzip stream it bounds what decompressing can cost: a few kilobytes
    can inflate to gigabytes, and only reading tells how many.
    """

    def __init__(self, inner: BinaryIO, limit: int, name: str) -> None:
        self.inner, self.limit, self.name, self.count = inner, limit, name, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        # Ask one byte past the limit, so a stream of exactly `limit` bytes still passes.
        want = min(len(view), self.limit + 1 - self.count)
        data = self.inner.read(want) if want > 0 else b""
        view[:len(data)] = data
        self.count += len(data)
        if self.count > self.limit:
            raise DatasetError(f"{self.name}: decompresses to more than {describe_bytes(self.limit)}; "
                               f"files up to {describe_bytes(self.limit)} are read")
        return len(data)

    def close(self) -> None:
        self.inner.close()
        super().close()


def open_capped(path: Path, limit: int) -> BinaryIO:
    """The file's bytes, decompressed when it is gzip, never more than `limit` of them."""
    size = checked_file(path)
    if is_gzip(path):
        # Returned open: the caller closes it (a with block), which closes the gzip stream too.
        stream: BinaryIO = CappedReader(gzip.open(path, "rb"), limit, path.name)  # type: ignore[arg-type]  # noqa: SIM115
        return io.BufferedReader(stream, 1 << 20)  # type: ignore[arg-type, return-value]
    if size > limit:
        raise DatasetError(f"{path.name}: {size:,} bytes; files up to {describe_bytes(limit)} are read")
    return open(path, "rb")


def read_failure(path: Path, exc: BaseException) -> DatasetError:
    """One sentence for a file that broke while being read (damaged gzip, disk error...)."""
    if isinstance(exc, DatasetError):
        return exc
    if isinstance(exc, (gzip.BadGzipFile, EOFError, zlib.error)):
        return DatasetError(f"{path.name}: the gzip compression is damaged or cut short; "
                            "copy the file again or save it uncompressed")
    if isinstance(exc, MemoryError):
        return DatasetError(f"{path.name}: not enough memory to read it; use a smaller file")
    if isinstance(exc, OSError):
        return DatasetError(f"{path.name}: cannot be read ({exc.strerror or 'input/output error'})")
    return DatasetError(f"{path.name}: cannot be read")
