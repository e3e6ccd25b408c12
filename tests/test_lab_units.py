"""The Lab and its file, method by method and rule by rule (no training: the runs are the session's fixture)."""

import io
import json
import re
import zipfile
from dataclasses import replace

import numpy as np
import pytest
from file_parts import zip_of

from regstudio.core.errors import LabFileError, SpecError
from regstudio.core.experiments.grid_search import SearchFinished, TrialFinished
from regstudio.core.lab import lab_file
from regstudio.core.lab.codec import content_dict, read_content
from regstudio.core.lab.events import (
    LimitsChanged,
    ModifiedChanged,
    NotesChanged,
    RunChanged,
    RunsRemoved,
    SearchChanged,
)
from regstudio.core.lab.lab import MAX_NAME, Lab, LabContent
from regstudio.core.lab.lab_file import lab_bytes, open_lab, save_lab
from regstudio.core.lab.limits import TeacherLimits
from regstudio.core.training.events import EpochEnded, JobFailed, Progress, RunFinished, RunStarted
from regstudio.core.training.run_spec import RunSpec


def test_observers_are_told_until_they_stop(small_spec):
    lab, heard = Lab(small_spec), []
    stop = lab.observe(heard.append)
    lab.set_notes("a")
    stop()
    stop()  # twice is harmless
    lab.set_notes("b")
    assert heard == [NotesChanged(), ModifiedChanged(True)]


def test_notes_and_limits_change_once_and_mark_the_lab_once(lab):
    lab.set_notes("hello")
    lab.set_notes("hello")
    limits = TeacherLimits(max_epochs=5)
    lab.set_limits(limits)
    lab.set_limits(limits)
    assert lab.events == [NotesChanged(), ModifiedChanged(True), LimitsChanged()]
    assert (lab.notes, lab.limits, lab.modified) == ("hello", limits, True)
    lab.mark_saved()
    lab.mark_saved()
    assert lab.events[-1] == ModifiedChanged(False) and lab.events.count(ModifiedChanged(False)) == 1
    assert lab.modified is False  # a bool: the window hands it to setWindowModified
    lab.mark_unsaved()
    assert lab.events[-1] == ModifiedChanged(True) and lab.modified


def test_work_worth_keeping_and_what_is_busy(lab, small_spec, lab_content):
    assert not lab.has_work and not lab.busy
    lab.set_notes("   ")
    assert not lab.has_work
    lab.set_notes("x")
    assert lab.has_work
    lab.set_notes("")
    run_id = lab.add_run(small_spec, "r")
    assert lab.has_work and lab.busy
    lab.apply(run_id, RunFinished(lab_content.runs[0].record))
    assert not lab.busy and lab.finished_records() == [replace(lab_content.runs[0].record, name="1: r")]
    search_id = lab.add_search(lab_content.searches[0].request)
    assert lab.busy and lab.search(search_id).state == "queued"
    lab.apply(search_id, Progress(1, 1, 1, 1, 0.0, 0.0))  # any event of a queued search: it runs
    assert lab.search(search_id).state == "running" and lab.busy
    lab.apply(search_id, JobFailed("out of memory"))
    assert (lab.search(search_id).state, lab.search(search_id).problem) == ("failed", "out of memory")
    assert not lab.busy and lab.events[-1] == SearchChanged(search_id, "state")


def test_a_running_search_is_told_but_marks_the_lab_only_when_it_ends(lab, lab_content):
    search = lab_content.searches[0]
    search_id = lab.add_search(search.request)
    lab.apply(search_id, TrialFinished(search.trials[0]))
    assert not lab.modified and lab.events[-1] == SearchChanged(search_id, "trial")
    lab.apply(search_id, Progress(1, 1, 1, 1, 0.0, 0.0))  # already running: nothing changes
    assert lab.events[-1] == SearchChanged(search_id, "trial")
    lab.apply(search_id, SearchFinished(search.result))
    assert lab.modified and lab.events[-2:] == [SearchChanged(search_id, "state"), ModifiedChanged(True)]
    assert lab.search(search_id).trials == search.result.trials
    assert lab.search(12345) is None


def test_ids_are_never_reused_and_names_are_capped(lab, small_spec, lab_content):
    first = lab.new_run_id()
    run_id = lab.add_run(small_spec, "x" * 300)
    assert run_id == first + 1 and lab.new_run_id() == run_id + 1
    assert lab.run(run_id).name == ("1: " + "x" * 300)[:MAX_NAME] and len(lab.run(run_id).name) == 200
    assert lab.rename_run(run_id, "y" * 300) and lab.run(run_id).name == "y" * 200
    assert not lab.rename_run(run_id, "y" * 200)  # unchanged
    assert not lab.rename_run(999, "z")
    lab.set_shown(run_id, True)  # already shown: nothing told
    assert lab.events[-1] == RunChanged(run_id, "name")
    lab.set_shown(999, False)


