"""CSV files (raw or gzip-compressed): one example per row, one label column.

The numbers are parsed by numpy's C reader straight into one float32 table, so memory is
about the decoded table itself, never a Python string per cell. Its error messages speak
of 0-based rows and columns; when it refuses a file, a second, streaming pass with the csv
module finds the first bad line and says what is wrong there in a sentence.
"""

from __future__ import annotations

import csv
import io
import math
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ..errors import DatasetError
from .features import CHUNK_VALUES, FLOAT32_MAX
from .split import MAX_CLASSES
from .streams import MAX_TEXT_BYTES, open_capped, read_failure

LABEL_HEADERS = ("label", "labels", "class", "target", "y", "digit")
MAX_LINE_CHARS = 1 << 23  # a line is read whole; 8 Mi characters is a million wide features
MAX_LABEL_CHARS = 100
FIELD_LIMIT = csv.field_size_limit()  # the csv module's own limit, 131,072 characters


class _Lines:
    """The non-blank lines of a text stream after line `skip`, counted, none endless.

    A quote left open would make both parsers swallow the rest of the file as one value,
    so each line must close its quotes: a label never needs a line break.
    """

    def __init__(self, f: io.TextIOBase, name: str, skip: int = 0) -> None:
        self.f, self.name, self.skip, self.line = f, name, skip, 0
        self.problem: str | None = None

    def __iter__(self) -> Iterator[str]:
        while True:
            text = self.f.readline(MAX_LINE_CHARS + 1)
            if not text:
                return
            self.line += 1
            if len(text) > MAX_LINE_CHARS:
                self._fail(f"longer than {MAX_LINE_CHARS:,} characters; put one example on each line")
            if text.count('"') % 2:
                self._fail("a quote (\") is opened but not closed on this line")
            # Blank lines, and rows of empty cells that spreadsheets leave at the end, carry nothing.
            if self.line > self.skip and text.strip(" \t\r\n,"):
                yield text

    def _fail(self, what: str) -> None:
        self.problem = f"{self.name}, line {self.line}: {what}"
        raise DatasetError(self.problem)


class _LabelCodes:
    """Numbers each distinct label text as numpy's reader meets it; resolved after reading."""

    def __init__(self, name: str, column: str) -> None:
        self.name, self.column = name, column
        self.codes: dict[str, int] = {}
        self.problem: str | None = None

    def __call__(self, text: str) -> float:
        key = text.strip()
        if not key:
            # numpy's reader passes lines in batches, so the line is not known here: the
            # second pass (_diagnose) finds it and says so.
            raise DatasetError(f"{self.name}: a row has no label")
        code = self.codes.get(key)
        if code is None:
            if len(key) > MAX_LABEL_CHARS:
                self.problem = (f"{self.name}: the label column{self.column} holds a value of {len(key):,} "
                                f"characters; class names of up to {MAX_LABEL_CHARS} are read")
            elif len(self.codes) >= MAX_CLASSES:
                self.problem = (f"{self.name}: the label column{self.column} holds more than {MAX_CLASSES:,} "
                                f"different values (such as {key[:20]!r}); labels are classes, at most "
                                f"{MAX_CLASSES:,} of them")
            if self.problem:
                raise DatasetError(self.problem)
            code = self.codes[key] = len(self.codes)
        return code


def _open_text(path: Path) -> io.TextIOWrapper:
    # utf-8-sig drops the byte-order mark that spreadsheet programs put before "CSV UTF-8".
    return io.TextIOWrapper(open_capped(path, MAX_TEXT_BYTES), encoding="utf-8-sig", errors="replace")


def _is_number(text: str) -> bool:
    """As numpy's reader decides: Python's float() also takes '1_000' and non-ASCII digits."""
    text = text.strip()
    if "_" in text or not text.isascii():
        return False
    try:
        float(text)
    except ValueError:
        return False
    return True


def _looks_like_header(first: list[str], second: list[str]) -> bool:
    """A header names a label column, or has words where the data below has numbers.

    Testing "any word in the first row" is not enough: labels may be words ("cat").
    """
    if any(cell.strip().lower() in LABEL_HEADERS for cell in first):
        return True
    return any(not _is_number(a) and _is_number(b) for a, b in zip(first, second, strict=False))


def _layout(path: Path) -> tuple[int, int, int, str, bool]:
    """(header lines to skip, columns, label column, how to name it, named by the header?)."""
    with _open_text(path) as f:
        lines = _Lines(f, path.name)
        rows: list[list[str]] = []
        first_line = 0
        try:
            for row in csv.reader(lines):
                rows.append(row)
                first_line = first_line or lines.line
                if len(rows) == 2:
                    break
        except csv.Error as exc:
            raise DatasetError(_csv_problem(path.name, lines.line, exc)) from None
    if not rows:
        raise DatasetError(f"{path.name}: the file is empty")
    header = rows[0] if len(rows) == 2 and _looks_like_header(rows[0], rows[1]) else None
    width = len(header) if header else len(rows[0])
    if width < 2:
        raise DatasetError(f"{path.name}: each row needs a label and at least one feature, separated by commas")
    if header is None:
        return 0, width, width - 1, " (the last column)", False
    lowered = [h.strip().lower() for h in header]
    for name in LABEL_HEADERS:
        if name in lowered:
            at = lowered.index(name)
            return first_line, width, at, f" ({header[at].strip()!r})", True
    return first_line, width, width - 1, f" (the last column, {header[-1].strip()[:40]!r})", False


