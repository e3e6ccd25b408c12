"""Generated malformed files, per loader: a DatasetError with a sentence naming the file, or a valid split.

Never another exception: no AttributeError, MemoryError, csv.Error, zipfile or zlib error
may leave a loader. The files are tiny; what a header claims need not be.
"""

import gzip
import io
import struct
import zipfile

import numpy as np
import pytest
from fuzz import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regstudio.core.datasets import DatasetSplit, load
from regstudio.core.datasets.spec import DataSpec
from regstudio.core.errors import DatasetError

SETTINGS = settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def load_or_refuse(path, *partners):
    """The split, or the refusal's message after checking it is one plain sentence about the file.

    `partners` are files read with it (an IDX images file's labels), which the message may name instead.
    """
    try:
        split = load(DataSpec("file", path=str(path)))
    except DatasetError as exc:
        message = str(exc)
        assert message and "\n" not in message and len(message) < 600, message
        assert any(p.name in message for p in (path, *partners)), message
        assert "Traceback" not in message and "Errno" not in message, message
        return message
    assert isinstance(split, DatasetSplit)
    for x in (split.x_train, split.x_test):
        assert x.dtype == np.float32 and x.ndim == 2 and np.isfinite(x).all()
    assert split.n_classes >= 2 and split.y_train.max() < split.n_classes
    return split


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("generated")


# .npz ------------------------------------------------------------------------------------------

DESCRS = ["<f8", "<f4", "|u1", ">i4", "<i8", "|b1", "<c16", "|O", "<U3", "|V4", "<M8[s]", "|S0",
          "[('a', '<i4')]", "bogus", "<f2"]


def npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


@st.composite
def npy_member(draw):
    kind = draw(st.sampled_from(["array", "header", "raw"]))
    if kind == "raw":
        return draw(st.binary(max_size=64))
    if kind == "array":
        n = draw(st.integers(1, 12))
        width = draw(st.integers(1, 5))
        dtype = draw(st.sampled_from(["f8", "f4", "u1", "i8", ">i2", "?"]))
        values = draw(st.lists(st.sampled_from([0, 1, 2, 3, 255, -1, 0.5, np.nan, np.inf, 1e300]),
                               min_size=n * width, max_size=n * width))
        with np.errstate(all="ignore"):
            array = np.array(values).astype(dtype).reshape(n, width)
        if draw(st.booleans()):
            with np.errstate(all="ignore"):
                array = array[:, 0].astype(np.int64) % 3  # a label-like vector
        data = npy_bytes(array)
    else:
        shape = tuple(draw(st.lists(st.sampled_from([0, 1, 3, 10, -2, 10**6, 2**40]), max_size=3)))
        header = {"descr": draw(st.sampled_from(DESCRS)), "fortran_order": draw(st.booleans()), "shape": shape}
        text = draw(st.sampled_from([repr(header).encode(), b"[", b"{'descr': '<f8', 'shape': (3L,)}", b"{",
                                     b"{'descr': '<f8', 'fortran_order': False, 'shape': (2, 'a')}",
                                     b"{'descr': None, 'fortran_order': 1, 'shape': ()}", b"\xff\xfe"])
                     | st.binary(max_size=40))
        text = text.ljust(118) + b"\n"
        data = b"\x93NUMPY" + bytes([draw(st.sampled_from([1, 2, 3, 9])), 0])
        data += struct.pack("<H", len(text)) + text + draw(st.binary(max_size=48))
    mutation = draw(st.sampled_from(["none", "none", "cut", "flip", "append"]))
    if mutation == "cut" and data:
        data = data[: draw(st.integers(0, len(data) - 1))]
    elif mutation == "flip" and data:
        at = draw(st.integers(0, len(data) - 1))
        data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1:]
    elif mutation == "append":
        data += draw(st.binary(min_size=1, max_size=16))
    return data


NAMES = ["x", "x.npy", "y", "y.npy", "x_train.npy", "y_train.npy", "x_test.npy", "y_test.npy", "images.npy",
         "labels.npy", "other", "dir/", "X.npy"]


@st.composite
def good_pair(draw):
    """x and y that make a split, so that the property meets valid files as often as broken ones."""
    n = draw(st.integers(6, 20))
    x = np.arange(n * 3, dtype=draw(st.sampled_from(["f8", "f4", "u1", ">i4"]))).reshape(n, 3)
    y = np.arange(n) % draw(st.integers(2, 3))
    names = draw(st.sampled_from([("x", "y"), ("x.npy", "y.npy"), ("images.npy", "labels.npy")]))
    return {names[0]: npy_bytes(x), names[1]: npy_bytes(y)}


@SETTINGS
@given(good=st.none() | good_pair(), members=st.dictionaries(st.sampled_from(NAMES), npy_member(), max_size=4),
       deflate=st.booleans(), damage=st.none() | st.tuples(st.floats(0, 1), st.integers(0, 255)))
def test_npz_property(folder, good, members, deflate, damage):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED) as zf:
        for name, data in {**(good or {}), **members}.items():
            zf.writestr(name, data)
    data = buffer.getvalue()
    if damage is not None:
        at = int(damage[0] * (len(data) - 1))
        data = data[:at] + bytes([damage[1]]) + data[at + 1:]
    path = folder / "generated.npz"
    path.write_bytes(data)
    load_or_refuse(path)


def test_npz_property_finds_valid_files_too(folder):
    """The generator is not only noise: a plain x/y file makes a split (so the property can pass both ways)."""
    path = folder / "plain.npz"
    np.savez(path, x=np.arange(40.0).reshape(10, 4), y=np.arange(10) % 2)
    assert isinstance(load_or_refuse(path), DatasetSplit)


