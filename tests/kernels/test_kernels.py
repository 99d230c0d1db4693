"""bprop._kernels: every fast form equals the simple form beside it, on many shapes, layouts and values."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bprop._kernels import conv, nan, pooling
from bprop.functions import conv_output_size


@st.composite
def conv_geometries(draw):
    """x (N, C, H, W), W (FN, C, FH, FW), stride, pad with at least one output position per axis."""
    N, C, FN = draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 5))
    FH, FW = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride, pad = draw(st.integers(1, 3)), draw(st.integers(0, 2))
    H = draw(st.integers(max(1, FH - 2 * pad), 9))
    W = draw(st.integers(max(1, FW - 2 * pad), 9))
    return (N, C, H, W), (FN, C, FH, FW), stride, pad


def _relative(a, b):
    return np.max(np.abs(a - b), initial=0.0) / max(np.max(np.abs(b), initial=0.0), 1e-300)


@settings(max_examples=150, deadline=None)
@given(conv_geometries(), st.integers(0, 2**32 - 1))
def test_conv_kernel_equals_the_books_im2col_form_forward_and_backward(geometry, seed):
    x_shape, W_shape, stride, pad = geometry
    rng = np.random.default_rng(seed)
    x, W, b = rng.standard_normal(x_shape), rng.standard_normal(W_shape), rng.standard_normal(W_shape[0])
    kernel = conv.ConvKernel()
    out = kernel.forward(x, W, b, stride, pad)
    want = conv.conv_simple(x, W, b, stride, pad)
    assert out.shape == want.shape
    assert _relative(out, want) < 1e-12
    dout = rng.standard_normal(out.shape)
    dx, dW, db = kernel.backward(dout, W)
    want_dx, want_dW, want_db = conv.conv_backward_simple(x, W, dout, stride, pad)
    for got, expected in ((dx, want_dx), (dW, want_dW), (db, want_db)):
        assert got.shape == expected.shape
        assert _relative(got, expected) < 1e-12
    no_dx, dW2, db2 = kernel.backward(dout, W, need_dx=False)
    assert no_dx is None
    np.testing.assert_array_equal(dW2, dW)
    np.testing.assert_array_equal(db2, db)


@pytest.mark.parametrize("x_shape, W_shape, stride, pad", [
    ((3, 1, 12, 12), (4, 1, 5, 5), 1, 0),   # one input channel: whole columns with a row of ones
    ((3, 4, 10, 10), (2, 4, 3, 3), 1, 1),   # canvas, FN <= C: dx by the transposed convolution
    ((3, 2, 10, 10), (6, 2, 3, 3), 1, 2),   # canvas, FN > C: dx by the chunked col2im
    ((3, 3, 11, 11), (4, 3, 3, 3), 2, 1),   # stride 2: whole columns
], ids=["columns", "canvas-transposed", "canvas-col2im", "stride-2"])
def test_each_conv_path_keeps_float32_and_matches_the_simple_form(x_shape, W_shape, stride, pad):
    rng = np.random.default_rng(0)
    x, W, b = (rng.standard_normal(s).astype(np.float32) for s in (x_shape, W_shape, W_shape[:1]))
    kernel = conv.ConvKernel()
    out = kernel.forward(x, W, b, stride, pad)
    dout = rng.standard_normal(out.shape).astype(np.float32)
    dx, dW, db = kernel.backward(dout, W)
    assert {a.dtype for a in (out, dx, dW, db)} == {np.dtype(np.float32)}
    x64, W64 = x.astype(np.float64), W.astype(np.float64)
    want = [conv.conv_simple(x64, W64, b.astype(np.float64), stride, pad),
            *conv.conv_backward_simple(x64, W64, dout.astype(np.float64), stride, pad)]
    for got, expected in zip((out, dx, dW, db), want):
        assert _relative(got, expected) < 1e-5


def test_conv_kernel_workspaces_follow_the_input_shape():
    rng = np.random.default_rng(1)
    W, b = rng.standard_normal((3, 2, 3, 3)), rng.standard_normal(3)
    kernel = conv.ConvKernel()
    for shape in ((2, 2, 8, 8), (3, 2, 6, 7), (2, 2, 8, 8)):
        x = rng.standard_normal(shape)
        out = kernel.forward(x, W, b, 1, 1)
        dout = rng.standard_normal(out.shape)
        dx, dW, db = kernel.backward(dout, W)
        want_dx, want_dW, _ = conv.conv_backward_simple(x, W, dout, 1, 1)
        assert _relative(out, conv.conv_simple(x, W, b, 1, 1)) < 1e-12
        assert _relative(dx, want_dx) < 1e-12 and _relative(dW, want_dW) < 1e-12


@st.composite
def pool_geometries(draw):
    ph, pw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride, pad = draw(st.integers(1, 3)), draw(st.integers(0, min(ph, pw) // 2))
    H = draw(st.integers(max(1, ph - 2 * pad), 9))
    W = draw(st.integers(max(1, pw - 2 * pad), 9))
    return (draw(st.integers(1, 3)), draw(st.integers(1, 3)), H, W), (ph, pw, stride, pad)


def _channel_major(x):
    """x with the same values laid out as a convolution's output: C-contiguous (C, N, H, W), transposed."""
    return np.ascontiguousarray(x.transpose(1, 0, 2, 3)).transpose(1, 0, 2, 3)


