"""A real model on real digits, as a student would train it (a few seconds)."""

from regstudio.core.datasets import load
from regstudio.core.datasets.spec import DataSpec
from regstudio.core.experiments.presets import preset
from regstudio.core.training.session import TrainingSession


def test_lesson_models_learn_the_embedded_digits_and_l1_makes_weights_sparse():
    data = load(DataSpec(train_size=1500))
    records = {}
    for name in ("none", "l1"):
        spec = preset(name).run_spec(train_size=1500).with_training(epochs=4)
        records[name] = TrainingSession(spec, data, name=name).run()
    none, l1 = records["none"], records["l1"]
    assert none.outcome == "completed" and none.params == 109_386
    assert none.test_accuracy > 0.8  # chance is 0.1
    assert none.epochs[-1].loss < none.epochs[0].loss
    first = "dense_1/kernel"
    assert l1.last.stats(first).sparsity > none.last.stats(first).sparsity + 0.2
    assert l1.last.penalty > 0 and none.last.penalty == 0
