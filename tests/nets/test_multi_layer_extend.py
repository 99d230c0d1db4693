"""MultiLayerNetExtend (ch.6): batch normalisation, dropout and weight decay in the book's order."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bprop.layers import Dropout, Sigmoid
from bprop.nets import MultiLayerNet, MultiLayerNetExtend


def _extend_data(n=8, d=6, classes=3, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)).astype(dtype), rng.integers(0, classes, n)


class _FixedMasks:
    """Stands in for a Dropout layer's Generator: the same uniforms at every forward, so the loss is a function."""

    def __init__(self, seed):
        self.seed = seed

    def random(self, shape, dtype=np.float64):
        return np.random.default_rng(self.seed).random(shape, dtype=dtype)


@pytest.mark.parametrize("batchnorm, dropout, block", [
    (False, False, ["Affine", "Relu"]),
    (True, False, ["Affine", "BatchNormalization", "Relu"]),
    (False, True, ["Affine", "Relu", "Dropout"]),
    (True, True, ["Affine", "BatchNormalization", "Relu", "Dropout"]),
])
def test_extend_net_orders_affine_batchnorm_activation_dropout_per_hidden_layer(batchnorm, dropout, block):
    net = MultiLayerNetExtend(784, [100, 50], 10, use_batchnorm=batchnorm, use_dropout=dropout, rng=0)
    assert [type(layer).__name__ for layer in net.layers.values()] == block * 2 + ["Affine"]
    assert net.hidden_layer_num == 2 and net.use_batchnorm is batchnorm and net.use_dropout is dropout


def test_extend_net_params_are_keyed_like_the_books_with_gamma_one_and_beta_zero():
    net = MultiLayerNetExtend(784, [100, 50], 10, use_batchnorm=True, use_dropout=True, rng=0)
    assert list(net.params) == ["W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2", "W3", "b3"]
    assert net.params["gamma2"].shape == (50,)
    np.testing.assert_array_equal(net.params["gamma1"], 1)
    np.testing.assert_array_equal(net.params["beta1"], 0)
    assert net.params["gamma1"] is net.layers["BatchNormalization1"].gamma


def test_extend_net_takes_the_books_positional_arguments_and_its_dropout_ration_spelling():
    net = MultiLayerNetExtend(784, [100], 10, "sigmoid", "sigmoid", 0.1, True, 0.2, True, rng=0)
    assert net.activation == "sigmoid" and net.weight_decay_lambda == 0.1
    assert net.layers["Dropout1"].dropout_ratio == 0.2 and net.dropout_ration == 0.2
    assert isinstance(net.layers["Sigmoid1"], Sigmoid)
    assert net.params["W1"].std() == pytest.approx(np.sqrt(1 / 784), rel=0.05)
    assert MultiLayerNetExtend(4, [3], 2, use_dropout=True, dropout_ratio=0.3).layers["Dropout1"].dropout_ratio == 0.3


def test_extend_net_draws_the_same_weights_as_multi_layer_net_whatever_its_options():
    plain = MultiLayerNet(20, [10, 10], 4, rng=3)
    for kwargs in ({}, {"use_batchnorm": True}, {"use_dropout": True}, {"use_batchnorm": True, "use_dropout": True}):
        net = MultiLayerNetExtend(20, [10, 10], 4, rng=3, **kwargs)
        for key in ("W1", "W2", "W3"):
            np.testing.assert_array_equal(net.params[key], plain.params[key], err_msg=f"{key} {kwargs}")


def test_extend_net_without_options_computes_exactly_what_multi_layer_net_does():
    x, t = _extend_data()
    plain = MultiLayerNet(6, [5, 4], 3, weight_decay_lambda=0.2, rng=1)
    net = MultiLayerNetExtend(6, [5, 4], 3, weight_decay_lambda=0.2, rng=1)
    loss_plain, grads_plain = plain.loss_and_gradient(x, t)
    loss, grads = net.loss_and_gradient(x, t)
    assert loss == loss_plain
    for key in grads_plain:
        np.testing.assert_array_equal(grads[key], grads_plain[key])


def test_extend_net_backprop_agrees_with_numerical_gradient_with_batchnorm_dropout_and_weight_decay():
    x, t = _extend_data(n=10)
    net = MultiLayerNetExtend(6, [5, 4], 3, weight_init_std=0.5, weight_decay_lambda=0.1, use_batchnorm=True,
                              use_dropout=True, dropout_ration=0.3, rng=2)
    net.params["gamma1"][...] = np.linspace(0.5, 1.5, 5)  # not all ones, so dgamma matters
    net.params["beta2"][...] = np.linspace(-0.3, 0.3, 4)
    for i, layer in enumerate(layer for layer in net.layers.values() if isinstance(layer, Dropout)):
        layer.rng = _FixedMasks(10 + i)
    numerical = net.numerical_gradient(x, t)
    backprop = net.gradient(x, t)
    assert list(backprop) == ["W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2", "W3", "b3"]
    for key in numerical:
        np.testing.assert_allclose(backprop[key], numerical[key], rtol=1e-5, atol=1e-8, err_msg=key)


