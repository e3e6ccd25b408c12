import numpy as np
import pytest
from fuzz import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from regstudio.core.datasets import catalog, load, stratified_indices
from regstudio.core.datasets.spec import SYNTHETIC, DataSpec
from regstudio.core.datasets.split import DatasetSplit, held_out, subsample_train
from regstudio.core.datasets.standard import locate
from regstudio.core.errors import DatasetError


def test_embedded_mnist_is_a_stratified_4000_1000_split_of_real_digits():
    split = load(DataSpec())
    assert split.x_train.shape == (4000, 784) and split.x_test.shape == (1000, 784)
    assert split.x_train.dtype == np.float32 and split.x_train.min() >= 0.0 and split.x_train.max() == 1.0
    assert np.bincount(split.y_train).tolist() == [400] * 10
    assert np.bincount(split.y_test).tolist() == [100] * 10
    assert split.image_shape == (28, 28) and split.class_names == tuple("0123456789")
    # Real handwriting: roughly a fifth of the pixels are ink, and the same split every time.
    assert 0.1 < (split.x_train > 0.5).mean() < 0.3
    again = load(DataSpec())
    assert np.array_equal(split.x_test, again.x_test)
    assert not split.x_train.flags.writeable


def test_catalog_lists_everything_and_embedded_is_always_there():
    names = {info.name: info for info in catalog()}
    assert set(names) == {"mnist-5k", "mnist", "fashion-mnist", *SYNTHETIC}
    assert names["mnist-5k"].available


def test_missing_full_dataset_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(DatasetError, match="regstudio datasets --download mnist"):
        load(DataSpec("mnist"))


