"""The lesson panel: the course's pages in order, their "Try it" buttons, and the guided exercises.

Pages are Markdown rendered by Qt itself with HTML switched off; nothing is ever fetched
(no remote images, no links followed). A button asks the window to carry out its action
(actionRequested): the panel never trains or edits anything itself. On an exercise page
the panel shows the goal, a button that sets it up, what is still missing (a pure check in
core/lessons/exercises.py on the Lab's finished runs) and, once done, what those runs
showed, the exercise's question and a box for the student's answer, kept in the lab file.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QTimer, QUrl, Signal
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ...core.lab.lab import Lab
from ...core.lessons.actions import Action
from ...core.lessons.exercises import ExerciseStatus, check
from ...core.lessons.lesson_files import Exercise, Lesson, Page, builtin_lesson
from ...core.lessons.observations import observe_runs, observe_search
from ..lab_signals import LabSignals
from ..widgets import explain

MARKDOWN = QTextDocument.MarkdownFeature.MarkdownDialectGitHub | QTextDocument.MarkdownFeature.MarkdownNoHTML


class PageBrowser(QTextBrowser):
    """Shows Markdown and nothing else: no links followed, no resource ever loaded."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)

    def loadResource(self, kind: int, name: QUrl) -> object:
        return None  # lesson files may name images or pages: nothing is fetched, local or remote

    def show_markdown(self, text: str) -> None:
        self.document().setMarkdown(text, MARKDOWN)


