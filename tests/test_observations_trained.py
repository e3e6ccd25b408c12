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


def test_a_learning_rate_of_one_is_named_and_heavy_label_noise_is_not_taken_for_it():
    base = preset("none").run_spec(train_size=600).with_training(epochs=3, batch_size=64)
    data = load(base.data)
    stuck = TrainingSession(base.with_training(learning_rate=1.0), data, name="fast").run()
    assert {o.kind for o in observe_runs([stuck])} & {"chance", "diverged"}, stuck.epochs[-1]
    said = [o.text for o in observe_runs([stuck]) if o.kind == "chance"]
    assert not said or "learning rate of 1 the steps are far too large" in said[0]
    # The playground's network on the digits (run_spec's default data) with half of the labels
    # changed: validation stays low, but the network memorizes its training rows, so it did
    # learn (to overfit), not nothing.
    noisy = preset("playground").run_spec(label_noise=0.5).with_training(epochs=25)
    record = TrainingSession(noisy, load(noisy.data), name="noisy").run()
    assert record.final.val_accuracy <= 0.55 < record.final.accuracy, record.final  # the case, or the test says so
    assert "chance" not in {o.kind for o in observe_runs([record])}
