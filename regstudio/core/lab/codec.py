"""A lab's content as plain JSON, and back, every field checked.

`lab.json` holds everything but the first-layer kernels and the last decision-boundary
frames, which go to `arrays.npz` under the names the runs refer to ("run_0", "boundary_0",
"points_0", ...; boundary_codec.py). Reading goes through json_fields and the
specs' own `validate()`, so a lab from a classmate is either what RegStudio itself would
have written or refused with one sentence naming the field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .. import json_fields as jf
from ..errors import LessonError, SpecError
from ..experiments.grid_search import GridRequest, GridResult, Trial
from ..lessons.lesson_files import MAX_FILE_CHARS, MAX_FILES, Lesson, lesson_from_sources
from ..training.record_json import read_record, record_dict
from ..training.run_spec import RunSpec
from ..training.summary import RunSummary
from .boundary_codec import boundary_dict, read_boundary
from .lab import ExerciseProgress, LabContent, LabRun, LabSearch
from .limits import TeacherLimits

FORMAT = "regstudio-lab"
FORMAT_VERSION = 1
MAX_RUNS = 2_000
MAX_SEARCHES = 200
MAX_NOTES = 1_000_000  # characters
# version -> function turning a lab.json of that version into one of the next version.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


# Writing -------------------------------------------------------------------------------------
def _spec(spec: RunSpec) -> dict[str, Any]:
    return spec.to_dict()


def _request(r: GridRequest) -> dict[str, Any]:
    return {"base": _spec(r.base), "param": r.param, "values": list(r.values), "cv": r.cv, "repeats": r.repeats,
            "score": r.score}


def _trial(t: Trial) -> dict[str, Any]:
    return {"value": t.value, "fold": t.fold, "repeat": t.repeat, "val_score": jf.finite_or_none(t.val_score),
            "train_score": jf.finite_or_none(t.train_score), "record": record_dict(t.record)}


def content_dict(content: LabContent, app_version: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """(lab.json's data, the arrays for arrays.npz)."""
    arrays: dict[str, np.ndarray] = {}
    runs = []
    for i, run in enumerate(content.runs):
        kernel = None
        if run.first_kernel is not None:
            kernel = f"run_{i}"
            arrays[kernel] = np.ascontiguousarray(run.first_kernel, dtype=np.float32)
        runs.append({"name": run.name, "color": run.color, "shown": run.shown, "state": run.state,
                     "problem": run.problem, "spec": _spec(run.spec),
                     "record": record_dict(run.record) if run.record is not None else None,
                     "image_shape": list(run.image_shape) if run.image_shape else None, "kernel": kernel,
                     "boundary": boundary_dict(run, i, arrays)})
    searches = [{"request": _request(s.request), "state": s.state, "problem": s.problem,
                 "trials": [_trial(t) for t in s.trials],
                 "cancelled": s.result.cancelled if s.result else False,
                 "seconds": s.result.seconds if s.result else 0.0} for s in content.searches]
    limits = content.limits
    data = {"format": FORMAT, "format_version": FORMAT_VERSION, "app_version": app_version,
            "spec": _spec(content.spec), "runs": runs, "searches": searches, "notes": content.notes,
            "limits": {"max_epochs": limits.max_epochs, "max_units": limits.max_units,
                       "max_params": limits.max_params},
            "lesson": None if content.lesson is None else {"title": content.lesson.title,
                                                           "files": [list(f) for f in content.lesson.sources]},
            "exercises": [{"exercise": e.number, "state": e.state, "answer": e.answer} for e in content.exercises]}
    return data, arrays


# Reading -------------------------------------------------------------------------------------
def read_spec(value: object, where: str) -> RunSpec:
    """A spec from a file, held to the rules of one typed into the window."""
    try:
        return RunSpec.from_dict(jf.obj(value, where, set(), {"model", "training", "data"})).check()
    except SpecError as exc:
        first = exc.problems[0]
        field = first.field if first.field.startswith(where) else f"{where}.{first.field}"
        raise jf.fail(field, first.value, first.allowed) from None


def _limits(value: object, where: str) -> TeacherLimits:
    d = jf.obj(value, where, {"max_epochs", "max_units", "max_params"})
    return TeacherLimits(jf.optional_integer(d["max_epochs"], f"{where}.max_epochs", 1, 1000),
                         jf.optional_integer(d["max_units"], f"{where}.max_units", 1, 4096),
                         jf.optional_integer(d["max_params"], f"{where}.max_params", 1, 10**10))


def _run(value: object, where: str, arrays: Mapping[str, np.ndarray]) -> LabRun:
    # "boundary" came with the 2-D playground, after this format's first files: absent reads as none.
    d = jf.obj(value, where, {"name", "color", "shown", "state", "problem", "spec", "record", "image_shape", "kernel"},
               {"boundary"})
    state = jf.one_of(d["state"], f"{where}.state", ("done", "failed"))
    record = None if d["record"] is None else read_record(d["record"], f"{where}.record")
    if (record is None) != (state == "failed"):
        raise jf.fail(f"{where}.record", "missing" if record is None else "present",
                      "a record for a finished run, none for a failed one")
    shape = d["image_shape"]
    image = None if shape is None else jf.each(shape, f"{where}.image_shape", lambda v, w: jf.integer(v, w, 1, 4096), 2)
    if image is not None and len(image) != 2:  # written as null when there is no picture, never as a short list
        raise jf.fail(f"{where}.image_shape", f"{len(image)} items", "null or [rows, columns]")
    kernel = None
    if d["kernel"] is not None:
        name = jf.text(d["kernel"], f"{where}.kernel", 40)
        if not name.startswith("run_") or name not in arrays:
            raise jf.fail(f"{where}.kernel", name, "the name of an array in arrays.npz")
        kernel = arrays[name]
        if image is None or kernel.shape[0] != image[0] * image[1]:
            raise jf.fail(f"{where}.kernel", list(kernel.shape), "a first-layer kernel with one row per pixel of "
                          "image_shape")
    spec = read_spec(d["spec"], f"{where}.spec")
    return LabRun(0, jf.text(d["name"], f"{where}.name", 200), jf.integer(d["color"], f"{where}.color", 0, 10**6),
                  spec, state, jf.boolean(d["shown"], f"{where}.shown"),
                  record.layouts if record else (), record.epochs if record else (), record,
                  RunSummary.of(record) if record else None, jf.text(d["problem"], f"{where}.problem", 10_000),
                  image, kernel,  # type: ignore[arg-type]
                  boundary=read_boundary(d.get("boundary"), f"{where}.boundary", arrays, record))


def _search(value: object, where: str) -> LabSearch:
    d = jf.obj(value, where, {"request", "state", "problem", "trials", "cancelled", "seconds"})
    r = jf.obj(d["request"], f"{where}.request", {"base", "param", "values", "cv", "repeats", "score"})
    request = GridRequest(read_spec(r["base"], f"{where}.request.base"), jf.text(r["param"], f"{where}.request.param",
                                                                                  40),
                          jf.reals(r["values"], f"{where}.request.values", 1000),
                          jf.optional_integer(r["cv"], f"{where}.request.cv", 2, 10),
                          jf.integer(r["repeats"], f"{where}.request.repeats", 1, 100),
                          jf.text(r["score"], f"{where}.request.score", 40))
    problems = request.problems()
    if problems:
        raise jf.fail(f"{where}.request.{problems[0].field}", problems[0].value, problems[0].allowed)

    def trial(value: object, at: str) -> Trial:
        t = jf.obj(value, at, {"value", "fold", "repeat", "val_score", "train_score", "record"})
        trial_value = jf.real(t["value"], f"{at}.value")
        if trial_value not in request.values:
            raise jf.fail(f"{at}.value", trial_value, "one of the search's values")
        return Trial(trial_value, jf.optional_integer(t["fold"], f"{at}.fold", 0, 9),
                     jf.integer(t["repeat"], f"{at}.repeat", 0, 99), jf.metric(t["val_score"], f"{at}.val_score"),
                     jf.metric(t["train_score"], f"{at}.train_score"), read_record(t["record"], f"{at}.record"))

    trials = jf.each(d["trials"], f"{where}.trials", trial, request.total_trials)
    state = jf.one_of(d["state"], f"{where}.state", ("done", "failed"))
    result = GridResult(request.param, request.values, request.cv, request.repeats, trials,
                        jf.boolean(d["cancelled"], f"{where}.cancelled"), jf.real(d["seconds"], f"{where}.seconds", 0),
                        request.score)
    # A search that failed never had a result (its trials are what finished before it failed).
    return LabSearch(0, request, state, trials, result if state == "done" else None,
                     jf.text(d["problem"], f"{where}.problem", 10_000))


def _migrated(data: dict[str, Any], where: str) -> dict[str, Any]:
    version = data.get("format_version")
    if not (isinstance(version, int) and not isinstance(version, bool)) or version < 1:
        raise jf.fail(f"{where}.format_version", version, "a whole number from 1")
    if version > FORMAT_VERSION:
        made_by = data.get("app_version")
        by = f"RegStudio {made_by}" if isinstance(made_by, str) and len(made_by) < 40 else "a newer RegStudio"
        raise jf.fail(f"{where}.format_version", version, f"at most {FORMAT_VERSION}: this lab was saved by {by}; "
                      "open it with that version or newer")
    while version < FORMAT_VERSION:
        data = MIGRATIONS[version](data)
        version += 1
        data["format_version"] = version
    return data


def _lesson(value: object, where: str) -> Lesson:
    d = jf.obj(value, where, {"title", "files"})
    files = jf.each(d["files"], f"{where}.files", lambda v, w: tuple(jf.each(v, w, lambda s, x: jf.text(
        s, x, MAX_FILE_CHARS), 2)), MAX_FILES)
    if any(len(f) != 2 for f in files):
        raise jf.fail(f"{where}.files", "an entry", "[file name, text] pairs")
    try:
        return lesson_from_sources(jf.text(d["title"], f"{where}.title", 200), [(n, s) for n, s in files])
    except LessonError as exc:
        raise jf.fail(f"{where}", "a lesson", f"a lesson RegStudio can show ({exc})") from None


def _exercise(value: object, where: str) -> ExerciseProgress:
    d = jf.obj(value, where, {"exercise", "state", "answer"})
    return ExerciseProgress(jf.integer(d["exercise"], f"{where}.exercise", 1, 99),
                            jf.one_of(d["state"], f"{where}.state", ("started", "done")),
                            jf.text(d["answer"], f"{where}.answer", 100_000))


def read_content(raw: object, arrays: Mapping[str, np.ndarray], where: str = "lab.json") -> LabContent:
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        value = raw.get("format") if isinstance(raw, dict) else type(raw).__name__
        raise jf.fail(f"{where}.format", value, f"{FORMAT!r}: this is not a RegStudio lab")
    d = jf.obj(_migrated(raw, where), where, {"format", "format_version", "app_version", "spec", "runs", "searches",
                                               "notes", "limits", "lesson", "exercises"})
    jf.text(d["app_version"], f"{where}.app_version", 40)
    runs = jf.each(d["runs"], f"{where}.runs", lambda v, w: _run(v, w, arrays), MAX_RUNS)
    searches = jf.each(d["searches"], f"{where}.searches", _search, MAX_SEARCHES)
    lesson = None if d["lesson"] is None else _lesson(d["lesson"], f"{where}.lesson")
    exercises = jf.each(d["exercises"], f"{where}.exercises", _exercise, 100)
    if len({e.number for e in exercises}) != len(exercises):
        raise jf.fail(f"{where}.exercises", "an exercise twice", "each exercise once")
    return LabContent(read_spec(d["spec"], f"{where}.spec"), runs, searches,
                      jf.text(d["notes"], f"{where}.notes", MAX_NOTES), _limits(d["limits"], f"{where}.limits"),
                      lesson, exercises)
