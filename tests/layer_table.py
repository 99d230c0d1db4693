"""One table of every layer: how to build it, what to feed it, and its torch twin.

The generic tests (tests/layers/test_contract.py, tests/layers/test_torch.py and
check_layer's tests in tests/gradcheck/test_checker.py) run every row. A row's ``inputs`` returns the forward
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


# BatchNormalization and Dropout rows (imported from their modules directly).
from bprop.layers.dropout import Dropout  # noqa: E402
from bprop.layers.norm import BatchNormalization  # noqa: E402

BN_EPS = 10e-7  # the book's eps, passed to torch as well
DROPOUT_SEED = 12345


def _bn_shape(shape, image):
    """A shape BatchNormalization trains on: (N, D), or (N, C, H, W); N >= 2."""
    s = tuple(shape) + (3,) * (3 - len(shape))
    n = max(s[0], 2)
    return (n, s[1], s[2], 2) if image else (n, int(np.prod(shape[1:], dtype=int)))


def _bn_x(rng, shape, dtype, scale):
    """x in [-scale, scale] whose values in each channel lie on a shuffled, jittered grid.

    In training dx is amplified by gamma/σ: when a channel's few values cluster,
    float32 roundoff in dx (ours and torch's alike, 1e-7·|gamma|/σ) passes the
    1e-5 tolerance. The grid keeps σ near scale/√3; tests/layers/test_norm.py checks
    clustered batches with a tolerance that grows with gamma/σ.
    """
    C = shape[1]
    M = int(np.prod(shape)) // C
    grid = rng.permuted(np.tile(np.arange(M), (C, 1)), axis=1) + 0.25 + 0.5 * rng.random((C, M))
    v = (2 * grid / M - 1) * scale
    x = v.T if len(shape) == 2 else v.reshape(C, shape[0], *shape[2:]).transpose(1, 0, 2, 3)
    return np.ascontiguousarray(x, dtype=dtype)


def _bn_running(C, dtype):
    """Fixed running averages for the inference rows, rebuilt alike on the torch side.

    Their scale (std 100-200) keeps x̂ below about 10 for inputs up to ±1000: with
    running_var near 1, x̂ reaches 1000 and dgamma = Σ dout·x̂ sums terms so large
    that float32 roundoff, ours and torch's alike (2e-8 of Σ|terms|), passes 1e-5.
    """
    return np.linspace(-10, 10, C).astype(dtype), np.linspace(1e4, 4e4, C).astype(dtype)


def _batchnorm_case(name, image, train):
    def make(dtype, rng, shape):
        C = _bn_shape(shape, image)[1]
        gamma = (rng.uniform(0.5, 2, C) * rng.choice([-1, 1], C)).astype(dtype)
        beta = rng.standard_normal(C).astype(dtype)
        return BatchNormalization(gamma, beta, *(() if train else (0.9, *_bn_running(C, dtype))), eps=BN_EPS)

    def inputs(rng, shape, dtype, scale):
        x = _bn_x(rng, _bn_shape(shape, image), dtype, scale)
        return (x,) if train else (x, False)

    def torch_forward(F, a, layer):
        x = a[0]
        if train:
            return F.batch_norm(x, None, None, layer.gamma, layer.beta, training=True, eps=BN_EPS)
        mean, var = (x.new_tensor(v) for v in _bn_running(x.shape[1], x.detach().numpy().dtype))
        return F.batch_norm(x, mean, var, layer.gamma, layer.beta, training=False, eps=BN_EPS)

    return LayerCase(name, make=make, inputs=inputs, torch_forward=torch_forward)


def _dropout_scale(x):
    """mask/(1 - 0.5) of the first forward of a Dropout seeded as the table's: its torch twin's mask."""
    a = x.detach().numpy()
    return x.new_tensor(Dropout(0.5, seed=DROPOUT_SEED).forward(np.ones(a.shape, a.dtype)))


# Convolution, Pooling and Flatten rows (imported from their module directly).
from bprop.layers.conv import Convolution, Flatten, Pooling  # noqa: E402


def _image_shape(shape, kernel=3, stride=1, pad=1):
    """(N, C, H, W) from a table shape (N, C, k): output sizes k × (k + 1), whole and non-square."""
    n, c, k = (tuple(shape) + (2, 3))[:3]
    side = lambda out: (out - 1) * stride + kernel - 2 * pad  # noqa: E731
    return (n, min(c, 3), side(k), side(k + 1))


def _conv_case(name, stride, pad):
    def make(dtype, rng, shape):
        c = _image_shape(shape)[1]
        return Convolution(rng.standard_normal((2, c, 3, 3)).astype(dtype), rng.standard_normal(2).astype(dtype), stride, pad)

    # Inputs within ±1: a convolution is linear, and its float32 sums of hundreds of
    # terms round differently from torch's by ~1e-7 of Σ|terms|, past 1e-5 at ±1000.
    # The contract test still sets ±1000 itself; tests/layers/test_conv.py compares ±1000
    # with torch to 1e-5 of the output's scale.
    return LayerCase(
        name,
        make=make,
        inputs=lambda rng, shape, dtype, scale: (_x(rng, _image_shape(shape, 3, stride, pad), dtype, min(scale, 1.0)),),
        torch_forward=lambda F, a, layer: F.conv2d(a[0], layer.W, layer.b, stride=stride, padding=pad),
    )


def _pool_case(name, size, stride, pad, mode):
    pool = (lambda F: F.max_pool2d) if mode == "max" else (lambda F: F.avg_pool2d)
    return LayerCase(
        name,
        make=lambda dtype, rng, shape: Pooling(size, size, stride, pad, mode=mode),
        inputs=lambda rng, shape, dtype, scale: (_x(rng, _image_shape(shape, size, stride, pad), dtype, scale),),
        torch_forward=lambda F, a, layer: pool(F)(a[0], size, stride, pad),
    )


LAYERS = [
    _activation("Relu", L.Relu, lambda F, a, layer: F.relu(a[0]), kink=0.0),
    _activation("Sigmoid", L.Sigmoid, lambda F, a, layer: F.sigmoid(a[0])),
    _activation("Tanh", L.Tanh, lambda F, a, layer: F.tanh(a[0])),
    _activation("LeakyRelu", L.LeakyRelu, lambda F, a, layer: F.leaky_relu(a[0], 0.01), kink=0.0),
    _activation("LeakyRelu(0.2)", L.LeakyRelu, lambda F, a, layer: F.leaky_relu(a[0], 0.2), kink=0.0, alpha=0.2),
    _activation("Elu", L.Elu, lambda F, a, layer: F.elu(a[0], 1.0)),
    _activation("Elu(0.5)", L.Elu, lambda F, a, layer: F.elu(a[0], 0.5), kink=0.0, alpha=0.5),
    _activation("Gelu", L.Gelu, lambda F, a, layer: F.gelu(a[0], approximate="tanh")),
    _activation("Gelu(exact)", L.Gelu, lambda F, a, layer: F.gelu(a[0]), exact=True),
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
    _batchnorm_case("BatchNormalization", image=False, train=True),
    _batchnorm_case("BatchNormalization(NCHW)", image=True, train=True),
    _batchnorm_case("BatchNormalization(inference)", image=False, train=False),
    _batchnorm_case("BatchNormalization(NCHW, inference)", image=True, train=False),
    # Seeded, so the torch twin multiplies by the same mask as the layer's first forward.
    LayerCase(
        "Dropout",
        make=lambda dtype, rng, shape: Dropout(0.5, seed=DROPOUT_SEED),
        inputs=lambda rng, shape, dtype, scale: (_x(rng, shape, dtype, scale),),
        torch_forward=lambda F, a, layer: a[0] * _dropout_scale(a[0]),
    ),
    LayerCase(
        "Dropout(inference)",
        make=lambda dtype, rng, shape: Dropout(0.5, seed=DROPOUT_SEED),
        inputs=lambda rng, shape, dtype, scale: (_x(rng, shape, dtype, scale), False),
        torch_forward=lambda F, a, layer: F.dropout(a[0], 0.5, training=False),
    ),
    LayerCase(
        "Dropout(book's)",
        make=lambda dtype, rng, shape: Dropout(0.5, scale_at="test", seed=DROPOUT_SEED),
        inputs=lambda rng, shape, dtype, scale: (_x(rng, shape, dtype, scale),),
        torch_forward=lambda F, a, layer: a[0] * _dropout_scale(a[0]) * 0.5,
    ),
    LayerCase(
        "Dropout(book's, inference)",
        make=lambda dtype, rng, shape: Dropout(0.5, scale_at="test", seed=DROPOUT_SEED),
        inputs=lambda rng, shape, dtype, scale: (_x(rng, shape, dtype, scale), False),
        torch_forward=lambda F, a, layer: a[0] * 0.5,
    ),
    _conv_case("Convolution", stride=1, pad=1),
    _conv_case("Convolution(stride=2)", stride=2, pad=1),
    _pool_case("Pooling", 2, 2, 0, "max"),
    _pool_case("Pooling(3, stride=1, pad=1)", 3, 1, 1, "max"),
    _pool_case("Pooling(avg)", 3, 2, 1, "avg"),
    LayerCase(
        "Flatten",
        make=lambda dtype, rng, shape: Flatten(),
        inputs=lambda rng, shape, dtype, scale: (_x(rng, _image_shape(shape), dtype, scale),),
        torch_forward=lambda F, a, layer: a[0].reshape(a[0].shape[0], -1),
    ),
]

LAYER_IDS = [case.name for case in LAYERS]


def layer_inputs(case: LayerCase, dtype, seed=0, shape=(4, 5), scale=3.0):
    """A fresh layer and its forward arguments, for one row of the table."""
    rng = np.random.default_rng(seed)
    return case.make(dtype, rng, shape), case.inputs(rng, shape, dtype, scale)
