"""The piecewise activations' fast forms (ReLU, leaky ReLU, ELU), each beside the plain formula it must equal.

A fast form is a chain of in-place ufuncs run on cache-sized blocks of its
arrays, shared by threads (``bprop._kernels.blocks``); the plain ``*_simple``
form is the formula on whole arrays. Both give the same numbers (ELU to a few
ulp: its fast form takes expm1 through tanh). ``smooth.py`` holds the others.
Every fast forward returns fresh arrays laid out as x (channel-major conv
outputs stay channel-major); ``owner`` given, it scans x (or dout) for NaN on
the way and raises ``reject_nan``'s ValueError, having written nothing else.

    relu / relu_backward               y = max(x, 0) and the mask x > 0; dx = dout·mask
    scale_by                           dx = dout·s (ReLU's mask, softplus's σ)
    leaky_relu / leaky_relu_backward   y = max(x, αx) for 0 ≤ α ≤ 1; dx from x, no cached slope
    elu / elu_backward                 expm1(m) = 2t/(1 − t), t = tanh(m/2): NumPy's tanh is SIMD,
                                       its expm1 is not (bench/activations.py)

np.maximum(x, 0) with a scalar 0 runs a slower broadcast loop than against an
array of zeros (bench/conv_layers.py): the zeros are one read-only block per
dtype, made once.
"""

from __future__ import annotations

import numpy as np

from bprop._kernels import blocks

_ZEROS: dict[np.dtype, np.ndarray] = {}  # dtype -> a read-only block of zeros


def zeros_of_block(like: np.ndarray) -> np.ndarray:
    """A read-only array of zeros of the block ``like``'s shape and dtype (C order)."""
    zeros = _ZEROS.get(like.dtype)
    if zeros is None or zeros.size < like.size:
        zeros = np.zeros(max(like.size, blocks.BLOCK), dtype=like.dtype)
        zeros.flags.writeable = False
        _ZEROS[like.dtype] = zeros
    return zeros[: like.size].reshape(like.shape)


# --- ReLU ---------------------------------------------------------------------------------------

def relu_simple(x):
    """max(x, 0): the plain form ``relu`` must equal."""
    return np.maximum(x, 0)


