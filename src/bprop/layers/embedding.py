"""Book 2's word-vector layers (chapter 4): Embedding, EmbeddingDot, UnigramSampler, NegativeSamplingLoss.

Word ids are integer arrays; each id must lie in [0, V) for a weight matrix W
of shape (V, H) — a negative id is refused, not counted from the end as NumPy
indexing would. Parameters and gradients are in book 2's list form
(``params == [W]``, ``grads == [dW]``, written in place).
"""

from __future__ import annotations

from typing import cast

import numpy as np
import numpy.typing as npt

from bprop._checks import first_out_of_range
from bprop._types import Seed
from bprop.functions import sigmoid
from bprop.init import as_generator
from bprop.layers.base import SequenceLayer, as_float_array

__all__ = ["Embedding", "EmbeddingDot", "UnigramSampler", "NegativeSamplingLoss"]


def word_ids(ids: npt.ArrayLike, vocab_size: int, owner: str, name: str = "idx") -> np.ndarray:
    """ids as an integer array, every one in [0, vocab_size); TypeError or ValueError naming the first bad one."""
    ids = np.asarray(ids)
    if ids.dtype.kind not in "iu":
        raise TypeError(f"{owner} expected integer word ids for {name}, got dtype {ids.dtype}")
    found = first_out_of_range(ids, vocab_size)
    if found is not None:
        where, value = found
        raise ValueError(f"{owner} got word id {value} at {name}{list(where)}, outside the vocabulary "
                         f"of {vocab_size} words (ids 0 … {vocab_size - 1})")
    return ids


def _table(W: npt.ArrayLike, owner: str) -> np.ndarray:
    W = as_float_array(W, "W", owner)
    if W.ndim != 2:
        raise ValueError(f"{owner} expected W of shape (V, H), got {W.shape}")
    return W


class Embedding(SequenceLayer):
    """Embedding (book 2 §4.1): out = W[idx], the rows of the ids.

    backward(dout): dW = 0, then dW[idx_k] += dout_k for every k — a word that
    appears twice gets both rows' gradients (``np.add.at``, not ``dW[idx] = dout``,
    which would keep only the last). W (V, H); idx: integers of any shape S;
    out, dout: S + (H,). backward returns None (ids have no gradient).
    Caches idx.
    """

    param_names = ("W",)
    dims = {"W": ("V", "H")}
    W: np.ndarray
    dW: np.ndarray
    idx: np.ndarray | None

    def __init__(self, W: npt.ArrayLike) -> None:
        self.W = _table(W, self._name)
        self._zero_grads()
        self.idx = None

    def forward(self, idx: npt.ArrayLike) -> np.ndarray:
        self.idx = word_ids(idx, len(self.W), self._name).copy()
        out = self.W[self.idx]
        self._out_shapes, self._out_dtype = [("dout", out.shape)], out.dtype
        return out

    def backward(self, dout: npt.ArrayLike) -> None:
        (dout,) = self._douts(dout)
        self.dW[...] = 0
        np.add.at(self.dW, self._cached(self.idx), dout)


class EmbeddingDot(SequenceLayer):
    """EmbeddingDot (book 2 §4.2): out_n = h_n · W[idx_n], one score per row.

    backward(dout): dW[idx_n] += dout_n·h_n (repeated ids summed); returns
    dh = dout_n·W[idx_n]. W (V, H); h (N, H); idx (N,); out, dout (N,).
    Caches h and the rows W[idx].
    """

    param_names = ("W",)
    dims = {"W": ("V", "H")}

    W: np.ndarray
    dW: np.ndarray
    cache: tuple[np.ndarray, np.ndarray] | None  # h and the rows W[idx]

    def __init__(self, W: npt.ArrayLike) -> None:
        self.embed = Embedding(W)
        self.W, self.dW = self.embed.W, self.embed.dW
        self.cache = None

    def forward(self, h: npt.ArrayLike, idx: npt.ArrayLike) -> np.ndarray:
        h = self._array(h, "h", (None, self.W.shape[1]), "(N, H)")
        rows = self.embed.forward(idx)
        if rows.shape != h.shape:
            raise ValueError(f"{self._name} expected idx of shape ({len(h)},), one id per row of h, got "
                             f"{np.shape(idx)}")
        out = np.einsum("nh,nh->n", rows, h)
        self.cache = (h, rows)
        self._out_shapes, self._out_dtype = [("dout", out.shape)], out.dtype
        return out

    def backward(self, dout: npt.ArrayLike) -> np.ndarray:
        (dout,) = self._douts(dout)
        h, rows = self._cached(self.cache)
        self.embed.backward(dout[:, None] * h)
        return dout[:, None] * rows


