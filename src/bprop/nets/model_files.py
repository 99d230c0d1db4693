"""``save`` and ``load``: a net to an .npz file and back (the format: ``bprop.serialize``).

A preset (``@preset``: TwoLayerNet, MultiLayerNet, …) is rebuilt as its own
class without drawing new weights: the saved layers go into ``Sequential``'s
constructor, then the preset's ``_set_preset(**config)`` sets its fields. Before
anything is built the preset checks that the file's layers are the ones its
config builds (``_check_saved``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bprop import serialize
from bprop._types import PathLike
from bprop.nets.sequential import PRESETS, Sequential

__all__ = ["save", "load"]


def save(net: Sequential, path: PathLike) -> Path:
    """Write ``net`` to an .npz file; returns the path written (see ``bprop.serialize.save``)."""
    return serialize.save(net, path)


def load(path: PathLike) -> Sequential:
    """Read a net written by ``save``: the preset's class when one was saved, else a ``Sequential``.

    Raises FileNotFoundError for a missing file and ``bprop.serialize.ModelFileError``
    (a ValueError) naming the file for anything wrong inside one; nothing is
    built unless the whole file checks out.
    """
    return load_archive(path, None)


def load_archive(path: PathLike, archive: tuple[dict[str, np.ndarray], str] | None) -> Sequential:
    """``load`` for a file already read by ``bprop._npz.read_archive`` (archive; None: read it here)."""
    rules = {name: serialize.PresetRule(cls._check_saved, cls.EXTRAS)
             for name, cls in PRESETS.items()}
    saved = serialize.read(path, rules, archive)
    cls = PRESETS[saved.preset] if saved.preset else Sequential
    net = cls.__new__(cls)
    Sequential.__init__(net, saved.layers, saved.loss_layer, weight_decay_lambda=saved.weight_decay_lambda)
    if saved.preset:
        net._set_preset(**(saved.config or {}))
    for name, array in saved.extras.items():
        setattr(net, name, array)
    return net
