"""The runs table: one row per run with the numbers that tell runs apart, sortable.

The model holds the rows (run id, name, color, whether it is shown, its record when done);
the numbers come from the core's RunSummary, so the table and the CSV export agree. The
first column carries the run's color swatch, a tick box for "show in the plots" and the
name, which can be edited. Sorting goes through a proxy with a numeric sort role, so
"0.97" sorts above "0.9" and unfinished runs sink to the bottom.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QHeaderView, QPushButton, QTableView, QVBoxLayout, QWidget

from ...core.training.records import RunRecord
from ...core.training.summary import RunSummary
from ..widgets import explain

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex

# (header, RunSummary field, format, tooltip). The configuration comes last and takes what
# width is left, so the numbers never scroll out of sight.
COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    ("run", "name", "", "Tick to show the run in the curves and the weight viewer; double-click to rename."),
    ("test acc", "test_accuracy", ".4f", "Accuracy on the test set, never seen in training (with early "
     "stopping: of the restored best weights)."),
    ("best val", "best_val_accuracy", ".4f", "Highest validation accuracy over the epochs."),
    ("train acc", "final_train_accuracy", ".4f", "Training accuracy of the weights the run ended with."),
    ("val acc", "final_val_accuracy", ".4f", "Validation accuracy of the weights the run ended with."),
    ("gap", "gap", "+.3f", "Generalization gap: final training minus validation accuracy. Large means "
     "the network memorized."),
    ("best ep.", "best_epoch", "d", "Best epoch: early stopping's (its weights are restored), else the "
     "epoch with the best validation accuracy."),
    ("stop ep.", "stop_epoch", "d", "The epoch at which training ended."),
    ("sparsity", "sparsity", ".1%", "Share of the first layer's weights with |w| < 0.001 at the end: "
     "L1 drives it up."),
    ("s", "seconds", ".1f", "Seconds to build, train and test."),
    ("configuration", "configuration", "", "Network, techniques and training settings."),
)
STATUS_COLUMN = 1  # where "training…" or "failed" shows until the record arrives
CONFIG_COLUMN = len(COLUMNS) - 1


@dataclass
class RunRow:
    run_id: int
    name: str
    color: str
    shown: bool = True
    record: RunRecord | None = None
    summary: RunSummary | None = None
    status: str = "training…"  # shown in the number columns until the record arrives
    problem: str = ""  # why the run failed, as its tooltip


class RunsTableModel(QAbstractTableModel):
    shownChanged = Signal(int, bool)  # run id, shown
    renamed = Signal(int, str)  # run id, new name

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.rows: list[RunRow] = []

    # Qt's model interface ----------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        if role == Qt.ItemDataRole.ToolTipRole:
            return COLUMNS[section][3]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == 0:
            flags |= Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, (_, key, fmt, _) = self.rows[index.row()], COLUMNS[index.column()]
        if index.column() == 0:
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, SORT_ROLE):
                return row.name
            if role == Qt.ItemDataRole.DecorationRole:
                return QColor(row.color)
            if role == Qt.ItemDataRole.CheckStateRole:
                return Qt.CheckState.Checked if row.shown else Qt.CheckState.Unchecked
            return None
        value = getattr(row.summary, key) if row.summary is not None else None
        if role == Qt.ItemDataRole.DisplayRole:
            if row.summary is None:
                return row.status if index.column() == STATUS_COLUMN else ""
            return "–" if value is None else (value if not fmt else format(value, fmt))
        if role == SORT_ROLE:
            if isinstance(value, str):
                return value
            return -math.inf if value is None or not math.isfinite(value) else float(value)
        if role == Qt.ItemDataRole.ToolTipRole:
            if row.summary is None:
                return row.problem or row.status
            if index.column() == CONFIG_COLUMN:
                return row.summary.configuration
            return f"{row.name}: {row.record.reason}" if row.record else None
        if role == Qt.ItemDataRole.TextAlignmentRole and 0 < index.column() < CONFIG_COLUMN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def setData(self, index: Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != 0:
            return False
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.CheckStateRole:
            row.shown = Qt.CheckState(value) == Qt.CheckState.Checked
            self.dataChanged.emit(index, index, [role])
            self.shownChanged.emit(row.run_id, row.shown)
            return True
        if role == Qt.ItemDataRole.EditRole:
            name = str(value).strip()
            if not name or name == row.name:
                return False  # an empty name would leave a run nobody can find; keep the old one
            row.name = name
            if row.record is not None:
                row.record = replace(row.record, name=name)
                row.summary = replace(row.summary, name=name)
            self.dataChanged.emit(index, index, [role])
            self.renamed.emit(row.run_id, name)
            return True
        return False

    # Feeding -----------------------------------------------------------------------------
    def add_run(self, run_id: int, name: str, color: str) -> None:
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows))
        self.rows.append(RunRow(run_id, name, color))
        self.endInsertRows()

    def finish(self, run_id: int, record: RunRecord) -> None:
        row = self.row_of(run_id)
        if row is not None:
            row.record = replace(record, name=row.name)  # the table's name wins: it may be edited
            row.summary = RunSummary.of(row.record)
            self._changed(run_id)

    def fail(self, run_id: int, message: str) -> None:
        row = self.row_of(run_id)
        if row is not None:
            row.status, row.problem = "failed", message
            self._changed(run_id)

    def remove(self, run_ids: set[int]) -> None:
        for i in reversed(range(len(self.rows))):
            if self.rows[i].run_id in run_ids:
                self.beginRemoveRows(QModelIndex(), i, i)
                del self.rows[i]
                self.endRemoveRows()

    # Reading -----------------------------------------------------------------------------
    def row_of(self, run_id: int) -> RunRow | None:
        return next((row for row in self.rows if row.run_id == run_id), None)

    def _changed(self, run_id: int) -> None:
        row = self.row_of(run_id)
        if row is not None:
            i = self.rows.index(row)
            self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))


class RunsPanel(QWidget):
    """The table with its buttons. Removing is a request: the window also clears the plots."""

    removeRequested = Signal(object)  # set of run ids

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = RunsTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.view = explain(QTableView(), "Runs", "Every run with its results. Click a header to sort, tick "
                            "to show or hide a run, double-click a name to rename it.", "runsTable")
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the order the runs came in
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.view.verticalHeader().setVisible(False)
        self.view.setAlternatingRowColors(True)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(CONFIG_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(40)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.remove_button = explain(QPushButton("Remove"), "Remove runs", "Remove the selected runs from "
                                     "the table and the plots (Delete).", "removeRunsButton")
        self.export_button = explain(QPushButton("Export"), "Export", "Save the runs table or every epoch of "
                                     "every run as CSV, or a plot as PNG or SVG.", "exportButton")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.remove_button.clicked.connect(self._remove_selected)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.view, activated=self._remove_selected)

    def selected_ids(self) -> set[int]:
        rows = {self.proxy.mapToSource(i).row() for i in self.view.selectionModel().selectedRows()}
        return {self.model.rows[r].run_id for r in rows}

    def records_in_view_order(self) -> list[RunRecord]:
        """Finished runs as the table shows them (sorted or not), for export."""
        out = []
        for r in range(self.proxy.rowCount()):
            row = self.model.rows[self.proxy.mapToSource(self.proxy.index(r, 0)).row()]
            if row.record is not None:
                out.append(row.record)
        return out

    def _remove_selected(self) -> None:
        ids = self.selected_ids()
        if ids:
            self.removeRequested.emit(ids)
