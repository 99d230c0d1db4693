"""Convolutional layers (book ch. 7): Convolution, Pooling, Flatten.

Images are (N, C, H, W), as in the book and PyTorch. What differs from the
book's code, all measured with bench/conv_layers.py (batch 100, float32):

- Convolution does not use the book's ``im2col`` layout (N·OH·OW, C·FH·FW). It
  builds the transposed columns, (C·FH·FW, positions), and computes
  out = W.reshape(FN, -1) @ col. For stride 1 and C > 1 the images sit in one flat
  "canvas" per channel with shared zero bands (``_Canvas``), so each kernel
  offset (u, v) is one shift of the canvas. The columns are never built whole:
  forward copies them one cache-sized chunk of positions at a time (one
  strided copy, then its GEMM, in cache), dW takes one GEMM per offset straight
  from the shifted canvas, and dx is a chunked transposed convolution (FN <= C)
  or a chunked col2im (FN > C). That left DeepConvNet's conv2 writing no 52 MB
  column matrix and its training step 10 % faster (bench/train_conv.py). With
  one input channel (a net's first layer) or a stride > 1 the columns are
  built whole and kept, with a row of ones that puts b in the GEMM: there
  they are small, and dW (and db) is one GEMM over them. Conv layers run
  3-11× faster than the book's. The public ``bprop.functions.im2col``/``col2im``
  keep the book's layout for learners.
- Outputs are channel-major in memory: (N, FN, OH, OW) arrays whose strides
  are those of a C-contiguous (FN, N, OH, OW) array, the order in which the
  GEMM produces them. Writing them N-major would cost a transposing copy
  (0.2-0.3 ms a layer); elementwise layers keep the order, and the next
  layer's copies then run in memory order. Shapes and values are the book's.
- Max pooling finds the winning window offset with one pass of ufuncs per
  offset: forward + backward 5-11× faster than the book's im2col + argmax.
"""

from __future__ import annotations

import numpy as np

from bprop.functions import _int_arg, _window_count
from bprop.layers.base import Layer, as_float_array


def _check_images(owner: str, x: np.ndarray) -> None:
    if x.ndim != 4:
        raise ValueError(f"{owner} expected x of shape (N, C, H, W), got shape {x.shape}")