# CSV -------------------------------------------------------------------------------------------

CELLS = st.one_of(
    st.integers(-3, 300).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["", " ", "cat", "dog", "label", "nan", "inf", "-Infinity", "1e50", '"1"', '"a,b"', '"',
                     '""', "1_0", "0x10", "١", "\x00", "ü", "1;2", "\t3 ", "#", "1" * 140_000]),
    st.text(max_size=6),
)


@st.composite
def csv_text(draw):
    width = draw(st.integers(1, 4))
    ragged = draw(st.booleans())
    rows = draw(st.lists(st.lists(CELLS, min_size=width - ragged, max_size=width + ragged), max_size=4))
    if draw(st.booleans()):  # well-formed rows around them, so that valid files come up too
        good = [[str(i), str(i * 2), draw(st.sampled_from([str(i % 2), "cat" if i % 2 else "dog"]))]
                for i in range(draw(st.integers(2, 8)))]
        at = draw(st.integers(0, len(good)))
        rows = good[:at] + [row[:3] for row in rows if row] + good[at:]
    if draw(st.booleans()):
        rows.insert(0, draw(st.lists(st.sampled_from(["label", "a", "b", "class", "y", "x"]), min_size=1,
                                     max_size=4)))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return newline.join(",".join(row) for row in rows) + draw(st.sampled_from(["", newline]))


@SETTINGS
@given(text=csv_text(), bom=st.booleans(), packing=st.sampled_from(["plain", "plain", "gzip", "cut-gzip", "latin-1"]))
def test_csv_property(folder, text, bom, packing):
    data = ("\ufeff" if bom else "") + text
    raw = data.encode("latin-1", "replace") if packing == "latin-1" else data.encode("utf-8", "surrogatepass")
    if packing.endswith("gzip"):
        raw = gzip.compress(raw)
        if packing == "cut-gzip":
            raw = raw[: len(raw) // 2]
        path = folder / "generated.csv.gz"
    else:
        path = folder / "generated.csv"
    path.write_bytes(raw)
    load_or_refuse(path)


def test_csv_property_finds_valid_files_too(folder):
    path = folder / "plain.csv"
    path.write_text("".join(f"{i},{i * 2},{i % 2}\n" for i in range(10)))
    assert isinstance(load_or_refuse(path), DatasetSplit)


# IDX -------------------------------------------------------------------------------------------

@st.composite
def idx_bytes(draw, rank_hint):
    magic = draw(st.sampled_from([b"\0\0"] * 6 + [b"\1\0", b"PK"]))
    code = draw(st.sampled_from([0x08] * 4 + [0x09, 0x0B, 0x0C, 0x0D, 0x0E, 0x00, 0xFF]))
    rank = draw(st.sampled_from([rank_hint] * 6 + [0, 1, 2, 3, 4, 5]))
    sizes = st.sampled_from([6] * 8 + [0, 1, 2, 3, 10, 2**31, 2**32 - 1])
    dims = draw(st.lists(sizes, min_size=rank, max_size=rank))
    head = magic + bytes([code, rank]) + struct.pack(f">{rank}I", *dims)
    itemsize = {0x08: 1, 0x09: 1, 0x0B: 2, 0x0C: 4, 0x0D: 4, 0x0E: 8}.get(code, 1)
    size = int(np.prod(dims, dtype=object)) * itemsize if dims else 0
    if size <= 4096:
        body = draw(st.binary(min_size=size, max_size=size)) if draw(st.booleans()) else bytes(range(size % 256)) * (
            size // max(1, size % 256)) + bytes(size - (size % 256) * (size // max(1, size % 256)))
        if rank == 1 and code == 0x08:
            body = bytes(i % 3 for i in range(size))  # labels of three classes
        body = body[: len(body) - draw(st.sampled_from([0] * 6 + [1]))] + draw(st.sampled_from([b""] * 6 + [b"\0"]))
    else:
        body = draw(st.binary(max_size=64))
    return (head + body)[: draw(st.sampled_from([None] * 8 + [3, 9]))]


@SETTINGS
@given(images=idx_bytes(3), labels=idx_bytes(1), gz=st.sampled_from(["none", "both", "images", "cut"]))
def test_idx_property(folder, images, labels, gz):
    def pack(data, zipped):
        if not zipped:
            return data
        packed = gzip.compress(data)
        return packed[: len(packed) * 2 // 3] if gz == "cut" else packed

    suffix = "" if gz == "none" else ".gz"
    for stale in folder.glob("*-idx*"):
        stale.unlink()
    image_path = folder / f"train-images-idx3-ubyte{suffix}"
    image_path.write_bytes(pack(images, gz != "none"))
    label_path = folder / f"train-labels-idx1-ubyte{suffix}"
    label_path.write_bytes(pack(labels, gz in ("both", "cut")))
    load_or_refuse(image_path, label_path)


def test_idx_property_finds_valid_files_too(folder):
    images = np.arange(10 * 4 * 4, dtype=np.uint8).reshape(10, 4, 4)
    labels = (np.arange(10) % 2).astype(np.uint8)
    (folder / "ok-images-idx3-ubyte").write_bytes(bytes([0, 0, 8, 3]) + struct.pack(">3I", 10, 4, 4) + images.tobytes())
    (folder / "ok-labels-idx1-ubyte").write_bytes(bytes([0, 0, 8, 1]) + struct.pack(">I", 10) + labels.tobytes())
    assert isinstance(load_or_refuse(folder / "ok-images-idx3-ubyte"), DatasetSplit)
