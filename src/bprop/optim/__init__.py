"""Optimizers: the book's §6.1 (SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam), AdamW, lr schedules.

Each has the book's constructor and ``update(params, grads)``, where both are
dicts keyed alike (``net.params``, ``net.gradient(x, t)``), or book 2's lists
of arrays in one order (``model.params``, ``model.grads``; a weight listed
twice, or as its transpose, is updated once with its gradients summed)::

    optimizer = Adam(lr=0.001)
    for i in range(iters):
        grads = net.gradient(x_batch, t_batch)
        optimizer.update(net.params, grads)

``state_dict()`` gives the hyperparameters and that state as plain values and
arrays, and ``load_state_dict(state)`` restores them, so a run saved mid-way
(``bprop train --checkpoint-every``) continues step for step as if never
stopped.

``update`` changes the parameter arrays **in place** — the one sanctioned
mutation in bprop. A net's ``params`` are its layers' own arrays,
so the layers learn; a caller holding ``params['W1']`` sees the new values.
Nothing else is written: ``grads`` are left as they are. The state (velocity,
squared-gradient sums, moments) is kept per key, created on the first update
with each parameter's shape and dtype, so float32 parameters stay float32.

Each method is tested step for step against ``torch.optim`` with the same
hyperparameters (tests/test_optim.py, tests/test_optim_adamw.py). Where the
book's formula and PyTorch's differ, the docstring says which one is used and why.

    base.py       _Optimizer (checks, per-key state, state_dict), tied weights (merge_tied)
    book.py       the book's six
    adamw.py      AdamW, decoupled weight decay
    schedules.py  WarmupCosine, WarmupLinear, TransformerSchedule: ``schedule.apply(opt, step)``

Gradient clipping by the global norm is ``bprop.nlp.clip_grads``.
"""

from __future__ import annotations

from bprop.optim import schedules
from bprop.optim.adamw import AdamW
from bprop.optim.base import _merged as _merged  # imported by tests/nets/test_book2_nets.py
from bprop.optim.base import _Optimizer, merge_tied
from bprop.optim.book import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop
from bprop.optim.schedules import TransformerSchedule, WarmupCosine, WarmupLinear

__all__ = ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam", "AdamW", "OPTIMIZERS", "merge_tied", "get",
           "schedules", "WarmupCosine", "WarmupLinear", "TransformerSchedule"]

# The book's six: the names ``bprop train --optimizer`` offers and bprop.gradcheck has references for.
OPTIMIZERS = {
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "adagrad": AdaGrad,
    "rmsprop": RMSprop,
    "adam": Adam,
}

# Every optimizer ``get`` (and so the Trainer's ``optimizer="…"``) builds by name.
_BY_NAME = {**OPTIMIZERS, "adamw": AdamW}


def get(name: str, **hyperparameters: float) -> _Optimizer:
    """An optimizer by name ('sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam', 'adamw'; any case)."""
    cls = _BY_NAME.get(str(name).lower())
    if cls is None:
        raise ValueError(f"unknown optimizer {name!r}: expected one of {', '.join(_BY_NAME)}")
    return cls(**hyperparameters)
