"""Dropout (book §6.4.1), in its inverted form."""

from __future__ import annotations

import numpy as np

from bprop.layers.base import Layer


class Dropout(Layer):
    """Inverted dropout: drop each element with probability dropout_ratio, scale the rest by 1/(1-ratio).

    Training (``train_flg=True``): mask = u ≥ ratio with u uniform in [0, 1), so
    each element is kept with probability exactly 1 - ratio;
    y = x·mask/(1 - ratio); dx = dout·mask/(1 - ratio), with the mask of the last
    forward. E[y] = x, so inference needs no correction.

    Inference (``train_flg=False``): y = x and dx = dout (copies).

    The book's Dropout is not inverted: it trains with y = x·mask and infers with
    y = x·(1 - ratio). Both give the next layer the same expected input; the
    inverted form, which PyTorch uses too, leaves inference untouched, so a net
    can drop the layer after training. Its ``mask`` keeps the book's meaning:
    True where the element is kept.

    x: any shape; y, dx: the same shape and dtype. The mask is drawn from the
    layer's own ``rng`` (``np.random.Generator``): pass ``seed=`` (or ``rng=``)
    and the same seed gives the same sequence of masks for the same shapes and
    dtype; by default a fresh unseeded generator. float32 input draws float32
    uniforms (half the bytes of float64). An inf that is dropped gives NaN, as
    in PyTorch (0·inf; NumPy warns of an invalid value). Caches the boolean ``mask``.
    """

    def __init__(self, dropout_ratio=0.5, *, seed=None, rng=None):
        try:
            ratio = float(dropout_ratio)
        except (TypeError, ValueError):
            raise TypeError(f"Dropout expected a number for dropout_ratio, got {dropout_ratio!r}") from None
        if not 0.0 <= ratio < 1.0:
            raise ValueError(f"Dropout expected dropout_ratio in [0, 1), got {dropout_ratio!r}")
        if rng is not None and seed is not None:
            raise ValueError("Dropout takes a seed or an rng, not both")
        if rng is not None and not isinstance(rng, np.random.Generator):
            raise TypeError(f"Dropout expected rng to be a numpy.random.Generator, got {type(rng).__name__}")
        self.dropout_ratio = ratio
        self.rng = rng if rng is not None else np.random.default_rng(seed)
        self.mask = None
        self._train = None

    def forward(self, x, train_flg=True):
        x = self._input(x)
        self._train = bool(train_flg)
        if not self._train:
            return self._remember_output(x.copy())
        ratio = self.dropout_ratio
        u = self.rng.random(x.shape, dtype=x.dtype)
        self.mask = u >= x.dtype.type(ratio)
        return self._remember_output(self._apply_mask(x))

    def backward(self, dout):
        dout = self._dout(dout)
        if not self._train:
            return dout.copy()
        return self._apply_mask(dout)

    def _apply_mask(self, a: np.ndarray) -> np.ndarray:
        # A multiply by the boolean mask, as Relu's backward: cheaper than
        # np.where or masked assignment (../shared/NOTES.md).
        out = np.multiply(a, self.mask)
        if self.dropout_ratio:
            out *= a.dtype.type(1 / (1 - self.dropout_ratio))
        return out
