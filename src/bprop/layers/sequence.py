"""Book 2's layers over sequences of T steps: MatMul, TimeEmbedding, TimeAffine, TimeSoftmaxWithLoss, TimeDropout.

Sequences are (N, T, …): N sequences of T steps. Each Time layer does all
N·T steps in one pass (a matrix product over N·T rows, one gather, one
softmax), where the book's code loops over t; the numbers are those of the
per-step layer. Parameters and gradients are in book 2's list form.
"""

from __future__ import annotations

from typing import cast

import numpy as np
import numpy.typing as npt

from bprop._checks import real
from bprop._types import Seed
from bprop.functions import log_softmax
from bprop.init import as_generator
from bprop.layers.base import SequenceLayer, as_float_array
from bprop.layers.embedding import Embedding, word_ids

__all__ = ["MatMul", "TimeEmbedding", "TimeAffine", "TimeSoftmaxWithLoss", "TimeDropout"]


class MatMul(SequenceLayer):
    """MatMul (book 2 §1.3): out = x·W, no bias.

    dx = dout·Wᵀ; dW = xᵀ·dout. W (D, M); x (N, D); out, dout (N, M). Caches x.
    """

    param_names = ("W",)
    dims = {"W": ("D", "M")}
    repr_format = "{D} → {M}"
    W: np.ndarray
    dW: np.ndarray
    x: np.ndarray | None

    def __init__(self, W: npt.ArrayLike) -> None:
        self.W = as_float_array(W, "W", self._name)
        if self.W.ndim != 2:
            raise ValueError(f"{self._name} expected W of shape (D, M), got {self.W.shape}")
        self._zero_grads()
        self.x = None

    def forward(self, x: npt.ArrayLike) -> np.ndarray:
        self.x = x = self._array(x, "x", (None, self.W.shape[0]), "(N, D)")
        out = x @ self.W
        self._out_shapes, self._out_dtype = [("dout", out.shape)], out.dtype
        return out

    def backward(self, dout: npt.ArrayLike) -> np.ndarray:
        (dout,) = self._douts(dout)
        np.matmul(self._cached(self.x).T, dout, out=self.dW)
        return dout @ self.W.T


class TimeEmbedding(Embedding):
    """Embedding of every step: xs (N, T) word ids → (N, T, H) rows of W; backward sums repeated ids.

    The same layer as Embedding (which takes ids of any shape); named as in book 2.
    """


class TimeAffine(SequenceLayer):
    """Affine of every step: out_nt = x_nt·W + b, one product over the N·T rows.

    dx = dout·Wᵀ; dW = Σ_nt x_ntᵀ·dout_nt; db = Σ_nt dout_nt. W (D, M); b (M,);
    x (N, T, D); out, dout (N, T, M). Caches x.
    """

    param_names = ("W", "b")
    dims = {"W": ("D", "M")}
    repr_format = "{D} → {M}"
    W: np.ndarray
    b: np.ndarray
    dW: np.ndarray
    db: np.ndarray
    x: np.ndarray | None

    def __init__(self, W: npt.ArrayLike, b: npt.ArrayLike) -> None:
        self.W, self.b = self._weight_and_bias(W, b, out_axis=1)
        self._zero_grads()
        self.x = None

    def forward(self, x: npt.ArrayLike) -> np.ndarray:
        self.x = x = self._array(x, "x", (None, None, self.W.shape[0]), "(N, T, D)")
        N, T, D = x.shape
        out = (x.reshape(N * T, D) @ self.W).reshape(N, T, -1)
        out += self.b
        self._out_shapes, self._out_dtype = [("dout", out.shape)], out.dtype
        return out

    def backward(self, dout: npt.ArrayLike) -> np.ndarray:
        (dout,) = self._douts(dout)
        x = self._cached(self.x)
        N, T, D = x.shape
        rows = dout.reshape(N * T, -1)
        np.matmul(x.reshape(N * T, D).T, rows, out=self.dW)
        np.sum(rows, axis=0, out=self.db)
        return (rows @ self.W.T).reshape(N, T, D)


