"""The settings a grid search can vary: one registry entry each, with its label, usual values and
how it is put into a spec."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace

from ..model import Regularizer
from ..model.edits import with_dropout, with_noise, with_regularizer
from ..training.run_spec import RunSpec

STRENGTHS = (1e-4, 1e-3, 1e-2, 1e-1)


@dataclass(frozen=True)
class GridParam:
    """A setting the grid search can vary: how it is named, tried and put into a spec."""

    key: str
    label: str  # on the chart's axis and in messages: "L2 strength λ"
    values: tuple[float, ...]  # tried when nobody says otherwise
    log_scale: bool  # values spread over decades
    apply: Callable[[RunSpec, float], RunSpec]


def _penalty(kind: str, spec: RunSpec, value: float) -> RunSpec:
    # For l1l2 the value is λ1, and λ2 = λ1 / 10, the lesson's ratio.
    reg = Regularizer.of("l1l2", value, value / 10) if kind == "l1l2" else Regularizer.of(kind, value)
    return replace(spec, model=with_regularizer(spec.model, reg))


def _dropout(spec: RunSpec, value: float) -> RunSpec:
    return replace(spec, model=with_dropout(spec.model, value))


def _noise(spec: RunSpec, value: float) -> RunSpec:
    return replace(spec, model=with_noise(spec.model, value))


def _learning_rate(spec: RunSpec, value: float) -> RunSpec:
    return spec.with_training(learning_rate=value)


def _batch_size(spec: RunSpec, value: float) -> RunSpec:
    return spec.with_training(batch_size=int(value))


# Each setting's `apply` is a plain function called when a value is tried, never at import,
# so what it does is decided by the code running then (a mutation test relies on that).


GRID_PARAMS: dict[str, GridParam] = {p.key: p for p in (
    GridParam("l2", "L2 strength λ", STRENGTHS, True, functools.partial(_penalty, "l2")),
    GridParam("l1", "L1 strength λ", STRENGTHS, True, functools.partial(_penalty, "l1")),
    GridParam("l1l2", "L1 + L2: λ1 (λ2 = λ1 / 10)", STRENGTHS, True, functools.partial(_penalty, "l1l2")),
    GridParam("dropout", "dropout rate", (0.2, 0.5, 0.7), False, _dropout),
    GridParam("noise", "Gaussian noise stddev", (0.05, 0.1, 0.3, 1.0), True, _noise),
    GridParam("learning_rate", "learning rate", (1e-4, 1e-3, 1e-2, 1e-1), True, _learning_rate),
    GridParam("batch_size", "batch size", (32, 64, 128, 256), True, _batch_size),
)}
DEFAULT_VALUES: dict[str, tuple[float, ...]] = {key: p.values for key, p in GRID_PARAMS.items()}
# A search is a lesson, not a sweep: 50 values already take an afternoon on two cores, and
# each trial keeps its full run record in memory.
MAX_VALUES = 50
MAX_TRIALS = 1000


def apply_value(spec: RunSpec, param: str, value: float) -> RunSpec:
    """`spec` with one setting changed."""
    if param not in GRID_PARAMS:
        raise ValueError(f"unknown setting {param!r}; choose from {', '.join(GRID_PARAMS)}")
    return GRID_PARAMS[param].apply(spec, value)
