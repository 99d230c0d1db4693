"""Causes that know the Transformer's layers: a learner's LayerNorm, scaled dot-product attention and multi-head
attention (what a class is: ``learner_transformer.kind_of``).

Each guess is the layer's formula restated with one classic slip switched on (``transformer_math``), computed
from the learner's own inputs and arrays, and named only when backward's values come within ``CLOSE`` of it
(``guesses.named``) — and only after the restated forward, or one of its variants, gives what the learner's
forward gave (within ``_SAME``). What a layer leaves open is tried in turn: LayerNorm's ε (its ``eps`` attribute,
else the usual ones), the mask's convention, causality when no ``causal`` attribute says it, the number of heads
when no ``num_heads`` (``h``, ``n_heads`` …) attribute says it.

    forward   LayerNorm: σ² with ddof=1, eps outside the square root; attention: the softmax over the queries,
              1/√d_k missing (or 1/d_k, or 1/√d_model in a multi-head layer), the mask applied after the softmax,
              a causal mask that lets a position see the next one; multi-head: the heads split or joined in
              another order than torch's (``forward_cause``: the reference check's finding)
    backward  LayerNorm: dx without the mean terms (either or both), sums for means; attention: dq and dk
              swapped, dk = dS·q (no transpose), the 1/√d_k left out, the softmax's backward over the queries or
              skipped, dv = A·dout (no transpose); multi-head: djoined split or dQ, dK, dV joined without the
              transpose, dx missing a path (of Q, K, V); after a forward variant, the gradient its own
              forward's formula would have had (``tf.backward_after_variant``, ``tf.mha_heads_gradient``)
"""

from __future__ import annotations

from itertools import combinations, product
from typing import Any

import numpy as np

from bprop.gradcheck import learner_transformer as lt
from bprop.gradcheck import transformer_math as tm
from bprop.gradcheck.compare import rel
from bprop.gradcheck.diagnose import CLOSE
from bprop.gradcheck.guesses import named

__all__ = ["REFERENCE_NAMES", "FORMS", "specific", "forward_cause"]

_SAME = 1e-8  # how near a restated forward must come to the learner's to count as the same function
REFERENCE_NAMES = tuple(lt.REFERENCES.values())
# What a forward variant computes, in the messages' two languages
FORMS = {
    "ln_ddof1": ("σ² = Σ(x − μ)²/(D − 1)", "σ² = Σ(x − μ)²/(D − 1)"),
    "ln_eps_outside": ("x̂ = (x − μ)/(√σ² + eps)", "x̂ = (x − μ)/(√σ² + eps)"),
    "softmax_axis": ("A = softmax(S) over the queries (axis −2)", "クエリの軸（axis −2）での A = softmax(S)"),
    "no_scale": ("S = q·kᵀ, without 1/√d_k", "1/√d_k のない S = q·kᵀ"),
    "scale_not_sqrt": ("S = q·kᵀ/d_k", "S = q·kᵀ/d_k"),
    "scale_d_model": ("S = q·kᵀ/√d_model", "S = q·kᵀ/√d_model"),
    "mask_after_softmax": ("A = softmax(S), then the masked weights set to 0",
                           "A = softmax(S) のあとでマスク位置の重みを 0 にしたもの"),
    "causal_sees_next": ("a causal mask that lets position i see i + 1", "位置 i が i + 1 を見られる因果マスク"),
}
_MHA_VARIANTS = (*tm.ATTENTION_FORWARDS, "scale_d_model")
_PATHS = ("Q", "K", "V")


def specific(case: Any, target: str, a: np.ndarray, n: np.ndarray) -> tuple[str, dict] | None:
    """(key, params) naming a slip in gradient ``target`` of a learner's LayerNorm or attention layer, or None."""
    kind = lt.kind_of(type(case.lay)) if case.lay is not None else None
    if kind is None or case.inputs is None:
        return None
    try:
        with np.errstate(all="ignore"):
            return {"layernorm": _layernorm, "attention": _attention, "multihead": _multihead}[kind](case, target, a, n)
    except Exception:  # shapes other than the checker's, or arrays it cannot read: no guess
        return None


def _same(out, y) -> bool:
    return np.shape(out) == np.shape(y) and rel(out, y) <= _SAME


def _input(case, target):
    """i when ``target`` is d + the name of forward's input i, else None."""
    return next((i for i, name in enumerate(case.names or ()) if target == "d" + name), None)


