"""The decision-boundary view: what the networks predict over the plane, side by side, at any epoch.

For 2-feature data only. It draws the runs ticked in the runs table that have boundaries
(the newest four, oldest on the left) as small multiples over the same plane, at the same
epoch and on one colour scale, so "none vs L2 vs dropout" on noisy moons is one glance.
Like the weight viewer it reads the Lab's runs: each run keeps its frames (core/boundary),
so scrubbing back is an image update per picture. At the right end the slider follows
training live. A hidden view only notes that it is out of date and draws when shown.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, SignalInstance, Slot
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QSlider, QTabWidget, QVBoxLayout, QWidget

from ...core.lab.lab import Lab, LabRun
from ..lab_signals import LabSignals
from ..widgets import explain, run_color
from .picture import BoundaryPicture

MAX_SHOWN = 4
KEY = ("Colour: the class the network predicts there; pale where it is unsure, deep where it is sure. "
       "<b>●</b> the points it trained on, in the colour of the label it was given (with label noise, some "
       "are wrong on purpose) · <b>○</b> test points, in their true colour. A boundary that bends around "
       "single dots is memorizing them.")


class BoundaryView(QWidget):
    def __init__(self, lab: Lab, signals: LabSignals, parent: QWidget | None = None, most: int = MAX_SHOWN,
                 one_row: bool = False):
        super().__init__(parent)
        self.setObjectName("boundaryView")
        self.lab = lab
        self.most = most  # pictures side by side: four in the window, every run in a saved picture
        # The 2-D sets are wider than tall: three or four in a row would be thin strips, so
        # the window puts them two by two; a saved picture keeps them in one row.
        self.one_row = one_row
        self._columns = 0  # of the grid as laid out now
        self._stale = False  # something changed while hidden; drawn when shown
        self.key = QLabel(KEY)
        self.key.setWordWrap(True)
        self.key.setTextFormat(Qt.TextFormat.RichText)
        self.empty = QLabel("Train on a 2-D dataset (moons, circles, spirals, xor, blobs) to see where the "
                            "network draws its boundary. Try the playground preset.")
        self.empty.setWordWrap(True)
        self.pictures = [BoundaryPicture() for _ in range(most)]
        self.grid = QGridLayout()
        self.epoch_slider = explain(QSlider(Qt.Orientation.Horizontal), "Epoch", "Go back through the epochs: "
                                    "watch the boundary bend around the noisy points as the network memorizes "
                                    "them. At the right end it follows training live.", "boundaryEpochSlider")
        self.epoch_slider.setRange(1, 1)
        self.epoch_label = QLabel("no epochs yet")
        scrub = QHBoxLayout()
        scrub.addWidget(QLabel("Epoch"))
        scrub.addWidget(self.epoch_slider, 1)
        scrub.addWidget(self.epoch_label)
        self.scrub = QWidget()
        self.scrub.setLayout(scrub)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.key)
        layout.addWidget(self.empty)
        layout.addLayout(self.grid, 1)
        layout.addWidget(self.scrub)
        self.epoch_slider.valueChanged.connect(self.redraw)
        signals.runChanged.connect(self._changed)
        for signal in (signals.runAdded, signals.runsRemoved, signals.labReplaced):
            signal.connect(lambda *_: self.refresh(follow=True))
        self.refresh(follow=True)

    # Which runs ------------------------------------------------------------------------------
    def shown_runs(self) -> list[LabRun]:
        """The newest runs ticked in the runs table that have a boundary, as many as fit, oldest first."""
        runs = [run for run in self.lab.runs if run.shown and run.boundary is not None]
        return runs[-self.most:]

    def _epochs(self, run: LabRun) -> int:
        last = run.boundary.last if run.boundary is not None else None
        return last.epoch if last is not None else 0

    # Following the Lab -----------------------------------------------------------------------
    def _changed(self, run_id: int, aspect: str) -> None:
        if aspect in ("boundary", "shown", "state", "name"):
            following = self.epoch_slider.value() >= self.epoch_slider.maximum()
            self.refresh(follow=following)

    def showEvent(self, event: object) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh(follow=self.epoch_slider.value() >= self.epoch_slider.maximum())

    @Slot()
    def refresh(self, follow: bool = False) -> None:
        """Choose the runs, set the slider's range (to its end when following) and draw."""
        if not self.isVisible():
            self._stale = True
            return
        self._stale = False
        runs = self.shown_runs()
        most = max((self._epochs(run) for run in runs), default=0)
        self.epoch_slider.blockSignals(True)
        self.epoch_slider.setRange(1, max(1, most))
        if follow:
            self.epoch_slider.setValue(max(1, most))
        self.epoch_slider.blockSignals(False)
        self._arrange(len(runs))
        for picture, run in zip(self.pictures, runs + [None] * self.most, strict=False):
            if run is None:
                picture.clear()
                picture.hide()
            else:
                picture.show_run(run, run_color(run.color))
                picture.show()
        self.empty.setVisible(not runs)
        self.redraw()

    def _arrange(self, count: int) -> None:
        columns = max(count, 1) if self.one_row or count <= 2 else 2
        if columns == self._columns:
            return
        self._columns = columns
        for i, picture in enumerate(self.pictures):
            self.grid.addWidget(picture, i // columns, i % columns)  # moves it if already placed
        for i in range(self.most):
            self.grid.setColumnStretch(i, 1 if i < columns else 0)
            self.grid.setRowStretch(i, 1 if i < -(-self.most // columns) else 0)

    @Slot()
    def redraw(self) -> None:
        """Each picture at the slider's epoch (a run with fewer epochs shows its last)."""
        epoch = self.epoch_slider.value()
        runs = {run.run_id: run for run in self.shown_runs()}
        for picture in self.pictures:
            run = runs.get(picture.run_id) if picture.run_id is not None else None
            if run is not None and run.boundary is not None:
                picture.show_frame(run.boundary.at(epoch), run)
        self.epoch_label.setText(f"{epoch} of {self.epoch_slider.maximum()}" if runs else "no epochs yet")

    # The tab ------------------------------------------------------------------------------------
    def wanted(self, data_shape: tuple[int, int] | None) -> bool:
        """Worth a tab: the chosen data have two features; a user's file (shape unknown) once a run drew one."""
        if data_shape is not None:
            return data_shape[0] == 2
        return any(run.boundary is not None for run in self.lab.runs)

    def keep_tab(self, tabs: QTabWidget, data_shape: Callable[[], tuple[int, int] | None],
                 data_changed: SignalInstance, signals: LabSignals) -> None:
        """Show this view's tab in `tabs` only while `wanted`: when the data change, a run starts, a lab opens."""
        def update(*_: object) -> None:
            tabs.setTabVisible(tabs.indexOf(self), self.wanted(data_shape()))

        data_changed.connect(update)
        signals.runChanged.connect(lambda _, aspect: update() if aspect == "state" else None)
        signals.labReplaced.connect(update)
        update()
