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

from bprop._kernels import pooling
from bprop._kernels.conv import ConvKernel
from bprop.functions import conv_output_size
from bprop.layers.base import Layer
from bprop.layers.options import choice, integer


def output_size(owner: str, axis: str, size: int, kernel: int, kernel_name: str, stride: int, pad: int) -> int:
    """(size + 2·pad − kernel)/stride + 1 along one axis; a ValueError unless it is a whole number ≥ 1.

    owner names the layer in the message; axis is "height" or "width";
    kernel_name how the message names the window's extent (FH, pool_h, …).
    """
    span = size + 2 * pad - kernel
    sym = ({"height": "H", "width": "W"}[axis], kernel_name)
    if span < 0:
        raise ValueError(
            f"{owner}: the {axis} {size} + 2·pad ({pad}) is smaller than the window's "
            f"{kernel} ({sym[1]}), so there is no output position"
        )
    if span % stride:
        raise ValueError(
            f"{owner} output {axis} ({sym[0]} + 2·pad − {sym[1]})/stride + 1 = "
            f"({size} + 2·{pad} − {kernel})/{stride} + 1 = {span / stride + 1:g} is not a whole number; "
            f"choose pad and stride so that stride divides {sym[0]} + 2·pad − {sym[1]}"
        )
    return conv_output_size(size, kernel, stride, pad)


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
    out, dout (N, FN, OH, OW) with OH = (H + 2·pad − FH)/stride + 1 and OW
    likewise. These must be whole numbers: a ValueError says which one is not
    (the book would silently floor; torch floors). A channel mismatch is a
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

    def __init__(self, W, b, stride=1, pad=0):
        self.W, self.b = self._weight_and_bias(W, b, out_axis=0)
        self._set_options(stride=stride, pad=pad)
        self.dW = None
        self.db = None
        self._kernel = ConvKernel()

    def forward(self, x, train_flg=True):
        x = self._input(x)
        self._check_input(x)
        out = self._kernel.forward(x, self.W, self.b, self.stride, self.pad)  # out = W ⋆ x + b
        return self._remember_output(out)

    def backward(self, dout):
        dout = self._dout(dout)
        dx, self.dW, self.db = self._kernel.backward(dout, self.W)
        return dx

    def backward_params(self, dout) -> None:
        """backward without dx: leaves dW and db (as ``backward`` computes them), returns None.

        For a net's first layer, whose dx nobody reads (``Sequential`` calls it
        there): it skips a GEMM and its column copies (bench/train_conv.py).
        """
        _, self.dW, self.db = self._kernel.backward(self._dout(dout), self.W, need_dx=False)

    def _check_input(self, x) -> None:
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
    OH = (H + 2·pad − pool_h)/stride + 1 and OW likewise. These must be whole
    numbers: a ValueError says which one is not (the book floors, as does
    torch). pad may be at most half the window, as in torch, so that every
    window holds an input. dtype kept; dx has x's memory order.

    Caches the winning window offset per output (max; one byte each for up to
    256 offsets) or only the shape (avg). The passes over the windows are in
    ``bprop._kernels.pooling``.
    """

    options = (integer("pool_h", 1), integer("pool_w", 1), integer("stride", 1), integer("pad", 0),
               choice("mode", {"max": None, "avg": None}))

    def __init__(self, pool_h, pool_w, stride=2, pad=0, mode="max"):
        self._set_options(pool_h=pool_h, pool_w=pool_w, stride=stride, pad=pad, mode=mode)
        if 2 * self.pad > min(self.pool_h, self.pool_w):
            raise ValueError(
                f"Pooling expected pad at most half the {self.pool_h}×{self.pool_w} window, got pad={self.pad}"
            )
        self._arg = None
        self._x_shape = None
        self._channel_major = False

    def forward(self, x, train_flg=True):
        x = self._input(x)
        _check_images("Pooling", x)
        output_size("Pooling", "height", x.shape[2], self.pool_h, "pool_h", self.stride, self.pad)
        output_size("Pooling", "width", x.shape[3], self.pool_w, "pool_w", self.stride, self.pad)
        self._x_shape, self._channel_major = x.shape, pooling.is_channel_major(x)
        if self.mode == "avg":
            return self._remember_output(pooling.avg_pool(x, *self._window))  # the window's mean
        out, self._arg = pooling.max_pool(x, *self._window)  # the window's max, and which input it was
        return self._remember_output(out)

    def backward(self, dout):
        dout = self._dout(dout)
        if self.mode == "avg":
            return pooling.avg_pool_backward(dout, self._x_shape, *self._window, self._channel_major)
        return pooling.max_pool_backward(dout, self._arg, self._x_shape, *self._window, self._channel_major)

    @property
    def _window(self) -> tuple[int, int, int, int]:
        return self.pool_h, self.pool_w, self.stride, self.pad


class Flatten(Layer):
    """Flatten each sample: y = x.reshape(N, D) with D = the product of x.shape[1:]; dx = dout.reshape(x.shape).

    Shapes: x (N, d1, d2, …); y, dout (N, D); dx: x's shape. dtype kept. y is
    a view of x when x is C-contiguous (no copy), else a copy. Caches x's shape.
    """

    def __init__(self):
        self._x_shape = None

    def forward(self, x, train_flg=True):
        x = self._input(x)
        if x.ndim == 0:
            raise ValueError("Flatten expected x of shape (N, ...), got a 0-d array")
        self._x_shape = x.shape
        return self._remember_output(x.reshape(x.shape[0], int(np.prod(x.shape[1:], dtype=np.int64))))

    def backward(self, dout):
        dout = self._dout(dout)
        return dout.reshape(self._x_shape)
