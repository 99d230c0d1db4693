"""Saving and loading nets as .npz files that run no code when read.

The file is an ordinary NumPy ``.npz`` archive (readable by ``np.load`` and
by any language with a zip and .npy reader):

- one array per parameter, named as in ``net.params``: ``W1``, ``b1``, …
- batch normalisation's running averages, named by layer:
  ``BatchNormalization1.running_mean``, ``BatchNormalization1.running_var``, …
- ``architecture``: a 0-d unicode array holding JSON text, e.g.::

    {"format": "bprop.nets", "version": 1, "dtype": "float32",
     "class": "TwoLayerNet", "config": {"input_size": 784, ...},
     "layers": [{"type": "Affine", "arrays": {"W": "W1", "b": "b1"}},
                {"type": "Relu"}, {"type": "Affine", "arrays": {"W": "W2", "b": "b2"}}],
     "loss": {"type": "SoftmaxWithLoss"}, "weight_decay_lambda": 0.0,
     "shapes": {"W1": [784, 50], "b1": [50], "W2": [50, 10], "b2": [10]}}

Writing is atomic: a temporary file in the same directory, fsync, then
``os.replace``, so a crash never leaves half a model under the final name.

Reading uses ``np.load(..., allow_pickle=False)``, so a file holding pickled
objects is refused rather than executed. Everything is checked before any
layer is built — the JSON, each layer type (only those in ``LAYER_TYPES``),
each array's presence, dtype, shape and finiteness, and that the layer sizes
chain — and any problem raises ``ModelFileError`` naming the file and what is
wrong. The loaded net's predictions equal the saved net's bit for bit.
"""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bprop import layers as L
from bprop.fileio import atomic_write

FORMAT = "bprop.nets"
VERSION = 1
ARCHITECTURE = "architecture"


class ModelFileError(ValueError):
    """A model file is missing parts, malformed, or not a bprop model at all."""


@dataclass(frozen=True)
class LayerType:
    """How a layer type is saved: the arrays its constructor takes, and its scalar options."""

    cls: type
    arrays: tuple[str, ...] = ()
    options: tuple[str, ...] = ()


# Every layer type a model file may name. A type not here is refused: loading
# never looks a class up by an arbitrary name. Layers with parameters are
# rebuilt as cls(**arrays, **options), e.g. Affine(W=..., b=...).
LAYER_TYPES: dict[str, LayerType] = {
    "Affine": LayerType(L.Affine, arrays=("W", "b")),
    "Relu": LayerType(L.Relu),
    "Sigmoid": LayerType(L.Sigmoid),
    "Tanh": LayerType(L.Tanh),
    "LeakyRelu": LayerType(L.LeakyRelu, options=("alpha",)),
    "Elu": LayerType(L.Elu, options=("alpha",)),
    "Gelu": LayerType(L.Gelu),
    "Softplus": LayerType(L.Softplus),
    "Silu": LayerType(L.Silu),
    "Identity": LayerType(L.Identity),
    # The running averages are saved too: inference after loading needs them.
    "BatchNormalization": LayerType(L.BatchNormalization, arrays=("gamma", "beta", "running_mean", "running_var"),
                                    options=("momentum", "eps")),
    "Dropout": LayerType(L.Dropout, options=("dropout_ratio", "scale_at")),
    "Convolution": LayerType(L.Convolution, arrays=("W", "b"), options=("stride", "pad")),
    "Pooling": LayerType(L.Pooling, options=("pool_h", "pool_w", "stride", "pad", "mode")),
    "Flatten": LayerType(L.Flatten),
}
LOSS_TYPES: dict[str, type] = {
    "SoftmaxWithLoss": L.SoftmaxWithLoss,
    "SigmoidWithLoss": L.SigmoidWithLoss,
    "MeanSquaredError": L.MeanSquaredError,
}
_DTYPES = ("float32", "float64")
# Layer options that are text, not numbers (the layer's constructor checks the value).
_TEXT_OPTIONS = ("mode", "scale_at")
# Arrays a preset saves besides its layers' (``net._extras()``), listed under
# "extras" in the architecture: only these names, set as attributes of the
# loaded net. W1_init: a convnet's first filters before training (§7.6).
EXTRA_ARRAYS = ("W1_init",)
# Convnet presets: checked against the layers their ``_plan(**config)`` gives.
_CONV_PRESETS = ("SimpleConvNet", "DeepConvNet")


