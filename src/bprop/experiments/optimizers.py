"""§6.1: the optimizers on the book's f(x, y) = x²/20 + y², and on MNIST."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from bprop import optim
from bprop._checks import positive_int
from bprop.experiments._runs import _step_losses, _train_set
from bprop.nets import MultiLayerNet

__all__ = ["OPTIMIZER_LRS", "optimizer_paths", "steps_to_reach", "optimizer_mnist_losses"]


# The learning rates of the book's ch06/optimizer_compare_naive.py (§6.1.7).
OPTIMIZER_LRS = {"SGD": 0.95, "Momentum": 0.1, "AdaGrad": 1.5, "Adam": 0.3}


def optimizer_paths(steps: int = 30, *, start: tuple[float, float] = (-7.0, 2.0),
                    lrs: dict[str, float] | None = None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The positions of SGD, Momentum, AdaGrad and Adam minimising f(x, y) = x²/20 + y² (book §6.1.7).

    Gradient (x/10, 2y); every optimizer starts at ``start`` and takes ``steps``
    steps with the book's learning rates ``OPTIMIZER_LRS`` (override any with
    ``lrs``). Returns name → (xs, ys), each of length steps + 1, the start
    included. The positions are float64.
    """
    steps = positive_int(steps, "steps")
    rates = dict(OPTIMIZER_LRS, **(lrs or {}))
    unknown = set(rates) - set(OPTIMIZER_LRS)
    if unknown:
        raise ValueError(f"unknown optimizer(s) {sorted(unknown)} in lrs: expected {', '.join(OPTIMIZER_LRS)}")
    x0, y0 = (float(v) for v in start)
    paths = {}
    for name, lr in rates.items():
        optimizer = optim.get(name, lr=lr)
        params = {"x": np.array([x0]), "y": np.array([y0])}
        xs, ys = [x0], [y0]
        for _ in range(steps):
            grads = {"x": params["x"] / 10.0, "y": 2.0 * params["y"]}
            optimizer.update(params, grads)
            xs.append(float(params["x"][0]))
            ys.append(float(params["y"][0]))
        paths[name] = (np.array(xs), np.array(ys))
    return paths


def steps_to_reach(xs: ArrayLike, ys: ArrayLike, tol: float = 0.1,
                   target: tuple[float, float] = (0.0, 0.0)) -> int | None:
    """The first step whose position lies within ``tol`` of ``target`` (None if none does)."""
    distance = np.hypot(np.asarray(xs) - target[0], np.asarray(ys) - target[1])
    hits = np.flatnonzero(distance <= tol)
    return int(hits[0]) if hits.size else None


def optimizer_mnist_losses(iters: int = 2000, *, optimizers: Sequence[str] = ("SGD", "Momentum", "AdaGrad", "Adam"),
                           hidden_size_list: Sequence[int] = (100, 100, 100, 100), batch_size: int = 128, seed: int = 0,
                           data: tuple | None = None, dtype: DTypeLike = np.float32) -> dict[str, np.ndarray]:
    """MNIST mini-batch loss per step for each optimizer (book §6.1.8, ch06/optimizer_compare_mnist.py).

    A ReLU MultiLayerNet 784-100-100-100-100-10 with He weights, batches of
    128 drawn with replacement as in the book, each optimizer at its default
    learning rate (SGD 0.01, Momentum 0.01, AdaGrad 0.01, Adam 0.001). Every
    optimizer starts from the same weights and sees the same batches.
    Returns name → losses of shape (iters,).
    """
    x, t = _train_set(data, dtype)
    losses = {}
    for name in optimizers:
        net = MultiLayerNet(x.shape[1], list(hidden_size_list), 10, rng=seed, dtype=dtype)
        losses[name] = _step_losses(net, optim.get(name), x, t, iters, batch_size, seed)
    return losses
