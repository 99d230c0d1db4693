"""Convolution, Pooling, Flatten and the book's im2col/col2im.

Against naive loops (im2col, col2im), torch (conv2d, max_pool2d, avg_pool2d:
kernels 1–5, strides 1–3, padding 0–2, non-square; float64 to 1e-10, float32
to 1e-5 of the output's scale), central differences (check_layer), and the
contract: inputs untouched, dtype kept, clear errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bprop.functions import col2im, im2col
from bprop.gradcheck import check_layer
from bprop.layers.conv import Convolution, Flatten, Pooling

try:
    import torch

    F = torch.nn.functional
except ImportError:  # the torch tests skip; the rest run
    torch = None



needs_torch = pytest.mark.skipif(torch is None, reason="torch is not installed")


def _naive_im2col(x, fh, fw, stride, pad):
    N, C, H, W = x.shape
    xp = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    oh, ow = (H + 2 * pad - fh) // stride + 1, (W + 2 * pad - fw) // stride + 1
    col = np.zeros((N * oh * ow, C * fh * fw), dtype=x.dtype)
    for n in range(N):
        for i in range(oh):
            for j in range(ow):
                window = xp[n, :, i * stride : i * stride + fh, j * stride : j * stride + fw]
                col[(n * oh + i) * ow + j] = window.reshape(-1)
    return col


def _naive_col2im(col, shape, fh, fw, stride, pad):
    N, C, H, W = shape
    oh, ow = (H + 2 * pad - fh) // stride + 1, (W + 2 * pad - fw) // stride + 1
    img = np.zeros((N, C, H + 2 * pad, W + 2 * pad), dtype=col.dtype)
    for n in range(N):
        for i in range(oh):
            for j in range(ow):
                window = col[(n * oh + i) * ow + j].reshape(C, fh, fw)
                img[n, :, i * stride : i * stride + fh, j * stride : j * stride + fw] += window
    return img[:, :, pad : pad + H, pad : pad + W]


@st.composite
def windows(draw, max_pad=2, half_window_pad=False):
    """A window geometry and an input size for which every output size is a whole number."""
    fh, fw = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    stride = draw(st.integers(1, 3))
    pad_limit = min(max_pad, fh // 2, fw // 2) if half_window_pad else max_pad
    pad = draw(st.integers(0, pad_limit))
    sizes = []
    for f in (fh, fw):
        least = max(1, -(-(1 - f + 2 * pad) // stride) + 1)  # smallest output size with an input size >= 1
        out = draw(st.integers(least, least + 3))
        sizes.append((out - 1) * stride + f - 2 * pad)
    n, c = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    return (n, c, *sizes), fh, fw, stride, pad


seeds = st.integers(0, 2**32 - 1)


@settings(max_examples=40, deadline=None)
@given(case=windows(), seed=seeds)
def test_im2col_and_col2im_match_naive_loops_and_keep_the_dtype(case, seed):
    shape, fh, fw, stride, pad = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(np.float32)
    col = im2col(x, fh, fw, stride, pad)
    np.testing.assert_array_equal(col, _naive_im2col(x, fh, fw, stride, pad))
    assert col.dtype == np.float32
    c = rng.standard_normal(col.shape).astype(np.float32)
    img = col2im(c, shape, fh, fw, stride, pad)
    np.testing.assert_allclose(img, _naive_col2im(c, shape, fh, fw, stride, pad), rtol=1e-6, atol=1e-6)
    assert img.dtype == np.float32 and img.shape == shape


@settings(max_examples=40, deadline=None)
@given(case=windows(), seed=seeds)
def test_col2im_is_the_adjoint_of_im2col(case, seed):
    shape, fh, fw, stride, pad = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    c = rng.standard_normal(im2col(x, fh, fw, stride, pad).shape)
    lhs = np.vdot(im2col(x, fh, fw, stride, pad), c)
    rhs = np.vdot(x, col2im(c, shape, fh, fw, stride, pad))
    assert lhs == pytest.approx(rhs, rel=1e-12, abs=1e-12)


def test_im2col_floors_the_output_size_like_the_book():
    x = np.arange(2 * 7 * 7, dtype=np.float64).reshape(1, 2, 7, 7)
    col = im2col(x, 2, 2, stride=2)
    assert col.shape == (9, 8)  # 3×3 windows, the last row and column left out
    np.testing.assert_array_equal(col[0], [0, 1, 7, 8, 49, 50, 56, 57])


def test_im2col_and_col2im_reject_bad_arguments():
    x = np.zeros((1, 1, 4, 4))
    with pytest.raises(ValueError, match=r"shape \(N, C, H, W\), got shape \(4, 4\)"):
        im2col(x[0, 0], 2, 2)
    with pytest.raises(ValueError, match="larger than the padded input"):
        im2col(x, 5, 5)
    with pytest.raises(ValueError, match="stride >= 1, got 0"):
        im2col(x, 2, 2, stride=0)
    with pytest.raises(TypeError, match="integer pad"):
        im2col(x, 2, 2, pad=0.5)
    with pytest.raises(ValueError, match=r"expected col of shape \(9, 4\).*got shape \(8, 4\)"):
        col2im(np.zeros((8, 4)), (1, 1, 4, 4), 2, 2)


def _conv_layer_and_input(case, dtype, seed, magnitude=1.0):
    shape, fh, fw, stride, pad = case
    rng = np.random.default_rng(seed)
    fn = int(rng.integers(1, 4))
    W = rng.standard_normal((fn, shape[1], fh, fw)).astype(dtype)
    b = rng.standard_normal(fn).astype(dtype)
    x = (rng.standard_normal(shape) * magnitude).astype(dtype)
    return Convolution(W, b, stride, pad), x, rng


def _close(ours, theirs, dtype, what):
    theirs = theirs.detach().numpy()
    assert ours.dtype == theirs.dtype == dtype, what
    # float32 sums of many terms round differently in each library: compare to the output's scale.
    tol = 1e-10 if dtype == np.float64 else 1e-5 * max(1.0, float(np.abs(theirs).max()))
    np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol, err_msg=what)


@needs_torch
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@settings(max_examples=40, deadline=None)
@given(case=windows(), seed=seeds, magnitude=st.sampled_from([1.0, 1000.0]))
def test_convolution_matches_torch_conv2d_forward_and_backward(case, dtype, seed, magnitude):
    conv, x, rng = _conv_layer_and_input(case, dtype, seed, magnitude)
    out = conv.forward(x)
    dout = rng.standard_normal(out.shape).astype(dtype)
    dx = conv.backward(dout)

    tx, tW, tb = (torch.from_numpy(np.array(a)).requires_grad_(True) for a in (x, conv.W, conv.b))
    t_out = F.conv2d(tx, tW, tb, stride=conv.stride, padding=conv.pad)
    t_out.backward(torch.from_numpy(dout))
    _close(out, t_out, dtype, "out")
    _close(dx, tx.grad, dtype, "dx")
    _close(conv.dW, tW.grad, dtype, "dW")
    _close(conv.db, tb.grad, dtype, "db")


@needs_torch
@pytest.mark.parametrize(
    "x_shape, W_shape, stride, pad",
    [((100, 1, 28, 28), (30, 1, 5, 5), 1, 0), ((7, 16, 14, 14), (32, 16, 3, 3), 1, 2), ((5, 32, 8, 8), (16, 32, 3, 3), 1, 1)],
    ids=["simple_convnet", "more_filters_than_channels", "fewer_filters_than_channels"],
)
def test_convolution_matches_torch_at_the_book_net_shapes_in_float32(x_shape, W_shape, stride, pad):
    rng = np.random.default_rng(3)
    x = rng.standard_normal(x_shape).astype(np.float32)
    conv = Convolution(rng.standard_normal(W_shape).astype(np.float32), rng.standard_normal(W_shape[0]).astype(np.float32), stride, pad)
    out = conv.forward(x)
    dout = rng.standard_normal(out.shape).astype(np.float32)
    dx = conv.backward(dout)
    tx, tW, tb = (torch.from_numpy(np.array(a)).requires_grad_(True) for a in (x, conv.W, conv.b))
    t_out = F.conv2d(tx, tW, tb, stride=stride, padding=pad)
    t_out.backward(torch.from_numpy(dout))
    for ours, theirs, what in ((out, t_out, "out"), (dx, tx.grad, "dx"), (conv.dW, tW.grad, "dW"), (conv.db, tb.grad, "db")):
        _close(ours, theirs, np.float32, what)


def _pool_against_torch(case, mode, dtype, seed, x=None, magnitude=1.0):
    shape, ph, pw, stride, pad = case
    rng = np.random.default_rng(seed)
    ties = x is not None
    x = x if ties else (rng.standard_normal(shape) * magnitude).astype(dtype)
    pool = Pooling(ph, pw, stride, pad, mode=mode)
    out = pool.forward(x)
    # Integers when x is given (ties): overlapping windows then add up exactly in any order.
    dout = (rng.integers(-9, 10, out.shape) if ties else rng.standard_normal(out.shape)).astype(dtype)
    dx = pool.backward(dout)
    tx = torch.from_numpy(np.array(x)).requires_grad_(True)
    torch_pool = F.max_pool2d if mode == "max" else F.avg_pool2d
    t_out = torch_pool(tx, (ph, pw), stride, pad)
    t_out.backward(torch.from_numpy(dout))
    return out, dx, dout, t_out, tx.grad


@needs_torch
@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@settings(max_examples=40, deadline=None)
@given(case=windows(half_window_pad=True), seed=seeds, magnitude=st.sampled_from([1.0, 1000.0]))
def test_pooling_matches_torch_forward_and_backward(case, mode, dtype, seed, magnitude):
    out, dx, _, t_out, t_dx = _pool_against_torch(case, mode, dtype, seed, magnitude=magnitude)
    _close(out, t_out, dtype, "out")
    _close(dx, t_dx, dtype, "dx")


@needs_torch
@settings(max_examples=40, deadline=None)
@given(case=windows(half_window_pad=True), seed=seeds, values=st.sampled_from(["zeros", "0 or 1", "-inf or 0"]))
def test_max_pooling_ties_route_each_gradient_to_exactly_one_input_like_torch(case, seed, values):
    shape = case[0]
    rng = np.random.default_rng(seed)
    x = {
        "zeros": np.zeros(shape),
        "0 or 1": rng.integers(0, 2, shape).astype(np.float64),
        "-inf or 0": np.where(rng.random(shape) < 0.7, -np.inf, 0.0),
    }[values]
    out, dx, dout, t_out, t_dx = _pool_against_torch(case, "max", np.float64, seed, x=x)
    np.testing.assert_array_equal(out, t_out.detach().numpy())
    np.testing.assert_array_equal(dx, t_dx.numpy())
    assert dx.sum() == dout.sum()


def test_max_pooling_tie_goes_to_the_first_maximum_in_row_major_order():
    pool = Pooling(2, 2, stride=2)
    pool.forward(np.array([[[[1.0, 3.0], [3.0, 3.0]]]]))
    np.testing.assert_array_equal(pool.backward(np.array([[[[5.0]]]])), [[[[0.0, 5.0], [0.0, 0.0]]]])


def test_avg_pooling_counts_the_zero_padding_in_the_mean():
    x = np.ones((1, 1, 2, 2))
    out = Pooling(2, 2, stride=1, pad=1, mode="avg").forward(x)
    np.testing.assert_array_equal(out, [[[[0.25, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 0.25]]]])


def test_max_pooling_of_the_book_example():
    x = np.array([[[[1, 2, 3, 0], [0, 1, 2, 4], [1, 0, 4, 2], [3, 2, 0, 1]]]], dtype=np.float32)
    pool = Pooling(2, 2, stride=2)
    out = pool.forward(x)
    np.testing.assert_array_equal(out, [[[[2, 4], [3, 4]]]])
    dx = pool.backward(np.array([[[[1, 2], [3, 4]]]], dtype=np.float32))
    np.testing.assert_array_equal(dx, [[[[0, 1, 0, 0], [0, 0, 0, 2], [0, 0, 4, 0], [3, 0, 0, 0]]]])
    assert out.dtype == dx.dtype == np.float32


@pytest.mark.parametrize(
    "layer, shape",
    [
        (Convolution(np.random.default_rng(0).standard_normal((3, 2, 3, 2)), np.arange(3.0)), (2, 2, 4, 5)),
        (Convolution(np.random.default_rng(1).standard_normal((2, 2, 3, 3)), np.ones(2), stride=2, pad=1), (2, 2, 5, 7)),
        (Convolution(np.random.default_rng(2).standard_normal((4, 3, 2, 2)), np.zeros(4), pad=2), (1, 3, 3, 4)),
        (Convolution(np.random.default_rng(3).standard_normal((2, 4, 3, 3)), np.zeros(2), pad=1), (2, 4, 4, 3)),
        (Pooling(2, 2), (2, 3, 4, 6)),
        (Pooling(3, 2, stride=1, pad=1), (2, 2, 4, 5)),
        (Pooling(3, 3, stride=2, pad=1, mode="avg"), (2, 2, 5, 7)),
        (Flatten(), (3, 2, 4, 5)),
    ],
    ids=["conv", "conv_stride2_pad1", "conv_pad2", "conv_fewer_filters", "maxpool", "maxpool_overlap_pad", "avgpool", "flatten"],
)
def test_backward_agrees_with_central_differences(layer, shape):
    x = np.random.default_rng(4).standard_normal(shape)
    report = check_layer(layer, x)
    assert report.ok, str(report)


def test_convolution_leaves_x_and_dout_untouched_and_keeps_float32():
    rng = np.random.default_rng(5)
    conv = Convolution(rng.standard_normal((4, 3, 3, 3)).astype(np.float32), np.zeros(4, np.float32), pad=1)
    x = rng.standard_normal((2, 3, 6, 5)).astype(np.float32)
    x_before = x.copy()
    out = conv.forward(x)
    dout = rng.standard_normal(out.shape).astype(np.float32)
    dout_before = dout.copy()
    dx = conv.backward(dout)
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(dout, dout_before)
    assert out.shape == (2, 4, 6, 5) and dx.shape == x.shape
    assert out.dtype == dx.dtype == conv.dW.dtype == conv.db.dtype == np.float32
    assert conv.grads["W"] is conv.dW and conv.grads["b"] is conv.db


def test_convolution_forward_equals_the_books_im2col_gemm():
    rng = np.random.default_rng(6)
    W, b = rng.standard_normal((5, 3, 3, 2)), rng.standard_normal(5)
    x = rng.standard_normal((2, 3, 7, 6))
    out = Convolution(W, b, stride=2, pad=1).forward(x)
    col = im2col(x, 3, 2, stride=2, pad=1)
    expected = (col @ W.reshape(5, -1).T + b).reshape(2, 4, 4, 5).transpose(0, 3, 1, 2)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


def test_convolution_gives_the_same_result_for_any_memory_layout_of_x():
    rng = np.random.default_rng(7)
    conv = Convolution(rng.standard_normal((2, 3, 3, 3)), rng.standard_normal(2), pad=1)
    x = rng.standard_normal((4, 3, 5, 6))
    channel_major = np.ascontiguousarray(x.transpose(1, 0, 2, 3)).transpose(1, 0, 2, 3)
    strided = np.repeat(x, 2, axis=3)[:, :, :, ::2]
    dout = rng.standard_normal((4, 2, 5, 6))
    results = []
    for variant in (x, channel_major, strided):
        results.append((conv.forward(variant).copy(), conv.backward(dout).copy(), conv.dW.copy()))
    for out, dx, dW in results[1:]:
        np.testing.assert_array_equal(out, results[0][0])
        np.testing.assert_array_equal(dx, results[0][1])
        np.testing.assert_array_equal(dW, results[0][2])


def test_a_second_forward_and_backward_leave_earlier_results_intact():
    rng = np.random.default_rng(8)
    conv = Convolution(rng.standard_normal((2, 1, 3, 3)), np.zeros(2), pad=1)
    x1, x2 = rng.standard_normal((2, 2, 1, 5, 5))
    out1 = conv.forward(x1)
    dx1 = conv.backward(np.ones_like(out1))
    kept = out1.copy(), dx1.copy()
    conv.forward(x2)
    conv.backward(np.full_like(out1, 2.0))
    np.testing.assert_array_equal(out1, kept[0])
    np.testing.assert_array_equal(dx1, kept[1])


def test_channel_mismatch_raises_naming_both_counts():
    conv = Convolution(np.zeros((4, 3, 3, 3)), np.zeros(4))
    with pytest.raises(ValueError, match=r"for 3 input channel\(s\), but x of shape \(2, 1, 5, 5\) has 1 channel"):
        conv.forward(np.zeros((2, 1, 5, 5)))


def test_convolution_takes_the_floor_like_the_book_and_torch():
    conv = Convolution(np.ones((1, 1, 5, 5)), np.zeros(1), stride=2)
    x = np.random.default_rng(0).standard_normal((1, 1, 28, 29))
    out = conv.forward(x)
    assert out.shape == (1, 1, 12, 13)  # ⌊(28 − 5)/2⌋ + 1, ⌊(29 − 5)/2⌋ + 1
    np.testing.assert_allclose(out.reshape(-1), im2col(x, 5, 5, 2).sum(axis=1))  # the layer agrees with im2col
    dx = conv.backward(np.ones_like(out))
    assert not dx[:, :, 27, :].any() and dx[:, :, 26, :].any()  # the row no window reaches: zero gradient
    with pytest.raises(ValueError, match="smaller than the window"):
        conv.forward(np.zeros((1, 1, 3, 9)))


def test_strided_padded_convolution_downsamples_28_to_14():
    conv = Convolution(np.ones((2, 1, 3, 3)), np.zeros(2), stride=2, pad=1)
    assert conv.forward(np.zeros((1, 1, 28, 28))).shape == (1, 2, 14, 14)


def test_pooling_takes_the_floor_and_ceil_mode_the_ceiling():
    x = np.arange(81.0).reshape(1, 1, 9, 9)
    floor = Pooling(2, 2).forward(x)
    assert floor.shape == (1, 1, 4, 4) and floor[0, 0, 0, 0] == 10.0
    ceil = Pooling(2, 2, ceil_mode=True).forward(x)
    assert ceil.shape == (1, 1, 5, 5) and ceil[0, 0, 4, 4] == 80.0  # the overhanging window holds x[8, 8] alone
    avg = Pooling(2, 2, mode="avg", ceil_mode=True).forward(x)
    assert avg[0, 0, 4, 4] == 80.0 and avg[0, 0, 0, 4] == (8.0 + 17.0) / 2  # divided by the inputs it covers
    assert repr(Pooling(2, 2, ceil_mode=True)).endswith("ceil_mode=True)")
    assert "ceil_mode" not in repr(Pooling(2, 2))


@pytest.mark.parametrize("layer", [Convolution(np.zeros((1, 1, 2, 2)), np.zeros(1)), Pooling(2, 2)], ids=["conv", "pool"])
def test_input_that_is_not_four_dimensional_raises(layer):
    with pytest.raises(ValueError, match=r"expected x of shape \(N, C, H, W\), got shape \(4, 4\)"):
        layer.forward(np.zeros((4, 4)))


def test_a_float32_convolution_computes_float64_input_in_float32():
    conv = Convolution(np.ones((1, 1, 2, 2), np.float32), np.zeros(1, np.float32))
    out = conv.forward(np.arange(9.0).reshape(1, 1, 3, 3))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [[[[8, 12], [20, 24]]]])
    assert conv.backward(np.ones((1, 1, 2, 2))).dtype == conv.dW.dtype == np.float32


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: Convolution(np.zeros((2, 3, 3)), np.zeros(2)), ValueError, r"W of shape \(FN, C, FH, FW\)"),
        (lambda: Convolution(np.zeros((2, 1, 3, 3)), np.zeros(3)), ValueError, r"b of shape \(FN,\), got W \(2, 1, 3, 3\) and b \(3,\)"),
        (lambda: Convolution(np.zeros((2, 1, 3, 3)), np.zeros(2), stride=0), ValueError, "stride >= 1, got 0"),
        (lambda: Convolution(np.zeros((2, 1, 3, 3)), np.zeros(2), pad=1.0), TypeError, "integer pad"),
        (lambda: Pooling(2, 2, mode="min"), ValueError, "mode 'max' or 'avg', got 'min'"),
        (lambda: Pooling(2, 2, pad=2), ValueError, "pad at most half"),
        (lambda: Pooling(0, 2), ValueError, "pool_h >= 1, got 0"),
    ],
    ids=["W_3d", "b_shape", "stride_0", "float_pad", "mode", "pad_too_large", "pool_h_0"],
)
def test_constructor_rejects_bad_arguments(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_pooling_and_flatten_keep_float32_and_flatten_round_trips_the_shape():
    x = np.random.default_rng(9).standard_normal((2, 3, 4, 4)).astype(np.float32)
    pool, flat = Pooling(2, 2), Flatten()
    y = flat.forward(pool.forward(x))
    assert y.shape == (2, 12) and y.dtype == np.float32
    dx = pool.backward(flat.backward(np.ones_like(y)))
    assert dx.shape == x.shape and dx.dtype == np.float32
    assert dx.sum() == 24  # every output routes its 1 to one input


def test_flatten_rejects_a_0d_array():
    with pytest.raises(ValueError, match=r"shape \(N, \.\.\.\), got a 0-d array"):
        Flatten().forward(np.float64(3.0))


def test_reused_workspaces_stay_correct_when_the_input_shape_changes():
    # (1, 1, 2, 6) and (1, 1, 6, 2) padded by 1 flatten to the same 32 positions,
    # with their zero padding in different places.
    rng = np.random.default_rng(10)
    W, b = rng.standard_normal((2, 1, 1, 3)), rng.standard_normal(2)
    conv = Convolution(W, b, pad=1)
    for shape in [(1, 1, 2, 6), (1, 1, 6, 2), (1, 1, 2, 6), (3, 1, 4, 4)]:
        x = rng.standard_normal(shape)
        out = conv.forward(x)
        dout = rng.standard_normal(out.shape)
        dx = conv.backward(dout)
        fresh = Convolution(W, b, pad=1)
        np.testing.assert_array_equal(out, fresh.forward(x))
        np.testing.assert_array_equal(dx, fresh.backward(dout))
        np.testing.assert_array_equal(conv.dW, fresh.dW)


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("ceil_mode", [False, True])
@pytest.mark.parametrize("size, k, stride, pad", [(9, 2, 2, 0), (10, 3, 2, 1), (7, 3, 3, 1), (9, 3, 2, 0), (8, 2, 2, 1)])
def test_pooling_matches_torch_on_shapes_that_do_not_divide(mode, ceil_mode, size, k, stride, pad):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(size * 7 + k)
    x = rng.standard_normal((2, 3, size, size + 1))
    layer = Pooling(k, k, stride=stride, pad=pad, mode=mode, ceil_mode=ceil_mode)
    out = layer.forward(x)
    tx = torch.tensor(x, requires_grad=True)
    pool = torch.nn.functional.max_pool2d if mode == "max" else torch.nn.functional.avg_pool2d
    t_out = pool(tx, k, stride=stride, padding=pad, ceil_mode=ceil_mode)
    dout = rng.standard_normal(out.shape)
    t_out.backward(torch.tensor(dout))
    assert out.shape == tuple(t_out.shape)
    np.testing.assert_allclose(out, t_out.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(layer.backward(dout), tx.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("size, fh, stride, pad", [(28, 3, 2, 1), (9, 3, 2, 0), (8, 5, 3, 2)])
def test_convolution_matches_torch_and_central_differences_where_the_floor_drops_rows(size, fh, stride, pad):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(size + fh)
    x, W, b = rng.standard_normal((2, 2, size, size - 1)), rng.standard_normal((3, 2, fh, fh)), rng.standard_normal(3)
    conv = Convolution(W, b, stride=stride, pad=pad)
    out = conv.forward(x)
    t_out = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(W), torch.tensor(b), stride=stride, padding=pad)
    np.testing.assert_allclose(out, t_out.numpy(), rtol=1e-10, atol=1e-10)
    if size < 20:
        assert check_layer(Convolution(W, b, stride=stride, pad=pad), x).ok


def test_pooling_floor_and_ceil_pass_the_gradient_check():
    x = np.random.default_rng(4).permutation(2 * 2 * 9 * 9).reshape(2, 2, 9, 9) * 0.01
    for mode in ("max", "avg"):
        for ceil_mode in (False, True):
            report = check_layer(Pooling(2, 2, stride=2, mode=mode, ceil_mode=ceil_mode), x)
            assert report.ok, str(report)
