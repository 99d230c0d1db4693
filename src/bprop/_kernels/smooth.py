"""The smooth activations' fast forms (sigmoid, tanh, GELU, softplus, SiLU), beside their plain formulas.

As in ``elementwise.py``: each fast form is a chain of in-place ufuncs on
cache-sized blocks shared by threads (``bprop._kernels.blocks``), returns
fresh arrays laid out as x, and with ``owner`` given scans x (or dout) for NaN
on the way. The plain forms are the formulas on whole arrays; the tests hold
the two to a few ulp.

    sigmoid / sigmoid_backward     1/(1 + exp(−x)); exp(−x) = inf below −88 (float32) gives 0 exactly
    tanh / tanh_backward           NumPy's tanh; dx = dout·(1 − y²)
    gelu_tanh / gelu_tanh_backward the tanh form, tanh(u) kept for backward
    softplus / softplus_backward   max(x, 0) + log1p(w), w = exp(−|x|), with log1p from log (below),
                                   and σ(x) from the same w, kept for backward: dx = dout·σ (elementwise.scale_by)
    silu / silu_backward           x·σ(x), σ kept

NumPy's log and exp are SIMD loops, its log1p is not (bench/activations.py).
log1p(w) = log(u) − ((u − 1) − w)/u with u = 1 + w rounded: u − 1 is exact
(Sterbenz), so (u − 1) − w is the rounding error of u, and the term removes it
to first order; where u rounds to 1 the result is w itself, as log1p's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bprop._kernels import blocks
from bprop._kernels.elementwise import zeros_of_block

_OVERFLOW_IS_THE_LIMIT: dict[str, Any] = {"over": "ignore"}  # exp(−x) = inf for x ≪ 0, and 1/(1 + inf) = 0 is σ's limit


def sigmoid(x: np.ndarray, owner: str | None = None) -> np.ndarray:
    """y = 1/(1 + exp(−x)), exact limits 0 and 1 at ±1000, no warning. (The plain form: functions.sigmoid.)"""
    x = blocks.dense(x)
    return blocks.fresh(_sigmoid_kernel, [x], [None], scan=blocks.nan_scan(owner, "x"), errstate=_OVERFLOW_IS_THE_LIMIT)[0]


def _sigmoid_kernel(ins, outs):
    np.negative(ins[0], out=outs[0])
    np.exp(outs[0], out=outs[0])
    outs[0] += 1
    np.reciprocal(outs[0], out=outs[0])


def sigmoid_backward_simple(y, dout):
    """dout·y·(1 − y): the plain form."""
    return dout * y * (1 - y)


def sigmoid_backward(y: np.ndarray, dout: np.ndarray, owner: str | None = None) -> np.ndarray:
    """dx = dout·y·(1 − y)."""
    def kernel(ins, outs):
        (yb, db), (dx,) = ins, outs
        np.subtract(1, yb, out=dx)
        dx *= yb
        dx *= db

    dout = blocks.arranged_like(dout, y)
    return blocks.fresh(kernel, [y, dout], [dout.dtype], scan=blocks.nan_scan(owner, "dout", 1))[0]


def tanh(x: np.ndarray, owner: str | None = None) -> np.ndarray:
    """y = tanh(x), on blocks shared by threads."""
    def kernel(ins, outs):
        np.tanh(ins[0], out=outs[0])

    x = blocks.dense(x)
    return blocks.fresh(kernel, [x], [None], scan=blocks.nan_scan(owner, "x"))[0]


def tanh_backward_simple(y, dout):
    """dout·(1 − y²): the plain form."""
    return dout * (1 - y * y)


def tanh_backward(y: np.ndarray, dout: np.ndarray, owner: str | None = None) -> np.ndarray:
    """dx = dout·(1 − y²)."""
    def kernel(ins, outs):
        (yb, db), (dx,) = ins, outs
        np.multiply(yb, yb, out=dx)
        np.subtract(1, dx, out=dx)
        dx *= db

    dout = blocks.arranged_like(dout, y)
    return blocks.fresh(kernel, [y, dout], [dout.dtype], scan=blocks.nan_scan(owner, "dout", 1))[0]


_C = np.sqrt(2 / np.pi)  # GELU's tanh approximation: u = C·(x + K·x³)
_K = 0.044715


def gelu_tanh_simple(x):
    """½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))): the plain form ``gelu_tanh`` must equal."""
    c, k = x.dtype.type(_C), x.dtype.type(_K)
    return 0.5 * x * (1 + np.tanh(c * (x + k * x**3)))


def gelu_tanh(x: np.ndarray, owner: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(y, tanh(u)) with u = c·x·(1 + k·x²) and y = ½·x·(1 + tanh(u))."""
    c, k, half = (x.dtype.type(v) for v in (_C, _K, 0.5))

    def kernel(ins, outs):
        (xb,), (yb, tb) = ins, outs
        np.multiply(xb, xb, out=tb)
        tb *= k
        tb += 1
        tb *= xb
        tb *= c
        np.tanh(tb, out=tb)
        np.add(tb, 1, out=yb)
        yb *= xb
        yb *= half

    x = blocks.dense(x)
    y, tanh_u = blocks.fresh(kernel, [x], [None, None], scan=blocks.nan_scan(owner, "x"))
    return y, tanh_u


