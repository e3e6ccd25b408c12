"""Take the README's screenshots of the real window, under a real X11 server.

    xvfb-run -a -s "-screen 0 1600x1000x24" python docs/make_screenshot.py

docs/screenshot.png: `none` trained for 30 epochs on the embedded digits, then `l2`, grabbed
halfway through the second run. docs/weights.png: then `l1`, and the Weights tab comparing
the three runs on the first layer.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QApplication

from regstudio.gui.main_window import MainWindow

HERE = Path(__file__).parent
PLAN = ("none", "l2", "l1")


class Director(QObject):
    def __init__(self, window: MainWindow):
        super().__init__()
        self.window = window
        worker = window.controller.worker
        worker.ready.connect(self.ready)
        worker.epochEnded.connect(self.epoch)
        worker.runFinished.connect(self.finished)

    def start(self, preset: str) -> None:
        w = self.window
        w.preset_combo.setCurrentIndex(w.preset_combo.findData(preset))
        w.training.epochs_spin.setValue(30)
        w.train()

    @Slot(str)
    def ready(self, version: str) -> None:
        self.start(PLAN[0])

    @Slot(int, object)
    def epoch(self, run_id: int, record: object) -> None:
        if run_id == 2 and record.epoch == 16:
            QTimer.singleShot(300, lambda: self.shoot("screenshot.png"))

    @Slot(int, object)
    def finished(self, run_id: int, record: object) -> None:
        if run_id < len(PLAN):
            self.start(PLAN[run_id])
            return
        self.window.view_tabs.setCurrentWidget(self.window.weights)
        QTimer.singleShot(500, self.last)

    def last(self) -> None:
        self.shoot("weights.png")
        self.window.close()

    def shoot(self, name: str) -> None:
        self.window.grab().save(str(HERE / name))
        print(f"saved {HERE / name}")


def main() -> int:
    app = QApplication(sys.argv)
    window = MainWindow()
    window.resize(1440, 900)
    window.show()
    director = Director(window)  # noqa: F841 (kept alive by this frame)
    window.controller.start()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
