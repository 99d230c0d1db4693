"""A forward with several outputs (book 2's LSTM cell: ``forward(x, h, c) -> (h_next, c_next)``,
``backward(dh_next, dc_next)``), seen by ``check_layer`` as one.

The outputs are packed into one flat array (``pack``): L = Σ dout·y over the packed y is
Σ dh_next·h_next + Σ dc_next·c_next, and the random dout is split back into one array per output
for backward (``unpack``, views of the packed dout, so a write into them shows). ``accepts`` says
whether backward takes that many gradients; ``expected_outputs`` what forward must return where
backward's arguments or the layer's name say it (an LSTM cell that returns only h).
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

import numpy as np

from bprop.gradcheck.calls import Stop
from bprop.gradcheck.report import Finding

__all__ = ["several", "pack", "unpack", "backward_args", "accepts", "output_names", "where", "single_output"]


def several(y: object) -> bool:
    """A tuple or list of at least two arrays (or numbers)."""
    return isinstance(y, (tuple, list)) and len(y) >= 2 and all(
        isinstance(v, (np.ndarray, float, int, np.floating)) and not isinstance(v, bool) for v in y)


def pack(y: Any, shapes: list[tuple] | None) -> Any:
    """y unchanged when forward has one output (``shapes`` None); else its arrays, flattened, end to end."""
    if shapes is None:
        return y
    if not several(y) or len(y) != len(shapes) or any(np.shape(v) != s for v, s in zip(y, shapes)):
        got = f"a {type(y).__name__}" if isinstance(y, (tuple, list)) else type(y).__name__
        raise Stop(Finding("forward", "fail", "bad_output", {"where": "forward", "got": got}))
    return np.concatenate([np.asarray(v).ravel() for v in y])


def unpack(dout: Any, shapes: list[tuple] | None) -> tuple:
    """backward's arguments: (dout,), or one view of the packed dout per output."""
    if shapes is None:
        return (dout,)
    ends = np.cumsum([int(np.prod(s)) for s in shapes])
    return tuple(part.reshape(s) for part, s in zip(np.split(dout, ends[:-1]), shapes))


def backward_args(layer: Any) -> tuple[list[str], int]:
    """(backward's required positional arguments, how many it takes at most: -1 for *args)."""
    try:
        parameters = list(inspect.signature(layer.backward).parameters.values())
    except (TypeError, ValueError):
        return ["dout"], 1
    if any(p.kind == p.VAR_POSITIONAL for p in parameters):
        return [p.name for p in parameters if p.kind == p.POSITIONAL_OR_KEYWORD and p.default is p.empty], -1
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return [p.name for p in positional if p.default is p.empty], len(positional)


def accepts(layer: object, count: int) -> bool:
    required, most = backward_args(layer)
    return len(required) <= count and (most < 0 or count <= most)


def output_names(layer: object, count: int) -> list[str]:
    """The outputs' names from backward's arguments (dh_next → h_next), else y0, y1, …"""
    required, _ = backward_args(layer)
    names = [n[1:] if n.startswith("d") and len(n) > 1 else n for n in required]
    return names if len(names) == count else [f"y{i}" for i in range(count)]


def where(flat: int, shapes: Sequence[tuple], names: Sequence[str]) -> str:
    """A packed output's flat index as the output's name and index: 'c_next (1, 2)'."""
    for name, shape in zip(names, shapes):
        size = int(np.prod(shape))
        if flat < size:
            return f"{name} (" + ", ".join(str(int(i)) for i in np.unravel_index(flat, shape)) + ")"
        flat -= size
    return str(flat)


def single_output(layer: object, y: Any, n_inputs: int) -> Finding | None:
    """A Finding when forward returned one array where backward (or the layer's name) wants several, else None."""
    required, _ = backward_args(layer)
    name = type(layer).__name__
    got = f"one array of shape {np.shape(y)}"
    if "lstm" in name.lower() and not name.lower().startswith("time") and n_inputs == 3:
        return Finding("forward", "fail", "seq.lstm_outputs", {"layer": name, "got": got})
    if len(required) >= 2:
        return Finding("forward", "fail", "seq.outputs_for_backward",
                       {"count": len(required), "args": ", ".join(required), "got": got})
    return None
