"""The training runs the experiments share: their records, the data they read, divergence as an outcome."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from bprop._checks import positive_int
from bprop.train import Trainer

__all__ = ["Run", "Trial"]


@dataclass
class Run:
    """One training run measured per epoch.

    train_acc, test_acc: accuracy before training (index 0) and after each
    epoch (index e), so ``len(train_acc) == epochs + 1``.
    loss: the mini-batch loss of every step.
    diverged_at: None, or the epoch during which the values overflowed (a
    weight scale too large, a learning rate too high); training stopped there
    and the lists end with the last epoch completed.
    """

    label: str
    train_acc: list[float] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    diverged_at: int | None = None

    @property
    def gap(self) -> float:
        """Final training accuracy minus final test accuracy: how far the net overfits."""
        return self.train_acc[-1] - self.test_acc[-1]


@dataclass
class Trial:
    """One random-search trial (§6.5): its hyperparameters and per-epoch accuracies (index 0 = before training)."""

    lr: float
    weight_decay: float
    val_acc: list[float]
    train_acc: list[float]
    diverged_at: int | None = None

    @property
    def final_val_acc(self) -> float:
        """The validation accuracy after the last epoch; 0 for a trial that diverged."""
        return 0.0 if self.diverged_at is not None else self.val_acc[-1]


def _data(data, dtype):
    if data is None:
        from bprop.datasets import load_mnist

        return load_mnist(dtype=dtype)
    try:
        (x_train, t_train), (x_test, t_test) = data
    except (TypeError, ValueError):
        raise TypeError("data must be ((x_train, t_train), (x_test, t_test)), as load_mnist() returns") from None
    return (np.asarray(x_train), np.asarray(t_train)), (np.asarray(x_test), np.asarray(t_test))


def _train_set(data, dtype):
    (x, t), _ = _data(data, dtype)
    return x.reshape(len(x), -1), t


def _subsets(data: Any, dtype: DTypeLike, train_size: int,
             test_size: int | None) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """The first train_size training rows and the first test_size test rows (all when None)."""
    (x, t), (x_test, t_test) = _data(data, dtype)
    train = _first(x, t, train_size, "train_size")
    if test_size is None:
        return train, (x_test.reshape(len(x_test), -1), t_test)
    return train, _first(x_test, t_test, test_size, "test_size")


def _first(x: np.ndarray, t: np.ndarray, n: int, name: str) -> tuple[np.ndarray, np.ndarray]:
    """The first n rows of (x, t), each image flattened to one row; n is checked against len(x)."""
    _check_size(n, len(x), name)
    return x[:n].reshape(n, -1), t[:n]


def _check_size(n, available: int, name: str) -> None:
    positive_int(n, name)
    if n > available:
        raise ValueError(f"{name} must be at most the {available} samples available, got {n}")


# Overflow and inf - inf raise FloatingPointError instead of warning: a run that
# diverges (a huge weight scale, too high a learning rate) stops at the first
# overflow, before NaN reaches a layer, and is reported as diverged. Layers that
# overflow on purpose (sigmoid's exp) silence it locally, which takes precedence.
_DIVERGENCE = {"over": "raise", "invalid": "raise", "divide": "raise"}


def _step_losses(net, optimizer, x, t, iters, batch_size, seed) -> np.ndarray:
    """Train for ``iters`` steps on batches drawn with replacement (as the book); the loss of each step.

    Steps after a divergence are NaN.
    """
    iters = positive_int(iters, "iters")
    batch_size = positive_int(batch_size, "batch_size")
    rng = np.random.default_rng(seed)
    losses = np.full(iters, np.nan)
    # NumPy's stub cannot match a **dict to errstate's keyword arguments (each its own Literal type).
    with np.errstate(**_DIVERGENCE):  # type: ignore[arg-type]
        for i in range(iters):
            batch = rng.integers(0, len(x), batch_size)
            try:
                loss, grads = net.loss_and_gradient(x[batch], t[batch])
                optimizer.update(net.params, grads)
            except FloatingPointError:
                break
            losses[i] = loss
    return losses


def _epoch_run(label, net, optimizer, x, t, x_test, t_test, epochs, batch_size, seed) -> Run:
    """Trainer for ``epochs`` epochs; accuracies before training and after each epoch."""
    trainer = Trainer(net, x, t, x_test, t_test, epochs=positive_int(epochs, "epochs"),
                      mini_batch_size=batch_size, optimizer=optimizer, verbose=False, progress=False, seed=seed)
    train_acc, test_acc = trainer.evaluate()
    diverged_at = None
    # NumPy's stub cannot match a **dict to errstate's keyword arguments (each its own Literal type).
    with np.errstate(**_DIVERGENCE):  # type: ignore[arg-type]
        try:
            while trainer.current_iter < trainer.max_iter:
                trainer.train_step()
        except FloatingPointError:
            diverged_at = trainer.current_epoch + 1
    h = trainer.history
    return Run(label, [train_acc, *h.train_acc], [test_acc, *h.test_acc], list(h.loss), diverged_at)
