"""The lesson's comparisons: the same network with and without each technique, in one click.

A comparison is a list of labelled techniques, each put on the same network: the lesson's
reference network, or the 2-D playground's. Each is trained with the training settings and
data the student has chosen, so that the only difference between the runs is the technique.
Controlled (the default), every run also shares the seed: the same initial weights wherever
layers match, the same validation split and the same batch order. Uncontrolled, run i uses
seed + i, which shows how much of a difference is luck.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial

from ..model import ModelSpec
from ..model.edits import with_dropout
from ..training.run_spec import RunSpec
from .presets import DROPOUT_RATE, L1_STRENGTH, L2_STRENGTH, NETWORKS, PRESETS


@dataclass(frozen=True)
class Variant:
    label: str  # the run's name in the table and legends
    technique: Callable[[ModelSpec], ModelSpec]  # puts it on the comparison's network


@dataclass(frozen=True)
class Comparison:
    key: str
    title: str
    what: str  # what to look for, one or two sentences
    variants: tuple[Variant, ...]


def _preset(name: str) -> Variant:
    return Variant(name, PRESETS[name].technique)


def _dropout(rate: float) -> Variant:
    return Variant(f"dropout {rate:g}", partial(with_dropout, rate=rate))


COMPARISONS: dict[str, Comparison] = {c.key: c for c in (
    Comparison("lesson", "none vs L2 vs dropout (the lesson)",
               "The lesson's three runs. Watch the unregularized validation loss turn upward while "
               "its training loss keeps falling; L2 and dropout keep the two closer.",
               (_preset("none"), _preset("l2"), _preset("dropout"))),
    Comparison("penalties", "none vs L1 vs L2 vs L1+L2",
               f"The three weight penalties at the lesson's strengths (L1 {L1_STRENGTH:g}, L2 {L2_STRENGTH:g}). "
               "Then open Weights: L1 piles weights up at exactly zero, L2 only shrinks them.",
               (_preset("none"), _preset("l1"), _preset("l2"), _preset("l1l2"))),
    Comparison("dropout-rates", "dropout 0.2 vs 0.5 vs 0.7",
               "More dropout means a smaller gap between training and validation, until the network "
               "can no longer fit the training data: 0.7 silences most units at every step.",
               (_dropout(0.2), _dropout(0.5), _dropout(0.7))),
    Comparison("dropout-l2", "dropout + L2 together",
               f"Each technique alone and both at once (dropout {DROPOUT_RATE:g}, L2 {L2_STRENGTH:g}): "
               "do two brakes close the gap further than one?",
               (_preset("none"), _preset("l2"), _preset("dropout"), _preset("dropout-l2"))),
)}


def comparison_specs(key: str, base: RunSpec, controlled: bool = True,
                     network: str = "reference") -> list[tuple[str, RunSpec]]:
    """(label, spec) for each run of comparison `key`, on `base`'s training settings and data.

    Each variant puts its technique on `network` (see presets.NETWORKS); early stopping,
    epochs and everything else come from `base`, the same for every run.
    """
    try:
        comparison = COMPARISONS[key]
    except KeyError:
        raise KeyError(f"unknown comparison {key!r}; choose from {', '.join(COMPARISONS)}") from None
    out = []
    for i, variant in enumerate(comparison.variants):
        spec = replace(base, model=variant.technique(NETWORKS[network].model))
        if not controlled:
            spec = spec.with_training(seed=base.training.seed + i)
        out.append((variant.label, spec.check()))
    return out

