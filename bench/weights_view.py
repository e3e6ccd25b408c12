"""Cost of the weight statistics and of the weight viewer, for the lesson's reference MLP.

    QT_QPA_PLATFORM=offscreen python bench/weights_view.py

- worker side: statistics of all six weight tensors (~110k weights) per epoch;
- memory: 100 epochs of recorded statistics (target <= 20 MB);
- GUI side: redrawing the histogram of the 100k-weight first layer with four runs overlaid
  while scrubbing (target <= 5 ms), and a full refresh with the views below it.
"""

from __future__ import annotations

import platform
import statistics
import time
import tracemalloc
from datetime import date

import numpy as np
from scrubbing import scrub_times  # bench/scrubbing.py, beside this script

from regstudio.core.training.records import EpochRecord
from regstudio.core.weights.stats import dense_layouts, weight_stats

SHAPES = (("dense_1", 784, 128), ("dense_2", 128, 64), ("output", 64, 10))
EPOCHS = 100


def reference_layouts():
    return tuple(lay for name, fan_in, fan_out in SHAPES for lay in dense_layouts(name, fan_in, fan_out))


def epochs_of(layouts, rng, n=EPOCHS, spread=0.05):
    out = []
    for epoch in range(1, n + 1):
        stats = tuple(weight_stats(lay, rng.normal(0, spread, lay.shape).astype(np.float32)) for lay in layouts)
        out.append(EpochRecord(epoch, 1.0, 0.9, 0.1, 1.1, 0.9, 0.1, float(epoch), stats))
    return out


def main() -> None:
    rng = np.random.default_rng(0)
    layouts = reference_layouts()
    weights = [rng.normal(0, 0.05, lay.shape).astype(np.float32) for lay in layouts]
    per_epoch = []
    for _ in range(30):
        started = time.perf_counter()
        for lay, w in zip(layouts, weights, strict=True):
            weight_stats(lay, w)
        per_epoch.append((time.perf_counter() - started) * 1000)

    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    records = epochs_of(layouts, rng)
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    megabytes = sum(s.size_diff for s in after.compare_to(before, "filename")) / 2**20
    del records

    from lab_file import record  # bench/lab_file.py: a run record of the reference MLP, made up
    from PySide6.QtWidgets import QApplication

    from regstudio.core.experiments.presets import PRESETS
    from regstudio.core.lab.lab import Lab
    from regstudio.gui.lab_signals import LabSignals
    from regstudio.gui.weights.weights_view import WeightsView

    app = QApplication([])
    lab = Lab()
    view = WeightsView(lab, LabSignals(lab))  # the runs reach it as they reach the window's: through the Lab
    view.resize(900, 900)
    view.show()
    spec = PRESETS["none"].run_spec().with_training(epochs=EPOCHS)
    for run_id in range(1, 5):
        lab.add_finished_run("run", record(f"{run_id}: run", spec, rng, EPOCHS)[0])
    view.refresh()
    app.processEvents()
    scrub, full = scrub_times(app, view, range(1, EPOCHS + 1)), []
    for _ in range(10):
        started = time.perf_counter()
        view.refresh()
        app.processEvents()
        full.append((time.perf_counter() - started) * 1000)

    def p95(values):
        return sorted(values)[int(0.95 * (len(values) - 1))]

    print(f"## weights_view: reference MLP, {EPOCHS} epochs, 4 runs ({date.today()}, {platform.machine()})")
    print(f"- statistics per epoch on the training thread (6 tensors, 110k weights): "
          f"median {statistics.median(per_epoch):.2f} ms")
    print(f"- memory of {EPOCHS} epochs of statistics: {megabytes:.1f} MB (target <= 20 MB)")
    print(f"- histogram redraw while scrubbing, 4 runs of the 100k-weight layer, with repaint: "
          f"median {statistics.median(scrub):.2f} ms, p95 {p95(scrub):.2f} ms (target <= 5 ms)")
    print(f"- full refresh (histogram, table, over-time plots, heat map, images): "
          f"median {statistics.median(full):.1f} ms")


if __name__ == "__main__":
    main()
