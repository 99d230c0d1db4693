"""Elementwise chains run in cache-sized blocks, on as many threads as OpenBLAS has.

An activation's forward or backward is a short chain of NumPy ufuncs. On whole
arrays every ufunc is a pass over memory: the sigmoid's four (negate, exp,
+1, 1/·) each read and write 40 MB at 10⁷ float32 elements. On blocks of
``BLOCK`` elements the chain's temporaries stay in the core's cache, and
memory is crossed once: x read, y written. NumPy releases the GIL inside its
ufunc loops, so the blocks can be shared between threads; each thread takes
the next block as it finishes one, so a core that another process holds
slows one thread's share, not the whole pass. bench/activations.py prints
what this gains.

How many threads: OpenBLAS's count (``bprop._blas.get_threads``) — the
cores the CLI found free at start (``fit_threads_to_free_cores``), or what
the user set with OPENBLAS_NUM_THREADS — else the CPUs this process may run
on. Every element is computed by the same ufunc calls whatever the count, so
results do not depend on it (a test checks one thread against two).

    fresh(kernel, ins, dtypes)     the outputs made like ins[0], then ``apply``
    apply(kernel, ins, outs)       kernel(ins, outs) on matching blocks of whole arrays (one layout)
    run(kernel, ins, outs)         the same on 1-D arrays
    flat_views(*arrays)            the arrays as 1-D views in one memory order, or None
    dense(x), arranged_like(a, b)  x made dense; a laid out as b (each a copy only when needed)

A NaN scan can ride along (``apply``'s ``scan``): the maximum of each block of
the input, taken while the block is in cache, is NaN exactly when the block
holds a NaN (np.maximum propagates NaN; infinities are ordered) — instead of a
separate pass over memory. ``reject_nan`` then names the first NaN's index.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from bprop import _blas
from bprop._kernels.nan import reject_nan

# Elements per block: 2¹⁷ (512 KB of float32 per array) keeps a chain's arrays in
# the last-level cache. Each ufunc call hands the GIL between the threads, which
# costs tens of microseconds on a busy pair of cores: smaller blocks pay that
# more often than the cache saves (bench/activations.py, --block; 2¹⁴ ran
# 1.5–3× slower than 2¹⁷ with two threads). Arrays of one block or less are done
# whole, on the calling thread.
BLOCK = 2**17
# Threads from this many blocks on: with fewer, the hand-offs of a chain of cheap
# ufuncs (ReLU's two, GELU's nine) cost what the second thread saves, or more.
THREADED_FROM_BLOCKS = 6
MAX_THREADS = 8

Kernel = Callable[[Sequence[np.ndarray], Sequence[np.ndarray]], None]

_pool: concurrent.futures.ThreadPoolExecutor | None = None
_pool_pid = -1
_pool_lock = threading.Lock()


def fresh(kernel: Kernel, inputs: Sequence[np.ndarray], dtypes: Sequence[type | np.dtype | None],
          scan: tuple[int, str, str] | None = None, errstate: dict[str, Any] | None = None) -> list[np.ndarray]:
    """New outputs laid out as inputs[0] (dtype None: inputs[0]'s), filled by ``apply``; returned as a list.

    Every input must be laid out as inputs[0] (``dense``, ``arranged_like``).
    """
    outputs = [np.empty_like(inputs[0], dtype=inputs[0].dtype if d is None else d) for d in dtypes]
    apply(kernel, inputs, outputs, scan=scan, errstate=errstate)
    return outputs


def apply(kernel: Kernel, inputs: Sequence[np.ndarray], outputs: Sequence[np.ndarray],
          scan: tuple[int, str, str] | None = None, errstate: dict[str, Any] | None = None) -> None:
    """``run`` on whole arrays of one shape and one dense memory order (``flat_views``; ValueError if not).

    Arrays of one block or less go to the kernel whole, in any layout: nothing to share.

    scan = (i, name, owner): raise reject_nan's ValueError when inputs[i] holds a NaN —
    after the pass, which wrote only ``outputs``. errstate: np.errstate's arguments,
    set in every thread (NumPy's error state is per thread).
    """
    kernel_in_blocks = kernel
    flagged: list[bool] = []
    if scan is not None:
        i = scan[0]

        def kernel_in_blocks(ins, outs):
            if ins[i].size and np.isnan(np.maximum.reduce(ins[i], axis=None)):
                flagged.append(True)
            kernel(ins, outs)

    if inputs[0].size <= BLOCK:  # one block: the whole arrays as they are (ufuncs take any layout)
        with np.errstate(**(errstate or {})):
            kernel_in_blocks(inputs, outputs)
    else:
        views = flat_views(*inputs, *outputs)
        if views is None:
            raise ValueError("blocks.apply needs arrays of one shape and one dense memory order")
        run(kernel_in_blocks, views[: len(inputs)], views[len(inputs):], errstate=errstate)
    if flagged and scan is not None:
        reject_nan(inputs[scan[0]], scan[1], scan[2])


def nan_scan(owner: str | None, name: str, i: int = 0) -> tuple[int, str, str] | None:
    """``apply``'s scan argument: scan inputs[i] (called ``name``, reported for ``owner``), or None for no scan."""
    return None if owner is None else (i, name, owner)


def dense(x: np.ndarray) -> np.ndarray:
    """x when its elements fill their memory in some axis order (or it is one block), else a C-ordered copy."""
    return x if x.size <= BLOCK or flat_views(x) is not None else np.ascontiguousarray(x)


def arranged_like(a: np.ndarray, like: np.ndarray) -> np.ndarray:
    """a (of like's shape) when it is laid out as ``like`` is (or is one block), else a copy in like's layout."""
    if a.size <= BLOCK or flat_views(a, like) is not None:
        return a
    copy = np.empty_like(like, dtype=a.dtype)
    np.copyto(copy, a)
    return copy


def flat_views(*arrays: np.ndarray) -> tuple[np.ndarray, ...] | None:
    """1-D views of arrays that share one shape and one dense memory order (element i ↔ element i).

    None when the shapes differ, an array is not dense (a slice with gaps), or
    two arrays lay their elements out in different orders (C order beside a
    transposed view): then element i of one flat view would not be element i
    of another.
    """
    first = arrays[0]
    order = np.argsort(first.strides, kind="stable")[::-1]
    views = []
    for a in arrays:
        if a.shape != first.shape:
            return None
        permuted = a.transpose(order)
        if not permuted.flags.c_contiguous:
            return None
        views.append(permuted.reshape(-1))
    return tuple(views)


def thread_count() -> int:
    """Threads for elementwise work: OpenBLAS's count, else the usable CPUs (1 … MAX_THREADS)."""
    n = _blas.get_threads()
    if n is None:
        n = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(MAX_THREADS, n))


def run(kernel: Kernel, inputs: Sequence[np.ndarray], outputs: Sequence[np.ndarray],
        block: int | None = None, threads: int | None = None, errstate: dict[str, Any] | None = None) -> None:
    """Call kernel(ins, outs) on blocks [i, i + block) of 1-D arrays of one length, covering them all.

    The kernel writes outs (and may use them as scratch) from ins, element by
    element: block i of the outputs must depend on block i of the inputs only.
    Blocks are shared by ``threads`` threads (default ``thread_count()``; one below
    THREADED_FROM_BLOCKS blocks). An exception in any block is raised here.
    """
    n = inputs[0].size
    block = BLOCK if block is None else block
    blocks = -(-n // block)
    if threads is None:
        threads = thread_count() if blocks >= THREADED_FROM_BLOCKS else 1
    threads = max(1, min(threads, blocks))
    counter = itertools.count()  # next() on it is atomic under the GIL: each block is taken once

    def work() -> None:
        with np.errstate(**(errstate or {})):
            while (i := next(counter)) < blocks:
                cut = slice(i * block, min(n, (i + 1) * block))
                kernel([a[cut] for a in inputs], [a[cut] for a in outputs])

    if threads == 1:
        work()
        return
    helpers = [_executor().submit(work) for _ in range(threads - 1)]
    try:
        work()
    finally:
        for done in helpers:
            done.result()  # waits; re-raises a helper's exception


def _executor() -> concurrent.futures.ThreadPoolExecutor:
    """The shared worker threads, made anew in a forked child (a fork copies no threads)."""
    global _pool, _pool_pid
    with _pool_lock:
        if _pool is None or _pool_pid != os.getpid():
            _pool = concurrent.futures.ThreadPoolExecutor(MAX_THREADS - 1, thread_name_prefix="bprop-elementwise")
            _pool_pid = os.getpid()
        return _pool
