"""Reading a learner's LayerNorm, attention and multi-head attention classes: what a class is, its arrays by role,
its heads, mask and causality, and the bprop layer its forward is compared with (``reference``).

What a class is comes from its name and its forward's arguments (``kind_of``):

    'layernorm'  LayerNorm, LayerNormalization, MyLayerNorm …, forward(x)
    'attention'  ScaledDotProductAttention, SelfAttention, Attention … with forward(q, k, v) or forward(x)
                 (q = k = v = x), a mask maybe as forward's last argument, and no weights
    'multihead'  MultiHeadAttention, CausalSelfAttention, MHA …, or an attention class with weights or a
                 d_model: forward(x), forward(x, memory) or forward(q, k, v)

(book 2's Attention and TimeAttention take two inputs, (hs, h): they stay book 2's). A multi-head layer's arrays are
found by name (W_q, Wq, w_q, b_q …) or, in a ``params`` list, by order: the matrices are W_q, W_k, W_v, W_o and the
vectors b_q, b_k, b_v, b_o, as the list holds them; a layer without biases gets zeros. A mask is boolean, True =
may attend; a learner who reads True as "masked" is compared under ~mask (``conventions``: the one its forward
comes nearer).
"""

from __future__ import annotations

import copy
import inspect
import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

__all__ = ["kind_of", "forward_args", "REFERENCES", "norm_weights", "mha_weights", "heads_of", "causal_options",
           "split_mask", "streams", "arrays_of", "input_grads", "conventions", "eps_candidates", "list_names",
           "key_of", "reference"]

MODE_NAMES = ("train_flg", "train", "training", "is_train", "is_training", "train_mode")
MASK_NAMES = ("mask", "attn_mask", "attention_mask", "key_padding_mask", "padding_mask")
HEAD_NAMES = ("num_heads", "n_heads", "heads", "h", "n_head", "nhead", "head_num", "num_head", "head")
DIM_NAMES = ("d_model", "embed_dim", "dim", "d", "hidden_size", "n_embd", "model_dim", "d_embed", "features",
             "num_features", "n_features", "normalized_shape", "size", "hidden")
CAUSAL_NAMES = ("causal", "is_causal")
NORM_NAMES = ("gamma", "g", "weight", "scale", "w", "beta", "b", "bias", "shift")  # γ's names, then β's
REFERENCES = {"layernorm": "LayerNorm", "attention": "ScaledDotProductAttention", "multihead": "MultiHeadAttention"}
ROLES = ("W_q", "b_q", "W_k", "b_k", "W_v", "b_v", "W_o", "b_o")
_LN = re.compile(r"(?:my|simple|naive)?(?:layernorm(?:alization)?|ln)(?:layer)?\d*")
_MHA = re.compile(r".*(?:multihead|mha).*")
_ATTENTION = re.compile(r".*(?:attention|sdpa).*")
ARRAY_ROLE = re.compile(r"(w|b|weight|bias)_?(q|k|v|o)(?:uery|ey|alue|ut|utput)?", re.IGNORECASE)
_EPS = (1e-5, 1e-6, 1e-7, 1e-8, 1e-12, 1e-3, 1e-9, 1e-10, 1e-4)


def _arguments(fn, required=True) -> list[str]:
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    try:
        parameters = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return []
    return [p.name for p in parameters if p.kind in kinds and (p.default is p.empty or not required)
            and p.name != "self" and p.name.lower() not in MODE_NAMES]


def forward_args(cls: type) -> tuple[list[str], str | None]:
    """(forward's required arguments, the name of an optional mask argument after them or None)."""
    forward = getattr(cls, "forward", None)
    required = _arguments(forward)
    optional = [n for n in _arguments(forward, required=False) if n not in required]
    return required, next((n for n in optional if n.lower() in MASK_NAMES), None)


