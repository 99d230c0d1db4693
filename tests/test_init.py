"""bprop.init: the book's weight_init_std — a number, or he/xavier from the fan-in."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bprop import init


@given(st.integers(1, 10_000))
def test_he_and_xavier_are_the_books_standard_deviations(n_in):
    assert init.he(n_in) == math.sqrt(2 / n_in)
    assert init.xavier(n_in) == math.sqrt(1 / n_in)


@pytest.mark.parametrize("spec, expected", [
    ("he", math.sqrt(2 / 784)), ("relu", math.sqrt(2 / 784)), ("ReLU", math.sqrt(2 / 784)),
    ("xavier", math.sqrt(1 / 784)), ("sigmoid", math.sqrt(1 / 784)), ("Xavier", math.sqrt(1 / 784)),
    (0.01, 0.01), (1, 1.0), (0, 0.0), (np.float32(0.5), 0.5),
])
def test_std_resolves_names_and_numbers_like_the_books_multilayernet(spec, expected):
    assert init.std(spec, 784) == pytest.approx(expected, rel=1e-7)


def test_std_rejects_an_unknown_name_listing_the_accepted_ones():
    with pytest.raises(ValueError, match=r"unknown weight init 'kaiming'.*'he'.*'xavier'.*0\.01"):
        init.std("kaiming", 10)


@pytest.mark.parametrize("spec", [-0.01, math.nan, math.inf])
def test_std_rejects_negative_or_non_finite_numbers(spec):
    with pytest.raises(ValueError, match="finite number >= 0"):
        init.std(spec, 10)


@pytest.mark.parametrize("spec", [True, None, [0.01], b"he"])
def test_std_rejects_things_that_are_neither_numbers_nor_names(spec):
    with pytest.raises(TypeError, match="standard deviation"):
        init.std(spec, 10)


@pytest.mark.parametrize("n_in, error", [(0, ValueError), (-3, ValueError), (2.5, TypeError), (True, TypeError)])
def test_fan_in_must_be_a_positive_int(n_in, error):
    with pytest.raises(error, match="n_in must be a positive int"):
        init.he(n_in)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_weights_are_drawn_in_the_requested_dtype_and_shape(dtype):
    W = init.weights(784, 50, "he", rng=np.random.default_rng(0), dtype=dtype)
    assert W.shape == (784, 50)
    assert W.dtype == dtype


def test_weights_have_the_requested_standard_deviation_and_zero_mean():
    W = init.weights(400, 500, "he", rng=np.random.default_rng(1))
    sigma = math.sqrt(2 / 400)
    assert W.std() == pytest.approx(sigma, rel=0.01)
    assert abs(W.mean()) < 5 * sigma / math.sqrt(W.size)


@settings(max_examples=20)
@given(st.integers(0, 2**32 - 1))
def test_weights_from_the_same_seed_are_identical(seed):
    a = init.weights(5, 3, 0.1, rng=seed)
    b = init.weights(5, 3, 0.1, rng=np.random.default_rng(seed))
    np.testing.assert_array_equal(a, b)


def test_weights_std_zero_gives_zeros():
    np.testing.assert_array_equal(init.weights(3, 2, 0, rng=0), np.zeros((3, 2)))


@pytest.mark.parametrize("dtype", [np.float16, np.int64, "complex128"])
def test_weights_reject_dtypes_other_than_float32_and_float64(dtype):
    with pytest.raises(TypeError, match="float32 or float64"):
        init.weights(3, 2, 0.1, rng=0, dtype=dtype)


def test_as_generator_rejects_a_legacy_random_state():
    with pytest.raises(TypeError, match="Generator"):
        init.as_generator(np.random.RandomState(0))
