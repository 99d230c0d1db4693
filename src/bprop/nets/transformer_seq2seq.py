"""TransformerSeq2seq: an encoder–decoder Transformer for book 2's date and addition tasks.

    encoder:  question xs (N, S) → TimeEmbedding(W_emb) + PositionEmbedding → L × TransformerBlock
              (pre-LN, no mask) → LayerNorm → memory (N, S, d_model)
    decoder:  answer so far (N, T) → TimeEmbedding(W_emb) + PositionEmbedding → L × TransformerDecoderBlock
              (causal self-attention, cross-attention on memory, FFN) → LayerNorm
              → TimeAffine(W = W_embᵀ, b) → scores (N, T, V) → TimeSoftmaxWithLoss

One token embedding W_emb serves the encoder, the decoder and the output
projection, as in "Attention Is All You Need" §3.4 (the question and the
answer share book 2's character vocabulary): three entries of ``params``, one
array, updated once with the three gradients summed (``bprop.optim.merge_tied``).

The interface of book 2's Seq2seq classes, so ``bprop.nlp.seq2seq_accuracy``
and ``eval_seq2seq`` work unchanged: forward(xs, ts) → loss, with teacher
forcing — the decoder reads ts[:, :-1] (the start symbol first) and is scored
on ts[:, 1:]; backward(dout=1) runs the decoder's blocks in reverse, summing
each block's dmemory, then the encoder's; generate(xs, start_id, sample_size)
→ (N, sample_size) ids, greedy. ``attention_map(layer, head)`` is where the
last generate's answer looked in the question (cross-attention weights).

Shapes: xs (N, S), ts (N, T + 1) integer ids, S and T ≤ max_len. Weights as
GPT's (embeddings N(0, 0.02²), the blocks as torch's layers). float32 by default.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike

from bprop._checks import float_dtype, integer
from bprop._kernels.nan import layers_feeding_layers
from bprop._types import Seed
from bprop.init import as_generator
from bprop.layers import LayerNorm, TimeAffine, TimeDropout, TimeEmbedding, TimeSoftmaxWithLoss
from bprop.layers.transformer import PositionEmbedding, TransformerBlock, TransformerDecoderBlock
from bprop.nets.sequence_model import SequenceModel
from bprop.nets.transformer import _ACTIVATION, embedding_table, pick_attention, token_ids, transformer_sizes

__all__ = ["TransformerSeq2seq"]


class _Stack:
    """Token embedding + learned positions + [Dropout], the blocks, a final LayerNorm: one side of the model."""

    def __init__(self, embed_W, max_len, blocks, dropout, rng, dtype):
        D = embed_W.shape[1]
        self.embed, self.pos = TimeEmbedding(embed_W), PositionEmbedding(max_len, D, rng=rng, dtype=dtype)
        self.blocks = blocks
        self.ln = LayerNorm(np.ones(D, dtype), np.zeros(D, dtype))
        self.drop = TimeDropout(dropout, rng=rng) if dropout else None

    def named(self, side: str) -> list:
        return [(f"{side}_embed", self.embed), (f"{side}_pos", self.pos),
                *((f"{side}_block{i + 1}", b) for i, b in enumerate(self.blocks)), (f"{side}_ln", self.ln)]

    def forward(self, ids, train_flg, memory=None):
        h = self.pos.forward(self.embed.forward(ids))
        with layers_feeding_layers():
            if self.drop is not None:
                h = self.drop.forward(h, train_flg=train_flg)
            for block in self.blocks:
                h = block.forward(h, train_flg=train_flg) if memory is None else block.forward(h, memory, train_flg)
            return self.ln.forward(h)

    def backward(self, dout):
        """dids is None; returns the summed dmemory of the blocks (decoder) or None (encoder)."""
        dmemory = None
        with layers_feeding_layers():
            dh = self.ln.backward(dout)
            for block in reversed(self.blocks):
                dh = block.backward(dh)
                if isinstance(dh, tuple):
                    dh, dm = dh
                    dmemory = dm if dmemory is None else dmemory + dm
            if self.drop is not None:
                dh = self.drop.backward(dh)
            self.embed.backward(self.pos.backward(dh))
        return dmemory


class TransformerSeq2seq(SequenceModel):
    """A pre-LN encoder–decoder Transformer with book 2's seq2seq interface (see the module docstring).

    vocab_size V; d_model; num_heads (dividing d_model); num_layers L blocks on
    each side; d_ff (default 4·d_model); dropout (training only); max_len: the
    longest question and answer. ``params`` names ``enc_embed.W``,
    ``enc_block1.attn.W_q``, ``dec_block1.cross_attn.W_k``, ``affine.W`` (=
    ``enc_embed.W``.T) …, book 2's lists for any of bprop's optimizers.
    """

    def __init__(self, vocab_size: int, d_model: int = 128, num_heads: int = 4, num_layers: int = 2,
                 d_ff: int | None = None, dropout: float = 0.0, max_len: int = 64, *, dtype: DTypeLike = np.float32,
                 rng: Seed = None) -> None:
        owner = "TransformerSeq2seq"
        V, D, h, L, F, p = transformer_sizes(owner, vocab_size, d_model, num_heads, num_layers, d_ff, dropout)
        self.max_len = integer(max_len, "max_len", 1, owner=owner)
        rng, dtype = as_generator(rng), float_dtype(dtype)
        W = embedding_table(rng, V, D, dtype)
        options = {"dropout": p, "rng": rng, "dtype": dtype, "activation": _ACTIVATION}
        self.encoder = _Stack(W, self.max_len, [TransformerBlock(D, h, F, **options) for _ in range(L)], p, rng,
                              dtype)
        self.decoder = _Stack(W, self.max_len, [TransformerDecoderBlock(D, h, F, **options) for _ in range(L)], p,
                              rng, dtype)
        self.affine = TimeAffine(W.T, np.zeros(V, dtype))
        self.loss_layer = TimeSoftmaxWithLoss()
        self._cross: list | None = None
        self._gather([*self.encoder.named("enc"), *self.decoder.named("dec"), ("affine", self.affine)],
                     {"vocab_size": V, "d_model": D, "num_heads": h, "num_layers": L, "d_ff": F, "dropout": p,
                      "max_len": self.max_len})

    def encode(self, xs: np.ndarray, train_flg: bool = False) -> np.ndarray:
        """The memory (N, S, d_model) the decoder attends to."""
        return self.encoder.forward(token_ids(xs, "TransformerSeq2seq", self.max_len), train_flg)

    def decode(self, ids: np.ndarray, memory: np.ndarray, train_flg: bool = False) -> np.ndarray:
        """Scores (N, T, V): at step t, the logits of the answer's next id given ids[:, :t+1] and the question."""
        ids = token_ids(ids, "TransformerSeq2seq", self.max_len, "the decoder's ids")
        if len(ids) != len(memory):
            raise ValueError(f"TransformerSeq2seq expected as many answers as questions, got {len(ids)} and "
                             f"{len(memory)}")
        h = self.decoder.forward(ids, train_flg, memory)
        with layers_feeding_layers():
            return self.affine.forward(h)

    def forward(self, xs: np.ndarray, ts: np.ndarray, train_flg: bool = True) -> float:
        ts = np.asarray(ts)
        if ts.ndim != 2 or ts.shape[1] < 2:
            raise ValueError(f"TransformerSeq2seq expected ts of shape (N, T) with T >= 2 (the start symbol and at "
                             f"least one answer id), got {ts.shape}")
        memory = self.encode(xs, train_flg)
        return self.loss_layer.forward(self.decode(ts[:, :-1], memory, train_flg), ts[:, 1:])

    def backward(self, dout: float = 1) -> None:
        dmemory = self.decoder.backward(self.affine.backward(self.loss_layer.backward(dout)))
        self.encoder.backward(dmemory)

    def generate(self, xs: np.ndarray, start_id: int, sample_size: int) -> np.ndarray:
        """(N, sample_size) ids, each the decoder's most likely next id given the ones before (greedy)."""
        sample_size = integer(sample_size, "sample_size", 1, owner="TransformerSeq2seq.generate")
        if sample_size > self.max_len:
            raise ValueError(f"TransformerSeq2seq holds {self.max_len} answer positions, asked for {sample_size}")
        memory = self.encode(xs)
        ids = np.full((len(memory), 1), int(start_id))
        for _ in range(sample_size):
            # the whole answer so far each step: the causal decoder's rows for earlier steps do not change
            scores = self.decode(ids, memory)[:, -1]
            ids = np.concatenate([ids, scores.argmax(axis=1)[:, None]], axis=1)
        self._cross = [b.cross_attn.attention_weights for b in self.decoder.blocks]
        return ids[:, 1:]

    def attention_map(self, layer: int = -1, head: int | None = None) -> np.ndarray:
        """The last generate's cross-attention in block ``layer``: (N, answer steps, question steps), rows sum to 1.

        head: one head's weights, or None for the mean over the heads.
        """
        return pick_attention("TransformerSeq2seq", self._cross or [None], layer, head)
