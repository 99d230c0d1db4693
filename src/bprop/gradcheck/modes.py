"""Train and test mode, and randomness: what ``check_layer`` does for Dropout and BatchNormalization.

A layer whose forward takes a mode (the book's ``forward(x, train_flg=True)``),
or that keeps it as an attribute (book 2's TimeDropout: ``layer.train_flg = False``),
is checked in both. In training mode everything is checked, gradients too: a
random layer gets the same randomness on every call (``Replay``: NumPy's global
state, every Generator or RandomState the layer holds, and ``np.random.default_rng()``
without a seed, each restored before each forward), so Dropout's mask is the
same in every central difference. Test mode is inference: forward is checked
(finite, deterministic, inputs untouched, the running averages left alone) and
its value against the training mode's form:

- Dropout: the book's form keeps x where the mask is 1 in training and scales
  by (1 − ratio) in test mode; inverted dropout divides by (1 − ratio) in
  training and passes x through in test mode. Either is right.
- BatchNormalization: y = γ·(x − running_mean)/√(running_var + ε) + β, per
  element (the book: (N, C, H, W) flattened to (N, C·H·W)) or per channel (torch).
  In training mode the running averages must move, as m·old + (1 − m)·batch mean.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
from typing import Any

import numpy as np

from bprop.gradcheck.build import MODE_NAMES
from bprop.gradcheck.calls import Stop, call

__all__ = ["mode_keyword", "mode_attribute", "Replay", "state_arrays", "running_average_finding", "dropout_finding",
           "dropout_fraction_finding", "batchnorm_test_finding"]

_RANDOM_TYPES = (np.random.Generator, np.random.RandomState)


def mode_keyword(layer: Any, given: int) -> str | None:
    """The name of forward's train/test argument (train_flg, train, training …), or None when it has
    none or the ``given`` inputs already pass it (``check_layer(layer, x, False)``)."""
    try:
        parameters = list(inspect.signature(layer.forward).parameters)
    except (TypeError, ValueError):
        return None
    position = next((i for i, name in enumerate(parameters) if name.lower() in MODE_NAMES), None)
    return None if position is None or position < given else parameters[position]


def mode_attribute(layer: Any) -> str | None:
    """The name of a train/test flag the layer keeps as an attribute (book 2's ``self.train_flg = True``, set by
    its models before a forward), or None."""
    attrs = getattr(layer, "__dict__", {})
    return next((name for name, value in attrs.items()
                 if name.lower() in MODE_NAMES and isinstance(value, (bool, np.bool_))), None)


class Replay:
    """Makes every forward draw the same random numbers: ``with replay(layer): layer.forward(x)``.

    Saves NumPy's global state and the layer's own generators when made;
    ``restore()`` puts the caller's global state back at the end of the check.
    """

    def __init__(self, layer: Any) -> None:
        self.state = np.random.get_state()
        self.generators = {path: copy.deepcopy(value) for path, value in _generators(layer)}

    @contextlib.contextmanager
    def __call__(self, layer):
        np.random.set_state(self.state)
        for path, generator in self.generators.items():
            owner = layer
            for name in path[:-1]:  # the generator of a part: NegativeSamplingLoss's sampler.rng
                owner = getattr(owner, name, None)
            if owner is not None:
                setattr(owner, path[-1], copy.deepcopy(generator))
        original = np.random.default_rng

        def seeded(seed=None, *args, **kwargs):
            return original(0 if seed is None else seed, *args, **kwargs)

        np.random.default_rng = seeded
        try:
            yield
        finally:
            np.random.default_rng = original

    def restore(self) -> None:
        np.random.set_state(self.state)


def _attributes(layer):
    return list(getattr(layer, "__dict__", {}).items())


def _generators(layer, depth: int = 2):
    """(attribute path, generator) for each Generator or RandomState the layer holds, or a part of it holds."""
    for name, value in _attributes(layer):
        if isinstance(value, _RANDOM_TYPES):
            yield (name,), value
        elif depth > 1 and not isinstance(value, (np.ndarray, type)) and hasattr(value, "__dict__"):
            yield from (((name, *path), g) for path, g in _generators(value, depth - 1))


def state_arrays(layer: Any) -> dict[str, np.ndarray | None]:
    """The running statistics a layer keeps: attributes named running_* (arrays, or None before the first forward)."""
    return {name: (None if value is None else np.array(value, dtype=np.float64))
            for name, value in _attributes(layer) if name.lower().startswith("running")
            and (value is None or isinstance(value, np.ndarray))}


def running_average_finding(layer: Any, before: dict, after: dict, x: np.ndarray) -> tuple[str, str, dict] | None:
    """(status, key, params) for how running_mean moved in one training-mode forward of x, or None."""
    if "running_mean" not in after:
        return None
    new, old = after["running_mean"], before.get("running_mean")
    if new is None or (old is not None and np.array_equal(old, new)):
        return "fail", "mode.running_still", {"name": "running_mean"}
    old = np.zeros_like(new) if old is None or old.shape != new.shape else old
    mean = _batch_mean(x, new.shape)
    if mean is None:
        return "note", "mode.running_moved", {}
    m = float(getattr(layer, "momentum", 0.9))
    if np.allclose(new, m * old + (1 - m) * mean, rtol=1e-6, atol=1e-9):
        return "pass", "mode.running_ok", {"m": m}
    if np.allclose(new, (1 - m) * old + m * mean, rtol=1e-6, atol=1e-9):
        return "fail", "mode.running_swapped", {"m": m}
    return "note", "mode.running_moved", {}


def _batch_mean(x, shape):
    """The batch mean of x per element or per channel, whichever has ``shape``."""
    flat = x.reshape(x.shape[0], -1)
    if flat.shape[1:] == shape:
        return flat.mean(axis=0)
    if x.ndim == 4 and (x.shape[1],) == shape:
        return x.mean(axis=(0, 2, 3))
    if x.ndim >= 2 and x.shape[1:] == shape:
        return x.mean(axis=0)
    return None


def dropout_finding(x: np.ndarray, y_train: np.ndarray, y_test: np.ndarray,
                    ratio: float | None) -> tuple[str, str, dict]:
    """(status, key, params) comparing test mode with training mode's form (the book's or inverted).

    The training output's kept values tell the form: y = x (the book's) or
    y = x / (1 − ratio) (inverted). ``ratio`` is the layer's dropout ratio if it has one.
    """
    kept = (y_train != 0) & (x != 0)
    if not kept.any():
        return "fail", "mode.dropout_all", {}
    scale = float(np.median(y_train[kept] / x[kept]))
    if ratio is None:
        ratio = 1 - 1 / scale if scale > 1 else None
    if abs(scale - 1) < 1e-6:
        if ratio is not None and np.allclose(y_test, x * (1 - ratio)):
            return "pass", "mode.dropout_book", {"keep": 1 - ratio}
        if np.allclose(y_test, x):
            return "fail", "mode.dropout_no_scale", {"keep": 1 - ratio if ratio is not None else 0.5}
        return "fail", "mode.dropout_test_wrong", {}
    if np.allclose(y_test, x):
        return "pass", "mode.dropout_inverted", {"scale": scale}
    return "fail", "mode.dropout_double", {"scale": scale}


def dropout_fraction_finding(layer: Any, mode: str, ratio: float | None,
                             attribute: bool = False) -> tuple[str, str, dict] | None:
    """(status, key, params): the share of units a training-mode forward drops, against the ratio; or None.
    ``mode`` is forward's keyword, or the layer's attribute when ``attribute``."""
    if ratio is None or not 0 < ratio < 1 or abs(ratio - 0.5) < 0.1:
        return None
    x = np.ones((100, 100))

    def training():
        lay = copy.deepcopy(layer)
        if attribute:
            setattr(lay, mode, True)
            return lay.forward(x)
        return lay.forward(x, **{mode: True})

    try:
        y, _ = call("forward", training)
    except Stop:
        return None
    dropped = float(np.mean(np.asarray(y) == 0))
    if abs(dropped - ratio) <= 0.05:
        return "pass", "mode.dropout_fraction_ok", {"dropped": dropped, "ratio": ratio}
    if abs(dropped - (1 - ratio)) <= 0.05:
        return "fail", "mode.dropout_fraction_swapped", {"dropped": dropped, "ratio": ratio}
    return "fail", "mode.dropout_fraction_off", {"dropped": dropped, "ratio": ratio}


def batchnorm_test_finding(layer: Any, x: np.ndarray, y_test: np.ndarray) -> tuple[str, str, dict] | None:
    """(status, key, params): test mode against γ·(x − running_mean)/√(running_var + ε) + β, or None."""
    gamma, beta = getattr(layer, "gamma", None), getattr(layer, "beta", None)
    mean, var = getattr(layer, "running_mean", None), getattr(layer, "running_var", None)
    if not all(isinstance(v, np.ndarray) for v in (gamma, beta, mean, var)):
        return None
    for eps in (_eps(layer), 1e-7, 1e-6, 1e-5, 1e-8, 1e-3):  # the learner's ε may be a literal in forward
        for form, want in _normalised(x, gamma, beta, mean, var, eps):
            if np.allclose(np.reshape(y_test, np.shape(want)), want, rtol=1e-5, atol=1e-7):
                return "pass", "mode.bn_test_ok", {"form": form}
    return "fail", "mode.bn_test_wrong", {}


def _normalised(x, gamma, beta, mean, var, eps):
    """(form, γ·(x − mean)/√(var + ε) + β) per element (the book's (N, D) view) and, for images, per channel."""
    with np.errstate(all="ignore"):
        if gamma.size == x[0].size == mean.size == var.size:
            xs = x.reshape(x.shape[0], -1)
            yield "per element", gamma.ravel() * (xs - mean.ravel()) / np.sqrt(var.ravel() + eps) + beta.ravel()
        if x.ndim == 4 and gamma.size == x.shape[1] == mean.size == var.size:
            c = (1, -1, 1, 1)
            yield "per channel", (gamma.reshape(c) * (x - mean.reshape(c)) / np.sqrt(var.reshape(c) + eps)
                                  + beta.reshape(c))


def _eps(layer) -> float:
    for name in ("eps", "epsilon"):
        value = getattr(layer, name, None)
        if isinstance(value, (int, float)):
            return float(value)
    return 1e-6  # the book's 10e-7
