"""Activation layers, forward + backward: bprop vs the book's code vs torch vs the memory floor.

Run: python bench/activations.py [--sizes 1e6,1e7] [--repeat 5] [--block N] [--threads N]

--block and --threads set the elementwise kernels' block size and thread count
(bprop._kernels.blocks; the thread count is OpenBLAS's, which these layers do
not otherwise use), to compare settings in one run each.

For each activation, dtype and size it prints ns/element (best of --repeat) of
one forward plus one backward, all measured in this one run:
- bprop: the layer from bprop.layers;
- book: the book's code (ReLU: mask, x.copy(), out[mask] = 0, dout[mask] = 0;
  Sigmoid: 1/(1+np.exp(-x)), dout*(1-y)*y), for ReLU and Sigmoid only;
- torch: the torch function with autograd (when torch is installed);
- floor: the bytes a fwd+bwd must move (read x, write y, write the cache,
  read dout and the cache, write dx) ÷ the copy bandwidth measured here.

"Copy bandwidth" is quoted two ways, and the table shows both:
- copy rate: bytes copied per second, as memory bandwidth is usually quoted
  (a copy of N bytes reads N and writes N); floor = bytes moved ÷ copy rate;
- traffic: bytes read + written per second (twice the copy rate); floor/2 =
  bytes moved ÷ traffic, the strict lower bound. bprop/(floor/2) shows how far
  from it a layer is; fresh output arrays (first-touch page zeroing) and the
  NaN checks of x and dout account for most of the gap at 1e7 elements.
Ratios: bprop/torch (goal ≤ 1) and bprop/floor (goal ≤ 2).
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
from _timing import best_ms, openblas_info

from bprop import _blas
from bprop import layers as L
from bprop._kernels import blocks

ACTIVATIONS = {  # name: (bprop layer, torch function name, bytes its cache needs per element or None = itemsize)
    "Relu": (L.Relu, "relu", 1),
    "Sigmoid": (L.Sigmoid, "sigmoid", None),
    "Tanh": (L.Tanh, "tanh", None),
    "LeakyRelu": (L.LeakyRelu, "leaky_relu", 1),
    "Elu": (L.Elu, "elu", None),
    "Gelu": (L.Gelu, "gelu", None),
    "Softplus": (L.Softplus, "softplus", None),
    "Silu": (L.Silu, "silu", None),
}


def book_relu(x, dout):
    mask = x <= 0
    out = x.copy()
    out[mask] = 0
    dout[mask] = 0  # the book's in-place backward (on a copy here, see below)
    return out, dout


def book_sigmoid(x, dout):
    out = 1 / (1 + np.exp(-x))
    return out, dout * (1.0 - out) * out


BOOK = {"Relu": book_relu, "Sigmoid": book_sigmoid}


def best_time(fn, repeat):
    """Best of ``repeat`` single calls of fn(), in seconds, no warm-up."""
    return best_ms(fn, rounds=repeat, warmup=0) / 1e3


def copy_rate(nbytes=400_000_000, repeat=5):
    """Bytes copied per second by a large memory copy (each byte is read once and written once)."""
    src = np.ones(nbytes // 8)
    dst = np.empty_like(src)
    return src.nbytes / best_time(lambda: np.copyto(dst, src), repeat)


def torch_runner(name, x, dout):
    import torch

    fn = getattr(torch.nn.functional, name)
    kwargs = {"approximate": "tanh"} if name == "gelu" else {}
    tx, tdout = torch.from_numpy(x), torch.from_numpy(dout)

    def run():
        leaf = tx.detach().requires_grad_(True)
        fn(leaf, **kwargs).backward(tdout)
        return leaf.grad

    return run


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1e6,1e7", help="element counts, comma-separated")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", default="", help="comma-separated activation names (default: all)")
    parser.add_argument("--block", type=int, default=blocks.BLOCK, help="elements per block of the kernels")
    parser.add_argument("--threads", type=int, default=None, help="threads of the kernels (default: OpenBLAS's)")
    args = parser.parse_args(argv)
    blocks.BLOCK = args.block
    if args.threads is not None:
        _blas.set_threads(args.threads)
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    names = args.only.split(",") if args.only else list(ACTIVATIONS)

    try:
        import torch

        torch_note = f"torch {torch.__version__}, {torch.get_num_threads()} threads"
    except ImportError:
        torch = None
        torch_note = "torch not installed"
    rate = copy_rate()
    print(f"numpy {np.__version__}, {openblas_info()}; bprop kernels: {blocks.thread_count()} threads, "
          f"blocks of {blocks.BLOCK}; {torch_note}; copy rate {rate / 1e9:.1f} GB/s "
          f"(= {2 * rate / 1e9:.1f} GB/s of read + write traffic)")
    print(f"ns/element, forward + backward, best of {args.repeat}\n")
    header = f"{'layer':<10} {'dtype':<8} {'n':>5} {'bprop':>7} {'book':>7} {'torch':>7} {'floor':>7} {'bprop/torch':>12} {'bprop/floor':>12} {'bprop/(floor/2)':>16} {'book/bprop':>11}"
    print(header)
    print("-" * len(header))

    rng = np.random.default_rng(0)
    for name in names:
        cls, torch_name, cache_bytes = ACTIVATIONS[name]
        for dtype in (np.float32, np.float64):
            for n in sizes:
                x = rng.standard_normal(n).astype(dtype)
                dout = rng.standard_normal(n).astype(dtype)
                layer = cls()

                def ours():
                    layer.forward(x)
                    return layer.backward(dout)

                t_ours = best_time(ours, args.repeat) / n * 1e9
                t_book = float("nan")
                if name in BOOK:
                    scratch = dout.copy()  # the book's backward overwrites dout; give it a copy to spoil
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        t_book = best_time(lambda: BOOK[name](x, scratch), args.repeat) / n * 1e9
                t_torch = float("nan")
                if torch is not None:
                    t_torch = best_time(torch_runner(torch_name, x, dout), args.repeat) / n * 1e9
                itemsize = x.itemsize
                moved = 4 * itemsize + 2 * (cache_bytes or itemsize)
                t_floor = moved / rate * 1e9
                print(
                    f"{name:<10} {np.dtype(dtype).name:<8} {n:>5.0e} {t_ours:>7.2f} {t_book:>7.2f} {t_torch:>7.2f} "
                    f"{t_floor:>7.2f} {t_ours / t_torch:>12.2f} {t_ours / t_floor:>12.2f} {2 * t_ours / t_floor:>16.2f} {t_book / t_ours:>11.2f}"
                )


if __name__ == "__main__":
    main()
