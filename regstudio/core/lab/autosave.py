"""Autosaves in the user's state folder, and finding the ones a crash left behind.

Each running window writes its lab to `autosave-<pid>.regstudio` (atomically, like any
lab) after every finished run and after a minute of changes, and deletes it when it
closes normally. A file whose process is gone was therefore left by a crash or a kill:
the next start offers to restore it.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

PATTERN = re.compile(r"autosave-(\d+)\.regstudio$")


def state_dir() -> Path:
    """Where autosaves live: REGSTUDIO_STATE_DIR if set (tests, portable installs), else the system's place."""
    override = os.environ.get("REGSTUDIO_STATE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_state_dir

    return Path(user_state_dir("RegStudio", appauthor=False))


def autosave_path(pid: int | None = None) -> Path:
    return state_dir() / f"autosave-{os.getpid() if pid is None else pid}.regstudio"


def process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform == "win32":
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        ctypes.windll.kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        ctypes.windll.kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive, and not ours to restore
        return True
    return True


@dataclass(frozen=True)
class Orphan:
    path: Path
    modified: float  # seconds since the epoch


def orphaned_autosaves(folder: Path | None = None) -> list[Orphan]:
    """Autosaves whose window is gone, newest first."""
    folder = folder or state_dir()
    found = []
    with contextlib.suppress(OSError):
        for path in folder.iterdir():
            match = PATTERN.match(path.name)
            if match and not process_alive(int(match.group(1))):
                with contextlib.suppress(OSError):
                    found.append(Orphan(path, path.stat().st_mtime))
    return sorted(found, key=lambda o: o.modified, reverse=True)


def discard(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
