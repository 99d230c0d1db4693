"""A float64 Affine–ReLU net's argmax computed in float32, with a proof that it is float64's.

The book's MNIST is float32 and its nets are float64: every evaluation converts the
images and runs the products in float64 (bench/book_scripts.py). For a net made of
``Affine`` and ``Relu`` layers only, ``Float32Argmax`` computes the scores ŝ in float32
instead, together with a bound E on how far they can be from the float64 scores s:
|ŝ − s| ≤ E elementwise. A row whose top score beats every other even at the bound's
worst, ŝ_top − E_top > ŝ_j + E_j for all j ≠ top, has the float64 argmax top; the
other rows (near-ties, and any row with an overflow) are left to float64.

The bound, per layer z = a·W + b with a (N, K) computed in float32 and already off by at
most e (N, K) from float64's a*, W and b float64, W₃₂ and b₃₂ their float32 roundings,
u₃₂ = 2⁻²⁴ and u₆₄ = 2⁻⁵³ the unit roundoffs:

    |ẑ − z*| ≤ |e|·|W| + (K + 2)(u₃₂ + u₆₄)(|a|·|W| + |b|) + (K + √K‖a‖₂ + 1)·2⁻¹⁴⁹

(the float32 sum of K products and the bias, whatever the order BLAS adds them in
(Higham, *Accuracy and Stability of Numerical Algorithms*, §3.1), W's and b's rounding
to float32, float64's own rounding of the reference, and the absolute error of float32
underflow), and with Cauchy–Schwarz, cheaply for every row at once,

    |e|·|W|_j ≤ ‖e_n‖₂ ‖W_j‖₂,   |a|·|W|_j ≤ ‖a_n‖₂ ‖W_j‖₂

(W_j: column j). ReLU is exact in float32 and 1-Lipschitz: it keeps e. The bound is
widened by 1 % for the rounding of its own arithmetic.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bprop.layers.activation import Relu
from bprop.layers.linear import Affine

__all__ = ["Float32Argmax"]

_U32, _U64 = 2.0 ** -24, 2.0 ** -53
_TINY32 = 2.0 ** -149  # float32's smallest subnormal: underflow's absolute error is at most half of it
_SAFETY = 1.01
_F32_SAFE = float(np.finfo(np.float32).max) / 4  # weights beyond this would overflow in float32


class _Dense:
    """One Affine layer in float32, with what the bound needs of it."""

    def __init__(self, layer: Affine) -> None:
        self.W = layer.W.astype(np.float32)
        self.b = layer.b.astype(np.float32)
        self.K = layer.W.shape[0]
        self.column_norms = np.sqrt(np.einsum("km,km->m", layer.W, layer.W))  # ‖W_j‖₂, float64
        self.abs_b = np.abs(layer.b)
        self.c = _SAFETY * (self.K + 2) * (_U32 + _U64)

    def forward(self, a: np.ndarray, e_norms: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        """(ẑ float32 (N, M), its bound E float64 (N, M)) from a float32 (N, K) off by ‖e_n‖₂ ≤ e_norms."""
        z = a @ self.W
        z += self.b
        # ‖a_n‖₂ from a float32 sum of K squares (relative error ≤ γ_K, all terms ≥ 0), widened to cover it
        a_norms = np.sqrt(np.einsum("nk,nk->n", a, a).astype(np.float64) * (1 + 2 * self.c))
        bound = np.multiply.outer(self.c * a_norms + _SAFETY * e_norms, self.column_norms)
        bound += self.c * self.abs_b
        bound += (_SAFETY * _TINY32 * (self.K + 1 + np.sqrt(self.K) * a_norms))[:, None]
        return z, bound


class Float32Argmax:
    """argmax of a float64 Affine/Relu net's scores from float32 work, where it is provably float64's.

    ``for_net(net, x)`` builds one when it applies (x float32, the net float64, its layers
    exactly ``Affine`` and ``Relu``, weights within float32's range) and gives None
    otherwise. ``__call__(x)`` returns (argmax (N,), certain (N,) bool): where ``certain``
    is False the caller asks float64.
    """

    def __init__(self, steps: list[_Dense | None]) -> None:
        self.steps = steps  # _Dense for an Affine, None for a Relu

    @classmethod
    def for_net(cls, net: Any, x: np.ndarray) -> Float32Argmax | None:
        layers = list(getattr(net, "layers", {}).values())
        if x.dtype != np.float32 or x.ndim < 2 or not layers or type(layers[0]) is not Affine:
            return None
        if int(np.prod(x.shape[1:])) != layers[0].W.shape[0]:
            return None  # predict's Affine says what is wrong
        if any(type(layer) not in (Affine, Relu) for layer in layers):
            return None  # anything else (a learner's subclass included) has no bound here
        affines = [layer for layer in layers if type(layer) is Affine]
        for layer in affines:
            if layer.W.dtype != np.float64 or layer.b.dtype != np.float64:
                return None
            if not all(np.isfinite(p).all() and np.abs(p).max(initial=0.0) < _F32_SAFE for p in (layer.W, layer.b)):
                return None
        return cls([_Dense(layer) if type(layer) is Affine else None for layer in layers])

    def __call__(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        scores, bound = self.scores_and_bound(x)
        with np.errstate(invalid="ignore"):  # inf − inf in a row that overflowed: NaN, so that row is uncertain
            return self._decide(scores, bound)

    def scores_and_bound(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(ŝ float32 (N, C), E float64 (N, C)) with |ŝ − s| ≤ E, s the float64 net's scores."""
        with np.errstate(all="ignore"):  # an overflow in float32 only makes its row uncertain (``_decide``)
            a, bound = x.reshape(len(x), -1), np.zeros((len(x), 1))  # x itself is exact
            for step in self.steps:
                if step is None:
                    a = np.maximum(a, 0, out=a)  # a is ours: the first layer is an Affine
                else:
                    a, bound = step.forward(a, np.sqrt(np.einsum("nm,nm->n", bound, bound)))
            return a, bound

    @staticmethod
    def _decide(scores: np.ndarray, bound: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        top = scores.argmax(axis=1)
        rows = np.arange(len(scores))
        low = scores[rows, top] - bound[rows, top]
        high = scores + bound
        high[rows, top] = -np.inf
        certain = low > high.max(axis=1)  # NaN or inf anywhere in a row: False
        return top, certain
