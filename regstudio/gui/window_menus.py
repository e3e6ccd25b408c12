"""The File and Edit menus beyond opening and saving labs: lessons, the report, a teacher's limits, undo."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog

from ..core.errors import LessonError
from ..core.lessons.lesson_files import load_lesson
from .lessons.report_export import export_report
from .limits_dialog import LimitsDialog

if TYPE_CHECKING:
    from .main_window import MainWindow


def _action(w: MainWindow, text: str, name: str, slot: object, tip: str = "", shortcut: object = None) -> QAction:
    action = QAction(text, w, objectName=name)
    if tip:
        action.setToolTip(tip)
        action.setStatusTip(tip)
    if shortcut is not None:
        action.setShortcut(shortcut)
    action.triggered.connect(lambda _=False: slot())
    return action


def build_menus(w: MainWindow) -> None:
    file_menu = w.menuBar().addMenu("&File")
    file_menu.setObjectName("fileMenu")
    w.files.fill_menu(file_menu)
    file_menu.addSeparator()
    file_menu.addAction(_action(w, "Open &lesson…", "openLessonAction", lambda: open_lesson(w),
                                "Show a lesson from a folder of Markdown pages (or one page); the lab file keeps it."))
    file_menu.addAction(_action(w, "Use the built-in lesson", "builtinLessonAction", lambda: w.lab.set_lesson(None),
                                "Go back to the course that ships with RegStudio."))
    file_menu.addAction(_action(w, "Export &report…", "exportReportAction", lambda: export_report(w),
                                "One HTML file with the plots, the runs table, what happened, your answers and notes: "
                                "it opens in any browser.", QKeySequence("Ctrl+R")))
    file_menu.addAction(_action(w, "Limits for this lab…", "limitsAction", lambda: edit_limits(w),
                                "For teachers: the most epochs, units and parameters students may use in this lab."))
    w.files.add_quit()
    edit = w.menuBar().addMenu("&Edit")
    edit.setObjectName("editMenu")
    w.undo_action = _action(w, "&Undo remove", "undoAction", w.undo, "Bring back the runs removed last.",
                            QKeySequence.StandardKey.Undo)
    edit.addAction(w.undo_action)
    w.undo_action.setEnabled(False)
    for signal in (w.signals.runsRemoved, w.signals.runAdded, w.signals.labReplaced):
        signal.connect(lambda *_: w.undo_action.setEnabled(w.lab.can_undo))


def edit_limits(w: MainWindow) -> None:
    dialog = LimitsDialog(w.lab.limits, w)
    if dialog.exec() == LimitsDialog.DialogCode.Accepted:
        w.lab.set_limits(dialog.limits())


def open_lesson(w: MainWindow, path: str | None = None) -> bool:
    """A lesson page, or the folder of pages around it; the lab carries it from now on."""
    if path is None:
        path, _ = QFileDialog.getOpenFileName(w, "Open a lesson page (its whole folder is loaded)", str(Path.home()),
                                              "Lesson pages (*.md)")
        if not path:
            return False
    chosen = Path(path)
    folder = chosen.parent if chosen.is_file() and len(list(chosen.parent.glob("*.md"))) > 1 else chosen
    try:
        lesson = load_lesson(folder)
    except LessonError as exc:
        w.show_error(f"Could not open the lesson: {exc}")
        return False
    w.lab.set_lesson(lesson)
    w.lesson_dock.show()
    w.statusBar().showMessage(f"Lesson {lesson.title}: {len(lesson.pages)} pages, {len(lesson.exercises)} exercises. "
                              "Save the lab to hand it out with the lesson.", 10_000)
    return True
