"""The command line's files: --json checked before training, written atomically, never over the input."""

import errno
import os
import sys

import numpy as np
import pytest

from regstudio import cli
from regstudio.cli import main
from regstudio.core import output_files
from regstudio.core.output_files import destination_problem, write_text_atomic


@pytest.fixture
def no_training(monkeypatch):
    """Fails the test if anything is loaded or trained: the checks must come first."""
    def loaded(*args, **kwargs):
        raise AssertionError("the dataset was loaded before the --json destination was checked")

    monkeypatch.setattr(cli, "load", loaded)


def one_error_line(capsys):
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("regstudio: error: "), captured.err
    assert "Traceback" not in captured.err and captured.out == ""
    return lines[0]


@pytest.mark.parametrize("command", [["compare", "none"], ["grid", "--param", "l2"]])
def test_missing_folder_is_refused_before_training(tmp_path, capsys, no_training, command):
    target = tmp_path / "nowhere" / "runs.json"
    assert main([*command, "--dataset", "blobs", "--json", str(target)]) == 2
    assert f"the folder {tmp_path / 'nowhere'} does not exist" in one_error_line(capsys)
    assert not target.parent.exists()


def test_parent_that_is_a_file(tmp_path, capsys, no_training):
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["compare", "none", "--dataset", "blobs", "--json", str(tmp_path / "notes.txt" / "runs.json")]) == 2
    assert "notes.txt is a file, not a folder" in one_error_line(capsys)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_a_folder_as_destination(tmp_path, capsys, no_training):
    assert main(["compare", "none", "--dataset", "blobs", "--json", str(tmp_path)]) == 2
    assert "a folder; give a file name inside it" in one_error_line(capsys)


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux's /proc, where no file can be made")
def test_a_place_where_nothing_can_be_written(capsys, no_training):
    assert main(["grid", "--param", "l2", "--dataset", "blobs", "--json", "/proc/runs.json"]) == 2
    assert "cannot write in /proc" in one_error_line(capsys)


def test_json_naming_the_input_dataset_is_refused(tmp_path, capsys, no_training):
    data = tmp_path / "mine.csv"
    original = "".join(f"{i},{i * 2},{i % 2}\n" for i in range(40))
    data.write_text(original)
    os.symlink(data, tmp_path / "alias.csv")
    for target in (data, tmp_path / "alias.csv", tmp_path / "." / "mine.csv"):
        assert main(["compare", "none", "--dataset", str(data), "--json", str(target)]) == 2
        assert "this is the dataset being read" in one_error_line(capsys)
    assert data.read_text() == original


def test_full_disk_after_training_leaves_no_half_file(tmp_path, capsys, monkeypatch):
    target = tmp_path / "runs.json"
    target.write_text('{"old": true}')

    def disk_full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(output_files.os, "fsync", disk_full)
    code = main(["compare", "none", "--dataset", "blobs", "--epochs", "1", "--json", str(target)])
    captured = capsys.readouterr()
    assert code == 2 and "Traceback" not in captured.err
    assert captured.err.strip() == (f"regstudio: error: --json {target}: could not be written "
                                    "(No space left on device); nothing was written there")
    assert target.read_text() == '{"old": true}' and sorted(p.name for p in tmp_path.iterdir()) == ["runs.json"]


def test_atomic_write_replaces_whole_and_keeps_the_mode(tmp_path):
    target = tmp_path / "out.json"
    write_text_atomic(target, "first")
    umask = os.umask(0)
    os.umask(umask)
    assert target.read_text() == "first" and target.stat().st_mode & 0o777 == 0o666 & ~umask
    target.chmod(0o640)
    write_text_atomic(target, "second, longer")
    assert target.read_text() == "second, longer" and target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_destination_problem_accepts_ordinary_places(tmp_path):
    assert destination_problem(tmp_path / "new.json") is None
    (tmp_path / "old.json").write_text("x")
    assert destination_problem(tmp_path / "old.json", [tmp_path / "data.csv"]) is None
    assert list(tmp_path.iterdir()) == [tmp_path / "old.json"]  # the probe file is gone


# 9. grid ---------------------------------------------------------------------------------

@pytest.mark.parametrize("argv, message", [
    (["grid", "--param", "l2", "--epochs", "0"],
     "regstudio: error: training.epochs = 0: a whole number from 1 to 1000"),
    (["grid", "--param", "l2", "--values", *[f"{i}e-5" for i in range(1, 52)]],
     "regstudio: error: grid.values = '51 values': at most 50 values in one search"),
    (["grid", "--param", "l2", "--values", *[f"{i}e-5" for i in range(1, 41)], "--cv", "10", "--repeats", "3"],
     "regstudio: error: grid = '1,200 trials': at most 1,000 trials (values x folds x repeats) in one search; "
     "use fewer values, folds or repeats"),
])
def test_grid_limits_and_blame(argv, message, capsys, no_training):
    assert main([*argv, "--dataset", "blobs"]) == 2
    assert one_error_line(capsys) == message


def test_grid_ten_thousand_values_are_refused_at_once(capsys, no_training):
    values = [str(v) for v in np.linspace(1e-5, 0.5, 10_000)]
    assert main(["grid", "--param", "l2", "--dataset", "blobs", "--values", *values]) == 2
    assert "at most 50 values" in one_error_line(capsys)


def test_json_problem_is_one_line_from_the_real_command(tmp_path):
    import subprocess

    result = subprocess.run([sys.executable, "-m", "regstudio", "grid", "--param", "l2", "--dataset", "blobs",
                             "--json", str(tmp_path / "no" / "grid.json")], capture_output=True, text=True)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "does not exist" in result.stderr


def test_a_folder_as_dataset_is_named_as_a_folder(tmp_path, capsys):
    assert main(["compare", "none", "--dataset", str(tmp_path)]) == 2
    assert f"data.path = '{tmp_path}': a folder, not a file" in one_error_line(capsys)


def test_a_broken_dataset_file_is_one_line_and_exit_2(tmp_path, capsys):
    (tmp_path / "d.npz").write_bytes(b"PK\x03\x04 not really a zip")
    assert main(["grid", "--param", "l2", "--dataset", str(tmp_path / "d.npz")]) == 2
    assert "d.npz: not a readable .npz file" in one_error_line(capsys)
