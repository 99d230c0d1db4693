"""The nn.Modules ``to_torch`` builds for bprop's Transformers: GPT and TransformerSeq2seq.

Both are made of torch's own layers, which hold the same numbers as bprop's
blocks (tests/layers/test_transformer_torch.py): ``nn.TransformerEncoderLayer``
and ``nn.TransformerDecoderLayer`` with ``norm_first=True`` (pre-LN) and
``batch_first=True``, a causal mask where bprop's attention is causal. Learned
positions are an ``nn.Embedding`` whose first T rows are added; the output
Linear's weight *is* the token embedding (tied, as in bprop). Defined when first
asked for (``classes()``), as in ``_torch_modules``.

``activation``: bprop's name, "gelu" (exact, torch's "gelu"), "gelu_tanh" (GPT-2's
tanh approximation, ``gelu_tanh`` below) or "relu".
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from bprop.interop._torch_modules import import_torch, picklable

if TYPE_CHECKING:
    import torch

__all__ = ["classes", "gelu_tanh", "activation"]


def gelu_tanh(x: torch.Tensor) -> torch.Tensor:
    """GELU, the tanh approximation: what bprop's GPT and TransformerSeq2seq use (``Gelu()``).

    A plain function, not ``nn.GELU(approximate="tanh")``: torch's encoder layer
    would take an nn.GELU for the exact GELU in its inference fast path.
    """
    return import_torch().nn.functional.gelu(x, approximate="tanh")


def activation(name: str) -> str | Callable[[torch.Tensor], torch.Tensor]:
    """What torch's Transformer layers take for bprop's activation ``name``."""
    return gelu_tanh if name == "gelu_tanh" else name


def _causal(T: int, device):
    """(T, T) boolean, True above the diagonal: where torch's attention may *not* look (bprop's mask inverted)."""
    torch = import_torch()
    return torch.ones(T, T, dtype=torch.bool, device=device).triu(1)


@functools.cache
def classes() -> dict[str, type]:
    """Name → nn.Module class; imports torch on the first call."""
    torch = import_torch()
    from torch import nn  # a module, not a variable: mypy takes its classes as bases

    def encoder_layer(d_model, num_heads, d_ff, dropout, act):
        return nn.TransformerEncoderLayer(d_model, num_heads, dim_feedforward=d_ff, dropout=dropout,
                                          activation=activation(act), batch_first=True, norm_first=True)

    def decoder_layer(d_model, num_heads, d_ff, dropout, act):
        return nn.TransformerDecoderLayer(d_model, num_heads, dim_feedforward=d_ff, dropout=dropout,
                                          activation=activation(act), batch_first=True, norm_first=True)

    class GPT(nn.Module):
        """bprop's GPT: forward(xs (N, T) ids) → scores (N, T, V), position t seeing xs[:, :t+1] only.

        h = Dropout(embed(xs) + pos.weight[:T]) → blocks (causal, pre-LN) → ln_f →
        affine, whose weight is embed.weight. The arguments are bprop's GPT's.
        """

        def __init__(self, vocab_size, context, d_model, num_heads, num_layers, d_ff, dropout=0.0,
                     activation="gelu_tanh"):
            super().__init__()
            self.context = context
            self.embed, self.pos = nn.Embedding(vocab_size, d_model), nn.Embedding(context, d_model)
            self.drop = nn.Dropout(dropout)
            self.blocks = nn.ModuleList([encoder_layer(d_model, num_heads, d_ff, dropout, activation)
                                         for _ in range(num_layers)])
            self.ln_f = nn.LayerNorm(d_model)
            self.affine = nn.Linear(d_model, vocab_size)
            self.affine.weight = self.embed.weight

        def forward(self, xs):
            T = xs.shape[1]
            h = self.drop(self.embed(xs) + self.pos.weight[:T])
            mask = _causal(T, xs.device)
            for block in self.blocks:
                h = block(h, src_mask=mask, is_causal=True)
            return self.affine(self.ln_f(h))

    class TransformerSeq2seq(nn.Module):
        """bprop's TransformerSeq2seq: encoder and decoder stacks sharing one token embedding.

        encode(xs (N, S)) → memory (N, S, d_model); decode(ids (N, T), memory) → scores
        (N, T, V), causal; forward(xs, ts_in) → decode(ts_in, encode(xs)), the teacher-forced
        scores of bprop's ``forward(xs, ts)`` with ts_in = ts[:, :-1]. generate(xs, start_id,
        sample_size) → (N, sample_size) ids, greedy, as bprop's.
        """

        def __init__(self, vocab_size, d_model, num_heads, num_layers, d_ff, dropout=0.0, max_len=64,
                     activation="gelu_tanh"):
            super().__init__()
            self.max_len = max_len
            self.embed = nn.Embedding(vocab_size, d_model)
            layers = (d_model, num_heads, d_ff, dropout, activation)
            self.enc_pos, self.enc_drop = nn.Embedding(max_len, d_model), nn.Dropout(dropout)
            self.enc_blocks = nn.ModuleList([encoder_layer(*layers) for _ in range(num_layers)])
            self.enc_ln = nn.LayerNorm(d_model)
            self.dec_pos, self.dec_drop = nn.Embedding(max_len, d_model), nn.Dropout(dropout)
            self.dec_blocks = nn.ModuleList([decoder_layer(*layers) for _ in range(num_layers)])
            self.dec_ln = nn.LayerNorm(d_model)
            self.affine = nn.Linear(d_model, vocab_size)
            self.affine.weight = self.embed.weight

        def encode(self, xs):
            h = self.enc_drop(self.embed(xs) + self.enc_pos.weight[:xs.shape[1]])
            for block in self.enc_blocks:
                h = block(h)
            return self.enc_ln(h)

        def decode(self, ids, memory):
            T = ids.shape[1]
            h = self.dec_drop(self.embed(ids) + self.dec_pos.weight[:T])
            mask = _causal(T, ids.device)
            for block in self.dec_blocks:
                h = block(h, memory, tgt_mask=mask, tgt_is_causal=True)
            return self.affine(self.dec_ln(h))

        def forward(self, xs, ts_in):
            return self.decode(ts_in, self.encode(xs))

        @torch.no_grad()
        def generate(self, xs, start_id, sample_size):
            memory = self.encode(xs)
            ids = torch.full((xs.shape[0], 1), int(start_id), dtype=torch.long, device=xs.device)
            for _ in range(int(sample_size)):
                # the whole answer so far at each step, as bprop's: the rows of earlier steps do not change
                ids = torch.cat([ids, self.decode(ids, memory)[:, -1].argmax(dim=1, keepdim=True)], dim=1)
            return ids[:, 1:]

    return picklable({c.__name__: c for c in (GPT, TransformerSeq2seq)})


def __getattr__(name):
    if name in ("GPT", "TransformerSeq2seq"):
        return classes()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
