"""The lessons in the window, as a student and a teacher use them."""

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from regstudio.core.experiments.presets import OVERFIT_EPOCHS, OVERFIT_LABEL_NOISE, PRESETS
from regstudio.core.lab.lab_file import open_lab
from regstudio.core.lessons.actions import Action
from regstudio.core.lessons.lesson_files import Exercise
from regstudio.gui.lessons.report_export import export_report
from regstudio.gui.window_menus import open_lesson


def test_the_objects_the_issue_names_exist_and_the_window_fits_a_school_laptop(window):
    for name in ("lessonPanel", "observationsView", "codeView"):
        assert window.findChild(QWidget, name) is not None, name
    hint = window.minimumSizeHint()
    assert hint.width() <= 1366 and hint.height() <= 768, hint
    window.text_size.set_points(14)  # a projector
    hint = window.minimumSizeHint()
    assert hint.width() <= 1920 and hint.height() <= 1080, hint
    assert window.curves.runs == {} and window.text_size.scale > 1
    window.text_size.normal()


def test_the_first_page_makes_it_overfit_with_one_click(window, qtbot):
    panel = window.lesson
    assert panel.current().order == min(p.order for p in panel.lesson.pages)
    overfit = next(b for b in panel.action_buttons() if b.text() == "Make it overfit")
    window.training.epochs_spin.setValue(3)
    qtbot.mouseClick(overfit, Qt.MouseButton.LeftButton)
    spec = window.current_spec()
    assert (spec.data.label_noise, spec.training.epochs, spec.data.train_size) == (OVERFIT_LABEL_NOISE,
                                                                                  OVERFIT_EPOCHS, None)
    assert window.lab.spec == spec


def test_a_compare_action_adds_runs_and_keeps_the_students_own(window, qtbot):
    window.training.epochs_spin.setValue(2)
    with qtbot.waitSignal(window.recorder.runFinished, timeout=60_000):
        window.train()
    qtbot.waitUntil(window.train_button.isEnabled, timeout=10_000)
    mine = window.lab.runs[0].run_id
    window.lesson_actions.run(Action("Compare none and L2", "compare", ("none", "l2")))
    qtbot.waitUntil(lambda: len([r for r in window.lab.runs if r.finished]) == 3, timeout=120_000)
    assert window.lab.run(mine) is not None
    assert [r.spec.model for r in window.lab.runs[1:]] == [PRESETS["none"].model, PRESETS["l2"].model]
    assert [r.spec.data for r in window.lab.runs] == [window.lab.runs[0].spec.data] * 3  # the student's data kept
    text = window.observations.text.toPlainText()
    assert window.observations.observations == [] or text.strip()
    assert "shown run" in window.observations.heading.text()


def test_grid_and_show_actions_fill_in_and_switch_without_training(window):
    window.lesson_actions.run(Action("Search", "grid", ("both-sides",)))
    assert window.view_tabs.currentWidget() is window.grid and window.grid.epochs_spin.value() == 30
    window.lesson_actions.run(Action("Code", "show", ("code",)))
    assert window.view_tabs.currentWidget() is window.code
    assert len(window.controller.queue) == 0 and window.lab.runs == []


def test_the_code_tab_follows_the_builder_and_shows_a_runs_own_code(window, qtbot):
    assert "layers.Dense(128, activation='relu')" in window.code.text.toPlainText()
    window.regularization.penalty_combo.setCurrentIndex(window.regularization.penalty_combo.findData("l2"))
    assert "regularizers.l2(" in window.code.text.toPlainText()
    run_id = window.lab.add_finished_run("old", _record(window))
    window.show_code_of(run_id)
    assert window.view_tabs.currentWidget() is window.code and "regularizers" not in window.code.text.toPlainText()
    assert window.code.back_button.isVisibleTo(window.code)
    qtbot.mouseClick(window.code.back_button, Qt.MouseButton.LeftButton)
    assert "regularizers.l2(" in window.code.text.toPlainText()


def _record(window):
    from lesson_records import record  # tests/lesson_records.py

    return record("old")


def test_an_exercise_sets_itself_up_checks_itself_and_keeps_the_answer(window, qtbot, tmp_path):
    panel = window.lesson
    window.lesson_actions.run(Action("Exercise 3", "exercise", ("3",)))
    exercise = panel.current()
    assert isinstance(exercise, Exercise) and exercise.number == 3
    assert "Still to do" in panel.status_label.text() and window.lab.exercises[3].state == "started"
    window.training.epochs_spin.setValue(2)
    qtbot.mouseClick(panel.setup_button, Qt.MouseButton.LeftButton)  # comparison dropout-l2: four runs
    qtbot.waitUntil(lambda: window.lab.exercises[3].state == "done", timeout=180_000)
    assert "Done" in panel.status_label.text() and panel.results.text()
    assert exercise.question in panel.question_label.text()
    panel.answer.setPlainText("Both together gave the smallest gap.")
    panel._save_answer()
    path = tmp_path / "hand-in.regstudio"
    assert window.files.save_to(path)
    saved = open_lab(path)
    assert saved.exercises[0].number == 3 and saved.exercises[0].answer == "Both together gave the smallest gap."
    report = tmp_path / "report.html"
    assert export_report(window, report)
    html = report.read_text()
    assert "Both together gave the smallest gap." in html and html.count("data:image/png;base64,") >= 3
    assert "<script" not in html and re.search(r"<td>\d: none</td>", html)


def test_a_teachers_lesson_folder_is_shown_and_travels_in_the_lab_file(window, tmp_path):
    folder = tmp_path / "my-course"
    folder.mkdir()
    (folder / "01-start.md").write_text("---\ntitle: Our own start\norder: 1\nactions:\n  - Overfit it | overfit\n"
                                        "---\n# Hello class\n\n<b>not html</b>\n", encoding="utf-8")
    (folder / "02-next.md").write_text("---\ntitle: Next\norder: 2\n---\nMore.\n", encoding="utf-8")
    assert open_lesson(window, str(folder / "01-start.md"))
    assert window.lesson.page_combo.itemText(0) == "Our own start" and window.lesson.page_combo.count() == 2
    assert "<b>not html</b>" in window.lesson.browser.toPlainText()  # shown as text, never as markup
    path = tmp_path / "handout.regstudio"
    window.files.save_to(path)
    window.files.new_lab()
    assert window.lesson.page_combo.itemText(0) != "Our own start"
    window.files.open_path(path)
    assert window.lesson.page_combo.itemText(0) == "Our own start"


def test_a_broken_lesson_is_refused_with_its_file_and_line(window, tmp_path):
    (tmp_path / "01-bad.md").write_text("---\ntitle: Bad\norder: 1\nactions:\n  - Go | compare none l9\n---\n")
    assert not open_lesson(window, str(tmp_path / "01-bad.md"))
    assert "01-bad.md, line 5: unknown preset &#x27;l9&#x27;" in window.message_label.text()  # escaped text
