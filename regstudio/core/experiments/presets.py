"""The lesson's models, exactly: the reference network with one technique added.

Every preset is the lesson's reference network, Dense(128, relu) → Dense(64, relu) →
softmax, trained with adam for 10 epochs, batch 128, 20 % held out for validation, with
one technique added. The numbers (λ = 0.01 for L1, 0.001 for L2, dropout 0.3, patience
5 with up to 100 epochs) are the lesson's, so results can be compared with it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..model import ModelSpec
from ..model.edits import reference_model, with_batchnorm, with_dropout, with_noise
from ..model.penalties import Regularizer
from ..training.run_spec import EarlyStopping, RunSpec, TrainingConfig

L1_STRENGTH = 0.01
L2_STRENGTH = 0.001
DROPOUT_RATE = 0.3
NOISE_STDDEV = 0.5  # not in the lesson; chosen by measurement over 3 seeds (bench/RESULTS.md)


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
    model: ModelSpec
    training: TrainingConfig
    what: str  # what the technique does, in a sentence a student can follow
    when: str  # when to reach for it

    def run_spec(self, **data: object) -> RunSpec:
        spec = RunSpec(self.model, self.training)
        return spec.with_data(**data) if data else spec


# The presets ----------------------------------------------------------------------------

_LESSON = TrainingConfig()  # adam, lr 0.001, 10 epochs, batch 128, 20 % validation
_REF = reference_model()

PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("none", "No regularization", _REF, _LESSON,
               "The bare network: nothing holds the weights back, so with little data it "
               "learns the training set by heart.",
               "As the baseline every other technique is measured against."),
        Preset("l1", "L1 (lasso)", reference_model(Regularizer.of("l1", L1_STRENGTH)), _LESSON,
               "Adds λ times the sum of |w| to the loss. The pull toward zero is the same size "
               "for every weight, so weights that matter little end up exactly at zero.",
               "When you want a sparse model: many weights off, a kind of feature selection."),
        Preset("l2", "L2 (ridge, weight decay)", reference_model(Regularizer.of("l2", L2_STRENGTH)),
               _LESSON,
               "Adds λ times the sum of w² to the loss. Big weights cost much more than small "
               "ones, so all weights stay small and share the work.",
               "The usual first thing to try against overfitting."),
        Preset("l1l2", "L1 + L2 (elastic net)",
               reference_model(Regularizer.of("l1l2", L1_STRENGTH, L2_STRENGTH)), _LESSON,
               "Both penalties at once: some weights go to zero, the rest stay small.",
               "When you want sparsity but L1 alone is too harsh or unstable."),
        Preset("dropout", "Dropout", with_dropout(_REF, DROPOUT_RATE), _LESSON,
               "While training, each hidden unit's output is switched off at random with "
               "probability `rate`, so no unit can rely on another. At test time all units work.",
               "Large or deep networks that overfit."),
        Preset("noise", "Gaussian noise", with_noise(_REF, NOISE_STDDEV), _LESSON,
               "While training, random values with a small spread are added to each hidden layer's "
               "outputs, so the next layer cannot depend on exact values. At test time nothing is added.",
               "When dropout's all-or-nothing silencing is too harsh; a gentle, smooth regularizer."),
        Preset("batchnorm", "Batch normalization", with_batchnorm(_REF), _LESSON,
               "Rescales each batch's pre-activations to mean 0 and spread 1, then lets the "
               "network learn its own scale and shift. Steadies training; the batch-to-batch "
               "noise regularizes a little.",
               "When training is unstable or slow, or to allow a higher learning rate."),
        Preset("early-stopping", "Early stopping", _REF,
               replace(_LESSON, epochs=100, early_stopping=EarlyStopping("val_loss", 5, 0.0, True)),
               "Watches the validation loss and stops once it has not improved for `patience` "
               "epochs, then goes back to the weights of the best epoch.",
               "Almost always: it costs nothing and saves you from guessing the epoch count."),
        Preset("dropout-l2", "Dropout + L2",
               with_dropout(reference_model(Regularizer.of("l2", L2_STRENGTH)), DROPOUT_RATE),
               _LESSON,
               "L2 on the hidden weights and dropout after each hidden layer: two different "
               "brakes on memorizing, used together.",
               "When one technique alone still leaves a gap between training and validation."),
    )
}


def preset(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        raise KeyError(f"unknown preset {name!r}; choose from {', '.join(PRESETS)}") from None
