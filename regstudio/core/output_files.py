"""Files RegStudio writes for the user: checked before the work that fills them, written atomically.

A destination is checked before training starts, so a typo costs seconds rather than the
whole run. The write goes to a temporary file beside the target and is renamed over it
only once complete: a full disk or a crash leaves the old file (or none), never half of one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO


def destination_problem(path: Path, inputs: Iterable[Path] = ()) -> str | None:
    """Why `path` cannot be written, as the end of a sentence, or None when it can.

    `inputs` are files this command reads (the dataset): writing over one would destroy it.
    """
    path = Path(path).expanduser()
    if path.is_dir():
        return "a folder; give a file name inside it, such as runs.json"
    for source in inputs:
        with contextlib.suppress(OSError):
            if path.exists() and Path(source).expanduser().exists() and path.samefile(Path(source).expanduser()):
                return "this is the dataset being read; choose another file name"
    parent = path.parent
    missing = next((p for p in (parent, *parent.parents) if not p.exists()), None)
    if missing is not None:
        existing = next(p for p in parent.parents if p.exists())
        if not existing.is_dir():
            return f"{existing} is a file, not a folder"
        return f"the folder {parent} does not exist; create it first"
    if not parent.is_dir():
        return f"{parent} is a file, not a folder"
    if path.exists() and not path.is_file():
        return "not a regular file"
    try:  # the only sure test of "may I write here" (read-only mounts, permissions, quotas)
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        return f"cannot write in {parent} ({exc.strerror or exc})"
    os.close(fd)
    os.unlink(probe)
    if path.exists() and not os.access(path, os.W_OK):
        return "the file exists and may not be changed (read-only)"
    return None


def write_atomic(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Call `write` on a temporary file beside `path`, make it durable, then rename it over `path`.

    os.replace is atomic on one file system, and the temporary file is in the same folder,
    so readers see the old content or the new, never a truncated file; a crash at any
    moment leaves one or the other (tests/test_lab_file_crash.py kills saves to check).
    OSError propagates, after the temporary file is removed.
    """
    path = Path(path).expanduser()
    _remove_stale_parts(path)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())  # a full disk shows here, not after the rename
        if path.exists():  # keep the permissions of the file being replaced
            with contextlib.suppress(OSError):
                os.chmod(temporary, path.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes 0600; a new file gets the usual mode
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    with contextlib.suppress(OSError, AttributeError):  # the rename survives a power cut once the folder is synced
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def write_text_atomic(path: Path, text: str) -> None:
    """Write `text` as UTF-8 through write_atomic."""
    write_atomic(path, lambda f: f.write(text.encode("utf-8")))


def _remove_stale_parts(path: Path, older_than: float = 3600.0) -> None:
    """Temporary files of writes that a crash cut short: hidden, but they would pile up."""
    now = time.time()
    for part in path.parent.glob(f".{path.name}.*.tmp"):
        with contextlib.suppress(OSError):
            if now - part.stat().st_mtime > older_than:
                part.unlink()
