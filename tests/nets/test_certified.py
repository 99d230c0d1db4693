"""Float32 scores of a float64 Affine/Relu net, with a bound that holds and an argmax that is float64's."""

import numpy as np
import pytest

from bprop.layers import Affine, Relu, Sigmoid
from bprop.nets import MultiLayerNet, Sequential, TwoLayerNet
from bprop.nets._certified import Float32Argmax
from bprop.nets._evaluate import count_correct, count_correct_simple


def _images(n, d, seed):
    """float32 rows like MNIST's: values in [0, 1], most of them zero."""
    rng = np.random.default_rng(seed)
    return (rng.random((n, d)) * (rng.random((n, d)) < 0.3)).astype(np.float32)


def _mlp(sizes, scale, seed):
    rng = np.random.default_rng(seed)
    layers = []
    for i, (k, m) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Affine(rng.standard_normal((k, m)) * scale / np.sqrt(k), rng.standard_normal(m) * scale))
        if i < len(sizes) - 2:
            layers.append(Relu())
    return Sequential(layers)


@pytest.mark.parametrize("sizes, scale, input_scale", [
    ((784, 50, 10), 1.0, 1.0),
    ((784, 50, 10), 3e4, 1e3),       # large values: the bound scales with them
    ((64, 32, 32, 5), 1e-20, 1e-15),  # tiny values: float32's underflow is within the bound
    ((4096, 8, 3), 1.0, 1.0),         # a long sum
])
def test_the_bound_holds_against_float64(sizes, scale, input_scale):
    net = _mlp(sizes, scale, seed=len(sizes))
    x = (_images(300, sizes[0], seed=1) * np.float32(input_scale)).astype(np.float32)
    x[:40] *= -1  # negative inputs too
    exact = net.predict(x.astype(np.float64))
    argmax = Float32Argmax.for_net(net, x)
    assert argmax is not None
    scores, bound = argmax.scores_and_bound(x)
    assert scores.dtype == np.float32 and bound.dtype == np.float64
    gap = np.abs(scores.astype(np.float64) - exact)
    assert np.all(gap <= bound)
    assert gap.max() > 0  # float32 did round: the test compares something
    assert bound.max() < 0.05 * np.abs(exact).max()  # and the bound is not vacuous


def test_the_count_is_float64s_where_near_ties_force_the_fallback():
    rng = np.random.default_rng(3)
    net = TwoLayerNet(784, 50, 10, weight_init_std=0.1, rng=5)
    x = _images(1500, 784, seed=4)
    winner = np.bincount(net.predict(x.astype(np.float64)).argmax(axis=1), minlength=10).argmax()
    twin = (winner + 1) % 10
    # the most frequent winner gets a twin that differs by 1e-7 of a weight: float32 cannot tell them apart
    net.params["W2"][:, twin] = net.params["W2"][:, winner] * (1 + 1e-7)
    net.params["b2"][twin] = net.params["b2"][winner]
    labels = rng.integers(0, 10, len(x))
    top = net.predict(x.astype(np.float64)).argmax(axis=1)
    labels[:300] = top[:300]  # many right answers, among them the near-ties
    _, certain = Float32Argmax.for_net(net, x)(x)
    near_ties = np.isin(top, (winner, twin))
    assert near_ties.sum() > 50 and not certain[near_ties].any()  # float64 decides every near-tie
    assert certain.sum() > 0  # and float32 the others it can: both paths run
    for batch_size in (128, 2000):
        assert count_correct(net, x, labels, batch_size) == count_correct_simple(net, x, labels, batch_size)


def _blobs(n, seed):
    """float32 images around 10 class centres, and their labels: data a net learns to separate."""
    rng = np.random.default_rng(seed)
    centres = np.random.default_rng(0).random((10, 784)) * (np.random.default_rng(1).random((10, 784)) < 0.2)
    labels = rng.integers(0, 10, n)
    x = np.clip(centres[labels] + 0.2 * rng.standard_normal((n, 784)), 0, 1).astype(np.float32)
    return x, labels


def test_a_trained_net_is_decided_in_float32_for_almost_every_row():
    x, labels = _blobs(3000, seed=6)
    net = MultiLayerNet(784, [100, 50], 10, rng=6)
    for start in range(0, 2000, 100):  # a little SGD: margins like a trained net's
        grads = net.gradient(x[start:start + 100], labels[start:start + 100])
        for key in grads:
            net.params[key] -= 0.1 * grads[key]
    test_x, test_labels = x[2000:], labels[2000:]
    test_labels[::3] = (test_labels[::3] + 1) % 10  # some wrong answers to count too
    exact = net.predict(test_x.astype(np.float64)).argmax(axis=1)
    top, certain = Float32Argmax.for_net(net, test_x)(test_x)
    assert np.count_nonzero(certain) > 0.95 * len(test_x)
    np.testing.assert_array_equal(top[certain], exact[certain])
    want = count_correct_simple(net, test_x, test_labels, 300)
    assert count_correct(net, test_x, test_labels, 300) == want
    assert want == np.count_nonzero(exact == test_labels) and 0 < want < len(test_x)


@pytest.mark.parametrize("case", ["float64 data", "a Sigmoid", "a subclass of Affine", "weights beyond float32",
                                  "a float32 net", "the wrong feature count"])
def test_it_applies_only_where_the_bound_is_proven(case):
    rng = np.random.default_rng(8)
    x = rng.random((20, 6)).astype(np.float32)
    layers = [Affine(rng.standard_normal((6, 4)), np.zeros(4)), Relu(), Affine(rng.standard_normal((4, 3)), np.zeros(3))]
    if case == "float64 data":
        x = x.astype(np.float64)
    elif case == "a Sigmoid":
        layers[1] = Sigmoid()
    elif case == "a subclass of Affine":
        class MyAffine(Affine):
            pass
        layers[0] = MyAffine(layers[0].W, layers[0].b)
    elif case == "weights beyond float32":
        layers[2].W[0, 0] = 1e300
    elif case == "a float32 net":
        layers = [Affine(layer.W.astype(np.float32), layer.b.astype(np.float32)) if isinstance(layer, Affine)
                  else layer for layer in layers]
    elif case == "the wrong feature count":
        x = x[:, :5]
    assert Float32Argmax.for_net(Sequential(layers), x) is None
    assert Float32Argmax.for_net(Sequential([Affine(rng.standard_normal((6, 4)), np.zeros(4)), Relu(),
                                             Affine(rng.standard_normal((4, 3)), np.zeros(3))]),
                                 rng.random((20, 6)).astype(np.float32)) is not None


def test_overflow_in_float32_leaves_the_row_to_float64_without_a_warning():
    net = _mlp((6, 4, 3), 1.0, seed=9)
    x = np.random.default_rng(10).random((50, 6)).astype(np.float32)
    x[7] = np.float32(3e38)  # float32's products overflow; float64's do not
    labels = np.zeros(50, dtype=np.int64)
    with np.errstate(all="raise"):
        top, certain = Float32Argmax.for_net(net, x)(x)
        assert not certain[7] and certain.sum() > 40
        assert count_correct(net, x, labels, 20) == count_correct_simple(net, x.astype(np.float64), labels, 20)


def test_nan_in_x_is_refused_as_predict_refuses_it():
    net = TwoLayerNet(6, 4, 3, rng=11)
    x = np.random.default_rng(12).random((30, 6)).astype(np.float32)
    x[5, 2] = np.nan
    with pytest.raises(ValueError, match=r"NaN.*\(5, 2\)|\(5, 2\).*NaN"):
        net.accuracy(x, np.zeros(30, dtype=np.int64))
