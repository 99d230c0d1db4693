"""What the causes of book 2's layers share: the layer's arrays by name or position, which gradient a report's
label is, and when a guess names a cause.

>>> weights({0: "Wx", 1: "Wh", 2: "b"}), weights({"W": 1}, ("W",)), weights({0: "W"})
(['Wx', 'Wh', 'b'], [1], None)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from bprop.gradcheck.compare import rel
from bprop.gradcheck.diagnose import CLOSE

__all__ = ["weights", "slot", "named"]


def weights(params: dict, order: Sequence[str] = ("Wx", "Wh", "b")) -> list | None:
    """The layer's arrays in ``order``: a ``params`` list by position, attributes or dict entries by name; or None."""
    if params and all(isinstance(k, int) for k in params):
        return [params[k] for k in sorted(params)] if len(params) == len(order) else None
    found = {str(k).lower(): v for k, v in params.items()}
    if all(n.lower() in found for n in order):
        return [found[n.lower()] for n in order]
    return None


def slot(case: Any, target: Any, order: Sequence[str]) -> tuple[str, int] | None:
    """('in', i) for the gradient of forward's input i, ('param', j) for the parameter j of ``order``."""
    for i, name in enumerate(case.names or ()):
        if target == "d" + name:
            return "in", i
    listed = re.fullmatch(r"grads\[(\d+)\]", target)
    if listed:
        return "param", int(listed.group(1))
    position = {n.lower(): j for j, n in enumerate(order)}.get(target[1:].lower())
    return None if position is None else ("param", position)


def named(a: np.ndarray, guess: np.ndarray | None, right: np.ndarray) -> bool:
    """The guess explains a: it comes within CLOSE of it and differs from the right gradient."""
    return guess is not None and np.shape(guess) == np.shape(a) and rel(a, guess) < CLOSE and rel(guess, right) >= CLOSE
