"""Convolutional layers (book ch. 7): Convolution, Pooling, Flatten.

Images are (N, C, H, W), as in the book and PyTorch. Each layer reads against
its formula; the fast layouts they compute on live in ``bprop._kernels.conv``
and ``bprop._kernels.pooling``, each beside the book's simple form it must
equal (tests/kernels/ checks them). The public ``bprop.functions.im2col`` and
``col2im`` keep the book's layout for learners.

Outputs of Convolution are channel-major in memory: (N, FN, OH, OW) arrays
whose strides are those of a C-contiguous (FN, N, OH, OW) array, the order in
which the GEMM produces them; elementwise layers and Pooling keep that order.
Shapes and values are the book's.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from bprop._kernels import pooling
from bprop._kernels.conv import ConvKernel
from bprop.functions import conv_output_size
from bprop.layers.base import Layer
from bprop.layers.options import choice, flag, integer


def output_size(owner: str, axis: str, size: int, kernel: int, kernel_name: str, stride: int, pad: int,
                ceil_mode: bool = False) -> int:
    """⌊(size + 2·pad − kernel)/stride⌋ + 1 along one axis, as the book's im2col and torch take it; with
    ``ceil_mode`` ⌈…⌉ + 1, less a last window that would start in the right padding (torch's rule).

    The rows and columns no window reaches (the floor leaves up to stride − 1 of
    them) get zero gradient. A ValueError when not even one window fits; owner
    names the layer in the message, axis is "height" or "width", kernel_name
    how the message names the window's extent (FH, pool_h, …).
    """
    span = size + 2 * pad - kernel
    if span < 0:
        raise ValueError(
            f"{owner}: the {axis} {size} + 2·pad ({pad}) is smaller than the window's "
            f"{kernel} ({kernel_name}), so there is no output position"
        )
    if not ceil_mode:
        return conv_output_size(size, kernel, stride, pad)
    out = -(-span // stride) + 1
    return out - 1 if (out - 1) * stride >= size + pad else out


def _check_images(owner: str, x: np.ndarray) -> None:
    if x.ndim != 4:
        raise ValueError(f"{owner} expected x of shape (N, C, H, W), got shape {x.shape}")


class Convolution(Layer):
    """2-D convolution (cross-correlation, as in the book and ``torch.nn.functional.conv2d``).

    out = W ⋆ x + b, i.e. out[n, f, i, j] = Σ_{c,u,v} W[f, c, u, v]·xp[n, c, s·i + u, s·j + v] + b[f],
    where xp is x zero-padded by ``pad`` on every side of H and W and s = ``stride``.
    dW[f, c, u, v] = Σ_{n,i,j} dout[n, f, i, j]·xp[n, c, s·i + u, s·j + v];
    db[f] = Σ_{n,i,j} dout[n, f, i, j] (sums over the batch, not means);
    dx = the padding cropped from col2im(Wᵀ·dout): each output's dout·W added
    back onto the window it came from.

    Shapes: W (FN, C, FH, FW); b (FN,); x (N, C, H, W) with C equal to W's;
    out, dout (N, FN, OH, OW) with OH = ⌊(H + 2·pad − FH)/stride⌋ + 1 and OW
    likewise, the floor as in the book's im2col and torch: a 3×3 filter at
    stride 2 with pad 1 takes 28×28 to 14×14, and the last row and column
    that no window reaches get zero gradient. A channel mismatch is a
    ValueError naming both counts.

    out and dx are channel-major in memory (see the module docstring). dtype:
    W's; x is converted to it (float32 W: float32 out, dx, dW, db). Caches x,
    laid out for backward by its ``ConvKernel`` (bprop._kernels.conv), which
    also keeps its workspaces while the input shape repeats. W and b are kept
    as given, not copied: an optimizer updating them in place updates the
    layer.

    >>> conv = Convolution(np.ones((1, 1, 2, 2)), np.zeros(1))
    >>> conv.forward(np.arange(9.0).reshape(1, 1, 3, 3))
    array([[[[ 8., 12.],
             [20., 24.]]]])
    """

    param_names = ("W", "b")
    options = (integer("stride", 1), integer("pad", 0))
    dims = {"W": ("FN", "C", "FH", "FW")}
    repr_format = "{FN} filters {C}×{FH}×{FW}, stride {stride}, pad {pad}"
    W: np.ndarray
    b: np.ndarray
    stride: int
    pad: int
    dW: np.ndarray | None
    db: np.ndarray | None

    def __init__(self, W: npt.ArrayLike, b: npt.ArrayLike, stride: int = 1, pad: int = 0) -> None:
        self.W, self.b = self._weight_and_bias(W, b, out_axis=0)
        self._set_options(stride=stride, pad=pad)
        self.dW = None
        self.db = None
        self._kernel = ConvKernel()

    def forward(self, x: npt.ArrayLike, train_flg: bool = True) -> np.ndarray:
        x = self._input(x)
        self._check_input(x)
        out = self._kernel.forward(x, self.W, self.b, self.stride, self.pad)  # out = W ⋆ x + b
        return self._remember_output(out)

    def backward(self, dout: npt.ArrayLike) -> np.ndarray:
        dout = self._dout(dout)
        dx, self.dW, self.db = self._kernel.backward(dout, self.W)
        return dx

    def backward_params(self, dout: npt.ArrayLike) -> None:
        """backward without dx: leaves dW and db (as ``backward`` computes them), returns None.

        For a net's first layer, whose dx nobody reads (``Sequential`` calls it
        there): it skips a GEMM and its column copies (bench/train_conv.py).
        """
        _, self.dW, self.db = self._kernel.backward(self._dout(dout), self.W, need_dx=False)

    def _check_input(self, x: np.ndarray) -> None:
        """x must be (N, C, H, W) with W's C, and give whole output sizes."""
        FN, C, FH, FW = self.W.shape
        _check_images("Convolution", x)
        if x.shape[1] != C:
            raise ValueError(
                f"Convolution has W of shape {self.W.shape}, for {C} input channel(s), "
                f"but x of shape {x.shape} has {x.shape[1]} channel(s)"
            )
        output_size("Convolution", "height", x.shape[2], FH, "FH", self.stride, self.pad)
        output_size("Convolution", "width", x.shape[3], FW, "FW", self.stride, self.pad)


