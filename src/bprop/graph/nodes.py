"""The nodes of a computational graph (book §5.4): one small operation each, forward and backward side by side.

A *node* is one small operation. ``forward`` takes the input values and keeps
what ``backward`` will need; ``backward(dout)`` takes ∂L/∂output and returns
∂L/∂input, one gradient per input — as the book's MulLayer and AddLayer.
``Graph`` (engine.py) records them as they are applied.

Numbers stay NumPy scalars and arrays stay arrays; float32 stays float32. The
nodes compute exactly what the book draws, so they have the book's numerics:
``Exp`` of more than about 709 (88 in float32) overflows, and says so with a
ValueError rather than passing inf along. The layers in ``bprop.layers`` use
stable closed forms instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bprop._types import Numeric
from bprop.functions import sum_to_shape

__all__ = ["Node", "Mul", "Add", "Negate", "Exp", "Log", "Reciprocal", "Max0", "Sum", "MatMul", "Square"]


class Node:
    """One operation: ``forward(*inputs) -> output``; ``backward(dout) -> (dinput, ...)``.

    ``symbol`` is what the picture writes in the node's circle. A node object
    is used once, like the book's layers: ``forward`` saves what ``backward``
    needs on the object with ``save``, and ``backward`` reads it with ``saved``.
    Subclass it to add your own node and apply it with ``Graph.apply``.
    """

    symbol = "?"

    def forward(self, *inputs: Any) -> Any:
        raise NotImplementedError

    def backward(self, dout: Any) -> Any:
        raise NotImplementedError

    def save(self, *arrays: Any) -> None:
        self._saved = arrays

    def saved(self) -> Any:
        try:
            arrays = self._saved
        except AttributeError:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward") from None
        return arrays[0] if len(arrays) == 1 else arrays


class Mul(Node):
    """z = x·y; dx = dout·y, dy = dout·x — each input gets the *other* input (§5.4.1).

    Elementwise, with NumPy broadcasting; backward sums over broadcast axes so
    each gradient has its input's shape.
    """

    symbol = "×"

    def forward(self, x: Numeric, y: Numeric) -> Numeric:
        self.save(x, y)
        return x * y

    def backward(self, dout: Numeric) -> tuple[Numeric, Numeric]:
        x, y = self.saved()
        return sum_to_shape(dout * y, np.shape(x)), sum_to_shape(dout * x, np.shape(y))


class Add(Node):
    """z = x + y; dx = dout, dy = dout — addition passes the gradient on unchanged (§5.4.2).

    Broadcasting as in Mul: adding a bias b of shape (M,) to (N, M) gives db = Σ_n dout.
    """

    symbol = "+"

    def forward(self, x: Numeric, y: Numeric) -> Numeric:
        self.save(np.shape(x), np.shape(y))
        return x + y

    def backward(self, dout: np.ndarray) -> tuple[Numeric, Numeric]:
        x_shape, y_shape = self.saved()
        return sum_to_shape(dout, x_shape), sum_to_shape(dout, y_shape)


class Negate(Node):
    """y = −x; dx = −dout. The book draws it as "×" with a constant −1."""

    symbol = "×(−1)"

    def forward(self, x: Numeric) -> Numeric:
        return -x

    def backward(self, dout: Numeric) -> tuple[Numeric]:
        return (-dout,)


class Exp(Node):
    """y = exp(x); dx = dout·y — exp is its own derivative, so backward reuses y.

    Raises ValueError where exp overflows (x > 709.78 in float64, 88.72 in float32).
    """

    symbol = "exp"

    def forward(self, x: Numeric) -> Numeric:
        dtype = np.asarray(x).dtype  # a Python number is float64, as NumPy 2 and 1.x both agree on for arrays
        limit = np.log(np.finfo(dtype if dtype.kind == "f" else np.float64).max)
        if np.any(x > limit):
            raise ValueError(
                f"Exp got {np.max(x):.6g}, but exp overflows above {limit:.6g}; "
                "the node graph computes the formula as the book draws it (bprop.layers has stable forms)"
            )
        y = np.exp(x)
        self.save(y)
        return y

    def backward(self, dout: Numeric) -> tuple[Numeric]:
        y = self.saved()
        return (dout * y,)


class Log(Node):
    """y = log(x); dx = dout/x. Raises ValueError for x ≤ 0."""

    symbol = "log"

    def forward(self, x: Numeric) -> Numeric:
        if np.any(x <= 0):
            raise ValueError(f"Log expected positive input, got {np.min(x):.6g}")
        self.save(x)
        return np.log(x)

    def backward(self, dout: Numeric) -> tuple[Numeric]:
        x = self.saved()
        return (dout / x,)


class Reciprocal(Node):
    """y = 1/x; dx = −dout·y² (the book's "/" node, §5.5.2). Raises ValueError for x = 0."""

    symbol = "/"

    def forward(self, x: Numeric) -> Numeric:
        if np.any(x == 0):
            raise ValueError("Reciprocal got 0, where 1/x is undefined")
        y = 1 / x
        self.save(y)
        return y

    def backward(self, dout: Numeric) -> tuple[Numeric]:
        y = self.saved()
        return (-dout * y * y,)


class Max0(Node):
    """y = max(x, 0) (ReLU); dx = dout where x > 0, else 0. At x = 0 the gradient is 0."""

    symbol = "max(0,·)"

    def forward(self, x: Numeric) -> Numeric:
        mask = x > 0
        self.save(mask)
        return np.maximum(x, 0)

    def backward(self, dout: Numeric) -> tuple[Numeric]:
        mask = self.saved()
        return (dout * mask,)


class Sum(Node):
    """y = Σ x over ``axis`` (all elements when None); dx = dout copied back to every summed element.

    ``keepdims=True`` keeps the summed axis with length 1, so y broadcasts
    against x (softmax's denominator).
    """

    symbol = "Σ"

    def __init__(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> None:
        self.axis = axis
        self.keepdims = keepdims

    def forward(self, x: Numeric) -> Numeric:
        self.save(np.shape(x))
        return np.sum(x, axis=self.axis, keepdims=self.keepdims)

    def backward(self, dout: Numeric) -> tuple[Numeric]:
        x_shape = self.saved()
        if self.axis is not None and not self.keepdims:
            dout = np.expand_dims(dout, self.axis)
        return (np.broadcast_to(dout, x_shape).copy(),)


class MatMul(Node):
    """Y = X·W; dX = dout·Wᵀ, dW = Xᵀ·dout (the book's "dot" node, §5.6.1).

    X: (D,) or (N, D); W: (D, M); Y: (M,) or (N, M).
    """

    symbol = "dot"

    def forward(self, x: np.ndarray, W: np.ndarray) -> np.ndarray:
        if np.ndim(W) != 2 or np.ndim(x) not in (1, 2) or np.shape(x)[-1] != np.shape(W)[0]:
            raise ValueError(
                f"MatMul expected X of shape (D,) or (N, D) and W of shape (D, M), "
                f"got X {np.shape(x)} and W {np.shape(W)}"
            )
        self.save(x, W)
        return x @ W

    def backward(self, dout: Numeric) -> tuple[Numeric, Numeric]:
        x, W = self.saved()
        dW = np.outer(x, dout) if np.ndim(x) == 1 else x.T @ dout
        return dout @ W.T, dW


class Square(Node):
    """y = x²; dx = dout·2x."""

    symbol = "^2"

    def forward(self, x: Numeric) -> Numeric:
        self.save(x)
        return x * x

    def backward(self, dout: Numeric) -> tuple[Numeric]:
        x = self.saved()
        return (dout * 2 * x,)
