"""The book's ch.5 loop ported by changing its imports: the fast paths it takes equal the plain ones.

(bench/book_scripts.py times the port against the book's own script.)
"""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from bprop.functions import log_softmax
from bprop.layers import Affine, Relu, Sigmoid, SoftmaxWithLoss
from bprop.layers.loss import exact_one_hot_labels
from bprop.nets import Sequential, TwoLayerNet
from bprop.nets._evaluate import count_correct, count_correct_simple

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _batch(n=100, d=784, classes=10, seed=0):
    """Like the book's MNIST batch: float32 images in [0, 1] with many zeros, float32 one-hot labels."""
    rng = np.random.default_rng(seed)
    x = (rng.random((n, d)) * (rng.random((n, d)) < 0.2)).astype(np.float32)
    labels = rng.integers(0, classes, n)
    return x, labels, np.eye(classes, dtype=np.float32)[labels]


# --- SoftmaxWithLoss: exactly one-hot t takes the label forms ------------------------------------

def test_one_hot_t_gives_the_same_bits_as_labels_and_the_general_formula():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((50, 10)) * 5
    labels = rng.integers(0, 10, 50)
    one_hot = np.eye(10, dtype=np.float32)[labels]
    by_label, by_one_hot = SoftmaxWithLoss(), SoftmaxWithLoss()
    loss_label, loss_one_hot = by_label.forward(x, labels), by_one_hot.forward(x, one_hot)
    dout = 0.7
    dx_label, dx_one_hot = by_label.backward(dout), by_one_hot.backward(dout)
    assert loss_one_hot == loss_label
    np.testing.assert_array_equal(dx_one_hot, dx_label)
    # the general form the layer takes for class probabilities, written out
    t = one_hot.astype(np.float64)
    logp = log_softmax(x)
    np.testing.assert_allclose(loss_one_hot, -(t * logp).sum() / 50, rtol=1e-15)
    np.testing.assert_allclose(dx_one_hot, dout * (np.exp(logp) - t) / 50, rtol=1e-14, atol=1e-17)
    assert by_one_hot.t.dtype == np.float64 and by_one_hot.t.shape == (50, 10)  # t kept one-hot, as the book's


@pytest.mark.parametrize("t, expected", [
    (np.eye(3)[[2, 0, 1]], [2, 0, 1]),
    (np.eye(3, dtype=np.int64)[[1, 1]], [1, 1]),
    (np.array([[0.5, 0.5, 0.0], [0.0, 1.0, 0.0]]), None),   # class probabilities
    (np.array([[0.0, 0.0, 0.0], [0.0, 1.0, 0.0]]), None),   # a row of zeros
    (np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 0.0]]), None),   # two 1s
    (np.array([[1.0, -1.0, 1.0], [0.0, 1.0, 0.0]]), None),  # a negative entry
    (np.array([[1.0, np.nan, 0.0], [0.0, 1.0, 0.0]]), None),
    (np.array([[np.inf, 0.0, 0.0], [0.0, 1.0, 0.0]]), None),
])
def test_exact_one_hot_labels_accepts_exactly_one_hot_rows_only(t, expected):
    rows = exact_one_hot_labels(t)
    if expected is None:
        assert rows is None
    else:
        np.testing.assert_array_equal(rows, expected)


def test_rows_that_are_not_one_hot_are_still_checked_and_weighted():
    x = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    with pytest.raises(ValueError, match="row 0 of the one-hot t sums to 2"):
        SoftmaxWithLoss().forward(x, np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 0.0]]))
    soft = np.array([[0.25, 0.75, 0.0], [0.0, 1.0, 0.0]])
    layer = SoftmaxWithLoss()
    loss = layer.forward(x, soft)
    np.testing.assert_allclose(loss, -(soft * log_softmax(x)).sum() / 2, rtol=1e-15)
    np.testing.assert_allclose(layer.backward(), (np.exp(log_softmax(x)) - soft) / 2, rtol=1e-14)


def test_a_true_class_of_probability_zero_is_still_named():
    x = np.array([[0.0, -np.inf], [1.0, 2.0]])
    with pytest.raises(ValueError, match="sample 0's true class has probability 0"):
        SoftmaxWithLoss().forward(x, np.eye(2)[[1, 0]])


