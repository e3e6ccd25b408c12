"""Where a grid search trains: this computer, local worker processes, or a cluster (issue 17).

The choice follows the search's size until the user picks one: past a measured size
(trials x epochs, where.py's local_pays), local workers finish sooner, their start-up included;
below it, training here does. A cluster is described in a small dialog and remembered in the settings, and so
is the user's choice: the next start begins with it (a cluster only if its address and files still pass). Nothing here
imports Dask: the window starts fast, and Dask comes in only with a search run on workers.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import SpecError
from ...core.experiments.cluster.where import (
    HERE,
    INSECURE_RISK,
    Where,
    default_local_workers,
    local_pays,
    parse_where,
)
from ..lab_files import settings
from ..widgets import explain

# The combo's items, each named once; "{workers}" is filled in with the local worker count.
CHOICES = {"here": "This computer", "local": "Local workers ({workers})", "cluster": "Cluster…"}
CONNECT_MODULE = "regstudio.core.experiments.cluster.connect"
RUN_ON_KEY = "grid/runOn"  # the user's last choice: one of CHOICES' keys


def suggested(trials: int, epochs: int, workers: int) -> tuple[str, str]:
    """The choice for a search of `trials` trials of `epochs` epochs when the user has made none, and why."""
    if workers < 2:
        return "here", "Trials train here: this computer has room for one worker only, which would not be sooner."
    if local_pays(trials, epochs, workers, running=workers_running()):
        return "local", (f"A search this long ({trials} trials x {epochs} epochs) trains sooner on {workers} local "
                         "workers.")
    return "here", (f"A search this short ({trials} trials x {epochs} epochs) trains sooner here: local workers "
                    "take seconds to start.")


def workers_running() -> bool:
    """Whether a search already started local workers (never imports Dask to find out)."""
    connect = sys.modules.get(CONNECT_MODULE)
    return connect is not None and connect.local_cluster_running()


def close_workers() -> None:
    """End this process's local workers, if a search ever started them (never imports Dask to find out)."""
    connect = sys.modules.get(CONNECT_MODULE)
    if connect is not None:
        connect.close_local_cluster()


