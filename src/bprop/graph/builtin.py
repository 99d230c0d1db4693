"""The book's computational graphs, built from the engine's nodes.

Each function records a forward pass and returns the ``Graph``; call
``g.backward(dout=...)`` to send a gradient back from the output, then read
``g["x"].grad`` or draw it with ``g.save("g.svg")``.

>>> g = shopping()
>>> g.backward(dout=1)
>>> [format_number(g[n].grad) for n in ("apple", "apple_num", "tax")]
['2.2', '110', '650']
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from bprop._checks import integer
from bprop.graph.engine import Graph
from bprop.graph.render import format_number

__all__ = ["sigmoid", "relu", "tanh", "affine", "softmax_with_loss", "shopping", "mse", "GRAPHS"]


# Each builder's arguments are numbers or arrays (anything np.asarray takes), rebound to the graph's Values
# inside: hence Any.
def sigmoid(x: Any = 1.0) -> Graph:
    """y = 1/(1 + exp(−x)) as the book draws it (§5.5.2): x → ×(−1) → exp → +1 → / → y.

    Backward gives dx = dout·y·(1 − y). exp overflows for x < −709.
    """
    g = Graph(title=f"sigmoid at x = {format_number(x)}")
    x = g.input("x", x)
    g.reciprocal(g.add(g.exp(g.negate(x)), 1.0), name="y")
    return g


def relu(x: Any = (-1.0, 0.0, 2.0)) -> Graph:
    """y = max(0, x) (§5.5.1); dx = dout where x > 0, else 0 (0 at x = 0)."""
    g = Graph(title=f"ReLU at x = {format_number(x)}")
    x = g.input("x", x)
    g.max0(x, name="y")
    return g


def tanh(x: Any = 1.0) -> Graph:
    """y = (eˣ − e⁻ˣ)·1/(eˣ + e⁻ˣ), from exp, ×(−1), +, / and ×.

    x, eˣ and e⁻ˣ each feed two nodes, so backward shows the branch rule:
    their gradients are sums. dx = dout·(1 − y²). exp overflows for |x| > 709.
    """
    g = Graph(title=f"tanh at x = {format_number(x)}")
    x = g.input("x", x)
    a = g.exp(x)
    b = g.exp(g.negate(x))
    numerator = g.add(a, g.negate(b))
    denominator = g.add(a, b)
    g.mul(numerator, g.reciprocal(denominator), name="y")
    return g


def affine(x: Any = None, W: Any = None, b: Any = None, seed: int = 0,
           batch: int | None = None) -> Graph:
    """Y = X·W + B with the "dot" and "+" nodes (§5.6.1).

    Backward gives dX = dout·Wᵀ, dW = Xᵀ·dout, dB = dout summed over the batch.
    Missing arrays are drawn from ``np.random.default_rng(seed)``, rounded to
    one decimal so the picture stays readable: X of shape (2,) — or
    (batch, 2) — W (2, 3), B (3,), the shapes of the book's figure.
    """
    rng = np.random.default_rng(seed)
    if batch is not None:
        batch = integer(batch, "batch", 1, owner="affine")
    if x is None:
        x = rng.normal(size=(2,) if batch is None else (batch, 2)).round(1)
    if W is None:
        W = rng.normal(size=(np.shape(x)[-1], 3)).round(1)
    if b is None:
        b = rng.normal(size=(np.shape(W)[-1],)).round(1)
    g = Graph(title="affine: Y = X·W + B")
    X, W, B = g.input("X", x), g.input("W", W), g.input("B", b)
    if B.shape != (W.shape[-1],):
        raise ValueError(f"affine expected B of shape ({W.shape[-1]},) to match W {W.shape}, got {B.shape}")
    g.add(g.matmul(X, W), B, name="Y")
    return g


def softmax_with_loss(x: Any = (0.3, 2.9, 4.0), t: Any = 0) -> Graph:
    """Softmax then cross-entropy error, node by node (§5.6.3, appendix A).

    y = exp(x)·1/Σexp(x);  L = −Σ t·log(y), divided by N for a batch.
    x: scores of shape (C,) or (N, C); t: a class index (or N of them) or
    one-hot of x's shape. Backward gives dx = dout·(y − t)/N. The default is
    the book's scores (0.3, 2.9, 4.0) with label 0. Without the book's "subtract
    the max" trick, scores above 709 overflow.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim not in (1, 2) or x.shape[-1] < 2:
        raise ValueError(f"softmax_with_loss expected scores of shape (C,) or (N, C) with C ≥ 2, got {x.shape}")
    T = _one_hot(t, x.shape)
    N = 1 if x.ndim == 1 else x.shape[0]
    g = Graph(title=f"softmax-with-loss, {x.shape[-1]} classes")
    x = g.input("x", x)
    e = g.exp(x)
    y = g.mul(e, g.reciprocal(g.sum(e, axis=-1, keepdims=True)), name="y")
    loss = g.negate(g.sum(g.mul(g.log(y), g.const(T, name="t"))))
    if N > 1:
        loss = g.mul(loss, 1 / N)
    loss.name = "L"
    return g


