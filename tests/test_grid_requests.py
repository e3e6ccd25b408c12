"""The grid search without training: requests checked to the boundary, scores, points, progress, cancel."""

import math
from dataclasses import replace

import pytest

from regstudio.core.errors import SpecError
from regstudio.core.experiments.grid_search import (
    MAX_TRIALS,
    MAX_VALUES,
    SCORES,
    GridPoint,
    GridRequest,
    GridSearch,
    SearchFinished,
    SearchProgress,
    apply_value,
    best_point,
    parse_values,
)
from regstudio.core.model import Dense, Regularizer
from regstudio.core.training.events import Progress
from regstudio.core.training.records import EpochRecord


def problems(spec, param="l2", values=(1e-3,), **settings):
    return [str(p) for p in GridRequest(spec, param, tuple(values), **settings).problems()]


def test_typed_values_are_read_or_refused_in_a_sentence():
    assert parse_values(" 1e-4,1e-3 ;0.01\t0.1 ") == (1e-4, 1e-3, 0.01, 0.1)
    assert parse_values("") == ()
    with pytest.raises(SpecError) as bad:
        parse_values("1e-3 ten")
    assert str(bad.value) == ("grid.values = '1e-3 ten': numbers separated by spaces or commas, "
                              "e.g. 1e-4 1e-3 1e-2 1e-1")
    for text in ("1e-3 nan", "inf", "1e999"):
        with pytest.raises(SpecError) as bad:
            parse_values(text)
        assert str(bad.value) == f"grid.values = {text!r}: finite numbers"


def test_value_counts_folds_and_repeats_are_checked_at_their_limits(small_spec):
    many = tuple(10.0 ** -(i / 10) for i in range(MAX_VALUES + 1))
    assert problems(small_spec, values=many[:MAX_VALUES]) == []
    assert problems(small_spec, values=many) == [f"grid.values = '{MAX_VALUES + 1:,} values': at most 50 values in "
                                                 "one search"]
    assert problems(small_spec, values=(1e-3, 1e-3)) == ["grid.values = [0.001, 0.001]: each value once"]
    for cv, ok in ((None, True), (1, False), (2, True), (10, True), (11, False), (True, False), (2.0, False)):
        assert (problems(small_spec, cv=cv) == []) is ok, cv
    assert problems(small_spec, cv=1) == ["grid.cv = 1: off, or 2 to 10 folds"]
    for repeats, ok in ((0, False), (1, True), (100, True), (101, False), (2.0, False)):
        assert (problems(small_spec, repeats=repeats) == []) is ok, repeats
    assert problems(small_spec, repeats=0) == ["grid.repeats = 0: a whole number from 1 to 100"]


def test_the_number_of_trials_is_capped_and_counted(small_spec):
    fifty = tuple(float(i) for i in range(1, 51))
    request = GridRequest(small_spec, "batch_size", fifty, cv=10, repeats=2)
    assert request.total_trials == MAX_TRIALS == 1000 and request.problems() == []
    assert problems(small_spec, "batch_size", fifty, cv=10, repeats=3) == [
        "grid = '1,500 trials': at most 1,000 trials (values x folds x repeats) in one search; use fewer values, "
        "folds or repeats"]
    # A wrong fold count is said once, not again as too many trials.
    assert problems(small_spec, "batch_size", fifty, cv=11, repeats=3) == ["grid.cv = 11: off, or 2 to 10 folds"]
    assert GridRequest(small_spec, "l2", (1e-3, 1e-2), repeats=3).total_trials == 6


def test_a_bad_value_is_named_once_with_the_setting_it_breaks(small_spec):
    assert problems(small_spec, "l2", (1e-3, -1.0)) == [
        "grid.values = -1.0: a finite strength >= 0 (typical: 1e-4 to 1e-1) (as layers[0].regularizer.l2)"]
    assert problems(small_spec, "batch_size", (32.5, 0.0)) == [
        "grid.values = 32.5: whole numbers for the batch size",
        "grid.values = 0.0: a whole number from 1 to 65536 (as training.batch_size)"]
    assert problems(small_spec, "batch_size", (0.0,)) == [
        "grid.values = 0.0: a whole number from 1 to 65536 (as training.batch_size)"]
    # A problem of the base spec is the base's, not every value's.
    broken = small_spec.with_training(epochs=0)
    assert problems(broken) == ["training.epochs = 0: a whole number from 1 to 1000"]
    assert problems(small_spec, "momentum") == ["grid.param = 'momentum': one of l2, l1, l1l2, dropout, noise, "
                                                "learning_rate, batch_size"]
    assert problems(small_spec, values=()) == ["grid.values = '': at least one value, e.g. 1e-4 1e-3 1e-2 1e-1"]
    with pytest.raises(SpecError, match=r"grid\.score = 'f1'"):
        GridRequest(small_spec, "l2", (1e-3,), score="f1").check()


