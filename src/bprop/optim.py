"""Optimizers of the book's §6.1: SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam.

Each has the book's constructor and ``update(params, grads)``, where both are
dicts keyed alike (``net.params``, ``net.gradient(x, t)``), or book 2's lists
of arrays in one order (``model.params``, ``model.grads``; a weight listed
twice, or as its transpose, is updated once with its gradients summed)::

    optimizer = Adam(lr=0.001)
    for i in range(iters):
        grads = net.gradient(x_batch, t_batch)
        optimizer.update(net.params, grads)

``state_dict()`` gives the hyperparameters and that state as plain values and
arrays, and ``load_state_dict(state)`` restores them, so a run saved mid-way
(``bprop train --checkpoint-every``) continues step for step as if never
stopped.

``update`` changes the parameter arrays **in place** — the one sanctioned
mutation in bprop. A net's ``params`` are its layers' own arrays,
so the layers learn; a caller holding ``params['W1']`` sees the new values.
Nothing else is written: ``grads`` are left as they are. The state (velocity,
squared-gradient sums, moments) is kept per key, created on the first update
with each parameter's shape and dtype, so float32 parameters stay float32.

Each method is tested step for step against ``torch.optim`` with the same
hyperparameters (tests/test_optim.py). Where the book's formula and PyTorch's
differ, the docstring says which one is used and why.
"""

from __future__ import annotations

import inspect
import math

import numpy as np

from bprop._checks import real
from bprop._tying import earlier_copies

