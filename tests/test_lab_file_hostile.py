"""Lab files from careless or hostile classmates: every one refused with a sentence, none with a traceback."""

import io
import json
import pickle
import re
import struct
import zipfile

import numpy as np
import pytest
from file_parts import leaf, leaves, with_leaf, zip_of
from fuzz import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regstudio.core.errors import LabFileError
from regstudio.core.lab import lab_file
from regstudio.core.lab.codec import content_dict
from regstudio.core.lab.lab_file import lab_bytes, open_lab

FUZZ = settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


class Valid(tuple):
    """(the file's bytes, lab.json's data, arrays.npz's bytes); a short repr keeps hypothesis's reports readable."""

    def __repr__(self) -> str:
        return f"<a valid lab file of {len(self[0]):,} bytes>"


@pytest.fixture(scope="module")
def valid(lab_content):
    text, arrays = lab_bytes(lab_content, "0.2.0")
    return Valid((zip_of({"lab.json": text, "arrays.npz": arrays}), json.loads(text), arrays))


def plain(content):
    """A lab's content as comparable data: lab.json's dict and each array's bytes."""
    data, arrays = content_dict(content, "0.2.0")
    return data, {name: (a.shape, a.tobytes()) for name, a in arrays.items()}


def open_bytes(tmp_path, data, name="original.regstudio"):
    path = tmp_path / name
    path.write_bytes(data)
    return open_lab(path)


def opened(tmp_path, data, name="lab.regstudio"):
    """open_lab's answer: a LabContent, or the refusal's message (one sentence naming the file)."""
    path = tmp_path / name
    path.write_bytes(data)
    try:
        return open_lab(path)
    except LabFileError as exc:
        message = str(exc)
        assert message.startswith(name) and "\n" not in message and len(message) < 600, message
        return message


@FUZZ
@given(cut=st.floats(0, 1, exclude_max=True))
def test_a_truncated_file_is_refused(tmp_path, valid, cut):
    data = valid[0]
    assert isinstance(opened(tmp_path, data[: int(cut * len(data))]), str)


@FUZZ
@given(flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(1, 255)), min_size=1, max_size=4))
def test_damaged_bytes_are_refused_or_read_whole(tmp_path, valid, flips):
    data = bytearray(valid[0])
    for where, xor in flips:
        data[int(where * len(data))] ^= xor
    answer = opened(tmp_path, bytes(data))
    if not isinstance(answer, str):  # a byte nobody reads (a timestamp, say): then the lab is all there
        assert plain(answer) == plain(open_bytes(tmp_path, valid[0]))


@FUZZ
@given(name=st.sampled_from(["../lab.json", "/etc/passwd", "lab.json/../../evil", "..\\lab.json", "C:/lab.json",
                             "nested/lab.json", "lab.json ", "LAB.JSON", "arrays.npz/../x"])
       | st.text(min_size=1).filter(lambda s: "\x00" not in s))  # zipfile itself cannot write a NUL name
def test_a_member_with_any_other_name_is_refused(tmp_path, valid, name):
    if name in (lab_file.LAB_JSON, lab_file.ARRAYS):  # the two names a lab file may hold (text() draws them at times)
        return
    members = {"lab.json": json.dumps(valid[1]), name: b"x"}
    assert "never contains" in opened(tmp_path, zip_of(members))


def test_pickles_are_never_unpickled(tmp_path, valid, monkeypatch):
    monkeypatch.setattr(pickle, "loads", lambda *a, **k: pytest.fail("something unpickled"))
    assert "valid JSON" in opened(tmp_path, zip_of({"lab.json": pickle.dumps({"format": "regstudio-lab"})}))
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"evil": 1}], dtype=object), allow_pickle=True)
    arrays = zip_of({"run_1.npy": buffer.getvalue()}, zipfile.ZIP_STORED)
    message = opened(tmp_path, zip_of({"lab.json": json.dumps(valid[1]), "arrays.npz": arrays}))
    assert "run_1.npy in arrays.npz is object" in message


def test_arrays_that_lie_about_their_shape_are_refused(tmp_path, valid):
    header = io.BytesIO()
    np.save(header, np.zeros((784, 4), np.float32))
    short = header.getvalue()[:-100]
    arrays = zip_of({"run_1.npy": short}, zipfile.ZIP_STORED)
    assert "holds" in opened(tmp_path, zip_of({"lab.json": json.dumps(valid[1]), "arrays.npz": arrays}))


