"""bprop._kernels.elementwise / smooth / blocks: the blocked, threaded activations equal their plain formulas."""

import threading
import time
import warnings

import numpy as np
import pytest

from bprop import functions
from bprop._kernels import blocks, elementwise, smooth

N_THREADED = blocks.THREADED_FROM_BLOCKS * blocks.BLOCK + 17  # several threads, a ragged last block


def _inputs(dtype, n=2000, seed=4):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(n) * 4).astype(dtype)
    x[:11] = [0.0, -0.0, 1000.0, -1000.0, 1e-30, -1e-30, 88.0, -88.0, 1e-4, -1e-4, -30.0]
    return x, rng.standard_normal(n).astype(dtype)


def _within_rounding(got, want, scale, dtype, ulps=16):
    """|got − want| ≤ ulps·eps·scale elementwise: the two forms round differently, never by more."""
    err = np.abs(got.astype(np.float64) - want.astype(np.float64))
    bound = ulps * np.finfo(dtype).eps * np.asarray(scale, dtype=np.float64)
    assert np.all(err <= bound), (float(np.max(err - bound)), int(np.argmax(err - bound)))


def _pairs(x, dout, alpha=0.3):
    """name → (fast (y, dx), plain (y, dx), scale of y's and dx's rounding)."""
    y, pos = elementwise.relu(x)
    yl = elementwise.leaky_relu(x, alpha)
    ye, nonpos = elementwise.elu(x, alpha)
    ys = smooth.sigmoid(x)
    yt = smooth.tanh(x)
    yg, tg = smooth.gelu_tanh(x)
    ysp, s = smooth.softplus(x)
    ysi, s2 = smooth.silu(x)
    sig = functions.sigmoid(x)
    ax, ad = np.abs(x), np.abs(dout)
    return {
        "relu": ((y, elementwise.relu_backward(pos, dout)), (elementwise.relu_simple(x), dout * (x > 0)), (0, 0)),
        "leaky": ((yl, elementwise.leaky_relu_backward(x, alpha, dout)),
                  (elementwise.leaky_relu_simple(x, alpha), elementwise.leaky_relu_backward_simple(x, alpha, dout)),
                  (ax, ad)),
        "elu": ((ye, elementwise.elu_backward(ye, nonpos, alpha, dout)),
                (elementwise.elu_simple(x, alpha), elementwise.elu_backward_simple(ye, x <= 0, alpha, dout)),
                (np.abs(ye), ad * (1 + np.abs(ye)))),
        "sigmoid": ((ys, smooth.sigmoid_backward(ys, dout)), (sig, smooth.sigmoid_backward_simple(sig, dout)),
                    (sig, ad * sig)),
        "tanh": ((yt, smooth.tanh_backward(yt, dout)), (np.tanh(x), smooth.tanh_backward_simple(np.tanh(x), dout)),
                 (np.abs(yt), ad)),
        "gelu": ((yg, smooth.gelu_tanh_backward(x, tg, dout)),
                 (smooth.gelu_tanh_simple(x), smooth.gelu_tanh_backward_simple(x, dout)),
                 (1 + ax, ad * (1 + ax * np.sqrt(2 / np.pi) * (1 + 3 * 0.044715 * ax.astype(np.float64) ** 2)))),
        "softplus": ((ysp, elementwise.scale_by(s, dout)), (functions.softplus(x), dout * sig),
                     (np.abs(functions.softplus(x)), ad * sig)),
        "silu": ((ysi, smooth.silu_backward(x, s2, dout)),
                 (x * sig, smooth.silu_backward_simple(x, sig, dout)), (ax * sig, ad * (1 + ax))),
    }


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [2000, N_THREADED])
def test_every_fast_form_equals_its_plain_formula_to_rounding(dtype, n):
    x, dout = _inputs(dtype, n)
    x_given, dout_given = x.copy(), dout.copy()
    for name, (fast, plain, scales) in _pairs(x, dout).items():
        for got, want, scale in zip(fast, plain, scales):
            assert got.dtype == dtype and got.shape == x.shape, name
            if name == "relu":
                np.testing.assert_array_equal(got, want)
            else:
                _within_rounding(got, want, scale, dtype)
    np.testing.assert_array_equal(x, x_given)  # nothing writes into its inputs
    np.testing.assert_array_equal(dout, dout_given)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softplus_log1p_from_log_keeps_the_tails_exact(dtype):
    x = np.array([-200, -88, -40, -30, -20, -1e-3, 0, 1e-3, 20, 30, 40, 88, 200], dtype=dtype)
    y, s = smooth.softplus(x)
    x64 = x.astype(np.float64)
    want = np.log1p(np.exp(x64)).astype(dtype)  # float64 reference (no overflow for |x| ≤ 200), rounded
    tol = {"rtol": 4 * np.finfo(dtype).eps, "atol": 4 * np.finfo(dtype).smallest_subnormal}
    np.testing.assert_allclose(y, want, **tol)
    np.testing.assert_allclose(s, (1 / (1 + np.exp(-x64))).astype(dtype), **tol)


def test_elu_expm1_through_tanh_keeps_small_negative_inputs_accurate():
    m = -np.logspace(-12, 1, 200).astype(np.float32)
    y, _ = elementwise.elu(m, 1.0)
    np.testing.assert_allclose(y, np.expm1(m.astype(np.float64)), rtol=8 * np.finfo(np.float32).eps, atol=0)


