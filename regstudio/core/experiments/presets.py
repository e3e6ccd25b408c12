"""The lesson's models, exactly: the reference network with one technique added; and the 2-D playground.

Every lesson preset is the lesson's reference network, Dense(128, relu) → Dense(64, relu) →
softmax, trained with adam for 10 epochs, batch 128, 20 % held out for validation, with
one technique added. The numbers (λ = 0.01 for L1, 0.001 for L2, dropout 0.3, patience
5 with up to 100 epochs) are the lesson's, so results can be compared with it.

A technique is a rewrite of a network (model/edits.py), so each preset can also be put on
the 2-D playground's network: three Dense(64) layers trained for 200 epochs in batches of
32 at learning rate 0.003, meant for a few hundred noisy 2-D points, where overfitting is a
boundary you can see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial

from ..datasets.spec import SYNTHETIC, DataSpec
from ..model import ModelSpec
from ..model.edits import playground_model, reference_model, with_batchnorm, with_dropout, with_noise, with_regularizer
from ..model.penalties import Regularizer
from ..training.run_spec import EarlyStopping, RunSpec, TrainingConfig

L1_STRENGTH = 0.01
L2_STRENGTH = 0.001
DROPOUT_RATE = 0.3
NOISE_STDDEV = 0.5  # not in the lesson; chosen by measurement over 3 seeds (bench/RESULTS.md)
EARLY_STOPPING_EPOCHS = 100  # the lesson's "up to 100 epochs"

# The playground's data: chosen by measurement (bench/boundary.py) so that the bare network
# overfits within its 200 epochs: few points, a third of them with a wrong label.
PLAYGROUND_TRAIN_SIZE = 300
PLAYGROUND_LABEL_NOISE = 0.3


@dataclass(frozen=True)
class Network:
    """A network the techniques are put on, with the training it is meant for."""

    name: str
    title: str
    model: ModelSpec
    training: TrainingConfig
    two_d: bool = False  # meant for the 2-D sets: choosing it brings the playground's data

    def data_for(self, current: DataSpec) -> DataSpec:
        """The data to train it on when chosen over `current`: a 2-D network takes a 2-D set
        (moons unless one is chosen), PLAYGROUND_TRAIN_SIZE points and PLAYGROUND_LABEL_NOISE."""
        if not self.two_d:
            return current
        dataset = current.dataset if current.dataset in SYNTHETIC else "moons"
        return replace(current, dataset=dataset, path=None, train_size=PLAYGROUND_TRAIN_SIZE,
                       label_noise=PLAYGROUND_LABEL_NOISE)


NETWORKS: dict[str, Network] = {n.name: n for n in (
    Network("reference", "the lesson's network: Dense(128) → Dense(64)", reference_model(), TrainingConfig()),
    # lr 0.003 rather than Keras's 0.001: within the 200 epochs the bare network then bends around
    # most noisy points, which 0.001 leaves half done (bench/boundary.py, bench/RESULTS.md).
    Network("playground", "the 2-D playground: Dense(64) → Dense(64) → Dense(64)", playground_model(),
            TrainingConfig(learning_rate=0.003, epochs=200, batch_size=32), two_d=True),
)}


def _bare(model: ModelSpec) -> ModelSpec:
    return model


def _penalty(regularizer: Regularizer, model: ModelSpec) -> ModelSpec:
    return with_regularizer(model, regularizer)


def _dropout_l2(model: ModelSpec) -> ModelSpec:
    return with_dropout(with_regularizer(model, Regularizer.of("l2", L2_STRENGTH)), DROPOUT_RATE)


# "Make it overfit": measured on the embedded digits over 3 seeds (bench/RESULTS.md,
# 2026-11-25). With all 4,000 examples, 20 % wrong training labels and 30 epochs, the
# unregularized network's validation loss rises 38 % from its lowest point (epoch 6-8)
# while L2 and dropout beat it by 2.3 and 6.9 points of test accuracy, about 7 s a run
# here. Fewer examples hurt L2's side of the story (1,000: +0.5 points only); the default
# 10 clean epochs show no benefit at all.
OVERFIT_LABEL_NOISE = 0.2
OVERFIT_EPOCHS = 30


def make_it_overfit(spec: RunSpec) -> RunSpec:
    """`spec` on the settings where overfitting shows plainly (image data: the measured ones above)."""
    data = replace(spec.data, train_size=None, label_noise=OVERFIT_LABEL_NOISE)
    return replace(spec, data=data).with_training(epochs=OVERFIT_EPOCHS)


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    technique: Callable[[ModelSpec], ModelSpec]  # puts the technique on a network
    what: str  # what the technique does, in a sentence a student can follow
    when: str  # when to reach for it
    network: str = "reference"  # the network it puts the technique on by default
    early_stopping: EarlyStopping | None = None

    @property
    def model(self) -> ModelSpec:
        return self.model_on(self.network)

    @property
    def training(self) -> TrainingConfig:
        return self.training_on(self.network)

    def model_on(self, network: str) -> ModelSpec:
        return self.technique(NETWORKS[network].model)

    def training_on(self, network: str) -> TrainingConfig:
        training = NETWORKS[network].training
        if self.early_stopping is None:
            return training
        return replace(training, epochs=max(training.epochs, EARLY_STOPPING_EPOCHS), early_stopping=self.early_stopping)

    def training_for(self, current: TrainingConfig) -> TrainingConfig:
        """What the window's training settings become when the preset is chosen: its epochs (and on the
        playground its batch size and learning rate too); the rest, such as the seed, as the student left them."""
        mine = self.training
        if NETWORKS[self.network].two_d:
            return replace(current, epochs=mine.epochs, batch_size=mine.batch_size, learning_rate=mine.learning_rate)
        return replace(current, epochs=mine.epochs)

    def data_for(self, current: DataSpec) -> DataSpec:
        return NETWORKS[self.network].data_for(current)

    def run_spec(self, network: str | None = None, **data: object) -> RunSpec:
        """This preset's model and training on `network` (its own by default), on default or given data."""
        on = network or self.network
        spec = RunSpec(self.model_on(on), self.training_on(on))
        return spec.with_data(**data) if data else spec


