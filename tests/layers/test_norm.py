"""BatchNormalization: batch statistics in training, running averages at inference.

The generic tests (layer_table.py rows "BatchNormalization…") cover the contract,
check_layer and torch on well-spread batches. Here: torch on any batch, with a
float32 tolerance that grows with the batch's conditioning; the running averages;
per-channel statistics for (N, C, H, W); and the errors."""

import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bprop.gradcheck import check_layer
from bprop.layers.norm import BatchNormalization

EPS = 10e-7  # the book's, and the layer's default


BASE_TOL = {np.dtype(np.float64): 1e-10, np.dtype(np.float32): 1e-5}


def _layer(C, dtype=np.float64, seed=0, **kwargs):
    rng = np.random.default_rng(seed)
    gamma = rng.uniform(0.5, 2.0, C) * rng.choice([-1, 1], C)
    beta = rng.standard_normal(C)
    return BatchNormalization(gamma.astype(dtype), beta.astype(dtype), **kwargs)


def _axes(x):
    return (0,) if x.ndim == 2 else (0, 2, 3)


def _torch_batch_norm(layer, x, dout, train, running):
    torch = pytest.importorskip("torch")
    tx = torch.from_numpy(x.copy()).requires_grad_()
    tg = torch.from_numpy(layer.gamma.copy()).requires_grad_()
    tb = torch.from_numpy(layer.beta.copy()).requires_grad_()
    mean, var = (None, None) if train else (torch.from_numpy(running[0].copy()), torch.from_numpy(running[1].copy()))
    y = torch.nn.functional.batch_norm(tx, mean, var, tg, tb, training=train, eps=EPS)
    y.backward(torch.from_numpy(dout))
    return [t.detach().numpy() for t in (y, tx.grad, tg.grad, tb.grad)]


def _tolerances(layer, x, dout, train, running):
    """Absolute tolerances for y, dx, dgamma, dbeta: a base plus 32·ε times what roundoff scales with.

    x̂ carries an error of about ε·(|x| + |μ|)/σ (the subtraction x - μ), so
    K = 1 + max|x|/σ + |μ|/σ; y errs by ε·|gamma|·K, dgamma by ε·K·Σ|dout|, and dx,
    amplified by gamma/σ, by ε·|gamma|·K·max|dout|/σ. On a well-spread batch K is
    a few units and the base dominates; a channel whose values cluster (σ near √eps)
    can reach K of 1e3 and more — in torch's results as in ours.
    """
    base, u = BASE_TOL[x.dtype], 32 * float(np.finfo(x.dtype).eps)
    x64, d64, axes = x.astype(np.float64), dout.astype(np.float64), _axes(x)
    mean, var = (x64.mean(axis=axes), x64.var(axis=axes)) if train else (r.astype(np.float64) for r in running)
    sigma = np.sqrt(var + EPS)
    K = 1 + np.max(np.abs(x64), axis=axes) / sigma + np.abs(mean) / sigma
    g = np.abs(layer.gamma.astype(np.float64))
    d_sum = np.abs(d64).sum(axis=axes)
    d_max = np.max(np.abs(d64))
    return [base + u * np.max(v) for v in (g * K, g * K * d_max / sigma, K * d_sum, d_sum)]


def _compare_with_torch(layer, x, dout, train, running=None):
    if running is not None:
        layer.running_mean, layer.running_var = running[0].copy(), running[1].copy()
    y = layer.forward(x, train_flg=train)
    dx = layer.backward(dout)
    theirs = _torch_batch_norm(layer, x, dout, train, running)
    tols = _tolerances(layer, x, dout, train, running)
    for name, ours, want, atol in zip(("y", "dx", "dgamma", "dbeta"), (y, dx, layer.dgamma, layer.dbeta), theirs, tols):
        assert ours.dtype == x.dtype, name
        np.testing.assert_allclose(ours, want, rtol=BASE_TOL[x.dtype], atol=atol, err_msg=name)


