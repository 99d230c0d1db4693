"""Stateless math, written once, with the book's names.

Every function keeps the dtype of its input (float32 stays float32) and gives
no overflow warning or NaN for large finite inputs (±1000 and beyond).
"""

from __future__ import annotations

import math

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


# erf(z) = 2/√π·Σ (−1)ⁿ z^{2n+1}/(n!·(2n+1)): 32 terms leave under 1e-16 for z < 2.
_ERF_TAYLOR = tuple((-1) ** n / (math.factorial(n) * (2 * n + 1)) for n in range(32))
_ERFC_DEPTH = 40  # levels of erfc's continued fraction: off by under 3e-16 for z ≥ 2, 5e-14 of erfc(2)


def _erf_erfc(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(erf(a), erfc(a)) for a ≥ 0, each to a few ulp: no 1 − erf cancellation where erfc is tiny.

    a < 2: erf from its Taylor series (Horner in a²), erfc = 1 − erf (≥ 0.0047: at
    worst 1e-13 of erfc is lost). a ≥ 2: erfc from Laplace's continued fraction
    erfc(a) = e^{−a²}/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + …)))), evaluated from
    the bottom up, and erf = 1 − erfc. Past a = 27 erfc is 0 in float64 (a is clipped
    there, so a² never overflows); NaN stays NaN. Computed and returned in float64,
    whatever a's dtype: in float32, 1 − erf would lose 5e-5 of erfc near a = 2.
    """
    erf, erfc = np.empty(a.shape), np.empty(a.shape)
    small = a < 2
    z = a[small].astype(np.float64)
    z2 = z * z
    p = np.full_like(z, _ERF_TAYLOR[-1])
    for c in reversed(_ERF_TAYLOR[:-1]):
        p *= z2
        p += c
    p *= z
    p *= 2 / math.sqrt(math.pi)
    erf[small], erfc[small] = p, 1 - p
    z = np.minimum(a[~small], 27).astype(np.float64)
    t = z.copy()
    for k in range(_ERFC_DEPTH, 0, -1):
        np.divide(k / 2, t, out=t)
        t += z
    tail = np.exp(-(z * z)) / (math.sqrt(math.pi) * t)
    erf[~small], erfc[~small] = 1 - tail, tail
    return erf, erfc


def erf(x: np.ndarray) -> np.ndarray:
    """The error function erf(x) = (2/√π)·∫₀ˣ exp(−t²) dt, elementwise, in x's float dtype.

    NumPy has none (and bprop needs NumPy only): a Taylor series for |x| < 2 and
    a continued fraction beyond, within 1e-15 of the exact value in float64
    (tests/test_functions.py compares with the math module). erf(±inf) = ±1; NaN stays NaN.

    >>> float(erf(np.array(0.5)))
    0.5204998778130465
    """
    x = _float(x)
    return np.copysign(_erf_erfc(np.abs(x))[0], x).astype(x.dtype, copy=False)


def normal_cdf(x: np.ndarray) -> np.ndarray:
    """Φ(x) = P(Z ≤ x) for Z ~ N(0, 1) = ½·erfc(−x/√2), elementwise, in x's float dtype.

    The lower tail is ½·erfc(|x|/√2) itself, not ½·(1 + erf(x/√2)), so Φ(−10) =
    7.6e-24 keeps 12 digits or more. Exact GELU is x·Φ(x) (``bprop.layers.Gelu(exact=True)``).
    """
    x = _float(x)
    _, erfc = _erf_erfc(np.abs(x).astype(np.float64) * (1 / math.sqrt(2)))
    erfc *= 0.5
    return np.where(x >= 0, 1 - erfc, erfc).astype(x.dtype, copy=False)


def normal_pdf(x: np.ndarray) -> np.ndarray:
    """φ(x) = exp(−x²/2)/√(2π), elementwise, in x's float dtype; 0 for |x| > 40 (no overflow in x²)."""
    x = np.minimum(np.abs(_float(x)), 40)
    return np.exp(x * x * x.dtype.type(-0.5)) * x.dtype.type(1 / math.sqrt(2 * math.pi))


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