def _preset_classes() -> dict[str, type]:
    """Every preset a model file may name as its "class": name → class (bprop.nets imported on use)."""
    from bprop import nets

    return {"TwoLayerNet": nets.TwoLayerNet, "MultiLayerNet": nets.MultiLayerNet,
            "MultiLayerNetExtend": nets.MultiLayerNetExtend, "SimpleConvNet": nets.SimpleConvNet,
            "DeepConvNet": nets.DeepConvNet}


def save(net, path) -> Path:
    """Write ``net`` (a ``bprop.nets.Sequential``) to ``path`` atomically; return the path written.

    ".npz" is appended when path does not end with it, as ``np.savez`` does.
    Raises ValueError for a net holding a layer type that cannot be saved.
    """
    from bprop.nets import Sequential

    if not isinstance(net, Sequential):
        raise TypeError(f"save expects a bprop.nets.Sequential (or TwoLayerNet, MultiLayerNet), "
                        f"got {type(net).__name__}")
    path = Path(os.fspath(path))
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    arrays, architecture = _describe(net)
    text = json.dumps(architecture, separators=(",", ":"))
    with atomic_write(path) as f:
        np.savez(f, **arrays, **{ARCHITECTURE: np.array(text)})
    return path


def load(path):
    """Read a net written by ``save``; nothing is built unless the whole file checks out.

    Returns a ``TwoLayerNet`` or ``MultiLayerNet`` when one was saved, else a
    ``Sequential``. Raises FileNotFoundError for a missing file and
    ModelFileError (a ValueError) for anything wrong inside one.
    """
    from bprop import nets

    path = Path(os.fspath(path))
    arrays, architecture = _read(path)
    spec = _validate(path, arrays, architecture)

    def fail(message):
        return ModelFileError(f"{path}: {message}")

    layers = []
    try:
        for i, entry in enumerate(spec["layers"]):
            kind = LAYER_TYPES[entry["type"]]
            kwargs = {name: arrays[entry["arrays"][name]] for name in kind.arrays}
            kwargs.update({name: entry[name] for name in kind.options if name in entry})
            layers.append(kind.cls(**kwargs))
        loss_layer = LOSS_TYPES[spec["loss"]["type"]]()
    except (TypeError, ValueError) as exc:
        raise fail(f"layer {i + 1} ({spec['layers'][i]['type']}) could not be built: {exc}") from None
    preset = spec.get("class", "Sequential")
    cls = _preset_classes().get(preset)
    if cls is None:
        net = nets.Sequential(layers, loss_layer, weight_decay_lambda=spec["weight_decay_lambda"])
    else:
        # A preset's constructor would draw new random weights: build the
        # Sequential part with the saved layers, then set the preset's fields.
        net = cls.__new__(cls)
        nets.Sequential.__init__(net, layers, loss_layer, weight_decay_lambda=spec["weight_decay_lambda"])
        net._set_preset(**spec["config"])
    # No dtype check here: _validate refused any layer array whose dtype is not
    # the architecture's, and the layers keep float32/float64 arrays as given.
    for name in spec.get("extras", []):
        setattr(net, name, arrays[name])
    return net


# --- writing ---------------------------------------------------------------------------


