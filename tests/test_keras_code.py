"""The Keras code shown in the window runs as it is and builds the app's own model."""

import subprocess
import sys

import numpy as np
import pytest

from regstudio.cli import main
from regstudio.core.experiments.presets import PRESETS
from regstudio.core.model.keras_model import build_model, count_params
from regstudio.core.training.keras_code import program
from regstudio.core.training.run_spec import EarlyStopping


def run_program(code, n_features, n_classes, rows=64):
    rng = np.random.default_rng(0)
    scope = {"x_train": rng.random((rows, n_features), dtype=np.float32),
             "y_train": rng.integers(0, n_classes, rows)}
    exec(code, scope)
    return scope


@pytest.mark.parametrize("name", ["l2", "l1l2", "dropout-l2", "noise", "batchnorm", "early-stopping"])
def test_the_code_builds_the_same_layers_and_parameters_as_the_app(name):
    spec = PRESETS[name].run_spec().with_training(epochs=1)
    scope = run_program(program(spec), 784, 10)
    model, ours = scope["model"], build_model(spec.model, 784, 10)
    assert model.count_params() == ours.count_params() == count_params(spec.model, 784, 10)
    assert [type(layer).__name__ for layer in model.layers] == [type(layer).__name__ for layer in ours.layers]
    assert [getattr(layer, "rate", None) for layer in model.layers] == [getattr(layer, "rate", None)
                                                                        for layer in ours.layers]
    for theirs, mine in zip(model.layers, ours.layers, strict=True):
        if hasattr(mine, "kernel_regularizer") and mine.kernel_regularizer is not None:
            assert theirs.kernel_regularizer.get_config() == mine.kernel_regularizer.get_config()
    assert len(scope["history"].history["loss"]) == 1


def test_early_stopping_and_the_optimizer_reach_the_code():
    spec = PRESETS["none"].run_spec().with_training(optimizer="sgd", learning_rate=0.05, epochs=3,
                                                    early_stopping=EarlyStopping("val_accuracy", 2, 0.01, False))
    code = program(spec)
    assert "keras.optimizers.SGD(learning_rate=0.05)" in code
    assert "EarlyStopping(monitor='val_accuracy', patience=2, min_delta=0.01," in code
    assert "restore_best_weights=False" in code and "callbacks=[stop_early]" in code
    assert run_program(code, 784, 10)["model"].optimizer.__class__.__name__ == "SGD"


def test_a_users_file_gets_its_shape_from_the_arrays():
    spec = PRESETS["l2"].run_spec().with_data(dataset="file", path="mine.csv").with_training(epochs=1)
    model = run_program(program(spec), 7, 3)["model"]
    assert model.count_params() == count_params(spec.model, 7, 3)


def test_regstudio_code_l2_prints_code_that_builds_109386_parameters(capsys):
    assert main(["code", "l2"]) == 0
    code = capsys.readouterr().out
    rng = np.random.default_rng(1)
    scope = {"x_train": rng.random((32, 784), dtype=np.float32), "y_train": rng.integers(0, 10, 32)}
    patched = code.replace("epochs=10", "epochs=1")  # the same code, trained for a moment
    exec(patched, scope)
    assert scope["model"].count_params() == 109_386


def test_the_code_command_refuses_what_it_cannot_show(capsys):
    assert main(["code", "l9"]) == 2 and "unknown preset 'l9'" in capsys.readouterr().err
    assert main(["code"]) == 2


def test_the_printed_code_is_valid_python_without_running_it():
    out = subprocess.run([sys.executable, "-m", "regstudio", "code", "dropout"], capture_output=True, text=True,
                         check=True).stdout
    compile(out, "code.py", "exec")
