"""Take docs/screenshot.png: the window mid-training, as a student sees it.

Run under a real X11 server, for example:  xvfb-run -s "-screen 0 1600x1000x24" python docs/make_screenshot.py
It trains `none` for 30 epochs on the embedded digits, then `l2`, and grabs the window
while the second run is halfway.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QApplication

from regstudio.gui.main_window import MainWindow

OUT = Path(__file__).with_name("screenshot.png")


class Director(QObject):
    def __init__(self, window: MainWindow):
        super().__init__()
        self.window = window
        self.runs = 0
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
        self.start("none")

    @Slot(int, object)
    def epoch(self, run_id: int, record: object) -> None:
        if run_id == 2 and record.epoch == 16:
            QTimer.singleShot(300, self.shoot)

    @Slot(int, object)
    def finished(self, run_id: int, record: object) -> None:
        if run_id == 1:
            self.start("l2")

    def shoot(self) -> None:
        self.window.grab().save(str(OUT))
        print(f"saved {OUT}")
        self.window.close()


def main() -> int:
    app = QApplication(sys.argv)
    window = MainWindow()
    window.resize(1440, 880)
    window.show()
    director = Director(window)  # noqa: F841 (kept alive by this frame)
    window.controller.start()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
