"""Saving and loading nets as .npz files that run no code when read.

The file is an ordinary NumPy ``.npz`` archive (readable by ``np.load`` and
by any language with a zip and .npy reader):

- one array per parameter, named as in ``net.params``: ``W1``, ``b1``, …
- other arrays a layer keeps (its ``state_names``), named by layer:
  ``BatchNormalization1.running_mean``, ``BatchNormalization1.running_var``, …
- ``architecture``: a 0-d unicode array holding JSON text, e.g.::

    {"format": "bprop.nets", "version": 1, "dtype": "float32",
     "class": "TwoLayerNet", "config": {"input_size": 784, ...},
     "layers": [{"type": "Affine", "arrays": {"W": "W1", "b": "b1"}},
                {"type": "Relu"}, {"type": "Affine", "arrays": {"W": "W2", "b": "b2"}}],
     "loss": {"type": "SoftmaxWithLoss"}, "weight_decay_lambda": 0.0,
     "shapes": {"W1": [784, 50], "b1": [50], "W2": [50, 10], "b2": [10]}}

What a layer type records — its arrays and its options — is what the layer
declares (``param_names``, ``state_names``, ``options``); the types a file may
name are those of ``bprop.layers.registry``. This module knows no net class:
``bprop.nets.load`` passes the presets' rules (``PresetRule``) to ``read``
and builds the net from what it returns.

A checkpoint (``bprop.checkpoint``) is such a file with more entries, all
named ``checkpoint/…``; reading a net skips them, so a checkpoint is also a
model file.

Writing is atomic: a temporary file in the same directory, fsync, then
``os.replace``, so a crash never leaves half a model under the final name.

Reading uses ``np.load(..., allow_pickle=False)``, so a file holding pickled
objects is refused rather than executed. Everything is checked before any
layer is built — the JSON, each layer type (only registered ones), each
array's presence, dtype, shape and finiteness, that the layer sizes chain, and
the preset's own rule — and any problem raises ``ModelFileError`` naming the
file and what is wrong. The loaded net's predictions equal the saved net's bit
for bit.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bprop import _npz
from bprop._npz import ModelFileError
from bprop._types import PathLike
from bprop.fileio import atomic_write
from bprop.layers import registry

FORMAT = "bprop.nets"
VERSION = 1
ARCHITECTURE = _npz.ARCHITECTURE
_DTYPES = ("float32", "float64")


@dataclass(frozen=True)
class LayerRecord:
    """One layer as a file records it: its type, its arrays (attribute → (name in the file, array)), its options."""

    type: str
    arrays: dict
    options: dict


@dataclass(frozen=True)
class PresetRule:
    """What a preset net (TwoLayerNet, …) adds to a file, for ``read`` to check.

    check(config, records): raise ValueError (its message is reported with the
    file's name) unless the layers are those the config builds. extras: the
    names of the arrays the preset saves besides its layers' (``net._extras()``).
    """

    check: Callable
    extras: tuple[str, ...] = ()


@dataclass
class SavedNet:
    """What ``read`` found: the layers built from the file, and the net's other fields."""

    layers: list
    loss_layer: object
    weight_decay_lambda: float
    preset: str | None = None
    config: dict | None = None
    extras: dict = field(default_factory=dict)


def _layer_arrays(cls) -> tuple[str, ...]:
    """The arrays a layer type's constructor takes and a file keeps: its parameters, then its state."""
    return tuple(cls.param_names) + tuple(cls.state_names)


def _saved_options(cls) -> list:
    return [o for o in cls.options if o.saved]


# --- writing ---------------------------------------------------------------------------


def save(net: Any, path: PathLike, *, checkpoint: dict | None = None) -> Path:  # Any: knows no net class
    """Write ``net`` (a ``bprop.nets.Sequential``) to ``path`` atomically; return the path written.

    ".npz" is appended when path does not end with it, as ``np.savez`` does.
    Raises ValueError for a net holding a layer type that cannot be saved.
    checkpoint: more arrays to write beside the net's, each named ``checkpoint/…``
    (``bprop.checkpoint``).
    """
    if not all(hasattr(net, a) for a in ("layers", "last_layer", "params", "weight_decay_lambda")):
        raise TypeError(f"save expects a bprop.nets.Sequential (or TwoLayerNet, MultiLayerNet), "
                        f"got {type(net).__name__}")
    path = Path(os.fspath(path))
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    arrays, architecture = _describe(net)
    checkpoint = checkpoint or {}
    if not all(name.startswith(_npz.CHECKPOINT_PREFIX) for name in checkpoint):
        raise ValueError(f"checkpoint arrays must be named {_npz.CHECKPOINT_PREFIX}…, got {sorted(checkpoint)}")
    clash = [name for name in arrays if name.startswith(_npz.CHECKPOINT_PREFIX)]
    if clash:
        raise ValueError(f"cannot save the arrays {clash}: names starting {_npz.CHECKPOINT_PREFIX!r} are kept "
                         f"for checkpoints")
    text = json.dumps(architecture, separators=(",", ":"))
    with atomic_write(path) as f:
        # The ignore: NumPy's stub types savez's **kwds as its bool `allow_pickle`, not as the arrays they are.
        np.savez(f, **arrays, **{ARCHITECTURE: np.array(text)}, **checkpoint)  # type: ignore[arg-type]
    return path


def _describe(net) -> tuple[dict[str, np.ndarray], dict]:
    """The arrays and the JSON-ready architecture of ``net``."""
    keys = {id(array): key for key, array in net.params.items()}  # a layer's own array → its params key
    savable, losses = registry.sequential_layers(), registry.loss_layers()
    entries = []
    arrays: dict[str, np.ndarray] = {}
    for name, layer in net.layers.items():
        kind, type_name = type(layer), type(layer).__name__
        if savable.get(type_name) is not kind:
            raise ValueError(f"cannot save layer {name!r} of type {type_name}: "
                             f"savable types are {', '.join(savable)}")
        entry: dict = {"type": type_name}
        if _layer_arrays(kind):
            entry["arrays"] = {}
            for attr in _layer_arrays(kind):
                value = getattr(layer, attr)
                key = keys.get(id(value)) or f"{name}.{attr}"
                entry["arrays"][attr] = key
                arrays[key] = np.ascontiguousarray(value)
        for option in _saved_options(kind):
            value = getattr(layer, option.name)
            if option.boolean and not value:
                continue  # a flag is recorded only when set: files of layers without it stay as they were
            entry[option.name] = value.item() if isinstance(value, np.generic) else value
        entries.append(entry)
    loss_name = type(net.last_layer).__name__
    if losses.get(loss_name) is not type(net.last_layer):
        raise ValueError(f"cannot save loss layer {loss_name}: savable types are {', '.join(losses)}")
    dtype = net.dtype or np.dtype(np.float64)
    architecture = {
        "format": FORMAT,
        "version": VERSION,
        "dtype": str(dtype),
        "layers": entries,
        "loss": {"type": loss_name},
        "weight_decay_lambda": net.weight_decay_lambda,
        "shapes": {key: list(a.shape) for key, a in arrays.items()},
    }
    preset = getattr(net, "_preset", lambda: None)()
    if preset is not None:
        # np.float64(0.01) and the like are not JSON; plain Python values are.
        architecture["class"] = preset["class"]
        architecture["config"] = {k: (v.item() if isinstance(v, np.generic) else v)
                                  for k, v in preset["config"].items()}
    extras: dict[str, np.ndarray] = getattr(net, "_extras", dict)()
    for name, value in extras.items():
        if not name.isidentifier() or name in arrays:
            raise ValueError(f"cannot save the extra array {name!r}: it clashes with a layer's array")
        arrays[name] = np.ascontiguousarray(value, dtype=dtype)
        architecture["shapes"][name] = list(arrays[name].shape)
    if extras:
        architecture["extras"] = sorted(extras)
    return arrays, architecture


# --- reading ---------------------------------------------------------------------------


def read(path: PathLike, presets: dict[str, PresetRule],
         archive: tuple[dict[str, np.ndarray], str] | None = None) -> SavedNet:
    """Read a file written by ``save``; nothing is built unless the whole file checks out.

    presets: the net classes a file may name as its "class", each with its rule
    (``bprop.nets`` passes them). archive: ``_npz.read_archive(path)`` when the
    caller has read the file already (a checkpoint's reader). Raises
    FileNotFoundError for a missing file and ModelFileError (a ValueError) for
    anything wrong inside one.
    """
    path = Path(os.fspath(path))
    arrays, text = archive if archive is not None else _npz.read_archive(path)
    arrays = {name: a for name, a in arrays.items() if not name.startswith(_npz.CHECKPOINT_PREFIX)}
    spec, records = _validate(path, arrays, text, presets)
    known, layers = registry.sequential_layers(), []
    try:
        for i, record in enumerate(records):
            layers.append(known[record.type](**{attr: a for attr, (_, a) in record.arrays.items()}, **record.options))
        loss_layer = registry.loss_layers()[spec["loss"]["type"]]()
    except (TypeError, ValueError) as exc:
        raise ModelFileError(f"{path}: layer {i + 1} ({records[i].type}) could not be built: {exc}") from None
    preset = spec.get("class", "Sequential")
    return SavedNet(layers, loss_layer, spec["weight_decay_lambda"],
                    None if preset == "Sequential" else preset, spec.get("config"),
                    {name: arrays[name] for name in spec.get("extras", [])})


def _validate(path: Path, arrays: dict[str, np.ndarray], text: str, presets: dict) -> tuple[dict, list]:
    """The parsed architecture and its layers' records, after checking them and the arrays against each other."""

    def fail(message):
        return ModelFileError(f"{path}: {message}")

    spec = _validate_header(fail, text)
    dtype = np.dtype(spec["dtype"])
    shapes = spec.get("shapes", {})
    if not isinstance(shapes, dict):
        raise fail("'shapes' must map array names to shapes")
    records, used = _validate_layers(fail, spec["layers"], arrays, dtype, shapes)
    preset = spec.get("class", "Sequential")
    if preset not in ("Sequential", *presets):  # a tuple: JSON may give an unhashable list
        raise fail(f"unknown net class {preset!r}")
    rule = presets.get(preset)
    _validate_extras(fail, spec.get("extras", []), rule.extras if rule else (), arrays, dtype, shapes, used)
    extra = set(arrays) - used
    if extra:
        raise fail(f"unexpected arrays {sorted(extra)} (not used by any layer)")
    if rule is not None:
        try:
            rule.check(spec.get("config"), records)
        except (TypeError, ValueError) as exc:
            raise fail(str(exc)) from None
    return spec, records


def _validate_header(fail, text: str) -> dict:
    """The JSON's format, version, dtype, weight decay, and that it has layers and a known loss."""
    try:
        spec = json.loads(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, a 5,000-digit number, 100,000 levels deep
        raise fail(f"'{ARCHITECTURE}' is not valid JSON ({type(exc).__name__}: {exc})") from None
    if not isinstance(spec, dict) or spec.get("format") != FORMAT:
        raise fail(f"'{ARCHITECTURE}' does not describe a bprop net (format {FORMAT!r} missing)")
    if spec.get("version") != VERSION:
        raise fail(f"model file version {spec.get('version')!r} is not supported (this bprop reads {VERSION})")
    if spec.get("dtype") not in _DTYPES:
        raise fail(f"dtype must be one of {', '.join(_DTYPES)}, got {spec.get('dtype')!r}")
    lam = spec.setdefault("weight_decay_lambda", 0.0)
    if isinstance(lam, bool) or not isinstance(lam, (int, float)) or not np.isfinite(lam) or lam < 0:
        raise fail(f"weight_decay_lambda must be a number >= 0, got {lam!r}")
    if not isinstance(spec.get("layers"), list) or not spec["layers"]:
        raise fail("'layers' must be a non-empty list")
    loss = spec.get("loss")
    losses = registry.loss_layers()
    if not isinstance(loss, dict) or loss.get("type") not in losses:
        found = loss.get("type") if isinstance(loss, dict) else loss
        raise fail(f"unknown loss layer type {found!r}; known: {', '.join(losses)}")
    return spec


def _validate_layers(fail, entries: list, arrays, dtype, shapes) -> tuple[list[LayerRecord], set]:
    """Each entry's type, fields, options and arrays; that sizes chain. Returns the records and the arrays used."""
    known = registry.sequential_layers()
    used = set()
    width = None  # features flowing between layers, once an Affine fixes them
    channels = None  # channels flowing between convolutions
    records = []
    for i, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("type"), str):
            raise fail(f"layer {i} must be an object with a 'type', got {entry!r}")
        cls = known.get(entry["type"])
        if cls is None:
            raise fail(f"layer {i} has unknown type {entry['type']!r}; known: {', '.join(sorted(known))}")
        where = f"layer {i} ({entry['type']})"
        options = _saved_options(cls)
        unknown = set(entry) - {"type", "arrays", *(o.name for o in options)}
        if unknown:
            raise fail(f"{where} has unknown fields {sorted(unknown)}")
        for option in options:
            value = entry.get(option.name)
            if option.name not in entry:
                continue
            if option.boolean:
                if not isinstance(value, bool):
                    raise fail(f"{where}: option {option.name!r} must be true or false, got {value!r}")
                continue
            if option.text and not isinstance(value, str):
                raise fail(f"{where}: option {option.name!r} must be text, got {value!r}")
            if not option.text and (isinstance(value, bool) or not isinstance(value, (int, float))
                                    or not np.isfinite(value)):
                raise fail(f"{where}: option {option.name!r} must be a finite number, got {value!r}")
        names = entry.get("arrays", {})
        wanted = _layer_arrays(cls)
        if not isinstance(names, dict) or set(names) != set(wanted):
            raise fail(f"{where} must name its arrays {list(wanted)}, got {names!r}")
        for attr in wanted:
            key = names[attr]
            if not isinstance(key, str) or key not in arrays:
                raise fail(f"{where}: array {key!r} ({attr}) is missing from the file")
            if key in used:
                raise fail(f"{where}: array {key!r} is used twice")
            used.add(key)
            a = arrays[key]
            if a.dtype != dtype:
                raise fail(f"array {key!r} has dtype {a.dtype}, expected {dtype}")
            if key in shapes and list(a.shape) != shapes[key]:
                raise fail(f"array {key!r} has shape {a.shape}, the architecture says {tuple(shapes[key])}")
            if not np.all(np.isfinite(a)):
                raise fail(f"array {key!r} holds NaN or infinity")
        if entry["type"] == "BatchNormalization":
            _validate_batchnorm(fail, where, names, arrays, width)
        if entry["type"] == "Convolution":
            W = arrays[names["W"]]
            if W.ndim == 4 and channels is not None and W.shape[1] != channels:
                raise fail(f"{where}: {names['W']} has shape {W.shape}, for {W.shape[1]} input channel(s), but "
                           f"the convolution before outputs {channels}")
            channels = W.shape[0] if W.ndim == 4 else None
            width = None  # an Affine after it sees C·H·W features, which depend on the image size
        if entry["type"] == "Affine":
            W, b = arrays[names["W"]], arrays[names["b"]]
            if W.ndim != 2 or b.shape != (W.shape[1],):
                raise fail(f"{where}: expected {names['W']} of shape (D, M) and {names['b']} of shape (M,), "
                           f"got {W.shape} and {b.shape}")
            if width is not None and W.shape[0] != width:
                raise fail(f"{where}: {names['W']} has shape {W.shape}, but the layer before outputs "
                           f"{width} features")
            width = W.shape[1]
        records.append(LayerRecord(entry["type"], {attr: (names[attr], arrays[names[attr]]) for attr in wanted},
                                   {o.name: entry[o.name] for o in options if o.name in entry}))
    return records, used


def _validate_batchnorm(fail, where: str, names: dict, arrays, width) -> None:
    """gamma, beta and the running averages: one shape (C,), C the features coming in; variances >= 0."""
    shapes = {attr: arrays[key].shape for attr, key in names.items()}
    C = shapes["gamma"]
    if len(C) != 1 or any(shape != C for shape in shapes.values()):
        raise fail(f"{where}: gamma, beta, running_mean and running_var must share one shape (C,), got "
                   + ", ".join(f"{attr} {shape}" for attr, shape in shapes.items()))
    if width is not None and C[0] != width:
        raise fail(f"{where}: normalises {C[0]} features, but the layer before outputs {width}")
    if np.any(arrays[names["running_var"]] < 0):
        raise fail(f"{where}: running_var {names['running_var']!r} holds negative variances")


def _validate_extras(fail, extras, allowed: tuple, arrays, dtype, shapes, used: set) -> None:
    """The preset's extra arrays: only names it declares, each present, finite, of the file's dtype."""
    if not isinstance(extras, list) or not all(isinstance(n, str) and n in allowed for n in extras):
        raise fail(f"'extras' must list some of {', '.join(allowed) or '(none for this net)'}, got {extras!r}")
    for name in extras:
        a = arrays.get(name)
        if a is None or name in used:
            raise fail(f"extra array {name!r} is {'missing from the file' if a is None else 'used by a layer'}")
        if a.dtype != dtype or not np.all(np.isfinite(a)):
            raise fail(f"extra array {name!r} must be finite {dtype}, got {a.dtype}")
        if name in shapes and list(a.shape) != shapes[name]:
            raise fail(f"array {name!r} has shape {a.shape}, the architecture says {tuple(shapes[name])}")
        used.add(name)