@settings(max_examples=150, deadline=None)
@given(pool_geometries(), st.integers(0, 2**32 - 1), st.booleans(), st.booleans())
def test_max_pool_equals_the_window_view_form_ties_and_minus_inf_included(geometry, seed, ties, channel_major):
    x_shape, window = geometry
    rng = np.random.default_rng(seed)
    x = rng.integers(-2, 2, x_shape).astype(np.float64) if ties else rng.standard_normal(x_shape)
    x[rng.random(x_shape) < 0.1] = -np.inf
    if channel_major:
        x = _channel_major(x)
    out, arg = pooling.max_pool(x, *window)
    want_out, want_arg = pooling.max_pool_simple(x, *window)
    np.testing.assert_array_equal(out, want_out)
    np.testing.assert_array_equal(arg, want_arg)
    dout = rng.standard_normal(out.shape)
    dx = pooling.max_pool_backward(dout, arg, x.shape, *window, pooling.is_channel_major(x))
    np.testing.assert_allclose(dx, pooling.max_pool_backward_simple(dout, want_arg, x.shape, *window), rtol=1e-14)


@settings(max_examples=100, deadline=None)
@given(pool_geometries(), st.integers(0, 2**32 - 1), st.booleans())
def test_avg_pool_equals_the_window_view_form(geometry, seed, channel_major):
    x_shape, window = geometry
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape)
    if channel_major:
        x = _channel_major(x)
    out = pooling.avg_pool(x, *window)
    np.testing.assert_allclose(out, pooling.avg_pool_simple(x, *window), rtol=1e-13, atol=1e-15)
    dout = rng.standard_normal(out.shape)
    dx = pooling.avg_pool_backward(dout, x.shape, *window, pooling.is_channel_major(x))
    np.testing.assert_allclose(dx, pooling.avg_pool_backward_simple(dout, x.shape, *window), rtol=1e-13, atol=1e-15)


def test_pooling_output_sizes_are_the_one_formula():
    x = np.zeros((1, 1, 9, 7))
    out, _ = pooling.max_pool(x, 3, 2, 2, 1)
    assert out.shape[2:] == (conv_output_size(9, 3, 2, 1), conv_output_size(7, 2, 2, 1))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_contains_nan_equals_isnan_any_for_nan_inf_empty_and_any_layout(dtype):
    rng = np.random.default_rng(3)
    cases = [np.zeros(0, dtype), np.array([np.inf, -np.inf], dtype), np.array([np.nan], dtype),
             np.array([1e30, -1e30], dtype)]  # squares overflow to inf: still no NaN
    for _ in range(50):
        a = rng.standard_normal((4, 6)).astype(dtype)
        a[rng.random(a.shape) < 0.05] = rng.choice([np.nan, np.inf, -np.inf])
        cases += [a, a.T, a[:, ::2], _channel_major(a.reshape(2, 2, 2, 3))]
    for a in cases:
        assert nan.contains_nan(a) == nan.contains_nan_simple(a), a


def test_layers_skip_their_scans_only_inside_a_nets_pass():
    assert nan.scanning_for_nan()
    with nan.layers_feeding_layers():
        assert not nan.scanning_for_nan()
    assert nan.scanning_for_nan()
    with pytest.raises(ValueError, match=r"Owner got NaN in x at index \(1, 0\)"):
        nan.reject_nan_through(np.array([np.nan]), np.array([[1.0], [np.nan]]), "x", "Owner")
