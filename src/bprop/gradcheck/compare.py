"""Comparing arrays the checker's way: copies in float64, relative errors, first differences, index text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def copy_grad(g: Any) -> np.ndarray | None:
    """A float64 copy of a gradient (or an output), or None when there is none (or it is not numeric)."""
    if g is None:
        return None
    try:
        return np.array(g, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def rel(a: np.ndarray, b: np.ndarray) -> float:
    """max|a − b| / max(max|a|, max|b|, 1e-8): 0 for empty arrays."""
    if np.size(a) == 0:
        return 0.0
    return float(np.max(np.abs(a - b))) / rel_scale(a, b)


def rel_scale(a: np.ndarray, b: np.ndarray) -> float:
    """The denominator of the relative error."""
    return max(float(np.max(np.abs(a), initial=0.0)), float(np.max(np.abs(b), initial=0.0)), 1e-8)


def difference(a: np.ndarray | None, b: np.ndarray | None) -> float:
    """Largest |a − b|, NaN matching NaN; inf when shapes or NaN positions differ, 0 when equal."""
    if a is None or b is None:
        return 0.0 if a is b else np.inf
    if a.shape != b.shape or not np.array_equal(np.isnan(a), np.isnan(b)):
        return np.inf
    with np.errstate(invalid="ignore"):
        d = np.abs(np.where(np.isnan(a), 0.0, a - b))
    return float(np.max(d, initial=0.0))


def first_change(before: np.ndarray, after: np.ndarray) -> str | None:
    """Index of the first element that differs (NaN equals NaN), or None if none does."""
    if before.shape != after.shape:
        return str(after.shape)
    same = before == after
    if before.dtype.kind == "f":
        same |= np.isnan(before) & np.isnan(after)
    return None if same.all() else first_index(~same)


def first_index(mask: np.ndarray) -> str:
    return fmt_index(np.unravel_index(np.argmax(mask), mask.shape))


def fmt_index(index: Sequence[Any]) -> str:
    return "(" + ", ".join(str(int(i)) for i in index) + ")"
