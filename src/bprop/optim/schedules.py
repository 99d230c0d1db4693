"""Learning-rate schedules: ``schedule(step) -> lr``, and ``schedule.apply(optimizer, step)`` to use it.

``step`` is the number of updates made before this one: 0 for the first
update. That is what torch's ``LambdaLR`` passes its ``lr_lambda`` in the
usual loop (``optimizer.step(); scheduler.step()``), so
``LambdaLR(opt, lambda k: schedule(k) / base_lr)`` sets the same lr as
``schedule(k)`` for the same update; it is also bprop's ``Adam.iter`` (and
``AdamW.iter``) before the update, which ``state_dict`` saves, so a resumed
run continues its schedule with ``schedule.apply(opt, opt.iter)``.

    WarmupCosine(lr, warmup, total, min_lr=0)   linear warmup, then cosine down to min_lr
    WarmupLinear(lr, warmup, total, min_lr=0)   linear warmup, then linear down to min_lr
    TransformerSchedule(d_model, warmup=4000)   d_model^-0.5 · min(n^-0.5, n·warmup^-1.5), n = step + 1

The two warmups climb over the first ``warmup`` updates to ``lr`` (reached at
step warmup − 1, never 0 on the way), as the Transformer paper's does with its
step_num n = step + 1. The decays then run from step ``warmup`` (at ``lr``) to
step ``total`` (at ``min_lr``), the convention of torch's ``CosineAnnealingLR``
(T_max = total − warmup) and ``LinearLR``: the last of ``total`` updates, step
total − 1, is just above min_lr, and every later step stays at min_lr.

Set the lr before each update; the optimizer uses it for that update (AdamW
for its decay too, as torch does):

>>> import numpy as np
>>> from bprop.optim import AdamW
>>> params = {"W": np.ones((2, 2))}
>>> opt = AdamW(lr=1e-3)
>>> schedule = WarmupCosine(lr=1e-3, warmup=2, total=10)
>>> for step in range(10):
...     lr = schedule.apply(opt, step)        # opt.lr = schedule(step)
...     opt.update(params, {"W": 0.1 * params["W"]})
>>> [round(schedule(s), 6) for s in (0, 1, 2, 6, 9, 10)]
[0.0005, 0.001, 0.001, 0.0005, 3.8e-05, 0.0]

``apply`` refuses an lr of 0 (past ``total`` with min_lr 0), since an
optimizer's lr must be > 0. Clipping by the global norm, often used with
these, is ``bprop.nlp.clip_grads(grads, max_norm)``, called before the update.
"""

from __future__ import annotations

import math

from bprop._checks import integer, real

__all__ = ["WarmupCosine", "WarmupLinear", "TransformerSchedule"]


class _Schedule:
    """Shared: the step check, ``apply`` and a repr from the constructor's arguments (``_ARGS``)."""

    _ARGS: tuple[str, ...] = ()

    def __call__(self, step: int) -> float:
        return self._lr(integer(step, "step", 0, owner=type(self).__name__))

    def _lr(self, step: int) -> float:
        raise NotImplementedError

    def apply(self, optimizer, step: int) -> float:
        """Set ``optimizer.lr = self(step)`` for the update about to be made, and return that lr."""
        name = type(self).__name__
        if not hasattr(optimizer, "lr"):
            raise TypeError(f"{name}.apply needs an optimizer with an lr attribute (one of bprop.optim's), "
                            f"got {type(optimizer).__name__}")
        lr = self(step)
        if not lr > 0:
            raise ValueError(f"{name} gives lr {lr:g} at step {step} ({self!r}); an optimizer's lr must be > 0: "
                             f"give min_lr > 0 or stop after {getattr(self, 'total', step)} updates")
        optimizer.lr = lr
        return lr

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{a}={getattr(self, a)!r}' for a in self._ARGS)})"