class UnigramSampler:
    """Negative samples for word2vec (book 2 §4.2.6), from P(w) ∝ count(w)^power.

    get_negative_sample(target) → (N, sample_size) ids: for each row, distinct
    words other than that row's target, drawn without replacement with
    probabilities ∝ P (as the book's CPU version). Column by column, every row
    draws a word from P (one ``searchsorted`` into P's cumulative sums), and
    the rows whose word is their target or one they already hold draw again:
    each word is then drawn from P restricted to the words still allowed,
    which is what drawing without replacement means. ``seed`` (an int or a
    Generator) makes it repeatable.
    """

    def __init__(self, corpus: npt.ArrayLike, power: float = 0.75, sample_size: int = 5, *,
                 seed: Seed = None) -> None:
        corpus = np.asarray(corpus)
        if corpus.ndim != 1 or corpus.size == 0 or corpus.dtype.kind not in "iu" or corpus.min() < 0:
            raise ValueError(f"UnigramSampler expected a non-empty 1-D array of word ids >= 0, got "
                             f"{corpus.dtype} of shape {corpus.shape}")
        counts = np.bincount(corpus).astype(np.float64)
        self.vocab_size = len(counts)
        words_seen = int(np.count_nonzero(counts))
        if not 1 <= sample_size < words_seen:
            raise ValueError(f"UnigramSampler expected sample_size from 1 to {words_seen - 1} (the other words "
                             f"the corpus holds), got {sample_size}")
        self.sample_size = int(sample_size)
        self.word_p = counts ** float(power)
        self.word_p /= self.word_p.sum()
        self._cumulative = np.cumsum(self.word_p)
        self._cumulative[-1] = 1.0  # a uniform draw below 1 always lands on a word
        self.rng = as_generator(seed)

    def get_negative_sample(self, target: npt.ArrayLike) -> np.ndarray:
        target = word_ids(target, self.vocab_size, "UnigramSampler", "target").reshape(-1)
        taken = np.empty((len(target), self.sample_size + 1), dtype=np.int64)
        taken[:, 0] = target
        for k in range(1, self.sample_size + 1):
            rows = np.arange(len(target))
            while rows.size:  # draw; the rows that drew a word they hold draw again
                taken[rows, k] = self._draw(rows.size)
                clash = (taken[rows, :k] == taken[rows, k:k + 1]).any(axis=1)
                rows = rows[clash]
        return taken[:, 1:]

    def _draw(self, n: int) -> np.ndarray:
        """n ids from P: where uniform draws fall in P's cumulative sums."""
        return np.searchsorted(self._cumulative, self.rng.random(n), side="right")


class NegativeSamplingLoss(SequenceLayer):
    """Negative sampling loss (book 2 §4.2): one positive and ``sample_size`` negative binary scores per row.

    With s_n0 = h_n·W[target_n] and s_nk = h_n·W[neg_nk] (k = 1 … S, from the
    UnigramSampler): loss = (1/N) Σ_n [softplus(−s_n0) + Σ_k softplus(s_nk)],
    the book's sum of S+1 SigmoidWithLoss means. backward(dout=1): with
    e_nk = σ(s_nk) − label_k (label 1 for k = 0, else 0), dh_n = dout/N ·
    Σ_k e_nk·W[id_nk] and dW[id_nk] += dout/N · e_nk·h_n. W (V, H); h (N, H);
    target (N,). One W and one dW: the book's S+1 EmbeddingDot layers share
    one matrix, summed here at once. No warnings at ±1000.
    """

    param_names = ("W",)
    dims = {"W": ("V", "H")}
    repr_format = "V={V}, H={H}, sample_size={sample_size}"

    W: np.ndarray
    dW: np.ndarray
    cache: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None  # h, ids, rows, scores

    def __init__(self, W: npt.ArrayLike, corpus: npt.ArrayLike, power: float = 0.75, sample_size: int = 5, *,
                 seed: Seed = None) -> None:
        self.W = _table(W, self._name)
        self.sampler = UnigramSampler(corpus, power, sample_size, seed=seed)
        self.sample_size = self.sampler.sample_size
        if self.sampler.vocab_size > len(self.W):
            raise ValueError(f"{self._name}: the corpus has ids up to {self.sampler.vocab_size - 1}, but W has "
                             f"only {len(self.W)} rows")
        self._zero_grads()
        self.cache = None

    def forward(self, h: npt.ArrayLike, target: npt.ArrayLike) -> float:
        """The loss, a NumPy scalar of h's dtype (annotated float: float64 is one, float32 acts as one)."""
        h = self._array(h, "h", (None, self.W.shape[1]), "(N, H)")
        target = word_ids(target, len(self.W), self._name, "target")
        if target.shape != (len(h),):
            raise ValueError(f"{self._name} expected target of shape ({len(h)},), one id per row of h, got "
                             f"{target.shape}")
        ids = np.concatenate([target[:, None], self.sampler.get_negative_sample(target)], axis=1)
        rows = self.W[ids]  # (N, S+1, H)
        scores = np.einsum("nkh,nh->nk", rows, h)
        signs = np.ones_like(scores)
        signs[:, 0] = -1  # softplus(−s) for the positive, softplus(s) for the negatives
        loss = np.logaddexp(0, signs * scores).sum() / len(h)
        self.cache = (h, ids, rows, scores)
        self._out_shapes, self._out_dtype = [("dout", ())], scores.dtype
        return cast(float, loss.astype(scores.dtype)[()])

    def backward(self, dout: npt.ArrayLike = 1) -> np.ndarray:
        (dout,) = self._douts(dout)
        h, ids, rows, scores = self._cached(self.cache)
        error = sigmoid(scores)
        error[:, 0] -= 1
        error *= dout / len(h)
        self.dW[...] = 0
        np.add.at(self.dW, ids, error[:, :, None] * h[:, None, :])
        return np.einsum("nk,nkh->nh", error, rows)
