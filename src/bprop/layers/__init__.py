"""Layers with ``forward`` and ``backward``, named as in the book.

    activation.py  Relu, Sigmoid, Tanh, LeakyRelu, Elu, Gelu, Silu, Softplus, Identity
    linear.py      MulLayer, AddLayer (the nodes of §5.4), Affine
    loss.py        SoftmaxWithLoss, SigmoidWithLoss, MeanSquaredError
    norm.py        BatchNormalization, LayerNorm (book 2's list form)
    dropout.py     Dropout
    conv.py        Convolution, Pooling, Flatten
  book 2 (params and grads as lists, written in place):
    sequence.py    MatMul, TimeEmbedding, TimeAffine, TimeSoftmaxWithLoss, TimeDropout
    embedding.py   Embedding, EmbeddingDot, UnigramSampler, NegativeSamplingLoss
    recurrent.py   the cells RNN, LSTM, GRU
    recurrent_time.py  TimeRNN, TimeLSTM, TimeGRU, TimeBiLSTM
    attention.py   WeightSum, AttentionWeight, Attention, TimeAttention
  the Transformer (book 2's list form too):
    multihead.py   Softmax, ScaledDotProductAttention, MultiHeadAttention
    transformer.py PositionalEncoding, PositionEmbedding, FeedForward, TransformerBlock,
                   TransformerDecoderBlock
    base.py        what every layer shares: the contract, params/grads, repr
    options.py     how a layer declares its constructor options
    registry.py    every layer class by name (model files, CLI choices, the checker)

>>> from bprop.layers import Relu, Sigmoid, Affine, SoftmaxWithLoss
"""

from bprop.layers.activation import Elu, Gelu, Identity, LeakyRelu, Relu, Sigmoid, Silu, Softplus, Tanh
from bprop.layers.attention import Attention, AttentionWeight, TimeAttention, WeightSum
from bprop.layers.base import Layer, ParamList
from bprop.layers.conv import Convolution, Flatten, Pooling
from bprop.layers.dropout import Dropout
from bprop.layers.embedding import Embedding, EmbeddingDot, NegativeSamplingLoss, UnigramSampler
from bprop.layers.linear import AddLayer, Affine, MulLayer
from bprop.layers.loss import MeanSquaredError, SigmoidWithLoss, SoftmaxWithLoss
from bprop.layers.multihead import MultiHeadAttention, ScaledDotProductAttention, Softmax
from bprop.layers.norm import BatchNormalization, LayerNorm
from bprop.layers.recurrent import GRU, LSTM, RNN
from bprop.layers.recurrent_time import TimeBiLSTM, TimeGRU, TimeLSTM, TimeRNN
from bprop.layers.sequence import MatMul, TimeAffine, TimeDropout, TimeEmbedding, TimeSoftmaxWithLoss
from bprop.layers.transformer import (
    FeedForward,
    PositionalEncoding,
    PositionEmbedding,
    TransformerBlock,
    TransformerDecoderBlock,
)

# PyTorch spellings, as aliases only.
ReLU = Relu
LeakyReLU = LeakyRelu
ELU = Elu
GELU = Gelu
SiLU = Silu

__all__ = [
    "Layer", "ParamList", "UnigramSampler",
    "Relu", "Sigmoid", "Tanh", "LeakyRelu", "Elu", "Gelu", "Softplus", "Silu", "Identity",
    "MulLayer", "AddLayer", "Affine",
    "SoftmaxWithLoss", "SigmoidWithLoss", "MeanSquaredError",
    "BatchNormalization", "Dropout",
    "Convolution", "Pooling", "Flatten",
    "MatMul", "Embedding", "EmbeddingDot", "NegativeSamplingLoss",
    "RNN", "LSTM", "GRU", "TimeRNN", "TimeLSTM", "TimeGRU", "TimeBiLSTM",
    "TimeEmbedding", "TimeAffine", "TimeSoftmaxWithLoss", "TimeDropout",
    "WeightSum", "AttentionWeight", "Attention", "TimeAttention",
    "Softmax", "ScaledDotProductAttention", "MultiHeadAttention", "LayerNorm",
    "PositionalEncoding", "PositionEmbedding", "FeedForward", "TransformerBlock", "TransformerDecoderBlock",
    "ReLU", "LeakyReLU", "ELU", "GELU", "SiLU",
]