class RunOnCombo(QComboBox):
    """Run on: this computer, N local workers or a cluster. Follows `suggest()` until the user picks; the pick is
    remembered, and the next combo starts with it."""

    def __init__(self, workers: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.workers = workers if workers is not None else default_local_workers()
        self.cluster: Where | None = None  # the cluster the dialog accepted
        self.explicit = False  # the user chose: suggestions no longer move the choice
        self.dialog: ClusterDialog | None = None
        for kind in CHOICES:
            self.addItem("", kind)
        self._label()
        self._kept = 0  # the choice in force, to go back to if the cluster dialog is cancelled
        self.activated.connect(self._picked)  # the user's doing only, never setCurrentIndex
        self.suggest(0)
        self._restore()

    def where(self) -> Where:
        kind = self.currentData()
        if kind == "local":
            return Where("local", self.workers)
        return self.cluster if kind == "cluster" and self.cluster is not None else HERE

    def choose(self, where: Where) -> None:
        """Choose as the user would (a lesson, a test); a cluster's Where comes already checked."""
        if where.kind == "local":
            self.workers = where.workers
        elif where.kind == "cluster":
            self.cluster = where
        self._label()
        self.setCurrentIndex(self.findData(where.kind))
        self._keep()

    def suggest(self, trials: int, epochs: int = 1) -> None:
        """The search now has `trials` trials of `epochs` epochs: follow the rule, unless the user has chosen."""
        if self.explicit:
            return
        kind, why = suggested(trials, epochs, self.workers)
        self.setCurrentIndex(self.findData(kind))
        self._kept = self.currentIndex()
        self._explain(why)

    def _label(self) -> None:
        for kind, text in CHOICES.items():
            if kind == "cluster" and self.cluster is not None:
                text = f"Cluster at {self.cluster.address}…"  # which one, and "…": picking it asks again
            self.setItemText(self.findData(kind), text.format(workers=self.workers))

    def _explain(self, why: str) -> None:
        explain(self, "Run on", f"Where the trials train. {why}", "gridRunOnCombo")

    def _picked(self, index: int) -> None:
        if self.itemData(index) == "cluster":
            self._ask_cluster()
        else:
            self._keep()

    def _keep(self, remember: bool = True) -> None:
        self.explicit = True
        self._kept = self.currentIndex()
        if remember:
            settings().setValue(RUN_ON_KEY, self.currentData())
        when = "" if remember else " last time"
        self._explain(f"Trials train on {self.where().describe()}, as you chose{when}.")

    def _restore(self) -> None:
        """The user's last choice, explicit again; a cluster only if the dialog would still accept it (its files
        may be gone): else the suggestion is followed, as if nothing had been chosen."""
        saved = settings()
        kind = saved.value(RUN_ON_KEY)
        if kind == "cluster":
            self.cluster = saved_cluster(saved)
            if self.cluster is None:
                return
        elif kind not in ("here", "local"):
            return
        self._label()
        self.setCurrentIndex(self.findData(kind))
        self._keep(remember=False)

    def _ask_cluster(self) -> None:
        # open(), not exec(): no nested event loop while the training thread sends events.
        if self.dialog is not None:
            self.dialog.deleteLater()  # one dialog at a time, not one more per visit
        self.dialog = ClusterDialog(self)
        self.dialog.accepted.connect(self._cluster_accepted)
        self.dialog.rejected.connect(lambda: self.setCurrentIndex(self._kept))
        self.dialog.open()

    def _cluster_accepted(self) -> None:
        assert self.dialog is not None and self.dialog.where is not None
        self.choose(self.dialog.where)


# The dialog's names for parse_where's fields, which are the command line's options.
FIELDS = {"cluster": "Scheduler address", "--tls-ca": "CA certificate", "--tls-cert": "This computer's certificate",
          "--tls-key": "This computer's key"}
KEYS = {"address": "cluster/address", "ca": "cluster/tls_ca", "cert": "cluster/tls_cert", "key": "cluster/tls_key"}
INSECURE_TIP = f"Warning: with plain tcp://, {INSECURE_RISK}. Only on a closed network you trust."


def saved_cluster(saved: QSettings) -> Where | None:
    """The cluster the dialog last accepted, if its address and files still pass parse_where, else None."""
    address = str(saved.value(KEYS["address"], "")).strip()
    files = (str(saved.value(KEYS[key], "")).strip() for key in ("ca", "cert", "key"))
    try:  # a tcp:// address was accepted with insecure ticked: the dialog ticks it again for one (ClusterDialog)
        where = parse_where(address, *files, insecure=address.startswith("tcp://"))
    except SpecError:
        return None
    return where if where.kind == "cluster" else None


def dialog_sentence(exc: SpecError) -> str:
    """parse_where's sentence, with the dialog's names instead of the command line's."""
    problem = exc.problems[0]
    allowed = problem.allowed.replace("--insecure", "insecure ticked")
    return f"{FIELDS.get(problem.field, problem.field)} = {problem.value!r}: {allowed}"


class ClusterDialog(QDialog):
    """The scheduler's address and this computer's three TLS files, checked before they are kept."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Run on a cluster")
        self.where: Where | None = None
        saved = settings()
        self.address = explain(QLineEdit(str(saved.value(KEYS["address"], ""))), "Scheduler address",
                               "Where the cluster's scheduler listens, as its administrator gave it.",
                               "clusterAddressEdit")
        self.address.setPlaceholderText("tls://192.168.1.10:8786")
        form = QFormLayout()
        form.addRow("Scheduler", self.address)
        self.files: dict[str, QLineEdit] = {}
        for key, label, tip in (("ca", "CA certificate", "The authority every side of the cluster trusts (PEM)."),
                                ("cert", "Certificate", "This computer's certificate, signed by that authority."),
                                ("key", "Key", "This computer's private key, which goes with its certificate.")):
            edit = explain(QLineEdit(str(saved.value(KEYS[key], ""))), label, tip, f"cluster_{key}_edit")
            browse = QPushButton("Browse…")
            browse.clicked.connect(lambda _=False, e=edit, what=label: self._browse(e, what))
            row = QHBoxLayout()
            row.addWidget(edit, 1)
            row.addWidget(browse)
            form.addRow(label, row)
            self.files[key] = edit
        self.insecure = explain(QCheckBox("insecure (plain tcp://)"), "Insecure", INSECURE_TIP, "clusterInsecure")
        self.insecure.setChecked(self.address.text().startswith("tcp://"))  # ticked once before, for this address
        self.warning = QLabel(INSECURE_TIP)
        self.problem = QLabel()
        self.problem.setObjectName("clusterProblem")
        intro = QLabel("The trials train on the cluster's workers. Its administrator gives you the scheduler's "
                       "address and this computer's three TLS files.")
        for label, color in ((intro, "#222"), (self.warning, "#8a4b00"), (self.problem, "#b00020")):
            label.setWordWrap(True)
            label.setStyleSheet(f"color:{color}")  # a warning is not a mistake: not the same red
        self.problem.setTextFormat(Qt.TextFormat.PlainText)  # paths and addresses, not markup
        self.warning.setVisible(self.insecure.isChecked())
        self.insecure.toggled.connect(self.warning.setVisible)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        for widget in (self.insecure, self.warning, self.problem, buttons):
            layout.addWidget(widget)
        self.setMinimumWidth(460)

    def _browse(self, edit: QLineEdit, what: str) -> None:
        start = edit.text() or str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self, what, start, "PEM files (*.pem *.crt *.key);;All files (*)")
        if path:
            edit.setText(path)

    def accept(self) -> None:
        text = self.address.text().strip()
        try:
            where = parse_where(text, *(self.files[k].text().strip() for k in ("ca", "cert", "key")),
                                insecure=self.insecure.isChecked())
        except SpecError as exc:
            self.problem.setText(dialog_sentence(exc))
            return
        if where.kind != "cluster":  # "here" or "local" typed: the other items of Run on say those
            self.problem.setText(f"Scheduler address = {text!r}: a scheduler's address such as "
                                 "tls://192.168.1.10:8786")
            return
        saved = settings()
        saved.setValue(KEYS["address"], text)
        for key, edit in self.files.items():
            saved.setValue(KEYS[key], edit.text().strip())
        self.where = where
        super().accept()
