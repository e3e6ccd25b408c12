"""The decision-boundary tab in the window: when it shows, the playground preset, live pictures."""

import numpy as np
from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QWidget

from regstudio.core.experiments.presets import PRESETS
from regstudio.core.model.edits import playground_model
from regstudio.gui.boundary.picture import region_colors

from .test_window import choose


def output_row(window):
    layers = window.builder.layer_list
    return layers.item(layers.count() - 1).text()


def test_the_boundary_tab_shows_only_for_two_feature_data_and_the_output_follows_the_classes(window):
    tabs, view = window.view_tabs, window.boundary
    assert window.findChild(QWidget, "boundaryView") is view
    for dataset, shown, output in (("mnist-5k", False, "Dense(10, softmax)"), ("moons", True, "Dense(2, softmax)"),
                                   ("blobs", True, "Dense(3, softmax)"), ("mnist-5k", False, "Dense(10, softmax)")):
        choose(window.training.dataset_combo, dataset)
        assert tabs.isTabVisible(tabs.indexOf(view)) == shown, dataset
        assert output_row(window) == f"{output}: output", dataset  # issue 12, item 7
    window.training.choose_file("/somewhere/points.csv")  # a user's file: shown once a run draws a boundary
    assert not tabs.isTabVisible(tabs.indexOf(view))


def test_the_playground_preset_brings_its_network_and_noisy_2d_data(window):
    choose(window.training.dataset_combo, "mnist-5k")
    choose(window.preset_combo, "playground")
    data = window.current_spec().data
    assert (data.dataset, data.train_size, data.label_noise) == ("moons", 300, 0.3)
    assert window.builder.model == playground_model() == PRESETS["playground"].model
    assert (window.training.epochs_spin.value(), window.training.batch_spin.value()) == (200, 32)
    assert window.current_spec().training.learning_rate == 0.003
    assert window.view_tabs.isTabVisible(window.view_tabs.indexOf(window.boundary))
    assert output_row(window) == "Dense(2, softmax): output"
    choose(window.training.dataset_combo, "circles")  # another 2-D set is kept when chosen again
    choose(window.preset_combo, "none")
    choose(window.preset_combo, "playground")
    assert window.current_spec().data.dataset == "circles"


class Snapshots(QObject):
    """What the boundary view shows after each epoch, taken as the Lab tells of the epoch's boundary."""

    def __init__(self, window):
        super().__init__()
        self.window, self.images = window, []
        window.signals.runChanged.connect(self.take)

    @Slot(int, str)
    def take(self, run_id, aspect):
        if aspect != "boundary":
            return
        run = self.window.lab.run(run_id)
        frame, record = run.boundary.last, run.epochs[-1]
        picture = self.window.boundary.pictures[0]
        self.images.append((frame.epoch, record.epoch, picture.image.image.copy(),
                            region_colors(frame.n_classes)[frame.codes], frame.complexity,
                            record.boundary_complexity, picture.caption.text()))


def test_the_picture_is_redrawn_each_epoch_while_training(window, qtbot):
    choose(window.training.dataset_combo, "moons")
    window.training.epochs_spin.setValue(4)
    window.view_tabs.setCurrentWidget(window.boundary)  # the student watches the boundary
    snapshots = Snapshots(window)
    with qtbot.waitSignal(window.recorder.runFinished, timeout=60_000):
        window.train()
    assert [(epoch, recorded) for epoch, recorded, *_ in snapshots.images] == [(1, 1), (2, 2), (3, 3), (4, 4)]
    for epoch, _, shown, colours, complexity, recorded, caption in snapshots.images:
        assert np.array_equal(shown, colours), epoch  # the picture is the epoch's frame, as it arrived
        assert complexity == recorded and f"{complexity:.2f}" in caption and f"epoch {epoch}" in caption
        assert "validation" in caption  # the epoch's record came first
    assert not np.array_equal(snapshots.images[0][2], snapshots.images[-1][2])  # the boundary moved
    assert window.boundary.epoch_slider.value() == 4


def test_compare_on_the_playground_draws_each_technique_side_by_side(window, qtbot):
    choose(window.preset_combo, "playground")
    window.training.epochs_spin.setValue(2)
    window.compare("lesson")
    qtbot.waitUntil(lambda: not window.busy, timeout=120_000)
    runs = window.lab.runs
    assert [r.name for r in runs] == ["1: none", "2: l2", "3: dropout"]
    assert runs[1].spec.model == PRESETS["l2"].run_spec(network="playground").model
    window.view_tabs.setCurrentWidget(window.boundary)
    shown = [p.run_id for p in window.boundary.pictures if p.isVisible()]
    assert shown == [r.run_id for r in runs]
    assert all(r.record.epochs[-1].boundary_complexity > 0 for r in runs)


def test_the_lessons_playground_page_opens_it_compares_and_shows_the_boundaries(window, qtbot):
    page = next(p for p in window.lesson.lesson.pages if "playground" in p.title)
    window.lesson.show_page(page.title)
    assert window.lesson.current() is page
    open_it, compare, show = page.actions
    choose(window.training.dataset_combo, "mnist-5k")  # from the digits, as a class would come
    assert window.lesson_actions.run(open_it)
    assert window.current_spec().data.dataset == "moons" and window.builder.model == playground_model()
    window.training.epochs_spin.setValue(2)
    assert window.lesson_actions.run(compare)
    qtbot.waitUntil(lambda: not window.busy, timeout=120_000)
    assert window.lesson_actions.run(show)
    assert window.view_tabs.currentWidget() is window.boundary
    assert [p.run_id for p in window.boundary.pictures if p.isVisible()] == [r.run_id for r in window.lab.runs]
    assert len(window.lab.runs) == 3


def test_every_tab_a_lesson_can_show_is_there_and_a_hidden_one_is_explained(window):
    from regstudio.core.lessons.actions import TABS, Action

    assert list(window.pages) == list(TABS)
    choose(window.training.dataset_combo, "mnist-5k")
    window.view_tabs.setCurrentWidget(window.weights)
    assert window.lesson_actions.run(Action("Show the decision boundaries", "show", ("boundary",)))
    assert window.view_tabs.currentWidget() is window.weights  # not switched to a hidden tab
    assert "two features only" in window.statusBar().currentMessage()
