"""The book's fully connected nets: TwoLayerNet (ch.5) and MultiLayerNet (ch.6)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bprop.functions import log_softmax
from bprop.layers import SoftmaxWithLoss
from bprop.nets import ACTIVATIONS, MultiLayerNet, TwoLayerNet


def _data(n=6, d=5, classes=3, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)).astype(dtype), rng.integers(0, classes, n)


def _one_hot(t, classes):
    return np.eye(classes)[t]


def test_two_layer_net_has_the_books_layers_and_parameter_keys():
    net = TwoLayerNet(784, 50, 10, rng=0)
    assert list(net.layers) == ["Affine1", "Relu1", "Affine2"]
    assert isinstance(net.last_layer, SoftmaxWithLoss) and net.lastLayer is net.last_layer
    assert {k: v.shape for k, v in net.params.items()} == {
        "W1": (784, 50), "b1": (50,), "W2": (50, 10), "b2": (10,)}
    assert net.dtype == np.float64
    np.testing.assert_array_equal(net.params["b1"], 0)


def test_two_layer_net_weights_use_weight_init_std():
    net = TwoLayerNet(400, 300, 10, weight_init_std=0.05, rng=0)
    assert net.params["W1"].std() == pytest.approx(0.05, rel=0.02)


def test_predict_gives_logits_and_loss_is_the_mean_cross_entropy():
    x, t = _data()
    net = TwoLayerNet(5, 4, 3, weight_init_std=0.5, rng=2)
    W1, b1, W2, b2 = (net.params[k] for k in ("W1", "b1", "W2", "b2"))
    logits = np.maximum(x @ W1 + b1, 0) @ W2 + b2
    np.testing.assert_allclose(net.predict(x), logits, rtol=1e-14)
    expected = -log_softmax(logits)[np.arange(len(t)), t].mean()
    assert net.loss(x, t) == pytest.approx(expected, rel=1e-14)


def test_integer_labels_and_one_hot_labels_give_the_same_loss_gradient_and_accuracy():
    x, t = _data()
    net = TwoLayerNet(5, 4, 3, weight_init_std=0.5, rng=3)
    g_int = {k: v.copy() for k, v in net.gradient(x, t).items()}
    g_hot = net.gradient(x, _one_hot(t, 3))
    assert net.loss(x, t) == pytest.approx(net.loss(x, _one_hot(t, 3)), rel=1e-15)
    for key in g_int:
        np.testing.assert_allclose(g_hot[key], g_int[key], rtol=1e-13, atol=1e-16)
    assert net.accuracy(x, t) == net.accuracy(x, _one_hot(t, 3))


@pytest.mark.slow  # central differences over all 39,760 parameters, on MNIST images
def test_two_layer_net_backprop_agrees_with_numerical_gradient_like_the_books_check():
    """The book's §5.7.3 gradient check on three MNIST images (hidden 10 instead of 50, for time)."""
    from bprop.datasets import load_mnist

    (x_train, t_train), _ = load_mnist(dtype=np.float64)
    net = TwoLayerNet(input_size=784, hidden_size=10, output_size=10, rng=0)
    x_batch, t_batch = x_train[:3], t_train[:3]
    grad_numerical = net.numerical_gradient(x_batch, t_batch)
    grad_backprop = net.gradient(x_batch, t_batch)
    diffs = {key: np.average(np.abs(grad_backprop[key] - grad_numerical[key])) for key in grad_numerical}
    report = "  ".join(f"{key}:{diff:.2g}" for key, diff in diffs.items())
    print(report)  # the book prints these; the issue asks for the same (see with pytest -s)
    # The book's run printed W1 4.6e-10, b1 2.8e-9, W2 6.2e-9, b2 1.4e-7.
    assert all(diff < 1e-7 for diff in diffs.values()), report
    assert set(diffs) == {"W1", "b1", "W2", "b2"}


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_multi_layer_net_backprop_agrees_with_numerical_gradient(activation):
    x, t = _data(n=4, d=4, classes=3, seed=5)
    net = MultiLayerNet(4, [5, 4], 3, activation=activation, weight_init_std=0.8,
                        weight_decay_lambda=0.1, rng=7)
    numerical = net.numerical_gradient(x, t)
    backprop = net.gradient(x, t)
    assert list(backprop) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    for key in numerical:
        np.testing.assert_allclose(backprop[key], numerical[key], rtol=1e-5, atol=1e-8, err_msg=key)


