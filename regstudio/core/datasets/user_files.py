"""A user's own data file: .npz, .csv (maybe gzipped), or an IDX pair (images file plus its labels file)."""

from __future__ import annotations

from pathlib import Path

from ..errors import DatasetError
from .readers import NpzArchive, read_csv, read_idx
from .split import DatasetSplit, from_arrays
from .streams import checked_file, describe_bytes

# Array names accepted inside an .npz, in order of preference.
NPZ_LAYOUTS = (("x_train", "y_train", "x_test", "y_test"), ("x", "y"), ("images", "labels"),
               ("X", "y"))
CSV_SUFFIXES = (".csv", ".txt", ".csv.gz", ".txt.gz")


def _idx_labels_for(images: Path) -> Path:
    name = images.name.replace("images", "labels").replace("idx3", "idx1")
    labels = images.with_name(name)
    if name == images.name or not labels.is_file():
        raise DatasetError(f"{images.name}: an IDX images file needs its labels beside it, named "
                           f"like {name if name != images.name else 'train-labels-idx1-ubyte.gz'}")
    return labels


def load_file(path: str | Path, seed: int = 0) -> DatasetSplit:
    """The split of one file; every way it can be wrong is a DatasetError naming it."""
    path = Path(path).expanduser()
    size = checked_file(path)
    try:
        return _load(path, seed)
    except MemoryError:
        # A file that is well-formed but too big for this computer, or one whose sizes lie
        # in a way no check caught: either way the file is the cause, not the model.
        raise DatasetError(f"{path.name}: not enough memory to load this {describe_bytes(size)} file; "
                           "use a smaller file, or close other programs") from None


def _load(path: Path, seed: int) -> DatasetSplit:
    label = f"file {path.name}"
    suffix = "".join(path.suffixes[-2:]).lower()
    if suffix.endswith(".npz"):
        with NpzArchive(path) as archive:
            layout = next((keys for keys in NPZ_LAYOUTS if all(k in archive.headers for k in keys)), None)
            if layout is None:
                raise DatasetError(f"{path.name}: holds arrays {sorted(archive.headers)}; expected x_train, "
                                   "y_train, x_test, y_test, or just x and y")
            arrays = archive.read(layout, narrow=layout[0::2])  # only these are decoded
        parts = [arrays.pop(key) for key in layout] + [None] * (4 - len(layout))
        return from_arrays(label, *parts, source=str(path), seed=seed, owned=True)
    if suffix.endswith(CSV_SUFFIXES):
        x, y, names = read_csv(path)
        return from_arrays(label, x, y, None, None, source=str(path), class_names=names, seed=seed, owned=True)
    images = read_idx(path)
    labels = read_idx(_idx_labels_for(path))
    return from_arrays(label, images, labels, None, None, source=str(path), seed=seed, owned=True)
