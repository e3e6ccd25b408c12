import statistics
import threading
import time

import numpy as np
import pytest

from regstudio.core.datasets.spec import DataSpec
from regstudio.core.errors import SpecError
from regstudio.core.experiments.folds import stratified_folds
from regstudio.core.experiments.grid_search import (
    GridPoint,
    GridRequest,
    GridSearch,
    SearchFinished,
    SearchProgress,
    Trial,
    TrialFinished,
    apply_value,
    grid_points,
)
from regstudio.core.experiments.trials import TrialEpoch, TrialStarted
from regstudio.core.model import Dense, Dropout, GaussianNoise, ModelSpec
from regstudio.core.training.run_spec import RunSpec, TrainingConfig


def search(spec, data, param, values, listener=None, progress_interval=0.25, **settings):
    request = GridRequest(spec, param, tuple(values), **settings)
    return GridSearch(request, data, listener or (lambda event: None), progress_interval)


def test_apply_value_changes_one_setting(small_spec):
    assert {layer.regularizer.l2 for layer in apply_value(small_spec, "l2", 0.01).model.layers} == {0.01}
    pair = apply_value(small_spec, "l1l2", 0.01).model.layers[0].regularizer
    assert (pair.kind, pair.l1, pair.l2) == ("l1l2", 0.01, 0.001)
    assert apply_value(small_spec, "dropout", 0.5).model.layers == (Dense(16), Dropout(0.5), Dense(8), Dropout(0.5))
    assert apply_value(small_spec, "batch_size", 64.0).training.batch_size == 64
    assert apply_value(small_spec, "noise", 0.2).model.layers == (Dense(16), GaussianNoise(0.2), Dense(8),
                                                                    GaussianNoise(0.2))
    with pytest.raises(ValueError, match="unknown setting"):
        apply_value(small_spec, "momentum", 0.9)


def test_bad_values_are_refused_before_training(small_spec, blobs):
    with pytest.raises(SpecError, match="rate"):
        search(small_spec, blobs, "dropout", [0.5, 1.5])


def test_a_fused_search_trains_fold_by_fold_as_a_separate_one_does(small_spec, blobs):
    events = []
    spec = small_spec.with_training(epochs=2)
    result = search(spec, blobs, "l2", [1e-4, 1.0], events.append, cv=2).run()
    seen = [e.trial for e in events if isinstance(e, TrialFinished)]
    assert seen == list(result.trials)
    assert events[-1] == SearchFinished(result)
    assert [(t.value, t.fold) for t in result.trials] == [(1e-4, 0), (1.0, 0), (1e-4, 1), (1.0, 1)]
    assert [t.record.fused_with for t in result.trials] == [("l2=1",), ("l2=0.0001",)] * 2
    # The fused model trains and validates on each fold's own rows, as the separate runs do.
    folds = stratified_folds(blobs.y_train, 2, seed=spec.training.seed)
    assert [(t.record.dataset.n_train, t.record.dataset.n_val) for t in result.trials] == [
        (len(fit), len(val)) for fit, val in folds for _ in range(2)]
    # Each trial's epochs are told as they end, once, and are what its record keeps.
    for trial in result.trials:
        told = [e.record for e in events if isinstance(e, TrialEpoch) and e.unit.fold == trial.fold
                and e.unit.values[e.member] == trial.value]
        assert told == list(trial.record.epochs)
    # Each unit (a fold's two values, fused) is said to start once, before its first epoch.
    kinds = [(type(e).__name__, e.unit.fold) for e in events if isinstance(e, (TrialStarted, TrialEpoch))]
    assert [k for k in kinds if k[0] == "TrialStarted"] == [("TrialStarted", 0), ("TrialStarted", 1)]
    assert kinds[0] == ("TrialStarted", 0) and kinds.index(("TrialStarted", 1)) == 1 + 2 * 2  # 2 epochs x 2 values


