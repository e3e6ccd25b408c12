"""Take the README's screenshots of the real window, under a real X11 server.

    xvfb-run -a -s "-screen 0 1600x1000x24" python docs/make_screenshot.py

The teacher's story, on the embedded digits: docs/screenshot.png, the first lesson page's
"Make it overfit" then the lesson's comparison (none vs L2 vs dropout, 30 epochs, 20 % wrong
labels) with its runs table and what happened; docs/grid.png, the L2 strength
searched with 3-fold cross-validation, 30 epochs per trial, best by validation loss; docs/weights.png, then none vs
L1 vs L2 vs L1+L2 and the Weights tab comparing them on the first layer.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QApplication

from regstudio.core.experiments.grid_search import RECIPES, SearchFinished
from regstudio.core.lessons.actions import Action
from regstudio.core.training.events import RunFinished
from regstudio.gui.main_window import MainWindow

HERE = Path(__file__).parent
# `python docs/make_screenshot.py 1366 768 /tmp/shots` shoots at a school laptop's size elsewhere.
SIZE = (int(sys.argv[1]), int(sys.argv[2])) if len(sys.argv) > 2 else (1600, 960)
OUT = Path(sys.argv[3]) if len(sys.argv) > 3 else HERE


class Director(QObject):
    def __init__(self, window: MainWindow):
        super().__init__()
        self.window = window
        self.steps = [self.lesson, self.grid, self.penalties, self.finish]
        worker = window.controller.worker
        worker.ready.connect(self.next)
        worker.jobEvent.connect(self.event_arrived)

    @Slot(int, object)
    def event_arrived(self, job_id: int, event: object) -> None:
        if isinstance(event, (RunFinished, SearchFinished)):
            self.done()

    @Slot()
    @Slot(str)
    def next(self, *_: object) -> None:
        self.steps.pop(0)()

    @Slot(int, object)
    def done(self, *_: object) -> None:
        if not self.window._jobs:  # the whole comparison or search is over
            QTimer.singleShot(600, self.next)

    def lesson(self) -> None:
        w = self.window
        w.lesson_actions.run(Action("Make it overfit", "overfit"))
        w.compare("lesson")

    def grid(self) -> None:
        self.shoot("screenshot.png")
        w = self.window
        w.view_tabs.setCurrentWidget(w.grid)
        w.grid.use_recipe(RECIPES["both-sides"])  # as the Ready-made menu does
        w.grid.run_button.click()

    def penalties(self) -> None:
        self.shoot("grid.png")
        self.window.training.epochs_spin.setValue(30)
        self.window.compare("penalties")

    def finish(self) -> None:
        w = self.window
        w.view_tabs.setCurrentWidget(w.weights)
        QTimer.singleShot(800, lambda: (self.shoot("weights.png"), w.close()))

    def shoot(self, name: str) -> None:
        self.window.grab().save(str(OUT / name))
        print(f"saved {OUT / name}", flush=True)


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = MainWindow()
    window.files.ask_save_changes = lambda name: "discard"  # the screenshots' runs are not kept
    window.resize(*SIZE)
    window.show()
    director = Director(window)  # noqa: F841 (kept alive by this frame)
    window.controller.start()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
