"""The runs table: one row per run with the numbers that tell runs apart, sortable.

A view of the Lab's runs: the rows are the Lab's runs in order, the numbers come from each
run's RunSummary (so the table and the CSV export agree), and ticking, renaming or
removing a run is a call to the Lab, which tells every other view. The first column
carries the run's colour swatch, a tick box for "show in the plots" and the name, which
can be edited. Sorting goes through a proxy with a numeric sort role, so
"0.97" sorts above "0.9" and unfinished runs sink to the bottom.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...core.lab.lab import Lab, LabRun
from ...core.training.records import RunRecord
from ..lab_signals import LabSignals
from ..widgets import explain, run_color

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
     "the network memorized. With dropout, training accuracy is measured with dropout on, so the gap can be "
     "below zero."),
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


STATE_TEXT = {"queued": "waiting…", "training": "training…", "failed": "failed"}


class RunsTableModel(QAbstractTableModel):
    def __init__(self, lab: Lab, signals: LabSignals, parent: QWidget | None = None):
        super().__init__(parent)
        self.lab = lab
        self._ids: list[int] = [run.run_id for run in lab.runs]
        signals.runAdded.connect(self._added)
        signals.runChanged.connect(self._changed)
        signals.runsRemoved.connect(self._removed)
        signals.labReplaced.connect(self._replaced)

    # Qt's model interface ----------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            # Two lines ("test" over "acc"): the headers, not the numbers, set the columns'
            # widths, and on one line the numbers ran past the table's edge at 1366 pixels.
            return COLUMNS[section][0].replace(" ", "\n")
        if role == Qt.ItemDataRole.ToolTipRole:
            return COLUMNS[section][3]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == 0:
            flags |= Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def run_at(self, row: int) -> LabRun:
        return self.lab.run(self._ids[row])  # type: ignore[return-value]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        run, (_, key, fmt, _) = self.run_at(index.row()), COLUMNS[index.column()]
        if index.column() == 0:
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, SORT_ROLE):
                return run.name
            if role == Qt.ItemDataRole.DecorationRole:
                return QColor(run_color(run.color))
            if role == Qt.ItemDataRole.CheckStateRole:
                return Qt.CheckState.Checked if run.shown else Qt.CheckState.Unchecked
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{run.name}: {run.record.reason}" if run.record else run.problem or None
            return None
        summary = run.summary
        value = getattr(summary, key) if summary is not None else None
        if role == Qt.ItemDataRole.DisplayRole:
            if summary is None:
                return STATE_TEXT.get(run.state, "") if index.column() == STATUS_COLUMN else ""
            return "–" if value is None else (value if not fmt else format(value, fmt))
        if role == SORT_ROLE:
            if isinstance(value, str):
                return value
            return -math.inf if value is None or not math.isfinite(value) else float(value)
        if role == Qt.ItemDataRole.ToolTipRole:
            if summary is None:
                return run.problem or STATE_TEXT.get(run.state)
            if index.column() == CONFIG_COLUMN:
                return summary.configuration
            return f"{run.name}: {run.record.reason}" if run.record else None
        if role == Qt.ItemDataRole.TextAlignmentRole and 0 < index.column() < CONFIG_COLUMN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def setData(self, index: Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != 0:
            return False
        run_id = self._ids[index.row()]
        if role == Qt.ItemDataRole.CheckStateRole:
            self.lab.set_shown(run_id, Qt.CheckState(value) == Qt.CheckState.Checked)
            return True
        if role == Qt.ItemDataRole.EditRole:
            return self.lab.rename_run(run_id, str(value))  # an empty name keeps the old one
        return False

    # Following the Lab ---------------------------------------------------------------------
    def _added(self, run_id: int, index: int) -> None:
        index = min(index, len(self._ids))
        self.beginInsertRows(QModelIndex(), index, index)
        self._ids.insert(index, run_id)
        self.endInsertRows()

    def _changed(self, run_id: int, aspect: str) -> None:
        if aspect in ("epoch", "kernel", "early", "boundary") or run_id not in self._ids:
            return  # nothing the table shows
        i = self._ids.index(run_id)
        self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))

    def _removed(self, run_ids: frozenset[int]) -> None:
        for i in reversed(range(len(self._ids))):
            if self._ids[i] in run_ids:
                self.beginRemoveRows(QModelIndex(), i, i)
                del self._ids[i]
                self.endRemoveRows()

    def _replaced(self) -> None:
        self.beginResetModel()
        self._ids = [run.run_id for run in self.lab.runs]
        self.endResetModel()


class RunsPanel(QWidget):
    """The table with its buttons; Remove asks the Lab, which tells the plots too."""

    codeRequested = Signal(int)  # run id: show this run's Keras code

    def __init__(self, lab: Lab, signals: LabSignals, parent: QWidget | None = None):
        super().__init__(parent)
        self.lab = lab
        self.model = RunsTableModel(lab, signals, self)
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
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.view, activated=self._remove_selected)

    def set_export_menu(self, menu: QMenu) -> None:
        self.export_button.setMenu(menu)

    def selected_ids(self) -> set[int]:
        rows = {self.proxy.mapToSource(i).row() for i in self.view.selectionModel().selectedRows()}
        return {self.model.run_at(r).run_id for r in rows}

    def records_in_view_order(self) -> list[RunRecord]:
        """Finished runs as the table shows them (sorted or not), for export."""
        runs = (self.model.run_at(self.proxy.mapToSource(self.proxy.index(r, 0)).row())
                for r in range(self.proxy.rowCount()))
        return [run.record for run in runs if run.record is not None]

    def run_at_point(self, point: object) -> LabRun | None:
        index = self.view.indexAt(point)
        return self.model.run_at(self.proxy.mapToSource(index).row()) if index.isValid() else None

    def _context_menu(self, point: object) -> None:
        run = self.run_at_point(point)
        if run is None:
            return
        menu = QMenu(self)
        menu.addAction(f"Keras code of {run.name}", lambda: self.codeRequested.emit(run.run_id))
        menu.addAction("Remove", lambda: self.lab.remove_runs({run.run_id}))
        menu.exec(self.view.viewport().mapToGlobal(point))

    def _remove_selected(self) -> None:
        ids = self.selected_ids()
        if ids:
            self.lab.remove_runs(ids)
