"""Per-layer weight statistics: a histogram on fixed bins plus norms and sparsity.

Bins are fixed by the layer's shape, not by the weights, so a layer's histogram keeps the
same bins through a run and across runs of the same architecture: that is what lets
students lay L1's spike at zero over L2's narrow bell. The range is four times the
Glorot-uniform limit sqrt(6 / (fan_in + fan_out)), which Keras Dense layers start from,
rounded up to a tidy number. Weights beyond it are counted in the outermost bins and
also reported as `clipped`, so counts always add up to the number of weights.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

N_BINS = 64
SPARSITY_EPSILON = 1e-3  # |w| below this counts as zero: far under any weight that matters


@dataclass(frozen=True)
class HistogramLayout:
    name: str  # "dense/kernel"
    layer: str  # the Keras layer's name
    kind: str  # "kernel" or "bias"
    shape: tuple[int, ...]
    edges: tuple[float, ...]

    @property
    def size(self) -> int:
        return math.prod(self.shape)


@dataclass(frozen=True)
class WeightStats:
    name: str
    counts: tuple[int, ...]
    clipped: int  # weights outside the edges, already counted in the end bins
    l1: float  # Σ|w|
    l2: float  # sqrt(Σw²)
    sparsity: float  # share of |w| < SPARSITY_EPSILON
    mean: float
    std: float
    max_abs: float


def tidy_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is >= value."""
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if step * power >= value * (1 - 1e-12):
            return step * power
    return 10.0 * power  # pragma: no cover (the loop always returns)


def dense_layouts(layer: str, fan_in: int, fan_out: int, n_bins: int = N_BINS) -> list[HistogramLayout]:
    """Layouts for one Dense layer's kernel and bias; both share the kernel's range."""
    reach = tidy_ceiling(4.0 * math.sqrt(6.0 / (fan_in + fan_out)))
    edges = tuple(float(e) for e in np.linspace(-reach, reach, n_bins + 1))
    return [HistogramLayout(f"{layer}/kernel", layer, "kernel", (fan_in, fan_out), edges),
            HistogramLayout(f"{layer}/bias", layer, "bias", (fan_out,), edges)]


def weight_stats(layout: HistogramLayout, values: np.ndarray,
                 epsilon: float = SPARSITY_EPSILON) -> WeightStats:
    w = np.asarray(values, dtype=np.float64).ravel()
    low, high, n_bins = layout.edges[0], layout.edges[-1], len(layout.edges) - 1
    # Uniform bins: an index by arithmetic is several times faster than np.histogram.
    # A diverged run has NaN or infinite weights: they go to the top bin (-inf to the
    # bottom one) and count as clipped, so the counts still add up to the layer's size.
    index = np.nan_to_num(np.floor((w - low) * (n_bins / (high - low))), nan=n_bins,
                          posinf=n_bins, neginf=-1)
    clipped = int(np.count_nonzero(~((w >= low) & (w <= high))))
    counts = np.bincount(np.clip(index, 0, n_bins - 1).astype(np.int64), minlength=n_bins)
    magnitude = np.abs(w)
    return WeightStats(
        name=layout.name,
        counts=tuple(int(c) for c in counts),
        clipped=clipped,
        l1=float(magnitude.sum()),
        l2=float(math.sqrt(float(np.dot(w, w)))),
        sparsity=float(np.count_nonzero(magnitude < epsilon) / w.size) if w.size else 0.0,
        mean=float(w.mean()) if w.size else 0.0,
        std=float(w.std()) if w.size else 0.0,
        max_abs=float(magnitude.max()) if w.size else 0.0,
    )
