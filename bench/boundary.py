"""Decision boundaries: their cost, the playground's speed, and whether complexity tells techniques apart.

    QT_QPA_PLATFORM=offscreen PYTHONPATH=. python bench/boundary.py [--parts probe draw speed complexity]

- probe: training-thread time of one epoch's boundary at 100 x 100 (the forward pass over the
  grid, packing into a frame, complexity), for the playground and the reference network
  (target <= 10 ms); the first call, which traces the forward pass, separately;
- draw: the boundary view redrawing four small multiples while scrubbing, repaint included
  (target <= 5 ms);
- speed: one 200-epoch run of the playground preset on moons with 300 points and 30 % label
  noise, build to test (target <= 15 s);
- complexity: none vs L2 vs dropout on that data, on the playground network and on the
  lesson's reference network trained the same way: the final epoch's boundary complexity,
  gap and test accuracy, mean over --seeds (each seed draws its own points, label noise and
  initial weights).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from dataclasses import replace
from datetime import date
from functools import partial

import numpy as np
from scrubbing import scrub_times  # bench/scrubbing.py, beside this script

from regstudio.core.boundary.plane import plane_over
from regstudio.core.boundary.probe import BoundaryProbe
from regstudio.core.datasets import load
from regstudio.core.datasets.spec import DataSpec
from regstudio.core.experiments.presets import NETWORKS, PLAYGROUND_LABEL_NOISE, PLAYGROUND_TRAIN_SIZE, preset
from regstudio.core.model.edits import with_regularizer
from regstudio.core.model.keras_model import build_model
from regstudio.core.model.penalties import Regularizer
from regstudio.core.tf_runtime import import_keras
from regstudio.core.training.session import TrainingSession

TECHNIQUES = ("none", "l2", "dropout")


def noisy_moons(seed: int = 0) -> DataSpec:
    return DataSpec("moons", train_size=PLAYGROUND_TRAIN_SIZE, label_noise=PLAYGROUND_LABEL_NOISE, seed=seed)


def median_p95(values: list[float]) -> str:
    ordered = sorted(values)
    return f"median {statistics.median(values):.2f} ms, p95 {ordered[int(0.95 * (len(values) - 1))]:.2f} ms"


def probe_cost() -> None:
    import_keras()
    data = load(noisy_moons())
    plane = plane_over(data, np.arange(len(data.x_train)))
    for network in ("playground", "reference"):
        model = build_model(preset("none").model_on(network), 2, 2, seed=0)
        probe = BoundaryProbe(plane)
        started = time.perf_counter()
        probe.frame(model, 1)
        first = (time.perf_counter() - started) * 1000
        times = []
        for epoch in range(2, 202):
            started = time.perf_counter()
            probe.frame(model, epoch)
            times.append((time.perf_counter() - started) * 1000)
        print(f"- probe, {network} network, 100 x 100 grid: {median_p95(times)} per epoch "
              f"(first call, tracing the forward pass: {first:.0f} ms)")


def draw_cost() -> None:
    from PySide6.QtWidgets import QApplication

    from regstudio.core.lab.lab import Lab
    from regstudio.gui.boundary.boundary_view import BoundaryView
    from regstudio.gui.lab_signals import LabSignals

    app = QApplication.instance() or QApplication([])
    lab = Lab()
    view = BoundaryView(lab, LabSignals(lab))
    view.resize(1100, 420)
    view.show()
    for technique in (*TECHNIQUES, "dropout-l2"):
        spec = preset(technique).run_spec(network="playground", **vars(noisy_moons())).with_training(epochs=40)
        run_id = lab.add_run(spec, technique)
        TrainingSession(spec, load(spec.data), listener=lambda e, r=run_id: lab.apply(r, e)).run()
    app.processEvents()
    times = [t for _ in range(3) for t in scrub_times(app, view, range(1, 41))]
    print(f"- draw, 4 small multiples of 100 x 100 with their points, scrubbing, repaint included: {median_p95(times)}")


def playground_speed() -> None:
    import_keras()
    spec = preset("playground").run_spec(**vars(noisy_moons()))
    data = load(spec.data)
    TrainingSession(spec.with_training(epochs=2), data).run()  # warm: the first run in a process traces more
    in_place: list[float] = []  # each epoch's boundary, timed on the training thread inside the run
    untimed = BoundaryProbe.frame

    def timed(probe: BoundaryProbe, model: object, epoch: int) -> object:
        started = time.perf_counter()
        try:
            return untimed(probe, model, epoch)
        finally:
            in_place.append((time.perf_counter() - started) * 1000)

    BoundaryProbe.frame = timed  # type: ignore[method-assign]
    try:
        started = time.perf_counter()
        record = TrainingSession(spec, data).run()
        total = time.perf_counter() - started
    finally:
        BoundaryProbe.frame = untimed  # type: ignore[method-assign]
    print(f"- playground preset, 200 epochs on moons ({record.dataset.n_train} points trained on, "
          f"{PLAYGROUND_LABEL_NOISE:.0%} label noise): {total:.1f} s build to test "
          f"(train {record.train_seconds:.1f} s, {record.train_seconds / len(record.epochs) * 1000:.0f} ms per epoch); "
          f"gap {record.last.gap:+.3f}, test accuracy {record.test_accuracy:.3f}")
    print(f"  its boundaries on the training thread, in place: {median_p95(in_place[1:])} per epoch "
          f"(epoch 1, tracing: {in_place[0]:.0f} ms)")


def complexity(seeds: list[int], l2: float) -> None:
    import_keras()
    techniques = {"none": preset("none").technique, f"l2 {l2:g}": partial(with_regularizer, reg=
                  Regularizer.of("l2", l2)), "dropout": preset("dropout").technique}
    for network in ("playground", "reference"):
        print(f"- {network} network, 200 epochs, batch 32, moons, {PLAYGROUND_TRAIN_SIZE} points, "
              f"{PLAYGROUND_LABEL_NOISE:.0%} label noise, seeds {seeds} (final epoch, mean ± sd over seeds):")
        for name, technique in techniques.items():
            figures = []
            for seed in seeds:
                spec = preset("playground").run_spec(**vars(noisy_moons(seed))).with_training(seed=seed)
                spec = replace(spec, model=technique(NETWORKS[network].model))
                record = TrainingSession(spec, load(spec.data)).run()
                figures.append((record.last.boundary_complexity, record.last.gap, record.test_accuracy))
            c, g, t = (np.array(column) for column in zip(*figures, strict=True))
            print(f"  {name:10} complexity {c.mean():5.2f} ± {c.std():.2f} ({', '.join(f'{v:.2f}' for v in c)}); "
                  f"gap {g.mean():+.3f}; test accuracy {t.mean():.3f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parts", nargs="+", default=["probe", "draw", "speed", "complexity"],
                        choices=("probe", "draw", "speed", "complexity"))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--l2", type=float, default=1e-3, help="L2 strength for the complexity comparison")
    args = parser.parse_args()
    load_average = os.getloadavg()[0]
    print(f"## boundary ({date.today()}, {platform.machine()}, load average {load_average:.2f} at start)")
    for part in args.parts:
        {"probe": probe_cost, "draw": draw_cost, "speed": playground_speed,
         "complexity": lambda: complexity(args.seeds, args.l2)}[part]()


if __name__ == "__main__":
    main()
