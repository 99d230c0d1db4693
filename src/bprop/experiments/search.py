"""§6.5: random search of the learning rate and the weight decay, judged on a validation split."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import DTypeLike

from bprop import optim
from bprop._checks import positive_int
from bprop.experiments._runs import Trial, _data, _epoch_run, _first
from bprop.nets import MultiLayerNet

__all__ = ["validation_split", "random_search"]


def validation_split(x: np.ndarray, t: np.ndarray, validation_rate: float = 0.2, *,
                     seed: int = 0) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Shuffle, then hold out the first ``validation_rate`` of the rows: ((x_train, t_train), (x_val, t_val)).

    The book's §6.5.1: hyperparameters are judged on validation data, never on
    the test data.
    """
    if not 0.0 < validation_rate < 1.0:
        raise ValueError(f"validation_rate must lie in (0, 1), got {validation_rate!r}")
    order = np.random.default_rng(seed).permutation(len(x))
    n_val = int(len(x) * validation_rate)
    if n_val < 1 or n_val == len(x):
        raise ValueError(f"validation_rate {validation_rate} of {len(x)} samples leaves an empty split")
    val, train = order[:n_val], order[n_val:]
    return (x[train], t[train]), (x[val], t[val])


def random_search(trials: int = 100, *, epochs: int = 50, train_size: int = 500, validation_rate: float = 0.2,
                  lr_range: tuple[float, float] = (1e-6, 1e-2), weight_decay_range: tuple[float, float] = (1e-8, 1e-4),
                  hidden_size_list: Sequence[int] = (100,) * 6, batch_size: int = 100, seed: int = 0,
                  data: tuple | None = None, dtype: DTypeLike = np.float32) -> list[Trial]:
    """Random search of learning rate and weight decay (book §6.5.3, ch06/hyperparameter_optimization.py).

    The first ``train_size`` training images are shuffled and split, 20 % for
    validation. Each trial draws lr and λ log-uniformly from their ranges
    (the book: lr = 10^U(-6, -2), λ = 10^U(-8, -4)), trains a ReLU
    MultiLayerNet 784-(100×6)-10 with SGD for ``epochs`` epochs, and records
    the validation and training accuracy per epoch. Every trial starts from
    the same weights and sees the same batches, so only lr and λ differ.
    Returns the trials, best final validation accuracy first.
    """
    trials = positive_int(trials, "trials")
    for name, (low, high) in (("lr_range", lr_range), ("weight_decay_range", weight_decay_range)):
        if not 0 < low <= high:
            raise ValueError(f"{name} must be (low, high) with 0 < low <= high, got {(low, high)!r}")
    (x_all, t_all), _ = _data(data, dtype)  # the test set is never looked at
    (x, t), (x_val, t_val) = validation_split(*_first(x_all, t_all, train_size, "train_size"), validation_rate,
                                              seed=seed)
    rng = np.random.default_rng(seed)
    results = []
    for _ in range(trials):
        weight_decay = 10 ** rng.uniform(math.log10(weight_decay_range[0]), math.log10(weight_decay_range[1]))
        lr = 10 ** rng.uniform(math.log10(lr_range[0]), math.log10(lr_range[1]))
        net = MultiLayerNet(x.shape[1], list(hidden_size_list), 10, weight_decay_lambda=weight_decay, rng=seed,
                            dtype=dtype)
        run = _epoch_run("", net, optim.SGD(lr), x, t, x_val, t_val, epochs, batch_size, seed)
        results.append(Trial(lr=float(lr), weight_decay=float(weight_decay), val_acc=run.test_acc,
                             train_acc=run.train_acc, diverged_at=run.diverged_at))
    # sorted is stable: equal accuracies keep the order they were drawn in.
    return sorted(results, key=lambda trial: (trial.diverged_at is not None, -trial.final_val_acc))
