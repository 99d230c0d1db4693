"""Causes that know book 2's other layers: TimeAffine, the attention layers, EmbeddingDot, NegativeSamplingLoss
and TimeBiLSTM. ``causes_sequence`` hands them over by the layer's kind.

Each guess is the layer's formula restated with one classic slip switched on, computed from the learner's own
inputs and weights, and named only when backward's values come within ``CLOSE`` of it (``guesses.named``) —
and only after the restated forward gives what the learner's forward gave. The formulas (book 2 §5.4, §8.1-8.2,
§4.2, §8.5; bprop.layers' docstrings derive them):

    TimeAffine        rows = dout.reshape(N·T, M); dW = x_rowsᵀ·rows; db = Σ rows; dx = rows·Wᵀ
    WeightSum         c = Σ_t a_t·hs_t: dhs_t = a_t·dc; da_t = hs_t·dc (a repeated over H: its gradient sums H)
    AttentionWeight   a = softmax_t(hs_t·h): ds = a⊙(da − Σ_t a⊙da); dhs_t = ds_t·h; dh = Σ_t ds_t·hs_t
    Attention         both, hs feeding both: dhs = dhs(WeightSum) + dhs(AttentionWeight)
    TimeAttention     Attention per decoder step j: dhs_enc = Σ_j dhs_j
    NegativeSamplingLoss  ids = [target, the sampler's negatives]; e_k = σ(h·W[id_k]) − label_k;
                      dh = dout/N·Σ_k e_k·W[id_k]; dW[id_k] += dout/N·e_k·h  (the samples: ``drawn_ids``)
    TimeBiLSTM        [TimeLSTM(xs), flip(TimeLSTM₂(flip(xs)))]: dxs = dxs₁ + flip(dxs₂ of flip(dhs₂))
"""

from __future__ import annotations

import copy
import re
from typing import Any

import numpy as np

from bprop.gradcheck import sequence_math as sm
from bprop.gradcheck.calls import call
from bprop.gradcheck.compare import rel
from bprop.gradcheck.guesses import named, slot, weights

__all__ = ["specific", "forward_cause", "exception_cause", "drawn_ids"]

_SAME = 1e-8
_BILSTM = ("Wx1", "Wh1", "b1", "Wx2", "Wh2", "b2")
_INTO = re.compile(r"could not broadcast input array from shape \(([\d, ]*)\) into shape \(([\d, ]*)\)")
_TOGETHER = re.compile(r"operands could not be broadcast together with shapes \(([\d, ]*)\) \(([\d, ]*)\)")
_AXIS0 = "a = softmax over axis 0, across the batch"


def specific(kind: str, time: bool, case: Any, target: str, a: np.ndarray, n: np.ndarray) -> tuple[str, dict] | None:
    """(key, params) naming a slip in gradient ``target`` of a layer of ``kind``, or None."""
    if kind == "affine" and time:
        return _time_affine(case, target, a)
    if kind in ("weightsum", "attentionweight", "attention"):
        return _attention(kind, time, case, target, a, n)
    if kind == "negativesamplingloss":
        return _negative_sampling(case, target, a)
    if kind == "bilstm" and time:
        return _bilstm(case, target, a, n)
    return None


# --- TimeAffine -------------------------------------------------------------------------------------


def _time_affine(case, target, a):
    P, x, dout = weights(case.params, ("W", "b")), case.inputs[0], case.dout
    if P is None or x.ndim != 3 or dout.ndim != 3:
        return None
    W, _ = P
    N, T, D = x.shape
    where = slot(case, target, ("W", "b"))
    rows, x_rows = dout.reshape(N * T, -1), x.reshape(N * T, D)
    right = {("in", 0): (rows @ W.T).reshape(x.shape), ("param", 0): x_rows.T @ rows, ("param", 1): rows.sum(axis=0)}
    if where not in right:
        return None
    right = right[where]
    swapped = dout.transpose(1, 0, 2).reshape(N * T, -1)  # the rows of dout in (t, n) order, x's in (n, t)
    reordered = {("in", 0): [(swapped @ W.T).reshape(x.shape)],
                 ("param", 0): [x_rows.T @ swapped, x.transpose(1, 0, 2).reshape(N * T, D).T @ rows]}
    if any(named(a, g, right) for g in reordered.get(where, [])):
        return "seq.time_affine_rows_order", {}
    if where != ("in", 0):
        for t in (T - 1, 0):
            step = x[:, t].T @ dout[:, t] if where == ("param", 0) else dout[:, t].sum(axis=0)
            if named(a, step, right):
                return "seq.time_affine_one_step", {"t": t}
        if named(a, right / (N * T), right):
            return "seq.time_mean_not_sum", {"count": N * T}
    if where == ("param", 1) and T == dout.shape[2] and named(a, dout.sum(axis=(0, 2)), right):
        return "seq.time_affine_db_axis", {"form": "dout.sum(axis=(0, 2))"}  # leaves (T,), which is (M,) here
    return None


