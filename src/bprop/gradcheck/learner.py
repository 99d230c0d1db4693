"""Reading a learner's layer: where its parameters are, what it is compared with, how to build it.

A learner's class follows the book, not bprop: ``check_layer`` finds its
parameters as attributes ``W`` with a ``dW`` beside them (or in ``params`` /
``grads`` dicts), works on deep copies cast to float64 (``cast_copy``), and
compares its forward with bprop's layer of the same name (``reference_layer``).
``bprop check FILE.py:CLASS`` loads the class from its file and builds it and
its inputs here (``load_class``, ``build_layer``, ``build_inputs``); what goes
wrong is a ``LearnerError`` whose message the caller renders in its language.
"""

from __future__ import annotations

import copy
import importlib.util
import inspect
import math
import sys
from pathlib import Path

import numpy as np

from bprop.gradcheck import messages
from bprop.layers import registry

_OUT_FEATURES = 3  # M of a checked Affine(W, b)
_LABEL_NAMES = ("t", "label", "labels", "target", "targets")

# bprop's layers that a learner's class of the same name is not compared with, and why.
_NOT_REFERENCES = {
    "Gelu": "bprop's is the tanh approximation; an exact (erf) GELU is right too",
    "MeanSquaredError": "the book's mean_squared_error does not divide by the batch size",
    "Dropout": "its masks are random",
    "BatchNormalization": "the book normalises (N, C, H, W) per feature, bprop per channel",
    "Pooling": "the book pads max pooling with zeros, bprop with −inf (as torch)",
}


class LearnerError(Exception):
    """A learner's file or class cannot be checked: ``key`` names the message in ``messages``, with ``params``."""

    def __init__(self, key: str, **params):
        super().__init__(messages.text(key, "en", **params))
        self.key, self.params = key, params

    def message(self, lang: str = "en") -> str:
        return messages.text(self.key, lang, **self.params)


# --- what check_layer reads of a layer ------------------------------------------------------------


def input_names(layer, count: int) -> list[str]:
    """forward's own argument names (x, t, y, …); x0, x1, … where it has none."""
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    try:
        names = [p.name for p in inspect.signature(layer.forward).parameters.values() if p.kind in kinds]
    except (TypeError, ValueError):
        names = []
    return [names[i] if i < len(names) else f"x{i}" for i in range(count)]


def find_params(layer) -> list[tuple[str, str]]:
    """The layer's parameters: ('attr', n) for an ndarray attribute n with an attribute
    'd' + n beside it (W and dW), ('dict', n) for an ndarray in a ``params`` dict."""
    attrs = getattr(layer, "__dict__", {})
    found = [("attr", n) for n, v in attrs.items() if isinstance(v, np.ndarray) and hasattr(layer, "d" + n)]
    params = getattr(layer, "params", None)
    if isinstance(params, dict):
        seen = [attrs[n] for _, n in found]
        found += [("dict", n) for n, v in params.items()
                  if isinstance(v, np.ndarray) and not any(v is s for s in seen)]
    return found


def param(layer, p):
    kind, name = p
    return getattr(layer, name) if kind == "attr" else layer.params[name]


def grad(layer, p):
    kind, name = p
    if kind == "attr":
        return getattr(layer, "d" + name, None)
    grads = getattr(layer, "grads", None)
    return grads.get(name) if isinstance(grads, dict) else None


def param_label(p) -> str:
    return p[1] if p[0] == "attr" else f"params[{p[1]!r}]"


def grad_label(p) -> str:
    return "d" + p[1] if p[0] == "attr" else f"grads[{p[1]!r}]"


def cast_copy(layer, dtype):
    """A deep copy of ``layer`` whose parameters are new arrays of ``dtype``.

    Every attribute that *is* an old parameter array is rebound to the new one, and
    so is every such entry of a ``params`` dict kept on the layer. (Our own layers'
    ``params`` is a view over the attributes, so rebinding those suffices.)
    """
    try:
        lay = copy.deepcopy(layer)
    except Exception as exc:
        raise TypeError(f"check_layer works on a copy of the layer, but copy.deepcopy failed: {exc}") from exc
    attrs = getattr(lay, "__dict__", {})
    params = attrs.get("params")
    for p in find_params(lay):
        old = param(lay, p)
        new = old.astype(dtype)
        for name, value in list(attrs.items()):
            if value is old:
                setattr(lay, name, new)
        if isinstance(params, dict):
            for key, value in params.items():
                if value is old:
                    params[key] = new
    return lay


def references() -> dict[str, type]:
    """bprop's layers a learner's class is compared with, by name (every registered one but ``_NOT_REFERENCES``)."""
    return {name: cls for name, cls in registry.layer_classes().items() if name not in _NOT_REFERENCES}


