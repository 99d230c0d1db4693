"""The convolution's fast forms, beside the book's im2col form they must equal.

    conv_simple(x, W, b, stride, pad)              out, by the book's im2col and one GEMM
    conv_backward_simple(x, W, dout, stride, pad)  (dx, dW, db), by the book's col2im
    ConvKernel                                     the same numbers, faster (``Convolution`` uses it)

What ConvKernel does differently (bench/conv_layers.py and bench/train_conv.py
print what each choice gains):

- Columns are transposed, (C·FH·FW, positions), so out = W.reshape(FN, -1) @ col
  and the copies that build them run along image rows.
- For stride 1 and C > 1 the images sit on one flat "canvas" per channel with
  shared zero bands (``_Canvas``), so each kernel offset (u, v) is one shift of
  the canvas. The columns are never built whole: forward copies one
  cache-sized chunk of positions at a time and runs its GEMM while the chunk is
  in cache; dW does the same with the transposed dout; dx is a chunked
  transposed convolution (FN <= C) or a chunked col2im (FN > C).
- With one input channel (a net's first layer) or a stride > 1 the columns are
  small: they are built whole and kept, with a row of ones that puts b in the
  GEMM, so dW and db come from one GEMM over them.
- Outputs are channel-major in memory: (N, FN, OH, OW) arrays whose strides are
  those of a C-contiguous (FN, N, OH, OW) array, the order the GEMM produces.
  Elementwise layers keep that order and the next layer's copies run in it.
- Workspaces (canvases, chunk blocks, column buffers) are kept while the input
  shape and dtype repeat: fresh arrays of this size cost page faults.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bprop.functions import col2im, conv_output_size, im2col

# Positions per chunk of the stride-1 convolution: a column block of about 2^20
# floats (4 MB in float32). Smaller chunks pay NumPy's and OpenBLAS's per-call
# overhead; whole-batch columns fall out of cache (bench/conv_layers.py).
_CHUNK_FLOATS = 2**20


def conv_simple(x, W, b, stride: int, pad: int) -> np.ndarray:
    """out[n, f, i, j] = Σ_{c,u,v} W[f, c, u, v]·xp[n, c, s·i + u, s·j + v] + b[f], by im2col, as the book."""
    N, _, H, Wd = x.shape
    FN, _, FH, FW = W.shape
    OH, OW = conv_output_size(H, FH, stride, pad), conv_output_size(Wd, FW, stride, pad)
    col = im2col(x, FH, FW, stride, pad)
    out = col @ W.reshape(FN, -1).T + b
    return out.reshape(N, OH, OW, FN).transpose(0, 3, 1, 2)


def conv_backward_simple(x, W, dout, stride: int, pad: int):
    """(dx, dW, db) of ``conv_simple`` for dout (N, FN, OH, OW), by im2col and col2im, as the book."""
    FN, _, FH, FW = W.shape
    d = dout.transpose(0, 2, 3, 1).reshape(-1, FN)
    col = im2col(x, FH, FW, stride, pad)
    dW = (col.T @ d).T.reshape(W.shape)
    db = d.sum(axis=0)
    dx = col2im(d @ W.reshape(FN, -1), x.shape, FH, FW, stride, pad)
    return dx, dW, db


class _Canvas:
    """Where a stride-1 convolution puts its images: one flat row of memory per channel.

    Image n's pixel (y, x) sits at ``first + (n·Hc + y)·Wc + x``: every image
    row is followed by gw zero columns, every image by g zero rows, and the
    row-major wrap makes each band serve as padding on both of its sides. So a
    window's top-left corner (n, i − pad, j − pad) is at position
    ``n·Hc·Wc + i·Wc + j`` and the column block of kernel offset (u, v) is the
    contiguous slice starting at u·Wc + v (the ``shift``). g = max(pad, 2·pad − FH + 1)
    keeps pad zeros on each side and keeps one image's outputs off the next
    one's. The GEMM computes all N·Hc·Wc positions and drops those past OH, OW
    (for 28×28 images with pad 1 about 7 % more work than needed; a grid padded
    separately per image would do more).
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

    On a canvas these are the columns of positions lo … lo + n − 1 (each kernel
    offset (u, v) one shift), without copying.
    """
    s0, s1 = flat.strides
    return np.lib.stride_tricks.as_strided(
        flat[:, lo:], shape=(flat.shape[0], FH, FW, n), strides=(s0, Wc * s1, s1, s1), writeable=False
    )


class ConvKernel:
    """A convolution's forward and backward on its fast layouts; keeps what backward needs.

    ``forward(x, W, b, stride, pad)`` returns out (N, FN, OH, OW), channel-major in
    memory. ``backward(dout, W, need_dx=True)`` returns (dx, dW, db) for the last
    forward, dx None when not needed. Both equal ``conv_simple`` and
    ``conv_backward_simple`` up to rounding. Caches, for stride 1 and C > 1, x on
    its canvas (C rows of N·Hc·Wc positions), else the columns of x with a row of
    ones (C·FH·FW + 1 rows, N·OH·OW columns).
    """

    def __init__(self):
        # Set by each forward; backward runs after one (the layer checks), so they are typed as set.
        self._col: Any = None
        self._canvas: Any = None
        self._x_shape: Any = None
        self._geometry: Any = None
        self._buffers = {}
        self._buffers_for = None

    def forward(self, x, W, b, stride: int, pad: int) -> np.ndarray:
        N, C, H, Wd = x.shape
        FN, _, FH, FW = W.shape
        OH, OW = conv_output_size(H, FH, stride, pad), conv_output_size(Wd, FW, stride, pad)
        self._use_buffers_for(x)
        self._x_shape, self._geometry = x.shape, (stride, pad)
        if stride == 1 and C > 1:
            out = self._forward_on_canvas(x, W, b, pad, OH, OW)
        else:
            out = self._forward_on_columns(x, W, b, stride, pad, OH, OW)
        return out.transpose(1, 0, 2, 3)

    def backward(self, dout, W, need_dx: bool = True):
        if self._col is not None:
            d, dW, db = self._column_param_grads(dout, W)
            return (self._dx_from_columns(d, W, dout.shape) if need_dx else None), dW, db
        cv, d, grid, dW, db = self._canvas_param_grads(dout, W)
        return (self._dx_from_canvas(d, grid, cv, W) if need_dx else None), dW, db

    # --- forward -------------------------------------------------------------------------

    def _forward_on_canvas(self, x, W, b, pad, OH, OW):
        """out = W·col over canvas columns copied chunk by chunk; the canvas is kept for backward."""
        N, C, H, Wd = x.shape
        FN, _, FH, FW = W.shape
        cv = _Canvas(N, H, Wd, FH, FW, pad)
        xc = self._buffer("x", (C, cv.size), x.dtype, zeros=True)
        cv.pixels(xc)[...] = x.transpose(1, 0, 2, 3)
        full = self._buffer("out", (FN, cv.positions), x.dtype)
        W2 = W.reshape(FN, -1)
        for lo, n, col in self._chunks(xc, cv, 0, cv.positions, FH, FW, "col"):
            np.matmul(W2, col, out=full[:, lo : lo + n])
        self._canvas, self._col = xc, None
        # One pass adds b and copies the kept positions into a fresh compact array.
        out = np.empty((FN, N, OH, OW), dtype=x.dtype)
        np.add(cv.outputs(full, OH, OW), b[:, None, None, None], out=out)
        return out

    def _forward_on_columns(self, x, W, b, s, p, OH, OW):
        """out = [W | b]·[col; 1] over the whole columns, which are kept for backward."""
        N, C, H, Wd = x.shape
        FN, _, FH, FW = W.shape
        xc = x.transpose(1, 0, 2, 3)
        if p:
            xc = self._buffer("x", (C, N, H + 2 * p, Wd + 2 * p), x.dtype, zeros=True)
            xc[:, :, p : p + H, p : p + Wd] = x.transpose(1, 0, 2, 3)
        K = C * FH * FW
        col = self._buffer("col", (K + 1, N * OH * OW), x.dtype)
        windows = col[:K].reshape(C, FH, FW, N, OH, OW)
        for u in range(FH):
            for v in range(FW):
                windows[:, u, v] = xc[:, :, u : u + s * OH : s, v : v + s * OW : s]
        col[K] = 1  # the row of ones: b rides in the GEMM, and backward's GEMM gives db with dW
        self._canvas, self._col = None, col
        Wb = np.concatenate([W.reshape(FN, K), b[:, None]], axis=1)
        return np.matmul(Wb, col).reshape(FN, N, OH, OW)

    def _chunks(self, flat, cv, start, stop, FH, FW, key):
        """Yield (lo, n, col): the (rows·FH·FW, n) columns of canvas positions lo … lo + n − 1, start <= lo < stop.

        col[(r, u, v), t] = flat[r, lo + t + u·Wc + v], copied into a block this
        kernel owns (rewritten at the next chunk), so each chunk's copy and its
        GEMM run in cache.
        """
        K = flat.shape[0] * FH * FW
        step = max(1, _CHUNK_FLOATS // K)
        block = self._buffer(key, (K * min(step, stop - start),), flat.dtype)
        for lo in range(start, stop, step):
            n = min(step, stop - lo)
            col = block[: K * n].reshape(flat.shape[0], FH, FW, n)
            col[...] = _windows(flat, lo, n, FH, FW, cv.Wc)
            yield lo, n, col.reshape(K, n)

    # --- backward: dW, db ----------------------------------------------------------------

    def _column_param_grads(self, dout, W):
        """[dW | db] = d·colᵀ over the kept columns (their last row of ones gives db); also returns d (FN, N·OH·OW).

        d is dout channel-major, a view (no copy) when dout is a convolution's or
        a Relu's channel-major output.
        """
        d = dout.transpose(1, 0, 2, 3).reshape(W.shape[0], -1)
        dWb = d @ self._col.T
        return d, dWb[:, :-1].reshape(W.shape), dWb[:, -1].copy()

    def _canvas_param_grads(self, dout, W):
        """dW = Σ_chunks col·dᵀ over the forward's canvas columns, chunk by chunk; db = Σ d; for dout on the canvas.

        The columns are copied one cache-sized chunk at a time, as forward does, and
        each chunk's (C·FH·FW, n)·(n, FN) GEMM runs while it is in cache: long K, a
        wider N than one GEMM per kernel offset (FN × C, bench/conv_layers.py) gets.
        Returns (cv, d, grid, dW, db): d is dout at the forward's positions, zero
        at those it dropped, inside ``grid`` after ``shift`` zeros (for dx).
        """
        FN, C, FH, FW = W.shape
        N, _, H, Wd = self._x_shape
        cv = _Canvas(N, H, Wd, FH, FW, self._geometry[1])
        grid = self._buffer("dout", (FN, cv.shift + cv.size), dout.dtype, zeros=True)
        d = grid[:, cv.shift : cv.shift + cv.positions]
        cv.outputs(d, *dout.shape[2:])[...] = dout.transpose(1, 0, 2, 3)
        d_t = self._buffer("dout_t", (cv.positions, FN), d.dtype)
        d_t[...] = d.T  # positions × FN: each chunk's GEMM reads its rows in one block
        dW_t = np.zeros((C * FH * FW, FN), dtype=d.dtype)  # rows (c, u, v)
        part = self._buffer("dW_part", dW_t.shape, d.dtype)
        for lo, n, col in self._chunks(self._canvas, cv, 0, cv.positions, FH, FW, "col"):
            dW_t += np.matmul(col, d_t[lo : lo + n], out=part)
        return cv, d, grid, np.ascontiguousarray(dW_t.T).reshape(W.shape), d.sum(axis=1)

    # --- backward: dx --------------------------------------------------------------------

    def _dx_from_columns(self, d, W, out_shape):
        """dx = col2im(Wᵀ·d): each offset's block of dcol added back onto the padded image, padding cropped."""
        FN, C, FH, FW = W.shape
        N, _, H, Wd = self._x_shape
        OH, OW = out_shape[2:]
        s, p = self._geometry
        dcol = np.matmul(W.reshape(FN, -1).T, d, out=self._buffer("dcol", (C * FH * FW, d.shape[1]), d.dtype))
        dcol = dcol.reshape(C, FH, FW, N, OH, OW)
        dxp = self._buffer("dx", (C, N, H + 2 * p, Wd + 2 * p), d.dtype)
        dxp.fill(0)
        for u in range(FH):
            for v in range(FW):
                dxp[:, :, u : u + s * OH : s, v : v + s * OW : s] += dcol[:, u, v]
        dx = np.empty((C, N, H, Wd), dtype=d.dtype)
        dx[...] = dxp[:, :, p : p + H, p : p + Wd]
        return dx.transpose(1, 0, 2, 3)

    def _dx_from_canvas(self, d, grid, cv, W):
        """dx on the canvas: a transposed convolution when FN <= C, else a chunked col2im."""
        FN, C, FH, FW = W.shape
        N, _, H, Wd = self._x_shape
        M = cv.positions
        dxc = self._buffer("dx", (C, cv.size), d.dtype)
        if FN <= C:
            # dxc[c, t] = Σ_{f,u,v} W[f, c, u, v]·d[f, t − (u·Wc + v)]
            #           = Σ_{f,u,v} W[f, c, FH−1−u, FW−1−v]·grid[f, t + u·Wc + v]: the grid convolved
            # with the flipped kernel, by the same chunks as forward, over the pixels' positions.
            W_flip = W[:, :, ::-1, ::-1].transpose(1, 0, 2, 3).reshape(C, -1)
            for lo, n, dcol in self._chunks(grid, cv, cv.first, cv.first + M, FH, FW, "dcol"):
                np.matmul(W_flip, dcol, out=dxc[:, lo : lo + n])
        else:
            # col2im: dcol = Wᵀ·d (C·FH·FW rows, fewer than the FN·FH·FW the transposed
            # convolution would copy), each offset's block added back at its shift, chunk by
            # chunk so that dcol stays in cache.
            W_t = W.reshape(FN, -1).T
            step = max(1, _CHUNK_FLOATS // W_t.shape[0])
            block = self._buffer("dcol", (W_t.shape[0] * min(step, M),), d.dtype)
            dxc.fill(0)
            for lo in range(0, M, step):
                n = min(step, M - lo)
                dcol = np.matmul(W_t, d[:, lo : lo + n], out=block[: W_t.shape[0] * n].reshape(-1, n))
                dcol = dcol.reshape(C, FH, FW, n)
                for u in range(FH):
                    for v in range(FW):
                        start = lo + u * cv.Wc + v
                        dxc[:, start : start + n] += dcol[:, u, v]
        dx = np.empty((C, N, H, Wd), dtype=d.dtype)
        dx[...] = cv.pixels(dxc)
        return dx.transpose(1, 0, 2, 3)

    # --- workspaces ----------------------------------------------------------------------

    def _buffer(self, key, shape, dtype, zeros=False):
        """A workspace array this kernel owns, reused while the input's shape and dtype repeat.

        Only arrays that never leave the kernel are reused. A ``zeros`` buffer
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
