"""Stateless math, written once, with the book's names.

Every function keeps the dtype of its input (float32 stays float32) and gives
no overflow warning or NaN for large finite inputs (±1000 and beyond).
"""

from __future__ import annotations

import numpy as np

from bprop._checks import class_labels, integer


def _float(x) -> np.ndarray:
    """x as an array of a float dtype: integers become float64, floats stay as they are."""
    x = np.asarray(x)
    return x if x.dtype.kind == "f" else x.astype(np.float64)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) = 1/(1+exp(-x)), elementwise; exact limits 0 and 1 at ±1000.

    exp(-x) overflows to inf for x < -88 (float32) or -709 (float64), and
    1/(1+inf) is exactly 0, the right limit; only the warning is silenced.
    The plain form, computed in place on one fresh array (bench/activations.py
    compares it with the alternatives).
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
    Infinite logits get the limits: a −inf logit has probability 0 (log −inf);
    a +inf logit takes the row's whole mass (shared evenly by several). A row
    with no finite or +inf logit has no softmax: ValueError naming it. No NaN,
    no warning.
    """
    x = _float(x)
    top = x.max(axis=axis, keepdims=True)
    if not np.isfinite(top).all():
        return _log_softmax_of_infinities(x, axis, top)
    shifted = x - top
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def _log_softmax_of_infinities(x, axis, top):
    """log_softmax where some row's max is ±inf (or NaN): the limits, or a ValueError for a row without one."""
    bad = ~(np.isfinite(top) | (top == np.inf))
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(np.squeeze(bad, axis=axis))[0]) if x.ndim > 1 else ()
        what = "NaN" if np.isnan(top[bad]).any() else "−inf in every class"
        raise ValueError(f"log_softmax: {'row ' + str(where[0]) if len(where) == 1 else 'x'} holds {what}: "
                         f"no class has a probability")
    with np.errstate(invalid="ignore", divide="ignore"):
        finite_top = np.where(np.isinf(top), 0, top)
        shifted = x - finite_top
        out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
        winners = x == np.inf
        share = -np.log(winners.sum(axis=axis, keepdims=True, dtype=x.dtype))
        return np.where(top == np.inf, np.where(winners, share, -np.inf), out).astype(x.dtype, copy=False)


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """exp(x_k) / Σ_j exp(x_j) along ``axis`` (the last, i.e. per sample, by default).

    x: (N, C) or (C,); same shape out, rows summing to 1. Stable for ±1e4; infinite
    logits as in ``log_softmax`` (a +inf logit gets 1, a −inf one 0).
    """
    x = _float(x)
    top = x.max(axis=axis, keepdims=True)
    if not np.isfinite(top).all():
        return np.exp(_log_softmax_of_infinities(x, axis, top))
    e = np.exp(x - top)
    e /= e.sum(axis=axis, keepdims=True)
    return e


def cross_entropy_error(y: np.ndarray, t: np.ndarray) -> float:
    """The book's E = -Σ t·log(y + 1e-7) / N, for probabilities ``y``.

    y: (N, C) probabilities, or (C,) for one sample. t: labels (N,) in [0, C) or
    one-hot (N, C); anything else (labels (N, 1), −1 or C, rows summing to 2) is
    a ValueError saying what is valid. The 1e-7 guards log(0), as in the book; to
    work from logits without it, use ``log_softmax`` (what ``SoftmaxWithLoss`` does).
    """
    y = np.asarray(y)
    t = np.asarray(t)
    if y.ndim == 1:
        t = t.reshape(1, t.size) if t.size == y.size else t.reshape(-1)
        y = y.reshape(1, y.size)
    if y.ndim != 2:
        raise ValueError(f"cross_entropy_error expected y of shape (N, C) or (C,), got shape {y.shape}")
    labels = class_labels(t, y.shape[0], y.shape[1], "cross_entropy_error")
    t = t.argmax(axis=1) if labels is None else labels  # one-hot → labels
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


def conv_output_size(input_size: int, filter_size: int, stride: int = 1, pad: int = 0) -> int:
    """How many windows fit along an axis (book §7.2.4): ⌊(input_size + 2·pad − filter_size)/stride⌋ + 1.

    The one output-size formula of bprop: im2col and col2im floor it, as the
    book does; Convolution and Pooling require it to divide evenly
    (``bprop.layers.conv.output_size``).
    """
    return (input_size + 2 * pad - filter_size) // stride + 1


