"""The grid tab's Run on choice: the default rule, the cluster dialog, and a real search on local workers."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QSettings, Qt, QThread, Slot
from PySide6.QtWidgets import QDialogButtonBox

from regstudio.core.experiments.cluster.where import LOCAL_PAYS_COLD, Where
from regstudio.core.experiments.grid_search import SearchProgress, TrialsFailed
from regstudio.core.lab.lab import Lab
from regstudio.core.training.events import Progress
from regstudio.gui.grid import run_on
from regstudio.gui.grid.grid_view import GridSearchView
from regstudio.gui.grid.run_on import ClusterDialog, RunOnCombo
from regstudio.gui.lab_files import settings
from regstudio.gui.lab_signals import LabSignals
from regstudio.gui.main_window import MainWindow


@pytest.fixture(scope="module", autouse=True)
def local_workers_closed():
    """Whatever a test leaves running, no worker process outlives this module."""
    yield
    from regstudio.core.experiments.cluster.connect import close_local_cluster

    close_local_cluster()


def grid_view(qtbot, monkeypatch, workers):
    monkeypatch.setattr(run_on, "default_local_workers", lambda: workers)
    lab = Lab(_spec())
    view = GridSearchView(lab, LabSignals(lab))
    qtbot.addWidget(view)
    return view


def _spec():
    from regstudio.core.experiments.presets import preset

    return preset("none").run_spec()


def test_small_searches_train_here_and_big_ones_on_local_workers_until_the_user_chooses(qtbot, monkeypatch):
    view = grid_view(qtbot, monkeypatch, workers=2)
    combo = view.run_on
    assert [combo.itemText(i) for i in range(combo.count())] == ["This computer", "Local workers (2)", "Cluster…"]
    view.folds_spin.setValue(1)
    view.epochs_spin.setValue(30)
    view.values_edit.setText("1e-4 1e-2")  # 2 trials
    assert combo.where() == Where("here") and "(2 trials x 30 epochs) trains sooner here" in combo.toolTip()
    view.values_edit.setText("1 2 3 4")
    view.folds_spin.setValue(3)  # 4 x 3 = 12 trials of 30 epochs: past the measured size, workers not started
    assert 12 * 30 >= LOCAL_PAYS_COLD > 12 * 10
    assert combo.where() == Where("local", 2) and "(12 trials x 30 epochs) trains sooner on 2 local" in combo.toolTip()
    view.epochs_spin.setValue(10)  # 12 x 10: the workers' start would cost more than they save
    assert combo.where() == Where("here")
    view.epochs_spin.setValue(30)
    view.values_edit.setText("1 2, oops")  # half typed: nothing moves
    assert combo.where() == Where("local", 2)

    qtbot.keyClick(combo, Qt.Key.Key_Up)  # the user picks This computer, as with the keyboard
    assert combo.where() == Where("here") and "as you chose" in combo.toolTip()
    view.values_edit.setText("1 2 3 4 5 6")
    view.repeats_spin.setValue(3)  # 54 trials: still where the user said
    assert combo.where() == Where("here")
    assert view.request(_spec()).where == Where("here")


def test_the_choice_is_remembered_and_the_next_start_keeps_it_whatever_the_size(qtbot, monkeypatch):
    view = grid_view(qtbot, monkeypatch, workers=2)
    assert not view.run_on.explicit and settings().value("grid/runOn") is None  # suggestions are not remembered
    view.run_on.setCurrentIndex(1)
    view.run_on.activated.emit(1)  # what a click on "Local workers (2)" sends
    assert settings().value("grid/runOn") == "local"

    again = grid_view(qtbot, monkeypatch, workers=2)  # the next start
    combo = again.run_on
    assert combo.where() == Where("local", 2) and combo.explicit and "as you chose last time" in combo.toolTip()
    again.values_edit.setText("1e-4 1e-2")
    again.folds_spin.setValue(1)
    again.epochs_spin.setValue(1)  # 2 trials of 1 epoch: the rule alone would say here
    assert combo.where() == Where("local", 2)
    qtbot.keyClick(combo, Qt.Key.Key_Up)  # This computer, as with the keyboard: remembered in turn
    third = RunOnCombo(workers=2)
    qtbot.addWidget(third)
    assert third.where() == Where("here") and third.explicit and settings().value("grid/runOn") == "here"


def test_one_worker_only_keeps_even_a_big_search_here(qtbot, monkeypatch):
    view = grid_view(qtbot, monkeypatch, workers=1)
    view.values_edit.setText("1 2 3 4")
    view.folds_spin.setValue(3)
    assert view.run_on.where() == Where("here") and "room for one worker only" in view.run_on.toolTip()


def ok(dialog):
    return dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)


def test_the_cluster_dialog_says_what_is_wrong_stays_open_and_saves_nothing(qtbot):
    dialog = ClusterDialog()
    qtbot.addWidget(dialog)
    dialog.open()
    dialog.address.setText("192.168.1.10")  # no scheme, no port
    ok(dialog).click()
    assert dialog.isVisible() and dialog.where is None
    assert dialog.problem.text().startswith("Scheduler address = '192.168.1.10': ")
    assert "tls://192.168.1.10:8786" in dialog.problem.text()
    dialog.address.setText("tcp://192.168.1.10:8786")
    ok(dialog).click()
    assert "insecure ticked" in dialog.problem.text() and "--" not in dialog.problem.text()
    dialog.address.setText("tls://192.168.1.10:8786")
    ok(dialog).click()
    assert dialog.problem.text() == ("CA certificate = 'missing': the file of the certificate authority for a "
                                     "tls:// cluster")
    assert dialog.isVisible() and not [k for k in settings().allKeys() if k.startswith("cluster/")]
    assert not dialog.warning.isVisible()
    dialog.insecure.setChecked(True)
    assert dialog.warning.isVisible() and "run code on the workers" in dialog.warning.text()


def pem_files(folder):
    files = {key: folder / f"{key}.pem" for key in ("ca", "cert", "key")}
    for path in files.values():
        path.write_text("-----BEGIN-----\n")
    return files


def choose_cluster(qtbot, files):
    """A new Run on combo, and the cluster at tls://10.0.0.5:8786 with `files` chosen in its dialog."""
    combo = RunOnCombo(workers=2)
    qtbot.addWidget(combo)
    combo.setCurrentIndex(2)
    combo.activated.emit(2)  # what a click on "Cluster…" sends
    dialog = combo.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.address.setText("tls://10.0.0.5:8786")
    for key, path in files.items():
        dialog.files[key].setText(str(path))
    ok(dialog).click()
    assert not dialog.isVisible()
    return combo


