"""Every dataset RegStudio can train on, behind one `load(DataSpec)`."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import DatasetError
from . import standard, synthetic
from .spec import FILE_DATASET, SYNTHETIC, DataSpec
from .split import DatasetSplit, add_label_noise, stratified_indices, subsample_train
from .user_files import load_file

__all__ = ["DatasetInfo", "DatasetSplit", "catalog", "known_shape", "load", "stratified_indices"]

# Inputs and classes of the built-in sets, so a model's size can be shown before loading.
_SHAPES = {"mnist-5k": (784, 10), "mnist": (784, 10), "fashion-mnist": (784, 10), "blobs": (2, 3),
           **{name: (2, 2) for name in SYNTHETIC if name != "blobs"}}


def known_shape(dataset: str) -> tuple[int, int] | None:
    """(features, classes) of a built-in dataset without loading it; None for a user's file."""
    return _SHAPES.get(dataset)


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    title: str
    kind: str  # embedded | standard | synthetic
    available: bool
    where: str  # where it is now, or how to get it


def catalog() -> list[DatasetInfo]:
    """The built-in datasets and whether each can be used right now, offline."""
    infos = [DatasetInfo("mnist-5k", "MNIST digits, 5,000 (embedded)", "embedded", True,
                         "shipped with RegStudio")]
    for name, title in (("mnist", "MNIST digits, 70,000"),
                        ("fashion-mnist", "Fashion-MNIST clothing, 70,000")):
        found = standard.locate(name)
        infos.append(DatasetInfo(name, title, "standard", found is not None,
                                 str(found) if found else standard.how_to_get(name)))
    infos += [DatasetInfo(name, synthetic.TITLES[name], "synthetic", True, "made on the fly")
              for name in SYNTHETIC]
    return infos


def load(spec: DataSpec, allow_download: bool = False) -> DatasetSplit:
    """The split described by `spec`, after the training-size and label-noise knobs.

    Full datasets that are missing are downloaded only with `allow_download`; otherwise the
    error says how to get them.
    """
    problems = spec.problems()
    if problems:
        raise DatasetError("; ".join(str(p) for p in problems))
    if spec.dataset == "mnist-5k":
        split = standard.load_embedded()
    elif spec.dataset in ("mnist", "fashion-mnist"):
        if allow_download and standard.locate(spec.dataset) is None:
            standard.download(spec.dataset)
        split = standard.load_standard(spec.dataset)
    elif spec.dataset in SYNTHETIC:
        split = synthetic.make(spec.dataset, spec.samples, spec.noise, spec.seed)
    elif spec.dataset == FILE_DATASET:
        split = load_file(spec.path or "", seed=spec.seed)
    else:  # unreachable after validation; kept so a new name cannot slip through silently
        raise DatasetError(f"data.dataset = {spec.dataset!r}: unknown dataset")
    if spec.train_size is not None:
        split = subsample_train(split, spec.train_size, spec.seed)
    return add_label_noise(split, spec.label_noise, spec.seed)
