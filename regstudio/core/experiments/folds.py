"""Stratified k-fold splits: every example validates exactly once, classes stay balanced."""

from __future__ import annotations

import numpy as np


def stratified_folds(labels: np.ndarray, k: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """k pairs of (train positions, validation positions).

    Each class's examples are shuffled and dealt round-robin into the k folds, so every
    fold holds each class in proportion (within one example) and the folds are disjoint
    and cover all positions.
    """
    if not 2 <= k <= 10:
        raise ValueError(f"k = {k}: cross-validation takes 2 to 10 folds")
    if len(labels) < k:
        raise ValueError(f"{len(labels)} examples cannot be split into {k} folds")
    rng = np.random.default_rng(seed)
    fold_of = np.empty(len(labels), dtype=np.int64)
    offset = 0
    for cls in np.unique(labels):
        where = rng.permutation(np.flatnonzero(labels == cls))
        # Continue the round-robin where the previous class stopped, so small classes do not
        # all land in the first folds.
        fold_of[where] = (np.arange(len(where)) + offset) % k
        offset += len(where)
    return [(rng.permutation(np.flatnonzero(fold_of != f)), rng.permutation(np.flatnonzero(fold_of == f)))
            for f in range(k)]
