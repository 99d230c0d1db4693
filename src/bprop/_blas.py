"""OpenBLAS's thread count, fitted to the cores that are actually free.

OpenBLAS's worker threads spin while they wait for work. With one CPU-bound
process beside it on two cores, ``bprop train`` ran 2.4–2.7× its quiet time
with OpenBLAS's default of one thread per core, and within 1.15× with one
thread (the table is in issue 13's note; re-measure with a busy loop beside
``bprop train``). ``fit_threads_to_free_cores`` counts the runnable processes
(``procs_running`` in /proc/stat, the least of a few reads, minus this one)
and gives OpenBLAS the cores left, at least one: quiet, nothing changes.

It leaves the count alone where the user chose it (OPENBLAS_NUM_THREADS,
OMP_NUM_THREADS), where /proc/stat is missing (not Linux), or where NumPy's
BLAS is not OpenBLAS. The library never calls it on import; the CLI does, for
the commands that train. A resumed run takes the thread count its
checkpoint recorded instead: the count decides how a matrix product's sums
are split, so another one rounds them differently.
"""

from __future__ import annotations

import ctypes
import functools
import glob
import os
import time

import numpy as np

__all__ = ["free_cores", "fit_threads_to_free_cores", "get_threads", "set_threads", "user_set"]

_USER_SET = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "GOTO_NUM_THREADS")
_PREFIXES = ("scipy_openblas", "openblas")  # NumPy's wheels bundle scipy-openblas (symbols with a 64_ suffix)


@functools.cache
def _library():
    """(set, get) of the OpenBLAS NumPy links, or None (looked up once)."""
    folder = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs")
    for path in sorted(glob.glob(os.path.join(folder, "*openblas*"))):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix in _PREFIXES:
            for suffix in ("64_", ""):
                setter = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
                getter = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
                if setter is not None and getter is not None:
                    setter.argtypes, getter.restype = [ctypes.c_int], ctypes.c_int
                    return setter, getter
    return None


def get_threads() -> int | None:
    """OpenBLAS's thread count now, or None where NumPy's BLAS is not a bundled OpenBLAS."""
    found = _library()
    return None if found is None else int(found[1]())


def set_threads(n: int) -> bool:
    """Give OpenBLAS n threads; False where there is no OpenBLAS to tell."""
    found = _library()
    if found is None:
        return False
    found[0](int(n))
    return True


def free_cores(stat_text: str | None = None, cores: int | None = None) -> int | None:
    """Cores not taken by other runnable processes: cores − (procs_running − 1), at least 1; None off Linux.

    ``stat_text``: /proc/stat's text (read when None, the least of five reads 10 ms apart, so that a
    process waking for a moment does not count).
    """
    cores = cores or os.cpu_count() or 1
    if stat_text is None:
        counts = []
        for _ in range(5):
            try:
                with open("/proc/stat", encoding="ascii") as f:
                    counts.append(_procs_running(f.read()))
            except OSError:
                return None
            time.sleep(0.01)
        running = min(c for c in counts if c is not None) if any(c is not None for c in counts) else None
    else:
        running = _procs_running(stat_text)
    if running is None:
        return None
    return max(1, min(cores, cores - (running - 1)))


def _procs_running(text: str) -> int | None:
    for line in text.splitlines():
        if line.startswith("procs_running "):
            return int(line.split()[1])
    return None


def user_set() -> bool:
    """Whether the user chose the thread count (OPENBLAS_NUM_THREADS and the like)."""
    return any(os.environ.get(name) for name in _USER_SET)


def fit_threads_to_free_cores() -> int | None:
    """Set OpenBLAS's threads to the free cores (unless the user set them); the count set, or None."""
    if user_set():
        return None
    free = free_cores()
    if free is None or not set_threads(free):
        return None
    return free
