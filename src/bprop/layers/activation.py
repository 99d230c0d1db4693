"""Elementwise activation layers: x of any shape in, y of the same shape and dtype out.

Each layer caches only what its backward needs: a boolean mask (Relu, LeakyRelu),
the output when the derivative is a function of it (Sigmoid, Tanh, Elu), or the
input (Gelu, Softplus, Silu). None of them writes into x or dout (but
``Relu(inplace=True)``, when asked); the in-place operations below act only on
arrays the layer has just allocated, which saves temporaries
(bench/activations.py). The longer fast forms (Relu's max, Elu, Gelu) live in
``bprop._kernels.elementwise`` beside the plain formulas they must equal.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from bprop._kernels.elementwise import elu, elu_backward, gelu_tanh, gelu_tanh_backward, relu_into
from bprop.functions import normal_cdf, normal_pdf, sigmoid, softplus
from bprop.layers.base import Layer
from bprop.layers.options import flag, number


class Relu(Layer):
    """ReLU: y = max(x, 0); dx = dout where x > 0, else 0.

    Convention at the kink: ReLU'(0) = 0, as in PyTorch and JAX (the book's
    mask is ``x <= 0``). x: any shape; y, dx: same shape and dtype. Caches a
    boolean mask; ``mask`` gives the book's ``x <= 0``.

    ``inplace=True`` (torch's ``nn.ReLU(inplace=True)``): forward writes y
    into x and returns x, backward writes dx into dout and returns dout —
    the one exception to "never writes into its arguments". It is for a Relu
    whose x is a fresh array nobody else keeps (the output of a Convolution or
    an Affine, as in the conv nets) and whose dout is fresh likewise: it saves
    writing a second array as large (bench/train_conv.py). Never give it an
    array you still need.

    >>> Relu().forward(np.array([-1.0, 0.0, 2.0]))
    array([0., 0., 2.])
    """

    role = "activation"
    options = (flag("inplace", saved=False),)
    inplace: bool
    _positive: np.ndarray | None

    def __init__(self, inplace: bool = False) -> None:
        self._set_options(inplace=inplace)
        self._positive = None

    @property
    def mask(self) -> np.ndarray | None:
        """The book's mask: True where x <= 0, i.e. where backward blocks the gradient."""
        return None if self._positive is None else ~self._positive

    def forward(self, x: npt.ArrayLike, train_flg: bool = True) -> np.ndarray:
        given, x = x, self._input(x)
        self._positive = x > 0
        y = x if self._may_overwrite(x, given) else np.empty_like(x)  # empty_like keeps x's memory order
        return self._remember_output(relu_into(x, out=y))  # y = max(x, 0)

    def backward(self, dout: npt.ArrayLike) -> np.ndarray:
        given, dout = dout, self._dout(dout)
        # dx = dout·[x > 0]: a multiply by the mask into a new array. The book's masked
        # assignment would zero the caller's dout (and is slower: bench/activations.py);
        # only inplace=True, when asked for, puts dx where dout was.
        out = dout if self._may_overwrite(dout, given) else None
        return np.multiply(dout, self._cached(self._positive), out=out)

    def _may_overwrite(self, a: np.ndarray, given: object) -> bool:
        """inplace, and ``a`` is the caller's own writable array (not a converted copy)."""
        return self.inplace and a is given and a.flags.writeable


class Sigmoid(Layer):
    """Sigmoid: y = 1/(1+exp(-x)); dx = dout·y·(1-y).

    x: any shape; y, dx: same shape and dtype. Exact limits 0 and 1 at ±1000,
    with no overflow warning. Caches y as ``out``, like the book.
    """

    role = "activation"
    out: np.ndarray | None

    def __init__(self) -> None:
        self.out = None

    def forward(self, x: npt.ArrayLike, train_flg: bool = True) -> np.ndarray:
        self.out = sigmoid(self._input(x))
        return self._remember_output(self.out)

    def backward(self, dout: npt.ArrayLike) -> np.ndarray:
        dout = self._dout(dout)
        y = self._cached(self.out)
        dx = 1 - y  # dx = dout·y·(1 - y)
        dx *= y
        dx *= dout
        return dx


class Tanh(Layer):
    """Tanh: y = tanh(x); dx = dout·(1-y²).

    x: any shape; y, dx: same shape and dtype. Caches y as ``out``.
    """

    role = "activation"
    out: np.ndarray | None

    def __init__(self) -> None:
        self.out = None

    def forward(self, x: npt.ArrayLike, train_flg: bool = True) -> np.ndarray:
        self.out = np.tanh(self._input(x))
        return self._remember_output(self.out)

    def backward(self, dout: npt.ArrayLike) -> np.ndarray:
        dout = self._dout(dout)
        dx = np.square(self._cached(self.out))  # dx = dout·(1 - y²)
        np.subtract(1, dx, out=dx)
        dx *= dout
        return dx


class LeakyRelu(Layer):
    """Leaky ReLU: y = x if x > 0 else alpha·x; dx = dout if x > 0 else alpha·dout.

    At the kink the slope is alpha (x = 0 counts as negative), as in PyTorch.
    x: any shape; y, dx: same shape and dtype. Caches the mask ``x <= 0`` and
    the slope (1 or alpha) per element.
    """

    role = "activation"
    options = (number("alpha"),)
    repr_format = "alpha={alpha}"
    alpha: float
    mask: np.ndarray | None
    _slope: np.ndarray | None

    def __init__(self, alpha: float = 0.01) -> None:
        self._set_options(alpha=alpha)
        self.mask = None
        self._slope = None

    def forward(self, x: npt.ArrayLike, train_flg: bool = True) -> np.ndarray:
        x = self._input(x)
        self.mask = x <= 0
        # slope = 1 + (alpha - 1)·[x <= 0], in arithmetic: np.where or a masked copy
        # with a random mask is slower (bench/activations.py).
        alpha = x.dtype.type(self.alpha)
        slope = self.mask.astype(x.dtype)
        slope *= alpha - 1
        slope += 1
        self._slope = slope
        return self._remember_output(x * slope)

    def backward(self, dout: npt.ArrayLike) -> np.ndarray:
        dout = self._dout(dout)
        return dout * self._cached(self._slope)


class Elu(Layer):
    """ELU: y = x if x > 0 else alpha·(exp(x)-1); dx = dout if x > 0 else dout·(y + alpha).

    At x = 0 the slope is alpha·exp(0) = alpha, as in PyTorch. x: any shape; y,
    dx: same shape and dtype. exp is taken of min(x, 0) only, so x = 1000 does
    not overflow. Caches y and the mask ``x <= 0``. Both passes are arithmetic
    on fresh arrays in ``bprop._kernels.elementwise`` (no masked selects).
    """

    role = "activation"
    options = (number("alpha"),)
    repr_format = "alpha={alpha}"
    alpha: float
    out: np.ndarray | None
    mask: np.ndarray | None

    def __init__(self, alpha: float = 1.0) -> None:
        self._set_options(alpha=alpha)
        self.out = None
        self.mask = None

    def forward(self, x: npt.ArrayLike, train_flg: bool = True) -> np.ndarray:
        x = self._input(x)
        self.mask = x <= 0
        self.out = elu(x, self.alpha)  # y = max(x, 0) + alpha·expm1(min(x, 0))
        return self._remember_output(self.out)

    def backward(self, dout: npt.ArrayLike) -> np.ndarray:
        dout = self._dout(dout)
        y, mask = self._cached(self.out), self._cached(self.mask)
        return elu_backward(y, mask, self.alpha, dout)  # dout, or dout·(y + alpha) where x <= 0


class Gelu(Layer):
    """GELU: the tanh approximation (PyTorch's ``approximate='tanh'``), or with ``exact=True`` x·Φ(x).

    y = ½·x·(1 + tanh(u)), u = √(2/π)·(x + 0.044715·x³)
    dx = dout·(½·(1 + tanh(u)) + ½·x·(1 - tanh²(u))·√(2/π)·(1 + 3·0.044715·x²))

    exact=True (PyTorch's default ``approximate='none'``, which its Transformer
    layers use): y = x·Φ(x), dx = dout·(Φ(x) + x·φ(x)), with Φ and φ the standard
    normal CDF and density (``bprop.functions.normal_cdf``: NumPy has no erf). The
    two differ by up to 4.7e-4.

    x: any shape; y, dx: same shape and dtype. At ±1000, x³ = ±1e9 is finite in
    float32 and tanh saturates: no overflow. Caches x and tanh(u) (or Φ(x)). The
    tanh form's passes are computed in place on fresh arrays by
    ``bprop._kernels.elementwise``.
    """

    role = "activation"
    options = (flag("exact"),)
    exact: bool
    x: np.ndarray | None
    _tanh_u: np.ndarray | None
    _cdf: np.ndarray | None

    def __init__(self, exact: bool = False) -> None:
        self._set_options(exact=exact)
        self.x = None
        self._tanh_u = None
        self._cdf = None

    def forward(self, x: npt.ArrayLike, train_flg: bool = True) -> np.ndarray:
        self.x = x = self._input(x)
        if self.exact:
            self._cdf = normal_cdf(x)
            return self._remember_output(x * self._cdf)  # y = x·Φ(x)
        y, self._tanh_u = gelu_tanh(x)  # y = ½·x·(1 + tanh(u))
        return self._remember_output(y)

    def backward(self, dout: npt.ArrayLike) -> np.ndarray:
        dout = self._dout(dout)
        x = self._cached(self.x)
        if self.exact:
            dx = normal_pdf(x)  # dx = dout·(Φ(x) + x·φ(x))
            dx *= x
            dx += self._cached(self._cdf)
            dx *= dout
            return dx
        return gelu_tanh_backward(x, self._cached(self._tanh_u), dout)


class Silu(Layer):
    """SiLU (swish): y = x·σ(x); dx = dout·σ(x)·(1 + x·(1 - σ(x))).

    x: any shape; y, dx: same shape and dtype. σ is the stable sigmoid, so
    x = -1000 gives y = -0.0 without warnings. Caches x and σ(x).
    """

    role = "activation"
    x: np.ndarray | None
    _s: np.ndarray | None

    def __init__(self) -> None:
        self.x = None
        self._s = None

    def forward(self, x: npt.ArrayLike, train_flg: bool = True) -> np.ndarray:
        self.x = x = self._input(x)
        self._s = sigmoid(x)
        return self._remember_output(x * self._s)

    def backward(self, dout: npt.ArrayLike) -> np.ndarray:
        dout = self._dout(dout)
        x, s = self._cached(self.x), self._cached(self._s)
        dx = 1 - s
        dx *= x
        dx += 1
        dx *= s
        dx *= dout
        return dx


class Softplus(Layer):
    """Softplus: y = log(1 + exp(x)); dx = dout·σ(x).

    Computed as max(x, 0) + log1p(exp(-|x|)): exact for every finite x, no
    overflow at ±1000 (PyTorch instead returns x itself for x > 20, which
    differs by less than 2.1e-9). x: any shape; y, dx: same shape and dtype.
    Caches x.
    """

    role = "activation"
    x: np.ndarray | None

    def __init__(self) -> None:
        self.x = None

    def forward(self, x: npt.ArrayLike, train_flg: bool = True) -> np.ndarray:
        self.x = x = self._input(x)
        return self._remember_output(softplus(x))

    def backward(self, dout: npt.ArrayLike) -> np.ndarray:
        dout = self._dout(dout)
        dx = sigmoid(self._cached(self.x))
        dx *= dout
        return dx


class Identity(Layer):
    """Identity: y = x; dx = dout.

    x: any shape; y, dx: same shape and dtype. Returns copies, so nothing
    downstream can alias x. Caches nothing.
    """

    def forward(self, x: npt.ArrayLike, train_flg: bool = True) -> np.ndarray:
        return self._remember_output(self._input(x).copy())

    def backward(self, dout: npt.ArrayLike) -> np.ndarray:
        return self._dout(dout).copy()
