"""Run records as JSON: written compactly, read back strictly.

A record read from a file is checked field by field (json_fields) and its spec with the
same `validate()` rules as a spec typed into the window, so a record from a classmate's
lab file is either exactly what a run would have produced or refused with a sentence.
NaN metrics (a diverged run) are written as null.

An epoch's `boundary_complexity` (2-feature data) is written as a number, or null for other
data. It came with the 2-D playground, after the first record files of this version were
written; no such files were published, but an epoch without the key reads as null all the
same rather than raising the format version for one optional field.

`steps` (optimizer updates) is always
written; a record from before it was counted has none and reads back as None.
"""

from __future__ import annotations

import math
from typing import Any

from .. import json_fields as jf
from ..errors import SpecError
from ..weights.stats import HistogramLayout, WeightStats
from .records import OUTCOMES, DatasetSummary, EpochRecord, RunRecord
from .run_spec import RunSpec

FORMAT = "regstudio-runs"  # a file of run records, as `regstudio compare --json` writes it
FORMAT_VERSION = 1
MAX_EPOCHS = 100_000
MAX_STEPS = 10**12  # optimizer updates: 1,000 epochs of a million batches
MAX_FUSED_WITH = 64  # names of the runs a run trained beside; well above the 7 of a full fused model
MAX_LAYOUTS = 512  # two per Dense layer: far more than any model the builder allows
METRICS = ("loss", "accuracy", "penalty", "val_loss", "val_accuracy", "val_penalty")
STAT_FIELDS = ("l1", "l2", "sparsity", "mean", "std", "max_abs")


# Writing ---------------------------------------------------------------------------------------
def _stats_dict(s: WeightStats) -> dict[str, Any]:
    # Tuples go to JSON as lists as they are: no copies of the counts, the bulk of a lab file.
    out: dict[str, Any] = {"name": s.name, "counts": s.counts, "clipped": s.clipped}
    for key in STAT_FIELDS:
        out[key] = jf.finite_or_none(getattr(s, key))
    out["zoom_counts"] = s.zoom_counts
    out["magnitude_counts"] = s.magnitude_counts
    return out


def epoch_dict(e: EpochRecord) -> dict[str, Any]:
    out: dict[str, Any] = {"epoch": e.epoch}
    for key in METRICS:
        out[key] = jf.finite_or_none(getattr(e, key))
    out["seconds"] = e.seconds
    out["weights"] = [_stats_dict(s) for s in e.weights]
    out["boundary_complexity"] = e.boundary_complexity
    return out


def record_dict(r: RunRecord) -> dict[str, Any]:
    d = r.dataset
    return {
        "name": r.name, "spec": r.spec.to_dict(),
        "dataset": {"name": d.name, "n_train": d.n_train, "n_val": d.n_val, "n_test": d.n_test,
                    "n_features": d.n_features, "class_names": list(d.class_names),
                    "image_shape": list(d.image_shape) if d.image_shape else None, "source": d.source},
        "params": r.params,
        "layouts": [{"name": lay.name, "layer": lay.layer, "kind": lay.kind, "shape": list(lay.shape),
                     "edges": list(lay.edges), "zoom_edges": list(lay.zoom_edges)} for lay in r.layouts],
        "epochs": [epoch_dict(e) for e in r.epochs],
        "outcome": r.outcome, "reason": r.reason, "best_epoch": r.best_epoch, "stop_epoch": r.stop_epoch,
        "restored_epoch": r.restored_epoch, "test_loss": jf.finite_or_none(r.test_loss),
        "test_accuracy": jf.finite_or_none(r.test_accuracy), "build_seconds": r.build_seconds,
        "train_seconds": r.train_seconds, "test_seconds": r.test_seconds, "versions": dict(r.versions),
        "created": r.created, "steps": r.steps,
        # Written only for a fused run, so a run trained alone is written as it always was.
        **({"fused_with": list(r.fused_with)} if r.fused_with else {}),
    }


def records_to_json(records: list[RunRecord]) -> str:
    return jf.dumps({"format": FORMAT, "version": FORMAT_VERSION, "runs": [record_dict(r) for r in records]})


# Reading ---------------------------------------------------------------------------------------
STATS_KEYS = frozenset({"name", "counts", "clipped", *STAT_FIELDS, "zoom_counts", "magnitude_counts"})


