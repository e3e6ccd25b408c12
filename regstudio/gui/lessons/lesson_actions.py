"""Carrying out a lesson's "Try it" buttons in the window: set the builder, compare, fill a search.

No action ever removes a run: comparisons add runs next to the student's own, and the
builder changes only when a button says so (a preset, "make it overfit").
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ...core.experiments.grid_search import RECIPES
from ...core.experiments.presets import OVERFIT_EPOCHS, OVERFIT_LABEL_NOISE, PRESETS, make_it_overfit
from ...core.lessons.actions import Action
from ...core.training.run_spec import RunSpec

if TYPE_CHECKING:
    from ..main_window import MainWindow


def preset_spec(name: str, base: RunSpec) -> RunSpec:
    """Preset `name` on the student's data and training settings; early stopping comes with its preset."""
    p = PRESETS[name]
    training = replace(base.training, early_stopping=p.training.early_stopping)
    if p.training.early_stopping is not None:
        training = replace(training, epochs=max(base.training.epochs, p.training.epochs))
    return replace(base, model=p.model, training=training)


class LessonActions:
    def __init__(self, window: MainWindow):
        self.w = window

    def run(self, action: Action) -> bool:
        """Do what the button says; False (with a sentence in the status bar) when it cannot be done now."""
        w = self.w
        starts_training = action.kind in ("compare", "comparison")
        if starts_training and (w.busy or not w.tf_ready):
            why = "training is still running; press Stop or wait" if w.busy else "TensorFlow is still loading"
            w.statusBar().showMessage(f"{action.label}: not now, {why}.", 8000)
            return False
        handler = getattr(self, f"_{action.kind}")
        handler(*action.args)
        return True

    def _overfit(self) -> None:
        w = self.w
        w.lab.set_spec(make_it_overfit(w.current_spec()))
        w.statusBar().showMessage(f"Made it overfit: {OVERFIT_LABEL_NOISE:.0%} of the training labels made wrong and "
                                  f"{OVERFIT_EPOCHS} epochs. Now compare with and without regularization.", 12_000)

    def _preset(self, name: str) -> None:
        w = self.w
        w.select_preset(name)
        w.controls.setCurrentIndex(0)

    def _compare(self, *names: str) -> None:
        w = self.w
        base = w.current_spec()
        w.queue_runs([(name, preset_spec(name, base)) for name in names])

    def _comparison(self, key: str) -> None:
        self.w.compare(key)

    def _grid(self, key: str) -> None:
        w = self.w
        w.grid.use_recipe(RECIPES[key])
        w.view_tabs.setCurrentWidget(w.grid)
        w.statusBar().showMessage("The search is filled in: press Run search when you are ready.", 10_000)

    def _show(self, tab: str) -> None:
        w = self.w
        page = w.pages[tab]
        if not w.view_tabs.isTabVisible(w.view_tabs.indexOf(page)):  # the boundary, on data not 2-D
            w.statusBar().showMessage("The Decision boundary tab is there for data with two features only: choose "
                                      "the playground preset or a 2-D dataset first.", 10_000)
            return
        w.view_tabs.setCurrentWidget(page)

    def _exercise(self, number: str) -> None:
        w = self.w
        w.lesson_dock.show()
        w.lesson.show_page(int(number))
        if int(number) not in w.lab.exercises:
            w.lab.set_exercise(int(number), "started")