def _describe(net) -> tuple[dict[str, np.ndarray], dict]:
    """The arrays and the JSON-ready architecture of ``net``."""
    keys = {}  # id(layer), attr → params key
    for key, (layer, attr) in net._slots().items():
        keys[id(layer), attr] = key
    entries = []
    arrays: dict[str, np.ndarray] = {}
    for name, layer in net.layers.items():
        type_name = type(layer).__name__
        kind = LAYER_TYPES.get(type_name)
        if kind is None or type(layer) is not kind.cls:
            raise ValueError(f"cannot save layer {name!r} of type {type_name}: "
                             f"savable types are {', '.join(LAYER_TYPES)}")
        entry: dict = {"type": type_name}
        if kind.arrays:
            entry["arrays"] = {}
            for attr in kind.arrays:
                key = keys.get((id(layer), attr)) or f"{name}.{attr}"
                entry["arrays"][attr] = key
                arrays[key] = np.ascontiguousarray(getattr(layer, attr))
        for option in kind.options:
            value = getattr(layer, option)
            entry[option] = value.item() if isinstance(value, np.generic) else value
        entries.append(entry)
    loss_name = type(net.last_layer).__name__
    if LOSS_TYPES.get(loss_name) is not type(net.last_layer):
        raise ValueError(f"cannot save loss layer {loss_name}: savable types are {', '.join(LOSS_TYPES)}")
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
    preset = net._preset()
    if preset is not None:
        config = dict(preset["config"])
        # np.float64(0.01) and the like are not JSON; plain Python values are.
        config = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in config.items()}
        architecture["class"] = preset["class"]
        architecture["config"] = config
    extras = getattr(net, "_extras", dict)()
    for name, value in extras.items():
        if name not in EXTRA_ARRAYS or name in arrays:
            raise ValueError(f"cannot save the extra array {name!r}: extra arrays are {', '.join(EXTRA_ARRAYS)}")
        arrays[name] = np.ascontiguousarray(value, dtype=dtype)
        architecture["shapes"][name] = list(arrays[name].shape)
    if extras:
        architecture["extras"] = sorted(extras)
    return arrays, architecture


# --- reading ---------------------------------------------------------------------------


def _is_pickle(path: Path) -> bool:
    """Pickles start with the PROTO opcode 0x80 (protocol 2 and later)."""
    with open(path, "rb") as f:
        return f.read(1) == b"\x80"


def _read(path: Path) -> tuple[dict[str, np.ndarray], str]:
    """All arrays of the .npz at path (pickles refused) and the architecture's JSON text."""
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such model file")
    try:
        archive = np.load(path, allow_pickle=False)
    except ValueError:  # np.load's answer to anything not .npy/.npz: "it's a pickle"
        kind = "a pickle, which bprop never loads (unpickling can run code)" if _is_pickle(path) \
            else "neither .npz nor .npy data"
        raise ModelFileError(f"{path}: not a bprop model file: it is {kind}") from None
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise ModelFileError(f"{path}: cannot read it as an .npz file ({exc})") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ModelFileError(f"{path}: holds a single array, not a bprop model (.npz with an "
                             f"'{ARCHITECTURE}' entry)")
    arrays = {}
    with archive:
        for name in archive.files:
            try:
                arrays[name] = archive[name]
            except ValueError as exc:
                if "allow_pickle" in str(exc) or "Object arrays" in str(exc):
                    raise ModelFileError(f"{path}: array {name!r} holds Python objects, which are "
                                         f"never loaded (unpickling can run code)") from None
                raise ModelFileError(f"{path}: array {name!r} is damaged ({exc})") from None
            except (OSError, zipfile.BadZipFile, EOFError, KeyError) as exc:
                raise ModelFileError(f"{path}: array {name!r} is damaged ({exc})") from None
    text = arrays.pop(ARCHITECTURE, None)
    if text is None:
        raise ModelFileError(f"{path}: no '{ARCHITECTURE}' entry; not a model written by bprop")
    if text.dtype.kind != "U" or text.size != 1:
        raise ModelFileError(f"{path}: '{ARCHITECTURE}' must be one unicode string (JSON), "
                             f"got an array of dtype {text.dtype} and shape {text.shape}")
    return arrays, str(text.reshape(()))


