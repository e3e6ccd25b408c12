"""What a lesson's "Try it" buttons may do, checked when the lesson is read.

    overfit                 switch on the measured settings that make the lesson's network overfit
    preset NAME             load a preset into the builder
    compare P1 P2 ...       train those presets as a controlled comparison
    comparison KEY          one of the ready comparisons (Compare menu)
    grid RECIPE             fill in a ready-made grid search (nothing starts until Run search)
    show TAB                switch to a tab: curves, weights, grid, boundary, code, notes
    exercise N              start guided exercise N
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import LessonError
from ..experiments.comparisons import COMPARISONS
from ..experiments.grid_search import RECIPES
from ..experiments.presets import PRESETS

TABS = ("curves", "weights", "grid", "boundary", "code", "notes")
KINDS = ("overfit", "preset", "compare", "comparison", "grid", "show", "exercise")


@dataclass(frozen=True)
class Action:
    label: str  # the button's text
    kind: str  # one of KINDS
    args: tuple[str, ...] = ()


def _one_of(value: str, choices: object, what: str, where: str) -> None:
    if value not in choices:  # type: ignore[operator]
        raise LessonError(f"{where}: unknown {what} {value!r}; choose from " + ", ".join(choices))  # type: ignore[arg-type]


def parse_action(line: str, where: str) -> Action:
    """`Button label | kind args`, checked against what RegStudio has."""
    label, sep, command = line.partition("|")
    label, words = label.strip(), command.split()
    if not sep or not label or not words:
        raise LessonError(f"{where}: an action is written 'Button label | action', e.g. 'Compare none and L2 | "
                          f"compare none l2'; found {line!r}")
    kind, args = words[0], tuple(words[1:])
    _one_of(kind, KINDS, "action", where)
    counts = {"overfit": (0, 0), "preset": (1, 1), "compare": (2, 8), "comparison": (1, 1), "grid": (1, 1),
              "show": (1, 1), "exercise": (1, 1)}
    low, high = counts[kind]
    if not low <= len(args) <= high:
        wanted = f"{low}" if low == high else f"{low} to {high}"
        raise LessonError(f"{where}: '{kind}' takes {wanted} word(s) after it, found {len(args)}")
    if kind in ("preset", "compare"):
        for name in args:
            _one_of(name, PRESETS, "preset", where)
    elif kind == "comparison":
        _one_of(args[0], COMPARISONS, "comparison", where)
    elif kind == "grid":
        _one_of(args[0], RECIPES, "ready-made search", where)
    elif kind == "show":
        _one_of(args[0], TABS, "tab", where)
    elif kind == "exercise" and not (args[0].isdigit() and 1 <= int(args[0]) <= 99):
        raise LessonError(f"{where}: 'exercise' takes an exercise number, found {args[0]!r}")
    return Action(label, kind, args)
