"""Convolution, Pooling, Relu and Flatten layer by layer: bprop vs the book's code vs torch.

Run: python bench/conv_layers.py [--repeat 10] [--batch 100] [--dtype float32] [--net simple,deep]

For the layer shapes of the book's SimpleConvNet (ch. 7) and DeepConvNet
(ch. 8, ``ch08/deep_convnet.py``: six 3×3 convs, the fourth with pad 2, so the
pools go 28→14, 16→8, 8→4) it prints the forward and the backward time of
each layer in ms (best of --repeat), all measured in this one run:

- bprop: bprop's layers, each fed the arrays its neighbours really produce
  (a forward chain, then a backward chain), so memory layouts are the ones a
  net sees;
- book: the book's ``common/layers.py`` and ``common/util.py`` code, copied
  below as is — including its im2col allocating float64, which turns a
  float32 net into float64 from the first convolution on;
- torch: torch.nn.functional with autograd, every input requiring a gradient
  (bprop computes dx for every layer too), backward by ``torch.autograd.grad``.

Ratios: bprop/torch and book/bprop of forward + backward, per layer and in all.
The header names OPENBLAS_CORETYPE: NumPy's GEMMs run at the speed of the
OpenBLAS kernel it selects (torch uses its own).
"""

from __future__ import annotations

import argparse
import os

import numpy as np
from _timing import best_ms as _best_ms

from bprop.layers.activation import Relu
from bprop.layers.conv import Convolution, Flatten, Pooling

# (name, kind, arguments). conv: (FN, FH, stride, pad); pool: (size, stride).
NETS = {
    "SimpleConvNet": ((1, 28, 28), [("conv1", "conv", (30, 5, 1, 0)), ("relu1", "relu", ()), ("pool1", "pool", (2, 2)), ("flatten", "flatten", ())]),
    "DeepConvNet": (
        (1, 28, 28),
        [
            ("conv1", "conv", (16, 3, 1, 1)), ("relu1", "relu", ()),
            ("conv2", "conv", (16, 3, 1, 1)), ("relu2", "relu", ()), ("pool1", "pool", (2, 2)),
            ("conv3", "conv", (32, 3, 1, 1)), ("relu3", "relu", ()),
            ("conv4", "conv", (32, 3, 1, 2)), ("relu4", "relu", ()), ("pool2", "pool", (2, 2)),
            ("conv5", "conv", (64, 3, 1, 1)), ("relu5", "relu", ()),
            ("conv6", "conv", (64, 3, 1, 1)), ("relu6", "relu", ()), ("pool3", "pool", (2, 2)),
            ("flatten", "flatten", ()),
        ],
    ),
}


# ---- The book's code (common/util.py, common/layers.py), unchanged but for names. ----


def book_im2col(input_data, filter_h, filter_w, stride=1, pad=0):
    N, C, H, W = input_data.shape
    out_h = (H + 2 * pad - filter_h) // stride + 1
    out_w = (W + 2 * pad - filter_w) // stride + 1
    img = np.pad(input_data, [(0, 0), (0, 0), (pad, pad), (pad, pad)], "constant")
    col = np.zeros((N, C, filter_h, filter_w, out_h, out_w))
    for y in range(filter_h):
        y_max = y + stride * out_h
        for x in range(filter_w):
            x_max = x + stride * out_w
            col[:, :, y, x, :, :] = img[:, :, y:y_max:stride, x:x_max:stride]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(N * out_h * out_w, -1)


def book_col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    N, C, H, W = input_shape
    out_h = (H + 2 * pad - filter_h) // stride + 1
    out_w = (W + 2 * pad - filter_w) // stride + 1
    col = col.reshape(N, out_h, out_w, C, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((N, C, H + 2 * pad + stride - 1, W + 2 * pad + stride - 1))
    for y in range(filter_h):
        y_max = y + stride * out_h
        for x in range(filter_w):
            x_max = x + stride * out_w
            img[:, :, y:y_max:stride, x:x_max:stride] += col[:, :, y, x, :, :]
    return img[:, :, pad : H + pad, pad : W + pad]


class BookConvolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W, self.b, self.stride, self.pad = W, b, stride, pad

    def forward(self, x):
        FN, C, FH, FW = self.W.shape
        N, C, H, W = x.shape
        out_h = 1 + int((H + 2 * self.pad - FH) / self.stride)
        out_w = 1 + int((W + 2 * self.pad - FW) / self.stride)
        col = book_im2col(x, FH, FW, self.stride, self.pad)
        col_W = self.W.reshape(FN, -1).T
        out = np.dot(col, col_W) + self.b
        out = out.reshape(N, out_h, out_w, -1).transpose(0, 3, 1, 2)
        self.x, self.col, self.col_W = x, col, col_W
        return out

    def backward(self, dout):
        FN, C, FH, FW = self.W.shape
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, FN)
        self.db = np.sum(dout, axis=0)
        self.dW = np.dot(self.col.T, dout).transpose(1, 0).reshape(FN, C, FH, FW)
        dcol = np.dot(dout, self.col_W.T)
        return book_col2im(dcol, self.x.shape, FH, FW, self.stride, self.pad)


