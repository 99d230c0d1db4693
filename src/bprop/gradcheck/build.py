"""Building a learner's layer the way the book's code builds it, and inputs that fit it.

``build_layer(cls, shape, dtype, rng, params)`` fills the constructor from the
book's parameter names: ``W, b`` (2-D for an Affine, 4-D ``(FN, C, FH, FW)`` for a
class whose forward takes images: decided by the name, then by trying),
``gamma, beta`` (and ``momentum``, ``running_mean``, ``running_var`` left to their
defaults), ``pool_h, pool_w, stride, pad``, ``dropout_ratio``, ``alpha``, book 2's
``Wx, Wh, b`` (numbered too: TimeBiLSTM's ``Wx1 … b2``) and NegativeSamplingLoss's ``corpus`` …
``params`` (from ``--param NAME=VALUE``) wins over all of it. ``build_inputs``
then makes forward's inputs: images for a convolution or a pooling, logits and
labels for a loss, two arrays for a node like MulLayer. Generated inputs keep
|x| ≥ 0.05 and, for pooling, values at least 0.01 apart: no element sits within
reach of a kink (ReLU at 0, a tie in a max) of the central differences' ε = 1e-4.

>>> parse_param("stride=2"), parse_param("W=4,3,3,3"), parse_param("mode=same")
(('stride', 2), ('W', (4, 3, 3, 3)), ('mode', 'same'))
"""

from __future__ import annotations

import inspect
import math
import re
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from bprop.gradcheck import build_sequence, build_transformer
from bprop.gradcheck.calls import Stop, call
from bprop.gradcheck.learner import LearnerError

__all__ = ["Plan", "Extra", "build_layer", "build_inputs", "more_plans", "parse_param", "kind_of"]

_OUT_FEATURES = 3  # M of a checked Affine(W, b)
_LABEL_NAMES = ("t", "label", "labels", "target", "targets", "y_true")
_ARRAY_NAMES = ("w", "b", "gamma", "beta", "running_mean", "running_var", "weight", "bias")
_IMAGE = (2, 3, 5, 7)  # N, C, H, W of a checked convolution: stride 2 and pad 1 fit it too
_SEQUENCE = (2, 3, 4)  # N, T, D of a checked Time layer (book 2)
_HIDDEN = 3  # H of a checked RNN or GRU cell
_POOL_IMAGE = (2, 3, 4, 6)  # … of a checked pooling: 2×2 windows at stride 2 tile it
_NUMBERS = {  # the book's names for the numbers a layer's constructor takes
    "stride": 1, "pad": 0, "padding": 0, "pool_h": 2, "pool_w": 2, "pool_size": 2,
    "dropout_ratio": 0.3, "dropout_rate": 0.3, "ratio": 0.3, "rate": 0.3, "p": 0.3, "drop_prob": 0.3,
    "alpha": 1.0, "negative_slope": 0.1, "slope": 0.1, "leak": 0.1,
    "momentum": 0.9, "eps": 1e-5, "epsilon": 1e-5,
}
MODE_NAMES = ("train_flg", "train", "training", "is_train", "is_training", "train_mode")
DROPOUT_NAMES = ("dropout_ratio", "dropout_rate", "ratio", "rate", "p", "drop_prob")


def kind_of(cls_name: str) -> str:
    """What a class's name says it is: 'conv', 'pool', 'batchnorm', 'dropout', 'affine', 'embedding' or ''.

    (A plan's kind may also be 'batchnorm_c': a BatchNormalization whose γ has one entry per channel.)
    """
    name = cls_name.lower().replace("_", "")
    for kind, words in (("conv", ("conv",)), ("pool", ("pool",)), ("batchnorm", ("batchnorm", "bn")),
                        ("dropout", ("dropout",)), ("affine", ("affine", "linear", "dense", "fullyconnected")),
                        ("embedding", ("embedding", "negativesampling"))):
        if any(w in name for w in words):
            return kind
    return ""


