"""MulLayer/AddLayer (the book's shopping example) and Affine."""

import numpy as np
import pytest

from bprop.layers import AddLayer, Affine, MulLayer


def test_apple_example_gives_the_books_numbers():
    mul_apple, mul_tax = MulLayer(), MulLayer()
    price = mul_tax.forward(mul_apple.forward(100, 2), 1.1)
    assert price == pytest.approx(220)
    dapple_price, dtax = mul_tax.backward(1)
    dapple, dapple_num = mul_apple.backward(dapple_price)
    assert (dapple, dapple_num, dtax) == pytest.approx((2.2, 110, 200))


def test_apple_and_orange_example_gives_the_books_numbers():
    mul_apple, mul_orange, add, mul_tax = MulLayer(), MulLayer(), AddLayer(), MulLayer()
    apple_price = mul_apple.forward(100, 2)
    orange_price = mul_orange.forward(150, 3)
    price = mul_tax.forward(add.forward(apple_price, orange_price), 1.1)
    dall, dtax = mul_tax.backward(1)
    dapple_price, dorange_price = add.backward(dall)
    dapple, dapple_num = mul_apple.backward(dapple_price)
    dorange, dorange_num = mul_orange.backward(dorange_price)
    assert price == pytest.approx(715)
    assert (dapple_num, dapple, dorange, dorange_num, dtax) == pytest.approx((110, 2.2, 3.3, 165, 650))


def test_mul_and_add_sum_gradients_over_broadcast_axes():
    x, y = np.arange(6.0).reshape(2, 3), np.array([1.0, 2.0, 3.0])
    mul = MulLayer()
    mul.forward(x, y)
    dx, dy = mul.backward(np.ones((2, 3)))
    np.testing.assert_array_equal(dx, np.broadcast_to(y, (2, 3)))
    np.testing.assert_array_equal(dy, x.sum(axis=0))
    add = AddLayer()
    add.forward(x, 5.0)
    dx, dscalar = add.backward(np.full((2, 3), 2.0))
    assert dx.shape == (2, 3) and dscalar == 12.0


def test_python_numbers_do_not_upcast_float32_arrays():
    out = MulLayer().forward(np.ones(3, np.float32), 1.1)
    assert out.dtype == np.float32


def test_mul_rejects_shapes_that_do_not_broadcast():
    with pytest.raises(ValueError, match=r"cannot combine x of shape \(2,\) with y of shape \(3,\)"):
        MulLayer().forward(np.ones(2), np.ones(3))


def test_affine_flattens_any_rank_and_returns_dx_in_the_input_shape():
    rng = np.random.default_rng(0)
    W, b = rng.standard_normal((12, 4)), rng.standard_normal(4)
    affine = Affine(W, b)
    x = rng.standard_normal((5, 3, 2, 2))
    out = affine.forward(x)
    np.testing.assert_allclose(out, x.reshape(5, 12) @ W + b)
    dout = rng.standard_normal((5, 4))
    dx = affine.backward(dout)
    assert dx.shape == x.shape
    np.testing.assert_allclose(affine.dW, x.reshape(5, 12).T @ dout)
    np.testing.assert_allclose(affine.db, dout.sum(axis=0))
    assert affine.grads["W"] is affine.dW and affine.params["W"] is W


def test_affine_names_the_expected_features_and_the_shape_it_got():
    affine = Affine(np.zeros((784, 10)), np.zeros(10))
    with pytest.raises(ValueError, match=r"784 features per sample, got shape \(100, 28, 27\)"):
        affine.forward(np.zeros((100, 28, 27)))


def test_affine_rejects_a_bias_of_the_wrong_length():
    with pytest.raises(ValueError, match="b of shape"):
        Affine(np.zeros((3, 2)), np.zeros(3))


def test_affine_computes_in_its_parameters_dtype_like_the_books_float32_data_in_float64_nets():
    affine = Affine(np.ones((3, 2), np.float32), np.zeros(2, np.float32))
    for x in (np.ones((1, 3)), np.ones((1, 3), np.uint8)):
        out = affine.forward(x)
        assert out.dtype == np.float32 and affine.backward(np.ones((1, 2))).dtype == np.float32
    book_net_layer = Affine(np.ones((3, 2)), np.zeros(2))
    assert book_net_layer.forward(np.ones((1, 3), np.float32)).dtype == np.float64


def test_affine_backward_params_leaves_the_same_dw_and_db_as_backward_and_returns_nothing():
    rng = np.random.default_rng(0)
    layer = Affine(rng.standard_normal((5, 3)), rng.standard_normal(3))
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward_params(np.ones((4, 3)))
    layer.forward(rng.standard_normal((4, 5)))
    dout = rng.standard_normal((4, 3))
    assert layer.backward_params(dout) is None
    dW, db = layer.dW, layer.db
    layer.backward(dout)
    np.testing.assert_array_equal(layer.dW, dW)
    np.testing.assert_array_equal(layer.db, db)
