"""A user's own data file: .npz, .csv, or an IDX pair (images file plus its labels file)."""

from __future__ import annotations

from pathlib import Path

from ..errors import DatasetError
from .readers import read_csv, read_idx, read_npz
from .split import DatasetSplit, from_arrays

# Array names accepted inside an .npz, in order of preference.
NPZ_LAYOUTS = (("x_train", "y_train", "x_test", "y_test"), ("x", "y"), ("images", "labels"),
               ("X", "y"))


def _idx_labels_for(images: Path) -> Path:
    name = images.name.replace("images", "labels").replace("idx3", "idx1")
    labels = images.with_name(name)
    if name == images.name or not labels.is_file():
        raise DatasetError(f"{images.name}: an IDX images file needs its labels beside it, named "
                           f"like {name if name != images.name else 'train-labels-idx1-ubyte.gz'}")
    return labels


def load_file(path: str | Path, seed: int = 0) -> DatasetSplit:
    path = Path(path).expanduser()
    if not path.is_file():
        raise DatasetError(f"data.path = {str(path)!r}: no such file")
    label = f"file {path.name}"
    suffix = "".join(path.suffixes[-2:]).lower()
    if suffix.endswith(".npz"):
        arrays = read_npz(path)
        for layout in NPZ_LAYOUTS:
            if all(key in arrays for key in layout):
                parts = [arrays[key] for key in layout] + [None] * (4 - len(layout))
                return from_arrays(label, *parts, source=str(path), seed=seed)
        raise DatasetError(f"{path.name}: holds arrays {sorted(arrays)}; expected x_train, y_train, "
                           "x_test, y_test, or just x and y")
    if suffix.endswith((".csv", ".txt", ".csv.gz")):
        x, y, names = read_csv(path)
        return from_arrays(label, x, y, None, None, source=str(path), class_names=names, seed=seed)
    images = read_idx(path)
    labels = read_idx(_idx_labels_for(path))
    return from_arrays(label, images, labels, None, None, source=str(path), seed=seed)