def _role(case, target, roles):
    """The role ('gamma', 'W_q' …) of the parameter whose gradient is ``target``, or None."""
    from bprop.gradcheck import learner

    key = lt.key_of(case.params, target, learner.list_names(case.lay))
    return roles.get(key)


# --- LayerNorm --------------------------------------------------------------------------------------


def _ln_hit(x, y, gamma, beta, lay, variants):
    for eps in lt.eps_candidates(lay):
        for variant in variants:
            out, cache = tm.ln_forward(x, gamma, beta, eps, variant)
            if _same(out, y):
                return variant, cache
    return None


def _layernorm(case, target, a, n):
    found = lt.norm_weights(case.params, case.lay)
    if found is None or len(case.inputs) != 1:
        return None
    gamma, beta, roles = found
    which = 0 if _input(case, target) == 0 else {"gamma": 1, "beta": 2}.get(_role(case, target, roles))
    hit = _ln_hit(case.inputs[0], case.y, gamma, beta, case.lay, (None, *tm.LN_FORWARDS))
    if which is None or hit is None:
        return None
    variant, cache = hit
    right = tm.ln_backward(gamma, cache, case.dout)[which]
    if variant is not None:
        return _after(variant, "LayerNorm") if _explains(a, right, n) else None
    for slip in tm.LN_SLIPS:
        if named(a, tm.ln_backward(gamma, cache, case.dout, slip)[which], right):
            return "tf." + slip, {}
    return None


def _after(variant, layer):
    form_en, form_ja = FORMS[variant]
    return "tf.backward_after_variant", {"layer": layer, "form": {"en": form_en, "ja": form_ja}}


def _explains(a, guess, n) -> bool:
    """After a forward variant (known exactly): the guess comes ten times nearer backward's values than the
    numerical gradient does (LayerNorm's eps outside the root moves the gradient by about eps only)."""
    return np.shape(guess) == np.shape(a) and rel(a, guess) < min(CLOSE, rel(a, n) / 10)


# --- scaled dot-product attention -------------------------------------------------------------------


def _attention_hit(q, k, v, mask, y, lay, variants):
    for causal in lt.causal_options(lay):
        for m in lt.conventions(mask):
            for variant in variants:
                out, cache = tm.attention_forward(q, k, v, m, causal, variant)
                if _same(out, y):
                    return variant, cache
    return None


def _attention(case, target, a, n):
    floats, mask = lt.split_mask(case.inputs, case.lay)
    i = _input(case, target)
    if len(floats) not in (1, 3) or i is None or i >= len(floats):
        return None
    q, k, v = lt.streams(floats)
    hit = _attention_hit(q, k, v, mask, case.y, case.lay, (None, *tm.ATTENTION_FORWARDS))
    if hit is None:
        return None
    variant, cache = hit

    def pick(grads):
        return lt.input_grads(grads, len(floats))[i]

    if variant is not None:
        guesses = [tm.attention_backward(cache, case.dout),
                   tm.attention_backward(cache, case.dout, scale=1 / np.sqrt(q.shape[-1]))]
        return _after(variant, "attention") if any(_explains(a, pick(g), n) for g in guesses) else None
    right = pick(tm.attention_backward(cache, case.dout))
    for slip in tm.ATTENTION_SLIPS:
        if named(a, pick(tm.attention_backward(cache, case.dout, slip)), right):
            return "tf." + slip, {}
    return None


# --- multi-head attention ---------------------------------------------------------------------------


def _mha_forms():
    """(split, join, attention variant): the book's first, then the heads in other orders, then the variants."""
    right = ("heads", "heads", None)
    heads = [(s, j, None) for s, j in product(tm.HEAD_FORMS, tm.HEAD_FORMS) if (s, j) != ("heads", "heads")]
    return [right, *heads, *[("heads", "heads", v) for v in _MHA_VARIANTS]]


def _mha_hit(P, xs, mask, y, lay, forms):
    d = P[0].shape[0]
    own = lt.heads_of(lay)
    for h in [own] if own else [h for h in range(1, d + 1) if d % h == 0]:
        for causal in lt.causal_options(lay):
            for m in lt.conventions(mask):
                for form in forms:
                    out, cache = tm.mha_forward(P, xs, h, m, causal, *form)
                    if _same(out, y):
                        return form, cache
    return None


