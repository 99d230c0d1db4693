"""GPT's generation with a key/value cache: the code that exists only for speed, beside ``GPT.last_scores``.

Without a cache each new token costs a pass over the whole window (T
positions through every block) to read one row of scores. With it, each
block keeps the keys K and values V of the positions read so far, (1, h,
context, d_k) each, and a new token at position t costs one row: in block ℓ,

    a = LN1(x_t);  q, k, v = a·W_q + b_q, a·W_k + b_k, a·W_v + b_v;  K[t], V[t] = k, v
    x ← x_t + concat_heads(softmax(q·K[:t+1]ᵀ/√d_k)·V[:t+1])·W_o + b_o
    x ← x + FFN(LN2(x))

which is the block's forward at position t (its causal mask lets t see
positions ≤ t, all of which are cached). The start is read by the model's own
forward, whose attention layers keep K and V for the backward; they fill the
cache. Learned positions are absolute, so a window that slides past
``context`` changes every cached key: GPT.generate then goes on without the
cache. tests/nets/test_transformer_nets.py checks that both give the same
tokens and the same scores (to rounding); bench/transformer.py times them.
"""

from __future__ import annotations

import numpy as np

from bprop._kernels.nan import layers_feeding_layers
from bprop.functions import attention_weights
from bprop.layers.multihead import affine

__all__ = ["generate_cached"]


def generate_cached(model, ids: list, stop: int, draw) -> None:
    """Append draw(scores) to ids until len(ids) == stop (≤ context + 1); ids ≤ context long to start."""
    T, context = len(ids), model.context
    h = model._hidden(np.array([ids]), False)
    caches = []
    for block in model.blocks:
        _, k, v, _, _ = block.attn.attention.cache  # (1, h, T, d_k): the start's keys and values
        K = np.empty((1, k.shape[1], context, k.shape[3]), dtype=k.dtype)
        V = np.empty_like(K)
        K[:, :, :T], V[:, :, :T] = k, v
        caches.append((K, V))
    scores = model._scores(h[:, -1:])[0, -1]
    with layers_feeding_layers():
        while len(ids) < stop:
            ids.append(draw(scores))
            if len(ids) < stop:
                scores = _step(model, caches, ids[-1], len(ids) - 1)


def _step(model, caches, token: int, t: int) -> np.ndarray:
    """The scores (V,) after the token at position t, every block reading its cache of positions < t."""
    x = (model.embed.W[token] + model.pos.W[t])[None, None, :]
    for block, (K, V) in zip(model.blocks, caches):
        attn = block.attn
        a = block.ln1.forward(x)
        q, k, v = (attn._heads(affine(a, W, b)) for W, b in
                   ((attn.W_q, attn.b_q), (attn.W_k, attn.b_k), (attn.W_v, attn.b_v)))
        K[:, :, t], V[:, :, t] = k[:, :, 0], v[:, :, 0]
        heads = attention_weights(q, K[:, :, :t + 1]) @ V[:, :, :t + 1]
        x = x + affine(attn._joined(heads), attn.W_o, attn.b_o)
        x = x + block.ffn.forward(block.ln2.forward(x), train_flg=False)
    return model._scores(x)[0, -1]
