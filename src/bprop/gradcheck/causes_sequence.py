"""Causes that know book 2's layers: the classic slips of the RNN, LSTM and Time layers, Embedding and
TimeSoftmaxWithLoss, each computed exactly (``sequence_math``) and named only when the learner's numbers come
within ``CLOSE`` of it.

``specific(case, target, a, n)`` is ``causes.specific``'s first rule (None for any other layer);
``forward_cause(...)`` names why forward differs from bprop's layer of the same name (the LSTM's gates sliced
in another order, a Time loss divided by N·T). What the layer is comes from its name (LSTM, TimeRNN,
Embedding …) and is confirmed by its forward: a guess is tried only when the book's forward, from the
learner's own weights, gives what the learner's forward gave.
"""

from __future__ import annotations

import re

import numpy as np

from bprop.gradcheck import outputs
from bprop.gradcheck import sequence_math as sm
from bprop.gradcheck.compare import rel
from bprop.gradcheck.diagnose import CLOSE

__all__ = ["kind_of", "weights", "specific", "forward_cause"]

_RECURRENT = {"wx": 0, "wh": 1, "b": 2}
_SAME = 1e-8  # how near the book's forward must come to the learner's to count as the same function


_NAMED = re.compile(r"(?:my|simple|naive|book)?(lstm|gru|rnn|embedding)(?:cell|layer)?\d*")


def kind_of(name: str) -> tuple[str | None, bool]:
    """('lstm' | 'gru' | 'rnn' | 'embedding' | 'softmax' | None, whether it is a Time layer) from a class name:
    LSTM, TimeLSTM, LSTMCell, MyRNN … (not Rnnlm, a net, nor TimeBiLSTM, two LSTMs)."""
    low = name.lower().replace("_", "")
    time = low.startswith("time")
    base = low[4:] if time else low
    found = _NAMED.fullmatch(base)
    if found:
        return found.group(1), time
    if time and "softmax" in base:
        return "softmax", True
    return None, time


def weights(params: dict, order=("Wx", "Wh", "b")):
    """The layer's arrays in ``order``: a ``params`` list by position, attributes or dict entries by name; or None."""
    if params and all(isinstance(k, int) for k in params):
        return [params[k] for k in sorted(params)] if len(params) == len(order) else None
    found = {str(k).lower(): v for k, v in params.items()}
    if all(n.lower() in found for n in order):
        return [found[n.lower()] for n in order]
    return None


def _slot(case, target, order):
    """('in', i) for the gradient of forward's input i, ('param', j) for the parameter j of ``order``."""
    for i, name in enumerate(case.names or ()):
        if target == "d" + name:
            return "in", i
    listed = re.fullmatch(r"grads\[(\d+)\]", target)
    if listed:
        return "param", int(listed.group(1))
    position = {n.lower(): j for j, n in enumerate(order)}.get(target[1:].lower())
    return None if position is None else ("param", position)


def _named(a, guess, right):
    """The guess explains a: it comes within CLOSE of it and differs from the right gradient."""
    return guess is not None and np.shape(guess) == np.shape(a) and rel(a, guess) < CLOSE and rel(guess, right) >= CLOSE


def specific(case, target: str, a, n):
    """(key, params) naming a book-2 slip in gradient ``target``, or None."""
    kind, time = kind_of(case.name)
    if kind is None or case.inputs is None:
        return None
    try:
        with np.errstate(all="ignore"):
            if kind == "embedding":
                return _embedding(case, target, a)
            if kind == "softmax":
                return _time_loss(case, target, a, n)
            return (_time if time else _cell)(kind, case, target, a, n)
    except Exception:  # shapes other than the book's, or labels it cannot read: no guess
        return None


def _state(kind, inputs):
    return (inputs[1], inputs[2]) if kind == "lstm" else inputs[1]


