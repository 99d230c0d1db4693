"""Stateless math, written once, with the book's names.

Every function keeps the dtype of its input (float32 stays float32) and gives
no overflow warning or NaN for large finite inputs (±1000 and beyond).
"""

from __future__ import annotations

import numpy as np


def _float(x) -> np.ndarray:
    """x as an array of a float dtype: integers become float64, floats stay as they are."""
    x = np.asarray(x)
    return x if x.dtype.kind == "f" else x.astype(np.float64)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) = 1/(1+exp(-x)), elementwise; exact limits 0 and 1 at ±1000.

    exp(-x) overflows to inf for x < -88 (float32) or -709 (float64), and
    1/(1+inf) is exactly 0, the right limit; only the warning is silenced.
    This plain form is the fastest NumPy form (NOTES.md), and in-place ops on
    the fresh array save two temporaries.
    """
    x = _float(x)
    y = np.negative(x, out=np.empty_like(x))
    with np.errstate(over="ignore"):
        np.exp(y, out=y)
    y += 1
    return np.reciprocal(y, out=y)


def relu(x: np.ndarray) -> np.ndarray:
    """max(x, 0), elementwise. NaN stays NaN."""
    return np.maximum(x, 0)


def softplus(x: np.ndarray) -> np.ndarray:
    """log(1 + exp(x)) computed as max(x, 0) + log1p(exp(-|x|)): no overflow, exact tails."""
    x = _float(x)
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """log softmax(x) = x - max(x) - log Σ exp(x - max(x)) along ``axis``.

    Subtracting the max keeps every exp in [0, 1]: stable for logits of ±1e4.
    """
    x = _float(x)
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """exp(x_k) / Σ_j exp(x_j) along ``axis`` (the last, i.e. per sample, by default).

    x: (N, C) or (C,); same shape out, rows summing to 1. Stable for ±1e4.
    """
    x = _float(x)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    e /= e.sum(axis=axis, keepdims=True)
    return e


def cross_entropy_error(y: np.ndarray, t: np.ndarray) -> float:
    """The book's E = -Σ t·log(y + 1e-7) / N, for probabilities ``y``.

    y: (N, C) probabilities, or (C,) for one sample. t: labels (N,) or one-hot
    (N, C). The 1e-7 guards log(0), as in the book; to work from logits without
    it, use ``log_softmax`` (what ``SoftmaxWithLoss`` does).
    """
    y = np.asarray(y)
    t = np.asarray(t)
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    if t.size == y.size:  # one-hot → labels
        t = t.argmax(axis=1)
    batch_size = y.shape[0]
    eps = np.asarray(1e-7, dtype=y.dtype)
    return -np.sum(np.log(y[np.arange(batch_size), t] + eps)) / batch_size


def mean_squared_error(y: np.ndarray, t: np.ndarray) -> float:
    """The book's E = ½ Σ (y - t)², summed over everything (no batch average)."""
    return 0.5 * np.sum((np.asarray(y) - np.asarray(t)) ** 2)


def sum_to_shape(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Undo broadcasting: sum ``grad`` over the axes along which an input of ``shape`` was stretched.

    The backward of any broadcasting op: if x of shape (3,) was added to a
    (2, 3) array, dx is the (2, 3) gradient summed over axis 0.
    """
    shape = tuple(shape)
    if np.shape(grad) == shape:
        return grad
    grad = np.sum(grad, axis=tuple(range(np.ndim(grad) - len(shape))))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return np.sum(grad, axis=stretched, keepdims=True) if stretched else grad
