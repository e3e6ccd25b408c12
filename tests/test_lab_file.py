"""The .regstudio file: what goes in comes out, writes are atomic, and a newer file is refused by version."""

import errno
import json
import os
import zipfile
from dataclasses import replace

import numpy as np
import pytest

from regstudio.core.errors import LabFileError
from regstudio.core.lab import codec
from regstudio.core.lab.codec import content_dict
from regstudio.core.lab.lab import LabSearch
from regstudio.core.lab.lab_file import open_lab, save_lab


def as_json(content):
    data, arrays = content_dict(content, "test")
    return json.dumps(data, sort_keys=True), {k: v.tobytes() for k, v in arrays.items()}


def test_a_lab_with_every_kind_of_run_a_search_and_notes_comes_back_equal(lab_content, tmp_path):
    path = tmp_path / "class.regstudio"
    save_lab(lab_content, path, "0.2.0")
    back = open_lab(path)
    assert back == lab_content  # every field of every run and search (kernels and boundaries: below)
    assert as_json(back) == as_json(lab_content)
    assert [r.name for r in back.runs] == ["1: none", "2: l1", "3: early", "4: broken"]
    assert back.runs[1].record == lab_content.runs[1].record  # dataclasses equal too, field by field
    assert np.array_equal(back.runs[1].first_kernel, lab_content.runs[1].first_kernel)
    assert back.runs[1].image_shape == (28, 28) and not back.runs[1].shown
    assert back.runs[2].record.restored_epoch == lab_content.runs[2].record.restored_epoch
    assert back.searches[0].result.best == lab_content.searches[0].result.best
    assert back.notes == lab_content.notes and back.limits == lab_content.limits
    assert back.spec == lab_content.spec and back.exercises == lab_content.exercises
    assert back.lesson == lab_content.lesson and len(back.lesson.pages) == 12
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["arrays.npz", "lab.json"]


def test_a_2d_run_keeps_its_last_boundary_frame_and_its_points(lab_content, tmp_path):
    path = tmp_path / "class.regstudio"
    save_lab(lab_content, path, "0.2.0")
    kept, back = lab_content.runs[0].boundary, open_lab(path).runs[0].boundary
    assert len(kept.frames) == 3 and [f.epoch for f in back.frames] == [3]  # the last frame only
    assert np.array_equal(back.last.codes, kept.last.codes) and back.last.complexity == kept.last.complexity
    assert back.last.complexity == lab_content.runs[0].record.epochs[-1].boundary_complexity
    assert back.plane == kept.plane  # extent, grid size, classes
    for name in ("train_points", "train_labels", "test_points", "test_labels"):
        assert np.array_equal(getattr(back.plane, name), getattr(kept.plane, name)), name
    assert open_lab(path).runs[1].boundary is None  # digits: no plane to draw on


def test_saving_replaces_the_old_file_whole_and_leaves_no_temporary_files(lab_content, tmp_path):
    path = tmp_path / "class.regstudio"
    path.write_bytes(b"old contents")
    save_lab(lab_content, path, "0.2.0")
    assert open_lab(path).notes == lab_content.notes
    assert [p.name for p in tmp_path.iterdir()] == ["class.regstudio"]


def test_saving_where_it_cannot_be_written_says_so_and_keeps_the_old_file(lab_content, tmp_path):
    with pytest.raises(LabFileError, match=r"could not be saved: the folder .* does not exist"):
        save_lab(lab_content, tmp_path / "missing" / "x.regstudio", "0.2.0")
    blocker = tmp_path / "file"
    blocker.write_text("I am a file")
    with pytest.raises(LabFileError, match="could not be saved"):
        save_lab(lab_content, blocker / "x.regstudio", "0.2.0")
    assert blocker.read_text() == "I am a file"


def test_a_lab_from_a_newer_regstudio_is_refused_by_version(lab_content, tmp_path):
    data, _ = content_dict(lab_content, "9.1")
    data["format_version"] = codec.FORMAT_VERSION + 1
    path = tmp_path / "new.regstudio"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("lab.json", json.dumps(data))
    with pytest.raises(LabFileError, match=r"new.regstudio: lab.json.format_version = 2: at most 1: this lab was "
                                           r"saved by RegStudio 9.1"):
        open_lab(path)


