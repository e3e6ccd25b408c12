"""Observations: each one found on made-up records where it should be, and silent where it should not."""

from dataclasses import replace

from lesson_records import epochs, record

from regstudio.core.experiments.grid_search import GridPoint, GridResult, Trial
from regstudio.core.experiments.presets import PRESETS
from regstudio.core.lessons import observations as obs
from regstudio.core.training.run_spec import EarlyStopping


def kinds(found):
    return [o.kind for o in found]


def test_onset_names_the_lowest_epoch_and_the_rise():
    rising = record("1: none", history=epochs([0.6, 0.4, 0.42, 0.5, 0.6]))
    found = obs.onset(rising)
    assert found.text.startswith("1: none: validation loss was lowest at epoch 2 (0.400) and rose 50% by epoch 5")
    assert "while its training loss kept falling" in found.text
    assert obs.onset(record("x", history=epochs([0.6, 0.5, 0.45, 0.44, 0.44]))) is None  # still improving
    assert obs.onset(record("x", history=epochs([0.6, 0.4, 0.41, 0.405, 0.41]))) is None  # a 2.5 % wobble


def test_a_smaller_gap_and_shrunk_and_sparse_weights_are_measured_against_the_baseline():
    base = record("1: none", history=epochs([0.5] * 3, accuracies=[0.99] * 3, val_accuracies=[0.80] * 3, spread=0.2))
    l1 = record("2: l1", "l1", history=epochs([0.5] * 3, accuracies=[0.86] * 3, val_accuracies=[0.82] * 3,
                                               spread=0.05, zeros=0.7), test=0.87)
    found = {o.kind: o for o in obs.observe_runs([base, l1])}
    assert found["gap"].text == ("2: l1's generalization gap (+0.040) is smaller than 1: none's (+0.190): it "
                                 "memorized less of the training set.")
    assert found["shrunk"].runs == ("2: l1", "1: none") and "smaller than 1: none's (L2 norm" in found["shrunk"].text
    assert found["sparsity"].text.startswith("2: l1 left 7")  # about 70 % zeros, against about 0 %
    assert "too-strong" not in found


def test_a_penalty_that_costs_five_points_of_validation_accuracy_is_too_strong():
    base = record("1: none", history=epochs([0.5] * 3, val_accuracies=[0.90] * 3))
    strong = record("2: l1", "l1", history=epochs([0.9] * 3, accuracies=[0.55] * 3, val_accuracies=[0.60] * 3))
    found = obs.against_baseline(strong, base)
    assert kinds(found)[0] == "too-strong" and "0.300 below 1: none's (0.900)" in found[0].text
    slightly = record("2: l2", "l2", history=epochs([0.5] * 3, val_accuracies=[0.87] * 3))
    assert "too-strong" not in kinds(obs.against_baseline(slightly, base))


def test_dropout_training_accuracy_below_validation_is_explained():
    run = record("3: dropout", "dropout", history=epochs([0.4] * 3, accuracies=[0.83] * 3, val_accuracies=[0.91] * 3))
    assert "measured with dropout switching units off" in obs.dropout_training_below(run).text
    assert obs.dropout_training_below(replace(run, spec=PRESETS["none"].run_spec())) is None
    above = record("3: dropout", "dropout", history=epochs([0.4] * 3, accuracies=[0.95] * 3, val_accuracies=[0.9] * 3))
    assert obs.dropout_training_below(above) is None


def test_early_stopping_says_where_it_stopped_what_it_restored_and_what_it_saved():
    history = epochs([0.6, 0.4, 0.45, 0.5, 0.55])
    spec = PRESETS["early-stopping"].run_spec()
    run = record("4: early", "early-stopping", history=history, best_epoch=2, stop_epoch=5, restored_epoch=2,
                 spec=spec.with_training(early_stopping=EarlyStopping(patience=3)))
    text = obs.early_stopping(run).text
    assert "ended training at epoch 5, 3 epochs after its best epoch 2" in text
    assert "went back to epoch 2's weights (validation loss 0.400 instead of 0.550)" in text
    assert "skipped 95 of the 100 planned epochs" in text
    assert obs.early_stopping(record("x")) is None


def test_chance_level_blames_a_high_learning_rate():
    stuck = record("5: fast", history=epochs([2.3] * 3, accuracies=[0.1] * 3, val_accuracies=[0.11] * 3))
    stuck = replace(stuck, spec=stuck.spec.with_training(learning_rate=1.0))
    assert "chance level for 10 classes" in obs.chance(stuck).text and "learning rate of 1" in obs.chance(stuck).text
    assert obs.chance(record("ok")) is None
    # Validation at chance but training far above it (noisy labels memorized): it learned, it overfits.
    memorized = record("6: none", history=epochs([2.3] * 3, accuracies=[0.9] * 3, val_accuracies=[0.11] * 3))
    assert obs.chance(memorized) is None
    diverged = replace(stuck, outcome="diverged", reason="the loss became NaN in epoch 2")
    assert obs.chance(diverged).kind == "diverged"


def test_runs_closer_than_their_wobble_are_called_no_clear_difference():
    wobbly = [0.84, 0.86, 0.83, 0.87, 0.85]
    base = record("1: none", history=epochs([0.5] * 5, val_accuracies=wobbly), test=0.850)
    l2 = record("2: l2", "l2", history=epochs([0.5] * 5, val_accuracies=wobbly[::-1]), test=0.853)
    assert "close" in kinds(obs.against_baseline(l2, base))
    far = replace(l2, test_accuracy=0.90)
    assert "close" not in kinds(obs.against_baseline(far, base))


def test_the_best_strength_of_a_search_and_its_two_sides():
    points = [GridPoint(1e-4, 0.27, 0.005, 0.06, 0.0, 3), GridPoint(1e-3, 0.25, 0.005, 0.03, 0.0, 3),
              GridPoint(1e-2, 0.30, 0.005, 0.19, 0.0, 3)]
    trials = tuple(Trial(p.value, 0, 0, p.val_mean, p.train_mean, record("t")) for p in points)
    result = GridResult("l2", (1e-4, 1e-3, 1e-2), None, 1, trials, False, 10.0, "loss")
    (found,) = obs.observe_search(result)
    assert found.text.startswith("The best L2 strength λ is 0.001 (lowest validation loss 0.250")
    assert "At 0.0001 it is 0.270: too weak, it still overfits." in found.text
    assert "At 0.01 it is 0.300: too strong, it underfits." in found.text