__all__ = ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam", "OPTIMIZERS", "merge_tied"]


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

    def __init__(self, lr: float):
        self.lr = real(lr, "lr", 0.0, open_low=True)
        self._buffers: dict[str, np.ndarray] = {}

    def update(self, params, grads) -> None:
        for key, p, g in _merged(type(self).__name__, params, grads):
            self._step(key, p, g)

    def state_dict(self) -> dict:
        """{"type", "hyperparameters", "counters", "state": {name: {key: array}}}; the arrays are not copied."""
        return {
            "type": type(self).__name__,
            "hyperparameters": {name: getattr(self, name) for name in _hyperparameter_names(type(self))},
            "counters": {name: getattr(self, name) for name in self._COUNTERS},
            "state": {name: dict(getattr(self, name)) for name in self._STATE},
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


def merge_tied(params, grads) -> tuple[list, list]:
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


class SGD(_Optimizer):
    """Stochastic gradient descent: p ← p − lr·g.

    Identical to ``torch.optim.SGD(params, lr)``.
    """

    def __init__(self, lr: float = 0.01):
        super().__init__(lr)

    def _step(self, key, p, g):
        step = np.multiply(g, self.lr, out=self._scratch(key, p), casting="same_kind")
        p -= step


class _MomentumBase(_Optimizer):
    """Shared by Momentum and Nesterov: lr, the momentum μ in [0, 1), and a velocity v per key."""

    _STATE = ("v",)

    def __init__(self, lr: float = 0.01, momentum: float = 0.9):
        super().__init__(lr)
        self.momentum = real(momentum, "momentum", 0.0, 1.0, open_high=True)
        self.v: dict[str, np.ndarray] = {}


class Momentum(_MomentumBase):
    """Momentum SGD (book §6.1.4): v ← μ·v − lr·g;  p ← p + v.  v starts at 0.

    Identical to ``torch.optim.SGD(params, lr, momentum=μ)``, whose buffer is
    b ← μ·b + g, p ← p − lr·b: with a constant lr, v = −lr·b step for step.
    """

    def _step(self, key, p, g):
        v = self._state(self.v, key, p)
        v *= self.momentum
        v -= np.multiply(g, self.lr, out=self._scratch(key, p), casting="same_kind")
        p += v


class Nesterov(_MomentumBase):
    """Nesterov's accelerated gradient: v ← μ·v − lr·g;  p ← p + μ·v − lr·g.

    This is ``torch.optim.SGD(params, lr, momentum=μ, nesterov=True)`` step for
    step (its buffer b = −v/lr), and, written with the velocity before the
    update, the formula the book cites (Bengio et al. 2012):
    p ← p + μ²·v_old − (1+μ)·lr·g. The book's code applies that formula to the
    velocity *after* its update, p ← p + μ²·v_new − (1+μ)·lr·g, which weighs
    the history by μ³ and the gradient by 1+μ+μ²; it still converges, but
    matches neither the paper nor PyTorch, so it is not reproduced here.
    """

    def _step(self, key, p, g):
        v = self._state(self.v, key, p)
        lr_g = np.multiply(g, self.lr, out=self._scratch(key, p), casting="same_kind")
        v *= self.momentum
        v -= lr_g
        p -= lr_g
        lr_g[...] = v
        lr_g *= self.momentum
        p += lr_g


class AdaGrad(_Optimizer):
    """AdaGrad (book §6.1.5): h ← h + g²;  p ← p − lr·g / (√h + eps).  h starts at 0.

    eps is 1e-7 as in the book; ``torch.optim.Adagrad`` is the same method with
    eps=1e-10 by default (pass the same eps to both to compare them).
    """

    _STATE = ("h",)

    def __init__(self, lr: float = 0.01, eps: float = 1e-7):
        super().__init__(lr)
        self.eps = real(eps, "eps", 0.0)
        self.h: dict[str, np.ndarray] = {}

    def _step(self, key, p, g):
        h = self._state(self.h, key, p)
        buf = self._scratch(key, p)
        np.multiply(g, g, out=buf, casting="same_kind")
        h += buf
        self._scaled_step(p, g, h, buf)


class RMSprop(_Optimizer):
    """RMSprop: h ← ρ·h + (1−ρ)·g²;  p ← p − lr·g / (√h + eps).  h starts at 0.

    ρ is the book's ``decay_rate`` (0.99), PyTorch's ``alpha``; eps is 1e-7 as
    in the book (``torch.optim.RMSprop`` defaults to 1e-8). Otherwise the same
    as ``torch.optim.RMSprop(params, lr, alpha=ρ, eps=eps)``.
    """

    _STATE = ("h",)

    def __init__(self, lr: float = 0.01, decay_rate: float = 0.99, eps: float = 1e-7):
        super().__init__(lr)
        self.decay_rate = real(decay_rate, "decay_rate", 0.0, 1.0, open_high=True)
        self.eps = real(eps, "eps", 0.0)
        self.h: dict[str, np.ndarray] = {}

    def _step(self, key, p, g):
        h = self._state(self.h, key, p)
        buf = self._scratch(key, p)
        np.multiply(g, g, out=buf, casting="same_kind")
        buf *= 1.0 - self.decay_rate
        h *= self.decay_rate
        h += buf
        self._scaled_step(p, g, h, buf)


class Adam(_Optimizer):
    """Adam (Kingma & Ba 2015), in the paper's and PyTorch's form.

    m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  t ← t + 1
    p ← p − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + eps)

    Identical to ``torch.optim.Adam(params, lr, betas=(β1, β2), eps=eps)``.
    The book folds both bias corrections into lr_t = lr·√(1−β2ᵗ)/(1−β1ᵗ) and
    divides by √v + 1e-7, so its eps acts on the uncorrected √v: the same
    update except when √v is as small as eps (the first steps of rarely
    active weights), where the book's step is smaller. eps defaults to 1e-8,
    the paper's value. ``iter`` counts the steps, as in the book.
    """

    _STATE = ("m", "v")
    _COUNTERS = ("iter",)

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        super().__init__(lr)
        self.beta1 = real(beta1, "beta1", 0.0, 1.0, open_high=True)
        self.beta2 = real(beta2, "beta2", 0.0, 1.0, open_high=True)
        self.eps = real(eps, "eps", 0.0)
        self.iter = 0
        self.m: dict[str, np.ndarray] = {}
        self.v: dict[str, np.ndarray] = {}

    def update(self, params, grads) -> None:
        self.iter += 1
        # Python floats (not np.float64) so that float32 arrays stay float32 (NEP 50).
        self._step_size = self.lr / (1.0 - self.beta1 ** self.iter)
        self._sqrt_bc2 = math.sqrt(1.0 - self.beta2 ** self.iter)
        super().update(params, grads)

    def _step(self, key, p, g):
        m = self._state(self.m, key, p)
        v = self._state(self.v, key, p)
        buf = self._scratch(key, p)
        m *= self.beta1
        np.multiply(g, 1.0 - self.beta1, out=buf, casting="same_kind")
        m += buf
        v *= self.beta2
        np.multiply(g, g, out=buf, casting="same_kind")
        buf *= 1.0 - self.beta2
        v += buf
        np.sqrt(v, out=buf)
        buf /= self._sqrt_bc2
        buf += self.eps
        np.divide(m, buf, out=buf)
        buf *= self._step_size
        p -= buf


# Names accepted by ``bprop train --optimizer`` and the Trainer (any case).
OPTIMIZERS = {
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "adagrad": AdaGrad,
    "rmsprop": RMSprop,
    "adam": Adam,
}


def get(name: str, **hyperparameters) -> _Optimizer:
    """An optimizer by name ('sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam'; any case)."""
    cls = OPTIMIZERS.get(str(name).lower())
    if cls is None:
        raise ValueError(f"unknown optimizer {name!r}: expected one of {', '.join(OPTIMIZERS)}")
    return cls(**hyperparameters)
