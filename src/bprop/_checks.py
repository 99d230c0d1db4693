"""Argument checks shared by the whole library: one rule each, written once.

``integer`` is the rule "an int (not a bool, not a float), at least ``least``"
that layer options, net sizes, step counts and figure layouts all follow;
``positive_int`` is its most common case. ``real`` is "a number (not a bool)
in an interval", for hyperparameters and layer options; ``range_text`` states
an interval the way every message does. ``float_dtype`` admits the two dtypes
bprop computes in. ``class_labels`` reads a classifier's t: labels (N,) or
one-hot rows (N, C). ``mode_flag`` reads ``train_flg``. Each raises TypeError for a value of the wrong kind and
ValueError for one out of range, with a message that names the argument.

Messages come in two voices: with ``owner`` (a layer or function name) they
read "Convolution expected stride >= 1, got 0"; without, "n_in must be a
positive int, got 0".
"""

from __future__ import annotations

import math

import numpy as np

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def is_integer(value) -> bool:
    """Whether value is a Python or NumPy integer; bools (and np.bool_) are not."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def integer(value, name: str, least: int = 0, *, owner: str | None = None) -> int:
    """``value`` as an int ≥ ``least``: TypeError unless it is an integer (bools refused), ValueError below least."""
    if not is_integer(value):
        if owner:
            raise TypeError(f"{owner} expected an integer {name}, got {value!r}")
        raise TypeError(f"{name} must be {_integer_range(least)}, got {type(value).__name__} {value!r}")
    if value < least:
        if owner:
            raise ValueError(f"{owner} expected {name} >= {least}, got {value}")
        raise ValueError(f"{name} must be {_integer_range(least)}, got {value}")
    return int(value)


def mode_flag(train_flg, owner: str) -> bool:
    """train_flg as a bool: True, False (NumPy's too, 0-d arrays too) or the ints 1 and 0; else a TypeError.

    An array here is usually labels passed to a layer that is not the loss
    (``bn.forward(x, t)``); its truth would be an accident, so it is refused.
    """
    if isinstance(train_flg, (bool, np.bool_)) or (is_integer(train_flg) and train_flg in (0, 1)):
        return bool(train_flg)
    if isinstance(train_flg, np.ndarray) and train_flg.shape == () and train_flg.dtype == bool:
        return bool(train_flg)
    shape = f" of shape {np.shape(train_flg)}" if isinstance(train_flg, np.ndarray) else ""
    raise TypeError(f"{owner} expected train_flg True or False, got {type(train_flg).__name__}{shape}: "
                    f"forward(x, train_flg) takes the mode, and labels go to the loss layer")


def first_out_of_range(ids: np.ndarray, vocab_size: int | None):
    """(position, id) of the first integer id below 0 or, when vocab_size is given, not below it; None if all fit.

    A min and a max decide; the position is searched for only on failure. Word ids (Embedding, the
    corpus functions of bprop.nlp) follow this rule: a negative id is refused, not counted from the end.
    """
    if ids.size == 0 or (ids.min() >= 0 and (vocab_size is None or ids.max() < vocab_size)):
        return None
    bad = (ids < 0) if vocab_size is None else (ids < 0) | (ids >= vocab_size)
    where = tuple(int(i) for i in np.argwhere(bad)[0])
    return where, int(ids[where])


def positive_int(value, name: str) -> int:
    """value as an int ≥ 1 (a layer size, a step count); bools and floats are refused."""
    return integer(value, name, 1)


def _integer_range(least: int) -> str:
    return "a positive int" if least == 1 else f"an int >= {least}"


def real(value, name: str, low: float = -math.inf, high: float = math.inf, *,
         open_low: bool = False, open_high: bool = False, owner: str | None = None) -> float:
    """``value`` as a float in [low, high] (a bound excluded when open; NaN never lies inside).

    TypeError unless it is an int or float (bools refused). An infinite bound
    that is closed admits infinity itself (``lr`` in (0, inf]).
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        if owner:
            raise TypeError(f"{owner} expected a number for {name}, got {value!r}")
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    v = float(value)
    too_low = v <= low if open_low else v < low
    too_high = v >= high if open_high else v > high
    if math.isnan(v) or too_low or too_high:
        if owner:
            raise ValueError(f"{owner} expected {name} {range_text(low, high, open_low, open_high) or 'finite'}, "
                             f"got {value!r}")
        bounds = f"{'(' if open_low else '['}{low:g}, {high:g}{')' if open_high else ']'}"
        raise ValueError(f"{name} must lie in {bounds}, got {value!r}")
    return v


def range_text(low: float, high: float, open_low: bool = False, open_high: bool = False) -> str:
    """'in [0, 1)', '> 0', '>= 0', '< 1', or '' when both bounds are infinite: how messages state a range."""
    if math.isinf(low) and math.isinf(high):
        return ""
    if math.isinf(high):
        return f"{'>' if open_low else '>='} {low:g}"
    if math.isinf(low):
        return f"{'<' if open_high else '<='} {high:g}"
    return f"in {'(' if open_low else '['}{low:g}, {high:g}{')' if open_high else ']'}"


def float_dtype(dtype) -> np.dtype:
    """dtype as np.dtype, which must be float32 or float64."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be float32 or float64, got {dtype!r}") from None
    if dt not in FLOAT_DTYPES:
        raise TypeError(f"dtype must be float32 or float64, got {dt}")
    return dt


def class_labels(t, n: int, classes: int | None, owner: str):
    """t as integer labels of shape (n,) in [0, classes), or None when t is one-hot (or class probabilities),
    shape (n, classes), every row in [0, 1] summing to 1. ``classes`` None: not known yet, not checked.

    Refused with a message naming the shape or the value and what is valid: labels of shape (N, 1),
    labels outside [0, C) (−1, C), fractional labels, one-hot rows that sum to 2 or 0 or hold negatives.

    >>> class_labels([2, 0], 2, 3, "accuracy")
    array([2, 0])
    >>> class_labels([[0, 1], [1, 1]], 2, 2, "accuracy")
    Traceback (most recent call last):
    ValueError: accuracy: row 1 of the one-hot t sums to 2; each row must hold a single 1 (or class probabilities summing to 1)
    """
    t = np.asarray(t)
    if t.ndim == 2 and t.shape == (n, 1) and classes != 1:
        raise ValueError(f"{owner} got t of shape {t.shape}: pass labels as shape ({n},), t.ravel(), "
                         f"or one-hot rows of shape ({n}, C)")
    if t.ndim == 2 and t.shape[0] == n and (classes is None or t.shape[1] == classes):
        rows = t.astype(np.float64)
        bad = np.flatnonzero(~np.isfinite(rows).all(axis=1) | (rows < 0).any(axis=1) | (rows > 1).any(axis=1))
        if bad.size:
            raise ValueError(f"{owner}: row {bad[0]} of the one-hot t holds {rows[bad[0]].tolist()}; "
                             f"entries must lie in [0, 1]")
        sums = rows.sum(axis=1)
        bad = np.flatnonzero(np.abs(sums - 1) > 1e-6)
        if bad.size:
            raise ValueError(f"{owner}: row {bad[0]} of the one-hot t sums to {sums[bad[0]]:g}; each row must "
                             f"hold a single 1 (or class probabilities summing to 1)")
        return None
    if t.shape != (n,):
        want = f"({n},) labels or ({n}, {classes if classes is not None else 'C'}) one-hot rows"
        raise ValueError(f"{owner} expected t of shape {want}, got shape {t.shape}")
    if t.dtype.kind not in "iu":
        if t.dtype.kind not in "fb" or not np.all(np.isfinite(t)) or np.any(t != np.round(t)):
            raise TypeError(f"{owner} expected integer labels (class indices), got dtype {t.dtype}")
    labels = t.astype(np.intp)
    if classes is not None:
        bad = np.flatnonzero((labels < 0) | (labels >= classes))
        if bad.size:
            raise ValueError(f"{owner} got label {labels[bad[0]]} at index {bad[0]}, out of range for {classes} "
                             f"classes (labels must lie in [0, {classes - 1}])")
    return labels
