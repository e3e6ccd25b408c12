"""Files RegStudio writes for the user: checked before the work that fills them, written atomically.

A destination is checked before training starts, so a typo costs seconds rather than the
whole run. The write goes to a temporary file beside the target and is renamed over it
only once complete: a full disk or a crash leaves the old file (or none), never half of one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


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


def write_text_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file beside it and a rename.

    os.replace is atomic on one file system, and the temporary file is in the same folder,
    so readers see the old content or the new, never a truncated file. OSError propagates,
    after the temporary file is removed.
    """
    path = Path(path).expanduser()
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
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
