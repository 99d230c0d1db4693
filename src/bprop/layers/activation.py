"""Elementwise activation layers: x of any shape in, y of the same shape and dtype out.

Each layer caches only what its backward needs: a boolean mask (Relu), the
output when the derivative is a function of it (Sigmoid, Tanh, Elu), the input
(LeakyRelu, Gelu, Silu) or σ(x) (Softplus, Silu). None of them writes into x or
dout (but ``Relu(inplace=True)``, when asked).

The formulas run in ``bprop._kernels.elementwise`` and ``smooth``, each beside
its plain form: chains of ufuncs on cache-sized blocks shared by threads, which
scan x and dout for NaN on the way instead of in a pass of their own
(bench/activations.py).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from bprop._kernels import elementwise as fast
from bprop._kernels import smooth
from bprop.functions import normal_cdf, normal_pdf
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
        given, x = x, self._input(x, check_nan=False)
        out = None
        if self._may_overwrite(x, given):  # scanned first: a NaN must leave the caller's x as it was
            self._input(x)
            out = x
        y, self._positive = fast.relu(x, out=out, owner=None if out is not None else self._nan_owner())
        return self._remember_output(y)  # y = max(x, 0)

    def backward(self, dout: npt.ArrayLike) -> np.ndarray:
        given, dout = dout, self._dout(dout, check_nan=False)
        # dx = dout·[x > 0]: a multiply by the mask into a new array. The book's masked
        # assignment would zero the caller's dout (and is slower: bench/activations.py);
        # only inplace=True, when asked for, puts dx where dout was.
        out = None
        if self._may_overwrite(dout, given):
            self._dout(dout)
            out = dout
        positive = self._cached(self._positive)
        return fast.relu_backward(positive, dout, out=out, owner=None if out is not None else self._nan_owner(True))

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
        self.out = smooth.sigmoid(self._input(x, check_nan=False), owner=self._nan_owner())
        return self._remember_output(self.out)

    def backward(self, dout: npt.ArrayLike) -> np.ndarray:
        dout = self._dout(dout, check_nan=False)
        return smooth.sigmoid_backward(self._cached(self.out), dout, owner=self._nan_owner(True))  # dout·y·(1 - y)


class Tanh(Layer):
    """Tanh: y = tanh(x); dx = dout·(1-y²).

    x: any shape; y, dx: same shape and dtype. Caches y as ``out``.
    """

    role = "activation"
    out: np.ndarray | None

    def __init__(self) -> None:
        self.out = None

    def forward(self, x: npt.ArrayLike, train_flg: bool = True) -> np.ndarray:
        self.out = smooth.tanh(self._input(x, check_nan=False), owner=self._nan_owner())
        return self._remember_output(self.out)

    def backward(self, dout: npt.ArrayLike) -> np.ndarray:
        dout = self._dout(dout, check_nan=False)
        return smooth.tanh_backward(self._cached(self.out), dout, owner=self._nan_owner(True))  # dout·(1 - y²)


class LeakyRelu(Layer):
    """Leaky ReLU: y = x if x > 0 else alpha·x; dx = dout if x > 0 else alpha·dout.

    At the kink the slope is alpha (x = 0 counts as negative), as in PyTorch.
    x: any shape; y, dx: same shape and dtype. Caches x (backward recomputes
    the slope from it: cheaper than keeping a slope array); ``mask`` gives
    x <= 0.
    """

    role = "activation"
    options = (number("alpha"),)
    repr_format = "alpha={alpha}"
    alpha: float
    x: np.ndarray | None

    def __init__(self, alpha: float = 0.01) -> None:
        self._set_options(alpha=alpha)
        self.x = None

    @property
    def mask(self) -> np.ndarray | None:
        """True where x <= 0, i.e. where backward scales the gradient by alpha."""
        return None if self.x is None else self.x <= 0

    def forward(self, x: npt.ArrayLike, train_flg: bool = True) -> np.ndarray:
        x = self._input(x, check_nan=False)
        y = fast.leaky_relu(x, self.alpha, owner=self._nan_owner())  # max(x, alpha·x) for 0 ≤ alpha ≤ 1
        self.x = x
        return self._remember_output(y)

    def backward(self, dout: npt.ArrayLike) -> np.ndarray:
        dout = self._dout(dout, check_nan=False)
        return fast.leaky_relu_backward(self._cached(self.x), self.alpha, dout, owner=self._nan_owner(True))


class Elu(Layer):
    """ELU: y = x if x > 0 else alpha·(exp(x)-1); dx = dout if x > 0 else dout·(y + alpha).

    At x = 0 the slope is alpha·exp(0) = alpha, as in PyTorch. x: any shape; y,
    dx: same shape and dtype. exp is taken of min(x, 0) only, so x = 1000 does
    not overflow. Caches y and the mask ``x <= 0``. Both passes are arithmetic
    (no masked selects) in ``bprop._kernels.elementwise``, expm1 taken through tanh.
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
        x = self._input(x, check_nan=False)
        self.out, self.mask = fast.elu(x, self.alpha, owner=self._nan_owner())  # max(x, 0) + alpha·expm1(min(x, 0))
        return self._remember_output(self.out)

    def backward(self, dout: npt.ArrayLike) -> np.ndarray:
        dout = self._dout(dout, check_nan=False)
        y, mask = self._cached(self.out), self._cached(self.mask)
        return fast.elu_backward(y, mask, self.alpha, dout, owner=self._nan_owner(True))  # dout, or dout·(y + alpha)


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
    tanh form runs in ``bprop._kernels.smooth``.
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
        if self.exact:
            self.x = x = self._input(x)
            self._cdf = normal_cdf(x)
            return self._remember_output(x * self._cdf)  # y = x·Φ(x)
        x = self._input(x, check_nan=False)
        y, self._tanh_u = smooth.gelu_tanh(x, owner=self._nan_owner())  # y = ½·x·(1 + tanh(u))
        self.x = x
        return self._remember_output(y)

    def backward(self, dout: npt.ArrayLike) -> np.ndarray:
        if self.exact:
            dout = self._dout(dout)
            x = self._cached(self.x)
            dx = normal_pdf(x)  # dx = dout·(Φ(x) + x·φ(x))
            dx *= x
            dx += self._cached(self._cdf)
            dx *= dout
            return dx
        dout = self._dout(dout, check_nan=False)
        x, tanh_u = self._cached(self.x), self._cached(self._tanh_u)
        return smooth.gelu_tanh_backward(x, tanh_u, dout, owner=self._nan_owner(True))


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
        x = self._input(x, check_nan=False)
        y, self._s = smooth.silu(x, owner=self._nan_owner())  # y = x·σ(x)
        self.x = x
        return self._remember_output(y)

    def backward(self, dout: npt.ArrayLike) -> np.ndarray:
        dout = self._dout(dout, check_nan=False)
        x, s = self._cached(self.x), self._cached(self._s)
        return smooth.silu_backward(x, s, dout, owner=self._nan_owner(True))  # dout·σ·(1 + x·(1 - σ))