# --- the net: the ported loop with float32 data in the float64 net ---------------------------------

def test_the_books_step_with_one_hot_float32_labels_equals_the_step_with_labels():
    x, labels, one_hot = _batch()
    nets, losses = [TwoLayerNet(784, 50, 10, rng=3) for _ in range(2)], []
    for t, net in zip((one_hot, labels), nets):
        for _ in range(3):  # the book's loop: gradient, the update, loss
            grads = net.gradient(x, t)
            for key in ("W1", "b1", "W2", "b2"):
                net.params[key] -= 0.1 * grads[key]
            losses.append(net.loss(x, t))
    assert losses[:3] == losses[3:] and losses[0] > losses[2]
    for key in ("W1", "b1", "W2", "b2"):
        np.testing.assert_array_equal(nets[0].params[key], nets[1].params[key])


def test_accuracy_with_float32_data_in_a_float64_net_equals_the_plain_loop():
    x, labels, one_hot = _batch(n=1234, seed=2)
    net = TwoLayerNet(784, 50, 10, weight_init_std=0.1, rng=4)
    for batch_size in (100, 500, 2000):
        fast = count_correct(net, x, labels, batch_size)
        assert fast == count_correct_simple(net, x, labels, batch_size)
        assert net.accuracy(x, one_hot, batch_size=batch_size) == fast / len(x)
    assert 0 < fast < len(x)
    assert x.dtype == np.float32 and np.count_nonzero(np.isnan(x)) == 0  # the caller's x untouched


def test_accuracy_converts_only_where_the_first_layer_would():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((300, 4)).astype(np.float32)
    labels = rng.integers(0, 3, 300)
    # a first layer without parameters computes in x's dtype: no conversion before it
    net = Sequential([Sigmoid(), Affine(rng.standard_normal((4, 3)), np.zeros(3))])
    assert count_correct(net, x, labels, 64) == count_correct_simple(net, x, labels, 64)
    bad = x.copy()
    bad[250, 1] = np.nan
    two = Sequential([Affine(rng.standard_normal((4, 3)), np.zeros(3)), Relu()])
    with pytest.raises(ValueError, match="NaN"):
        two.accuracy(bad, labels, batch_size=64)


def test_params_follow_a_layer_replaced_in_the_layers_dict():
    net = TwoLayerNet(4, 3, 2, rng=0)
    first = net.params["W1"]
    assert net.params["W1"] is first  # the same view, read again
    rng = np.random.default_rng(6)
    net.layers["Affine1"] = Affine(rng.standard_normal((4, 3)), np.zeros(3))
    assert net.params["W1"] is net.layers["Affine1"].W and net.params["W1"] is not first
    del net.layers["Relu1"]
    assert list(net.params) == ["W1", "b1", "W2", "b2"]
    assert net._slots() == net._slots_simple()


# --- bench/book_scripts.py: only the import lines change ------------------------------------------

def _bench_module():
    sys.path.insert(0, str(BENCH))  # book_scripts imports its sibling _timing
    try:
        spec = importlib.util.spec_from_file_location("book_scripts", BENCH / "book_scripts.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCH))
    return module


def test_the_bench_rewrites_the_books_imports_and_nothing_else():
    port = _bench_module().port
    text = ("import sys, os\nsys.path.append(os.pardir)\nimport numpy as np\n"
            "from dataset.mnist import load_mnist\r\n    from two_layer_net import TwoLayerNet\n"
            "net = TwoLayerNet(784, 50, 10)  # from two_layer_net import TwoLayerNet\n")
    ported, changed = port(text, {"dataset", "two_layer_net", "common"})
    assert ported.splitlines(keepends=True) == [
        "import sys, os\n", "sys.path.append(os.pardir)\n", "import numpy as np\n",
        "from bprop.datasets import load_mnist\r\n", "    from bprop.nets import TwoLayerNet\n",
        "net = TwoLayerNet(784, 50, 10)  # from two_layer_net import TwoLayerNet\n"]
    assert [old for old, _ in changed] == ["from dataset.mnist import load_mnist",
                                           "from two_layer_net import TwoLayerNet"]
    with pytest.raises(SystemExit, match="line 1 imports the book's own code"):
        port("from common.util import smooth_curve\n", {"common"})
