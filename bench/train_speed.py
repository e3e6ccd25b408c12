"""Time per epoch: the lesson's plain Keras script against a RegStudio TrainingSession.

Both train the lesson's three models (none, l2, dropout) on the same data in the same
process, alternating, for several seeds. The plain script is exactly the lesson's:
Sequential model, compile('adam', 'categorical_crossentropy', ['accuracy']),
fit(x, y, validation_split=0.2, epochs, batch_size=128) on NumPy arrays, then evaluate.
It is given the training examples ordered so that Keras's validation_split (the last 20 %)
holds out the very examples the session holds out.

    python bench/train_speed.py [--dataset mnist-5k] [--epochs 10] [--seeds 0 1 2]

Prints seconds per epoch for each, the ratio session / plain (target <= 0.8) and test
accuracies (target: mean |difference| <= 0.01).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from datetime import date

import numpy as np

from regstudio.core.datasets import load, stratified_indices
from regstudio.core.datasets.spec import DataSpec
from regstudio.core.experiments.presets import preset
from regstudio.core.tf_runtime import import_keras
from regstudio.core.training.session import TrainingSession

PRESETS = ("none", "l2", "dropout")


def plain_keras(name: str, x: np.ndarray, y: np.ndarray, x_test: np.ndarray, y_test: np.ndarray,
                epochs: int, seed: int) -> tuple[float, float]:
    """The lesson's script, written out by hand as a student would, for one preset."""
    keras = import_keras()
    from keras import layers, regularizers

    keras.utils.set_random_seed(seed)
    reg = regularizers.l2(0.001) if name == "l2" else None
    stack = [keras.Input(shape=(784,)), layers.Dense(128, activation="relu", kernel_regularizer=reg)]
    if name == "dropout":
        stack.append(layers.Dropout(0.3))
    stack.append(layers.Dense(64, activation="relu", kernel_regularizer=reg))
    if name == "dropout":
        stack.append(layers.Dropout(0.3))
    stack.append(layers.Dense(10, activation="softmax"))
    model = keras.Sequential(stack)
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    y1 = keras.utils.to_categorical(y, 10)
    started = time.perf_counter()
    model.fit(x, y1, validation_split=0.2, epochs=epochs, batch_size=128, verbose=0)
    per_epoch = (time.perf_counter() - started) / epochs
    _, accuracy = model.evaluate(x_test, keras.utils.to_categorical(y_test, 10), verbose=0)
    return per_epoch, float(accuracy)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="mnist-5k")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()

    data = load(DataSpec(args.dataset))
    keras = import_keras()
    rows = []
    for seed in args.seeds:
        # The session's hold-out for this seed, put last so validation_split takes the same.
        fit_idx, val_idx = stratified_indices(data.y_train, 0.2, seed)
        order = np.concatenate([fit_idx, val_idx])
        x, y = data.x_train[order], data.y_train[order]
        for name in PRESETS:
            spec = preset(name).run_spec(dataset=args.dataset).with_training(epochs=args.epochs, seed=seed)
            plain_s, plain_acc = plain_keras(name, x, y, data.x_test, data.y_test, args.epochs, seed)
            record = TrainingSession(spec, data, name=name).run()
            ours_s = record.train_seconds / len(record.epochs)
            rows.append((seed, name, plain_s, ours_s, plain_acc, record.test_accuracy))
            print(f"seed {seed} {name:8s} plain {plain_s:.4f} s/epoch  regstudio {ours_s:.4f} s/epoch  "
                  f"ratio {ours_s / plain_s:.2f}  test acc {plain_acc:.4f} vs {record.test_accuracy:.4f}",
                  flush=True)

    plain_mean = statistics.mean(r[2] for r in rows)
    ours_mean = statistics.mean(r[3] for r in rows)
    ratios = [r[3] / r[2] for r in rows]
    diffs = [abs(r[4] - r[5]) for r in rows]
    print()
    print(f"## train_speed: {args.dataset}, {args.epochs} epochs, seeds {args.seeds} "
          f"({date.today()}, {platform.machine()}, {platform.processor() or 'cpu'}, "
          f"keras {keras.__version__})")
    print(f"- plain Keras: {plain_mean:.4f} s/epoch; RegStudio session: {ours_mean:.4f} s/epoch")
    print(f"- ratio session/plain: mean {statistics.mean(ratios):.2f}, worst {max(ratios):.2f} "
          "(target <= 0.80)")
    print(f"- test accuracy |difference|: mean {statistics.mean(diffs):.4f}, worst {max(diffs):.4f} "
          "(target mean <= 0.01)")


if __name__ == "__main__":
    main()