def gelu_tanh_backward_simple(x, dout):
    """dout·(½·(1 + tanh(u)) + ½·x·(1 − tanh²(u))·c·(1 + 3k·x²)): the plain form."""
    c, k = x.dtype.type(_C), x.dtype.type(_K)
    t = np.tanh(c * (x + k * x**3))
    return dout * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * k * x * x))


def gelu_tanh_backward(x: np.ndarray, tanh_u: np.ndarray, dout: np.ndarray, owner: str | None = None) -> np.ndarray:
    """The same dx from the cached tanh(u): ½·(1 + t) + ½·x·(1 − t²)·c·(1 + 3k·x²), times dout."""
    c, k3, half = (x.dtype.type(v) for v in (_C, 3 * _K, 0.5))

    def kernel(ins, outs):
        (xb, tb, db), (dx,) = ins, outs
        du = xb * xb  # du/dx = c·(1 + 3k·x²)
        du *= k3
        du += 1
        du *= c
        np.multiply(tb, tb, out=dx)
        np.subtract(1, dx, out=dx)
        dx *= du
        dx *= xb
        dx += 1
        dx += tb
        dx *= half
        dx *= db

    x = blocks.dense(x)
    tanh_u, dout = blocks.arranged_like(tanh_u, x), blocks.arranged_like(dout, x)
    return blocks.fresh(kernel, [x, tanh_u, dout], [dout.dtype], scan=blocks.nan_scan(owner, "dout", 2))[0]


def softplus(x: np.ndarray, owner: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(y, σ(x)): y = max(x, 0) + log1p(exp(−|x|)), exact for every finite x, no overflow at ±1000.

    From w = exp(−|x|) and r = 1/(1 + w): σ(x) = r where x ≥ 0, w·r where x < 0,
    written as r·max(w, [x ≥ 0]) (w ≤ 1). (The plain forms: functions.softplus, functions.sigmoid.)
    """
    def kernel(ins, outs):
        (xb,), (yb, sb) = ins, outs
        w = np.abs(xb)
        np.negative(w, out=w)
        np.exp(w, out=w)
        np.add(w, 1, out=sb)  # u = 1 + w, rounded
        np.subtract(sb, 1, out=yb)  # u − 1, exact
        yb -= w
        yb /= sb  # ((u − 1) − w)/u
        log1p_w = np.log(sb)
        log1p_w -= yb
        np.reciprocal(sb, out=sb)  # r
        np.maximum(w, np.greater_equal(xb, 0), out=yb, dtype=yb.dtype)
        sb *= yb  # σ(x)
        np.maximum(xb, zeros_of_block(xb), out=yb)
        yb += log1p_w

    x = blocks.dense(x)
    y, s = blocks.fresh(kernel, [x], [None, None], scan=blocks.nan_scan(owner, "x"))
    return y, s


def silu(x: np.ndarray, owner: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(y, σ(x)) with y = x·σ(x); x = −1000 gives y = −0.0 without warnings."""
    def kernel(ins, outs):
        (xb,), (yb, sb) = ins, outs
        _sigmoid_kernel([xb], [sb])
        np.multiply(xb, sb, out=yb)

    x = blocks.dense(x)
    y, s = blocks.fresh(kernel, [x], [None, None], scan=blocks.nan_scan(owner, "x"), errstate=_OVERFLOW_IS_THE_LIMIT)
    return y, s


def silu_backward_simple(x, s, dout):
    """dout·σ·(1 + x·(1 − σ)): the plain form."""
    return dout * s * (1 + x * (1 - s))


def silu_backward(x: np.ndarray, s: np.ndarray, dout: np.ndarray, owner: str | None = None) -> np.ndarray:
    """dx = dout·σ·(1 + x·(1 − σ))."""
    def kernel(ins, outs):
        (xb, sb, db), (dx,) = ins, outs
        np.subtract(1, sb, out=dx)
        dx *= xb
        dx += 1
        dx *= sb
        dx *= db

    x = blocks.dense(x)
    s, dout = blocks.arranged_like(s, x), blocks.arranged_like(dout, x)
    return blocks.fresh(kernel, [x, s, dout], [dout.dtype], scan=blocks.nan_scan(owner, "dout", 2))[0]