def test_events_of_a_run_change_only_that_run(lab, small_spec, lab_content):
    ids = [lab.add_run(small_spec, name) for name in ("a", "b")]
    record = lab_content.runs[0].record
    lab.apply(ids[1], RunStarted("b", record.layouts, (2, 1), 3))
    lab.apply(ids[1], EpochEnded(record.epochs[0]))
    assert lab.run(ids[0]).state == "queued" and lab.run(ids[0]).epochs == ()
    assert lab.run(ids[1]).image_shape == (2, 1) and lab.run(ids[1]).epochs == record.epochs[:1]
    lab.apply(ids[1], JobFailed("boom"))
    assert (lab.run(ids[1]).state, lab.run(ids[1]).problem, lab.run(ids[1]).early) == ("failed", "boom", None)
    lab.apply(ids[1], object())  # an event a run does not know: nothing happens
    assert lab.run(ids[1]).state == "failed"


def test_undo_puts_runs_back_in_their_places_even_after_others_went(lab, small_spec, lab_content):
    ids = [lab.add_run(small_spec, str(i)) for i in range(4)]
    for run_id in ids:
        lab.apply(run_id, RunFinished(lab_content.runs[0].record))
    assert lab.remove_runs([ids[0], ids[2]]) == 2 and lab.remove_runs([ids[3]]) == 1
    assert lab.remove_runs([]) == 0 and lab.remove_runs([ids[0]]) == 0  # gone already: no undo step
    assert lab.undo() == 1 and [r.run_id for r in lab.runs] == [ids[1], ids[3]]
    assert lab.undo() == 2 and [r.run_id for r in lab.runs] == ids
    lab.drop_waiting([ids[0], 999])  # finished runs are not waiting
    assert len(lab.runs) == 4 and not any(isinstance(e, RunsRemoved) and ids[0] in e.run_ids for e in lab.events[-1:])


def test_replacing_the_lab_numbers_and_colours_on_after_the_runs_it_brings(small_spec, lab_content):
    lab = Lab(small_spec)
    runs = tuple(replace(r, name=name, color=color) for r, name, color in
                 zip(lab_content.runs, ("7: a", "b", "2: c", "3 d"), (4, 9, 1, 0), strict=True))
    lab.replace_content(replace(lab_content, runs=runs))
    assert (lab.spec, lab.notes, lab.limits, lab.lesson) == (lab_content.spec, lab_content.notes,
                                                              lab_content.limits, lab_content.lesson)
    assert tuple(lab.exercises.values()) == lab_content.exercises
    new = lab.add_run(small_spec, "next")
    assert (lab.run(new).name, lab.run(new).color) == ("8: next", 10)
    lab.replace_content(replace(lab_content, runs=runs[1:2]))
    assert not lab.modified and not lab.can_undo
    assert lab.run(lab.add_run(small_spec, "n")).name == "2: n"  # one run brought, none numbered


def plain(content):
    data, arrays = content_dict(content, "0.2.0")
    return data, {name: (a.shape, a.tobytes()) for name, a in arrays.items()}


