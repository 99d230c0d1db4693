"""What every optimizer shares: argument checks, per-key state, tied weights, state_dict.

``_Optimizer`` is the base class: ``update(params, grads)`` walks the
(key, parameter, gradient) triples of ``_merged`` and calls the subclass's
``_step`` on each; ``state_dict`` / ``load_state_dict`` read the subclass's
``_STATE`` and ``_COUNTERS`` names. ``merge_tied`` is ``_merged`` for callers
that clip gradients before the update (book 2's trainer).
"""

from __future__ import annotations

import inspect

import numpy as np

from bprop._checks import real
from bprop._tying import earlier_copies
from bprop._types import Params

__all__ = ["merge_tied"]


class _Optimizer:
    """Shared: argument checks, per-key state and a scratch buffer per key.

    ``_scratch(key, p)`` is an array of p's shape and dtype owned by the
    optimizer, so a step allocates nothing: fresh arrays over glibc's mmap
    threshold (128 kB; W1 of 784×50 float32 is 157 kB) cost page faults on
    every step (bench/train_mlp.py).

    Subclasses name their per-key state dicts in ``_STATE`` ("v", "h", "m") and
    their step counters in ``_COUNTERS`` (Adam's "iter"), for ``state_dict``.
    """

    _STATE: tuple[str, ...] = ()
    _COUNTERS: tuple[str, ...] = ()

    eps: float  # AdaGrad's and RMSprop's, read by _scaled_step

    def __init__(self, lr: float) -> None:
        self.lr = real(lr, "lr", 0.0, open_low=True)
        self._buffers: dict[str, np.ndarray] = {}

    def update(self, params: Params, grads: Params) -> None:
        for key, p, g in _merged(type(self).__name__, params, grads):
            self._step(key, p, g)

    def __repr__(self) -> str:
        """The constructor call with the hyperparameters now: ``Adam(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-08)``."""
        values = {name: getattr(self, name) for name in _hyperparameter_names(type(self))}
        args = ", ".join(f"{k}={v.item() if isinstance(v, np.generic) else v!r}" for k, v in values.items())
        return f"{type(self).__name__}({args})"

    def state_dict(self) -> dict:
        """{"type", "hyperparameters", "counters", "state": {name: {key: array}}}, the arrays copied.

        A snapshot: later updates leave it as it was (the state arrays are
        updated in place, so uncopied ones would drift from the counters).
        """
        return {
            "type": type(self).__name__,
            "hyperparameters": {name: getattr(self, name) for name in _hyperparameter_names(type(self))},
            "counters": {name: getattr(self, name) for name in self._COUNTERS},
            "state": {name: {key: a.copy() for key, a in getattr(self, name).items()} for name in self._STATE},
        }

    def load_state_dict(self, state) -> None:
        """Take the hyperparameters, counters and state of ``state_dict()``; copies the arrays.

        Everything is checked first — the type, each hyperparameter as the
        constructor checks it, counters as integers >= 0, state arrays as
        finite floats — and on any error (ValueError, naming the part) the
        optimizer is left as it was.
        """
        name = type(self).__name__
        if not isinstance(state, dict) or state.get("type") != name:
            found = state.get("type") if isinstance(state, dict) else type(state).__name__
            raise ValueError(f"{name}.load_state_dict expects the state of a {name}, got {found!r}")
        hyper = state.get("hyperparameters")
        if not isinstance(hyper, dict) or set(hyper) != set(_hyperparameter_names(type(self))):
            raise ValueError(f"{name}.load_state_dict: hyperparameters must be "
                             f"{list(_hyperparameter_names(type(self)))}, got {hyper!r}")
        try:
            checked = type(self)(**hyper)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name}.load_state_dict: {exc}") from None
        counters = _counters(name, state.get("counters"), self._COUNTERS)
        stores = _stores(name, state.get("state"), self._STATE)
        for key in hyper:
            setattr(self, key, getattr(checked, key))
        for key, value in counters.items():
            setattr(self, key, value)
        for key, store in stores.items():
            setattr(self, key, store)
        self._buffers = {}

    def _state(self, store: dict, key: str, p: np.ndarray) -> np.ndarray:
        s = store.get(key)
        if s is None or s.shape != p.shape or s.dtype != p.dtype:
            s = store[key] = np.zeros_like(p)
        return s

    def _scratch(self, key: str, p: np.ndarray) -> np.ndarray:
        return self._state(self._buffers, key, p)

    def _step(self, key: str, p: np.ndarray, g: np.ndarray) -> None:
        raise NotImplementedError

    def _scaled_step(self, p, g, h, buf) -> None:
        """p ← p − lr·g / (√h + eps), through buf (AdaGrad's and RMSprop's common step)."""
        np.sqrt(h, out=buf)
        buf += self.eps
        np.divide(g, buf, out=buf, casting="same_kind")
        buf *= self.lr
        p -= buf


