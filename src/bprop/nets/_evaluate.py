"""Counting a net's right answers over a large set, a batch at a time (``Sequential.accuracy``).

``count_correct_simple`` is the plain loop: ``predict`` on each batch of rows.
``count_correct`` gives the same count, faster where x is not of the dtype the net's
first layer computes in (the book's float32 MNIST in its float64 nets):

- a float64 net of ``Affine`` and ``Relu`` layers (TwoLayerNet, MultiLayerNet) scores
  float32 rows in float32 with a proven bound on the difference to float64
  (``bprop.nets._certified``): a row whose argmax the bound cannot change is counted
  from the float32 scores, the others (near-ties) are scored again in float64. The
  count is float64's; the work is float32's, about 2.4× faster a product.
- any other net gets each batch converted into one buffer allocated once, instead of
  the first layer converting it into a fresh array per batch: the same numbers,
  without allocating and faulting in a new array of 12 MB per batch.

(bench/book_scripts.py.)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bprop._kernels.nan import reject_nan
from bprop.layers.base import Layer
from bprop.nets._certified import Float32Argmax

__all__ = ["count_correct", "count_correct_simple"]


def count_correct(net: Any, x: np.ndarray, labels: np.ndarray, batch_size: int) -> int:
    """How many rows of x ``net.predict`` puts in their class (labels (N,)), batch_size rows at a time."""
    x = np.asarray(x)
    first = next(iter(net.layers.values()))
    dtype = first._param_dtype() if isinstance(first, Layer) else None  # the dtype its _input converts to
    if dtype is None or x.dtype == dtype or x.dtype.kind != "f":  # the first layer would not convert x
        return count_correct_simple(net, x, labels, batch_size)
    buffer = np.empty((min(batch_size, len(x)), *x.shape[1:]), dtype=dtype)
    float32_argmax = Float32Argmax.for_net(net, x)
    correct = 0
    for start in range(0, len(x), batch_size):
        rows, want = x[start:start + batch_size], labels[start:start + batch_size]
        if float32_argmax is not None:
            reject_nan(rows, "x", type(net).__name__)  # as predict refuses it
            top, certain = float32_argmax(rows)
            correct += int(np.count_nonzero((top == want) & certain))
            uncertain = np.flatnonzero(~certain)
            rows, want = rows[uncertain], want[uncertain]
            if not len(rows):
                continue
        batch = buffer[:len(rows)]
        np.copyto(batch, rows)
        y = net.predict(batch, train_flg=False)
        correct += int(np.count_nonzero(y.argmax(axis=1) == want))
    return correct


def count_correct_simple(net: Any, x: np.ndarray, labels: np.ndarray, batch_size: int) -> int:
    """What ``count_correct`` returns: ``predict`` on each batch of x as it is."""
    correct = 0
    for start in range(0, len(x), batch_size):
        y = net.predict(x[start:start + batch_size], train_flg=False)
        correct += int(np.count_nonzero(y.argmax(axis=1) == labels[start:start + batch_size]))
    return correct
