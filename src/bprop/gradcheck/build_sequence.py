"""Inputs for book 2's layers, the way its chapters feed them: ``build.build_inputs`` asks here first.

    LSTM cell            forward(x, h_prev, c_prev): x (N, D), h and c (N, H)
    Embedding            forward(idx): word ids (N,); TimeEmbedding (N, T); ids repeat inside a batch and inside
                         a time step, so a backward that writes dW[idx] = dout (keeping one row of two) shows
    EmbeddingDot, NegativeSamplingLoss  forward(h, idx) / forward(h, target): h (N, H), ids (N,) as above; the
                         loss's constructor gets a ``corpus`` holding every id of W's V rows
    TimeSoftmaxWithLoss  forward(xs, ts): logits (N, T, V), labels (N, T) with two of them the ignore_label −1
    WeightSum            forward(hs, a): hs (N, T, H), a (N, T)
    AttentionWeight, Attention  forward(hs, h): hs (N, T, H), h (N, H)
    TimeAttention        forward(hs_enc, hs_dec): (N, T_enc, H), (N, T_dec, H) with T_dec ≠ T_enc

A label is each step's largest logit, raised by log V (as for SoftmaxWithLoss: softmax gives it more than 1/2,
so a learner's log(y + 1e-7) moves nothing beyond the tolerance).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["VOCAB", "ids_shape", "inputs", "corpus"]

VOCAB = 6  # V of a checked Embedding: W is (V, 3)
_IDS = {1: np.array([1, 3, 1, 0]), 2: np.array([[1, 3, 0], [1, 3, 5]])}  # repeats in the batch and in a step
_IGNORED = ((0, 1), (1, 2))  # the (n, t) whose label is ignore_label
_ATTENTION = {"weightsum": "a", "attentionweight": "h", "attention": "h", "timeattention": "hs_dec"}


def ids_shape(cls_name: str) -> tuple:
    """Embedding's ids are (N,), TimeEmbedding's (N, T)."""
    return _IDS[2].shape if cls_name.lower().startswith("time") else _IDS[1].shape


def inputs(cls_name: str, names: list[str], plan: Any, x: np.ndarray, dtype: np.dtype,
           rng: np.random.Generator) -> list | None:
    """forward's inputs for a book-2 layer, or None when it is none of them (``build`` carries on)."""
    name = cls_name.lower()
    if plan.kind == "embedding" and len(names) == 1:
        return [_ids(plan.shape, plan.kwargs)]
    if plan.kind == "embedding" and len(names) == 2:  # EmbeddingDot's (h, idx), NegativeSamplingLoss's (h, target)
        ids = _ids(plan.shape, plan.kwargs)
        W = next((v for k, v in plan.kwargs.items() if k.lower() in ("w", "weight") and np.ndim(v) == 2), None)
        H = W.shape[1] if W is not None else 3
        return [rng.standard_normal((len(ids), H)).astype(dtype), ids]
    if len(names) == 3 and plan.hidden:  # the LSTM cell's (x, h_prev, c_prev)
        h, c = (rng.standard_normal((plan.shape[0], plan.hidden)).astype(dtype) for _ in range(2))
        return [x, h, c]
    if name.startswith("time") and "softmax" in name and len(names) == 2:
        return _time_loss(x if x.ndim == 3 else rng.standard_normal((2, 3, 4)).astype(dtype))
    second = _ATTENTION.get(name)
    if second is not None and len(names) == 2:
        hs = x if x.ndim == 3 else rng.standard_normal((2, 3, 4)).astype(dtype)
        N, T, H = hs.shape
        shape = {"a": (N, T), "h": (N, H), "hs_dec": (N, T + 1, H)}[second]
        return [hs, rng.standard_normal(shape).astype(dtype)]
    return None


def corpus() -> np.ndarray:
    """A corpus of word ids for a sampler: each of the VOCAB ids, the smaller ones more often."""
    return np.array([i for i in range(VOCAB) for _ in range(VOCAB - i)])


def _ids(shape, kwargs) -> np.ndarray:
    """The fixed ids when the shape is the default one; else ids drawn with repeats (the first id twice)."""
    vocab = next((len(v) for k, v in kwargs.items() if k.lower() in ("w", "weight") and np.ndim(v) == 2), VOCAB)
    for ids in _IDS.values():
        if ids.shape == tuple(shape) and ids.max() < vocab:
            return ids.copy()
    ids = np.arange(int(np.prod(shape))) % max(vocab, 1)
    ids.flat[-1] = ids.flat[0]
    return ids.reshape(shape)


def _time_loss(xs: np.ndarray) -> list:
    N, T, V = xs.shape
    ts = np.argmax(xs, axis=2)
    np.put_along_axis(xs, ts[..., None], np.take_along_axis(xs, ts[..., None], 2) + np.log(V), 2)
    for n, t in _IGNORED:
        if n < N and t < T:
            ts[n, t] = -1
    return [xs, ts]
