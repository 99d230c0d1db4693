"""Causes that know book 2's layers: the classic slips of the RNN, LSTM, GRU and Time layers, Embedding and
TimeSoftmaxWithLoss, each computed exactly (``sequence_math``) and named only when the learner's numbers come
within ``CLOSE`` of it; TimeAffine, the attention layers, EmbeddingDot, NegativeSamplingLoss and TimeBiLSTM
are ``causes_book2``'s.

``specific(case, target, a, n)`` is ``causes.specific``'s first rule (None for any other layer);
``forward_cause(...)`` names why forward differs from bprop's layer of the same name (the LSTM's gates sliced
in another order, a GRU of torch's form, a Time loss divided by N·T). What the layer is comes from its name
(LSTM, TimeRNN, Embedding …) and is confirmed by its forward: a guess is tried only when the book's forward
(or the variant of it the learner wrote), from the learner's own weights, gives what the learner's forward gave.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from bprop.gradcheck import causes_book2, causes_transformer, outputs
from bprop.gradcheck import sequence_math as sm
from bprop.gradcheck.compare import rel
from bprop.gradcheck.diagnose import CLOSE
from bprop.gradcheck.guesses import named, slot, weights

__all__ = ["kind_of", "weights", "slot", "named", "specific", "forward_cause", "exception_cause"]

_SAME = 1e-8  # how near the book's forward must come to the learner's to count as the same function


_NAMED = re.compile(r"(?:my|simple|naive|book)?(lstm|gru|rnn|embeddingdot|embedding|affine|bilstm|weightsum|"
                    r"attentionweight|attention|negativesamplingloss)(?:cell|layer)?\d*")


def kind_of(name: str) -> tuple[str | None, bool]:
    """(kind, whether it is a Time layer) from a class name: kind is 'lstm', 'gru', 'rnn', 'embedding',
    'embeddingdot', 'softmax', 'affine', 'bilstm', 'weightsum', 'attentionweight', 'attention',
    'negativesamplingloss' or None — LSTM, TimeLSTM, LSTMCell, MyRNN … (not Rnnlm, a net)."""
    low = name.lower().replace("_", "")
    time = low.startswith("time")
    base = low[4:] if time else low
    found = _NAMED.fullmatch(base)
    if found:
        return found.group(1), time
    if time and "softmax" in base:
        return "softmax", True
    return None, time


def specific(case: Any, target: str, a: np.ndarray, n: np.ndarray) -> tuple[str, dict] | None:
    """(key, params) naming a book-2 slip in gradient ``target``, or None."""
    kind, time = kind_of(case.name)
    if kind is None or case.inputs is None:
        return None
    try:
        with np.errstate(all="ignore"):
            if kind in ("embedding", "embeddingdot"):
                return _embedding(case, target, a)
            if kind == "softmax":
                return _time_loss(case, target, a, n)
            if kind in ("rnn", "lstm", "gru"):
                return (_time if time else _cell)(kind, case, target, a, n)
            return causes_book2.specific(kind, time, case, target, a, n)
    except Exception:  # shapes other than the book's, or labels it cannot read: no guess
        return None


def _state(kind, inputs):
    return (inputs[1], inputs[2]) if kind == "lstm" else inputs[1]


def _cell(kind, case, target, a, n):
    P, where = weights(case.params), slot(case, target, ("Wx", "Wh", "b"))
    if P is None or where is None or len(case.inputs) != (3 if kind == "lstm" else 2):
        return None
    if (kind == "lstm") != (case.out_shapes is not None):
        return None
    douts = case.dout if case.out_shapes is None else outputs.unpack(case.dout, case.out_shapes)
    for variant in [None] + sm.variants(kind):
        state, cache = sm.step_forward(kind, P, case.inputs[0], _state(kind, case.inputs), variant)
        if rel(_flat(state), case.y.ravel()) <= _SAME:
            break
    else:
        return None
    if variant is not None:  # another forward, and the book's backward over what it computed
        guess = _pick(kind, sm.step_backward(kind, P, cache, douts), where)
        return _books_backward(kind, variant) if named(a, guess, n) else None
    right = _pick(kind, sm.step_backward(kind, P, cache, douts), where)
    for slip in sm.CELL_SLIPS[kind]:
        if named(a, _pick(kind, sm.step_backward(kind, P, cache, douts, slip), where), right):
            return "seq." + slip, {}
    return None


def _books_backward(kind, variant):
    """The cause of a gradient that is the book's backward after the learner's other forward ``variant``."""
    if kind == "lstm":  # gates taken from A in one order, their gradients put back in the book's
        return "seq.lstm_dA_order", {"order": ", ".join(variant)}
    return "seq.backward_is_books", {"layer": kind.upper(), "form": sm.GRU_VARIANTS[variant]}


def _pick(kind, result, position):
    dx, dstate, grads = result
    where, i = position
    if where == "param":
        return grads[i] if i < len(grads) else None
    if i == 0:
        return dx
    return (dstate[i - 1] if i <= 2 else None) if kind == "lstm" else (dstate if i == 1 else None)


def _time(kind, case, target, a, n):
    P, found = weights(case.params), slot(case, target, ("Wx", "Wh", "b"))
    if P is None or found is None or len(case.inputs) != 1:
        return None
    where, j = found

    def pick(result):
        return result[0] if where == "in" else result[1][j]

    for variant in [None] + sm.variants(kind):
        hs, caches = sm.time_forward(kind, P, case.inputs[0], variant)
        if hs.shape == case.y.shape and rel(hs, case.y) <= _SAME:
            break
    else:
        return None
    if variant is not None:
        guess = pick(sm.time_backward(kind, P, caches, case.dout))
        return _books_backward(kind, variant) if named(a, guess, n) else None
    right = pick(sm.time_backward(kind, P, caches, case.dout))
    for slip in (*sm.CELL_SLIPS[kind], "time_dh_not_summed"):
        if named(a, pick(sm.time_backward(kind, P, caches, case.dout, slip)), right):
            return "seq." + slip, {}
    if where == "param":
        steps = sm.time_backward(kind, P, caches, case.dout)[2]
        for step, t in ((steps[-1], 0), (steps[0], len(steps) - 1)):
            if named(a, step[j], right):
                return "seq.time_grads_overwritten", {"t": t}
    return None


def _embedding(case, target, a):
    W = weights(case.params, ("W",))
    if W is None or slot(case, target, ("W",)) != ("param", 0):
        return None
    idx, dout = case.inputs[0], case.dout
    if len(case.inputs) == 2:  # EmbeddingDot's (h, idx): row n of W gets dout_n·h_n
        idx, dout = case.inputs[1], case.dout[:, None] * case.inputs[0]
    right = np.zeros_like(W[0])
    np.add.at(right, idx, dout)
    overwritten = np.zeros_like(right)
    overwritten[idx] = dout
    guesses = [overwritten]
    if idx.ndim == 2:  # a TimeEmbedding whose per-step Embedding overwrites, its steps then summed
        per_step = np.zeros_like(right)
        for t in range(idx.shape[1]):
            step = np.zeros_like(right)
            step[idx[:, t]] = dout[:, t]
            per_step += step
        guesses.append(per_step)
    if any(named(a, g, right) for g in guesses):
        return "seq.embedding_overwrites", {}
    return None


def _time_loss(case, target, a, n):
    if case.labels is None or case.x.ndim != 3 or a.shape != case.x.shape or slot(case, target, ()) != ("in", 0):
        return None
    ignore = getattr(case.lay, "ignore_label", -1)
    mask = case.labels != ignore
    tiny = 1e-12 * max(float(np.max(np.abs(a))), float(np.max(np.abs(n))), 1e-300)
    if (~mask).any() and np.max(np.abs(a[~mask])) > tiny and np.max(np.abs(n[~mask])) <= tiny:
        return "seq.ignored_gets_grad", {"label": ignore}
    kept, every = int(mask.sum()), mask.size
    nn = float(n.ravel() @ n.ravel())
    k = float(a.ravel() @ n.ravel()) / nn if nn else 0.0
    if kept and kept != every and abs(k - kept / every) < 1e-3 and rel(a, k * n) < CLOSE:
        return "seq.loss_backward_by_all", {"kept": kept, "every": every}
    return None


def forward_cause(ref: str, inputs: list, y: Any, out_shapes: list | None, lay: Any,
                  params: dict) -> tuple[str, dict] | None:
    """(key, params) for why forward differs from bprop's ``ref``, or None."""
    if ref in causes_transformer.REFERENCE_NAMES:  # LayerNorm, attention, multi-head
        return causes_transformer.forward_cause(ref, inputs, y, lay)
    kind, time = kind_of(ref)
    try:
        with np.errstate(all="ignore"):
            if kind == "softmax":
                return _time_loss_forward(inputs, y, getattr(lay, "ignore_label", -1))
            if kind not in ("rnn", "lstm", "gru"):
                return causes_book2.forward_cause(kind, time, inputs, y, params)
            P = weights(params)
            return None if P is None else _recurrent_forward(kind, time, P, inputs, y)
    except Exception:  # shapes other than the book's: no guess
        return None


