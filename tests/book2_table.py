"""Every book-2 layer once: how to build it and what to feed it (tests/layers/test_book2_contract.py runs them all).

``make(dtype, seed)`` builds the layer with weights from ``seed`` (the same seed, the same layer: its dropout
masks and negative samples repeat too); ``inputs(rng, dtype)`` gives forward's arguments; ``grads_for`` names
the forward arguments whose gradients backward returns, in its order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from bprop import layers as L

N, T, D, H, V = 3, 4, 5, 6, 7


@dataclass(frozen=True)
class Book2Case:
    name: str
    make: Callable  # (dtype, seed) -> layer
    inputs: Callable  # (rng, dtype) -> tuple of forward arguments
    grads_for: tuple[int, ...]  # forward arguments backward returns gradients of, in order


def _w(seed, dtype, *shapes):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal(s) * 0.5).astype(dtype) for s in shapes]


def _f(rng, dtype, *shape):
    return rng.standard_normal(shape).astype(dtype)


def _cell(name, cls, k, states):
    return Book2Case(name, lambda dtype, seed: cls(*_w(seed, dtype, (D, k * H), (H, k * H), (k * H,))),
                     lambda rng, dtype: (_f(rng, dtype, N, D), *(_f(rng, dtype, N, H) for _ in range(states))),
                     tuple(range(1 + states)))


def _time(name, cls, k, **kwargs):
    return Book2Case(name, lambda dtype, seed: cls(*_w(seed, dtype, (D, k * H), (H, k * H), (k * H,)), **kwargs),
                     lambda rng, dtype: (_f(rng, dtype, N, T, D),), (0,))


def _ids(rng, *shape):
    return rng.integers(0, V, shape)


def _ids_with_repeats(rng, *shape):
    ids = _ids(rng, *shape)
    ids.flat[0] = ids.flat[-1]  # a word that appears twice: its gradients must add up
    return ids


def _padded_labels(rng, dtype):
    ts = _ids(rng, N, T)
    ts[0, -2:] = -1  # padding: no loss, no gradient
    return _f(rng, dtype, N, T, V) * 3, ts


CASES = [
    Book2Case("MatMul", lambda dtype, seed: L.MatMul(*_w(seed, dtype, (D, H))), lambda r, d: (_f(r, d, N, D),), (0,)),
    Book2Case("Embedding", lambda dtype, seed: L.Embedding(*_w(seed, dtype, (V, H))),
              lambda r, d: (_ids_with_repeats(r, N),), ()),
    Book2Case("TimeEmbedding", lambda dtype, seed: L.TimeEmbedding(*_w(seed, dtype, (V, H))),
              lambda r, d: (_ids_with_repeats(r, N, T),), ()),
    Book2Case("EmbeddingDot", lambda dtype, seed: L.EmbeddingDot(*_w(seed, dtype, (V, H))),
              lambda r, d: (_f(r, d, N, H), _ids_with_repeats(r, N)), (0,)),
    Book2Case("NegativeSamplingLoss",
              lambda dtype, seed: L.NegativeSamplingLoss(*_w(seed, dtype, (V, H)), np.arange(V).repeat(3),
                                                         sample_size=3, seed=seed),
              lambda r, d: (_f(r, d, N, H), _ids_with_repeats(r, N)), (0,)),
    _cell("RNN", L.RNN, 1, 1),
    _cell("LSTM", L.LSTM, 4, 2),
    _cell("GRU", L.GRU, 3, 1),
    _time("TimeRNN", L.TimeRNN, 1),
    _time("TimeLSTM", L.TimeLSTM, 4),
    _time("TimeGRU", L.TimeGRU, 3),
    Book2Case("TimeBiLSTM", lambda dtype, seed: L.TimeBiLSTM(*_w(seed, dtype, *[(D, 4 * H), (H, 4 * H), (4 * H,)] * 2)),
              lambda r, d: (_f(r, d, N, T, D),), (0,)),
    Book2Case("TimeAffine", lambda dtype, seed: L.TimeAffine(*_w(seed, dtype, (D, H), (H,))),
              lambda r, d: (_f(r, d, N, T, D),), (0,)),
    Book2Case("TimeSoftmaxWithLoss", lambda dtype, seed: L.TimeSoftmaxWithLoss(), _padded_labels, (0,)),
    Book2Case("TimeDropout", lambda dtype, seed: L.TimeDropout(0.4, seed=seed), lambda r, d: (_f(r, d, N, T, H),),
              (0,)),
    Book2Case("WeightSum", lambda dtype, seed: L.WeightSum(),
              lambda r, d: (_f(r, d, N, T, H), _f(r, d, N, T)), (0, 1)),
    Book2Case("AttentionWeight", lambda dtype, seed: L.AttentionWeight(),
              lambda r, d: (_f(r, d, N, T, H), _f(r, d, N, H)), (0, 1)),
    Book2Case("Attention", lambda dtype, seed: L.Attention(), lambda r, d: (_f(r, d, N, T, H), _f(r, d, N, H)), (0, 1)),
    Book2Case("TimeAttention", lambda dtype, seed: L.TimeAttention(),
              lambda r, d: (_f(r, d, N, T, H), _f(r, d, N, T - 1, H)), (0, 1)),
]


def as_tuple(value) -> tuple:
    return value if isinstance(value, tuple) else (() if value is None else (value,))


def douts_for(out, rng) -> tuple:
    """A gradient from above for each output: 1 for a scalar loss, random arrays otherwise."""
    return tuple(np.asarray(1.0, dtype=np.asarray(o).dtype) if np.ndim(o) == 0
                 else rng.standard_normal(np.shape(o)).astype(np.asarray(o).dtype) for o in as_tuple(out))
