"""Small 2-D problems made with numpy, where overfitting can be seen as a wiggly boundary."""

from __future__ import annotations

import numpy as np

from .split import TEST_SHARE, DatasetSplit, split_train_test


def _moons(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    half = n // 2
    t = rng.uniform(0, np.pi, n)
    upper = np.c_[np.cos(t[:half]), np.sin(t[:half])]
    lower = np.c_[1 - np.cos(t[half:]), 0.5 - np.sin(t[half:])]
    return np.r_[upper, lower], np.r_[np.zeros(half), np.ones(n - half)]


def _circles(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    y = np.arange(n) % 2
    t = rng.uniform(0, 2 * np.pi, n)
    radius = np.where(y == 0, 1.0, 0.5)
    return np.c_[radius * np.cos(t), radius * np.sin(t)], y


def _spirals(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    y = np.arange(n) % 2
    t = rng.uniform(0.25, 1.0, n) * 3 * np.pi  # one and a half turns per arm
    angle = t + np.pi * y
    return np.c_[t * np.cos(angle), t * np.sin(angle)] / (3 * np.pi), y


def _xor(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    points = rng.uniform(-1, 1, (n, 2))
    return points, (points[:, 0] * points[:, 1] < 0).astype(int)


def _blobs(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    y = np.arange(n) % 3
    centers = np.array([[-1.0, -0.6], [1.0, -0.6], [0.0, 1.0]])
    return centers[y] + rng.normal(0, 0.35, (n, 2)), y


MAKERS = {"moons": _moons, "circles": _circles, "spirals": _spirals, "xor": _xor, "blobs": _blobs}
TITLES = {
    "moons": "Two moons (2-D)",
    "circles": "Circle in a ring (2-D)",
    "spirals": "Two spirals (2-D)",
    "xor": "XOR quadrants (2-D)",
    "blobs": "Three Gaussian blobs (2-D)",
}


def make(name: str, samples: int = 1000, noise: float = 0.2, seed: int = 0) -> DatasetSplit:
    """`samples` points with Gaussian jitter of size `noise` (in the figure's units); 20 % test."""
    rng = np.random.default_rng(seed)
    x, y = MAKERS[name](samples, rng)
    x = (x + rng.normal(0, noise * 0.5, x.shape)).astype(np.float32)
    y = y.astype(np.int64)
    classes = tuple(f"class {i}" for i in range(int(y.max()) + 1))
    return split_train_test(name, x, y, classes, TEST_SHARE, seed,
                            source=f"made with numpy: {samples} points, noise {noise:g}, seed {seed}")