def test_a_cluster_chosen_through_the_dialog_is_used_and_offered_again(qtbot, tmp_path):
    assert settings().fileName().startswith(str(tmp_path))  # never the user's own settings
    assert settings().format() == QSettings.Format.IniFormat  # a file on every system, which the tests can move
    files = pem_files(tmp_path)
    combo = choose_cluster(qtbot, files)
    where = combo.where()
    assert (where.kind, where.address, where.tls.ca) == ("cluster", "tls://10.0.0.5:8786", files["ca"])
    assert combo.currentText() == "Cluster at tls://10.0.0.5:8786…" and combo.explicit
    assert settings().value("cluster/address") == "tls://10.0.0.5:8786"
    assert settings().value("grid/runOn") == "cluster"

    combo.setCurrentIndex(2)
    combo.activated.emit(2)  # asked again: filled in from the settings; Cancel keeps the cluster chosen
    assert combo.dialog.address.text() == "tls://10.0.0.5:8786"
    assert combo.dialog.files["key"].text() == str(files["key"])
    combo.dialog.reject()
    assert combo.where() == where
    combo.setCurrentIndex(0)
    combo.activated.emit(0)
    combo.setCurrentIndex(2)
    combo.activated.emit(2)
    combo.dialog.reject()  # cancelled: back to This computer
    assert combo.where() == Where("here")


def test_a_remembered_cluster_comes_back_only_while_its_files_are_there(qtbot, tmp_path):
    files = pem_files(tmp_path)
    where = choose_cluster(qtbot, files).where()
    again = RunOnCombo(workers=2)  # the next start
    qtbot.addWidget(again)
    assert again.where() == where and again.explicit and again.currentText() == "Cluster at tls://10.0.0.5:8786…"
    again.suggest(54, 30)  # a big search: the choice stays
    assert again.where() == where

    files["key"].unlink()  # moved away since: the rule again, without a word
    gone = RunOnCombo(workers=2)
    qtbot.addWidget(gone)
    assert gone.where() == Where("here") and not gone.explicit and gone.currentText() == "This computer"
    assert gone.dialog is None and "trains sooner here" in gone.toolTip()
    gone.suggest(54, 30)
    assert gone.where() == Where("local", 2)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="NativeFormat is an INI file on Linux only")
