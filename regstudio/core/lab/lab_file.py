"""The `.regstudio` file: a zip of `lab.json` and `arrays.npz`, written atomically, read warily.

Lab files travel between students and teachers, so reading trusts nothing: only the two
known member names, no paths, sizes checked against caps before anything is
decompressed, no pickles (arrays are plain float32 .npy read with allow_pickle=False),
and every JSON field checked (codec.py). Writing goes to a temporary file beside the
target, flushed to disk, then renamed over it: a crash or a full disk leaves the old
file or the new one, never half of one.
"""

from __future__ import annotations

import io
import math
import zipfile
from pathlib import Path
from typing import BinaryIO

import numpy as np

from .. import json_fields as jf
from ..errors import LabFileError, SpecError
from ..output_files import destination_problem, write_atomic
from .codec import content_dict, read_content
from .lab import LabContent

SUFFIX = ".regstudio"
LAB_JSON, ARRAYS = "lab.json", "arrays.npz"
MAX_JSON_BYTES = 256 << 20  # decompressed; 20 runs x 30 epochs take about 2 MB
MAX_ARRAYS_BYTES = 1 << 30  # a 784 x 4096 kernel is 12.8 MB; this allows about 80 of them
MAX_FILE_BYTES = MAX_JSON_BYTES + MAX_ARRAYS_BYTES
MAX_KERNEL_VALUES = 10_000_000


def _refuse(path: Path, why: str) -> LabFileError:
    return LabFileError(f"{path.name}: {why}")


# Writing ----------------------------------------------------------------------------------------
def lab_bytes(content: LabContent, app_version: str) -> tuple[bytes, bytes]:
    """(lab.json, arrays.npz) as they go into the zip."""
    data, arrays = content_dict(content, app_version)
    buffer = io.BytesIO()
    if arrays:
        np.savez(buffer, **arrays)  # uncompressed: float weights barely compress, and it is fast
    return jf.dumps(data).encode("utf-8"), buffer.getvalue()


def save_lab(content: LabContent, path: str | Path, app_version: str) -> None:
    """Write the lab; LabFileError with a sentence if the place cannot take it."""
    path = Path(path)
    problem = destination_problem(path)
    if problem:
        raise LabFileError(f"{path}: could not be saved: {problem}")
    text, arrays = lab_bytes(content, app_version)

    def write(out: BinaryIO) -> None:
        with zipfile.ZipFile(out, "w") as zf:
            # Level 1: a quarter of level 6's time for a file 20 % larger (measured: bench/lab_file.py).
            zf.writestr(LAB_JSON, text, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
            if arrays:
                zf.writestr(ARRAYS, arrays, compress_type=zipfile.ZIP_STORED)

    try:
        write_atomic(path, write)
    except OSError as exc:
        raise LabFileError(f"{path}: could not be saved ({exc.strerror or exc}); the lab is still open, "
                           "try another place") from None


# Reading ----------------------------------------------------------------------------------------
def _member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, path: Path) -> bytes:
    if info.file_size > cap:
        raise _refuse(path, f"{info.filename} would unpack to {info.file_size:,} bytes, more than a lab holds "
                      f"({cap:,})")
    try:
        with zf.open(info) as f:
            data = f.read(cap + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, ValueError) as exc:
        raise _refuse(path, f"{info.filename} is damaged ({exc})") from None
    except Exception as exc:  # zlib.error and friends: a damaged stream is the file's fault, not ours
        raise _refuse(path, f"{info.filename} is damaged ({type(exc).__name__})") from None
    if len(data) > cap or len(data) != info.file_size:
        raise _refuse(path, f"{info.filename} does not unpack to the size it claims")
    return data


