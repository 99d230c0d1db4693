"""Causes that need to know what the layer is: its derivative's wrong forms, Affine's transposes, BatchNorm's
pieces, a loss's batch handling, dropout's and max pooling's masks, swapped gradients (book 2's recurrent and
sequence layers: ``causes_sequence``).

``specific(case, target, a, n)`` tries them before the generic rules of ``diagnose`` and returns (key, params)
or None. ``case`` describes the checked layer (``Case``): its name, input x, output y, dout, parameters. What the
layer *is* comes from its forward, not only its name: an elementwise layer's y is matched against sigmoid, tanh,
ReLU, LeakyReLU (slope fitted) and ELU (α fitted), so every hint names that layer's own derivative.
Each guess is computed exactly and named only when backward's values come within ``CLOSE`` of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from bprop.gradcheck import causes_sequence, causes_transformer
from bprop.gradcheck.compare import rel
from bprop.gradcheck.diagnose import CLOSE

__all__ = ["Case", "activation_of", "specific", "fallback", "swapped", "forward_causes", "shape_hints"]


@dataclass
class Case:
    """The checked layer as the causes see it (float64 arrays)."""

    name: str  # the class name
    x: np.ndarray  # the first input
    y: np.ndarray  # forward's output
    dout: np.ndarray
    params: dict  # 'W', 'b', 'gamma', … → arrays (attribute or params-dict names)
    labels: np.ndarray | None  # a loss's t
    unit_dout: bool
    random: bool  # a new mask on every call (Dropout)
    other: np.ndarray | None = None  # a node's second input (MulLayer's y)
    inputs: list | None = None  # every input of forward (book 2's causes read them all: x, h_prev, c_prev)
    names: list | None = None  # their names
    out_shapes: list | None = None  # forward's outputs when it returns several (LSTM); dout is them packed
    lay: object = None  # the float64 copy of the layer (its ignore_label, …)
    replay: object = None  # modes.Replay: forward's randomness again (NegativeSamplingLoss's samples)


def _sigmoid(x):
    return np.exp(-np.logaddexp(0.0, -x))


def activation_of(x: np.ndarray, y: np.ndarray) -> tuple[str, float | None] | None:
    """(kind, parameter) when y = f(x) elementwise for a known f: sigmoid, tanh, relu, leaky (slope), elu (α)."""
    if x.shape != y.shape or x.size == 0:
        return None
    with np.errstate(all="ignore"):
        for kind, f in (("sigmoid", _sigmoid), ("tanh", np.tanh), ("relu", lambda v: np.maximum(v, 0))):
            if np.allclose(y, f(x), rtol=1e-6, atol=1e-9):
                return kind, None
        neg, pos = x < 0, x > 0
        if neg.any() and np.allclose(y[pos], x[pos]):
            k = float(np.median(y[neg] / x[neg]))
            if 0 < abs(k) < 1 and np.allclose(y[neg], k * x[neg]):
                return "leaky", k
            alpha = float(np.median(y[neg] / np.expm1(x[neg])))
            if alpha > 0 and np.allclose(y[neg], alpha * np.expm1(x[neg])):
                return "elu", alpha
    return None


_NAMES = {"sigmoid": "the sigmoid", "tanh": "tanh", "relu": "ReLU", "leaky": "LeakyReLU", "elu": "ELU"}
_RIGHT = {"sigmoid": "y·(1 − y)", "tanh": "1 − y²", "relu": "1 where x > 0, else 0",
          "leaky": "1 where x > 0, and the slope {p:g} on the negative side (x ≤ 0)",
          "elu": "1 where x > 0, and out + alpha on the negative side (alpha = {p:g})"}


def _activation_guesses(kind, p, x, y):
    """(what the learner wrote, its derivative factor, 'x_for_y' when x stands where y belongs, 'twice' when
    the function is applied to y again)."""
    one = np.ones_like(x)
    pos = x > 0
    guesses = {
        "sigmoid": [("dout·x·(1 − x)", x * (1 - x), "x_for_y"), ("dout·(1 − y²)", 1 - y**2, ""),
                    ("dout·σ(y)·(1 − σ(y))", _sigmoid(y) * (1 - _sigmoid(y)), "twice")],
        "tanh": [("dout·(1 − x²)", 1 - x**2, "x_for_y"), ("dout·(1 − y)", 1 - y, ""),
                 ("dout·y·(1 − y)", y * (1 - y), ""), ("dout·(1 − y)²", (1 - y) ** 2, ""),
                 ("dout·(1 + y²)", 1 + y**2, ""), ("dout·(1 − tanh(y)²)", 1 - np.tanh(y) ** 2, "twice")],
        "relu": [("dout·y", y, ""), ("dout·x", x, "x_for_y")],
        "leaky": [("dout·(x > 0)", np.where(pos, one, 0.0), ""), ("dout·1", one, ""),
                  ("the slope on the positive side", np.where(pos, p, 1.0), "")],
        "elu": [("dout·alpha on the negative side", np.where(pos, one, p), ""),
                ("dout·out on the negative side", np.where(pos, one, y), ""),
                ("dout·(x > 0)", np.where(pos, one, 0.0), ""),
                ("dout·exp(x) on the negative side", np.where(pos, one, np.exp(np.minimum(x, 0))), "")],
    }
    return guesses.get(kind, [])


def specific(case: Case, target: str, a: np.ndarray, n: np.ndarray) -> tuple[str, dict] | None:
    """(key, params) naming what is wrong with gradient ``target`` (backward a, numerical n), or None."""
    for rule in (causes_transformer.specific, causes_sequence.specific, _activation, _no_mask, _loss, _affine,
                 _batchnorm, _every_position, _node, _reordered):
        found = rule(case, target, a, n)
        if found is not None:
            return found
    return None


def _activation(case, target, a, n):
    if target != "dx" or case.params or case.labels is not None:
        return None
    found = activation_of(case.x, case.y)
    if found is None:
        return None
    kind, p = found
    right = _RIGHT[kind].format(p=p if p is not None else 0.0)
    for form, factor, slip in _activation_guesses(kind, p, case.x, case.y):
        if rel(a, case.dout * factor) < CLOSE:
            if slip:
                key = {"x_for_y": "grad.x_for_y", "twice": "grad.applied_twice"}[slip]
                return key, {"form": form, "layer": _NAMES[kind], "right": right}
            if kind == "sigmoid" and form in ("dout·y", "dout·(1 - y)"):
                return "grad.missing_factor", {"form": form}
            return "grad.wrong_derivative", {"form": form, "layer": _NAMES[kind], "right": right}
    for form, factor in (("dout·y", case.y), ("dout·(1 - y)", 1 - case.y)):
        if kind == "sigmoid" and rel(a, case.dout * factor) < CLOSE:
            return "grad.missing_factor", {"form": form}
    return None


def fallback(case: Case, target: str) -> tuple[str, dict] | None:
    """For a gradient no rule explains: (key, params) saying at least which derivative forward's function has."""
    found = activation_of(case.x, case.y) if target == "dx" and not case.params else None
    if found is None:
        return None
    kind, p = found
    return "grad.derivative_of", {"layer": _NAMES[kind], "right": _RIGHT[kind].format(p=p if p is not None else 0.0)}


