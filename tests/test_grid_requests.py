"""The grid search without training: requests checked to the boundary, scores, points, progress, cancel."""

import math
import time
from dataclasses import replace
from types import SimpleNamespace

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
    TrialFinished,
    TrialsFailed,
    apply_value,
    best_point,
    parse_values,
)
from regstudio.core.experiments.trials import TrialEpoch, TrialStarted, UnitFailed, UnitFinished, UnitProgress
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


class ScriptedRunner:
    """Workers stood in for: the search hears what `script(units)` yields, and nothing trains."""

    def __init__(self, script, slots=2):
        self.script, self.workers, self.planned, self.cancels, self.asked = script, slots, None, 0, 0
        self.data = None

    def slots(self):  # a cluster's runner connects to ask
        self.asked += 1
        return self.workers

    def run(self, units, data, listener):
        self.planned, self.data = list(units), data
        for event in self.script(self.planned):
            listener(event)

    def cancel(self):
        self.cancels += 1


def records(*val_accuracies):
    """A unit's run records as the search reads them: one epoch each of this validation accuracy (None: none)."""
    return tuple(SimpleNamespace(epochs=(epoch(1, acc, acc / 2, 0.5),) if acc is not None else ())
                 for acc in val_accuracies)


def scripted_search(spec, blobs, script, values=(1e-2, 1e-4, 1e-3), slots=2, **settings):
    heard = []
    runner = ScriptedRunner(script, slots)
    job = GridSearch(GridRequest(spec, "l2", values, **settings), blobs, heard.append, runner=runner)
    return job, runner, heard


def test_trials_finishing_in_any_order_are_kept_fold_by_fold_in_the_searchs_order(small_spec, blobs):
    values = (1e-2, 1e-4, 1e-3)  # not sorted: the search's own order is kept

    def backwards(units):
        for unit in reversed(units[1:]):  # as workers may finish them
            yield UnitFinished(unit, records(*(0.5 + unit.fold / 10 + unit.repeat / 100 for _ in unit.values)))
        yield UnitFailed(units[0], "a worker was lost")  # before it told any progress

    job, runner, heard = scripted_search(small_spec, blobs, backwards, values, cv=2, repeats=2, fuse=False)
    started = time.perf_counter()
    result = job.run()
    assert 0 < result.seconds <= time.perf_counter() - started
    assert len(runner.planned) == 12 and runner.data is blobs and not result.cancelled
    assert [(t.repeat, t.fold, t.value) for t in result.trials] == [
        (r, f, v) for r in range(2) for f in range(2) for v in values][1:]
    # Told as they came, kept in order.
    told = [e.trial for e in heard if isinstance(e, TrialFinished)]
    assert told == sorted(result.trials, key=lambda t: (-t.repeat, -t.fold, -values.index(t.value)))
    assert [t.val_score for t in result.trials] == [0.5, 0.5, 0.6, 0.6, 0.6, 0.51, 0.51, 0.51, 0.61, 0.61, 0.61]
    assert heard[-2] == TrialsFailed((1e-2,), 0, "a worker was lost")
    assert heard[-1] == SearchFinished(result)


