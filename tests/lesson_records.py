"""Made-up run records for the observation and exercise tests: every number chosen by the test."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from regstudio.core.datasets.spec import DataSpec
from regstudio.core.experiments.presets import PRESETS
from regstudio.core.training.records import DatasetSummary, EpochRecord, RunRecord
from regstudio.core.weights.stats import dense_layouts, weight_stats

LAYOUTS = tuple(dense_layouts("dense_1", 20, 8))


def epochs(val_losses, accuracies=None, val_accuracies=None, spread=0.1, zeros=0.0, losses=None):
    """EpochRecords with these validation losses; first-layer weights of this spread, `zeros` of them 0."""
    rng = np.random.default_rng(0)
    n = len(val_losses)
    accuracies = accuracies or [0.9] * n
    val_accuracies = val_accuracies or [0.85] * n
    losses = losses or [1.0 / (i + 1) for i in range(n)]
    out = []
    for i in range(n):
        w = rng.normal(0, spread, (20, 8)).astype(np.float32)
        w[rng.random(w.shape) < zeros] = 0.0
        stats = (weight_stats(LAYOUTS[0], w), weight_stats(LAYOUTS[1], np.zeros(8, np.float32)))
        out.append(EpochRecord(i + 1, losses[i], accuracies[i], 0.0, val_losses[i], val_accuracies[i], 0.0,
                               float(i), stats))
    return tuple(out)


def record(name, preset="none", history=None, test=0.85, data=None, classes=10, **changes):
    spec = replace(PRESETS[preset].run_spec(), data=data or DataSpec("mnist-5k"))
    history = history if history is not None else epochs([0.5, 0.45, 0.44])
    dataset = DatasetSummary("mnist-5k", 3200, 800, 1000, 20, tuple(str(i) for i in range(classes)), None, "")
    base = RunRecord(name, spec, dataset, 100, LAYOUTS, history, "completed", "done", None, None, None, 0.4, test,
                     0.1, 1.0, 0.1)
    return replace(base, **changes)