def test_lab_json_names_what_is_wrong(lab_content):
    data, arrays = content_dict(lab_content, "0.2.0")

    def refused(changed, where="lab.json"):
        with pytest.raises(Exception) as bad:
            read_content(json.loads(json.dumps(changed)), arrays, where=where)
        return str(bad.value)

    assert refused({**data, "format": "x"}) == "lab.json.format = 'x': 'regstudio-lab': this is not a RegStudio lab"
    assert refused([1]) == "lab.json.format = 'list': 'regstudio-lab': this is not a RegStudio lab"
    assert refused({k: v for k, v in data.items() if k != "notes"}) == "lab.json.notes = None: required here"
    assert refused({**data, "teacher": "me"}) == "lab.json.teacher = 'me': not a known field here"
    for version in (0, True, "1", None):
        assert refused({**data, "format_version": version}).startswith(
            f"lab.json.format_version = {version!r}: a whole number from 1")
    assert refused({**data, "format_version": 2, "app_version": "x" * 40}) == (
        "lab.json.format_version = 2: at most 1: this lab was saved by a newer RegStudio; open it with that version "
        "or newer")
    assert refused({**data, "lesson": {"title": "x"}}) == "lab.json.lesson.files = None: required here"
    assert refused({**data, "lesson": {"title": "x", "files": [["a.md", "no front matter"]]}}) == (
        "lab.json.lesson = 'a lesson': a lesson RegStudio can show (a.md, line 1: a lesson file starts with '---' "
        "and its title, order and actions)")
    assert refused({**data, "lesson": {"title": "x", "files": [["a.md"]]}}) == (
        "lab.json.lesson.files = 'an entry': [file name, text] pairs")
    done = {"exercise": 1, "state": "done", "answer": ""}
    assert refused({**data, "exercises": [{**done, "exercise": 100}]}) == (
        "lab.json.exercises[0].exercise = 100: a whole number from 1 to 99")
    assert refused({**data, "exercises": [{**done, "state": "finished"}]}) == (
        "lab.json.exercises[0].state = 'finished': one of started, done")
    assert refused({**data, "exercises": [done, done]}) == (
        "lab.json.exercises = 'an exercise twice': each exercise once")
    assert refused({**data, "app_version": "v" * 41}) == "lab.json.app_version = '41 characters': text of at most " \
                                                         "40 characters"
    limits = {"max_epochs": 1001, "max_units": None, "max_params": None}
    assert refused({**data, "limits": limits}) == "lab.json.limits.max_epochs = 1001: a whole number from 1 to 1000"
    assert refused({**data, "limits": {**limits, "max_epochs": None, "max_units": 4097}}).startswith(
        "lab.json.limits.max_units = 4097")
    assert refused({**data, "spec": {"training": {"epochs": 0}}}) == "lab.json.spec.training.epochs = 0: a whole " \
                                                                     "number from 1 to 1000"


def test_runs_and_searches_in_lab_json_are_held_to_their_rules(lab_content):
    data, arrays = content_dict(lab_content, "0.2.0")

    def refused(path, value):
        changed = json.loads(json.dumps(data))
        place = changed
        for key in path[:-1]:
            place = place[key]
        place[path[-1]] = json.loads(json.dumps(value))  # as a file holds it: lists, not tuples
        with pytest.raises(Exception) as bad:
            read_content(changed, arrays)
        return str(bad.value)

    assert refused(("runs", 0, "state"), "queued") == "lab.json.runs[0].state = 'queued': one of done, failed"
    assert refused(("runs", 3, "record"), data["runs"][0]["record"]) == (
        "lab.json.runs[3].record = 'present': a record for a finished run, none for a failed one")
    assert refused(("runs", 0, "record"), None) == (
        "lab.json.runs[0].record = 'missing': a record for a finished run, none for a failed one")
    assert refused(("runs", 1, "kernel"), "run_7") == "lab.json.runs[1].kernel = 'run_7': the name of an array in " \
                                                      "arrays.npz"
    assert refused(("runs", 1, "image_shape"), [28, 27]) == ("lab.json.runs[1].kernel = 'list': a first-layer kernel "
                                                             "with one row per pixel of image_shape")
    assert refused(("runs", 1, "image_shape"), None).startswith("lab.json.runs[1].kernel = 'list'")
    assert refused(("runs", 0, "color"), -1) == "lab.json.runs[0].color = -1: a whole number from 0 to 1000000"
    trial = ("searches", 0, "trials", 0)
    assert refused((*trial, "value"), 0.5) == "lab.json.searches[0].trials[0].value = 0.5: one of the search's values"
    assert refused((*trial, "fold"), 10) == "lab.json.searches[0].trials[0].fold = 10: a whole number from 0 to 9"
    assert refused((*trial, "repeat"), 100) == "lab.json.searches[0].trials[0].repeat = 100: a whole number from " \
                                               "0 to 99"
    assert refused(("searches", 0, "trials"), data["searches"][0]["trials"] * 2).startswith(
        "lab.json.searches[0].trials = '4 items': a list of at most 2 items")
    assert refused(("searches", 0, "request", "cv"), 11) == "lab.json.searches[0].request.cv = 11: a whole number " \
                                                            "from 2 to 10"
    assert refused(("searches", 0, "request", "param"), "momentum").startswith(
        "lab.json.searches[0].request.grid.param = 'momentum': one of l2")
    assert refused(("searches", 0, "seconds"), -1) == "lab.json.searches[0].seconds = -1: a finite number in [0, inf]"
    assert refused(("searches", 0, "state"), "running") == "lab.json.searches[0].state = 'running': one of done, " \
                                                            "failed"


