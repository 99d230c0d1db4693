"""Book 2's recurrent layers over whole sequences: TimeRNN, TimeLSTM, TimeGRU, TimeBiLSTM.

``forward(xs)`` runs the cell of ``bprop.layers.recurrent`` over T steps:
xs (N, T, D) → hs (N, T, H); ``backward(dhs)`` returns dxs (N, T, D) and
leaves the parameters' gradients, summed over the steps, in ``dWx``, ``dWh``,
``db``, and the gradient of the initial state in ``dh`` (``dc`` for the LSTM),
which book 2's seq2seq encoder reads.

Truncated BPTT: with ``stateful=True`` the last h (and c) of one forward is
the first of the next, so a long corpus is fed in blocks of T steps; backward
stops at the block's start (no gradient flows into the previous block).
``set_state(h[, c])`` sets the state, ``reset_state()`` clears it (zeros
next time). With ``stateful=False`` every forward starts from zeros.

Speed, with the same numbers as the cells unrolled step by step
(tests/layers/test_recurrent_time.py compares them): the input projection
x·Wx + b of all T steps is one matrix product before the loop, and the
weight gradients are one product each after it (dWx = Xᵀ·dA over all N·T
rows, dWh = H_prevᵀ·dA); the loop does only what must be sequential, the
h·Wh products. Inside, the steps are kept time-major, (T, N, ·), so each step
reads and writes contiguous rows.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from bprop.layers.base import ParamList, SequenceLayer
from bprop.layers.options import flag
from bprop.layers.recurrent import (
    _RecurrentWeights,
    gru_backward_step,
    gru_step,
    lstm_backward_step,
    lstm_gates_in_place,
    recurrent_weights,
)

__all__ = ["TimeRNN", "TimeLSTM", "TimeGRU", "TimeBiLSTM"]


class _TimeRecurrent(_RecurrentWeights):
    """Shared: weights, the stateful option, the state, the checks of xs and dhs, the weight gradients."""

    options = (flag("stateful"),)
    states: tuple[str, ...] = ("h",)
    stateful: bool
    h: np.ndarray | None  # the state the next forward starts from when stateful (c too for the LSTM)
    c: np.ndarray | None
    dh: np.ndarray | None  # backward: the gradient of the initial state (dc too for the LSTM)
    dc: np.ndarray | None
    cache: tuple[np.ndarray, ...] | None  # what the layer's backward needs (see each layer)

    def __init__(self, Wx: npt.ArrayLike, Wh: npt.ArrayLike, b: npt.ArrayLike, stateful: bool = False) -> None:
        self.Wx, self.Wh, self.b = recurrent_weights(Wx, Wh, b, self.gates, self._name)
        self._set_options(stateful=stateful)
        self._zero_grads()
        self.h = self.c = None
        self.dh = self.dc = None
        self.cache = None

    @property
    def hidden_size(self) -> int:
        return self.Wh.shape[0]

    def set_state(self, h: npt.ArrayLike, c: npt.ArrayLike | None = None) -> None:
        """The state the next forward starts from (h, and c for the LSTM), each (N, H)."""
        self.h = h0 = self._array(h, "h", (None, self.hidden_size), "(N, H)").copy()
        if "c" in self.states:
            self.c = None if c is None else self._array(c, "c", h0.shape, "(N, H)").copy()

    def reset_state(self) -> None:
        self.h = self.c = None

    def _sequence(self, xs: npt.ArrayLike) -> np.ndarray:
        """xs (N, T, D), T ≥ 1, time-major (T, N, D) for the loop."""
        xs = self._array(xs, "xs", (None, None, self.Wx.shape[0]), "(N, T, D)")
        if xs.shape[1] == 0:
            raise ValueError(f"{self._name} got an empty sequence: xs of shape {xs.shape} has T = 0 steps")
        return np.ascontiguousarray(xs.transpose(1, 0, 2))

    def _initial(self, name: str, N: int) -> np.ndarray:
        """The state to start from: the kept one when stateful (N must match), else zeros."""
        kept = getattr(self, name)
        if self.stateful and kept is not None:
            if kept.shape[0] != N:
                raise ValueError(f"{self._name} is stateful with a state of {kept.shape[0]} sequences, but xs has "
                                 f"{N}; call reset_state() between batches of another size")
            return kept
        return np.zeros((N, self.hidden_size), dtype=self.Wx.dtype)

    def _projected(self, xs_tm: np.ndarray) -> np.ndarray:
        """x·Wx + b for all T·N rows at once: (T, N, kH)."""
        T, N, D = xs_tm.shape
        xa = xs_tm.reshape(T * N, D) @ self.Wx
        xa += self.b
        return xa.reshape(T, N, -1)

    def _finish_forward(self, hs_tm: np.ndarray) -> np.ndarray:
        self._out_shapes, self._out_dtype = [("dhs", (hs_tm.shape[1], hs_tm.shape[0], hs_tm.shape[2]))], hs_tm.dtype
        return np.ascontiguousarray(hs_tm.transpose(1, 0, 2))

    def _dhs(self, dhs: npt.ArrayLike) -> np.ndarray:
        (dhs,) = self._douts(dhs)
        return np.ascontiguousarray(dhs.transpose(1, 0, 2))

    def _input_grads(self, xs_tm: np.ndarray, dA_tm: np.ndarray) -> np.ndarray:
        """dWx = Xᵀ·dA and db = Σ dA over all steps (in place); returns dxs (N, T, D)."""
        T, N, D = xs_tm.shape
        dA = dA_tm.reshape(T * N, -1)
        np.matmul(xs_tm.reshape(T * N, D).T, dA, out=self.dWx)
        np.sum(dA, axis=0, out=self.db)
        return np.ascontiguousarray((dA @ self.Wx.T).reshape(T, N, D).transpose(1, 0, 2))


def _previous(h0: np.ndarray, hs_tm: np.ndarray) -> np.ndarray:
    """The state before each step, (T·N, H): h0, then h of steps 0 … T−2."""
    return np.concatenate([h0[None], hs_tm[:-1]]).reshape(-1, h0.shape[1])


class TimeRNN(_TimeRecurrent):
    """T steps of the RNN cell: h_t = tanh(x_t·Wx + h_{t−1}·Wh + b), hs (N, T, H).

    backward(dhs): da_t = (dhs_t + dh_t)⊙(1 − h_t²) with dh_{t−1} = da_t·Whᵀ
    carried back from the last step; dWx = Σ_t x_tᵀ·da_t, dWh = Σ_t h_{t−1}ᵀ·da_t,
    db = Σ da; dxs_t = da_t·Wxᵀ; ``dh`` keeps dh of the initial state.
    Wx (D, H); Wh (H, H); b (H,). Caches xs, the initial h and hs.
    """

    def forward(self, xs: npt.ArrayLike) -> np.ndarray:
        xs_tm = self._sequence(xs)
        T, N, _ = xs_tm.shape
        h0 = self._initial("h", N)
        hs_tm = self._projected(xs_tm)  # a_t, turned into h_t in place
        h = h0
        for t in range(T):
            a = hs_tm[t]
            a += h @ self.Wh
            h = np.tanh(a, out=a)
        self.h = h.copy()
        self.cache = (xs_tm, h0, hs_tm)
        return self._finish_forward(hs_tm)

    def backward(self, dhs: npt.ArrayLike) -> np.ndarray:
        dhs_tm = self._dhs(dhs)
        xs_tm, h0, hs_tm = self._cached(self.cache)
        dA_tm = np.empty_like(hs_tm)
        dh = np.zeros_like(h0)
        for t in reversed(range(len(hs_tm))):
            da = np.add(dhs_tm[t], dh, out=dA_tm[t])
            da *= 1 - hs_tm[t] * hs_tm[t]
            dh = da @ self.Wh.T
        self.dh = dh
        np.matmul(_previous(h0, hs_tm).T, dA_tm.reshape(-1, self.hidden_size), out=self.dWh)
        return self._input_grads(xs_tm, dA_tm)


class TimeLSTM(_TimeRecurrent):
    """T steps of the LSTM cell (gate order f, g, i, o; see ``LSTM``): hs (N, T, H).

    backward(dhs): from the last step back, each step's (dA_t, dc_{t−1}) as in
    ``LSTM.backward`` with dh_next = dhs_t + dA_{t+1}·Whᵀ and dc_next the carried
    dc; the weight gradients are summed over the steps; ``dh`` and ``dc`` keep
    the initial state's. Wx (D, 4H); Wh (H, 4H); b (4H,). Caches xs, the
    initial h and c, the gates, the cell states and hs.
    """

    gates = 4
    states = ("h", "c")

    def forward(self, xs: npt.ArrayLike) -> np.ndarray:
        xs_tm = self._sequence(xs)
        T, N, _ = xs_tm.shape
        H = self.hidden_size
        h0, c0 = self._initial("h", N), self._initial("c", N)
        A_tm = self._projected(xs_tm)  # pre-activations, replaced by the gates f, g, i, o in place
        cs_tm = np.empty((T, N, H), dtype=A_tm.dtype)
        tanh_tm = np.empty_like(cs_tm)
        hs_tm = np.empty_like(cs_tm)
        h, c = h0, c0
        for t in range(T):
            A = A_tm[t]
            A += h @ self.Wh
            lstm_gates_in_place(A, H)
            f, g, i, o = A[:, :H], A[:, H:2 * H], A[:, 2 * H:3 * H], A[:, 3 * H:]
            c = np.multiply(f, c, out=cs_tm[t])
            c += g * i
            np.tanh(c, out=tanh_tm[t])
            h = np.multiply(o, tanh_tm[t], out=hs_tm[t])
        self.h, self.c = h.copy(), c.copy()
        self.cache = (xs_tm, h0, c0, A_tm, cs_tm, tanh_tm, hs_tm)
        return self._finish_forward(hs_tm)

    def backward(self, dhs: npt.ArrayLike) -> np.ndarray:
        dhs_tm = self._dhs(dhs)
        xs_tm, h0, c0, G_tm, cs_tm, tanh_tm, hs_tm = self._cached(self.cache)
        H = self.hidden_size
        dA_tm = np.empty_like(G_tm)
        dh, dc = np.zeros_like(h0), np.zeros_like(c0)
        for t in reversed(range(len(hs_tm))):
            G = G_tm[t]
            c_prev = cs_tm[t - 1] if t > 0 else c0
            dA, dc = lstm_backward_step(dhs_tm[t] + dh, dc, c_prev, G[:, :H], G[:, H:2 * H], G[:, 2 * H:3 * H],
                                        G[:, 3 * H:], tanh_tm[t])
            dA_tm[t] = dA
            dh = dA @ self.Wh.T
        self.dh, self.dc = dh, dc
        np.matmul(_previous(h0, hs_tm).T, dA_tm.reshape(-1, 4 * H), out=self.dWh)
        return self._input_grads(xs_tm, dA_tm)


class TimeGRU(_TimeRecurrent):
    """T steps of the book's GRU cell (blocks z, r, ĥ; see ``GRU``): hs (N, T, H).

    backward(dhs): each step's (dA_t, dh_{t−1}) as in ``GRU.backward`` with
    dh_next = dhs_t + the carried dh; dWh sums h_{t−1}ᵀ·[dz, dr] and
    (r⊙h_{t−1})ᵀ·dĥ over the steps. Wx (D, 3H); Wh (H, 3H); b (3H,). Caches xs,
    the initial h, the gates z, r, ĥ and hs.
    """

    gates = 3

    def forward(self, xs: npt.ArrayLike) -> np.ndarray:
        xs_tm = self._sequence(xs)
        T, N, _ = xs_tm.shape
        H = self.hidden_size
        h0 = self._initial("h", N)
        xa_tm = self._projected(xs_tm)
        gates_tm = np.empty((T, N, 3 * H), dtype=xa_tm.dtype)  # z, r, ĥ of each step
        hs_tm = np.empty((T, N, H), dtype=xa_tm.dtype)
        h = h0
        for t in range(T):
            h_next, (z, r, h_hat) = gru_step(xa_tm[t], h, self.Wh)
            gates_tm[t, :, :H], gates_tm[t, :, H:2 * H], gates_tm[t, :, 2 * H:] = z, r, h_hat
            hs_tm[t] = h = h_next
        self.h = h.copy()
        self.cache = (xs_tm, h0, gates_tm, hs_tm)
        return self._finish_forward(hs_tm)

    def backward(self, dhs: npt.ArrayLike) -> np.ndarray:
        dhs_tm = self._dhs(dhs)
        xs_tm, h0, gates_tm, hs_tm = self._cached(self.cache)
        H = self.hidden_size
        dA_tm = np.empty_like(gates_tm)
        dh = np.zeros_like(h0)
        for t in reversed(range(len(hs_tm))):
            g = gates_tm[t]
            h_prev = hs_tm[t - 1] if t > 0 else h0
            dA_tm[t], dh = gru_backward_step(dhs_tm[t] + dh, h_prev, g[:, :H], g[:, H:2 * H], g[:, 2 * H:], self.Wh)
        self.dh = dh
        h_prev = _previous(h0, hs_tm)
        dA = dA_tm.reshape(-1, 3 * H)
        np.matmul(h_prev.T, dA[:, :2 * H], out=self.dWh[:, :2 * H])
        np.matmul((gates_tm[:, :, H:2 * H].reshape(-1, H) * h_prev).T, dA[:, 2 * H:], out=self.dWh[:, 2 * H:])
        return self._input_grads(xs_tm, dA_tm)


class TimeBiLSTM(SequenceLayer):
    """Two TimeLSTMs, one reading xs forwards and one backwards; hs = [hs_fwd, hs_bwd] (N, T, 2H).

    backward(dhs): the first H channels go to the forward LSTM, the last H to
    the backward one (reversed in time); dxs is the sum of both. Parameters
    Wx1, Wh1, b1 (forward) then Wx2, Wh2, b2 (backward), each as in TimeLSTM.
    """

    param_names = ("Wx1", "Wh1", "b1", "Wx2", "Wh2", "b2")
    dims = {"Wx1": ("D",), "Wh1": ("H",)}

    def __init__(self, Wx1: npt.ArrayLike, Wh1: npt.ArrayLike, b1: npt.ArrayLike, Wx2: npt.ArrayLike,
                 Wh2: npt.ArrayLike, b2: npt.ArrayLike, stateful: bool = False) -> None:
        self.forward_lstm = TimeLSTM(Wx1, Wh1, b1, stateful)
        self.backward_lstm = TimeLSTM(Wx2, Wh2, b2, stateful)

    def __getattr__(self, name: str) -> np.ndarray:  # Wx1 … b2 and dWx1 … db2 are the two LSTMs' own arrays
        for suffix, part in (("1", "forward_lstm"), ("2", "backward_lstm")):
            if name.endswith(suffix) and name[:-1] in ("Wx", "Wh", "b", "dWx", "dWh", "db"):
                return getattr(self.__dict__[part], name[:-1])
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    @property
    def params(self) -> ParamList:
        return ParamList(self.param_names, self.forward_lstm.params + self.backward_lstm.params)

    @property
    def grads(self) -> ParamList:
        return ParamList(self.param_names, self.forward_lstm.grads + self.backward_lstm.grads)

    def forward(self, xs: npt.ArrayLike) -> np.ndarray:
        forwards = self.forward_lstm.forward(xs)
        backwards = self.backward_lstm.forward(np.asarray(xs)[:, ::-1])[:, ::-1]
        return np.concatenate([forwards, backwards], axis=2)

    def backward(self, dhs: npt.ArrayLike) -> np.ndarray:
        H = self.forward_lstm.hidden_size
        d = np.asarray(dhs)
        if d.ndim != 3 or d.shape[2] != 2 * H:
            raise ValueError(f"{self._name}.backward expected dhs of shape (N, T, {2 * H}), got {d.shape}")
        dxs = self.forward_lstm.backward(d[:, :, :H])
        dxs = dxs + self.backward_lstm.backward(d[:, ::-1, H:])[:, ::-1]
        return dxs