class BookPooling:
    def __init__(self, pool_h, pool_w, stride=1, pad=0):
        self.pool_h, self.pool_w, self.stride, self.pad = pool_h, pool_w, stride, pad

    def forward(self, x):
        N, C, H, W = x.shape
        out_h = int(1 + (H - self.pool_h) / self.stride)
        out_w = int(1 + (W - self.pool_w) / self.stride)
        col = book_im2col(x, self.pool_h, self.pool_w, self.stride, self.pad).reshape(-1, self.pool_h * self.pool_w)
        self.arg_max = np.argmax(col, axis=1)
        out = np.max(col, axis=1).reshape(N, out_h, out_w, C).transpose(0, 3, 1, 2)
        self.x = x
        return out

    def backward(self, dout):
        dout = dout.transpose(0, 2, 3, 1)
        pool_size = self.pool_h * self.pool_w
        dmax = np.zeros((dout.size, pool_size))
        dmax[np.arange(self.arg_max.size), self.arg_max.flatten()] = dout.flatten()
        dmax = dmax.reshape(dout.shape + (pool_size,))
        dcol = dmax.reshape(dmax.shape[0] * dmax.shape[1] * dmax.shape[2], -1)
        return book_col2im(dcol, self.x.shape, self.pool_h, self.pool_w, self.stride, self.pad)


class BookRelu:
    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout[self.mask] = 0
        return dout


class BookFlatten:  # the book's Affine reshapes in place of a Flatten layer
    def forward(self, x):
        self.shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dout):
        return dout.reshape(self.shape)


# ---- Building and timing. ----


