"""When is an exercise done? Pure checks on the Lab's finished runs and searches.

Each check looks for the runs an exercise asks for on one dataset, however the student
made them (the setup button, the presets, or by hand), and says what is still missing.
When done, it names the runs, so the panel can show their observations and ask the
exercise's question.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..experiments.grid_search import GridResult
from ..model import Dropout
from ..training.records import RunRecord
from ..training.summary import techniques

STATES = ("started", "done")
RATES = (0.2, 0.5, 0.7)  # the lesson's dropout exercise
PENALTY_PARAMS = ("l1", "l2", "l1l2")


@dataclass(frozen=True)
class ExerciseStatus:
    number: int
    done: bool
    missing: str  # what is still to do, in a sentence ("" when done)
    runs: tuple[str, ...]  # the runs that answer it
    search: GridResult | None = None


def _by_data(records: Sequence[RunRecord]) -> list[list[RunRecord]]:
    """Finished runs grouped by the data they trained on, newest group of each first seen."""
    groups: dict[object, list[RunRecord]] = {}
    for record in records:
        if record.test_accuracy is not None:
            groups.setdefault(record.spec.data, []).append(record)
    return list(groups.values())


def _penalty_kind(record: RunRecord) -> str | None:
    """"none", "l1", "l2" or "l1l2" for runs whose only technique is one penalty (or none)."""
    found = techniques(record.spec)
    if not found:
        return "none"
    return next(iter(found)) if len(found) == 1 and found <= {"l1", "l2", "l1l2"} else None


def penalties(records: Sequence[RunRecord], searches: Sequence[GridResult] = ()) -> ExerciseStatus:
    wanted = ("none", "l1", "l2", "l1l2")
    best: tuple[int, tuple[str, ...], list[str]] = (-1, (), list(wanted))
    for group in _by_data(records):
        kinds = {}
        for record in group:
            kind = _penalty_kind(record)
            if kind is not None:
                kinds.setdefault(kind, record.name)
        if len(kinds) > best[0]:
            best = (len(kinds), tuple(kinds[k] for k in wanted if k in kinds), [k for k in wanted if k not in kinds])
    done = not best[2]
    missing = "" if done else "Train on one dataset the runs still missing: " + ", ".join(best[2]) + "."
    return ExerciseStatus(1, done, missing, best[1] if done else ())


def dropout_rates(records: Sequence[RunRecord], searches: Sequence[GridResult] = ()) -> ExerciseStatus:
    for group in _by_data(records):
        by_rate = {}
        for record in group:
            rates = {layer.rate for layer in record.spec.model.layers if isinstance(layer, Dropout)}
            if len(rates) == 1 and techniques(record.spec) == {"dropout"}:
                by_rate.setdefault(rates.pop(), record.name)
        if all(rate in by_rate for rate in RATES):
            return ExerciseStatus(2, True, "", tuple(by_rate[r] for r in RATES))
    return ExerciseStatus(2, False, "Train dropout rates 0.2, 0.5 and 0.7 on one dataset (the setup button does).", ())


def dropout_with_l2(records: Sequence[RunRecord], searches: Sequence[GridResult] = ()) -> ExerciseStatus:
    for group in _by_data(records):
        both = next((r for r in group if techniques(r.spec) == {"dropout", "l2"}), None)
        alone = {kind: next((r for r in group if techniques(r.spec) == kind), None)
                 for kind in (frozenset(), frozenset({"l2"}), frozenset({"dropout"}))}
        if both is not None and all(alone.values()):
            return ExerciseStatus(3, True, "", (alone[frozenset()].name, alone[frozenset({"l2"})].name,
                                                alone[frozenset({"dropout"})].name, both.name))
    return ExerciseStatus(3, False, "Train none, L2, dropout and dropout + L2 on one dataset (the setup button "
                          "does).", ())


def strength_search(records: Sequence[RunRecord], searches: Sequence[GridResult] = ()) -> ExerciseStatus:
    for result in reversed(searches):
        if result.param in PENALTY_PARAMS and len(result.values) >= 3 and result.best is not None \
                and not result.cancelled:
            return ExerciseStatus(4, True, "", (), result)
    return ExerciseStatus(4, False, "Run a grid search over an L1 or L2 strength with at least three values to the "
                          "end (the setup button fills one in; press Run search).", ())


def weights(records: Sequence[RunRecord], searches: Sequence[GridResult] = ()) -> ExerciseStatus:
    for group in _by_data(records):
        kinds: dict[frozenset[str], str] = {}
        for record in group:
            if record.layouts:
                kinds.setdefault(frozenset(techniques(record.spec)), record.name)
        if frozenset() in kinds and len(kinds) >= 3:
            return ExerciseStatus(5, True, "", tuple(kinds.values()))
    return ExerciseStatus(5, False, "Train a run without regularization and at least two runs with different "
                          "techniques on one dataset, then compare their weights on the Weights tab.", ())


CHECKS: dict[int, Callable[[Sequence[RunRecord], Sequence[GridResult]], ExerciseStatus]] = {
    1: penalties, 2: dropout_rates, 3: dropout_with_l2, 4: strength_search, 5: weights}


def check(number: int, records: Sequence[RunRecord], searches: Sequence[GridResult] = ()) -> ExerciseStatus:
    """How far exercise `number` is; an exercise without a check (a teacher's own) is done when the student says."""
    if number not in CHECKS:
        return ExerciseStatus(number, False, "", ())
    return CHECKS[number](records, searches)
