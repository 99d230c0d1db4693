"""Building a learner's LayerNorm, attention and multi-head classes, and inputs that fit them: ``build`` asks here
first (what a class is: ``learner_transformer.kind_of``).

    LayerNorm           (gamma, beta) of shape (D,), or a dimension D (d_model, dim, normalized_shape …);
                        x (N, T, D) = (2, 3, 4); once more with eps = 0.1 when the constructor takes eps, where
                        √(σ² + eps) and √σ² + eps part far enough to tell
    attention           causal=True when the constructor takes it, its mask when it takes one; q, k (2, 4, 3) and
                        v (2, 4, 2), or x (2, 4, 3) for forward(x); a mask (4, 4) as forward's last argument when
                        forward takes one
    multi-head          (d_model, num_heads) = (8, 2), or the weights W_q, b_q … themselves; causal=True for
                        forward(x); x (2, 4, 8), memory (2, 5, 8) for forward(x, memory), q, k, v (2, 4, 8) each

The mask is boolean, True = may attend, with keys hidden in every row and two or more kept under either reading
of True (``attention_mask``): a learner who reads True as "masked" is checked under that reading. Weights are
drawn at scale 1/√d_model, the learner's own too when its constructor draws them (a 0.01·randn makes attention
uniform and hides what the checks look for); biases at 0.1, gamma in [0.5, 1.5]. ``params`` (from --param) wins
over all of it.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from bprop.gradcheck import learner_transformer as lt
from bprop.gradcheck.learner import LearnerError

__all__ = ["KINDS", "plan", "redraw", "inputs", "more_plans", "attention_mask"]

KINDS = ("layernorm", "attention", "multihead")
_LN_SHAPE = (2, 3, 4)
_ATTENTION_SHAPE, _D_V = (2, 4, 3), 2
_D_MODEL, _HEADS, _T = 8, 2, 4
_DROPOUT = ("dropout", "dropout_ratio", "dropout_rate", "dropout_p", "attn_dropout", "p", "ratio", "rate")
_D_K = ("d_k", "dk", "d_head", "head_dim", "head_size")
_GAMMA, _BETA = lt.NORM_NAMES[:5], lt.NORM_NAMES[5:]


def _parameters(cls):
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    try:
        return [p for p in inspect.signature(cls).parameters.values() if p.kind in kinds]
    except (TypeError, ValueError):
        return []


def _arity(cls) -> int:
    required, _ = lt.forward_args(cls)
    return len(required) - (bool(required) and required[-1].lower() in lt.MASK_NAMES)


def attention_mask(T_q: int, T_k: int) -> np.ndarray:
    """(T_q, T_k) booleans, True = may attend: keys i − 1 and i + 2 (mod T_k) hidden from query i. Every row keeps
    two keys or more under either reading of True, a causal mask keeps key 0 for query 0, and the next position,
    i + 1, stays visible for a causal mask's slip to show."""
    mask = np.ones((T_q, T_k), dtype=bool)
    rows = np.arange(T_q)
    mask[rows, (rows - 1) % T_k] = mask[rows, (rows + 2) % T_k] = False
    return mask


def _given(params, names, default):
    return next((params[n] for n in params if n.lower() in names and isinstance(params[n], int)), default)


def plan(cls: type, shape: tuple[int, ...] | None, params: dict, dtype: np.dtype,
         rng: np.random.Generator) -> Any:
    """(kind, constructor kwargs, x's shape) for a class of ``KINDS``, or None for any other."""
    kind = lt.kind_of(cls)
    if kind is None:
        return None
    if kind == "layernorm":
        x_shape = tuple(shape) if shape else _LN_SHAPE
        d = h = x_shape[-1]
    elif kind == "attention":
        x_shape = tuple(shape) if shape else _ATTENTION_SHAPE
        d, h = x_shape[-1], 1
    else:
        d = shape[-1] if shape else _given(params, lt.DIM_NAMES, _D_MODEL)
        h = _given(params, lt.HEAD_NAMES, _HEADS)
        x_shape = tuple(shape) if shape else (2, _T, d)
    cross = kind == "multihead" and _arity(cls) == 2
    kwargs = {}
    for p in _parameters(cls):
        name, low = p.name, p.name.lower()
        role = lt.ARRAY_ROLE.fullmatch(name)
        if name in params:
            value = params[name]
            kwargs[name] = _array(name, value, dtype, rng, d) if isinstance(value, tuple) else value
        elif kind == "layernorm" and low in _GAMMA + _BETA:
            kwargs[name] = _vector(low in _GAMMA, d, dtype, rng)
        elif kind == "multihead" and role:
            kwargs[name] = _array(name, (d, d) if role.group(1).lower() in ("w", "weight") else (d,), dtype, rng, d)
        elif low in lt.DIM_NAMES:
            kwargs[name] = d
        elif low in lt.HEAD_NAMES and kind == "multihead":
            kwargs[name] = h
        elif low in _D_K and kind != "layernorm":
            kwargs[name] = d // h
        elif low in lt.CAUSAL_NAMES and kind != "layernorm":
            kwargs[name] = not cross
        elif low in lt.MASK_NAMES and kind != "layernorm":
            kwargs[name] = attention_mask(x_shape[-2], x_shape[-2] + cross)
        elif low in _DROPOUT:
            kwargs[name] = 0.0
        elif p.default is not p.empty:
            continue
        elif low in ("eps", "epsilon"):
            kwargs[name] = 1e-5
        elif low == "seed":
            kwargs[name] = 0
        elif low == "rng":
            kwargs[name] = np.random.default_rng(0)
        else:
            raise LearnerError("cli.unknown_arg", cls=cls.__name__, arg=name)
    for name, value in params.items():
        kwargs.setdefault(name, value)
    return kind, kwargs, x_shape


