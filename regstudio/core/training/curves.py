"""Reading a run's curves: where validation loss bottoms out before it climbs again."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# A rise of 5 % above the lowest validation loss is past the epoch-to-epoch wobble of a
# settled run on the embedded digits (about 1-2 %), and small enough to catch the turn
# early; two epochs after the lowest point keep a single noisy epoch from counting.
ONSET_RISE = 0.05
ONSET_EPOCHS_AFTER = 2


@dataclass(frozen=True)
class Onset:
    """Overfitting made visible: validation loss lowest at `epoch`, then up by `rise` (a share)."""

    epoch: int  # counted from 1
    lowest: float
    last: float

    @property
    def rise(self) -> float:
        return (self.last - self.lowest) / self.lowest if self.lowest > 0 else math.inf


def overfitting_onset(val_losses: Sequence[float], rise: float = ONSET_RISE) -> Onset | None:
    """The epoch where validation loss bottomed out, if it has since risen by `rise` or more.

    Use the data part of the loss (without the penalty): a penalty that shrinks as the
    weights do would hide the turn.
    """
    finite = [(i, v) for i, v in enumerate(val_losses) if math.isfinite(v)]
    if len(finite) < ONSET_EPOCHS_AFTER + 1:
        return None
    low_i, low = min(finite, key=lambda p: p[1])
    last_i, last = finite[-1]
    if last_i - low_i < ONSET_EPOCHS_AFTER or low <= 0 or (last - low) / low < rise:
        return None
    return Onset(low_i + 1, low, last)
