"""Peak memory of loading, measured in a fresh process: at most 3x the arrays handed to training.

Each file is loaded by bench/load_memory.py's child, which resets its high-water mark after
its imports and reports how far resident memory rose while loading. The fast cases are
small enough for CI; the issue's own sizes (0.5 GB .npz, 200 MB CSV) are marked slow.
"""

import importlib.util
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "load_memory.py"
spec = importlib.util.spec_from_file_location("load_memory", BENCH)
load_memory = importlib.util.module_from_spec(spec)
spec.loader.exec_module(load_memory)

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
TARGET = 3.0


def rise(path):
    m = load_memory.measure(path)
    return m["peak"] - m["base"], m["decoded"]


def test_uint8_images_npz(tmp_path):
    path = load_memory.make_npz(tmp_path, 40)  # 40 MB of pixels, 160 MB of float32
    used, decoded = rise(path)
    assert used <= TARGET * decoded, f"{used / decoded:.2f}x"
    assert used <= 1.8 * decoded, f"{used / decoded:.2f}x: more than one copy beside the source"


def test_float64_npz_with_a_test_set_is_narrowed_while_read(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "f64.npz"
    np.savez(path, x_train=rng.normal(size=(40_000, 200)), y_train=np.arange(40_000) % 10,
             x_test=rng.normal(size=(10_000, 200)), y_test=np.arange(10_000) % 10)
    used, decoded = rise(path)  # 80 MB stored as float64, 40 MB decoded
    assert used <= TARGET * decoded, f"{used / decoded:.2f}x"


def test_csv(tmp_path):
    path = load_memory.make_csv(tmp_path, 30)
    used, decoded = rise(path)
    assert used <= TARGET * decoded, f"{used / decoded:.2f}x"


def test_unused_member_is_not_decoded(tmp_path):
    path = tmp_path / "padded.npz"
    x = np.zeros((1000, 10), np.float32)
    x[:, 0] = np.arange(1000)
    np.savez(path, x=x, y=np.arange(1000) % 2)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf, zf.open("unused.npy", "w", force_zip64=True) as f:
        np.lib.format.write_array_header_1_0(f, {"descr": "|u1", "fortran_order": False, "shape": (300 << 20,)})
        for _ in range(300):
            f.write(bytes(1 << 20))  # 300 MB of zeros, a few hundred kB compressed
    used, decoded = rise(path)
    assert used < 40 << 20, f"{used / 2**20:.0f} MiB for a {decoded / 2**10:.0f} KiB dataset"


@pytest.mark.slow
def test_issue_sizes_half_a_gigabyte_npz(tmp_path):
    used, decoded = rise(load_memory.make_npz(tmp_path, 500))
    assert used <= TARGET * decoded, f"{used / decoded:.2f}x"


@pytest.mark.slow
def test_issue_sizes_200_mb_csv(tmp_path):
    used, decoded = rise(load_memory.make_csv(tmp_path, 200))
    assert used <= TARGET * decoded, f"{used / decoded:.2f}x"
