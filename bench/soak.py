"""Memory over many runs: does resident memory keep growing as runs follow each other?

Trains 20 runs one after another on the embedded digits (cycling through the lesson's
presets, 10 epochs each), reusing one loaded dataset, and reads the process's resident set
size after every run. Then a plain Keras loop does the same 20 runs in the same process,
as the baseline. Growth is measured from the end of the first run (TensorFlow, the data and
the first traced functions are loaded by then) to the end of the last.

    python bench/soak.py [--runs 20] [--epochs 10] [--via session|window]

`--via window` queues all runs at once through the window's TrainingController (the real
training thread and job queue, offscreen) instead of calling TrainingSession directly.
Target: growth <= 50 MB over 20 runs.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import sys
import time
from datetime import date
from pathlib import Path

from regstudio.core.datasets import load
from regstudio.core.datasets.spec import DataSpec
from regstudio.core.experiments.presets import preset

PRESETS = ("none", "l1", "l2", "dropout", "batchnorm")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def specs(runs: int, epochs: int) -> list:
    return [preset(PRESETS[i % len(PRESETS)]).run_spec().with_training(epochs=epochs) for i in range(runs)]


def via_session(runs: int, epochs: int) -> list[float]:
    from regstudio.core.training.session import TrainingSession

    data = load(DataSpec())
    out = []
    for spec in specs(runs, epochs):
        TrainingSession(spec, data).run()
        gc.collect()
        out.append(rss_mb())
    return out


def via_window(runs: int, epochs: int) -> list[float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QObject, Slot
    from PySide6.QtWidgets import QApplication

    from regstudio.core.training.events import RunFinished
    from regstudio.core.training.session import RunRequest
    from regstudio.gui.training.worker import TrainingController

    app = QApplication.instance() or QApplication([])
    controller = TrainingController()
    out: list[float] = []

    class Watcher(QObject):
        @Slot(str)
        def ready(self, version: str) -> None:
            for i, spec in enumerate(specs(runs, epochs)):  # all queued at once: the queue runs them in turn
                controller.submit(i + 1, RunRequest(spec, f"run {i + 1}"))

        @Slot(int, object)
        def finished(self, run_id: int, event: object) -> None:
            if not isinstance(event, RunFinished):
                return
            gc.collect()
            out.append(rss_mb())
            if len(out) == runs:
                app.quit()

    watcher = Watcher()
    controller.worker.ready.connect(watcher.ready)
    controller.worker.jobEvent.connect(watcher.finished)
    controller.start()
    app.exec()
    controller.shutdown()
    return out


def plain_keras(runs: int, epochs: int) -> list[float]:
    """The lesson's script, run `runs` times in a loop: what a student's notebook would do."""
    from regstudio.core.tf_runtime import import_keras

    keras = import_keras()
    from keras import layers, regularizers

    data = load(DataSpec())
    y = keras.utils.to_categorical(data.y_train, 10)
    out = []
    for i in range(runs):
        name = PRESETS[i % len(PRESETS)]
        reg = {"l1": regularizers.l1(0.01), "l2": regularizers.l2(0.001)}.get(name)
        stack = [keras.Input(shape=(784,))]
        for units in (128, 64):
            if name == "batchnorm":
                stack += [layers.Dense(units), layers.BatchNormalization(), layers.Activation("relu")]
            else:
                stack.append(layers.Dense(units, activation="relu", kernel_regularizer=reg))
            if name == "dropout":
                stack.append(layers.Dropout(0.3))
        stack.append(layers.Dense(10, activation="softmax"))
        model = keras.Sequential(stack)
        model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
        model.fit(data.x_train, y, validation_split=0.2, epochs=epochs, batch_size=128, verbose=0)
        model.evaluate(data.x_test, keras.utils.to_categorical(data.y_test, 10), verbose=0)
        del model
        gc.collect()
        out.append(rss_mb())
    return out


def report(label: str, rss: list[float], seconds: float) -> float:
    growth = rss[-1] - rss[0]
    steps = " ".join(f"{v:.0f}" for v in rss)
    print(f"- {label}: RSS after run 1 {rss[0]:.0f} MB, after run {len(rss)} {rss[-1]:.0f} MB: "
          f"growth {growth:+.1f} MB ({seconds:.0f} s)\n  after each run: {steps}", flush=True)
    return growth


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--via", choices=("session", "window"), default="session")
    args = parser.parse_args()
    print(f"## soak: {args.runs} runs x {args.epochs} epochs via {args.via} ({date.today()}, "
          f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()})", flush=True)
    started = time.perf_counter()
    ours = report("RegStudio", (via_window if args.via == "window" else via_session)(args.runs, args.epochs),
                  time.perf_counter() - started)
    started = time.perf_counter()
    plain = report("plain Keras loop, same process", plain_keras(args.runs, args.epochs),
                   time.perf_counter() - started)
    print(f"- growth RegStudio {ours:+.1f} MB (target <= 50), plain Keras {plain:+.1f} MB")
    return 0 if ours <= 50 else 1


if __name__ == "__main__":
    sys.exit(main())
