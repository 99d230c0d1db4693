"""Book 2's sequence-to-sequence models (chapters 7–8): Seq2seq, PeekySeq2seq, AttentionSeq2seq.

forward(xs, ts) → loss, with xs (N, T_in) the question's ids and ts (N, T_out)
the answer's, starting with its start symbol ('_' in the book's data): the
decoder reads ts[:, :-1] and is scored on ts[:, 1:] (teacher forcing).
backward(dout=1); generate(xs, start_id, sample_size) → (N, sample_size) ids,
greedy (the most likely id at each step).

- Seq2seq (§7.3): an LSTM encoder whose last h starts an LSTM decoder.
- PeekySeq2seq (§7.4.2): the encoder's h also enters every decoder step, beside
  the embedding and beside the LSTM's output.
- AttentionSeq2seq (§8.2): the decoder attends to all encoder states; its Affine
  reads [context, h] of each step.

Weights as in book 2 (embeddings 0.01·N(0, 1), the rest Xavier, biases 0).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import DTypeLike

from bprop._types import Seed
from bprop.init import as_generator
from bprop.layers import TimeAffine, TimeAttention, TimeEmbedding, TimeLSTM, TimeSoftmaxWithLoss
from bprop.nets.sequence_model import SequenceModel

__all__ = ["Seq2seq", "PeekySeq2seq", "AttentionSeq2seq"]


def _lstm(rng, dtype, n_in, H, stateful):
    return TimeLSTM((rng.standard_normal((n_in, 4 * H)) / np.sqrt(n_in)).astype(dtype),
                    (rng.standard_normal((H, 4 * H)) / np.sqrt(H)).astype(dtype), np.zeros(4 * H, dtype),
                    stateful=stateful)


def _affine(rng, dtype, n_in, V):
    return TimeAffine((rng.standard_normal((n_in, V)) / np.sqrt(n_in)).astype(dtype), np.zeros(V, dtype))


def _embed(rng, dtype, V, D):
    return TimeEmbedding((0.01 * rng.standard_normal((V, D))).astype(dtype))


class _Seq2seqBase(SequenceModel):
    """Shared: teacher forcing, the loss, greedy generation; subclasses give encode, decode and their backward."""

    if TYPE_CHECKING:  # what every subclass defines
        loss_layer: TimeSoftmaxWithLoss

        def encode(self, xs: np.ndarray) -> np.ndarray: ...
        def encode_backward(self, dh: np.ndarray) -> None: ...
        def decode(self, xs: np.ndarray, h: np.ndarray) -> np.ndarray: ...
        def decode_backward(self, dscore: np.ndarray) -> np.ndarray: ...
        def _start_generation(self, encoded: np.ndarray) -> None: ...
        def _step(self, ids: np.ndarray, encoded: np.ndarray) -> np.ndarray: ...

    def forward(self, xs: np.ndarray, ts: np.ndarray) -> float:
        ts = np.asarray(ts)
        if ts.ndim != 2 or ts.shape[1] < 2:
            raise ValueError(f"{type(self).__name__} expected ts of shape (N, T) with T >= 2 (the start symbol and "
                             f"at least one answer id), got {ts.shape}")
        encoded = self.encode(xs)
        score = self.decode(ts[:, :-1], encoded)
        return self.loss_layer.forward(score, ts[:, 1:])

    def backward(self, dout: float = 1) -> None:
        self.encode_backward(self.decode_backward(self.loss_layer.backward(dout)))

    def generate(self, xs: np.ndarray, start_id: int, sample_size: int) -> np.ndarray:
        """(N, sample_size) ids, each the decoder's most likely next id given the ones before."""
        encoded = self.encode(xs)
        ids = np.full((len(np.asarray(xs)), 1), int(start_id))
        out = []
        self._start_generation(encoded)
        for _ in range(int(sample_size)):
            ids = self._step(ids, encoded).argmax(axis=2)
            out.append(ids[:, 0])
        return np.stack(out, axis=1)


class Seq2seq(_Seq2seqBase):
    """Encoder TimeEmbedding → TimeLSTM (its last h) → decoder TimeEmbedding → TimeLSTM (from h) → TimeAffine."""

    def __init__(self, vocab_size: int, wordvec_size: int, hidden_size: int, *, dtype: DTypeLike = np.float32,
                 rng: Seed = None) -> None:
        rng = as_generator(rng)
        V, D, H = vocab_size, wordvec_size, hidden_size
        self.enc_embed, self.enc_lstm = _embed(rng, dtype, V, D), _lstm(rng, dtype, D, H, stateful=False)
        self.dec_embed, self.dec_lstm = _embed(rng, dtype, V, D), _lstm(rng, dtype, self._decoder_input(D, H), H,
                                                                        stateful=True)
        self.dec_affine = _affine(rng, dtype, self._affine_input(H), V)
        self.loss_layer = TimeSoftmaxWithLoss()
        self._gather([("enc_embed", self.enc_embed), ("enc_lstm", self.enc_lstm), ("dec_embed", self.dec_embed),
                      ("dec_lstm", self.dec_lstm), ("dec_affine", self.dec_affine)],
                     {"vocab_size": V, "wordvec_size": D, "hidden_size": H})

    @staticmethod
    def _decoder_input(D, H):
        return D

    @staticmethod
    def _affine_input(H):
        return H

    def encode(self, xs: np.ndarray) -> np.ndarray:
        self._enc_hs = self.enc_lstm.forward(self.enc_embed.forward(xs))
        return self._enc_hs[:, -1]

    def encode_backward(self, dh: np.ndarray) -> None:
        dhs = np.zeros_like(self._enc_hs)
        dhs[:, -1] = dh
        self.enc_embed.backward(self.enc_lstm.backward(dhs))

    def decode(self, xs: np.ndarray, h: np.ndarray) -> np.ndarray:
        self.dec_lstm.set_state(h)
        return self.dec_affine.forward(self.dec_lstm.forward(self.dec_embed.forward(xs)))

    def decode_backward(self, dscore: np.ndarray) -> np.ndarray:
        self.dec_embed.backward(self.dec_lstm.backward(self.dec_affine.backward(dscore)))
        return self.dec_lstm.dh

    def _start_generation(self, h):
        self.dec_lstm.set_state(h)

    def _step(self, ids, h):
        return self.dec_affine.forward(self.dec_lstm.forward(self.dec_embed.forward(ids)))