def test_full_dataset_found_in_the_keras_cache_without_network(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    folder = tmp_path / "datasets"
    folder.mkdir()
    rng = np.random.default_rng(0)
    arrays = {k: rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
              for k, n in (("x_train", 50), ("x_test", 20))}
    arrays.update(y_train=np.arange(50) % 10, y_test=np.arange(20) % 10)
    np.savez(folder / "mnist.npz", **arrays)
    assert locate("mnist") == folder / "mnist.npz"
    split = load(DataSpec("mnist"))
    assert split.x_train.shape == (50, 784) and split.image_shape == (28, 28)


@pytest.mark.skipif(locate("fashion-mnist") is None, reason="Fashion-MNIST is not installed here")
def test_fashion_mnist_loads_offline_from_its_standard_place():
    split = load(DataSpec("fashion-mnist"))
    assert split.x_train.shape == (60000, 784) and split.x_test.shape == (10000, 784)
    assert split.class_names[9] == "Ankle boot"


@pytest.mark.parametrize("name", SYNTHETIC)
def test_synthetic_sets(name):
    split = load(DataSpec(name, samples=200, noise=0.1, seed=4))
    assert split.x_train.shape == (160, 2) and split.x_test.shape == (40, 2)
    assert split.n_classes == (3 if name == "blobs" else 2)
    assert np.isfinite(split.x_train).all()
    assert np.array_equal(split.x_train, load(DataSpec(name, samples=200, noise=0.1, seed=4)).x_train)


def test_training_size_keeps_classes_balanced_and_test_untouched():
    full = load(DataSpec())
    small = load(DataSpec(train_size=500))
    assert len(small.y_train) == 500 and np.bincount(small.y_train).tolist() == [50] * 10
    assert np.array_equal(small.x_test, full.x_test)
    with pytest.raises(DatasetError, match=r"data.train_size = 5000: .* at most 4,000"):
        load(DataSpec(train_size=5000))
    # Sizes whose share does not survive the float round trip (12 / 4000 came back as 13).
    assert [len(load(DataSpec(train_size=n)).y_train) for n in (11, 12, 15, 3999)] == [11, 12, 15, 3999]


@settings(max_examples=examples(200), deadline=None)
@given(counts=st.lists(st.integers(1, 60), min_size=2, max_size=5), data=st.data())
def test_any_training_size_keeps_exactly_that_many_examples(counts, data):
    labels = np.repeat(np.arange(len(counts)), counts)
    n = len(labels)
    size = data.draw(st.integers(1, n))
    split = DatasetSplit("t", np.arange(n, dtype=np.float32)[:, None], labels, np.zeros((1, 1), np.float32),
                         np.zeros(1, np.int64), tuple(map(str, range(len(counts)))))
    kept = subsample_train(split, size, seed=3)
    assert len(kept.y_train) == size
    # Each class in proportion (largest remainder: within one example), and no example twice.
    assert np.all(np.abs(np.bincount(kept.y_train, minlength=len(counts)) - np.array(counts) * size / n) < 1)
    assert len(np.unique(kept.x_train)) == size


def test_label_noise_changes_that_share_of_training_labels_only():
    clean = load(DataSpec(train_size=1000))
    noisy = load(DataSpec(train_size=1000, label_noise=0.25))
    changed = clean.y_train != noisy.y_train
    assert changed.sum() == 250
    assert np.array_equal(clean.y_test, noisy.y_test)


def test_stratified_indices_match_keras_counts_and_cover_everything():
    labels = np.repeat(np.arange(3), [50, 30, 21])
    kept, held = stratified_indices(labels, 0.2, seed=5)
    assert len(held) == held_out(101, 0.2) == 101 - int(np.ceil(101 * 0.8)) == 20
    assert sorted(np.concatenate([kept, held]).tolist()) == list(range(101))
    assert np.bincount(labels[held]).tolist() == [10, 6, 4]


def test_every_knob_of_a_data_spec_is_checked_at_both_ends():
    assert DataSpec().problems() == [] and DataSpec("file", path="d.csv").problems() == []
    lowest = DataSpec("moons", train_size=10, label_noise=0.0, samples=20, noise=0.0, seed=0)
    highest = DataSpec("moons", train_size=10_000_000, label_noise=0.9, samples=200_000, noise=5.0, seed=2**31 - 1)
    assert lowest.problems() == [] and highest.problems() == []
    below = DataSpec("mnist-5K", train_size=9, label_noise=-0.01, samples=19, noise=-0.01, seed=-1)
    assert [str(p) for p in below.problems()] == [
        "data.dataset = 'mnist-5K': one of mnist-5k, mnist, fashion-mnist, moons, circles, spirals, xor, blobs, file",
        "data.label_noise = -0.01: a share in [0, 0.9]: the part of training labels made wrong",
        "data.samples = 19: a whole number from 20 to 200000",
        "data.noise = -0.01: a finite number in [0, 5]",
        "data.seed = -1: a whole number from 0 to 2147483647",
        "data.train_size = 9: a whole number from 10 to 10000000"]
    above = DataSpec("moons", train_size=10_000_001, label_noise=0.91, samples=200_001, noise=5.01, seed=2**31)
    assert [p.field for p in above.problems("run.data")] == [
        "run.data.label_noise", "run.data.samples", "run.data.noise", "run.data.seed", "run.data.train_size"]


@pytest.mark.parametrize("path", [None, "", "   "])
def test_a_file_spec_needs_a_path(path):
    assert [str(p) for p in DataSpec("file", path=path).problems()] == [
        f"data.path = {path!r}: the path of an .npz, .csv or IDX file"]
    assert DataSpec("moons", path=path).problems() == []


def test_loading_a_wrong_spec_names_every_problem_and_loads_nothing():
    with pytest.raises(DatasetError) as refused:
        load(DataSpec("moons", samples=5, noise=-1.0))
    assert str(refused.value) == ("data.samples = 5: a whole number from 20 to 200000; data.noise = -1.0: a finite "
                                  "number in [0, 5]")


def test_the_spec_seed_and_noise_make_the_synthetic_points():
    spec = DataSpec("moons", samples=100, noise=0.3, seed=4)
    split = load(spec)
    assert split.source == "made with numpy: 100 points, noise 0.3, seed 4" and len(split.y_train) == 80
    assert np.array_equal(split.x_train, load(spec).x_train)
    assert not np.array_equal(split.x_train, load(DataSpec("moons", samples=100, noise=0.3, seed=5)).x_train)


def test_the_spec_seed_decides_the_training_subsample_and_its_wrong_labels():
    spec = DataSpec("blobs", samples=300, train_size=60, label_noise=0.2, seed=1)
    first, again = load(spec), load(spec)
    assert np.array_equal(first.x_train, again.x_train) and np.array_equal(first.y_train, again.y_train)
    other = load(DataSpec("blobs", samples=300, train_size=60, label_noise=0.2, seed=2))
    assert not np.array_equal(first.x_train, other.x_train)


def test_a_training_size_of_every_example_keeps_the_split_as_it_is():
    full = load(DataSpec("blobs", samples=100, seed=2))
    same = load(DataSpec("blobs", samples=100, seed=2, train_size=80))
    assert np.array_equal(same.x_train, full.x_train) and np.array_equal(same.y_train, full.y_train)


def test_the_extra_held_out_examples_go_to_the_largest_remainders_first_class_first_on_ties():
    labels = np.repeat(np.arange(3), [10, 3, 3])  # half of each: 5, 1.5, 1.5 -> one extra to give, class 1 first
    kept, held = stratified_indices(labels, 0.5, seed=0)
    assert np.bincount(labels[held]).tolist() == [5, 2, 1] and np.bincount(labels[kept]).tolist() == [5, 1, 2]
    # Many ties among many classes: still the lowest classes first, on every machine.
    labels = np.repeat(np.arange(40), [2, 1] * 20)  # a quarter of each: 0.5 of an even class, 0.25 of an odd one
    _, held = stratified_indices(labels, 0.25, seed=0)
    assert sorted(labels[held].tolist()) == list(range(0, 30, 2))


def test_label_noise_moves_each_chosen_label_to_any_other_class_alike():
    clean = load(DataSpec("blobs", samples=3000, seed=1))
    noisy = load(DataSpec("blobs", samples=3000, seed=1, label_noise=0.3))
    moved = clean.y_train != noisy.y_train
    assert moved.sum() == 720
    for c in range(3):
        new = noisy.y_train[moved & (clean.y_train == c)]
        others = [k for k in range(3) if k != c]
        assert set(new.tolist()) == set(others) and 0.35 < np.mean(new == others[0]) < 0.65
    two = load(DataSpec("moons", samples=500, seed=1, label_noise=0.2))
    assert (two.y_train != load(DataSpec("moons", samples=500, seed=1)).y_train).sum() == 80
