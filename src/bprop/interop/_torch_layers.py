"""Weights between bprop's layers and torch's modules, both ways: ``put`` (bprop → torch), ``take`` (torch → bprop).

One pair of functions per layer type is the whole mapping of its arrays:

    Affine, TimeAffine     nn.Linear              weight = Wᵀ (torch keeps (out, in)), bias = b
    MatMul                 nn.Linear(bias=False)  weight = Wᵀ
    Embedding, TimeEmbedding, PositionEmbedding, NegativeSamplingLoss
                           nn.Embedding           weight = W (one row per id)
    Convolution            nn.Conv2d              weight = W (FN, C, FH, FW) as it is, bias = b
    BatchNormalization     nn.BatchNorm1d/2d      weight = gamma, bias = beta, running_mean, running_var, eps;
                                                  momentum = 1 − bprop's (torch weighs the new batch)
    LayerNorm              nn.LayerNorm           weight = gamma, bias = beta, eps
    TimeRNN                nn.RNN                 weight_ih_l0 = Wxᵀ, weight_hh_l0 = Whᵀ, bias_ih_l0 = b,
                                                  bias_hh_l0 = 0 and frozen (requires_grad=False)
    TimeLSTM               nn.LSTM                the same after reordering the gate blocks: the book's f, g, i, o
                                                  are torch's i, f, g, o
    MultiHeadAttention     nn.MultiheadAttention  in_proj_weight = [W_qᵀ; W_kᵀ; W_vᵀ], in_proj_bias = [b_q; b_k; b_v],
                                                  out_proj.weight = W_oᵀ, out_proj.bias = b_o
    TransformerBlock       nn.TransformerEncoderLayer  norm1 = ln1, self_attn = attn, norm2 = ln2,
                                                  linear1 = ffn (W1ᵀ, b1), linear2 = ffn (W2ᵀ, b2)
    TransformerDecoderBlock  nn.TransformerDecoderLayer  norm1-3 = ln1-3, self_attn, multihead_attn = cross_attn,
                                                  linear1, linear2

``put`` copies (the module never shares memory with NumPy) and casts to the
tensor's dtype. ``take`` writes into the layer's own arrays in place (a model's
``params`` list and an optimizer keep pointing at them) after checking shapes;
a torch bias of None is zeros, and an RNN's two biases are summed (b = bias_ih +
bias_hh: the same function).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import DTypeLike

from bprop.interop._torch_modules import import_torch

if TYPE_CHECKING:
    import torch
    from torch import nn

__all__ = ["put", "take", "COPIES"]


# --- the two elementary copies ----------------------------------------------------------------------------


def _set(tensor, array) -> None:
    """tensor ← array, copied (never a view of NumPy memory) and cast to the tensor's dtype."""
    torch = import_torch()
    with torch.no_grad():
        tensor.copy_(torch.from_numpy(np.array(array, copy=True)))


def _np(tensor):
    """A tensor's values as NumPy (None stays None)."""
    return None if tensor is None else tensor.detach().cpu().numpy()


def _into(array: np.ndarray, value, what: str) -> None:
    """array ← value in place, in the array's dtype (None: zeros); ValueError naming ``what`` if the shapes differ."""
    if value is None:
        array[...] = 0
        return
    if value.shape != array.shape:
        raise ValueError(f"from_torch: {what} has shape {tuple(value.shape)}, the bprop layer needs {array.shape}")
    array[...] = value


def _gates_to_torch(W: np.ndarray) -> np.ndarray:
    """The book's column blocks f, g, i, o of (…, 4H) → torch's row blocks i, f, g, o of (4H, …)."""
    f, g, i, o = np.split(W, 4, axis=-1)
    return np.concatenate([i, f, g, o], axis=-1).T


def _gates_from_torch(t: np.ndarray) -> np.ndarray:
    """torch's row blocks i, f, g, o → the book's column blocks f, g, i, o (the inverse of _gates_to_torch)."""
    i, f, g, o = np.split(t.T, 4, axis=-1)
    return np.concatenate([f, g, i, o], axis=-1)


# --- one pair per layer type ------------------------------------------------------------------------------


def _put_linear(layer, linear):
    _set(linear.weight, layer.W.T)
    if linear.bias is not None:
        _set(linear.bias, layer.b)


