"""Fused training against one run after another, side by side in one process (issue 15).

    python bench/fused.py [--datasets mnist-5k fashion-mnist] [--repeats 2] [--epochs 10 30]
                          [--parts compare grid] [--cli]

For each dataset found on this computer: the comparisons `none l2 dropout` and `none l1 l2
l1l2` at 10 and 30 epochs, and the lesson's 4-value L2 grid with 3-fold cross-validation
at 10 epochs, each trained fused (the default) and one after another (--no-fuse), through
the same code the window and the command line use, in alternating order. Also the lesson's
plain model.fit script (bench/train_speed.py) for the three-preset comparison. Every
timing is the whole job: building, training, validation, test evaluation. Targets on the
2-core machine: three-preset comparison <= 0.6x one after another and <= 0.4x the plain
script; the 12-trial grid <= 0.5x. Each line checks that the fused runs' per-epoch losses
equal the separate runs'.

`--cli` also times `regstudio compare none l2 dropout --epochs 30 --json J` against the
same with `--no-fuse`, each a fresh process, TensorFlow's start-up included (target
<= 0.75x).

Every measurement prints one line ending in `ratio X` (fused over the other).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

from regstudio.core.datasets import load, stratified_indices
from regstudio.core.datasets.spec import DataSpec
from regstudio.core.datasets.standard import locate
from regstudio.core.experiments.grid_search import GridRequest, GridSearch
from regstudio.core.experiments.job_queue import JobQueue, QueuedJob
from regstudio.core.experiments.presets import preset
from regstudio.core.tf_runtime import import_keras
from regstudio.core.training.session import RunRequest, warm_up

sys.path.insert(0, str(Path(__file__).parent))
from train_speed import plain_keras  # the lesson's script, written once

COMPARISONS = (("none", "l2", "dropout"), ("none", "l1", "l2", "l1l2"))
STRENGTHS = (1e-4, 1e-3, 1e-2, 1e-1)


def compare(data, dataset: str, names: tuple[str, ...], epochs: int, fuse: bool) -> tuple[float, list]:
    """Seconds for the comparison as `regstudio compare` trains it, and its records."""
    queue = JobQueue()
    spec_of = {n: preset(n).run_spec(dataset=dataset).with_training(epochs=epochs) for n in names}
    queue.put_all(QueuedJob(i, RunRequest(spec_of[n], n, fuse)) for i, n in enumerate(names))
    started = time.perf_counter()
    records = []
    while (queued := queue.take_group()) is not None:
        result = queued.request.start(data, lambda event: None).run()
        records += result if isinstance(result, list) else [result]
    return time.perf_counter() - started, records


def grid(data, dataset: str, fuse: bool) -> tuple[float, list]:
    base = preset("none").run_spec(dataset=dataset).with_training(epochs=10)
    started = time.perf_counter()
    result = GridSearch(GridRequest(base, "l2", STRENGTHS, cv=3, fuse=fuse), data).run()
    return time.perf_counter() - started, [t.record for t in result.trials]


def plain(data, names: tuple[str, ...], epochs: int, seed: int = 0) -> float:
    """Seconds for the lesson's plain script to train the presets one after another."""
    fit_idx, val_idx = stratified_indices(data.y_train, 0.2, seed)  # as train_speed.py: the same hold-out
    order = np.concatenate([fit_idx, val_idx])
    x, y = data.x_train[order], data.y_train[order]
    started = time.perf_counter()
    for name in names:
        plain_keras(name, x, y, data.x_test, data.y_test, epochs, seed)
    return time.perf_counter() - started


def worst_difference(fused: list, alone: list) -> float:
    """The largest relative difference between fused and separate per-epoch losses."""
    key = lambda r: (r.name, r.spec.to_json())  # noqa: E731  (grid trials: fold order is the same)
    worst = 0.0
    for f, a in zip(sorted(fused, key=key), sorted(alone, key=key), strict=True):
        for ef, ea in zip(f.epochs, a.epochs, strict=True):
            for x, y in ((ef.loss, ea.loss), (ef.val_loss, ea.val_loss)):
                worst = max(worst, abs(x - y) / abs(y))
    return worst