def kind_of(cls: type) -> str | None:
    """'layernorm', 'attention', 'multihead' or None (see the module's docstring)."""
    cls = cls if inspect.isclass(cls) else type(cls)
    name = cls.__name__.lower().replace("_", "")
    required, _ = forward_args(cls)
    ctor = [a.lower() for a in _arguments(cls, required=False)]
    if _LN.fullmatch(name):
        return "layernorm" if len(required) == 1 else None
    weights = any(ARRAY_ROLE.fullmatch(a) for a in ctor) or any(a in HEAD_NAMES + DIM_NAMES for a in ctor)
    if _MHA.fullmatch(name) and 1 <= len(required) <= 3:
        return "multihead"
    if _ATTENTION.fullmatch(name):
        arity = len(required) - (bool(required) and required[-1].lower() in MASK_NAMES)
        if weights and arity in (1, 2, 3):
            return "multihead"
        if arity in (1, 3) and not ("timeattention" in name or "attentionweight" in name):
            return "attention"
    return None


# --- the arrays, by role ------------------------------------------------------------------------------


def _ordered(params: dict):
    """params' entries in their order (a list's by position, a dict's or the attributes' as found)."""
    return sorted(params.items(), key=lambda kv: kv[0]) if all(isinstance(k, int) for k in params) else \
        list(params.items())


def _names(lay, params) -> dict:
    """Each params key → a name for it: its own, or the attribute of ``lay`` holding the same array."""
    attrs = {id(v): n for n, v in getattr(lay, "__dict__", {}).items() if isinstance(v, np.ndarray)}
    return {k: (k if isinstance(k, str) else attrs.get(id(v), "")) for k, v in params.items()}


def arrays_of(lay: Any) -> dict:
    """The layer's float arrays: its ``params`` list (by position) or dict, else its attributes named as weights
    (W_q, b_o, gamma, beta …)."""
    params = getattr(lay, "params", None)
    found = dict(enumerate(params)) if isinstance(params, list) else dict(params) if isinstance(params, dict) else {}
    found = {k: v for k, v in found.items() if isinstance(v, np.ndarray) and v.dtype.kind == "f"}
    if found:
        return found
    return {n: v for n, v in getattr(lay, "__dict__", {}).items() if isinstance(v, np.ndarray) and v.dtype.kind == "f"
            and (ARRAY_ROLE.fullmatch(n) or n.lower() in NORM_NAMES)}


def norm_weights(params: dict, lay: Any = None) -> tuple | None:
    """(gamma, beta, {key: 'gamma' | 'beta'}) of a LayerNorm, or None."""
    named = _names(lay, params)
    found: dict[str, str] = {}
    for k, v in _ordered(params):
        low = named[k].lower()
        role = "gamma" if low in NORM_NAMES[:5] else "beta" if low in NORM_NAMES[5:] else None
        if role is not None and np.ndim(v) == 1:
            found.setdefault(role, k)
    if len(found) < 2:
        vectors = [k for k, v in _ordered(params) if np.ndim(v) == 1]
        if len(vectors) != 2:
            return None
        found = {"gamma": vectors[0], "beta": vectors[1]}
    return params[found["gamma"]], params[found["beta"]], {k: r for r, k in found.items()}


def mha_weights(params: dict, lay: Any = None) -> tuple | None:
    """([W_q, b_q, W_k, b_k, W_v, b_v, W_o, b_o], {key: role}) of a multi-head layer (zeros for missing
    biases), or None."""
    named = _names(lay, params)
    roles: dict[str, str] = {}
    for k, _ in _ordered(params):
        found = ARRAY_ROLE.fullmatch(named[k])
        if found:
            roles.setdefault(("W" if found.group(1).lower() in ("w", "weight") else "b") + "_" +
                             found.group(2).lower(), k)
    if not all(f"W_{p}" in roles for p in "qkvo"):
        matrices = [k for k, v in _ordered(params) if np.ndim(v) == 2]
        vectors = [k for k, v in _ordered(params) if np.ndim(v) == 1]
        if len(matrices) != 4 or len(vectors) not in (0, 4):
            return None
        roles = dict(zip(("W_q", "W_k", "W_v", "W_o"), matrices)) | dict(zip(("b_q", "b_k", "b_v", "b_o"), vectors))
    W = params[roles["W_q"]]
    P = [params[roles[r]] if r in roles else np.zeros(params[roles["W_" + r[2]]].shape[1]) for r in ROLES]
    if W.ndim != 2 or any(np.ndim(p) != (2 if r[0] == "W" else 1) for p, r in zip(P, ROLES)):
        return None
    return P, {k: r for r, k in roles.items()}


