"""Observations on real training: the lesson's effects, found by the same functions the window uses."""

from dataclasses import replace

from regstudio.cli import main
from regstudio.core.datasets import load
from regstudio.core.experiments.presets import preset
from regstudio.core.lessons.observations import observe_runs
from regstudio.core.model.edits import reference_model, with_dropout
from regstudio.core.training.session import TrainingSession


def test_none_l1_and_dropout_on_noisy_digits_yield_onset_sparsity_and_a_smaller_gap():
    base = preset("none").run_spec(train_size=800, label_noise=0.3).with_training(epochs=15, batch_size=64)
    data = load(base.data)
    runs = [TrainingSession(base, data, name="none").run(),
            TrainingSession(replace(base, model=preset("l1").model), data, name="l1").run(),
            TrainingSession(replace(base, model=with_dropout(reference_model(), 0.6)), data, name="dropout").run()]
    found = {(o.kind, o.runs[0]) for o in observe_runs(runs)}
    assert ("onset", "none") in found  # 30 % wrong labels: the plain network memorizes them
    assert ("sparsity", "l1") in found and ("shrunk", "l1") in found
    assert ("gap", "dropout") in found


def test_compare_prints_an_observation_about_zero_weights(capsys):
    assert main(["compare", "none", "l1", "--epochs", "5"]) == 0  # the command the issue names
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("- ")]
    assert any("zero" in line or "sparsity" in line for line in lines), lines
