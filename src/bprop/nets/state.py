"""A net's state as a dict of arrays: ``state_dict()`` and ``load_state_dict(d)``, shared by every net.

``net.state_dict()`` is a dict, in the net's order, name → a copy of each
array that decides what the net computes:

- the parameters, named as ``net.params`` names them: ``W1``, ``b1``, … for
  the book-1 nets (``Sequential``); ``embed.W``, ``block1.attn.W_q``, … for
  book 2's models and the Transformer (``SequenceModel``);
- the other arrays a layer keeps (its ``state_names``), named as a model file
  names them: ``BatchNormalization1.running_mean``, ``….running_var``;
- the arrays a preset saves besides its layers' (the convnets' ``W1_init``).

So the names and values are those of the arrays in the net's .npz file
(``net.save``), ``architecture`` aside. A tied weight — one array listed twice
in ``params``, or once and once transposed (BetterRnnlm's and GPT's output
layer holds the embedding's ``W.T``) — appears once, under its first name
(``embed.W``); its other names (``affine.W``) are not keys.

``net.load_state_dict(d, strict=True)`` copies d's arrays into the net's own
arrays, in place: an optimizer holding ``net.params`` keeps training the
same arrays, tied weights stay tied, and the net keeps no reference to d's
arrays. Everything is checked before anything is written, so on an error the
net is unchanged:

- every key: with ``strict`` (the default) a missing or an unexpected key is a
  ValueError naming each, with the likely meant name; ``strict=False``
  loads the keys both have and returns the others;
- every value: a NumPy array (else TypeError) of the net's array's shape and
  dtype, finite (else ValueError). A different dtype is refused, not cast:
  the net keeps its dtype (float32 stays float32), and a silent float64 →
  float32 cast would hide that a state came from another net. Convert first:
  ``{k: v.astype(np.float32) for k, v in d.items()}``.

Returns ``StateKeys(missing_keys, unexpected_keys)``, both empty when strict.

>>> import numpy as np
>>> from bprop.nets import TwoLayerNet
>>> net, other = TwoLayerNet(4, 3, 2, rng=0), TwoLayerNet(4, 3, 2, rng=1)
>>> state = net.state_dict()
>>> list(state)
['W1', 'b1', 'W2', 'b2']
>>> other.load_state_dict(state)
StateKeys(missing_keys=[], unexpected_keys=[])
>>> x = np.ones((1, 4))
>>> bool(np.array_equal(other.predict(x), net.predict(x)))
True
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import NamedTuple

import numpy as np

from bprop._tying import earlier_copies

__all__ = ["HasState", "StateKeys", "distinct_arrays"]


class StateKeys(NamedTuple):
    """What ``load_state_dict`` left out: the net's keys d lacked, and d's keys the net lacks."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class HasState:
    """``state_dict`` and ``load_state_dict`` (see the module docstring) for a net that lists its arrays.

    A subclass gives ``_named_arrays()``: [(name, the net's own array)], in
    order, a tied array once per name it has.
    """

    def state_dict(self) -> dict[str, np.ndarray]:
        """name → a copy of each array of the net (tied weights once, under their first name)."""
        own, _ = distinct_arrays(self._named_arrays())
        return {name: array.copy() for name, array in own.items()}

    def load_state_dict(self, state: Mapping[str, np.ndarray], strict: bool = True) -> StateKeys:
        """Copy ``state``'s arrays into the net's, in place, after checking every key and value (see above)."""
        owner = f"{type(self).__name__}.load_state_dict"
        own, tied = distinct_arrays(self._named_arrays())
        if not isinstance(state, Mapping):
            raise TypeError(f"{owner} expects a dict of arrays (a state_dict()), got {type(state).__name__}")
        for key in state:
            if not isinstance(key, str):
                raise TypeError(f"{owner}: keys must be strings (names like {next(iter(own), 'W1')!r}), got {key!r}")
        missing = [key for key in own if key not in state]
        unexpected = [key for key in state if key not in own]
        if strict and (missing or unexpected):
            raise ValueError(f"{owner}: " + "; ".join(_key_problems(missing, unexpected, own, tied)))
        values = {key: state[key] for key in own if key in state}  # read once (np.load's archive reads per access)
        for key, value in values.items():
            _check_value(owner, key, value, own[key])
            if any(np.may_share_memory(value, a) for a in own.values()):
                values[key] = value.copy()  # the net's own arrays (a swap): read before any is written
        for key, value in values.items():
            np.copyto(own[key], value)
        return StateKeys(missing, unexpected)

    def _named_arrays(self) -> list[tuple[str, np.ndarray]]:
        raise NotImplementedError


def distinct_arrays(named: Iterable[tuple[str, np.ndarray]]) -> tuple[dict[str, np.ndarray], dict[str, tuple[str, str]]]:
    """({name: array} for each distinct array, {a repeat's name: (its first name, "same" | "transpose")})."""
    names = [name for name, _ in named]
    own, tied = {}, {}
    for (name, array), copy in zip(named, earlier_copies([a for _, a in named])):
        if copy is None:
            own[name] = array
        else:
            tied[name] = (names[copy[0]], copy[1])
    return own, tied


def _key_problems(missing: list[str], unexpected: list[str], own: dict, tied: dict) -> list[str]:
    """One phrase per kind of key problem, each key named, with the name likely meant."""
    problems = []
    if missing:
        problems.append("missing " + ", ".join(repr(k) for k in missing))
    hints = []
    for key in unexpected:
        if key in tied:
            first, how = tied[key]
            hints.append(f"{key!r} (tied to {first!r}{' as its transpose' if how == 'transpose' else ''}: a "
                         f"state_dict holds it once, as {first!r})")
            continue
        close = _likely(key, missing) or _likely(key, list(own))
        hints.append(f"{key!r}" + (f" (did you mean {close!r}?)" if close else ""))
    if hints:
        problems.append("unexpected " + ", ".join(hints))
    return problems


def _likely(key: str, names: list[str]) -> str | None:
    """The name closest to key, ignoring case ('w1' → 'W1'), or None when none is close."""
    lower = {name.lower(): name for name in names}
    close = difflib.get_close_matches(key.lower(), list(lower), n=1)
    return lower[close[0]] if close else None


def _check_value(owner: str, key: str, value, target: np.ndarray) -> None:
    """value must be a finite NumPy array of target's shape and dtype."""
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{owner}: {key!r} must be a NumPy array of shape {target.shape} and dtype {target.dtype}, "
                        f"got {type(value).__name__}")
    if value.dtype != target.dtype:
        raise ValueError(f"{owner}: {key!r} has dtype {value.dtype}, the net's is {target.dtype} (a net keeps its "
                         f"dtype); convert it first: state[{key!r}].astype(np.{target.dtype})")
    if value.shape != target.shape:
        raise ValueError(f"{owner}: {key!r} has shape {value.shape}, the net's has {target.shape}")
    if not np.all(np.isfinite(value)):
        raise ValueError(f"{owner}: {key!r} holds NaN or infinity")
