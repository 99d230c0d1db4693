"""Reading a learner's layer: where its parameters are, what it is compared with, how to build it.

A learner's class follows the book, not bprop: ``check_layer`` finds its
parameters as attributes ``W`` with a ``dW`` beside them (or in ``params`` /
``grads`` dicts, or book 2's lists, named by ``list_names``), works on deep
copies cast to float64 (``cast_copy``), and
compares its forward with bprop's layer of the same name (``reference_layer``).
``bprop check FILE.py:NAME`` loads the class or function from its file here
(``load_class``; ``bprop.gradcheck.build`` builds a layer and its inputs); what
goes wrong is a ``LearnerError`` whose message the caller renders in its language.
"""

from __future__ import annotations

import contextlib
import copy
import importlib.util
import inspect
import io
import re
import sys
import types
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from numpy.typing import DTypeLike

from bprop.gradcheck import learner_transformer, messages, readings
from bprop.layers import registry

_L = TypeVar("_L")  # a learner's layer, whatever its class

# bprop's layers that a learner's class of the same name is not compared with, and why.
_NOT_REFERENCES = {
    "Gelu": "bprop's is the tanh approximation; an exact (erf) GELU is right too",
    "MeanSquaredError": "the book's mean_squared_error does not divide by the batch size",
    "Dropout": "its masks are random",
}
# Book 2's layers ("sequence") that a learner's class is compared with: the others are random (TimeDropout,
# NegativeSamplingLoss: their gradients are checked with the randomness replayed).
SEQUENCE_REFERENCES = ("RNN", "LSTM", "GRU", "TimeRNN", "TimeLSTM", "TimeGRU", "TimeBiLSTM", "Embedding",
                       "TimeEmbedding", "EmbeddingDot", "TimeAffine", "TimeSoftmaxWithLoss", "WeightSum",
                       "AttentionWeight", "Attention", "TimeAttention", "MatMul")
# Book 2's names of the arrays in a ``params`` list, by what the class's name says it is: a learner's plain
# list has no names (bprop's ParamList has), and the report should say dWx, not grads[0].
_LIST_NAMES = (
    (re.compile(r"bi(lstm|gru|rnn)"), ("Wx1", "Wh1", "b1", "Wx2", "Wh2", "b2")),
    (re.compile(r"lstm|gru|rnn(?!lm)"), ("Wx", "Wh", "b")),
    (re.compile(r"embedding|negativesampling"), ("W",)),
    (re.compile(r"affine|linear"), ("W", "b")),
    (re.compile(r"matmul"), ("W",)),
)
_ARRAY_ARG = re.compile(r"(w|wx|wh|b|gamma|beta|weight|bias)\d*|[wb]_?[qkvo]", re.IGNORECASE)  # W_q: attention
# … and those compared only where the book and bprop agree, with the tolerance of the comparison.
_REFERENCES_WHEN = {
    "BatchNormalization": (lambda layer, x: x.ndim == 2, 1e-3),  # on images the book normalises per feature,
    # bprop per channel; the learner's ε (often a literal 1e-7) moves y by up to 1e-4 where a batch's var is small
    "Pooling": (lambda layer, x: getattr(layer, "pad", 0) == 0, 1e-5),  # the book pads max pooling with zeros,
    # bprop with −inf (as torch)
}


class LearnerError(Exception):
    """A learner's file or class cannot be checked: ``key`` names the message in ``messages``, with ``params``."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(messages.text(key, "en", **params))
        self.key, self.params = key, params

    def message(self, lang: str = "en") -> str:
        return messages.text(self.key, lang, **self.params)


# --- what check_layer reads of a layer ------------------------------------------------------------


def input_names(layer: Any, count: int) -> list[str]:
    """forward's own argument names (x, t, y, …); x0, x1, … where it has none."""
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    try:
        names = [p.name for p in inspect.signature(layer.forward).parameters.values() if p.kind in kinds]
    except (TypeError, ValueError):
        names = []
    return [names[i] if i < len(names) else f"x{i}" for i in range(count)]