class Pooling(Layer):
    """2-D max or average pooling over pool_h×pool_w windows, ``stride`` apart.

    max: out = the window's maximum, out[n, c, i, j] = max over (u, v) of xp[n, c, s·i + u, s·j + v];
    dx = dout routed to the one input that was the maximum: the first maximum
    in row-major window order when several tie (as torch's max_pool2d), so
    Σdx = Σdout. xp is x padded with −inf: padding never wins.
    avg: out = the window's mean, with zero padding counted in the
    denominator (torch's ``count_include_pad=True``); dx = dout/(pool_h·pool_w)
    added to every input of the window.

    Shapes: x (N, C, H, W); out, dout (N, C, OH, OW) with
    OH = ⌊(H + 2·pad − pool_h)/stride⌋ + 1 and OW likewise, the floor as in
    the book and torch (2×2 at stride 2 takes 9×9 to 4×4; the last row and
    column then get zero gradient). ``ceil_mode=True`` takes the ceiling
    instead, as torch's: 9×9 → 5×5, the last windows hanging over the edge,
    where max pooling sees −inf and average pooling divides by the inputs and
    padding its window actually covers (torch's divisor). pad may be at most
    half the window, as in torch, so that every window holds an input. dtype
    kept; dx has x's memory order.

    Caches the winning window offset per output (max; one byte each for up to
    256 offsets) or only the shape (avg). The passes over the windows are in
    ``bprop._kernels.pooling``.
    """

    options = (integer("pool_h", 1), integer("pool_w", 1), integer("stride", 1), integer("pad", 0),
               choice("mode", {"max": None, "avg": None}), flag("ceil_mode"))
    repr_format = "{mode} {pool_h}×{pool_w}, stride {stride}, pad {pad}"
    pool_h: int
    pool_w: int
    stride: int
    pad: int
    mode: str
    ceil_mode: bool
    _arg: np.ndarray | None
    _x_shape: tuple[int, ...] | None
    _ext_shape: tuple[int, ...] | None
    _cover: np.ndarray | None

    def __init__(self, pool_h: int, pool_w: int, stride: int = 2, pad: int = 0, mode: str = "max",
                 ceil_mode: bool = False) -> None:
        self._set_options(pool_h=pool_h, pool_w=pool_w, stride=stride, pad=pad, mode=mode, ceil_mode=ceil_mode)
        if 2 * self.pad > min(self.pool_h, self.pool_w):
            raise ValueError(
                f"Pooling expected pad at most half the {self.pool_h}×{self.pool_w} window, got pad={self.pad}"
            )
        self._arg = None
        self._x_shape = self._ext_shape = None
        self._cover = None
        self._channel_major = False

    def forward(self, x: npt.ArrayLike, train_flg: bool = True) -> np.ndarray:
        x = self._input(x)
        _check_images("Pooling", x)
        OH = output_size("Pooling", "height", x.shape[2], self.pool_h, "pool_h", self.stride, self.pad, self.ceil_mode)
        OW = output_size("Pooling", "width", x.shape[3], self.pool_w, "pool_w", self.stride, self.pad, self.ceil_mode)
        self._x_shape, self._channel_major = x.shape, pooling.is_channel_major(x)
        x = self._overhang(x, OH, OW)  # ceil_mode: the last windows' overhang, as padding
        if self.mode == "avg":
            out = pooling.avg_pool(x, *self._window)  # the window's mean
            return self._remember_output(out if self._cover is None else out * self._cover)
        out, self._arg = pooling.max_pool(x, *self._window)  # the window's max, and which input it was
        return self._remember_output(out)

    def backward(self, dout: npt.ArrayLike) -> np.ndarray:
        dout = self._dout(dout)
        H, W = self._cached(self._x_shape)[2:]
        ext_shape = self._cached(self._ext_shape)
        if self.mode == "avg":
            dout = dout if self._cover is None else dout * self._cover
            dx = pooling.avg_pool_backward(dout, ext_shape, *self._window, self._channel_major)
        else:
            dx = pooling.max_pool_backward(dout, self._cached(self._arg), ext_shape, *self._window,
                                           self._channel_major)
        return dx if dx.shape[2:] == (H, W) else dx[:, :, :H, :W]

    def _overhang(self, x: np.ndarray, OH: int, OW: int) -> np.ndarray:
        """x, extended at the bottom and right by what ceil_mode's last windows hang over (−inf for max, 0 for
        avg, whose mean is then rescaled by ``_cover``: (pool_h·pool_w) / the window's positions inside
        the padded input, torch's divisor)."""
        ph, pw, s, p = self._window
        extra_h = max((OH - 1) * s + ph - x.shape[2] - 2 * p, 0)
        extra_w = max((OW - 1) * s + pw - x.shape[3] - 2 * p, 0)
        self._ext_shape, self._cover = (*x.shape[:2], x.shape[2] + extra_h, x.shape[3] + extra_w), None
        if not (extra_h or extra_w):
            return x
        fill = -np.inf if self.mode == "max" else 0
        x = np.pad(x, [(0, 0), (0, 0), (0, extra_h), (0, extra_w)], constant_values=fill)
        if self.mode == "avg":
            rows = np.minimum(np.arange(OH) * s + ph, x.shape[2] - extra_h + 2 * p) - np.arange(OH) * s
            cols = np.minimum(np.arange(OW) * s + pw, x.shape[3] - extra_w + 2 * p) - np.arange(OW) * s
            self._cover = (ph * pw / np.outer(rows, cols)).astype(x.dtype)
        return x

    @property
    def _window(self) -> tuple[int, int, int, int]:
        return self.pool_h, self.pool_w, self.stride, self.pad


class Flatten(Layer):
    """Flatten each sample: y = x.reshape(N, D) with D = the product of x.shape[1:]; dx = dout.reshape(x.shape).

    Shapes: x (N, d1, d2, …); y, dout (N, D); dx: x's shape. dtype kept. y is
    a view of x when x is C-contiguous (no copy), else a copy. Caches x's shape.
    """

    _x_shape: tuple[int, ...] | None

    def __init__(self) -> None:
        self._x_shape = None

    def forward(self, x: npt.ArrayLike, train_flg: bool = True) -> np.ndarray:
        x = self._input(x)
        if x.ndim == 0:
            raise ValueError("Flatten expected x of shape (N, ...), got a 0-d array")
        self._x_shape = x.shape
        return self._remember_output(x.reshape(x.shape[0], int(np.prod(x.shape[1:], dtype=np.int64))))

    def backward(self, dout: npt.ArrayLike) -> np.ndarray:
        dout = self._dout(dout)
        return dout.reshape(self._cached(self._x_shape))