def line(label: str, target: str, fused: list[float], other: list[float], other_name: str, extra: str = "") -> None:
    f, o = statistics.median(fused), statistics.median(other)
    each = " ".join(f"{a / b:.2f}" for a, b in zip(fused, other, strict=True))
    print(f"{label} (target {target}): fused {f:.2f} s, {other_name} {o:.2f} s (each repeat: {each}){extra}, "
          f"ratio {f / o:.2f}", flush=True)


def run_cli(repeats: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        times: dict[bool, list[float]] = {True: [], False: []}
        for i in range(repeats):
            for fuse in ((True, False) if i % 2 == 0 else (False, True)):
                argv = [sys.executable, "-m", "regstudio", "compare", "none", "l2", "dropout", "--epochs", "30",
                        "--json", str(Path(folder) / f"runs-{fuse}.json"), *([] if fuse else ["--no-fuse"])]
                started = time.perf_counter()
                subprocess.run(argv, check=True, capture_output=True)
                times[fuse].append(time.perf_counter() - started)
        line("cli: regstudio compare none l2 dropout --epochs 30 --json, fresh process each", "<= 0.75",
             times[True], times[False], "--no-fuse")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="*", default=["mnist-5k", "fashion-mnist"],
                        help="none (`--datasets --cli`): only the command line")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--epochs", type=int, nargs="+", default=[10, 30],
                        help="the comparisons' epochs (the grid always trains 10)")
    parser.add_argument("--parts", nargs="+", choices=("compare", "grid"), default=["compare", "grid"],
                        help="what to time on each dataset")
    parser.add_argument("--cli", action="store_true", help="also time the command line, TensorFlow start-up included")
    args = parser.parse_args()
    if args.cli:  # first, from a process without TensorFlow, as from a shell (after it: 0.75 against 0.68)
        run_cli(args.repeats)

    keras = import_keras()
    warm_up()  # the process's first-fit costs, paid by neither side
    print(f"# fused: {date.today()}, {platform.machine()}, {os.cpu_count()} cores, keras {keras.__version__}, "
          f"1-min load {os.getloadavg()[0]:.2f} at start", flush=True)
    for dataset in args.datasets:
        if dataset not in ("mnist-5k",) and not locate(dataset):
            print(f"# {dataset}: not installed on this computer, skipped")
            continue
        data = load(DataSpec(dataset))
        for names in COMPARISONS if "compare" in args.parts else ():
            for epochs in args.epochs:
                runs: dict[str, list[float]] = {"fused": [], "alone": [], "plain": []}
                worst = 0.0
                for i in range(args.repeats):
                    order = ("fused", "alone", "plain") if i % 2 == 0 else ("plain", "alone", "fused")
                    for kind in order:
                        if kind == "plain":
                            if names == COMPARISONS[0]:
                                runs["plain"].append(plain(data, names, epochs))
                            continue
                        seconds, records = compare(data, dataset, names, epochs, kind == "fused")
                        runs[kind].append(seconds)
                        if kind == "fused":
                            fused_records = records
                        else:
                            alone_records = records
                    worst = max(worst, worst_difference(fused_records, alone_records))
                label = f"{dataset} compare {' '.join(names)}, {epochs} epochs"
                target = "<= 0.6" if len(names) == 3 else "none"
                line(label, target, runs["fused"], runs["alone"], "one after another",
                     f", losses differ by at most {worst:.1e} relative")
                if runs["plain"]:
                    line(label, "<= 0.4", runs["fused"], runs["plain"], "plain model.fit script")
        if "grid" not in args.parts:
            continue
        times: dict[bool, list[float]] = {True: [], False: []}
        worst = 0.0
        for i in range(args.repeats):
            results = {}
            for fuse in ((True, False) if i % 2 == 0 else (False, True)):
                seconds, results[fuse] = grid(data, dataset, fuse)
                times[fuse].append(seconds)
            worst = max(worst, worst_difference(results[True], results[False]))
        line(f"{dataset} grid l2 {' '.join(f'{v:g}' for v in STRENGTHS)}, 3 folds, 10 epochs (12 trials)", "<= 0.5",
             times[True], times[False], "one after another", f", losses differ by at most {worst:.1e} relative")
    print(f"# 1-min load {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