def _recurrent_forward(kind, time, P, inputs, y):
    if time:
        xs = inputs[0]
        for variant in sm.variants(kind):
            if rel(sm.time_forward(kind, P, xs, variant)[0], y) < _SAME:
                return _variant_cause(kind, variant)
        N, T, _ = xs.shape
        zero = sm.zero_state(kind, N, P[1].shape[0])
        fresh = np.stack([_h(kind, sm.step_forward(kind, P, xs[:, t], zero)[0]) for t in range(T)], axis=1)
        if T > 1 and rel(fresh, y) < _SAME:
            return "seq.state_not_carried", {}
        return None
    if len(inputs) == (3 if kind == "lstm" else 2):
        for variant in sm.variants(kind):
            state, _ = sm.step_forward(kind, P, inputs[0], _state(kind, inputs), variant)
            if rel(_flat(state), y.ravel()) < _SAME:
                return _variant_cause(kind, variant)
    return None


def _variant_cause(kind, variant):
    if kind == "lstm":
        return "seq.lstm_gate_order", {"order": ", ".join(variant)}
    return "seq.gru_" + variant, {}


def exception_cause(name: str, where: str, error: str, inputs: list, params: dict) -> tuple[str, dict] | None:
    """(key, params) naming why a book-2 layer's ``where`` raised ``error`` (its text), or None."""
    kind, time = kind_of(name)
    if kind is None or inputs is None:
        return None
    return causes_book2.exception_cause(kind, time, where, error, inputs, params)


def _time_loss_forward(inputs, y, ignore):
    xs, ts = inputs[0], inputs[1]
    if xs.ndim != 3 or ts.shape != xs.shape[:2]:
        return None
    shifted = xs - xs.max(axis=2, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=2, keepdims=True))
    # the book's ys[np.arange(N * T), ts]: an ignored −1 picks the last class
    nll = -np.take_along_axis(log_p, ts[..., None], 2)[..., 0]
    mask = ts != ignore
    kept, every = int(mask.sum()), mask.size
    if kept == every:
        return None
    loss = float(np.asarray(y).reshape(()))
    if abs(loss - float((nll * mask).sum()) / every) <= 1e-8 * max(1.0, abs(loss)):
        return "seq.loss_forward_by_all", {"kept": kept, "every": every}
    for total in (float(nll.sum()) / every, float(nll.sum()) / kept):
        if abs(loss - total) <= 1e-8 * max(1.0, abs(loss)):
            return "seq.loss_forward_counts_ignored", {"label": ignore}
    return None


def _h(kind, state):
    return state[0] if kind == "lstm" else state


def _flat(state):
    return np.concatenate([s.ravel() for s in state]) if isinstance(state, tuple) else state.ravel()

