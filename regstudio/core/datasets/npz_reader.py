""".npz files (what numpy.savez writes): a zip archive of .npy arrays, read without np.load.

np.load trusts the archive: a member whose name lacks ".npy" comes back as raw bytes with
no header check, and every member is decoded even when unused. Here every member's
header is checked first (shape, type, and that the data is really there), arrays holding
Python objects are refused (never unpickled), only the arrays asked for are read, their
total is capped, and each is read in chunks straight into its own memory.
"""

from __future__ import annotations

import lzma
import math
import struct
import warnings
import zipfile
import zlib
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from ..errors import DatasetError
from .streams import MAX_ARRAY_BYTES, MAX_TOTAL_BYTES, checked_file, describe_bytes

MAX_MEMBERS = 256  # an archive's directory is parsed into memory; savez files hold a handful
_CHUNK = 16 << 20
# What zipfile and its decompressors raise for a damaged archive, as opposed to a bad .npy header.
_ARCHIVE_DAMAGE = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError, RuntimeError,
                   NotImplementedError)
# Everything zipfile and its decompressors raise for a damaged or unusual archive.
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, zlib.error,
               lzma.LZMAError, EOFError, OSError, ValueError, struct.error, UnicodeDecodeError)


@dataclass(frozen=True)
class ArrayHeader:
    member: zipfile.ZipInfo
    shape: tuple[int, ...]
    dtype: np.dtype
    fortran_order: bool
    header_size: int

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize


def _read_header(f: IO[bytes], where: str) -> tuple[tuple[int, ...], np.dtype, bool, int]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # numpy's note about headers written by Python 2
            major, minor = np.lib.format.read_magic(f)
            if (major, minor) == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
            elif (major, minor) == (2, 0):
                # numpy caps the header's length (10,000 bytes), so a hostile length costs nothing.
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
            else:
                raise DatasetError(f"{where} is a .npy of version {major}.{minor}, which is not known; "
                                   "save it again with numpy.savez")
    except (DatasetError, *_ARCHIVE_DAMAGE):
        raise  # the archive itself is damaged (the CRC may fail while the header is read): said by _guard
    except Exception as exc:  # numpy parses the header text with tokenize and ast: any of their errors
        if "magic" in str(exc).lower():
            raise DatasetError(f"{where} is not a NumPy array; an .npz holds only arrays saved "
                               "with numpy.savez") from None
        raise DatasetError(f"{where} has a damaged array header") from None
    if any(d < 0 for d in shape):
        raise DatasetError(f"{where} has a damaged array header (negative size in {shape})")
    return shape, dtype, fortran, f.tell()


def _key(name: str) -> str:
    return name[:-4] if name.endswith(".npy") else name