def list_names(layer: Any) -> tuple[str, ...] | None:
    """The roles of a LayerNorm's or a multi-head layer's ``params`` list, in its order (gamma, beta; W_q …), or
    None: the report then says dW_q rather than grads[0]."""
    params, kind = getattr(layer, "params", None), kind_of(type(layer))
    if not isinstance(params, list) or kind not in ("layernorm", "multihead"):
        return None
    arrays = {i: v for i, v in enumerate(params) if isinstance(v, np.ndarray)}
    found = norm_weights(arrays, layer) if kind == "layernorm" else mha_weights(arrays, layer)
    roles = None if found is None else found[-1]
    return tuple(roles[i] for i in sorted(roles)) if roles is not None and len(roles) == len(arrays) else None


def key_of(params: dict, target: str, names: dict[int, str] | None = None) -> Any:
    """The params key whose gradient the report calls ``target`` (dW_q, grads[3] …), or None."""
    for k in params:
        labels = {f"grads[{k}]", "d" + (names or {}).get(k, "")} if isinstance(k, int) else {"d" + k}
        if target in labels:
            return k
    return None


def heads_of(lay: Any) -> int | None:
    for name in HEAD_NAMES:
        value = getattr(lay, name, None)
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value > 0:
            return int(value)
    return None


def causal_options(lay: Any) -> list[bool]:
    """Whether the layer is causal, from its ``causal`` (``is_causal``) attribute; both when it has none."""
    for name in CAUSAL_NAMES:
        value = getattr(lay, name, None)
        if isinstance(value, (bool, np.bool_)):
            return [bool(value)]
    return [False, True]


def split_mask(inputs: Iterable[np.ndarray], lay: Any = None) -> tuple[list[np.ndarray], np.ndarray | None]:
    """(the float inputs, the mask): a boolean last input, else the layer's own ``mask`` attribute, else None."""
    inputs = list(inputs)
    if inputs and np.asarray(inputs[-1]).dtype == bool:
        return inputs[:-1], np.asarray(inputs[-1])
    own = next((getattr(lay, n) for n in MASK_NAMES if isinstance(getattr(lay, n, None), np.ndarray)), None)
    return inputs, None if own is None else own.astype(bool)


def streams(inputs: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x_q, x_k, x_v) of forward's float inputs: (x) → (x, x, x), (x, memory) → (x, memory, memory)."""
    if len(inputs) == 1:
        return inputs[0], inputs[0], inputs[0]
    if len(inputs) == 2:
        return inputs[0], inputs[1], inputs[1]
    return inputs[0], inputs[1], inputs[2]


def input_grads(grads: Sequence[Any], count: int) -> list:
    """The gradients of forward's ``count`` float inputs from those of (x_q, x_k, x_v)."""
    dq, dk, dv = grads
    return [dq + dk + dv] if count == 1 else [dq, dk + dv] if count == 2 else [dq, dk, dv]


def conventions(mask: np.ndarray | None) -> list:
    """The masks to try: None, or the mask read as True = may attend and as True = masked."""
    return [None] if mask is None else [mask, ~mask]


def eps_candidates(lay: Any) -> tuple[float, ...]:
    own = next((getattr(lay, n) for n in ("eps", "epsilon") if isinstance(getattr(lay, n, None), (int, float))
                and not isinstance(getattr(lay, n), bool)), None)
    return (float(own),) if own is not None else _EPS