def _vector(gamma, d, dtype, rng):
    return (rng.uniform(0.5, 1.5, d) if gamma else rng.standard_normal(d)).astype(dtype)


def _array(name, shape, dtype, rng, d):
    if name.lower() in _GAMMA[:1]:
        return rng.uniform(0.5, 1.5, shape).astype(dtype)
    scale = 1 / np.sqrt(d) if len(shape) == 2 else 0.1
    return (rng.standard_normal(shape) * scale).astype(dtype)


def redraw(layer: Any, kind: str, kwargs: dict, rng: np.random.Generator) -> None:
    """Weights the learner's constructor drew or set itself (nothing of ours passed): drawn again, in place, at
    the scales of the module's docstring."""
    if any(isinstance(v, np.ndarray) and v.dtype.kind == "f" for v in kwargs.values()) or kind == "attention":
        return
    found = lt.arrays_of(layer)
    if kind == "layernorm":
        weights = lt.norm_weights(found, layer)
        roles = {} if weights is None else weights[2]
    else:
        weights = lt.mha_weights(found, layer)
        roles = {} if weights is None else weights[1]
    for key, role in roles.items():
        array = found[key]
        if role == "gamma":
            array[...] = rng.uniform(0.5, 1.5, array.shape)
        else:
            array[...] = rng.standard_normal(array.shape) * (1 / np.sqrt(array.shape[0]) if array.ndim == 2 else 0.1)


def inputs(layer: Any, plan: Any, dtype: np.dtype, rng: np.random.Generator) -> list | None:
    """forward's inputs for a layer of ``KINDS`` (``plan.kind``), or None."""
    if plan.kind not in KINDS:
        return None
    cls = type(layer)
    required, optional = lt.forward_args(cls)
    arity = _arity(cls)
    N, T, d = plan.shape if len(plan.shape) == 3 else (plan.shape[0], 1, plan.shape[-1])

    def draw(*shape):
        return rng.standard_normal(shape).astype(dtype)

    if plan.kind == "layernorm":
        return [draw(*plan.shape)]
    if plan.kind == "attention":
        xs = [draw(N, T, d)] if arity == 1 else [draw(N, T, d), draw(N, T, d), draw(N, T, _D_V)]
    else:
        xs = {1: lambda: [draw(N, T, d)], 2: lambda: [draw(N, T, d), draw(N, T + 1, d)]}.get(
            arity, lambda: [draw(N, T, d) for _ in range(3)])()
    own = any(k.lower() in lt.MASK_NAMES for k in plan.kwargs)
    if len(required) > arity or (optional and not own):
        xs.append(attention_mask(T, xs[1].shape[1] if len(xs) > 1 else T))
    return xs


def more_plans(cls: type, plan: Any, shape: tuple[int, ...] | None, params: dict) -> list | None:
    """The runs after the first, as (label, shape, params): for a LayerNorm taking eps, eps = 0.1 (unless
    --param set it); None for a class not of ``KINDS``."""
    if plan.kind not in KINDS:
        return None
    eps = next((p.name for p in _parameters(cls) if p.name.lower() in ("eps", "epsilon")), None)
    if plan.kind != "layernorm" or eps is None or eps in params:
        return []
    return [("eps = 0.1", plan.shape, {**params, eps: 0.1})]
