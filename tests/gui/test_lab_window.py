"""The lab in the window: one Lab entry behind every view, files saved and opened, recovery after a kill."""

import os
import signal
import subprocess
import sys
import textwrap

import pytest
from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import QMenu

from regstudio.core.lab.lab_file import open_lab
from regstudio.core.lab.limits import TeacherLimits
from regstudio.gui.widgets import run_color


def train_runs(window, qtbot, count=2, epochs=2):
    window.training.epochs_spin.setValue(epochs)
    for _ in range(count):
        with qtbot.waitSignal(window.recorder.runFinished, timeout=60_000):
            window.train()
        qtbot.waitUntil(window.train_button.isEnabled, timeout=10_000)


def test_the_file_menu_offers_new_open_save(window):
    assert window.findChild(QMenu, "fileMenu") is not None
    for name in ("newAction", "openAction", "saveAction", "saveAsAction", "undoAction", "limitsAction"):
        assert window.findChild(QAction, name) is not None, name
    assert window.findChild(QAction, "saveAction").shortcut().toString() == "Ctrl+S"
    assert window.findChild(QAction, "openAction").shortcut().toString() == "Ctrl+O"


def test_one_lab_entry_is_what_the_table_the_curves_and_the_weights_show(window, qtbot):
    train_runs(window, qtbot, count=1)
    (run,) = window.lab.runs
    color = run_color(run.color)
    model = window.runs.model
    assert model.data(model.index(0, 0)) == run.name
    assert model.data(model.index(0, 0), Qt.ItemDataRole.DecorationRole) == QColor(color)
    curve = window.curves.runs[run.run_id].items["val_loss"]
    assert curve.opts["pen"].color().name() == color
    assert list(curve.getData()[1]) == [e.val_data_loss for e in run.epochs]
    item = window.weights.run_list.item(0)
    assert item.text() == run.name and item.foreground().color().name() == color
    window.lab.rename_run(run.run_id, "baseline")  # one change in the Lab, every view follows
    assert model.data(model.index(0, 0)) == "baseline" == item.text()
    assert "baseline" in window.curves.legend.text()


def test_save_new_and_open_give_back_the_same_lab(window, qtbot, tmp_path):
    train_runs(window, qtbot)
    window.notes.edit.setPlainText("L2 kept the gap small.")
    assert window.isWindowModified() and window.windowTitle().startswith("untitled lab")
    path = tmp_path / "mine.regstudio"
    assert window.files.save_to(path)
    assert not window.isWindowModified() and window.windowTitle().startswith("mine.regstudio")
    assert window.files.recent()[0] == str(path)
    saved = [(r.name, r.record.test_accuracy) for r in window.lab.runs]
    assert window.files.new_lab() and window.lab.runs == [] and window.runs.model.rowCount() == 0
    assert not window.curves.runs and not window.weights.items and window.notes.edit.toPlainText() == ""
    assert window.files.open_path(path)
    assert [(r.name, r.record.test_accuracy) for r in window.lab.runs] == saved
    assert window.runs.model.rowCount() == 2 and len(window.curves.runs) == 2 and len(window.weights.items) == 2
    assert window.notes.edit.toPlainText() == "L2 kept the gap small."
    assert open_lab(path).notes == "L2 kept the gap small."


def test_a_file_that_is_not_a_lab_is_refused_in_the_window(window, tmp_path):
    bad = tmp_path / "bad.regstudio"
    bad.write_text("not a lab")
    assert not window.files.open_path(bad)
    assert "Could not open the lab: bad.regstudio: is not a RegStudio lab" in window.message_label.text()


def test_closing_with_unsaved_runs_asks_first(window, qtbot):
    train_runs(window, qtbot, count=1)
    asked = []
    window.files.ask_save_changes = lambda name: asked.append(name) or "cancel"
    assert not window.close() and window.isVisible() and asked == ["this lab"]
    window.files.ask_save_changes = lambda name: "discard"


def test_only_a_single_lab_file_can_be_dropped(window, tmp_path):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "a.regstudio"))])
    assert window.files.droppable(mime) == str(tmp_path / "a.regstudio")
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "a.csv"))])
    assert window.files.droppable(mime) is None


def test_a_teachers_limits_are_enforced_with_a_sentence(window):
    window.lab.set_limits(TeacherLimits(max_epochs=5))
    window.training.epochs_spin.setValue(6)
    assert not window.train_button.isEnabled()
    assert "training.epochs = 6: at most 5, the limit your teacher set for this lab" in window.message_label.text()
    window.training.epochs_spin.setValue(5)
    assert window.train_button.isEnabled()


KILLED = textwrap.dedent("""
    # A window that trains one run, says when its autosave is on disk, then waits to be killed.
    import sys
    from PySide6.QtCore import QObject, Slot
    from PySide6.QtWidgets import QApplication
    from regstudio.gui.main_window import MainWindow

    app = QApplication([])
    window = MainWindow()
    window.show()

    class Driver(QObject):
        @Slot(str)
        def ready(self, version):
            window.training.dataset_combo.setCurrentIndex(window.training.dataset_combo.findData("blobs"))
            window.training.epochs_spin.setValue(2)
            window.train()

        @Slot(str)
        def autosaved(self, problem):
            print("autosaved", problem, flush=True)

    driver = Driver()
    window.controller.worker.ready.connect(driver.ready)
    window.files._autosaved.connect(driver.autosaved)
    window.controller.start()
    app.exec()
""")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_killed_window_offers_its_runs_back_at_the_next_start(window, tmp_path):
    state = os.environ["REGSTUDIO_STATE_DIR"]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "REGSTUDIO_STATE_DIR": state}
    child = subprocess.Popen([sys.executable, "-c", KILLED], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             text=True, env=env)
    try:
        line = child.stdout.readline()  # blocks until the autosave is written
        assert line.strip() == "autosaved", line
    finally:
        child.kill()  # SIGKILL: no chance to clean up, as in a crash
        child.wait(timeout=30)
    offered = []
    window.files.ask_restore = lambda orphan, content: offered.append(len(content.runs)) or True
    assert window.files.offer_recovery()
    assert offered == [1] and [r.name for r in window.lab.runs] == ["1: none"]
    assert window.lab.runs[0].record.outcome == "completed" and window.isWindowModified()
    assert not (tmp_path / "state" / f"autosave-{child.pid}.regstudio").exists()