def reference_layer(layer, lay):
    """(name, bprop layer) to compare forward with, for a learner's layer named as one of ours; else None.

    ``lay`` is the float64 copy of the learner's ``layer``. The bprop layer gets
    copies of the learner's arrays of the same names (W, b, …) and the values of
    its options that the learner's layer has as attributes (alpha, stride, pad, …).
    """
    module = type(layer).__module__ or ""
    if module == "bprop" or module.startswith("bprop."):
        return None
    cls = {n.lower(): c for n, c in references().items()}.get(type(layer).__name__.lower())
    if cls is None:
        return None
    found = {p[1]: param(lay, p) for p in find_params(lay)}
    arrays = {}
    for name in cls.param_names:
        if name not in found:
            return None
        arrays[name] = np.array(found[name], dtype=np.float64)
    options = {}
    for option in cls.options:
        value = getattr(layer, option.name, None)
        if option.saved and isinstance(value, (int, float, str, np.integer, np.floating)):
            options[option.name] = value
    try:
        return cls.__name__, cls(**arrays, **options)
    except (TypeError, ValueError):
        return None


# --- bprop check: a learner's class from its file, built, with inputs ---------------------------------


def load_class(path: str, cls_name: str):
    """Import the file by path (its folder on sys.path meanwhile, for its own imports); return its class."""
    file = Path(path)
    if not file.is_file():
        raise LearnerError("cli.no_file", path=path)
    spec = importlib.util.spec_from_file_location(f"_bprop_check_{file.stem}", file)
    if spec is None or spec.loader is None:
        raise LearnerError("cli.import_failed", path=path, error="not a Python file")
    module = importlib.util.module_from_spec(spec)
    folder = str(file.resolve().parent)
    sys.path.insert(0, folder)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        error = f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}"
        raise LearnerError("cli.import_failed", path=path, error=error) from exc
    finally:
        sys.path.remove(folder)
    cls = getattr(module, cls_name, None)
    if not inspect.isclass(cls):
        found = ", ".join(n for n, v in vars(module).items()
                          if inspect.isclass(v) and v.__module__ == module.__name__) or "-"
        raise LearnerError("cli.no_class", path=path, cls=cls_name, found=found)
    return cls


def required_args(fn) -> list[str]:
    """Names of the positional arguments without defaults."""
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [p.name for p in inspect.signature(fn).parameters.values()
            if p.kind in kinds and p.default is p.empty]


def build_layer(cls, shape, dtype, rng):
    """cls(), or cls(W, b) with W (D, M) and b (M,) for the book's Affine(W, b); D from shape (N, D…)."""
    required = required_args(cls)
    args = ()
    if [n.lower() for n in required] == ["w", "b"]:
        if len(shape) < 2:
            raise LearnerError("cli.affine_shape", cls=cls.__name__, shape=",".join(map(str, shape)))
        d = math.prod(shape[1:])
        args = (rng.standard_normal((d, _OUT_FEATURES)).astype(dtype),
                rng.standard_normal(_OUT_FEATURES).astype(dtype))
    elif required:
        raise LearnerError("cli.cannot_construct", cls=cls.__name__, args=", ".join(required))
    try:
        return cls(*args)
    except Exception as exc:
        raise LearnerError("cli.construct_failed", cls=cls.__name__, error=f"{type(exc).__name__}: {exc}") from exc


def build_inputs(layer, shape, dtype, rng) -> list:
    """Random inputs for forward(x), forward(x, t) or forward(x, y)."""
    cls = type(layer).__name__
    for method in ("forward", "backward"):
        if not callable(getattr(layer, method, None)):
            raise LearnerError("cli.no_method", cls=cls, method=method)
    names = required_args(layer.forward)
    x = rng.standard_normal(shape).astype(dtype)
    if len(names) == 1:
        return [x]
    if len(names) == 2 and names[1].lower() in _LABEL_NAMES:
        return _loss_inputs(cls, x, rng)
    if len(names) == 2:
        return [x, rng.standard_normal(shape).astype(dtype)]
    raise LearnerError("cli.forward_args", cls=cls, args=", ".join(names))


def _loss_inputs(cls: str, x: np.ndarray, rng) -> list:
    """Logits and labels for a loss: class indices for a softmax loss, 0/1 for a
    sigmoid one, else targets shaped like x.

    Softmax: the label is each row's largest logit, raised by log C, so that
    softmax gives it y_t > 1/2. The book's cross_entropy_error takes
    log(y + 1e-7), which moves the gradient by about 1e-7/y_t relative to y − t:
    with y_t > 1/2 that stays under the tolerance of 1e-6 for any C (with random
    labels and C = 100 it reached 2e-6).
    """
    name = cls.lower()
    if "softmax" in name or "crossentropy" in name:
        if x.ndim != 2 or x.shape[1] < 2:
            raise LearnerError("cli.loss_shape", cls=cls, shape=",".join(map(str, x.shape)))
        t = np.asarray(np.argmax(x, axis=-1))
        np.put_along_axis(x, t[..., None], np.take_along_axis(x, t[..., None], -1) + np.log(x.shape[-1]), -1)
        return [x, t]
    if "sigmoid" in name:
        return [x, rng.integers(0, 2, size=x.shape).astype(x.dtype)]
    return [x, rng.standard_normal(x.shape).astype(x.dtype)]
