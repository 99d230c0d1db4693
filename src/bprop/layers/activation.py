"""Elementwise activation layers: x of any shape in, y of the same shape and dtype out.

Each layer caches only what its backward needs: a boolean mask (Relu, LeakyRelu),
the output when the derivative is a function of it (Sigmoid, Tanh, Elu), or the
input (Gelu, Softplus, Silu). None of them writes into x or dout; the in-place
operations below act only on arrays the layer has just allocated.
"""

from __future__ import annotations

import numpy as np

from bprop.functions import sigmoid, softplus
from bprop.layers.base import Layer


_ZEROS = {}  # dtype -> a read-only zero array, grown on demand; see _zeros_in_layout_of


def _zeros_in_layout_of(y: np.ndarray) -> np.ndarray:
    """A read-only array of zeros with y's shape and memory order, for y C-contiguous up to an axis order.

    np.maximum(x, 0) with a scalar 0 runs NumPy 2.4's unvectorised broadcast
    loop (0.54 ms for 1.7M float32); against an array of zeros in the same
    order it runs the SIMD loop (0.19 ms): SimpleConvNet's Relu1 forward went
    from 0.75 to 0.40 ms (bench/conv_layers.py). The zeros are one
    ``np.zeros`` allocation per dtype, only ever read: its untouched pages map
    the kernel's shared zero page, so they cost no memory and no fresh page
    faults after the first call (a fresh ``np.zeros_like`` per call took 1.7 ms).
    """
    zeros = _ZEROS.get(y.dtype)
    if zeros is None or zeros.size < y.size:
        zeros = np.zeros(max(y.size, 2**20), dtype=y.dtype)
        zeros.flags.writeable = False
        _ZEROS[y.dtype] = zeros
    order = np.argsort(y.strides, kind="stable")[::-1]  # axes from outermost to innermost in memory
    return zeros[: y.size].reshape([y.shape[i] for i in order]).transpose(np.argsort(order))


class Relu(Layer):
    """ReLU: y = max(x, 0); dx = dout where x > 0, else 0.

    Convention at the kink: ReLU'(0) = 0, as in PyTorch and JAX (the book's
    mask is ``x <= 0``). x: any shape; y, dx: same shape and dtype. Caches a
    boolean mask; ``mask`` gives the book's ``x <= 0``.

    ``inplace=True`` (torch's ``nn.ReLU(inplace=True)``): forward writes y
    into x and returns x, backward writes dx into dout and returns dout —
    the one exception to "never writes into its arguments". For a layer
    whose x is a fresh array its producer keeps no reference to, as after a
    Convolution or an Affine in the conv nets, and whose dout is likewise
    fresh: it saves writing a second array as large (SimpleConvNet's
    training step 8.8 → 8.2 ms, 10.9 → 10.0 on one BLAS thread). Never give
    it an array you still need.

    >>> Relu().forward(np.array([-1.0, 0.0, 2.0]))
    array([0., 0., 2.])
    """

    def __init__(self, inplace=False):
        if not isinstance(inplace, bool):
            raise TypeError(f"Relu expected inplace True or False, got {inplace!r}")
        self.inplace = inplace
        self._positive = None

    @property
    def mask(self):
        """The book's mask: True where x <= 0, i.e. where backward blocks the gradient."""
        return None if self._positive is None else ~self._positive

    def forward(self, x, train_flg=True):
        given = x
        x = self._input(x)
        self._positive = x > 0
        # In x's memory order (channel-major after a convolution); in place only
        # when x is the caller's array itself, not a converted copy.
        y = x if self.inplace and x is given and x.flags.writeable else np.empty_like(x)
        return self._remember_output(np.maximum(x, _zeros_in_layout_of(y), out=y))

    def backward(self, dout):
        given = dout
        dout = self._dout(dout)
        # One multiply by the cached x > 0: under 2 ns/element, where the book's
        # masked assignment into dout costs 4-5 (bench/activations.py) and spoils the caller's dout.
        out = dout if self.inplace and dout is given and dout.flags.writeable else None
        return np.multiply(dout, self._positive, out=out)


class Sigmoid(Layer):
    """Sigmoid: y = 1/(1+exp(-x)); dx = dout·y·(1-y).

    x: any shape; y, dx: same shape and dtype. Exact limits 0 and 1 at ±1000,
    with no overflow warning. Caches y as ``out``, like the book.
    """

    def __init__(self):
        self.out = None

    def forward(self, x, train_flg=True):
        x = self._input(x)
        self.out = sigmoid(x)
        return self._remember_output(self.out)

    def backward(self, dout):
        dout = self._dout(dout)
        y = self.out
        dx = 1 - y
        dx *= y
        dx *= dout
        return dx


class Tanh(Layer):
    """Tanh: y = tanh(x); dx = dout·(1-y²).

    x: any shape; y, dx: same shape and dtype. Caches y as ``out``.
    """

    def __init__(self):
        self.out = None

    def forward(self, x, train_flg=True):
        x = self._input(x)
        self.out = np.tanh(x)
        return self._remember_output(self.out)

    def backward(self, dout):
        dout = self._dout(dout)
        dx = np.square(self.out)
        np.subtract(1, dx, out=dx)
        dx *= dout
        return dx


