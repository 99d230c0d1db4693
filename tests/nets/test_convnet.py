"""SimpleConvNet (ch.7) and DeepConvNet (ch.8): shapes, initial weights, gradients, accuracy."""

import numpy as np
import pytest

from bprop.layers import Convolution, Dropout
from bprop.nets import DeepConvNet, SimpleConvNet

from support import tiny_deep_conv_net, tiny_simple_conv_net


def _relative_error(a, b):
    return np.max(np.abs(a - b)) / max(np.max(np.abs(a)), np.max(np.abs(b)), 1e-12)


def test_simple_conv_net_has_the_books_layers_and_shapes():
    net = SimpleConvNet(dtype=np.float32, rng=0)
    assert {k: v.shape for k, v in net.params.items()} == {
        "W1": (30, 1, 5, 5), "b1": (30,), "W2": (4320, 100), "b2": (100,), "W3": (100, 10), "b3": (10,)}
    rows = net.describe(net.input_shape)
    assert [(r.type, r.output_shape) for r in rows] == [
        ("Convolution", ("N", 30, 24, 24)), ("Relu", ("N", 30, 24, 24)), ("Pooling", ("N", 30, 12, 12)),
        ("Affine", ("N", 100)), ("Relu", ("N", 100)), ("Affine", ("N", 10)), ("SoftmaxWithLoss", ())]
    x = np.random.default_rng(1).random((3, 1, 28, 28), dtype=np.float32)
    y = net.predict(x)
    assert y.shape == (3, 10) and y.dtype == np.float32
    assert net.input_shape == (1, 28, 28)
    assert net.params["W1"].std() == pytest.approx(0.01, rel=0.1)


def test_deep_conv_net_follows_the_books_sizes_28_14_16_8_4():
    net = DeepConvNet(dtype=np.float32, rng=0)
    rows = net.describe(net.input_shape)
    shapes = [(r.type, r.output_shape[1:]) for r in rows if r.type in ("Convolution", "Pooling", "Affine")]
    assert shapes == [
        ("Convolution", (16, 28, 28)), ("Convolution", (16, 28, 28)), ("Pooling", (16, 14, 14)),
        ("Convolution", (32, 14, 14)), ("Convolution", (32, 16, 16)), ("Pooling", (32, 8, 8)),
        ("Convolution", (64, 8, 8)), ("Convolution", (64, 8, 8)), ("Pooling", (64, 4, 4)),
        ("Affine", (50,)), ("Affine", (10,))]
    assert [r.type for r in rows[-6:]] == ["Affine", "Relu", "Dropout", "Affine", "Dropout", "SoftmaxWithLoss"]
    assert [layer.pad for layer in net.layers.values() if isinstance(layer, Convolution)] == [1, 1, 1, 2, 1, 1]
    dropouts = [layer for layer in net.layers.values() if isinstance(layer, Dropout)]
    assert [(d.dropout_ratio, d.scale_at) for d in dropouts] == [(0.5, "test"), (0.5, "test")]  # the book's form
    assert net.params["W7"].shape == (1024, 50) and net.params["W8"].shape == (50, 10)
    assert net.predict(np.zeros((2, 1, 28, 28), dtype=np.float32)).shape == (2, 10)


def test_deep_conv_net_draws_he_weights_in_the_books_order():
    net = DeepConvNet(rng=7)
    rng = np.random.default_rng(7)
    fan_in = [1 * 9, 16 * 9, 16 * 9, 32 * 9, 32 * 9, 64 * 9, 64 * 4 * 4, 50]  # the book's pre_node_nums
    for i, n in enumerate(fan_in, start=1):
        W = net.params[f"W{i}"]
        np.testing.assert_array_equal(W, rng.standard_normal(W.shape) * np.sqrt(2.0 / n))
        assert not net.params[f"b{i}"].any()