class TimeSoftmaxWithLoss(SequenceLayer):
    """Softmax cross-entropy over every step, ignoring padding (book 2 §5.5).

    loss = −(1/K) Σ_{kept (n,t)} log softmax(x_nt)[t_nt], K = the number of kept
    labels: those other than ``ignore_label`` (−1), which add no loss and get
    zero gradient, as torch's ``cross_entropy(ignore_index=-1)``. backward(dout=1):
    dx_nt = dout·(softmax(x_nt) − onehot(t_nt))/K at kept steps, 0 elsewhere.
    With no kept label at all the loss is 0 and every gradient 0.
    xs (N, T, V); ts (N, T) integer labels in [0, V) or −1, or one-hot (N, T, V).
    Stable for logits of ±1000. Caches the softmax, the labels and the mask.
    """

    ignore_label: int
    # the softmax's exp and row sums, the labels, the mask of kept steps, xs's shape
    cache: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, tuple[int, int, int]] | None

    def __init__(self, ignore_label: int = -1) -> None:
        self.ignore_label = int(ignore_label)
        self.cache = None

    def forward(self, xs: npt.ArrayLike, ts: npt.ArrayLike) -> float:
        """The loss, a NumPy scalar of xs's dtype (annotated float: float64 is one, float32 acts as one)."""
        xs = self._array(xs, "xs", (None, None, None), "(N, T, V)")
        N, T, V = xs.shape
        t = np.asarray(ts)
        if t.shape == xs.shape:
            t = t.argmax(axis=2)  # one-hot, as the book accepts
        if t.shape != (N, T):
            raise ValueError(f"{self._name} expected ts of shape ({N}, {T}) (labels) or {xs.shape} (one-hot) "
                             f"for xs of shape {xs.shape}, got {t.shape}")
        mask = t != self.ignore_label
        labels = word_ids(np.where(mask, t, 0), V, self._name, "ts").reshape(N * T)
        mask = mask.reshape(-1)
        exp, sums, log_p_picked = _softmax_parts(xs.reshape(N * T, V), labels)
        kept = int(mask.sum())
        loss = -log_p_picked[mask].sum() / kept if kept else 0.0
        self.cache = (exp, sums, labels, mask, (N, T, V))
        self._out_shapes, self._out_dtype = [("dout", ())], xs.dtype
        return cast(float, xs.dtype.type(loss))

    def backward(self, dout: npt.ArrayLike = 1) -> np.ndarray:
        (dout,) = self._douts(dout)
        exp, sums, labels, mask, shape = self._cached(self.cache)
        dx = np.divide(exp, sums[:, None])  # softmax, from the parts forward kept
        dx[np.arange(len(labels)), labels] -= 1
        kept = int(mask.sum())
        if kept < len(mask):
            dx[~mask] = 0
        dx *= dout / kept if kept else 0
        return dx.reshape(shape)


def _softmax_parts(x: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(exp(x − max), its row sums, log softmax(x) at each row's label), rows of x (M, V).

    softmax = exp / sums. Four passes over x, where log_softmax and exp of it
    take seven (bench/train_nlp.py: the loss is a third of an LSTM LM's step).
    Rows with an infinite logit take the limits of ``functions.log_softmax``.
    """
    rows = np.arange(len(x))
    top = x.max(axis=1)
    if not np.isfinite(top).all():  # +inf in a row (or all −inf): the exact limits, the slow way
        log_p = log_softmax(x)
        exp = np.exp(log_p)
        return exp, np.ones(len(x), dtype=x.dtype), log_p[rows, labels]
    exp = np.subtract(x, top[:, None])
    np.exp(exp, out=exp)
    sums = exp.sum(axis=1)
    return exp, sums, x[rows, labels] - top - np.log(sums)


class TimeDropout(SequenceLayer):
    """Inverted dropout of every step (book 2 §6.5): out = x⊙mask/(1 − ratio) in training, x otherwise.

    mask = u ≥ ratio, u uniform in [0, 1) from the layer's own generator
    (``seed`` or ``rng``); backward: dx = dout⊙mask/(1 − ratio). The mode is
    ``train_flg``, set on the layer as book 2's models do (``layer.train_flg =
    False``) or passed to forward. x, out: (N, T, H) or any shape. Caches the
    scaled mask.
    """

    repr_format = "dropout_ratio={dropout_ratio}"

    dropout_ratio: float
    rng: np.random.Generator
    train_flg: bool
    mask: np.ndarray | None  # None in inference

    def __init__(self, dropout_ratio: float = 0.5, *, seed: Seed = None,
                 rng: np.random.Generator | None = None) -> None:
        self.dropout_ratio = real(dropout_ratio, "dropout_ratio", 0.0, 1.0, open_high=True)
        self.rng = rng if rng is not None else as_generator(seed)
        self.train_flg = True
        self.mask = None

    def forward(self, xs: npt.ArrayLike, train_flg: bool | None = None) -> np.ndarray:
        xs = self._input(xs, "xs")
        train = self.train_flg if train_flg is None else train_flg
        self._out_shapes, self._out_dtype = [("dout", xs.shape)], xs.dtype
        if not train:
            self.mask = None
            return xs.copy()
        keep = self.rng.random(xs.shape, dtype=xs.dtype) >= xs.dtype.type(self.dropout_ratio)
        self.mask = keep.astype(xs.dtype) / xs.dtype.type(1 - self.dropout_ratio)
        return xs * self.mask

    def backward(self, dout: npt.ArrayLike) -> np.ndarray:
        (dout,) = self._douts(dout)
        return dout.copy() if self.mask is None else dout * self.mask