def _validate(path: Path, arrays: dict[str, np.ndarray], text: str) -> dict:
    """The parsed architecture, after checking it and the arrays against each other."""

    def fail(message):
        return ModelFileError(f"{path}: {message}")

    try:
        spec = json.loads(text)
    except json.JSONDecodeError as exc:
        raise fail(f"'{ARCHITECTURE}' is not valid JSON ({exc})") from None
    if not isinstance(spec, dict) or spec.get("format") != FORMAT:
        raise fail(f"'{ARCHITECTURE}' does not describe a bprop net (format {FORMAT!r} missing)")
    if spec.get("version") != VERSION:
        raise fail(f"model file version {spec.get('version')!r} is not supported (this bprop reads {VERSION})")
    if spec.get("dtype") not in _DTYPES:
        raise fail(f"dtype must be one of {', '.join(_DTYPES)}, got {spec.get('dtype')!r}")
    dtype = np.dtype(spec["dtype"])
    lam = spec.setdefault("weight_decay_lambda", 0.0)
    if isinstance(lam, bool) or not isinstance(lam, (int, float)) or not np.isfinite(lam) or lam < 0:
        raise fail(f"weight_decay_lambda must be a number >= 0, got {lam!r}")
    entries = spec.get("layers")
    if not isinstance(entries, list) or not entries:
        raise fail("'layers' must be a non-empty list")
    loss = spec.get("loss")
    if not isinstance(loss, dict) or loss.get("type") not in LOSS_TYPES:
        found = loss.get("type") if isinstance(loss, dict) else loss
        raise fail(f"unknown loss layer type {found!r}; known: {', '.join(LOSS_TYPES)}")
    shapes = spec.get("shapes", {})
    if not isinstance(shapes, dict):
        raise fail("'shapes' must map array names to shapes")
    used = set()
    width = None  # features flowing between layers, once an Affine fixes them
    channels = None  # channels flowing between convolutions
    for i, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("type"), str):
            raise fail(f"layer {i} must be an object with a 'type', got {entry!r}")
        kind = LAYER_TYPES.get(entry["type"])
        if kind is None:
            raise fail(f"layer {i} has unknown type {entry['type']!r}; known: {', '.join(LAYER_TYPES)}")
        where = f"layer {i} ({entry['type']})"
        unknown = set(entry) - {"type", "arrays", *kind.options}
        if unknown:
            raise fail(f"{where} has unknown fields {sorted(unknown)}")
        for option in kind.options:
            value = entry.get(option)
            if option in _TEXT_OPTIONS:
                if option in entry and not isinstance(value, str):
                    raise fail(f"{where}: option {option!r} must be text, got {value!r}")
            elif option in entry and (isinstance(value, bool) or not isinstance(value, (int, float))
                                      or not np.isfinite(value)):
                raise fail(f"{where}: option {option!r} must be a finite number, got {value!r}")
        names = entry.get("arrays", {})
        if not isinstance(names, dict) or set(names) != set(kind.arrays):
            raise fail(f"{where} must name its arrays {list(kind.arrays)}, got {names!r}")
        for attr in kind.arrays:
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
    extras = spec.get("extras", [])
    if not isinstance(extras, list) or not all(isinstance(n, str) and n in EXTRA_ARRAYS for n in extras):
        raise fail(f"'extras' must list some of {', '.join(EXTRA_ARRAYS)}, got {extras!r}")
    for name in extras:
        a = arrays.get(name)
        if a is None or name in used:
            raise fail(f"extra array {name!r} is {'missing from the file' if a is None else 'used by a layer'}")
        if a.dtype != dtype or not np.all(np.isfinite(a)):
            raise fail(f"extra array {name!r} must be finite {dtype}, got {a.dtype}")
        if name in shapes and list(a.shape) != shapes[name]:
            raise fail(f"array {name!r} has shape {a.shape}, the architecture says {tuple(shapes[name])}")
        used.add(name)
    extra = set(arrays) - used
    if extra:
        raise fail(f"unexpected arrays {sorted(extra)} (not used by any layer)")
    preset = spec.get("class", "Sequential")
    if preset not in ("Sequential", *_preset_classes()):  # a tuple: JSON may give an unhashable list
        raise fail(f"unknown net class {preset!r}")
    if preset != "Sequential":
        _validate_preset(fail, preset, spec.get("config"), entries, arrays)
    return spec


def _validate_preset(fail, preset: str, config, entries: list, arrays) -> None:
    """The preset's recorded sizes must be those of its layers."""
    if preset == "MultiLayerNetExtend":
        return _validate_extend_preset(fail, config, entries, arrays)
    if preset in _CONV_PRESETS:
        return _validate_conv_preset(fail, preset, config, entries, arrays)
    keys = {"TwoLayerNet": {"input_size", "hidden_size", "output_size", "weight_init_std"},
            "MultiLayerNet": {"input_size", "hidden_size_list", "output_size", "activation",
                              "weight_init_std", "weight_decay_lambda"}}[preset]
    if not isinstance(config, dict) or set(config) != keys:
        raise fail(f"{preset} config must have the fields {sorted(keys)}, got {config!r}")
    from bprop.nets import ACTIVATIONS

    hidden = [config["hidden_size"]] if preset == "TwoLayerNet" else config["hidden_size_list"]
    activation = "relu" if preset == "TwoLayerNet" else config["activation"]
    if not isinstance(hidden, list) or activation not in ACTIVATIONS:
        raise fail(f"{preset} config is malformed: {config!r}")
    expected = ["Affine"] + [ACTIVATIONS[activation].__name__, "Affine"] * len(hidden)
    _check_dense_layers(fail, preset, f"{preset} with {len(hidden)} hidden layer(s) and {activation}",
                        config, hidden, expected, entries, arrays)


