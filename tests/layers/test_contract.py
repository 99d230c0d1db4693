"""The contract every layer keeps, run over every row of the layer table (tests/layer_table.py)."""

import re
import warnings

import numpy as np
import pytest

from bprop import layers as L

from layer_table import LAYERS, layer_inputs

cases = pytest.mark.parametrize("case", LAYERS, ids=[c.name for c in LAYERS])


dtypes = pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])


def _as_tuple(grads):
    return grads if isinstance(grads, tuple) else (grads,)


def _dout_like(out, seed=1):
    return np.random.default_rng(seed).standard_normal(np.shape(out)).astype(np.asarray(out).dtype)


@cases
@dtypes
def test_forward_and_backward_leave_their_arguments_untouched(case, dtype):
    layer, args = layer_inputs(case, dtype)
    before = [np.array(a, copy=True) for a in args]
    out = layer.forward(*args)
    dout = _dout_like(out)
    dout_before = dout.copy()
    layer.backward(dout)
    for a, b in zip(args, before):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(dout, dout_before)


@cases
@dtypes
def test_output_and_gradients_keep_the_input_dtype(case, dtype):
    layer, args = layer_inputs(case, dtype)
    out = layer.forward(*args)
    assert np.asarray(out).dtype == dtype
    for g, a in zip(_as_tuple(layer.backward(_dout_like(out))), args):
        assert g.dtype == dtype and g.shape == np.shape(a)
    for name, g in layer.grads.items():
        assert g.dtype == dtype and g.shape == layer.params[name].shape


@cases
def test_integer_input_becomes_float64(case):
    layer, args = layer_inputs(case, np.float64)
    int_args = tuple(np.round(a).astype(np.int64) if np.asarray(a).dtype.kind == "f" else a for a in args)
    out = layer.forward(*int_args)
    assert np.asarray(out).dtype == np.float64


@cases
@pytest.mark.parametrize("bad", [np.array([[1 + 2j]]), np.array([["a"]]), np.array([[object()]])], ids=["complex", "str", "object"])
def test_complex_string_and_object_input_raise_type_error_naming_the_dtype(case, bad):
    layer, args = layer_inputs(case, np.float64)
    with pytest.raises(TypeError, match=str(bad.dtype).replace("<", ".")):
        layer.forward(np.broadcast_to(bad, np.shape(args[0])), *args[1:])