def merge_tied(params: Params, grads: Params) -> tuple[list, list]:
    """(params, grads) as lists with each tied weight once and its gradients summed (see ``_merged``).

    What book 2's trainer does with ``remove_duplicate`` before clipping: the
    global norm is then that of the gradient each weight really receives.
    """
    kept = _merged("merge_tied", params, grads)
    return [p for _, p, _ in kept], [g for _, _, g in kept]


def _merged(owner: str, params, grads) -> list[tuple]:
    """(key, parameter, gradient) once per distinct array, after checking each pair.

    params and grads: dicts keyed alike (book 1) or lists in one order (book 2,
    keys 0, 1, …). An array listed twice — book 2's weight tying, where the
    decoder's Affine holds the Embedding's W or its transpose ``W.T`` — is
    updated once, with the sum of its gradients (transposed back for ``W.T``):
    updating both entries in place would move the shared weights twice.
    """
    if isinstance(params, (list, tuple)):
        if not isinstance(grads, (list, tuple)) or len(grads) != len(params):
            raise ValueError(f"{owner}.update expects grads as a list like params ({len(params)} arrays), got "
                             f"{type(grads).__name__}" + (f" of {len(grads)}" if hasattr(grads, "__len__") else ""))
        entries = [(i, p, grads[i]) for i, p in enumerate(params)]
    else:
        entries = [(key, params[key], grads.get(key) if hasattr(grads, "get") else grads[key]) for key in params]
    for key, p, g in entries:
        if g is None:
            raise ValueError(f"{owner}.update got no gradient for {key!r}; run net.gradient(x, t) first")
        if np.shape(g) != np.shape(p):
            raise ValueError(f"{owner}.update: grads[{key!r}] has shape {np.shape(g)}, params[{key!r}] has shape "
                             f"{np.shape(p)}")
        if not isinstance(p, np.ndarray) or not p.flags.writeable:
            raise TypeError(f"{owner}.update needs params[{key!r}] as a writable NumPy array (it is updated in place)")
    kept: dict[int, list] = {}  # index of a weight's first entry → [key, parameter, summed gradient]
    for i, ((key, p, g), copy) in enumerate(zip(entries, earlier_copies([p for _, p, _ in entries]))):
        g = np.asarray(g)
        if copy is None:
            kept[i] = [key, p, g]
        else:
            first, tie = copy
            kept[first][2] = kept[first][2] + (g if tie == "same" else g.T)
    return [tuple(entry) for entry in kept.values()]


def _hyperparameter_names(cls) -> tuple[str, ...]:
    """The constructor's arguments (lr, momentum, …): what an optimizer's behaviour depends on."""
    return tuple(inspect.signature(cls.__init__).parameters)[1:]


def _counters(name: str, counters, wanted: tuple[str, ...]) -> dict:
    if not isinstance(counters, dict) or set(counters) != set(wanted):
        raise ValueError(f"{name}.load_state_dict: counters must be {list(wanted)}, got {counters!r}")
    for key, value in counters.items():
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"{name}.load_state_dict: counter {key!r} must be an integer >= 0, got {value!r}")
    return {key: int(value) for key, value in counters.items()}


def _stores(name: str, state, wanted: tuple[str, ...]) -> dict:
    """{store name: {key: a float copy}} after checking each array."""
    if not isinstance(state, dict) or set(state) != set(wanted):
        raise ValueError(f"{name}.load_state_dict: state must hold {list(wanted)}, got "
                         f"{sorted(state) if isinstance(state, dict) else state!r}")
    stores = {}
    for store_name, store in state.items():
        if not isinstance(store, dict):
            raise ValueError(f"{name}.load_state_dict: state {store_name!r} must map parameter names to arrays")
        for key, a in store.items():
            if not isinstance(a, np.ndarray) or a.dtype.kind != "f" or not np.all(np.isfinite(a)):
                raise ValueError(f"{name}.load_state_dict: {store_name}[{key!r}] must be a finite float array, "
                                 f"got {type(a).__name__} {getattr(a, 'dtype', '')}".rstrip())
        stores[store_name] = {key: np.array(a) for key, a in store.items()}
    return stores
