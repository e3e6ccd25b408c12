"""Comparisons, the runs table, grid search and export, driven in the window as a teacher would."""

import csv
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from regstudio.core.experiments.comparisons import COMPARISONS
from regstudio.core.experiments.presets import PRESETS
from regstudio.gui.runs.export import save_plot
from regstudio.gui.runs.runs_table import COLUMNS


def choose(combo, data):
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def finished_records(window):
    return [value for kind, value in window.recorder.events if kind == "finished"]


def run_comparison(window, qtbot, key, epochs=2):
    window.training.epochs_spin.setValue(epochs)
    action = next(a for a in window.compare_menu.actions() if a.data() == key)
    count = len(window.recorder.events)
    action.trigger()
    runs = len(COMPARISONS[key].variants)
    qtbot.waitUntil(lambda: len([e for e in window.recorder.events[count:] if e[0] == "finished"]) == runs,
                    timeout=120_000)
    qtbot.waitUntil(lambda: window.train_button.isEnabled(), timeout=10_000)


def test_the_objects_the_issue_names_exist(window):
    for name in ("runsTable", "compareButton", "gridButton", "gridChart", "controlledCheck", "fuseCheck"):
        assert window.findChild(QWidget, name) is not None, name


@pytest.mark.parametrize("fuse", [True, False])
def test_one_click_comparison_queues_the_lessons_three_runs_in_order(window, qtbot, fuse):
    window.training.fuse_check.setChecked(fuse)
    run_comparison(window, qtbot, "lesson")
    kinds = window.recorder.kinds()
    if fuse:  # together as one model: all three start, train epoch by epoch side by side, finish
        assert [k for k in kinds if k != "epoch"] == ["started"] * 3 + ["finished"] * 3
        assert kinds.count("epoch") == 6
    else:  # one after another through one queue: each run finishes before the next starts
        assert [k for k in kinds if k != "epoch"] == ["started", "finished"] * 3
    records = finished_records(window)
    assert records[0].fused_with == (("2: l2", "3: dropout") if fuse else ())
    assert [r.spec.model for r in records] == [PRESETS[n].model for n in ("none", "l2", "dropout")]
    assert {r.spec.training.seed for r in records} == {0}  # controlled: one seed
    model, runs = window.runs.model, window.lab.runs
    assert [run.name for run in runs] == ["1: none", "2: l2", "3: dropout"]
    assert [run.summary.test_accuracy for run in runs] == [r.test_accuracy for r in records]
    shown = model.data(model.index(0, [c[0] for c in COLUMNS].index("test acc")))
    assert shown == f"{records[0].test_accuracy:.4f}"
    assert len(window.curves.runs) == 3 and len(window.weights.items) == 3
    assert len({run.color for run in runs}) == 3


def test_uncontrolled_comparison_gives_each_run_its_own_seed(window, qtbot):
    window.controlled_check.setChecked(False)
    window.training.seed_spin.setValue(7)
    run_comparison(window, qtbot, "dropout-rates", epochs=1)
    assert [r.spec.training.seed for r in finished_records(window)] == [7, 8, 9]


def test_stop_during_a_fused_comparison_stops_every_run_keeping_its_epochs(window, qtbot):
    window.training.epochs_spin.setValue(1000)
    next(a for a in window.compare_menu.actions() if a.data() == "penalties").trigger()
    with qtbot.waitSignal(window.recorder.epochEnded, timeout=60_000):
        pass
    qtbot.waitUntil(lambda: "together" in window.progress_bar.format(), timeout=30_000)
    assert window.progress_bar.format().startswith("4 runs together · Epoch ")
    window.stop()
    qtbot.waitUntil(lambda: window.train_button.isEnabled(), timeout=30_000)
    runs = window.lab.runs
    assert [run.record.outcome for run in runs] == ["stopped"] * 4
    assert len({len(run.record.epochs) for run in runs}) == 1 and runs[0].record.epochs
    assert window.runs.model.rowCount() == 4 and not window.stop_button.isEnabled()


def test_stop_during_a_comparison_drops_the_runs_still_waiting(window, qtbot):
    window.training.fuse_check.setChecked(False)
    window.training.epochs_spin.setValue(1000)
    next(a for a in window.compare_menu.actions() if a.data() == "penalties").trigger()
    with qtbot.waitSignal(window.recorder.epochEnded, timeout=60_000):
        pass
    with qtbot.waitSignal(window.recorder.runFinished, timeout=30_000):
        window.stop()
    qtbot.waitUntil(lambda: window.train_button.isEnabled(), timeout=10_000)
    assert window.recorder.kinds().count("started") == 1
    assert len(window.lab.runs) == 1 and window.lab.runs[0].record.outcome == "stopped"
    assert window.runs.model.rowCount() == 1
    assert not window.stop_button.isEnabled()