def _stats_if_plain(d: dict[str, Any]) -> WeightStats | None:
    """The statistics when every field is as RegStudio writes it; None sends them to the checked path.

    A lab file holds thousands of these, and building each field's name for a message that
    is never shown cost most of the opening time, so the usual case is checked here first,
    in as few Python steps as it takes (this loop is most of a lab's opening time).
    """
    name, clipped = d["name"], d["clipped"]
    if type(name) is not str or len(name) > 200 or type(clipped) is not int or not 0 <= clipped <= 2**53:
        return None
    counts, zoom, magnitude = d["counts"], d["zoom_counts"], d["magnitude_counts"]
    for items in (counts, zoom, magnitude):
        if type(items) is not list or len(items) > 4096 or (items and (set(map(type, items)) != _INT
                                                                        or min(items) < 0)):
            return None
    values = [d[key] for key in STAT_FIELDS]
    if set(map(type, values)) - _REAL or not all(map(math.isfinite, values)):
        return None  # null (NaN), a text, an infinity: the checked path reads or refuses it
    return WeightStats(name, tuple(counts), clipped, *map(float, values), zoom_counts=tuple(zoom),
                       magnitude_counts=tuple(magnitude))


_INT = {int}
_REAL = {int, float}


def _stats(value: object, where: str) -> WeightStats:
    if type(value) is dict and value.keys() == STATS_KEYS:
        plain = _stats_if_plain(value)
        if plain is not None:
            return plain
    d = jf.obj(value, where, STATS_KEYS)
    return WeightStats(
        name=jf.text(d["name"], f"{where}.name", 200), counts=jf.counts(d["counts"], f"{where}.counts"),
        clipped=jf.integer(d["clipped"], f"{where}.clipped"),
        **{key: jf.metric(d[key], f"{where}.{key}") for key in STAT_FIELDS},
        zoom_counts=jf.counts(d["zoom_counts"], f"{where}.zoom_counts"),
        magnitude_counts=jf.counts(d["magnitude_counts"], f"{where}.magnitude_counts"))


def _epoch(value: object, where: str) -> EpochRecord:
    d = jf.obj(value, where, {"epoch", *METRICS, "seconds", "weights"}, {"boundary_complexity"})
    return EpochRecord(jf.integer(d["epoch"], f"{where}.epoch", 1, MAX_EPOCHS),
                       *(jf.metric(d[key], f"{where}.{key}") for key in METRICS),
                       jf.real(d["seconds"], f"{where}.seconds", 0.0),
                       jf.each(d["weights"], f"{where}.weights", _stats, MAX_LAYOUTS),
                       jf.optional_real(d.get("boundary_complexity"), f"{where}.boundary_complexity", 0.0))


def epoch_from_dict(value: object, where: str = "epoch") -> EpochRecord:
    """An epoch written by epoch_dict, checked as a lab file's are (a worker's events arrive this way)."""
    return _epoch(value, where)


def _layout(value: object, where: str) -> HistogramLayout:
    d = jf.obj(value, where, {"name", "layer", "kind", "shape", "edges", "zoom_edges"})
    shape = jf.each(d["shape"], f"{where}.shape", lambda v, w: jf.integer(v, w, 1, 10_000_000), 4)
    return HistogramLayout(jf.text(d["name"], f"{where}.name", 200), jf.text(d["layer"], f"{where}.layer", 200),
                           jf.one_of(d["kind"], f"{where}.kind", ("kernel", "bias")), shape,
                           jf.reals(d["edges"], f"{where}.edges"), jf.reals(d["zoom_edges"], f"{where}.zoom_edges"))


def _dataset(value: object, where: str) -> DatasetSummary:
    d = jf.obj(value, where, {"name", "n_train", "n_val", "n_test", "n_features", "class_names", "image_shape",
                              "source"})
    shape = d["image_shape"]
    image = None if shape is None else jf.each(shape, f"{where}.image_shape", lambda v, w: jf.integer(v, w, 1), 2)
    if image is not None and len(image) != 2:
        raise jf.fail(f"{where}.image_shape", list(image), "[height, width] or null")
    return DatasetSummary(
        jf.text(d["name"], f"{where}.name", 200), *(jf.integer(d[k], f"{where}.{k}") for k in
                                                   ("n_train", "n_val", "n_test", "n_features")),
        jf.each(d["class_names"], f"{where}.class_names", lambda v, w: jf.text(v, w, 200), 10_000),
        image, jf.text(d["source"], f"{where}.source", 10_000))  # type: ignore[arg-type]


