"""Book 2's language models (chapters 5–6): SimpleRnnlm, Rnnlm, BetterRnnlm, and sampling text from them.

forward(xs, ts) → loss: xs, ts (N, T) word ids, ts the next word of each
step; backward(dout=1); predict(xs) → scores (N, T, V); reset_state().
The recurrent layers are stateful: a corpus is read in blocks of T steps,
the state carried from one block to the next (truncated BPTT).

- SimpleRnnlm: TimeEmbedding → TimeRNN → TimeAffine → TimeSoftmaxWithLoss.
- Rnnlm: the same with a TimeLSTM.
- BetterRnnlm (§6.5): two TimeLSTMs, TimeDropout before, between and after
  them, and the output Affine tied to the Embedding (its W is the Embedding's
  W.T: one array, trained once with both gradients).

Weights as in book 2: the Embedding 0.01·N(0, 1); the LSTM and Affine
weights N(0, 1)/√(fan-in) (Xavier); biases 0. float32 by default.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import DTypeLike

from bprop._types import Seed
from bprop.functions import softmax
from bprop.init import as_generator
from bprop.layers import TimeAffine, TimeDropout, TimeEmbedding, TimeLSTM, TimeRNN, TimeSoftmaxWithLoss
from bprop.nets.sequence_model import SequenceModel

__all__ = ["SimpleRnnlm", "Rnnlm", "BetterRnnlm", "sample_next"]


def _xavier(rng, dtype, n_in, *shape):
    return (rng.standard_normal((n_in, *shape)) / np.sqrt(n_in)).astype(dtype)


class _LanguageModel(SequenceModel):
    """Shared: the layers in order, the loss, prediction and text generation."""

    def _build(self, layers, config):
        self.layers = [layer for _, layer in layers]
        self.loss_layer = TimeSoftmaxWithLoss()
        self._gather(layers, config)

    def predict(self, xs: np.ndarray, train_flg: bool = False) -> np.ndarray:
        for layer in self.layers:
            if isinstance(layer, TimeDropout):
                layer.train_flg = train_flg
            xs = layer.forward(xs)
        return xs

    def forward(self, xs: np.ndarray, ts: np.ndarray, train_flg: bool = True) -> float:
        return self.loss_layer.forward(self.predict(xs, train_flg), ts)

    def backward(self, dout: float = 1) -> np.ndarray:
        dx = self.loss_layer.backward(dout)
        for layer in reversed(self.layers):
            dx = layer.backward(dx)
        return dx

    def generate(self, start_id: int | Sequence[int], skip_ids: Iterable[int] | None = None, sample_size: int = 100, *,
                 temperature: float = 1.0, top_k: int | None = None, seed: Seed = None) -> list[int]:
        """Word ids sampled one after another, starting with start_id (an id, or ids to read first).

        Each next word is drawn from softmax(scores / temperature), restricted
        to the top_k most likely when given, never one of skip_ids (their
        probability is set to 0, where the book draws again). Returns
        sample_size ids, the start included. The state is reset before and after.
        """
        rng = as_generator(seed)
        start = [int(i) for i in np.atleast_1d(start_id)]
        self.reset_state()
        ids = list(start)
        scores = self.predict(np.array([start]))[0, -1]
        while len(ids) < sample_size:
            x = sample_next(scores, rng, temperature=temperature, top_k=top_k, skip_ids=skip_ids)
            ids.append(x)
            scores = self.predict(np.array([[x]]))[0, -1]
        self.reset_state()
        return ids[:max(sample_size, len(start))]


def sample_next(scores: np.ndarray, rng: np.random.Generator, *, temperature: float = 1.0, top_k: int | None = None,
                skip_ids: Iterable[int] | None = None) -> int:
    """One id drawn from softmax(scores / temperature) over the top_k scores, skip_ids excluded."""
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature!r}")
    scores = np.asarray(scores, dtype=np.float64) / temperature
    if skip_ids is not None:
        scores[list(skip_ids)] = -np.inf
    if top_k is not None and top_k < len(scores):
        cut = np.partition(scores, -top_k)[-top_k]
        scores[scores < cut] = -np.inf
    p = softmax(scores)
    return int(rng.choice(len(p), p=p / p.sum()))


class SimpleRnnlm(_LanguageModel):
    """TimeEmbedding → TimeRNN (stateful) → TimeAffine → TimeSoftmaxWithLoss (book 2 §5.5)."""

    def __init__(self, vocab_size: int, wordvec_size: int, hidden_size: int, *, dtype: DTypeLike = np.float32,
                 rng: Seed = None) -> None:
        rng = as_generator(rng)
        V, D, H = vocab_size, wordvec_size, hidden_size
        embed_W = (0.01 * rng.standard_normal((V, D))).astype(dtype)
        self.rnn_layer = TimeRNN(_xavier(rng, dtype, D, H), _xavier(rng, dtype, H, H), np.zeros(H, dtype),
                                 stateful=True)
        self._build([("embed", TimeEmbedding(embed_W)), ("rnn", self.rnn_layer),
                     ("affine", TimeAffine(_xavier(rng, dtype, H, V), np.zeros(V, dtype)))],
                    {"vocab_size": V, "wordvec_size": D, "hidden_size": H})


class Rnnlm(_LanguageModel):
    """TimeEmbedding → TimeLSTM (stateful) → TimeAffine → TimeSoftmaxWithLoss (book 2 §6.4)."""

    def __init__(self, vocab_size: int = 10000, wordvec_size: int = 100, hidden_size: int = 100, *,
                 dtype: DTypeLike = np.float32, rng: Seed = None) -> None:
        rng = as_generator(rng)
        V, D, H = vocab_size, wordvec_size, hidden_size
        embed_W = (0.01 * rng.standard_normal((V, D))).astype(dtype)
        self.lstm_layer = TimeLSTM(_xavier(rng, dtype, D, 4 * H), _xavier(rng, dtype, H, 4 * H),
                                   np.zeros(4 * H, dtype), stateful=True)
        self._build([("embed", TimeEmbedding(embed_W)), ("lstm", self.lstm_layer),
                     ("affine", TimeAffine(_xavier(rng, dtype, H, V), np.zeros(V, dtype)))],
                    {"vocab_size": V, "wordvec_size": D, "hidden_size": H})


class BetterRnnlm(_LanguageModel):
    """Two stateful TimeLSTMs with dropout and a tied output layer (book 2 §6.5).

    TimeEmbedding → TimeDropout → TimeLSTM → TimeDropout → TimeLSTM →
    TimeDropout → TimeAffine(W = the Embedding's W.T) → TimeSoftmaxWithLoss.
    wordvec_size must equal hidden_size (the tie needs it). predict uses no
    dropout unless train_flg=True.
    """

    def __init__(self, vocab_size: int = 10000, wordvec_size: int = 650, hidden_size: int = 650,
                 dropout_ratio: float = 0.5, *, dtype: DTypeLike = np.float32, rng: Seed = None) -> None:
        rng = as_generator(rng)
        V, D, H = vocab_size, wordvec_size, hidden_size
        if D != H:
            raise ValueError(f"BetterRnnlm ties its output layer to the embedding, so wordvec_size must equal "
                             f"hidden_size; got {D} and {H}")
        embed_W = (0.01 * rng.standard_normal((V, D))).astype(dtype)
        self.lstm_layers = [TimeLSTM(_xavier(rng, dtype, n, 4 * H), _xavier(rng, dtype, H, 4 * H),
                                     np.zeros(4 * H, dtype), stateful=True) for n in (D, H)]
        drops = [TimeDropout(dropout_ratio, rng=np.random.default_rng(int(rng.integers(2**63)))) for _ in range(3)]
        self.drop_layers = drops
        self._build([("embed", TimeEmbedding(embed_W)), ("drop1", drops[0]), ("lstm1", self.lstm_layers[0]),
                     ("drop2", drops[1]), ("lstm2", self.lstm_layers[1]), ("drop3", drops[2]),
                     ("affine", TimeAffine(embed_W.T, np.zeros(V, dtype)))],
                    {"vocab_size": V, "wordvec_size": D, "hidden_size": H, "dropout_ratio": dropout_ratio})