@pytest.fixture(scope="module")
def cv_search(blobs):
    """A 2-fold search of two strengths trained one after another, with the folds each trial's session was given.

    Fused folds get theirs the same way: test_fused checks a fused fold against fresh separate runs."""
    from regstudio.core.training import session as session_module

    given = []

    class Recording(session_module.TrainingSession):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            given.append(self.folds)

    spec = RunSpec(ModelSpec((Dense(16), Dense(8))), TrainingConfig(epochs=2, batch_size=32, seed=3),
                   DataSpec("blobs", samples=300, seed=1))
    events = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(session_module, "TrainingSession", Recording)
        result = search(spec, blobs, "l2", [1e-4, 1.0], events.append, cv=2, fuse=False).run()
    return result, given, events


def test_grid_with_cross_validation_trains_every_fold_in_order(cv_search):
    result, _, events = cv_search
    seen = [e.trial for e in events if isinstance(e, TrialFinished)]
    assert events[-1] == SearchFinished(result)
    # Fold by fold, fused or not: the window, the CLI and the lab file see one order.
    assert [(t.value, t.fold, t.repeat) for t in result.trials] == [(1e-4, 0, 0), (1.0, 0, 0), (1e-4, 1, 0),
                                                                     (1.0, 1, 0)]
    assert seen == list(result.trials) and not result.cancelled
    assert all(t.record.fused_with == () for t in result.trials)
    assert [t.record.name for t in result.trials] == ["l2=0.0001", "l2=1", "l2=0.0001", "l2=1"]
    for trial in result.trials:
        assert len(trial.record.epochs) == 2
        assert trial.val_score == max(e.val_accuracy for e in trial.record.epochs)
        assert trial.train_score == max(trial.record.epochs, key=lambda e: e.val_accuracy).accuracy
        l2 = {layer.regularizer.l2 for layer in trial.record.spec.model.layers}
        assert l2 == {trial.value}  # each trial trained its own value


def test_each_fold_validates_on_its_own_rows(cv_search, blobs):
    result, given, _ = cv_search
    expected = stratified_folds(blobs.y_train, 2, seed=3)
    assert len(given) == 4
    for trial, (fit, val) in zip(result.trials, given, strict=True):
        want_fit, want_val = expected[trial.fold]
        assert np.array_equal(fit, want_fit) and np.array_equal(val, want_val)
        assert (trial.record.dataset.n_train, trial.record.dataset.n_val) == (len(fit), len(val))
    # Two different validation sets give two different first-epoch losses for one value.
    assert result.trials[0].record.epochs[0].val_loss != result.trials[2].record.epochs[0].val_loss


def test_a_grid_points_mean_and_spread_are_those_of_its_trials(cv_search):
    result, _, _ = cv_search
    points = result.points
    assert [p.value for p in points] == [1e-4, 1.0]
    for point in points:
        mine = [t for t in result.trials if t.value == point.value]
        assert point.trials == len(mine) == 2
        assert point.val_mean == pytest.approx(statistics.fmean(t.val_score for t in mine))
        assert point.val_std == pytest.approx(statistics.stdev(t.val_score for t in mine))
        assert point.train_mean == pytest.approx(statistics.fmean(t.train_score for t in mine))
        assert point.train_std == pytest.approx(statistics.stdev(t.train_score for t in mine))
    assert result.best == max(points, key=lambda p: p.val_mean)


def test_grid_points_group_trials_by_value_in_the_searchs_order():
    def trial(value, val, train):
        return Trial(value, None, 0, val, train, record=None)

    trials = [trial(0.1, 0.5, 0.9), trial(0.2, 0.7, 0.6), trial(0.1, 0.8, 0.95), trial(0.1, 0.6, 0.7)]
    points = grid_points((0.3, 0.2, 0.1), trials)  # 0.3 has no trial yet: left out, the others still counted
    assert points == (GridPoint(0.2, 0.7, 0.0, 0.6, 0.0, 1),
                      GridPoint(0.1, pytest.approx(0.6333333), pytest.approx(0.1527525), pytest.approx(0.85),
                                pytest.approx(0.1322876), 3))


