"""Pooling's fast forms, beside the simple ones they must equal.

    max_pool_simple(x, ph, pw, s, p) -> (out, arg)     window view, np.max and np.argmax
    max_pool_backward_simple(dout, arg, x_shape, …)    np.add.at onto each winner
    avg_pool_simple / avg_pool_backward_simple         window view, np.mean; np.add.at
    max_pool, max_pool_backward, avg_pool, avg_pool_backward: the same numbers, faster

The fast forms take one strided view per window offset (u, v) and run one
pass of ufuncs per offset over whole arrays, never a reduction over tiny
window axes; arrays keep the input's memory order (channel-major after a
convolution), since ufuncs that mix two orders run slower
(bench/conv_layers.py prints the times).

``arg`` is the winning offset k = u·pool_w + v per output: the first maximum
in row-major window order when several tie, as torch's max_pool2d. Max
pooling pads with −inf, so padding never wins; a window whose inputs are all
−inf goes to its first input, as torch.
"""

from __future__ import annotations

import numpy as np

from bprop.functions import conv_output_size

# --- the simple forms -----------------------------------------------------------------------


def _window_view(x, ph, pw, s, p, fill):
    """(padded x, its (N, C, OH, OW, ph, pw) window view)."""
    xp = np.pad(x, [(0, 0), (0, 0), (p, p), (p, p)], constant_values=fill) if p else x
    return xp, np.lib.stride_tricks.sliding_window_view(xp, (ph, pw), axis=(2, 3))[:, :, ::s, ::s]


def max_pool_simple(x, ph, pw, s, p):
    """out = the max of each window of x padded with −inf; arg = the offset of its first maximum input."""
    _, windows = _window_view(x, ph, pw, s, p, -np.inf)
    _, is_pad = _window_view(np.zeros(x.shape, dtype=bool), ph, pw, s, p, True)
    flat, pad = windows.reshape(*windows.shape[:4], -1), is_pad.reshape(*is_pad.shape[:4], -1)
    out = flat.max(axis=-1)
    arg = np.argmax((flat == out[..., None]) & ~pad, axis=-1)
    return out, arg


def _scatter(dout, k_of, x_shape, ph, pw, s, p):
    """dx: dout added onto input (s·i + u − p, s·j + v − p) for each output (i, j) and offset k = u·pw + v in k_of."""
    N, C, H, W = x_shape
    dxp = np.zeros((N, C, H + 2 * p, W + 2 * p), dtype=dout.dtype)
    n, c, i, j = np.indices(dout.shape)
    for k, weight in k_of:
        u, v = divmod(k, pw)
        np.add.at(dxp, (n, c, s * i + u, s * j + v), dout * weight)
    return dxp[:, :, p : p + H, p : p + W]


def max_pool_backward_simple(dout, arg, x_shape, ph, pw, s, p):
    """dx: each output's dout added to the input that won its window."""
    return _scatter(dout, [(k, arg == k) for k in range(ph * pw)], x_shape, ph, pw, s, p)


def avg_pool_simple(x, ph, pw, s, p):
    """out = the mean of each window of x padded with zeros (padding counted, torch's count_include_pad)."""
    _, windows = _window_view(x, ph, pw, s, p, 0)
    return windows.mean(axis=(-2, -1)).astype(x.dtype, copy=False)


def avg_pool_backward_simple(dout, x_shape, ph, pw, s, p):
    """dx: each output's dout/(ph·pw) added to every input of its window."""
    share = dout.dtype.type(1 / (ph * pw))
    return _scatter(dout, [(k, share) for k in range(ph * pw)], x_shape, ph, pw, s, p)


# --- the fast forms -------------------------------------------------------------------------


def _windows(xp, ph, pw, s, OH, OW):
    """One strided view per window offset (u, v), in row-major order: view[n, c, i, j] = xp[n, c, s·i + u, s·j + v]."""
    return [xp[:, :, u : u + s * OH : s, v : v + s * OW : s] for u in range(ph) for v in range(pw)]


def _padded(shape, p, fill, dtype, channel_major):
    """A padded (N, C, H + 2·p, W + 2·p) array filled with ``fill`` (left empty if None), in the given memory order."""
    N, C, H, W = shape
    make = (lambda s: np.empty(s, dtype=dtype)) if fill is None else (lambda s: np.full(s, fill, dtype=dtype))
    if channel_major:
        return make((C, N, H + 2 * p, W + 2 * p)).transpose(1, 0, 2, 3)
    return make((N, C, H + 2 * p, W + 2 * p))


