"""`regstudio compare --boundary OUT.png` and `--network playground`: the picture, the records, the refusals."""

import json

import numpy as np
import pytest
from PySide6.QtGui import QImage

from regstudio.cli import main


def colours(path):
    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB32)
    pixels = np.frombuffer(image.constBits(), np.uint32, image.sizeInBytes() // 4)
    return image.width(), image.height(), np.unique(pixels)


def test_compare_draws_the_boundaries_side_by_side_and_records_their_complexity(tmp_path, capsys):
    picture, records = tmp_path / "OUT.png", tmp_path / "J.json"
    code = main(["compare", "none", "l2", "--dataset", "moons", "--epochs", "20", "--boundary", str(picture),
                 "--json", str(records)])
    out = capsys.readouterr().out
    assert code == 0 and f"drawn in {picture}" in out and "Decision boundary length at the last epoch" in out
    width, height, distinct = colours(picture)
    assert width >= 2 * 300 and height > 300  # two pictures side by side
    assert len(distinct) > 100  # shaded regions, points and text: not a blank page
    runs = json.loads(records.read_text())["runs"]
    for run in runs:
        lengths = [epoch["boundary_complexity"] for epoch in run["epochs"]]
        assert len(lengths) == 20 and all(isinstance(x, float) and 0.5 < x < 50 for x in lengths)
        assert f"{run['name']} {lengths[-1]:.2f}" in out


def test_the_playground_network_brings_its_training_and_noisy_moons(tmp_path, capsys):
    records = tmp_path / "runs.json"
    assert main(["compare", "none", "dropout", "--network", "playground", "--epochs", "2",
                 "--json", str(records)]) == 0
    runs = json.loads(records.read_text())["runs"]
    data, training = runs[0]["spec"]["data"], runs[0]["spec"]["training"]
    assert (data["dataset"], data["train_size"], data["label_noise"]) == ("moons", 300, 0.3)
    assert (training["batch_size"], training["learning_rate"], training["epochs"]) == (32, 0.003, 2)
    assert [layer["units"] for layer in runs[1]["spec"]["model"]["layers"] if layer["type"] == "dense"] == [64] * 3
    assert [layer["type"] for layer in runs[1]["spec"]["model"]["layers"]] == ["dense", "dropout"] * 3
    assert main(["compare", "none", "--network", "playground", "--dataset", "circles", "--label-noise", "0",
                 "--epochs", "1", "--json", str(records)]) == 0
    data = json.loads(records.read_text())["runs"][0]["spec"]["data"]
    assert (data["dataset"], data["train_size"], data["label_noise"]) == ("circles", 300, 0.0)  # as given


@pytest.mark.parametrize("argv, message", [
    (["--boundary", "{tmp}/out.jpg"], "--boundary {tmp}/out.jpg: a picture's name ends in .png"),
    (["--boundary", "{tmp}/no/such/out.png"], "does not exist"),
    (["--boundary", "{tmp}/out.png", "--dataset", "mnist-5k"], "mnist-5k has 784 features"),
    (["--network", "deep"], "invalid choice: 'deep'"),
])
def test_a_picture_that_cannot_be_drawn_is_refused_before_training(argv, message, tmp_path, capsys):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert main(["compare", "none", *argv]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and message.replace("{tmp}", str(tmp_path)) in lines[0]
    assert "test acc" not in captured.out  # nothing was trained
