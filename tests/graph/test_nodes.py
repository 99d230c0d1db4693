"""The nodes of a computational graph, each against central differences."""

from __future__ import annotations

import numpy as np
import pytest

from bprop.graph import Add, Exp, Graph, Log, MatMul, Max0, Mul, Negate, Reciprocal, Square, Sum

from support import naive_numerical_gradient


def _positive(rng, shape):
    return rng.uniform(0.5, 3.0, size=shape)


def _away_from_zero(rng, shape):
    return rng.uniform(0.2, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)


# node factory, input makers; one row per node (and per broadcasting case)
NODES = [
    ("mul", Mul, [lambda r: r.normal(size=(2, 3)), lambda r: r.normal(size=(2, 3))]),
    ("mul-broadcast", Mul, [lambda r: r.normal(size=(2, 3)), lambda r: r.normal(size=(3,))]),
    ("add", Add, [lambda r: r.normal(size=(2, 3)), lambda r: r.normal(size=(2, 3))]),
    ("add-bias", Add, [lambda r: r.normal(size=(4, 3)), lambda r: r.normal(size=(3,))]),
    ("add-column", Add, [lambda r: r.normal(size=(2, 3)), lambda r: r.normal(size=(2, 1))]),
    ("negate", Negate, [lambda r: r.normal(size=(4,))]),
    ("exp", Exp, [lambda r: r.uniform(-2, 2, size=(2, 3))]),
    ("log", Log, [lambda r: _positive(r, (2, 3))]),
    ("reciprocal", Reciprocal, [lambda r: _away_from_zero(r, (2, 3))]),
    ("max0", Max0, [lambda r: _away_from_zero(r, (2, 3))]),
    ("sum-all", Sum, [lambda r: r.normal(size=(2, 3))]),
    ("sum-axis", lambda: Sum(axis=1), [lambda r: r.normal(size=(2, 3))]),
    ("sum-keepdims", lambda: Sum(axis=-1, keepdims=True), [lambda r: r.normal(size=(2, 3))]),
    ("matmul", MatMul, [lambda r: r.normal(size=(2, 3)), lambda r: r.normal(size=(3, 4))]),
    ("matmul-1d", MatMul, [lambda r: r.normal(size=(3,)), lambda r: r.normal(size=(3, 4))]),
    ("square", Square, [lambda r: r.normal(size=(2, 3))]),
]


@pytest.mark.parametrize("name, make_node, makers", NODES, ids=[row[0] for row in NODES])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_node_backward_matches_central_differences_with_random_dout(name, make_node, makers, seed):
    rng = np.random.default_rng(seed)
    inputs = [make(rng) for make in makers]
    g = Graph()
    values = [g.input(f"x{i}", x) for i, x in enumerate(inputs)]
    out = g.apply(make_node(), *values)
    dout = rng.normal(size=out.shape)
    g.backward(out, dout=dout)
    for i, v in enumerate(values):
        def f(xi, i=i):
            args = list(inputs)
            args[i] = xi
            return float(np.sum(dout * make_node().forward(*args)))

        expected = naive_numerical_gradient(f, inputs[i])
        assert v.grad.shape == np.shape(inputs[i])
        np.testing.assert_allclose(v.grad, expected, rtol=1e-6, atol=1e-8, err_msg=f"{name}, input {i}")


def test_node_backward_before_forward_raises_runtime_error():
    with pytest.raises(RuntimeError, match="Mul.backward called before forward"):
        Mul().backward(1.0)


def test_max0_gradient_at_zero_is_zero():
    g = Graph()
    x = g.input("x", [-1.0, 0.0, 2.0])
    g.max0(x)
    g.backward(dout=[5.0, 5.0, 5.0])
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 5.0])
