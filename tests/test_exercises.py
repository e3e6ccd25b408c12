"""When each exercise is done, decided from made-up runs: the check knows what is still missing."""

from lesson_records import record

from regstudio.core.datasets.spec import DataSpec
from regstudio.core.experiments.grid_search import GridResult, Trial
from regstudio.core.lessons.exercises import check
from regstudio.core.model.edits import reference_model, with_dropout


def dropout_run(name, rate, data=None):
    base = record(name, data=data)
    return record(name, data=data, spec=base.spec.__class__(with_dropout(reference_model(), rate), base.spec.training,
                                                            base.spec.data))


def test_exercise_1_needs_all_four_penalties_on_one_dataset():
    runs = [record("1: none"), record("2: l1", "l1"), record("3: l2", "l2")]
    status = check(1, runs)
    assert not status.done and "l1l2" in status.missing
    other = record("4: l1l2", "l1l2", data=DataSpec("fashion-mnist"))
    assert not check(1, [*runs, other]).done  # another dataset does not count
    status = check(1, [*runs, record("4: l1l2", "l1l2")])
    assert status.done and status.runs == ("1: none", "2: l1", "3: l2", "4: l1l2")
    unfinished = record("5: l1l2", "l1l2", test=None)
    assert not check(1, [*runs, unfinished]).done


def test_exercise_2_needs_the_three_dropout_rates():
    runs = [dropout_run(f"{i}: d", rate) for i, rate in enumerate((0.2, 0.5), 1)]
    assert not check(2, runs).done
    assert check(2, [*runs, dropout_run("3: d", 0.7)]).runs == ("1: d", "2: d", "3: d")


def test_exercise_3_needs_dropout_and_l2_together_and_each_alone():
    runs = [record("1: none"), record("2: l2", "l2"), record("3: dropout", "dropout")]
    assert not check(3, runs).done
    assert check(3, [*runs, record("4: both", "dropout-l2")]).done


def test_exercise_4_needs_a_finished_search_over_a_penalty_strength():
    trials = tuple(Trial(v, None, 0, 0.9, 0.95, record("t")) for v in (1e-4, 1e-3, 1e-2))
    search = GridResult("l2", (1e-4, 1e-3, 1e-2), None, 1, trials, False, 5.0)
    assert check(4, [], [search]).done and check(4, [], [search]).search is search
    assert not check(4, [], [GridResult("learning_rate", (1e-3, 1e-2, 1e-1), None, 1, trials, False, 5.0)]).done
    assert not check(4, [], [GridResult("l2", (1e-4, 1e-3, 1e-2), None, 1, trials[:1], True, 5.0)]).done


def test_exercise_5_needs_a_plain_run_and_two_techniques():
    assert not check(5, [record("1: none"), record("2: l1", "l1")]).done
    assert check(5, [record("1: none"), record("2: l1", "l1"), record("3: dropout", "dropout")]).done


def test_a_teachers_own_exercise_has_no_automatic_check():
    status = check(7, [record("1: none")])
    assert not status.done and status.missing == ""