def _take_linear(linear, layer):
    _into(layer.W, _np(linear.weight).T, "Linear.weight transposed")
    if "b" in layer.param_names:
        _into(layer.b, _np(linear.bias), "Linear.bias")


def _put_table(layer, embedding):
    _set(embedding.weight, layer.W)


def _take_table(embedding, layer):
    _into(layer.W, _np(embedding.weight), "Embedding.weight")


def _put_conv(layer, conv):
    _set(conv.weight, layer.W)
    if conv.bias is not None:
        _set(conv.bias, layer.b)


def _take_conv(conv, layer):
    _into(layer.W, _np(conv.weight), "Conv2d.weight")
    _into(layer.b, _np(conv.bias), "Conv2d.bias")


def _put_batchnorm(layer, bn):
    _set(bn.weight, layer.gamma)
    _set(bn.bias, layer.beta)
    _set(bn.running_mean, layer.running_mean)
    _set(bn.running_var, layer.running_var)
    bn.eps, bn.momentum = layer.eps, 1 - layer.momentum


def _take_batchnorm(bn, layer):
    if bn.weight is None:  # affine=False: y = x̂
        layer.gamma[...], layer.beta[...] = 1, 0
    else:
        _into(layer.gamma, _np(bn.weight), "BatchNorm.weight")
        _into(layer.beta, _np(bn.bias), "BatchNorm.bias")
    # the running averages are state the layer replaces at every step, never writes into
    dtype = layer.gamma.dtype
    layer.running_mean = _np(bn.running_mean).astype(dtype, copy=True)
    layer.running_var = _np(bn.running_var).astype(dtype, copy=True)
    layer.eps, layer.momentum = float(bn.eps), 1 - float(bn.momentum)


def _put_layernorm(layer, norm):
    if norm.weight is not None:
        _set(norm.weight, layer.gamma)
    if norm.bias is not None:
        _set(norm.bias, layer.beta)
    norm.eps = layer.eps


def _take_layernorm(norm, layer):
    if norm.weight is None:  # elementwise_affine=False: y = x̂
        layer.gamma[...] = 1
    else:
        _into(layer.gamma, _np(norm.weight), "LayerNorm.weight")
    _into(layer.beta, _np(norm.bias), "LayerNorm.bias")
    layer.eps = float(norm.eps)


def _is_lstm(layer) -> bool:
    return layer.Wx.shape[1] == 4 * layer.hidden_size


def _put_rnn(layer, rnn):
    order = _gates_to_torch if _is_lstm(layer) else np.transpose
    _set(rnn.weight_ih_l0, order(layer.Wx))
    _set(rnn.weight_hh_l0, order(layer.Wh))
    if rnn.bias:
        _set(rnn.bias_ih_l0, order(layer.b))
        # bprop has one bias, torch adds two: the second stays 0 and out of training, or the sum would
        # learn twice as fast as bprop's b (each bias gets the whole gradient)
        _set(rnn.bias_hh_l0, np.zeros_like(layer.b))
        rnn.bias_hh_l0.requires_grad_(False)


def _take_rnn(rnn, layer):
    order = _gates_from_torch if _is_lstm(layer) else np.transpose
    _into(layer.Wx, order(_np(rnn.weight_ih_l0)), "weight_ih_l0")
    _into(layer.Wh, order(_np(rnn.weight_hh_l0)), "weight_hh_l0")
    if rnn.bias:
        _into(layer.b, order(_np(rnn.bias_ih_l0) + _np(rnn.bias_hh_l0)), "bias_ih_l0 + bias_hh_l0")
    else:
        layer.b[...] = 0


def _put_attention(layer, mha):
    _set(mha.in_proj_weight, np.concatenate([layer.W_q.T, layer.W_k.T, layer.W_v.T]))
    if mha.in_proj_bias is not None:
        _set(mha.in_proj_bias, np.concatenate([layer.b_q, layer.b_k, layer.b_v]))
    _set(mha.out_proj.weight, layer.W_o.T)
    if mha.out_proj.bias is not None:
        _set(mha.out_proj.bias, layer.b_o)


