"""Loss layers: ``forward(x, t)`` gives a scalar loss averaged over the batch;
``backward(dout=1)`` gives dL/dx, already divided by the batch size N, from
what forward cached.

The loss comes back as a NumPy scalar of x's dtype.
"""

from __future__ import annotations

from typing import cast

import numpy as np
import numpy.typing as npt

from bprop._checks import class_labels
from bprop.functions import log_softmax, sigmoid, softplus
from bprop.layers.base import Layer, as_float_array


def _batch_size(x: np.ndarray) -> int:
    """N: the first axis; a 1-D input counts as one sample, as in the book."""
    return x.shape[0] if x.ndim >= 2 else 1


class _Loss(Layer):
    """Shared by the loss layers: targets checked against x, a scalar output of x's dtype."""

    role = "loss"

    def _targets_like(self, t: npt.ArrayLike, x: np.ndarray) -> np.ndarray:
        """Targets of the same shape as x, as x's dtype."""
        t = as_float_array(t, "t", self._name).astype(x.dtype, copy=False)
        if t.shape != x.shape:
            raise ValueError(f"{self._name} expected t of shape {x.shape} (that of x), got {t.shape}")
        return t

    def _loss(self, value: float, dtype: np.dtype) -> float:
        """The loss as a NumPy scalar of x's dtype (annotated float: float64 is one, float32 acts as one)."""
        self._out_shape, self._out_dtype = (), dtype
        return cast(float, dtype.type(value))



def exact_one_hot_labels(t: np.ndarray) -> np.ndarray | None:
    """Each row's class when t (N, C) is exactly one-hot (one 1 per row, zeros elsewhere), else None.

    For such t the general forms Σ_k t_k·log y_k and y·Σ_k t_k − t give
    bit for bit what the label forms log y[n, t_n] and y − onehot(t) give, so
    SoftmaxWithLoss takes the label forms, which skip the checks and products
    over all N·C entries (bench/book_scripts.py: the book's ch.5 script passes
    one-hot labels). Anything else (class probabilities, NaN, a row of zeros
    or with two 1s) gives None and the general form, which checks the rows.
    """
    rows = t.argmax(axis=1)
    if np.count_nonzero(t) != len(t) or not (t[np.arange(len(t)), rows] == 1).all():
        return None
    return rows


class SoftmaxWithLoss(_Loss):
    """Softmax followed by cross-entropy, as one layer (book §5.6.3).

    L = -(1/N) Σ_n Σ_k t_nk · log softmax(x_n)_k;  dx = dout·(y·Σ_k t_nk - t)/N,
    which for one-hot or integer labels is the book's dout·(y - t)/N.

    Shapes: x (N, C) logits (or (C,) for one sample); t integer labels (N,) in
    [0, C), or one-hot / class probabilities (N, C). log_softmax keeps logits of
    ±1e4 finite and exact (no log(y + 1e-7)). Caches y = softmax(x) as ``y``
    and t as ``t`` (one-hot t as x's dtype). Exactly one-hot t takes the label
    forms, which give the same bits (``exact_one_hot_labels``).
    """

    loss: float | None
    y: np.ndarray | None
    t: np.ndarray | None
    _rows: np.ndarray | None  # each row's class when t is labels or exactly one-hot, else None

    def __init__(self) -> None:
        self.loss = None
        self.y = None
        self.t = None
        self._rows = None

    def forward(self, x: npt.ArrayLike, t: npt.ArrayLike) -> float:
        x = self._input(x)
        if x.ndim not in (1, 2) or x.shape[-1] == 0:
            raise ValueError(f"SoftmaxWithLoss expected logits of shape (N, C), got {x.shape}")
        n = _batch_size(x)
        logp = log_softmax(x)
        self.y = np.exp(logp)
        labels = self._labels(t, x)
        if labels is not None:
            self.t = self._rows = labels
        else:
            self.t = self._targets_like(t, x)
            self._rows = exact_one_hot_labels(self.t.reshape(n, -1))
        if self._rows is not None:  # Σ_k t_nk·log y_nk is the true class's log y_nk
            picked = logp.reshape(n, -1)[np.arange(n), self._rows]
        else:
            class_labels(self.t.reshape(n, -1), n, x.shape[-1], self._name)  # rows in [0, 1] summing to 1
            with np.errstate(invalid="ignore"):  # 0·log 0 = 0: those products are replaced
                picked = np.where(self.t != 0, self.t * logp, 0).reshape(n, -1).sum(axis=1)
        total = picked.sum()
        if not np.isfinite(total):
            self._reject_infinite(picked)
        self.loss = -total / n
        return self._loss(self.loss, x.dtype)

    def _reject_infinite(self, picked: np.ndarray) -> None:
        """A true class of probability 0 (its logit −inf, or another's +inf) makes the loss +inf: say which."""
        bad = np.flatnonzero(np.isinf(picked))
        if bad.size:
            raise ValueError(f"SoftmaxWithLoss: sample {bad[0]}'s true class has probability 0 (its logit is −inf, "
                             f"or another class's is +inf), so the loss is infinite")

    def backward(self, dout: npt.ArrayLike = 1) -> np.ndarray:
        dout = self._dout(dout)
        y, t = self._cached(self.y), self._cached(self.t)
        n = _batch_size(y)
        if self._rows is not None:  # dx = dout·(y - onehot(t))/N
            dx = y.reshape(n, -1).copy()
            dx[np.arange(n), self._rows] -= 1
            dx = dx.reshape(y.shape)
        else:  # dx = dout·(y·Σ_k t_k - t)/N
            dx = y * t.sum(axis=-1, keepdims=True) - t
        dx /= y.dtype.type(n)
        return dx * dout

    def _labels(self, t: npt.ArrayLike, x: np.ndarray) -> np.ndarray | None:
        """Integer class labels as an int array of shape (N,), or None for one-hot t."""
        t = np.asarray(t)
        # One-hot or class probabilities: t shaped like x. For a single sample with
        # a single class, (1,) is ambiguous: float means one-hot, integer a label.
        if t.shape == x.shape and (x.ndim == 2 or x.size > 1 or t.dtype.kind == "f"):
            return None
        n, classes = _batch_size(x), x.shape[-1]
        if t.shape not in ((n,), ()) or (t.shape == () and x.ndim == 2):
            raise ValueError(
                f"SoftmaxWithLoss expected t as {n} integer labels (shape ({n},)) or "
                f"one-hot of shape {x.shape}, got shape {t.shape}"
            )
        return class_labels(t.reshape(-1), n, classes, self._name)  # integers in [0, C), or a clear error


