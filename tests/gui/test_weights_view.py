"""The weight viewer, following a Lab fed the way the training thread feeds it."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from regstudio.core.lab.lab import Lab
from regstudio.core.training.events import EpochEnded, FirstKernel, RunStarted
from regstudio.core.training.records import EpochRecord
from regstudio.core.training.run_spec import RunSpec
from regstudio.core.weights.stats import dense_layouts, weight_stats
from regstudio.gui.lab_signals import LabSignals
from regstudio.gui.weights.weights_view import MAX_OVERLAY, WeightsView

KERNEL = "dense_1/kernel"


@pytest.fixture
def view(qtbot):
    lab = Lab()
    view = WeightsView(lab, LabSignals(lab))
    qtbot.addWidget(view)
    view.show()  # a hidden viewer only notes that it is stale
    return view


def feed(view, run_id, name, spread, epochs=3, zeros=0.0, seed=0):
    """A run whose first-layer weights widen each epoch; `zeros` of them are exactly 0."""
    lab = view.lab
    layouts = tuple(dense_layouts("dense_1", 784, 32))
    rng = np.random.default_rng(seed)
    assert lab.add_run(RunSpec(), name.split(": ")[-1]) == run_id
    lab.apply(run_id, RunStarted(name, layouts, (28, 28), epochs))
    for epoch in range(1, epochs + 1):
        kernel = rng.normal(0, spread * epoch, (784, 32))
        kernel[rng.random(kernel.shape) < zeros] = 0.0
        stats = (weight_stats(layouts[0], kernel), weight_stats(layouts[1], rng.normal(0, 0.01, 32)))
        lab.apply(run_id, EpochEnded(EpochRecord(epoch, 1.0, 0.5, 0.0, 1.0, 0.5, 0.0, float(epoch), stats)))
        lab.apply(run_id, FirstKernel(epoch, kernel.astype(np.float32)))
    return layouts


def curve(view, run_id):
    x, y = view.items[run_id].getData()
    return x, y


def epochs(view, run_id):
    return view.lab.run(run_id).epochs


def test_histogram_counts_are_the_recorded_epoch_and_the_scrubber_goes_back(view):
    feed(view, 1, "1: none", 0.02)
    assert view.layer() == KERNEL and view.epoch_slider.value() == 3  # follows the latest
    x, y = curve(view, 1)
    record3 = epochs(view, 1)[2].stats(KERNEL)
    assert list(y) == list(record3.counts) and sum(y) == 784 * 32
    assert len(x) == len(y) + 1  # step curve on the layout's edges
    view.epoch_slider.setValue(1)
    assert list(curve(view, 1)[1]) == list(epochs(view, 1)[0].stats(KERNEL).counts)
    assert view.epoch_label.text() == "1 of 3"


def test_two_runs_overlay_on_the_same_bins_and_the_sparsity_label_compares_them(view):
    feed(view, 1, "1: none", 0.02)
    feed(view, 2, "2: l1", 0.005, zeros=0.6, seed=1)
    (x1, _), (x2, _) = curve(view, 1), curve(view, 2)
    assert np.array_equal(x1, x2)
    assert all(view.items[r].isVisible() for r in (1, 2))
    text = view.sparsity_label.text()
    assert "1: none" in text and "2: l1" in text
    none_share = epochs(view, 1)[-1].stats(KERNEL).sparsity_below(1e-3)
    l1_share = epochs(view, 2)[-1].stats(KERNEL).sparsity_below(1e-3)
    assert l1_share > 0.55 > none_share and f"{l1_share:.1%}" in text
    assert view.table.rowCount() == 2 and view.table.item(1, 0).text() == "2: l1"
    view.epsilon_spin.setValue(0.1)  # a looser threshold counts more weights as zero
    assert epochs(view, 1)[-1].stats(KERNEL).sparsity_below(0.1) > none_share
    assert f"{epochs(view, 1)[-1].stats(KERNEL).sparsity_below(0.1):.1%}" in view.sparsity_label.text()


def test_at_most_four_runs_are_overlaid(view):
    for run_id in range(1, MAX_OVERLAY + 2):
        feed(view, run_id, f"{run_id}: run", 0.01 * run_id, epochs=1)
    ticked = [r.run_id for r in view.selected()]
    assert ticked == [2, 3, 4, 5]  # the oldest gave way to the newest
    view.run_list.item(1).setCheckState(Qt.CheckState.Unchecked)
    assert not view.items[2].isVisible()


def test_zoom_log_heat_map_and_weight_images(view):
    layouts = feed(view, 1, "1: l1", 0.01, epochs=4, zeros=0.5)
    view.zoom_check.setChecked(True)
    x, y = curve(view, 1)
    assert x[-1] == layouts[0].zoom_edges[-1] and list(y) == list(epochs(view, 1)[-1].stats(KERNEL).zoom_counts)
    view.log_check.setChecked(True)
    assert min(curve(view, 1)[1]) >= 1
    view.extras.tabs.setCurrentIndex(1)
    heat = view.extras.heat_image.image
    assert heat.shape == (4, len(layouts[0].edges) - 1)
    assert view.extras.run_combo.currentText() == "1: l1"
    view.extras.tabs.setCurrentIndex(2)
    grid = view.extras.images.image
    assert grid.shape == (2 * 29 - 1, 16 * 29 - 1)  # 32 units in rows of 16, 28x28 each
    levels = view.extras.images.getLevels()
    assert levels[0] == -levels[1]  # symmetric around zero
    assert view.extras.images_plot.objectName() == "weightImages"


def test_a_hidden_viewer_defers_drawing_until_shown(view):
    view.hide()
    before = view.sparsity_label.text()
    feed(view, 1, "1: none", 0.02)
    assert view.sparsity_label.text() == before and view._stale
    view.show()
    assert "1: none" in view.sparsity_label.text() and not view._stale


def test_the_count_axis_holds_still_while_scrubbing_and_grows_for_a_taller_bar(view):
    feed(view, 1, "1: none", 0.02)  # the weights widen, so epoch 1 has the tallest bar

    def top():
        return view.plot.getPlotItem().getViewBox().viewRange()[1][1]

    held = top()
    assert held >= max(max(e.stats(KERNEL).counts) for e in epochs(view, 1))
    for epoch in (3, 1, 2):  # each epoch drawn against the same scale, so heights compare
        view.epoch_slider.setValue(epoch)
        assert top() == held
    feed(view, 2, "2: sparse", 0.02, zeros=0.6, seed=1)  # a spike at zero, taller than any bar before
    assert top() > held and top() >= max(epochs(view, 2)[-1].stats(KERNEL).counts)
    view.log_check.setChecked(True)
    assert 3 < top() < 6  # framed anew in decades: the spike holds over 10,000 weights
