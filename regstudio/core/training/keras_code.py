"""The Keras program of a RunSpec, as a student would type it: the lesson is written in this code.

The program builds the same layers with the same regularizers, compiles with the same
optimizer and loss, and fits with the same validation share, batch size, epochs and early
stopping. It leaves out what RegStudio adds only to show things (the penalty tracked
apart from the data loss, per-epoch weight statistics) and says in comments where
RegStudio does something slightly different (a stratified hold-out). It expects
`x_train` (rows of features scaled to [0, 1]) and `y_train` (class numbers or one-hot
rows) to exist, so it runs as it is in a notebook that has loaded the data.
"""

from __future__ import annotations

from ..datasets import known_shape
from ..model.keras_model import OPTIMIZER_CLASSES
from .run_spec import RunSpec

INDENT = "    "


def model_lines(spec: RunSpec, n_features: str, n_classes: str) -> list[str]:
    lines = ["model = keras.Sequential([", f"{INDENT}keras.Input(shape=({n_features},)),"]
    lines += [f"{INDENT}{layer.keras_code()}," for layer in spec.model.layers]
    lines += [f"{INDENT}layers.Dense({n_classes}, activation='softmax'),  # the output layer: one unit per class",
              "])"]
    return lines


def program(spec: RunSpec, title: str | None = None) -> str:
    """Runnable Python for the whole run: imports, model, compile, fit, evaluate on x_test if present."""
    t, shape = spec.training, known_shape(spec.data.dataset)
    features, classes = (str(shape[0]), str(shape[1])) if shape else ("x_train.shape[1]", "n_classes")
    uses_regularizers = any("regularizers." in layer.keras_code() for layer in spec.model.layers)
    imports = "from keras import layers" + (", regularizers" if uses_regularizers else "")
    lines = [f"# {title or 'RegStudio'}: {spec.model.describe()}",
             "# Needs x_train (features scaled to [0, 1]) and y_train (class numbers or one-hot rows).",
             "import numpy as np", "import keras", imports, ""]
    if not shape:
        lines.append("n_classes = int(np.max(y_train)) + 1 if np.ndim(y_train) == 1 else np.shape(y_train)[1]")
    lines += [f"keras.utils.set_random_seed({t.seed})", ""]
    lines += model_lines(spec, features, classes)
    optimizer = OPTIMIZER_CLASSES[t.optimizer]
    lines += ["", f"model.compile(optimizer=keras.optimizers.{optimizer}(learning_rate={t.learning_rate!r}),",
              "              loss='categorical_crossentropy', metrics=['accuracy'])", "model.summary()", "",
              "# One-hot labels, as categorical_crossentropy expects them.",
              f"y_onehot = keras.utils.to_categorical(y_train, {classes}) if np.ndim(y_train) == 1 else y_train"]
    callbacks = ""
    es = t.early_stopping
    if es is not None:
        lines += [f"stop_early = keras.callbacks.EarlyStopping(monitor={es.monitor!r}, patience={es.patience}, "
                  f"min_delta={es.min_delta!r},",
                  f"                                           restore_best_weights={es.restore_best})"]
        callbacks = ", callbacks=[stop_early]"
    lines += [f"# RegStudio holds out {t.validation_split:.0%} of each class; validation_split takes the last "
              f"{t.validation_split:.0%} of the rows.",
              f"history = model.fit(x_train, y_onehot, validation_split={t.validation_split!r}, "
              f"epochs={t.epochs}, batch_size={t.batch_size}{callbacks})", "",
              "if 'x_test' in globals():  # the test set, never seen in training",
              f"{INDENT}y_test_onehot = keras.utils.to_categorical(y_test, {classes}) if np.ndim(y_test) == 1 else "
              "y_test",
              f"{INDENT}print(model.evaluate(x_test, y_test_onehot, return_dict=True))"]
    return "\n".join(lines) + "\n"