def _no_mask(case, target, a, n):
    """Dropout's backward passing dout through where forward dropped the unit."""
    if not case.random or target != "d" + (case.names or ["x"])[0] or a.shape != case.dout.shape:
        return None
    dropped = np.abs(n) <= 1e-12 * max(np.max(np.abs(n)), 1e-300)
    if not dropped.any():
        return None
    d = case.dout.ravel()
    k = float(a.ravel() @ d) / float(d @ d)
    if rel(a, k * case.dout) < CLOSE:
        return "grad.no_mask", {}
    nn = float(n.ravel() @ n.ravel())
    k = float(a.ravel() @ n.ravel()) / nn if nn else 0.0
    if abs(k - 1) > 1e-3 and rel(a, k * n) < CLOSE:  # the mask applied, the scale of forward not
        return "grad.dropout_scale", {"k": k}
    return None


def _softmax(x, axis):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _loss(case, target, a, n):
    """A softmax loss: summed in forward, one-hot assumed, the softmax over the batch axis."""
    if case.labels is None or target != "dx" or case.x.ndim != 2:
        return None
    N = case.x.shape[0]
    nn = float(n.ravel() @ n.ravel())
    k = float(a.ravel() @ n.ravel()) / nn if nn else 0.0
    if case.unit_dout and N > 1 and abs(k * N - 1) < 1e-3 and rel(a, n / N) < CLOSE:
        return "grad.loss_summed", {"N": N}
    C = case.x.shape[1]
    if C != N and abs(k - N / C) < 1e-3 * N / C and rel(a, k * n) < CLOSE:
        return "grad.divided_by_classes", {"N": N, "C": C}
    t = case.labels
    if t.ndim == 1 and t.shape[0] == case.x.shape[1] and "softmax" in case.name.lower():
        with np.errstate(all="ignore"):
            guess = (_softmax(case.x, 1) - t[None, :]) / N
        if rel(a, guess * case.dout) < CLOSE:
            return "grad.onehot", {}
    if "softmax" in case.name.lower() and t.ndim == 1:
        onehot = np.eye(case.x.shape[1])[t.astype(int)]
        for scale in (1 / N, 1.0):
            if rel(a, (_softmax(case.x, 0) - onehot) * scale * case.dout) < CLOSE:
                return "grad.softmax_axis", {}
    return None


