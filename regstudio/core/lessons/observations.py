"""What a run showed, in plain sentences with their numbers: computed from run records only.

Each function looks for one thing a student should notice: where a network starts to
overfit, a gap that a technique closed, weights that a penalty shrank or zeroed, a
penalty so strong that the network underfits, dropout's training accuracy below its
validation accuracy, what early stopping saved, a run stuck at chance, the best strength
of a search, and runs too close to call. Thresholds are named below with the reason for
their size. Runs are compared with a baseline: a run on the same data without any
technique (the first one, if there are several).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ..experiments.grid_search import GRID_PARAMS, SCORES, GridResult
from ..model import Dropout, GaussianNoise
from ..training.curves import overfitting_onset
from ..training.records import EpochRecord, RunRecord
from ..training.summary import techniques

# Gaps closer than 2 points are within what one seed to the next changes on the embedded
# digits (the gap's spread over 3 seeds was 0.01-0.02 in bench/RESULTS.md).
GAP_DIFFERENCE = 0.02
# A first layer whose L2 norm is at most 80 % of the baseline's has clearly been held back;
# runs without a penalty differ by a few percent.
SHRUNK_RATIO = 0.8
# 20 more points of practically-zero weights: L1 gives 60-99 %, L2 up to 25 % (blank image
# borders decay), no penalty about 1 %; L1 against none clears it easily, L2 sometimes.
SPARSITY_DIFFERENCE = 0.2
# Validation accuracy 5 points below the baseline's is more than any seed explains: the
# technique is too strong for this problem.
TOO_STRONG_DROP = 0.05
# Within 5 points of 1 / classes, a network has learned (nearly) nothing.
CHANCE_MARGIN = 0.05
# Epochs at the end of a run over which its validation accuracy's wobble is measured.
WOBBLE_EPOCHS = 5
# Learning rates from here on make adam overshoot on these networks.
HIGH_LEARNING_RATE = 0.05


@dataclass(frozen=True)
class Observation:
    kind: str  # onset, gap, shrunk, sparsity, too-strong, dropout, early-stopping, chance, diverged, best, close
    runs: tuple[str, ...]  # the runs it is about, by name
    text: str


def _first_kernel(record: RunRecord) -> str | None:
    return next((lay.name for lay in record.layouts if lay.kind == "kernel"), None)


def _wobble(epochs: Sequence[EpochRecord]) -> float:
    """Sample standard deviation of the last epochs' validation accuracy (plain floats: this runs often)."""
    values = [e.val_accuracy for e in epochs[-WOBBLE_EPOCHS:] if math.isfinite(e.val_accuracy)]
    if len(values) < 2:
        return 0.0
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def onset(record: RunRecord) -> Observation | None:
    found = overfitting_onset([e.val_data_loss for e in record.epochs])
    if found is None:
        return None
    last = record.epochs[-1]
    at = record.epochs[found.epoch - 1]
    still = " while its training loss kept falling" if last.data_loss < at.data_loss else ""
    return Observation("onset", (record.name,), f"{record.name}: validation loss was lowest at epoch {found.epoch} "
                       f"({found.lowest:.3f}) and rose {found.rise:.0%} by epoch {last.epoch}{still}: it overfits "
                       f"from epoch {found.epoch} on.")


def dropout_training_below(record: RunRecord) -> Observation | None:
    final = record.final
    if final is None or not any(isinstance(layer, (Dropout, GaussianNoise)) for layer in record.spec.model.layers):
        return None
    if not final.accuracy < final.val_accuracy:
        return None
    what = "dropout switching units off" if any(isinstance(layer, Dropout) for layer in record.spec.model.layers) \
        else "noise added to the hidden layers"
    return Observation("dropout", (record.name,), f"{record.name}: training accuracy ({final.accuracy:.3f}) is below "
                       f"validation accuracy ({final.val_accuracy:.3f}). Training accuracy is measured with {what}; "
                       "validation and test use the whole network, so this is not a mistake.")


def early_stopping(record: RunRecord) -> Observation | None:
    if record.stop_epoch is None or record.best_epoch is None:
        return None
    planned = record.spec.training.epochs
    best = record.epochs[record.best_epoch - 1]
    stop = record.epochs[record.stop_epoch - 1]
    back = (f" and went back to epoch {record.restored_epoch}'s weights (validation loss {best.val_loss:.3f} instead "
            f"of {stop.val_loss:.3f})" if record.restored_epoch is not None else ", keeping its last weights")
    return Observation("early-stopping", (record.name,), f"{record.name}: early stopping ended training at epoch "
                       f"{record.stop_epoch}, {record.stop_epoch - record.best_epoch} epochs after its best epoch "
                       f"{record.best_epoch}{back}; it skipped {planned - record.stop_epoch} of the {planned} "
                       "planned epochs.")


def chance(record: RunRecord) -> Observation | None:
    if record.outcome == "diverged":
        return Observation("diverged", (record.name,), f"{record.name}: {record.reason}.")
    final, classes = record.final, len(record.dataset.class_names)
    # Both sides at chance: with wrong labels in the validation rows too (label noise), a run
    # that memorized its training set can score near chance there and still have learned.
    if final is None or classes < 2 or max(final.val_accuracy, final.accuracy) > 1 / classes + CHANCE_MARGIN:
        return None
    rate = record.spec.training.learning_rate
    cause = (f" With a learning rate of {rate:g} the steps are far too large: the likely cause. Try 0.001."
             if rate >= HIGH_LEARNING_RATE else " Check the penalty strength and the learning rate.")
    return Observation("chance", (record.name,), f"{record.name}: validation accuracy {final.val_accuracy:.3f} is "
                       f"chance level for {classes} classes: the network learned nothing.{cause}")


