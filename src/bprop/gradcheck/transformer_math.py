"""The Transformer's layers written out once more, with the classic slips as switches: what ``causes_transformer``
compares a learner's numbers with (the formulas of ``bprop.layers.norm.LayerNorm`` and ``bprop.layers.multihead``,
whose docstrings derive them), in float64:

    LayerNorm   x̂ = (x − μ)/√(σ² + eps), y = γ·x̂ + β over the last axis;
                dx = (g − mean(g) − x̂·mean(g·x̂))/√(σ² + eps) with g = dout·γ; dγ = Σ dout·x̂; dβ = Σ dout
    attention   S = s·q·kᵀ (s = 1/√d_k), A = softmax(S) over the keys with masked pairs 0, out = A·v;
                dv = Aᵀ·dout, dA = dout·vᵀ, dS = A⊙(dA − Σ_keys A⊙dA), dq = s·dS·k, dk = s·dSᵀ·q
    multi-head  Q = x_q·W_q + b_q, K = x_k·W_k + b_k, V = x_v·W_v + b_v, each split into h heads
                (N, T, d) → (N, T, h, d_k) → (N, h, T, d_k); the heads attend; joined back (the inverse) and
                out = joined·W_o + b_o; backward runs the same steps in reverse

A *variant* is another forward a learner writes (``LN_FORWARDS``, ``ATTENTION_FORWARDS``, a split or join of the
heads other than ``"heads"``); a *slip* is a backward that leaves something out or puts it elsewhere
(``LN_SLIPS``, ``ATTENTION_SLIPS``, ``MHA_SLIPS``). A mask here is boolean, True = may attend. Nothing here holds
state.

>>> a = np.arange(16.0).reshape(1, 2, 8)
>>> all(np.array_equal(join(split(a, 2, form), form), a) for form in HEAD_FORMS)
True
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["LN_FORWARDS", "LN_SLIPS", "ATTENTION_FORWARDS", "ATTENTION_SLIPS", "MHA_SLIPS", "HEAD_FORMS",
           "ln_forward", "ln_backward", "allowed", "attention_forward", "attention_backward", "split", "join",
           "mha_forward", "mha_backward"]

LN_FORWARDS = ("ln_ddof1", "ln_eps_outside")
LN_SLIPS = ("ln_no_mean_terms", "ln_no_dmu", "ln_no_dvar", "ln_sum_not_mean")
ATTENTION_FORWARDS = ("softmax_axis", "no_scale", "scale_not_sqrt", "mask_after_softmax", "causal_sees_next")
ATTENTION_SLIPS = ("dq_dk_swapped", "dk_no_transpose", "backward_no_scale", "softmax_grad_axis", "no_softmax_grad",
                   "dv_no_transpose")
MHA_SLIPS = ("mha_backward_split", "mha_backward_join")
# How (N, T, d) becomes (N, h, T, d_k): "heads" is torch's and bprop's (head i: columns i·d_k … (i+1)·d_k − 1)
HEAD_FORMS = ("heads", "no_transpose", "interleaved")


# --- LayerNorm --------------------------------------------------------------------------------------


def ln_forward(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float,
               variant: str | None = None) -> tuple[np.ndarray, tuple]:
    """(y, cache) of LayerNorm over the last axis; ``variant`` "ln_ddof1" (σ² over D − 1) or "ln_eps_outside"
    (√σ² + eps)."""
    xc = x - x.mean(axis=-1, keepdims=True)
    var = np.sum(xc * xc, axis=-1, keepdims=True) / (x.shape[-1] - (variant == "ln_ddof1"))
    std = np.sqrt(var) + eps if variant == "ln_eps_outside" else np.sqrt(var + eps)
    xn = xc / std
    return gamma * xn + beta, (xn, std)


def ln_backward(gamma: np.ndarray, cache: tuple, dout: np.ndarray,
                slip: str | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dx, dgamma, dbeta) of LayerNorm from the cache of ``ln_forward``, with one of ``LN_SLIPS``."""
    xn, std = cache
    rows = tuple(range(dout.ndim - 1))
    g = dout * gamma

    def mean(a):
        return a.sum(axis=-1, keepdims=True) if slip == "ln_sum_not_mean" else a.mean(axis=-1, keepdims=True)

    dmu = 0.0 if slip in ("ln_no_mean_terms", "ln_no_dmu") else mean(g)
    dvar = 0.0 if slip in ("ln_no_mean_terms", "ln_no_dvar") else xn * mean(g * xn)
    return (g - dmu - dvar) / std, np.sum(dout * xn, axis=rows), np.sum(dout, axis=rows)