def test_the_file_is_refused_by_its_parts(lab_content, tmp_path, monkeypatch):
    text, arrays = lab_bytes(lab_content, "0.2.0")
    path = tmp_path / "lab.regstudio"

    def said(data):
        path.write_bytes(data)
        with pytest.raises(LabFileError) as bad:
            open_lab(path)
        return str(bad.value)

    assert said(zip_of({"lab.json": text, "lab.json ": text})).startswith("lab.regstudio: the file holds 'lab.json '")
    assert said(zip_of({"arrays.npz": arrays, "lab.json": b"{"})).startswith("lab.regstudio: lab.json = 'line 1': "
                                                                             "valid JSON")
    assert said(zip_of({"lab.json": text, "arrays.npz": b"not a zip"})).startswith(
        "lab.regstudio: arrays.npz is not a valid archive")
    fortran = io.BytesIO()
    np.save(fortran, np.asfortranarray(np.ones((784, 3), np.float32)))
    assert said(zip_of({"lab.json": text, "arrays.npz": zip_of({"run_1.npy": fortran.getvalue()})})) == (
        "lab.regstudio: run_1.npy in arrays.npz is float32 (784, 3); a kernel is float32 inputs x units")
    monkeypatch.setattr(lab_file, "MAX_ARRAYS_BYTES", 100)
    assert said(zip_of({"lab.json": text, "arrays.npz": arrays})) == (
        f"lab.regstudio: arrays.npz would unpack to {len(arrays):,} bytes, more than a lab holds (100)")
    monkeypatch.setattr(lab_file, "MAX_JSON_BYTES", 100)
    assert said(zip_of({"lab.json": text})) == (f"lab.regstudio: lab.json would unpack to {len(text):,} bytes, "
                                                "more than a lab holds (100)")
    monkeypatch.setattr(lab_file, "MAX_FILE_BYTES", 10)
    assert said(b"PK" + bytes(2_000_000)).startswith("lab.regstudio: is 2,000,002 bytes, more than any lab")


def test_a_member_exactly_as_large_as_a_lab_may_hold_is_read(lab_content, tmp_path, monkeypatch):
    text, arrays = lab_bytes(lab_content, "0.2.0")
    monkeypatch.setattr(lab_file, "MAX_JSON_BYTES", len(text))
    path = tmp_path / "lab.regstudio"
    path.write_bytes(zip_of({"lab.json": text, "arrays.npz": arrays}))
    assert plain(open_lab(path)) == plain(lab_content)


def test_a_lab_without_kernels_has_no_arrays_member(lab_content, tmp_path):
    content = replace(lab_content, runs=tuple(replace(r, first_kernel=None, image_shape=None, boundary=None)
                                              for r in lab_content.runs))
    _, arrays = lab_bytes(content, "0.2.0")
    assert arrays == b""
    save_lab(content, tmp_path / "plain.regstudio", "0.2.0")
    with zipfile.ZipFile(tmp_path / "plain.regstudio") as zf:
        assert zf.namelist() == ["lab.json"] and zf.getinfo("lab.json").compress_type == zipfile.ZIP_DEFLATED
    assert plain(open_lab(tmp_path / "plain.regstudio")) == plain(content)
    with zipfile.ZipFile(io.BytesIO(lab_bytes(lab_content, "0.2.0")[1])) as inner:
        assert sorted(inner.namelist()) == ["boundary_0.npy", "points_0.npy", "run_1.npy"]


def test_an_empty_lab_round_trips(small_spec, tmp_path):
    content = LabContent(small_spec)
    save_lab(content, tmp_path / "empty.regstudio", "0.2.0")
    assert open_lab(tmp_path / "empty.regstudio") == content


def test_a_spec_in_lab_json_may_leave_out_parts_as_a_spec_file_may(lab_content):
    data, arrays = content_dict(lab_content, "0.2.0")
    data = json.loads(json.dumps(data))  # as a file holds it: lists, not tuples
    spec = read_content({**data, "spec": {"training": {"epochs": 5}}}, arrays).spec
    assert spec.training.epochs == 5 and (spec.model, spec.data) == (RunSpec().model, RunSpec().data)


def test_an_image_shape_is_null_or_rows_and_columns(lab_content):
    data, arrays = content_dict(lab_content, "0.2.0")
    for shape in ([], [28]):
        changed = json.loads(json.dumps(data))
        changed["runs"][0]["image_shape"] = shape
        with pytest.raises(Exception) as bad:
            read_content(changed, arrays)
        assert str(bad.value) == f"lab.json.runs[0].image_shape = '{len(shape)} items': null or [rows, columns]"


