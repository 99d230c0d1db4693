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
  net and data give the same loss history, bit for bit (with the same
  number of BLAS threads: a matrix product split another way rounds its sums
  in another order).
- The loss recorded for a step is the one its own forward pass computed,
  before the update (the book runs a second forward pass after it).
- ``iters`` may replace ``epochs``, like the book's ch.5 script; an epoch is
  ⌈N / mini_batch_size⌉ steps, and when ``iters`` ends mid-epoch the net is
  evaluated once more at the end, so the last accuracy is the final net's.

``state_dict()`` holds everything besides the net's arrays that decides what
happens next — the step and epoch, the permutation being walked and the
position in it, the shuffling generator's state and that of each Dropout
layer's generator, the optimizer's state, the history — and
``load_state_dict`` restores it into a trainer built like the first: the
resumed run's losses are the uninterrupted run's, bit for bit.
``train(checkpoint_every=N, checkpoint=fn)`` calls ``fn(trainer)`` every N
steps and after the last (``bprop train --checkpoint-every N`` writes the file
there; ``bprop.checkpoint``).

Accuracies are measured on the whole sets (or the first
``evaluate_sample_num_per_epoch`` samples) in the net's evaluation batches
(``bprop.nets.EVAL_BATCH_SIZE``, 2,000 rows; 100 for the conv nets). A
progress bar shows on a terminal or in a notebook (``bprop._progress``: tqdm's,
the notebook widget in Jupyter, where tqdm is installed; a plain text one
otherwise); ``progress=False`` (``bprop train --quiet``) turns it off.

