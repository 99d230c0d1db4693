"""Finding NaN fast, and where a net lets its layers skip looking.

Every layer refuses NaN input (it would spread silently). The simple test is
``np.isnan(x).any()``; ``contains_nan`` gives the same answer from one BLAS dot
product: Σx² is NaN exactly when x holds a NaN (squares are never negative, so
±inf give inf, never NaN). bench/activations.py prints both speeds.

Inside a net's pass every x and dout but the net's own input comes from another
layer, so a NaN can only start inside a layer (inf − inf or 0·inf after an
overflow) and then reaches the scores, which the net scans. ``Sequential``
runs its layers inside ``layers_feeding_layers()``, where the layers skip
their scans; outside it (a layer called on its own) they scan again.
"""

from __future__ import annotations

import contextlib
import contextvars

import numpy as np

_SCAN_FOR_NAN = contextvars.ContextVar("bprop_scan_for_nan", default=True)


def contains_nan_simple(x: np.ndarray) -> bool:
    """Whether x holds a NaN: the plain form ``contains_nan`` must equal."""
    return bool(np.isnan(x).any())


def contains_nan(x: np.ndarray) -> bool:
    """Whether x holds a NaN, as one dot product: isnan(Σx²)."""
    flat = x.ravel(order="K")  # no copy for any contiguous layout, channel-major conv outputs included
    with np.errstate(all="ignore"):
        return bool(np.isnan(np.vdot(flat, flat)))


def reject_nan(x: np.ndarray, name: str, owner: str) -> None:
    """Raise ValueError naming the first NaN of ``x``, if it holds one."""
    if x.size and contains_nan(x):
        where = tuple(int(i) for i in np.argwhere(np.isnan(x))[0])
        raise ValueError(f"{owner} got NaN in {name} at index {where}")


def reject_nan_through(out: np.ndarray, x: np.ndarray, name: str, owner: str) -> None:
    """Reject a NaN of ``x`` by searching ``out``, a smaller array that every element of x reaches.

    For a layer where a NaN anywhere in x makes NaN outputs (Affine: NaN·w is
    NaN even for w = 0): the (N, M) output is searched, and only when it holds
    a NaN is x itself searched for the index to report. Skipped inside a net's pass.
    """
    if scanning_for_nan() and contains_nan(out):
        reject_nan(x, name, owner)


def scanning_for_nan() -> bool:
    """Whether layers scan their x and dout for NaN here (True but inside ``layers_feeding_layers``)."""
    return _SCAN_FOR_NAN.get()


@contextlib.contextmanager
def layers_feeding_layers():
    """Within this block layers skip the NaN scan of their x and dout (see the module docstring)."""
    token = _SCAN_FOR_NAN.set(False)
    try:
        yield
    finally:
        _SCAN_FOR_NAN.reset(token)
