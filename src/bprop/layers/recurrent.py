"""Book 2's recurrent cells, one time step each: RNN (§5.3), LSTM (§6.3), GRU (appendix C).

Each cell takes the book's ``(Wx, Wh, b)``; ``forward(x, h_prev[, c_prev])``
gives the next state and ``backward(dh_next[, dc_next])`` the gradients of
the step's inputs, leaving the parameters' gradients in ``dWx``, ``dWh``,
``db`` (``grads``, book 2's list form, written in place). Shapes: x (N, D);
h, c (N, H); Wx (D, kH); Wh (H, kH); b (kH,) with k = 1 (RNN), 4 (LSTM), 3 (GRU).

Gate order. The LSTM's pre-activation A = x·Wx + h_prev·Wh + b (N, 4H) is
sliced as the book slices it: f, g, i, o (forget, candidate, input, output).
torch.nn.LSTM orders its rows i, f, g, o: the blocks map by a permutation and
the same weights give the same numbers (tests/layers/test_recurrent.py). The
GRU is the book's, Cho et al.'s original: its slices are z, r, ĥ and the reset
gate multiplies h_prev *before* the hidden matmul, (r⊙h)·Whh; torch.nn.GRU
applies it after, r⊙(h·Whh + b_hn), which is another function, so the book's
GRU is checked against central differences and against the same formula
written in torch.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from bprop.functions import sigmoid
from bprop.layers.base import SequenceLayer, as_float_array

__all__ = ["RNN", "LSTM", "GRU"]


class _RecurrentWeights(SequenceLayer):
    """What a cell and its Time layer share: the weights (Wx, Wh, b) for ``gates`` blocks of H, their gradients."""

    param_names = ("Wx", "Wh", "b")
    dims = {"Wx": ("D",), "Wh": ("H",)}  # repr: LSTM(D=4, H=3)
    gates = 1
    Wx: np.ndarray
    Wh: np.ndarray
    b: np.ndarray
    dWx: np.ndarray
    dWh: np.ndarray
    db: np.ndarray


class _Cell(_RecurrentWeights):
    """Shared by the cells: the weights (``_RecurrentWeights``), input checks, gradient writes."""

    cache: tuple[np.ndarray, ...] | None  # what the cell's backward needs (see each cell)

    def __init__(self, Wx: npt.ArrayLike, Wh: npt.ArrayLike, b: npt.ArrayLike) -> None:
        self.Wx, self.Wh, self.b = recurrent_weights(Wx, Wh, b, self.gates, self._name)
        self._zero_grads()
        self.cache = None

    @property
    def hidden_size(self) -> int:
        return self.Wh.shape[0]

    def _inputs(self, x: npt.ArrayLike, *states: npt.ArrayLike) -> tuple[np.ndarray, ...]:
        """x (N, D) and each state (N, H), in the weights' dtype, N agreeing."""
        D, H = self.Wx.shape[0], self.hidden_size
        x = self._array(x, "x", (None, D), "(N, D)")
        names = ("h_prev", "c_prev")
        checked = [self._array(s, names[i], (len(x), H), "(N, H)") for i, s in enumerate(states)]
        return x, *checked

    def _write_grads(self, x: np.ndarray, h_prev: np.ndarray, dA: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """dWx = xᵀ·dA, dWh = h_prevᵀ·dA, db = Σ_n dA (in place); returns dx = dA·Wxᵀ and dA·Whᵀ."""
        np.matmul(x.T, dA, out=self.dWx)
        np.matmul(h_prev.T, dA, out=self.dWh)
        np.sum(dA, axis=0, out=self.db)
        return dA @ self.Wx.T, dA @ self.Wh.T


def recurrent_weights(Wx: npt.ArrayLike, Wh: npt.ArrayLike, b: npt.ArrayLike, gates: int,
                      owner: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Wx (D, gates·H), Wh (H, gates·H), b (gates·H,) as float arrays of Wx's dtype, or ValueError naming them."""
    Wx = as_float_array(Wx, "Wx", owner)
    Wh = as_float_array(Wh, "Wh", owner).astype(Wx.dtype, copy=False)
    b = as_float_array(b, "b", owner).astype(Wx.dtype, copy=False)
    blocks = f"{gates}·H" if gates > 1 else "H"
    if Wh.ndim != 2 or Wh.shape[1] != gates * Wh.shape[0] or Wx.ndim != 2 or Wx.shape[1] != Wh.shape[1] \
            or b.shape != (Wh.shape[1],):
        raise ValueError(f"{owner} expected Wx of shape (D, {blocks}), Wh of shape (H, {blocks}) and b of shape "
                         f"({blocks},), got Wx {Wx.shape}, Wh {Wh.shape} and b {b.shape}")
    return Wx, Wh, b


class RNN(_Cell):
    """RNN cell (book 2 §5.3): h_next = tanh(x·Wx + h_prev·Wh + b).

    backward(dh_next): da = dh_next·(1 − h_next²); dWx = xᵀ·da; dWh = h_prevᵀ·da;
    db = Σ_n da; returns dx = da·Wxᵀ and dh_prev = da·Whᵀ.
    x (N, D); h_prev, h_next, dh_next (N, H); Wx (D, H); Wh (H, H); b (H,).
    No warnings at ±1000. Caches x, h_prev, h_next.
    """

    def forward(self, x: npt.ArrayLike, h_prev: npt.ArrayLike) -> np.ndarray:
        x, h_prev = self._inputs(x, h_prev)
        h_next = np.tanh(x @ self.Wx + h_prev @ self.Wh + self.b)
        self.cache = (x, h_prev, h_next)
        self._out_shapes, self._out_dtype = [("dh_next", h_next.shape)], h_next.dtype
        return h_next

    def backward(self, dh_next: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        (dh_next,) = self._douts(dh_next)
        x, h_prev, h_next = self._cached(self.cache)
        da = dh_next * (1 - h_next * h_next)
        return self._write_grads(x, h_prev, da)


class LSTM(_Cell):
    """LSTM cell (book 2 §6.3), the book's gate order f, g, i, o.

    A = x·Wx + h_prev·Wh + b, split in four (N, H) blocks:
    f = σ(A_f), g = tanh(A_g), i = σ(A_i), o = σ(A_o);
    c_next = f⊙c_prev + g⊙i;  h_next = o⊙tanh(c_next).

    backward(dh_next, dc_next): with t = tanh(c_next) and
    ds = dc_next + dh_next⊙o⊙(1 − t²): dc_prev = ds⊙f and
    dA = [ds⊙c_prev·f(1−f), ds⊙i·(1−g²), ds⊙g·i(1−i), dh_next⊙t·o(1−o)];
    dWx = xᵀ·dA, dWh = h_prevᵀ·dA, db = Σ_n dA; returns (dx, dh_prev, dc_prev)
    = (dA·Wxᵀ, dA·Whᵀ, ds⊙f).
    x (N, D); h, c (N, H); Wx (D, 4H); Wh (H, 4H); b (4H,). forward returns
    (h_next, c_next). Caches x, h_prev, c_prev, the gates and tanh(c_next).
    """

    gates = 4

    def forward(self, x: npt.ArrayLike, h_prev: npt.ArrayLike,
                c_prev: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        x, h_prev, c_prev = self._inputs(x, h_prev, c_prev)
        H = self.hidden_size
        A = x @ self.Wx
        A += h_prev @ self.Wh
        A += self.b
        f, g, i, o = lstm_gates(A, H)
        c_next = f * c_prev + g * i
        tanh_c = np.tanh(c_next)
        h_next = o * tanh_c
        self.cache = (x, h_prev, c_prev, f, g, i, o, tanh_c)
        self._out_shapes = [("dh_next", h_next.shape), ("dc_next", c_next.shape)]
        self._out_dtype = h_next.dtype
        return h_next, c_next

    def backward(self, dh_next: npt.ArrayLike,
                 dc_next: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        dh_next, dc_next = self._douts(dh_next, dc_next)
        x, h_prev, c_prev, f, g, i, o, tanh_c = self._cached(self.cache)
        dA, dc_prev = lstm_backward_step(dh_next, dc_next, c_prev, f, g, i, o, tanh_c)
        dx, dh_prev = self._write_grads(x, h_prev, dA)
        return dx, dh_prev, dc_prev


def lstm_gates(A: np.ndarray, H: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(f, g, i, o) from the pre-activation A (…, 4H), the book's order: σ, tanh, σ, σ."""
    f = sigmoid(A[..., :H])
    g = np.tanh(A[..., H:2 * H])
    i = sigmoid(A[..., 2 * H:3 * H])
    o = sigmoid(A[..., 3 * H:])
    return f, g, i, o


def lstm_gates_in_place(A: np.ndarray, H: int) -> np.ndarray:
    """A (N, 4H) replaced by its gates f, g, i, o — what ``lstm_gates`` returns, with no new arrays.

    i and o are adjacent, so two sigmoid calls and one tanh cover the four blocks.
    """
    _sigmoid_in_place(A[:, :H])
    np.tanh(A[:, H:2 * H], out=A[:, H:2 * H])
    _sigmoid_in_place(A[:, 2 * H:])
    return A


def _sigmoid_in_place(a: np.ndarray) -> None:
    """a ← 1/(1 + exp(−a)); exp overflows to inf for large −a and 1/inf is the exact limit 0."""
    np.negative(a, out=a)
    with np.errstate(over="ignore"):
        np.exp(a, out=a)
    a += 1
    np.reciprocal(a, out=a)


def lstm_backward_step(dh_next: np.ndarray, dc_next: np.ndarray, c_prev: np.ndarray, f: np.ndarray,
                       g: np.ndarray, i: np.ndarray, o: np.ndarray,
                       tanh_c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(dA, dc_prev) of one LSTM step; see LSTM's docstring for the formulas."""
    ds = dh_next * o * (1 - tanh_c * tanh_c)
    ds += dc_next
    dA = np.concatenate([ds * c_prev * f * (1 - f), ds * i * (1 - g * g), ds * g * i * (1 - i),
                         dh_next * tanh_c * o * (1 - o)], axis=-1)
    return dA, ds * f


class GRU(_Cell):
    """GRU cell (book 2 appendix C), the book's blocks z, r, ĥ.

    z = σ(x·Wxz + h_prev·Whz + bz);  r = σ(x·Wxr + h_prev·Whr + br)
    ĥ = tanh(x·Wxh + (r⊙h_prev)·Whh + bh);  h_next = (1 − z)⊙h_prev + z⊙ĥ

    backward(dh_next): dt = dh_next⊙z⊙(1 − ĥ²) (ĥ's pre-activation),
    dz = dh_next⊙(ĥ − h_prev)·z(1−z), dr = (dt·Whhᵀ)⊙h_prev·r(1−r);
    dWx = xᵀ·[dz, dr, dt]; dWh = [h_prevᵀ·dz, h_prevᵀ·dr, (r⊙h_prev)ᵀ·dt];
    db = Σ_n [dz, dr, dt]; dx = [dz, dr, dt]·Wxᵀ;
    dh_prev = dh_next⊙(1 − z) + [dz, dr]·[Whz, Whr]ᵀ + r⊙(dt·Whhᵀ).
    x (N, D); h (N, H); Wx (D, 3H); Wh (H, 3H); b (3H,). Returns (dx, dh_prev).
    The reset gate acts before Whh, as in the book and Cho et al. (2014), not
    after as in torch.nn.GRU. Caches x, h_prev, z, r, ĥ.
    """

    gates = 3

    def forward(self, x: npt.ArrayLike, h_prev: npt.ArrayLike) -> np.ndarray:
        x, h_prev = self._inputs(x, h_prev)
        h_next, cache = gru_step(x @ self.Wx + self.b, h_prev, self.Wh)
        self.cache = (x, h_prev, *cache)
        self._out_shapes, self._out_dtype = [("dh_next", h_next.shape)], h_next.dtype
        return h_next

    def backward(self, dh_next: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        (dh_next,) = self._douts(dh_next)
        x, h_prev, z, r, h_hat = self._cached(self.cache)
        dA, dh_prev = gru_backward_step(dh_next, h_prev, z, r, h_hat, self.Wh)
        H = self.hidden_size
        np.matmul(x.T, dA, out=self.dWx)
        np.matmul(h_prev.T, dA[:, :2 * H], out=self.dWh[:, :2 * H])
        np.matmul((r * h_prev).T, dA[:, 2 * H:], out=self.dWh[:, 2 * H:])
        np.sum(dA, axis=0, out=self.db)
        return dA @ self.Wx.T, dh_prev


def gru_step(xa: np.ndarray, h_prev: np.ndarray,
             Wh: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """One GRU step from xa = x·Wx + b (N, 3H): (h_next, (z, r, ĥ))."""
    H = Wh.shape[0]
    zr = xa[:, :2 * H] + h_prev @ Wh[:, :2 * H]
    z, r = sigmoid(zr[:, :H]), sigmoid(zr[:, H:])
    h_hat = np.tanh(xa[:, 2 * H:] + (r * h_prev) @ Wh[:, 2 * H:])
    h_next = h_prev + z * (h_hat - h_prev)
    return h_next, (z, r, h_hat)


def gru_backward_step(dh_next: np.ndarray, h_prev: np.ndarray, z: np.ndarray, r: np.ndarray, h_hat: np.ndarray,
                      Wh: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(dA = [dz, dr, dt] of the pre-activations (N, 3H), dh_prev) of one GRU step."""
    H = Wh.shape[0]
    dt = dh_next * z * (1 - h_hat * h_hat)
    dhr = dt @ Wh[:, 2 * H:].T
    dz = dh_next * (h_hat - h_prev) * z * (1 - z)
    dr = dhr * h_prev * r * (1 - r)
    dA = np.concatenate([dz, dr, dt], axis=1)
    dh_prev = dh_next * (1 - z) + dA[:, :2 * H] @ Wh[:, :2 * H].T + r * dhr
    return dA, dh_prev