@st.composite
def _batches(draw):
    """(x shape, seed, magnitude): (N, D) or (N, C, H, W), N ≥ 2; values uniform, so channels may cluster."""
    n, c = draw(st.integers(2, 5)), draw(st.integers(1, 4))
    shape = (n, c) if draw(st.booleans()) else (n, c, draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    return shape, draw(st.integers(0, 2**32 - 1)), draw(st.sampled_from([0.5, 3.0, 30.0, 1000.0]))


@pytest.mark.parametrize("train", [True, False], ids=["train", "inference"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@settings(max_examples=25, deadline=None)
@given(batch=_batches())
def test_batch_norm_matches_torch_forward_and_backward_on_any_batch(dtype, train, batch):
    shape, seed, magnitude = batch
    rng = np.random.default_rng(seed)
    C = shape[1]
    layer = _layer(C, dtype, seed)
    x = ((rng.random(shape) * 2 - 1) * magnitude).astype(dtype)
    dout = rng.standard_normal(shape).astype(dtype)
    running = (rng.standard_normal(C).astype(dtype) * magnitude, (rng.random(C) * magnitude**2 + 0.1).astype(dtype))
    _compare_with_torch(layer, x, dout, train, None if train else running)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_two_nearly_equal_samples_match_torch_within_their_conditioning(dtype):
    # N = 2: x̂ = ±√(σ²/(σ²+eps)) and dx is only the eps part, amplified by gamma/σ.
    x = np.array([[0.45, -3.0], [0.4505, 5.0]], dtype=dtype)
    dout = np.array([[0.3, -1.2], [1.1, 0.4]], dtype=dtype)
    _compare_with_torch(_layer(2, dtype), x, dout, train=True)


def test_training_output_is_normalized_per_feature_then_scaled_and_shifted():
    rng = np.random.default_rng(1)
    layer = _layer(3)
    x = rng.standard_normal((50, 3)) * [1.0, 10.0, 0.1] + [5.0, -2.0, 0.0]
    y = layer.forward(x)
    xn = (y - layer.beta) / layer.gamma
    np.testing.assert_allclose(xn.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(xn.var(axis=0), x.var(axis=0) / (x.var(axis=0) + EPS), rtol=1e-12)
    np.testing.assert_allclose(layer.xn, xn, rtol=1e-12, atol=1e-12)


def test_images_are_normalized_per_channel_over_n_h_w_like_torch_batchnorm2d():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 3, 5, 6)) * np.array([1.0, 7.0, 0.2]).reshape(1, 3, 1, 1)
    image, flat = _layer(3), _layer(3)
    y = image.forward(x)
    # The same numbers laid out as (N·H·W, C) rows give the same per-channel result.
    rows = x.transpose(0, 2, 3, 1).reshape(-1, 3)
    np.testing.assert_allclose(y, flat.forward(rows).reshape(4, 5, 6, 3).transpose(0, 3, 1, 2), rtol=1e-12, atol=1e-12)
    dout = rng.standard_normal(x.shape)
    np.testing.assert_allclose(
        image.backward(dout),
        flat.backward(dout.transpose(0, 2, 3, 1).reshape(-1, 3)).reshape(4, 5, 6, 3).transpose(0, 3, 1, 2),
        rtol=1e-10, atol=1e-12,
    )
    np.testing.assert_allclose(image.dgamma, flat.dgamma, rtol=1e-12)
    np.testing.assert_allclose(image.running_var, flat.running_var, rtol=1e-12)


def test_training_backward_is_the_compact_formula():
    rng = np.random.default_rng(3)
    layer = _layer(4)
    x, dout = rng.standard_normal((6, 4)), rng.standard_normal((6, 4))
    layer.forward(x)
    dx = layer.backward(dout)
    N, std = 6, np.sqrt(x.var(axis=0) + EPS)
    xhat = (x - x.mean(axis=0)) / std
    dxhat = dout * layer.gamma
    want = (N * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0)) / (N * std)
    np.testing.assert_allclose(dx, want, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.dgamma, (dout * xhat).sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(layer.dbeta, dout.sum(axis=0), rtol=1e-12)


# With N = 2 in training, dx is of order eps/σ² (x̂ = ±1 otherwise): a large eps
# gives it a size that central differences can resolve to 1e-7.
@pytest.mark.parametrize("shape, eps", [((5, 3), EPS), ((3, 3, 2, 2), EPS), ((2, 3), 0.5)], ids=["N,D", "N,C,H,W", "N=2"])
@pytest.mark.parametrize("train", [True, False], ids=["train", "inference"])
def test_central_differences_agree_with_backward_for_x_gamma_and_beta(shape, eps, train):
    rng = np.random.default_rng(4)
    layer = _layer(3, running_mean=rng.standard_normal(3), running_var=rng.random(3) + 0.5, eps=eps)
    x = rng.standard_normal(shape) * 2
    report = check_layer(layer, x, train, tol=1e-7)
    assert report.ok, str(report)
    assert {row.target for row in report.rows} == {"dx", "dgamma", "dbeta"}


def test_running_averages_follow_the_books_update_with_the_biased_variance():
    rng = np.random.default_rng(5)
    layer = _layer(3, momentum=0.8)
    mean, var = np.zeros(3), np.ones(3)
    for _ in range(3):
        x = rng.standard_normal((7, 3)) * 4 + 1
        layer.forward(x)
        mean = 0.8 * mean + 0.2 * x.mean(axis=0)
        var = 0.8 * var + 0.2 * x.var(axis=0)  # ddof=0: biased
    np.testing.assert_allclose(layer.running_mean, mean, rtol=1e-14)
    np.testing.assert_allclose(layer.running_var, var, rtol=1e-14)


@pytest.mark.parametrize("shape", [(6, 3), (2, 3, 2, 3)], ids=["N,D", "N,C,H,W"])
def test_running_averages_match_torch_once_its_unbiased_variance_is_undone(shape):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    x = rng.standard_normal(shape) * 3
    start_mean, start_var = rng.standard_normal(3), rng.random(3) + 0.5
    layer = _layer(3, momentum=0.9, running_mean=start_mean, running_var=start_var)
    layer.forward(x)
    t_mean, t_var = torch.from_numpy(start_mean.copy()), torch.from_numpy(start_var.copy())
    # torch's momentum 0.1 weighs the batch: the book's 0.9.
    torch.nn.functional.batch_norm(torch.from_numpy(x), t_mean, t_var, training=True, momentum=0.1, eps=EPS)
    M = x.size // 3
    np.testing.assert_allclose(layer.running_mean, t_mean.numpy(), rtol=1e-14)
    torch_batch_var = (t_var.numpy() - 0.9 * start_var) / 0.1  # σ²·M/(M-1)
    np.testing.assert_allclose((layer.running_var - 0.9 * start_var) / 0.1, torch_batch_var * (M - 1) / M, rtol=1e-12)


def test_running_averages_start_at_zero_mean_and_unit_variance_in_gammas_dtype():
    layer = _layer(4, np.float32)
    assert layer.running_mean.dtype == layer.running_var.dtype == np.float32
    np.testing.assert_array_equal(layer.running_mean, np.zeros(4))
    np.testing.assert_array_equal(layer.running_var, np.ones(4))
    layer.forward(np.random.default_rng(7).standard_normal((5, 4)).astype(np.float32))
    assert layer.running_mean.dtype == layer.running_var.dtype == np.float32


def test_inference_is_the_affine_map_of_the_running_averages_and_leaves_them_alone():
    rng = np.random.default_rng(8)
    mean, var = rng.standard_normal(3), rng.random(3) + 0.5
    layer = _layer(3, running_mean=mean, running_var=var)
    x, dout = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    y = layer.forward(x, train_flg=False)
    np.testing.assert_allclose(y, layer.gamma * (x - mean) / np.sqrt(var + EPS) + layer.beta, rtol=1e-14)
    np.testing.assert_allclose(layer.backward(dout), dout * layer.gamma / np.sqrt(var + EPS), rtol=1e-14)
    np.testing.assert_allclose(layer.dgamma, (dout * (x - mean) / np.sqrt(var + EPS)).sum(axis=0), rtol=1e-12)
    np.testing.assert_array_equal(layer.running_mean, mean)
    np.testing.assert_array_equal(layer.running_var, var)


def test_inference_takes_a_single_sample():
    layer = _layer(2)
    y = layer.forward(np.array([[1.0, 2.0]]), train_flg=False)
    np.testing.assert_allclose(y[0], layer.gamma * np.array([1.0, 2.0]) / np.sqrt(1 + EPS) + layer.beta, rtol=1e-14)


def test_running_averages_given_by_the_caller_are_never_written_into():
    mean, var = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    layer = _layer(2, running_mean=mean, running_var=var)
    layer.forward(np.random.default_rng(9).standard_normal((5, 2)))
    np.testing.assert_array_equal(mean, [1.0, 2.0])
    np.testing.assert_array_equal(var, [3.0, 4.0])
    assert not np.array_equal(layer.running_mean, mean)


def test_gamma_and_beta_are_kept_by_reference_so_an_in_place_update_reaches_the_layer():
    gamma, beta = np.ones(2), np.zeros(2)
    layer = BatchNormalization(gamma, beta)
    assert layer.params["gamma"] is gamma and layer.params["beta"] is beta
    x = np.array([[1.0, 2.0], [3.0, 6.0]])
    gamma *= 2
    np.testing.assert_allclose(layer.forward(x), 2 * np.array([[-1.0, -1.0], [1.0, 1.0]]), rtol=1e-6)
    layer.backward(np.ones((2, 2)))
    assert set(layer.grads) == {"gamma", "beta"} and layer.grads["gamma"] is layer.dgamma


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_constant_feature_gives_beta_and_finite_gradients_without_warnings(dtype):
    layer = _layer(2, dtype)
    x = np.array([[5.0, 1.0], [5.0, 2.0], [5.0, 3.0]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = layer.forward(x)
        dx = layer.backward(np.ones_like(x))
    np.testing.assert_array_equal(y[:, 0], np.full(3, layer.beta[0]))
    assert np.all(np.isfinite(dx)) and dx.dtype == dtype


@pytest.mark.parametrize("shape", [(4, 5), (4, 3, 2), (4, 5, 2, 2), (3,), (2, 3, 2, 2, 1)])
def test_input_of_the_wrong_shape_raises_naming_both(shape):
    layer = _layer(3)
    with pytest.raises(ValueError, match=re.escape("(N, 3) or (N, 3, H, W)") + ".*" + re.escape(f"got shape {shape}")):
        layer.forward(np.ones(shape))


def test_training_on_one_value_per_channel_raises_and_suggests_inference():
    layer = _layer(3)
    with pytest.raises(ValueError, match="at least 2 values per channel.*train_flg=False"):
        layer.forward(np.ones((1, 3)))
    with pytest.raises(ValueError, match="at least 2 values per channel"):
        layer.forward(np.ones((1, 3, 1, 1)))
    layer.forward(np.ones((1, 3, 1, 2)))  # N·H·W = 2 is enough


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_inf_in_a_training_batch_raises_instead_of_filling_nan(dtype):
    layer = _layer(2, dtype)
    x = np.array([[1.0, 2.0], [np.inf, 3.0]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="non-finite batch statistics for channel 0"):
            layer.forward(x)


def test_float32_values_whose_square_overflows_raise():
    layer = _layer(1, np.float32)
    with pytest.raises(ValueError, match="too large for float32"):
        layer.forward(np.array([[-3e38], [3e38]], dtype=np.float32))


def test_float32_input_to_a_float64_layer_computes_in_float64():
    out = _layer(2).forward(np.arange(6, dtype=np.float32).reshape(3, 2))
    assert out.dtype == np.float64


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"gamma": np.ones(3), "beta": np.ones(2)}, r"gamma \(3,\) and beta \(2,\)"),
        ({"gamma": np.ones((3, 1)), "beta": np.ones((3, 1))}, r"same shape \(C,\)"),
        ({"momentum": 1.5}, r"momentum in \[0, 1\], got 1.5"),
        ({"eps": 0.0}, "eps > 0, got 0.0"),
        ({"running_mean": np.zeros(2)}, r"running_mean of shape \(3,\) \(that of gamma\), got \(2,\)"),
        ({"running_var": np.ones(4)}, r"running_var of shape \(3,\) \(that of gamma\), got \(4,\)"),
    ],
)
def test_bad_constructor_arguments_raise_value_error_saying_what_was_expected(kwargs, match):
    args = {"gamma": np.ones(3), "beta": np.zeros(3)} | kwargs
    with pytest.raises(ValueError, match=match):
        BatchNormalization(**args)


def test_running_averages_are_converted_to_gammas_dtype_as_a_copy():
    mean = np.array([1, 2], dtype=np.int64)
    layer = BatchNormalization(np.ones(2, dtype=np.float32), np.zeros(2, dtype=np.float32), running_mean=mean)
    assert layer.running_mean.dtype == np.float32
    np.testing.assert_array_equal(layer.running_mean, [1.0, 2.0])


def test_the_default_eps_is_the_books_10e_7():
    assert BatchNormalization(np.ones(1), np.zeros(1)).eps == 10e-7
