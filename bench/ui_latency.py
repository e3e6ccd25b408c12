"""How responsive the window stays while it trains, and what the window costs in speed.

    python bench/ui_latency.py [--dataset fashion-mnist] [--epochs 3]

A 10 ms QTimer heartbeat runs on the GUI thread while the window trains the reference
model (Fashion-MNIST when installed, else the embedded digits). A stall is how late a beat
comes. Targets: p99 stall <= 25 ms and worst <= 100 ms once TensorFlow is loaded; training
in the window at least 0.9x as fast as a headless TrainingSession of the same spec, run
afterwards in the same process. Also reports launch to window shown and to Train enabled.
Needs a display; QT_QPA_PLATFORM=offscreen works.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()  # before Qt and everything else: "launch"

import argparse  # noqa: E402
import itertools  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
from datetime import date  # noqa: E402

from PySide6.QtCore import QObject, QTimer, Slot  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


class Probe(QObject):
    def __init__(self, window, dataset: str, epochs: int):
        super().__init__()
        self.window, self.dataset, self.epochs = window, dataset, epochs
        self.beats: list[float] = []
        self.first_beats: list[float] = []
        self.training = False
        self.ready_at = None
        self.record = None
        self.warmed = False
        self.marks: list[tuple[float, str]] = []
        self.heartbeat = QTimer()
        self.heartbeat.setInterval(10)
        self.heartbeat.timeout.connect(self.beat)
        worker = window.controller.worker
        worker.ready.connect(self.ready)
        worker.runStarted.connect(self.started)
        worker.runFinished.connect(self.finished)
        worker.runFailed.connect(self.failed)
        worker.epochEnded.connect(self.epoch)

    @Slot(int, object)
    def epoch(self, run_id: int, record) -> None:
        self.marks.append((time.perf_counter(), f"epoch {record.epoch} shown"))

    @Slot()
    def beat(self) -> None:
        if self.training:
            (self.beats if self.warmed else self.first_beats).append(time.perf_counter())

    @Slot(str)
    def ready(self, version: str) -> None:
        self.ready_at = time.perf_counter() - STARTED
        w = self.window
        w.preset_combo.setCurrentIndex(w.preset_combo.findData("none"))
        w.training.dataset_combo.setCurrentIndex(w.training.dataset_combo.findData(self.dataset))
        w.training.epochs_spin.setValue(self.epochs)
        self.heartbeat.start()
        w.train()

    @Slot(int)
    def started(self, run_id: int) -> None:
        self.training = True
        self.marks.append((time.perf_counter(), "run started"))

    @Slot(int, object)
    def finished(self, run_id: int, record) -> None:
        if not self.warmed:  # the first run pays TensorFlow's one-time costs; measure the second
            self.warmed = True
            self.window.train()
            return
        self.training = False
        self.record = record
        self.window.close()

    @Slot(int, str)
    def failed(self, run_id: int, message: str) -> None:
        raise SystemExit(f"training failed: {message}")


def main() -> None:
    from regstudio.core.datasets.standard import locate

    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", default="fashion-mnist" if locate("fashion-mnist") else "mnist-5k")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--tab", choices=("curves", "weights"), default="curves",
                        help="which view is open while training")
    args = parser.parse_args()

    app = QApplication([])
    from regstudio.gui.main_window import MainWindow

    window = MainWindow()
    if args.tab == "weights":
        window.view_tabs.setCurrentWidget(window.weights)
    window.show()
    app.processEvents()
    shown = time.perf_counter() - STARTED
    probe = Probe(window, args.dataset, args.epochs)
    window.controller.start()
    app.exec()

    def stalls_of(beats: list[float]) -> list[float]:
        return sorted(max(0.0, (b - a) * 1000 - 10) for a, b in itertools.pairwise(beats))

    stalls, first = stalls_of(probe.beats), stalls_of(probe.first_beats)
    p99 = stalls[int(0.99 * (len(stalls) - 1))]
    first_p99 = first[int(0.99 * (len(first) - 1))]
    window_per_epoch = probe.record.train_seconds / len(probe.record.epochs)

    from regstudio.core.datasets import load
    from regstudio.core.training.session import TrainingSession

    spec = probe.record.spec
    headless = TrainingSession(spec, load(spec.data)).run()
    headless_per_epoch = headless.train_seconds / len(headless.epochs)

    beats = probe.first_beats + probe.beats
    origin = beats[0]
    gaps = sorted(itertools.pairwise(beats), key=lambda ab: ab[0] - ab[1])[:3]
    for a, b in gaps:
        near = min(probe.marks, key=lambda m: abs(m[0] - a))
        print(f"  stall {(b - a) * 1000 - 10:.0f} ms at +{a - origin:.2f} s, "
              f"{(a - near[0]) * 1000:+.0f} ms from '{near[1]}'")  # where to look
    print(f"## ui_latency: {args.dataset}, reference model, {args.epochs} epochs, {args.tab} tab open "
          f"({date.today()}, {platform.machine()}, {platform.python_version()})")
    print(f"- launch to window shown: {shown:.2f} s (target <= 1 s); to Train enabled: {probe.ready_at:.2f} s")
    print(f"- first run after launch ({len(first)} beats): p99 stall {first_p99:.1f} ms, worst {first[-1]:.1f} ms")
    print(f"- heartbeat stalls while training, second run ({len(stalls)} beats): "
          f"median {statistics.median(stalls):.1f} ms, p99 {p99:.1f} ms (target <= 25), "
          f"worst {stalls[-1]:.1f} ms (target <= 100)")
    print(f"- training: window {window_per_epoch:.3f} s/epoch, headless {headless_per_epoch:.3f} s/epoch, "
          f"speed ratio {headless_per_epoch / window_per_epoch:.2f} (target >= 0.9)")


if __name__ == "__main__":
    main()
