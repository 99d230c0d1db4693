"""The book's graphs (bprop.graph.builtin) against the closed-form layers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bprop.graph as bg

floats = st.floats(-30, 30, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(x=st.lists(floats, min_size=1, max_size=5), dout=st.lists(st.floats(-3, 3), min_size=5, max_size=5))
def test_sigmoid_graph_matches_sigmoid_layer(x, dout):
    from bprop.layers import Sigmoid

    x, dout = np.array(x), np.array(dout[: len(x)])
    g = bg.sigmoid(x)
    g.backward(dout=dout)
    layer = Sigmoid()
    y = layer.forward(x)
    np.testing.assert_allclose(g["y"].data, y, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(g["x"].grad, layer.backward(dout), rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(g["x"].grad, dout * y * (1 - y), rtol=1e-9, atol=1e-15)


@settings(max_examples=40, deadline=None)
@given(x=st.lists(floats, min_size=1, max_size=5), dout=st.lists(st.floats(-3, 3), min_size=5, max_size=5))
def test_relu_graph_matches_relu_layer(x, dout):
    from bprop.layers import Relu

    x, dout = np.array(x), np.array(dout[: len(x)])
    g = bg.relu(x)
    g.backward(dout=dout)
    layer = Relu()
    np.testing.assert_array_equal(g["y"].data, layer.forward(x))
    np.testing.assert_array_equal(g["x"].grad, layer.backward(dout))


@settings(max_examples=40, deadline=None)
@given(x=st.lists(st.floats(-20, 20), min_size=1, max_size=5), dout=st.lists(st.floats(-3, 3), min_size=5, max_size=5))
def test_tanh_graph_matches_tanh_layer(x, dout):
    from bprop.layers import Tanh

    x, dout = np.array(x), np.array(dout[: len(x)])
    g = bg.tanh(x)
    g.backward(dout=dout)
    layer = Tanh()
    y = layer.forward(x)
    np.testing.assert_allclose(g["y"].data, y, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(g["x"].grad, layer.backward(dout), rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("batch", [1, 4])
def test_affine_graph_matches_affine_layer(seed, batch):
    from bprop.layers import Affine

    rng = np.random.default_rng(seed)
    x, W, b = rng.normal(size=(batch, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    dout = rng.normal(size=(batch, 2))
    g = bg.affine(x, W, b)
    g.backward(dout=dout)
    layer = Affine(W, b)
    np.testing.assert_allclose(g["Y"].data, layer.forward(x), rtol=1e-13)
    np.testing.assert_allclose(g["X"].grad, layer.backward(dout), rtol=1e-12)
    np.testing.assert_allclose(g["W"].grad, layer.dW, rtol=1e-12)
    np.testing.assert_allclose(g["B"].grad, layer.db, rtol=1e-12)


def test_affine_graph_with_one_sample_gives_the_outer_product_for_dW():
    x, W, b = np.array([1.0, 2.0]), np.arange(6.0).reshape(2, 3), np.array([0.5, 0.0, -0.5])
    g = bg.affine(x, W, b)
    dout = np.array([1.0, -1.0, 2.0])
    g.backward(dout=dout)
    np.testing.assert_allclose(g["W"].grad, np.outer(x, dout))
    np.testing.assert_allclose(g["X"].grad, W @ dout)
    np.testing.assert_allclose(g["B"].grad, dout)


def test_affine_default_arrays_have_the_books_shapes_and_follow_the_seed():
    g = bg.affine()
    assert (g["X"].shape, g["W"].shape, g["B"].shape) == ((2,), (2, 3), (3,))
    assert bg.affine(batch=4)["X"].shape == (4, 2)
    assert not np.array_equal(bg.affine(seed=1)["W"].data, g["W"].data)
    np.testing.assert_array_equal(bg.affine(seed=0)["W"].data, g["W"].data)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("batch", [None, 3])
@pytest.mark.parametrize("one_hot", [False, True])
def test_softmax_with_loss_graph_matches_softmax_with_loss_layer(seed, batch, one_hot):
    from bprop.layers import SoftmaxWithLoss

    rng = np.random.default_rng(seed)
    x = rng.normal(scale=3, size=(3,) if batch is None else (batch, 3))
    t = rng.integers(0, 3, size=() if batch is None else (batch,))
    if one_hot:
        t = np.eye(3)[t]
    dout = rng.uniform(0.5, 2)
    g = bg.softmax_with_loss(x, t)
    g.backward(dout=dout)
    layer = SoftmaxWithLoss()
    loss = layer.forward(x, t)
    assert g["L"].data == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(g["x"].grad, layer.backward(dout), rtol=1e-10, atol=1e-14)


def test_softmax_with_loss_gradient_is_y_minus_t_for_the_books_scores():
    g = bg.softmax_with_loss([0.3, 2.9, 4.0], 2)
    g.backward()
    y = g["y"].data
    np.testing.assert_allclose(y, [0.01821127, 0.24519181, 0.73659691], rtol=1e-6)  # the book prints these
    np.testing.assert_allclose(g["x"].grad, y - [0, 0, 1], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("t", [3, -1, 1.0, [0, 1]])
def test_softmax_with_loss_rejects_bad_labels(t):
    with pytest.raises(ValueError, match="softmax_with_loss expected"):
        bg.softmax_with_loss([0.3, 2.9, 4.0], t)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("shape", [(4,), (3, 2)])
def test_mse_graph_matches_mean_squared_error_layer(seed, shape):
    from bprop.layers import MeanSquaredError

    rng = np.random.default_rng(seed)
    y, t = rng.normal(size=shape), rng.normal(size=shape)
    dout = rng.uniform(0.5, 2)
    g = bg.mse(y, t)
    g.backward(dout=dout)
    layer = MeanSquaredError()
    assert g["L"].data == pytest.approx(layer.forward(y, t), rel=1e-13)
    np.testing.assert_allclose(g["y"].grad, layer.backward(dout), rtol=1e-12)
    n = 1 if len(shape) == 1 else shape[0]
    np.testing.assert_allclose(g["y"].grad, dout * (y - t) / n, rtol=1e-12)


def test_shopping_gives_the_books_numbers():
    g = bg.shopping()
    g.backward(dout=1)
    assert g["price"].data == pytest.approx(715)
    expected = {"apple": 2.2, "apple_num": 110, "orange": 3.3, "orange_num": 165, "tax": 650}
    for name, grad in expected.items():
        assert g[name].grad == pytest.approx(grad), name


@pytest.mark.parametrize("name", list(bg.GRAPHS))
def test_every_builtin_graph_runs_backward_on_its_defaults(name):
    g = bg.GRAPHS[name]()
    g.backward()
    assert g.output is g.steps[-1].output
    assert all(v.grad is not None and np.all(np.isfinite(v.grad)) for v in g.values)
