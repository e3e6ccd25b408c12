"""Before Qt is loaded: no display, or a platform plugin that cannot load, is one sentence and exit 2."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from regstudio.cli import main
from regstudio.gui.display_check import README_INSTALL, display_problem, missing_libraries

LDD_MISSING = """\tlinux-vdso.so.1 (0x00007ffd)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f1)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-icccm.so.4 => not found
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f2)
"""


def fake_ldd(stdout):
    def run(argv, **kwargs):
        assert argv[0] == "ldd"
        return subprocess.CompletedProcess(argv, 0, stdout, "")
    return run


@pytest.fixture
def plugins(tmp_path):
    for name in ("libqxcb.so", "libqwayland.so"):
        (tmp_path / name).write_bytes(b"")
    return tmp_path


def test_no_display_on_linux(plugins):
    message = display_problem({}, "linux", plugins, fake_ldd(""))
    assert message.startswith("no display to open the window on (DISPLAY and WAYLAND_DISPLAY are not set)")
    assert "\n" not in message


@pytest.mark.parametrize("env, platform", [
    ({"QT_QPA_PLATFORM": "offscreen"}, "linux"),
    ({"QT_QPA_PLATFORM": "vnc:size=800x600"}, "linux"),
    ({}, "darwin"),
    ({}, "win32"),
    ({"DISPLAY": ":0"}, "linux"),
])
def test_nothing_to_say(env, platform, plugins):
    assert display_problem(env, platform, plugins, fake_ldd("\tlibc.so.6 => /lib/libc.so.6 (0x1)\n")) is None


def test_missing_libraries_are_named_with_their_packages_and_the_readme_line(plugins):
    message = display_problem({"DISPLAY": ":0"}, "linux", plugins, fake_ldd(LDD_MISSING))
    assert message == ("Qt's xcb platform plugin cannot load because these libraries are missing: "
                       "libxcb-icccm.so.4, libxcb-keysyms.so.1 (Debian, Ubuntu: sudo apt-get install libxcb-icccm4 "
                       f"libxcb-keysyms1); the README's install line has all of them: {README_INSTALL}")


def test_readme_has_the_install_line_the_message_points_to():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    packages = README_INSTALL.removeprefix("sudo apt-get install ").split()
    assert all(p in readme for p in packages)


def test_a_fallback_platform_that_loads_is_enough(plugins):
    calls = []

    def run(argv, **kwargs):
        calls.append(Path(argv[1]).name)
        return subprocess.CompletedProcess(argv, 0, LDD_MISSING if "wayland" in argv[1] else "", "")

    env = {"QT_QPA_PLATFORM": "wayland;xcb", "WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}
    assert display_problem(env, "linux", plugins, run) is None and calls == ["libqwayland.so", "libqxcb.so"]


def test_without_ldd_the_check_stands_aside(plugins):
    def no_ldd(argv, **kwargs):
        raise FileNotFoundError("ldd")

    assert missing_libraries(plugins / "libqxcb.so", no_ldd) == []
    assert display_problem({"DISPLAY": ":0"}, "linux", plugins, no_ldd) is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")
def test_the_window_command_without_a_display_exits_2_in_one_line():
    """As reported: no display made Qt abort with exit 134; now one sentence and exit 2."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run([sys.executable, "-m", "regstudio"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr[-500:]
    assert result.stderr.startswith("regstudio: error: no display") and result.stderr.count("\n") == 1


def test_main_refuses_before_importing_qt(monkeypatch, capsys):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setitem(sys.modules, "regstudio.gui.app", None)  # importing it now would fail the test
    assert main([]) == 2
    err = capsys.readouterr().err
    assert err.startswith("regstudio: error: no display") and err.count("\n") == 1
