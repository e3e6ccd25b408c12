"""One thread per TensorFlow operation (RegStudio's choice) against TensorFlow's default pools.

    python bench/threads.py [--repeats 3]

TensorFlow fixes its thread pools when it starts, so each setting needs a process of its
own: this script starts fresh processes in alternating order, one with RegStudio's setting
(see tf_runtime._one_thread_per_operation) and one with TF_NUM_INTRAOP_THREADS=0
(TensorFlow's default: an operation split over every core). Each process times, after a
warm-up, on mnist-5k: the lesson's network alone (10 epochs), the lesson's comparison
`none l2 dropout` fused and one after another (10 epochs), the 2-D playground's network
(50 epochs on its 300 points), and networks of one wide layer (1,024 and 2,048 units,
5 epochs), each the best of two. Every line ends in `ratio X`: RegStudio's setting over
the default, the median of the repeats' ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path


def measure() -> dict[str, float]:
    """Seconds for each workload in this process, best of two."""
    sys.path.insert(0, str(Path(__file__).parent))
    from fused import compare

    from regstudio.core.datasets import load
    from regstudio.core.datasets.spec import DataSpec
    from regstudio.core.experiments.presets import preset
    from regstudio.core.model import Dense, ModelSpec
    from regstudio.core.training.run_spec import RunSpec, TrainingConfig
    from regstudio.core.training.session import TrainingSession, warm_up

    warm_up()
    data = load(DataSpec("mnist-5k"))

    def alone(spec: RunSpec, what: object = data) -> float:
        started = time.perf_counter()
        TrainingSession(spec, what, name="bench").run()
        return time.perf_counter() - started

    def wide(units: int) -> RunSpec:
        return RunSpec(ModelSpec((Dense(units, "relu"),)), TrainingConfig(epochs=5), DataSpec("mnist-5k"))

    playground = preset("none").run_spec("playground").with_training(epochs=50)
    playground_data = load(playground.data)
    work = {
        "lesson network alone, 10 epochs": lambda: alone(preset("none").run_spec(dataset="mnist-5k")),
        "compare none l2 dropout fused, 10 epochs":
            lambda: compare(data, "mnist-5k", ("none", "l2", "dropout"), 10, True)[0],
        "compare none l2 dropout one after another, 10 epochs":
            lambda: compare(data, "mnist-5k", ("none", "l2", "dropout"), 10, False)[0],
        "playground network alone, 50 epochs": lambda: alone(playground, playground_data),
        "Dense(1024) alone, 5 epochs": lambda: alone(wide(1024)),
        "Dense(2048) alone, 5 epochs": lambda: alone(wide(2048)),
    }
    return {name: min(run() for _ in range(2)) for name, run in work.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure()))
        return

    print(f"# threads: {date.today()}, {platform.machine()}, {os.cpu_count()} cores, "
          f"1-min load {os.getloadavg()[0]:.2f} at start", flush=True)
    times: dict[str, list[dict[str, float]]] = {"one": [], "default": []}
    for i in range(args.repeats):
        for setting in (("one", "default") if i % 2 == 0 else ("default", "one")):
            env = {k: v for k, v in os.environ.items() if k != "TF_NUM_INTRAOP_THREADS"}
            if setting == "default":
                env["TF_NUM_INTRAOP_THREADS"] = "0"
            out = subprocess.run([sys.executable, __file__, "--child"], env=env, check=True,
                                 capture_output=True, text=True).stdout
            times[setting].append(json.loads(out.strip().splitlines()[-1]))
    for name in times["one"][0]:
        one = [t[name] for t in times["one"]]
        default = [t[name] for t in times["default"]]
        ratios = [a / b for a, b in zip(one, default, strict=True)]
        print(f"{name}: one thread an operation {statistics.median(one):.2f} s, TensorFlow's default "
              f"{statistics.median(default):.2f} s (each repeat: {' '.join(f'{r:.2f}' for r in ratios)}), "
              f"ratio {statistics.median(ratios):.2f}", flush=True)
    print(f"# 1-min load {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