def _affine(case, target, a, n):
    """Affine y = x·W + b: dx from W instead of W.T; dW transposed (x and dout in the wrong order)."""
    W = case.params.get("W")
    if W is None or W.ndim != 2 or case.x.ndim < 2:
        return None
    x = case.x.reshape(case.x.shape[0], -1)
    if x.shape[1] != W.shape[0] or case.dout.shape != (x.shape[0], W.shape[1]):
        return None
    if target == "dx" and W.shape[0] == W.shape[1] and rel(a.reshape(x.shape), case.dout @ W) < CLOSE:
        return "grad.dx_from_w", {}
    if target == "dW" and a.shape == n.shape and a.ndim == 2 and a.shape[0] == a.shape[1]:
        if rel(a, n.T) < CLOSE:
            return "grad.dw_transposed", {}
        if x.shape[0] == x.shape[1] and rel(a, x @ case.dout) < CLOSE:
            return "grad.dw_no_xt", {}
    return None


def _batchnorm(case, target, a, n):
    """BatchNormalization: dgamma from the centred x, a 1/N missing in dx."""
    gamma = case.params.get("gamma")
    if gamma is None or case.x.ndim < 2:
        return None
    x = case.x.reshape(case.x.shape[0], -1)
    dout = case.dout.reshape(x.shape)
    if gamma.size != x.shape[1]:
        return None
    N = x.shape[0]
    xc = x - x.mean(axis=0)
    if target == "dgamma" and rel(a.ravel(), np.sum(dout * xc, axis=0)) < CLOSE:
        return "grad.bn_dgamma_xc", {}
    if target != "dx":
        return None
    for eps in (1e-7, 1e-6, 1e-5, 1e-8):
        std = np.sqrt(np.mean(xc**2, axis=0) + eps)
        for key, variant in _bn_backward_without_n(gamma.ravel(), dout, xc, std, N):
            if rel(a.reshape(x.shape), variant) < CLOSE:
                return key, {"N": N}
    return None


def _bn_backward_without_n(gamma, dout, xc, std, N):
    """(key, dx): the book's BatchNorm backward with one of its divisions by N left out, each in turn, and
    with the path through the mean left out."""
    dxn = gamma * dout
    dstd = -np.sum(dxn * xc / (std * std), axis=0)
    dvar = 0.5 * dstd / std
    for var_n, mu_n in ((1, N), (N, 1), (1, 1)):
        dxc = dxn / std + (2.0 / var_n) * xc * dvar
        yield "grad.bn_missing_n", dxc - np.sum(dxc, axis=0) / mu_n
    yield "grad.bn_no_dmu", dxn / std + (2.0 / N) * xc * dvar  # the path through the mean left out
    dxc = dxn / std  # the path through the variance left out
    yield "grad.bn_no_dvar", dxc - np.sum(dxc, axis=0) / N