def build(spec, in_shape, dtype, rng, book=False):
    """One net's layers, bprop's or the book's, with He-scaled random weights."""
    layers, shapes, shape = [], [], in_shape
    for _name, kind, args in spec:
        shapes.append(shape)
        if kind == "conv":
            FN, K, stride, pad = args
            W = (rng.standard_normal((FN, shape[1], K, K)) * np.sqrt(2 / (shape[1] * K * K))).astype(dtype)
            b = np.zeros(FN, dtype=dtype)
            layers.append((BookConvolution if book else Convolution)(W, b, stride, pad))
            side = (shape[2] + 2 * pad - K) // stride + 1
            shape = (shape[0], FN, side, side)
        elif kind == "pool":
            size, stride = args
            layers.append(BookPooling(size, size, stride) if book else Pooling(size, size, stride))
            shape = (shape[0], shape[1], (shape[2] - size) // stride + 1, (shape[3] - size) // stride + 1)
        elif kind == "relu":
            layers.append(BookRelu() if book else Relu())
        else:
            layers.append(BookFlatten() if book else Flatten())
            shape = (shape[0], int(np.prod(shape[1:])))
    return layers, shapes + [shape]


def best_ms(fn, repeat):
    return _best_ms(fn, rounds=repeat, warmup=0)


def time_numpy_layers(layers, x, rng, repeat):
    """Per layer (forward ms, backward ms), each fed what its neighbours produce."""
    inputs = []
    for layer in layers:
        inputs.append(x)
        x = layer.forward(x)
    dout = rng.standard_normal(x.shape).astype(x.dtype)
    douts = [None] * len(layers)
    for i in reversed(range(len(layers))):
        douts[i] = dout
        dout = layers[i].backward(dout.copy() if isinstance(layers[i], BookRelu) else dout)
    times = []
    for layer, x, dout in zip(layers, inputs, douts):
        fwd = best_ms(lambda: layer.forward(x), repeat)
        layer.forward(x)
        if isinstance(layer, BookRelu):  # it writes into dout: time it on a fresh copy, copy included
            bwd = best_ms(lambda: layer.backward(dout.copy()), repeat)
        else:
            bwd = best_ms(lambda: layer.backward(dout), repeat)
        times.append((fwd, bwd))
    return times


def time_torch_layers(spec, bprop_layers, shapes, dtype, rng, repeat):
    import torch

    F = torch.nn.functional
    times = []
    for (_name, kind, args), layer, shape in zip(spec, bprop_layers, shapes):
        x = torch.from_numpy(rng.standard_normal(shape).astype(dtype)).requires_grad_(True)
        leaves = [x]
        if kind == "conv":
            W = torch.from_numpy(np.array(layer.W)).requires_grad_(True)
            b = torch.from_numpy(np.array(layer.b)).requires_grad_(True)
            leaves += [W, b]
            fn = lambda x, W=W, b=b, s=args[2], p=args[3]: F.conv2d(x, W, b, stride=s, padding=p)
        elif kind == "pool":
            fn = lambda x, size=args[0], s=args[1]: F.max_pool2d(x, size, s)
        elif kind == "relu":
            fn = F.relu
        else:
            fn = lambda x: x.reshape(x.shape[0], -1)
        out = fn(x)
        dout = torch.from_numpy(rng.standard_normal(tuple(out.shape)).astype(dtype))
        fwd = best_ms(lambda: fn(x), repeat)
        bwd = best_ms(lambda: torch.autograd.grad(out, leaves, dout, retain_graph=True), repeat)
        times.append((fwd, bwd))
    return times


def fmt(v):
    return f"{v:7.2f}" if v is not None else "      –"


def ratio(a, b):
    return f"{a / b:6.2f}" if a and b else "     –"


def report(net, spec, shapes, ours, book, torch_times):
    print(f"\n{net}: ms per call, best of the repeats")
    print(f"{'layer':8} {'input -> output':34} {'bprop fwd':>9} {'bwd':>7} {'book fwd':>9} {'bwd':>7} {'torch fwd':>9} {'bwd':>7} {'bprop/torch':>11} {'book/bprop':>10}")
    totals = np.zeros(6)
    for i, (name, _kind, _args) in enumerate(spec):
        row = list(ours[i]) + list(book[i]) + (list(torch_times[i]) if torch_times else [np.nan, np.nan])
        totals += np.nan_to_num(row)
        shape = f"{shapes[i][1:]} -> {shapes[i + 1][1:]}"
        ob, bb, tb = sum(row[0:2]), sum(row[2:4]), sum(row[4:6])
        print(
            f"{name:8} {shape:34} {fmt(row[0]):>9} {fmt(row[1])} {fmt(row[2]):>9} {fmt(row[3])} "
            f"{fmt(row[4] if torch_times else None):>9} {fmt(row[5] if torch_times else None)} "
            f"{ratio(ob, tb if torch_times else 0):>11} {ratio(bb, ob):>10}"
        )
    ob, bb, tb = totals[0] + totals[1], totals[2] + totals[3], totals[4] + totals[5]
    print(
        f"{'total':8} {'':34} {fmt(totals[0]):>9} {fmt(totals[1])} {fmt(totals[2]):>9} {fmt(totals[3])} "
        f"{fmt(totals[4] if torch_times else None):>9} {fmt(totals[5] if torch_times else None)} "
        f"{ratio(ob, tb if torch_times else 0):>11} {ratio(bb, ob):>10}"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    parser.add_argument("--net", default="simple,deep", help="comma-separated: simple, deep")
    args = parser.parse_args(argv)
    dtype = np.dtype(args.dtype)
    # NumPy's GEMM speed depends on the OpenBLAS kernel: OPENBLAS_CORETYPE=Haswell
    # (AVX2) ran half as fast as the autodetected AVX-512 kernel on this machine.
    print(f"batch {args.batch}, {dtype}, OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}")
    try:
        import torch  # noqa: F401
    except ImportError:
        torch = None
        print("torch is not installed: its columns stay empty (pip install torch==2.13.0)")
    chosen = {"simple": "SimpleConvNet", "deep": "DeepConvNet"}
    for key in args.net.split(","):
        net = chosen[key.strip()]
        in_shape, spec = NETS[net]
        in_shape = (args.batch,) + in_shape
        rng = np.random.default_rng(0)
        x = rng.random(in_shape).astype(dtype)
        ours_layers, shapes = build(spec, in_shape, dtype, np.random.default_rng(1))
        book_layers, _ = build(spec, in_shape, dtype, np.random.default_rng(1), book=True)
        ours = time_numpy_layers(ours_layers, x, rng, args.repeat)
        book = time_numpy_layers(book_layers, x, rng, args.repeat)
        torch_times = time_torch_layers(spec, ours_layers, shapes, dtype, rng, args.repeat) if torch else None
        report(net, spec, shapes, ours, book, torch_times)


if __name__ == "__main__":
    main()