class Softplus(Layer):
    """Softplus: y = log(1 + exp(x)); dx = dout·σ(x).

    Computed as max(x, 0) + log1p(exp(-|x|)): exact for every finite x, no
    overflow at ±1000 (PyTorch instead returns x itself for x > 20, which
    differs by less than 2.1e-9). x: any shape; y, dx: same shape and dtype.
    Caches x and σ(x), which forward gets from the same exp(−|x|).
    """

    role = "activation"
    x: np.ndarray | None
    _s: np.ndarray | None

    def __init__(self) -> None:
        self.x = None
        self._s = None

    def forward(self, x: npt.ArrayLike, train_flg: bool = True) -> np.ndarray:
        x = self._input(x, check_nan=False)
        y, self._s = smooth.softplus(x, owner=self._nan_owner())
        self.x = x
        return self._remember_output(y)

    def backward(self, dout: npt.ArrayLike) -> np.ndarray:
        dout = self._dout(dout, check_nan=False)
        return fast.scale_by(self._cached(self._s), dout, owner=self._nan_owner(True))  # dx = dout·σ(x)


class Identity(Layer):
    """Identity: y = x; dx = dout.

    x: any shape; y, dx: same shape and dtype. Returns copies, so nothing
    downstream can alias x. Caches nothing.
    """

    def forward(self, x: npt.ArrayLike, train_flg: bool = True) -> np.ndarray:
        return self._remember_output(self._input(x).copy())

    def backward(self, dout: npt.ArrayLike) -> np.ndarray:
        return self._dout(dout).copy()