class LessonPanel(QWidget):
    actionRequested = Signal(object)  # an Action, for the window to carry out

    def __init__(self, lab: Lab, signals: LabSignals, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("lessonPanel")
        self.lab = lab
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.page_combo = explain(QComboBox(), "Lesson page", "The lesson's pages in order, then its exercises.",
                                  "lessonPageCombo")
        self.page_combo.setMinimumContentsLength(12)
        self.page_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.prev_button = explain(QPushButton("◀"), "Previous page", "Go to the previous page.", "lessonPrevButton")
        self.next_button = explain(QPushButton("▶"), "Next page", "Go to the next page.", "lessonNextButton")
        for button in (self.prev_button, self.next_button):
            button.setMaximumWidth(36)
        self.browser = explain(PageBrowser(), "Lesson text", "The lesson page.", "lessonText")
        self.try_box = QGroupBox("Try it")
        self.try_layout = QGridLayout(self.try_box)
        self.exercise_box = QGroupBox("Your exercise")
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.setup_button = explain(QPushButton("Set it up"), "Set up the exercise", "Starts the runs or fills in "
                                    "the search the exercise needs. Your earlier runs stay.", "exerciseSetupButton")
        self.question_label = QLabel()
        self.question_label.setWordWrap(True)
        self.results = explain(QLabel(), "Exercise results", "What the exercise's runs showed.", "exerciseResults")
        self.results.setWordWrap(True)
        self.answer = explain(QPlainTextEdit(), "Your answer", "Answer the question here; it is saved in the lab "
                              "file and in the report.", "exerciseAnswer")
        self.answer.setPlaceholderText("Your answer, in your own words…")
        self.answer.setMaximumHeight(90)
        column = QVBoxLayout(self.exercise_box)
        for widget in (self.status_label, self.setup_button, self.results, self.question_label, self.answer):
            column.addWidget(widget)

        nav = QHBoxLayout()
        nav.addWidget(self.prev_button)
        nav.addWidget(self.page_combo, 1)
        nav.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addLayout(nav)
        layout.addWidget(self.browser, 1)
        layout.addWidget(self.try_box)
        layout.addWidget(self.exercise_box)

        self._answer_pause = QTimer(self, singleShot=True, interval=400)
        self._answer_pause.timeout.connect(self._save_answer)
        self.answer.textChanged.connect(self._answer_pause.start)
        self.page_combo.currentIndexChanged.connect(self._show_current)
        self.prev_button.clicked.connect(lambda: self.page_combo.setCurrentIndex(self.page_combo.currentIndex() - 1))
        self.next_button.clicked.connect(lambda: self.page_combo.setCurrentIndex(self.page_combo.currentIndex() + 1))
        self.setup_button.clicked.connect(self._set_up)
        signals.lessonChanged.connect(self._lesson_changed)
        signals.labReplaced.connect(self._lesson_changed)
        signals.runChanged.connect(lambda run_id, aspect: self._update_exercise() if aspect == "state" else None)
        signals.runsRemoved.connect(lambda ids: self._update_exercise())
        signals.searchChanged.connect(lambda search_id, aspect: self._update_exercise() if aspect == "state" else None)
        self._lesson: Lesson | None = None
        self._lesson_changed()

    # The lesson and its pages ---------------------------------------------------------------------
    @property
    def lesson(self) -> Lesson:
        return self._lesson  # type: ignore[return-value]

    def _lesson_changed(self) -> None:
        lesson = self.lab.lesson or builtin_lesson()
        if lesson is self._lesson:
            self._update_exercise()
            return
        self._lesson = lesson
        self.title.setText(f"<b>{html.escape(lesson.title)}</b>: {len(lesson.pages)} pages, "
                           f"{len(lesson.exercises)} exercises")
        self.page_combo.blockSignals(True)
        self.page_combo.clear()
        for page in lesson.pages:
            self.page_combo.addItem(page.title, page)
        for exercise in lesson.exercises:
            self.page_combo.addItem(exercise.title, exercise)
        self.page_combo.blockSignals(False)
        self.page_combo.setCurrentIndex(0)
        self._show_current()

    def current(self) -> Page | Exercise | None:
        return self.page_combo.currentData()

    def show_page(self, title_or_number: str | int) -> None:
        """Go to a page by title, or to exercise N."""
        for i in range(self.page_combo.count()):
            item = self.page_combo.itemData(i)
            if (isinstance(item, Exercise) and item.number == title_or_number) or item.title == title_or_number:
                self.page_combo.setCurrentIndex(i)
                return

    def _show_current(self) -> None:
        item = self.current()
        index, count = self.page_combo.currentIndex(), self.page_combo.count()
        self.prev_button.setEnabled(index > 0)
        self.next_button.setEnabled(index < count - 1)
        if item is None:
            return
        self.browser.show_markdown(item.body)
        self.browser.verticalScrollBar().setValue(0)  # a new page starts at its top
        actions = item.actions if isinstance(item, Page) else ()
        self._fill_actions(actions)
        self.try_box.setVisible(bool(actions))
        self.exercise_box.setVisible(isinstance(item, Exercise))
        if isinstance(item, Exercise):
            self.question_label.setText(f"<b>Question:</b> {html.escape(item.question)}")
            self.answer.blockSignals(True)
            progress = self.lab.exercises.get(item.number)
            self.answer.setPlainText(progress.answer if progress else "")
            self.answer.blockSignals(False)
            self._update_exercise()

    def _fill_actions(self, actions: tuple[Action, ...]) -> None:
        while self.try_layout.count():
            widget = self.try_layout.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        for i, action in enumerate(actions):
            button = explain(QPushButton(action.label), action.label, f"Does: {action.kind} {' '.join(action.args)}. "
                             "Your earlier runs stay.", f"lessonAction{i}")
            button.clicked.connect(lambda _=False, a=action: self.actionRequested.emit(a))
            self.try_layout.addWidget(button, i, 0)  # one a row: a label is never cut off in a narrow panel

    def action_buttons(self) -> list[QPushButton]:
        return [self.try_layout.itemAt(i).widget() for i in range(self.try_layout.count())]

    # Exercises -------------------------------------------------------------------------------------
    def status(self, number: int) -> ExerciseStatus:
        records = [run.record for run in self.lab.runs if run.record is not None]
        searches = [s.result for s in self.lab.searches if s.result is not None]
        return check(number, records, searches)

    def _set_up(self) -> None:
        item = self.current()
        if isinstance(item, Exercise):
            self.lab.set_exercise(item.number, "done" if self.status(item.number).done else "started")
            self.actionRequested.emit(item.setup)

    def _save_answer(self) -> None:
        item = self.current()
        if isinstance(item, Exercise):
            self.lab.set_exercise(item.number, answer=self.answer.toPlainText())

    def _update_exercise(self) -> None:
        item = self.current()
        if not isinstance(item, Exercise):
            return
        status = self.status(item.number)
        if status.done and (self.lab.exercises.get(item.number) is None
                            or self.lab.exercises[item.number].state != "done"):
            self.lab.set_exercise(item.number, "done")
        if status.done:
            self.status_label.setText("<b style='color:#2a7d2a'>✓ Done.</b> What your runs showed:")
        elif status.missing:
            self.status_label.setText(f"<b>Still to do:</b> {html.escape(status.missing)}")
        else:
            self.status_label.setText("Work through the steps, then answer the question.")
        lines = []
        if status.done:
            names = set(status.runs)
            records = [run.record for run in self.lab.runs if run.record is not None and run.name in names]
            found = observe_runs(records) + (observe_search(status.search) if status.search else [])
            lines = [f"• {html.escape(o.text)}" for o in found] or ["• No clear difference stood out: compare the "
                                                                    "runs table yourself."]
        self.results.setText("<br>".join(lines))
        self.results.setVisible(bool(lines))
