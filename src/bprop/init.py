"""Weight initialisation, as in the book (§6.2): a Gaussian with a chosen standard deviation.

The book's ``weight_init_std`` is either a number, used as the standard
deviation itself, or a name that picks it from the layer's fan-in n_in (the
number of inputs each unit sees):

    'he', 'relu'         σ = √(2/n_in)   He et al. (2015), for ReLU-like activations
    'xavier', 'sigmoid'  σ = √(1/n_in)   Glorot & Bengio (2010) as the book simplifies it,
                                          for sigmoid and tanh

Biases start at zero. ``weights`` draws W ~ N(0, σ²) of shape (n_in, n_out)
directly in the requested dtype, so float32 nets never hold a float64 copy.

>>> std("he", 784)
0.050507627227610534
>>> weights(784, 50, 0.01, rng=np.random.default_rng(0), dtype=np.float32).dtype
dtype('float32')
"""

from __future__ import annotations

import math
import numbers

import numpy as np
from numpy.typing import DTypeLike

from bprop._checks import float_dtype, is_integer, positive_int
from bprop._types import InitSpec, Seed

__all__ = ["std", "he", "xavier", "weights", "as_generator", "SPEC_NAMES", "float_dtype", "positive_int"]

_HE = ("he", "relu")
_XAVIER = ("xavier", "sigmoid")
SPEC_NAMES = _HE + _XAVIER


def he(n_in: int) -> float:
    """He's standard deviation √(2/n_in), for layers followed by ReLU."""
    return math.sqrt(2.0 / _fan_in(n_in))


def xavier(n_in: int) -> float:
    """The book's Xavier standard deviation √(1/n_in), for sigmoid or tanh layers."""
    return math.sqrt(1.0 / _fan_in(n_in))


def std(spec: InitSpec, n_in: int) -> float:
    """The standard deviation that ``spec`` (the book's ``weight_init_std``) gives for fan-in n_in.

    spec: a number ≥ 0 (returned as it is), or 'he'/'relu' or 'xavier'/'sigmoid'
    (any case). Anything else raises ValueError (TypeError for a non-number,
    non-string), naming the accepted values.
    """
    if isinstance(spec, str):
        name = spec.strip().lower()
        if name in _HE:
            return he(n_in)
        if name in _XAVIER:
            return xavier(n_in)
        raise ValueError(
            f"unknown weight init {spec!r}: expected 'he' (or 'relu'), 'xavier' "
            f"(or 'sigmoid'), or a standard deviation such as 0.01"
        )
    if isinstance(spec, (bool, np.bool_)) or not isinstance(spec, numbers.Real):
        raise TypeError(
            f"weight init must be a standard deviation (a number) or one of "
            f"{', '.join(repr(s) for s in SPEC_NAMES)}, got {type(spec).__name__} {spec!r}"
        )
    value = float(spec)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"weight init standard deviation must be a finite number >= 0, got {spec!r}")
    return value


def weights(n_in: int, n_out: int, spec: InitSpec = 0.01, *, rng: Seed = None,
            dtype: DTypeLike = np.float64) -> np.ndarray:
    """A weight matrix W of shape (n_in, n_out) drawn from N(0, std(spec, n_in)²).

    rng: a ``numpy.random.Generator``, an int seed, or None (fresh entropy).
    dtype: float32 or float64; the draw itself is made in that dtype.
    """
    dtype = float_dtype(dtype)
    sigma = std(spec, n_in)
    W = as_generator(rng).standard_normal((_fan_in(n_in), positive_int(n_out, "n_out")), dtype=dtype)
    W *= dtype.type(sigma)
    return W


def as_generator(rng: Seed) -> np.random.Generator:
    """rng as a Generator: a Generator is used as is; an int or None seeds a new one."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or is_integer(rng):
        return np.random.default_rng(rng)
    raise TypeError(f"rng must be a numpy.random.Generator, an int seed or None, got {type(rng).__name__}")


def _fan_in(n_in) -> int:
    return positive_int(n_in, "n_in")
