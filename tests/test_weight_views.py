import numpy as np
import pytest

from regstudio.core.training.records import EpochRecord
from regstudio.core.weights.arrays import heat_map, histogram_of, record_at, series, tile_units
from regstudio.core.weights.stats import MAGNITUDE_EDGES, dense_layouts, weight_stats


def fake_epochs(n=3, shape=(784, 16), seed=0):
    rng = np.random.default_rng(seed)
    layout = dense_layouts("dense_1", *shape)[0]
    epochs = []
    for i in range(1, n + 1):
        w = rng.normal(0, 0.02 * i, shape)
        epochs.append(EpochRecord(i, 1.0, 0.5, 0.0, 1.0, 0.5, 0.0, float(i), (weight_stats(layout, w),)))
    return layout, epochs


def test_edges_are_fixed_by_shape_not_by_the_weights():
    a, b = dense_layouts("x", 784, 128), dense_layouts("x", 784, 128)
    assert a == b and a[0].edges[0] == -a[0].edges[-1]
    assert dense_layouts("x", 64, 10)[0].edges != a[0].edges


def test_histogram_at_an_epoch_and_the_zoom():
    layout, epochs = fake_epochs()
    record = record_at(epochs, 2)
    edges, counts = histogram_of(record.stats("dense_1/kernel"), layout)
    assert record.epoch == 2 and list(counts) == list(epochs[1].weights[0].counts)
    assert len(edges) == len(counts) + 1 and counts.sum() == 784 * 16
    zedges, zcounts = histogram_of(record.stats("dense_1/kernel"), layout, zoom=True)
    assert zedges[-1] == pytest.approx(edges[-1] / 16) and 0 < zcounts.sum() < counts.sum()
    assert record_at(epochs, 99).epoch == 3  # a shorter run stays at its last epoch


def test_heat_map_is_epochs_by_bins():
    layout, epochs = fake_epochs(5)
    grid = heat_map(epochs, "dense_1/kernel")
    assert grid.shape == (5, len(layout.edges) - 1)
    assert (grid.sum(axis=1) == 784 * 16).all()


def test_sparsity_for_any_epsilon_on_the_grid_matches_the_weights():
    layout = dense_layouts("d", 784, 128)[0]
    w = np.random.default_rng(3).laplace(0, 0.01, (784, 128))
    stats = weight_stats(layout, w)
    for epsilon in MAGNITUDE_EDGES[1::4]:
        assert stats.sparsity_below(epsilon) == pytest.approx(np.mean(np.abs(w) < epsilon), abs=1e-6)
    _, epochs = fake_epochs()
    assert series(epochs, "dense_1/kernel", "l2").shape == (3,)
    assert series(epochs, "dense_1/kernel", "sparsity")[0] > series(epochs, "dense_1/kernel", "sparsity")[-1]


def test_first_layer_units_tile_as_28x28_images():
    kernel = np.arange(784 * 20, dtype=np.float32).reshape(784, 20)
    grid = tile_units(kernel, (28, 28), columns=8)
    assert grid.shape == (3 * 29 - 1, 8 * 29 - 1)
    assert np.array_equal(grid[:28, :28], kernel[:, 0].reshape(28, 28))
    assert np.array_equal(grid[29:57, 29:57], kernel[:, 9].reshape(28, 28))
    assert np.isnan(grid[28, 0]) and np.isnan(grid[-1, -1])  # gaps, and the empty cells at the end
    with pytest.raises(ValueError, match="784 inputs cannot be drawn as 10x10"):
        tile_units(kernel, (10, 10))


def test_the_norms_take_no_blas_call(monkeypatch):
    # OpenBLAS's threads spin for a while after a long dot product: at each epoch's end
    # they took a core from the training that went on (a fused step a third slower).
    w = np.random.default_rng(0).standard_normal((784, 128)).astype(np.float32)
    layout = dense_layouts("dense", 784, 128)[0]
    expected_l2 = float(np.sqrt(np.sum(w.astype(np.float64) ** 2)))

    def refuse(*args, **kwargs):
        raise AssertionError("weight statistics called BLAS")

    for name in ("dot", "vdot", "inner", "matmul", "tensordot"):
        monkeypatch.setattr(np, name, refuse)
    stats = weight_stats(layout, w)
    assert stats.l2 == pytest.approx(expected_l2, rel=1e-12)
    assert stats.l1 == pytest.approx(float(np.abs(w.astype(np.float64)).sum()), rel=1e-12)