# --- scaled dot-product attention -------------------------------------------------------------------


def _t(a):
    return np.swapaxes(a, -1, -2)


def _softmax(s, axis):
    """Softmax along ``axis`` where −inf is a masked entry; a line of them all gives zeros."""
    top = np.max(s, axis=axis, keepdims=True)
    e = np.exp(s - np.where(np.isfinite(top), top, 0.0))
    total = e.sum(axis=axis, keepdims=True)
    return e / np.where(total > 0, total, 1.0)


def allowed(T_q: int, T_k: int, mask: np.ndarray | None, causal: bool, variant: str | None = None) -> np.ndarray | None:
    """The pairs that may attend (…, T_q, T_k), or None for all: ``mask`` and, when ``causal``, j ≤ i
    (j ≤ i + 1 for the variant "causal_sees_next")."""
    if not causal:
        return mask
    tri = np.tri(T_q, T_k, k=1 if variant == "causal_sees_next" else 0, dtype=bool)
    return tri if mask is None else mask & tri


def attention_forward(q: np.ndarray, k: np.ndarray, v: np.ndarray, mask: np.ndarray | None = None, causal: bool = False,
                      variant: str | None = None, scale: float | None = None) -> tuple[np.ndarray, tuple]:
    """(out, cache) of softmax(s·q·kᵀ)·v; ``variant`` one of ``ATTENTION_FORWARDS`` or "scale_d_model" (with
    ``scale`` the factor it uses)."""
    d_k = q.shape[-1]
    s = {"no_scale": 1.0, "scale_not_sqrt": 1.0 / d_k}.get(variant or "", 1.0 / np.sqrt(d_k))
    s = scale if scale is not None else s
    S = s * (q @ _t(k))
    m = allowed(q.shape[-2], k.shape[-2], mask, causal, variant)
    if m is not None and variant != "mask_after_softmax":
        S = np.where(m, S, -np.inf)
    A = _softmax(S, -2 if variant == "softmax_axis" else -1)
    if m is not None and variant == "mask_after_softmax":
        A = np.where(m, A, 0.0)
    return A @ v, (q, k, v, A, s)


def attention_backward(cache: tuple, dout: np.ndarray, slip: str | None = None,
                       scale: float | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dq, dk, dv) from the cache of ``attention_forward`` (the softmax's backward over the keys, whatever
    forward did), with one of ``ATTENTION_SLIPS``; ``scale`` replaces the cache's factor."""
    q, k, v, A, s = cache
    s = s if scale is None else scale
    dv = (A if slip == "dv_no_transpose" else _t(A)) @ dout
    dA = dout @ _t(v)
    if slip == "no_softmax_grad":
        dS = dA
    else:
        dS = A * (dA - np.sum(A * dA, axis=-2 if slip == "softmax_grad_axis" else -1, keepdims=True))
    f = 1.0 if slip == "backward_no_scale" else s
    dq = f * (dS @ k)
    dk = f * ((dS if slip == "dk_no_transpose" else _t(dS)) @ q)
    return (dk, dq, dv) if slip == "dq_dk_swapped" else (dq, dk, dv)


# --- multi-head attention ---------------------------------------------------------------------------


