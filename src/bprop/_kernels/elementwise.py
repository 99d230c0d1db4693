"""max(x, 0) on NumPy's SIMD loop, in the memory order of its operands.

NumPy 2's ``np.maximum(x, 0)`` with a scalar 0 runs a slower broadcast loop
than against an array of zeros in x's own memory order (bench/conv_layers.py
prints both). The zeros come from one read-only ``np.zeros`` allocation per
dtype: its untouched pages map the kernel's shared zero page, so they cost no
memory and no page faults after the first call, where a fresh ``np.zeros_like``
per call would pay both.
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
