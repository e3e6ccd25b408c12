"""How long an epoch will take on this computer, said before a long run starts.

A student who types a 100-million-parameter network or asks for 1,000 epochs should hear
how long that is before waiting for it. Once TensorFlow is loaded, the training thread
measures two numbers: what a training step costs whatever its size (`overhead`, Keras's
and TensorFlow's per-step work, which dominates small networks) and what one multiply-add
of a step's arithmetic costs (`per_mac`). A Dense network does about one multiply-add per
weight per example going forward and two going back, so an epoch of n examples costs
about `steps x overhead + 3 x n x params x per_mac`, plus one forward pass over the
validation rows. Layers other than Dense (dropout, noise, batch normalization) add work
in proportion to their units, small beside the weights, and are left out.

Once a run is going, its own progress gives the measured figure (`measured_epoch_seconds`),
which the window prefers to the estimate.
"""

from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass

from ..datasets.spec import FILE_DATASET, SYNTHETIC
from ..datasets.split import TEST_SHARE, held_out
from .events import Progress
from .run_spec import RunSpec

SLOW_EPOCH_SECONDS = 10.0  # above this, an epoch's time is said before training

# Examples of the built-in sets before their test split: the embedded digits are split here
# (datasets/standard.py), MNIST and Fashion-MNIST come with 60,000 training images.
_EXAMPLES = {"mnist-5k": 5_000}
_TRAIN_EXAMPLES = {"mnist": 60_000, "fashion-mnist": 60_000}


@dataclass(frozen=True)
class StepCost:
    """What a training step costs on this computer, measured once per process."""

    overhead: float  # seconds per step whatever the network's size
    per_mac: float  # seconds per multiply-add of a step's arithmetic


def training_examples(spec: RunSpec) -> int | None:
    """The examples a run of `spec` trains and validates on, without loading; None for a user's file."""
    data = spec.data
    if data.dataset == FILE_DATASET:
        return None
    if data.dataset in SYNTHETIC or data.dataset in _EXAMPLES:
        n = data.samples if data.dataset in SYNTHETIC else _EXAMPLES[data.dataset]
        total = n - held_out(n, TEST_SHARE)
    else:
        total = _TRAIN_EXAMPLES.get(data.dataset)
        if total is None:
            return None
    return min(total, data.train_size) if data.train_size is not None else total


def epoch_seconds(cost: StepCost, params: int, examples: int, validation_share: float, batch_size: int) -> float:
    """The estimated seconds of one epoch: training steps, then the validation pass."""
    n_val = held_out(examples, validation_share)
    n_fit = examples - n_val
    steps = math.ceil(n_fit / batch_size)
    return steps * cost.overhead + (3 * n_fit + n_val) * params * cost.per_mac


def measured_epoch_seconds(earlier: Progress, later: Progress) -> float | None:
    """Seconds per epoch from two progress reports of one run's first epoch; None if they cannot tell.

    The first report comes after the first batch, which also traced the training step, so
    only the batches between the two reports are counted.
    """
    if later.epoch != earlier.epoch or later.batch <= earlier.batch or later.seconds <= earlier.seconds:
        return None
    per_batch = (later.seconds - earlier.seconds) / (later.batch - earlier.batch)
    return per_batch * later.batches


def duration(seconds: float) -> str:
    """'40 s', '12 minutes', '3.5 hours': how long, in the unit a student would say it."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds / 3600:.1f} hours"


def slow_epoch_message(per_epoch: float, epochs: int, measured: bool = False, runs: int = 1) -> str | None:
    """What a student should hear before waiting for epochs over SLOW_EPOCH_SECONDS; None for quicker ones.

    `per_epoch`: the seconds of one epoch of all `runs` together.
    """
    if per_epoch <= SLOW_EPOCH_SECONDS:
        return None
    how = "measured" if measured else "estimated"
    which = f"One epoch of these {runs} runs takes" if runs > 1 else "One epoch takes"
    return (f"{which} about {duration(per_epoch)} on this computer ({how}), so {epochs} epoch"
            f"{'s' * (epochs != 1)} take about {duration(per_epoch * epochs)}. Stop (Esc) ends training at any "
            f"time; fewer units or a smaller training set train faster.")


@functools.cache
def measure_step_cost(repeats: int = 4) -> StepCost:
    """Time training steps of a tiny and a mid-sized Dense network; once per process (one to two
    seconds, mostly tracing the two steps), so later windows and tests reuse it."""
    import numpy as np

    from ..model.keras_model import make_optimizer
    from ..tf_runtime import import_keras

    keras = import_keras()

    def step_seconds(units: int, inputs: int, batch: int) -> tuple[float, int]:
        model = keras.Sequential([keras.Input((inputs,)), keras.layers.Dense(units, activation="relu"),
                                  keras.layers.Dense(units, activation="relu"), keras.layers.Dense(10)])
        model.compile(optimizer=make_optimizer("adam", 0.001),  # the one training uses
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        rng = np.random.default_rng(0)
        x = rng.normal(size=(batch, inputs)).astype(np.float32)
        y = rng.integers(0, 10, batch)
        model.train_on_batch(x, y)  # traces the step: not part of a step's cost
        started = time.perf_counter()
        for _ in range(repeats):
            model.train_on_batch(x, y)
        return (time.perf_counter() - started) / repeats, int(model.count_params())

    small, _ = step_seconds(4, 2, 32)
    large, params = step_seconds(512, 784, 256)
    per_mac = max(large - small, 0.0) / (3 * 256 * params)
    return StepCost(overhead=small, per_mac=max(per_mac, 1e-13))
