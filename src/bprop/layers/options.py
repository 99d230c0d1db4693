"""A layer's constructor options, declared once.

A layer lists its scalar options in ``options`` (its arrays are ``param_names``
and ``state_names``); from that one declaration come its argument checks
(``Layer._set_options``), its ``repr`` (``Pooling(max 2×2, stride 2, pad 0)``, with
``repr_format``; see ``Layer.__repr__``), and what a model file records for it
(``bprop.serialize``)::

    class Pooling(Layer):
        options = (integer("pool_h", 1), integer("pool_w", 1), integer("stride", 1),
                   integer("pad", 0), choice("mode", {"max": None, "avg": None}))

Messages name the layer: "Pooling expected pool_h >= 1, got 0".
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from bprop import _checks


@dataclass(frozen=True)
class Option:
    """One scalar option: its name, how a value is checked, and where it appears.

    check(value, name, owner) returns the value to keep or raises TypeError /
    ValueError. ``text``: a model file keeps it as text. ``saved``: a model file
    keeps it at all (False for a run-time choice such as Relu's ``inplace``,
    which ``repr`` shows only when True). ``boolean``: a flag; ``repr`` shows it
    and a model file records it only when True, so adding one changes neither
    for layers that leave it off.
    """

    name: str
    check: Callable[[Any, str, str], Any]  # (value, name, owner) → the value to keep
    text: bool = False
    saved: bool = True
    boolean: bool = False


def integer(name: str, least: int) -> Option:
    """An int ≥ least (bools and floats refused)."""
    return Option(name, lambda value, n, owner: _checks.integer(value, n, least, owner=owner))


def number(name: str, low: float = -math.inf, high: float = math.inf, *,
           open_low: bool = False, open_high: bool = False) -> Option:
    """A finite real number in [low, high] (a bound left out with open_low / open_high); kept as a float."""
    open_low, open_high = open_low or math.isinf(low), open_high or math.isinf(high)  # never ±inf itself
    return Option(name, lambda value, n, owner: _checks.real(value, n, low, high, open_low=open_low,
                                                             open_high=open_high, owner=owner))


def choice(name: str, choices: dict[str, str | None]) -> Option:
    """One of the texts in ``choices`` (text → a few words on it for the message, or None)."""
    return Option(name, lambda value, n, owner: _choice(value, n, owner, choices), text=True)


def flag(name: str, *, saved: bool = True) -> Option:
    """True or False (shown, and recorded, only when True)."""
    return Option(name, _flag, saved=saved, boolean=True)


def _choice(value: object, name: str, owner: str, choices: dict[str, str | None]) -> str:
    if not isinstance(value, str) or value not in choices:
        alternatives = " or ".join(repr(c) + (f" ({about})" if about else "") for c, about in choices.items())
        raise ValueError(f"{owner} expected {name} {alternatives}, got {value!r}")
    return value


def _flag(value: object, name: str, owner: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner} expected {name} True or False, got {value!r}")
    return bool(value)
