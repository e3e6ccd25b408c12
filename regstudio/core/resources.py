"""Where the files shipped with RegStudio live, in a source checkout and when installed."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    # An installed wheel carries them inside the package; a checkout keeps them at the top.
    for candidate in (_PACKAGE / "resources", _PACKAGE.parent / "resources"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("RegStudio's resources folder is missing; reinstall RegStudio")


def resource_path(relative: str) -> Path:
    return resources_dir() / relative