class PeekySeq2seq(Seq2seq):
    """Seq2seq whose decoder sees the encoder's h at every step: LSTM input [embedding, h], Affine input [h_dec, h]."""

    @staticmethod
    def _decoder_input(D, H):
        return D + H

    @staticmethod
    def _affine_input(H):
        return 2 * H

    def decode(self, xs: np.ndarray, h: np.ndarray) -> np.ndarray:
        self.dec_lstm.set_state(h)
        return self._peek(xs, h)

    def _peek(self, xs, h):
        embedded = self.dec_embed.forward(xs)
        T = embedded.shape[1]
        hs = np.repeat(h[:, None, :], T, axis=1)
        out = self.dec_lstm.forward(np.concatenate([hs, embedded], axis=2))
        return self.dec_affine.forward(np.concatenate([hs, out], axis=2))

    def decode_backward(self, dscore: np.ndarray) -> np.ndarray:
        H = self.dec_lstm.hidden_size
        dout = self.dec_affine.backward(dscore)
        dh_affine, dout = dout[:, :, :H], dout[:, :, H:]
        dx = self.dec_lstm.backward(dout)
        dh_lstm, dembed = dx[:, :, :H], dx[:, :, H:]
        self.dec_embed.backward(dembed)
        return self.dec_lstm.dh + dh_affine.sum(axis=1) + dh_lstm.sum(axis=1)

    def _step(self, ids, h):
        return self._peek(ids, h)


class AttentionSeq2seq(_Seq2seqBase):
    """Encoder TimeEmbedding → TimeLSTM (all hs); decoder TimeEmbedding → TimeLSTM → TimeAttention → TimeAffine([c, h])."""

    def __init__(self, vocab_size: int, wordvec_size: int, hidden_size: int, *, dtype: DTypeLike = np.float32,
                 rng: Seed = None) -> None:
        rng = as_generator(rng)
        V, D, H = vocab_size, wordvec_size, hidden_size
        self.enc_embed, self.enc_lstm = _embed(rng, dtype, V, D), _lstm(rng, dtype, D, H, stateful=False)
        self.dec_embed, self.dec_lstm = _embed(rng, dtype, V, D), _lstm(rng, dtype, D, H, stateful=True)
        self.attention = TimeAttention()
        self.dec_affine = _affine(rng, dtype, 2 * H, V)
        self.loss_layer = TimeSoftmaxWithLoss()
        self._gather([("enc_embed", self.enc_embed), ("enc_lstm", self.enc_lstm), ("dec_embed", self.dec_embed),
                      ("dec_lstm", self.dec_lstm), ("dec_affine", self.dec_affine)],
                     {"vocab_size": V, "wordvec_size": D, "hidden_size": H})

    def encode(self, xs: np.ndarray) -> np.ndarray:
        self._enc_hs = self.enc_lstm.forward(self.enc_embed.forward(xs))
        return self._enc_hs

    def encode_backward(self, dhs: np.ndarray) -> None:
        self.enc_embed.backward(self.enc_lstm.backward(dhs))

    def decode(self, xs: np.ndarray, enc_hs: np.ndarray) -> np.ndarray:
        self.dec_lstm.set_state(enc_hs[:, -1])
        return self._attend(xs, enc_hs)

    def _attend(self, xs, enc_hs):
        dec_hs = self.dec_lstm.forward(self.dec_embed.forward(xs))
        c = self.attention.forward(enc_hs, dec_hs)
        return self.dec_affine.forward(np.concatenate([c, dec_hs], axis=2))

    def decode_backward(self, dscore: np.ndarray) -> np.ndarray:
        H = self.dec_lstm.hidden_size
        dout = self.dec_affine.backward(dscore)
        dc, ddec_hs = dout[:, :, :H], dout[:, :, H:]
        denc_hs, ddec = self.attention.backward(dc)
        self.dec_embed.backward(self.dec_lstm.backward(ddec_hs + ddec))
        denc_hs = denc_hs.copy()
        denc_hs[:, -1] += self.dec_lstm.dh
        return denc_hs

    def _start_generation(self, enc_hs):
        self.dec_lstm.set_state(enc_hs[:, -1])
        self.generation_weights: list[np.ndarray] = []

    def _step(self, ids, enc_hs):
        score = self._attend(ids, enc_hs)
        self.generation_weights.append(np.asarray(self.attention.weights)[:, 0])  # (N, T_enc): where this step looked
        return score

    def attention_map(self) -> np.ndarray:
        """The last ``generate``'s attention weights, (N, answer steps, question steps): each row sums to 1."""
        return np.stack(self.generation_weights, axis=1)
