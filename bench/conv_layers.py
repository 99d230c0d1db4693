"""Convolution, Pooling, Relu and Flatten layer by layer: bprop vs the book's code vs torch.

Run: python bench/conv_layers.py [--repeat 10] [--batch 100] [--dtype float32] [--net simple,deep]

For the layer shapes of the book's SimpleConvNet (ch. 7) and DeepConvNet
(ch. 8, ``ch08/deep_convnet.py``: six 3×3 convs, the fourth with pad 2, so the
pools go 28→14, 16→8, 8→4) it prints the forward and the backward time of
each layer in ms (best of --repeat), all measured in this one run:

- bprop: bprop's layers, each fed the arrays its neighbours really produce
  (a forward chain, then a backward chain), so memory layouts are the ones a
  net sees;
- book: the book's ``common/layers.py`` and ``common/util.py``, imported from
  a checkout of its repository (``--book DIR``; never copied into bprop) —
  including its im2col allocating float64, which turns a float32 net into
  float64 from the first convolution on;
- torch: torch.nn.functional with autograd, every input requiring a gradient
  (bprop computes dx for every layer too), backward by ``torch.autograd.grad``.

Ratios: bprop/torch and book/bprop of forward + backward, per layer and in all.
The header names the OpenBLAS kernel NumPy runs and OPENBLAS_CORETYPE: NumPy's
GEMMs run at the speed of that kernel (torch uses its own).
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np
from _timing import best_ms as _best_ms
from _timing import openblas_info

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


# ---- The book's code: imported from a checkout of its repository, never copied here. ----


def book_layers(path):
    """The book's Convolution, Pooling and Relu (``common/layers.py``) from a checkout of
    oreilly-japan/deep-learning-from-scratch at ``path``, or None when no path is given."""
    if not path:
        return None
    root = os.path.abspath(os.path.expanduser(path))
    if not os.path.isfile(os.path.join(root, "common", "layers.py")):
        raise SystemExit(f"--book {path}: no common/layers.py there; give a checkout of "
                         "https://github.com/oreilly-japan/deep-learning-from-scratch")
    sys.path.insert(0, root)
    from common import layers  # noqa: PLC0415 - the book's package, found through --book

    return layers


class BookFlatten:  # the book's Affine reshapes in place of a Flatten layer
    def forward(self, x):
        self.shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dout):
        return dout.reshape(self.shape)


# ---- Building and timing. ----


def build(spec, in_shape, dtype, rng, book=None):
    """One net's layers, bprop's or (``book``: the book's ``common.layers``) the book's, with He-scaled random weights."""
    layers, shapes, shape = [], [], in_shape
    for _name, kind, args in spec:
        shapes.append(shape)
        if kind == "conv":
            FN, K, stride, pad = args
            W = (rng.standard_normal((FN, shape[1], K, K)) * np.sqrt(2 / (shape[1] * K * K))).astype(dtype)
            b = np.zeros(FN, dtype=dtype)
            layers.append((book.Convolution if book else Convolution)(W, b, stride, pad))
            side = (shape[2] + 2 * pad - K) // stride + 1
            shape = (shape[0], FN, side, side)
        elif kind == "pool":
            size, stride = args
            layers.append(book.Pooling(size, size, stride) if book else Pooling(size, size, stride))
            shape = (shape[0], shape[1], (shape[2] - size) // stride + 1, (shape[3] - size) // stride + 1)
        elif kind == "relu":
            layers.append(book.Relu() if book else Relu())
        else:
            layers.append(BookFlatten() if book else Flatten())
            shape = (shape[0], int(np.prod(shape[1:])))
    return layers, shapes + [shape]


def best_ms(fn, repeat):
    return _best_ms(fn, rounds=repeat, warmup=0)


def _writes_into_dout(layer) -> bool:
    """The book's Relu zeroes dout through its mask (``dout[self.mask] = 0``)."""
    return type(layer).__module__ == "common.layers" and type(layer).__name__ == "Relu"


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
        dout = layers[i].backward(dout.copy() if _writes_into_dout(layers[i]) else dout)
    times = []
    for layer, x, dout in zip(layers, inputs, douts):
        fwd = best_ms(lambda: layer.forward(x), repeat)
        layer.forward(x)
        if _writes_into_dout(layer):  # it writes into dout: time it on a fresh copy, copy included
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
    return f"{v:7.2f}" if v is not None and np.isfinite(v) else "      –"


def ratio(a, b):
    return f"{a / b:6.2f}" if a and b and np.isfinite(a / b) else "     –"


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
    if np.isnan(book[0][0]):
        totals[2:4] = bb = np.nan
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
    parser.add_argument("--book", default=os.environ.get("BPROP_BOOK_REPO"), metavar="DIR",
                        help="a checkout of oreilly-japan/deep-learning-from-scratch, for the book's columns "
                             "(default: $BPROP_BOOK_REPO; without one they stay empty)")
    args = parser.parse_args(argv)
    book = book_layers(args.book)
    dtype = np.dtype(args.dtype)
    # NumPy's GEMM speed depends on the OpenBLAS kernel (forced by OPENBLAS_CORETYPE on some hosts).
    print(f"batch {args.batch}, {dtype}, {openblas_info()}, "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}")
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
        ours = time_numpy_layers(ours_layers, x, rng, args.repeat)
        if book is not None:
            theirs, _ = build(spec, in_shape, dtype, np.random.default_rng(1), book=book)
            book_times = time_numpy_layers(theirs, x, rng, args.repeat)
        else:
            book_times = [(np.nan, np.nan)] * len(ours)
        torch_times = time_torch_layers(spec, ours_layers, shapes, dtype, rng, args.repeat) if torch else None
        report(net, spec, shapes, ours, book_times, torch_times)


if __name__ == "__main__":
    main()
