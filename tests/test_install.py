"""What installing RegStudio brings: only the Qt and TensorFlow it uses, and it installs offline."""

import importlib.metadata as md
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from packaging.requirements import Requirement

tomllib = pytest.importorskip("tomllib")  # Python 3.11+; the same checks run there
ROOT = Path(__file__).resolve().parent.parent
PLATFORMS = {
    "Linux x86-64": {"sys_platform": "linux", "platform_machine": "x86_64"},
    "Windows x86-64": {"sys_platform": "win32", "platform_machine": "AMD64"},
    "macOS arm64": {"sys_platform": "darwin", "platform_machine": "arm64"},
    "Linux arm64": {"sys_platform": "linux", "platform_machine": "aarch64"},
}


def dependencies(environment: dict[str, str], extra: str = "") -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    if extra:
        reqs += [Requirement(r) for r in project["optional-dependencies"][extra]]
    return {r.name for r in reqs if r.marker is None or r.marker.evaluate(environment | {"extra": extra})}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_exactly_one_tensorflow_and_never_the_qt_addons(platform):
    names = dependencies(PLATFORMS[platform])
    tensorflows = names & {"tensorflow", "tensorflow-cpu"}
    assert tensorflows == ({"tensorflow-cpu"} if "x86" in platform else {"tensorflow"})
    assert "PySide6-Essentials" in names and not names & {"PySide6", "PySide6-Addons"}


def test_the_gpu_extra_brings_the_full_tensorflow_on_linux():
    assert "tensorflow" in dependencies(PLATFORMS["Linux x86-64"], "gpu")


def test_pyside6_essentials_does_not_pull_the_addons():
    requires = md.requires("PySide6-Essentials") or []
    assert not [r for r in requires if "addons" in r.lower()]


def essentials_modules() -> set[str]:
    files = md.files("PySide6-Essentials") or []
    return {m.group(1) for f in files if (m := re.fullmatch(r"PySide6/(Qt\w+)\.(abi3\.so|pyd)", f.as_posix()))}


def test_every_qt_module_regstudio_imports_is_in_essentials():
    imported = set()
    for source in (ROOT / "regstudio").rglob("*.py"):
        imported |= set(re.findall(r"PySide6\.(Qt\w+)", source.read_text(encoding="utf-8")))
    assert imported >= {"QtCore", "QtGui", "QtWidgets", "QtSvg"}
    assert imported <= essentials_modules()


def test_every_qt_module_loaded_by_the_window_and_its_exports_is_in_essentials(tmp_path):
    """pyqtgraph decides at run time what it imports (QtOpenGL, QtSvg, ...): watch it."""
    code = textwrap.dedent(f"""
        import sys
        from PySide6.QtWidgets import QApplication
        from regstudio.gui.main_window import MainWindow
        from regstudio.gui.runs.export import save_plot
        app = QApplication([])
        window = MainWindow()
        window.show()
        app.processEvents()
        for suffix in ("png", "svg"):
            save_plot(window.curves.loss_plot, r"{tmp_path}/plot." + suffix)
        print(" ".join(sorted(m.split(".")[1] for m in sys.modules if m.startswith("PySide6.Qt"))))
    """)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    loaded = set(out.stdout.split())
    assert {"QtCore", "QtGui", "QtWidgets", "QtSvg"} <= loaded
    assert loaded <= essentials_modules(), loaded - essentials_modules()
