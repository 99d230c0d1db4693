"""The numbers behind the book's chapter 6 pictures; ``bprop.plot`` draws them.

Each experiment is a function that returns plain data (arrays, dicts, small
records) and needs NumPy only, so tests assert on the numbers and
``bprop.plot`` turns the same numbers into figures:

    §6.1.7  optimizer_paths          SGD … Adam on f(x, y) = x²/20 + y² from (-7, 2)
    §6.1.8  optimizer_mnist_losses   their MNIST loss per step
    §6.2.2  activation_histograms    activations of 5 hidden layers for 1000 random inputs
    §6.2.4  init_comparison          MNIST loss for std 0.01, Xavier and He
    §6.3.2  batchnorm_comparison     training accuracy with and without batch norm
    §6.4    overfitting              300 samples, 7 layers: weight decay, dropout
    §6.5    random_search            learning rate and weight decay on a validation split

The defaults are the book's settings; every size can be shrunk (``iters``,
``epochs``, ``trials``, ``train_size``, ``test_size``). ``seed`` fixes the
initial weights, the mini-batches and the dropout masks; within one experiment
the variants compared share the same initial weights and the same batches, so
the difference between curves is the technique, not the luck of the draw.
``data`` takes ``load_mnist()``'s ``((x_train, t_train), (x_test, t_test))``;
by default the shipped MNIST is loaded. Nets are float32 by default (pass
``dtype=np.float64`` for the book's precision).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from bprop import init, optim
from bprop.nets import ACTIVATIONS, MultiLayerNet, MultiLayerNetExtend
from bprop.train import Trainer

__all__ = [
    "OPTIMIZER_LRS", "Run", "Trial",
    "activation_histograms", "optimizer_paths", "optimizer_mnist_losses", "init_comparison",
    "batchnorm_comparison", "overfitting", "random_search",
    "steps_to_reach", "epochs_to_reach", "init_label", "validation_split",
]

# The learning rates of the book's ch06/optimizer_compare_naive.py (§6.1.7).
OPTIMIZER_LRS = {"SGD": 0.95, "Momentum": 0.1, "AdaGrad": 1.5, "Adam": 0.3}


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


# --- §6.1 optimizers -----------------------------------------------------------------------


def _f(x, y):
    """The book's f(x, y) = x²/20 + y², whose minimum is (0, 0)."""
    return x**2 / 20.0 + y**2