def claiming(data, member, size):
    """A zip whose central directory says `member` unpacks to `size` bytes (through a ZIP64 extra field)."""
    raw = bytearray(zip_of({member: data}, zipfile.ZIP_STORED))
    central = raw.index(b"PK\x01\x02")
    name_len, extra_len = struct.unpack("<HH", raw[central + 28:central + 32])
    raw[central + 24:central + 28] = struct.pack("<I", 0xFFFFFFFF)  # "see the ZIP64 field"
    raw[central + 30:central + 32] = struct.pack("<H", extra_len + 12)
    at = central + 46 + name_len
    raw[at:at] = struct.pack("<HHQ", 1, 8, size)
    end = raw.rindex(b"PK\x05\x06")
    (cd_size,) = struct.unpack("<I", raw[end + 12:end + 16])
    raw[end + 12:end + 16] = struct.pack("<I", cd_size + 12)
    return bytes(raw)


def test_a_member_claiming_ten_gigabytes_is_refused_before_unpacking(tmp_path):
    message = opened(tmp_path, claiming(b"{}", "lab.json", 10 * 2**30))
    assert "would unpack to 10,737,418,240 bytes" in message


@FUZZ
@given(data=st.data(), new=st.one_of(st.text(max_size=5), st.integers(-10**20, 10**20), st.booleans(), st.none(),
                                     st.floats(allow_nan=False, allow_infinity=False), st.just([]), st.just({}),
                                     st.just([1, "x"]), st.just({"a": 1})))
def test_any_field_of_the_wrong_type_is_refused_with_its_name_or_read_as_valid(tmp_path, valid, data, new):
    text = valid[1]
    paths = sorted(leaves(text), key=str)
    path = data.draw(st.sampled_from(paths))
    mutated = with_leaf(text, path, new)
    answer = opened(tmp_path, zip_of({"lab.json": json.dumps(mutated), "arrays.npz": valid[2]}))
    if isinstance(answer, str):
        assert " = " in answer or "not a RegStudio lab" in answer, answer
    else:  # accepted: then it is a lab RegStudio itself would write, with the new value in it
        written, _ = content_dict(answer, mutated["app_version"])
        if isinstance(leaf(text, path), float) and type(new) is int:
            # A whole number where a float belongs is read as the nearest float: 2**53 + 1 as 2**53.
            mutated = with_leaf(text, path, float(new))
        assert json.loads(json.dumps(written)) == mutated  # as written to the file: tuples become lists