def _one_hot(t, shape) -> np.ndarray:
    t = np.asarray(t)
    if t.shape == shape:
        if t.dtype.kind not in "iuf":
            raise TypeError(f"softmax_with_loss expected numeric one-hot t, got dtype {t.dtype}")
        return t.astype(float)
    labels_shape = shape[:-1]
    if t.shape != labels_shape or t.dtype.kind not in "iu":
        raise ValueError(
            f"softmax_with_loss expected t as integer label(s) of shape {labels_shape} "
            f"or one-hot of shape {shape}, got {t.dtype} {t.shape}"
        )
    C = shape[-1]
    if np.any((t < 0) | (t >= C)):
        raise ValueError(f"softmax_with_loss expected labels in 0..{C - 1}, got {t.tolist()}")
    return np.eye(C)[t]


def shopping(apple: Any = 100, apple_num: Any = 2, orange: Any = 150, orange_num: Any = 3,
             tax: Any = 1.1) -> Graph:
    """The book's shopping (§5.3–5.4): 2 apples at 100 yen, 3 oranges at 150 yen, tax 1.1.

    price = (apple·apple_num + orange·orange_num)·tax = 715 yen. With dout = 1:
    ∂price/∂apple = 2.2, ∂/∂apple_num = 110, ∂/∂orange = 3.3, ∂/∂orange_num = 165,
    ∂/∂tax = 650.
    """
    g = Graph(title="buying apples and oranges")
    apple, apple_num = g.input("apple", apple), g.input("apple_num", apple_num)
    orange, orange_num = g.input("orange", orange), g.input("orange_num", orange_num)
    tax = g.input("tax", tax)
    total = g.add(g.mul(apple, apple_num), g.mul(orange, orange_num))
    g.mul(total, tax, name="price")
    return g


def mse(y: Any = (0.1, 0.6, 0.3), t: Any = (0.0, 1.0, 0.0)) -> Graph:
    """Mean squared error L = ½·Σ(y − t)²/N from ×(−1), +, ^2, Σ and × nodes.

    N is the batch size (a 1-D y counts as one sample). Backward gives
    dy = dout·(y − t)/N.
    """
    y = np.asarray(y, dtype=float)
    t = np.asarray(t, dtype=float)
    if y.ndim == 0 or t.shape != y.shape:
        raise ValueError(f"mse expected y and t of the same shape with at least one axis, got {y.shape} and {t.shape}")
    N = 1 if y.ndim == 1 else y.shape[0]
    g = Graph(title="mean squared error")
    y = g.input("y", y)
    diff = g.add(y, g.negate(g.const(t, name="t")))
    g.mul(g.sum(g.square(diff)), 0.5 / N, name="L")
    return g


# The names `bprop graph NAME` knows, and the function drawing each.
GRAPHS: dict[str, Callable[..., Graph]] = {
    "sigmoid": sigmoid,
    "relu": relu,
    "tanh": tanh,
    "affine": affine,
    "softmax-with-loss": softmax_with_loss,
    "shopping": shopping,
    "mse": mse,
}
