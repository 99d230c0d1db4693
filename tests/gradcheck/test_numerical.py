"""The book's numerical_gradient: values, restoring x, dtype, bad arguments."""

import numpy as np
import pytest

from bprop.gradcheck import numerical_gradient


def test_numerical_gradient_matches_analytic_gradient_of_sum_of_squares_and_sines():
    x = np.random.default_rng(0).standard_normal((3, 4))
    grad = numerical_gradient(lambda v: np.sum(v**2 + np.sin(v)), x)
    np.testing.assert_allclose(grad, 2 * x + np.cos(x), rtol=1e-7, atol=1e-9)


def test_numerical_gradient_of_book_function_2_at_3_4():
    # The book's ch.4 example: f(x) = x0² + x1², gradient at (3, 4) is (6, 8).
    grad = numerical_gradient(lambda x: x[0] ** 2 + x[1] ** 2, np.array([3.0, 4.0]))
    np.testing.assert_allclose(grad, [6.0, 8.0], rtol=1e-9)


def test_numerical_gradient_restores_x_exactly():
    x = np.random.default_rng(1).standard_normal((2, 3, 2))
    before = x.copy()
    numerical_gradient(lambda v: float(np.sum(np.exp(v))), x)
    assert np.array_equal(x, before)


def test_numerical_gradient_restores_x_when_f_raises():
    x = np.array([[0.1, 0.2], [0.3, 0.4]])
    before = x.copy()
    calls = []

    def f(v):
        calls.append(1)
        if len(calls) == 4:
            raise ZeroDivisionError("boom")
        return float(v.sum())

    with pytest.raises(ZeroDivisionError):
        numerical_gradient(f, x)
    assert np.array_equal(x, before)


def test_numerical_gradient_works_with_the_books_closure_that_ignores_its_argument():
    rng = np.random.default_rng(2)
    x, t = rng.standard_normal((3, 4)), rng.standard_normal((3, 2))
    params = {"W": rng.standard_normal((4, 2))}

    def loss():
        return 0.5 * np.sum((x @ params["W"] - t) ** 2)

    grad = numerical_gradient(lambda W: loss(), params["W"])
    np.testing.assert_allclose(grad, x.T @ (x @ params["W"] - t), rtol=1e-7)


def test_numerical_gradient_keeps_float32():
    x = np.array([1.0, 2.0], dtype=np.float32)
    assert numerical_gradient(lambda v: float(np.sum(v)), x, eps=1e-2).dtype == np.float32


def test_numerical_gradient_rejects_lists_and_integer_arrays():
    with pytest.raises(TypeError, match="float ndarray"):
        numerical_gradient(lambda v: 0.0, [1.0, 2.0])
    with pytest.raises(TypeError, match="int64"):
        numerical_gradient(lambda v: 0.0, np.array([1, 2]))


def test_numerical_gradient_rejects_f_returning_an_array():
    with pytest.raises(TypeError, match="scalar"):
        numerical_gradient(lambda v: v * 2, np.ones(3))
