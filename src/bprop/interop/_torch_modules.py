"""The nn.Modules ``to_torch`` builds for what torch has no module for: book 2's models and the book's Dropout.

torch is optional, so these classes are defined when first asked for
(``classes()``, which imports torch), not when bprop is imported. Each is a
module-level name all the same (``bprop.interop._torch_modules.Seq2seq``):
``torch.save(module)`` and ``torch.load`` find them by that name.

    BookDropout       the book's Dropout: y = x·mask in training, y = x·(1 − p) at inference
    LanguageModel     SimpleRnnlm, Rnnlm, BetterRnnlm: bprop's layers in order; forward(xs) → scores (N, T, V)
    Seq2seq           Seq2seq and PeekySeq2seq: forward(xs, ts_in) → scores (N, T, V); generate (greedy)
    AttentionSeq2seq  the same with book 2's attention (§8.2)
    SimpleCBOW, SimpleSkipGram, CBOW, SkipGram   forward → the scores of every word (N, V)

The Transformers (GPT, TransformerSeq2seq) are in ``_torch_transformer``. A
module that ``to_torch`` made keeps ``bprop_model`` = {"class": …, "config": …},
which ``from_torch`` reads to rebuild the bprop model.
"""

from __future__ import annotations

import functools
from types import ModuleType
from typing import Any

TORCH_PIN = "torch==2.13.0"

__all__ = ["import_torch", "classes", "TORCH_PIN"]


def import_torch() -> ModuleType:
    """The torch package, or an ImportError saying how to install it (torch is an optional extra of bprop)."""
    try:
        import torch
    except ImportError:
        raise ImportError(f"bprop.interop needs PyTorch, which is not installed: pip install {TORCH_PIN} "
                          f"(the CPU wheel is enough; an unpinned torch may pull a multi-GB CUDA build)") from None
    return torch


def picklable(found: dict[str, type]) -> dict[str, type]:
    """The classes, each named as a module-level name (pickle looks them up through ``__getattr__`` below)."""
    for cls in found.values():
        cls.__qualname__ = cls.__name__
    return found