def test_cancel_keeps_the_trials_that_finished(small_spec, blobs):
    job = None
    stopped = threading.Event()

    def on_trial(event):
        if not isinstance(event, TrialFinished):
            return
        if len(done) == 0:
            job.cancel()
            stopped.set()
        done.append(event.trial)

    done = []
    job = search(small_spec.with_training(epochs=2), blobs, "l2", [1e-4, 1e-3, 1e-2], on_trial, fuse=False)
    result = job.run()
    assert stopped.is_set() and result.cancelled
    assert len(result.trials) == 1 and result.trials[0].value == 1e-4


def test_cancel_during_a_trial_stops_its_training_within_a_batch(small_spec, blobs):
    after_cancel, job = [], None

    def on_progress(event):
        if not isinstance(event, SearchProgress):
            return
        if after_cancel or (event.progress.epoch, event.progress.batch) == (2, 2):
            after_cancel.append(event)
        if len(after_cancel) == 1:
            job.cancel()

    job = search(small_spec.with_training(epochs=3, batch_size=8), blobs, "l2", [1e-4, 1e-3], on_progress, 0)
    started = time.perf_counter()
    result = job.run()
    # The trial cut short in its second epoch is not a result, though one epoch of it finished.
    assert result.cancelled and result.trials == ()
    assert len(after_cancel) == 1  # the training saw the cancel at its next batch
    assert 0 < result.seconds <= time.perf_counter() - started


def test_cancel_during_a_fused_fold_keeps_the_folds_before_it(small_spec, blobs):
    job = None

    def on_event(event):
        if isinstance(event, SearchProgress) and event.done == 2 and event.progress.epoch == 2:
            job.cancel()  # in the second fold's group: both of its trials are cut short

    job = search(small_spec.with_training(epochs=3, batch_size=8), blobs, "l2", [1e-4, 1e-2], on_event, 0, cv=3)
    result = job.run()
    assert result.cancelled
    assert [(t.value, t.fold) for t in result.trials] == [(1e-4, 0), (1e-2, 0)]
    assert all(len(t.record.epochs) == 3 for t in result.trials)


def test_learning_rate_and_batch_size_trials_are_never_fused(small_spec, blobs):
    for param, values in (("learning_rate", [1e-3, 1e-2]), ("batch_size", [16, 32])):
        result = search(small_spec.with_training(epochs=1), blobs, param, values).run()
        assert [t.record.fused_with for t in result.trials] == [(), ()]
    dropout = search(small_spec.with_training(epochs=1), blobs, "dropout", [0.2, 0.5]).run()
    assert [t.record.fused_with for t in dropout.trials] == [("dropout=0.5",), ("dropout=0.2",)]


def test_grid_requests_are_checked_before_they_are_queued(small_spec):
    from regstudio.core.experiments.grid_search import parse_values

    assert parse_values("1e-4, 1e-3;0.01  0.1") == (1e-4, 1e-3, 0.01, 0.1)
    with pytest.raises(SpecError, match=r"grid\.values = 'ten'"):
        parse_values("ten")
    assert GridRequest(small_spec, "l2", (1e-4, 1e-3), cv=3).check()
    problems = [str(p) for p in GridRequest(small_spec, "l2", (1e-3, -1.0), cv=11, repeats=0).problems()]
    assert any(p.startswith("grid.cv = 11") for p in problems)
    assert any(p.startswith("grid.repeats = 0") for p in problems)
    assert any(p.startswith("grid.values = -1.0: a finite strength >= 0") for p in problems)
    assert str(GridRequest(small_spec, "batch_size", (32.5,)).problems()[0]).startswith("grid.values = 32.5")
    assert GridRequest(small_spec, "l2", ()).problems()[0].field == "grid.values"


