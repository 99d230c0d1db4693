"""The checks ``Trainer.load_state_dict`` makes before it changes anything.

A saved state must fit the trainer it is loaded into: the same mini-batch
size, a step within ``iters``, a permutation of this training set, generator
states of the right kind, optimizer state shaped like the net's parameters, a
history as long as the steps taken. Each failure is a ValueError naming the
part and what was expected.
"""

from __future__ import annotations

import numpy as np

_KEYS = ("step", "epoch", "batch_size", "order", "position", "epoch_loss_start", "rng", "layer_rngs",
         "optimizer", "history")
_HISTORY = ("loss", "iterations", "epochs", "train_acc", "test_acc", "seconds")


def check(trainer, state, layer_rngs: dict) -> None:
    """Raise ValueError unless ``state`` (a ``Trainer.state_dict()``) can continue ``trainer``."""
    if not isinstance(state, dict) or set(state) != set(_KEYS):
        found = sorted(state) if isinstance(state, dict) else type(state).__name__
        raise ValueError(f"a trainer state holds {list(_KEYS)}, got {found}")
    if not callable(getattr(trainer.optimizer, "load_state_dict", None)):
        raise TypeError(f"the optimizer {type(trainer.optimizer).__name__} has no load_state_dict()")
    step = _count(state, "step")
    _count(state, "epoch")
    if state["batch_size"] != trainer.batch_size:
        raise ValueError(f"the saved run used mini-batches of {state['batch_size']!r}, this trainer "
                         f"{trainer.batch_size}: the data order would differ")
    if step > trainer.max_iter:
        raise ValueError(f"the saved run is at step {step:,}, past this trainer's {trainer.max_iter:,} steps")
    _check_order(state, len(trainer.x_train))
    _check_history(state["history"], step)
    if _count(state, "epoch_loss_start") > step:
        raise ValueError(f"epoch_loss_start must be at most the step {step}, got {state['epoch_loss_start']}")
    _check_generator("rng", state["rng"], trainer.rng)
    saved = state["layer_rngs"]
    if not isinstance(saved, dict) or set(saved) != set(layer_rngs):
        raise ValueError(f"the saved run's net has random layers {sorted(saved) if isinstance(saved, dict) else saved}, "
                         f"this net {sorted(layer_rngs)}")
    for name, rng_state in saved.items():
        _check_generator(f"layer_rngs[{name!r}]", rng_state, layer_rngs[name])
    _check_optimizer_arrays(state["optimizer"], trainer.network.params, step)


def _count(state: dict, key: str) -> int:
    value = state[key]
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{key} must be an integer >= 0, got {value!r}")
    return int(value)


def _check_order(state: dict, n: int) -> None:
    """The permutation being walked: empty before the first step, else one of range(n); position within it."""
    order = state["order"]
    if not isinstance(order, np.ndarray) or order.ndim != 1 or (order.size and order.dtype.kind not in "iu"):
        raise ValueError(f"order must be a 1-D integer array, got {type(order).__name__} "
                         f"{getattr(order, 'dtype', '')} {getattr(order, 'shape', '')}".rstrip())
    if order.size and (order.size != n or not np.array_equal(np.sort(order), np.arange(n))):
        raise ValueError(f"order is not a permutation of this trainer's {n:,} training samples: the saved run "
                         f"trained on other data")
    if _count(state, "position") > order.size:
        raise ValueError(f"position {state['position']} is past the end of the order ({order.size})")


def _check_history(history, step: int) -> None:
    if not isinstance(history, dict) or set(history) != set(_HISTORY):
        raise ValueError(f"history must hold {list(_HISTORY)}, got "
                         f"{sorted(history) if isinstance(history, dict) else history!r}")
    loss = history["loss"]
    if not isinstance(loss, np.ndarray) or loss.ndim != 1 or loss.dtype.kind != "f" or len(loss) != step:
        raise ValueError(f"history loss must be a float array of one loss per step ({step}), got "
                         f"{getattr(loss, 'shape', type(loss).__name__)}")
    lists = [history[key] for key in _HISTORY[1:5]]
    if not all(isinstance(values, list) for values in lists) or len({len(values) for values in lists}) != 1:
        raise ValueError("history iterations, epochs, train_acc and test_acc must be lists of one length")
    for key in ("iterations", "epochs"):
        if not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v for v in history[key]):
            raise ValueError(f"history {key} must be integers >= 0")
    for key in ("train_acc", "test_acc"):
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1 for v in history[key]):
            raise ValueError(f"history {key} must be accuracies in [0, 1]")
    seconds = history["seconds"]
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds >= 0:
        raise ValueError(f"history seconds must be a number >= 0, got {seconds!r}")


def _check_generator(where: str, rng_state, rng: np.random.Generator) -> None:
    """That rng_state can be set on a generator like rng (tried on a fresh one, not on rng)."""
    kind = type(rng.bit_generator)
    try:
        kind().state = rng_state
    except Exception as exc:  # TypeError, ValueError, KeyError, OverflowError for an out-of-range integer
        raise ValueError(f"{where} is not a state of a {kind.__name__} generator ({type(exc).__name__}: "
                         f"{exc})") from None


def _check_optimizer_arrays(optimizer_state, params, step: int) -> None:
    """Each state array names one of the net's parameters and has its shape and dtype; after a step, all are there."""
    stores = optimizer_state.get("state") if isinstance(optimizer_state, dict) else None
    if not isinstance(stores, dict):
        raise ValueError("optimizer must be an optimizer's state_dict()")
    for store_name, store in stores.items():
        if not isinstance(store, dict):
            raise ValueError(f"optimizer state {store_name!r} must map parameter names to arrays")
        missing = sorted(set(params) - set(store))
        if step > 0 and missing:
            raise ValueError(f"optimizer state {store_name!r} lacks {', '.join(missing)}: after {step} steps every "
                             f"parameter has one (resuming with zeros would not continue the run)")
        for key, a in store.items():
            p = params.get(key)
            if p is None:
                raise ValueError(f"optimizer state {store_name}[{key!r}] names no parameter of the net "
                                 f"(it has {', '.join(params)})")
            if getattr(a, "shape", None) != p.shape or getattr(a, "dtype", None) != p.dtype:
                raise ValueError(f"optimizer state {store_name}[{key!r}] is {getattr(a, 'dtype', '?')} "
                                 f"{getattr(a, 'shape', '?')}, the net's {key} is {p.dtype} {p.shape}")