def find_params(layer: Any, built: Any = None) -> list[tuple[str, object]]:
    """The layer's parameters: ('attr', n) for an ndarray attribute n with an attribute
    'd' + n beside it (W and dW), ('dict', n) for an ndarray in a ``params`` dict, ('list', i)
    for one in a ``params`` list (book 2's ``self.params = [W, b]``, ``self.grads`` alike).

    ``built``: the names of the arrays the layer held when it was made; after a backward,
    an array among them with a 'd' + n beside it counts even if __init__ never set dn
    (x with a dx stored by backward does not: x came with forward, not with the layer)."""
    attrs = getattr(layer, "__dict__", {})
    found = [("attr", n) for n, v in attrs.items() if isinstance(v, np.ndarray) and hasattr(layer, "d" + n)
             and (built is None or n in built)]
    params = getattr(layer, "params", None)
    seen = [attrs[n] for _, n in found]
    if isinstance(params, dict):
        found += [("dict", n) for n, v in params.items()
                  if isinstance(v, np.ndarray) and not any(v is s for s in seen)]
    elif isinstance(params, list):  # an array listed twice (the book's NegativeSamplingLoss) counts once
        found += [("list", i) for i, v in enumerate(params)
                  if isinstance(v, np.ndarray) and not any(v is s for s in seen + params[:i])]
    return found


def shared_slots(layer: object, i: Any) -> list[int]:
    """The positions in the ``params`` list that hold the same array as position i (i among them)."""
    params = getattr(layer, "params", None)
    if not isinstance(params, list) or i >= len(params):
        return [i]
    return [j for j, v in enumerate(params) if v is params[i]]


def list_names(layer: Any) -> dict[int, str] | None:
    """{position: name} for the distinct arrays of a ``params`` list: a ParamList's own names, else book 2's for
    the class's kind (RNN, LSTM, GRU and their Time layers: Wx, Wh, b; Embedding: W; TimeAffine: W, b …),
    else the constructor's array arguments (W, b, Wx1 …); None when the count does not fit."""
    params = getattr(layer, "params", None)
    if not isinstance(params, list):
        return None
    first = [i for i, v in enumerate(params) if isinstance(v, np.ndarray) and not any(v is w for w in params[:i])]
    names = getattr(params, "names", None)
    if not (isinstance(names, tuple) and len(names) == len(params) == len(first)):
        names = _book_names(layer, len(first))
    return None if names is None else dict(zip(first, names))


def _book_names(layer, count: int):
    kind = type(layer).__name__.lower().replace("_", "")
    for pattern, known in _LIST_NAMES:
        if pattern.search(kind):
            return known if len(known) == count else None
    roles = learner_transformer.list_names(layer)  # LayerNorm's gamma, beta; multi-head's W_q … by role
    if roles is not None and len(roles) == count:
        return roles
    try:
        arguments = [p.name for p in inspect.signature(type(layer)).parameters.values() if p.default is p.empty]
    except (TypeError, ValueError):
        return None
    arrays = tuple(a for a in arguments if _ARRAY_ARG.fullmatch(a))
    if len(arrays) == count:
        return arrays
    params, attrs = getattr(layer, "params", []), getattr(layer, "__dict__", {})  # self.W_q listed in params
    own = [next((n for n, v in attrs.items() if v is p and n not in ("params", "grads")), None) for p in params
           if isinstance(p, np.ndarray)]
    return tuple(own) if len(own) == count and None not in own and len(set(own)) == count else None


def param(layer: Any, p: tuple[str, Any]) -> Any:
    kind, name = p
    return getattr(layer, name) if kind == "attr" else layer.params[name]


