"""Labs made outside the window, and many labs read at once.

`lab_of_runs` and `lab_of_search` turn what `regstudio compare` and `regstudio grid`
trained into a lab the window opens as if it had trained them itself. `summary_rows`
reads the runs of many labs (a class's handed-in files) into one table, one row per run,
with the file it came from.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass, replace
from pathlib import Path

import numpy as np

from ..boundary.frames import BoundaryHistory
from ..errors import LabFileError
from ..experiments.grid_search import GridRequest, GridResult
from ..training.events import DecisionBoundary, FirstKernel, RunStarted
from ..training.records import RunRecord
from ..training.run_spec import RunSpec
from ..training.summary import RunSummary
from .lab import LabContent, LabRun, LabSearch
from .lab_file import open_lab


class RunArrays:
    """A run's listener that keeps what the lab shows beside its record: the latest first-layer
    kernel (image data) and the decision boundary's frames (2-feature data)."""

    def __init__(self) -> None:
        self.kernel: np.ndarray | None = None
        self.boundary: BoundaryHistory | None = None

    def __call__(self, event: object) -> None:
        if isinstance(event, FirstKernel):
            self.kernel = event.kernel
        elif isinstance(event, RunStarted):
            self.boundary = BoundaryHistory(event.plane) if event.plane is not None else None
        elif isinstance(event, DecisionBoundary) and self.boundary is not None:
            self.boundary = self.boundary.added(event.frame)


def lab_of_runs(spec: RunSpec, records: Sequence[RunRecord], kernels: Sequence[np.ndarray | None] = (),
                boundaries: Sequence[BoundaryHistory | None] = ()) -> LabContent:
    """A lab holding these finished runs, numbered as the window numbers them; `spec` goes into the builder."""
    kernels = list(kernels) + [None] * (len(records) - len(kernels))
    boundaries = list(boundaries) + [None] * (len(records) - len(boundaries))
    runs = []
    for i, (record, kernel, boundary) in enumerate(zip(records, kernels, boundaries, strict=True)):
        r = replace(record, name=f"{i + 1}: {record.name}")
        runs.append(LabRun(0, r.name, i, r.spec, "done", True, r.layouts, r.epochs, r, RunSummary.of(r), "",
                           r.dataset.image_shape if kernel is not None else None, kernel, boundary=boundary))
    return LabContent(spec, tuple(runs))


def lab_of_search(request: GridRequest, result: GridResult) -> LabContent:
    return LabContent(request.base, (), (LabSearch(0, request, "done", result.trials, result),))


@dataclass(frozen=True)
class SummaryRow:
    file: str
    run: str
    test_accuracy: float | None
    best_val_accuracy: float | None
    final_train_accuracy: float | None
    final_val_accuracy: float | None
    gap: float | None
    best_epoch: int | None
    stop_epoch: int | None
    sparsity: float | None
    seconds: float
    outcome: str
    configuration: str


COLUMNS = tuple(SummaryRow.__dataclass_fields__)


def summary_rows(paths: Iterable[str | Path]) -> tuple[list[SummaryRow], list[str]]:
    """(one row per finished run of every lab, a sentence per file that could not be read)."""
    rows: list[SummaryRow] = []
    problems: list[str] = []
    for path in paths:
        try:
            content = open_lab(path)
        except LabFileError as exc:
            problems.append(str(exc))
            continue
        for run in content.runs:
            if run.summary is None:
                continue
            s = run.summary
            rows.append(SummaryRow(Path(path).name, s.name, s.test_accuracy, s.best_val_accuracy,
                                   s.final_train_accuracy, s.final_val_accuracy, s.gap, s.best_epoch, s.stop_epoch,
                                   s.sparsity, s.seconds, s.outcome, s.configuration))
    return rows, problems


def summary_csv(rows: Iterable[SummaryRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(["" if v is None else v for v in astuple(row)])
    return out.getvalue()