class SigmoidWithLoss(_Loss):
    """Sigmoid followed by binary cross-entropy.

    L = -(1/N) Σ [t·log σ(x) + (1-t)·log(1-σ(x))] = (1/N) Σ [softplus(x) - t·x];
    dx = dout·(σ(x) - t)/N.

    x: logits of any shape (N, …); t: labels of the same shape, 0 or 1 (or any
    probability in [0, 1]). The softplus form is exact at ±1000; x = +inf with
    t = 1 (or −inf with t = 0) adds exactly 0, the wrong infinity is a ValueError
    naming the element. Caches
    y = σ(x) as ``y`` and t as ``t``.
    """

    loss: float | None
    y: np.ndarray | None
    t: np.ndarray | None

    def __init__(self) -> None:
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x: npt.ArrayLike, t: npt.ArrayLike) -> float:
        x = self._input(x)
        t = self._targets_like(t, x)
        if np.any((t < 0) | (t > 1)):
            raise ValueError("SigmoidWithLoss expected labels t in [0, 1]")
        n = _batch_size(x)
        self.t = t
        self.y = sigmoid(x)
        # L = t·softplus(−x) + (1 − t)·softplus(x): each term 0 where its weight is 0 (x = ±inf on the right side)
        with np.errstate(invalid="ignore"):
            terms = np.where(t != 0, t * softplus(-x), 0) + np.where(t != 1, (1 - t) * softplus(x), 0)
        bad = np.flatnonzero(np.isinf(terms))
        if bad.size:
            i = tuple(int(k) for k in np.unravel_index(bad[0], x.shape))
            raise ValueError(f"SigmoidWithLoss: x at {i} is {x[i]} with t = {t[i]:g}, so the loss is infinite")
        self.loss = terms.sum() / n
        return self._loss(self.loss, x.dtype)

    def backward(self, dout: npt.ArrayLike = 1) -> np.ndarray:
        dout = self._dout(dout)
        y, t = self._cached(self.y), self._cached(self.t)
        dx = (y - t) / y.dtype.type(_batch_size(y))  # dx = dout·(σ(x) - t)/N
        return dx * dout


class MeanSquaredError(_Loss):
    """Mean squared error: L = ½·Σ(y - t)²/N; dy = dout·(y - t)/N.

    y: predictions (N, …) (1-D counts as one sample, giving the book's
    ½·Σ(y - t)²); t: targets of the same shape. Caches y - t.
    """

    loss: float | None
    _diff: np.ndarray | None

    def __init__(self) -> None:
        self.loss = None
        self._diff = None

    def forward(self, y: npt.ArrayLike, t: npt.ArrayLike) -> float:
        y = self._input(y, "y")
        t = self._targets_like(t, y)
        n = y.dtype.type(_batch_size(y))
        self._diff = y - t
        self.loss = 0.5 * np.vdot(self._diff, self._diff) / n
        return self._loss(self.loss, y.dtype)

    def backward(self, dout: npt.ArrayLike = 1) -> np.ndarray:
        dout = self._dout(dout)
        diff = self._cached(self._diff)
        dy = diff / diff.dtype.type(_batch_size(diff))  # dy = dout·(y - t)/N
        return dy * dout