@functools.cache
def classes() -> dict[str, type]:
    """Name → nn.Module class; imports torch on the first call."""
    torch = import_torch()
    from torch import nn  # a module, not a variable: mypy takes its classes as bases

    class BookDropout(nn.Module):
        """The book's Dropout (``bprop.layers.Dropout(p, scale_at="test")``), which scales at inference.

        Training: y = x·mask, mask = u ≥ p with u uniform in [0, 1) (no 1/(1 − p) scale).
        Inference (``eval()``): y = x·(1 − p). torch's nn.Dropout is the inverted form:
        y = x·mask/(1 − p) in training, y = x at inference. Both keep E[y] the same.
        """

        def __init__(self, p=0.5):
            super().__init__()
            self.p = float(p)

        def forward(self, x):
            if self.training:
                return x * (torch.rand_like(x) >= self.p)
            return x * (1 - self.p)

        def extra_repr(self):
            return f"p={self.p}"

    class LanguageModel(nn.Module):
        """Book 2's language models: embedding, recurrent layers (and dropouts), an output Linear.

        forward(xs, state=None, *, return_state=False): xs (N, T) ids → scores (N, T, V).
        The recurrent layers start from ``state`` (one entry per nn.RNN/nn.LSTM, as
        torch returns them) or zeros: bprop's model after ``reset_state()``. bprop's
        models are stateful, carrying the last state into the next call; here the
        state is explicit: ``return_state=True`` gives (scores, state) to pass on.
        """

        def __init__(self, named_layers, tied: bool):
            super().__init__()
            self.names = [name for name, _ in named_layers]
            for name, layer in named_layers:
                self.add_module(name, layer)
            if tied:  # BetterRnnlm's output weights are the embedding's (bprop: affine.W = embed.W.T)
                by_name = dict(named_layers)  # the modules just added, typed as theirs (self.affine is Tensor | Module)
                by_name["affine"].weight = by_name["embed"].weight

        def forward(self, xs, state=None, *, return_state=False):
            h = xs
            states: list[Any] = []  # one per recurrent layer: a Tensor (nn.RNN) or (h, c) (nn.LSTM)
            for name in self.names:
                layer = getattr(self, name)
                if isinstance(layer, nn.RNNBase):
                    h, s = layer(h, None if state is None else state[len(states)])
                    states.append(s)
                else:
                    h = layer(h)
            return (h, states) if return_state else h

    class Seq2seq(nn.Module):
        """Book 2's Seq2seq (§7.3), or with ``peeky=True`` PeekySeq2seq (§7.4.2).

        encode(xs) → h (N, H), the encoder's last state (from zeros). decode(ids, h, state=None)
        → (scores (N, T, V), state): the decoder LSTM starts from (h, 0) as bprop's
        ``set_state(h)``; peeky feeds [h, embedding] to the LSTM and [h, output] to the
        Linear at every step. forward(xs, ts_in) → the teacher-forced scores, bprop's
        ``decode(ts[:, :-1], encode(xs))``. generate(xs, start_id, sample_size) → (N, sample_size) ids, greedy.
        """

        def __init__(self, vocab_size, wordvec_size, hidden_size, peeky=False):
            super().__init__()
            V, D, H = vocab_size, wordvec_size, hidden_size
            self.peeky = bool(peeky)
            self.enc_embed, self.enc_lstm = nn.Embedding(V, D), nn.LSTM(D, H, batch_first=True)
            self.dec_embed = nn.Embedding(V, D)
            self.dec_lstm = nn.LSTM(D + H if peeky else D, H, batch_first=True)
            self.dec_affine = nn.Linear(2 * H if peeky else H, V)

        def encode(self, xs):
            hs, _ = self.enc_lstm(self.enc_embed(xs))
            return hs[:, -1]

        def decode(self, ids, h, state=None):
            if state is None:
                state = (h[None], torch.zeros_like(h)[None])
            x = self.dec_embed(ids)
            if not self.peeky:
                out, state = self.dec_lstm(x, state)
                return self.dec_affine(out), state
            hs = h[:, None].expand(-1, ids.shape[1], -1)
            out, state = self.dec_lstm(torch.cat([hs, x], dim=2), state)
            return self.dec_affine(torch.cat([hs, out], dim=2)), state

        def forward(self, xs, ts_in):
            return self.decode(ts_in, self.encode(xs))[0]

        @torch.no_grad()
        def generate(self, xs, start_id, sample_size):
            return _greedy(self, xs, start_id, sample_size)

    class AttentionSeq2seq(nn.Module):
        """Book 2's AttentionSeq2seq (§8.2): the decoder attends to every encoder state.

        encode(xs) → hs (N, S, H). decode(ids, hs, state=None) → (scores, state): the
        decoder LSTM starts from (hs[:, -1], 0); per step, weights a = softmax(hs·h_dec)
        over the S encoder steps, context c = Σ a·hs, scores = Linear([c, h_dec]).
        forward(xs, ts_in) and generate as Seq2seq's.
        """

        def __init__(self, vocab_size, wordvec_size, hidden_size):
            super().__init__()
            V, D, H = vocab_size, wordvec_size, hidden_size
            self.enc_embed, self.enc_lstm = nn.Embedding(V, D), nn.LSTM(D, H, batch_first=True)
            self.dec_embed, self.dec_lstm = nn.Embedding(V, D), nn.LSTM(D, H, batch_first=True)
            self.dec_affine = nn.Linear(2 * H, V)

        def encode(self, xs):
            return self.enc_lstm(self.enc_embed(xs))[0]

        def decode(self, ids, enc_hs, state=None):
            if state is None:
                state = (enc_hs[:, -1][None], torch.zeros_like(enc_hs[:, -1])[None])
            dec_hs, state = self.dec_lstm(self.dec_embed(ids), state)
            weights = torch.softmax(dec_hs @ enc_hs.transpose(1, 2), dim=2)  # (N, T, S)
            return self.dec_affine(torch.cat([weights @ enc_hs, dec_hs], dim=2)), state

        def forward(self, xs, ts_in):
            return self.decode(ts_in, self.encode(xs))[0]

        @torch.no_grad()
        def generate(self, xs, start_id, sample_size):
            return _greedy(self, xs, start_id, sample_size)

    def _greedy(model, xs, start_id, sample_size):
        """(N, sample_size) ids: at each step the most likely next id, fed back in (bprop's ``generate``)."""
        encoded = model.encode(xs)
        ids = torch.full((xs.shape[0], 1), int(start_id), dtype=torch.long, device=xs.device)
        out, state = [], None
        for _ in range(int(sample_size)):
            scores, state = model.decode(ids, encoded, state)
            ids = scores.argmax(dim=2)
            out.append(ids[:, 0])
        return torch.stack(out, dim=1)

    class SimpleCBOW(nn.Module):
        """Book 2's SimpleCBOW (§3.2): forward(contexts (N, 2, V) one-hot) → scores (N, V).

        scores = ((c₀·W_in + c₁·W_in)/2)·W_out: in_layer is Linear(V, H) without bias
        (weight W_inᵀ), shared by both context words; out_layer Linear(H, V) (weight W_outᵀ).
        bprop's loss is the softmax cross-entropy of these scores (torch's ``cross_entropy``).
        """

        def __init__(self, vocab_size, hidden_size):
            super().__init__()
            self.in_layer = nn.Linear(vocab_size, hidden_size, bias=False)
            self.out_layer = nn.Linear(hidden_size, vocab_size, bias=False)

        def forward(self, contexts):
            contexts = contexts.to(self.in_layer.weight.dtype)
            return self.out_layer((self.in_layer(contexts[:, 0]) + self.in_layer(contexts[:, 1])) * 0.5)

    class SimpleSkipGram(nn.Module):
        """Book 2's SimpleSkipGram (§3.5): forward(target (N, V) one-hot) → scores (N, V) = target·W_in·W_out.

        bprop's loss sums the cross-entropy of these scores against each context word.
        """

        def __init__(self, vocab_size, hidden_size):
            super().__init__()
            self.in_layer = nn.Linear(vocab_size, hidden_size, bias=False)
            self.out_layer = nn.Linear(hidden_size, vocab_size, bias=False)

        def forward(self, target):
            return self.out_layer(self.in_layer(target.to(self.in_layer.weight.dtype)))

    class CBOW(nn.Module):
        """Book 2's CBOW (§4.3): forward(contexts (N, 2·window) ids) → scores (N, V) = mean(W_in[contexts])·W_outᵀ.

        in_embed holds W_in, out_embed W_out (both (V, H)). Negative sampling scores
        σ(score) of the target and of a few sampled words: ``scores.gather(1, ids)``.
        """

        def __init__(self, vocab_size, hidden_size):
            super().__init__()
            self.in_embed, self.out_embed = nn.Embedding(vocab_size, hidden_size), nn.Embedding(vocab_size, hidden_size)

        def forward(self, contexts):
            return self.in_embed(contexts).mean(dim=1) @ self.out_embed.weight.T

    class SkipGram(CBOW):
        """Book 2's SkipGram (§4.3): forward(target (N,) ids) → scores (N, V) = W_in[target]·W_outᵀ."""

        def forward(self, target):
            return self.in_embed(target) @ self.out_embed.weight.T

    return picklable({c.__name__: c for c in (BookDropout, LanguageModel, Seq2seq, AttentionSeq2seq, SimpleCBOW,
                                              SimpleSkipGram, CBOW, SkipGram)})


_NAMES = ("BookDropout", "LanguageModel", "Seq2seq", "AttentionSeq2seq", "SimpleCBOW", "SimpleSkipGram", "CBOW",
          "SkipGram")


def __getattr__(name):
    if name in _NAMES:
        return classes()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