class NpzArchive:
    """An open .npz whose members' headers have all been checked; `read` decodes some of them."""

    def __init__(self, path: Path, max_bytes: int = MAX_ARRAY_BYTES, max_total: int = MAX_TOTAL_BYTES) -> None:
        self.path, self.max_bytes, self.max_total = path, max_bytes, max_total
        checked_file(path)
        self.headers: dict[str, ArrayHeader] = {}
        self._zip = self._guard(lambda: self._open())

    def _open(self) -> zipfile.ZipFile:
        _check_member_count(self.path)
        zf = zipfile.ZipFile(self.path)
        try:
            for info in zf.infolist():
                if info.is_dir():
                    continue
                key = _key(info.filename)
                if key in self.headers:
                    raise DatasetError(f"{self.path.name}: holds two arrays named {key!r}; keep one")
                self.headers[key] = self._check(zf, info)
        except BaseException:
            zf.close()
            raise
        return zf

    def _check(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> ArrayHeader:
        where = f"{self.path.name}: the member {info.filename!r}"
        with zf.open(info) as f:
            shape, dtype, fortran, size = _read_header(f, where)
        if dtype.hasobject:
            raise DatasetError(f"{where} holds Python objects; RegStudio never unpickles files, "
                               "so save plain numeric arrays instead")
        header = ArrayHeader(info, shape, dtype, fortran, size)
        if size + header.nbytes > info.file_size:
            if header.nbytes > self.max_bytes:  # the likelier story for a huge claim: say the limit
                raise DatasetError(f"{where} claims shape {shape} ({header.nbytes:,} bytes); refused, the "
                                   f"limit is {describe_bytes(self.max_bytes)}")
            raise DatasetError(f"{where} claims shape {shape} of {dtype} but holds less data than "
                               "that; the file is truncated or damaged")
        if size + header.nbytes < info.file_size:  # numpy.save never writes more than the shape needs
            raise DatasetError(f"{where} holds more data than its shape {shape} describes; the file is damaged")
        return header

    def _guard(self, action: Callable[[], object]) -> object:
        try:
            return action()
        except DatasetError:
            raise
        except MemoryError:
            raise DatasetError(f"{self.path.name}: not enough memory to read it; use a smaller file") from None
        except _ZIP_ERRORS:
            raise DatasetError(f"{self.path.name}: not a readable .npz file (an .npz is a zip archive of "
                               "arrays, as numpy.savez writes it); the file may be damaged") from None

    def read(self, keys: Sequence[str], narrow: Collection[str] = ()) -> dict[str, np.ndarray]:
        """The arrays named; those in `narrow` with 8-byte numbers come back as float32.

        Narrowing while reading is what keeps a float64 input from costing twice its final
        size: it is converted to float32 for training anyway.
        """
        missing = [k for k in keys if k not in self.headers]
        if missing:
            raise DatasetError(f"{self.path.name}: has no array named {missing[0]!r}")
        for key in keys:
            h = self.headers[key]
            if h.dtype.itemsize == 0:
                raise DatasetError(f"{self.path.name}: the array {key!r} is of type {h.dtype}, which holds "
                                   "no values; numbers are needed")
            # An empty axis makes the size 0 but not the claim, which numpy could not even reshape to.
            if max(h.nbytes, math.prod(d or 1 for d in h.shape) * h.dtype.itemsize) > self.max_bytes:
                raise DatasetError(f"{self.path.name}: the array {key!r} claims shape {h.shape} "
                                   f"({h.nbytes:,} bytes); refused, the limit is {describe_bytes(self.max_bytes)}")
        total = sum(self.headers[k].nbytes for k in keys)
        if total > self.max_total:
            raise DatasetError(f"{self.path.name}: the arrays {', '.join(keys)} hold {total:,} bytes "
                               f"together; refused, the limit is {describe_bytes(self.max_total)}")
        return {k: self._guard(lambda k=k: self._decode(self.headers[k], k in narrow)) for k in keys}

    def _decode(self, h: ArrayHeader, narrow: bool) -> np.ndarray:
        stored = h.dtype
        target = stored.newbyteorder("=") if stored.byteorder not in "|=" else stored
        if narrow and stored.kind in "iuf" and stored.itemsize > 4:
            target = np.dtype(np.float32)
        count = math.prod(h.shape)
        out = np.empty(count, target)
        step = max(1, _CHUNK // stored.itemsize)
        with self._zip.open(h.member) as f:
            f.read(h.header_size)
            for start in range(0, count, step):
                n = min(step, count - start)
                raw = f.read(n * stored.itemsize)
                if len(raw) < n * stored.itemsize:
                    raise DatasetError(f"{self.path.name}: the array {_key(h.member.filename)!r} is cut "
                                       "short; the file is truncated or damaged")
                with np.errstate(over="ignore"):  # too large for float32 becomes inf, refused by name later
                    out[start:start + n] = np.frombuffer(raw, stored)
            # The sizes matched, so the data ended exactly at the member's end, where zipfile
            # checks its CRC: damage is found, not trained on.
        if h.fortran_order:
            return out.reshape(h.shape[::-1]).transpose()
        return out.reshape(h.shape)

    def close(self) -> None:
        self._zip.close()  # type: ignore[union-attr]

    def __enter__(self) -> NpzArchive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _check_member_count(path: Path) -> None:
    """Refuse archives with a huge directory before zipfile parses all of it into memory."""
    end_record = getattr(zipfile, "_EndRecData", None)  # private, so a Python without it skips this check
    if end_record is None:
        return
    with open(path, "rb") as fp:
        end = end_record(fp)  # the archive's own count; zipfile reads it the same way
    if end is None:
        raise zipfile.BadZipFile("no end of central directory")
    entries = end[4]  # _ECD_ENTRIES_TOTAL
    if entries > MAX_MEMBERS:
        raise DatasetError(f"{path.name}: holds {entries:,} members; an .npz of up to {MAX_MEMBERS} "
                           "arrays is read")


def read_npz(path: str | Path, keys: Sequence[str] | None = None, narrow: Collection[str] = (),
             max_bytes: int = MAX_ARRAY_BYTES, max_total: int = MAX_TOTAL_BYTES) -> dict[str, np.ndarray]:
    """The arrays `keys` of an .npz (all when None), after checking every member's header."""
    with NpzArchive(Path(path), max_bytes, max_total) as archive:
        return archive.read(list(archive.headers) if keys is None else keys, narrow)
