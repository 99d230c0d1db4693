"""The activations' fast forms, each beside the plain formula it must equal.

    relu_into        max(x, 0) on NumPy's SIMD loop, in the memory order of its operands
    elu, elu_backward                arithmetic instead of np.where with a random mask
    gelu_tanh, gelu_tanh_backward    in place on fresh arrays: half the temporaries

bench/activations.py prints what each gains. For ReLU: NumPy 2's
``np.maximum(x, 0)`` with a scalar 0 runs a slower broadcast loop than against
an array of zeros in x's own memory order (bench/conv_layers.py). The zeros
come from one read-only ``np.zeros`` allocation per dtype: its untouched pages
map the kernel's shared zero page, so they cost no memory and no page faults
after the first call, where a fresh ``np.zeros_like`` per call would pay both.
"""

from __future__ import annotations

import numpy as np

_ZEROS: dict[np.dtype, np.ndarray] = {}  # dtype -> a read-only zero array, grown on demand


def relu_simple(x: np.ndarray) -> np.ndarray:
    """max(x, 0): the plain form ``relu_into`` must equal."""
    return np.maximum(x, 0)


def relu_into(x: np.ndarray, out: np.ndarray) -> np.ndarray:
    """out = max(x, 0), elementwise; out has x's shape and dtype and may be x itself. Returns out."""
    return np.maximum(x, zeros_in_layout_of(out), out=out)


def zeros_in_layout_of(y: np.ndarray) -> np.ndarray:
    """A read-only array of zeros with y's shape and memory order (y C-contiguous up to an axis order)."""
    zeros = _ZEROS.get(y.dtype)
    if zeros is None or zeros.size < y.size:
        zeros = np.zeros(max(y.size, 2**20), dtype=y.dtype)
        zeros.flags.writeable = False
        _ZEROS[y.dtype] = zeros
    order = np.argsort(y.strides, kind="stable")[::-1]  # axes from outermost to innermost in memory
    return zeros[: y.size].reshape([y.shape[i] for i in order]).transpose(np.argsort(order))


def elu_simple(x, alpha):
    """alpha·(exp(x) − 1) where x <= 0, else x: the plain form ``elu`` must equal."""
    return np.where(x > 0, x, x.dtype.type(alpha) * np.expm1(np.minimum(x, 0)))


def elu(x, alpha):
    """y = max(x, 0) + alpha·expm1(min(x, 0)), on fresh arrays (exp of min(x, 0) only: no overflow)."""
    negative = np.minimum(x, 0)
    np.expm1(negative, out=negative)
    negative *= x.dtype.type(alpha)
    y = np.maximum(x, 0)
    y += negative
    return y


def elu_backward_simple(y, nonpositive, alpha, dout):
    """dx = dout·(y + alpha) where x <= 0 (``nonpositive``), else dout: the plain form."""
    return np.where(nonpositive, dout * (y + y.dtype.type(alpha)), dout)


def elu_backward(y, nonpositive, alpha, dout):
    """dx = dout·(1 + [x <= 0]·(min(y, 0) + alpha − 1)); min keeps y = inf from making inf·0."""
    slope = np.minimum(y, 0)
    slope += y.dtype.type(alpha - 1)
    slope *= nonpositive
    slope += 1
    slope *= dout
    return slope


_C = np.sqrt(2 / np.pi)  # GELU's tanh approximation: u = C·(x + K·x³)
_K = 0.044715


def gelu_tanh_simple(x):
    """½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))): the plain form ``gelu_tanh`` must equal."""
    c, k = x.dtype.type(_C), x.dtype.type(_K)
    return 0.5 * x * (1 + np.tanh(c * (x + k * x**3)))


def gelu_tanh(x):
    """(y, tanh(u)) with u = c·x·(1 + k·x²) and y = ½·x·(1 + tanh(u)), in place on fresh arrays."""
    c, k, half = (x.dtype.type(v) for v in (_C, _K, 0.5))
    u = x * x
    u *= k
    u += 1
    u *= x
    u *= c
    tanh_u = np.tanh(u, out=u)
    y = tanh_u + 1
    y *= x
    y *= half
    return y, tanh_u


def gelu_tanh_backward_simple(x, dout):
    """dout·(½·(1 + tanh(u)) + ½·x·(1 − tanh²(u))·c·(1 + 3k·x²)): the plain form."""
    c, k = x.dtype.type(_C), x.dtype.type(_K)
    t = np.tanh(c * (x + k * x**3))
    return dout * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * k * x * x))


def gelu_tanh_backward(x, tanh_u, dout):
    """The same dx from the cached tanh(u), in place on fresh arrays."""
    c, k, half = (x.dtype.type(v) for v in (_C, _K, 0.5))
    du = x * x  # du/dx = c·(1 + 3k·x²)
    du *= 3 * k
    du += 1
    du *= c
    dx = tanh_u * tanh_u  # ½·(1 + t) + ½·x·(1 - t²)·du
    np.subtract(1, dx, out=dx)
    dx *= du
    dx *= x
    dx += 1
    dx += tanh_u
    dx *= half
    dx *= dout
    return dx