def read_record(value: object, where: str) -> RunRecord:
    d = jf.obj(value, where, {"name", "spec", "dataset", "params", "layouts", "epochs", "outcome", "reason",
                              "best_epoch", "stop_epoch", "restored_epoch", "test_loss", "test_accuracy",
                              "build_seconds", "train_seconds", "test_seconds", "versions", "created"},
               {"steps", "fused_with"})  # fused_with: absent for runs trained alone
    spec_where = f"{where}.spec"
    spec_data = jf.obj(d["spec"], spec_where, set(), {"model", "training", "data"})  # its refusals name their place
    try:
        spec = RunSpec.from_dict(spec_data).check()
    except SpecError as exc:  # name the place in the file as well as the setting
        raise jf.fail(f"{spec_where}.{exc.problems[0].field}", exc.problems[0].value,
                      exc.problems[0].allowed) from None
    if not isinstance(d["versions"], dict) or len(d["versions"]) > 20:
        raise jf.fail(f"{where}.versions", d["versions"], "an object of up to 20 names and version texts")
    versions = d["versions"]
    record = RunRecord(
        name=jf.text(d["name"], f"{where}.name", 200), spec=spec, dataset=_dataset(d["dataset"], f"{where}.dataset"),
        params=jf.integer(d["params"], f"{where}.params"),
        layouts=jf.each(d["layouts"], f"{where}.layouts", _layout, MAX_LAYOUTS),
        epochs=jf.each(d["epochs"], f"{where}.epochs", _epoch, MAX_EPOCHS),
        outcome=jf.one_of(d["outcome"], f"{where}.outcome", OUTCOMES), reason=jf.text(d["reason"], f"{where}.reason"),
        best_epoch=jf.optional_integer(d["best_epoch"], f"{where}.best_epoch", 1, MAX_EPOCHS),
        stop_epoch=jf.optional_integer(d["stop_epoch"], f"{where}.stop_epoch", 1, MAX_EPOCHS),
        restored_epoch=jf.optional_integer(d["restored_epoch"], f"{where}.restored_epoch", 1, MAX_EPOCHS),
        test_loss=jf.optional_real(d["test_loss"], f"{where}.test_loss"),
        test_accuracy=jf.optional_real(d["test_accuracy"], f"{where}.test_accuracy", 0.0, 1.0),
        build_seconds=jf.real(d["build_seconds"], f"{where}.build_seconds", 0.0),
        train_seconds=jf.real(d["train_seconds"], f"{where}.train_seconds", 0.0),
        test_seconds=jf.real(d["test_seconds"], f"{where}.test_seconds", 0.0),
        versions={k: jf.text(v, f"{where}.versions.{k}", 100) for k, v in versions.items()},
        created=jf.text(d["created"], f"{where}.created", 100),
        steps=jf.optional_integer(d.get("steps"), f"{where}.steps", 0, MAX_STEPS),
        fused_with=jf.each(d.get("fused_with", []), f"{where}.fused_with", lambda v, w: jf.text(v, w, 200),
                           MAX_FUSED_WITH))
    _check_consistent(record, where)
    return record


def _check_consistent(r: RunRecord, where: str) -> None:
    """What the views rely on: epochs counted 1, 2, 3... and every epoch's statistics on the record's layouts."""
    if r.steps is not None and r.steps < len(r.epochs):
        raise jf.fail(f"{where}.steps", r.steps, f"at least {len(r.epochs)}: every complete epoch trains a batch")
    names = [lay.name for lay in r.layouts]
    for i, e in enumerate(r.epochs):
        if e.epoch != i + 1:
            raise jf.fail(f"{where}.epochs[{i}].epoch", e.epoch, f"{i + 1}: epochs are counted 1, 2, 3 in order")
        if [w.name for w in e.weights] != names:
            raise jf.fail(f"{where}.epochs[{i}].weights", len(e.weights), "statistics for each of the record's "
                          "layouts, in their order")
        for w, lay in zip(e.weights, r.layouts, strict=True):
            if len(w.counts) != len(lay.edges) - 1 or (lay.zoom_edges and len(w.zoom_counts) != len(lay.zoom_edges)
                                                       - 1):
                raise jf.fail(f"{where}.epochs[{i}].weights.{w.name}.counts", len(w.counts),
                              "one count per bin of the layout")


def records_from_json(text: str | bytes, where: str = "runs file") -> list[RunRecord]:
    data = jf.obj(jf.loads(text, where), where, {"format", "version", "runs"})
    if data["format"] != FORMAT:
        raise jf.fail(f"{where}.format", data["format"], f"{FORMAT!r}: a file of RegStudio run records")
    if data["version"] != FORMAT_VERSION:
        raise jf.fail(f"{where}.version", data["version"], f"{FORMAT_VERSION}, the version this RegStudio reads")
    return list(jf.each(data["runs"], "runs", read_record, 100_000))