def parse_param(text: str) -> tuple[str, Any]:
    """``NAME=VALUE`` of --param → (name, value): an int, a float, True/False/None, a shape ``4,3,3,3``
    (a tuple: an array of that shape is drawn), or the text itself."""
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier():
        raise LearnerError("cli.bad_param", param=text)
    value = value.strip()
    lowered = value.lower()
    if lowered in ("true", "false", "none"):
        return name, {"true": True, "false": False, "none": None}[lowered]
    if "," in value:
        try:
            shape = tuple(int(v) for v in value.split(","))
        except ValueError:
            raise LearnerError("cli.bad_param", param=text) from None
        if min(shape) < 1:
            raise LearnerError("cli.bad_param", param=text)
        return name, shape
    for kind in (int, float):
        try:
            return name, kind(value)
        except ValueError:
            pass
    return name, value


@dataclass
class Plan:
    """How a layer is built and fed: the constructor's arguments and the shape of x."""

    kind: str
    kwargs: dict
    shape: tuple
    hidden: int = 0  # H of a recurrent cell: h_prev is (N, H)


def build_layer(cls: type, shape: tuple[int, ...] | None, dtype: np.dtype, rng: np.random.Generator,
                params: dict | None = None) -> tuple[Any, Plan]:
    """(layer, Plan): cls built from the book's argument names; ``shape`` (N, D…) or None for a default."""
    params = dict(params or {})
    found = build_transformer.plan(cls, shape, params, dtype, rng)  # LayerNorm, attention, multi-head
    if found is not None:
        plan = Plan(*found)
        layer = _construct(cls, plan)
        build_transformer.redraw(layer, plan.kind, plan.kwargs, rng)
        return layer, plan
    kind = kind_of(cls.__name__)
    try:
        signature = inspect.signature(cls)
    except (TypeError, ValueError):
        signature = None
    arguments = [] if signature is None else [
        p for p in signature.parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    names = {_base(p.name) for p in arguments}
    if kind == "" and {"wx", "wh"} <= names:  # RNN(Wx, Wh, b), TimeBiLSTM(Wx1, Wh1, b1, Wx2, Wh2, b2) …
        kind = "rnn"
    elif kind == "" and {"w", "b"} <= names:
        kind = "affine"
    plans = [_plan(cls.__name__, k, arguments, shape, params, dtype, rng) for k in _kinds_to_try(kind, names, shape)]
    first_error = None
    for plan in plans:
        layer = _construct(cls, plan)
        if len(plans) == 1 or _forward_runs(layer, plan, dtype):
            return layer, plan
        first_error = first_error or (layer, plan)
    return cast("tuple[Any, Plan]", first_error)  # set: plans is never empty


def _base(name: str) -> str:
    """An argument's name without its number: Wx1 → wx."""
    return re.sub(r"\d+$", "", name.lower())


def _kinds_to_try(kind: str, names: set, shape) -> list[str]:
    """A (W, b) class is an Affine or a convolution: the name decides which is tried first."""
    if kind == "conv":
        return ["conv", "affine"]
    if kind == "affine" and {"w", "b"} <= names:
        return ["affine", "conv"]
    if kind == "batchnorm" and shape is not None and len(shape) == 4:
        return ["batchnorm", "batchnorm_c"]  # γ per element (the book) or per channel (torch)
    return [kind]


def _plan(cls_name, kind, arguments, shape, params, dtype, rng) -> Plan:
    x_shape = tuple(shape) if shape else {"conv": _IMAGE, "pool": _POOL_IMAGE}.get(kind, (4, 5))
    if not shape and cls_name.lower().startswith("time"):
        x_shape = _SEQUENCE  # book 2's Time layers take (N, T, D)
    if not shape and kind == "embedding":
        x_shape = build_sequence.ids_shape(cls_name)  # word ids
    gates = 4 if "lstm" in cls_name.lower() else 3 if "gru" in cls_name.lower() else 1
    if kind == "affine" and len(x_shape) < 2:
        raise LearnerError("cli.affine_shape", cls=cls_name, shape=",".join(map(str, x_shape)))
    kwargs = {}
    for p in arguments:
        name = p.name
        if name in params:
            value = params[name]
            array_int = name.lower() in _ARRAY_NAMES and isinstance(value, int) and not isinstance(value, bool)
            kwargs[name] = (value,) if array_int else value
        elif kind == "rnn" and _base(name) in ("wx", "wh", "b"):
            rows = {"wx": x_shape[-1], "wh": _HIDDEN}.get(_base(name))
            kwargs[name] = (gates * _HIDDEN,) if rows is None else (rows, gates * _HIDDEN)
        elif name.lower() in ("w", "weight"):
            kwargs[name] = (build_sequence.VOCAB, _OUT_FEATURES) if kind == "embedding" else _weight(kind, x_shape)
        elif name.lower() in ("b", "bias"):
            kwargs[name] = (_weight(kind, x_shape)[0],) if kind == "conv" else (_OUT_FEATURES,)
        elif name.lower() in ("gamma", "beta"):
            kwargs[name] = (x_shape[1],) if kind == "batchnorm_c" else (math.prod(x_shape[1:]),)
        elif kind == "dropout" and name.lower() in DROPOUT_NAMES:
            kwargs[name] = _NUMBERS[name.lower()]
        elif name.lower() == "corpus":  # NegativeSamplingLoss(W, corpus, …): every word id, some of them twice
            kwargs[name] = build_sequence.corpus()
        elif kind == "pool" and name.lower() == "stride" and p.default is p.empty:
            kwargs[name] = 2
        elif p.default is not p.empty:
            continue
        elif name.lower() == "alpha" and "leaky" in cls_name.lower():
            kwargs[name] = 0.1
        elif name.lower() in _NUMBERS:
            kwargs[name] = _NUMBERS[name.lower()]
        else:
            raise LearnerError("cli.unknown_arg", cls=cls_name, arg=name)
    for name, value in params.items():
        kwargs.setdefault(name, value)
    for name, value in kwargs.items():  # shapes become arrays
        if isinstance(value, tuple):
            kwargs[name] = _array(name, value, dtype, rng)
    w = next((v for k, v in kwargs.items() if k.lower() in ("w", "weight") and k in params
              and isinstance(v, np.ndarray)), None)
    if not shape and w is not None and kind != "embedding":  # x follows a W given with --param
        x_shape = _input_for_weight(kind, w, x_shape)
    return Plan(kind, kwargs, x_shape, _HIDDEN if kind == "rnn" else 0)


@dataclass
class Extra:
    """One more way to build and feed the class: the options of another run and its label."""

    label: str
    shape: tuple
    kwargs: dict


def more_plans(cls: type, plan: Plan, shape: tuple[int, ...] | None, params: dict) -> list[Extra]:
    """The runs after the first: a convolution at stride 2 with pad 1 (unless --param fixed them), a pooling
    at stride 1, a BatchNormalization on images (N, C, H, W) as well as on (N, D) (unless --shape fixed it)."""
    extra = build_transformer.more_plans(cls, plan, shape, params)
    if extra is not None:
        return [Extra(*e) for e in extra]
    try:
        names = set(inspect.signature(cls).parameters)
    except (TypeError, ValueError):
        return []
    if plan.kind == "conv" and {"stride", "pad"} <= names and not {"stride", "pad"} & set(params):
        return [Extra("stride 2, pad 1", plan.shape, {**params, "stride": 2, "pad": 1})]
    if plan.kind == "pool" and "stride" in names and "stride" not in params:
        return [Extra("stride 1", plan.shape, {**params, "stride": 1})]  # overlapping windows: stride is used
    if plan.kind.startswith("batchnorm") and shape is None and len(plan.shape) == 2:
        return [Extra("4-D input", (4, 2, 3, 3), params)]
    return []


def _weight(kind, x_shape):
    if kind == "conv":
        return (4, x_shape[1], 3, 3)
    if len(x_shape) == 3:  # (N, T, D): a Time layer applies W to every step
        return (x_shape[-1], _OUT_FEATURES)
    return (math.prod(x_shape[1:]), _OUT_FEATURES)


def _input_for_weight(kind, w, x_shape):
    if kind == "conv" and w.ndim == 4:
        return (x_shape[0], w.shape[1], *x_shape[2:])
    if w.ndim == 2:
        return (*x_shape[:-1], w.shape[0]) if len(x_shape) == 3 else (x_shape[0], w.shape[0])
    return x_shape


def _array(name, shape, dtype, rng):
    if name.lower() == "gamma":
        return rng.uniform(0.5, 1.5, size=shape).astype(dtype)  # a scale: positive, away from 0
    return rng.standard_normal(shape).astype(dtype)


def _construct(cls, plan: Plan):
    try:
        return cls(**plan.kwargs)
    except (Exception, SystemExit) as exc:
        error = f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}"
        raise LearnerError("cli.construct_failed", cls=cls.__name__, error=error) from exc


