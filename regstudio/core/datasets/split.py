"""One split object for every dataset, and the operations on it that keep classes balanced."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from ..errors import DatasetError
from .features import feature_rows, to_float32

MAX_CLASSES = 1000


@dataclass(frozen=True, eq=False)
class DatasetSplit:
    """Train and test arrays ready for a Dense network.

    x arrays are float32 of shape (n, features); y arrays are int64 class indices in
    0..len(class_names)-1. `image_shape` is (height, width) when each row is an image, so
    views can draw first-layer weights as pictures. Arrays are read-only: runs share them.
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]
    image_shape: tuple[int, int] | None = None
    source: str = ""

    def __post_init__(self) -> None:
        for array in (self.x_train, self.y_train, self.x_test, self.y_test):
            array.flags.writeable = False

    @property
    def n_features(self) -> int:
        return int(self.x_train.shape[1])

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    def describe(self) -> str:
        return (f"{self.name}: {len(self.x_train):,} training and {len(self.x_test):,} test "
                f"examples, {self.n_features} features, {self.n_classes} classes")


TEST_SHARE = 0.2  # the test split of the sets RegStudio makes or ships (synthetic, the embedded digits)


def held_out(n: int, share: float) -> int:
    """How many of n examples a split of `share` holds out: n - ceil(n * (1 - share)), as Keras's
    validation_split takes them."""
    return n - math.ceil(n * (1.0 - share))


def stratified_indices(labels: np.ndarray, share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Split positions into (kept, held_out) with `share` of each class held out.

    The total held out is the same as Keras's validation_split would take,
    n - ceil(n * (1 - share)); it is spread over the classes by largest remainder so the
    total is exact. Both parts come back shuffled, so neither is ordered by class.
    """
    return stratified_take(labels, held_out(len(labels), share), seed)


def stratified_take(labels: np.ndarray, total: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Split positions into (kept, held_out) with exactly `total` held out, each class in proportion."""
    rng = np.random.default_rng(seed)
    n = len(labels)
    classes, counts = np.unique(labels, return_counts=True)
    ideal = counts * (total / n)
    take = np.floor(ideal).astype(int)
    for i in np.argsort(-(ideal - take), kind="stable")[: total - int(take.sum())]:
        take[i] += 1
    kept, held = [], []
    for cls, k in zip(classes, take, strict=True):
        where = rng.permutation(np.flatnonzero(labels == cls))
        held.append(where[:k])
        kept.append(where[k:])
    return rng.permutation(np.concatenate(kept)), rng.permutation(np.concatenate(held))


def split_train_test(name: str, x: np.ndarray, y: np.ndarray, class_names: tuple[str, ...],
                     test_share: float, seed: int, **extra: object) -> DatasetSplit:
    train, test = stratified_indices(y, test_share, seed)
    return DatasetSplit(name, x[train], y[train], x[test], y[test], class_names, **extra)


def subsample_train(split: DatasetSplit, size: int, seed: int) -> DatasetSplit:
    """Keep `size` training examples, the same share of each class; the test set is untouched."""
    n = len(split.y_train)
    if size > n:
        raise DatasetError(f"data.train_size = {size}: {split.name} has {n:,} training examples, "
                           f"so choose at most {n:,}")
    if size == n:
        return split
    # A count, not a share: 1 - size / n and back through ceil is off by one for sizes such as 12 of 4,000.
    keep, _ = stratified_take(split.y_train, n - size, seed)
    return replace(split, x_train=split.x_train[keep], y_train=split.y_train[keep])


def add_label_noise(split: DatasetSplit, share: float, seed: int) -> DatasetSplit:
    """Give `share` of the training examples a wrong label (never the test set).

    Each chosen label moves to a different class picked uniformly, so the noise does not
    favour any class. Memorizing these wrong labels is exactly the overfitting students
    should then see regularization resist.
    """
    if share <= 0:
        return split
    rng = np.random.default_rng(seed + 7919)  # independent of the subsampling stream
    y = split.y_train.copy()
    chosen = rng.choice(len(y), size=round(share * len(y)), replace=False)
    y[chosen] = (y[chosen] + rng.integers(1, split.n_classes, size=len(chosen))) % split.n_classes
    return replace(split, y_train=y)


def as_labels(y: np.ndarray, n: int, where: str) -> np.ndarray:
    """Check labels: one whole number >= 0 per example, fewer than MAX_CLASSES classes."""
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise DatasetError(f"{where}: shape {y.shape}; expected one label per example")
    if len(y) != n:
        raise DatasetError(f"{where}: {len(y):,} labels for {n:,} examples; the counts must match")
    if y.dtype.kind not in "biuf":
        raise DatasetError(f"{where}: labels are of type {y.dtype}; expected whole numbers")
    if y.dtype.kind == "f" and not (np.isfinite(y).all() and np.array_equal(y, np.round(y))):
        raise DatasetError(f"{where}: labels must be whole numbers, like 0, 1, 2")
    if y.min() < 0 or y.max() >= MAX_CLASSES:
        raise DatasetError(f"{where}: labels range from {y.min():g} to {y.max():g}; "
                           f"allowed are 0 to {MAX_CLASSES - 1}")
    return y.astype(np.int64)


def from_arrays(name: str, x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray | None,
                y_test: np.ndarray | None, source: str, class_names: tuple[str, ...] | None = None,
                test_share: float = TEST_SHARE, seed: int = 0, owned: bool = False) -> DatasetSplit:
    """Validate raw arrays and make a split; without a test set, hold out a stratified share.

    Every cheap check runs before the inputs are converted, and each float32 output is
    made once, straight from the source rows (see features.to_float32). With `owned`, the
    caller gives its arrays away: a float32 input may be scaled in place.
    """
    flat, image_shape = feature_rows(x_train, f"{name} training inputs")
    yt = as_labels(y_train, len(flat), f"{name} training labels")
    test_flat = ys = None
    if x_test is not None and y_test is not None:
        test_flat, _ = feature_rows(x_test, f"{name} test inputs")
        ys = as_labels(y_test, len(test_flat), f"{name} test labels")
        if test_flat.shape[1] != flat.shape[1]:
            raise DatasetError(f"{name}: test examples have {test_flat.shape[1]} features, training "
                               f"examples {flat.shape[1]}; they must match")
    n_classes = int(max(yt.max(), ys.max() if ys is not None else 0)) + 1
    if len(np.unique(yt)) < 2:
        raise DatasetError(f"{name}: the training labels hold a single class; at least 2 are needed")
    names = class_names or tuple(str(i) for i in range(n_classes))
    if len(names) < n_classes:
        raise DatasetError(f"{name}: labels go up to {n_classes - 1} but only {len(names)} "
                           "class names are given")
    if test_flat is None or ys is None:
        train, test = stratified_indices(yt, test_share, seed)
        (xt, xs), square = to_float32(flat, [train, test], f"{name} inputs")
        return DatasetSplit(name, xt, yt[train], xs, yt[test], names, image_shape or square, source)
    (xt,), square = to_float32(flat, [None], f"{name} training inputs", owned)
    (xs,), _ = to_float32(test_flat, [None], f"{name} test inputs", owned)
    return DatasetSplit(name, xt, yt, xs, ys, names, image_shape or square, source)