class LeakyRelu(Layer):
    """Leaky ReLU: y = x if x > 0 else alpha·x; dx = dout if x > 0 else alpha·dout.

    At the kink the slope is alpha (x = 0 counts as negative), as in PyTorch.
    x: any shape; y, dx: same shape and dtype. Caches the mask ``x <= 0`` and
    the slope (1 or alpha) per element.
    """

    def __init__(self, alpha=0.01):
        self.alpha = alpha
        self.mask = None
        self._slope = None

    def forward(self, x, train_flg=True):
        x = self._input(x)
        self.mask = x <= 0
        # slope = alpha + (1 - alpha)·[x > 0], in arithmetic: 1 ns/element where
        # np.where or a masked copy with a random mask costs 4-5 (bench/activations.py).
        alpha = x.dtype.type(self.alpha)
        slope = self.mask.astype(x.dtype)
        slope *= alpha - 1
        slope += 1
        self._slope = slope
        return self._remember_output(x * slope)

    def backward(self, dout):
        dout = self._dout(dout)
        return dout * self._slope


class Elu(Layer):
    """ELU: y = x if x > 0 else alpha·(exp(x)-1); dx = dout if x > 0 else dout·(y + alpha).

    At x = 0 the slope is alpha·exp(0) = alpha, as in PyTorch. x: any shape; y,
    dx: same shape and dtype. exp is taken of min(x, 0) only, so x = 1000 does
    not overflow. Caches y and the mask ``x <= 0``.
    """

    def __init__(self, alpha=1.0):
        self.alpha = alpha
        self.out = None
        self.mask = None

    def forward(self, x, train_flg=True):
        x = self._input(x)
        alpha = x.dtype.type(self.alpha)
        self.mask = x <= 0
        # y = max(x, 0) + alpha·expm1(min(x, 0)): arithmetic instead of np.where
        # with a random mask, 3x faster (bench/activations.py).
        negative = np.minimum(x, 0)
        np.expm1(negative, out=negative)
        negative *= alpha
        y = np.maximum(x, 0)
        y += negative
        self.out = y
        return self._remember_output(y)

    def backward(self, dout):
        dout = self._dout(dout)
        # slope = 1 + [x <= 0]·(min(y, 0) + alpha - 1); min keeps y = inf from making inf·0.
        slope = np.minimum(self.out, 0)
        slope += self.out.dtype.type(self.alpha - 1)
        slope *= self.mask
        slope += 1
        slope *= dout
        return slope


class Gelu(Layer):
    """GELU, tanh approximation (as PyTorch's ``approximate='tanh'``).

    y = ½·x·(1 + tanh(u)), u = √(2/π)·(x + 0.044715·x³)
    dx = dout·(½·(1 + tanh(u)) + ½·x·(1 - tanh²(u))·√(2/π)·(1 + 3·0.044715·x²))

    x: any shape; y, dx: same shape and dtype. At ±1000, x³ = ±1e9 is finite in
    float32 and tanh saturates: no overflow. Caches x and tanh(u).
    """

    _C = np.sqrt(2 / np.pi)
    _K = 0.044715

    def __init__(self):
        self.x = None
        self._tanh_u = None

    def forward(self, x, train_flg=True):
        x = self._input(x)
        c, k, half = (x.dtype.type(v) for v in (self._C, self._K, 0.5))
        self.x = x
        # In place on fresh arrays: u = c·x·(1 + k·x²), half the temporaries of
        # the formula written out (bench/activations.py).
        u = x * x
        u *= k
        u += 1
        u *= x
        u *= c
        self._tanh_u = np.tanh(u, out=u)
        y = self._tanh_u + 1
        y *= x
        y *= half
        return self._remember_output(y)

    def backward(self, dout):
        dout = self._dout(dout)
        x, t = self.x, self._tanh_u
        c, k, half = (x.dtype.type(v) for v in (self._C, self._K, 0.5))
        du = x * x  # du/dx = c·(1 + 3k·x²)
        du *= 3 * k
        du += 1
        du *= c
        dx = t * t  # ½·(1 + t) + ½·x·(1 - t²)·du
        np.subtract(1, dx, out=dx)
        dx *= du
        dx *= x
        dx += 1
        dx += t
        dx *= half
        dx *= dout
        return dx


class Softplus(Layer):
    """Softplus: y = log(1 + exp(x)); dx = dout·σ(x).

    Computed as max(x, 0) + log1p(exp(-|x|)): exact for every finite x, no
    overflow at ±1000 (PyTorch instead returns x itself for x > 20, which
    differs by less than 2.1e-9). x: any shape; y, dx: same shape and dtype.
    Caches x.
    """

    def __init__(self):
        self.x = None

    def forward(self, x, train_flg=True):
        self.x = self._input(x)
        return self._remember_output(softplus(self.x))

    def backward(self, dout):
        dout = self._dout(dout)
        dx = sigmoid(self.x)
        dx *= dout
        return dx


class Silu(Layer):
    """SiLU (swish): y = x·σ(x); dx = dout·σ(x)·(1 + x·(1 - σ(x))).

    x: any shape; y, dx: same shape and dtype. σ is the stable sigmoid, so
    x = -1000 gives y = -0.0 without warnings. Caches x and σ(x).
    """

    def __init__(self):
        self.x = None
        self._s = None

    def forward(self, x, train_flg=True):
        self.x = self._input(x)
        self._s = sigmoid(self.x)
        return self._remember_output(self.x * self._s)

    def backward(self, dout):
        dout = self._dout(dout)
        x, s = self.x, self._s
        dx = 1 - s
        dx *= x
        dx += 1
        dx *= s
        dx *= dout
        return dx


class Identity(Layer):
    """Identity: y = x; dx = dout.

    x: any shape; y, dx: same shape and dtype. Returns copies, so nothing
    downstream can alias x. Caches nothing.
    """

    def forward(self, x, train_flg=True):
        return self._remember_output(self._input(x).copy())

    def backward(self, dout):
        return self._dout(dout).copy()