def _multihead(case, target, a, n):
    found = lt.mha_weights(case.params or lt.arrays_of(case.lay), case.lay)
    floats, mask = lt.split_mask(case.inputs, case.lay)
    if found is None or not 1 <= len(floats) <= 3:
        return None
    P, roles = found
    i, role = _input(case, target), _role(case, target, roles)
    if (i is None or i >= len(floats)) and role is None:
        return None
    hit = _mha_hit(P, lt.streams(floats), mask, case.y, case.lay, _mha_forms())
    if hit is None:
        return None
    form, cache = hit

    def pick(result):
        dxs, grads = result
        return lt.input_grads(dxs, len(floats))[i] if role is None else grads[lt.ROLES.index(role)]

    if form[2] is not None:
        guesses = [tm.mha_backward(P, cache, case.dout),
                   tm.mha_backward(P, cache, case.dout, scale=1 / np.sqrt(P[0].shape[1] // cache[3]))]
        return _after(form[2], "multi-head attention") if any(_explains(a, pick(g), n) for g in guesses) else None
    if form[:2] != ("heads", "heads"):
        guesses = [tm.mha_backward(P, cache, case.dout, forms=f) for f in product(tm.HEAD_FORMS, tm.HEAD_FORMS)]
        return ("tf.mha_heads_gradient", {}) if any(_explains(a, pick(g), n) for g in guesses) else None
    right = pick(tm.mha_backward(P, cache, case.dout))
    for slip in (*tm.MHA_SLIPS, *tm.ATTENTION_SLIPS):
        if named(a, pick(tm.mha_backward(P, cache, case.dout, slip)), right):
            return "tf." + slip, {}
    if role is None and len(floats) < 3:
        return _paths(case, a, right, tm.mha_backward(P, cache, case.dout)[0], len(floats), i)
    return None


def _paths(case, a, right, dxs, count, i):
    """dx of a self-attention (or dmemory of a cross-attention) that sums only some of its paths."""
    own = range(3) if count == 1 else range(1, 3) if i == 1 else range(0)
    for size in (1, 2):
        for kept in combinations(own, size):
            if len(kept) < len(own) and named(a, sum(dxs[j] for j in kept), right):
                return "tf.mha_dx_paths", {"kept": ", ".join(_PATHS[j] for j in kept),
                                           "missing": ", ".join(_PATHS[j] for j in own if j not in kept)}
    return None


# --- forward ------------------------------------------------------------------------------------------


def forward_cause(ref: str, inputs: list, y: Any, lay: Any) -> tuple[str, dict] | None:
    """(key, params) for why a learner's forward differs from bprop's ``ref`` layer, or None."""
    kind = next((k for k, name in lt.REFERENCES.items() if name == ref), None)
    if kind is None or lt.kind_of(type(lay)) != kind:
        return None
    try:
        with np.errstate(all="ignore"):
            return _forward(kind, inputs, y, lay)
    except Exception:  # shapes other than the checker's: no guess
        return None


def _forward(kind, inputs, y, lay):
    params = lt.arrays_of(lay)
    if kind == "layernorm":
        found = lt.norm_weights(params, lay)
        hit = None if found is None else _ln_hit(inputs[0], y, found[0], found[1], lay, tm.LN_FORWARDS)
        return None if hit is None else ("tf." + hit[0], {})
    floats, mask = lt.split_mask(inputs, lay)
    if kind == "attention":
        hit = _attention_hit(*lt.streams(floats), mask, y, lay, tm.ATTENTION_FORWARDS)
        return None if hit is None else ("tf." + hit[0], {})
    found = lt.mha_weights(params, lay)
    hit = None if found is None else _mha_hit(found[0], lt.streams(floats), mask, y, lay, _mha_forms()[1:])
    if hit is None:
        return None
    split, join, variant = hit[0]
    if variant is not None:
        return "tf." + variant, {}
    key = "tf.mha_split_order" if join == "heads" else "tf.mha_join_order" if split == "heads" else \
        "tf.mha_heads_order"
    return key, {"split": _SPLIT_TEXT[split], "join": _JOIN_TEXT[join]}


_SPLIT_TEXT = {"heads": "reshape(N, T, h, d_k).transpose(0, 2, 1, 3)", "no_transpose": "reshape(N, h, T, d_k)",
               "interleaved": "reshape(N, T, d_k, h).transpose(0, 3, 1, 2)"}
_JOIN_TEXT = {"heads": "transpose(0, 2, 1, 3).reshape(N, T, d_model)", "no_transpose": "reshape(N, T, d_model)",
              "interleaved": "transpose(0, 2, 3, 1).reshape(N, T, d_model)"}