# --- the reference ------------------------------------------------------------------------------------


class _Nearest:
    """bprop's layer computed for each reading of what the learner's layer left open (its ε, the mask's
    convention, the number of heads when no attribute says it), and the one nearest the learner's own forward
    returned: the comparison then says how far the learner is from the nearest right answer."""

    def __init__(self, lay, candidates):
        self.lay, self.candidates = lay, candidates

    def forward(self, *inputs):
        outs = [np.asarray(f([np.array(a) for a in inputs]), dtype=np.float64) for f in self.candidates]
        if len(outs) == 1:
            return outs[0]
        try:
            mine = np.asarray(copy.deepcopy(self.lay).forward(*[np.array(a) for a in inputs]), dtype=np.float64)
        except Exception:  # the learner's forward failed: the first reading is as good as any
            return outs[0]
        return min(outs, key=lambda o: float(np.max(np.abs(o - mine))) if o.shape == mine.shape else np.inf)


def _mha_run(P, h, causal, m, floats):
    from bprop.layers import MultiHeadAttention
    from bprop.layers.multihead import affine

    d = P[0].shape[0]
    layer = MultiHeadAttention(d, h, causal=causal)
    for role, array in zip(ROLES, P):
        getattr(layer, role)[...] = array
    if len(floats) <= 2:
        return layer.forward(*floats, mask=m)
    Q, K, V = (layer._heads(affine(x, W, b)) for x, W, b in zip(floats, P[0:6:2], P[1:6:2]))
    return affine(layer._joined(layer.attention.forward(Q, K, V, mask=m)), P[6], P[7])


def reference(layer: Any, lay: Any, x: np.ndarray) -> tuple[str, Any, float] | None:
    """(name, reference layer, tolerance) for a learner's LayerNorm, attention or multi-head class, or None."""
    kind, params = kind_of(type(layer)), arrays_of(lay)
    if kind == "layernorm":
        found = norm_weights(params, lay)
        if found is None or np.ndim(x) < 1 or np.shape(x)[-1] != np.size(found[0]):
            return None
        from bprop.layers import LayerNorm

        gamma, beta = (np.array(v, dtype=np.float64) for v in found[:2])
        runs = [lambda xs, e=e: LayerNorm(gamma.copy(), beta.copy(), eps=e).forward(xs[0])
                for e in eps_candidates(lay)]
        return REFERENCES[kind], _Nearest(lay, runs), 1e-5
    if kind == "attention":
        return REFERENCES[kind], _Masked(lay, None), 1e-5
    if kind == "multihead":
        found = mha_weights(params, lay)
        if found is None:
            return None
        P = [np.array(p, dtype=np.float64) for p in found[0]]
        d = P[0].shape[0]
        own = heads_of(lay)
        heads = [own] if own else [h for h in range(1, d + 1) if d % h == 0]
        return REFERENCES[kind], _Masked(lay, (P, heads)), 1e-5
    return None


class _Masked(_Nearest):
    """The attention references: the candidates depend on the inputs (a mask among them, or none)."""

    def __init__(self, lay, mha):
        super().__init__(lay, [])
        self.mha = mha

    def forward(self, *inputs):
        masks, causal = conventions(split_mask(inputs, self.lay)[1]), causal_options(self.lay)
        if self.mha is None:
            from bprop.layers import ScaledDotProductAttention

            self.candidates = [lambda xs, m=m, c=c: ScaledDotProductAttention(causal=c).forward(
                *streams(split_mask(xs, self.lay)[0]), mask=m) for c in causal for m in masks]
        else:
            P, heads = self.mha
            self.candidates = [lambda xs, m=m, h=h, c=c: _mha_run(P, h, c, m, split_mask(xs, self.lay)[0])
                               for h in heads for c in causal for m in masks]
        return super().forward(*inputs)
