import json

import pytest

from regstudio.cli import main


def test_compare_prints_the_lessons_table_and_writes_records(tmp_path, capsys):
    out_file = tmp_path / "runs.json"
    code = main(["compare", "none", "l2", "--dataset", "blobs", "--epochs", "2", "--batch-size", "32",
                 "--json", str(out_file)])
    out = capsys.readouterr().out
    assert code == 0
    assert "test acc" in out and "best val acc" in out and "gap" in out
    rows = [line.split() for line in out.splitlines() if line.startswith(("none ", "l2 "))]
    assert [r[0] for r in rows] == ["none", "l2"]
    saved = json.loads(out_file.read_text())
    assert [r["name"] for r in saved["runs"]] == ["none", "l2"]
    # The table shows the records it saved: test accuracy, best validation accuracy, epochs.
    for row, run in zip(rows, saved["runs"], strict=True):
        assert len(run["epochs"]) == 2 and row[4] == "2"
        assert row[1] == f"{run['test_accuracy']:.4f}"
        assert row[2] == f"{max(e['val_accuracy'] for e in run['epochs']):.4f}"
    assert {layer["regularizer"]["l2"] for layer in saved["runs"][1]["spec"]["model"]["layers"]} == {0.001}


def test_datasets_lists_what_is_available(capsys):
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("mnist-5k") and " yes " in out.splitlines()[0]
    assert "moons" in out


@pytest.mark.parametrize("argv, message", [
    (["compare", "none", "l7"], "unknown preset 'l7'"),
    (["compare", "none", "--epochs", "0"], "training.epochs = 0: a whole number from 1 to 1000"),
    (["compare", "none", "--epochs", "ten"], "invalid int value: 'ten'"),
    (["compare", "none", "--label-noise", "2"], "data.label_noise = 2.0"),
    (["compare"], "required: PRESET"),
    (["fly"], "invalid choice: 'fly'"),
    (["compare", "none", "--dataset", "/no/such/file.csv"], "no such file"),
])
def test_bad_arguments_exit_2_with_one_clear_line(argv, message, capsys):
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("regstudio: error:") and message in lines[0]
    assert captured.out == ""


def test_grid_prints_the_results_table_and_the_best_value(tmp_path, capsys):
    out_file = tmp_path / "grid.json"
    code = main(["grid", "--param", "l2", "--values", "1e-4", "1", "--cv", "2", "--dataset", "blobs",
                 "--epochs", "2", "--json", str(out_file)])
    out = capsys.readouterr().out
    assert code == 0
    rows = [line.split() for line in out.splitlines() if line.strip().startswith(("0.0001 ", "1 "))]
    assert [r[0] for r in rows] == ["0.0001", "1"] and all(r[-1] == "2" for r in rows)
    assert "Best l2: " in out
    assert len(json.loads(out_file.read_text())["runs"]) == 4


def test_grid_scored_by_loss_names_the_score(capsys):
    code = main(["grid", "--param", "l2", "--values", "1e-4", "1", "--dataset", "blobs", "--epochs", "2",
                 "--score", "loss"])
    out = capsys.readouterr().out
    assert code == 0 and "val loss (mean ± sd)" in out and "lowest validation loss" in out
    losses = {line.split()[0]: float(line.split()[1]) for line in out.splitlines()
              if line.strip().startswith(("0.0001 ", "1 "))}
    assert f"Best l2: {min(losses, key=losses.get)} " in out  # the lower loss wins


