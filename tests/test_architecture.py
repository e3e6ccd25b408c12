"""House rules that keep the core usable without a GUI and the window quick to open."""

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import regstudio.core

CORE = Path(regstudio.core.__file__).parent


def core_modules():
    return sorted(m.name for m in pkgutil.walk_packages([str(CORE)], "regstudio.core."))


def test_importing_all_of_core_loads_no_qt_and_no_tensorflow():
    code = (
        "import importlib, sys\n"
        f"for name in {core_modules()!r}: importlib.import_module(name)\n"
        "import regstudio.cli\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'pyqtgraph', 'PyQt5', 'PyQt6', 'tensorflow', 'keras'))\n"
        "print(bad)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def imported_names(node):
    if isinstance(node, ast.Import):
        return [alias.name.split(".")[0] for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        return [node.module.split(".")[0]]
    return []


def test_core_source_never_imports_qt_and_tensorflow_only_inside_functions():
    for path in CORE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):  # Qt: nowhere in core, not even lazily
            for name in imported_names(node):
                assert name not in {"PySide6", "pyqtgraph", "PyQt5", "PyQt6"}, f"{path.name} imports {name}"
        for node in tree.body:  # TensorFlow: never at module level
            for name in imported_names(node):
                assert name not in {"tensorflow", "keras"}, f"{path.name} imports {name} at module level"


def test_no_unsafe_loading_anywhere():
    for path in Path(regstudio.core.__file__).parents[1].rglob("*.py"):
        text = path.read_text()
        for pattern in ("allow_pickle=True", "pickle.load", "safe_mode=False"):
            assert pattern not in text, f"{path.name} uses {pattern}"


def test_modules_stay_small():
    for path in Path(regstudio.core.__file__).parents[1].rglob("*.py"):
        assert len(path.read_text().splitlines()) <= 400, f"{path} has grown two jobs: split it"
