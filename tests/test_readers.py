"""Every reader with good and with broken or hostile files."""

import gzip
import io
import struct
import zipfile

import numpy as np
import pytest

from regstudio.core.datasets import load
from regstudio.core.datasets.readers import read_csv, read_idx, read_npz
from regstudio.core.datasets.spec import DataSpec
from regstudio.core.errors import DatasetError


def idx_bytes(array: np.ndarray, code: int = 0x08) -> bytes:
    head = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return head + array.astype(array.dtype.newbyteorder(">")).tobytes()


@pytest.fixture
def images():
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (30, 28, 28), dtype=np.uint8)


@pytest.mark.parametrize("gz", [False, True])
def test_idx_raw_and_gzipped(tmp_path, images, gz):
    path = tmp_path / ("a.idx.gz" if gz else "a.idx")
    data = idx_bytes(images)
    path.write_bytes(gzip.compress(data) if gz else data)
    assert np.array_equal(read_idx(path), images)


def test_idx_float_type(tmp_path):
    values = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
    (tmp_path / "f.idx").write_bytes(idx_bytes(values, 0x0D))
    assert np.array_equal(read_idx(tmp_path / "f.idx"), values)


def test_idx_truncated(tmp_path, images):
    (tmp_path / "t.idx").write_bytes(idx_bytes(images)[:-10])
    with pytest.raises(DatasetError, match="truncated"):
        read_idx(tmp_path / "t.idx")


def test_idx_truncated_gzip(tmp_path, images):
    (tmp_path / "t.gz").write_bytes(gzip.compress(idx_bytes(images))[:-30])
    with pytest.raises(DatasetError):
        read_idx(tmp_path / "t.gz")


def test_idx_bad_magic(tmp_path):
    (tmp_path / "x.idx").write_bytes(b"PK\x03\x04 not idx at all")
    with pytest.raises(DatasetError, match="not an IDX file"):
        read_idx(tmp_path / "x.idx")


def test_idx_huge_header_is_refused_before_reading(tmp_path):
    (tmp_path / "huge.idx").write_bytes(bytes([0, 0, 0x08, 3]) + struct.pack(">3I", 60000, 5000, 5000))
    with pytest.raises(DatasetError, match="refused"):
        read_idx(tmp_path / "huge.idx")


def test_idx_pair_imported_as_a_dataset(tmp_path, images):
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx_bytes(images)))
    labels = (np.arange(30) % 3).astype(np.uint8)
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(labels)))
    split = load(DataSpec("file", path=str(tmp_path / "train-images-idx3-ubyte.gz")))
    assert split.n_features == 784 and split.image_shape == (28, 28) and split.n_classes == 3


def test_idx_images_without_labels(tmp_path, images):
    (tmp_path / "my-images.idx").write_bytes(idx_bytes(images))
    with pytest.raises(DatasetError, match="needs its labels"):
        load(DataSpec("file", path=str(tmp_path / "my-images.idx")))


# .npz ----------------------------------------------------------------------------------

def test_npz_good_with_and_without_test_arrays(tmp_path, images):
    labels = np.arange(30) % 3
    np.savez(tmp_path / "full.npz", x_train=images, y_train=labels, x_test=images[:9], y_test=labels[:9])
    np.savez(tmp_path / "xy.npz", x=images.reshape(30, -1), y=labels)
    full = load(DataSpec("file", path=str(tmp_path / "full.npz")))
    assert len(full.y_train) == 30 and len(full.y_test) == 9
    xy = load(DataSpec("file", path=str(tmp_path / "xy.npz")))
    assert len(xy.y_train) + len(xy.y_test) == 30 and xy.image_shape == (28, 28)


def test_npz_with_pickled_objects_is_refused(tmp_path):
    objects = np.array([{"evil": 1}, None], dtype=object)
    np.savez(tmp_path / "p.npz", x=objects, y=np.array([0, 1]))
    with pytest.raises(DatasetError, match="never unpickles"):
        read_npz(tmp_path / "p.npz")


