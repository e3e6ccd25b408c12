"""Readers for files a user may bring: IDX (raw or gzipped), .npz and CSV.

Every reader checks what a file claims before trusting it. A header that promises a huge
array is refused before any memory is allocated, because shared classroom files can be
broken or hostile; .npz files are never unpickled.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import struct
import zipfile
from pathlib import Path

import numpy as np

from ..errors import DatasetError

MAX_ARRAY_BYTES = 1 << 30  # 1 GiB: ten times full MNIST as uint8, far below this machine's RAM
IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
LABEL_HEADERS = ("label", "labels", "class", "target", "y", "digit")


def _open_maybe_gzip(path: Path) -> io.BufferedIOBase:
    with open(path, "rb") as probe:
        gz = probe.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if gz else open(path, "rb")  # type: ignore[return-value]


def read_idx(path: str | Path, max_bytes: int = MAX_ARRAY_BYTES) -> np.ndarray:
    """Read one IDX array (the MNIST file format): 2 zero bytes, a type code, the rank, sizes."""
    path = Path(path)
    try:
        with _open_maybe_gzip(path) as f:
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
            if nbytes > max_bytes:
                raise DatasetError(f"{path.name}: the header claims an array of shape {dims} "
                                   f"({nbytes:,} bytes); refused, the limit is {max_bytes:,} bytes")
            data = f.read(nbytes + 1)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        if isinstance(exc, FileNotFoundError):
            raise DatasetError(f"{path}: no such file") from None
        raise DatasetError(f"{path.name}: cannot be read ({exc})") from None
    if len(data) < nbytes:
        raise DatasetError(f"{path.name}: truncated, the header promises {nbytes:,} bytes of data "
                           f"but the file holds {len(data):,}")
    if len(data) > nbytes:
        raise DatasetError(f"{path.name}: more data than the header's shape {dims} describes")
    return np.frombuffer(data, dtype).reshape(dims).astype(dtype.newbyteorder("="))


def _check_npy_header(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, max_bytes: int) -> None:
    with zf.open(info) as f:
        try:
            version = np.lib.format.read_magic(f)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(f)
            elif version == (2, 0):
                shape, _, dtype = np.lib.format.read_array_header_2_0(f)
            else:
                raise ValueError(f"unsupported .npy version {version}")
        except ValueError as exc:
            raise DatasetError(f"{path.name}: member {info.filename} is not a valid array ({exc})") from None
    if dtype.hasobject:
        raise DatasetError(f"{path.name}: array {info.filename} holds Python objects; RegStudio "
                           "never unpickles files. Save plain numeric arrays instead")
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes > max_bytes:
        raise DatasetError(f"{path.name}: array {info.filename} claims shape {shape} ({nbytes:,} "
                           f"bytes); refused, the limit is {max_bytes:,} bytes")
    if nbytes > info.file_size:
        raise DatasetError(f"{path.name}: array {info.filename} claims shape {shape} but holds "
                           "less data than that; the file is truncated or damaged")


def read_npz(path: str | Path, max_bytes: int = MAX_ARRAY_BYTES) -> dict[str, np.ndarray]:
    """All arrays of an .npz file, after checking every header; pickles are refused."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if info.filename.endswith(".npy"):
                    _check_npy_header(zf, info, path, max_bytes)
        with np.load(path, allow_pickle=False) as npz:
            return {key: npz[key] for key in npz.files}
    except FileNotFoundError:
        raise DatasetError(f"{path}: no such file") from None
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise DatasetError(f"{path.name}: not a readable .npz file ({exc})") from None


def _label_column(header: list[str] | None, width: int) -> int:
    if header:
        lowered = [h.strip().lower() for h in header]
        for name in LABEL_HEADERS:
            if name in lowered:
                return lowered.index(name)
    return width - 1


def read_csv(
    path: str | Path, max_bytes: int = MAX_ARRAY_BYTES
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...] | None]:
    """Features and labels from a CSV file: one example per row, one label column.

    The label column is the one headed label/class/target/y/digit, else the last one.
    Labels may be numbers (0, 1, 2...) or words; words become classes in sorted order,
    and their names are returned. Every feature must be a finite number.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise DatasetError(f"{path}: no such file") from None
    if size > max_bytes:
        raise DatasetError(f"{path.name}: {size:,} bytes; files up to {max_bytes:,} bytes are read")
    with open(path, newline="", encoding="utf-8", errors="replace") as f:
        rows = [row for row in csv.reader(f) if row and any(cell.strip() for cell in row)]
    if not rows:
        raise DatasetError(f"{path.name}: the file is empty")
    header = None
    if len(rows) > 1 and _looks_like_header(rows[0], rows[1]):
        header, rows = rows[0], rows[1:]
    if len(rows) < 2:
        raise DatasetError(f"{path.name}: fewer than 2 examples")
    width = len(header) if header else len(rows[0])
    if width < 2:
        raise DatasetError(f"{path.name}: each row needs a label and at least one feature")
    label_at = _label_column(header, width)
    features = np.empty((len(rows), width - 1), dtype=np.float64)
    labels: list[str] = []
    first_line = 2 if header else 1
    for i, row in enumerate(rows):
        line = first_line + i
        if len(row) != width:
            raise DatasetError(f"{path.name}, line {line}: {len(row)} values; every row needs {width}")
        labels.append(row[label_at].strip())
        cells = row[:label_at] + row[label_at + 1:]
        try:
            features[i] = [float(c) for c in cells]
        except ValueError:
            bad = next(c for c in cells if not _is_number(c))
            raise DatasetError(f"{path.name}, line {line}: {bad!r} is not a number") from None
        if not np.isfinite(features[i]).all():
            raise DatasetError(f"{path.name}, line {line}: NaN or infinity among the features; "
                               "every value must be finite")
    return features, *_labels_from_text(labels, path.name)


def _looks_like_header(first: list[str], second: list[str]) -> bool:
    """A header names a label column, or has words where the data below has numbers.

    Testing "any word in the first row" is not enough: labels may be words ("cat").
    """
    if any(cell.strip().lower() in LABEL_HEADERS for cell in first):
        return True
    return any(not _is_number(a) and _is_number(b) for a, b in zip(first, second, strict=False))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _labels_from_text(labels: list[str], name: str) -> tuple[np.ndarray, tuple[str, ...] | None]:
    if all(_is_number(v) for v in labels):
        values = np.array([float(v) for v in labels])
        if np.array_equal(values, np.round(values)):
            return values.astype(np.int64), None
        raise DatasetError(f"{name}: the label column holds fractions; labels must be whole "
                           "numbers or words naming classes")
    names = tuple(sorted(set(labels)))
    index = {n: i for i, n in enumerate(names)}
    return np.array([index[v] for v in labels], dtype=np.int64), names
