"""Start the window: show it first, then load TensorFlow on the training thread."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from PySide6.QtWidgets import QApplication

    from .main_window import MainWindow

    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName("RegStudio")
    app.setApplicationDisplayName("RegStudio")
    window = MainWindow()
    window.show()
    window.controller.start()  # TensorFlow loads off the GUI thread; Train waits for it
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
