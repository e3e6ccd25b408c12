"""Start the window: show it first, then load TensorFlow on the training thread."""

from __future__ import annotations

import os
import signal
import sys


def main(argv: list[str] | None = None, lab_path: str | None = None) -> int:
    """Open the window; with `lab_path`, on that lab, else offering to restore a crashed session's."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from .main_window import MainWindow

    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName("RegStudio")
    app.setApplicationDisplayName("RegStudio")
    window = MainWindow()
    window.show()
    window.controller.start()  # TensorFlow loads off the GUI thread; Train waits for it
    # After the window is on screen: a question about recovery needs a window to sit on.
    QTimer.singleShot(0, lambda: window.files.open_path(lab_path) if lab_path else window.files.offer_recovery())

    # Ctrl+C in the terminal closes the window the normal way, so the training thread is
    # stopped and joined. Python only runs signal handlers between its own bytecodes, and
    # Qt's event loop is C++: the timer gives Python a moment five times a second.
    signal.signal(signal.SIGINT, lambda *_: window.close())
    wake = QTimer()
    wake.timeout.connect(lambda: None)
    wake.start(200)
    app.aboutToQuit.connect(window.controller.shutdown)  # any other way out stops it too
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
