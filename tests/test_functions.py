"""bprop.functions: the book's numbers, stability, dtypes."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from bprop.functions import cross_entropy_error, log_softmax, mean_squared_error, relu, sigmoid, softmax, softplus

# The book's §4.2 example: the answer is class 2.
T = np.array([0, 0, 1, 0, 0, 0, 0, 0, 0, 0])


Y_GOOD = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])


Y_BAD = np.array([0.1, 0.05, 0.1, 0.0, 0.05, 0.1, 0.0, 0.6, 0.0, 0.0])


def test_cross_entropy_error_gives_the_books_numbers():
    assert cross_entropy_error(Y_GOOD, T) == pytest.approx(0.510825457099338)
    assert cross_entropy_error(Y_BAD, T) == pytest.approx(2.302584092994546)
    assert cross_entropy_error(Y_GOOD, np.array(2)) == pytest.approx(0.510825457099338)


def test_mean_squared_error_gives_the_books_numbers():
    assert mean_squared_error(Y_GOOD, T) == pytest.approx(0.09750000000000003)
    assert mean_squared_error(Y_BAD, T) == pytest.approx(0.5975)


def test_cross_entropy_error_averages_over_the_batch_for_labels_and_one_hot():
    y = np.stack([Y_GOOD, Y_BAD])
    expected = (0.510825457099338 + 2.302584092994546) / 2
    assert cross_entropy_error(y, np.array([2, 2])) == pytest.approx(expected)
    assert cross_entropy_error(y, np.stack([T, T])) == pytest.approx(expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_functions_keep_dtype_and_stay_finite_at_the_extremes(dtype):
    x = np.array([[-1e4, 0.0, 1e4], [-1000.0, 1.0, 1000.0]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for f in (sigmoid, relu, softmax, log_softmax, softplus):
            y = f(x)
            assert y.dtype == dtype and np.all(np.isfinite(y)), f.__name__
    np.testing.assert_array_equal(sigmoid(x)[1], np.array([0, sigmoid(np.array(1.0, dtype)), 1], dtype))
    np.testing.assert_array_equal(softmax(x)[0], [0, 0, 1])
    np.testing.assert_allclose(log_softmax(x)[0], [-2e4, -1e4, 0])
    # log1p(e) to within one unit in the last place: float32 exp and log1p round
    # differently on different CPUs' SIMD paths.
    np.testing.assert_array_max_ulp(softplus(x)[1], np.array([0, np.log1p(np.e), 1000], dtype), maxulp=1)


def test_integers_become_float64():
    assert sigmoid(np.array([0, 1])).dtype == np.float64
    assert softmax(np.array([1, 2, 3])).dtype == np.float64
    assert sigmoid(0) == 0.5


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 6)), elements=st.floats(-700, 700)))
def test_softmax_rows_sum_to_one_and_match_exp_of_log_softmax(x):
    y = softmax(x)
    np.testing.assert_allclose(y.sum(axis=1), 1, rtol=1e-12)
    np.testing.assert_allclose(np.exp(log_softmax(x)), y, rtol=1e-12, atol=1e-300)


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, st.integers(1, 20), elements=st.floats(-30, 30)))
def test_sigmoid_and_softplus_agree_with_the_textbook_forms_where_those_are_safe(x):
    np.testing.assert_allclose(sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-14)
    np.testing.assert_allclose(softplus(x), np.log1p(np.exp(x)), rtol=1e-13)


def test_sigmoid_leaves_its_input_untouched():
    x = np.array([-1.0, 2.0])
    sigmoid(x)
    np.testing.assert_array_equal(x, [-1.0, 2.0])