def test_each_setting_is_applied_to_what_it_names(small_spec):
    with pytest.raises(ValueError) as unknown:
        apply_value(small_spec, "momentum", 0.9)
    assert str(unknown.value) == ("unknown setting 'momentum'; choose from l2, l1, l1l2, dropout, noise, "
                                  "learning_rate, batch_size")
    spec = apply_value(small_spec, "l1", 0.02)
    assert [layer.regularizer for layer in spec.model.layers] == [Regularizer("l1", 0.02, 0.0)] * 2
    assert apply_value(small_spec, "l1l2", 0.02).model.layers[1].regularizer == Regularizer("l1l2", 0.02, 0.002)
    assert apply_value(small_spec, "learning_rate", 0.05).training == replace(small_spec.training, learning_rate=0.05)
    assert apply_value(small_spec, "batch_size", 48.0).training.batch_size == 48
    assert isinstance(apply_value(small_spec, "batch_size", 48.0).training.batch_size, int)
    assert apply_value(small_spec, "noise", 0.0).model == small_spec.model
    assert apply_value(small_spec, "dropout", 0.3).data == small_spec.data


def epoch(n, val_accuracy, accuracy, val_loss, loss=1.0):
    return EpochRecord(n, loss, accuracy, 0.25, val_loss, val_accuracy, 0.1, float(n))


def test_scores_read_the_best_epoch_and_the_training_figure_of_that_same_epoch():
    epochs = [epoch(1, 0.6, 0.7, 0.9), epoch(2, 0.8, 0.85, math.nan), epoch(3, 0.7, 0.99, 0.5)]
    assert SCORES["accuracy"].of(epochs) == (0.8, 0.85)
    assert SCORES["loss"].of(epochs) == (pytest.approx(0.4), pytest.approx(0.75))  # data losses, NaN never best
    assert SCORES["accuracy"].higher_is_better and not SCORES["loss"].higher_is_better
    diverged_first = [epoch(1, 0.3, 0.3, math.nan), epoch(2, 0.5, 0.6, 0.8)]
    assert SCORES["loss"].of(diverged_first) == (pytest.approx(0.7), pytest.approx(0.75))


def test_the_best_point_is_the_best_finite_mean_either_way():
    points = [GridPoint(0.1, 0.5, 0, 0, 0, 1), GridPoint(0.2, 0.9, 0, 0, 0, 1), GridPoint(0.3, math.nan, 0, 0, 0, 1),
              GridPoint(0.4, 0.2, 0, 0, 0, 1)]
    assert best_point(points, "accuracy").value == 0.2
    assert best_point(points, "loss").value == 0.4
    assert best_point(points[2:3]) is None and best_point([]) is None


def test_search_progress_counts_finished_trials_and_the_running_one():
    halfway = Progress(epoch=2, epochs=4, batch=5, batches=10, seconds=1.0, loss=0.5)  # 1.5 of 4 epochs
    assert SearchProgress(1, 4, halfway).fraction == pytest.approx((1 + 0.375) / 4)
    assert SearchProgress(4, 4, halfway).fraction == 1.0
    assert SearchProgress(0, 0, halfway).fraction == pytest.approx(0.375)


def test_a_request_names_its_data_and_starts_its_own_search(small_spec, blobs):
    request = GridRequest(small_spec, "dropout", (0.2,), cv=2)
    assert (request.name, request.data) == ("grid dropout", small_spec.data)
    events = []
    job = request.start(blobs, events.append)
    assert isinstance(job, GridSearch) and (job.request, job.data, job.total_trials) == (request, blobs, 2)
    job.cancel()  # before it starts: nothing trains, and the end is still told
    result = job.run()
    assert result.trials == () and result.cancelled and events == [SearchFinished(result)]
    assert (result.param, result.values, result.cv, result.repeats, result.score) == ("dropout", (0.2,), 2, 1,
                                                                                      "accuracy")


def test_requests_refuse_what_the_window_refuses(small_spec):
    with pytest.raises(SpecError, match=r"layers\[0\]\.units = 0"):
        GridSearch(GridRequest(replace(small_spec, model=type(small_spec.model)((Dense(0),))), "l2", (1e-3,)), None)
