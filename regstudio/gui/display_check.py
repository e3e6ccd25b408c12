"""Can the window open here? Asked before Qt is imported, on Linux only.

Qt cannot report a missing display or a platform plugin that fails to load: it prints a
hint and aborts the process (exit 134). Its hint names libxcb-cursor0 whatever is really
missing. So this module looks first: is there a display for the platform Qt will pick,
and can that platform's plugin load? `ldd` on the plugin lists the shared libraries that
cannot be found, which is exactly what to install. No Qt is imported here.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

README_INSTALL = ("sudo apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 "
                  "libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0")
# Platforms that draw without a display server.
HEADLESS = {"offscreen", "minimal", "minimalegl", "vnc", "eglfs", "linuxfb", "vkkhrdisplay"}
# Debian's package for each library Qt's xcb and wayland plugins need that a bare system may lack.
PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0", "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1", "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0", "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xkb.so.1": "libxcb-xkb1", "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0", "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-client.so.0": "libwayland-client0", "libEGL.so.1": "libegl1", "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1", "libdbus-1.so.3": "libdbus-1-3",
}
Runner = Callable[..., "subprocess.CompletedProcess[str]"]


def _platforms(env: Mapping[str, str]) -> list[str]:
    """The platforms Qt will try, in order: QT_QPA_PLATFORM's list, else its own default."""
    asked = [p.split(":")[0].strip().lower() for p in env.get("QT_QPA_PLATFORM", "").split(";")]
    asked = [p for p in asked if p]
    if asked:
        return asked
    wayland_session = env.get("XDG_SESSION_TYPE", "").lower() == "wayland"
    return ["wayland", "xcb"] if wayland_session and env.get("WAYLAND_DISPLAY") else ["xcb"]


def _plugin_dir(env: Mapping[str, str]) -> Path | None:
    if env.get("QT_QPA_PLATFORM_PLUGIN_PATH"):
        return Path(env["QT_QPA_PLATFORM_PLUGIN_PATH"])
    spec = importlib.util.find_spec("PySide6")  # finds the package without importing Qt
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "Qt" / "plugins" / "platforms"


def missing_libraries(plugin: Path, run: Runner = subprocess.run) -> list[str]:
    """Shared libraries `plugin` needs that the loader cannot find, by `ldd`; [] if unknown."""
    try:
        result = run(["ldd", str(plugin)], capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):  # no ldd (musl, macOS builds): Qt will have to say
        return []
    missing = []
    for line in result.stdout.splitlines():
        name, _, where = line.strip().partition("=>")
        if where.strip() == "not found" and name.strip() not in missing:
            missing.append(name.strip())
    return missing


def display_problem(env: Mapping[str, str] | None = None, platform: str | None = None,
                    plugin_dir: Path | None = None, run: Runner = subprocess.run) -> str | None:
    """Why the window cannot open, in one sentence, or None when it can (or this cannot tell)."""
    env = os.environ if env is None else env
    if not (platform or sys.platform).startswith("linux"):
        return None
    candidates = _platforms(env)
    if any(p in HEADLESS for p in candidates):
        return None
    shown = [p for p in candidates if (env.get("WAYLAND_DISPLAY") if p.startswith("wayland") else env.get("DISPLAY"))]
    if not shown:
        return ("no display to open the window on (DISPLAY and WAYLAND_DISPLAY are not set); start RegStudio "
                "from a desktop session, or use the command line, e.g. regstudio compare none l2 dropout")
    folder = plugin_dir or _plugin_dir(env)
    if folder is None:
        return None
    first_problem = None
    for name in shown:
        plugin = folder / f"libq{'wayland' if name.startswith('wayland') else name}.so"
        if not plugin.is_file():
            return None  # a platform this check does not know: let Qt try it
        missing = missing_libraries(plugin, run)
        if not missing:
            return None  # this platform loads; Qt falls back to it if an earlier one fails
        if first_problem is None:
            packages = [PACKAGES[lib] for lib in missing if lib in PACKAGES]
            wanted = f" (Debian, Ubuntu: sudo apt-get install {' '.join(packages)})" if packages else ""
            first_problem = (f"Qt's {name} platform plugin cannot load because these libraries are missing: "
                             f"{', '.join(missing)}{wanted}; the README's install line has all of them: "
                             f"{README_INSTALL}")
    return first_problem
