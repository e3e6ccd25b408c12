"""Every reader with good and with broken or hostile files."""

import gzip
import io
import struct
import warnings
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


NOT_IDX = "not an IDX file (the first 4 bytes must be 0, 0, a type code and a rank from 1 to 4)"


@pytest.mark.parametrize("data, message", [
    (bytes([0, 0]), NOT_IDX),
    (bytes([1, 0, 0x08, 1, 0, 0, 0, 1, 5]), NOT_IDX),  # wrong first bytes
    (bytes([0, 0, 0x07, 1, 0, 0, 0, 1, 5]), NOT_IDX),  # no such type
    (bytes([0, 0, 0x08, 5]) + struct.pack(">5I", 1, 1, 1, 1, 1) + b"\0", NOT_IDX),  # rank 5
    (bytes([0, 0, 0x08, 2, 0, 0, 0]), "the file ends inside its header"),
])
def test_idx_headers_that_are_not_idx_word_for_word(tmp_path, data, message):
    (tmp_path / "x.idx").write_bytes(data)
    with pytest.raises(DatasetError) as refused:
        read_idx(tmp_path / "x.idx")
    assert str(refused.value) == f"x.idx: {message}"


def test_idx_of_rank_4_holding_exactly_the_limit_is_read_and_any_byte_more_is_refused(tmp_path):
    head = bytes([0, 0, 0x08, 4]) + struct.pack(">4I", 2, 2, 2, 2)  # 16 values of one byte
    (tmp_path / "x.idx").write_bytes(head + bytes(range(16)))
    assert read_idx(tmp_path / "x.idx", max_bytes=16).ravel().tolist() == list(range(16))
    (tmp_path / "x.idx").write_bytes(head + bytes(17))
    with pytest.raises(DatasetError) as refused:
        read_idx(tmp_path / "x.idx", max_bytes=16)
    assert str(refused.value) == "x.idx: more data than the header's shape (2, 2, 2, 2) describes"
    (tmp_path / "x.idx").write_bytes(head + bytes(18))  # refused by its size, before reading
    with pytest.raises(DatasetError) as refused:
        read_idx(tmp_path / "x.idx", max_bytes=16)
    assert str(refused.value) == "x.idx: 38 bytes; files up to 37 bytes are read"


def test_idx_claims_count_every_byte_of_a_value_and_an_empty_axis_as_one(tmp_path):
    (tmp_path / "i.idx").write_bytes(bytes([0, 0, 0x0C, 1]) + struct.pack(">I", 5) + struct.pack(">5i", *range(5)))
    assert read_idx(tmp_path / "i.idx", max_bytes=20).tolist() == list(range(5))  # 5 four-byte values: 20 bytes
    with pytest.raises(DatasetError) as refused:
        read_idx(tmp_path / "i.idx", max_bytes=19)
    assert str(refused.value) == ("i.idx: the header claims an array of shape (5,) (20 bytes); refused, the limit is "
                                  "19 bytes")
    (tmp_path / "e.idx").write_bytes(bytes([0, 0, 0x08, 2]) + struct.pack(">2I", 0, 10))
    assert read_idx(tmp_path / "e.idx", max_bytes=10).shape == (0, 10)
    with pytest.raises(DatasetError, match="refused, the limit is 9 bytes"):
        read_idx(tmp_path / "e.idx", max_bytes=9)


@pytest.mark.parametrize("code, dtype", [(0x0B, np.int16), (0x0C, np.int32), (0x0D, np.float32), (0x0E, np.float64)])
def test_idx_values_of_several_bytes_come_back_in_this_machines_byte_order(tmp_path, code, dtype):
    values = np.array([[-3, 2], [1, 300]], dtype=dtype)
    (tmp_path / "v.idx").write_bytes(idx_bytes(values, code))
    array = read_idx(tmp_path / "v.idx")
    assert array.dtype == dtype and array.tolist() == values.tolist()


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


