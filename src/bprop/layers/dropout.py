"""Dropout (book §6.4.1), in its inverted form (PyTorch's) or the book's."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from bprop._checks import mode_flag
from bprop._types import Seed
from bprop.layers.base import Layer
from bprop.layers.options import choice, number


class Dropout(Layer):
    """Dropout: drop each element with probability dropout_ratio; scale so the expected output is kept.

    Training (``train_flg=True``): mask = u ≥ ratio with u uniform in [0, 1), so
    each element is kept with probability exactly 1 - ratio. Where the scale goes
    is ``scale_at``:

    - ``"train"`` (default; inverted dropout, as PyTorch): y = x·mask/(1 - ratio),
      dx = dout·mask/(1 - ratio), with the mask of the last forward; inference:
      y = x, dx = dout (copies). E[y] = x, so a net can drop the layer after training.
    - ``"test"`` (the book's ``Dropout``): y = x·mask, dx = dout·mask; inference:
      y = x·(1 - ratio), dx = dout·(1 - ratio).

    Both give the next layer the same expected input, but they train
    differently after the last Affine, as in the book's DeepConvNet: the
    inverted form doubles the training scores (ratio 0.5), which then need
    weights half as large: with Adam's fixed step sizes that is a 4× larger
    step and a 4× larger start for the last two layers. ``DeepConvNet`` uses
    the book's form, which reached the higher accuracy (its docstring).
    ``mask`` keeps the book's meaning: True where the element is kept.

    x: any shape; y, dx: the same shape and dtype. The mask is drawn from the
    layer's own ``rng`` (``np.random.Generator``): pass ``seed=`` (or ``rng=``)
    and the same seed gives the same sequence of masks for the same shapes and
    dtype; by default a fresh unseeded generator. float32 input draws float32
    uniforms (half the bytes of float64). An inf that is dropped gives NaN, as
    in PyTorch (0·inf; NumPy warns of an invalid value). Caches the boolean ``mask``.
    """

    options = (number("dropout_ratio", 0.0, 1.0, open_high=True),
               choice("scale_at", {"train": "inverted", "test": "the book's"}))
    repr_format = "dropout_ratio={dropout_ratio}"
    dropout_ratio: float
    scale_at: str
    rng: np.random.Generator
    mask: np.ndarray | None
    _train: bool | None

    def __init__(self, dropout_ratio: float = 0.5, *, scale_at: str = "train", seed: Seed = None,
                 rng: np.random.Generator | None = None) -> None:
        self._set_options(dropout_ratio=dropout_ratio, scale_at=scale_at)
        if rng is not None and seed is not None:
            raise ValueError("Dropout takes a seed or an rng, not both")
        if rng is not None and not isinstance(rng, np.random.Generator):
            raise TypeError(f"Dropout expected rng to be a numpy.random.Generator, got {type(rng).__name__}")
        self.rng = rng if rng is not None else np.random.default_rng(seed)
        self.mask = None
        self._train = None

    def forward(self, x: npt.ArrayLike, train_flg: bool = True) -> np.ndarray:
        x = self._input(x)
        self._train = mode_flag(train_flg, self._name)
        if not self._train:
            return self._remember_output(self._inference(x))
        ratio = self.dropout_ratio
        u = self.rng.random(x.shape, dtype=x.dtype)
        self.mask = u >= x.dtype.type(ratio)
        return self._remember_output(self._apply_mask(x))

    def backward(self, dout: npt.ArrayLike) -> np.ndarray:
        dout = self._dout(dout)
        if not self._train:
            return self._inference(dout)
        return self._apply_mask(dout)

    def _inference(self, a: np.ndarray) -> np.ndarray:
        if self.scale_at == "train":
            return a.copy()
        return a * a.dtype.type(1 - self.dropout_ratio)

    def _apply_mask(self, a: np.ndarray) -> np.ndarray:
        # A multiply by the boolean mask, as Relu's backward: cheaper than
        # np.where or masked assignment (bench/activations.py).
        out = np.multiply(a, self._cached(self.mask))
        if self.dropout_ratio and self.scale_at == "train":
            out *= a.dtype.type(1 / (1 - self.dropout_ratio))
        return out
