"""What the app sets up around the window: icon, desktop file name, smoke mode, missing streams."""

import sys

from PySide6.QtCore import QSize

from regstudio.gui.app import APP_ID, ICON_SIZES, app_icon, configure, guard_missing_streams
from regstudio.gui.main_window import MainWindow
from regstudio.gui.smoke import SmokeRun


def test_the_window_has_the_app_icon_and_groups_with_its_desktop_entry(qapp, qtbot):
    configure(qapp)
    assert qapp.desktopFileName() == APP_ID
    assert not qapp.windowIcon().isNull()
    window = MainWindow()
    qtbot.addWidget(window)
    assert not window.windowIcon().isNull()
    assert window.windowIcon().cacheKey() == qapp.windowIcon().cacheKey()


def test_the_icon_holds_every_size_from_its_own_png():
    icon = app_icon()
    assert sorted(s.width() for s in icon.availableSizes()) == sorted(ICON_SIZES)
    for size in ICON_SIZES:
        pixmap = icon.pixmap(QSize(size, size))
        assert (pixmap.width(), pixmap.height()) == (size, size)
        assert pixmap.toImage().pixelColor(size // 2, size // 2).alpha() == 255  # not a blank square


def test_missing_stdout_and_stderr_become_sinks(monkeypatch):
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    guard_missing_streams()
    print("nobody reads this")
    print("nor this", file=sys.stderr)
    assert sys.stdout is not None and sys.stderr is not None
    sys.stdout.close()
    sys.stderr.close()


def test_streams_that_exist_are_left_alone():
    out, err = sys.stdout, sys.stderr
    guard_missing_streams()
    assert (sys.stdout, sys.stderr) == (out, err)


def test_smoke_mode_trains_one_epoch_once_train_is_enabled_and_quits_with_0(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    window.training.dataset_combo.setCurrentIndex(window.training.dataset_combo.findData("blobs"))
    codes = []
    smoke = SmokeRun(window, quit=codes.append)
    window.show()
    window.controller.start()
    qtbot.waitUntil(lambda: bool(codes), timeout=120_000)
    assert codes == [0] and smoke.exit_code == 0
    assert window.training.epochs_spin.value() == 1
    assert window.runs.model.rowCount() == 1
    assert window.controller.thread.isFinished()  # it closed the window, which joins the thread
