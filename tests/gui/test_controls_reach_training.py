"""Every control a student sets reaches the run that trains, with a value no default could match."""

from PySide6.QtCore import Qt

from regstudio.core.datasets.spec import DataSpec
from regstudio.core.model import Activation, BatchNorm, Dense, Dropout, GaussianNoise, ModelSpec, Regularizer
from regstudio.core.training.run_spec import EarlyStopping, TrainingConfig


def choose(combo, data):
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def test_every_training_and_regularization_control_reaches_the_run(window, qtbot):
    reg = window.regularization
    choose(window.preset_combo, "none")
    choose(reg.penalty_combo, "l1l2")
    reg.l1_strength.setValue(0.0031)
    reg.l2_strength.setValue(0.0017)
    reg.dropout_check.setChecked(True)
    reg.dropout_rate.setValue(0.45)
    reg.noise_check.setChecked(True)
    reg.noise_stddev.setValue(0.35)
    reg.batchnorm_check.setChecked(True)
    reg.early_box.setChecked(True)
    reg.monitor_combo.setCurrentText("val_accuracy")
    reg.patience_spin.setValue(7)
    reg.restore_check.setChecked(False)
    t = window.training
    t.optimizer_combo.setCurrentText("rmsprop")
    t.lr_spin.setValue(0.0123)
    t.epochs_spin.setValue(2)
    t.batch_spin.setValue(16)
    t.split_spin.setValue(0.35)
    t.seed_spin.setValue(11)
    t.train_size_spin.setValue(100)
    t.noise_spin.setValue(0.15)

    pair = Regularizer("l1l2", 0.0031, 0.0017)
    block = [BatchNorm(), Activation("relu"), GaussianNoise(0.35), Dropout(0.45)]
    expected_model = ModelSpec((Dense(128, "linear", pair), *block, Dense(64, "linear", pair), *block))
    expected_training = TrainingConfig("rmsprop", 0.0123, 2, 16, 0.35, 11, EarlyStopping("val_accuracy", 7, 0.0, False))
    spec = window.current_spec()
    assert spec.model == expected_model
    assert spec.training == expected_training
    assert (spec.data.dataset, spec.data.train_size, spec.data.label_noise) == ("blobs", 100, 0.15)
    assert spec.data == DataSpec("blobs", 100, 0.15)

    with qtbot.waitSignal(window.recorder.runFinished, timeout=120_000) as done:
        qtbot.mouseClick(window.train_button, Qt.MouseButton.LeftButton)
    record = done.args[1]
    assert record.spec == spec
    # 100 examples, 35 held out for validation; 65 in batches of 16 make 5 steps an epoch.
    assert (record.dataset.n_train, record.dataset.n_val) == (65, 35)
    assert record.steps == len(record.epochs) * 5 and len(record.epochs) == 2
    assert record.epochs[-1].penalty > 0


def test_a_slow_epoch_is_said_before_training_and_a_quick_one_is_not(window, qtbot):
    from regstudio.core.training.epoch_time import StepCost

    qtbot.waitUntil(lambda: window.epoch_time.cost is not None, timeout=60_000)  # measured after the warm-up
    window.training.epochs_spin.setValue(2)
    # As measured, blobs' tiny network is quick: nothing said.
    with qtbot.waitSignal(window.recorder.runFinished, timeout=120_000):
        qtbot.mouseClick(window.train_button, Qt.MouseButton.LeftButton)
    assert "epoch takes" not in window.message_label.text()
    # On a computer where a step costs 2 s: blobs' 800 training points, 160 held out, 640 in batches
    # of 32 make 20 steps.
    window.epoch_time.cost = StepCost(overhead=2.0, per_mac=0.0)
    with qtbot.waitSignal(window.recorder.runFinished, timeout=120_000):
        qtbot.mouseClick(window.train_button, Qt.MouseButton.LeftButton)
        assert window.message_label.text().startswith(
            "One epoch takes about 40 s on this computer (estimated), so 2 epochs take about 80 s.")