def masked_softmax(x: np.ndarray, mask: np.ndarray | None = None, axis: int = -1) -> np.ndarray:
    """softmax along ``axis`` over the entries where ``mask`` is True; the others get exactly 0.

    mask: boolean, broadcastable to x's shape (True = kept), or None (all kept).
    A −inf entry gets 0 as a masked one does; +inf entries share their row's
    mass, as in ``softmax``. A row with nothing kept (fully masked, or all −inf)
    gets all zeros: no NaN, no warning. Masked entries are never read, NaN or not.

    >>> masked_softmax(np.array([[1.0, 1.0, 5.0], [2.0, 3.0, 4.0]]), np.array([[True, True, False], [False] * 3]))
    array([[0.5, 0.5, 0. ],
           [0. , 0. , 0. ]])
    """
    x = _float(x)
    keep = x != -np.inf  # NaN is kept, so it reaches the output
    if mask is not None:
        keep = keep & _attention_mask(mask, x.shape, "masked_softmax")
    z = np.where(keep, x, -np.inf)
    top = z.max(axis=axis, keepdims=True)
    e = z - np.where(np.isfinite(top), top, 0)  # a row with nothing kept: exp(−inf) = 0 everywhere
    with np.errstate(invalid="ignore"):  # inf − inf and inf/inf in +inf rows, 0/0 beside them: replaced below
        np.exp(e, out=e)
        e /= np.where(top == -np.inf, 1, e.sum(axis=axis, keepdims=True))
        infinite = top == np.inf
        if infinite.any():
            winners = (z == np.inf).astype(x.dtype)
            e = np.where(infinite, winners / winners.sum(axis=axis, keepdims=True), e)
    return e


def causal_mask(T_q: int, T_k: int | None = None) -> np.ndarray:
    """The causal attention mask, boolean (T_q, T_k): True where query i may attend to key j, i.e. j ≤ i.

    Aligned at the top left, as torch's ``is_causal=True``: query 0 sees key 0 only.

    >>> causal_mask(3).astype(int)
    array([[1, 0, 0],
           [1, 1, 0],
           [1, 1, 1]])
    """
    T_q = integer(T_q, "T_q", 1, owner="causal_mask")
    T_k = T_q if T_k is None else integer(T_k, "T_k", 1, owner="causal_mask")
    return np.tri(T_q, T_k, dtype=bool)


def _attention_mask(mask, shape: tuple, owner: str) -> np.ndarray:
    """mask as a boolean array that broadcasts to ``shape`` (…, T_q, T_k); TypeError or ValueError otherwise."""
    mask = np.asarray(mask)
    if mask.dtype != bool:
        raise TypeError(f"{owner} expected a boolean mask (True = may attend), got dtype {mask.dtype}")
    try:
        fits = np.broadcast_shapes(mask.shape, shape) == tuple(shape)
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"{owner} expected a mask broadcastable to the scores' shape (..., T_q, T_k) = "
                         f"{tuple(shape)}, got shape {mask.shape}")
    return mask


def _attention_shapes(q, k, v, owner: str) -> None:
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2 or q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
        raise ValueError(f"{owner} expected q (..., T_q, d_k), k (..., T_k, d_k) and v (..., T_k, d_v), "
                         f"got q {q.shape}, k {k.shape} and v {v.shape}")


def attention_weights(q: np.ndarray, k: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """A = masked_softmax(q·kᵀ/√d_k, mask) over the last axis: how much each query attends to each key.

    q (..., T_q, d_k), k (..., T_k, d_k), leading axes (batch, heads) broadcast as
    in matmul; A (..., T_q, T_k). mask as in ``masked_softmax`` (True = may attend,
    as torch's ``scaled_dot_product_attention``; torch's ``nn.MultiheadAttention``
    takes the opposite). Masked pairs get exactly 0; a query that may attend to
    nothing gets a row of zeros.
    """
    q, k = _float(q), _float(k)
    _attention_shapes(q, k, k, "attention_weights")
    scores = q @ np.swapaxes(k, -1, -2)
    scores *= scores.dtype.type(1 / math.sqrt(q.shape[-1]))
    return masked_softmax(scores, mask if mask is None else _attention_mask(mask, scores.shape, "attention_weights"))


def scaled_dot_product_attention(q: np.ndarray, k: np.ndarray, v: np.ndarray,
                                 mask: np.ndarray | None = None) -> np.ndarray:
    """softmax(q·kᵀ/√d_k)·v over the last two axes ("Attention Is All You Need", eq. 1), any leading axes.

    q (..., T_q, d_k), k (..., T_k, d_k), v (..., T_k, d_v) → (..., T_q, d_v).
    mask: boolean, broadcastable to (..., T_q, T_k), True = may attend (e.g.
    ``causal_mask(T_q, T_k)``); masked pairs get exactly zero weight, and a fully
    masked query gets a zero output, never NaN. The layer with a backward is
    ``bprop.layers.ScaledDotProductAttention``.
    """
    q, k, v = _float(q), _float(k), _float(v)
    _attention_shapes(q, k, v, "scaled_dot_product_attention")
    return attention_weights(q, k, mask) @ v


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


def col2im(col: np.ndarray, input_shape: tuple[int, int, int, int], filter_h: int, filter_w: int, stride: int = 1,
           pad: int = 0) -> np.ndarray:
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
