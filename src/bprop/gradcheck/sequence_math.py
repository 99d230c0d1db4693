"""Book 2's recurrent steps written out once more, with the classic slips as switches: what the causes compare with.

``causes_sequence`` names a wrong gradient by computing what a learner's slip would give and matching it,
exactly as ``causes`` does for the book-1 layers. These are the formulas of ``bprop.layers.recurrent``
(their docstrings derive them), in float64, with a ``slip`` argument:

    "rnn_no_tanh_grad"  RNN backward without the (1 − h_next²) factor: da = dh_next
    "lstm_no_tanh"      LSTM backward without tanh's derivative: ds = dc_next + dh_next·o
    "lstm_no_forget"    LSTM backward with dc_prev = ds, not ds·f
    "gru_no_direct"     GRU backward with dh_prev missing the direct term dh_next·(1 − z)
    "gru_no_reset_path" GRU backward with dh_prev missing r⊙(dt·Whhᵀ), the path through r⊙h_prev
    "gru_no_gate_path"  GRU backward with dh_prev missing [dz, dr]·[Whz, Whr]ᵀ, the paths through the gates
    "time_dh_not_summed"  Time layer backward: dh_next = dhs[:, t], the carried dh dropped

``time_backward`` also returns each step's weight gradients, for a Time layer that overwrites them at every
step (what is left is step 0's, the last a reversed loop visits). ``step_forward`` takes a ``variant`` of the
book's forward (None: the book's): an LSTM's gate order, for a forward that slices A otherwise than the book's
"fgio" (torch's is "ifgo"); a GRU's ``GRU_VARIANTS``. Its cache holds what that forward computed, so the book's
backward over it is what a learner's backward gives after such a forward.
Weights P are (Wx, Wh, b); a state is h (RNN, GRU) or (h, c) (LSTM). No class here holds anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import permutations
from typing import Any

import numpy as np

__all__ = ["sigmoid", "step_forward", "step_backward", "zero_state", "time_forward", "time_backward", "lstm_orders",
           "variants", "CELL_SLIPS", "GRU_VARIANTS"]

CELL_SLIPS = {"rnn": ("rnn_no_tanh_grad",), "lstm": ("lstm_no_tanh", "lstm_no_forget"),
              "gru": ("gru_no_direct", "gru_no_reset_path", "gru_no_gate_path")}
# A GRU forward other than the book's, and what it computes (language-neutral: it goes into messages as it is).
GRU_VARIANTS = {
    "gate_order": "z = σ(A[:, H:2H]), r = σ(A[:, :H])",  # the z and r slices swapped
    "mix_swapped": "h_next = z·h_prev + (1 − z)·ĥ",  # torch.nn.GRU's convention
    "reset_after": "ĥ = tanh(x·Wxh + r⊙(h_prev·Whh) + bh)",  # torch.nn.GRU's place for r
    "no_reset": "ĥ = tanh(x·Wxh + h_prev·Whh + bh)",  # r computed, never used
}


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # no overflow at ±1000


def variants(kind: str) -> list:
    """The forwards other than the book's that ``step_forward`` knows for ``kind``."""
    return lstm_orders() if kind == "lstm" else list(GRU_VARIANTS) if kind == "gru" else []


def step_forward(kind: str, P: Sequence[np.ndarray], x: np.ndarray, state: Any,
                 variant: str | None = None) -> tuple[Any, tuple]:
    """One step of the cell ``kind`` ('rnn', 'lstm', 'gru'): (new state, cache). state: h, or (h, c) for 'lstm'."""
    Wx, Wh, b = P
    if kind == "rnn":
        h = np.tanh(x @ Wx + state @ Wh + b)
        return h, (x, state, h)
    if kind == "lstm":
        h, c = state
        H = h.shape[1]
        A = x @ Wx + h @ Wh + b
        block = {gate: A[:, k * H:(k + 1) * H] for k, gate in enumerate(variant or "fgio")}
        f, g, i, o = sigmoid(block["f"]), np.tanh(block["g"]), sigmoid(block["i"]), sigmoid(block["o"])
        c_next = f * c + g * i
        t = np.tanh(c_next)
        return (o * t, c_next), (x, h, c, f, g, i, o, t)
    H = state.shape[1]  # gru: blocks z, r, ĥ; the reset gate before Whh (the book's, Cho et al.'s)
    h = state
    xa = x @ Wx + b
    zr = sigmoid(xa[:, :2 * H] + h @ Wh[:, :2 * H])
    z, r = (zr[:, H:], zr[:, :H]) if variant == "gate_order" else (zr[:, :H], zr[:, H:])
    hh = (r * h) @ Wh[:, 2 * H:] if variant not in ("reset_after", "no_reset") else h @ Wh[:, 2 * H:]
    h_hat = np.tanh(xa[:, 2 * H:] + (r * hh if variant == "reset_after" else hh))
    h_next = z * h + (1 - z) * h_hat if variant == "mix_swapped" else (1 - z) * h + z * h_hat
    return h_next, (x, h, z, r, h_hat)


