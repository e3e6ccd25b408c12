"""The network a student builds: its layers, their penalties, and how Keras gets built from them."""

from .layers import ACTIVATIONS, LAYER_TYPES, MAX_UNITS, Activation, BatchNorm, Dense, Dropout, GaussianNoise, Layer
from .penalties import PENALTY_KINDS, REGULARIZER_KINDS, STRENGTHS_USED, Regularizer
from .spec import MAX_LAYERS, ModelSpec

__all__ = ["ACTIVATIONS", "LAYER_TYPES", "MAX_LAYERS", "MAX_UNITS", "PENALTY_KINDS", "REGULARIZER_KINDS",
           "STRENGTHS_USED", "Activation", "BatchNorm", "Dense", "Dropout", "GaussianNoise", "Layer", "ModelSpec",
           "Regularizer"]