def _take_attention(mha, layer):
    E = layer.d_model
    W, b = _np(mha.in_proj_weight), _np(mha.in_proj_bias)
    for i, name in enumerate("qkv"):
        _into(getattr(layer, f"W_{name}"), W[i * E:(i + 1) * E].T, f"in_proj_weight's {name} rows")
        _into(getattr(layer, f"b_{name}"), None if b is None else b[i * E:(i + 1) * E], f"in_proj_bias's {name} rows")
    _into(layer.W_o, _np(mha.out_proj.weight).T, "out_proj.weight transposed")
    _into(layer.b_o, _np(mha.out_proj.bias), "out_proj.bias")


class _FeedForwardView:
    """A FeedForward's W1, b1 or W2, b2 seen as an Affine, for the linear copies."""

    param_names = ("W", "b")

    def __init__(self, ffn, i):
        self.W, self.b = getattr(ffn, f"W{i}"), getattr(ffn, f"b{i}")


# (bprop sublayer, torch submodule) of a block; "ffn1"/"ffn2" are the FeedForward's two Linears.
_ENCODER_PARTS = (("ln1", "norm1"), ("attn", "self_attn"), ("ln2", "norm2"), ("ffn1", "linear1"), ("ffn2", "linear2"))
_DECODER_PARTS = (("ln1", "norm1"), ("self_attn", "self_attn"), ("ln2", "norm2"), ("cross_attn", "multihead_attn"),
                  ("ln3", "norm3"), ("ffn1", "linear1"), ("ffn2", "linear2"))


def _block_parts(block, torch_layer):
    parts = _DECODER_PARTS if hasattr(torch_layer, "multihead_attn") else _ENCODER_PARTS
    for ours, theirs in parts:
        part = _FeedForwardView(block.ffn, ours[-1]) if ours.startswith("ffn") else getattr(block, ours)
        yield part, getattr(torch_layer, theirs)


def _put_block(block, torch_layer):
    for part, module in _block_parts(block, torch_layer):
        put(part, module)


def _take_block(torch_layer, block):
    for part, module in _block_parts(block, torch_layer):
        take(module, part)


# bprop layer type → (put, take)
COPIES = {
    "Affine": (_put_linear, _take_linear), "TimeAffine": (_put_linear, _take_linear),
    "MatMul": (_put_linear, _take_linear), "_FeedForwardView": (_put_linear, _take_linear),
    "Embedding": (_put_table, _take_table), "TimeEmbedding": (_put_table, _take_table),
    "PositionEmbedding": (_put_table, _take_table), "NegativeSamplingLoss": (_put_table, _take_table),
    "Convolution": (_put_conv, _take_conv), "BatchNormalization": (_put_batchnorm, _take_batchnorm),
    "LayerNorm": (_put_layernorm, _take_layernorm),
    "TimeRNN": (_put_rnn, _take_rnn), "TimeLSTM": (_put_rnn, _take_rnn),
    "MultiHeadAttention": (_put_attention, _take_attention),
    "TransformerBlock": (_put_block, _take_block), "TransformerDecoderBlock": (_put_block, _take_block),
}


def put(layer: object, module: nn.Module) -> None:  # layer: a bprop layer (or a view of one's weights)
    """Copy a bprop layer's arrays (and eps, momentum) into the torch module that mirrors it."""
    COPIES[type(layer).__name__][0](layer, module)


def take(module: nn.Module, layer: object) -> None:
    """Copy a torch module's tensors into the bprop layer that mirrors it, in place."""
    COPIES[type(layer).__name__][1](module, layer)


# --- dtypes -----------------------------------------------------------------------------------------------


def torch_dtype(dtype: DTypeLike) -> torch.dtype:
    """torch's float32 or float64 for a NumPy float dtype."""
    torch = import_torch()
    return {np.float32: torch.float32, np.float64: torch.float64}[np.dtype(dtype).type]


def numpy_dtype(module: nn.Module) -> np.dtype | None:
    """The one float dtype of a module's parameters and buffers (None without any); TypeError for others or a mix."""
    torch = import_torch()
    found = {t.dtype for t in (*module.parameters(), *module.buffers()) if t.is_floating_point()}
    if not found:
        return None
    if len(found) > 1 or not found <= {torch.float32, torch.float64}:
        names = ", ".join(sorted(str(d) for d in found))
        raise TypeError(f"from_torch takes modules in float32 or float64 (bprop's dtypes), got {names}: "
                        f"call module.float() or module.double() first")
    return np.dtype(np.float32 if found == {torch.float32} else np.float64)