def test_npz_huge_header_is_refused_before_allocating(tmp_path):
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False,
                                                  "shape": (100000, 100000)})
    with zipfile.ZipFile(tmp_path / "huge.npz", "w") as zf:
        zf.writestr("x.npy", b"\x93NUMPY\x01\x00" + header.getvalue()[8:] + b"\0" * 64)
    with pytest.raises(DatasetError, match="refused"):
        read_npz(tmp_path / "huge.npz")


def test_npz_truncated_member(tmp_path):
    buffer = io.BytesIO()
    np.save(buffer, np.zeros((100, 10)))
    with zipfile.ZipFile(tmp_path / "short.npz", "w") as zf:
        zf.writestr("x.npy", buffer.getvalue()[:-400])
    with pytest.raises(DatasetError, match="truncated"):
        read_npz(tmp_path / "short.npz")


def test_npz_not_a_zip(tmp_path):
    (tmp_path / "bad.npz").write_text("hello")
    with pytest.raises(DatasetError, match=r"not a readable \.npz"):
        read_npz(tmp_path / "bad.npz")


@pytest.mark.parametrize("x, y, message", [
    (np.zeros((10, 4)), np.zeros(9), "9 labels for 10 examples"),
    (np.full((10, 4), np.nan), np.arange(10) % 2, "NaN or infinity"),
    (np.zeros((10, 4)), np.full(10, 0.5), "whole numbers"),
    (np.zeros((10, 4)), -np.ones(10), "allowed are 0 to 999"),
    (np.zeros((10, 4)), np.zeros(10), "single class"),
    (np.zeros((10,)), np.arange(10) % 2, "expected \\(examples, features\\)"),
    (np.array(["a"] * 10), np.arange(10) % 2, "numbers are needed"),
])
def test_npz_content_checks(tmp_path, x, y, message):
    np.savez(tmp_path / "d.npz", x=x, y=y)
    with pytest.raises(DatasetError, match=message):
        load(DataSpec("file", path=str(tmp_path / "d.npz")))


def test_npz_without_known_array_names(tmp_path):
    np.savez(tmp_path / "d.npz", features=np.zeros((4, 2)))
    with pytest.raises(DatasetError, match="expected x_train"):
        load(DataSpec("file", path=str(tmp_path / "d.npz")))


# CSV -----------------------------------------------------------------------------------

def test_csv_with_a_label_header_anywhere(tmp_path):
    (tmp_path / "d.csv").write_text("a,label,b\n" + "".join(f"{i},{i % 2},{i * 2}\n" for i in range(20)))
    x, y, names = read_csv(tmp_path / "d.csv")
    assert x.shape == (20, 2) and y.tolist() == [i % 2 for i in range(20)] and names is None
    assert x[3].tolist() == [3.0, 6.0]


def test_csv_without_header_uses_the_last_column_and_words_become_classes(tmp_path):
    (tmp_path / "d.csv").write_text("".join(f"{i},{i / 2},{'cat' if i % 2 else 'dog'}\n" for i in range(20)))
    _, y, names = read_csv(tmp_path / "d.csv")
    assert names == ("cat", "dog") and y[:2].tolist() == [1, 0]
    split = load(DataSpec("file", path=str(tmp_path / "d.csv")))
    assert split.class_names == ("cat", "dog") and len(split.y_train) == 16


@pytest.mark.parametrize("text, message", [
    ("1,2,0\n3,4\n5,6,1\n", "line 2: 2 values"),
    ("1,2,0\n3,x,1\n5,6,1\n", "line 2: 'x' is not a number"),
    ("1,2,0\n3,nan,1\n5,6,1\n", "line 2: NaN"),
    ("1,2,0.5\n3,4,1\n", "fractions"),
    ("", "empty"),
])
def test_csv_problems_name_the_line(tmp_path, text, message):
    (tmp_path / "d.csv").write_text(text)
    with pytest.raises(DatasetError, match=message):
        read_csv(tmp_path / "d.csv")


def test_missing_file():
    with pytest.raises(DatasetError, match="no such file"):
        load(DataSpec("file", path="/nowhere/data.csv"))
