"""The CSV reader's rules at their limits, each with the sentence a student reads."""

import numpy as np
import pytest

from regstudio.core.datasets import csv_reader
from regstudio.core.datasets.readers import read_csv
from regstudio.core.errors import DatasetError


def refusal(tmp_path, text, name="c.csv"):
    (tmp_path / name).write_text(text)
    with pytest.raises(DatasetError) as refused:
        read_csv(tmp_path / name)
    return str(refused.value)


def test_labels_are_whole_numbers_or_words_and_come_back_as_int64(tmp_path):
    (tmp_path / "n.csv").write_text("1,2,0\n3,4,2\n5,6,1\n")
    x, y, names = read_csv(tmp_path / "n.csv")
    assert y.tolist() == [0, 2, 1] and y.dtype == np.int64 and names is None and x.dtype == np.float32
    (tmp_path / "w.csv").write_text("1,2,dog\n3,4,cat\n5,6,dog\n")
    x, y, names = read_csv(tmp_path / "w.csv")
    assert y.tolist() == [1, 0, 1] and y.dtype == np.int64 and names == ("cat", "dog")


def test_each_kind_of_file_gets_its_own_hint_about_the_label_column(tmp_path):
    assert refusal(tmp_path, "a,label\n1,0.5\n2,1\n") == (
        "c.csv: the label column ('label') holds fractions such as 0.5; labels must be whole numbers or words "
        "naming classes")
    assert refusal(tmp_path, "a,b\n1,0.5\n2,1\n") == (
        "c.csv: the label column (the last column, 'b') holds fractions such as 0.5; labels must be whole numbers "
        "or words naming classes; no column is headed label, labels, class, target, y, digit, so the last one was "
        "taken: head the label column 'label'")
    assert refusal(tmp_path, "1,0.5\n2,1\n") == (
        "c.csv: the label column (the last column) holds fractions such as 0.5; labels must be whole numbers or "
        "words naming classes; with no header row the last column is taken: add a first row of names, 'label' over "
        "the labels")
    long = "0.1234567890123456789012345"
    assert f"holds fractions such as {long[:20]}; labels" in refusal(tmp_path, f"1,{long}\n2,1\n")
    assert refusal(tmp_path, f"label,a\n{'1' * 25},1\n2,1\n") == (
        f"c.csv: the label column ('label') holds {'1' * 20}; numbered classes go from 0 to 999")


def test_label_words_up_to_100_characters_and_1000_classes(tmp_path):
    (tmp_path / "ok.csv").write_text(f"1,{'w' * 100}\n2,b\n")
    assert read_csv(tmp_path / "ok.csv")[2] == ("b", "w" * 100)
    assert refusal(tmp_path, f"1,{'w' * 101}\n2,b\n") == (
        "c.csv: the label column (the last column) holds a value of 101 characters; class names of up to 100 "
        "are read")
    (tmp_path / "many.csv").write_text("".join(f"{i},w{i:04d}\n" for i in range(1000)))
    assert len(read_csv(tmp_path / "many.csv")[2]) == 1000
    assert refusal(tmp_path, "".join(f"{i},w{i:04d}\n" for i in range(1000)) + "1,another-long-class-name\n") == (
        "c.csv: the label column (the last column) holds more than 1,000 different values (such as "
        "'another-long-class-n'); labels are classes, at most 1,000 of them")


@pytest.mark.parametrize("cell", ["1_000", "١٢"])
def test_numbers_are_what_numpy_reads_as_numbers(tmp_path, cell):
    # Python's float() takes both; numpy's reader does not, and the sentence names the cell.
    assert refusal(tmp_path, f"a,label\n1,0\n{cell},1\n") == f"c.csv, line 3: {cell!r} is not a number"


def test_a_header_is_found_by_its_label_name_in_any_case(tmp_path):
    (tmp_path / "h.csv").write_text("0,1,Label\n5,6,cat\n7,8,dog\n")
    x, y, names = read_csv(tmp_path / "h.csv")
    assert x.tolist() == [[5, 6], [7, 8]] and names == ("cat", "dog") and y.tolist() == [0, 1]


