"""Start the window: show it first, then load TensorFlow on the training thread."""

from __future__ import annotations

import os
import signal
import sys

# The name of the desktop entry (packaging/io.github.regstudio.RegStudio.desktop) and of the
# icon in the hicolor theme: the window groups with its launcher and shows its icon.
APP_ID = "io.github.regstudio.RegStudio"
ICON_SIZES = (16, 32, 48, 64, 128, 256, 512)


def guard_missing_streams() -> None:
    """Give Python somewhere to write when it was started without a console.

    A windowed build (the bundle on Windows and macOS, pythonw) starts with sys.stdout and
    sys.stderr set to None, and the first print, warning or traceback would fail. Writes
    go nowhere instead.
    """
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 (lives as long as the app)


def app_icon():
    """RegStudio's icon from the PNGs shipped in resources/icons (no SVG plugin needed)."""
    from PySide6.QtGui import QIcon

    from ..core.resources import resource_path

    icon = QIcon()
    for size in ICON_SIZES:
        png = resource_path(f"icons/hicolor/{size}x{size}/apps/{APP_ID}.png")
        if png.is_file():
            icon.addFile(str(png))
    return icon


def configure(app) -> None:
    """Names, desktop entry and icon: what the desktop shows for every window of the app."""
    app.setApplicationName("RegStudio")
    app.setApplicationDisplayName("RegStudio")
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(app_icon())


def main(argv: list[str] | None = None, lab_path: str | None = None) -> int:
    """Open the window; with `lab_path`, on that lab, else offering to restore a crashed session's."""
    guard_missing_streams()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from .main_window import MainWindow

    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    configure(app)
    window = MainWindow()
    window.text_size.restore()
    window.show()
    if os.environ.get("REGSTUDIO_SMOKE") == "1":  # packaging/smoke_bundle.sh: train one epoch, quit
        from .smoke import SmokeRun

        SmokeRun(window)
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
