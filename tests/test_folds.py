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
    with pytest.raises(ValueError, match="2 to 10 folds"):
        stratified_folds(np.arange(10) % 2, 11, 0)
