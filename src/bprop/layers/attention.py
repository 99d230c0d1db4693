"""Book 2's attention layers (chapter 8): WeightSum, AttentionWeight, Attention, TimeAttention.

The encoder's states hs (N, T, H) and a decoder state h (N, H):
scores s_t = hs_t·h; weights a = softmax_t(s) (N, T); context c = Σ_t a_t·hs_t
(N, H). AttentionWeight computes a, WeightSum computes c, Attention both.
TimeAttention does it for every decoder step at once: (N, T_dec, H) states
against (N, T_enc, H) encoder states, as two batched matrix products and one
softmax (the book loops over the decoder's steps). None has parameters.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from bprop.functions import softmax
from bprop.layers.base import SequenceLayer

__all__ = ["WeightSum", "AttentionWeight", "Attention", "TimeAttention"]


def _softmax_backward(a: np.ndarray, da: np.ndarray, axis: int = -1) -> np.ndarray:
    """ds of s ↦ a = softmax(s): a⊙(da − Σ a⊙da)."""
    return a * (da - (a * da).sum(axis=axis, keepdims=True))


class WeightSum(SequenceLayer):
    """WeightSum (book 2 §8.1): c = Σ_t a_t·hs_t.

    backward(dc): dhs_t = a_t·dc; da_t = hs_t·dc; returns (dhs, da).
    hs (N, T, H); a (N, T); c, dc (N, H). Caches hs and a.
    """

    cache: tuple[np.ndarray, np.ndarray]  # hs, a; set by forward

    def forward(self, hs: npt.ArrayLike, a: npt.ArrayLike) -> np.ndarray:
        hs = self._array(hs, "hs", (None, None, None), "(N, T, H)")
        a = self._array(a, "a", hs.shape[:2], "(N, T)")
        c = np.einsum("nt,nth->nh", a, hs)
        self.cache = (hs, a)
        self._out_shapes, self._out_dtype = [("dc", c.shape)], c.dtype
        return c

    def backward(self, dc: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        (dc,) = self._douts(dc)
        hs, a = self.cache
        return a[:, :, None] * dc[:, None, :], np.einsum("nth,nh->nt", hs, dc)


class AttentionWeight(SequenceLayer):
    """AttentionWeight (book 2 §8.1): a = softmax_t(hs_t·h).

    backward(da): ds = a⊙(da − Σ_t a⊙da); dhs_t = ds_t·h; dh = Σ_t ds_t·hs_t;
    returns (dhs, dh). hs (N, T, H); h (N, H); a, da (N, T). Caches hs, h, a.
    """

    cache: tuple[np.ndarray, np.ndarray, np.ndarray]  # hs, h, a; set by forward

    def forward(self, hs: npt.ArrayLike, h: npt.ArrayLike) -> np.ndarray:
        hs = self._array(hs, "hs", (None, None, None), "(N, T, H)")
        h = self._array(h, "h", (hs.shape[0], hs.shape[2]), "(N, H)")
        a = softmax(np.einsum("nth,nh->nt", hs, h), axis=1)
        self.cache = (hs, h, a)
        self._out_shapes, self._out_dtype = [("da", a.shape)], a.dtype
        return a

    def backward(self, da: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        (da,) = self._douts(da)
        hs, h, a = self.cache
        ds = _softmax_backward(a, da, axis=1)
        return ds[:, :, None] * h[:, None, :], np.einsum("nt,nth->nh", ds, hs)


class Attention(SequenceLayer):
    """Attention (book 2 §8.1): c = WeightSum(hs, AttentionWeight(hs, h)).

    backward(dc): (dhs, dh) with dhs the sum of both paths. hs (N, T, H);
    h, c, dc (N, H). ``attention_weight`` keeps a (N, T), as in the book.
    """

    attention_weight: np.ndarray | None

    def __init__(self) -> None:
        self.attention_weight_layer = AttentionWeight()
        self.weight_sum_layer = WeightSum()
        self.attention_weight = None

    def forward(self, hs: npt.ArrayLike, h: npt.ArrayLike) -> np.ndarray:
        a = self.attention_weight_layer.forward(hs, h)
        self.attention_weight = a
        c = self.weight_sum_layer.forward(hs, a)
        self._out_shapes, self._out_dtype = [("dc", c.shape)], c.dtype
        return c

    def backward(self, dc: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        (dc,) = self._douts(dc)
        dhs_sum, da = self.weight_sum_layer.backward(dc)
        dhs_weight, dh = self.attention_weight_layer.backward(da)
        return dhs_sum + dhs_weight, dh


class TimeAttention(SequenceLayer):
    """Attention for every decoder step (book 2 §8.2): c_j = Σ_t a_jt·hs_enc_t, a_j = softmax_t(hs_enc_t·hs_dec_j).

    As matrices per sequence: S = hs_dec·hs_encᵀ (T_dec, T_enc); A = softmax
    over T_enc; C = A·hs_enc. backward(dout = dC): dA = dC·hs_encᵀ;
    dS = A⊙(dA − Σ A⊙dA); dhs_enc = Aᵀ·dC + dSᵀ·hs_dec; dhs_dec = dS·hs_enc;
    returns (dhs_enc, dhs_dec). hs_enc (N, T_enc, H); hs_dec, out, dout
    (N, T_dec, H). ``attention_weights``: the book's list of the T_dec weight
    arrays (N, T_enc); ``weights`` the (N, T_dec, T_enc) array. Caches both
    inputs and A.
    """

    weights: np.ndarray | None
    cache: tuple[np.ndarray, np.ndarray, np.ndarray]  # hs_enc, hs_dec, A; set by forward

    def __init__(self) -> None:
        self.weights = None

    @property
    def attention_weights(self) -> list[np.ndarray]:
        return [] if self.weights is None else [self.weights[:, j] for j in range(self.weights.shape[1])]

    def forward(self, hs_enc: npt.ArrayLike, hs_dec: npt.ArrayLike) -> np.ndarray:
        hs_enc = self._array(hs_enc, "hs_enc", (None, None, None), "(N, T_enc, H)")
        hs_dec = self._array(hs_dec, "hs_dec", (hs_enc.shape[0], None, hs_enc.shape[2]), "(N, T_dec, H)")
        A = softmax(hs_dec @ hs_enc.transpose(0, 2, 1), axis=2)
        out = A @ hs_enc
        self.weights = A
        self.cache = (hs_enc, hs_dec, A)
        self._out_shapes, self._out_dtype = [("dout", out.shape)], out.dtype
        return out

    def backward(self, dout: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        (dout,) = self._douts(dout)
        hs_enc, hs_dec, A = self.cache
        dS = _softmax_backward(A, dout @ hs_enc.transpose(0, 2, 1), axis=2)
        dhs_enc = A.transpose(0, 2, 1) @ dout + dS.transpose(0, 2, 1) @ hs_dec
        return dhs_enc, dS @ hs_enc