def relu(x: np.ndarray, out: np.ndarray | None = None, owner: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(y, positive): y = max(x, 0), positive = x > 0 (bool). out: where y goes (x itself, in place), else new."""
    def kernel(ins, outs):
        (xb,), (yb, positive) = ins, outs
        np.greater(xb, 0, out=positive)  # before y: y may be x
        np.maximum(xb, zeros_of_block(xb), out=yb)

    x = blocks.dense(x)
    if out is None:
        y, positive = blocks.fresh(kernel, [x], [None, np.bool_], scan=blocks.nan_scan(owner, "x"))
        return y, positive
    positive = np.empty_like(x, dtype=np.bool_)
    blocks.apply(kernel, [x], [out, positive], scan=blocks.nan_scan(owner, "x"))
    return out, positive


def relu_backward(positive: np.ndarray, dout: np.ndarray, out: np.ndarray | None = None,
                  owner: str | None = None) -> np.ndarray:
    """dx = dout·[x > 0]; out: where dx goes (dout itself, in place), else a new array."""
    return scale_by(positive, dout, out=out, owner=owner)


def scale_by(s: np.ndarray, dout: np.ndarray, out: np.ndarray | None = None, owner: str | None = None) -> np.ndarray:
    """dx = dout·s for s laid out as forward's x: ReLU's mask, softplus's σ(x). out: dout itself, or None (new)."""
    def kernel(ins, outs):
        np.multiply(ins[1], ins[0], out=outs[0])

    if out is not None:
        if blocks.flat_views(s, dout, out) is None:  # layouts differ: NumPy's own loop, in place
            return np.multiply(dout, s, out=out)
        blocks.apply(kernel, [s, dout], [out], scan=blocks.nan_scan(owner, "dout", 1))
        return out
    dout = blocks.arranged_like(dout, s)
    return blocks.fresh(kernel, [s, dout], [dout.dtype], scan=blocks.nan_scan(owner, "dout", 1))[0]


# --- leaky ReLU ---------------------------------------------------------------------------------

def leaky_relu_simple(x, alpha):
    """x where x > 0, else alpha·x: the plain form."""
    return np.where(x > 0, x, x.dtype.type(alpha) * x)


def leaky_relu(x: np.ndarray, alpha: float, owner: str | None = None) -> np.ndarray:
    """y = max(x, αx) for 0 ≤ α ≤ 1, min(x, αx) for α > 1, x·(α + (1 − α)·[x > 0]) otherwise."""
    a = x.dtype.type(alpha)

    def kernel(ins, outs):
        (xb,), (yb,) = ins, outs
        if alpha >= 0:
            np.multiply(xb, a, out=yb)
            (np.maximum if alpha <= 1 else np.minimum)(xb, yb, out=yb)
        else:
            _slope(xb, alpha, yb)
            yb *= xb

    x = blocks.dense(x)
    return blocks.fresh(kernel, [x], [None], scan=blocks.nan_scan(owner, "x"))[0]


def leaky_relu_backward_simple(x, alpha, dout):
    """dout where x > 0, else alpha·dout: the plain form."""
    return np.where(x > 0, dout, x.dtype.type(alpha) * dout)


def leaky_relu_backward(x: np.ndarray, alpha: float, dout: np.ndarray, owner: str | None = None) -> np.ndarray:
    """dx = dout·(α + (1 − α)·[x > 0]), the slope recomputed from x (no slope array kept between passes)."""
    def kernel(ins, outs):
        (xb, db), (dx,) = ins, outs
        _slope(xb, alpha, dx)
        dx *= db

    x = blocks.dense(x)
    dout = blocks.arranged_like(dout, x)
    return blocks.fresh(kernel, [x, dout], [dout.dtype], scan=blocks.nan_scan(owner, "dout", 1))[0]


def _slope(xb, alpha, out):
    """out = α + (1 − α)·[x > 0] in out's dtype (the bool is cast in the loop, not a float16 on NumPy 1.x)."""
    np.multiply(np.greater(xb, 0), out.dtype.type(1 - alpha), out=out, dtype=out.dtype)
    out += out.dtype.type(alpha)


# --- ELU ----------------------------------------------------------------------------------------

def elu_simple(x, alpha):
    """alpha·(exp(x) − 1) where x <= 0, else x: the plain form ``elu`` must equal."""
    return np.where(x > 0, x, x.dtype.type(alpha) * np.expm1(np.minimum(x, 0)))


def elu(x: np.ndarray, alpha: float, owner: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(y, nonpositive): y = max(x, 0) + α·expm1(min(x, 0)), nonpositive = x <= 0.

    expm1(m) = 2t/(1 − t) with t = tanh(m/2): for m ≤ 0, t ∈ (−1, 0] and 1 − t ∈ [1, 2),
    so nothing cancels and the result keeps tanh's few-ulp accuracy (exp(m) − 1
    would lose all of it near 0). exp is never taken of a positive number: no overflow.
    """
    two_alpha, half = x.dtype.type(2 * alpha), x.dtype.type(0.5)

    def kernel(ins, outs):
        (xb,), (yb, nonpositive) = ins, outs
        np.less_equal(xb, 0, out=nonpositive)
        t = np.minimum(xb, zeros_of_block(xb))
        t *= half
        np.tanh(t, out=t)
        np.subtract(1, t, out=yb)  # y as scratch: 1 − t
        t /= yb
        t *= two_alpha  # α·expm1(min(x, 0))
        np.maximum(xb, zeros_of_block(xb), out=yb)
        yb += t

    x = blocks.dense(x)
    y, nonpositive = blocks.fresh(kernel, [x], [None, np.bool_], scan=blocks.nan_scan(owner, "x"))
    return y, nonpositive


def elu_backward_simple(y, nonpositive, alpha, dout):
    """dx = dout·(y + alpha) where x <= 0 (``nonpositive``), else dout: the plain form."""
    return np.where(nonpositive, dout * (y + y.dtype.type(alpha)), dout)


def elu_backward(y: np.ndarray, nonpositive: np.ndarray, alpha: float, dout: np.ndarray,
                 owner: str | None = None) -> np.ndarray:
    """dx = dout·(1 + [x <= 0]·(min(y, 0) + alpha − 1)); min keeps y = inf from making inf·0."""
    shift = y.dtype.type(alpha - 1)

    def kernel(ins, outs):
        (yb, nb, db), (dx,) = ins, outs
        np.minimum(yb, zeros_of_block(yb), out=dx)
        dx += shift
        np.multiply(dx, nb, out=dx)
        dx += 1
        dx *= db

    dout = blocks.arranged_like(dout, y)
    return blocks.fresh(kernel, [y, nonpositive, dout], [dout.dtype], scan=blocks.nan_scan(owner, "dout", 2))[0]