def test_grid_reports_progress_within_each_trial_and_repeats_with_the_next_seeds(small_spec, blobs):
    seen = []
    listener = lambda event: seen.append(event) if isinstance(event, SearchProgress) else None  # noqa: E731
    job = search(small_spec.with_training(epochs=2), blobs, "dropout", [0.2], listener, 0, repeats=2)
    assert job.total_trials == 2
    result = job.run()
    assert sorted({e.done for e in seen}) == [0, 1] and {e.total for e in seen} == {2}  # each trial, in order
    assert {e.progress.epoch for e in seen} == {1, 2} and all(0 < e.fraction <= 1 for e in seen)
    # progress_interval 0 reaches the sessions: every batch after the first of each epoch is told
    # (192 rows in batches of 32: batches 1 to 5), for 2 epochs of 2 trials.
    assert len(seen) == 2 * 2 * 5
    assert GridSearch(job.request, blobs).runner.progress_interval == 0.25  # the window's bar: four moves a second
    assert [(t.fold, t.repeat, t.record.spec.training.seed) for t in result.trials] == [(None, 0, 3), (None, 1, 4)]
    assert result.points[0].trials == 2 and result.repeats == 2


@pytest.mark.parametrize("fuse", [True, False])
def test_grid_reports_progress_within_each_trial(small_spec, blobs, fuse):
    seen = []

    def on_progress(event):
        if isinstance(event, SearchProgress):
            seen.append((event.done, event.progress.epoch, event.progress.together))
            assert event.total == 4 and 0 < event.fraction <= 1

    job = search(small_spec.with_training(epochs=2), blobs, "dropout", [0.2, 0.5], on_progress, 0, cv=2, fuse=fuse)
    assert job.total_trials == 4
    job.run()
    # Every trial reported, counted in order; two trials training together advance together.
    assert sorted({done for done, _, _ in seen}) == ([0, 2] if fuse else [0, 1, 2, 3])
    assert {together for _, _, together in seen} == {2 if fuse else 1}
    assert {epoch for _, epoch, _ in seen} == {1, 2}


def test_scored_by_loss_the_lowest_validation_data_loss_wins(small_spec, blobs):
    result = search(small_spec.with_training(epochs=3), blobs, "l2", [0.3], score="loss").run()
    assert result.score == "loss"
    for trial in result.trials:
        epochs = trial.record.epochs
        best = min(epochs, key=lambda e: e.val_data_loss)
        # The data part only: a strong penalty must not count against its own strength.
        assert trial.val_score == best.val_data_loss and trial.train_score == best.data_loss
        assert best.val_data_loss < best.val_loss
    assert result.best == min(result.points, key=lambda p: p.val_mean)


def test_the_best_point_follows_the_score_and_never_is_nan():
    from regstudio.core.experiments.grid_search import GridPoint, best_point

    points = [GridPoint(0.1, 0.9, 0.0, 0.95, 0.0, 1), GridPoint(0.2, 0.3, 0.0, 0.2, 0.0, 1),
              GridPoint(0.3, float("nan"), 0.0, float("nan"), 0.0, 1)]
    assert best_point(points).value == 0.1
    assert best_point(points, "loss").value == 0.2
    assert best_point(points[2:], "loss") is None


def test_an_unknown_score_is_refused_by_name(small_spec):
    problem = GridRequest(small_spec, "l2", (1e-3,), score="f1").problems()[0]
    assert str(problem).startswith("grid.score = 'f1': one of accuracy, loss")


def test_every_ready_made_search_is_a_valid_request(small_spec):
    from regstudio.core.experiments.grid_search import RECIPES

    assert set(RECIPES) == {"lesson", "both-sides", "dropout"}
    for recipe in RECIPES.values():
        spec = small_spec.with_training(epochs=recipe.epochs)
        assert GridRequest(spec, recipe.param, recipe.values, recipe.cv, 1, recipe.score).check()