# --- attention ---------------------------------------------------------------------------------------

_SLIPS = {
    "weightsum": ("weightsum_dhs_no_a", "repeat_mean_da"),
    "attentionweight": ("attention_no_softmax_grad", "attention_softmax_grad_axis", "repeat_mean_dh"),
}
_SLIPS["attention"] = (*_SLIPS["weightsum"], *_SLIPS["attentionweight"], "attention_one_path")


def _softmax(s, axis):
    e = np.exp(s - s.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _weights_of(hs, h, axis):
    return _softmax(np.einsum("nth,nh->nt", hs, h), axis)


def _weight_sum_back(hs, a, dc, slip):
    dhs = np.repeat(dc[:, None, :], hs.shape[1], axis=1) if slip == "weightsum_dhs_no_a" else a[:, :, None] * dc[:, None]
    da = np.einsum("nth,nh->nt", hs, dc) / (hs.shape[2] if slip == "repeat_mean_da" else 1)
    return dhs, da


def _weight_back(hs, h, a, da, slip):
    if slip == "attention_no_softmax_grad":
        ds = da
    else:
        ds = a * (da - (a * da).sum(axis=0 if slip == "attention_softmax_grad_axis" else 1, keepdims=True))
    dh = np.einsum("nt,nth->nh", ds, hs) / (hs.shape[1] if slip == "repeat_mean_dh" else 1)
    return ds[:, :, None] * h[:, None, :], dh


def _attention_step(hs, h, dc, axis, slip):
    """(dhs, dh) of Attention(hs, h) for dc, its softmax over ``axis``, with ``slip``."""
    a = _weights_of(hs, h, axis)
    dhs_sum, da = _weight_sum_back(hs, a, dc, slip)
    dhs_weight, dh = _weight_back(hs, h, a, da, slip)
    if slip == "attention_one_path":
        return [(dhs_sum, dh), (dhs_weight, dh)]
    return [(dhs_sum + dhs_weight, dh)]


def _attention_grads(kind, time, inputs, dout, axis, slip):
    """The possible (grad of input 0, grad of input 1) of the layer under ``slip`` (one path left out: two)."""
    first, second = inputs
    if kind == "weightsum":
        return [_weight_sum_back(first, second, dout, slip)]
    if kind == "attentionweight":
        return [_weight_back(first, second, _weights_of(first, second, axis), dout, slip)]
    if not time:
        return _attention_step(first, second, dout, axis, slip)
    options = []  # TimeAttention: one Attention per decoder step j, dhs_enc summed over j
    steps = [_attention_step(first, second[:, j], dout[:, j], axis, slip) for j in range(second.shape[1])]
    for k in range(len(steps[0])):
        enc = sum(step[k][0] for step in steps)
        options.append((enc, np.stack([step[k][1] for step in steps], axis=1)))
    if slip is None:  # dhs_enc rebound at every step: only the last step's is left
        options.append((steps[-1][0][0], options[0][1]))
    return options


def _attention_forward(kind, time, inputs, axis):
    first, second = inputs
    if kind == "weightsum":
        return np.einsum("nt,nth->nh", second, first)
    if kind == "attentionweight":
        return _weights_of(first, second, axis) if not time else None
    if not time:
        return np.einsum("nt,nth->nh", _weights_of(first, second, axis), first)
    return np.stack([np.einsum("nt,nth->nh", _weights_of(first, second[:, j], axis), first)
                     for j in range(second.shape[1])], axis=1)


def _attention(kind, time, case, target, a, n):
    if len(case.inputs) != 2 or case.inputs[0].ndim != 3:
        return None
    where = slot(case, target, ())
    if where is None or where[0] != "in":
        return None
    i = where[1]
    for axis in (1, 0):
        if rel(_attention_forward(kind, time, case.inputs, axis), case.y) <= _SAME:
            break
    else:
        return None
    right = _attention_grads(kind, time, case.inputs, case.dout, 1, None)[0][i]
    if axis == 0:  # softmax over the batch in forward, the book's backward after it
        guess = _attention_grads(kind, time, case.inputs, case.dout, 0, None)[0][i]
        return ("seq.backward_is_books", {"layer": case.name, "form": _AXIS0}) if named(a, guess, n) else None
    if time and named(a, _attention_grads(kind, time, case.inputs, case.dout, 1, None)[-1][i], right):
        return "seq.time_attention_enc_last", {}
    for slip in _SLIPS["attention" if kind == "attention" else kind]:
        if any(named(a, g[i], right) for g in _attention_grads(kind, time, case.inputs, case.dout, 1, slip)):
            return "seq." + slip.removesuffix("_da").removesuffix("_dh"), _slip_params(slip, case.inputs[0].shape)
    return None


def _slip_params(slip, shape):
    N, T, H = shape
    if slip == "repeat_mean_da":
        return {"count": H, "name": "a", "axis": 2, "fix": "da = np.sum(dar, axis=2)"}
    if slip == "repeat_mean_dh":
        return {"count": T, "name": "h", "axis": 1, "fix": "dh = np.sum(dhr, axis=1)"}
    return {}


# --- NegativeSamplingLoss -----------------------------------------------------------------------------


def drawn_ids(case: Any) -> np.ndarray | None:
    """(N, S+1) ids [target, negatives]: the layer's own ``sampler`` asked again with forward's randomness
    replayed (book 2's forward draws its negatives first thing), or None."""
    lay, target = case.lay, case.inputs[1]
    if case.replay is None or not callable(getattr(getattr(lay, "sampler", None), "get_negative_sample", None)):
        return None
    other = copy.deepcopy(lay)
    with case.replay(other):
        negatives, _ = call("sampler", other.sampler.get_negative_sample, target.copy())
    negatives = np.asarray(negatives)
    if negatives.ndim != 2 or len(negatives) != len(target) or negatives.dtype.kind not in "iu":
        return None
    return np.concatenate([target[:, None], negatives], axis=1)


def _negative_sampling(case, target, a):
    W = weights(case.params, ("W",))
    ids = drawn_ids(case) if W is not None and len(case.inputs) == 2 else None
    if ids is None or W is None:
        return None
    W, h = W[0], case.inputs[0]
    N, K = ids.shape
    rows = W[ids]
    scores = np.einsum("nkh,nh->nk", rows, h)
    loss = (np.logaddexp(0, -scores[:, 0]).sum() + np.logaddexp(0, scores[:, 1:]).sum()) / N
    if abs(loss - float(case.y)) > 1e-5 * max(1.0, abs(loss)):  # other samples, or another loss
        return None
    labels = np.zeros((N, K))
    labels[:, 0] = 1
    e = (sm.sigmoid(scores) - labels) * float(case.dout) / N
    where = slot(case, target, ("W",))
    if where == ("in", 0):
        right = np.einsum("nk,nkh->nh", e, rows)
        last = e[:, -1:] * rows[:, -1]  # dh = l1.backward(dscore): only the last EmbeddingDot's is left
        return ("seq.nsl_dh_not_summed", {"count": K, "S": K - 1}) if named(a, last, right) else None
    if where == ("param", 0):
        right, overwritten = np.zeros_like(W), np.zeros_like(W)
        np.add.at(right, ids, e[:, :, None] * h[:, None, :])
        for k in range(K):
            step = np.zeros_like(W)
            step[ids[:, k]] = e[:, k, None] * h
            overwritten += step
        return ("seq.embedding_overwrites", {}) if named(a, overwritten, right) else None
    return None


# --- TimeBiLSTM ------------------------------------------------------------------------------------------


def _bilstm_parts(P, xs):
    hs1, c1 = sm.time_forward("lstm", P[:3], xs)
    hs2, c2 = sm.time_forward("lstm", P[3:], xs[:, ::-1])
    return hs1, hs2, c1, c2


def _bilstm(case, target, a, n):
    P, xs = weights(case.params, _BILSTM), case.inputs[0]
    where = slot(case, target, _BILSTM)
    if P is None or where is None or xs.ndim != 3:
        return None
    H = P[1].shape[0]
    hs1, hs2, c1, c2 = _bilstm_parts(P, xs)
    dout = case.dout

    def pick(slip=None):
        d1, g1, _ = sm.time_backward("lstm", P[:3], c1, dout[:, :, :H])
        d2, g2, _ = sm.time_backward("lstm", P[3:], c2, dout[:, :, H:] if slip == "dhs" else dout[:, ::-1, H:])
        dx = d1 + (d2 if slip == "dxs" else d2[:, ::-1])
        return dx if where[0] == "in" else (g1 + g2)[where[1]]

    right = pick()
    if rel(np.concatenate([hs1, hs2], axis=2), case.y) <= _SAME:  # hs_bwd not flipped back, the book's backward
        form = "hs = [hs_fwd, hs_bwd] with hs_bwd left in reversed time"
        return ("seq.backward_is_books", {"layer": case.name, "form": form}) if named(a, right, n) else None
    if rel(np.concatenate([hs1, hs2[:, ::-1]], axis=2), case.y) > _SAME:
        return None
    for slip in ("dxs", "dhs"):
        if named(a, pick(slip), right):
            return f"seq.bilstm_{slip}_not_flipped", {}
    return None


# --- forward and exceptions ---------------------------------------------------------------------------


def forward_cause(kind: str | None, time: bool, inputs: list, y: Any, params: dict) -> tuple[str, dict] | None:
    """(key, params) for why forward differs from bprop's layer: a softmax over the batch, a reversed half."""
    if kind in ("attentionweight", "attention") and len(inputs) == 2 and inputs[0].ndim == 3:
        if rel(_attention_forward(kind, time, inputs, 0), y) < _SAME:
            return "seq.attention_softmax_axis", {}
    if kind == "bilstm" and time:
        P = weights(params, _BILSTM)
        if P is not None:
            hs1, hs2, _, _ = _bilstm_parts(P, inputs[0])
            if rel(np.concatenate([hs1, hs2], axis=2), y) < _SAME:
                return "seq.bilstm_hs_not_flipped", {}
    return None


def _shape(text):
    return tuple(int(v) for v in text.replace(" ", "").split(",") if v)


def exception_cause(kind: str, time: bool, where: str, error: str, inputs: list,
                    params: dict) -> tuple[str, dict] | None:
    """(key, params) for an error a book-2 layer's backward raised: TimeAffine's db summed over one axis only
    (written into grads[1] in place: NumPy cannot fit (T, M) into (M,)), EmbeddingDot's dout not made a column."""
    if where != "backward":
        return None
    x = inputs[0]
    found = _INTO.search(error)
    if kind == "affine" and time and found and x.ndim == 3:
        got, want = _shape(found.group(1)), _shape(found.group(2))
        N, T, _ = x.shape
        forms = {(T,) + want: "dout.sum(axis=0)", (N,) + want: "dout.sum(axis=1)", (N * T,): "rows.sum(axis=1)"}
        if len(want) == 1 and got in forms:
            return "seq.time_affine_db_shape", {"form": forms[got], "got": str(got)}
    found = _TOGETHER.search(error)
    if kind in ("embeddingdot", "negativesamplingloss") and found and x.ndim == 2:
        shapes = {_shape(found.group(1)), _shape(found.group(2))}
        N, H = x.shape
        got = next((s for s in ((N,), (1, N)) if shapes == {s, x.shape}), None)  # no reshape, or reshape(1, N)
        if got is not None:
            return "seq.dout_not_column", {"got": str(got), "N": N, "H": H}
    return None
