"""Saving and opening a full lab: 20 runs x 30 epochs on the embedded digits, plus a 12-trial search.

    QT_QPA_PLATFORM=offscreen python bench/lab_file.py

Targets (issue 10): save <= 0.5 s, file <= 10 MB, open and draw everything (curves, table,
weight histograms, grid chart) <= 1 s. The runs are the lesson's reference network with
realistic records: every epoch's weight statistics are computed by the real code from
random weights of the right shapes, and each run carries its 784 x 128 first-layer kernel,
as a run on the digits does. Training 20 real runs would take minutes and measure nothing
more about the file.
"""

from __future__ import annotations

import platform
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np

from regstudio.core.datasets.spec import DataSpec
from regstudio.core.experiments.grid_search import GridRequest, GridResult, Trial
from regstudio.core.experiments.presets import PRESETS
from regstudio.core.lab.lab import LabContent, LabRun, LabSearch
from regstudio.core.lab.lab_file import open_lab, save_lab
from regstudio.core.training.records import DatasetSummary, EpochRecord, RunRecord
from regstudio.core.training.summary import RunSummary
from regstudio.core.weights.stats import dense_layouts, weight_stats

SHAPES = (("dense_1", 784, 128), ("dense_2", 128, 64), ("output", 64, 10))
RUNS, EPOCHS = 20, 30


def record(name: str, spec: object, rng: np.random.Generator, epochs: int) -> tuple[RunRecord, np.ndarray]:
    layouts = tuple(lay for layer, fan_in, fan_out in SHAPES for lay in dense_layouts(layer, fan_in, fan_out))
    history = []
    for epoch in range(1, epochs + 1):
        stats = tuple(weight_stats(lay, rng.normal(0, 0.03 + 0.001 * epoch, lay.shape).astype(np.float32))
                      for lay in layouts)
        loss = 1.0 / epoch + float(rng.random()) * 0.01
        history.append(EpochRecord(epoch, loss, 1 - loss / 3, 0.01, loss * 1.2, 1 - loss / 2.5, 0.01, 0.2 * epoch,
                                   stats))
    dataset = DatasetSummary("mnist-5k", 3200, 800, 1000, 784, tuple(str(d) for d in range(10)), (28, 28), "embedded")
    run = RunRecord(name, spec, dataset, 109_386, layouts, tuple(history), "completed", f"all {epochs} epochs done",
                    None, None, None, 0.31, 0.93, 0.4, 0.2 * epochs, 0.05, {"regstudio": "0.2.0"}, "2026-11-25")
    return run, rng.normal(0, 0.05, (784, 128)).astype(np.float32)


def lab_content() -> LabContent:
    rng = np.random.default_rng(0)
    names = list(PRESETS)
    runs = []
    for i in range(RUNS):
        preset = PRESETS[names[i % len(names)]]
        spec = replace(preset.run_spec(), data=DataSpec()).with_training(epochs=EPOCHS)
        rec, kernel = record(f"{i + 1}: {preset.name}", spec, rng, EPOCHS)
        runs.append(LabRun(0, rec.name, i, spec, "done", True, rec.layouts, rec.epochs, rec, RunSummary.of(rec), "",
                           (28, 28), kernel))
    request = GridRequest(PRESETS["none"].run_spec().with_training(epochs=10), "l2", (1e-4, 1e-3, 1e-2, 1e-1), cv=3)
    trials = []
    for value in request.values:
        for fold in range(3):
            rec, _ = record(f"l2={value:g}", request.base, rng, 10)
            trials.append(Trial(value, fold, 0, 0.9, 0.95, rec))
    result = GridResult("l2", request.values, 3, 1, tuple(trials), False, 19.0)
    search = LabSearch(0, request, "done", tuple(trials), result)
    return LabContent(runs[0].spec, tuple(runs), (search,), "Notes " * 200)


def main() -> None:
    content = lab_content()
    folder = Path(tempfile.mkdtemp())
    path = folder / "class.regstudio"
    saves = []
    for _ in range(5):
        started = time.perf_counter()
        save_lab(content, path, "0.2.0")
        saves.append(time.perf_counter() - started)
    size = path.stat().st_size
    reads = []
    for _ in range(5):
        started = time.perf_counter()
        open_lab(path)
        reads.append(time.perf_counter() - started)

    from PySide6.QtWidgets import QApplication

    from regstudio.gui.main_window import MainWindow

    app = QApplication([])
    window = MainWindow()  # its training thread is never started: only the views are measured
    window.resize(1440, 900)
    window.show()
    app.processEvents()
    draws = []
    for _ in range(3):
        window.files.new_lab()
        app.processEvents()
        started = time.perf_counter()
        window.files.open_path(path)  # table, curves and grid chart follow the Lab at once
        for tab in (window.weights, window.grid, window.curves_page):  # each tab drawn once, as a student looks
            window.view_tabs.setCurrentWidget(tab)
            app.processEvents()
        draws.append(time.perf_counter() - started)
    assert window.runs.model.rowCount() == RUNS and len(window.curves.runs) == RUNS
    window.files.ask_save_changes = lambda name: "discard"
    window.close()

    print(f"## lab_file: {RUNS} runs x {EPOCHS} epochs of the reference MLP on the digits, with first-layer "
          f"kernels, and a 12-trial search ({date.today()}, {platform.machine()})")
    print(f"- save: median {statistics.median(saves):.3f} s (target <= 0.5 s)")
    print(f"- file size: {size / 2**20:.2f} MB (target <= 10 MB)")
    print(f"- read and check the file: median {statistics.median(reads):.3f} s")
    print(f"- open in the window and draw the table, curves, weights tab and grid chart: "
          f"median {statistics.median(draws):.3f} s (target <= 1 s)")


if __name__ == "__main__":
    main()