def _cell(kind, case, target, a, n):
    P, slot = weights(case.params), _slot(case, target, ("Wx", "Wh", "b"))
    if P is None or slot is None or len(case.inputs) != (3 if kind == "lstm" else 2):
        return None
    if (kind == "lstm") != (case.out_shapes is not None):
        return None
    douts = case.dout if case.out_shapes is None else outputs.unpack(case.dout, case.out_shapes)
    for order in ["fgio"] + (sm.lstm_orders() if kind == "lstm" else []):
        state, cache = sm.step_forward(kind, P, case.inputs[0], _state(kind, case.inputs), order)
        if rel(_flat(state), case.y.ravel()) <= _SAME:
            break
    else:
        return None
    if order != "fgio":  # gates taken from A in one order, their gradients put back in the book's
        guess = _pick(kind, sm.step_backward(kind, P, cache, douts), slot)
        return ("seq.lstm_dA_order", {"order": ", ".join(order)}) if _named(a, guess, n) else None
    right = _pick(kind, sm.step_backward(kind, P, cache, douts), slot)
    for slip in sm.CELL_SLIPS[kind]:
        if _named(a, _pick(kind, sm.step_backward(kind, P, cache, douts, slip), slot), right):
            return "seq." + slip, {}
    return None


def _pick(kind, result, slot):
    dx, dstate, grads = result
    where, i = slot
    if where == "param":
        return grads[i] if i < len(grads) else None
    if i == 0:
        return dx
    return (dstate[i - 1] if i <= 2 else None) if kind == "lstm" else (dstate if i == 1 else None)


def _time(kind, case, target, a, n):
    P, slot = weights(case.params), _slot(case, target, ("Wx", "Wh", "b"))
    if P is None or slot is None or len(case.inputs) != 1:
        return None
    where, j = slot

    def pick(result):
        return result[0] if where == "in" else result[1][j]

    for order in ["fgio"] + (sm.lstm_orders() if kind == "lstm" else []):
        hs, caches = sm.time_forward(kind, P, case.inputs[0], order)
        if hs.shape == case.y.shape and rel(hs, case.y) <= _SAME:
            break
    else:
        return None
    if order != "fgio":
        guess = pick(sm.time_backward(kind, P, caches, case.dout))
        return ("seq.lstm_dA_order", {"order": ", ".join(order)}) if _named(a, guess, n) else None
    right = pick(sm.time_backward(kind, P, caches, case.dout))
    for slip in (*sm.CELL_SLIPS[kind], "time_dh_not_summed"):
        if _named(a, pick(sm.time_backward(kind, P, caches, case.dout, slip)), right):
            return "seq." + slip, {}
    if where == "param":
        steps = sm.time_backward(kind, P, caches, case.dout)[2]
        for step, t in ((steps[-1], 0), (steps[0], len(steps) - 1)):
            if _named(a, step[j], right):
                return "seq.time_grads_overwritten", {"t": t}
    return None


def _embedding(case, target, a):
    W = weights(case.params, ("W",))
    if W is None or _slot(case, target, ("W",)) != ("param", 0):
        return None
    idx, dout = case.inputs[0], case.dout
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
    if any(_named(a, g, right) for g in guesses):
        return "seq.embedding_overwrites", {}
    return None


def _time_loss(case, target, a, n):
    if case.labels is None or case.x.ndim != 3 or a.shape != case.x.shape or _slot(case, target, ()) != ("in", 0):
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


def forward_cause(ref: str, inputs, y, out_shapes, lay, params):
    """(key, params) for why forward differs from bprop's ``ref``, or None."""
    kind, time = kind_of(ref)
    try:
        with np.errstate(all="ignore"):
            if kind == "softmax":
                return _time_loss_forward(inputs, y, getattr(lay, "ignore_label", -1))
            P = weights(params)
            if kind not in ("rnn", "lstm", "gru") or P is None:
                return None
            return _recurrent_forward(kind, time, P, inputs, y)
    except Exception:  # shapes other than the book's: no guess
        return None


def _recurrent_forward(kind, time, P, inputs, y):
    if time:
        xs = inputs[0]
        if kind == "lstm":
            for order in sm.lstm_orders():
                if rel(sm.time_forward(kind, P, xs, order)[0], y) < _SAME:
                    return "seq.lstm_gate_order", {"order": ", ".join(order)}
        N, T, _ = xs.shape
        zero = sm.zero_state(kind, N, P[1].shape[0])
        fresh = np.stack([_h(kind, sm.step_forward(kind, P, xs[:, t], zero)[0]) for t in range(T)], axis=1)
        if T > 1 and rel(fresh, y) < _SAME:
            return "seq.state_not_carried", {}
        return None
    if kind == "lstm" and len(inputs) == 3:
        for order in sm.lstm_orders():
            state, _ = sm.step_forward(kind, P, inputs[0], (inputs[1], inputs[2]), order)
            if rel(_flat(state), y.ravel()) < _SAME:
                return "seq.lstm_gate_order", {"order": ", ".join(order)}
    return None


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

