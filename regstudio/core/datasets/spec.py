"""Which data a run trains on, named so that runs stay comparable and files can carry it."""

from __future__ import annotations

from dataclasses import dataclass

from ..checks import collect, int_in, one_of, real_in
from ..errors import Problem

# Stored as a name so runs stay comparable; the catalog in datasets/ says which exist.
SYNTHETIC = ("moons", "circles", "spirals", "xor", "blobs")
BUILTIN_DATASETS = ("mnist-5k", "mnist", "fashion-mnist", *SYNTHETIC)
FILE_DATASET = "file"


@dataclass(frozen=True)
class DataSpec:
    """Which dataset, and the knobs that provoke overfitting on purpose."""

    dataset: str = "mnist-5k"
    train_size: int | None = None  # None: all training examples
    label_noise: float = 0.0  # share of training labels replaced by a wrong class
    path: str | None = None  # for dataset == "file"
    samples: int = 1000  # synthetic sets only
    noise: float = 0.2  # synthetic sets only: spread of the points
    seed: int = 0  # subsampling, label noise and synthetic points; separate from training

    def problems(self, where: str = "data") -> list[Problem]:
        found = collect(
            one_of(f"{where}.dataset", self.dataset, (*BUILTIN_DATASETS, FILE_DATASET)),
            real_in(f"{where}.label_noise", self.label_noise, 0.0, 0.9,
                    allowed="a share in [0, 0.9]: the part of training labels made wrong"),
            int_in(f"{where}.samples", self.samples, 20, 200_000),
            real_in(f"{where}.noise", self.noise, 0.0, 5.0),
            int_in(f"{where}.seed", self.seed, 0, 2**31 - 1),
        )
        if self.train_size is not None:
            found += collect(int_in(f"{where}.train_size", self.train_size, 10, 10_000_000))
        if self.dataset == FILE_DATASET and not (isinstance(self.path, str) and self.path.strip()):
            found.append(Problem(f"{where}.path", self.path, "the path of an .npz, .csv or IDX file"))
        return found
