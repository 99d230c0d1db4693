"""The likely cause when a backward disagrees with central differences, as a message key.

Each rule compares the backward's gradient a with the numerical one n
(flattened, kinks left out): a gradient that is the one for dout = 1, all
zeros, a constant multiple of n (the batch size N: a missing division; 1/N: a
mean where a sum belongs; −1: the sign), a mask inverted, or for an
elementwise layer the known wrong forms of the sigmoid's derivative.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bprop.gradcheck.compare import rel

# How near a guess must come to the backward's values to name it as the cause.
CLOSE = 1e-4


def diagnose(a: np.ndarray, n: np.ndarray, n1: np.ndarray, *, unit_dout: bool, elementwise: bool,
             y: Any, dout: Any, batch_size: int) -> tuple[str, dict]:  # y, dout: arrays when elementwise
    """(message key, its params) for backward ``a`` ≠ numerical ``n``; n1 is the numerical gradient for dout = 1.

    elementwise: one input, no parameters, the output of the input's shape;
    then y and dout (flat, like a) are the forward's output and the dout used.
    """
    if not unit_dout and rel(a, n1) < CLOSE:
        return "grad.ignores_dout", {}  # a matches the gradient for dout = 1
    if not np.any(a):
        return "grad.zero", {}
    nn = float(n @ n)
    k = float(a @ n) / nn if nn else 0.0  # least squares: a ≈ k·n
    if nn and abs(k - 1) > 1e-3 and rel(a, k * n) < CLOSE:
        return _factor_cause(k, batch_size, elementwise)
    tiny = 1e-10 * max(np.max(np.abs(a)), np.max(np.abs(n)))
    zero_a, zero_n = np.abs(a) <= tiny, np.abs(n) <= tiny
    if zero_n.any() and not zero_n.all() and np.mean(zero_a != zero_n) >= 0.9:
        return "grad.inverted_mask", {}
    if elementwise:
        for form, guess in (("dout·y", dout * y), ("dout·(1 - y)", dout * (1 - y))):
            if rel(a, guess) < CLOSE:
                return "grad.missing_factor", {"form": form}
    return "grad.mismatch", {}


def _factor_cause(k: float, batch_size: int, elementwise: bool):
    """a = k·n: the batch size N (a missing division), 1/N (a mean for a sum), −1 (the sign), or some factor."""
    n = batch_size
    if n > 1 and not elementwise:
        if abs(k - n) < 1e-3 * n:
            return "grad.batch_division", {"N": n}
        if abs(k * n - 1) < 1e-3:
            return "grad.mean_not_sum", {"N": n}
    if abs(k + 1) < 1e-3:
        return "grad.sign", {}
    return "grad.factor", {"k": k}