def against_baseline(run: RunRecord, base: RunRecord) -> list[Observation]:
    out: list[Observation] = []
    a, b = run.final, base.final
    if a is None or b is None:
        return out
    names = (run.name, base.name)
    if b.val_accuracy - a.val_accuracy >= TOO_STRONG_DROP and techniques(run.spec):
        out.append(Observation("too-strong", names, f"{run.name} looks too strong: its validation accuracy "
                               f"{a.val_accuracy:.3f} is {b.val_accuracy - a.val_accuracy:.3f} below {base.name}'s "
                               f"({b.val_accuracy:.3f}), with training accuracy {a.accuracy:.3f}: it underfits. "
                               "Try a weaker setting."))
    elif a.gap < b.gap - GAP_DIFFERENCE:
        out.append(Observation("gap", names, f"{run.name}'s generalization gap ({a.gap:+.3f}) is smaller than "
                               f"{base.name}'s ({b.gap:+.3f}): it memorized less of the training set."))
    elif a.gap > b.gap + GAP_DIFFERENCE:
        out.append(Observation("gap", names, f"{run.name}'s generalization gap ({a.gap:+.3f}) is larger than "
                               f"{base.name}'s ({b.gap:+.3f}): it overfits more."))
    kernel = _first_kernel(run)
    if kernel is not None and kernel == _first_kernel(base) and a.weights and b.weights:
        sa, sb = a.stats(kernel), b.stats(kernel)
        if sb.l2 > 0 and sa.l2 / sb.l2 <= SHRUNK_RATIO:
            out.append(Observation("shrunk", names, f"{run.name}'s first-layer weights are {1 - sa.l2 / sb.l2:.0%} "
                                   f"smaller than {base.name}'s (L2 norm {sa.l2:.2f} against {sb.l2:.2f}): the "
                                   "penalty keeps them small."))
        if sa.sparsity - sb.sparsity >= SPARSITY_DIFFERENCE:
            out.append(Observation("sparsity", names, f"{run.name} left {sa.sparsity:.0%} of its first-layer weights "
                                   f"at practically zero (|w| < 0.001), against {sb.sparsity:.0%} for {base.name}: "
                                   "those inputs are switched off."))
    if run.test_accuracy is not None and base.test_accuracy is not None:
        difference = abs(run.test_accuracy - base.test_accuracy)
        spread = math.hypot(_wobble(run.epochs), _wobble(base.epochs))
        if difference < spread:
            out.append(Observation("close", names, f"{run.name} and {base.name} differ by {difference:.3f} in test "
                                   f"accuracy, less than their epoch-to-epoch wobble (±{spread:.3f}): no clear "
                                   "difference on these settings. Make it overfit, or repeat with other seeds."))
    return out


def baseline_for(record: RunRecord, records: Sequence[RunRecord]) -> RunRecord | None:
    """The first run on the same data and epochs without any technique (never the run itself)."""
    return next((r for r in records if r is not record and not techniques(r.spec) and r.spec.data == record.spec.data
                 and r.spec.training.epochs == record.spec.training.epochs), None)


def observe_runs(records: Sequence[RunRecord]) -> list[Observation]:
    """Everything worth saying about these runs, run by run."""
    out: list[Observation] = []
    plain = [r for r in records if not techniques(r.spec)]  # the candidate baselines, found once
    plain_ids = {id(r) for r in plain}  # by identity: comparing records field by field is slow
    for record in records:
        out += [o for o in (chance(record), onset(record), dropout_training_below(record), early_stopping(record))
                if o is not None]
        if id(record) not in plain_ids:
            base = baseline_for(record, plain)
            if base is not None:
                out += against_baseline(record, base)
    return out


def observe_search(result: GridResult) -> list[Observation]:
    """The best value of a search, and what the values on either side of it show."""
    best = result.best
    if best is None:
        return []
    score, label = SCORES[result.score], GRID_PARAMS[result.param].label
    points = sorted(result.points, key=lambda p: p.value)
    i = points.index(best)
    parts = [f"The best {label} is {best.value:g} ({score.label} {best.val_mean:.3f} ± {best.val_std:.3f})."]
    penalty = result.param in ("l1", "l2", "l1l2", "dropout", "noise")
    for side, neighbour in (("weaker", points[i - 1] if i > 0 else None),
                            ("stronger", points[i + 1] if i + 1 < len(points) else None)):
        if neighbour is None:
            continue
        verdict = ""
        if penalty:
            verdict = ": too weak, it still overfits" if side == "weaker" else ": too strong, it underfits"
        within = abs(neighbour.val_mean - best.val_mean) <= max(best.val_std, neighbour.val_std)
        note = " (within the spread over folds: no clear difference)" if within else verdict
        parts.append(f"At {neighbour.value:g} it is {neighbour.val_mean:.3f}{note}.")
    return [Observation("best", (), " ".join(parts))]