def _node(case, target, a, n):
    """MulLayer z = x·y whose forward kept one input under the other's name: dx = dout·x, dy = dout·y."""
    if case.other is None or case.other.shape != case.x.shape or a.shape != case.x.shape:
        return None
    own = {"dx": case.x, "dy": case.other}.get(target)
    if own is not None and rel(a, case.dout * own) < CLOSE and rel(a, n) >= CLOSE:
        return "grad.node_own_input", {}
    return None


def _every_position(case, target, a, n):
    """Max pooling's backward sending dout to every position of the window, not only to the max."""
    if target != "dx" or a.shape != n.shape or case.params:
        return None
    tiny = 1e-12 * max(float(np.max(np.abs(n))), 1e-300)
    got, want = np.abs(a) > tiny, np.abs(n) > tiny
    if want.any() and np.all(got[want]) and got.sum() >= 2 * want.sum() and case.y.size < case.x.size:
        return "grad.every_position", {}
    return None


def _reordered(case, target, a, n):
    """The right numbers in the wrong places: a reshape or transpose in the wrong axis order."""
    if a.shape != n.shape or a.size < 2 or rel(a, n) < CLOSE:
        return None
    if rel(np.sort(a.ravel()), np.sort(n.ravel())) < CLOSE:
        W = case.params.get("W")
        if W is not None and W.ndim == 4:
            return "grad.reordered", {}
        if target == "dx" and case.y.size < case.x.size and case.x.ndim == 4 and not case.params:
            return "grad.reordered_pool", {}
        return "grad.reordered_plain", {}
    return None


def swapped(rows: dict[str, tuple[np.ndarray, np.ndarray]]) -> tuple[str, str] | None:
    """(target, other) when backward's ``target`` holds the numerical gradient of ``other`` and both fail."""
    for target, (a, n) in rows.items():
        for other, (a2, n2) in rows.items():
            if other != target and a.shape == n2.shape and rel(a, n) >= CLOSE and rel(a, n2) < CLOSE:
                return target, other
    return None


def forward_causes(ref: str, x: np.ndarray, y: np.ndarray, want: np.ndarray, lay: Any) -> list[tuple[str, dict]]:
    """Sentences naming why forward differs from bprop's ``ref``: BatchNormalization's variance with N − 1."""
    if ref != "BatchNormalization" or x.ndim != 2:
        return []
    gamma, beta = getattr(lay, "gamma", None), getattr(lay, "beta", None)
    if not isinstance(gamma, np.ndarray) or not isinstance(beta, np.ndarray) or x.shape[0] < 2:
        return []
    for eps in (1e-7, 1e-6, 1e-5, 1e-8):
        guess = gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0, ddof=1) + eps) + beta
        if rel(y, guess) < 1e-3:
            return [("reference.bn_ddof", {})]
    return []


def shape_hints(got: tuple, want: tuple, x_shape: tuple) -> list[tuple[str, dict]]:
    """Why a gradient has the wrong shape: transposed factors, np.sum without an axis, a sum over the wrong
    axis, or no sum over the batch at all (x_shape: the input's, whose first axis is the batch)."""
    batch = x_shape[0] if len(x_shape) >= 2 else None
    if len(got) == 2 and got == want[::-1]:
        return [("shape.transposed", {})]
    if got == () and len(want) == 1:
        return [("shape.summed_all", {})]
    if len(x_shape) == 3 and len(got) == len(want) == 2:  # book 2's (N, T, H): a sum over the wrong axis
        wrong, right = _summed_axis(x_shape, got), _summed_axis(x_shape, want)
        if wrong is not None and right is not None and wrong != right:
            return [("shape.sum_axis", {"wrong": wrong, "right": right})]
    if len(got) == 1 and len(want) == 1 and got[0] == batch:
        return [("shape.batch_axis", {})]
    if len(got) > len(want) == 1 and want[0] in got:
        axes = "(0, 1)" if len(x_shape) == 3 else "0" if len(got) == 2 and got[0] == batch else "(0, 2, 3)"
        return [("shape.not_summed", {"axes": axes})]
    return []


def _summed_axis(x_shape, shape):
    """The one axis k of x_shape whose sum leaves ``shape``, or None."""
    found = [k for k in range(len(x_shape)) if tuple(x_shape[:k]) + tuple(x_shape[k + 1:]) == tuple(shape)]
    return found[0] if len(found) == 1 else None
