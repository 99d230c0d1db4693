"""Book 2's training loops (``common/trainer.py``): Trainer for word2vec and seq2seq, RnnlmTrainer for language models.

Trainer(model, optimizer).fit(x, t, max_epoch, batch_size, max_grad, eval_interval):
each epoch is one pass over a fresh permutation of (x, t) in batches of
batch_size (the last partial batch dropped, as the book does); each step is
model.forward, model.backward, tied weights merged, the gradients clipped to
max_grad by their global norm when given, optimizer.update. Every
eval_interval steps the mean loss since the last report is appended to
``loss_list`` and, when verbose, logged.

RnnlmTrainer(model, optimizer).fit(xs, ts, max_epoch, batch_size, time_size,
max_grad, eval_interval): the corpus is read as batch_size parallel streams
starting evenly spaced (the book's offsets i·⌊len/batch_size⌋), time_size
steps at a time, the model's state carried between blocks (truncated BPTT);
``ppl_list`` gets exp(mean loss), the perplexity.

``seed`` (an int or a Generator) makes the shuffling repeatable; ``log``
receives the lines (default ``print``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from bprop._checks import positive_int
from bprop._types import Seed
from bprop.init import as_generator
from bprop.nlp.grads import clip_grads
from bprop.optim import merge_tied

__all__ = ["Trainer", "RnnlmTrainer"]


class _Loop:
    def __init__(self, model: Any, optimizer: Any, *, seed: Seed = None, verbose: bool = True,
                 log: Callable[[str], object] = print) -> None:
        self.model, self.optimizer = model, optimizer
        self.rng = as_generator(seed)
        self.verbose, self.log = bool(verbose), log
        self.loss_list: list[float] = []
        self.current_epoch = 0
        self.eval_interval: int | None = None

    def _report(self, iters: int, max_iters: int, start: float, measure: str) -> None:
        """The book's progress line: | epoch 1 |  iter 1 / 29 | time 0[s] | loss 4.61."""
        if self.verbose:
            self.log(f"| epoch {self.current_epoch + 1} |  iter {iters + 1} / {max_iters} | time "
                     f"{time.perf_counter() - start:.0f}[s] | {measure}")

    def _step(self, x, t, max_grad) -> float:
        loss = self.model.forward(x, t)
        self.model.backward()
        params, grads = merge_tied(self.model.params, self.model.grads)
        if max_grad is not None:
            clip_grads(grads, max_grad)
        self.optimizer.update(params, grads)
        return float(loss)


class Trainer(_Loop):
    """Mini-batch training of a model with forward(x, t) and backward(); see the module docstring."""

    def fit(self, x: ArrayLike, t: ArrayLike, max_epoch: int = 10, batch_size: int = 32, max_grad: float | None = None,
            eval_interval: int | None = 20) -> list[float]:
        x, t = np.asarray(x), np.asarray(t)
        if len(x) != len(t):
            raise ValueError(f"x and t must have one row per sample, got {len(x)} and {len(t)}")
        batch_size = positive_int(batch_size, "batch_size")
        max_iters = len(x) // batch_size
        if max_iters == 0:
            raise ValueError(f"batch_size {batch_size} is larger than the {len(x)} samples")
        self.eval_interval = eval_interval
        total, count, start = 0.0, 0, time.perf_counter()
        for _ in range(positive_int(max_epoch, "max_epoch")):
            order = self.rng.permutation(len(x))
            for iters in range(max_iters):
                idx = order[iters * batch_size:(iters + 1) * batch_size]
                total += self._step(x[idx], t[idx], max_grad)
                count += 1
                if eval_interval and iters % eval_interval == 0:
                    self.loss_list.append(total / count)
                    self._report(iters, max_iters, start, f"loss {total / count:.2f}")
                    total, count = 0.0, 0
            self.current_epoch += 1
        return self.loss_list


class RnnlmTrainer(_Loop):
    """Truncated-BPTT training of a language model over one long corpus; see the module docstring."""

    def __init__(self, model: Any, optimizer: Any, *, seed: Seed = None, verbose: bool = True,
                 log: Callable[[str], object] = print) -> None:
        super().__init__(model, optimizer, seed=seed, verbose=verbose, log=log)
        self.ppl_list: list[float] = []
        self.time_idx = 0

    def get_batch(self, x: np.ndarray, t: np.ndarray, batch_size: int, time_size: int) -> tuple[np.ndarray, np.ndarray]:
        """The next (batch_size, time_size) blocks of the batch_size streams through x and t."""
        jump = len(x) // batch_size
        offsets = np.arange(batch_size) * jump
        steps = (self.time_idx + np.arange(time_size)) % len(x)
        idx = (offsets[:, None] + steps[None, :]) % len(x)
        self.time_idx += time_size
        return x[idx], t[idx]

    def fit(self, xs: ArrayLike, ts: ArrayLike, max_epoch: int = 10, batch_size: int = 20, time_size: int = 35,
            max_grad: float | None = None, eval_interval: int | None = 20) -> list[float]:
        xs, ts = np.asarray(xs), np.asarray(ts)
        batch_size, time_size = positive_int(batch_size, "batch_size"), positive_int(time_size, "time_size")
        max_iters = len(xs) // (batch_size * time_size)
        if max_iters == 0:
            raise ValueError(f"a corpus of {len(xs)} ids is shorter than one batch of {batch_size} × {time_size}")
        self.time_idx = 0
        self.eval_interval = eval_interval
        total, count, start = 0.0, 0, time.perf_counter()
        for _ in range(positive_int(max_epoch, "max_epoch")):
            for iters in range(max_iters):
                total += self._step(*self.get_batch(xs, ts, batch_size, time_size), max_grad)
                count += 1
                if eval_interval and iters % eval_interval == 0:
                    ppl = math.exp(total / count)
                    self.ppl_list.append(ppl)
                    self._report(iters, max_iters, start, f"perplexity {ppl:.2f}")
                    total, count = 0.0, 0
            self.current_epoch += 1
        return self.ppl_list
