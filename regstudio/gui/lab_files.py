"""The File menu's work: new, open, save, recent labs, dropped files, autosave and recovery.

The lab itself is the window's Lab; this object only moves it to and from disk and keeps
the title honest ("class.regstudio*" while there are unsaved changes). Autosaves go to
the user's state folder after every finished run and after a minute of changes, written
on a helper thread so the window never waits for the disk; the next start after a crash
offers to restore them. Dialogs are attributes (ask_*) so tests can answer them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData, QObject, QSettings, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from .. import __version__
from ..core.errors import LabFileError
from ..core.experiments.presets import preset
from ..core.lab.autosave import Orphan, autosave_path, discard, orphaned_autosaves
from ..core.lab.lab import LabContent
from ..core.lab.lab_file import SUFFIX, open_lab, save_lab

if TYPE_CHECKING:
    from .main_window import MainWindow

AUTOSAVE_AFTER_MS = 60_000  # a minute of changes
MAX_RECENT = 8
FILTER = f"RegStudio labs (*{SUFFIX});;All files (*)"


def settings() -> QSettings:
    """The user's settings: an INI file in the user's folder on every system (never the Windows registry or a
    macOS plist), so that the tests can move it into their own folder (tests/gui/conftest.py).

    They used to be QSettings("RegStudio", "RegStudio"), NativeFormat. On Linux that is an INI file too, but
    QSettings.fileName() names it ~/.config/RegStudio/RegStudio.conf, where IniFormat's is RegStudio.ini
    (checked, PySide6 6.11): while the .ini holds nothing yet, whatever the .conf holds is copied into it,
    so nothing saved before is lost. On Windows and macOS the old settings (registry, plist) are not read.
    """
    saved = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "RegStudio", "RegStudio")
    if not saved.allKeys():
        old = QSettings(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, "RegStudio", "RegStudio")
        if old.fileName().endswith(".conf"):  # NativeFormat is an INI file here (Linux and other Unixes)
            for key in old.allKeys():
                saved.setValue(key, old.value(key))
            saved.sync()
    return saved


class LabFiles(QObject):
    _autosaved = Signal(str)  # from the helper thread: "" when written, else why not

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window_ = window
        self.lab = window.lab
        self.path: Path | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="RegStudio autosave")
        self._pending: Future | None = None
        self._closed = False
        self.autosave_file = autosave_path()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(AUTOSAVE_AFTER_MS)
        self._timer.timeout.connect(self.autosave)
        self._autosaved.connect(self._report_autosave)
        window.signals.modifiedChanged.connect(self._modified)
        # Dialogs, replaceable in tests.
        self.ask_save_changes: Callable[[str], str] = self._ask_save_changes  # -> "save", "discard", "cancel"
        self.ask_open_path: Callable[[], str] = self._ask_open_path
        self.ask_save_path: Callable[[], str] = self._ask_save_path
        self.ask_restore: Callable[[Orphan, LabContent], bool] = self._ask_restore
        self.ask_stop_training: Callable[[], bool] = self._ask_stop_training
        self.update_title()
        geometry = settings().value("windowGeometry")
        if geometry is not None:
            window.restoreGeometry(geometry)

    # The menu ------------------------------------------------------------------------------------
    def fill_menu(self, menu: QMenu) -> None:
        w = self.window_

        def action(text: str, name: str, shortcut: QKeySequence | str | None, slot: Callable[[], object]) -> QAction:
            act = QAction(text, w, objectName=name)
            if shortcut is not None:
                act.setShortcut(shortcut)
            act.triggered.connect(lambda _=False: slot())
            menu.addAction(act)
            return act

        self.new_action = action("&New lab", "newAction", QKeySequence.StandardKey.New, self.new_lab)
        self.open_action = action("&Open…", "openAction", QKeySequence.StandardKey.Open, self.open)
        self.recent_menu = menu.addMenu("Open &recent")
        self.recent_menu.setObjectName("recentMenu")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        menu.addSeparator()
        self.save_action = action("&Save", "saveAction", QKeySequence.StandardKey.Save, self.save)
        self.save_as_action = action("Save &as…", "saveAsAction", QKeySequence.StandardKey.SaveAs, self.save_as)
        self.menu = menu
        self._fill_recent()

    def add_quit(self) -> None:
        self.menu.addSeparator()
        act = QAction("&Quit", self.window_, objectName="quitAction")
        act.setShortcut(QKeySequence.StandardKey.Quit)
        act.triggered.connect(self.window_.close)
        self.menu.addAction(act)

    def recent(self) -> list[str]:
        value = settings().value("recentLabs", [])
        return [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)]

    def _remember(self, path: Path) -> None:
        paths = [str(path)] + [p for p in self.recent() if p != str(path)]
        store = settings()
        store.setValue("recentLabs", paths[:MAX_RECENT])
        store.setValue("labFolder", str(path.parent))

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        paths = self.recent()
        for path in paths:
            act = self.recent_menu.addAction(Path(path).name)
            act.setToolTip(path)
            act.triggered.connect(lambda _=False, p=path: self.open_path(p))
        self.recent_menu.setEnabled(bool(paths))

    # Title and the unsaved mark -------------------------------------------------------------------
    def update_title(self) -> None:
        name = self.path.name if self.path else "untitled lab"
        self.window_.setWindowTitle(f"{name}[*] - RegStudio")
        self.window_.setWindowModified(self.lab.modified)

    def _modified(self, modified: bool) -> None:
        self.window_.setWindowModified(modified)
        if modified and not self._timer.isActive():
            self._timer.start()

    # New, open, save ---------------------------------------------------------------------------------
    def _may_replace(self) -> bool:
        """Ask before the lab is replaced: stop training? keep unsaved work?"""
        if self.window_.busy:
            if not self.ask_stop_training():
                return False
            self.window_.stop()
        return self._keep_or_drop_changes()

    def _keep_or_drop_changes(self) -> bool:
        if not (self.lab.modified and self.lab.has_work):
            return True
        answer = self.ask_save_changes(self.path.name if self.path else "this lab")
        if answer == "save":
            return self.save()
        return answer == "discard"

    def new_lab(self) -> bool:
        if not self._may_replace():
            return False
        self.lab.replace_content(LabContent(preset("none").run_spec()))
        self.path = None
        self.update_title()
        return True

    def open(self) -> bool:
        path = self.ask_open_path()
        return self.open_path(path) if path else False

    def open_path(self, path: str | Path) -> bool:
        """Open a lab file in this window (after asking about unsaved work); False if not opened."""
        path = Path(path)
        if not self._may_replace():
            return False
        try:
            content = open_lab(path)
        except LabFileError as exc:
            self.window_.show_error(f"Could not open the lab: {exc}")
            return False
        self.lab.replace_content(content)
        self.path = path
        self._remember(path)
        self.update_title()
        self.window_.statusBar().showMessage(f"Opened {path.name}: {len(content.runs)} runs, "
                                             f"{len(content.searches)} searches.", 8000)
        return True

    def save(self) -> bool:
        return self.save_to(self.path) if self.path else self.save_as()

    def save_as(self) -> bool:
        path = self.ask_save_path()
        if not path:
            return False
        if not path.endswith(SUFFIX):
            path += SUFFIX
        return self.save_to(Path(path))

    def save_to(self, path: Path) -> bool:
        self.window_.notes.commit()  # the last words typed are part of what is saved
        started = time.perf_counter()
        try:
            save_lab(self.lab.content(), path, __version__)
        except LabFileError as exc:
            self.window_.show_error(str(exc))
            return False
        self.path = path
        self.lab.mark_saved()
        self._remember(path)
        self.update_title()
        self.window_.statusBar().showMessage(f"Saved {path.name} ({time.perf_counter() - started:.1f} s).", 6000)
        return True

    def droppable(self, mime: QMimeData) -> str | None:
        """The lab file being dragged over the window, if it is one."""
        urls = [u.toLocalFile() for u in mime.urls()] if mime.hasUrls() else []
        labs = [u for u in urls if u.lower().endswith(SUFFIX)]
        return labs[0] if len(labs) == 1 else None

    # Closing -----------------------------------------------------------------------------------------
    def confirm_close(self) -> bool:
        return self._keep_or_drop_changes()

    def closed(self) -> None:
        """After a normal close: no autosave is needed for recovery, and the window's size is kept."""
        self._closed = True
        self._timer.stop()
        if self._pending is not None:
            self._pending.result()  # let a write in progress finish before its file is deleted
        self._executor.shutdown(wait=True)
        discard(self.autosave_file)
        settings().setValue("windowGeometry", self.window_.saveGeometry())

    # Autosave and recovery ---------------------------------------------------------------------------
    def run_finished(self) -> None:
        self.autosave()

    def autosave(self) -> None:
        """Write the lab's finished part to the autosave file, on the helper thread."""
        self._timer.stop()
        if not self.lab.has_work or self._closed:
            return
        content = self.lab.content()  # immutable: safe to hand to another thread
        path = self.autosave_file

        def write() -> None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                save_lab(content, path, __version__)
            except (LabFileError, OSError) as exc:
                self._autosaved.emit(str(exc))
            else:
                self._autosaved.emit("")

        self._pending = self._executor.submit(write)

    def wait_for_autosave(self) -> None:
        if self._pending is not None:
            self._pending.result()

    def _report_autosave(self, problem: str) -> None:
        if problem:
            self.window_.statusBar().showMessage(f"Autosave failed: {problem}", 10_000)

    def offer_recovery(self) -> bool:
        """After a crash: offer the newest autosave left behind; True if it was restored."""
        for orphan in orphaned_autosaves():
            try:
                content = open_lab(orphan.path)
            except LabFileError:
                discard(orphan.path)  # a damaged autosave helps nobody
                continue
            if self.ask_restore(orphan, content):
                self.lab.replace_content(content)
                self.lab.mark_unsaved()  # recovered work has no file yet
                self.path = None
                self.update_title()
                self.autosave()  # ours now; the orphan can go
            discard(orphan.path)
            return True
        return False

    # The default dialogs --------------------------------------------------------------------------------
    def _folder(self) -> str:
        return str(settings().value("labFolder", str(Path.home())))

    def _ask_save_changes(self, name: str) -> str:
        box = QMessageBox(QMessageBox.Icon.Question, "Unsaved runs", f"Save the changes to {name}?",
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self.window_)
        box.setInformativeText("Runs you do not save are lost when the lab closes.")
        answer = box.exec()
        return {QMessageBox.StandardButton.Save: "save",
                QMessageBox.StandardButton.Discard: "discard"}.get(QMessageBox.StandardButton(answer), "cancel")

    def _ask_open_path(self) -> str:
        path, _ = QFileDialog.getOpenFileName(self.window_, "Open a lab", self._folder(), FILTER)
        return path

    def _ask_save_path(self) -> str:
        start = str(Path(self._folder()) / (self.path.name if self.path else f"my-lab{SUFFIX}"))
        path, _ = QFileDialog.getSaveFileName(self.window_, "Save the lab", start, FILTER)
        return path

    def _ask_restore(self, orphan: Orphan, content: LabContent) -> bool:
        when = time.strftime("%H:%M on %d %B", time.localtime(orphan.modified))
        answer = QMessageBox.question(
            self.window_, "Restore your lab?",
            f"RegStudio did not close properly last time. Restore the lab it was working on "
            f"({len(content.runs)} runs, saved at {when})?")
        return answer == QMessageBox.StandardButton.Yes

    def _ask_stop_training(self) -> bool:
        answer = QMessageBox.question(self.window_, "Training is running",
                                      "Stop training and close this lab? Runs that finished are kept until then.")
        return answer == QMessageBox.StandardButton.Yes
