"""§6.4: overfitting 300 images, and two cures: weight decay and dropout."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from bprop import optim
from bprop.experiments._runs import Run, _epoch_run, _subsets
from bprop.nets import MultiLayerNetExtend

__all__ = ["overfitting"]


def overfitting(epochs: int = 200, *, train_size: int = 300, test_size: int | None = None,
                hidden_size_list: Sequence[int] = (100,) * 6, weight_decay_lambda: float = 0.1,
                dropout_ratio: float = 0.2, batch_size: int = 100, lr: float = 0.01, seed: int = 0,
                data: tuple | None = None, dtype: DTypeLike = np.float32) -> list[Run]:
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
    variants: tuple[tuple[str, dict[str, Any]], ...] = (
        ("no regularisation", {}),
        (f"weight decay λ={weight_decay_lambda:g}", {"weight_decay_lambda": weight_decay_lambda}),
        (f"dropout {dropout_ratio:g}", {"use_dropout": True, "dropout_ration": dropout_ratio}),
    )
    runs = []
    for label, kwargs in variants:
        net = MultiLayerNetExtend(x.shape[1], list(hidden_size_list), 10, rng=seed, dtype=dtype, **kwargs)
        runs.append(_epoch_run(label, net, optim.SGD(lr), x, t, *test, epochs, batch_size, seed))
    return runs