``callbacks`` are called as ``callback(trainer)`` after every step (after the
epoch's evaluation when the step ends one), and ``callback.finish(trainer)``,
where a callback has one, when ``train()`` returns or is interrupted.
``bprop.plot.LivePlot`` is one: the training curves redrawn in place in a
notebook, a line per update elsewhere::

    from bprop.plot import LivePlot
    Trainer(net, x_train, t_train, x_test, t_test, callbacks=[LivePlot()]).train()
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from bprop import _progress, _train_state, init, optim
from bprop._checks import positive_int
from bprop._types import Seed

#: What ``callbacks`` and ``checkpoint`` are: called with the trainer (what they return is not used).
TrainerCallback = Callable[["Trainer"], Any]

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

    def __repr__(self) -> str:
        """The last values, not the lists: ``History(epochs=17, train_acc=0.9802, test_acc=0.9700)``.

        The lists stay attributes (``history.loss``, ``history.test_acc``, …).
        Before the first evaluation: the steps taken and the last loss.
        """
        parts = [f"epochs={self.epochs[-1] if self.epochs else 0}"]
        if not self.epochs and self.loss:
            parts += [f"steps={len(self.loss)}", f"loss={self.loss[-1]:.4f}"]
        parts += [f"{name}={getattr(self, name)[-1]:.4f}" for name in ("train_acc", "test_acc") if getattr(self, name)]
        return f"History({', '.join(parts)})"


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
    progress:  None (a bar when verbose is on and stderr is a terminal or this
               runs in a notebook), True or False.
    log:       where the per-epoch lines go (default ``print``) when verbose.
    callbacks: callables called with the trainer after each step (see the
               module docstring), e.g. ``[bprop.plot.LivePlot()]``.
    """

    def __init__(self, network: Any, x_train: ArrayLike, t_train: ArrayLike, x_test: ArrayLike, t_test: ArrayLike,
                 epochs: int = 20, mini_batch_size: int = 100,
                 optimizer: str | Any = "SGD",  # Any: a name, or any object with update(params, grads)
                 optimizer_param: Mapping[str, float] | None = None, evaluate_sample_num_per_epoch: int | None = None,
                 verbose: bool = True, *, iters: int | None = None, seed: Seed = 0, progress: bool | None = None,
                 log: Callable[[str], Any] = print,
                 callbacks: TrainerCallback | Iterable[TrainerCallback] = ()) -> None:
        self.network = network
        self.callbacks = [callbacks] if callable(callbacks) else list(callbacks)
        for callback in self.callbacks:
            if not callable(callback):
                raise TypeError(f"callbacks must be callables taking the trainer, got {callback!r}")
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
        self._started: float | None = None  # perf_counter() at the start of the train() call under way

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
        the net is evaluated and, when verbose, a line is logged. Then each
        callback is called with the trainer.
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
        if self._pos >= len(self._order):
            self.current_epoch += 1
            self._end_epoch(self.current_epoch)
        elif self.current_iter == self.max_iter:  # the last step, mid-epoch: evaluated as a partial epoch
            self._end_epoch(self.current_epoch + 1)
        for callback in self.callbacks:
            callback(self)
        return loss

    def train(self, *, checkpoint_every: int | None = None, checkpoint: TrainerCallback | None = None) -> History:
        """Run ``iters`` steps (or ``epochs`` epochs); returns the history (also ``self.history``).

        checkpoint: called as ``checkpoint(self)`` after every ``checkpoint_every``-th
        step and after the last one (once, when the last is such a step).
        """
        if (checkpoint is None) != (checkpoint_every is None):
            raise ValueError("train needs both checkpoint_every and checkpoint, or neither")
        if checkpoint_every is not None:
            checkpoint_every = positive_int(checkpoint_every, "checkpoint_every")
            if not callable(checkpoint):
                raise TypeError(f"checkpoint must be callable, got {checkpoint!r}")
        started = self._started = time.perf_counter()
        self._bar = self._progress_bar()
        self._write = self._bar.write if self._bar is not None else self.log
        try:
            while self.current_iter < self.max_iter:
                self.train_step()
                if checkpoint is not None and checkpoint_every is not None and (  # both given, or neither
                        self.current_iter % checkpoint_every == 0 or self.current_iter == self.max_iter):
                    checkpoint(self)
        finally:
            if self._bar is not None:
                self._bar.close()
            self._bar = None
            self._write = self.log
            self.history.seconds += time.perf_counter() - started
            self._started = None
            for callback in self.callbacks:
                finish = getattr(callback, "finish", None)  # LivePlot's: the last update, the file written
                if callable(finish):
                    finish(self)
        return self.history

    def state_dict(self) -> dict:
        """What a resumed run needs besides the net's arrays, as plain values and arrays (not copies).

        {"step", "epoch", "batch_size", "order", "position", "epoch_loss_start",
        "rng", "layer_rngs", "optimizer", "history"}; rng states are
        ``bit_generator.state`` dicts; layer_rngs maps each net layer that has a
        Generator ``rng`` (Dropout) by name. Raises TypeError when the optimizer
        has no ``state_dict`` (a hand-written one).
        """
        if not callable(getattr(self.optimizer, "state_dict", None)):
            raise TypeError(f"the optimizer {type(self.optimizer).__name__} has no state_dict(), so a run "
                            f"with it cannot be saved mid-way")
        h = self.history
        running = time.perf_counter() - self._started if self._started is not None else 0.0
        return {
            "step": self.current_iter,
            "epoch": self.current_epoch,
            "batch_size": self.batch_size,
            "order": self._order,
            "position": self._pos,
            "epoch_loss_start": self._epoch_loss_start,
            "rng": self.rng.bit_generator.state,
            "layer_rngs": {name: rng.bit_generator.state for name, rng in _layer_rngs(self.network).items()},
            "optimizer": self.optimizer.state_dict(),
            "history": {"loss": np.array(h.loss, dtype=np.float64), "iterations": list(h.iterations),
                        "epochs": list(h.epochs), "train_acc": list(h.train_acc),
                        "test_acc": list(h.test_acc), "seconds": h.seconds + running},
        }

    def load_state_dict(self, state: dict) -> None:
        """Continue from ``state_dict()`` of a trainer built alike (same data, batch size, optimizer type).

        Checked before anything changes (ValueError naming the part): the batch
        size, the step against ``iters``, the order as a permutation of the
        training set, the generators' states, the optimizer's state against the
        net's parameters (names, shapes, dtypes), the history's lengths.
        """
        layer_rngs = _layer_rngs(self.network)
        _train_state.check(self, state, layer_rngs)
        self.optimizer.load_state_dict(state["optimizer"])  # checks all before it changes anything
        self.rng.bit_generator.state = state["rng"]
        for name, rng_state in state["layer_rngs"].items():
            layer_rngs[name].bit_generator.state = rng_state
        self.current_iter, self.current_epoch = int(state["step"]), int(state["epoch"])
        self._order = np.array(state["order"], dtype=np.intp)
        self._pos, self._epoch_loss_start = int(state["position"]), int(state["epoch_loss_start"])
        h = state["history"]
        self.history = History([float(v) for v in h["loss"]], list(h["iterations"]), list(h["epochs"]),
                               list(h["train_acc"]), list(h["test_acc"]), float(h["seconds"]))

    def evaluate(self) -> tuple[float, float]:
        """(train accuracy, test accuracy) of the net now, batched."""
        n = self.evaluate_sample_num_per_epoch
        x_train, t_train, x_test, t_test = self.x_train, self.t_train, self.x_test, self.t_test
        if n is not None:
            x_train, t_train, x_test, t_test = x_train[:n], t_train[:n], x_test[:n], t_test[:n]
        return self.network.accuracy(x_train, t_train), self.network.accuracy(x_test, t_test)

    # --- internals -------------------------------------------------------------------

    def _end_epoch(self, epoch: int) -> None:
        train_acc, test_acc = self.evaluate()
        h = self.history
        h.iterations.append(self.current_iter)
        h.epochs.append(epoch)
        h.train_acc.append(train_acc)
        h.test_acc.append(test_acc)
        losses = h.loss[self._epoch_loss_start:]
        self._epoch_loss_start = len(h.loss)
        if self.verbose:
            width = len(str(self.max_iter))
            self._write(
                f"epoch {epoch:>{len(str(self.epochs))}}/{self.epochs}  "
                f"iter {self.current_iter:>{width}}  loss {sum(losses) / len(losses):.4f}  "
                f"train acc {train_acc:.4f}  test acc {test_acc:.4f}"
            )

    def _progress_bar(self):
        if not _progress.wanted(self.progress, self.verbose):
            return None
        return _progress.progress_bar(self.max_iter, self.current_iter, unit="step")


def _layer_rngs(net) -> dict:
    """{layer name: its numpy Generator} for the net's layers that draw random numbers (Dropout)."""
    layers = getattr(net, "layers", None)
    if layers is None or not hasattr(layers, "items"):
        return {}
    return {name: layer.rng for name, layer in layers.items()
            if isinstance(getattr(layer, "rng", None), np.random.Generator)}


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