# Every field lab.json's reader checks itself, given a value of the wrong type: the refusal names the field
# by its path in the file, what it held, and what is allowed there (the limits a classmate's file is held to).
FIELD_RULES = {
    "format": (7, "'regstudio-lab': this is not a RegStudio lab"),
    "app_version": (7, "text of at most 40 characters"),
    "spec": ("x", "an object"),
    "notes": (7, "text of at most 1,000,000 characters"),
    "limits": ("x", "an object"),
    "limits.max_epochs": ("x", "a whole number from 1 to 1000"),
    "limits.max_units": ("x", "a whole number from 1 to 4096"),
    "limits.max_params": ("x", "a whole number from 1 to 10000000000"),
    "lesson": ("x", "an object"),
    "lesson.title": (7, "text of at most 200 characters"),
    "lesson.files": ("x", "a list of at most 100 items"),
    "lesson.files[0]": ("x", "a list of at most 2 items"),
    "lesson.files[0][0]": (7, "text of at most 200,000 characters"),
    "lesson.files[0][1]": (7, "text of at most 200,000 characters"),
    "exercises": ("x", "a list of at most 100 items"),
    "exercises[0]": ("x", "an object"),
    "exercises[0].exercise": ("x", "a whole number from 1 to 99"),
    "exercises[0].state": (7, "one of started, done"),
    "exercises[0].answer": (7, "text of at most 100,000 characters"),
    "runs": ("x", "a list of at most 2,000 items"),
    "runs[0]": ("x", "an object"),
    "runs[0].name": (7, "text of at most 200 characters"),
    "runs[0].color": ("x", "a whole number from 0 to 1000000"),
    "runs[0].shown": ("x", "true or false"),
    "runs[0].state": (7, "one of done, failed"),
    "runs[0].problem": (7, "text of at most 10,000 characters"),
    "runs[0].spec": ("x", "an object"),
    "runs[0].record": ("x", "an object"),
    "runs[0].boundary": ("x", "an object"),
    "runs[1].image_shape": ("x", "a list of at most 2 items"),
    "runs[1].image_shape[0]": ("x", "a whole number from 1 to 4096"),
    "runs[1].image_shape[1]": (4097, "a whole number from 1 to 4096"),
    "runs[1].kernel": (7, "text of at most 40 characters"),
    "searches": ("x", "a list of at most 200 items"),
    "searches[0]": ("x", "an object"),
    "searches[0].request": ("x", "an object"),
    "searches[0].request.base": ("x", "an object"),
    "searches[0].request.param": (7, "text of at most 40 characters"),
    "searches[0].request.values": ("x", "a list of at most 1,000 items"),
    "searches[0].request.values[0]": ("x", "a finite number"),
    "searches[0].request.cv": ("x", "a whole number from 2 to 10"),
    "searches[0].request.repeats": ("x", "a whole number from 1 to 100"),
    "searches[0].request.score": (7, "text of at most 40 characters"),
    "searches[0].state": (7, "one of done, failed"),
    "searches[0].problem": (7, "text of at most 10,000 characters"),
    "searches[0].trials": ("x", "a list of at most 2 items"),  # the request's values x folds x repeats
    "searches[0].cancelled": ("x", "true or false"),
    "searches[0].seconds": ("x", "a finite number in [0, inf]"),
    "searches[0].trials[0]": ("x", "an object"),
    "searches[0].trials[0].value": ("x", "a finite number"),
    "searches[0].trials[0].fold": ("x", "a whole number from 0 to 9"),
    "searches[0].trials[0].repeat": ("x", "a whole number from 0 to 99"),
    "searches[0].trials[0].val_score": ("x", "a finite number"),
    "searches[0].trials[0].train_score": ("x", "a finite number"),
    "searches[0].trials[0].record": ("x", "an object"),
}


@pytest.mark.parametrize("field", FIELD_RULES)
def test_each_field_of_lab_json_is_refused_by_its_path_value_and_rule(lab_content, field):
    data, arrays = content_dict(lab_content, "0.2.0")
    changed = json.loads(json.dumps(data))
    *parents, last = [int(key) if key.isdigit() else key for key in re.findall(r"\w+", field)]
    place = changed
    for key in parents:
        place = place[key]
    value, allowed = FIELD_RULES[field]
    place[last] = value
    with pytest.raises(SpecError) as bad:
        read_content(changed, arrays)
    assert str(bad.value) == f"lab.json.{field} = {value!r}: {allowed}"