def _safe_names(zf: zipfile.ZipFile, allowed: set[str], path: Path, what: str) -> dict[str, zipfile.ZipInfo]:
    infos: dict[str, zipfile.ZipInfo] = {}
    for info in zf.infolist():
        name = info.filename
        if name not in allowed:
            shown = name if len(name) < 80 else name[:77] + "..."
            raise _refuse(path, f"{what} holds {shown!r}, which a lab file never contains")
        if name in infos:
            raise _refuse(path, f"{what} holds {name} twice")
        if info.flag_bits & 0x1:
            raise _refuse(path, f"{name} is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _refuse(path, f"{name} uses a compression RegStudio does not read")
        infos[name] = info
    return infos


# The arrays a lab holds, by name prefix: (dtype, dimensions, what it is).
ARRAY_KINDS = {"run_": ("<f4", 2, "a kernel is float32 inputs x units"),
               "boundary_": ("|u1", 2, "a decision boundary is uint8 rows x columns"),
               "points_": ("<f4", 2, "boundary points are float32 rows of x, y, label, trained")}


def _kind(name: str) -> tuple[str, int, str] | None:
    for prefix, kind in ARRAY_KINDS.items():
        if name.startswith(prefix) and name.endswith(".npy") and name[len(prefix):-4].isdigit() and len(name) < 24:
            return kind
    return None


def _read_arrays(data: bytes, path: Path) -> dict[str, np.ndarray]:
    """Kernels and boundaries: plain arrays named by ARRAY_KINDS, headers checked before any array is made."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _refuse(path, f"{ARRAYS} is not a valid archive ({exc})") from None
    with zf:
        allowed = {info.filename for info in zf.infolist() if _kind(info.filename) is not None}
        infos = _safe_names(zf, allowed, path, ARRAYS)
        arrays: dict[str, np.ndarray] = {}
        for name, info in infos.items():
            raw = io.BytesIO(_member(zf, info, MAX_KERNEL_VALUES * 4 + 1024, path))
            try:
                version = np.lib.format.read_magic(raw)
                if version == (1, 0):
                    shape, fortran, dtype = np.lib.format.read_array_header_1_0(raw)
                elif version == (2, 0):
                    shape, fortran, dtype = np.lib.format.read_array_header_2_0(raw)
                else:
                    raise ValueError(f".npy version {version}")
            except (ValueError, OSError, SyntaxError, TypeError) as exc:
                raise _refuse(path, f"{name} in {ARRAYS} is not a plain array ({exc})") from None
            wanted, dimensions, what = _kind(name)  # type: ignore[misc]
            if dtype != np.dtype(wanted) or fortran or len(shape) != dimensions or \
                    math.prod(shape) > MAX_KERNEL_VALUES:
                raise _refuse(path, f"{name} in {ARRAYS} is {dtype} {shape}; {what}")
            values = np.frombuffer(raw.read(), dtype=wanted)
            if values.size != math.prod(shape):
                raise _refuse(path, f"{name} in {ARRAYS} holds {values.size} values, not the {shape} it claims")
            arrays[name[:-4]] = values.reshape(shape).copy()
        return arrays


def open_lab(path: str | Path) -> LabContent:
    """Read a lab file, or raise LabFileError with one sentence naming the file and what is wrong."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise _refuse(path, "is a folder, not a lab file")
        if size > MAX_FILE_BYTES + (1 << 20):
            raise _refuse(path, f"is {size:,} bytes, more than any lab RegStudio writes")
        with open(path, "rb") as f:
            head = f.read(4)
            if head[:2] != b"PK":
                raise _refuse(path, "is not a RegStudio lab (not a zip archive)")
            f.seek(0)
            zf = zipfile.ZipFile(f)
            with zf:
                infos = _safe_names(zf, {LAB_JSON, ARRAYS}, path, "the file")
                if LAB_JSON not in infos:
                    raise _refuse(path, f"has no {LAB_JSON}: not a RegStudio lab")
                text = _member(zf, infos[LAB_JSON], MAX_JSON_BYTES, path)
                arrays = _read_arrays(_member(zf, infos[ARRAYS], MAX_ARRAYS_BYTES, path), path) \
                    if ARRAYS in infos else {}
    except FileNotFoundError:
        raise LabFileError(f"{path}: no such file") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, UnicodeDecodeError) as exc:
        # The last two from a damaged central directory: a "version needed to extract" zipfile does not know,
        # or a name flagged as UTF-8 that is not
        raise _refuse(path, f"is damaged or truncated ({exc})") from None
    except OSError as exc:
        raise LabFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        return read_content(jf.loads(text, LAB_JSON), arrays)
    except SpecError as exc:
        raise _refuse(path, str(exc.problems[0]) if exc.problems else str(exc)) from None