def grad(layer: Any, p: tuple[str, Any]) -> Any:
    kind, name = p
    if kind == "attr":
        return getattr(layer, "d" + name, None)
    grads = getattr(layer, "grads", None)
    if isinstance(grads, dict):
        return grads.get(name)
    if isinstance(grads, list) and kind == "list" and name < len(grads):
        slots = shared_slots(layer, name)
        parts = [grads[j] for j in slots if j < len(grads)]
        if len(slots) > 1 and len(parts) == len(slots) and all(isinstance(g, np.ndarray) for g in parts):
            return sum(parts[1:], parts[0].copy())  # one array used S+1 times: its gradient is their sum
        return grads[name]
    return None


def _list_name(p, names):
    """The name of list entry p from ``list_names`` (None when it is not known)."""
    return names.get(p[1]) if p[0] == "list" and names else None


def param_label(p: tuple[str, Any], names: dict[int, str] | None = None) -> str:
    """W for an attribute, params['W'] for a dict entry, Wx for a list entry whose name is known, else params[0]."""
    known = _list_name(p, names)
    return known or (p[1] if p[0] == "attr" else f"params[{p[1]!r}]")


def grad_label(p: tuple[str, Any], names: dict[int, str] | None = None) -> str:
    """dW for an attribute, grads['W'] for a dict entry, dWx for a list entry whose name is known, else grads[0]."""
    known = _list_name(p, names)
    if known:
        return "d" + known
    return "d" + p[1] if p[0] == "attr" else f"grads[{p[1]!r}]"


def cast_copy(layer: _L, dtype: DTypeLike) -> _L:
    """A deep copy of ``layer`` whose parameters are new arrays of ``dtype``.

    Every reference to an old parameter array is rebound to the new one: the layer's attributes, the
    entries of its ``params`` dict or list, and those of the layers it holds (book 2's TimeBiLSTM keeps
    its arrays in two TimeLSTMs and lists them again in its own ``params``; EmbeddingDot shares W with
    its Embedding). Book 2's ``grads`` list, written into in place, is cast the same way, and so is any
    other float array attribute of another dtype.
    """
    try:
        lay = copy.deepcopy(layer)
    except Exception as exc:
        raise TypeError(f"check_layer works on a copy of the layer, but copy.deepcopy failed: {exc}") from exc
    attrs = getattr(lay, "__dict__", {})
    olds = [param(lay, p) for p in find_params(lay)]
    olds += [v for v in attrs.values() if isinstance(v, np.ndarray) and v.dtype.kind == "f" and v.dtype != dtype]
    grads = attrs.get("grads")
    if isinstance(grads, list):  # book 2 writes gradients into these arrays (grads[0][...] = dW)
        olds += [g for g in grads if isinstance(g, np.ndarray) and g.dtype.kind == "f"]
    new = {id(old): old.astype(dtype) for old in olds}  # (olds keeps every old array alive: the ids stay unique)
    _rebind(lay, new, set())
    return lay


_LEAVES = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType,
           np.random.Generator, np.random.RandomState, str, bytes)


def _rebind(obj, new: dict, seen: set) -> None:
    """Replace, in obj and everything it holds (attributes, lists, dicts), each array whose id is in ``new``."""
    if id(obj) in seen or isinstance(obj, _LEAVES):
        return
    seen.add(id(obj))
    items: Iterable[tuple[Any, Any]]
    if isinstance(obj, list):
        items = enumerate(obj)
    elif isinstance(obj, dict):
        items = obj.items()
    elif isinstance(getattr(obj, "__dict__", None), dict):
        obj = obj.__dict__  # not setattr: a class may guard its attributes
        items = obj.items()
    else:
        return
    for key, value in list(items):
        if isinstance(value, np.ndarray):
            if id(value) in new:
                obj[key] = new[id(value)]
        else:
            _rebind(value, new, seen)


def references() -> dict[str, Any]:
    """bprop's layers a learner's class is compared with, by name: every registered one of book 1 but
    ``_NOT_REFERENCES``, and book 2's ``SEQUENCE_REFERENCES``."""
    found = {name: cls for name, cls in registry.layer_classes("activation", "layer", "loss", "node").items()
             if name not in _NOT_REFERENCES}
    found.update({name: cls for name, cls in registry.layer_classes("sequence").items()
                  if name in SEQUENCE_REFERENCES})
    return found


