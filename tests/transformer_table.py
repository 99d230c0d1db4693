"""Every Transformer layer once: how to build it and what to feed it (tests/layers/test_transformer_contract.py
runs them all), in the form of tests/book2_table.py.

``make(dtype, seed)`` builds the layer from ``seed`` with every parameter redrawn at random (torch's init
leaves biases at 0 and gammas at 1, which would hide a gradient that ignores them); the same seed gives the
same layer and the same dropout masks.
"""

from __future__ import annotations

import numpy as np

from book2_table import Book2Case
from bprop import layers as L

N, H, T, S, E, D_FF = 2, 2, 4, 3, 6, 10


def randomized(layer, seed):
    """The layer with each parameter redrawn in place from N(0, 0.5²) (gammas around 1)."""
    rng = np.random.default_rng(seed + 1000)
    for name, p in layer.params.items():
        p[...] = rng.standard_normal(p.shape) * 0.5 + (1 if name.endswith("gamma") else 0)
    return layer


def _f(rng, dtype, *shape):
    return rng.standard_normal(shape).astype(dtype)


def _case(name, build, inputs, grads_for=(0,)):
    return Book2Case(name, lambda dtype, seed: randomized(build(dtype, seed), seed), inputs, grads_for)


def _qkv(rng, dtype, T_q=T, T_k=S):
    return _f(rng, dtype, N, H, T_q, 3), _f(rng, dtype, N, H, T_k, 3), _f(rng, dtype, N, H, T_k, 4)


_MASK = np.ones((T, S), dtype=bool)
_MASK[1] = False  # query 1 may attend to nothing: zero weights, zero output
_MASK[2, 0] = False


def _layer_norm(dtype, seed):
    return L.LayerNorm(np.ones(E, dtype), np.zeros(E, dtype))


def _x(rng, dtype):
    return (_f(rng, dtype, N, T, E),)


def _x_memory(rng, dtype):
    return _f(rng, dtype, N, T, E), _f(rng, dtype, N, S, E)


CASES = [
    _case("Softmax", lambda dtype, seed: L.Softmax(), lambda r, d: (_f(r, d, N, T, 5) * 3,)),
    _case("Softmax(axis=1)", lambda dtype, seed: L.Softmax(axis=1), lambda r, d: (_f(r, d, N, T, 5) * 3,)),
    _case("ScaledDotProductAttention", lambda dtype, seed: L.ScaledDotProductAttention(), _qkv, (0, 1, 2)),
    _case("ScaledDotProductAttention(causal)", lambda dtype, seed: L.ScaledDotProductAttention(causal=True),
          lambda r, d: _qkv(r, d, T, T), (0, 1, 2)),
    _case("ScaledDotProductAttention(mask)", lambda dtype, seed: L.ScaledDotProductAttention(_MASK), _qkv,
          (0, 1, 2)),
    _case("ScaledDotProductAttention(dropout)",
          lambda dtype, seed: L.ScaledDotProductAttention(dropout=0.3, rng=seed), _qkv, (0, 1, 2)),
    _case("LayerNorm", _layer_norm, _x),
    _case("LayerNorm(N, D)", _layer_norm, lambda r, d: (_f(r, d, 5, E) * 4 + 1,)),
    _case("MultiHeadAttention", lambda dtype, seed: L.MultiHeadAttention(E, H, rng=seed, dtype=dtype), _x),
    _case("MultiHeadAttention(causal)",
          lambda dtype, seed: L.MultiHeadAttention(E, H, causal=True, rng=seed, dtype=dtype), _x),
    _case("MultiHeadAttention(cross)", lambda dtype, seed: L.MultiHeadAttention(E, 3, rng=seed, dtype=dtype),
          _x_memory, (0, 1)),
    _case("MultiHeadAttention(dropout)",
          lambda dtype, seed: L.MultiHeadAttention(E, H, dropout=0.25, rng=seed, dtype=dtype), _x),
    _case("PositionalEncoding", lambda dtype, seed: L.PositionalEncoding(7, E), _x),
    _case("PositionEmbedding", lambda dtype, seed: L.PositionEmbedding(7, E, rng=seed, dtype=dtype), _x),
    _case("FeedForward", lambda dtype, seed: L.FeedForward(E, D_FF, rng=seed, dtype=dtype), _x),
    _case("FeedForward(gelu_tanh, dropout)",
          lambda dtype, seed: L.FeedForward(E, D_FF, activation="gelu_tanh", dropout=0.2, rng=seed, dtype=dtype),
          _x),
    _case("TransformerBlock", lambda dtype, seed: L.TransformerBlock(E, H, D_FF, rng=seed, dtype=dtype), _x),
    _case("TransformerBlock(causal, dropout)",
          lambda dtype, seed: L.TransformerBlock(E, H, D_FF, causal=True, dropout=0.2, rng=seed, dtype=dtype), _x),
    _case("TransformerDecoderBlock",
          lambda dtype, seed: L.TransformerDecoderBlock(E, H, D_FF, rng=seed, dtype=dtype), _x_memory, (0, 1)),
    _case("TransformerDecoderBlock(dropout)",
          lambda dtype, seed: L.TransformerDecoderBlock(E, 3, D_FF, dropout=0.2, rng=seed, dtype=dtype),
          _x_memory, (0, 1)),
]
