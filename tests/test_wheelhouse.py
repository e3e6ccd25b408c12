"""packaging/wheelhouse.sh: arguments, and (slow) a real offline install from what it collects."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "packaging" / "wheelhouse.sh"


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(list(map(str, args)), capture_output=True, text=True, **kwargs)


@pytest.mark.parametrize("args", [[], ["--here"], ["DIR", "--platform", "win_amd64"],
                                  ["DIR", "--python-version", "3.12"], ["DIR", "--here", "--platform", "win_amd64"],
                                  ["DIR", "--bogus"], ["DIR", "--platform", "win_amd64", "--python-version", "312"],
                                  ["DIR", "--platform", "linux_x86_64", "--python-version", "3.12"]])
def test_bad_arguments_are_refused_with_one_line_and_code_2(tmp_path, args):
    result = run("bash", SCRIPT, *[str(tmp_path / "wh") if a == "DIR" else a for a in args])
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "wh").exists()


@pytest.mark.slow
def test_the_wheelhouse_installs_offline_and_trains(tmp_path):
    wheelhouse = tmp_path / "wheelhouse"
    built = run("bash", SCRIPT, wheelhouse, "--here", env={**os.environ, "PYTHON": sys.executable}, timeout=1800)
    assert built.returncode == 0, built.stdout + built.stderr
    names = {p.name.split("-")[0].lower() for p in wheelhouse.glob("*.whl")}
    assert {"regstudio", "pyside6_essentials", "numpy", "keras"} <= names
    assert "pyside6_addons" not in names
    if sys.platform == "linux" and os.uname().machine == "x86_64":
        assert "tensorflow_cpu" in names and "tensorflow" not in names
    assert "--no-index --find-links . regstudio" in (wheelhouse / "INSTALL.txt").read_text(encoding="utf-8")

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv).check_returncode()
    bin_dir = venv / ("Scripts" if sys.platform == "win32" else "bin")
    # No index at all, and pip's own configuration ignored: only the wheelhouse can supply anything.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env |= {"PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1"}
    installed = run(bin_dir / "python", "-m", "pip", "install", "--no-index", "--find-links", ".", "regstudio",
                    cwd=wheelhouse, env=env, timeout=1800)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    shutil.rmtree(wheelhouse)  # what runs next cannot lean on it

    trained = run(bin_dir / "regstudio", "compare", "none", "--epochs", "1", cwd=tmp_path,
                  env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, timeout=900)
    assert trained.returncode == 0, trained.stdout + trained.stderr
    assert "none" in trained.stdout and "test acc" in trained.stdout
