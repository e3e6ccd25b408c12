import numpy as np
import pytest

from regstudio.core.experiments.folds import stratified_folds


@pytest.mark.parametrize("k", [2, 3, 5, 10])
def test_folds_are_stratified_disjoint_and_cover_the_data(k):
    labels = np.repeat(np.arange(4), [40, 25, 20, 15])
    folds = stratified_folds(labels, k, seed=7)
    assert len(folds) == k
    validation = np.concatenate([val for _, val in folds])
    assert sorted(validation.tolist()) == list(range(len(labels)))  # each example validates once
    for train, val in folds:
        assert set(train).isdisjoint(val) and len(train) + len(val) == len(labels)
        expected = np.bincount(labels) / k
        assert np.all(np.abs(np.bincount(labels[val], minlength=4) - expected) <= 1)


def test_fold_count_is_checked():
    with pytest.raises(ValueError, match="k = 11: cross-validation takes 2 to 10 folds"):
        stratified_folds(np.arange(10) % 2, 11, 0)
    with pytest.raises(ValueError, match="k = 1: cross-validation takes 2 to 10 folds"):
        stratified_folds(np.arange(10) % 2, 1, 0)
    with pytest.raises(ValueError, match=r"^2 examples cannot be split into 3 folds$"):
        stratified_folds(np.array([0, 1]), 3, 0)
    # As many examples as folds: one each.
    assert sorted(val.tolist() for _, val in stratified_folds(np.array([0, 1, 1]), 3, 0)) == [[0], [1], [2]]


def test_small_classes_are_dealt_on_where_the_last_one_stopped():
    # Six classes of one example: dealt round-robin across classes, every fold gets two.
    folds = stratified_folds(np.arange(6), 3, seed=1)
    assert [len(val) for _, val in folds] == [2, 2, 2]
    labels = np.repeat(np.arange(7), [3, 1, 1, 2, 1, 4, 1])
    sizes = [len(val) for _, val in stratified_folds(labels, 4, seed=2)]
    assert max(sizes) - min(sizes) <= 1 and sum(sizes) == 13
