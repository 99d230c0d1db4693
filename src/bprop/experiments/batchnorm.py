"""§6.3: training with and without batch normalisation, for many initial weight scales."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from bprop import optim
from bprop.experiments._runs import Run, _epoch_run, _subsets
from bprop.nets import MultiLayerNetExtend

__all__ = ["batchnorm_comparison", "epochs_to_reach"]


def batchnorm_comparison(epochs: int = 20, *, scales: ArrayLike | None = None, train_size: int = 1000,
                         test_size: int | None = 1000,
                         hidden_size_list: Sequence[int] = (100, 100, 100, 100, 100), batch_size: int = 100,
                         lr: float = 0.01, seed: int = 0, data: tuple | None = None,
                         dtype: DTypeLike = np.float32) -> list[tuple[float, Run, Run]]:
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
        pair: list[Run] = []
        for use_batchnorm, label in ((True, "Batch Normalization"), (False, "Normal (without BatchNorm)")):
            net = MultiLayerNetExtend(x.shape[1], list(hidden_size_list), 10, weight_init_std=float(scale),
                                      use_batchnorm=use_batchnorm, rng=seed, dtype=dtype)
            pair.append(_epoch_run(label, net, optim.SGD(lr), x, t, *test, epochs, batch_size, seed))
        results.append((float(scale), pair[0], pair[1]))
    return results


def epochs_to_reach(accuracies: Sequence[float], target: float) -> int | None:
    """The first epoch whose accuracy is at least ``target`` (None if none is)."""
    hits = np.flatnonzero(np.asarray(accuracies) >= target)
    return int(hits[0]) if hits.size else None