def test_settings_saved_before_in_native_format_are_kept(qtbot):
    old = QSettings("RegStudio", "RegStudio")  # where versions before IniFormat kept them (moved by conftest.py)
    assert old.format() == QSettings.Format.NativeFormat and old.fileName().endswith("RegStudio.conf")
    old.setValue("textSize", 14.0)
    old.setValue("cluster/address", "tls://10.0.0.5:8786")
    old.sync()
    assert float(settings().value("textSize")) == 14 and settings().value("cluster/address") == "tls://10.0.0.5:8786"
    assert settings().fileName().endswith("RegStudio.ini") and "textSize=14" in Path(settings().fileName()).read_text()
    old.setValue("textSize", 12.0)  # copied once only: the .ini is the settings from then on
    old.sync()
    assert float(settings().value("textSize")) == 14


def test_the_progress_bar_says_how_many_trials_train_at_once(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    window.files.ask_save_changes = lambda name: "discard"  # never a dialog left open
    halfway = Progress(epoch=4, epochs=10, batch=5, batches=10, seconds=2.0, loss=0.5)
    window.status.search_progressed(SearchProgress(3, 12, halfway, running=1.2, training=2))
    assert window.progress_bar.format() == "Grid search: 3 of 12 trials done, 2 training · epoch 4/10"
    window.status.search_progressed(SearchProgress(3, 12, halfway))
    assert window.progress_bar.format() == "Grid search: trial 4 of 12 · epoch 4/10"  # one runner: as before

    search_id = window.lab.add_search(window.grid.request(window.current_spec()))
    window._jobs.append(search_id)  # as _grid_button does once the search is queued
    message = "l2=0.0001 failed on a worker: MemoryError: no room for this trial"  # dask_runner.failure_sentence's
    window._training_event(search_id, TrialsFailed((1e-4,), None, message))
    assert f"{message}; the search goes on without them." in window.message_label.text()
    assert window.lab.search(search_id).state == "running" and window.busy


def test_the_window_opens_without_importing_dask(tmp_path):
    code = textwrap.dedent("""
        import sys
        from PySide6.QtWidgets import QApplication
        from regstudio.gui.main_window import MainWindow
        app = QApplication([])
        window = MainWindow()
        window.show()
        app.processEvents()
        window.grid.run_on.where()
        print(sorted(m for m in ("dask", "distributed", "tensorflow") if m in sys.modules))
    """)
    # conftest.py's QSettings.setPath does not reach another process: on Linux, its settings go to tmp_path too.
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "[]"


class ThreadCheck(QObject):
    """Records, for every event the training worker sends, whether it was delivered on the GUI thread."""

    def __init__(self, worker, app):
        super().__init__()
        self.app, self.seen = app, []
        worker.jobEvent.connect(self.heard)  # as the window connects: a receiver living on the GUI thread

    @Slot(int, object)
    def heard(self, job_id, event):
        self.seen.append((type(event).__name__, QThread.currentThread() is self.app.thread()))


def test_a_search_on_two_local_workers_reports_on_the_gui_thread_and_lands_in_the_lab(window, qtbot, qapp):
    window.training.dataset_combo.setCurrentIndex(window.training.dataset_combo.findData("moons"))
    check = ThreadCheck(window.controller.worker, qapp)
    into_window = []  # what the window's own slot passed on, and on which thread
    apply = window.lab.apply

    def applied(job_id, event):
        into_window.append(QThread.currentThread() is qapp.thread())
        apply(job_id, event)

    window.lab.apply = applied
    grid = window.grid
    grid.param_combo.setCurrentIndex(grid.param_combo.findData("l2"))
    grid.values_edit.setText("1e-4 1e-1")
    grid.folds_spin.setValue(1)
    grid.epochs_spin.setValue(2)
    grid.run_on.choose(Where("local", 2))
    window.view_tabs.setCurrentWidget(grid)
    with qtbot.waitSignal(window.recorder.gridFinished, timeout=300_000) as done:
        qtbot.mouseClick(grid.run_button, Qt.MouseButton.LeftButton)
    result = done.args[1]
    search = window.lab.searches[-1]
    assert search.request.where == Where("local", 2)
    assert search.state == "done" and len(search.trials) == 2 == len(result.trials)
    assert sorted(t.value for t in search.trials) == [1e-4, 1e-1]
    assert all(len(t.record.epochs) == 2 for t in search.trials)
    kinds = {kind for kind, _ in check.seen}
    assert {"TrialFinished", "SearchFinished"} <= kinds and "JobFailed" not in kinds
    assert all(on_gui for _, on_gui in check.seen) and check.seen
    assert all(into_window) and into_window
    assert "Grid search over L2 strength λ done: 2 trials" in window.statusBar().currentMessage()