def test_units_training_at_once_are_counted_together_and_one_alone_by_its_trials(small_spec, blobs):
    told_epoch = epoch(1, 0.8, 0.4, 0.5)

    def two_workers(units):
        # 3 folds of two fused values on 2 workers: two whole folds, the third in halves.
        assert [(u.fold, u.values) for u in units] == [(0, (1e-4, 1e-3)), (1, (1e-4, 1e-3)), (2, (1e-4,)),
                                                       (2, (1e-3,))]
        first, second, third, fourth = units
        yield from (TrialStarted(first), TrialStarted(second))
        yield UnitProgress(first, Progress(1, 2, 1, 2, 1.0, 0.5, together=2))  # a quarter done
        yield UnitProgress(second, Progress(1, 2, 2, 2, 1.0, 0.5, together=2))  # half done
        yield TrialEpoch(first, 1, told_epoch)
        yield UnitFinished(first, records(0.7, 0.8))
        yield UnitProgress(second, Progress(2, 2, 1, 2, 2.0, 0.5, together=2))  # alone now, three quarters
        yield UnitProgress(third, Progress(2, 2, 0, 2, 1.0, 0.5))  # half done
        yield UnitFailed(second, "a worker was lost")
        yield UnitProgress(third, Progress(2, 2, 1, 2, 1.5, 0.5))  # alone again, three quarters
        yield UnitFinished(third, records(0.6))
        yield UnitFinished(fourth, records(0.9))  # finished before its progress was heard

    job, runner, heard = scripted_search(small_spec, blobs, two_workers, (1e-4, 1e-3), cv=3)
    result = job.run()
    # Starts and epochs are passed on as they are heard: the window draws them live.
    first, second = runner.planned[:2]
    assert [e for e in heard if isinstance(e, (TrialStarted, TrialEpoch))] == [
        TrialStarted(first), TrialStarted(second), TrialEpoch(first, 1, told_epoch)]
    progress = [(e.done, e.total, e.running, e.training, e.fraction) for e in heard if isinstance(e, SearchProgress)]
    assert progress == [
        (0, 6, None, 2, pytest.approx(2 * 0.25 / 6)),  # one unit training: the window names its trials
        (0, 6, pytest.approx(2 * 0.25 + 2 * 0.5), 4, pytest.approx(1.5 / 6)),  # two at once: what both did
        (2, 6, None, 2, pytest.approx((2 + 2 * 0.75) / 6)),  # the finished unit trains no more
        (2, 6, pytest.approx(2 * 0.75 + 0.5), 3, pytest.approx((2 + 2) / 6)),
        (2, 6, None, 1, pytest.approx((2 + 0.75) / 6)),  # nor does the failed one
    ]
    assert [e for e in heard if isinstance(e, TrialsFailed)] == [TrialsFailed((1e-4, 1e-3), 1, "a worker was lost")]
    assert [(t.value, t.fold, t.val_score) for t in result.trials] == [(1e-4, 0, 0.7), (1e-3, 0, 0.8),
                                                                       (1e-4, 2, 0.6), (1e-3, 2, 0.9)]
    assert [(p.value, p.trials) for p in result.points] == [(1e-4, 2), (1e-3, 2)]
    assert result.best.value == 1e-3 and not result.cancelled


def test_a_stopped_search_keeps_what_finished_before_and_asks_no_worker_after(small_spec, blobs):
    def stopped_midway(units):
        yield UnitFinished(units[0], records(0.9))
        job.request_stop()  # the user's Stop, while the second trial trains
        yield UnitFinished(units[1], records(0.4))  # cut short: not a result

    job, runner, heard = scripted_search(small_spec, blobs, stopped_midway, (1e-4, 1e-3), fuse=False)
    result = job.run()
    assert runner.cancels == 1 and result.cancelled
    assert [(t.value, t.val_score) for t in result.trials] == [(1e-4, 0.9)]
    assert [e.trial for e in heard if isinstance(e, TrialFinished)] == list(result.trials)
    # Stopped before it began: no worker is asked for its slots or given a unit.
    job, runner, heard = scripted_search(small_spec, blobs, stopped_midway)
    job.cancel()
    result = job.run()
    assert runner.asked == 0 and runner.planned is None
    assert result.cancelled and result.trials == () and heard == [SearchFinished(result)]


def test_a_search_trains_where_its_request_says(small_spec, blobs):
    from regstudio.core.experiments.cluster.dask_runner import DaskRunner
    from regstudio.core.experiments.cluster.where import HERE, Where
    from regstudio.core.experiments.trials import InProcessRunner

    # The window starts a search from its request: its bar moves four times a second.
    assert GridRequest(small_spec, "l2", (1e-3,)).start(blobs, lambda event: None).runner.progress_interval == 0.25
    for where in (None, HERE):
        runner = GridSearch(GridRequest(small_spec, "l2", (1e-3,), where=where), blobs, progress_interval=0.5).runner
        assert isinstance(runner, InProcessRunner) and runner.progress_interval == 0.5
    two = Where("local", 2)
    runner = GridSearch(GridRequest(small_spec, "l2", (1e-3,), where=two), blobs, progress_interval=0.5).runner
    assert isinstance(runner, DaskRunner) and (runner.where, runner.progress_interval) == (two, 0.5)


def test_a_trial_without_a_finished_epoch_is_left_out_and_the_others_of_its_unit_kept(small_spec, blobs):
    kept = records(0.6, None, 0.7)

    def one_fused_unit(units):
        (unit,) = units
        yield UnitFinished(unit, kept)

    job, _, heard = scripted_search(small_spec, blobs, one_fused_unit, slots=1)
    result = job.run()
    assert [(t.value, t.val_score) for t in result.trials] == [(1e-2, 0.6), (1e-3, 0.7)]
    assert [t.record for t in result.trials] == [kept[0], kept[2]]  # each with its run's whole record
    assert [e.trial for e in heard if isinstance(e, TrialFinished)] == list(result.trials)
    assert [p.value for p in result.points] == [1e-2, 1e-3] and result.best.value == 1e-3
    by_loss = scripted_search(small_spec, blobs, one_fused_unit, slots=1, score="loss")[0].run()
    assert by_loss.score == "loss" and [t.val_score for t in by_loss.trials] == [pytest.approx(0.4)] * 2
