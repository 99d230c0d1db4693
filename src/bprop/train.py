"""Training loop: shuffled mini-batches, an optimizer step each, evaluation after each epoch.

>>> import numpy as np
>>> from bprop.datasets import load_mnist
>>> from bprop.nets import TwoLayerNet
>>> (x_train, t_train), (x_test, t_test) = load_mnist()        # float32
>>> net = TwoLayerNet(784, 50, 10, dtype=np.float32, rng=0)
>>> trainer = Trainer(net, x_train[:5000], t_train[:5000], x_test[:1000], t_test[:1000],
...                   iters=500, optimizer="sgd", optimizer_param={"lr": 0.1}, seed=0, verbose=False)
>>> history = trainer.train()
>>> history.test_acc[-1] > 0.85           # all 60,000 images and 10,000 steps: about 0.97
True

The constructor follows the book's ``common/trainer.py`` (``epochs``,
``mini_batch_size``, ``optimizer``, ``optimizer_param``,
``evaluate_sample_num_per_epoch``, ``verbose``, ``train_step``, ``train``,
``train_loss_list``, ``train_acc_list``, ``test_acc_list``), with three
differences:

- Each epoch is one pass over a fresh permutation of the training set, drawn
  from a ``numpy.random.Generator`` seeded with ``seed``: every sample is used
  once per epoch (the book draws each batch with replacement). The same seed,
  net and data give the same loss history, bit for bit.
- The loss recorded for a step is the one its own forward pass computed,
  before the update (the book runs a second forward pass after it).
- ``iters`` may replace ``epochs``, like the book's ch.5 script; an epoch is
  ⌈N / mini_batch_size⌉ steps, and when ``iters`` ends mid-epoch the net is
  evaluated once more at the end, so the last accuracy is the final net's.

Accuracies are measured on the whole sets (or the first
``evaluate_sample_num_per_epoch`` samples) in the net's evaluation batches
(``bprop.nets.EVAL_BATCH_SIZE``, 2,000 rows; 100 for the conv nets). A tqdm
progress bar shows on a terminal when tqdm is installed; ``progress=False``
(``bprop train --quiet``) turns it off.
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from bprop import init, optim
from bprop._checks import positive_int

__all__ = ["Trainer", "History"]


@dataclass
class History:
    """What a training run measured.

    loss:       one mini-batch loss per step, before that step's update.
    iterations: the step count at each evaluation.
    epochs:     the epoch (1, 2, …; the last may be partial) of each evaluation.
    train_acc, test_acc: the accuracies at each evaluation.
    seconds:    wall time of the whole run, evaluations included.
    """

    loss: list[float] = field(default_factory=list)
    iterations: list[int] = field(default_factory=list)
    epochs: list[int] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)
    seconds: float = 0.0


class Trainer:
    """Trains ``network`` with mini-batch gradient descent; see the module docstring.

    network:   anything with the book's ``gradient``, ``loss``, ``accuracy`` and
               ``params`` (``loss_and_gradient`` is used when it has one).
    x_train, t_train, x_test, t_test: arrays with one sample per row; labels as
               integers (N,) or one-hot (N, C). The images are converted once to
               the net's dtype when they differ.
    optimizer: a name ('sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop',
               'adam'; any case) built with ``optimizer_param``, or an optimizer
               object with ``update(params, grads)``.
    iters:     total steps; when given, ``epochs`` is not used.
    seed:      an int or a ``numpy.random.Generator`` for the shuffling.
    progress:  None (a bar when stderr is a terminal, verbose is on and tqdm
               is installed), True or False.
    log:       where the per-epoch lines go (default ``print``) when verbose.
    """

    def __init__(self, network, x_train, t_train, x_test, t_test, epochs=20, mini_batch_size=100,
                 optimizer="SGD", optimizer_param=None, evaluate_sample_num_per_epoch=None, verbose=True,
                 *, iters=None, seed=0, progress=None, log=print):
        self.network = network
        dtype = getattr(network, "dtype", None)
        self.x_train, self.t_train = _split(x_train, t_train, "train", dtype)
        self.x_test, self.t_test = _split(x_test, t_test, "test", dtype)
        self.batch_size = positive_int(mini_batch_size, "mini_batch_size")
        self.iter_per_epoch = math.ceil(len(self.x_train) / self.batch_size)
        if iters is not None:
            self.max_iter = positive_int(iters, "iters")
        else:
            self.max_iter = positive_int(epochs, "epochs") * self.iter_per_epoch
        self.epochs = math.ceil(self.max_iter / self.iter_per_epoch)
        if isinstance(optimizer, str):
            self.optimizer = optim.get(optimizer, **(optimizer_param or {"lr": 0.01}))
        elif callable(getattr(optimizer, "update", None)):
            self.optimizer = optimizer
        else:
            raise TypeError(f"optimizer must be a name or have update(params, grads), got {optimizer!r}")
        if evaluate_sample_num_per_epoch is not None:
            evaluate_sample_num_per_epoch = positive_int(
                evaluate_sample_num_per_epoch, "evaluate_sample_num_per_epoch")
        self.evaluate_sample_num_per_epoch = evaluate_sample_num_per_epoch
        self.verbose = bool(verbose)
        self.progress = progress
        self.log = log
        self.rng = init.as_generator(seed)
        self.history = History()
        self.current_iter = 0
        self.current_epoch = 0
        # Batches are gathered into buffers the trainer owns: a step allocates no
        # (N, D) array. The net only reads them (layers never write their input).
        self._x_batch = np.empty((self.batch_size, *self.x_train.shape[1:]), dtype=self.x_train.dtype)
        self._t_batch = np.empty((self.batch_size, *self.t_train.shape[1:]), dtype=self.t_train.dtype)
        self._order = np.empty(0, dtype=np.intp)
        self._pos = 0
        self._epoch_loss_start = 0
        self._bar = None
        self._write = log

    # --- the book's names -----------------------------------------------------------------

    @property
    def train_loss_list(self) -> list[float]:
        return self.history.loss

    @property
    def train_acc_list(self) -> list[float]:
        return self.history.train_acc

    @property
    def test_acc_list(self) -> list[float]:
        return self.history.test_acc

    def train_step(self) -> float:
        """One step: the next mini-batch, forward and backward, the optimizer's update.

        Returns the mini-batch loss (before the update). At the end of an epoch
        the net is evaluated and, when verbose, a line is logged.
        """
        if self._pos >= len(self._order):
            self._order = self.rng.permutation(len(self.x_train))
            self._pos = 0
        idx = self._order[self._pos:self._pos + self.batch_size]
        self._pos += len(idx)
        # mode="clip" lets np.take write straight into out (mode="raise" buffers);
        # idx comes from a permutation, so it is always in range.
        x = np.take(self.x_train, idx, axis=0, out=self._x_batch[:len(idx)], mode="clip")
        t = np.take(self.t_train, idx, axis=0, out=self._t_batch[:len(idx)], mode="clip")
        net = self.network
        if hasattr(net, "loss_and_gradient"):
            loss, grads = net.loss_and_gradient(x, t)
        else:
            grads = net.gradient(x, t)
            loss = net.loss(x, t)
        self.optimizer.update(net.params, grads)
        loss = float(loss)
        self.history.loss.append(loss)
        self.current_iter += 1
        if self._bar is not None:
            self._bar.update(1)
        if self._pos >= len(self._order) or self.current_iter == self.max_iter:
            self.current_epoch += 1
            self._end_epoch()
        return loss

    def train(self) -> History:
        """Run ``iters`` steps (or ``epochs`` epochs); returns the history (also ``self.history``)."""
        start = time.perf_counter()
        self._bar = self._progress_bar()
        self._write = self._bar.write if self._bar is not None else self.log
        try:
            while self.current_iter < self.max_iter:
                self.train_step()
        finally:
            if self._bar is not None:
                self._bar.close()
            self._bar = None
            self._write = self.log
            self.history.seconds += time.perf_counter() - start
        return self.history

    def evaluate(self) -> tuple[float, float]:
        """(train accuracy, test accuracy) of the net now, batched."""
        n = self.evaluate_sample_num_per_epoch
        x_train, t_train, x_test, t_test = self.x_train, self.t_train, self.x_test, self.t_test
        if n is not None:
            x_train, t_train, x_test, t_test = x_train[:n], t_train[:n], x_test[:n], t_test[:n]
        return self.network.accuracy(x_train, t_train), self.network.accuracy(x_test, t_test)

    # --- internals -------------------------------------------------------------------

    def _end_epoch(self) -> None:
        train_acc, test_acc = self.evaluate()
        h = self.history
        h.iterations.append(self.current_iter)
        h.epochs.append(self.current_epoch)
        h.train_acc.append(train_acc)
        h.test_acc.append(test_acc)
        losses = h.loss[self._epoch_loss_start:]
        self._epoch_loss_start = len(h.loss)
        if self.verbose:
            width = len(str(self.max_iter))
            self._write(
                f"epoch {self.current_epoch:>{len(str(self.epochs))}}/{self.epochs}  "
                f"iter {self.current_iter:>{width}}  loss {sum(losses) / len(losses):.4f}  "
                f"train acc {train_acc:.4f}  test acc {test_acc:.4f}"
            )

    def _progress_bar(self):
        show = self.progress
        if show is None:
            show = self.verbose and sys.stderr.isatty()
        if not show:
            return None
        try:
            from tqdm import tqdm
        except ImportError:
            return None  # the per-epoch lines still report progress
        return tqdm(total=self.max_iter, initial=self.current_iter, unit="step", file=sys.stderr,
                    leave=False, dynamic_ncols=True, mininterval=0.25)


def _split(x, t, name: str, dtype) -> tuple[np.ndarray, np.ndarray]:
    """x, t checked to have one row per sample; x in the net's dtype."""
    x = np.asarray(x)
    t = np.asarray(t)
    if x.ndim < 1 or t.ndim < 1 or len(x) != len(t) or len(x) == 0:
        raise ValueError(f"x_{name} and t_{name} must have the same number of samples (> 0), "
                         f"got shapes {x.shape} and {t.shape}")
    if dtype is not None and x.dtype != dtype:
        x = x.astype(dtype)  # once here, not on every step
    return x, t