def _check_window_args(owner: str, filter_h, filter_w, stride, pad) -> None:
    for name, value, least in (("filter_h", filter_h, 1), ("filter_w", filter_w, 1), ("stride", stride, 1), ("pad", pad, 0)):
        integer(value, name, least, owner=owner)


def im2col(input_data: np.ndarray, filter_h: int, filter_w: int, stride: int = 1, pad: int = 0) -> np.ndarray:
    """The book's im2col: every filter-sized window of the images as one row.

    col[(n·OH + i)·OW + j, (c·FH + u)·FW + v] = xp[n, c, stride·i + u, stride·j + v],
    where xp is ``input_data`` zero-padded by ``pad`` on each side of H and W.
    So convolution is one GEMM: out = col @ W.reshape(FN, -1).T.

    input_data: (N, C, H, W). col: (N·OH·OW, C·FH·FW) with
    OH = ⌊(H + 2·pad − FH)/stride⌋ + 1 and OW likewise (floored, as in the book).
    Keeps the dtype (the book's version turns float32 into float64).

    Built as one copy of a strided window view (``sliding_window_view``): no
    Python loop. The Convolution layer uses its own, faster layout.
    """
    x = np.asarray(input_data)
    _check_window_args("im2col", filter_h, filter_w, stride, pad)
    if x.ndim != 4:
        raise ValueError(f"im2col expected input_data of shape (N, C, H, W), got shape {x.shape}")
    N, C, H, W = x.shape
    out_h = conv_output_size(H, filter_h, stride, pad)
    out_w = conv_output_size(W, filter_w, stride, pad)
    if out_h < 1 or out_w < 1:
        raise ValueError(
            f"im2col got a {filter_h}×{filter_w} filter larger than the padded input "
            f"{H + 2 * pad}×{W + 2 * pad} (input_data of shape {x.shape}, pad={pad})"
        )
    img = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)]) if pad else x
    windows = np.lib.stride_tricks.sliding_window_view(img, (filter_h, filter_w), axis=(2, 3))
    windows = windows[:, :, ::stride, ::stride]  # (N, C, OH, OW, FH, FW)
    return windows.transpose(0, 2, 3, 1, 4, 5).reshape(N * out_h * out_w, C * filter_h * filter_w)


def col2im(col: np.ndarray, input_shape, filter_h: int, filter_w: int, stride: int = 1, pad: int = 0) -> np.ndarray:
    """The book's col2im, the adjoint of ``im2col``: each row's values added back to their window.

    img[n, c, y, x] = Σ of col[(n·OH + i)·OW + j, (c·FH + u)·FW + v] over all
    (i, j, u, v) with stride·i + u − pad = y and stride·j + v − pad = x.
    Overlapping windows add up, so ⟨im2col(x), col⟩ = ⟨x, col2im(col)⟩ for any
    x and col: this is the backward of im2col.

    col: (N·OH·OW, C·FH·FW); input_shape: (N, C, H, W); returns an array of
    input_shape and col's dtype.

    One vectorised ``+=`` per kernel offset (FH·FW of them, never one per
    output position or image), which is much faster than ``np.add.at``.
    """
    col = np.asarray(col)
    _check_window_args("col2im", filter_h, filter_w, stride, pad)
    if len(input_shape) != 4:
        raise ValueError(f"col2im expected input_shape (N, C, H, W), got {tuple(input_shape)}")
    N, C, H, W = (int(n) for n in input_shape)
    out_h = conv_output_size(H, filter_h, stride, pad)
    out_w = conv_output_size(W, filter_w, stride, pad)
    expected = (N * out_h * out_w, C * filter_h * filter_w)
    if out_h < 1 or out_w < 1 or col.shape != expected:
        raise ValueError(
            f"col2im expected col of shape {expected} for input_shape {(N, C, H, W)}, "
            f"a {filter_h}×{filter_w} filter, stride={stride} and pad={pad}; got shape {col.shape}"
        )
    cols = col.reshape(N, out_h, out_w, C, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((N, C, H + 2 * pad, W + 2 * pad), dtype=col.dtype)
    for u in range(filter_h):
        for v in range(filter_w):
            img[:, :, u : u + stride * out_h : stride, v : v + stride * out_w : stride] += cols[:, :, u, v]
    return img[:, :, pad : H + pad, pad : W + pad]
