"""Every layer class of bprop by name: the one table that model files, CLI choices,
network pictures and the checker's references read.

A class registers itself when it is defined (``Layer.__init_subclass__``), if
it is bprop's own (defined in a ``bprop.`` module) and public. Its ``role``
says where it may go:

    "activation"  an elementwise nonlinearity; MultiLayerNet's ``activation`` names it in snake case
    "layer"       any other layer of a Sequential (Affine, Convolution, Dropout …)
    "loss"        a net's last layer: forward(x, t) gives a scalar
    "node"        a two-input node of ch.5 (MulLayer, AddLayer), not part of a Sequential
    "sequence"    a layer of book 2's sequence models (RNN, LSTM, Embedding, the Time layers …),
                  held by its own net class, with params and grads in book 2's list form

Nothing here imports a layer: the table fills as ``bprop.layers`` is imported.
"""

from __future__ import annotations

import re
from typing import Any

_LAYERS: dict[str, type[Any]] = {}
ROLES = ("activation", "layer", "loss", "node", "sequence")


def register(cls: type[Any]) -> None:
    """Add a Layer subclass (any class with a ``role``) to the table; called by ``Layer.__init_subclass__``."""
    module = cls.__module__ or ""
    if not module.startswith("bprop.") or cls.__name__.startswith("_") or module == "bprop.layers.base":
        return  # a learner's class, a private helper, or a base class (SequenceLayer)
    if cls.role not in ROLES:
        raise ValueError(f"{cls.__name__}.role must be one of {', '.join(ROLES)}, got {cls.role!r}")
    _LAYERS[cls.__name__] = cls


def layer_classes(*roles: str) -> dict[str, type[Any]]:
    """Name → class for the given roles (all when none), in the order the classes were defined.

    Typed as any class: the layers' constructors and forward signatures differ (Layer declares neither).
    """
    return {name: cls for name, cls in _LAYERS.items() if not roles or cls.role in roles}


def sequential_layers() -> dict[str, type[Any]]:
    """The classes a Sequential may hold between its input and its loss (what a model file may name)."""
    return layer_classes("activation", "layer")


def loss_layers() -> dict[str, type[Any]]:
    return layer_classes("loss")


def activations() -> dict[str, type[Any]]:
    """MultiLayerNet's activation names: 'relu', 'sigmoid', 'leaky_relu' … → class."""
    return {snake_case(name): cls for name, cls in layer_classes("activation").items()}


def snake_case(name: str) -> str:
    """'LeakyRelu' → 'leaky_relu'."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