def test_conv_nets_floor_an_odd_size_into_their_pooling_as_the_book_does():
    net = SimpleConvNet(conv_param={"filter_size": 6})  # 28 → 23 → pool 11, as the book's int(23 / 2)
    assert net.params["W2"].shape == (30 * 11 * 11, 100)
    x = np.random.default_rng(0).standard_normal((2, 1, 28, 28))
    assert net.predict(x).shape == (2, 10)
    with pytest.raises(ValueError, match="unknown keys \\['filter'\\]"):
        SimpleConvNet(conv_param={"filter": 3})
    assert DeepConvNet((1, 8, 8)).predict(np.zeros((1, 1, 8, 8))).shape == (1, 10)  # … → 3 → pool 1


def test_simple_conv_net_backprop_matches_numerical_gradients():
    net = tiny_simple_conv_net()
    rng = np.random.default_rng(1)
    x, t = rng.standard_normal((4, 1, 6, 6)), rng.integers(0, 4, 4)
    grads = net.gradient(x, t)
    numerical = net.numerical_gradient(x, t)
    assert set(grads) == {"W1", "b1", "W2", "b2", "W3", "b3"}
    for key in grads:
        assert _relative_error(grads[key], numerical[key]) < 1e-6, key


def test_deep_conv_net_backprop_matches_numerical_gradients_with_fixed_dropout_masks(monkeypatch):
    net = tiny_deep_conv_net(rng=3)
    original = Dropout.forward

    def same_mask_each_time(self, x, train_flg=True):
        self.rng = np.random.default_rng(0)
        return original(self, x, train_flg)

    monkeypatch.setattr(Dropout, "forward", same_mask_each_time)
    rng = np.random.default_rng(2)
    x, t = rng.standard_normal((3, 1, 4, 4)), rng.integers(0, 3, 3)
    grads = net.gradient(x, t)
    numerical = net.numerical_gradient(x, t)
    assert len(grads) == 16
    for key in grads:
        assert _relative_error(grads[key], numerical[key]) < 1e-6, key


@pytest.mark.parametrize("make", [tiny_simple_conv_net, tiny_deep_conv_net])
def test_conv_nets_relus_work_in_place_and_give_what_plain_relus_give(make):
    from bprop.layers import Relu

    inplace, plain = make(rng=4), make(rng=4)  # the same rng: the same weights and Dropout masks
    relus = [name for name, layer in plain.layers.items() if isinstance(layer, Relu)]
    assert relus and all(inplace.layers[name].inplace for name in relus)
    for name in relus:
        plain.layers[name] = Relu()
    rng = np.random.default_rng(6)
    x = rng.standard_normal((3, *inplace.input_shape))
    t = rng.integers(0, inplace.output_size, 3)
    x_given = x.copy()
    loss_a, grads_a = inplace.loss_and_gradient(x, t)
    loss_b, grads_b = plain.loss_and_gradient(x, t)
    np.testing.assert_array_equal(x, x_given)  # the net's input is never overwritten
    assert loss_a == loss_b
    for key in grads_b:
        np.testing.assert_array_equal(grads_a[key], grads_b[key])
    np.testing.assert_array_equal(inplace.predict(x), plain.predict(x))


def test_the_first_convolution_skips_dx_and_leaves_the_same_dW_db():
    rng = np.random.default_rng(0)
    for stride, pad in ((1, 0), (1, 2), (2, 1)):
        W, b = rng.standard_normal((4, 2, 3, 3)), rng.standard_normal(4)
        full, params_only = Convolution(W, b, stride, pad), Convolution(W, b, stride, pad)
        x = rng.standard_normal((2, 2, 9, 9))
        dout = rng.standard_normal(full.forward(x).shape)
        params_only.forward(x)
        full.backward(dout)
        assert params_only.backward_params(dout) is None
        np.testing.assert_allclose(params_only.dW, full.dW, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(params_only.db, full.db, rtol=1e-12, atol=1e-12)


def test_conv_net_accuracy_is_the_share_of_right_argmaxes():
    net = tiny_simple_conv_net(dtype=np.float32)
    rng = np.random.default_rng(4)
    x, t = rng.random((250, 1, 6, 6), dtype=np.float32), rng.integers(0, 4, 250)
    assert net.accuracy(x, t) == np.mean(net.predict(x).argmax(axis=1) == t)
