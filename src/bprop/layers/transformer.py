"""The Transformer's other layers: positions, the feed-forward net, and the pre-LN encoder and decoder blocks.

Sequences are (N, T, d_model). PositionalEncoding (fixed) and PositionEmbedding
(learned) add a vector per position; FeedForward is Affine–GELU–Affine on every
position; TransformerBlock and TransformerDecoderBlock are the pre-LN blocks
(Xiong et al. 2020; torch's ``norm_first=True``), each sublayer's output added
to its input:

    encoder:  h = x + Dropout(MHA(LN1(x)));  out = h + Dropout(FFN(LN2(h)))
    decoder:  h1 = x + Dropout(causal MHA(LN1(x)));  h2 = h1 + Dropout(MHA(LN2(h1), memory));
              out = h2 + Dropout(FFN(LN3(h2)))

and backward runs them in reverse, the residual adding dout to each sublayer's
dx. Parameters are in book 2's list form; a block's ``params``/``grads`` gather
its sublayers' as ``part.name`` (``attn.W_q``, ``ffn.W1``, ``ln1.gamma`` …),
which are also attributes (``block.attn.W_q``, or ``getattr(block, "attn.W_q")``).
The mode is ``train_flg``, a forward argument or an attribute, as TimeDropout's.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import overload

import numpy as np
import numpy.typing as npt

from bprop import _checks
from bprop._checks import float_dtype, mode_flag
from bprop._kernels.nan import layers_feeding_layers
from bprop._types import Seed
from bprop.init import as_generator
from bprop.layers.activation import Gelu, Relu
from bprop.layers.base import ParamList, SequenceLayer
from bprop.layers.multihead import MultiHeadAttention, affine, affine_backward, uniform
from bprop.layers.norm import LayerNorm
from bprop.layers.options import choice, flag, integer, number
from bprop.layers.sequence import TimeDropout

__all__ = ["PositionalEncoding", "PositionEmbedding", "FeedForward", "TransformerBlock", "TransformerDecoderBlock"]


class _Positions(SequenceLayer):
    """Shared: x (N, T, d_model) with T ≤ max_len; out = x + P[:T]; dx = dout."""

    def _sequence(self, x: npt.ArrayLike, max_len: int, d_model: int) -> np.ndarray:
        x = self._array(x, "x", (None, None, d_model), "(N, T, d_model)")
        if x.shape[1] > max_len:
            raise ValueError(f"{self._name} holds {max_len} positions, got a sequence of T = {x.shape[1]} "
                             f"(x of shape {x.shape})")
        self._out_shapes, self._out_dtype = [("dout", x.shape)], x.dtype
        return x


class PositionalEncoding(_Positions):
    """Sinusoidal positions ("Attention Is All You Need" §3.5): out = x + PE[:T]; dx = dout.

    PE[t, 2i] = sin(t/10000^{2i/d_model}), PE[t, 2i+1] = cos(t/10000^{2i/d_model}).
    No parameters. x, out, dout, dx (N, T, d_model), T ≤ max_len; ``pe``
    (max_len, d_model), float64, added in x's dtype. Caches nothing.
    """

    options = (integer("max_len", 1), integer("d_model", 1))
    max_len: int
    d_model: int
    pe: np.ndarray

    def __init__(self, max_len: int, d_model: int) -> None:
        self._set_options(max_len=max_len, d_model=d_model)
        angle = np.arange(self.max_len)[:, None] / 10000.0 ** (np.arange(0, self.d_model, 2) / self.d_model)
        self.pe = np.empty((self.max_len, self.d_model))
        self.pe[:, 0::2] = np.sin(angle)
        self.pe[:, 1::2] = np.cos(angle[:, : self.d_model // 2])

    def forward(self, x: npt.ArrayLike, train_flg: bool | None = None) -> np.ndarray:
        x = self._sequence(x, self.max_len, self.d_model)
        return x + self.pe[: x.shape[1]].astype(x.dtype, copy=False)

    def backward(self, dout: npt.ArrayLike) -> np.ndarray:
        return self._douts(dout)[0].copy()


class PositionEmbedding(_Positions):
    """Learned positions (BERT's, GPT's): out = x + W[:T]; dx = dout; dW[t] = Σ_n dout[n, t] (0 past T).

    W (max_len, d_model) ~ N(0, 0.02²) from ``rng``, as GPT-2; x, out, dout, dx
    (N, T, d_model), T ≤ max_len. Caches T.
    """

    param_names = ("W",)
    dims = {"W": ("max_len", "d_model")}
    W: np.ndarray
    dW: np.ndarray
    _T: int | None

    def __init__(self, max_len: int, d_model: int, *, rng: Seed = None,
                 dtype: npt.DTypeLike = np.float64) -> None:
        max_len = _checks.integer(max_len, "max_len", 1, owner=self._name)
        d_model = _checks.integer(d_model, "d_model", 1, owner=self._name)
        self.W = as_generator(rng).standard_normal((max_len, d_model), dtype=float_dtype(dtype))
        self.W *= self.W.dtype.type(0.02)
        self._zero_grads()
        self._T = None

    def forward(self, x: npt.ArrayLike, train_flg: bool | None = None) -> np.ndarray:
        x = self._sequence(x, *self.W.shape)
        self._T = x.shape[1]
        return x + self.W[: self._T]

    def backward(self, dout: npt.ArrayLike) -> np.ndarray:
        (dout,) = self._douts(dout)
        T = self._cached(self._T)
        np.sum(dout, axis=0, out=self.dW[:T])
        self.dW[T:] = 0
        return dout.copy()


_ACTIVATIONS: dict[str, Callable[[], Gelu | Relu]] = {"gelu": lambda: Gelu(exact=True), "gelu_tanh": Gelu, "relu": Relu}


class FeedForward(SequenceLayer):
    """The position-wise feed-forward net: out = act(x·W1 + b1)·W2 + b2, the same at every position.

    backward: dh = dout·W2ᵀ, dW2 = Σ hᵀ·dout, db2 = Σ dout; da = act'(·)⊙dh;
    dx = da·W1ᵀ, dW1 = Σ xᵀ·da, db1 = Σ da (sums over all N·T rows).
    ``activation``: "gelu" (exact, x·Φ(x): torch's ``activation="gelu"``),
    "gelu_tanh" or "relu" (NumPy has no erf: the exact GELU's series costs about
    ten times the tanh form's passes). ``dropout`` drops h = act(…) in training, as torch's
    TransformerEncoderLayer does. x, out (N, T, d_model); W1 (d_model, d_ff), b1
    (d_ff,), W2 (d_ff, d_model), b2 (d_model,), initialised as torch's Linear:
    U(±1/√fan_in) for weights and biases. Caches x and h.
    """

    param_names = ("W1", "b1", "W2", "b2")
    options = (integer("d_model", 1), integer("d_ff", 1), number("dropout", 0.0, 1.0, open_high=True),
               choice("activation", {"gelu": "exact", "gelu_tanh": "tanh approximation", "relu": None}))

    d_model: int
    d_ff: int
    dropout: float
    activation: str
    W1: np.ndarray
    b1: np.ndarray
    W2: np.ndarray
    b2: np.ndarray
    dW1: np.ndarray
    db1: np.ndarray
    dW2: np.ndarray
    db2: np.ndarray
    rng: np.random.Generator
    act: Gelu | Relu
    drop: TimeDropout | None
    train_flg: bool
    cache: tuple[np.ndarray, np.ndarray] | None  # x and h

    def __init__(self, d_model: int, d_ff: int, *, activation: str = "gelu", dropout: float = 0.0,
                 rng: Seed = None, dtype: npt.DTypeLike = np.float64) -> None:
        self._set_options(d_model=d_model, d_ff=d_ff, dropout=dropout, activation=activation)
        dtype, self.rng = float_dtype(dtype), as_generator(rng)
        for W, b, n_in, n_out in (("W1", "b1", self.d_model, self.d_ff), ("W2", "b2", self.d_ff, self.d_model)):
            setattr(self, W, uniform(self.rng, (n_in, n_out), 1 / math.sqrt(n_in), dtype))
            setattr(self, b, uniform(self.rng, (n_out,), 1 / math.sqrt(n_in), dtype))
        self._zero_grads()
        self.act = _ACTIVATIONS[self.activation]()
        self.drop = TimeDropout(self.dropout, rng=self.rng) if self.dropout else None
        self.train_flg = True
        self.cache = None

    def forward(self, x: npt.ArrayLike, train_flg: bool | None = None) -> np.ndarray:
        x = self._array(x, "x", (None, None, self.d_model), "(N, T, d_model)")
        train = mode_flag(self.train_flg if train_flg is None else train_flg, self._name)
        with layers_feeding_layers():
            h = self.act.forward(affine(x, self.W1, self.b1))
            h = self.drop.forward(h, train_flg=train) if self.drop else h
        out = affine(h, self.W2, self.b2)
        self.cache = (x, h)
        self._out_shapes, self._out_dtype = [("dout", out.shape)], out.dtype
        return out

    def backward(self, dout: npt.ArrayLike) -> np.ndarray:
        (dout,) = self._douts(dout)
        x, h = self._cached(self.cache)
        dh = affine_backward(h, dout, self.W2, self.dW2, self.db2)
        with layers_feeding_layers():
            dh = self.drop.backward(dh) if self.drop else dh
            da = self.act.backward(dh)
        return affine_backward(x, da, self.W1, self.dW1, self.db1)


class _Block(SequenceLayer):
    """Shared by the blocks: sublayers named in ``parts``, their params as one ParamList, residual dropout."""

    parts: tuple[str, ...] = ()
    d_model: int
    num_heads: int
    d_ff: int
    dropout: float
    eps: float
    activation: str
    rng: np.random.Generator
    ffn: FeedForward
    drops: list[TimeDropout | None]
    train_flg: bool

    def _build(self, d_model: int, num_heads: int, d_ff: int, dropout: float,
               rng: Seed, dtype: npt.DTypeLike, eps: float, activation: str,
               attention: dict[str, bool]) -> None:
        """The LayerNorms ln1, ln2 …, the attentions (name → causal), the FFN and one dropout per residual."""
        self.rng, dtype = as_generator(rng), float_dtype(dtype)
        for name in self.parts:
            if name.startswith("ln"):
                setattr(self, name, LayerNorm(np.ones(d_model, dtype), np.zeros(d_model, dtype), eps=eps))
            elif name in attention:
                setattr(self, name, MultiHeadAttention(d_model, num_heads, causal=attention[name], dropout=dropout,
                                                       rng=self.rng, dtype=dtype))
        self.ffn = FeedForward(d_model, d_ff, activation=activation, dropout=dropout, rng=self.rng, dtype=dtype)
        self.drops = [TimeDropout(dropout, rng=self.rng) if dropout else None for _ in range(len(attention) + 1)]
        self.param_names = tuple(f"{part}.{name}" for part in self.parts for name in getattr(self, part).param_names)
        self.train_flg = True

    def __getattr__(self, name: str) -> np.ndarray:  # "attn.W_q" is self.attn.W_q (and "attn.dW_q" its gradient)
        part, dot, rest = name.partition(".")
        if dot and part in type(self).parts and part in self.__dict__:
            return getattr(self.__dict__[part], rest)
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    @property
    def params(self) -> ParamList:
        return ParamList(self.param_names, [p for part in self.parts for p in getattr(self, part).params])

    @property
    def grads(self) -> ParamList:
        return ParamList(self.param_names, [g for part in self.parts for g in getattr(self, part).grads])

    def _mode(self, train_flg: bool | None) -> bool:
        return mode_flag(self.train_flg if train_flg is None else train_flg, self._name)

    def _residual(self, i: int, x: np.ndarray, a: np.ndarray, train: bool) -> np.ndarray:
        """x + Dropout_i(a)."""
        drop = self.drops[i]
        return x + (drop.forward(a, train_flg=train) if drop else a)

    def _undrop(self, i: int, d: np.ndarray) -> np.ndarray:
        drop = self.drops[i]
        return drop.backward(d) if drop else d

    @overload
    def _sequences(self, x: npt.ArrayLike) -> np.ndarray: ...
    @overload
    def _sequences(self, x: npt.ArrayLike, memory: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]: ...

    def _sequences(self, x: npt.ArrayLike,
                   memory: npt.ArrayLike | None = None) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        x = self._array(x, "x", (None, None, self.d_model), "(N, T, d_model)")
        if memory is None:
            return x
        return x, self._array(memory, "memory", (x.shape[0], None, self.d_model), "(N, S, d_model)")

    def _finish(self, out: np.ndarray) -> np.ndarray:
        self._out_shapes, self._out_dtype = [("dout", out.shape)], out.dtype
        return out


_BLOCK_OPTIONS = (integer("d_model", 1), integer("num_heads", 1), integer("d_ff", 1),
                  number("dropout", 0.0, 1.0, open_high=True), number("eps", 0.0, open_low=True),
                  FeedForward.options[3])


class TransformerBlock(_Block):
    """The pre-LN encoder block: h = x + Dropout(MHA(LN1(x))); out = h + Dropout(FFN(LN2(h))).

    backward: dh = dout + LN2'(FFN'(dout)); dx = dh + LN1'(MHA'(dh)) (each ' the
    sublayer's backward, through its dropout). x, out, dout, dx (N, T, d_model).
    Sublayers ``ln1``, ``attn`` (MultiHeadAttention, ``causal`` if asked), ``ln2``,
    ``ffn`` (FeedForward), all from one ``rng``; ``dropout`` acts on attention
    weights, on h inside the FFN and on both residual branches, as in torch's
    ``nn.TransformerEncoderLayer(norm_first=True, batch_first=True)``, which holds
    the same numbers (tests/layers/test_transformer_torch.py maps them).
    forward's ``mask`` goes to the attention (see MultiHeadAttention).
    """

    parts = ("ln1", "attn", "ln2", "ffn")
    options = _BLOCK_OPTIONS[:3] + (flag("causal"),) + _BLOCK_OPTIONS[3:]
    causal: bool
    ln1: LayerNorm
    attn: MultiHeadAttention
    ln2: LayerNorm

    def __init__(self, d_model: int, num_heads: int, d_ff: int, *, causal: bool = False, dropout: float = 0.0,
                 rng: Seed = None, dtype: npt.DTypeLike = np.float64,
                 eps: float = 1e-5, activation: str = "gelu") -> None:
        self._set_options(d_model=d_model, num_heads=num_heads, d_ff=d_ff, causal=causal, dropout=dropout,
                          eps=eps, activation=activation)
        self._build(self.d_model, self.num_heads, self.d_ff, self.dropout, rng, dtype, self.eps, self.activation,
                    {"attn": self.causal})

    def forward(self, x: npt.ArrayLike, train_flg: bool | None = None, *,
                mask: npt.ArrayLike | None = None) -> np.ndarray:
        x = self._sequences(x)
        train = self._mode(train_flg)
        with layers_feeding_layers():
            h = self._residual(0, x, self.attn.forward(self.ln1.forward(x), mask=mask, train_flg=train), train)
            out = self._residual(1, h, self.ffn.forward(self.ln2.forward(h), train_flg=train), train)
        return self._finish(out)

    def backward(self, dout: npt.ArrayLike) -> np.ndarray:
        (dout,) = self._douts(dout)
        with layers_feeding_layers():
            dh = dout + self.ln2.backward(self.ffn.backward(self._undrop(1, dout)))
            return dh + self.ln1.backward(self.attn.backward(self._undrop(0, dh)))


class TransformerDecoderBlock(_Block):
    """The pre-LN decoder block: causal self-attention, cross-attention on ``memory``, FFN, each with a residual.

    h1 = x + Dropout(MHA_causal(LN1(x))); h2 = h1 + Dropout(MHA(LN2(h1), memory));
    out = h2 + Dropout(FFN(LN3(h2))), as torch's ``nn.TransformerDecoderLayer(norm_first=True)``
    with a causal tgt_mask (memory is not normalised here: the encoder's last LN does it).
    forward(x, memory) → out; backward(dout) → (dx, dmemory). x, out (N, T, d_model);
    memory (N, S, d_model). Sublayers ``ln1``, ``self_attn``, ``ln2``, ``cross_attn``,
    ``ln3``, ``ffn``; ``mask`` and ``memory_mask`` go to the two attentions.
    """

    parts = ("ln1", "self_attn", "ln2", "cross_attn", "ln3", "ffn")
    options = _BLOCK_OPTIONS
    ln1: LayerNorm
    self_attn: MultiHeadAttention
    ln2: LayerNorm
    cross_attn: MultiHeadAttention
    ln3: LayerNorm

    def __init__(self, d_model: int, num_heads: int, d_ff: int, *, dropout: float = 0.0,
                 rng: Seed = None, dtype: npt.DTypeLike = np.float64, eps: float = 1e-5,
                 activation: str = "gelu") -> None:
        self._set_options(d_model=d_model, num_heads=num_heads, d_ff=d_ff, dropout=dropout, eps=eps,
                          activation=activation)
        self._build(self.d_model, self.num_heads, self.d_ff, self.dropout, rng, dtype, self.eps, self.activation,
                    {"self_attn": True, "cross_attn": False})

    def forward(self, x: npt.ArrayLike, memory: npt.ArrayLike, train_flg: bool | None = None, *,
                mask: npt.ArrayLike | None = None, memory_mask: npt.ArrayLike | None = None) -> np.ndarray:
        x, memory = self._sequences(x, memory)
        train = self._mode(train_flg)
        with layers_feeding_layers():
            a = self.self_attn.forward(self.ln1.forward(x), mask=mask, train_flg=train)
            h1 = self._residual(0, x, a, train)
            a = self.cross_attn.forward(self.ln2.forward(h1), memory, mask=memory_mask, train_flg=train)
            h2 = self._residual(1, h1, a, train)
            out = self._residual(2, h2, self.ffn.forward(self.ln3.forward(h2), train_flg=train), train)
        return self._finish(out)

    def backward(self, dout: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        (dout,) = self._douts(dout)
        with layers_feeding_layers():
            dh2 = dout + self.ln3.backward(self.ffn.backward(self._undrop(2, dout)))
            grads = self.cross_attn.backward(self._undrop(1, dh2))
            assert isinstance(grads, tuple), "a cross-attention's backward gives (dx, dmemory)"
            dq, dmemory = grads
            dh1 = dh2 + self.ln2.backward(dq)
            dx = dh1 + self.ln1.backward(self.self_attn.backward(self._undrop(0, dh1)))
        return dx, dmemory