def _forward_runs(layer, plan: Plan, dtype) -> bool:
    """Whether forward accepts inputs of this plan (used to choose between Affine and convolution)."""
    try:
        inputs = build_inputs(layer, plan, dtype, np.random.default_rng(0))
        call("forward", layer.forward, *inputs)
    except (Stop, LearnerError):
        return False
    return True


def build_inputs(layer: Any, plan: Plan, dtype: np.dtype, rng: np.random.Generator) -> list:
    """Random inputs for forward(x), forward(x, t) (a loss) or forward(x, y) (a node like MulLayer), or book 2's
    (``build_sequence``: an LSTM cell's (x, h, c), word ids, a Time loss's labels, attention's two inputs)."""
    cls = type(layer).__name__
    for method in ("forward", "backward"):
        if not callable(getattr(layer, method, None)):
            raise LearnerError("cli.no_method", cls=cls, method=method)
    found = build_transformer.inputs(layer, plan, dtype, rng)
    if found is not None:
        return found
    names = [n for n in _required_args(layer.forward) if n.lower() not in MODE_NAMES]
    x = _away_from_kinks(rng.standard_normal(plan.shape)).astype(dtype)
    if plan.kind == "pool":
        x = (rng.permutation(x.size).reshape(x.shape) * 0.01 - x.size * 0.005).astype(dtype)
    book2 = build_sequence.inputs(cls, names, plan, x, dtype, rng)
    if book2 is not None:
        return book2
    if len(names) <= 1:
        return [x]
    if len(names) == 2 and names[1].lower() in _LABEL_NAMES:
        return _loss_inputs(cls, x, rng)
    if len(names) == 2 and plan.hidden and names[1].lower().startswith("h"):  # an RNN cell's (x, h_prev)
        h = rng.standard_normal((plan.shape[0], plan.hidden)).astype(dtype)
        return [x, h]
    if len(names) == 2:
        return [x, _away_from_kinks(rng.standard_normal(plan.shape)).astype(dtype)]
    raise LearnerError("cli.forward_args", cls=cls, args=", ".join(names))


def _required_args(fn) -> list[str]:
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return ["x"]
    return [p.name for p in parameters if p.kind in kinds and p.default is p.empty]


def _away_from_kinks(x):
    """Values at least 0.05 from 0, where ReLU, LeakyReLU, ELU and step functions bend."""
    return np.where(x < 0, x - 0.05, x + 0.05)


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
    if "sigmoid" in name:  # 0/1 labels as integers: book 2's SigmoidWithLoss indexes with them
        return [x, rng.integers(0, 2, size=x.shape)]
    return [x, rng.standard_normal(x.shape).astype(x.dtype)]