def is_channel_major(x) -> bool:
    """Whether x (N, C, H, W) is laid out channel-major in memory (a convolution's output)."""
    return x.strides[0] < x.strides[1]


def _sizes(x_shape, ph, pw, s, p):
    return conv_output_size(x_shape[2], ph, s, p), conv_output_size(x_shape[3], pw, s, p)


def _padded_input(x, p, fill):
    if not p:
        return x
    H, W = x.shape[2:]
    xp = _padded(x.shape, p, fill, x.dtype, is_channel_major(x))
    xp[:, :, p : p + H, p : p + W] = x
    return xp


def avg_pool(x, ph, pw, s, p):
    windows = _windows(_padded_input(x, p, 0), ph, pw, s, *_sizes(x.shape, ph, pw, s, p))
    out = windows[0].copy(order="K")
    for window in windows[1:]:
        out += window  # row-major window order, as torch sums
    out /= x.dtype.type(ph * pw)
    return out


def max_pool(x, ph, pw, s, p):
    """(out, arg) with arg as small an integer type as holds ph·pw offsets."""
    OH, OW = _sizes(x.shape, ph, pw, s, p)
    windows = _windows(_padded_input(x, p, -np.inf), ph, pw, s, OH, OW)
    out = windows[0].copy(order="K")
    # Offsets come in increasing k, so arg = max(arg, k·[window > out]) records the
    # last strictly greater offset: the first maximum. Arithmetic instead of masked
    # copies, all in out's memory order.
    arg = np.zeros_like(out, dtype=np.uint8 if len(windows) <= 256 else np.intp)
    better = np.empty_like(out, dtype=bool)
    claim = np.empty_like(arg)
    for k, window in enumerate(windows[1:], start=1):
        np.greater(window, out, out=better)
        np.maximum(out, window, out=out)
        np.multiply(better, arg.dtype.type(k), out=claim)
        np.maximum(arg, claim, out=arg)
    if p and np.isneginf(out).any():
        arg = _route_neginf_windows_to_an_input(out, arg, pw, s, p)
    return out, arg


def _route_neginf_windows_to_an_input(out, arg, pw, s, p):
    """A window whose inputs are all −inf ties with its −inf padding: give it its first input, as torch."""
    OH, OW = out.shape[2:]
    first_u = np.maximum(p - s * np.arange(OH), 0)
    first_v = np.maximum(p - s * np.arange(OW), 0)
    first = (first_u[:, None] * pw + first_v[None, :]).astype(arg.dtype)
    return np.where(np.isneginf(out), first, arg)


def avg_pool_backward(dout, x_shape, ph, pw, s, p, channel_major):
    H, W = x_shape[2:]
    dxp = _padded(x_shape, p, 0, dout.dtype, channel_major)
    share = dout / dout.dtype.type(ph * pw)
    for window in _windows(dxp, ph, pw, s, *dout.shape[2:]):
        window += share
    return dxp[:, :, p : p + H, p : p + W]


def max_pool_backward(dout, arg, x_shape, ph, pw, s, p, channel_major):
    """dx in x's memory order: each output's dout written (or added, when windows overlap) to its winner."""
    N, C, H, W = x_shape
    OH, OW = dout.shape[2:]
    # Windows that do not overlap own their inputs: write instead of add; when they
    # also tile x exactly (2×2, stride 2 on even sizes) every input is written, so
    # dx needs no zero fill.
    disjoint = s >= ph and s >= pw
    tiled = disjoint and p == 0 and (s * OH, s * OW) == (H, W) and (ph, pw) == (s, s)
    dxp = _padded(x_shape, p, None if tiled else 0, dout.dtype, channel_major)
    if is_channel_major(dout) != channel_major:
        # One copy into arg's memory order (an Affine's dx comes back N-major to a
        # channel-major pooling): the passes below then run in one order.
        ordered = np.empty_like(arg, dtype=dout.dtype)
        ordered[...] = dout
        dout = ordered
    mine = np.empty_like(arg, dtype=bool)
    for k, window in enumerate(_windows(dxp, ph, pw, s, OH, OW)):
        np.equal(arg, k, out=mine)
        if disjoint:
            np.multiply(dout, mine, out=window)
        else:
            window += dout * mine
    return dxp[:, :, p : p + H, p : p + W]