def test_runs_table_renames_hides_sorts_and_removes(window, qtbot):
    run_comparison(window, qtbot, "lesson", epochs=1)
    model, proxy, view = window.runs.model, window.runs.proxy, window.runs.view
    first, second = (run.run_id for run in window.lab.runs[:2])
    assert model.setData(model.index(1, 0), "  L2 run ")
    assert "L2 run" in window.curves.legend.text() and window.weights.run_list.item(1).text() == "L2 run"
    assert window.lab.run(second).record.name == "L2 run"
    assert not model.setData(model.index(1, 0), "   ")  # an empty name is refused, the old one kept
    assert window.lab.run(second).name == "L2 run"

    model.setData(model.index(0, 0), Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)
    assert not window.curves.runs[first].items["val_loss"].isVisible()
    assert window.curves.runs[second].items["val_loss"].isVisible()
    assert window.weights.run_list.item(0).checkState() == Qt.CheckState.Unchecked

    column = [c[0] for c in COLUMNS].index("test acc")
    view.sortByColumn(column, Qt.SortOrder.DescendingOrder)
    shown = [proxy.data(proxy.index(r, column)) for r in range(proxy.rowCount())]
    assert shown == sorted(shown, reverse=True)
    # Two-line headers, so that the numbers, not the labels, set the columns' widths.
    assert model.headerData(column, Qt.Orientation.Horizontal) == "test\nacc"
    assert model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) == COLUMNS[column][3]
    assert [r.name for r in window.runs.records_in_view_order()] == [
        model.run_at(proxy.mapToSource(proxy.index(r, 0)).row()).name for r in range(3)]

    view.selectRow(0)
    top = window.runs.selected_ids()
    qtbot.mouseClick(window.runs.remove_button, Qt.MouseButton.LeftButton)
    assert model.rowCount() == 2 and not (top & set(window.curves.runs)) and not (top & set(window.weights.items))
    window.undo_action.trigger()  # Ctrl+Z: the run is back everywhere
    assert model.rowCount() == 3 and top <= set(window.curves.runs) and top <= set(window.weights.items)
    qtbot.mouseClick(window.curves.clear_button, Qt.MouseButton.LeftButton)
    assert model.rowCount() == 0 and not window.curves.runs and window.lab.can_undo
    window.undo_action.trigger()
    assert [run.name for run in window.lab.runs][1] == "L2 run" and len(window.curves.runs) == 3


