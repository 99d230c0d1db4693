"""Dropout: inverted (default) or the book's form, with a seeded mask.

The generic tests (layer_table.py rows "Dropout", "Dropout(inference)") cover the
contract, and torch given the same mask. Here: the mask's statistics and
reproducibility, the scaling, and a gradient check with the mask held fixed."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bprop.gradcheck import check_layer, numerical_gradient
from bprop.layers.dropout import Dropout


def _x(shape=(20, 30), seed=0, dtype=np.float64):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def test_the_same_seed_gives_the_same_sequence_of_masks():
    a, b = Dropout(0.3, seed=42), Dropout(0.3, seed=42)
    x = _x()
    for _ in range(3):
        np.testing.assert_array_equal(a.forward(x), b.forward(x))
        np.testing.assert_array_equal(a.mask, b.mask)


def test_successive_forwards_and_other_seeds_draw_other_masks():
    layer, x = Dropout(0.5, seed=1), _x()
    first = layer.forward(x).copy()
    assert not np.array_equal(layer.forward(x), first)
    assert not np.array_equal(Dropout(0.5, seed=2).forward(x), first)


def test_a_generator_passed_as_rng_is_the_one_drawn_from():
    rng = np.random.default_rng(7)
    layer = Dropout(0.25, rng=rng)
    assert layer.rng is rng
    x = _x()
    mask = layer.forward(x) != 0
    np.testing.assert_array_equal(mask, np.random.default_rng(7).random(x.shape) >= 0.25)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("ratio", [0.1, 0.5, 0.8])
def test_training_keeps_one_minus_ratio_and_scales_so_the_mean_is_kept(ratio, dtype):
    x = np.ones((1000, 1000), dtype=dtype)
    y = Dropout(ratio, seed=3).forward(x)
    assert y.dtype == dtype
    kept = y != 0
    np.testing.assert_array_equal(y[kept], np.full(kept.sum(), 1 / (1 - ratio), dtype=dtype))
    # Over 1e6 Bernoulli draws the kept fraction has standard deviation √(r(1-r)/1e6) ≤ 5e-4.
    assert abs(kept.mean() - (1 - ratio)) < 3e-3
    assert abs(float(y.mean(dtype=np.float64)) - 1) < 3e-3 / (1 - ratio)


@settings(max_examples=25, deadline=None)
@given(
    shape=st.lists(st.integers(1, 6), min_size=1, max_size=4).map(tuple),
    ratio=st.floats(0, 0.95),
    seed=st.integers(0, 2**32 - 1),
)
def test_every_output_is_zero_or_the_input_over_one_minus_ratio(shape, ratio, seed):
    x = _x(shape, seed)
    layer = Dropout(ratio, seed=seed)
    y = layer.forward(x)
    np.testing.assert_array_equal(y, np.where(layer.mask, x * (1 / (1 - ratio)), 0.0))
    assert layer.mask.dtype == bool and layer.mask.shape == shape


def test_backward_uses_the_mask_and_scale_of_the_last_forward():
    layer = Dropout(0.4, seed=5)
    x, dout = _x(seed=1), _x(seed=2)
    y = layer.forward(x)
    dx = layer.backward(dout)
    np.testing.assert_array_equal(dx, dout * layer.mask / 0.6)
    np.testing.assert_array_equal(dx == 0, y == 0)


def test_central_differences_agree_with_backward_when_the_mask_is_held_fixed():
    # Every forward draws a new mask, so f builds a fresh layer with the same seed:
    # the first mask of seed 11, each time.
    x, dout = _x((4, 5), seed=3), _x((4, 5), seed=4)
    numeric = numerical_gradient(lambda v: np.sum(dout * Dropout(0.5, seed=11).forward(v)), x.copy())
    layer = Dropout(0.5, seed=11)
    layer.forward(x)
    np.testing.assert_allclose(layer.backward(dout), numeric, rtol=1e-8, atol=1e-10)


def test_check_layer_replays_the_mask_and_checks_the_gradient_in_both_modes():
    report = check_layer(Dropout(0.3, seed=0), _x((3, 4)))
    assert report.ok, str(report)
    assert [r.target for r in report.rows] == ["dx"] and report.rows[0].ok
    keys = [f.key for f in report.findings]
    assert "grad.random" not in keys
    assert "mode.dropout_inverted" in keys or "mode.dropout_book" in keys


def test_ratio_zero_is_the_identity():
    x, dout = _x(), _x(seed=1)
    layer = Dropout(0.0, seed=0)
    np.testing.assert_array_equal(layer.forward(x), x)
    np.testing.assert_array_equal(layer.backward(dout), dout)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_inference_is_a_copy_of_x_and_draws_nothing(dtype):
    layer, x = Dropout(0.5, seed=9), _x(dtype=dtype)
    state = layer.rng.bit_generator.state
    y = layer.forward(x, train_flg=False)
    np.testing.assert_array_equal(y, x)
    assert y is not x and y.dtype == dtype
    assert layer.rng.bit_generator.state == state
    report = check_layer(layer, x[:3, :4], False)
    assert report.ok and not [f for f in report.findings if f.status == "note"], str(report)


def test_backward_after_an_inference_forward_passes_dout_through_not_the_stale_mask():
    # The book's Dropout multiplies by the last training mask here.
    layer, x, dout = Dropout(0.5, seed=4), _x(), _x(seed=1)
    layer.forward(x)
    layer.forward(x, train_flg=False)
    dx = layer.backward(dout)
    np.testing.assert_array_equal(dx, dout)
    assert dx is not dout


def test_mask_is_drawn_in_the_inputs_float_dtype():
    # float32 draws float32 uniforms, so its masks differ from float64's for one seed.
    x = np.ones((50, 50))
    m64 = Dropout(0.5, seed=8).forward(x) != 0
    m32 = Dropout(0.5, seed=8).forward(x.astype(np.float32)) != 0
    np.testing.assert_array_equal(m32, np.random.default_rng(8).random(x.shape, dtype=np.float32) >= 0.5)
    assert not np.array_equal(m32, m64)


@pytest.mark.parametrize("ratio", [-0.1, 1.0, 1.5, float("nan")])
def test_a_ratio_outside_zero_to_one_raises_value_error(ratio):
    with pytest.raises(ValueError, match=r"dropout_ratio in \[0, 1\)"):
        Dropout(ratio)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"dropout_ratio": "half"}, TypeError, "a number for dropout_ratio, got 'half'"),
        ({"seed": 1, "rng": np.random.default_rng(1)}, ValueError, "a seed or an rng, not both"),
        ({"rng": np.random.RandomState(1)}, TypeError, "numpy.random.Generator, got RandomState"),
    ],
)
def test_bad_arguments_raise_saying_what_was_expected(kwargs, error, match):
    with pytest.raises(error, match=match):
        Dropout(**kwargs)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_books_form_trains_with_the_bare_mask_and_scales_at_inference(dtype):
    x, dout = _x(dtype=dtype), _x(seed=1, dtype=dtype)
    book, inverted = Dropout(0.4, scale_at="test", seed=6), Dropout(0.4, seed=6)
    y, y_inv = book.forward(x), inverted.forward(x)
    np.testing.assert_array_equal(book.mask, inverted.mask)  # same draws, only the scale differs
    np.testing.assert_array_equal(y, x * book.mask)
    np.testing.assert_allclose(y_inv, y / dtype(0.6), rtol=1e-6)
    np.testing.assert_array_equal(book.backward(dout), dout * book.mask)
    y_test = book.forward(x, train_flg=False)
    assert y_test.dtype == dtype
    np.testing.assert_allclose(y_test, x * 0.6, rtol=1e-6)
    np.testing.assert_allclose(book.backward(dout), dout * 0.6, rtol=1e-6)


def test_the_books_form_keeps_the_training_mean_equal_to_inference():
    x = np.full((400, 500), 3.0)
    layer = Dropout(0.5, scale_at="test", seed=2)
    assert layer.forward(x).mean() == pytest.approx(layer.forward(x, train_flg=False).mean(), rel=0.01)


def test_the_books_form_backward_agrees_with_central_differences_for_a_fixed_mask():
    x, dout = _x((3, 4)), _x((3, 4), seed=2)
    numeric = numerical_gradient(lambda v: np.sum(dout * Dropout(0.3, scale_at="test", seed=4).forward(v)), x.copy())
    layer = Dropout(0.3, scale_at="test", seed=4)
    layer.forward(x)
    np.testing.assert_allclose(layer.backward(dout), numeric, atol=1e-8)


def test_scale_at_must_be_train_or_test():
    with pytest.raises(ValueError, match="scale_at 'train' \\(inverted\\) or 'test' \\(the book's\\), got 'eval'"):
        Dropout(0.5, scale_at="eval")
