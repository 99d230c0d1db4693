"""AdamW: Adam with decoupled weight decay (Loshchilov & Hutter 2019), the Transformer's optimizer.

Each update, for every parameter p with gradient g (t counts the updates from 1):

    p ← p · (1 − lr·wd)                               the decay, apart from the gradient
    m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
    p ← p − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + eps)      Adam's step, unchanged

Adam with L2 regularisation adds wd·p to g, so the decay passes through
m/√v and is scaled down wherever gradients are large; AdamW shrinks every
weight by the same factor, whatever its gradient history. The decay uses the
current lr, so a schedule that lowers lr lowers the decay too, as in
``torch.optim.AdamW``.

>>> import numpy as np
>>> params = {"W": np.ones((2, 2)), "b": np.ones(2)}
>>> opt = AdamW(lr=0.1, weight_decay=0.5, no_decay_1d=True)
>>> opt.update(params, {"W": np.zeros((2, 2)), "b": np.zeros(2)})
>>> float(params["W"][0, 0]), float(params["b"][0])   # zero gradients: W only decays, b (1-D) is kept
(0.95, 1.0)
"""

from __future__ import annotations

from bprop._checks import real
from bprop._types import Params
from bprop.optim.book import Adam

__all__ = ["AdamW"]


class AdamW(Adam):
    """AdamW: p ← p·(1 − lr·wd), then Adam's step (see the module's docstring for the formulas).

    Identical to ``torch.optim.AdamW(params, lr, betas=(β1, β2), eps=eps,
    weight_decay=wd)`` (amsgrad off, torch's default), step for step: the
    decay comes first, then the moments, then the step, with eps added to the
    bias-corrected √v as in bprop's Adam and torch's (tests/test_optim_adamw.py).
    The defaults are torch's: lr 0.001, β1 0.9, β2 0.999, eps 1e-8, wd 0.01.

    weight_decay: ≥ 0; 0 is Adam exactly. no_decay_1d: False (the default,
    as torch) decays every parameter given; True leaves out those with fewer
    than two dimensions — biases, LayerNorm's and BatchNorm's γ and β — the
    common practice for Transformers (BERT, GPT-2), which works on book 2's
    lists as well as on named dicts because it looks at the shape, not the name.
    Decay the embeddings or not by what is passed to ``update``.

    State: Adam's ``m``, ``v`` (per key) and ``iter``; ``state_dict`` adds
    weight_decay and no_decay_1d to Adam's hyperparameters.
    """

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
                 weight_decay: float = 0.01, no_decay_1d: bool = False) -> None:
        super().__init__(lr, beta1, beta2, eps)
        self.weight_decay = real(weight_decay, "weight_decay", 0.0)
        if not isinstance(no_decay_1d, bool):
            raise TypeError(f"no_decay_1d must be True or False, got {type(no_decay_1d).__name__} {no_decay_1d!r}")
        self.no_decay_1d = no_decay_1d

    def update(self, params: Params, grads: Params) -> None:
        # A Python float, as torch's ``1 - lr * weight_decay``: float32 parameters stay float32.
        self._decay = 1.0 - self.lr * self.weight_decay
        super().update(params, grads)

    def _step(self, key, p, g):
        if self.weight_decay and not (self.no_decay_1d and p.ndim < 2):
            p *= self._decay
        super()._step(key, p, g)
