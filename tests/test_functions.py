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


def test_erf_and_the_normal_cdf_agree_with_the_math_module_to_a_few_ulp():
    import math

    from bprop.functions import erf, normal_cdf, normal_pdf

    x = np.concatenate([np.linspace(-9, 9, 3601), [1.9999999, 2.0, 2.0000001, 26.9, 27.5, 1e300]])
    np.testing.assert_allclose(erf(x), [math.erf(v) for v in x], rtol=2e-15, atol=0)
    tail = np.linspace(-37, 8, 901)  # the lower tail keeps its digits: no 1 + erf cancellation
    np.testing.assert_allclose(normal_cdf(tail), [0.5 * math.erfc(-v / math.sqrt(2)) for v in tail], rtol=1e-12)
    np.testing.assert_allclose(normal_pdf(tail), np.exp(-tail**2 / 2) / math.sqrt(2 * math.pi), rtol=1e-13)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        edge = erf(np.array([-np.inf, np.inf, np.nan, 0.0, -0.0]))
        assert normal_cdf(np.array([-1e30, 1e30], dtype=np.float32)).tolist() == [0.0, 1.0]
        assert normal_pdf(np.array([1e30], dtype=np.float32)).tolist() == [0.0]
    assert edge[:2].tolist() == [-1.0, 1.0] and np.isnan(edge[2]) and np.signbit(edge[4])
    x32 = np.linspace(-6, 6, 1001, dtype=np.float32)
    assert erf(x32).dtype == normal_cdf(x32).dtype == np.float32
    np.testing.assert_allclose(erf(x32), [math.erf(v) for v in x32.astype(float)], atol=3e-7)


def test_masked_softmax_gives_masked_and_minus_inf_entries_zero_and_an_empty_row_zeros():
    from bprop.functions import masked_softmax

    x = np.array([[1.0, 1.0, 5.0], [2.0, 3.0, 4.0], [np.nan, 0.0, 0.0], [-np.inf, 0.0, np.inf], [-np.inf] * 3])
    mask = np.array([[True, True, False], [False] * 3, [False, True, True], [True] * 3, [True] * 3])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = masked_softmax(x * 1000, mask)
    np.testing.assert_array_equal(y, [[0.5, 0.5, 0], [0, 0, 0], [0, 0.5, 0.5], [0, 0, 1], [0, 0, 0]])
    np.testing.assert_allclose(masked_softmax(x[:2] * 3), softmax(x[:2] * 3), rtol=1e-15)
    assert masked_softmax(x.astype(np.float32), mask).dtype == np.float32
    with pytest.raises(TypeError, match="boolean mask"):
        masked_softmax(x, mask.astype(int))


def test_scaled_dot_product_attention_masks_exactly_and_checks_its_shapes():
    from bprop.functions import attention_weights, causal_mask, scaled_dot_product_attention

    rng = np.random.default_rng(0)
    q, k, v = rng.standard_normal((2, 4, 3)) * 1000, rng.standard_normal((2, 5, 3)) * 1000, rng.standard_normal((2, 5, 2))
    mask = causal_mask(4, 5)
    mask[2] = False  # query 2 may attend to nothing
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        A = attention_weights(q, k, mask)
        out = scaled_dot_product_attention(q, k, v, mask)
        k_inf = np.abs(k)
        q_inf = np.zeros_like(q)
        q_inf[:, 1, 0] = -np.inf  # query 1's scores are all −inf: no weight anywhere either
        out_inf = scaled_dot_product_attention(q_inf, k_inf + 1, v)
    assert not A[:, 2].any() and not out[:, 2].any() and not out_inf[:, 1].any()
    assert not A[~np.broadcast_to(mask, A.shape)].any()
    np.testing.assert_allclose(A.sum(axis=-1)[:, [0, 1, 3]], 1.0, rtol=1e-12)
    np.testing.assert_array_equal(out, A @ v)
    assert causal_mask(2, 3).tolist() == [[True, False, False], [True, True, False]]
    with pytest.raises(ValueError, match=r"q \(\.\.\., T_q, d_k\).*got q \(2, 4, 3\), k \(2, 5, 4\)"):
        scaled_dot_product_attention(q, np.ones((2, 5, 4)), v)
    with pytest.raises(ValueError, match=r"broadcastable to the scores' shape .* \(2, 4, 5\), got shape \(4, 4\)"):
        scaled_dot_product_attention(q, k, v, causal_mask(4))