def reference_layer(layer: Any, lay: Any, x: np.ndarray) -> tuple[str, Any, float] | None:
    """(name, bprop layer, tolerance) to compare forward with, for a learner's layer named as one of ours; else None.

    ``lay`` is the float64 copy of the learner's ``layer``, x its first input. The
    bprop layer gets copies of the learner's arrays of the same names (W, b, gamma
    …, as attributes or in a ``params`` dict, with or without dW beside them; in book 2's
    ``params`` list, by position: [Wx, Wh, b]) and
    the values of its options that the learner's layer has as attributes (alpha,
    stride, pad, …).
    """
    module = type(layer).__module__ or ""
    if module == "bprop" or module.startswith("bprop."):
        return None
    if learner_transformer.kind_of(type(layer)) is not None:  # LayerNorm, attention, multi-head: fed otherwise
        return learner_transformer.reference(layer, lay, x)
    cls = {n.lower(): c for n, c in references().items()}.get(type(layer).__name__.lower())
    if cls is None:
        return None
    when, tol = _REFERENCES_WHEN.get(cls.__name__, (None, 1e-5))
    if when is not None and not when(layer, x):
        return None
    params = getattr(lay, "params", None)
    arrays = {}
    for k, name in enumerate(cls.param_names):
        value = getattr(lay, name, None)
        if not isinstance(value, np.ndarray) and isinstance(params, dict):
            value = params.get(name)
        if not isinstance(value, np.ndarray) and isinstance(params, list) and len(params) == len(cls.param_names):
            value = params[k]
        if not isinstance(value, np.ndarray):
            return None
        arrays[name] = np.array(value, dtype=np.float64)
    options = {}
    for option in cls.options:
        value = getattr(layer, option.name, None)
        if option.saved and isinstance(value, (int, float, str, np.integer, np.floating)):
            options[option.name] = value
    try:
        return cls.__name__, cls(**arrays, **options), tol
    except (TypeError, ValueError):
        return None


# --- bprop check: a learner's class from its file, built, with inputs ---------------------------------


def load_class(path: str, cls_name: str) -> Any:
    """Import the file by path (its folder and the working folder on sys.path meanwhile, for its own imports,
    such as the book's ``from common.layers import *``); return its class
    or function ``cls_name``. What the file prints at import is discarded; sys.exit there is an error."""
    file = Path(path)
    if not file.is_file():
        raise LearnerError("cli.no_file", path=path)
    spec = importlib.util.spec_from_file_location(f"_bprop_check_{file.stem}", file)
    if spec is None or spec.loader is None:
        raise LearnerError("cli.import_failed", path=path, error="not a Python file")
    module = importlib.util.module_from_spec(spec)
    folder = str(file.resolve().parent)
    added = [p for p in (folder, str(Path.cwd())) if p not in sys.path]  # as `python FILE` would, from here
    sys.path[:0] = added
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            spec.loader.exec_module(module)
    except SystemExit as exc:
        raise LearnerError("cli.import_exit", path=path, code=repr(exc.code)) from exc
    except Exception as exc:
        error = readings.error_text(exc)
        frame = readings.learner_frame(exc)
        if frame is not None:
            error += f" (at {frame[0]}:{frame[1]}: {frame[2]})"
        raise LearnerError("cli.import_failed", path=path, error=error) from exc
    finally:
        for p in added:
            sys.path.remove(p)
    found = getattr(module, cls_name, None)
    if not (inspect.isclass(found) or inspect.isfunction(found)):
        names = ", ".join(n for n, v in vars(module).items()
                          if (inspect.isclass(v) or inspect.isfunction(v)) and v.__module__ == module.__name__)
        raise LearnerError("cli.no_class", path=path, cls=cls_name, found=names or "-")
    return found
