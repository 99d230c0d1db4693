"""Timing shared by the benchmarks: best of several rounds, after a warm-up."""

from __future__ import annotations

import time


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
