"""One table of every layer: how to build it, what to feed it, and its torch twin.

The generic tests (test_layer_contract.py, test_layer_torch.py,
test_layer_gradcheck.py) run every row. A row's ``inputs`` returns the forward
arguments; ``torch_forward`` maps the same values (as torch tensors, with the
layer's parameters) to torch's output, or is None where torch has no such layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from bprop import layers as L


@dataclass(frozen=True)
class LayerCase:
    name: str
    make: Callable  # (dtype, rng, shape) -> layer
    inputs: Callable  # (rng, shape, dtype, scale) -> tuple of forward arguments
    torch_forward: Callable | None  # (F, tensors, layer) -> tensor
    kink: float | None = None  # a point where the derivative jumps (excluded from gradient checks)
    max_scale: float = 1000.0  # largest |input| the layer must take without warnings or NaN
    differentiable: int = 1  # how many leading inputs get gradients


def _x(rng, shape, dtype, scale):
    return ((rng.random(shape) * 2 - 1) * scale).astype(dtype)


def _activation(name, cls, torch_forward, kink=None, **kwargs):
    return LayerCase(
        name,
        make=lambda dtype, rng, shape: cls(**kwargs),
        inputs=lambda rng, shape, dtype, scale: (_x(rng, shape, dtype, scale),),
        torch_forward=torch_forward,
        kink=kink,
    )


def _affine(dtype, rng, shape):
    d = int(np.prod(shape[1:]))
    return L.Affine(rng.standard_normal((d, 3)).astype(dtype), rng.standard_normal(3).astype(dtype))


def _labels(rng, shape, dtype, scale):
    n, c = shape[0], shape[-1]
    return (_x(rng, (n, c), dtype, scale), rng.integers(0, c, size=n))


def _one_hot(rng, shape, dtype, scale):
    n, c = shape[0], shape[-1]
    return (_x(rng, (n, c), dtype, scale), np.eye(c, dtype=dtype)[rng.integers(0, c, size=n)])


def _binary_targets(rng, shape, dtype, scale):
    return (_x(rng, shape, dtype, scale), rng.integers(0, 2, size=shape).astype(dtype))


def _regression_targets(rng, shape, dtype, scale):
    return (_x(rng, shape, dtype, scale), _x(rng, shape, dtype, scale))


def _two_arrays(rng, shape, dtype, scale):
    return (_x(rng, shape, dtype, scale), _x(rng, shape, dtype, scale))


def _batch(t):
    return t.shape[0] if t.dim() >= 2 else 1


LAYERS = [
    _activation("Relu", L.Relu, lambda F, a, layer: F.relu(a[0]), kink=0.0),
    _activation("Sigmoid", L.Sigmoid, lambda F, a, layer: F.sigmoid(a[0])),
    _activation("Tanh", L.Tanh, lambda F, a, layer: F.tanh(a[0])),
    _activation("LeakyRelu", L.LeakyRelu, lambda F, a, layer: F.leaky_relu(a[0], 0.01), kink=0.0),
    _activation("LeakyRelu(0.2)", L.LeakyRelu, lambda F, a, layer: F.leaky_relu(a[0], 0.2), kink=0.0, alpha=0.2),
    _activation("Elu", L.Elu, lambda F, a, layer: F.elu(a[0], 1.0)),
    _activation("Elu(0.5)", L.Elu, lambda F, a, layer: F.elu(a[0], 0.5), kink=0.0, alpha=0.5),
    _activation("Gelu", L.Gelu, lambda F, a, layer: F.gelu(a[0], approximate="tanh")),
    # threshold=50: torch switches to y = x above it; below, it computes log1p(exp(x))
    # exactly as we do (its default 20 would differ from the exact value by 2e-9).
    _activation("Softplus", L.Softplus, lambda F, a, layer: F.softplus(a[0], threshold=50)),
    _activation("Silu", L.Silu, lambda F, a, layer: F.silu(a[0])),
    _activation("Identity", L.Identity, lambda F, a, layer: a[0] * 1),
    LayerCase(
        "Affine",
        make=_affine,
        inputs=lambda rng, shape, dtype, scale: (_x(rng, shape, dtype, scale),),
        torch_forward=lambda F, a, layer: F.linear(a[0].reshape(a[0].shape[0], -1), layer.W.T, layer.b),
    ),
    LayerCase(
        "MulLayer",
        make=lambda dtype, rng, shape: L.MulLayer(),
        inputs=_two_arrays,
        torch_forward=lambda F, a, layer: a[0] * a[1],
        differentiable=2,
    ),
    LayerCase(
        "AddLayer",
        make=lambda dtype, rng, shape: L.AddLayer(),
        inputs=_two_arrays,
        torch_forward=lambda F, a, layer: a[0] + a[1],
        differentiable=2,
    ),
    LayerCase(
        "SoftmaxWithLoss",
        make=lambda dtype, rng, shape: L.SoftmaxWithLoss(),
        inputs=_labels,
        torch_forward=lambda F, a, layer: F.cross_entropy(a[0], a[1]),
        max_scale=1e4,
    ),
    LayerCase(
        "SoftmaxWithLoss(one-hot)",
        make=lambda dtype, rng, shape: L.SoftmaxWithLoss(),
        inputs=_one_hot,
        torch_forward=lambda F, a, layer: F.cross_entropy(a[0], a[1]),
        max_scale=1e4,
    ),
    LayerCase(
        "SigmoidWithLoss",
        make=lambda dtype, rng, shape: L.SigmoidWithLoss(),
        inputs=_binary_targets,
        torch_forward=lambda F, a, layer: F.binary_cross_entropy_with_logits(a[0], a[1], reduction="sum")
        / _batch(a[0]),
    ),
    LayerCase(
        "MeanSquaredError",
        make=lambda dtype, rng, shape: L.MeanSquaredError(),
        inputs=_regression_targets,
        torch_forward=lambda F, a, layer: 0.5 * F.mse_loss(a[0], a[1], reduction="sum") / _batch(a[0]),
    ),
]

LAYER_IDS = [case.name for case in LAYERS]


def layer_inputs(case: LayerCase, dtype, seed=0, shape=(4, 5), scale=3.0):
    """A fresh layer and its forward arguments, for one row of the table."""
    rng = np.random.default_rng(seed)
    return case.make(dtype, rng, shape), case.inputs(rng, shape, dtype, scale)
