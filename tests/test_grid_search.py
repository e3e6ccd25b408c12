import threading

import pytest

from regstudio.core.errors import SpecError
from regstudio.core.experiments.grid_search import (
    GridRequest,
    GridSearch,
    SearchFinished,
    SearchProgress,
    TrialFinished,
    apply_value,
)
from regstudio.core.model import Dense, Dropout, GaussianNoise


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


@pytest.mark.parametrize("fuse", [True, False])
def test_grid_with_cross_validation_trains_every_fold_and_reports_mean_and_spread(small_spec, blobs, fuse):
    events = []
    spec = small_spec.with_training(epochs=2)
    result = search(spec, blobs, "l2", [1e-4, 1.0], events.append, cv=3, fuse=fuse).run()
    seen = [e.trial for e in events if isinstance(e, TrialFinished)]
    assert events[-1] == SearchFinished(result)
    # Fold by fold, fused or not: the window, the CLI and the lab file see one order.
    assert [(t.value, t.fold) for t in result.trials] == [(1e-4, 0), (1.0, 0), (1e-4, 1), (1.0, 1), (1e-4, 2), (1.0, 2)]
    assert all(bool(t.record.fused_with) == fuse for t in result.trials)
    assert seen == list(result.trials) and not result.cancelled
    for trial in result.trials:
        assert trial.record.dataset.n_val == 80 and len(trial.record.epochs) == 2  # 240 examples, 3 folds
        assert trial.val_score == max(e.val_accuracy for e in trial.record.epochs)
    points = result.points
    assert [p.trials for p in points] == [3, 3] and all(p.val_std >= 0 for p in points)
    assert result.best in points


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
    result = search(small_spec.with_training(epochs=3), blobs, "l2", [1e-4, 0.3], score="loss").run()
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