def _output_size(owner, axis, size, kernel, kernel_name, stride, pad):
    """(size + 2·pad − kernel)/stride + 1 for one axis; a ValueError unless it is a whole number ≥ 1.

    kernel_name: how the message names the window's extent (FH, pool_h, …).
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
    return _window_count(size, kernel, stride, pad)


class _Canvas:
    """Where a stride-1 convolution puts its images: one flat row of memory per channel.

    Image n's pixel (y, x) sits at ``first + (n·Hc + y)·Wc + x``: every image
    row is followed by gw zero columns, every image by g zero rows, and the
    row-major wrap makes each band serve as padding on both of its sides. So a
    window's top-left corner (n, i − pad, j − pad) is at position
    ``n·Hc·Wc + i·Wc + j`` and the column block of kernel offset (u, v) is the
    contiguous slice starting at u·Wc + v (the ``shift``). g = max(pad, 2·pad − FH + 1)
    keeps pad zeros on each side and keeps one image's outputs off the next
    one's. The GEMM computes all N·Hc·Wc positions and drops those past OH, OW:
    7 % more work than needed for 28×28 images with pad 1, 27 % for 8×8 (a grid
    padded separately per image would cost 15 % and 56 %).
    """

    def __init__(self, N, H, W, FH, FW, pad):
        g, gw = max(pad, 2 * pad - FH + 1), max(pad, 2 * pad - FW + 1)
        self.Hc, self.Wc = H + g, W + gw
        self.positions = N * self.Hc * self.Wc
        self.first = pad * self.Wc + pad  # so that the first window starts at 0
        self.shift = (FH - 1) * self.Wc + FW - 1  # the largest kernel offset
        self.size = self.positions + max(self.shift, self.first)  # room for every slice read or written
        self.images = (N, H, W)

    def pixels(self, flat):
        """The (C, N, H, W) view of the image pixels in a (C, size) canvas array."""
        N, H, W = self.images
        C = flat.shape[0]
        return flat[:, self.first : self.first + self.positions].reshape(C, N, self.Hc, self.Wc)[:, :, :H, :W]

    def outputs(self, flat, OH, OW):
        """The (FN, N, OH, OW) view of the kept positions in a (FN, positions) array."""
        N = self.images[0]
        return flat[:, : self.positions].reshape(flat.shape[0], N, self.Hc, self.Wc)[:, :, :OH, :OW]


def _windows(flat, lo, n, FH, FW, Wc):
    """The (C, FH, FW, n) read-only view v[c, u, v, t] = flat[c, lo + u·Wc + v + t] of a (C, ·) canvas array.

    On a canvas these are the columns of positions lo … lo + n − 1 (each
    kernel offset (u, v) one shift), without copying: the caller copies one
    chunk of them at a time into a cache-sized block.
    """
    s0, s1 = flat.strides
    return np.lib.stride_tricks.as_strided(
        flat[:, lo:], shape=(flat.shape[0], FH, FW, n), strides=(s0, Wc * s1, s1, s1), writeable=False
    )


# Positions per chunk of the stride-1 convolution: a column block of about
# 2^20 floats (4 MB in float32). Measured on DeepConvNet's convs (2 OpenBLAS
# threads): 2^20-2^22 ran alike, whole-batch columns up to 15 % slower, 2^18
# 15-40 % slower and 2^17 up to 2× (per-call overhead of NumPy and OpenBLAS's threads).
_CHUNK_FLOATS = 2**20


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
    W's; x is converted to it (float32 W: float32 out, dx, dW, db). Caches x's
    shape and, for stride 1 and C > 1, x on its canvas (C rows of N·Hc·Wc positions,
    0-36 % more than x), else the columns of x (C·FH·FW + 1 rows, N·OH·OW columns). Keeps
    its workspaces (canvases and chunk blocks, about (2·C + 2·FN)·N·Hc·Wc + 2^21
    floats for stride 1, 30 MB for a 16→16 3×3 layer on 100 28×28 images) while
    the input shape repeats, since fresh ones cost page faults. W and b are
    kept as given, not copied: an optimizer updating them in place updates the
    layer.

    >>> conv = Convolution(np.ones((1, 1, 2, 2)), np.zeros(1))
    >>> conv.forward(np.arange(9.0).reshape(1, 1, 3, 3))
    array([[[[ 8., 12.],
             [20., 24.]]]])
    """

    param_names = ("W", "b")

    def __init__(self, W, b, stride=1, pad=0):
        W = as_float_array(W, "W", "Convolution")
        b = as_float_array(b, "b", "Convolution").astype(W.dtype, copy=False)
        if W.ndim != 4 or b.shape != (W.shape[0],):
            raise ValueError(
                f"Convolution expected W of shape (FN, C, FH, FW) and b of shape (FN,), "
                f"got W {W.shape} and b {b.shape}"
            )
        self.W, self.b = W, b
        self.stride = _int_arg("Convolution", "stride", stride, 1)
        self.pad = _int_arg("Convolution", "pad", pad, 0)
        self.dW = None
        self.db = None
        self._col = None
        self._canvas = None
        self._x_shape = None
        self._buffers = {}
        self._buffers_for = None

    def _buffer(self, key, shape, dtype, zeros=False):
        """A workspace array this layer owns, reused while the input's shape and dtype repeat.

        Only arrays that never leave the layer are reused. A ``zeros`` buffer
        must be zero wherever a call does not write (the padding); that holds
        because each input shape gets its own buffers — two shapes can flatten
        to the same size with their padding in different places.
        """
        buf = self._buffers.get(key)
        if buf is None or buf.shape != shape or buf.dtype != dtype:
            buf = (np.zeros if zeros else np.empty)(shape, dtype=dtype)
            self._buffers[key] = buf
        return buf

    def _use_buffers_for(self, x):
        if self._buffers_for != (x.shape, x.dtype):
            self._buffers = {}
            self._buffers_for = (x.shape, x.dtype)

    def _geometry(self, x):
        FN, C, FH, FW = self.W.shape
        _check_images("Convolution", x)
        if x.shape[1] != C:
            raise ValueError(
                f"Convolution has W of shape {self.W.shape}, for {C} input channel(s), "
                f"but x of shape {x.shape} has {x.shape[1]} channel(s)"
            )
        N, _, H, W = x.shape
        OH = _output_size("Convolution", "height", H, FH, "FH", self.stride, self.pad)
        OW = _output_size("Convolution", "width", W, FW, "FW", self.stride, self.pad)
        return N, C, H, W, FN, FH, FW, OH, OW

    def forward(self, x, train_flg=True):
        x = self._input(x)
        N, C, H, W, FN, FH, FW, OH, OW = self._geometry(x)
        self._use_buffers_for(x)
        p, s = self.pad, self.stride
        if s == 1 and C > 1:
            # The canvas is the cache: its columns are copied again, one
            # cache-sized chunk at a time, by backward (see _chunks).
            cv = _Canvas(N, H, W, FH, FW, p)
            xc = self._buffer("x", (C, cv.size), x.dtype, zeros=True)
            cv.pixels(xc)[...] = x.transpose(1, 0, 2, 3)
            full = self._buffer("out", (FN, cv.positions), x.dtype)
            W2 = self.W.reshape(FN, -1)
            for lo, n, col in self._chunks(xc, cv, 0, cv.positions, "col"):
                np.matmul(W2, col, out=full[:, lo : lo + n])
            self._canvas, self._col = xc, None
            # One pass adds b and copies the kept positions into a fresh compact array.
            out = np.empty((FN, N, OH, OW), dtype=x.dtype)
            np.add(cv.outputs(full, OH, OW), self.b[:, None, None, None], out=out)
        else:
            # The columns themselves, kept for backward: (C·FH·FW, N·OH·OW), a
            # small matrix when C = 1 (an image net's first layer), where the
            # canvas's per-offset dW GEMMs would be matrix-vector products:
            # SimpleConvNet's conv1 forward 2.4 → 1.5 ms, backward_params 3.8 → 1.8
            # (one BLAS thread).
            xc = x.transpose(1, 0, 2, 3)
            if p:
                xc = self._buffer("x", (C, N, H + 2 * p, W + 2 * p), x.dtype, zeros=True)
                xc[:, :, p : p + H, p : p + W] = x.transpose(1, 0, 2, 3)
            # A last row of ones puts b in the GEMM (W's last column): no pass over
            # out to add it, and backward's GEMM gives db with dW.
            K = C * FH * FW
            col = self._buffer("col", (K + 1, N * OH * OW), x.dtype)
            windows = col[:K].reshape(C, FH, FW, N, OH, OW)
            for u in range(FH):
                for v in range(FW):
                    windows[:, u, v] = xc[:, :, u : u + s * OH : s, v : v + s * OW : s]
            col[K] = 1
            self._canvas, self._col = None, col
            Wb = np.concatenate([self.W.reshape(FN, K), self.b[:, None]], axis=1)
            out = np.matmul(Wb, col).reshape(FN, N, OH, OW)
        self._x_shape = x.shape
        return self._remember_output(out.transpose(1, 0, 2, 3))

    def _chunks(self, flat, cv, start, stop, key):
        """Yield (lo, n, col): the (rows·FH·FW, n) columns of canvas positions lo … lo + n − 1, start <= lo < stop.

        col[(r, u, v), t] = flat[r, lo + t + u·Wc + v], copied into a block
        this layer owns (rewritten at the next call): each chunk's copy and
        its GEMM run in cache instead of writing, then reading, all
        N·Hc·Wc columns (52 MB for DeepConvNet's conv2; its forward went from
        5.9 to 5.1 ms).
        """
        FH, FW = self.W.shape[2:]
        K = flat.shape[0] * FH * FW
        step = max(1, _CHUNK_FLOATS // K)
        block = self._buffer(key, (K * min(step, stop - start),), flat.dtype)
        for lo in range(start, stop, step):
            n = min(step, stop - lo)
            col = block[: K * n].reshape(flat.shape[0], FH, FW, n)
            col[...] = _windows(flat, lo, n, FH, FW, cv.Wc)
            yield lo, n, col.reshape(K, n)

    def _canvas_param_grads(self, d, cv):
        """dW[:, :, u, v] = d · (the canvas shifted by u·Wc + v)ᵀ, db = Σ d, for d (FN, positions) on the forward's canvas.

        One GEMM per kernel offset reading the canvas in place, (FN, positions)
        by (positions, C): no columns copied; faster than d·colᵀ over copied
        column chunks (bench/conv_layers.py).
        """
        FN, C, FH, FW = self.W.shape
        M = cv.positions
        dW = np.empty((FH, FW, FN, C), dtype=d.dtype)
        for u in range(FH):
            for v in range(FW):
                start = u * cv.Wc + v
                np.matmul(d, self._canvas[:, start : start + M].T, out=dW[u, v])
        self.dW = dW.transpose(2, 3, 0, 1).copy()
        self.db = d.sum(axis=1)

    def _column_param_grads(self, dout):
        """[dW | db] = d · colᵀ over the forward's columns (ones last: db = Σ d over positions); returns d (FN, N·OH·OW).

        d is dout channel-major, a view (no copy) when dout is a convolution's
        or a Relu's channel-major output.
        """
        d = dout.transpose(1, 0, 2, 3).reshape(self.W.shape[0], -1)
        dWb = d @ self._col.T
        self.dW = dWb[:, :-1].reshape(self.W.shape)  # a copy: dWb's rows are one longer
        self.db = dWb[:, -1].copy()
        return d

    def _param_grads(self, dout):
        """Leave dW and db; return (d, grid, cv) for dx: dout as (FN, positions) on the forward's
        columns (grid, cv None) or on its canvas (inside ``grid``, laid out by ``cv``)."""
        if self._col is not None:
            return self._column_param_grads(dout), None, None
        N, _, H, W = self._x_shape
        cv = _Canvas(N, H, W, *self.W.shape[2:], self.pad)
        # dout at the forward's positions, zero at those it dropped (they add
        # nothing), after ``shift`` zeros for backward's transposed convolution.
        grid = self._buffer("dout", (self.W.shape[0], cv.shift + cv.size), dout.dtype, zeros=True)
        d = grid[:, cv.shift : cv.shift + cv.positions]
        cv.outputs(d, *dout.shape[2:])[...] = dout.transpose(1, 0, 2, 3)
        self._canvas_param_grads(d, cv)
        return d, grid, cv

    def backward(self, dout):
        dout = self._dout(dout)
        FN, C, FH, FW = self.W.shape
        N, _, H, W = self._x_shape
        OH, OW = dout.shape[2:]
        p, s = self.pad, self.stride
        dx = np.empty((C, N, H, W), dtype=dout.dtype)
        d, grid, cv = self._param_grads(dout)
        if grid is None:
            dcol = np.matmul(self.W.reshape(FN, -1).T, d, out=self._buffer("dcol", (C * FH * FW, d.shape[1]), dout.dtype))
            dcol = dcol.reshape(C, FH, FW, N, OH, OW)
            dxp = self._buffer("dx", (C, N, H + 2 * p, W + 2 * p), dout.dtype)
            dxp.fill(0)
            for u in range(FH):
                for v in range(FW):
                    dxp[:, :, u : u + s * OH : s, v : v + s * OW : s] += dcol[:, u, v]
            dx[...] = dxp[:, :, p : p + H, p : p + W]
            return dx.transpose(1, 0, 2, 3)

        M = cv.positions
        dxc = self._buffer("dx", (C, cv.size), dout.dtype)
        if FN <= C:
            # dx as a transposed convolution, dxc[c, t] = Σ_{f,u,v} W[f, c, u, v]·d[f, t − (u·Wc + v)]
            # = Σ_{f,u,v} W[f, c, FH−1−u, FW−1−v]·grid[f, t + u·Wc + v]: the grid convolved with
            # the flipped kernel, by the same chunks as forward, over the pixels' positions.
            W_flip = self.W[:, :, ::-1, ::-1].transpose(1, 0, 2, 3).reshape(C, -1)
            for lo, n, dcol in self._chunks(grid, cv, cv.first, cv.first + M, "dcol"):
                np.matmul(W_flip, dcol, out=dxc[:, lo : lo + n])
        else:
            # col2im: dcol = Wᵀ·d (C·FH·FW rows, fewer than the FN·FH·FW the transposed
            # convolution copies), each offset's block added back at its shift; chunk by
            # chunk, so that dcol stays in cache. Faster than the transposed convolution
            # when FN > C: 1.5 against 2.4 ms for DeepConvNet's conv3 (bench/conv_layers.py).
            W_t = self.W.reshape(FN, -1).T
            step = max(1, _CHUNK_FLOATS // W_t.shape[0])
            block = self._buffer("dcol", (W_t.shape[0] * min(step, M),), dout.dtype)
            dxc.fill(0)
            for lo in range(0, M, step):
                n = min(step, M - lo)
                dcol = np.matmul(W_t, d[:, lo : lo + n], out=block[: W_t.shape[0] * n].reshape(-1, n))
                dcol = dcol.reshape(C, FH, FW, n)
                for u in range(FH):
                    for v in range(FW):
                        start = lo + u * cv.Wc + v
                        dxc[:, start : start + n] += dcol[:, u, v]
        dx[...] = cv.pixels(dxc)
        return dx.transpose(1, 0, 2, 3)

    def backward_params(self, dout) -> None:
        """backward without dx: leaves dW and db (as ``backward`` computes them), returns None.

        For a net's first layer, whose dx nobody reads (``Sequential`` calls it
        there). Skipping dx (a GEMM and its column copies) took SimpleConvNet's
        float32 training step from 13.3 to 12.0 ms (bench/train_conv.py).
        """
        self._param_grads(self._dout(dout))


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
    256 offsets) or only the shape (avg).
    """

    def __init__(self, pool_h, pool_w, stride=2, pad=0, mode="max"):
        self.pool_h = _int_arg("Pooling", "pool_h", pool_h, 1)
        self.pool_w = _int_arg("Pooling", "pool_w", pool_w, 1)
        self.stride = _int_arg("Pooling", "stride", stride, 1)
        self.pad = _int_arg("Pooling", "pad", pad, 0)
        if mode not in ("max", "avg"):
            raise ValueError(f"Pooling expected mode 'max' or 'avg', got {mode!r}")
        if 2 * self.pad > min(self.pool_h, self.pool_w):
            raise ValueError(
                f"Pooling expected pad at most half the {self.pool_h}×{self.pool_w} window, got pad={self.pad}"
            )
        self.mode = mode
        self._arg = None
        self._x_shape = None
        self._channel_major = False

    def _windows(self, xp, OH, OW):
        """One strided view per window offset (u, v), in row-major order: view[n, c, i, j] = xp[n, c, s·i + u, s·j + v]."""
        s = self.stride
        return [
            xp[:, :, u : u + s * OH : s, v : v + s * OW : s]
            for u in range(self.pool_h)
            for v in range(self.pool_w)
        ]

    def _padded_full(self, shape, fill, dtype):
        """A padded (N, C, H + 2·pad, W + 2·pad) array filled with ``fill`` (left empty if None), in the input's memory order."""
        N, C, H, W = shape
        p = self.pad

        def make(shape):
            return np.empty(shape, dtype=dtype) if fill is None else np.full(shape, fill, dtype=dtype)

        if self._channel_major:
            return make((C, N, H + 2 * p, W + 2 * p)).transpose(1, 0, 2, 3)
        return make((N, C, H + 2 * p, W + 2 * p))

    def forward(self, x, train_flg=True):
        x = self._input(x)
        _check_images("Pooling", x)
        N, C, H, W = x.shape
        OH = _output_size("Pooling", "height", H, self.pool_h, "pool_h", self.stride, self.pad)
        OW = _output_size("Pooling", "width", W, self.pool_w, "pool_w", self.stride, self.pad)
        self._x_shape = x.shape
        # Convolution returns channel-major views; keep that order (no transposing copies).
        self._channel_major = x.strides[0] < x.strides[1]
        p = self.pad
        xp = x
        if p:
            xp = self._padded_full(x.shape, -np.inf if self.mode == "max" else 0, x.dtype)
            xp[:, :, p : p + H, p : p + W] = x
        windows = self._windows(xp, OH, OW)
        out = windows[0].copy(order="K")
        if self.mode == "avg":
            for window in windows[1:]:
                out += window  # row-major window order, as torch sums
            out /= x.dtype.type(self.pool_h * self.pool_w)
            return self._remember_output(out)
        # Offsets come in increasing k, so arg = max(arg, k·[window > out]) records the
        # last strictly greater offset: the first maximum. Measured on (100, 30, 24, 24)
        # float32: 1.2 ms, as fast as a special-cased 2×2 four-slice np.maximum, where
        # updating arg and out by masked np.copyto took 16 ms.
        # All in out's memory order (channel-major after a convolution): a ufunc
        # mixing two orders ran 1.5-2× slower here (bench/conv_layers.py).
        arg = np.zeros_like(out, dtype=np.uint8 if len(windows) <= 256 else np.intp)
        better = np.empty_like(out, dtype=bool)
        claim = np.empty_like(arg)
        for k, window in enumerate(windows[1:], start=1):
            np.greater(window, out, out=better)
            np.maximum(out, window, out=out)
            np.multiply(better, arg.dtype.type(k), out=claim)
            np.maximum(arg, claim, out=arg)
        if p and np.isneginf(out).any():
            arg = self._route_neginf_windows_to_an_input(out, arg)
        self._arg = arg
        return self._remember_output(out)

    def _route_neginf_windows_to_an_input(self, out, arg):
        """A window whose inputs are all −inf ties with its −inf padding: give it its first input, as torch."""
        s, p = self.stride, self.pad
        OH, OW = out.shape[2:]
        first_u = np.maximum(p - s * np.arange(OH), 0)
        first_v = np.maximum(p - s * np.arange(OW), 0)
        first = (first_u[:, None] * self.pool_w + first_v[None, :]).astype(arg.dtype)
        return np.where(np.isneginf(out), first, arg)

    def backward(self, dout):
        dout = self._dout(dout)
        N, C, H, W = self._x_shape
        OH, OW = dout.shape[2:]
        p, s = self.pad, self.stride
        # Windows that do not overlap own their inputs: write instead of add; when
        # they also tile x exactly (2×2, stride 2 on even sizes) every input is
        # written, so dx needs no zero fill.
        disjoint = s >= self.pool_h and s >= self.pool_w
        tiled = self.mode == "max" and disjoint and p == 0 and (s * OH, s * OW) == (H, W)
        tiled = tiled and (self.pool_h, self.pool_w) == (s, s)
        dxp = self._padded_full(self._x_shape, None if tiled else 0, dout.dtype)
        windows = self._windows(dxp, OH, OW)
        if self.mode == "avg":
            share = dout / dout.dtype.type(self.pool_h * self.pool_w)
            for window in windows:
                window += share
        else:
            if (dout.strides[0] < dout.strides[1]) != self._channel_major:
                # One copy into arg's (and dx's) memory order, as when an Affine's dx comes
                # back N-major to a channel-major pooling: the passes below then run in one order.
                ordered = np.empty_like(self._arg, dtype=dout.dtype)
                ordered[...] = dout
                dout = ordered
            mine = np.empty_like(self._arg, dtype=bool)
            for k, window in enumerate(windows):
                np.equal(self._arg, k, out=mine)
                if disjoint:
                    np.multiply(dout, mine, out=window)
                else:
                    window += dout * mine
        return dxp[:, :, p : p + H, p : p + W]


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
