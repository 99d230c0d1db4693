"""Layers with ``forward`` and ``backward``, named as in the book.

    activation.py  Relu, Sigmoid, Tanh, LeakyRelu, Elu, Gelu, Silu, Softplus, Identity
    linear.py      MulLayer, AddLayer (the nodes of §5.4), Affine
    loss.py        SoftmaxWithLoss, SigmoidWithLoss, MeanSquaredError
    norm.py        BatchNormalization
    dropout.py     Dropout
    conv.py        Convolution, Pooling, Flatten
    base.py        what every layer shares: the contract, params/grads, repr
    options.py     how a layer declares its constructor options
    registry.py    every layer class by name (model files, CLI choices, the checker)

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
