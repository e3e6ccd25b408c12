"""How a search is cut into units of work: fused per fold here, balanced over the workers there are."""

from __future__ import annotations

import numpy as np

from regstudio.core.experiments.presets import preset


def test_units_are_planned_for_the_workers_there_are():
    from regstudio.core.experiments.grid_params import apply_value
    from regstudio.core.experiments.trials import plan_units

    base = preset("none").run_spec()
    labels = np.arange(120) % 10

    def shape(values, cv, slots):
        return [(u.fold, u.values) for u in plan_units(base, "l2", values, cv, 1, labels, True, slots)]

    four, five = (1e-4, 1e-3, 1e-2, 1e-1), (1e-5, 1e-4, 1e-3, 1e-2, 1e-1)
    assert shape(four, 3, 1) == [(0, four), (1, four), (2, four)]  # here: a fold's values fused
    # 2 workers: two whole folds, and the third in halves, so neither idles through a whole fold
    assert shape(four, 3, 2) == [(0, four), (1, four), (2, four[:2]), (2, four[2:])]
    assert shape(five, 5, 2)[-2:] == [(4, five[:3]), (4, five[3:])] and len(shape(five, 5, 2)) == 6
    # pieces of different fused groups are groups of their own (each builds its own model)
    ten = tuple(10.0 ** -k for k in range(1, 11))
    units = plan_units(base, "l2", ten, 3, 1, labels, True, 4)  # two fused groups of five per fold
    pieces = [(u.group, u.values) for u in units if len(u.values) < 5]
    assert len(pieces) == 4 and len({g for g, _ in pieces}) == 4
    assert not {g for g, _ in pieces} & {u.group for u in units if len(u.values) == 5}  # nor a whole group's
    # three groups a fold (6, 6 and 5 values) on 6 workers: the last fold's three groups in halves, six models
    seventeen = tuple(10.0 ** -(k / 4) for k in range(1, 18))
    units = plan_units(base, "l2", seventeen, 3, 1, labels, True, 6)
    pieces = [(u.group, u.values) for u in units if u.fold == 2]
    assert [len(v) for _, v in pieces] == [3, 3, 3, 3, 3, 2] and len({g for g, _ in pieces}) == 6
    # a fold of two values on two workers: split into the two values
    two = (1e-3, 1e-1)
    assert shape(two, 3, 2) == [(0, two), (1, two), (2, two[:1]), (2, two[1:])]
    # repeats count as trials: 2 repeats of 4 x 3 is 24 trials, more than 12 slots, so still fused
    # (6 units of four, each split in two for the 12 slots: pairs, not 24 single trials)
    assert [len(u.values) for u in plan_units(base, "l2", four, 3, 2, labels, True, 12)] == [2] * 12
    # a slot for every trial: nothing fused, every trial alone
    assert shape(four, 3, 12) == [(fold, (v,)) for fold in range(3) for v in four]
    # split or not, each unit has its own place (the key its events are told by) and trains its own values
    for slots in (1, 2, 4):
        units = plan_units(base, "l2", ten, 3, 1, labels, True, slots)
        assert [u.key for u in units] == list(range(len(units))), slots
        for u in units:
            assert u.specs == tuple(apply_value(base, "l2", v).with_training(seed=base.training.seed) for v in u.values)


def test_every_unit_carries_its_own_values_seed_fold_and_rows():
    from regstudio.core.experiments.folds import stratified_folds
    from regstudio.core.experiments.grid_params import apply_value
    from regstudio.core.experiments.trials import plan_units

    base = preset("none").run_spec().with_training(seed=7)
    labels = np.arange(60) % 3
    values = (1e-3, 1e-1)
    units = plan_units(base, "l2", values, 3, 2, labels, fuse=False)
    assert [u.key for u in units] == list(range(12))  # keys are places, in training order
    assert [(u.repeat, u.fold, u.values) for u in units] == [
        (r, f, (v,)) for r in range(2) for f in range(3) for v in values]
    for u in units:
        assert u.param == "l2" and u.names == [f"l2={u.values[0]:g}"]
        assert u.specs == (apply_value(base, "l2", u.values[0]).with_training(seed=7 + u.repeat),)
        fit, held = u.folds
        assert len(np.intersect1d(fit, held)) == 0 and len(fit) + len(held) == 60
    held_rows = [tuple(sorted(u.folds[1])) for u in units if u.repeat == 0 and u.values == (1e-3,)]
    assert len(set(held_rows)) == 3  # each fold validates on rows of its own
    other_seed = [tuple(sorted(u.folds[1])) for u in units if u.repeat == 1 and u.values == (1e-3,)]
    assert other_seed != held_rows  # the next repeat draws its folds with its own seed
    for u in units:  # the same seed, the same folds: a search run again validates on the same rows
        want_fit, want_held = stratified_folds(labels, 3, seed=7 + u.repeat)[u.fold]
        assert np.array_equal(u.folds[0], want_fit) and np.array_equal(u.folds[1], want_held)
    alone = plan_units(base, "l2", values, None, 1, labels)
    assert [(u.fold, u.folds, u.values, u.group) for u in alone] == [(None, None, values, 0)]


def test_a_searchs_trial_count_is_every_value_on_every_fold_per_repeat(small_spec):
    from regstudio.core.experiments.grid_search import GridRequest
    from regstudio.core.experiments.trials import plan_units

    labels = np.arange(60) % 3
    three = (1e-3, 1e-2, 1e-1)
    for cv, repeats, trials in ((None, 1, 3), (None, 2, 6), (3, 1, 9), (2, 3, 18)):
        request = GridRequest(small_spec, "l2", three, cv=cv, repeats=repeats)
        assert request.total_trials == trials, (cv, repeats)  # the progress bar's "of N trials"
        units = plan_units(small_spec, "l2", three, cv, repeats, labels, fuse=False)
        assert sum(len(u.values) for u in units) == trials
