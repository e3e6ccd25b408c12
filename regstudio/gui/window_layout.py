"""Where everything sits in the window, and the View menu that shows or hides it.

One column of controls (Regularization, Network, Training as tabs), the views beside it
(Curves with the runs table, Weights, Grid search, Decision boundary for 2-D data,
Keras code, Notes), and on the right
two docks: the lesson and what happened. At 1366 x 768, the commonest school laptop,
everything fits; the docks and the control column can be hidden for more plot room, and
View > Larger text scales it all for a projector.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QScrollArea, QSplitter, QTabWidget, QVBoxLayout, QWidget

from .lessons.code_view import CodeView
from .lessons.lesson_panel import LessonPanel
from .lessons.observations_view import ObservationsView
from .notes_view import NotesView
from .text_size import TextSize

if TYPE_CHECKING:
    from .main_window import MainWindow

DOCK_WIDTH = 330  # the lesson's text stays readable; the plots keep the rest of a 1366 px screen


def fit_scroll_width(area: QScrollArea) -> None:
    """Never narrower than the controls need: a clipped spin box is a hidden control."""
    area.setMinimumWidth(area.widget().minimumSizeHint().width() + area.verticalScrollBar().sizeHint().width() + 4)


def scroll(*widgets: QWidget) -> QScrollArea:
    inner = QWidget()
    layout = QVBoxLayout(inner)
    for widget in widgets:
        layout.addWidget(widget)
    layout.addStretch(1)
    area = QScrollArea()
    area.setWidget(inner)
    area.setWidgetResizable(True)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    fit_scroll_width(area)
    return area


def build_layout(w: MainWindow, bar: QWidget) -> None:
    # The runs table sits under the curves, the view it is about; the Weights and Grid
    # search tabs have tables of their own and need the full height.
    w.curves_page = QSplitter(Qt.Orientation.Vertical)
    w.curves_page.addWidget(w.curves)
    w.curves_page.addWidget(w.runs)
    w.curves_page.setCollapsible(0, False)  # the table may be dragged away to give the plots room
    w.curves_page.setSizes([620, 200])
    w.curves_page.setStretchFactor(0, 1)
    w.code = CodeView(w.lab, w.signals)
    w.notes = NotesView(w.lab, w.signals)
    w.view_tabs = QTabWidget()
    w.view_tabs.setObjectName("viewTabs")
    # By the names a lesson's `show TAB` uses (core/lessons/actions.py TABS), in the tabs' order.
    w.pages = {"curves": w.curves_page, "weights": w.weights, "grid": w.grid, "boundary": w.boundary,
               "code": w.code, "notes": w.notes}
    titles = {"curves": "Curves", "weights": "Weights", "grid": "Grid search", "boundary": "Decision boundary",
              "code": "Keras code", "notes": "Notes"}
    for key, page in w.pages.items():
        w.view_tabs.addTab(page, titles[key])
    # The decision boundary's tab is there only while the data have two features (issue 12).
    w.boundary.keep_tab(w.view_tabs, w.training.data_shape, w.training.dataChanged, w.signals)
    w.controls = QTabWidget()
    w.controls.setObjectName("controlTabs")
    w.controls.addTab(scroll(w.regularization), "Regularization")
    w.controls.addTab(scroll(w.builder), "Network")
    w.controls.addTab(scroll(w.training), "Training")
    w.splitter = QSplitter()
    w.splitter.addWidget(w.controls)
    w.splitter.addWidget(w.view_tabs)
    w.splitter.setCollapsible(1, False)
    w.splitter.setSizes([1, 10_000])  # the controls get what they need, the plots the rest
    w.splitter.setStretchFactor(1, 1)
    central = QWidget()
    layout = QVBoxLayout(central)
    layout.addWidget(bar)
    layout.addWidget(w.message_label)
    layout.addWidget(w.splitter, 1)
    w.setCentralWidget(central)

    w.lesson = LessonPanel(w.lab, w.signals)
    w.observations = ObservationsView(w.lab, w.signals)
    w.lesson_dock = _dock(w, "Lesson", "lessonDock", w.lesson)
    w.observations_dock = _dock(w, "What happened", "observationsDock", w.observations)
    w.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, w.lesson_dock)
    w.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, w.observations_dock)
    w.splitDockWidget(w.lesson_dock, w.observations_dock, Qt.Orientation.Vertical)
    w.resizeDocks([w.lesson_dock, w.observations_dock], [560, 260], Qt.Orientation.Vertical)
    w.resizeDocks([w.lesson_dock], [DOCK_WIDTH], Qt.Orientation.Horizontal)


def _dock(w: MainWindow, title: str, name: str, widget: QWidget) -> QDockWidget:
    dock = QDockWidget(title, w)
    dock.setObjectName(name)
    dock.setWidget(widget)
    dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable | QDockWidget.DockWidgetFeature.DockWidgetMovable
                     | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
    widget.setMinimumWidth(240)
    return dock


def build_view_menu(w: MainWindow) -> None:
    view = w.menuBar().addMenu("&View")
    view.setObjectName("viewMenu")
    for dock, key in ((w.lesson_dock, "F2"), (w.observations_dock, "F3")):
        toggle = dock.toggleViewAction()
        toggle.setShortcut(QKeySequence(key))
        view.addAction(toggle)
    controls = QAction("Controls column", w, objectName="controlsAction", checkable=True, checked=True)
    controls.setShortcut(QKeySequence("F4"))
    controls.toggled.connect(w.controls.setVisible)
    view.addAction(controls)
    view.addSeparator()
    w.text_size = TextSize(w)
    for text, name, keys, slot in (("Larger text", "largerTextAction", ("Ctrl++", "Ctrl+="), w.text_size.larger),
                                   ("Smaller text", "smallerTextAction", ("Ctrl+-",), w.text_size.smaller),
                                   ("Normal text size", "normalTextAction", ("Ctrl+0",), w.text_size.normal)):
        action = QAction(text, w, objectName=name)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.triggered.connect(slot)
        view.addAction(action)
    w.text_size.changed.connect(w.apply_text_scale)