class _WarmupDecay(_Schedule):
    """Shared by WarmupCosine and WarmupLinear: lr·(step+1)/warmup below warmup, min_lr from total on."""

    _ARGS = ("lr", "warmup", "total", "min_lr")

    def __init__(self, lr: float, warmup: int, total: int, min_lr: float = 0.0):
        name = type(self).__name__
        self.lr = real(lr, "lr", 0.0, math.inf, open_low=True, open_high=True, owner=name)
        self.warmup = integer(warmup, "warmup", 0, owner=name)
        self.total = integer(total, "total", 1, owner=name)
        if self.total <= self.warmup:
            raise ValueError(f"{name} expected total > warmup (the decay needs at least one step), "
                             f"got total={self.total}, warmup={self.warmup}")
        self.min_lr = real(min_lr, "min_lr", 0.0, self.lr, owner=name)

    def _lr(self, step: int) -> float:
        if step < self.warmup:
            return self.lr * (step + 1) / self.warmup
        if step >= self.total:
            return self.min_lr
        return self.min_lr + (self.lr - self.min_lr) * self._shape((step - self.warmup) / (self.total - self.warmup))

    def _shape(self, progress: float) -> float:
        """1 at progress 0 (step warmup), 0 at progress 1 (step total)."""
        raise NotImplementedError


class WarmupCosine(_WarmupDecay):
    """Linear warmup, then cosine decay to a floor; the usual schedule for Transformers with AdamW.

    With W = warmup, T = total, and p = (step − W)/(T − W):

        step < W:       lr · (step + 1)/W
        W ≤ step < T:   min_lr + (lr − min_lr) · ½(1 + cos(π·p))
        step ≥ T:       min_lr

    lr > 0 the peak; warmup ≥ 0 updates (0: none); total > warmup; min_lr in
    [0, lr]. With warmup 0 this is torch's ``CosineAnnealingLR(opt, T_max=T,
    eta_min=min_lr)`` up to step T (after T torch's climbs again; this one
    stays at min_lr). With warmup W it is torch's ``SequentialLR`` of a
    ``LambdaLR`` warmup and that cosine with T_max = T − W, milestone W
    (tests/test_schedules.py).

    >>> s = WarmupCosine(lr=1.0, warmup=4, total=12, min_lr=0.1)
    >>> [round(s(k), 4) for k in (0, 3, 4, 8, 12, 50)]
    [0.25, 1.0, 1.0, 0.55, 0.1, 0.1]
    """

    def _shape(self, progress: float) -> float:
        return 0.5 * (1.0 + math.cos(math.pi * progress))


class WarmupLinear(_WarmupDecay):
    """Linear warmup, then linear decay to a floor (BERT's schedule).

    With W = warmup and T = total:

        step < W:       lr · (step + 1)/W
        W ≤ step < T:   min_lr + (lr − min_lr) · (T − step)/(T − W)
        step ≥ T:       min_lr

    Arguments as ``WarmupCosine``'s. With warmup 0 this is torch's
    ``LinearLR(opt, start_factor=1, end_factor=min_lr/lr, total_iters=T)``.

    >>> s = WarmupLinear(lr=1.0, warmup=2, total=6)
    >>> [s(k) for k in (0, 1, 2, 4, 6, 7)]
    [0.5, 1.0, 1.0, 0.5, 0.0, 0.0]
    """

    def _shape(self, progress: float) -> float:
        return 1.0 - progress


class TransformerSchedule(_Schedule):
    """The schedule of "Attention Is All You Need" (Vaswani et al. 2017, §5.3), often called Noam's.

    With n = step + 1 (the paper's step_num, which counts from 1):

        lr = scale · d_model^-0.5 · min(n^-0.5, n · warmup^-1.5)

    It rises linearly for the first ``warmup`` updates to its peak
    scale·(d_model·warmup)^-0.5 at n = warmup (step warmup − 1), then falls as
    1/√n; it is never 0. The paper: d_model 512, warmup 4000, scale 1, with
    Adam(β1=0.9, β2=0.98, eps=1e-9). d_model, warmup: positive ints; scale > 0
    (the Annotated Transformer's ``factor``). torch has no built-in form; as
    every schedule here it is ``LambdaLR(opt, lambda k: schedule(k) / base_lr)``.

    >>> s = TransformerSchedule(d_model=512, warmup=4000)
    >>> round(s(0), 10), round(s(3999), 8), round(s(15999), 8)
    (1.747e-07, 0.00069877, 0.00034939)
    """

    _ARGS = ("d_model", "warmup", "scale")

    def __init__(self, d_model: int, warmup: int = 4000, scale: float = 1.0) -> None:
        name = type(self).__name__
        self.d_model = integer(d_model, "d_model", 1, owner=name)
        self.warmup = integer(warmup, "warmup", 1, owner=name)
        self.scale = real(scale, "scale", 0.0, math.inf, open_low=True, open_high=True, owner=name)

    def _lr(self, step: int) -> float:
        n = step + 1
        return self.scale * self.d_model ** -0.5 * min(n ** -0.5, n * self.warmup ** -1.5)