@pytest.mark.parametrize("argv, message", [
    (["grid", "--param", "momentum"], "invalid choice: 'momentum'"),
    (["grid", "--param", "l2", "--cv", "11"], "--cv 11: cross-validation takes 2 to 10 folds"),
    (["grid", "--param", "dropout", "--values", "0.5", "1.2"], "grid.values = 1.2: a share in [0, 1)"),
])
def test_grid_bad_arguments(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def test_compare_and_grid_save_labs_that_summary_reads_back(tmp_path, capsys):
    lab = tmp_path / "class.regstudio"
    assert main(["compare", "none", "l2", "--dataset", "blobs", "--epochs", "2", "--save", str(lab)]) == 0
    searched = tmp_path / "search.regstudio"
    assert main(["grid", "--param", "l2", "--values", "1e-4", "1e-2", "--dataset", "blobs", "--epochs", "1",
                 "--save", str(searched)]) == 0
    capsys.readouterr()
    from regstudio.core.lab.lab_file import open_lab

    content = open_lab(lab)
    assert [r.name for r in content.runs] == ["1: none", "2: l2"] and open_lab(searched).searches[0].result.best
    out_csv = tmp_path / "all.csv"
    assert main(["summary", str(lab), str(lab), "--csv", str(out_csv)]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("class.regstudio")]
    assert len(rows) == 4 and "1: none" in rows[0] and "4 runs from 2 lab files." in out
    assert out_csv.read_text().splitlines()[0].startswith("file,run,test_accuracy")


def test_summary_of_a_file_that_is_not_a_lab_exits_2_with_one_sentence(tmp_path, capsys):
    bad = tmp_path / "essay.regstudio"
    bad.write_text("my homework")
    assert main(["summary", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["regstudio: error: essay.regstudio: is not a RegStudio lab (not a zip archive)"]


def test_save_is_checked_before_training(tmp_path, capsys):
    assert main(["compare", "none", "--save", str(tmp_path / "nowhere" / "x.regstudio")]) == 2
    assert "the folder" in capsys.readouterr().err
    assert main(["compare", "none", "--save", str(tmp_path / "x.lab")]) == 2
    assert "ends in .regstudio" in capsys.readouterr().err


def test_a_lab_file_that_does_not_exist_is_refused_before_any_window(capsys):
    assert main(["/no/such/class.regstudio"]) == 2
    assert "no such lab file" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["compare", "none", "l2", "l1"], ["grid", "--param", "l2", "--values", "1e-4", "1",
                                                                       "--cv", "2"]])
def test_fused_and_one_after_another_differ_only_in_the_fused_with_note(tmp_path, capsys, command):
    from regstudio.core.lab.lab_file import open_lab

    printed, saved, labs = [], [], []
    for extra in ([], ["--no-fuse"]):
        path, lab = tmp_path / f"runs{len(saved)}.json", tmp_path / f"lab{len(saved)}.regstudio"
        assert main([*command, "--dataset", "blobs", "--epochs", "2", "--json", str(path), "--save", str(lab),
                     *extra]) == 0
        content = open_lab(lab)
        labs.append([r.record for r in content.runs] + [t.record for s in content.searches for t in s.trials])
        # Everything but the seconds (the last column of a row, the total time, the line saying the
        # fused seconds are the group's) and where files went.
        out = capsys.readouterr().out
        assert ("trained together as one model" in out) == (command[0] == "compare" and not extra)
        printed.append([line.rsplit(None, 1)[0] for line in out.splitlines()
                        if line.strip() and "s in all" not in line and str(tmp_path) not in line
                        and "trained together as one model" not in line])
        saved.append(json.loads(path.read_text())["runs"])
    assert printed[0] == printed[1]
    fused, alone = saved
    names = list(dict.fromkeys(run["name"] for run in alone))  # the presets, or the values of one fold
    for run, other in zip(fused, alone, strict=True):
        assert run.pop("fused_with") == [n for n in names if n != run["name"]] and "fused_with" not in other
        for key in ("build_seconds", "train_seconds", "test_seconds", "created"):
            run.pop(key), other.pop(key)
        for epoch in run["epochs"] + other["epochs"]:
            epoch.pop("seconds")
    assert fused == alone
    assert [r.fused_with != () for r in labs[0]] == [True] * len(labs[0]) and all(r.fused_with == () for r in labs[1])
    assert [r.epochs[-1].loss for r in labs[0]] == [r.epochs[-1].loss for r in labs[1]]  # the lab file: the same
