"""§6.2: initial weights — the activations they give, and how fast a deep net then learns."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import DTypeLike

from bprop import init, optim
from bprop._checks import positive_int
from bprop._types import InitSpec
from bprop.experiments._runs import _step_losses, _train_set
from bprop.nets import ACTIVATIONS, MultiLayerNet

__all__ = ["init_label", "activation_histograms", "init_comparison"]


def init_label(spec: InitSpec) -> str:
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


def activation_histograms(activation: str = "sigmoid", init_std: InitSpec = 1.0, *, samples: int = 1000,
                          node_num: int = 100, hidden_layer_size: int = 5, seed: int = 0) -> list[np.ndarray]:
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
    sigma = init.std(_init_spec(init_std), positive_int(node_num, "node_num"))
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((positive_int(samples, "samples"), node_num))
    layer = ACTIVATIONS[name]()
    out = []
    for _ in range(positive_int(hidden_layer_size, "hidden_layer_size")):
        W = rng.standard_normal((node_num, node_num)) * sigma
        z = layer.forward(z @ W)
        out.append(z)
    return out


def init_comparison(iters: int = 2000, *, inits: Sequence[InitSpec] = (0.01, "xavier", "he"),
                    hidden_size_list: Sequence[int] = (100, 100, 100, 100), batch_size: int = 128, lr: float = 0.01,
                    seed: int = 0, data: tuple | None = None, dtype: DTypeLike = np.float32) -> dict[str, np.ndarray]:
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
