"""The Transformer's attention layers: Softmax, ScaledDotProductAttention, MultiHeadAttention.

Scaled dot-product attention ("Attention Is All You Need", eq. 1) for queries
q (…, T_q, d_k), keys k (…, T_k, d_k) and values v (…, T_k, d_v):

    S = q·kᵀ/√d_k;  A = softmax(S) over the keys (masked pairs get 0);  out = A·v

and its backward, from dout (…, T_q, d_v):

    dA = dout·vᵀ;  dv = Aᵀ·dout;  dS = A⊙(dA − Σ_keys A⊙dA);  dq = dS·k/√d_k;  dk = dSᵀ·q/√d_k

Multi-head attention projects x to Q, K, V, splits their d_model columns into
h heads of d_k = d_model/h (head i: columns i·d_k … (i+1)·d_k − 1, torch's
layout), attends in every head at once (one batched matrix product over
(N, h), no loop over heads or positions), joins the heads and projects again.
The layers keep book 2's list form: ``params``/``grads`` are ParamLists, the
gradients preallocated and overwritten by each backward. The mode is
``train_flg`` (attribute or forward argument), as ``TimeDropout``'s.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from bprop._checks import float_dtype, integer, mode_flag
from bprop._kernels.nan import layers_feeding_layers
from bprop._types import Seed
from bprop.functions import _attention_mask, attention_weights, causal_mask, softmax
from bprop.init import as_generator
from bprop.layers.base import SequenceLayer
from bprop.layers.options import Option, flag, number
from bprop.layers.options import integer as integer_option
from bprop.layers.sequence import TimeDropout

__all__ = ["Softmax", "ScaledDotProductAttention", "MultiHeadAttention"]


def softmax_backward(y: np.ndarray, dy: np.ndarray, axis: int = -1) -> np.ndarray:
    """dx of y = softmax(x) along ``axis``: y⊙(dy − Σ y⊙dy). Zero where y is 0 (masked entries too)."""
    dx = y * dy
    dx = dy - dx.sum(axis=axis, keepdims=True)
    dx *= y
    return dx


def uniform(rng: np.random.Generator, shape: tuple[int, ...], bound: float, dtype: np.dtype) -> np.ndarray:
    """U(−bound, bound) of ``shape``, drawn in ``dtype`` (torch's xavier_uniform_ and Linear init are such draws)."""
    u = rng.random(shape, dtype=dtype)
    u *= 2
    u -= 1
    u *= dtype.type(bound)
    return u


def affine(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """x·W + b over the last axis of x (…, D) as one product over all rows; (…, M)."""
    out = (x.reshape(-1, x.shape[-1]) @ W).reshape(*x.shape[:-1], W.shape[1])
    out += b
    return out


def affine_backward(x: np.ndarray, dout: np.ndarray, W: np.ndarray, dW: np.ndarray, db: np.ndarray) -> np.ndarray:
    """dW = Σ xᵀ·dout and db = Σ dout over all rows, written into dW and db; returns dx = dout·Wᵀ."""
    rows = dout.reshape(-1, W.shape[1])
    np.matmul(x.reshape(-1, W.shape[0]).T, rows, out=dW)
    np.sum(rows, axis=0, out=db)
    return (rows @ W.T).reshape(x.shape)


def _axis(value: object, name: str, owner: str) -> int:
    return integer(value, name, -(2**31), owner=owner)


class Softmax(SequenceLayer):
    """Softmax along ``axis``: y = exp(x)/Σ exp(x); dx = y⊙(dout − Σ y⊙dout).

    x: any shape with the axis; y, dx: same shape and dtype. Stable at ±1000;
    infinite logits as in ``bprop.functions.softmax``. Caches y as ``out``.
    """

    options = (Option("axis", _axis),)
    repr_format = "axis={axis}"
    axis: int
    out: np.ndarray | None

    def __init__(self, axis: int = -1) -> None:
        self._set_options(axis=axis)
        self.out = None

    def forward(self, x: npt.ArrayLike, train_flg: bool | None = None) -> np.ndarray:
        x = self._input(x)
        if not -x.ndim <= self.axis < x.ndim:
            raise ValueError(f"{self._name}(axis={self.axis}) expected x with at least "
                             f"{self.axis + 1 if self.axis >= 0 else -self.axis} axes, got shape {x.shape}")
        self.out = softmax(x, axis=self.axis)
        self._out_shapes, self._out_dtype = [("dout", x.shape)], x.dtype
        return self.out

    def backward(self, dout: npt.ArrayLike) -> np.ndarray:
        (dout,) = self._douts(dout)
        return softmax_backward(self._cached(self.out), dout, self.axis)


class ScaledDotProductAttention(SequenceLayer):
    """Attention: out = A·v, A = softmax(q·kᵀ/√d_k) with masked pairs at 0 (the module docstring's math).

    forward(q, k, v, mask=None, train_flg=None) → out; backward(dout) → (dq, dk, dv).
    q (…, T_q, d_k), k (…, T_k, d_k), v (…, T_k, d_v), the same leading axes;
    out, dout (…, T_q, d_v). The mask is the constructor's ``mask`` and the
    causal mask (``causal=True``: query i sees keys j ≤ i) and forward's
    ``mask``, each boolean, True = may attend, broadcastable to (…, T_q, T_k).
    A query that may attend to nothing gets weights 0, output 0 and gradients 0
    (torch gives NaN). ``dropout`` drops attention weights in training (mode:
    ``train_flg``, as in TimeDropout), from ``rng``. ``weights``: A (…, T_q, T_k)
    before dropout, for plotting. Caches q, k, v and A.
    """

    options = (flag("causal"), number("dropout", 0.0, 1.0, open_high=True))
    causal: bool
    dropout: float
    mask: np.ndarray | None
    rng: np.random.Generator
    dropout_layer: TimeDropout | None
    train_flg: bool
    weights: np.ndarray | None
    cache: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None  # q, k, v, A, A after dropout
    _dropped: bool

    def __init__(self, mask: npt.ArrayLike | None = None, causal: bool = False, *, dropout: float = 0.0,
                 rng: Seed = None) -> None:
        self._set_options(causal=causal, dropout=dropout)
        self.mask = None if mask is None else _attention_mask(mask, np.shape(mask), self._name)
        self.rng = as_generator(rng)
        self.dropout_layer = TimeDropout(self.dropout, rng=self.rng) if self.dropout else None
        self.train_flg = True
        self.weights = None
        self.cache = None

    def forward(self, q: npt.ArrayLike, k: npt.ArrayLike, v: npt.ArrayLike, mask: npt.ArrayLike | None = None,
                train_flg: bool | None = None) -> np.ndarray:
        qa, ka, va = self._input(q, "q"), self._input(k, "k"), self._input(v, "v")
        dtype = np.result_type(qa, ka, va)
        q, k, v = (a.astype(dtype, copy=False) for a in (qa, ka, va))
        if (q.ndim < 2 or k.ndim != q.ndim or v.ndim != q.ndim or k.shape[:-2] != q.shape[:-2]
                or k.shape[-1] != q.shape[-1] or v.shape[:-1] != k.shape[:-1]):
            raise ValueError(f"{self._name} expected q (..., T_q, d_k), k (..., T_k, d_k) and v (..., T_k, d_v) "
                             f"with the same leading axes, got q {q.shape}, k {k.shape} and v {v.shape}")
        scores = (*q.shape[:-1], k.shape[-2])
        masks = [m for m in (self.mask, causal_mask(q.shape[-2], k.shape[-2]) if self.causal else None, mask)
                 if m is not None]
        for m in masks:
            _attention_mask(m, scores, self._name)
        A = attention_weights(q, k, np.logical_and.reduce(np.broadcast_arrays(*masks)) if masks else None)
        train = mode_flag(self.train_flg if train_flg is None else train_flg, self._name)
        dropout_layer = self.dropout_layer
        self._dropped = bool(dropout_layer and train)
        with layers_feeding_layers():
            A_used = dropout_layer.forward(A, train_flg=True) if dropout_layer is not None and self._dropped else A
        out = A_used @ v
        self.weights = A
        self.cache = (q, k, v, A, A_used)
        self._out_shapes, self._out_dtype = [("dout", out.shape)], out.dtype
        return out

    def backward(self, dout: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        (dout,) = self._douts(dout)
        q, k, v, A, A_used = self._cached(self.cache)
        dv = np.swapaxes(A_used, -1, -2) @ dout
        dA = dout @ np.swapaxes(v, -1, -2)
        if self._dropped and self.dropout_layer is not None:  # _dropped: forward had a dropout layer
            with layers_feeding_layers():
                dA = self.dropout_layer.backward(dA)
        dS = softmax_backward(A, dA)
        dS *= dS.dtype.type(1 / math.sqrt(q.shape[-1]))
        return dS @ k, np.swapaxes(dS, -1, -2) @ q, dv


class MultiHeadAttention(SequenceLayer):
    """Multi-head attention: out = concat(head_1 … head_h)·W_o + b_o, head_i = Attention(Q_i, K_i, V_i).

    Q = x·W_q + b_q, K = m·W_k + b_k, V = m·W_v + b_v, with m = x (self-attention,
    ``forward(x)``) or the encoder's states (cross-attention, ``forward(x, memory)``);
    Q_i, K_i, V_i their columns i·d_k … (i+1)·d_k − 1, d_k = d_model/h. backward
    runs ScaledDotProductAttention's backward in every head at once, then
    dW = Σ inputᵀ·d(projection), db = Σ d(projection); it returns dx, or
    (dx, dmemory) after a cross-attention forward. In self-attention dx sums the
    three paths through Q, K and V.

    Shapes: x, out, dout (N, T, d_model); memory (N, S, d_model); every W
    (d_model, d_model) used as x·W + b, b (d_model,); ``attention_weights``
    (N, h, T, S), kept for plotting. torch's ``nn.MultiheadAttention(batch_first=True)``
    holds the same numbers as in_proj_weight = [W_qᵀ; W_kᵀ; W_vᵀ], in_proj_bias =
    [b_q; b_k; b_v], out_proj.weight = W_oᵀ, out_proj.bias = b_o; initialised as
    it is: W_q, W_k, W_v xavier-uniform over the packed (3·d_model, d_model)
    projection, U(±√(6/(4·d_model))); W_o as its Linear, U(±1/√d_model); biases 0.

    ``causal=True`` lets position t attend to positions ≤ t only; forward's
    ``mask`` (boolean, True = may attend, broadcastable to (N, h, T, S), e.g. key
    padding as mask[:, None, None, :]) narrows it further. ``dropout`` drops
    attention weights in training (``train_flg``). Caches the inputs, Q, K, V
    (in the attention layer) and the joined heads.
    """

    param_names = ("W_q", "b_q", "W_k", "b_k", "W_v", "b_v", "W_o", "b_o")
    options = (integer_option("d_model", 1), integer_option("num_heads", 1), flag("causal"),
               number("dropout", 0.0, 1.0, open_high=True))
    d_model: int
    num_heads: int
    causal: bool
    dropout: float
    W_q: np.ndarray
    b_q: np.ndarray
    W_k: np.ndarray
    b_k: np.ndarray
    W_v: np.ndarray
    b_v: np.ndarray
    W_o: np.ndarray
    b_o: np.ndarray
    dW_q: np.ndarray
    db_q: np.ndarray
    dW_k: np.ndarray
    db_k: np.ndarray
    dW_v: np.ndarray
    db_v: np.ndarray
    dW_o: np.ndarray
    db_o: np.ndarray
    rng: np.random.Generator
    train_flg: bool
    cache: tuple[np.ndarray, np.ndarray, np.ndarray, bool] | None  # x, the keys' input m, the joined heads, cross

    def __init__(self, d_model: int, num_heads: int, *, causal: bool = False, dropout: float = 0.0,
                 rng: Seed = None, dtype: npt.DTypeLike = np.float64) -> None:
        self._set_options(d_model=d_model, num_heads=num_heads, causal=causal, dropout=dropout)
        if self.d_model % self.num_heads:
            raise ValueError(f"{self._name} expected d_model divisible by num_heads, "
                             f"got d_model={self.d_model} and num_heads={self.num_heads}")
        dtype, E = float_dtype(dtype), self.d_model
        self.rng = as_generator(rng)
        for name in ("W_q", "W_k", "W_v"):
            setattr(self, name, uniform(self.rng, (E, E), math.sqrt(6 / (4 * E)), dtype))
        self.W_o = uniform(self.rng, (E, E), 1 / math.sqrt(E), dtype)
        self.b_q, self.b_k, self.b_v, self.b_o = (np.zeros(E, dtype=dtype) for _ in range(4))
        self._zero_grads()
        self.attention = ScaledDotProductAttention(causal=causal, dropout=dropout, rng=self.rng)
        self.train_flg = True
        self.cache = None

    @property
    def attention_weights(self) -> np.ndarray | None:
        """A (N, h, T, S) of the last forward, before dropout; None before any."""
        return self.attention.weights

    def _heads(self, a: np.ndarray) -> np.ndarray:
        """(N, T, d_model) → (N, h, T, d_k)."""
        N, T, _ = a.shape
        return a.reshape(N, T, self.num_heads, -1).transpose(0, 2, 1, 3)

    @staticmethod
    def _joined(a: np.ndarray) -> np.ndarray:
        """(N, h, T, d_k) → (N, T, h·d_k)."""
        N, h, T, d_k = a.shape
        return a.transpose(0, 2, 1, 3).reshape(N, T, h * d_k)

    def forward(self, x: npt.ArrayLike, memory: npt.ArrayLike | None = None, *, mask: npt.ArrayLike | None = None,
                train_flg: bool | None = None) -> np.ndarray:
        E = self.d_model
        x = self._array(x, "x", (None, None, E), "(N, T, d_model)")
        m: np.ndarray = x if memory is None else self._array(memory, "memory", (x.shape[0], None, E), "(N, S, d_model)")
        train = mode_flag(self.train_flg if train_flg is None else train_flg, self._name)
        if mask is not None:
            mask = _attention_mask(mask, (x.shape[0], self.num_heads, x.shape[1], m.shape[1]), self._name)
        q, k, v = (self._heads(affine(a, W, b)) for a, W, b in
                   ((x, self.W_q, self.b_q), (m, self.W_k, self.b_k), (m, self.W_v, self.b_v)))
        with layers_feeding_layers():
            joined = self._joined(self.attention.forward(q, k, v, mask=mask, train_flg=train))
        out = affine(joined, self.W_o, self.b_o)
        self.cache = (x, m, joined, memory is not None)
        self._out_shapes, self._out_dtype = [("dout", out.shape)], out.dtype
        return out

    def backward(self, dout: npt.ArrayLike) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """dx, or (dx, dmemory) after a cross-attention forward."""
        (dout,) = self._douts(dout)
        x, m, joined, cross = self._cached(self.cache)
        djoined = affine_backward(joined, dout, self.W_o, self.dW_o, self.db_o)
        with layers_feeding_layers():
            dq, dk, dv = self.attention.backward(self._heads(djoined))
        dx = affine_backward(x, self._joined(dq), self.W_q, self.dW_q, self.db_q)
        dm = affine_backward(m, self._joined(dk), self.W_k, self.dW_k, self.db_k)
        dm += affine_backward(m, self._joined(dv), self.W_v, self.dW_v, self.db_v)
        if cross:
            return dx, dm
        dx += dm
        return dx
