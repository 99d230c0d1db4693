"""Linear layers: the ch.5.4 Mul/Add nodes and Affine."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from bprop._kernels.nan import reject_nan_through
from bprop.functions import sum_to_shape
from bprop.layers.base import Layer, as_float_array


def _scalar_if_0d(a: np.ndarray) -> Any:
    """0-d arrays come back as NumPy scalars, so the book's ``print(price)`` reads 220.0…"""
    return a[()] if a.ndim == 0 else a


class _BinaryNode(Layer):
    """Shared input handling of the two-input nodes: numbers or arrays, broadcast."""

    role = "node"
    _shapes: tuple[tuple[int, ...], tuple[int, ...]]

    def _inputs(self, x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        ax = as_float_array(x, "x", self._name)
        ay = as_float_array(y, "y", self._name)
        # Python numbers are weak in np.result_type (NEP 50): 1.1 × float32 stays float32.
        dtype = np.result_type(*(v if isinstance(v, (int, float)) else a for v, a in ((x, ax), (y, ay))))
        dtype = dtype if dtype.kind == "f" else np.dtype(np.float64)
        x, y = ax.astype(dtype, copy=False), ay.astype(dtype, copy=False)
        try:
            shape = np.broadcast_shapes(x.shape, y.shape)
        except ValueError:
            raise ValueError(
                f"{self._name} cannot combine x of shape {x.shape} with y of shape {y.shape}"
            ) from None
        self._shapes = (x.shape, y.shape)
        self._out_shape, self._out_dtype = shape, dtype
        return x, y


class MulLayer(_BinaryNode):
    """Multiplication node (book §5.4.1): out = x·y; dx = dout·y, dy = dout·x.

    x, y: numbers or arrays that broadcast together; out: their broadcast shape.
    backward returns (dx, dy) in the shapes of x and y. Caches x and y.

    >>> apple = MulLayer(); print(apple.forward(100, 2))
    200.0
    >>> print(*apple.backward(1.1))
    2.2 110.00000000000001
    """

    x: np.ndarray | None
    y: np.ndarray | None

    def __init__(self) -> None:
        self.x = None
        self.y = None

    def forward(self, x: npt.ArrayLike, y: npt.ArrayLike) -> Any:
        """x·y: a NumPy scalar when 0-d, else an array."""
        self.x, self.y = self._inputs(x, y)
        return _scalar_if_0d(self.x * self.y)

    def backward(self, dout: npt.ArrayLike) -> tuple[Any, Any]:
        dout = self._dout(dout)
        x_shape, y_shape = self._shapes
        dx = sum_to_shape(dout * self._cached(self.y), x_shape)
        dy = sum_to_shape(dout * self._cached(self.x), y_shape)
        return _scalar_if_0d(dx), _scalar_if_0d(dy)


class AddLayer(_BinaryNode):
    """Addition node (book §5.4.2): out = x + y; dx = dout, dy = dout.

    x, y: numbers or arrays that broadcast together; backward returns (dx, dy)
    in the shapes of x and y. Caches only the shapes.
    """

    def forward(self, x: npt.ArrayLike, y: npt.ArrayLike) -> Any:
        """x + y: a NumPy scalar when 0-d, else an array."""
        x, y = self._inputs(x, y)
        return _scalar_if_0d(x + y)

    def backward(self, dout: npt.ArrayLike) -> tuple[Any, Any]:
        dout = self._dout(dout)
        x_shape, y_shape = self._shapes
        dx = sum_to_shape(dout, x_shape).copy()
        dy = sum_to_shape(dout, y_shape).copy()
        return _scalar_if_0d(dx), _scalar_if_0d(dy)


class Affine(Layer):
    """Affine (fully connected): out = x·W + b.

    dx = dout·Wᵀ, dW = xᵀ·dout, db = Σ_n dout (a sum over the batch, not a mean).

    W: (D, M); b: (M,). x: (N, D), or any (N, d1, d2, …) with d1·d2·… = D — it is
    flattened per sample, and dx comes back in x's own shape. out, dout: (N, M).
    Caches x flattened to (N, D) and x's shape. The parameters are kept as
    given, not copied: an optimizer updating them in place updates the layer.
    """

    param_names = ("W", "b")
    dims = {"W": ("D", "M")}
    repr_format = "{D} → {M}"
    W: np.ndarray
    b: np.ndarray
    dW: np.ndarray | None
    db: np.ndarray | None
    x: np.ndarray | None
    original_x_shape: tuple[int, ...] | None

    def __init__(self, W: npt.ArrayLike, b: npt.ArrayLike) -> None:
        self.W, self.b = self._weight_and_bias(W, b, out_axis=1)
        self.dW = None
        self.db = None
        self.x = None
        self.original_x_shape = None

    def forward(self, x: npt.ArrayLike, train_flg: bool = True) -> np.ndarray:
        x = self._input(x, check_nan=False)
        in_features = self.W.shape[0]
        if x.ndim == 0 or x.size != x.shape[0] * in_features:
            one = "; for one sample pass a batch of one, x[None] or x.reshape(1, -1)" \
                if x.ndim == 1 and x.size == in_features else ""
            raise ValueError(
                f"Affine expected input with {in_features} features per sample, "
                f"got shape {x.shape}{one}"
            )
        flat = x.reshape(x.shape[0], in_features)
        out = flat @ self.W
        out += self.b
        reject_nan_through(out, x, "x", self._name)  # a NaN in x reaches its whole row of out
        # cached only now: a refused x leaves the last good forward's cache for backward
        self.original_x_shape = x.shape
        self.x = flat
        return self._remember_output(out)

    def _param_grads(self, dout: np.ndarray) -> None:
        self.dW = self._cached(self.x).T @ dout
        self.db = dout.sum(axis=0)

    def backward(self, dout: npt.ArrayLike) -> np.ndarray:
        dout = self._dout(dout)
        self._param_grads(dout)
        return (dout @ self.W.T).reshape(self.original_x_shape)

    def backward_params(self, dout: npt.ArrayLike) -> None:
        """backward without dx: leaves dW and db, returns None.

        For a net's first layer, whose dx nobody reads (``Sequential`` calls it
        there): it skips the (N, M)·(M, D) product (bench/train_mlp.py).
        """
        self._param_grads(self._dout(dout))
