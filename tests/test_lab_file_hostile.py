"""Lab files from careless or hostile classmates: every one refused with a sentence, none with a traceback."""

import io
import json
import pickle
import struct
import zipfile

import numpy as np
import pytest
from file_parts import leaf, leaves, with_leaf, zip_of
from fuzz import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regstudio.core.errors import LabFileError
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
    members = {"lab.json": json.dumps(valid[1]), name: b"x"}
    if name == "lab.json":
        return
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
