"""Issue 13's broken and hostile files, one test each: a sentence naming the file, or a valid split."""

import gzip
import io
import os
import re
import struct
import warnings
import zipfile

import numpy as np
import pytest

from regstudio.core.datasets import load
from regstudio.core.datasets import user_files as user_files_module
from regstudio.core.datasets.messages import load_failure_message
from regstudio.core.datasets.readers import read_csv, read_idx, read_npz
from regstudio.core.datasets.spec import DataSpec
from regstudio.core.errors import DatasetError


def load_path(path):
    return load(DataSpec("file", path=str(path)))


def npy(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def npy_header(shape, descr="<f8") -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": descr, "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def write_zip(path, members, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


LABELS = np.arange(20) % 2
FEATURES = np.arange(80, dtype=np.float64).reshape(20, 4)


# 1. members without the .npy suffix get the same checks ------------------------------------

def test_member_without_suffix_claiming_petabytes_is_refused_before_allocating(tmp_path):
    path = write_zip(tmp_path / "a.npz", {"x": npy_header((10**12, 784)) + b"\0" * 64, "y": npy(LABELS)})
    with pytest.raises(DatasetError, match=r"a\.npz: the member 'x' claims shape \(1000000000000, 784\).*refused"):
        load_path(path)


def test_member_holding_raw_bytes_is_not_an_array(tmp_path):
    path = write_zip(tmp_path / "b.npz", {"x": b"just some bytes, no header", "y": npy(LABELS)})
    with pytest.raises(DatasetError, match=r"b\.npz: the member 'x' is not a NumPy array"):
        load_path(path)


def test_member_without_suffix_is_read_like_any_other(tmp_path):
    path = write_zip(tmp_path / "c.npz", {"x": npy(FEATURES), "y": npy(LABELS)})
    split = load_path(path)
    assert split.n_features == 4 and len(split.y_train) + len(split.y_test) == 20


def test_unpickling_is_refused_in_members_without_suffix_too(tmp_path):
    objects = np.array([{"evil": 1}] * 20, dtype=object)
    buffer = io.BytesIO()
    np.save(buffer, objects, allow_pickle=True)
    path = write_zip(tmp_path / "p.npz", {"x": buffer.getvalue(), "y": npy(LABELS)})
    with pytest.raises(DatasetError, match="never unpickles"):
        load_path(path)


def npy_version(array, version) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, version=version)
    return buffer.getvalue()


@pytest.mark.parametrize("members, message", [
    ({"x": b"just some bytes, no header"},
     "the member 'x' is not a NumPy array; an .npz holds only arrays saved with numpy.savez"),
    ({"x.npy": npy_version(FEATURES, (1, 0))[:6] + bytes([9, 0]) + npy_version(FEATURES, (1, 0))[8:]},
     "the member 'x.npy' is a .npy of version 9.0, which is not known; save it again with numpy.savez"),
    ({"x.npy": npy_header((-2, 3))}, "the member 'x.npy' has a damaged array header (negative size in (-2, 3))"),
    ({"x": npy(FEATURES), "x.npy": npy(FEATURES)}, "holds two arrays named 'x'; keep one"),
    ({"x.npy": npy(np.array([{"evil": 1}] * 2, dtype=object))},
     "the member 'x.npy' holds Python objects; RegStudio never unpickles files, so save plain numeric arrays instead"),
    ({"x.npy": npy_header((3,), "|S0")}, "the array 'x' is of type |S0, which holds no values; numbers are needed"),
])
def test_npz_member_refusals_word_for_word(tmp_path, members, message):
    path = write_zip(tmp_path / "w.npz", members)
    with pytest.raises(DatasetError) as refused:
        read_npz(path)
    assert str(refused.value) == f"w.npz: {message}"


def test_npz_arrays_of_version_2_are_read_and_folders_in_the_archive_are_skipped(tmp_path):
    path = tmp_path / "v2.npz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("old/", b"")
        zf.writestr("x.npy", npy_version(FEATURES, (2, 0)))
        zf.writestr("y.npy", npy(LABELS))
    arrays = read_npz(path)
    assert sorted(arrays) == ["x", "y"] and np.array_equal(arrays["x"], FEATURES)


def test_npz_only_the_arrays_asked_for_are_returned_and_a_missing_one_is_named(tmp_path):
    path = write_zip(tmp_path / "k.npz", {"x": npy(FEATURES), "y": npy(LABELS)})
    assert list(read_npz(path, ["y"])) == ["y"]
    with pytest.raises(DatasetError) as refused:
        read_npz(path, ["x", "z", "w"])
    assert str(refused.value) == "k.npz: has no array named 'z'"


def test_an_empty_axis_claim_is_capped_at_its_size_with_the_empty_axis_counted_as_one(tmp_path):
    path = write_zip(tmp_path / "e.npz", {"x.npy": npy_header((0, 100))})  # claims 100 float64 values: 800 bytes
    assert read_npz(path, max_bytes=800)["x"].shape == (0, 100)
    with pytest.raises(DatasetError) as refused:
        read_npz(path, max_bytes=799)
    assert str(refused.value) == "e.npz: the array 'x' claims shape (0, 100) (0 bytes); refused, the limit is 799 bytes"


def test_a_member_claiming_exactly_the_limit_but_holding_less_is_called_truncated(tmp_path):
    path = write_zip(tmp_path / "c.npz", {"x.npy": npy(np.arange(100.0))[:-8]})
    with pytest.raises(DatasetError) as refused:
        read_npz(path, max_bytes=800)
    assert str(refused.value) == ("c.npz: the member 'x.npy' claims shape (100,) of float64 but holds less data than "
                                  "that; the file is truncated or damaged")


def test_a_member_whose_size_in_the_directory_lies_is_cut_short(tmp_path):
    data = npy(FEATURES)
    path = write_zip(tmp_path / "lie.npz", {"x.npy": data[:-8], "y.npy": npy(LABELS)}, zipfile.ZIP_DEFLATED)
    raw = bytearray(path.read_bytes())
    short, full = struct.pack("<I", len(data) - 8), struct.pack("<I", len(data))
    for at in (raw.index(b"PK\x03\x04") + 22, raw.index(b"PK\x01\x02") + 24):  # local and central sizes
        assert raw[at:at + 4] == short
        raw[at:at + 4] = full
    path.write_bytes(bytes(raw))
    with pytest.raises(DatasetError) as refused:
        read_npz(path)
    assert str(refused.value) == "lie.npz: the array 'x' is cut short; the file is truncated or damaged"


def test_npz_arrays_are_read_chunk_by_chunk_to_the_last_value(tmp_path, monkeypatch):
    from regstudio.core.datasets import npz_reader

    monkeypatch.setattr(npz_reader, "_CHUNK", 16)  # two float64 values per chunk: 2, 2, 2, 2, 1
    path = write_zip(tmp_path / "s.npz", {"x.npy": npy(np.arange(9.0))})
    assert read_npz(path)["x"].tolist() == list(range(9))


def test_an_archive_of_exactly_the_most_members_is_read(tmp_path):
    path = write_zip(tmp_path / "most.npz", {f"a{i}.npy": npy(np.zeros(1)) for i in range(256)})
    assert len(read_npz(path)) == 256


def test_an_archive_that_is_no_zip_gets_the_whole_sentence(tmp_path):
    (tmp_path / "bad.npz").write_text("hello")
    with pytest.raises(DatasetError) as refused:
        read_npz(tmp_path / "bad.npz")
    assert str(refused.value) == ("bad.npz: not a readable .npz file (an .npz is a zip archive of arrays, as "
                                  "numpy.savez writes it); the file may be damaged")


def test_running_out_of_memory_while_decoding_is_one_sentence(tmp_path, monkeypatch):
    path = write_zip(tmp_path / "m.npz", {"x": npy(FEATURES), "y": npy(LABELS)})

    def out_of_memory(self, h, narrow):
        raise MemoryError

    monkeypatch.setattr(user_files_module.NpzArchive, "_decode", out_of_memory)
    with pytest.raises(DatasetError) as refused:
        read_npz(path)
    assert str(refused.value) == "m.npz: not enough memory to read it; use a smaller file"


# 2. only the arrays used are read, after every header is checked; the total is capped ------

def _big_member(zf, name, nbytes):
    """A member of `nbytes` zeros, written in pieces so the test never holds it in memory."""
    with zf.open(name, "w", force_zip64=True) as f:
        f.write(npy_header((nbytes,), "|u1"))
        chunk = bytes(1 << 20)
        for _ in range(nbytes >> 20):
            f.write(chunk)


def test_unused_members_are_never_decoded(tmp_path, monkeypatch):
    path = tmp_path / "extra.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("x.npy", npy(FEATURES))
        zf.writestr("y.npy", npy(LABELS))
        _big_member(zf, "unused", 8 << 20)
    decoded = []
    original = user_files_module.NpzArchive._decode
    monkeypatch.setattr(user_files_module.NpzArchive, "_decode",
                        lambda self, h, narrow: decoded.append(h.member.filename) or original(self, h, narrow))
    split = load_path(path)
    assert split.n_features == 4 and sorted(decoded) == ["x.npy", "y.npy"]


def test_every_header_is_checked_even_of_unused_members(tmp_path):
    path = write_zip(tmp_path / "d.npz", {"x.npy": npy(FEATURES), "y.npy": npy(LABELS),
                                          "notes.txt": b"hello"})
    with pytest.raises(DatasetError, match=r"the member 'notes\.txt' is not a NumPy array"):
        load_path(path)


def test_the_total_of_the_arrays_read_is_capped(tmp_path):
    path = write_zip(tmp_path / "t.npz", {"x": npy(np.zeros((20, 100))), "y": npy(LABELS)})
    read_npz(path, ["x", "y"], max_bytes=16_000, max_total=17_000)  # 16,000 + 160 bytes: within both
    read_npz(path, ["x", "y"], max_bytes=16_000, max_total=16_160)  # exactly the limit
    with pytest.raises(DatasetError, match=r"t\.npz: the arrays x, y hold 16,160 bytes together; refused"):
        read_npz(path, ["x", "y"], max_bytes=16_000, max_total=16_100)


def test_a_member_with_more_data_than_its_shape_is_damaged(tmp_path):
    path = write_zip(tmp_path / "m.npz", {"x.npy": npy(FEATURES) + b"\0" * 8, "y.npy": npy(LABELS)})
    with pytest.raises(DatasetError, match="more data than its shape"):
        load_path(path)


def test_a_corrupted_member_fails_its_checksum(tmp_path):
    path = write_zip(tmp_path / "crc.npz", {"x.npy": npy(FEATURES), "y.npy": npy(LABELS)})
    data = bytearray(path.read_bytes())
    at = data.index(npy(FEATURES)[-8:])  # inside x's data, stored uncompressed
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(DatasetError, match=r"crc\.npz: not a readable \.npz file"):
        load_path(path)


def test_float64_features_are_narrowed_while_read_and_fortran_order_is_kept(tmp_path):
    x = np.asfortranarray(np.random.default_rng(0).normal(size=(20, 6)))
    z = np.arange(20, dtype=np.int32)
    path = write_zip(tmp_path / "f.npz", {"x.npy": npy(x), "y.npy": npy(LABELS), "z.npy": npy(z)})
    arrays = read_npz(path, ["x", "y", "z"], narrow=["x", "z"])
    assert arrays["x"].dtype == np.float32 and np.allclose(arrays["x"], x, atol=1e-6)
    assert arrays["y"].dtype == LABELS.dtype and np.array_equal(arrays["y"], LABELS)
    assert arrays["z"].dtype == np.int32 and np.array_equal(arrays["z"], z)  # only 8-byte numbers are narrowed


def test_big_endian_arrays_are_read(tmp_path):
    path = write_zip(tmp_path / "be.npz", {"x.npy": npy(FEATURES.astype(">i4")), "y.npy": npy(LABELS.astype(">i8"))})
    arrays = read_npz(path)
    assert np.array_equal(arrays["x"], FEATURES) and np.array_equal(arrays["y"], LABELS)
    assert arrays["x"].dtype == np.int32 and arrays["y"].dtype == np.int64  # in this machine's byte order


def test_features_beyond_float32_are_refused_not_trained_as_infinity(tmp_path):
    x = FEATURES.copy()
    x[3, 1] = 1e300
    np.savez(tmp_path / "big.npz", x=x, y=LABELS)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # said in the sentence, not also as numpy's overflow warning
        with pytest.raises(DatasetError, match=r"example 3 holds NaN or infinity .*too large for 32-bit floats"):
            load_path(tmp_path / "big.npz")


# 4. CSV --------------------------------------------------------------------------------------

def test_csv_field_longer_than_the_csv_limit(tmp_path):
    (tmp_path / "long.csv").write_text("1,2,0\n" + "1" * 200_000 + ",2,1\n3,4,1\n")
    with pytest.raises(DatasetError, match=r"long\.csv, line 2: a value longer than 131,072 characters"):
        read_csv(tmp_path / "long.csv")


def test_csv_unterminated_quote(tmp_path):
    (tmp_path / "q.csv").write_text('1,2,0\n3,"4,1\n5,6,1\n')
    with pytest.raises(DatasetError, match=r"q\.csv, line 2: a quote .* not closed"):
        read_csv(tmp_path / "q.csv")


def test_csv_quoted_numbers_and_words_are_read(tmp_path):
    (tmp_path / "q.csv").write_text('a,b,class\n"1",2,"big cat"\n3,"4",dog\n5,6,"big cat"\n')
    x, y, names = read_csv(tmp_path / "q.csv")
    assert x.tolist() == [[1, 2], [3, 4], [5, 6]] and names == ("big cat", "dog") and y.tolist() == [0, 1, 0]


def test_csv_with_byte_order_mark_finds_its_label_column(tmp_path):
    text = "label,a,b\n" + "".join(f"{i % 3},{i},{i * 2}\n" for i in range(30))
    (tmp_path / "bom.csv").write_bytes(text.encode("utf-8-sig"))
    x, y, names = read_csv(tmp_path / "bom.csv")
    assert y.tolist() == [i % 3 for i in range(30)] and x[4].tolist() == [4, 8] and names is None


@pytest.mark.parametrize("label", ["nan", "inf", "-Infinity"])
def test_csv_label_that_is_not_a_number_of_a_class(tmp_path, label):
    rows = "".join(f"{i},{i * 2},{label if i == 3 else i % 2}\n" for i in range(10))
    (tmp_path / "n.csv").write_text(rows)
    with pytest.raises(DatasetError, match=f"n.csv: the label column \\(the last column\\) holds '{label}'") as info:
        read_csv(tmp_path / "n.csv")
    assert "e18" not in str(info.value)


def test_csv_without_label_column_says_so(tmp_path):
    (tmp_path / "nl.csv").write_text("a,b,c\n" + "".join(f"{i},{i * 2},{i / 7}\n" for i in range(20)))
    with pytest.raises(DatasetError, match=r"the last column, 'c'\) holds fractions.*no column is headed label"):
        read_csv(tmp_path / "nl.csv")


def test_csv_labels_out_of_range(tmp_path):
    (tmp_path / "r.csv").write_text("label,a\n" + "".join(f"{i * 1000},{i}\n" for i in range(5)))
    with pytest.raises(DatasetError, match=r"label column \('label'\) holds 1000; numbered classes go from 0 to 999"):
        read_csv(tmp_path / "r.csv")


def test_csv_too_many_label_words(tmp_path):
    (tmp_path / "w.csv").write_text("".join(f"{i},w{i}\n" for i in range(1100)))
    with pytest.raises(DatasetError, match="more than 1,000 different values"):
        read_csv(tmp_path / "w.csv")


def test_csv_label_column_in_the_middle_keeps_the_feature_order(tmp_path):
    (tmp_path / "m.csv").write_text("a,label,b,c\n" + "".join(f"{i},{i % 2},{i * 2},{i * 3}\n" for i in range(9)))
    x, y, _ = read_csv(tmp_path / "m.csv")
    assert x.tolist() == [[i, i * 2, i * 3] for i in range(9)] and y.tolist() == [i % 2 for i in range(9)]


def test_csv_blank_and_comma_only_lines_are_skipped_and_lines_are_counted(tmp_path):
    (tmp_path / "b.csv").write_text("a,b,label\n\n1,2,0\n  \n,,\n3,4,1\n5,x,1\n")
    with pytest.raises(DatasetError, match=r"b\.csv, line 7: 'x' is not a number"):
        read_csv(tmp_path / "b.csv")


def test_csv_number_too_large_for_float32(tmp_path):
    (tmp_path / "o.csv").write_text("1,2,0\n3,1e50,1\n5,6,1\n")
    with pytest.raises(DatasetError, match=r"o\.csv, line 2: 1e50 is beyond .* too large for 32-bit floats"):
        read_csv(tmp_path / "o.csv")


def test_csv_header_wider_than_the_rows(tmp_path):
    (tmp_path / "h.csv").write_text("a,b,c,label\n1,2,0\n3,4,1\n")
    with pytest.raises(DatasetError, match=r"h\.csv, line 2: 3 values; every row needs 4"):
        read_csv(tmp_path / "h.csv")


def test_csv_not_utf8_says_so(tmp_path):
    (tmp_path / "l.csv").write_bytes("a,b,label\n1,2,0\n3,caf\xe9,1\n".encode("latin-1"))
    with pytest.raises(DatasetError, match=r"l\.csv, line 3: not UTF-8 text"):
        read_csv(tmp_path / "l.csv")


def test_csv_single_column(tmp_path):
    (tmp_path / "one.csv").write_text("1\n2\n3\n")
    with pytest.raises(DatasetError, match="each row needs a label and at least one feature"):
        read_csv(tmp_path / "one.csv")


# 5. gzip -------------------------------------------------------------------------------------

def test_gzipped_csv_is_read(tmp_path):
    text = "label,a,b\n" + "".join(f"{i % 2},{i},{i * 2}\n" for i in range(20))
    (tmp_path / "g.csv.gz").write_bytes(gzip.compress(text.encode()))
    split = load_path(tmp_path / "g.csv.gz")
    assert split.n_features == 2 and len(split.y_train) == 16


def test_gzipped_csv_is_capped_while_decompressing(tmp_path, monkeypatch):
    from regstudio.core.datasets import csv_reader

    monkeypatch.setattr(csv_reader, "MAX_TEXT_BYTES", 1000)
    (tmp_path / "bomb.csv.gz").write_bytes(gzip.compress(b"1,2,0\n" * 10_000))  # 60 kB from 300 bytes
    with pytest.raises(DatasetError, match=r"bomb\.csv\.gz: decompresses to more than 1000 bytes"):
        read_csv(tmp_path / "bomb.csv.gz")


def test_damaged_gzip_says_so(tmp_path):
    data = gzip.compress(("1,2,0\n" * 1000).encode())
    (tmp_path / "cut.csv.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(DatasetError) as refused:
        read_csv(tmp_path / "cut.csv.gz")
    assert str(refused.value) == ("cut.csv.gz: the gzip compression is damaged or cut short; copy the file again or "
                                  "save it uncompressed")


def test_gzipped_idx_claiming_too_much_is_refused_before_decompressing(tmp_path):
    head = bytes([0, 0, 0x08, 3]) + (60000).to_bytes(4, "big") + (5000).to_bytes(4, "big") * 2
    (tmp_path / "huge-images.gz").write_bytes(gzip.compress(head))
    with pytest.raises(DatasetError, match="refused"):
        read_idx(tmp_path / "huge-images.gz")


@pytest.mark.parametrize("gz", [False, True])
def test_a_file_of_exactly_the_size_limit_is_read_and_one_byte_more_is_refused(tmp_path, monkeypatch, gz):
    from regstudio.core.datasets import csv_reader

    text = "label,a\n" + "".join(f"{i % 2},{i}\n" for i in range(10))
    path = tmp_path / ("s.csv.gz" if gz else "s.csv")
    path.write_bytes(gzip.compress(text.encode()) if gz else text.encode())
    size = len(text) if gz else path.stat().st_size
    monkeypatch.setattr(csv_reader, "MAX_TEXT_BYTES", size)
    x, y, _ = read_csv(path)
    assert x[:, 0].tolist() == list(range(10)) and y.tolist() == [i % 2 for i in range(10)]
    monkeypatch.setattr(csv_reader, "MAX_TEXT_BYTES", size - 1)
    with pytest.raises(DatasetError) as refused:
        read_csv(path)
    assert str(refused.value) == (f"s.csv.gz: decompresses to more than {size - 1} bytes; files up to {size - 1} "
                                  "bytes are read" if gz else
                                  f"s.csv: {size:,} bytes; files up to {size - 1} bytes are read")


def test_a_gzipped_file_one_byte_past_a_limit_as_large_as_the_read_buffer_is_refused(tmp_path, monkeypatch):
    # The buffer asks 1 MiB at a time: the first read fills the limit, the one byte past it comes alone.
    from regstudio.core.datasets import csv_reader

    text = "a,label\n" + "1,0\n" * 262_141 + "12,1\n"
    assert len(text) == (1 << 20) + 1
    (tmp_path / "m.csv.gz").write_bytes(gzip.compress(text.encode()))
    monkeypatch.setattr(csv_reader, "MAX_TEXT_BYTES", 1 << 20)
    with pytest.raises(DatasetError) as refused:
        read_csv(tmp_path / "m.csv.gz")
    assert str(refused.value) == "m.csv.gz: decompresses to more than 1 MiB; files up to 1 MiB are read"


@pytest.mark.parametrize(("limit", "stated"), [(1 << 30, "1 GiB"), (3 << 29, "1.5 GiB"), (3 << 19, "1.5 MiB"),
                                               (1024, "1 KiB"), (1000 << 10, "1000 KiB"),
                                               (1000, "1000 bytes")])
def test_a_refusal_states_the_limit_in_binary_units(tmp_path, limit, stated):
    path = tmp_path / "big-labels.idx"
    path.write_bytes(bytes([0, 0, 0x08, 1]) + (limit + 1).to_bytes(4, "big"))  # one byte over the limit
    with pytest.raises(DatasetError, match=rf"big-labels\.idx: .*refused, the limit is {re.escape(stated)}$"):
        read_idx(path, max_bytes=limit)


# 6. the path itself --------------------------------------------------------------------------

def test_a_folder_is_named_as_a_folder(tmp_path):
    with pytest.raises(DatasetError, match="a folder, not a file"):
        load_path(tmp_path)


def test_a_device_is_not_read(tmp_path):
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero here")
    with pytest.raises(DatasetError, match="not a regular file"):
        load_path("/dev/zero")


def test_each_path_that_is_no_readable_file_gets_its_own_sentence(tmp_path, monkeypatch):
    def refusal(path):
        with pytest.raises(DatasetError) as refused:
            load_path(path)
        return str(refused.value)

    gone = tmp_path / "gone.csv"
    assert refusal(gone) == f"data.path = {str(gone)!r}: no such file"
    assert refusal(tmp_path) == (f"data.path = {str(tmp_path)!r}: a folder, not a file; choose an .npz, .csv or IDX "
                                 "file inside it")
    (tmp_path / "plain.csv").write_text("1,2,0\n3,4,1\n")
    inside = tmp_path / "plain.csv" / "d.csv"
    assert refusal(inside) == f"data.path = {str(inside)!r}: cannot be read (Not a directory)"
    if os.path.exists("/dev/zero"):
        assert refusal("/dev/zero") == "data.path = '/dev/zero': not a regular file; choose an .npz, .csv or IDX file"
    (tmp_path / "locked.csv").write_text("1,2,0\n3,4,1\n")
    (tmp_path / "locked.csv").chmod(0)
    if os.access(tmp_path / "locked.csv", os.R_OK):  # root reads anything: answer as any other account would
        monkeypatch.setattr(os, "access", lambda path, mode: False)
    assert refusal(tmp_path / "locked.csv") == (f"data.path = {str(tmp_path / 'locked.csv')!r}: this account may "
                                                "not read it (permission denied)")


@pytest.mark.parametrize("exc, expected", [
    (MemoryError(), "r.idx: not enough memory to read it; use a smaller file"),
    (OSError(5, "Input/output error"), "r.idx: cannot be read (Input/output error)"),
    (OSError(), "r.idx: cannot be read (input/output error)"),
    (RuntimeError("unexpected"), "r.idx: cannot be read"),
])
def test_a_failure_while_reading_becomes_one_sentence_naming_the_file(tmp_path, monkeypatch, exc, expected):
    from regstudio.core.datasets import idx_reader

    (tmp_path / "r.idx").write_bytes(bytes([0, 0, 0x08, 1, 0, 0, 0, 4, 0, 1, 2, 3]))

    def failing_disk(f, view):
        raise exc

    monkeypatch.setattr(idx_reader, "_fill", failing_disk)
    with pytest.raises(DatasetError) as refused:
        read_idx(tmp_path / "r.idx")
    assert str(refused.value) == expected


# 8. the window's message for what could still go wrong ---------------------------------------

def test_memory_error_while_loading_names_the_file(tmp_path, monkeypatch):
    np.savez(tmp_path / "m.npz", x=FEATURES, y=LABELS)

    def out_of_memory(*args, **kwargs):
        raise MemoryError("Unable to allocate 5.57 PiB")

    monkeypatch.setattr(user_files_module, "from_arrays", out_of_memory)
    with pytest.raises(DatasetError, match=r"^m\.npz: not enough memory to load this [\d.]+ KiB file; use a smaller "
                                           r"file, or close other programs$") as info:
        load_path(tmp_path / "m.npz")
    assert "PiB" not in str(info.value)


@pytest.mark.parametrize("exc, expected", [
    (DatasetError("d.csv, line 2: 'x' is not a number"), "d.csv, line 2: 'x' is not a number."),
    (MemoryError("Unable to allocate 5.57 PiB"), "Not enough memory to load d.csv; try a smaller file"),
    (PermissionError(13, "Permission denied"), "d.csv could not be read (Permission denied)."),
    (AttributeError("'bytes' object has no attribute 'dtype'"), "d.csv could not be loaded because of an"),
])
def test_load_failure_message_is_a_sentence_without_exception_text(exc, expected):
    message = load_failure_message(exc, "/somewhere/d.csv")
    assert message.startswith(expected) and message.endswith(".") and "\n" not in message
    assert "AttributeError" not in message and "PiB" not in message and "Errno" not in message


def test_empty_axis_beside_huge_ones_is_refused_not_crashed(tmp_path):
    """Found by the IDX property test: a size of 0 hid a claim of (2**32 - 1)**2 values."""
    head = bytes([0, 0, 0x08, 3]) + (0).to_bytes(4, "big") + (2**32 - 1).to_bytes(4, "big") * 2
    (tmp_path / "e-images.idx").write_bytes(head)
    with pytest.raises(DatasetError, match=r"e-images\.idx: the header claims an array of shape \(0, "):
        read_idx(tmp_path / "e-images.idx")
    path = write_zip(tmp_path / "e.npz", {"x.npy": npy_header((0, 2**40, 2**40)), "y.npy": npy(LABELS)})
    with pytest.raises(DatasetError, match=r"e\.npz: the array 'x' claims shape \(0, "):
        load_path(path)


def test_an_archive_with_a_huge_directory_is_refused_before_it_is_parsed(tmp_path):
    path = write_zip(tmp_path / "many.npz", {f"a{i}.npy": npy(np.zeros(1)) for i in range(300)})
    with pytest.raises(DatasetError, match=r"many\.npz: holds 300 members; an \.npz of up to 256 arrays is read"):
        load_path(path)


def test_load_failure_messages_word_for_word():
    assert load_failure_message(DatasetError("d.csv: empty."), "d.csv") == "d.csv: empty."  # one full stop
    assert load_failure_message(MemoryError(), None) == ("Not enough memory to load the dataset; try a smaller file or "
                                                         "close other programs.")
    assert load_failure_message(OSError("disk"), "/a/b/d.csv") == "d.csv could not be read (input/output error)."
    assert load_failure_message(ValueError("?"), "") == ("the dataset could not be loaded because of an unexpected "
                                                         "problem in RegStudio; the terminal shows the details.")


@pytest.mark.parametrize("text, message", [
    # The label column first: cells after it are still checked.
    ("label,a,b\n1,2,3\n0,4,x\n", "c.csv, line 3: 'x' is not a number"),
    # A long bad cell is quoted to 40 characters.
    ("a,label\n1,0\n" + "y" * 50 + ",1\n", "c.csv, line 3: '" + "y" * 40 + "' is not a number"),
    ("a,label\n1,0\n1." + "1" * 50 + "e39,1\n", "c.csv, line 3: 1." + "1" * 38 + " is beyond ±3.4e+38, too large"),
    # The largest float32 is a number like any other: the problem is the next line's.
    ("a,label\n3.4028234663852886e38,0\n2,1\n3,x,1\n", "c.csv, line 4: 3 values; every row needs 2"),
    # A value longer than the csv module reads, below the first rows (which the layout reads first).
    ("a,label\n1,0\n2,1\n" + "1" * 200_000 + ",1\n", "c.csv, line 4: a value longer than 131,072 characters"),
])
def test_csv_problems_found_after_the_first_rows_name_their_line(tmp_path, text, message):
    (tmp_path / "c.csv").write_text(text)
    with pytest.raises(DatasetError) as refused:
        read_csv(tmp_path / "c.csv")
    assert str(refused.value).startswith(message), str(refused.value)