def split(a: np.ndarray, h: int, form: str = "heads") -> np.ndarray:
    """(N, T, d) → (N, h, T, d_k) in ``form``: "heads" (reshape (N, T, h, d_k), then the transpose),
    "no_transpose" (reshape (N, h, T, d_k) at once), "interleaved" (head i: columns i, i + h, …)."""
    N, T, d = a.shape
    if form == "no_transpose":
        return a.reshape(N, h, T, d // h)
    if form == "interleaved":
        return a.reshape(N, T, d // h, h).transpose(0, 3, 1, 2)
    return a.reshape(N, T, h, d // h).transpose(0, 2, 1, 3)


def join(a: np.ndarray, form: str = "heads") -> np.ndarray:
    """(N, h, T, d_k) → (N, T, d): the inverse of ``split`` in the same ``form``."""
    N, h, T, d_k = a.shape
    if form == "no_transpose":
        return a.reshape(N, T, h * d_k)
    if form == "interleaved":
        return a.transpose(0, 2, 3, 1).reshape(N, T, h * d_k)
    return a.transpose(0, 2, 1, 3).reshape(N, T, h * d_k)


def _affine(x, W, b):
    return x @ W + b


def mha_forward(P: Sequence[np.ndarray], xs: Sequence[np.ndarray], h: int, mask: np.ndarray | None = None,
                causal: bool = False, split_form: str = "heads", join_form: str = "heads",
                variant: str | None = None) -> tuple[np.ndarray, tuple]:
    """(out, cache) of multi-head attention; P = [W_q, b_q, W_k, b_k, W_v, b_v, W_o, b_o], xs = (x_q, x_k, x_v)
    (x, x, x in self-attention; x, memory, memory in cross-attention); ``variant`` the attention's (or
    "scale_d_model": 1/√d_model for 1/√d_k)."""
    Wq, bq, Wk, bk, Wv, bv, Wo, bo = P
    Q, K, V = (split(_affine(x, W, b), h, split_form) for x, W, b in zip(xs, (Wq, Wk, Wv), (bq, bk, bv)))
    scale = 1.0 / np.sqrt(Wq.shape[1]) if variant == "scale_d_model" else None
    heads, att = attention_forward(Q, K, V, mask, causal, variant, scale)
    joined = join(heads, join_form)
    return _affine(joined, Wo, bo), (xs, joined, att, h, split_form, join_form)


def _affine_back(x, dout, W):
    rows = dout.reshape(-1, dout.shape[-1])
    return dout @ W.T, x.reshape(-1, x.shape[-1]).T @ rows, rows.sum(axis=0)


def mha_backward(P: Sequence[np.ndarray], cache: tuple, dout: np.ndarray, slip: str | None = None,
                 forms: tuple[str, str] | None = None,
                 scale: float | None = None) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], list[np.ndarray]]:
    """((dx_q, dx_k, dx_v), [dW_q, db_q, dW_k, db_k, dW_v, db_v, dW_o, db_o]) from the cache of ``mha_forward``,
    with one of ``MHA_SLIPS`` or ``ATTENTION_SLIPS``: "mha_backward_split", djoined split into heads without the
    transpose; "mha_backward_join", dQ, dK, dV joined back without it. ``forms``: (how djoined is split, how dQ,
    dK, dV are joined), by default the inverses of forward's; ``scale`` replaces the attention's factor."""
    Wq, _, Wk, _, Wv, _, Wo, _ = P
    xs, joined, att, h, split_form, join_form = cache
    back_split, back_join = forms or (join_form, split_form)
    back_split = "no_transpose" if slip == "mha_backward_split" else back_split
    back_join = "no_transpose" if slip == "mha_backward_join" else back_join
    djoined, dWo, dbo = _affine_back(joined, dout, Wo)
    dq, dk, dv = attention_backward(att, split(djoined, h, back_split), slip if slip in ATTENTION_SLIPS else None,
                                    scale)
    dxs, grads = [], []
    for x, d, W in zip(xs, (dq, dk, dv), (Wq, Wk, Wv)):
        dx, dW, db = _affine_back(x, join(d, back_join), W)
        dxs.append(dx)
        grads += [dW, db]
    return tuple(dxs), grads + [dWo, dbo]
