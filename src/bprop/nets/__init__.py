"""Networks: ``Sequential`` (layers in order, then a loss layer) and the book's nets as presets.

>>> import numpy as np
>>> net = TwoLayerNet(input_size=784, hidden_size=50, output_size=10, rng=0)
>>> x_batch, t_batch = np.zeros((100, 784)), np.zeros(100, dtype=int)
>>> grads = net.gradient(x_batch, t_batch)        # backprop, as in ch.5
>>> for key in ("W1", "b1", "W2", "b2"):
...     net.params[key] -= 0.1 * grads[key]
>>> print(net)
TwoLayerNet, float64
layer              output shape  parameters
Affine(784 → 50)   (N, 50)           39,250
Relu()             (N, 50)                0
Affine(50 → 10)    (N, 10)              510
SoftmaxWithLoss()  ()                     0
total                                39,760

    sequential.py   Sequential: predict, loss, gradient, accuracy, params/grads views, print(net)
    mlp.py          TwoLayerNet (ch.5), MultiLayerNet, MultiLayerNetExtend (ch.6)
    convnet.py      SimpleConvNet (ch.7), DeepConvNet (ch.8)
    model_files.py  save and load
    summary.py      the table print(net) and the network pictures show
  book 2 (params and grads as lists; save/load_model in sequence_model.py):
    word2vec.py     SimpleCBOW, SimpleSkipGram (ch.3), CBOW, SkipGram (ch.4)
    rnnlm.py        SimpleRnnlm (ch.5), Rnnlm, BetterRnnlm (ch.6), and generate
    seq2seq.py      Seq2seq, PeekySeq2seq (ch.7), AttentionSeq2seq (ch.8)
  the Transformer (the same list form and files):
    transformer.py          GPT (decoder-only language model, tied output), generation
    _kv_cache.py            GPT's generation with a key/value cache (speed only; equal to the plain one)
    transformer_seq2seq.py  TransformerSeq2seq (encoder–decoder, for the date and addition tasks)
"""

from bprop.nets.convnet import CONV_EVAL_BATCH_SIZE, DeepConvNet, SimpleConvNet
from bprop.nets.mlp import ACTIVATIONS, MultiLayerNet, MultiLayerNetExtend, TwoLayerNet
from bprop.nets.model_files import load, save
from bprop.nets.rnnlm import BetterRnnlm, Rnnlm, SimpleRnnlm
from bprop.nets.seq2seq import AttentionSeq2seq, PeekySeq2seq, Seq2seq
from bprop.nets.sequence_model import SequenceModel, load_model
from bprop.nets.sequential import EVAL_BATCH_SIZE, ParamDict, Sequential
from bprop.nets.summary import LayerSummary
from bprop.nets.transformer import GPT
from bprop.nets.transformer_seq2seq import TransformerSeq2seq
from bprop.nets.word2vec import CBOW, SimpleCBOW, SimpleSkipGram, SkipGram

__all__ = [
    "Sequential", "TwoLayerNet", "MultiLayerNet", "MultiLayerNetExtend", "SimpleConvNet", "DeepConvNet",
    "LayerSummary", "ParamDict", "ACTIVATIONS", "EVAL_BATCH_SIZE", "CONV_EVAL_BATCH_SIZE", "save", "load",
    "SimpleCBOW", "SimpleSkipGram", "CBOW", "SkipGram", "SimpleRnnlm", "Rnnlm", "BetterRnnlm",
    "Seq2seq", "PeekySeq2seq", "AttentionSeq2seq", "SequenceModel", "load_model", "GPT", "TransformerSeq2seq",
]