def test_export_writes_the_table_the_epochs_and_every_plot(window, qtbot, tmp_path):
    run_comparison(window, qtbot, "lesson", epochs=2)
    menu = window.export_menu
    assert menu.runs_csv(tmp_path / "runs.csv") == 3
    rows = list(csv.DictReader((tmp_path / "runs.csv").open()))
    assert [r["name"] for r in rows] == ["1: none", "2: l2", "3: dropout"]
    assert [float(r["test_accuracy"]) for r in rows] == [r.test_accuracy for r in finished_records(window)]
    menu.histories_csv(tmp_path / "epochs.csv")
    epochs = list(csv.DictReader((tmp_path / "epochs.csv").open()))
    assert [(r["run"], r["epoch"]) for r in epochs][:3] == [("1: none", "1"), ("1: none", "2"), ("2: l2", "1")]
    assert len(menu.plots()) == 4
    for title, plot in menu.plots().items():
        stem = title.replace(" ", "_")
        save_plot(plot, tmp_path / f"{stem}.png")
        assert (tmp_path / f"{stem}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        save_plot(plot, tmp_path / f"{stem}.svg")
        assert "<svg" in (tmp_path / f"{stem}.svg").read_text()
    # A folder that does not exist: said in the window, nothing raised.
    missing = tmp_path / "no" / "such" / "runs.csv"
    menu._done(str(missing), lambda: str(menu.runs_csv(missing)))
    assert "Export failed" in window.message_label.text() and str(missing) in window.message_label.text()


def test_early_stopping_is_drawn_and_counted(window, qtbot):
    choose(window.preset_combo, "early-stopping")
    window.regularization.patience_spin.setValue(1)
    with qtbot.waitSignal(window.recorder.runFinished, timeout=120_000) as done:
        window.train()
    record = done.args[1]
    statuses = [value for kind, value in window.recorder.events if kind == "early"]
    assert [s.epoch for s in statuses] == [e.epoch for e in record.epochs]
    run = window.curves.runs[done.args[0]]
    assert record.outcome == "early-stopped", "blobs with patience 1 must stop early, or this test shows nothing"
    spots = run.markers["loss"].data
    marked = {(int(x), str(s)) for x, s in zip(spots["x"], spots["symbol"], strict=True)}
    assert {(record.best_epoch, "star"), (record.stop_epoch, "x")} <= marked
    assert "★ best epoch" in window.curves.legend.text()
    summary = window.lab.runs[-1].summary
    restored = next(e for e in record.epochs if e.epoch == record.restored_epoch)
    assert summary.final_val_accuracy == restored.val_accuracy and summary.best_epoch == record.best_epoch


def start_grid(window, qtbot, param, values, folds, epochs, score="accuracy"):
    grid = window.grid
    choose(grid.param_combo, param)
    choose(grid.score_combo, score)
    grid.values_edit.setText(values)
    grid.folds_spin.setValue(folds)
    grid.epochs_spin.setValue(epochs)
    window.view_tabs.setCurrentWidget(grid)
    qtbot.mouseClick(grid.run_button, Qt.MouseButton.LeftButton)
    assert grid.run_button.text() == "Cancel search" and not window.train_button.isEnabled()


def test_a_ready_made_search_fills_in_every_setting(window, qtbot):
    grid = window.grid
    choose(grid.param_combo, "learning_rate")
    grid.repeats_spin.setValue(3)
    menu = grid.recipe_button.menu()
    action = next(a for a in menu.actions() if a.text().startswith("Too weak and too strong"))
    action.trigger()
    assert (grid.param(), grid.values(), grid.cv(), grid.repeats_spin.value(), grid.epochs_spin.value(),
            grid.score()) == ("l2", (1e-4, 1e-3, 1e-2, 1e-1), 3, 1, 30, "loss")
    next(a for a in menu.actions() if a.text().startswith("The lesson's search")).trigger()
    assert (grid.cv(), grid.epochs_spin.value(), grid.score()) == (None, 5, "accuracy")
    assert grid.run_button.text() == "Run search" and not window.recorder.events  # filled in, not started


def test_grid_scored_by_loss_stars_the_lowest_loss(window, qtbot):
    grid = window.grid
    with qtbot.waitSignal(window.recorder.gridFinished, timeout=120_000) as done:
        start_grid(window, qtbot, "l2", "1e-4 1", folds=1, epochs=2, score="loss")
    result = done.args[1]
    assert result.score == "loss" and result.best == min(result.points, key=lambda p: p.val_mean)
    assert grid.chart.getPlotItem().getAxis("left").labelText == "loss (penalty left out)"
    assert grid.table.horizontalHeaderItem(1).text() == "validation loss"
    assert list(grid.best_marker.data["y"]) == [result.best.val_mean]
    assert "lowest validation loss" in grid.status_label.text()
    assert window.statusBar().currentMessage().startswith("Grid search over L2 strength λ done: 2 trials")


def test_grid_search_draws_the_validation_curve_and_applies_the_best(window, qtbot):
    grid = window.grid
    with qtbot.waitSignal(window.recorder.gridFinished, timeout=120_000) as done:
        start_grid(window, qtbot, "l2", "1e-4, 1", folds=2, epochs=2)
    result = done.args[1]
    assert [(t.value, t.fold) for t in result.trials] == [(1e-4, 0), (1.0, 0), (1e-4, 1), (1.0, 1)]
    assert result.trials[0].record.fused_with == ("l2=1",)
    x, y = grid.val_line.getData()
    assert list(x) == [-4.0, 0.0]  # log10 of the values: a log axis
    assert list(y) == [p.val_mean for p in result.points]
    best = result.best
    assert list(grid.best_marker.data["x"]) == [grid._x(best.value)] and grid.table.rowCount() == 2
    assert "★" in grid.table.item([p.value for p in result.points].index(best.value), 0).text()
    assert grid.apply_button.isEnabled() and grid.run_button.text() == "Run search"
    # Every trial's history can be opened as runs: the value picked in the table, else the best.
    qtbot.mouseClick(grid.trials_button, Qt.MouseButton.LeftButton)
    best_trials = [t for t in result.trials if t.value == best.value]
    rows = window.lab.runs
    assert len(rows) == len(best_trials) == 2
    for trial, row in zip(best_trials, rows, strict=True):
        assert row.record == replace(trial.record, name=row.name)  # the trial's own record, renamed
    assert [row.name for row in rows] == [f"1: l2={best.value:g}, fold 1", f"2: l2={best.value:g}, fold 2"]
    assert window.curves.points(next(iter(window.curves.runs)), "val_loss") == 2
    other = [p.value for p in sorted(result.points, key=lambda p: p.value)].index(
        next(p.value for p in result.points if p.value != best.value))
    grid.table.selectRow(other)
    qtbot.mouseClick(grid.trials_button, Qt.MouseButton.LeftButton)
    rows = window.lab.runs
    assert len(rows) == 4 and rows[-1].record.spec != rows[0].record.spec
    qtbot.mouseClick(grid.apply_button, Qt.MouseButton.LeftButton)
    regs = {layer.regularizer for layer in window.builder.model.layers}
    assert {(r.kind, r.l2) for r in regs} == {("l2", best.value)}
    assert window.regularization.penalty_combo.currentData() == "l2"
    assert window.train_button.isEnabled()


def test_cancel_mid_grid_keeps_the_finished_trials(window, qtbot):
    trials = window.recorder.gridTrial
    with qtbot.waitSignal(trials, timeout=120_000):
        start_grid(window, qtbot, "dropout", "0.2 0.5 0.7", folds=3, epochs=30)
    with qtbot.waitSignal(window.recorder.gridFinished, timeout=60_000) as done:
        qtbot.mouseClick(window.grid.run_button, Qt.MouseButton.LeftButton)  # now "Cancel search"
    result = done.args[1]
    assert result.cancelled and 1 <= len(result.trials) < 9
    assert len(window.grid.trials) == len(result.trials) and "cancelled" in window.grid.status_label.text()
    assert window.train_button.isEnabled() and not window.stop_button.isEnabled()


def test_bad_grid_values_are_explained_not_queued(window, qtbot):
    window.grid.values_edit.setText("0.1 lots")
    qtbot.mouseClick(window.grid.run_button, Qt.MouseButton.LeftButton)
    assert "grid.values = '0.1 lots'" in window.grid.status_label.text()  # plain text; the label above escapes
    assert "Cannot search yet: grid.values" in window.message_label.text()
    assert window.grid.run_button.text() == "Run search" and len(window.controller.queue) == 0
    choose(window.grid.param_combo, "dropout")
    window.grid.values_edit.setText("0.5 1.5")
    qtbot.mouseClick(window.grid.run_button, Qt.MouseButton.LeftButton)
    assert window.grid.status_label.text() == ("Cannot search yet: grid.values = 1.5: a share in [0, 1): 0.2 to 0.5 "
                                               "is typical (as layers[1].rate)")


def test_progress_counts_the_patience_used(window):
    from regstudio.core.training.events import EarlyStoppingStatus, Progress

    run_id = window.lab.add_run(window.lab.spec, "x")
    window.lab.apply(run_id, EarlyStoppingStatus(12, 9, 0.31, 3, 5, "val_loss"))
    window.status.run_progressed(run_id, Progress(13, 100, 2, 8, 4.0, 0.3), [run_id])
    assert "no better val_loss for 3 of 5 epochs (best: epoch 9)" in window.progress_bar.format()


def test_a_right_click_export_on_a_plot_opens_our_save_dialog(window, monkeypatch):
    from regstudio.gui.runs import export_menu

    asked = []
    monkeypatch.setattr(export_menu.QFileDialog, "getSaveFileName",
                        lambda *args, **kwargs: (asked.append(args[1]), ("", ""))[1])
    for plot in window.export_menu.plots().values():
        plot.scene().contextMenu[0].trigger()
    assert asked == ["Export loss plot", "Export accuracy plot", "Export weight histogram",
                     "Export grid search chart"]


def test_before_any_search_the_chart_shows_the_axis_it_will_fill(qtbot):
    from regstudio.core.lab.lab import Lab
    from regstudio.gui.grid.grid_view import GridSearchView
    from regstudio.gui.lab_signals import LabSignals

    lab = Lab()
    view = GridSearchView(lab, LabSignals(lab))
    qtbot.addWidget(view)
    (x_low, x_high), (y_low, y_high) = view.chart.getPlotItem().getViewBox().viewRange()
    assert y_low >= 0.0 and y_high <= 1.3  # an accuracy scale, not pyqtgraph's empty -0.5..0.5
    ticks = [label for _, label in view.chart.getAxis("bottom")._tickLevels[0]]
    assert ticks == ["0.0001", "0.001", "0.01", "0.1"] and x_low < -4 < -1 < x_high  # log10 positions
    choose(view.param_combo, "dropout")
    assert [label for _, label in view.chart.getAxis("bottom")._tickLevels[0]] == ["0.2", "0.5", "0.7"]
