"""Checkpoints: a model file that also holds where its training run stood.

``save(path, trainer, run)`` writes the trainer's net as ``bprop.serialize``
does — so ``bprop evaluate``, ``bprop predict`` and ``bprop.nets.load`` read a
checkpoint as the net it holds — plus, under names starting ``checkpoint/``:

- ``checkpoint/state``: a 0-d unicode array of JSON text::

    {"format": "bprop.checkpoint", "version": 1,
     "trainer": {"step": 600, "epoch": 1, "order": {"__array__": "checkpoint/order"},
                 "rng": {"bit_generator": "PCG64", "state": {...}}, "optimizer": {...},
                 "history": {"loss": {"__array__": "checkpoint/history/loss"}, ...}, ...},
     "run": {...}}

  ``trainer`` is ``Trainer.state_dict()`` with each array replaced by a
  reference to the entry that holds it; ``run`` is whatever JSON the caller
  records about the run (``bprop train`` keeps its options and a fingerprint
  of the data there).
- one array per reference: ``checkpoint/order``, ``checkpoint/history/loss``,
  ``checkpoint/optimizer/state/m/W1``, …

``load(path)`` gives back the net, the trainer state and the run record;
``Trainer.load_state_dict`` then continues the run, and its losses are those
of the run that was never stopped. The file is written atomically and read
without unpickling (``bprop._npz.read_archive``); every problem inside it is a
``ModelFileError`` naming the file.

>>> import numpy as np, tempfile, pathlib
>>> from bprop.nets import TwoLayerNet
>>> from bprop.train import Trainer
>>> x, t = np.eye(4)[[0, 1, 2, 3] * 5], np.array([0, 1, 0, 1] * 5)
>>> trainer = Trainer(TwoLayerNet(4, 3, 2, rng=0), x, t, x, t, iters=6, mini_batch_size=5,
...                   optimizer="adam", verbose=False)
>>> _ = trainer.train()
>>> path = save(pathlib.Path(tempfile.mkdtemp()) / "run.npz", trainer, {"note": "demo"})
>>> saved = load(path)
>>> saved.state["step"], saved.run, type(saved.net).__name__
(6, {'note': 'demo'}, 'TwoLayerNet')
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from bprop import _npz, serialize
from bprop._npz import CHECKPOINT_PREFIX, ModelFileError
from bprop._types import PathLike

if TYPE_CHECKING:
    from bprop.train import Trainer

__all__ = ["Checkpoint", "save", "load", "FORMAT", "VERSION"]

FORMAT = "bprop.checkpoint"
VERSION = 1
STATE = CHECKPOINT_PREFIX + "state"
_ARRAY = "__array__"  # {"__array__": name} in the JSON stands for the array stored under name


@dataclass
class Checkpoint:
    """What ``load`` read: the net, ``Trainer.state_dict()`` as saved, the caller's run record, the file."""

    net: object
    state: dict
    run: dict
    path: Path


def save(path: PathLike, trainer: Trainer, run: dict | None = None) -> Path:
    """Write ``trainer.network`` and ``trainer.state_dict()`` (and ``run``, JSON values) to path, atomically.

    Returns the path written (".npz" appended when missing). Raises TypeError
    when the optimizer cannot give its state, ValueError when run is not JSON.
    """
    arrays: dict[str, np.ndarray] = {}
    document = {"format": FORMAT, "version": VERSION,
                "trainer": _flatten(trainer.state_dict(), [], arrays), "run": run or {}}
    try:
        text = json.dumps(document, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"a checkpoint's run record must be plain JSON values: {exc}") from None
    arrays[STATE] = np.array(text)
    return serialize.save(trainer.network, path, checkpoint=arrays)


def load(path: PathLike) -> Checkpoint:
    """The net, the trainer state and the run record saved at path; ModelFileError when any is amiss.

    A model file saved without its training state is refused with a message
    that says so. The state's fit to a trainer is checked by
    ``Trainer.load_state_dict``.
    """
    from bprop.nets.model_files import load_archive

    path = Path(os.fspath(path))
    arrays, text = _npz.read_archive(path)
    net = load_archive(path, (arrays, text))
    entry = arrays.get(STATE)
    if entry is None:
        raise ModelFileError(f"{path}: holds a net but no training state to resume (it was saved without "
                             f"checkpoints; bprop train --checkpoint-every N --save FILE writes them)")
    if entry.dtype.kind != "U" or entry.size != 1:
        raise ModelFileError(f"{path}: '{STATE}' must be one unicode string (JSON), got an array of dtype "
                             f"{entry.dtype} and shape {entry.shape}")
    try:
        document = json.loads(str(entry.reshape(())))
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, a 5,000-digit number, 100,000 levels deep
        raise ModelFileError(f"{path}: '{STATE}' is not valid JSON ({type(exc).__name__}: {exc})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ModelFileError(f"{path}: '{STATE}' does not describe a bprop checkpoint (format {FORMAT!r} missing)")
    if document.get("version") != VERSION:
        raise ModelFileError(f"{path}: checkpoint version {document.get('version')!r} is not supported "
                             f"(this bprop reads {VERSION})")
    if not isinstance(document.get("trainer"), dict) or not isinstance(document.get("run"), dict):
        raise ModelFileError(f"{path}: a checkpoint's state must hold a 'trainer' and a 'run' object")
    stored = {name: a for name, a in arrays.items() if name.startswith(CHECKPOINT_PREFIX) and name != STATE}
    used: set[str] = set()
    state = _unflatten(path, document["trainer"], stored, used)
    if set(stored) - used:
        raise ModelFileError(f"{path}: unexpected checkpoint arrays {sorted(set(stored) - used)}")
    return Checkpoint(net, state, document["run"], path)


def _flatten(value, where: list[str], arrays: dict):
    """value with each array moved into arrays (named by its path) and replaced by a reference."""
    if isinstance(value, np.ndarray):
        name = CHECKPOINT_PREFIX + "/".join(where)
        if name in arrays:
            raise ValueError(f"two arrays of the trainer state would both be saved as {name!r}")
        arrays[name] = np.ascontiguousarray(value)
        return {_ARRAY: name}
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise ValueError(f"a checkpoint's state has only text keys, got {sorted(map(repr, value))} at "
                             f"{'/'.join(where) or 'the top'}")
        return {key: _flatten(item, [*where, key], arrays) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_flatten(item, [*where, str(i)], arrays) for i, item in enumerate(value)]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _unflatten(path: Path, value, arrays: dict, used: set):
    """The inverse of _flatten: each reference replaced by the array it names (which must exist)."""
    if isinstance(value, dict):
        if set(value) == {_ARRAY}:
            name = value[_ARRAY]
            if not isinstance(name, str) or name not in arrays:
                raise ModelFileError(f"{path}: the checkpoint's state refers to array {name!r}, which the file lacks")
            used.add(name)
            return arrays[name]
        return {key: _unflatten(path, item, arrays, used) for key, item in value.items()}
    if isinstance(value, list):
        return [_unflatten(path, item, arrays, used) for item in value]
    return value