def test_weight_decay_reaches_every_w_but_never_gamma_beta_or_b():
    x, t = _extend_data()
    plain = MultiLayerNetExtend(6, [5], 3, use_batchnorm=True, rng=4)
    decayed = MultiLayerNetExtend(6, [5], 3, use_batchnorm=True, weight_decay_lambda=0.5, rng=4)
    g_plain = {k: v.copy() for k, v in plain.gradient(x, t).items()}
    g_decayed = decayed.gradient(x, t)
    for key in ("W1", "W2"):
        np.testing.assert_allclose(g_decayed[key], g_plain[key] + 0.5 * plain.params[key], rtol=1e-13)
    for key in ("b1", "gamma1", "beta1", "b2"):
        np.testing.assert_array_equal(g_decayed[key], g_plain[key])
    squares = sum(np.sum(plain.params[k] ** 2) for k in ("W1", "W2"))
    assert decayed.loss(x, t) == pytest.approx(plain.loss(x, t) + 0.25 * squares, rel=1e-13)


def test_predict_infers_without_dropout_and_with_the_running_averages():
    x, t = _extend_data(n=16)
    net = MultiLayerNetExtend(6, [5], 3, use_batchnorm=True, use_dropout=True, rng=5)
    np.testing.assert_array_equal(net.predict(x), net.predict(x))
    assert not np.array_equal(net.predict(x, train_flg=True), net.predict(x, train_flg=True))
    bn = net.layers["BatchNormalization1"]
    before = bn.running_mean.copy()
    net.gradient(x, t)
    assert not np.array_equal(bn.running_mean, before)  # training moved the averages …
    h = net.layers["Affine1"].forward(x, train_flg=False)
    expected = (h - bn.running_mean) / np.sqrt(bn.running_var + bn.eps)  # … and inference uses them
    np.testing.assert_allclose(net.layers["BatchNormalization1"].forward(h, train_flg=False), expected, rtol=1e-12)


def test_a_seeded_extend_net_drops_the_same_units_every_run():
    x, t = _extend_data()
    first = MultiLayerNetExtend(6, [5, 5], 3, use_dropout=True, rng=8)
    second = MultiLayerNetExtend(6, [5, 5], 3, use_dropout=True, rng=8)
    for _ in range(3):
        loss_a, _ = first.loss_and_gradient(x, t)
        loss_b, _ = second.loss_and_gradient(x, t)
        assert loss_a == loss_b
    assert first.layers["Dropout1"].rng is not first.layers["Dropout2"].rng


def test_float32_extend_net_stays_float32_end_to_end():
    x, t = _extend_data(dtype=np.float32)
    net = MultiLayerNetExtend(6, [5, 4], 3, use_batchnorm=True, use_dropout=True, weight_decay_lambda=0.1,
                              dtype=np.float32, rng=0)
    loss, grads = net.loss_and_gradient(x, t)
    assert net.predict(x).dtype == np.float32 and loss.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads.values())
    assert net.layers["BatchNormalization1"].running_var.dtype == np.float32


@settings(max_examples=25, deadline=None)
@given(hidden=st.lists(st.integers(1, 6), min_size=1, max_size=3), batchnorm=st.booleans(), dropout=st.booleans(),
       dtype=st.sampled_from([np.float32, np.float64]), n=st.integers(2, 5))
def test_extend_net_gives_one_gradient_per_parameter_of_its_shape_and_dtype(hidden, batchnorm, dropout, dtype, n):
    x, t = _extend_data(n=n, d=4, dtype=dtype)
    net = MultiLayerNetExtend(4, hidden, 3, use_batchnorm=batchnorm, use_dropout=dropout, dtype=dtype, rng=0)
    loss, grads = net.loss_and_gradient(x, t)
    assert np.isfinite(loss) and net.predict(x).shape == (n, 3)
    assert list(grads) == list(net.params)
    assert len(net.params) == 2 * (len(hidden) + 1) + (2 * len(hidden) if batchnorm else 0)
    for key, param in net.params.items():
        assert grads[key].shape == param.shape and grads[key].dtype == dtype, key


@pytest.mark.parametrize("kwargs, error, match", [
    ({"hidden_size_list": 100}, TypeError, "list of sizes"),
    ({"activation": "swish"}, ValueError, "unknown activation 'swish'"),
    ({"use_dropout": True, "dropout_ration": 1.0}, ValueError, r"dropout_ration must be a number in \[0, 1\)"),
    ({"dropout_ration": "half"}, TypeError, "dropout_ration must be a number"),
    ({"dropout_ration": 0.2, "dropout_ratio": 0.3}, ValueError, "not both"),
    ({"weight_decay_lambda": -0.1}, ValueError, "weight_decay_lambda"),
])
def test_extend_net_rejects_bad_arguments_clearly(kwargs, error, match):
    args = {"input_size": 4, "hidden_size_list": [3], "output_size": 2, **kwargs}
    with pytest.raises(error, match=match):
        MultiLayerNetExtend(**args)
