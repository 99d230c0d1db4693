"""GPT: a decoder-only Transformer language model, every backward written by hand.

    tokens xs (N, T) → TimeEmbedding (W_emb, V×d_model) + PositionEmbedding (context×d_model)
      → [Dropout] → N × TransformerBlock(causal, pre-LN, FFN with the tanh GELU)
      → LayerNorm → TimeAffine(W = W_embᵀ, b) → scores (N, T, V) → TimeSoftmaxWithLoss

as GPT-2 (Radford et al. 2019): learned positions, a final LayerNorm, the
output projection tied to the token embedding (logits = h·W_embᵀ + b: one
array, listed twice in ``params`` as ``embed.W`` and ``affine.W`` = its
transpose, updated once with both gradients summed — ``bprop.optim.merge_tied``,
as BetterRnnlm ties its decoder). The loss is the mean cross-entropy of the
next token at every position: forward(xs, ts) with ts = the tokens shifted by
one. Causal: the scores at position t depend on xs[:, :t+1] only.

backward runs the layers in reverse: dh = ln_f'(affine'(dscores)), each block's
backward (residuals included), then the position and token embeddings (the
token embedding's dW collects the rows of the ids it read; ``affine.dW`` the
tied projection's part).

Shapes: xs, ts (N, T) integer ids in [0, V), 1 ≤ T ≤ context; scores (N, T, V).
Weights: embeddings N(0, 0.02²) as GPT-2; the blocks as torch's layers (see
``bprop.layers.transformer``); the output bias 0. float32 by default.

``generate`` samples one token after another (temperature, top-k, seeded),
reading at most the last ``context`` tokens; with ``cache=True`` (the default)
it keeps each block's keys and values and computes only the new position
(``bprop.nets._kv_cache``), which gives the same tokens as recomputing the
window — bench/transformer.py prints both speeds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from bprop._checks import float_dtype, integer, is_integer, real
from bprop._kernels.nan import layers_feeding_layers
from bprop._types import Seed
from bprop.init import as_generator
from bprop.layers import LayerNorm, TimeAffine, TimeDropout, TimeEmbedding, TimeSoftmaxWithLoss
from bprop.layers.transformer import PositionEmbedding, TransformerBlock
from bprop.nets.rnnlm import sample_next
from bprop.nets.sequence_model import SequenceModel

__all__ = ["GPT"]

_ACTIVATION = "gelu_tanh"  # GPT-2's; the exact erf GELU costs about ten times as many passes in NumPy


def transformer_sizes(owner: str, vocab_size: int, d_model: int, num_heads: int, num_layers: int, d_ff: int | None,
                      dropout: float) -> tuple:
    """(V, d_model, h, L, d_ff, dropout) checked: whole numbers ≥ 1, h dividing d_model, dropout in [0, 1)."""
    V = integer(vocab_size, "vocab_size", 1, owner=owner)
    D = integer(d_model, "d_model", 1, owner=owner)
    h = integer(num_heads, "num_heads", 1, owner=owner)
    L = integer(num_layers, "num_layers", 1, owner=owner)
    if D % h:
        raise ValueError(f"{owner} expected d_model divisible by num_heads (each head takes d_model/num_heads "
                         f"columns), got d_model={D} and num_heads={h}")
    F = 4 * D if d_ff is None else integer(d_ff, "d_ff", 1, owner=owner)
    p = real(dropout, "dropout", 0.0, 1.0, open_high=True, owner=owner)
    return V, D, h, L, F, p


def token_ids(xs: ArrayLike, owner: str, longest: int, what: str = "xs") -> np.ndarray:
    """xs as an (N, T) integer array with 1 ≤ T ≤ longest; TypeError or ValueError saying what came."""
    xs = np.asarray(xs)
    if xs.dtype.kind not in "iu":
        raise TypeError(f"{owner} expected integer token ids for {what}, got dtype {xs.dtype}")
    if xs.ndim != 2 or not 1 <= xs.shape[1] <= longest or xs.shape[0] == 0:
        raise ValueError(f"{owner} expected {what} of shape (N, T) with 1 <= T <= {longest}, got {xs.shape}")
    return xs


def embedding_table(rng: np.random.Generator, V: int, D: int, dtype: np.dtype) -> np.ndarray:
    """A (V, D) token embedding, N(0, 0.02²) as GPT-2, drawn in dtype."""
    W = rng.standard_normal((V, D), dtype=dtype)
    W *= dtype.type(0.02)
    return W


class GPT(SequenceModel):
    """A GPT-style language model: token and position embeddings, causal pre-LN blocks, tied output.

    forward(xs, ts, train_flg=True) → mean loss over all N·T positions;
    backward(dout=1); predict(xs, train_flg=False) → scores (N, T, V);
    generate(start_ids, length, …) → ids. See the module docstring for the math.

    vocab_size V, context (the longest T), d_model, num_heads (dividing
    d_model), num_layers, d_ff (default 4·d_model), dropout (on the embeddings'
    sum, the attention weights, inside the FFN and on every residual branch,
    in training only). ``params``/``grads`` are book 2's lists (``embed.W``,
    ``pos.W``, ``block1.attn.W_q`` …, ``ln_f.gamma``, ``affine.W`` = ``embed.W``.T,
    ``affine.b``), for any of bprop's optimizers.
    """

    def __init__(self, vocab_size: int, context: int, d_model: int = 128, num_heads: int = 4, num_layers: int = 4,
                 d_ff: int | None = None, dropout: float = 0.0, *, dtype: DTypeLike = np.float32,
                 rng: Seed = None) -> None:
        V, D, h, L, F, p = transformer_sizes("GPT", vocab_size, d_model, num_heads, num_layers, d_ff, dropout)
        context = integer(context, "context", 1, owner="GPT")
        rng, dtype = as_generator(rng), float_dtype(dtype)
        self.context = context
        embed_W = embedding_table(rng, V, D, dtype)
        self.embed = TimeEmbedding(embed_W)
        self.pos = PositionEmbedding(context, D, rng=rng, dtype=dtype)
        self.blocks = [TransformerBlock(D, h, F, causal=True, dropout=p, rng=rng, dtype=dtype, activation=_ACTIVATION)
                       for _ in range(L)]
        self.ln_f = LayerNorm(np.ones(D, dtype), np.zeros(D, dtype))
        self.affine = TimeAffine(embed_W.T, np.zeros(V, dtype))  # tied: the embedding's own array, transposed
        self.drop = TimeDropout(p, rng=rng) if p else None
        self.loss_layer = TimeSoftmaxWithLoss()
        self._gather([("embed", self.embed), ("pos", self.pos),
                      *((f"block{i + 1}", block) for i, block in enumerate(self.blocks)),
                      ("ln_f", self.ln_f), ("affine", self.affine)],
                     {"vocab_size": V, "context": context, "d_model": D, "num_heads": h, "num_layers": L,
                      "d_ff": F, "dropout": p})

    # --- the passes ---------------------------------------------------------------------

    def _hidden(self, xs, train_flg) -> np.ndarray:
        """The last block's output (N, T, d_model), before the final LayerNorm."""
        xs = token_ids(xs, "GPT", self.context)
        h = self.pos.forward(self.embed.forward(xs))
        with layers_feeding_layers():
            if self.drop is not None:
                h = self.drop.forward(h, train_flg=train_flg)
            for block in self.blocks:
                h = block.forward(h, train_flg=train_flg)
        return h

    def _scores(self, h) -> np.ndarray:
        with layers_feeding_layers():
            return self.affine.forward(self.ln_f.forward(h))

    def predict(self, xs: np.ndarray, train_flg: bool = False) -> np.ndarray:
        """Scores (N, T, V): at position t, the logits of the token after xs[:, t], from xs[:, :t+1] only."""
        return self._scores(self._hidden(xs, train_flg))

    def forward(self, xs: np.ndarray, ts: np.ndarray, train_flg: bool = True) -> float:
        return self.loss_layer.forward(self.predict(xs, train_flg), ts)

    def backward(self, dout: float = 1) -> None:
        dh = self.ln_f.backward(self.affine.backward(self.loss_layer.backward(dout)))
        with layers_feeding_layers():
            for block in reversed(self.blocks):
                dh = block.backward(dh)
            if self.drop is not None:
                dh = self.drop.backward(dh)
            self.embed.backward(self.pos.backward(dh))

    # --- text ---------------------------------------------------------------------------

    def last_scores(self, ids: Sequence[int]) -> np.ndarray:
        """The logits (V,) of the token after ids (a list), from its last ``context`` ids, without the cache."""
        window = np.array([ids[-self.context:]])
        h = self._hidden(window, False)
        return self._scores(h[:, -1:])[0, -1]

    def generate(self, start_ids: int | Sequence[int], length: int = 100, *, temperature: float = 1.0,
                 top_k: int | None = None, skip_ids: Iterable[int] | None = None, seed: Seed = None,
                 cache: bool = True) -> list[int]:
        """``length`` ids (the start included): each next id drawn from softmax(scores/temperature).

        start_ids: an id or a list of ids read first. Each draw is over the top_k
        likeliest ids when given, never one of skip_ids (as BetterRnnlm's
        ``generate``; ``bprop.nets.rnnlm.sample_next``), from a generator seeded
        with ``seed``: the same seed, the same text. Only the last ``context``
        ids are read. cache: keep the keys and values of the blocks (the same
        ids, faster); False recomputes the window for every id.
        """
        start = [int(i) for i in np.atleast_1d(start_ids)]
        if not start or any(not 0 <= i < self.embed.W.shape[0] for i in start):
            raise ValueError(f"GPT.generate expected start ids in [0, {self.embed.W.shape[0]}), got {start}")
        if not is_integer(length) or length < 1:
            raise ValueError(f"GPT.generate expected length >= 1 (the ids to return, the start included), got "
                             f"{length!r}")
        if top_k is not None:
            top_k = integer(top_k, "top_k", 1, owner="GPT.generate")
        rng = as_generator(seed)

        def draw(scores) -> int:
            return sample_next(scores, rng, temperature=temperature, top_k=top_k, skip_ids=skip_ids)

        ids = list(start)
        if cache and len(ids) <= self.context and len(ids) < length:
            from bprop.nets._kv_cache import generate_cached

            generate_cached(self, ids, min(length, self.context + 1), draw)
        while len(ids) < length:
            ids.append(draw(self.last_scores(ids)))
        return ids[:max(length, len(start))]

    def attention_map(self, layer: int = -1, head: int | None = None) -> np.ndarray:
        """The last pass's self-attention weights of block ``layer``: (N, T, T), head ``head`` or their mean."""
        return pick_attention("GPT", [b.attn.attention_weights for b in self.blocks], layer, head)


def pick_attention(owner: str, weights: list, layer: int, head: int | None) -> np.ndarray:
    """weights[layer] (N, h, T, S) at one head, or averaged over the heads when head is None: (N, T, S)."""
    if not weights or weights[0] is None:
        raise RuntimeError(f"{owner}.attention_map: no attention weights yet; run generate (or predict) first")
    if not is_integer(layer) or not -len(weights) <= layer < len(weights):
        raise ValueError(f"{owner}.attention_map expected layer in 0 … {len(weights) - 1} (or -1 for the last), "
                         f"got {layer!r}")
    A = weights[layer]
    if head is None:
        return A.mean(axis=1)
    if not is_integer(head) or not 0 <= head < A.shape[1]:
        raise ValueError(f"{owner}.attention_map expected head in 0 … {A.shape[1] - 1}, got {head!r}")
    return A[:, head]