def _csv_problem(name: str, line: int, exc: csv.Error) -> str:
    if "field larger" in str(exc):
        return f"{name}, line {line}: a value longer than {FIELD_LIMIT:,} characters; no number is that long"
    return f"{name}, line {line}: not valid CSV ({exc})"


def _diagnose(path: Path, skip: int, width: int, label_at: int) -> str | None:
    """The first problem, as a sentence naming its line, found by a second streaming pass."""
    with _open_text(path) as f:
        lines = _Lines(f, path.name, skip)
        try:
            for row in csv.reader(lines):
                where = f"{path.name}, line {lines.line}"
                if len(row) != width:
                    return f"{where}: {len(row)} values; every row needs {width}"
                for i, cell in enumerate(row):
                    if i == label_at:
                        if not cell.strip():
                            return f"{where}: no label; every row needs one in the label column"
                        continue
                    if "\ufffd" in cell:
                        return f"{where}: not UTF-8 text; save the file as CSV with the UTF-8 encoding"
                    if not _is_number(cell):
                        return f"{where}: {cell[:40]!r} is not a number"
                    value = float(cell)
                    if not math.isfinite(value):
                        return f"{where}: NaN or infinity among the features; every value must be finite"
                    if abs(value) > FLOAT32_MAX:
                        return f"{where}: {cell.strip()[:40]} is beyond ±{FLOAT32_MAX:.1e}, too large for 32-bit floats"
        except csv.Error as exc:
            return _csv_problem(path.name, lines.line, exc)
        except DatasetError as exc:
            return str(exc)
    return None


def read_csv(path: str | Path) -> tuple[np.ndarray, np.ndarray, tuple[str, ...] | None]:
    """Features (float32) and labels from a CSV file: one example per row, one label column.

    The label column is the one headed label/class/target/y/digit, else the last one.
    Labels may be numbers (0, 1, 2...) or words; words become classes in sorted order,
    and their names are returned. Every feature must be a finite number.
    """
    path = Path(path)
    try:
        return _read(path)
    except DatasetError:
        raise
    except Exception as exc:  # a disk or gzip failure while reading: one sentence, not a traceback
        raise read_failure(path, exc) from None


def _read(path: Path) -> tuple[np.ndarray, np.ndarray, tuple[str, ...] | None]:
    skip, width, label_at, column, named = _layout(path)
    labels = _LabelCodes(path.name, column)
    with _open_text(path) as f:
        lines = _Lines(f, path.name, skip)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "input contained no data": said below in words
                table = np.loadtxt(lines, delimiter=",", dtype=np.float32, comments=None, quotechar='"',
                                   ndmin=2, converters={label_at: labels}, encoding=None)
        except (ValueError, DatasetError) as exc:
            # Our own checks raise inside numpy's reader, which may wrap what they raise.
            problem = lines.problem or labels.problem or _diagnose(path, skip, width, label_at)
            if problem is None and isinstance(exc, DatasetError):
                problem = str(exc)
            raise DatasetError(problem or f"{path.name}: not a table of numbers with {width} columns and "
                               "one label column") from None
    if table.shape[1] != width:
        raise DatasetError(_diagnose(path, skip, width, label_at)
                           or f"{path.name}: every row needs {width} values")
    if len(table) < 2:
        raise DatasetError(f"{path.name}: fewer than 2 examples")
    if not _all_finite(table):
        raise DatasetError(_diagnose(path, skip, width, label_at)
                           or f"{path.name}: NaN or infinity among the features; every value must be finite")
    y, names = _resolve_labels(table[:, label_at], labels, path.name, column, named)
    step = max(1, CHUNK_VALUES // width)
    if label_at != width - 1:  # move the features after the label one column left, in place
        for start in range(0, len(table), step):
            rows = table[start:start + step]
            rows[:, label_at:-1] = rows[:, label_at + 1:].copy()
    return table[:, :-1], y, names


def _all_finite(table: np.ndarray) -> bool:
    # In chunks: a whole-table boolean mask would be a quarter of the table again.
    step = max(1, CHUNK_VALUES // table.shape[1])
    return all(bool(np.isfinite(table[s:s + step]).all()) for s in range(0, len(table), step))


def _resolve_labels(codes: np.ndarray, labels: _LabelCodes, name: str, column: str,
                    named: bool) -> tuple[np.ndarray, tuple[str, ...] | None]:
    keys = list(labels.codes)
    index = codes.astype(np.intp)
    if named:
        hint = ""
    elif column.startswith(" (the last column,"):  # a header without a label name
        hint = (f"; no column is headed {', '.join(LABEL_HEADERS)}, so the last one was taken: head the "
                "label column 'label'")
    else:
        hint = "; with no header row the last column is taken: add a first row of names, 'label' over the labels"
    if all(_is_number(k) for k in keys):
        values = np.array([float(k) for k in keys])
        for key, value in zip(keys, values, strict=True):
            if not math.isfinite(value):
                raise DatasetError(f"{name}: the label column{column} holds {key!r}; labels must be whole "
                                   f"numbers such as 0, 1, 2, or words naming classes{hint}")
            if value != round(value):
                raise DatasetError(f"{name}: the label column{column} holds fractions such as {key[:20]}; labels "
                                   f"must be whole numbers or words naming classes{hint}")
            if not 0 <= value < MAX_CLASSES:
                raise DatasetError(f"{name}: the label column{column} holds {key[:20]}; numbered classes go from "
                                   f"0 to {MAX_CLASSES - 1}{hint}")
        return values.astype(np.int64)[index], None
    names = tuple(sorted(keys))
    rank = {n: i for i, n in enumerate(names)}
    return np.array([rank[k] for k in keys], np.int64)[index], names