def _check_dense_layers(fail, preset: str, described: str, config: dict, hidden: list, expected: list,
                        entries: list, arrays) -> None:
    """A fully connected preset's layer types must be ``expected``, its Affine sizes those of its config.

    described: the preset and the config fields that fix its layers, as the message names them.
    """
    found = [e["type"] for e in entries]
    if found != expected:
        raise fail(f"{described} must have layers {expected}, got {found}")
    affine = [arrays[e["arrays"]["W"]].shape for e in entries if e["type"] == "Affine"]
    sizes = [affine[0][0], *(s[1] for s in affine)]
    if sizes != [config["input_size"], *hidden, config["output_size"]]:
        raise fail(f"{preset} config sizes {config!r} do not match the layers' sizes {sizes}")


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


def _validate_extend_preset(fail, config, entries: list, arrays) -> None:
    """MultiLayerNetExtend: per hidden layer Affine, [BatchNormalization], activation, [Dropout]; then Affine."""
    keys = {"input_size", "hidden_size_list", "output_size", "activation", "weight_init_std",
            "weight_decay_lambda", "use_dropout", "dropout_ration", "use_batchnorm"}
    if not isinstance(config, dict) or set(config) != keys:
        raise fail(f"MultiLayerNetExtend config must have the fields {sorted(keys)}, got {config!r}")
    from bprop.nets import ACTIVATIONS

    hidden, activation = config["hidden_size_list"], config["activation"]
    flags = (config["use_batchnorm"], config["use_dropout"])
    if not isinstance(hidden, list) or activation not in ACTIVATIONS or not all(isinstance(f, bool) for f in flags):
        raise fail(f"MultiLayerNetExtend config is malformed: {config!r}")
    block = ["Affine", *(["BatchNormalization"] if flags[0] else []), ACTIVATIONS[activation].__name__,
             *(["Dropout"] if flags[1] else [])]
    expected = block * len(hidden) + ["Affine"]
    _check_dense_layers(fail, "MultiLayerNetExtend",
                        f"MultiLayerNetExtend with {len(hidden)} hidden layer(s), {activation}, "
                        f"use_batchnorm={flags[0]} and use_dropout={flags[1]}",
                        config, hidden, expected, entries, arrays)


def _validate_conv_preset(fail, preset: str, config, entries: list, arrays) -> None:
    """SimpleConvNet, DeepConvNet: the layers, array shapes and options must be those of the config's plan.

    The plan is computed from the config without drawing weights, so a
    config asking for huge layers costs nothing before it is refused.
    """
    cls = _preset_classes()[preset]
    if not isinstance(config, dict):
        raise fail(f"{preset} config must be an object, got {config!r}")
    try:
        plan = cls._plan(**config)
    except (TypeError, ValueError) as exc:
        raise fail(f"{preset} config is malformed ({exc}): {config!r}") from None
    found = [e["type"] for e in entries]
    expected = [p.type for p in plan]
    if found != expected:
        raise fail(f"{preset} with config {config!r} must have layers {expected}, got {found}")
    for i, (entry, p) in enumerate(zip(entries, plan), start=1):
        for attr, shape in p.shapes.items():
            key = entry["arrays"][attr]
            if arrays[key].shape != shape:
                raise fail(f"{preset}: array {key!r} has shape {arrays[key].shape}, its config gives {shape}")
        for option, value in p.options.items():
            if option == "scale_at":
                # Either Dropout form: a DeepConvNet saved before Dropout had scale_at
                # (then always inverted) loads with the form its weights were trained with.
                continue
            if entry.get(option) != value:
                raise fail(f"{preset}: layer {i} ({p.type}) has {option}={entry.get(option)!r}, "
                           f"its config gives {value!r}")
