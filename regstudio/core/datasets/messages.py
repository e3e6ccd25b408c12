"""What the window says when a dataset cannot be loaded: one sentence, never raw exception text."""

from __future__ import annotations

from pathlib import Path

from ..errors import DatasetError, SpecError


def load_failure_message(exc: BaseException, path: str | None = None) -> str:
    """A sentence for any exception raised by `datasets.load`.

    Every malformed file already raises a DatasetError naming the file and the problem, and
    a MemoryError while reading a file becomes one too. What is left here is the rest: a
    MemoryError outside the readers, a disk failure, or a bug, which the terminal's
    traceback details; the window should still say something a student can act on.
    """
    if isinstance(exc, (DatasetError, SpecError)):
        text = str(exc)
        return text if text.endswith(".") else text + "."
    name = Path(path).name if path else "the dataset"
    if isinstance(exc, MemoryError):
        return f"Not enough memory to load {name}; try a smaller file or close other programs."
    if isinstance(exc, OSError):
        return f"{name} could not be read ({exc.strerror or 'input/output error'})."
    return f"{name} could not be loaded because of an unexpected problem in RegStudio; the terminal shows the details."