def test_nan_is_found_in_every_chunk_of_the_table(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_reader, "CHUNK_VALUES", 4)  # two rows per chunk
    rows = [f"{i},{i % 2}" for i in range(10)]
    for bad in (0, 9):
        lines = rows.copy()
        lines[bad] = f"nan,{bad % 2}"
        assert refusal(tmp_path, "\n".join(lines) + "\n") == (f"c.csv, line {bad + 1}: NaN or infinity among the "
                                                              "features; every value must be finite")


def long_line(length, cells=84):
    """A row of `cells` numbers and the label 1, exactly `length` characters with its line break."""
    room = length - len(",1\n") - (cells - 1)
    sizes = [room // cells] * cells
    sizes[-1] += room - sum(sizes)
    line = ",".join("0." + "0" * (size - 3) + "1" for size in sizes) + ",1\n"  # tiny numbers, read as 0
    assert len(line) == length
    return line


def test_a_line_of_the_longest_length_is_read(tmp_path):
    most = csv_reader.MAX_LINE_CHARS
    (tmp_path / "wide.csv").write_text(long_line(most) + "0," * 84 + "0\n")
    x, y, _ = read_csv(tmp_path / "wide.csv")
    assert y.tolist() == [1, 0] and x.shape == (2, 84)
    assert refusal(tmp_path, long_line(most + 1) + "0," * 84 + "0\n", "long.csv") == (
        "long.csv, line 1: longer than 8,388,608 characters; put one example on each line")


def test_only_spaces_tabs_and_commas_make_a_line_blank(tmp_path):
    assert refusal(tmp_path, "1,2,0\n3,4,1\nX,X,X\n5,6,1\n") == "c.csv, line 3: 'X' is not a number"


def test_a_header_after_blank_lines_is_still_the_header(tmp_path):
    (tmp_path / "b.csv").write_text("\n\nlabel,a\n0,1\n1,2\n")
    x, y, _ = read_csv(tmp_path / "b.csv")
    assert x.tolist() == [[1], [2]] and y.tolist() == [0, 1]


def test_a_label_column_in_the_middle_moves_every_row_left(tmp_path):
    (tmp_path / "m.csv").write_text("a,label,b\n5,1,7\n8,0,9\n")
    x, y, _ = read_csv(tmp_path / "m.csv")
    assert x.tolist() == [[5, 7], [8, 9]] and y.tolist() == [1, 0]


def test_a_hash_is_part_of_a_label_not_a_comment(tmp_path):
    (tmp_path / "h.csv").write_text("1,2,c#\n3,4,d\n5,6,c#\n")
    assert read_csv(tmp_path / "h.csv")[2] == ("c#", "d")


@pytest.mark.parametrize("text, message", [
    ("1,2,0\n", "c.csv: fewer than 2 examples"),
    ("1,2,0\n3,4,1\n5,6,0\n7,\"8,1\n", 'c.csv, line 4: a quote (") is opened but not closed on this line'),
    ("1,2,cat\n3,x,dog\n", "c.csv, line 2: 'x' is not a number"),  # the label column is not a feature
    ("1,2,cat\n3,nan,dog\n", "c.csv, line 2: NaN or infinity among the features; every value must be finite"),
    ("label,a,b,c\n0,1,2\n1,3,4\n", "c.csv, line 2: 3 values; every row needs 4"),
    ("a,b,label\n1,2,0\n3,4,\n5,6,1\n", "c.csv, line 3: no label; every row needs one in the label column"),
    ("label,a\n0,1\n \t,2\n1,3\n", "c.csv, line 3: no label; every row needs one in the label column"),
    ("a," + "b" * 45 + "\n1,0.5\n2,1\n", f"c.csv: the label column (the last column, '{'b' * 40}') holds fractions"),
])
def test_csv_refusals_found_by_the_full_read_word_for_word(tmp_path, text, message):
    assert refusal(tmp_path, text).startswith(message)


@pytest.mark.parametrize("raised, message", [
    (ValueError("numpy's own words"), "c.csv: not a table of numbers with 2 columns and one label column"),
    (DatasetError("c.csv: the reader's own words"), "c.csv: the reader's own words"),
])
def test_a_failure_the_second_pass_cannot_place_still_gets_one_sentence(tmp_path, monkeypatch, raised, message):
    """Should numpy's reader ever refuse a file in which the second pass finds nothing wrong."""
    def refuse(*args, **kwargs):
        raise raised

    monkeypatch.setattr(csv_reader.np, "loadtxt", refuse)
    assert refusal(tmp_path, "a,label\n1,0\n2,1\n") == message
