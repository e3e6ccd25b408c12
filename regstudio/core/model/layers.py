"""The hidden layer types: each one's settings, checks, label, size, Keras form and code, together.

A new technique is one class here, added to LAYER_TYPES, plus its editor page in the
window (gui/builder/layer_editors.py). Everything else (the builder's add buttons, JSON,
the parameter count, the Keras model, the generated code) reads the registry, and
building a model refuses a layer it does not know rather than skipping it.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any, ClassVar, Union

import numpy as np

from ..checks import collect, int_in, one_of, real_in
from ..errors import Problem
from .penalties import Regularizer

ACTIVATIONS = ("relu", "tanh", "sigmoid", "elu", "selu", "gelu", "silu", "leaky_relu", "linear")
MAX_UNITS = 4096
MAX_NOISE = 5.0  # inputs are scaled to [0, 1]; a spread of 5 drowns any signal


@dataclass(frozen=True)
class LayerSize:
    """What a layer does to the width of the signal, and how many numbers it holds."""

    outputs: int
    params: int
    trainable: int


def initial_weight_seed(seed: int, layer_name: str) -> int:
    """The seed of one Dense layer's initial kernel, from the run's seed and the layer's name.

    Unseeded, Keras draws each initializer's seed from one shared stream, and every Dropout
    layer draws from it too: adding dropout would change the starting weights of every
    later layer. Seeding by name instead gives "dense_2" the same start in every model that
    has it with the same shape, so a comparison measures the technique, not the luck of
    the draw.
    """
    return int(np.random.SeedSequence([seed, zlib.crc32(layer_name.encode())]).generate_state(1)[0] >> 1)


def kernel_initializer(seed: int | None, name: str) -> Any:
    import keras

    if seed is None:
        return "glorot_uniform"
    return keras.initializers.GlorotUniform(seed=initial_weight_seed(seed, name))


@dataclass(frozen=True)
class Dense:
    units: int
    activation: str = "relu"
    regularizer: Regularizer = field(default_factory=Regularizer)
    type: ClassVar[str] = "dense"
    title: ClassVar[str] = "Dense"
    what: ClassVar[str] = ("Adds a fully connected layer. More units can fit more patterns, and also "
                           "more noise.")

    @classmethod
    def new(cls) -> Dense:
        return cls(64)

    def problems(self, where: str) -> list[Problem]:
        return collect(
            int_in(f"{where}.units", self.units, 1, MAX_UNITS),
            one_of(f"{where}.activation", self.activation, ACTIVATIONS),
        ) + self.regularizer.problems(f"{where}.regularizer")

    def describe(self) -> str:
        text = f"Dense({self.units}, {self.activation})"
        return text if not self.regularizer.active else f"{text} [{self.regularizer.describe()}]"

    def size(self, width: int) -> LayerSize:
        n = width * self.units + self.units
        return LayerSize(self.units, n, n)

    def keras_layer(self, name: str, seed: int | None) -> Any:
        from keras import layers

        return layers.Dense(self.units, activation=self.activation, name=name,
                            kernel_initializer=kernel_initializer(seed, name),
                            kernel_regularizer=self.regularizer.keras())

    def keras_code(self) -> str:
        reg = self.regularizer.keras_code()
        extra = f", kernel_regularizer={reg}" if reg else ""
        return f"layers.Dense({self.units}, activation={self.activation!r}{extra})"


@dataclass(frozen=True)
class Dropout:
    rate: float
    type: ClassVar[str] = "dropout"
    title: ClassVar[str] = "Dropout"
    what: ClassVar[str] = ("Adds dropout: during training it silences a random share of the previous "
                           "layer's outputs, which keeps units from relying on each other.")

    @classmethod
    def new(cls) -> Dropout:
        return cls(0.3)

    def problems(self, where: str) -> list[Problem]:
        return collect(real_in(f"{where}.rate", self.rate, 0.0, 1.0, high_open=True,
                               allowed="a share in [0, 1): 0.2 to 0.5 is typical"))

    def describe(self) -> str:
        return f"Dropout({self.rate:g})"

    def size(self, width: int) -> LayerSize:
        return LayerSize(width, 0, 0)

    def keras_layer(self, name: str, seed: int | None) -> Any:
        from keras import layers

        return layers.Dropout(self.rate, name=name)

    def keras_code(self) -> str:
        return f"layers.Dropout({self.rate!r})"


@dataclass(frozen=True)
class BatchNorm:
    type: ClassVar[str] = "batchnorm"
    title: ClassVar[str] = "BatchNorm"
    what: ClassVar[str] = ("Adds batch normalization: rescales the previous layer's outputs batch by "
                           "batch; steadier training and a slight regularizing effect.")

    @classmethod
    def new(cls) -> BatchNorm:
        return cls()

    def problems(self, where: str) -> list[Problem]:
        return []

    def describe(self) -> str:
        return "BatchNormalization()"

    def size(self, width: int) -> LayerSize:
        # gamma and beta learn; the moving mean and variance are statistics, not trained.
        return LayerSize(width, 4 * width, 2 * width)

    def keras_layer(self, name: str, seed: int | None) -> Any:
        from keras import layers

        return layers.BatchNormalization(name=name)

    def keras_code(self) -> str:
        return "layers.BatchNormalization()"


@dataclass(frozen=True)
class Activation:
    activation: str = "relu"
    type: ClassVar[str] = "activation"
    title: ClassVar[str] = "Activation"
    what: ClassVar[str] = "Adds a separate nonlinearity, as used after batch normalization."

    @classmethod
    def new(cls) -> Activation:
        return cls("relu")

    def problems(self, where: str) -> list[Problem]:
        return collect(one_of(f"{where}.activation", self.activation, ACTIVATIONS))

    def describe(self) -> str:
        return f"Activation({self.activation})"

    def size(self, width: int) -> LayerSize:
        return LayerSize(width, 0, 0)

    def keras_layer(self, name: str, seed: int | None) -> Any:
        from keras import layers

        return layers.Activation(self.activation, name=name)

    def keras_code(self) -> str:
        return f"layers.Activation({self.activation!r})"


@dataclass(frozen=True)
class GaussianNoise:
    stddev: float
    type: ClassVar[str] = "gaussian_noise"
    title: ClassVar[str] = "Noise"
    what: ClassVar[str] = ("Adds Gaussian noise: during training, random values with this spread are "
                           "added to the previous layer's outputs, so the next layer cannot rely on exact "
                           "values. Off at test time.")

    @classmethod
    def new(cls) -> GaussianNoise:
        return cls(0.1)

    def problems(self, where: str) -> list[Problem]:
        return collect(real_in(f"{where}.stddev", self.stddev, 0.0, MAX_NOISE,
                               allowed=f"a spread in [0, {MAX_NOISE:g}]: 0.05 to 0.5 is typical"))

    def describe(self) -> str:
        return f"GaussianNoise({self.stddev:g})"

    def size(self, width: int) -> LayerSize:
        return LayerSize(width, 0, 0)

    def keras_layer(self, name: str, seed: int | None) -> Any:
        from keras import layers

        return layers.GaussianNoise(self.stddev, name=name)

    def keras_code(self) -> str:
        return f"layers.GaussianNoise({self.stddev!r})"


Layer = Union[Dense, Dropout, BatchNorm, Activation, GaussianNoise]  # noqa: UP007 (a runtime alias on 3.10)
# In the order the builder offers them.
LAYER_TYPES: dict[str, type] = {cls.type: cls for cls in (Dense, Dropout, GaussianNoise, BatchNorm, Activation)}
