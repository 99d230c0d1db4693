"""``to_torch(net)`` and ``from_torch(module)``: a bprop net as a PyTorch nn.Module with the same weights, and back.

torch is optional: it is imported inside these functions, and a missing torch
is an ImportError saying ``pip install torch==2.13.0``.

to_torch(net) → an nn.Module in eval mode that owns copies of the weights (in
the net's dtype, float32 or float64) and computes what the net's predict
computes with ``train_flg=False`` (BatchNormalization on its running averages,
Dropout off — the book's Dropout scaled by 1 − ratio, as bprop's):

    Sequential nets (TwoLayerNet, MultiLayerNet, MultiLayerNetExtend, SimpleConvNet, DeepConvNet, …)
        an nn.Sequential; module(x) with x (N, D) or images (N, C, H, W) → scores (N, C)
    SimpleRnnlm, Rnnlm, BetterRnnlm
        module(xs) → scores (N, T, V) from the zero state, i.e. bprop's predict after
        reset_state(); module(xs, state, return_state=True) carries the state on
    Seq2seq, PeekySeq2seq, AttentionSeq2seq, TransformerSeq2seq
        module(xs, ts_in) → the teacher-forced scores (N, T, V) of ts_in = ts[:, :-1];
        module.generate(xs, start_id, sample_size) → the greedy ids, as bprop's
    GPT      module(xs) → scores (N, T, V), causal, as predict
    SimpleCBOW, SimpleSkipGram, CBOW, SkipGram
        module(contexts) (or module(target) for the skip-grams) → the scores of every word (N, V)

The scores are logits: bprop's SoftmaxWithLoss is torch's ``F.cross_entropy``
on them. ``module.train()`` trains in torch as bprop trains, step for step
(each LSTM's second bias, ``bias_hh_l0``, stays 0 and frozen: bprop's LSTM has
one), but for BatchNorm's running variance, which torch updates with the
unbiased batch variance, bprop with the biased one.

from_torch(module) → bprop: a module made by to_torch gives back its net (the
preset's or model's class, from ``module.bprop_model``); any nn.Sequential of
book 1's layers gives a Sequential with SoftmaxWithLoss; a single layer both
libraries have gives bprop's (nn.Linear → Affine, nn.Conv2d → Convolution,
nn.LSTM → TimeLSTM, nn.MultiheadAttention → MultiHeadAttention, …). The arrays
are copies, in the module's dtype. The weight layouts: ``bprop.interop._torch_layers``.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import DTypeLike

from bprop.interop._torch_layers import numpy_dtype, put, take, torch_dtype
from bprop.interop._torch_models import BUILDERS, LINKS, MODEL_CLASSES, SEQUENCE_MODULES, sequence_layer_from_torch
from bprop.interop._torch_modules import import_torch
from bprop.interop._torch_sequential import BOOK1_MODULES, layer_from_torch, sequential_from_torch, sequential_to_torch
from bprop.nets.sequence_model import SequenceModel
from bprop.nets.sequential import Sequential

if TYPE_CHECKING:
    from torch import nn

    from bprop.layers.base import Layer

__all__ = ["to_torch", "from_torch"]


def to_torch(net: Sequential | SequenceModel) -> nn.Module:
    """An nn.Module (eval mode) with copies of ``net``'s weights, giving the scores its predict gives.

    net: any bprop Sequential (the book's nets are) or one of book 2's models and
    the Transformers (see the module docstring for each forward). TypeError for
    anything else, naming what converts.
    """
    import_torch()
    if isinstance(net, Sequential):
        module, links = sequential_to_torch(net)
    elif type(net) in MODEL_CLASSES.values():
        name = type(net).__name__
        module = BUILDERS[name](net)
        links = LINKS[name](net, module)
        module.bprop_model = {"class": name, "config": copy.deepcopy(net._config)}
    else:
        raise TypeError(f"to_torch converts a bprop Sequential (TwoLayerNet, SimpleConvNet, …) or one of "
                        f"{', '.join(MODEL_CLASSES)}; got {type(net).__name__}")
    if net.dtype is not None:
        module.to(torch_dtype(net.dtype))
    for layer, held_by in links:
        put(layer, held_by)
    return module.eval()


def from_torch(module: nn.Module) -> Sequential | SequenceModel | Layer:
    """The bprop net or layer for a torch module (see the module docstring); TypeError naming what converts.

    A module made by ``to_torch`` gives its net back; an nn.Sequential gives a
    Sequential (with SoftmaxWithLoss, or the loss ``to_torch`` recorded); one
    layer gives that layer. The arrays are copies in the module's dtype.
    """
    torch = import_torch()
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"from_torch expected a torch.nn.Module, got {type(module).__name__}")
    dtype = numpy_dtype(module)
    spec = getattr(module, "bprop_model", None)
    if isinstance(module, torch.nn.Sequential):
        return sequential_from_torch(module, dtype)
    if isinstance(spec, dict) and spec.get("class") in MODEL_CLASSES:
        return _model_from_torch(module, spec, dtype)
    layer = layer_from_torch(module, dtype)
    if layer is None:
        layer = sequence_layer_from_torch(module, dtype)
    if layer is None:
        raise TypeError(f"from_torch cannot convert a {type(module).__name__}: it converts what to_torch made, an "
                        f"nn.Sequential, and the layers {', '.join(BOOK1_MODULES + SEQUENCE_MODULES)}. For a module "
                        f"of your own, build the bprop net and convert its parts one by one")
    return layer


def _model_from_torch(module: nn.Module, spec: dict, dtype: DTypeLike | None) -> SequenceModel:
    """The bprop model ``spec`` names, built from its config, the module's weights copied in."""
    name = spec["class"]
    model = MODEL_CLASSES[name]._from_config(dict(spec["config"]), np.dtype(dtype or np.float32))
    for layer, held_by in LINKS[name](model, module):
        take(held_by, layer)
    return model