def optimizer_paths(steps: int = 30, *, start=(-7.0, 2.0), lrs=None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The positions of SGD, Momentum, AdaGrad and Adam minimising f(x, y) = x²/20 + y² (book §6.1.7).

    Gradient (x/10, 2y); every optimizer starts at ``start`` and takes ``steps``
    steps with the book's learning rates ``OPTIMIZER_LRS`` (override any with
    ``lrs``). Returns name → (xs, ys), each of length steps + 1, the start
    included. The positions are float64.
    """
    steps = init.positive_int(steps, "steps")
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


def steps_to_reach(xs, ys, tol: float = 0.1, target=(0.0, 0.0)) -> int | None:
    """The first step whose position lies within ``tol`` of ``target`` (None if none does)."""
    distance = np.hypot(np.asarray(xs) - target[0], np.asarray(ys) - target[1])
    hits = np.flatnonzero(distance <= tol)
    return int(hits[0]) if hits.size else None


def optimizer_mnist_losses(iters: int = 2000, *, optimizers=("SGD", "Momentum", "AdaGrad", "Adam"),
                           hidden_size_list=(100, 100, 100, 100), batch_size: int = 128, seed: int = 0,
                           data=None, dtype=np.float32) -> dict[str, np.ndarray]:
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


# --- §6.2 initial weights ------------------------------------------------------------------


def init_label(spec) -> str:
    """How figures name a weight init: 'std 1', 'std 0.01', 'Xavier', 'He'."""
    spec = _init_spec(spec)
    if isinstance(spec, str):
        name = spec.strip().lower()
        if name in init._XAVIER:
            return "Xavier"
        if name in init._HE:
            return "He"
        return spec
    return f"std {float(spec):g}"


def _init_spec(spec):
    """A --init value ('1', '0.01', 'xavier', 'he', or a number) as bprop.init understands it."""
    if isinstance(spec, str):
        try:
            return float(spec)
        except ValueError:
            return spec
    return spec


def activation_histograms(activation: str = "sigmoid", init_std=1.0, *, samples: int = 1000, node_num: int = 100,
                          hidden_layer_size: int = 5, seed: int = 0) -> list[np.ndarray]:
    """The activations of each hidden layer for random inputs (book §6.2.2, weight_init_activation_histogram.py).

    x ~ N(0, 1) of shape (samples, node_num) goes through ``hidden_layer_size``
    layers z = activation(z_prev · W), W ~ N(0, σ²) of shape (node_num,
    node_num), no bias, with σ from ``init_std``: a number (the book's 1 and
    0.01), 'xavier' (√(1/n)) or 'he' (√(2/n)), n = node_num. Returns one
    (samples, node_num) float64 array per layer. With sigmoid, σ = 1 piles the
    activations up at 0 and 1 (vanishing gradients), σ = 0.01 squeezes them
    round 0.5 (every unit alike), Xavier spreads them.
    """
    name = str(activation).lower()
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}: expected one of {', '.join(ACTIVATIONS)}")
    sigma = init.std(_init_spec(init_std), init.positive_int(node_num, "node_num"))
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((init.positive_int(samples, "samples"), node_num))
    layer = ACTIVATIONS[name]()
    out = []
    for _ in range(init.positive_int(hidden_layer_size, "hidden_layer_size")):
        W = rng.standard_normal((node_num, node_num)) * sigma
        z = layer.forward(z @ W)
        out.append(z)
    return out


def init_comparison(iters: int = 2000, *, inits=(0.01, "xavier", "he"), hidden_size_list=(100, 100, 100, 100),
                    batch_size: int = 128, lr: float = 0.01, seed: int = 0, data=None,
                    dtype=np.float32) -> dict[str, np.ndarray]:
    """MNIST loss per step of a 5-layer ReLU net for each initial weight scale (book §6.2.4, weight_init_compare.py).

    MultiLayerNet 784-100-100-100-100-10, ReLU, SGD lr 0.01, batches of 128.
    With std 0.01 the signal vanishes layer by layer and the loss stays at
    ln 10 ≈ 2.30; He learns fastest, Xavier a little slower. Every init sees
    the same batches. Returns init_label(spec) → losses of shape (iters,).
    """
    x, t = _train_set(data, dtype)
    losses = {}
    for spec in inits:
        spec = _init_spec(spec)
        net = MultiLayerNet(x.shape[1], list(hidden_size_list), 10, weight_init_std=spec, rng=seed, dtype=dtype)
        losses[init_label(spec)] = _step_losses(net, optim.SGD(lr), x, t, iters, batch_size, seed)
    return losses


# --- §6.3 batch normalisation --------------------------------------------------------------


def batchnorm_comparison(epochs: int = 20, *, scales=None, train_size: int = 1000, test_size: int | None = 1000,
                         hidden_size_list=(100, 100, 100, 100, 100), batch_size: int = 100, lr: float = 0.01,
                         seed: int = 0, data=None, dtype=np.float32) -> list[tuple[float, Run, Run]]:
    """Training with and without batch normalisation for several initial weight scales (book §6.3.2).

    The book's ch06/batch_norm_test.py: 1000 training images, a ReLU
    MultiLayerNetExtend 784-(100×5)-10, SGD lr 0.01, batches of 100, 20 epochs,
    for the 16 scales ``np.logspace(0, -4, 16)`` (the std of every W). For each
    scale both nets start from the same weights and see the same batches.
    Returns [(scale, run with batch norm, run without)], runs labelled
    'Batch Normalization' and 'Normal (without BatchNorm)' as in the book.
    """
    scales = np.logspace(0, -4, num=16) if scales is None else np.asarray(scales, dtype=float).reshape(-1)
    (x, t), test = _subsets(data, dtype, train_size, test_size)
    results = []
    for scale in scales:
        pair = []
        for use_batchnorm, label in ((True, "Batch Normalization"), (False, "Normal (without BatchNorm)")):
            net = MultiLayerNetExtend(x.shape[1], list(hidden_size_list), 10, weight_init_std=float(scale),
                                      use_batchnorm=use_batchnorm, rng=seed, dtype=dtype)
            pair.append(_epoch_run(label, net, optim.SGD(lr), x, t, *test, epochs, batch_size, seed))
        results.append((float(scale), *pair))
    return results


def epochs_to_reach(accuracies, target: float) -> int | None:
    """The first epoch whose accuracy is at least ``target`` (None if none is)."""
    hits = np.flatnonzero(np.asarray(accuracies) >= target)
    return int(hits[0]) if hits.size else None


# --- §6.4 overfitting ----------------------------------------------------------------------


def overfitting(epochs: int = 200, *, train_size: int = 300, test_size: int | None = None,
                hidden_size_list=(100,) * 6, weight_decay_lambda: float = 0.1, dropout_ratio: float = 0.2,
                batch_size: int = 100, lr: float = 0.01, seed: int = 0, data=None, dtype=np.float32) -> list[Run]:
    """Overfitting and two cures (book §6.4): 300 training images, a 7-layer ReLU net.

    As the book's ch06/overfit_weight_decay.py and overfit_dropout.py: a
    MultiLayerNetExtend 784-(100×6)-10 with He weights, SGD lr 0.01, batches
    of 100, trained plain, with weight decay λ = ``weight_decay_lambda`` and
    with dropout of ratio ``dropout_ratio``; accuracy on the 300 training
    images and on the test set (all 10,000 unless ``test_size``) after each
    epoch. All three start from the same weights and see the same batches.
    Returns three Runs; ``run.gap`` is the final train − test accuracy.
    """
    (x, t), test = _subsets(data, dtype, train_size, test_size)
    variants = (
        ("no regularisation", {}),
        (f"weight decay λ={weight_decay_lambda:g}", {"weight_decay_lambda": weight_decay_lambda}),
        (f"dropout {dropout_ratio:g}", {"use_dropout": True, "dropout_ration": dropout_ratio}),
    )
    runs = []
    for label, kwargs in variants:
        net = MultiLayerNetExtend(x.shape[1], list(hidden_size_list), 10, rng=seed, dtype=dtype, **kwargs)
        runs.append(_epoch_run(label, net, optim.SGD(lr), x, t, *test, epochs, batch_size, seed))
    return runs


# --- §6.5 hyperparameters ------------------------------------------------------------------


def validation_split(x, t, validation_rate: float = 0.2, *, seed: int = 0):
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
                  lr_range=(1e-6, 1e-2), weight_decay_range=(1e-8, 1e-4), hidden_size_list=(100,) * 6,
                  batch_size: int = 100, seed: int = 0, data=None, dtype=np.float32) -> list[Trial]:
    """Random search of learning rate and weight decay (book §6.5.3, ch06/hyperparameter_optimization.py).

    The first ``train_size`` training images are shuffled and split, 20 % for
    validation. Each trial draws lr and λ log-uniformly from their ranges
    (the book: lr = 10^U(-6, -2), λ = 10^U(-8, -4)), trains a ReLU
    MultiLayerNet 784-(100×6)-10 with SGD for ``epochs`` epochs, and records
    the validation and training accuracy per epoch. Every trial starts from
    the same weights and sees the same batches, so only lr and λ differ.
    Returns the trials, best final validation accuracy first.
    """
    trials = init.positive_int(trials, "trials")
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


# --- internals -----------------------------------------------------------------------------


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


def _subsets(data, dtype, train_size, test_size):
    """The first train_size training rows and the first test_size test rows (all when None)."""
    (x, t), (x_test, t_test) = _data(data, dtype)
    train = _first(x, t, train_size, "train_size")
    if test_size is None:
        return train, (x_test.reshape(len(x_test), -1), t_test)
    return train, _first(x_test, t_test, test_size, "test_size")


def _first(x, t, n, name: str):
    """The first n rows of (x, t), each image flattened to one row; n is checked against len(x)."""
    _check_size(n, len(x), name)
    return x[:n].reshape(n, -1), t[:n]


def _check_size(n, available: int, name: str) -> None:
    init.positive_int(n, name)
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
    iters = init.positive_int(iters, "iters")
    batch_size = init.positive_int(batch_size, "batch_size")
    rng = np.random.default_rng(seed)
    losses = np.full(iters, np.nan)
    with np.errstate(**_DIVERGENCE):
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
    trainer = Trainer(net, x, t, x_test, t_test, epochs=init.positive_int(epochs, "epochs"),
                      mini_batch_size=batch_size, optimizer=optimizer, verbose=False, progress=False, seed=seed)
    train_acc, test_acc = trainer.evaluate()
    diverged_at = None
    with np.errstate(**_DIVERGENCE):
        try:
            while trainer.current_iter < trainer.max_iter:
                trainer.train_step()
        except FloatingPointError:
            diverged_at = trainer.current_epoch + 1
    h = trainer.history
    return Run(label, [train_acc, *h.train_acc], [test_acc, *h.test_acc], list(h.loss), diverged_at)


