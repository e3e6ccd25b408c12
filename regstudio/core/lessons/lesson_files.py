"""Lessons as files a teacher can read and edit: Markdown pages with a small front matter.

A page starts with a block between two `---` lines holding `title:`, `order:` and
optionally `actions:`, one `- Button label | action` per line; an exercise holds
`title:`, `exercise:`, `setup:` and `question:`. The rest is Markdown, shown as it is
(no HTML, no images: the panel renders Markdown only). Everything is checked when the
lesson is read, so a typo in a teacher's file is a sentence naming the file and line,
never a button that does nothing.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import LessonError
from ..resources import resource_path
from .actions import Action, parse_action

MAX_FILES = 100
MAX_FILE_CHARS = 200_000
SAFE_NAME = re.compile(r"^(exercises/)?[A-Za-z0-9][A-Za-z0-9._-]{0,80}\.md$")  # no folders, no ".."


@dataclass(frozen=True)
class Page:
    name: str  # the file's name: "03-l2.md"
    title: str
    order: int
    actions: tuple[Action, ...]
    body: str  # Markdown


@dataclass(frozen=True)
class Exercise:
    name: str
    number: int
    title: str
    setup: Action
    question: str
    body: str


@dataclass(frozen=True)
class Lesson:
    title: str
    pages: tuple[Page, ...]  # in order
    exercises: tuple[Exercise, ...]  # by number
    sources: tuple[tuple[str, str], ...]  # (name, text) of every file, so a lab can carry the lesson

    def exercise(self, number: int) -> Exercise | None:
        return next((e for e in self.exercises if e.number == number), None)


def _front_matter(text: str, name: str) -> tuple[dict[str, str], list[tuple[int, str]], str]:
    """(fields, action lines with their line numbers, Markdown body)."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise LessonError(f"{name}, line 1: a lesson file starts with '---' and its title, order and actions")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise LessonError(f"{name}: the front matter has no closing '---' line") from None
    fields: dict[str, str] = {}
    actions: list[tuple[int, str]] = []
    in_actions = False
    for number, line in enumerate(lines[1:end], start=2):
        if not line.strip():
            continue
        if in_actions and line.lstrip().startswith("- "):
            actions.append((number, line.lstrip()[2:].strip()))
            continue
        key, sep, value = line.partition(":")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise LessonError(f"{name}, line {number}: expected 'name: value', found {line.strip()!r}")
        if key in fields or (key == "actions" and in_actions):
            raise LessonError(f"{name}, line {number}: {key!r} is given twice")
        in_actions = key == "actions"
        if not in_actions:
            fields[key] = value.strip()
    return fields, actions, "\n".join(lines[end + 1:]).strip() + "\n"


def _expect(fields: dict[str, str], allowed: set[str], required: set[str], name: str) -> None:
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise LessonError(f"{name}: unknown field {unknown[0]!r}; a lesson file may have " + ", ".join(sorted(allowed)))
    missing = sorted(required - set(fields))
    if missing:
        raise LessonError(f"{name}: the front matter needs a {missing[0]!r} line")


def _whole(value: str, field: str, name: str, low: int, high: int) -> int:
    if not re.fullmatch(r"\d{1,6}", value) or not low <= int(value) <= high:
        raise LessonError(f"{name}: {field} = {value!r}; a whole number from {low} to {high}")
    return int(value)


def parse_page(text: str, name: str) -> Page:
    fields, action_lines, body = _front_matter(text, name)
    _expect(fields, {"title", "order"}, {"title", "order"}, name)
    actions = tuple(parse_action(line, f"{name}, line {number}") for number, line in action_lines)
    return Page(name, fields["title"], _whole(fields["order"], "order", name, 0, 100_000), actions, body)


def parse_exercise(text: str, name: str) -> Exercise:
    fields, action_lines, body = _front_matter(text, name)
    if action_lines:
        raise LessonError(f"{name}: an exercise has one 'setup:' action, not an 'actions:' list")
    _expect(fields, {"title", "exercise", "setup", "question"}, {"title", "exercise", "setup", "question"}, name)
    setup = parse_action(f"Set it up | {fields['setup']}", f"{name}, setup")
    return Exercise(name, _whole(fields["exercise"], "exercise", name, 1, 99), fields["title"], setup,
                    fields["question"], body)


def lesson_from_sources(title: str, sources: list[tuple[str, str]]) -> Lesson:
    """A lesson from (file name, text) pairs: pages at the top, exercises under exercises/."""
    if len(sources) > MAX_FILES:
        raise LessonError(f"{title}: {len(sources)} files; a lesson has at most {MAX_FILES}")
    pages, exercises = [], []
    for name, text in sources:
        if not SAFE_NAME.match(name):
            raise LessonError(f"{name!r}: a lesson file's name is letters, digits, '.', '-' or '_', ending in .md")
        if len(text) > MAX_FILE_CHARS:
            raise LessonError(f"{name}: {len(text):,} characters; a lesson page has at most {MAX_FILE_CHARS:,}")
        if name.startswith("exercises/"):
            exercises.append(parse_exercise(text, name))
        else:
            pages.append(parse_page(text, name))
    numbers = [e.number for e in exercises]
    if len(set(numbers)) != len(numbers):
        raise LessonError(f"{title}: two exercises have the same number")
    known = set(numbers)
    for page in pages:
        for action in page.actions:
            if action.kind == "exercise" and int(action.args[0]) not in known:
                raise LessonError(f"{page.name}: the action {action.label!r} starts exercise {action.args[0]}, which "
                                  "this lesson does not have")
    if not pages:
        raise LessonError(f"{title}: no lesson pages (files ending in .md with a front matter)")
    return Lesson(title, tuple(sorted(pages, key=lambda p: (p.order, p.name))),
                  tuple(sorted(exercises, key=lambda e: e.number)), tuple(sources))


def _read(path: Path, name: str) -> str:
    try:
        if path.stat().st_size > MAX_FILE_CHARS * 4:
            raise LessonError(f"{name}: too large for a lesson page")
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise LessonError(f"{name}: not UTF-8 text; save it as UTF-8") from None
    except OSError as exc:
        raise LessonError(f"{name}: cannot be read ({exc.strerror or exc})") from None


def load_lesson(path: str | Path) -> Lesson:
    """A lesson folder (pages, and exercises/ below it) or a single page file."""
    path = Path(path)
    if path.is_file():
        return lesson_from_sources(path.stem, [(path.name, _read(path, path.name))])
    if not path.is_dir():
        raise LessonError(f"{path}: no such lesson file or folder")
    sources = [(p.name, _read(p, p.name)) for p in sorted(path.glob("*.md")) if p.name.lower() != "readme.md"]
    sources += [(f"exercises/{p.name}", _read(p, f"exercises/{p.name}"))
                for p in sorted((path / "exercises").glob("*.md"))]
    return lesson_from_sources(path.name, sources)


@functools.cache
def builtin_lesson() -> Lesson:
    """The course that ships with RegStudio (resources/lessons), read once: it is the same for every lab."""
    lesson = load_lesson(resource_path("lessons"))
    return Lesson("Regularization", lesson.pages, lesson.exercises, lesson.sources)
