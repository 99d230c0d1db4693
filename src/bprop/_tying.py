"""Weight tying: when two entries of a parameter list are one array (or one the other's transpose).

Book 2 ties weights by listing an array twice — CBOW's context embeddings
share W_in; BetterRnnlm's decoder Affine holds the Embedding's ``W.T`` — and
its trainer removes the duplicates before each update. bprop's optimizers
and model files use ``earlier_copies`` instead.
"""

from __future__ import annotations

import numpy as np

__all__ = ["same_weights", "is_transpose", "earlier_copies"]


def is_transpose(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether a is exactly b.T: the same memory, read with the axes swapped."""
    return (a.ndim == 2 and a.shape == b.shape[::-1] and a.strides == b.strides[::-1]
            and a.__array_interface__["data"][0] == b.__array_interface__["data"][0])


def same_weights(a: np.ndarray, b: np.ndarray) -> str | None:
    """"same" when a is b, "transpose" when a is b.T, else None."""
    if a is b:
        return "same"
    return "transpose" if is_transpose(a, b) else None


def earlier_copies(arrays) -> list[tuple[int, str] | None]:
    """For each array, None when it is the first of its weights, else (the index of the first, "same" | "transpose")."""
    found: list[tuple[int, str] | None] = []
    firsts: list[int] = []
    for i, a in enumerate(arrays):
        for j in firsts:
            tie = same_weights(a, arrays[j])
            if tie is not None:
                found.append((j, tie))
                break
        else:
            found.append(None)
            firsts.append(i)
    return found
