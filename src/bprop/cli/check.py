"""``bprop check FILE.py:CLASS``: check a learner's layer and say what is right and wrong.

The file is imported by path; the class is built and fed random inputs:

- ``Layer()`` when __init__ needs nothing; ``Affine(W, b)`` gets W (D, M) and b (M,)
  with D from --shape (N, D) and M = 3.
- ``forward(x)``: x of --shape. ``forward(x, t)`` (a loss): logits of --shape and
  labels t. ``forward(x, y)`` (a node whose backward returns (dx, dy)): two arrays.

Exit status 0 when every check passes, 1 when one fails, 2 for usage errors.
"""

from __future__ import annotations

import importlib.util
import inspect
import math
import sys
from pathlib import Path

import numpy as np

from bprop import messages
from bprop.cli import CommandError

_OUT_FEATURES = 3  # M of a checked Affine(W, b)
_LABEL_NAMES = ("t", "label", "labels", "target", "targets")


def register(subparsers):
    parser = subparsers.add_parser(
        "check",
        help="check a layer's forward and backward (gradients, in-place writes, dtype, ±1000)",
        description="Check a layer written in the book's style: backward against central "
        "differences, writes into x or dout, NaN and warnings, dtype and shapes. "
        "Prints what is right and what is wrong; exit status 0 when all is right, 1 otherwise.",
    )
    parser.add_argument("target", metavar="FILE.py:CLASS", help="e.g. my_layers.py:Relu")
    parser.add_argument("--shape", default="4,5", help="input shape N,D (default 4,5)")
    parser.add_argument("--dtype", default="float64", choices=("float64", "float32"),
                        help="dtype the layer must keep (the gradients are checked in float64)")
    parser.add_argument("--lang", choices=messages.LANGUAGES, default=None,
                        help="en or ja (default: from LC_ALL, LC_MESSAGES or LANG)")
    parser.set_defaults(func=run)


def run(args) -> int:
    from bprop.gradcheck import check_layer

    lang = messages.pick_language(args.lang)
    path, cls_name = _split_target(args.target, lang)
    shape = _parse_shape(args.shape, lang)
    cls = _load_class(path, cls_name, lang)
    dtype = np.dtype(args.dtype)
    rng = np.random.default_rng(0)
    layer = _build_layer(cls, shape, dtype, rng, lang)
    inputs = _build_inputs(layer, shape, dtype, rng, lang)
    report = check_layer(layer, *inputs, dtype=dtype, name=f"{cls_name} ({path})")
    print(report.render(lang))
    return 0 if report.ok else 1


def _error(key: str, lang: str, **params) -> CommandError:
    return CommandError(messages.text(key, lang, **params))


def _split_target(target: str, lang: str) -> tuple[str, str]:
    path, sep, cls_name = target.rpartition(":")
    if not sep or not path or not cls_name.isidentifier():
        raise _error("cli.bad_target", lang, target=target)
    return path, cls_name


def _parse_shape(text: str, lang: str) -> tuple[int, ...]:
    try:
        shape = tuple(int(part) for part in text.split(","))
    except ValueError:
        shape = ()
    if not shape or min(shape) < 1:
        raise _error("cli.bad_shape", lang, shape=text)
    return shape


def _load_class(path: str, cls_name: str, lang: str):
    """Import the file by path (its folder on sys.path meanwhile, for its own imports)."""
    file = Path(path)
    if not file.is_file():
        raise _error("cli.no_file", lang, path=path)
    spec = importlib.util.spec_from_file_location(f"_bprop_check_{file.stem}", file)
    if spec is None or spec.loader is None:
        raise _error("cli.import_failed", lang, path=path, error="not a Python file")
    module = importlib.util.module_from_spec(spec)
    folder = str(file.resolve().parent)
    sys.path.insert(0, folder)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        error = f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}"
        raise _error("cli.import_failed", lang, path=path, error=error) from exc
    finally:
        sys.path.remove(folder)
    cls = getattr(module, cls_name, None)
    if not inspect.isclass(cls):
        found = ", ".join(n for n, v in vars(module).items()
                          if inspect.isclass(v) and v.__module__ == module.__name__) or "-"
        raise _error("cli.no_class", lang, path=path, cls=cls_name, found=found)
    return cls


def _required(fn) -> list[str]:
    """Names of the positional arguments without defaults."""
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [p.name for p in inspect.signature(fn).parameters.values()
            if p.kind in kinds and p.default is p.empty]


def _build_layer(cls, shape, dtype, rng, lang):
    """cls(), or cls(W, b) with W (D, M) and b (M,) for the book's Affine(W, b)."""
    required = _required(cls)
    args = ()
    if [n.lower() for n in required] == ["w", "b"]:
        if len(shape) < 2:
            raise _error("cli.affine_shape", lang, cls=cls.__name__, shape=",".join(map(str, shape)))
        d = math.prod(shape[1:])
        args = (rng.standard_normal((d, _OUT_FEATURES)).astype(dtype),
                rng.standard_normal(_OUT_FEATURES).astype(dtype))
    elif required:
        raise _error("cli.cannot_construct", lang, cls=cls.__name__, args=", ".join(required))
    try:
        return cls(*args)
    except Exception as exc:
        raise _error("cli.construct_failed", lang, cls=cls.__name__, error=f"{type(exc).__name__}: {exc}") from exc


def _build_inputs(layer, shape, dtype, rng, lang) -> list:
    """Random inputs for forward(x), forward(x, t) or forward(x, y)."""
    cls = type(layer).__name__
    forward = getattr(layer, "forward", None)
    if not callable(forward) or not callable(getattr(layer, "backward", None)):
        raise _error("cli.no_forward", lang, cls=cls)
    names = _required(forward)
    x = rng.standard_normal(shape).astype(dtype)
    if len(names) == 1:
        return [x]
    if len(names) == 2 and names[1].lower() in _LABEL_NAMES:
        return _loss_inputs(cls, x, rng, lang)
    if len(names) == 2:
        return [x, rng.standard_normal(shape).astype(dtype)]
    raise _error("cli.forward_args", lang, cls=cls, args=", ".join(names))


def _loss_inputs(cls: str, x: np.ndarray, rng, lang: str) -> list:
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
            raise _error("cli.loss_shape", lang, cls=cls, shape=",".join(map(str, x.shape)))
        t = np.asarray(np.argmax(x, axis=-1))
        np.put_along_axis(x, t[..., None], np.take_along_axis(x, t[..., None], -1) + np.log(x.shape[-1]), -1)
        return [x, t]
    if "sigmoid" in name:
        return [x, rng.integers(0, 2, size=x.shape).astype(x.dtype)]
    return [x, rng.standard_normal(x.shape).astype(x.dtype)]
