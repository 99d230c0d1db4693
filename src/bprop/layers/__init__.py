"""Layers with ``forward`` and ``backward``, named as in the book.

>>> from bprop.layers import Relu, Sigmoid, Affine, SoftmaxWithLoss
"""

from bprop.layers.activation import Elu, Gelu, Identity, LeakyRelu, Relu, Sigmoid, Silu, Softplus, Tanh
from bprop.layers.base import Layer
from bprop.layers.conv import Convolution, Flatten, Pooling
from bprop.layers.dropout import Dropout
from bprop.layers.linear import AddLayer, Affine, MulLayer
from bprop.layers.loss import MeanSquaredError, SigmoidWithLoss, SoftmaxWithLoss
from bprop.layers.norm import BatchNormalization

# PyTorch spellings, as aliases only.
ReLU = Relu
LeakyReLU = LeakyRelu
ELU = Elu
GELU = Gelu
SiLU = Silu

__all__ = [
    "Layer",
    "Relu", "Sigmoid", "Tanh", "LeakyRelu", "Elu", "Gelu", "Softplus", "Silu", "Identity",
    "MulLayer", "AddLayer", "Affine",
    "SoftmaxWithLoss", "SigmoidWithLoss", "MeanSquaredError",
    "BatchNormalization", "Dropout",
    "Convolution", "Pooling", "Flatten",
    "ReLU", "LeakyReLU", "ELU", "GELU", "SiLU",
]