def test_an_older_version_is_migrated_step_by_step(lab_content, tmp_path, monkeypatch):
    # Version 1 is the first; pretend this RegStudio writes version 3, and each version changed the notes.
    data, _ = content_dict(lab_content, "0.2.0")
    data["runs"][1]["kernel"] = data["runs"][0]["boundary"] = None  # no arrays.npz in this file
    path = tmp_path / "old.regstudio"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("lab.json", json.dumps(data))
    monkeypatch.setattr(codec, "FORMAT_VERSION", 3)
    monkeypatch.setitem(codec.MIGRATIONS, 1, lambda d: {**d, "notes": d["notes"].upper()})
    monkeypatch.setitem(codec.MIGRATIONS, 2, lambda d: {**d, "notes": f"{d['notes']} (from v{d['format_version']})"})
    assert open_lab(path).notes == lab_content.notes.upper() + " (from v2)"  # each step sees its own version


def test_a_failed_search_comes_back_failed_without_a_result(lab_content, tmp_path):
    done = lab_content.searches[0]
    failed = LabSearch(0, done.request, "failed", done.trials[:1], None, "the data could not be loaded")
    content = replace(lab_content, searches=(done, failed))
    save_lab(content, tmp_path / "lab.regstudio", "0.2.0")
    back = open_lab(tmp_path / "lab.regstudio")
    assert back.searches == (done, failed)
    assert as_json(back) == as_json(content)


def test_a_full_disk_says_so_and_keeps_the_old_file(lab_content, tmp_path, monkeypatch):
    path = tmp_path / "class.regstudio"
    path.write_bytes(b"old contents")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(LabFileError) as bad:
        save_lab(lab_content, path, "0.2.0")
    assert str(bad.value) == (f"{path}: could not be saved (No space left on device); the lab is still open, "
                              "try another place")
    assert path.read_bytes() == b"old contents" and [p.name for p in tmp_path.iterdir()] == ["class.regstudio"]


def test_a_cancelled_search_and_a_kernel_kept_in_double_precision_come_back(lab_content, tmp_path):
    done = lab_content.searches[0]
    cancelled = replace(done, result=replace(done.result, cancelled=True))
    wide = replace(lab_content.runs[1], first_kernel=lab_content.runs[1].first_kernel.astype(np.float64))
    content = replace(lab_content, runs=(wide,), searches=(cancelled,))
    save_lab(content, tmp_path / "lab.regstudio", "0.2.0")
    back = open_lab(tmp_path / "lab.regstudio")
    assert back.searches[0].result.cancelled and back.searches == (cancelled,)
    assert back.runs[0].first_kernel.dtype == np.float32  # as arrays.npz holds kernels
    assert np.array_equal(back.runs[0].first_kernel, lab_content.runs[1].first_kernel)


def test_a_kernel_of_pictures_that_are_not_square_comes_back(lab_content, tmp_path):
    wide = replace(lab_content.runs[1], image_shape=(4, 196))  # 784 pixels, 4 rows of 196
    save_lab(replace(lab_content, runs=(wide,)), tmp_path / "wide.regstudio", "0.2.0")
    back = open_lab(tmp_path / "wide.regstudio").runs[0]
    assert back.image_shape == (4, 196) and np.array_equal(back.first_kernel, wide.first_kernel)


def test_a_search_scored_by_loss_comes_back_scored_by_loss(lab_content, tmp_path):
    done = lab_content.searches[0]
    by_loss = replace(done, request=replace(done.request, score="loss"), result=replace(done.result, score="loss"))
    save_lab(replace(lab_content, searches=(by_loss,)), tmp_path / "loss.regstudio", "0.2.0")
    back = open_lab(tmp_path / "loss.regstudio").searches[0]
    assert back == by_loss and back.result.score == "loss"  # its best point is the lowest loss, as before