@pytest.mark.parametrize("images_name, labels_name", [("my-images.idx", "my-labels.idx"),
                                                      ("set-idx3-ubyte", "set-idx1-ubyte"),
                                                      ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")])
def test_idx_labels_are_found_beside_the_images_by_their_name(tmp_path, images, images_name, labels_name):
    (tmp_path / images_name).write_bytes(idx_bytes(images))
    (tmp_path / labels_name).write_bytes(idx_bytes((np.arange(30) % 3).astype(np.uint8)))
    split = load(DataSpec("file", path=str(tmp_path / images_name)))
    assert np.bincount(np.concatenate([split.y_train, split.y_test])).tolist() == [10, 10, 10]


@pytest.mark.parametrize("images_name, named_like", [("my-images.idx", "my-labels.idx"),
                                                     ("digits.idx", "train-labels-idx1-ubyte.gz")])
def test_idx_images_without_labels_say_how_the_labels_file_is_named(tmp_path, images, images_name, named_like):
    (tmp_path / images_name).write_bytes(idx_bytes(images))
    with pytest.raises(DatasetError) as refused:
        load(DataSpec("file", path=str(tmp_path / images_name)))
    assert str(refused.value) == (f"{images_name}: an IDX images file needs its labels beside it, named like "
                                  f"{named_like}")


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


X10 = np.arange(40.0).reshape(10, 4)
Y10 = np.arange(10) % 2
WITH_NAN = np.where(np.arange(40).reshape(10, 4) == 13, np.nan, X10)  # example 3
NOT_FINITE = ("holds NaN or infinity (or a number beyond ±3.4e+38, too large for 32-bit floats); every value must be "
              "finite")


@pytest.mark.parametrize("arrays, message", [
    ({"x": np.zeros(10), "y": Y10}, "file d.npz training inputs: shape (10,); expected (examples, features) or "
                                    "(examples, height, width) with no empty axis"),
    ({"x": X10, "y": np.zeros((10, 2))}, "file d.npz training labels: shape (10, 2); expected one label per example"),
    ({"x": X10, "y": Y10[:9]}, "file d.npz training labels: 9 labels for 10 examples; the counts must match"),
    ({"x": X10, "y": np.array(list("ababababab"))},
     "file d.npz training labels: labels are of type <U1; expected whole numbers"),
    ({"x": X10, "y": np.r_[Y10[:9], np.inf]}, "file d.npz training labels: labels must be whole numbers, like 0, 1, 2"),
    ({"x": X10, "y": np.r_[Y10[:9], 1000]},
     "file d.npz training labels: labels range from 0 to 1000; allowed are 0 to 999"),
    ({"x": WITH_NAN, "y": Y10}, f"file d.npz inputs: example 3 {NOT_FINITE}"),
    ({"x_train": X10, "y_train": Y10, "x_test": np.zeros(4), "y_test": Y10[:4]},
     "file d.npz test inputs: shape (4,); expected (examples, features) or (examples, height, width) with no empty "
     "axis"),
    ({"x_train": X10, "y_train": Y10, "x_test": np.zeros((4, 3)), "y_test": Y10[:4]},
     "file d.npz: test examples have 3 features, training examples 4; they must match"),
    ({"x_train": WITH_NAN, "y_train": Y10, "x_test": X10[:4], "y_test": Y10[:4]},
     f"file d.npz training inputs: example 3 {NOT_FINITE}"),
    ({"x_train": X10, "y_train": Y10, "x_test": WITH_NAN[2:6], "y_test": Y10[:4]},
     f"file d.npz test inputs: example 1 {NOT_FINITE}"),
])
def test_npz_content_refusals_word_for_word(tmp_path, arrays, message):
    np.savez(tmp_path / "d.npz", **arrays)
    with pytest.raises(DatasetError) as refused:
        load(DataSpec("file", path=str(tmp_path / "d.npz")))
    assert str(refused.value) == message


@pytest.mark.parametrize("labels", [Y10[:, None], Y10.astype(np.float64), Y10.astype(np.uint8)])
def test_npz_labels_as_a_column_or_as_whole_floats_become_int64_classes(tmp_path, labels):
    np.savez(tmp_path / "d.npz", x=X10, y=labels)
    split = load(DataSpec("file", path=str(tmp_path / "d.npz")))
    assert split.y_train.dtype == np.int64 and split.y_test.dtype == np.int64 and split.class_names == ("0", "1")
    assert sorted(np.concatenate([split.y_train, split.y_test]).tolist()) == [0] * 5 + [1] * 5


def test_npz_classes_seen_only_in_the_test_labels_count_too(tmp_path):
    np.savez(tmp_path / "d.npz", x_train=X10, y_train=Y10, x_test=X10[:4], y_test=np.array([0, 1, 2, 0]))
    split = load(DataSpec("file", path=str(tmp_path / "d.npz")))
    assert split.n_classes == 3 and split.class_names == ("0", "1", "2") and split.y_test.tolist() == [0, 1, 2, 0]


def test_npz_rows_of_pixels_with_a_test_set_are_seen_as_square_images(tmp_path):
    x = np.arange(640).reshape(10, 64).astype(np.uint8)
    np.savez(tmp_path / "d.npz", x_train=x, y_train=Y10, x_test=x[:4], y_test=Y10[:4])
    split = load(DataSpec("file", path=str(tmp_path / "d.npz")))
    assert split.image_shape == (8, 8) and split.name == "file d.npz" and split.source == str(tmp_path / "d.npz")
    assert np.allclose(split.x_test, x[:4] / 255)


def ramp(low, high, width, dtype, n=10):
    """n rows of `width` values spread from low to high (both reached), as dtype."""
    return np.linspace(low, high, n * width).reshape(n, width).round().astype(dtype)


FRACTIONS = np.linspace(0, 255, 640).reshape(10, 64)  # 0 to 255 with fractions in between
BINARY = np.arange(640).reshape(10, 64) % 2


@pytest.mark.parametrize("x, scaled, image_shape", [
    (ramp(0, 255, 64, np.uint8), True, (8, 8)),
    (ramp(0, 255, 10, np.uint8), True, None),  # bytes are pixels whatever their number
    (ramp(0, 255, 49, np.uint8), True, (7, 7)),
    (ramp(0, 255, 64, np.int32), True, (8, 8)),  # whole numbers 0..255 in a square of at least 8 x 8
    (ramp(0, 255, 64, np.float64), True, (8, 8)),
    (ramp(0, 2, 64, np.int32), True, (8, 8)),
    (BINARY.astype(np.int32), False, None),  # 0 and 1 only: not pixels
    (FRACTIONS, False, None),
    (ramp(0, 256, 64, np.int32), False, None),
    (ramp(0, 1000, 64, np.int32), False, None),
    (ramp(-5, 200, 64, np.int32), False, None),
    (ramp(0, 255, 49, np.int32), False, None),  # 7 x 7: too small to be an image
    (ramp(0, 3, 4, np.float64), False, None),
    (ramp(0, 9, 2, np.int64), False, None),
    (ramp(0, 9, 1, np.float64), False, None),
    (ramp(0, 255, 35, np.uint8).reshape(10, 5, 7), True, (5, 7)),
    (ramp(0, 255, 64, np.uint8).reshape(10, 8, 8, 1), True, (8, 8)),
])
def test_npz_features_are_scaled_as_pixels_only_when_they_look_like_pixels(tmp_path, x, scaled, image_shape):
    np.savez(tmp_path / "d.npz", x=x, y=np.arange(10) % 2)
    split = load(DataSpec("file", path=str(tmp_path / "d.npz")))
    expected = x.reshape(10, -1).astype(np.float32) / (np.float32(255) if scaled else np.float32(1))
    values = np.concatenate([split.x_train, split.x_test])
    assert split.image_shape == image_shape and values.dtype == np.float32 and values.shape == expected.shape
    assert np.allclose(np.sort(values.ravel()), np.sort(expected.ravel()), rtol=1e-6, atol=0)


def test_npz_features_are_converted_chunk_by_chunk_and_judged_on_all_chunks(tmp_path, monkeypatch):
    from regstudio.core.datasets import features

    monkeypatch.setattr(features, "CHUNK_VALUES", 128)  # two rows of 64 per chunk
    pixels = ramp(0, 255, 64, np.uint8)
    mixed = ramp(0, 255, 64, np.float64)
    mixed[:2] += 0.5  # fractions in the first chunk only: not pixels
    for x, expected in ((pixels, pixels / np.float32(255)), (mixed, mixed)):
        np.savez(tmp_path / "d.npz", x_train=x, y_train=np.arange(10) % 2, x_test=x[:3], y_test=np.arange(3) % 2)
        split = load(DataSpec("file", path=str(tmp_path / "d.npz")))
        assert np.allclose(split.x_train, expected, rtol=1e-6, atol=0)
    x = ramp(0, 40, 4, np.float64)
    x[7, 2] = np.nan
    monkeypatch.setattr(features, "CHUNK_VALUES", 8)  # two rows of 4 per chunk: row 7 is in the fourth
    for arrays, where in (({"x": x, "y": np.arange(10) % 2}, "inputs"),
                          ({"x_train": x, "y_train": np.arange(10) % 2, "x_test": x[:3], "y_test": np.arange(3) % 2},
                           "training inputs")):
        np.savez(tmp_path / "d.npz", **arrays)
        with pytest.raises(DatasetError) as refused:
            load(DataSpec("file", path=str(tmp_path / "d.npz")))
        assert str(refused.value) == f"file d.npz {where}: example 7 {NOT_FINITE}"


def test_npz_feature_shape_and_type_refusals_word_for_word(tmp_path):
    for x, message in ((np.zeros((10, 0)), "shape (10, 0); expected (examples, features) or (examples, height, width) "
                                           "with no empty axis"),
                       (np.array([list("abcd")] * 10), "values are of type <U1, but numbers are needed")):
        np.savez(tmp_path / "d.npz", x=x, y=np.arange(10) % 2)
        with pytest.raises(DatasetError) as refused:
            load(DataSpec("file", path=str(tmp_path / "d.npz")))
        assert str(refused.value) == f"file d.npz training inputs: {message}"


def test_npz_test_set_of_a_single_example_is_kept(tmp_path):
    np.savez(tmp_path / "d.npz", x_train=X10, y_train=Y10, x_test=X10[3:4], y_test=Y10[3:4])
    split = load(DataSpec("file", path=str(tmp_path / "d.npz")))
    assert split.x_test.tolist() == [[12, 13, 14, 15]] and split.y_test.tolist() == [1]


def test_idx_float64_features_too_large_for_float32_are_refused_in_words_only(tmp_path):
    images = np.ones((10, 3, 3))
    images[4, 1, 1] = 1e300
    (tmp_path / "f-images.idx").write_bytes(idx_bytes(images, 0x0E))
    (tmp_path / "f-labels.idx").write_bytes(idx_bytes((np.arange(10) % 2).astype(np.uint8)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy overflow warning besides the sentence
        with pytest.raises(DatasetError, match=r"^file f-images\.idx inputs: example 4 holds NaN or infinity"):
            load(DataSpec("file", path=str(tmp_path / "f-images.idx")))


def test_npz_without_known_array_names(tmp_path):
    np.savez(tmp_path / "d.npz", features=np.zeros((4, 2)), labels=np.zeros(4))
    with pytest.raises(DatasetError) as refused:
        load(DataSpec("file", path=str(tmp_path / "d.npz")))
    assert str(refused.value) == ("d.npz: holds arrays ['features', 'labels']; expected x_train, y_train, x_test, "
                                  "y_test, or just x and y")


@pytest.mark.parametrize("arrays, which", [({"x": np.zeros((6, 2))}, "training"),
                                           ({"x_train": np.zeros((6, 2)), "y_train": np.arange(6) % 2,
                                             "x_test": np.zeros((6, 2))}, "test")])
def test_npz_labels_too_large_even_for_float32_are_named_with_their_value(tmp_path, arrays, which):
    huge = np.array([0, 1, 0, 1, 0, 1e39])
    np.savez(tmp_path / "d.npz", **arrays, **{"y" if "x" in arrays else "y_test": huge})
    with pytest.raises(DatasetError) as refused:
        load(DataSpec("file", path=str(tmp_path / "d.npz")))
    assert str(refused.value) == f"file d.npz {which} labels: labels range from 0 to 1e+39; allowed are 0 to 999"


def write_forty_rows(path):
    """The same 40 examples of 2 features and 2 classes as .npz, .csv or an IDX pair; the file to load."""
    x = np.arange(80, dtype=np.uint8).reshape(40, 2)
    y = np.arange(40, dtype=np.uint8) % 2
    if path.suffix == ".npz":
        np.savez(path, x=x, y=y)
    elif path.suffix == ".csv":
        path.write_text("".join(f"{a},{b},{c}\n" for (a, b), c in zip(x, y, strict=True)))
    else:
        path.write_bytes(idx_bytes(x))
        path.with_name(path.name.replace("images", "labels")).write_bytes(idx_bytes(y))
    return path


@pytest.mark.parametrize("name", ["d.npz", "d.csv", "d-images.idx"])
def test_a_file_split_is_named_after_the_file_and_its_seed_decides_the_held_out_rows(tmp_path, name):
    path = write_forty_rows(tmp_path / name)
    first = load(DataSpec("file", path=str(path), seed=1))
    assert first.name == f"file {name}" and first.source == str(path) and len(first.y_test) == 8
    again = load(DataSpec("file", path=str(path), seed=1))
    assert np.array_equal(first.x_test, again.x_test) and np.array_equal(first.x_train, again.x_train)
    other = load(DataSpec("file", path=str(path), seed=2))
    assert sorted(first.x_test[:, 0].tolist()) != sorted(other.x_test[:, 0].tolist())


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
