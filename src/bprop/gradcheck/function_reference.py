"""What ``check_function`` compares a learner's functions with: the book's semantics, and what tells a bug.

The references follow the book (common/functions.py, common/util.py, ch.4), not
bprop where the two differ: step_function is 0 at x = 0 and returns integers;
mean_squared_error is ½·Σ(y − t)² over every element, not averaged over the
batch. The cross-entropy references are the exact forms, without the book's
1e-7 inside the log; check_function's tolerance admits any delta ≤ 1e-6.

``compare`` is the comparison every check shares; the rest tell a bug from a
wrong result (a softmax's sums, im2col's rows in another order).

>>> reference = ELEMENTWISE["step_function"]
>>> reference(np.array([-1.0, 0.0, 2.0]))
array([0, 0, 1])
>>> round(float(cross_entropy_exact(np.array([[0.5, 0.5], [0.25, 0.75]]), np.array([0, 1]))), 6)
0.490415
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from bprop import functions as F
from bprop.gradcheck.compare import fmt_index
from bprop.gradcheck.report import Finding

__all__ = ["ELEMENTWISE", "STABLE_HINTS", "GEOMETRIES", "probabilities", "cross_entropy_exact",
           "softmax_loss_exact", "sum_squared_error", "compare", "softmax_cause", "same_rows"]


def _step_function(x):
    """h(x) = 1 for x > 0, else 0 (0 at x = 0), as integers: the book's np.array(x > 0, dtype=int)."""
    return (np.asarray(x) > 0).astype(np.int64)


ELEMENTWISE: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "identity_function": np.asarray,
    "step_function": _step_function,
    "sigmoid": F.sigmoid,
    "relu": F.relu,
    "tanh": np.tanh,
}

# The message that says how to compute each function without overflowing at ±1000.
STABLE_HINTS = {"sigmoid": "fn.stable.sigmoid", "tanh": "fn.stable.tanh", "softmax": "fn.stable.softmax"}

# (N, C, H, W, FH, FW, stride, pad): stride 1 and 2, pad 0 and 1, non-square images and
# filters, and (H + 2·pad − FH)/stride not a whole number (OH floored, as in the book).
GEOMETRIES = (
    (2, 3, 4, 5, 2, 3, 1, 0),
    (1, 2, 5, 5, 3, 3, 2, 1),
    (2, 1, 5, 4, 3, 2, 1, 1),
    (1, 2, 6, 7, 3, 3, 2, 0),
)


# --- losses ---------------------------------------------------------------------------------


def probabilities(rng: np.random.Generator, n: int, c: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(logits (n, c), softmax probabilities (n, c), labels (n,)) with every y[i, t_i] > 1/2.

    Each label is its row's largest logit, raised by log c: then the book's
    log(y + 1e-7) differs from log y by at most 2e-7, and any delta ≤ 1e-6 by 2e-6.
    """
    x = rng.standard_normal((n, c))
    t = np.argmax(x, axis=1)
    x[np.arange(n), t] += np.log(c)
    return x, F.softmax(x), t


def _labels(t, rows: int, size: int) -> np.ndarray:
    """Class indices from labels (N,) or one-hot t (N, C), for ``rows`` samples of ``size`` values in all."""
    t = np.asarray(t)
    return t.reshape(rows, -1).argmax(axis=1) if t.size == size else t.reshape(rows)


def cross_entropy_exact(y: np.ndarray, t: np.ndarray) -> float:
    """E = −Σ_n log y[n, t_n] / N: the book's cross_entropy_error without its 1e-7.

    y: probabilities (N, C), or (C,) for one sample; t: labels (N,) or one-hot (N, C).
    """
    y = np.atleast_2d(y)
    return float(-np.mean(np.log(y[np.arange(len(y)), _labels(t, len(y), y.size)])))


def softmax_loss_exact(x: np.ndarray, t: np.ndarray) -> float:
    """E = −Σ_n log softmax(x)[n, t_n] / N, from log_softmax (exact for any logits). x: (N, C) or (C,)."""
    x = np.atleast_2d(x)
    return float(-np.mean(F.log_softmax(x)[np.arange(len(x)), _labels(t, len(x), x.size)]))


def sum_squared_error(y: np.ndarray, t: np.ndarray) -> float:
    """The book's E = ½·Σ(y − t)² over every element; its ch.4 calls this mean_squared_error."""
    return float(0.5 * np.sum((np.asarray(y) - np.asarray(t)) ** 2))


# --- comparing, and what tells a bug ---------------------------------------------------------------------


def compare(check: str, text: str, y: np.ndarray, want: np.ndarray, tol: float) -> Finding:
    """y (a float64 array) against want: every |y − want| ≤ tol·max(1, |want|) passes ('fn.ok'), else a
    failure at the worst element ('fn.mismatch'), or of the shape ('fn.shape'). ``text`` is the call shown."""
    if y.shape != want.shape:
        return Finding(check, "fail", "fn.shape", {"call": text, "got": y.shape, "want": want.shape})
    with np.errstate(all="ignore"):
        err = np.where(np.isnan(y) != np.isnan(want), np.inf, np.nan_to_num(np.abs(y - want), nan=0.0))
    allowed = tol * np.maximum(1.0, np.abs(want))
    if np.all(err <= allowed):
        return Finding(check, "pass", "fn.ok", {"call": text, "err": float(np.max(err, initial=0.0))})
    if y.ndim == 0:
        return Finding(check, "fail", "fn.mismatch.scalar", {"call": text, "got": float(y), "want": float(want)})
    i = np.unravel_index(np.argmax(err - allowed), err.shape)
    return Finding(check, "fail", "fn.mismatch", {"call": text, "index": fmt_index(i), "got": float(y[i]),
                                                   "want": float(want[i])})


def softmax_cause(x: np.ndarray, y: np.ndarray) -> list:
    """Extras naming why a batch softmax y of x (N, C) is wrong: the axis, the whole batch, the max."""
    with np.errstate(all="ignore"):
        if np.allclose(y.sum(axis=0), 1):
            return [("fn.softmax.axis0", {})]
        if np.isclose(y.sum(), 1):
            return [("fn.softmax.whole", {"size": y.size})]
        e = np.exp(x - x.max(axis=0))
        if np.allclose(y, e / e.sum(axis=1, keepdims=True)):
            return [("fn.softmax.max_axis", {})]
    return []


def same_rows(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether a holds exactly b's rows, in some order."""
    return a.shape == b.shape and sorted(map(bytes, a)) == sorted(map(bytes, b))
