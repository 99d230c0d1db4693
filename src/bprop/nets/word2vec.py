"""Book 2's word2vec models (chapters 3–4): SimpleCBOW, SimpleSkipGram, CBOW, SkipGram.

Every model has forward(contexts, target) → loss, backward(dout=1), params,
grads (book 2's lists) and ``word_vecs`` (W_in, one row per word).

- SimpleCBOW / SimpleSkipGram (ch.3): one-hot inputs; contexts (N, 2, V),
  target (N, V); a MatMul into the hidden layer and a softmax over all V words.
- CBOW / SkipGram (ch.4): word ids; contexts (N, 2·window), target (N,); an
  Embedding and negative sampling (``NegativeSamplingLoss``).

Weights are drawn as the book draws them, 0.01·N(0, 1), from ``rng``, in
``dtype`` (float32 by default, as book 2).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike

from bprop._types import Seed
from bprop.init import as_generator
from bprop.layers import Embedding, MatMul, NegativeSamplingLoss, SoftmaxWithLoss
from bprop.nets.sequence_model import SequenceModel

__all__ = ["SimpleCBOW", "SimpleSkipGram", "CBOW", "SkipGram"]


def _small(rng, dtype, *shape):
    return (0.01 * as_generator(rng).standard_normal(shape)).astype(dtype)


class SimpleCBOW(SequenceModel):
    """CBOW with a full softmax (book 2 §3.2): h = (c₀·W_in + c₁·W_in)/2, loss = softmax CE(h·W_out, target).

    contexts (N, 2, V) one-hot; target (N, V) one-hot or (N,) ids. W_in (V, H),
    shared by both context words (listed twice in params, as in the book);
    W_out (H, V).
    """

    def __init__(self, vocab_size: int, hidden_size: int, *, dtype: DTypeLike = np.float32, rng: Seed = None) -> None:
        rng = as_generator(rng)
        W_in, W_out = _small(rng, dtype, vocab_size, hidden_size), _small(rng, dtype, hidden_size, vocab_size)
        self.in_layer0, self.in_layer1 = MatMul(W_in), MatMul(W_in)
        self.out_layer = MatMul(W_out)
        self.loss_layer = SoftmaxWithLoss()
        self.word_vecs = W_in
        self._gather([("in0", self.in_layer0), ("in1", self.in_layer1), ("out", self.out_layer)],
                     {"vocab_size": vocab_size, "hidden_size": hidden_size})

    def forward(self, contexts: np.ndarray, target: np.ndarray) -> float:
        h = (self.in_layer0.forward(contexts[:, 0]) + self.in_layer1.forward(contexts[:, 1])) * 0.5
        return self.loss_layer.forward(self.out_layer.forward(h), target)

    def backward(self, dout: float = 1) -> None:
        da = self.out_layer.backward(self.loss_layer.backward(dout)) * 0.5
        self.in_layer1.backward(da)
        self.in_layer0.backward(da)


class SimpleSkipGram(SequenceModel):
    """Skip-gram with a full softmax (book 2 §3.5): from the target word, predict each context word.

    loss = Σ_k softmax CE(target·W_in·W_out, context_k). target (N, V) one-hot;
    contexts (N, 2, V) one-hot. W_in (V, H); W_out (H, V).
    """

    def __init__(self, vocab_size: int, hidden_size: int, *, dtype: DTypeLike = np.float32, rng: Seed = None) -> None:
        rng = as_generator(rng)
        W_in, W_out = _small(rng, dtype, vocab_size, hidden_size), _small(rng, dtype, hidden_size, vocab_size)
        self.in_layer, self.out_layer = MatMul(W_in), MatMul(W_out)
        self.loss_layers = [SoftmaxWithLoss(), SoftmaxWithLoss()]
        self.word_vecs = W_in
        self._gather([("in", self.in_layer), ("out", self.out_layer)],
                     {"vocab_size": vocab_size, "hidden_size": hidden_size})

    def forward(self, contexts: np.ndarray, target: np.ndarray) -> float:
        score = self.out_layer.forward(self.in_layer.forward(target))
        return sum(layer.forward(score, contexts[:, k]) for k, layer in enumerate(self.loss_layers))

    def backward(self, dout: float = 1) -> None:
        ds = sum(layer.backward(dout) for layer in self.loss_layers)
        self.in_layer.backward(self.out_layer.backward(ds))


class _NegativeSampling(SequenceModel):
    """Shared by CBOW and SkipGram: an Embedding of W_in, a NegativeSamplingLoss over W_out, the window."""

    def __init__(self, vocab_size, hidden_size, window_size, corpus, *, sample_size=5, dtype=np.float32, rng=None,
                 seed=None):
        rng = as_generator(rng)
        W_in, W_out = _small(rng, dtype, vocab_size, hidden_size), _small(rng, dtype, vocab_size, hidden_size)
        self.window_size = int(window_size)
        self.in_layer = Embedding(W_in)
        self.ns_loss = NegativeSamplingLoss(W_out, corpus, power=0.75, sample_size=sample_size,
                                            seed=rng if seed is None else seed)
        self.word_vecs = W_in
        self._gather([("in", self.in_layer), ("ns", self.ns_loss)],
                     {"vocab_size": vocab_size, "hidden_size": hidden_size, "window_size": window_size,
                      "sample_size": sample_size, "word_counts": np.bincount(corpus).tolist()})

    @classmethod
    def _from_config(cls, config: dict, dtype):
        """The model a file describes: the corpus only matters through its word counts (the sampler's P)."""
        config = dict(config)
        counts = config.pop("word_counts")
        return cls(**config, corpus=np.repeat(np.arange(len(counts)), counts), dtype=dtype, rng=0)

    def _contexts(self, contexts) -> np.ndarray:
        contexts = np.asarray(contexts)
        n = 2 * self.window_size
        if contexts.ndim != 2 or contexts.shape[1] != n:
            raise ValueError(f"{type(self).__name__} expected contexts of shape (N, {n}) for window_size "
                             f"{self.window_size}, got {contexts.shape}")
        return contexts


class CBOW(_NegativeSampling):
    """CBOW with negative sampling (book 2 §4.3): h = mean of the context rows of W_in; loss = NS(h, target).

    contexts (N, 2·window_size) ids; target (N,) ids. One Embedding looks all
    context words up at once (the book keeps one Embedding per context
    position, all sharing W_in: the same gradients). W_in, W_out (V, H).
    """

    def forward(self, contexts: np.ndarray, target: np.ndarray) -> float:
        h = self.in_layer.forward(self._contexts(contexts)).mean(axis=1)
        return self.ns_loss.forward(h, target)

    def backward(self, dout: float = 1) -> None:
        dh = self.ns_loss.backward(dout)
        n = 2 * self.window_size
        self.in_layer.backward(np.repeat(dh[:, None, :] / n, n, axis=1))


class SkipGram(_NegativeSampling):
    """Skip-gram with negative sampling (book 2 §4.3): loss = Σ_k NS(W_in[target], context_k).

    contexts (N, 2·window_size) ids; target (N,) ids. The 2·window losses are
    one NegativeSamplingLoss over the N·2·window (target, context) pairs, times
    2·window (the book sums one per position, each a mean over N). W_in,
    W_out (V, H).
    """

    def forward(self, contexts: np.ndarray, target: np.ndarray) -> float:
        contexts = self._contexts(contexts)
        n = 2 * self.window_size
        h = self.in_layer.forward(target)
        return self.ns_loss.forward(np.repeat(h, n, axis=0), contexts.reshape(-1)) * n

    def backward(self, dout: float = 1) -> None:
        n = 2 * self.window_size
        dh = self.ns_loss.backward(dout * n)
        self.in_layer.backward(dh.reshape(-1, n, dh.shape[1]).sum(axis=1))
