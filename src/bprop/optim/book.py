"""Optimizers of the book's §6.1: SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam.

Each keeps the book's constructor and defaults; each docstring gives the
update and how it relates to ``torch.optim`` (tests/test_optim.py runs them
step for step against it).
"""

from __future__ import annotations

import math

import numpy as np

from bprop._checks import real
from bprop._types import Params
from bprop.optim.base import _Optimizer

__all__ = ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"]


class SGD(_Optimizer):
    """Stochastic gradient descent: p ← p − lr·g.

    Identical to ``torch.optim.SGD(params, lr)``.
    """

    def __init__(self, lr: float = 0.01) -> None:
        super().__init__(lr)

    def _step(self, key, p, g):
        step = np.multiply(g, self.lr, out=self._scratch(key, p), casting="same_kind")
        p -= step


class _MomentumBase(_Optimizer):
    """Shared by Momentum and Nesterov: lr, the momentum μ in [0, 1), and a velocity v per key."""

    _STATE = ("v",)

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
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

    def __init__(self, lr: float = 0.01, eps: float = 1e-7) -> None:
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

    def __init__(self, lr: float = 0.01, decay_rate: float = 0.99, eps: float = 1e-7) -> None:
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
    ``AdamW`` (bprop.optim.adamw) is this step after a decoupled weight decay.
    """

    _STATE = ("m", "v")
    _COUNTERS = ("iter",)

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> None:
        super().__init__(lr)
        self.beta1 = real(beta1, "beta1", 0.0, 1.0, open_high=True)
        self.beta2 = real(beta2, "beta2", 0.0, 1.0, open_high=True)
        self.eps = real(eps, "eps", 0.0)
        self.iter = 0
        self.m: dict[str, np.ndarray] = {}
        self.v: dict[str, np.ndarray] = {}

    def update(self, params: Params, grads: Params) -> None:
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