@cases
def test_nan_input_raises_value_error(case):
    layer, args = layer_inputs(case, np.float64)
    x = args[0].copy()
    x.flat[-1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        layer.forward(x, *args[1:])


@cases
def test_backward_before_forward_raises_runtime_error(case):
    layer, _ = layer_inputs(case, np.float64)
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward(np.ones(3))


@cases
def test_dout_of_the_wrong_shape_raises_naming_both_shapes(case):
    layer, args = layer_inputs(case, np.float64)
    out = layer.forward(*args)
    wrong = np.ones(np.shape(out) + (2,))
    with pytest.raises(ValueError, match=r"dout of shape .*forward's output had shape"):
        layer.backward(wrong)


@cases
def test_two_backwards_agree_and_zero_dout_gives_zero_gradients(case):
    layer, args = layer_inputs(case, np.float64)
    dout = _dout_like(layer.forward(*args))
    first = [g.copy() for g in _as_tuple(layer.backward(dout))]
    second = _as_tuple(layer.backward(dout))
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    for g in _as_tuple(layer.backward(np.zeros_like(dout))) + tuple(layer.grads.values()):
        assert not np.any(g)


@cases
@dtypes
def test_extreme_inputs_give_finite_values_and_no_warning(case, dtype):
    layer, args = layer_inputs(case, dtype, shape=(3, 4), scale=case.max_scale)
    x = args[0].copy()
    x.flat[0], x.flat[1] = -case.max_scale, case.max_scale
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            out = layer.forward(x, *args[1:])
            grads = _as_tuple(layer.backward(_dout_like(out))) + tuple(layer.grads.values())
    assert np.all(np.isfinite(out))
    for g in grads:
        assert np.all(np.isfinite(g))


@cases
def test_docstring_gives_formula_derivative_and_shapes(case):
    layer, _ = layer_inputs(case, np.float64)
    doc = type(layer).__doc__
    assert re.search(r"\by = |out = |L = ", doc), "forward formula"
    assert re.search(r"\bd[xy] = ", doc), "derivative"
    assert "shape" in doc.lower()


@pytest.mark.parametrize(
    "layer, slopes",
    [(L.Relu(), [0, 0, 1]), (L.LeakyRelu(0.1), [0.1, 0.1, 1]), (L.Elu(0.5), [0.5 * np.exp(-1), 0.5, 1])],
    ids=["relu", "leaky_relu", "elu"],
)
def test_slope_at_the_kink_follows_pytorch(layer, slopes):
    layer.forward(np.array([-1.0, 0.0, 1.0]))
    np.testing.assert_allclose(layer.backward(np.ones(3)), slopes, rtol=1e-15)


def test_relu_backward_leaves_dout_untouched_where_the_book_zeroes_it():
    relu = L.Relu()
    relu.forward(np.array([-2.0, 3.0]))
    dout = np.array([5.0, 7.0])
    np.testing.assert_array_equal(relu.backward(dout), [0.0, 7.0])
    np.testing.assert_array_equal(dout, [5.0, 7.0])
    np.testing.assert_array_equal(relu.mask, [True, False])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_inplace_writes_y_into_x_and_dx_into_dout_with_the_same_values(dtype):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((30, 4, 5, 6)).astype(dtype).transpose(1, 0, 2, 3)  # channel-major, as after a conv
    dout = rng.standard_normal(x.shape).astype(dtype)
    plain, inplace = L.Relu(), L.Relu(inplace=True)
    y_want, x_given, dout_given = plain.forward(x), x.copy(), dout.copy()
    y = inplace.forward(x)
    assert y is x and y.dtype == dtype
    np.testing.assert_array_equal(y, y_want)
    np.testing.assert_array_equal(inplace.mask, x_given <= 0)
    dx = inplace.backward(dout)
    assert dx is dout
    np.testing.assert_array_equal(dx, plain.backward(dout_given))


def test_relu_inplace_leaves_arrays_it_cannot_or_may_not_write_and_converts_as_usual():
    relu = L.Relu(inplace=True)
    x = np.array([-1.0, 2.0])
    x.flags.writeable = False
    np.testing.assert_array_equal(relu.forward(x), [0.0, 2.0])
    np.testing.assert_array_equal(x, [-1.0, 2.0])
    ints = np.array([-3, 4])
    y = relu.forward(ints)  # converted to float64: the copy is written, not the caller's array
    assert y.dtype == np.float64 and y is not ints
    np.testing.assert_array_equal(ints, [-3, 4])
    with pytest.raises(TypeError, match="inplace True or False, got 1"):
        L.Relu(inplace=1)


def test_relu_is_not_inplace_by_default():
    relu = L.Relu()
    x = np.array([-1.0, 2.0])
    assert relu.forward(x) is not x and x[0] == -1.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_reaches_exactly_0_and_1_at_plus_minus_1000(dtype):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = L.Sigmoid().forward(np.array([-1000, -50, 0, 50, 1000], dtype=dtype))
    assert y[0] == 0 and y[-1] == 1 and y[2] == 0.5
    assert 0 < y[1] < 1e-21 and y.dtype == dtype


def test_sigmoid_backward_is_dout_y_one_minus_y():
    sig = L.Sigmoid()
    y = sig.forward(np.array([0.0, 1.0]))
    np.testing.assert_allclose(sig.backward(np.array([2.0, 3.0])), [2 * 0.25, 3 * y[1] * (1 - y[1])])