@pytest.mark.parametrize("layout", ["channel_major", "transposed", "strided"])
def test_outputs_take_x_layout_and_any_dout_layout_is_accepted(layout):
    rng = np.random.default_rng(5)
    base = rng.standard_normal((8, 16, 40, 40)).astype(np.float32)  # 204,800 elements: two blocks
    x = {"channel_major": np.ascontiguousarray(base.transpose(1, 0, 2, 3)).transpose(1, 0, 2, 3),
         "transposed": base.T, "strided": base[:, ::2]}[layout]
    dout = np.ascontiguousarray(rng.standard_normal(x.shape).astype(np.float32))  # C order, unlike x
    y, positive = elementwise.relu(x)
    if layout != "strided":
        assert y.strides == x.strides and positive.strides == x.strides[:0] + positive.strides
    np.testing.assert_array_equal(y, np.maximum(x, 0))
    np.testing.assert_array_equal(elementwise.relu_backward(positive, dout), dout * (x > 0))
    ys = smooth.sigmoid(x)
    _within_rounding(smooth.sigmoid_backward(ys, dout), dout * ys * (1 - ys), np.abs(dout), np.float32)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_one_thread_and_four_give_the_same_bits(dtype, monkeypatch):
    x, dout = _inputs(dtype, N_THREADED)
    results = {}
    for threads in (1, 4):
        monkeypatch.setattr(blocks, "thread_count", lambda threads=threads: threads)
        results[threads] = [a for fast, _, _ in _pairs(x, dout).values() for a in fast]
    for one, four in zip(results[1], results[4]):
        np.testing.assert_array_equal(one, four)


def test_run_covers_every_element_once_and_work_is_shared_between_threads():
    n = N_THREADED
    hits = np.zeros(n, dtype=np.int64)
    names = set()

    def kernel(ins, outs):
        names.add(threading.current_thread().name)
        outs[0] += 1
        time.sleep(0.002)  # a block takes long enough for the helper thread to start and take some

    blocks.run(kernel, [np.empty(n)], [hits], threads=2)
    np.testing.assert_array_equal(hits, 1)
    assert len(names) == 2
    one = np.zeros(blocks.BLOCK)
    names.clear()
    blocks.run(kernel, [one], [one], threads=4)  # one block: this thread alone
    assert names == {threading.current_thread().name} and np.all(one == 1)


def test_an_error_in_a_helper_thread_reaches_the_caller():
    def kernel(ins, outs):
        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError("boom in a helper")
        outs[0][:] = 0
        time.sleep(0.02)  # the caller's blocks are slow, so a helper surely pulls one even on a busy machine

    a = np.ones(N_THREADED)
    with pytest.raises(RuntimeError, match="boom in a helper"):
        blocks.run(kernel, [a], [a], threads=2)


@pytest.mark.parametrize("where", [3, N_THREADED - 1])
def test_a_nan_found_on_the_way_is_named_with_its_index(where):
    x, dout = _inputs(np.float32, N_THREADED)
    x[where] = np.nan
    with pytest.raises(ValueError, match=rf"Layer got NaN in x at index \({where},\)"):
        smooth.sigmoid(x, owner="Layer")
    clean = _inputs(np.float32, N_THREADED)[0]
    y, positive = elementwise.relu(clean, owner="Layer")
    dout[where] = np.nan
    with pytest.raises(ValueError, match=rf"Layer.backward got NaN in dout at index \({where},\)"):
        elementwise.relu_backward(positive, dout, owner="Layer.backward")
    inf = np.full(N_THREADED, np.inf, dtype=np.float32)
    inf[::2] = -np.inf  # both infinities in every block: no NaN, nothing raised
    np.testing.assert_array_equal(smooth.sigmoid(inf, owner="Layer")[:2], [0, 1])


def test_no_overflow_warning_in_any_thread_at_plus_minus_1000():
    x = np.tile(np.array([1000, -1000, 0], dtype=np.float32), N_THREADED // 3 + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning raised in a helper thread re-raises here
        y = smooth.sigmoid(x)
        ysi, _ = smooth.silu(x)
        ysp, _ = smooth.softplus(x)
    np.testing.assert_array_equal(y[:3], [1, 0, 0.5])
    np.testing.assert_array_equal(ysi[:3], [1000, -0.0, 0])
    np.testing.assert_array_equal(ysp[:2], [1000, 0])


def test_flat_views_only_where_element_i_is_element_i_everywhere():
    a = np.zeros((3, 4))
    assert blocks.flat_views(a, np.ones((3, 4))) is not None
    assert blocks.flat_views(a.T, np.ones((4, 3))) is None  # F order beside C order
    assert blocks.flat_views(a.T, np.ones((3, 4)).T) is not None
    assert blocks.flat_views(a[:, ::2]) is None and blocks.flat_views(a, np.ones((4, 3))) is None
    big = np.zeros((400, 400))  # more than one block: made dense, rearranged
    assert blocks.dense(big) is big and blocks.dense(np.zeros((400, 800))[:, ::2]).flags.c_contiguous
    small = a[:, ::2]
    assert blocks.dense(small) is small  # one block goes to the kernel whole, in any layout
    b = np.arange(160000.0).reshape(400, 400)
    f_order = np.asfortranarray(big)
    moved = blocks.arranged_like(b, f_order)
    assert moved.strides == f_order.strides
    np.testing.assert_array_equal(moved, b)
    assert blocks.arranged_like(b, big) is b


def test_one_block_in_any_layout_goes_through_whole():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((9, 14)).astype(np.float32).T[::2]  # transposed and strided, one block
    dout = np.asfortranarray(rng.standard_normal(x.shape).astype(np.float32))
    for name, (fast, plain, scales) in _pairs(x, dout).items():
        for got, want, scale in zip(fast, plain, scales):
            assert got.shape == x.shape, name
            _within_rounding(got, want, scale, np.float32)