def test_multi_layer_net_has_the_books_structure_and_he_init_by_default():
    net = MultiLayerNet(784, [100, 100, 100], 10, rng=0)
    types = [type(layer).__name__ for layer in net.layers.values()]
    assert types == ["Affine", "Relu", "Affine", "Relu", "Affine", "Relu", "Affine"]
    assert net.hidden_layer_num == 3
    assert list(net.params) == ["W1", "b1", "W2", "b2", "W3", "b3", "W4", "b4"]
    assert net.params["W2"].std() == pytest.approx(np.sqrt(2 / 100), rel=0.05)


def test_multi_layer_net_sigmoid_init_uses_each_layers_fan_in():
    net = MultiLayerNet(400, [300], 10, activation="sigmoid", weight_init_std="sigmoid", rng=0)
    assert net.params["W1"].std() == pytest.approx(np.sqrt(1 / 400), rel=0.02)
    assert net.params["W2"].std() == pytest.approx(np.sqrt(1 / 300), rel=0.1)


def test_weight_decay_adds_half_lambda_sum_of_squares_to_the_loss_and_lambda_w_to_dw_only():
    x, t = _data()
    plain = MultiLayerNet(5, [4], 3, weight_init_std=0.5, rng=9)
    decayed = MultiLayerNet(5, [4], 3, weight_init_std=0.5, weight_decay_lambda=0.3, rng=9)
    squares = sum(np.sum(plain.params[k] ** 2) for k in ("W1", "W2"))
    assert decayed.loss(x, t) == pytest.approx(plain.loss(x, t) + 0.5 * 0.3 * squares, rel=1e-14)
    g_plain = {k: v.copy() for k, v in plain.gradient(x, t).items()}
    g_decayed = decayed.gradient(x, t)
    for key in ("W1", "W2"):
        np.testing.assert_allclose(g_decayed[key], g_plain[key] + 0.3 * plain.params[key], rtol=1e-14)
    for key in ("b1", "b2"):
        np.testing.assert_array_equal(g_decayed[key], g_plain[key])


@pytest.mark.parametrize("kwargs, error, match", [
    ({"hidden_size_list": 100}, TypeError, "list of sizes"),
    ({"hidden_size_list": [100, 0]}, ValueError, "hidden_size_list must be a positive int, got 0"),
    ({"activation": "swish"}, ValueError, "unknown activation 'swish'.*relu, sigmoid"),
    ({"weight_init_std": "glorot"}, ValueError, "unknown weight init 'glorot'"),
    ({"weight_decay_lambda": -1}, ValueError, "weight_decay_lambda"),
    ({"dtype": np.float16}, TypeError, "float32 or float64"),
])
def test_multi_layer_net_rejects_bad_arguments_clearly(kwargs, error, match):
    args = {"input_size": 4, "hidden_size_list": [3], "output_size": 2, **kwargs}
    with pytest.raises(error, match=match):
        MultiLayerNet(**args)


def test_two_layer_net_rejects_a_zero_size():
    with pytest.raises(ValueError, match="hidden_size must be a positive int, got 0"):
        TwoLayerNet(784, 0, 10)


def test_float32_net_stays_float32_end_to_end():
    x, t = _data(dtype=np.float32)
    net = MultiLayerNet(5, [4, 4], 3, weight_decay_lambda=0.1, dtype=np.float32, rng=0)
    assert net.predict(x).dtype == np.float32
    loss, grads = net.loss_and_gradient(x, t)
    assert loss.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads.values())


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_same_rng_seed_gives_the_same_initial_weights(seed):
    a, b = TwoLayerNet(6, 4, 3, rng=seed), TwoLayerNet(6, 4, 3, rng=np.random.default_rng(seed))
    for key in a.params:
        np.testing.assert_array_equal(a.params[key], b.params[key])


def test_different_seeds_give_different_weights():
    assert not np.array_equal(TwoLayerNet(6, 4, 3, rng=0).params["W1"], TwoLayerNet(6, 4, 3, rng=1).params["W1"])
