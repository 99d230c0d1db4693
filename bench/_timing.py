"""What the benchmarks share: best of several rounds after a warm-up, the BLAS kernel NumPy runs, the MNIST batch, training steps."""

from __future__ import annotations

import ctypes
import functools
import os
import time

import numpy as np


def best_ms(fn, steps: int = 1, rounds: int = 5, warmup: int = 3) -> float:
    """Best over ``rounds`` of the mean time of one call of fn(), in ms, after ``warmup`` calls."""
    for _ in range(warmup):
        fn()
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(steps):
            fn()
        best = min(best, (time.perf_counter() - start) / steps)
    return best * 1e3


def load_average() -> str:
    """The 1-, 5- and 15-minute load averages, as the benchmarks print them beside their timings."""
    a, b, c = os.getloadavg()
    return f"{a:.2f} {b:.2f} {c:.2f}"


def has_torch() -> bool:
    """Whether torch can be imported (the benchmarks time bprop alone without it)."""
    try:
        import torch  # noqa: F401 - only whether it is there
    except ImportError:
        return False
    return True


def openblas_info() -> str:
    """The kernel and thread count of the OpenBLAS NumPy loaded, read from the library itself."""
    paths = sorted({line.split()[-1] for line in open("/proc/self/maps") if "openblas" in line.lower()})
    for path in paths:
        lib = ctypes.CDLL(path)
        for prefix, suffix in (("scipy_", "64_"), ("", "")):
            try:
                corename = getattr(lib, f"{prefix}openblas_get_corename{suffix}")
                threads = getattr(lib, f"{prefix}openblas_get_num_threads{suffix}")
            except AttributeError:
                continue
            corename.restype = ctypes.c_char_p
            return f"OpenBLAS kernel {corename().decode()}, {threads()} threads"
    return "BLAS kernel unknown (not OpenBLAS?)"


@functools.lru_cache(maxsize=None)
def _mnist_batch(dtype: np.dtype, flatten: bool):
    # bprop is imported here, not at the top: train_mlp.py forks its jobs before it
    # loads anything, so that their peak RSS is not inflated by this process's.
    from bprop.datasets import load_mnist

    (x_train, t_train), _ = load_mnist(flatten=flatten, dtype=dtype)
    # Copies, not views: a view of the first 100 rows would keep all 60,000 alive.
    return x_train[:100].copy(), t_train[:100].copy()


def mnist_batch(dtype=np.float32, flatten: bool = True):
    """The first 100 MNIST training images (dtype; (100, 784) or (100, 1, 28, 28)) and labels, fresh copies."""
    x, t = _mnist_batch(np.dtype(dtype), flatten)
    return x.copy(), t.copy()


def train_step(net, optimizer, x, t, full_backward: str | None = None):
    """A callable doing one bprop training step of net on (x, t): loss_and_gradient, then the update.

    full_backward names a layer (the first one, whose dx bprop skips) whose
    ``backward_params`` is replaced by its full ``backward``, as the book's step does.
    """
    if full_backward is not None:
        first = net.layers[full_backward]
        first.backward_params = first.backward  # what Sequential calls there: now the full backward

    def step():
        _, grads = net.loss_and_gradient(x, t)
        optimizer.update(net.params, grads)

    return step


def torch_train_step(net, optimizer, xt, tt):
    """A callable doing one torch training step of net on tensors (xt, tt), cross-entropy loss."""
    import torch

    def step():
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(net(xt), tt).backward()
        optimizer.step()

    return step
