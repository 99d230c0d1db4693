"""Sequential: params/grads views, backprop, accuracy, naming, describe, print(net), the NaN scans."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bprop import layers as L
from bprop.layers import Affine, Relu, Tanh
from bprop.nets import LayerSummary, Sequential, TwoLayerNet


def _data(n=6, d=5, classes=3, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)).astype(dtype), rng.integers(0, classes, n)


def test_params_are_the_layers_own_arrays_not_copies():
    net = TwoLayerNet(4, 3, 2, rng=0)
    assert net.params["W1"] is net.layers["Affine1"].W
    assert net.params["b2"] is net.layers["Affine2"].b


def test_the_books_update_loop_trains_the_layers_in_place():
    x, t = _data()
    net = TwoLayerNet(5, 4, 3, weight_init_std=0.5, rng=1)
    W1 = net.layers["Affine1"].W
    before = net.loss(x, t)
    for _ in range(50):
        grads = net.gradient(x, t)
        for key in ("W1", "b1", "W2", "b2"):
            net.params[key] -= 0.5 * grads[key]
    assert net.layers["Affine1"].W is W1
    assert net.loss(x, t) < 0.5 * before


def test_assigning_a_param_replaces_the_layers_array_after_checking_its_shape():
    net = TwoLayerNet(4, 3, 2, rng=0, dtype=np.float32)
    net.params["W1"] = np.ones((4, 3))
    assert net.layers["Affine1"].W.dtype == np.float32
    np.testing.assert_array_equal(net.layers["Affine1"].W, 1)
    with pytest.raises(ValueError, match=r"params\['W1'\] has shape \(4, 3\).*\(3, 4\)"):
        net.params["W1"] = np.ones((3, 4))
    with pytest.raises(KeyError, match="W1, b1, W2, b2"):
        net.params["W9"]
    with pytest.raises(TypeError, match="cannot be deleted"):
        del net.params["W1"]


def test_gradient_returns_what_the_layers_hold_and_grads_shows_it():
    x, t = _data()
    net = TwoLayerNet(5, 4, 3, rng=0)
    grads = net.gradient(x, t)
    assert grads["W1"] is net.layers["Affine1"].dW
    assert net.grads["b2"] is net.layers["Affine2"].db


def test_sequential_whose_first_layer_has_no_parameters_still_backpropagates_correctly():
    x, t = _data(n=4, d=4, classes=3, seed=8)
    rng = np.random.default_rng(0)
    net = Sequential([Tanh(), Affine(rng.standard_normal((4, 3)), np.zeros(3))])
    numerical = net.numerical_gradient(x, t)
    for key, grad in net.gradient(x, t).items():
        np.testing.assert_allclose(grad, numerical[key], rtol=1e-6, atol=1e-9)


def test_first_affine_skips_dx_but_gives_the_same_parameter_gradients():
    x, t = _data()
    net = TwoLayerNet(5, 4, 3, weight_init_std=0.5, rng=4)
    grads = {k: v.copy() for k, v in net.gradient(x, t).items()}
    # The full backward of every layer, as the book does it.
    y = net.last_layer.backward(1)
    for layer in reversed(list(net.layers.values())):
        y = layer.backward(y)
    for key, grad in net.grads.items():
        np.testing.assert_array_equal(grad, grads[key])


@settings(max_examples=15, deadline=None)
@given(n=st.integers(1, 40), batch_size=st.integers(1, 50))
def test_accuracy_in_batches_equals_accuracy_in_one_go(n, batch_size):
    x, t = _data(n=n, seed=n)
    net = TwoLayerNet(5, 4, 3, weight_init_std=1.0, rng=0)
    expected = np.mean(net.predict(x).argmax(axis=1) == t)
    assert net.accuracy(x, t, batch_size=batch_size) == pytest.approx(expected, abs=1e-15)


def test_accuracy_rejects_mismatched_rows_and_bad_batch_sizes():
    x, t = _data()
    net = TwoLayerNet(5, 4, 3, rng=0)
    with pytest.raises(ValueError, match="same number of rows"):
        net.accuracy(x, t[:-1])
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        net.accuracy(x, t, batch_size=0)


def test_sequential_names_layers_by_type_and_keeps_a_dicts_names():
    rng = np.random.default_rng(0)
    a1, a2 = Affine(rng.standard_normal((3, 2)), np.zeros(2)), Affine(rng.standard_normal((2, 2)), np.zeros(2))
    assert list(Sequential([a1, Relu(), a2]).layers) == ["Affine1", "Relu1", "Affine2"]
    assert list(Sequential({"fc": a1, "act": Relu(), "out": a2}).layers) == ["fc", "act", "out"]


def test_sequential_rejects_non_layers_and_empty_lists():
    with pytest.raises(TypeError, match="layer 'int1' must have forward and backward"):
        Sequential([1])
    with pytest.raises(ValueError, match="at least one layer"):
        Sequential([])


def test_describe_gives_the_specs_the_graph_module_draws():
    net = TwoLayerNet(784, 50, 10, rng=0, dtype=np.float32)
    assert net.describe((784,)) == [
        LayerSummary("Affine", ("N", 50), 39_250),
        LayerSummary("Relu", ("N", 50), 0),
        LayerSummary("Affine", ("N", 10), 510),
        LayerSummary("SoftmaxWithLoss", (), 0),
    ]
    from bprop.graph import network_graph

    assert network_graph(net.describe(784)).n_params == 39_760


def test_nan_in_a_nets_input_is_named_by_the_net_with_its_index():
    net = TwoLayerNet(5, 4, 3, rng=0)
    x, t = _data()
    x[2, 3] = np.nan
    for call in (lambda: net.predict(x), lambda: net.loss(x, t), lambda: net.gradient(x, t)):
        with pytest.raises(ValueError, match=r"TwoLayerNet got NaN in x at index \(2, 3\)"):
            call()


def test_nan_started_inside_a_net_is_caught_at_the_scores():
    net = TwoLayerNet(5, 4, 3, rng=0)
    x, t = _data()
    net.params["W2"][1, 2] = np.nan  # as a diverged update leaves it
    assert np.isfinite(x).all()
    with pytest.raises(ValueError, match="computed NaN scores .* from an input without NaN"):
        net.gradient(x, t)


def test_layers_scan_for_nan_again_once_a_nets_pass_is_over():
    net = TwoLayerNet(5, 4, 3, rng=0)
    x, t = _data()
    net.gradient(x, t)
    relu = net.layers["Relu1"]
    with pytest.raises(ValueError, match="Relu got NaN in x"):
        relu.forward(np.array([[1.0, np.nan]]))
    relu.forward(np.ones((6, 4)))
    with pytest.raises(ValueError, match="got NaN in dout"):
        relu.backward(np.full((6, 4), np.nan))


# --- print(net): one table for the net, the pictures and describe ---------------------------


def test_print_net_shows_each_layer_its_output_shape_and_parameter_count():
    net = TwoLayerNet(784, 50, 10, rng=0, dtype=np.float32)
    assert str(net).splitlines() == [
        "TwoLayerNet, float32",
        "layer                      output shape  parameters",
        "Affine(784 → 50, float32)  (N, 50)           39,250",
        "Relu()                     (N, 50)                0",
        "Affine(50 → 10, float32)   (N, 10)              510",
        "SoftmaxWithLoss()          ()                     0",
        "total                                        39,760",
    ]


def test_print_conv_net_shows_image_shapes_and_the_layers_options():
    from bprop.nets import SimpleConvNet

    lines = str(SimpleConvNet(rng=0)).splitlines()
    assert lines[2].split() == ["Convolution(30", "filters", "1×5×5,", "stride", "1,", "pad", "0)",
                                "(N,", "30,", "24,", "24)", "780"]
    assert lines[-1].split() == ["total", "433,890"]


def test_a_net_whose_input_size_is_unknown_prints_question_marks_for_the_shapes():
    rng = np.random.default_rng(0)
    net = Sequential([L.Convolution(rng.standard_normal((2, 1, 3, 3)), np.zeros(2)), L.Flatten()])
    rows = str(net).splitlines()[2:-1]
    assert [row.split()[-2:] for row in rows] == [["?", "20"], ["?", "0"], ["?", "0"]]
    assert "(N, 2, 2, 2)" in net.summary((1, 4, 4))


def test_describing_a_net_between_forward_and_backward_changes_nothing_backward_reads():
    x, t = _data()
    net = TwoLayerNet(5, 4, 3, rng=0)
    expected = {k: v.copy() for k, v in net.gradient(x, t).items()}
    net.loss(x, t)
    str(net)  # a forward pass of one sample, on copies of the layers
    dout = net.last_layer.backward(1)
    for layer in reversed(list(net.layers.values())):
        dout = layer.backward(dout)
    for key, grad in net.grads.items():
        np.testing.assert_array_equal(grad, expected[key])