@FUZZ
@given(data=st.data(), token=st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999"]))
def test_nan_or_infinity_where_a_number_must_be_finite_is_refused(tmp_path, valid, data, token):
    text = valid[1]
    numbers = [p for p in leaves(text) if p and isinstance(leaf(text, p), float)]
    path = data.draw(st.sampled_from(numbers))
    marker = 123456.789012
    raw = json.dumps(with_leaf(text, path, marker)).replace(repr(marker), token)
    answer = opened(tmp_path, zip_of({"lab.json": raw, "arrays.npz": valid[2]}))
    # Refused either by the JSON reader (NaN, Infinity) or, for 1e999, by the field's own rule.
    assert isinstance(answer, str) and ("valid JSON" in answer or " = inf" in answer or " = -inf" in answer), answer


def test_not_a_lab_at_all(tmp_path):
    assert "not a zip archive" in opened(tmp_path, b"hello, I am a text file")
    assert "has no lab.json" in opened(tmp_path, zip_of({"arrays.npz": b""}))
    assert "this is not a RegStudio lab" in opened(tmp_path, zip_of({"lab.json": json.dumps({"format": "x"})}))
    assert "valid JSON" in opened(tmp_path, zip_of({"lab.json": "[" * 100_000}))
    (tmp_path / "folder.regstudio").mkdir()
    with pytest.raises(LabFileError, match="is a folder"):
        open_lab(tmp_path / "folder.regstudio")
    with pytest.raises(LabFileError, match="no such file"):
        open_lab(tmp_path / "nowhere.regstudio")


def arrays_with(valid, name, array):
    """arrays.npz of the valid lab with one array replaced (or added)."""
    with zipfile.ZipFile(io.BytesIO(valid[2])) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    buffer = io.BytesIO()
    np.save(buffer, array)
    members[f"{name}.npy"] = buffer.getvalue()
    return zip_of(members, zipfile.ZIP_STORED)


@pytest.mark.parametrize("name, array, message", [
    ("boundary_0", np.zeros((100, 100), np.float32), "boundary_0.npy in arrays.npz is float32 (100, 100)"),
    ("boundary_0", np.full((100, 100), 255, np.uint8), "boundary.codes = 255: codes below 255"),  # 3 x 85 shades
    ("boundary_0", np.zeros((100, 50), np.uint8), "square uint8 codes"),
    ("boundary_0", np.zeros((100, 100), np.uint8), "the record's boundary_complexity"),  # not the run's picture
    ("points_0", np.full((10, 4), np.nan, np.float32), "boundary.points = 'a row'"),
    ("points_0", np.array([[0, 0, 7, 1]], np.float32), "a label from 0 to 2"),
    ("points_0", np.zeros((10, 3), np.float32), "rows of x, y, label, trained"),
])
def test_a_boundary_that_is_not_the_runs_own_is_refused(tmp_path, valid, name, array, message):
    answer = opened(tmp_path, zip_of({"lab.json": json.dumps(valid[1]), "arrays.npz": arrays_with(valid, name, array)}))
    assert isinstance(answer, str) and message in answer, answer


def test_boundary_arrays_are_named_for_what_they_hold(tmp_path, valid):
    text = valid[1]
    swapped = with_leaf(text, ("runs", 0, "boundary", "codes"), "points_0")
    assert "boundary_N array" in opened(tmp_path, zip_of({"lab.json": json.dumps(swapped), "arrays.npz": valid[2]}))
    as_kernel = with_leaf(text, ("runs", 1, "kernel"), "boundary_0")  # uint8 codes are no kernel
    assert "kernel = " in opened(tmp_path, zip_of({"lab.json": json.dumps(as_kernel), "arrays.npz": valid[2]}))
    without = json.loads(json.dumps(text))
    del without["runs"][0]["boundary"]  # a lab saved before the playground
    assert opened(tmp_path, zip_of({"lab.json": json.dumps(without), "arrays.npz": valid[2]})).runs[0].boundary is None


def test_a_member_whose_bytes_changed_is_refused_as_damaged(tmp_path, valid):
    raw = bytearray(zip_of({"lab.json": json.dumps(valid[1])}, zipfile.ZIP_STORED))
    raw[raw.index(b'"format"') + 1] ^= 0x20  # "format" -> "Format": the CRC no longer matches
    assert opened(tmp_path, bytes(raw)) == "lab.regstudio: lab.json is damaged (Bad CRC-32 for file 'lab.json')"


def test_a_member_whose_compressed_stream_is_broken_is_refused_as_damaged(tmp_path, valid):
    raw = bytearray(zip_of({"lab.json": json.dumps(valid[1])}))  # deflated
    start = 30 + len("lab.json")  # the first member's data follows its 30-byte local header and name
    raw[start:start + 8] = b"\xff" * 8  # not a deflate block
    assert opened(tmp_path, bytes(raw)) == "lab.regstudio: lab.json is damaged (error)"  # zlib.error


def test_a_member_shorter_than_it_claims_is_refused(tmp_path, valid):
    text = json.dumps(valid[1]).encode()
    assert opened(tmp_path, claiming(text, "lab.json", len(text) + 10)) == (
        "lab.regstudio: lab.json does not unpack to the size it claims")


def test_members_a_lab_never_holds_are_named_in_the_refusal(tmp_path, valid):
    text = json.dumps(valid[1])
    for name, shown in (("a" * 79, "a" * 79), ("b" * 80, "b" * 77 + "..."), ("c" * 300, "c" * 77 + "...")):
        assert opened(tmp_path, zip_of({"lab.json": text, name: b"x"})) == (
            f"lab.regstudio: the file holds {shown!r}, which a lab file never contains")
    assert opened(tmp_path, twice(text)) == "lab.regstudio: the file holds lab.json twice"
    assert opened(tmp_path, zip_of({"lab.json": text}, zipfile.ZIP_BZIP2)) == (
        "lab.regstudio: lab.json uses a compression RegStudio does not read")
    encrypted = bytearray(zip_of({"lab.json": text}))
    central = encrypted.index(b"PK\x01\x02")
    encrypted[central + 8] |= 0x1  # the "encrypted" flag, as the central directory tells it
    assert opened(tmp_path, bytes(encrypted)) == "lab.regstudio: lab.json is encrypted"


def twice(text):
    """A zip holding lab.json twice (zipfile warns, and writes it)."""
    buffer = io.BytesIO()
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("lab.json", text)
        zf.writestr("lab.json", text)
    return buffer.getvalue()


def test_what_is_no_lab_file_is_refused_in_one_exact_sentence(tmp_path, valid, monkeypatch):
    (tmp_path / "folder.regstudio").mkdir()
    with pytest.raises(LabFileError) as bad:
        open_lab(tmp_path / "folder.regstudio")
    assert str(bad.value) == "folder.regstudio: is a folder, not a lab file"
    blocker = tmp_path / "file"
    blocker.write_text("I am a file")
    with pytest.raises(LabFileError) as bad:
        open_lab(blocker / "lab.regstudio")
    assert str(bad.value) == f"{blocker / 'lab.regstudio'}: cannot be read (Not a directory)"
    assert opened(tmp_path, b"hello, I am a text file") == "lab.regstudio: is not a RegStudio lab (not a zip archive)"
    half = valid[0][:len(valid[0]) // 2]
    assert opened(tmp_path, half) == "lab.regstudio: is damaged or truncated (File is not a zip file)"
    size = len(valid[0])
    monkeypatch.setattr(lab_file, "MAX_FILE_BYTES", size - (1 << 20))  # exactly as large as a lab may be
    assert not isinstance(opened(tmp_path, valid[0]), str)
    monkeypatch.setattr(lab_file, "MAX_FILE_BYTES", size - (1 << 20) - 1)
    assert opened(tmp_path, valid[0]) == f"lab.regstudio: is {size:,} bytes, more than any lab RegStudio writes"


def npy(array, version=None):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, version=version)
    return buffer.getvalue()


def with_member(valid, name, data):
    """The valid lab file with `name` in its arrays.npz (added, or replacing the one of that name)."""
    with zipfile.ZipFile(io.BytesIO(valid[2])) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members[name] = data
    return zip_of({"lab.json": json.dumps(valid[1]), "arrays.npz": zip_of(members, zipfile.ZIP_STORED)})


def test_arrays_npz_holds_only_arrays_named_for_what_they_hold(tmp_path, valid):
    array = npy(np.zeros((2, 2), np.float32))
    for name in ("notes.txt", "run_x.npy", "run_1.txt", "kernel_1.npy", "run_" + "1" * 16 + ".npy"):
        assert opened(tmp_path, with_member(valid, name, array)) == (
            f"lab.regstudio: arrays.npz holds {name!r}, which a lab file never contains")
    unused = opened(tmp_path, with_member(valid, "run_" + "1" * 15 + ".npy", array))  # 23 characters: a name
    assert not isinstance(unused, str)


def test_kernels_are_plain_float32_tables_in_npy_format_1_or_2(tmp_path, valid, lab_content):
    kernel = lab_content.runs[1].first_kernel
    back = opened(tmp_path, with_member(valid, "run_1.npy", npy(kernel, (2, 0))))
    assert np.array_equal(back.runs[1].first_kernel, kernel)
    assert opened(tmp_path, with_member(valid, "run_1.npy", npy(kernel, (3, 0)))) == (
        "lab.regstudio: run_1.npy in arrays.npz is not a plain array (.npy version (3, 0))")
    assert opened(tmp_path, with_member(valid, "run_1.npy", npy(np.zeros(784, np.float32)))) == (
        "lab.regstudio: run_1.npy in arrays.npz is float32 (784,); a kernel is float32 inputs x units")


def test_no_array_may_be_larger_than_the_largest_kernel(tmp_path, valid, lab_content, monkeypatch):
    assert lab_content.runs[1].first_kernel.shape == (784, 32)
    monkeypatch.setattr(lab_file, "MAX_KERNEL_VALUES", 784 * 32)  # exactly this lab's kernel
    assert not isinstance(opened(tmp_path, valid[0]), str)
    monkeypatch.setattr(lab_file, "MAX_KERNEL_VALUES", 784 * 32 - 1)
    assert opened(tmp_path, valid[0]) == (
        "lab.regstudio: run_1.npy in arrays.npz is float32 (784, 32); a kernel is float32 inputs x units")
    monkeypatch.setattr(lab_file, "MAX_KERNEL_VALUES", 100)  # refused before unpacking: 100 x 4 bytes + a header
    assert re.fullmatch(r"lab\.regstudio: \w+\.npy would unpack to [\d,]+ bytes, more than a lab holds \(1,424\)",
                        opened(tmp_path, valid[0]))


def needing_version_8_4(data):
    """The zip `data` with its first member's "version needed to extract" at 8.4, which zipfile refuses."""
    raw = bytearray(data)
    central = raw.index(b"PK\x01\x02")
    raw[central + 6:central + 8] = struct.pack("<H", 84)
    return bytes(raw)


def test_a_zip_needing_a_newer_zip_reader_is_refused_as_damaged(tmp_path, valid):
    assert opened(tmp_path, needing_version_8_4(valid[0])) == (
        "lab.regstudio: is damaged or truncated (zip file version 8.4)")
    arrays = zip_of({"lab.json": json.dumps(valid[1]), "arrays.npz": needing_version_8_4(valid[2])})
    assert opened(tmp_path, arrays) == "lab.regstudio: is damaged or truncated (zip file version 8.4)"


def test_a_name_flagged_as_utf8_that_is_not_is_refused_as_damaged(tmp_path, valid):
    raw = bytearray(valid[0])
    central = raw.index(b"PK\x01\x02")
    raw[central + 9] |= 0x08  # general purpose flag bit 11: the name is UTF-8
    raw[central + 46] = 0xFF  # the name's first byte, which no UTF-8 text starts with
    assert opened(tmp_path, bytes(raw)) == ("lab.regstudio: is damaged or truncated ('utf-8' codec can't decode byte "
                                            "0xff in position 0: invalid start byte)")
