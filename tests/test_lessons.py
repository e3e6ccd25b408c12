"""Lesson files: the shipped course reads whole, a teacher's mistakes are named by file and line."""

import pytest

from regstudio.core.errors import LessonError
from regstudio.core.lessons.actions import KINDS, parse_action
from regstudio.core.lessons.lesson_files import builtin_lesson, lesson_from_sources, load_lesson

PAGE = """---
title: L2: small weights
order: 30
actions:
  - Compare none and L2 | compare none l2
  - Search the strength | grid both-sides
---
# L2

Text with **bold** and a table.
"""


def test_the_shipped_course_has_every_topic_in_order_and_five_exercises():
    lesson = builtin_lesson()
    titles = " / ".join(page.title for page in lesson.pages).lower()
    for topic in ("overfitting", "l1", "l2", "l1 + l2", "dropout", "noise", "batch normalization", "early stopping",
                  "strength", "combining", "keras code"):
        assert topic in titles, topic
    assert [p.order for p in lesson.pages] == sorted(p.order for p in lesson.pages)
    assert [e.number for e in lesson.exercises] == [1, 2, 3, 4, 5]
    assert lesson.pages[0].actions[0].kind == "overfit"  # "make it overfit" is on the first page
    assert all(e.question.endswith("?") for e in lesson.exercises)
    combining = next(p for p in lesson.pages if "combining" in p.title.lower())
    assert "| L1 " in combining.body or "| L1 |" in combining.body  # the "when to use which" table
    for page in lesson.pages:
        assert "<" not in page.body.replace("<=", "").replace("< 0", ""), page.name  # no HTML in the course


def test_a_page_reads_its_title_order_actions_and_body():
    (page,) = lesson_from_sources("t", [("03-l2.md", PAGE)]).pages
    assert (page.title, page.order) == ("L2: small weights", 30)
    assert [(a.label, a.kind, a.args) for a in page.actions] == [("Compare none and L2", "compare", ("none", "l2")),
                                                                ("Search the strength", "grid", ("both-sides",))]
    assert page.body.startswith("# L2")


@pytest.mark.parametrize("text, message", [
    ("title: x\n", "01.md, line 1: a lesson file starts with '---'"),
    ("---\ntitle: x\norder: 1\n", "01.md: the front matter has no closing '---' line"),
    ("---\ntitle: x\n---\n", "01.md: the front matter needs a 'order' line"),
    ("---\ntitle: x\norder: soon\n---\n", "01.md: order = 'soon'; a whole number from 0 to 100000"),
    ("---\ntitle: x\norder: 1\ncolour: red\n---\n", "01.md: unknown field 'colour'"),
    ("---\ntitle: x\norder: 1\nactions:\n  - Go | compare none l9\n---\n",
     "01.md, line 5: unknown preset 'l9'; choose from none, l1"),
    ("---\ntitle: x\norder: 1\nactions:\n  - Go compare none\n---\n", "01.md, line 5: an action is written"),
    ("---\ntitle: x\norder: 1\nactions:\n  - Go | fly\n---\n", "01.md, line 5: unknown action 'fly'"),
    ("---\ntitle: x\norder: 1\nactions:\n  - Go | exercise 9\n---\n", "starts exercise 9, which this lesson does"),
])
def test_mistakes_in_a_page_are_named_with_file_and_line(text, message):
    with pytest.raises(LessonError) as caught:
        lesson_from_sources("t", [("01.md", text)])
    assert message in str(caught.value)


def test_only_plain_file_names_and_no_huge_pages():
    with pytest.raises(LessonError, match="letters, digits"):
        lesson_from_sources("t", [("../secret.md", PAGE)])
    with pytest.raises(LessonError, match="at most 200,000"):
        lesson_from_sources("t", [("01.md", PAGE + "x" * 200_001)])


def test_every_action_kind_is_understood():
    for line in ("a | overfit", "a | preset l1", "a | compare none l1 l2", "a | comparison penalties",
                 "a | grid lesson", "a | show weights", "a | exercise 2"):
        assert parse_action(line, "here").kind in KINDS


def test_a_teachers_folder_and_single_file_load(tmp_path):
    (tmp_path / "01-mine.md").write_text(PAGE, encoding="utf-8")
    (tmp_path / "README.md").write_text("not a page")
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "1-x.md").write_text("---\ntitle: E\nexercise: 1\nsetup: comparison penalties\n"
                                                   "question: Why?\n---\nGoal.\n", encoding="utf-8")
    lesson = load_lesson(tmp_path)
    assert [p.name for p in lesson.pages] == ["01-mine.md"] and lesson.exercise(1).setup.kind == "comparison"
    assert load_lesson(tmp_path / "01-mine.md").pages[0].title == "L2: small weights"
    with pytest.raises(LessonError, match="no such lesson"):
        load_lesson(tmp_path / "nothing")
