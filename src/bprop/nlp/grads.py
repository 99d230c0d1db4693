"""Gradient clipping by the global norm (book 2 §5.5.3, used by its Trainer from ch. 5 on).

With g the concatenation of every gradient array and τ = max_norm,

    ‖g‖ = sqrt(Σ_arrays Σ_elements grad²);   if τ / (‖g‖ + 1e-6) < 1:  grad ← grad · τ / (‖g‖ + 1e-6)

so after clipping ‖g‖ ≤ τ, and each gradient keeps its direction relative to
the others. The book's 1e-6 is kept: a norm of exactly τ is scaled by a factor
just under 1.

>>> grads = [np.array([3.0]), np.array([4.0])]
>>> clip_grads(grads, 1.0)
5.0
>>> [g.round(6) for g in grads]
[array([0.6]), array([0.8])]
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from bprop._checks import real
from bprop._types import Params


def clip_grads(grads: Params, max_norm: float) -> float:
    """The book's clip_grads: scale all gradients in place by one factor when their global L2 norm passes max_norm.

    grads: a list or tuple of float arrays (the book's ``model.grads``) or a
    dict name → float array; each array is scaled in place and keeps its
    dtype. An array that appears twice is counted and scaled once (the book
    would scale it twice). max_norm: > 0 (inf never clips).

    Returns the global norm before clipping, as a float (the book returns
    nothing; torch's ``clip_grad_norm_`` returns the same number). A NaN or inf
    gradient gives a NaN or inf norm: nothing is scaled, and the returned norm
    says so.

    Each array's squared norm is one BLAS dot product; should that overflow
    (float32 entries past 1.8e19), the norm is computed again scaled by the
    largest entry, so a huge but finite gradient is still clipped.
    """
    max_norm = real(max_norm, "max_norm", 0, open_low=True, owner="clip_grads")
    arrays = _gradient_arrays(grads)
    total_norm = math.hypot(*(_norm(g) for g in arrays)) if arrays else 0.0
    rate = max_norm / (total_norm + 1e-6)
    if rate < 1 and math.isfinite(total_norm):  # scaling an inf by 0 would make NaN
        for g in arrays:
            g *= rate  # a Python float: float32 stays float32
    return total_norm


def _gradient_arrays(grads) -> list[np.ndarray]:
    """The distinct arrays of grads (a list, tuple or dict), each checked to be a writeable float array."""
    if isinstance(grads, Mapping):
        items = list(grads.items())
    elif isinstance(grads, (list, tuple)):
        items = list(enumerate(grads))
    else:
        hint = " (wrap a single array in a list: [grad])" if isinstance(grads, np.ndarray) else ""
        raise TypeError(f"clip_grads expected grads as a list, tuple or dict of arrays, "
                        f"got {type(grads).__name__}{hint}")
    arrays, seen = [], set()
    for key, g in items:
        if not isinstance(g, np.ndarray) or g.dtype.kind != "f":
            what = f"dtype {g.dtype}" if isinstance(g, np.ndarray) else type(g).__name__
            raise TypeError(f"clip_grads expected grads[{key!r}] to be a float array (it is scaled in place), "
                            f"got {what}")
        if not g.flags.writeable:
            raise ValueError(f"clip_grads got a read-only grads[{key!r}]; it scales the gradients in place")
        if id(g) not in seen:
            seen.add(id(g))
            arrays.append(g)
    return arrays


def _norm(g: np.ndarray) -> float:
    """‖g‖₂ as a float, overflow-safe for finite entries."""
    flat = g.reshape(-1)
    with np.errstate(over="ignore"):  # an overflow is caught below
        squares = float(np.dot(flat, flat))
    if math.isfinite(squares) or not np.isfinite(flat).all():
        return math.sqrt(squares)
    scale = float(np.max(np.abs(flat)))
    scaled = flat / scale
    return scale * math.sqrt(float(np.dot(scaled, scaled)))