# The presets ----------------------------------------------------------------------------

PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("none", "No regularization", _bare,
               "The bare network: nothing holds the weights back, so with little data it "
               "learns the training set by heart.",
               "As the baseline every other technique is measured against."),
        Preset("l1", "L1 (lasso)", partial(_penalty, Regularizer.of("l1", L1_STRENGTH)),
               "Adds λ times the sum of |w| to the loss. The pull toward zero is the same size "
               "for every weight, so weights that matter little end up exactly at zero.",
               "When you want a sparse model: many weights off, a kind of feature selection."),
        Preset("l2", "L2 (ridge, weight decay)", partial(_penalty, Regularizer.of("l2", L2_STRENGTH)),
               "Adds λ times the sum of w² to the loss. Big weights cost much more than small "
               "ones, so all weights stay small and share the work.",
               "The usual first thing to try against overfitting."),
        Preset("l1l2", "L1 + L2 (elastic net)", partial(_penalty, Regularizer.of("l1l2", L1_STRENGTH, L2_STRENGTH)),
               "Both penalties at once: some weights go to zero, the rest stay small.",
               "When you want sparsity but L1 alone is too harsh or unstable."),
        Preset("dropout", "Dropout", partial(with_dropout, rate=DROPOUT_RATE),
               "While training, each hidden unit's output is switched off at random with "
               "probability `rate`, so no unit can rely on another. At test time all units work.",
               "Large or deep networks that overfit."),
        Preset("noise", "Gaussian noise", partial(with_noise, stddev=NOISE_STDDEV),
               "While training, random values with a small spread are added to each hidden layer's "
               "outputs, so the next layer cannot depend on exact values. At test time nothing is added.",
               "When dropout's all-or-nothing silencing is too harsh; a gentle, smooth regularizer."),
        Preset("batchnorm", "Batch normalization", with_batchnorm,
               "Rescales each batch's pre-activations to mean 0 and spread 1, then lets the "
               "network learn its own scale and shift. Steadies training; the batch-to-batch "
               "noise regularizes a little.",
               "When training is unstable or slow, or to allow a higher learning rate."),
        Preset("early-stopping", "Early stopping", _bare,
               "Watches the validation loss and stops once it has not improved for `patience` "
               "epochs, then goes back to the weights of the best epoch.",
               "Almost always: it costs nothing and saves you from guessing the epoch count.",
               early_stopping=EarlyStopping("val_loss", 5, 0.0, True)),
        Preset("dropout-l2", "Dropout + L2", _dropout_l2,
               "L2 on the hidden weights and dropout after each hidden layer: two different "
               "brakes on memorizing, used together.",
               "When one technique alone still leaves a gap between training and validation."),
        Preset("playground", "2-D playground (no regularization)", _bare,
               "A deeper network (three layers of 64) for the 2-D sets, trained for 200 epochs on 300 "
               "points with 30 % wrong labels: it bends its decision boundary around the wrong points. "
               "Open the Decision boundary tab, then Compare to see what each technique smooths.",
               "To see overfitting as a picture; Compare puts each technique on this same network.",
               network="playground"),
    )
}


def preset(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        raise KeyError(f"unknown preset {name!r}; choose from {', '.join(PRESETS)}") from None