def step_backward(kind: str, P: Sequence[np.ndarray], cache: tuple, dstate: Any,
                  slip: str | None = None) -> tuple[np.ndarray, Any, list[np.ndarray]]:
    """(dx, dstate_prev, [dWx, dWh, db]) of one step; dstate: dh_next, or (dh_next, dc_next) for 'lstm'."""
    Wx, Wh, _ = P
    if kind == "rnn":
        x, h_prev, h = cache
        da = dstate if slip == "rnn_no_tanh_grad" else dstate * (1 - h * h)
        return da @ Wx.T, da @ Wh.T, [x.T @ da, h_prev.T @ da, da.sum(axis=0)]
    if kind == "lstm":
        x, h_prev, c_prev, f, g, i, o, t = cache
        dh, dc = dstate
        ds = dc + (dh * o if slip == "lstm_no_tanh" else dh * o * (1 - t * t))
        dA = np.concatenate([ds * c_prev * f * (1 - f), ds * i * (1 - g * g), ds * g * i * (1 - i),
                             dh * t * o * (1 - o)], axis=1)
        dc_prev = ds if slip == "lstm_no_forget" else ds * f
        return dA @ Wx.T, (dA @ Wh.T, dc_prev), [x.T @ dA, h_prev.T @ dA, dA.sum(axis=0)]
    x, h_prev, z, r, h_hat = cache
    H = h_prev.shape[1]
    dt = dstate * z * (1 - h_hat * h_hat)
    dhr = dt @ Wh[:, 2 * H:].T
    dz = dstate * (h_hat - h_prev) * z * (1 - z)
    dr = dhr * h_prev * r * (1 - r)
    dA = np.concatenate([dz, dr, dt], axis=1)
    dWh = np.concatenate([h_prev.T @ dz, h_prev.T @ dr, (r * h_prev).T @ dt], axis=1)
    direct = 0 if slip == "gru_no_direct" else dstate * (1 - z)
    gates = 0 if slip == "gru_no_gate_path" else dA[:, :2 * H] @ Wh[:, :2 * H].T
    dh_prev = direct + gates + (0 if slip == "gru_no_reset_path" else r * dhr)
    return dA @ Wx.T, dh_prev, [x.T @ dA, dWh, dA.sum(axis=0)]


def zero_state(kind: str, N: int, H: int) -> Any:
    h = np.zeros((N, H))
    return (h, np.zeros((N, H))) if kind == "lstm" else h


def _h(kind, state):
    return state[0] if kind == "lstm" else state


def time_forward(kind: str, P: Sequence[np.ndarray], xs: np.ndarray, variant: str | None = None,
                 state: Any = None) -> tuple[np.ndarray, list[tuple]]:
    """hs (N, T, H) of the cell run over xs (N, T, D) from ``state`` (zeros by default), and the step caches."""
    N, T, _ = xs.shape
    H = P[1].shape[0]
    state = zero_state(kind, N, H) if state is None else state
    hs, caches = np.zeros((N, T, H)), []
    for t in range(T):
        state, cache = step_forward(kind, P, xs[:, t], state, variant)
        hs[:, t] = _h(kind, state)
        caches.append(cache)
    return hs, caches


def time_backward(kind: str, P: Sequence[np.ndarray], caches: list[tuple], dhs: np.ndarray,
                  slip: str | None = None) -> tuple[np.ndarray, list[np.ndarray], list[list[np.ndarray]]]:
    """(dxs, [dWx, dWh, db] summed over the steps, each step's [dWx, dWh, db] from t = T − 1 down to 0) of a Time
    layer over the caches of ``time_forward``; ``slip`` a cell's or "time_dh_not_summed"."""
    N, T, H = dhs.shape
    dxs = np.zeros((N, T, caches[0][0].shape[1]))
    grads = [np.zeros_like(p) for p in P]
    step_grads = []
    carried = zero_state(kind, N, H)
    for t in reversed(range(T)):
        dh = dhs[:, t] if slip == "time_dh_not_summed" else dhs[:, t] + _h(kind, carried)
        dstate = (dh, carried[1]) if kind == "lstm" else dh
        dxs[:, t], carried, g = step_backward(kind, P, caches[t], dstate, slip)
        step_grads.append(g)
        for total, one in zip(grads, g):
            total += one
    return dxs, grads, step_grads


def lstm_orders() -> list[str]:
    """Every other order of the four gates in A: 'ifgo' (torch's), 'figo', …"""
    return ["".join(p) for p in permutations("fgio") if "".join(p) != "fgio"]
