"""What the Transformer layers must do beyond the common contract: causality, fully masked queries,
the positional tables, train/eval mode, the sublayers' names, and their messages."""

import warnings

import numpy as np
import pytest

from bprop import layers as L
from bprop.functions import causal_mask, softmax
from transformer_table import randomized

N, T, S, E, HEADS, D_FF = 2, 6, 5, 8, 2, 12


def _x(seed, *shape):
    return np.random.default_rng(seed).standard_normal(shape)


CAUSAL = {
    "MultiHeadAttention": lambda: randomized(L.MultiHeadAttention(E, HEADS, causal=True, rng=0), 0),
    "TransformerBlock": lambda: randomized(L.TransformerBlock(E, HEADS, D_FF, causal=True, rng=0), 0),
    "TransformerDecoderBlock": lambda: randomized(L.TransformerDecoderBlock(E, HEADS, D_FF, rng=0), 0),
}


@pytest.mark.parametrize("name", CAUSAL)
def test_a_causal_layers_output_at_t_ignores_later_tokens_and_passes_them_no_gradient(name):
    layer, memory = CAUSAL[name](), (_x(9, N, S, E),) if name == "TransformerDecoderBlock" else ()
    x = _x(1, N, T, E)
    out = layer.forward(x, *memory)
    for t in range(T - 1):
        changed = x.copy()
        changed[:, t + 1:] = _x(t, N, T - t - 1, E) * 100
        np.testing.assert_array_equal(layer.forward(changed, *memory)[:, :t + 1], out[:, :t + 1])
    layer.forward(x, *memory)
    dout = np.zeros_like(out)
    dout[:, 2] = _x(3, N, E)
    grads = layer.backward(dout)
    dx = grads[0] if isinstance(grads, tuple) else grads
    assert not dx[:, 3:].any() and dx[:, :3].any()


def test_a_fully_masked_query_gets_zero_weights_output_and_gradients_without_a_warning():
    rng = np.random.default_rng(0)
    q, k, v = (rng.standard_normal((N, HEADS, n, 3)) * 1000 for n in (T, S, S))
    mask = rng.random((T, S)) < 0.5
    mask[:, 0], mask[2] = True, False
    layer = L.ScaledDotProductAttention(mask)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = layer.forward(q, k, v)
        dq, dk, dv = layer.backward(rng.standard_normal(out.shape))
    assert not out[:, :, 2].any() and not layer.weights[:, :, 2].any() and not dq[:, :, 2].any()
    assert np.isfinite(dk).all() and np.isfinite(dv).all()
    assert not layer.weights[np.broadcast_to(~mask, layer.weights.shape)].any()
    padding = np.ones((N, 1, 1, S), dtype=bool)
    padding[1] = False  # the whole second memory is padding
    attention = L.MultiHeadAttention(E, HEADS, rng=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = attention.forward(_x(1, N, T, E), _x(2, N, S, E), mask=padding)
    np.testing.assert_allclose(out[1], np.broadcast_to(attention.b_o, (T, E)))
    assert not attention.attention_weights[1].any()


def test_attention_weights_are_kept_per_head_and_sum_to_one():
    layer = L.MultiHeadAttention(E, 4, rng=0)
    layer.forward(_x(0, N, T, E), _x(1, N, S, E))
    assert layer.attention_weights.shape == (N, 4, T, S)
    np.testing.assert_allclose(layer.attention_weights.sum(axis=-1), 1.0, rtol=1e-12)


def test_the_sinusoidal_table_is_the_papers_and_is_added_in_xs_dtype():
    layer = L.PositionalEncoding(50, 7)
    t, i = 13, 2
    assert layer.pe[t, 2 * i] == pytest.approx(np.sin(t / 10000 ** (2 * i / 7)), rel=1e-14)
    assert layer.pe[t, 2 * i + 1] == pytest.approx(np.cos(t / 10000 ** (2 * i / 7)), rel=1e-14)
    np.testing.assert_array_equal(layer.pe[0], [0, 1, 0, 1, 0, 1, 0])
    x = _x(0, N, T, 7).astype(np.float32)
    out = layer.forward(x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out - x, np.broadcast_to(layer.pe[:T], x.shape), rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match=r"holds 50 positions, got a sequence of T = 51"):
        layer.forward(np.ones((1, 51, 7)))


def test_the_learned_positions_gradient_sums_over_the_batch_and_is_zero_past_t():
    layer = L.PositionEmbedding(10, E, rng=0)
    layer.forward(_x(0, N, 4, E))
    dout = _x(1, N, 4, E)
    np.testing.assert_array_equal(layer.backward(dout), dout)
    np.testing.assert_allclose(layer.dW[:4], dout.sum(axis=0))
    assert not layer.dW[4:].any()
    np.testing.assert_allclose(layer.W.std(), 0.02, rtol=0.2)


@pytest.mark.parametrize("how", ["argument", "attribute"])
def test_dropout_acts_in_training_only_and_eval_equals_the_block_without_dropout(how):
    x = _x(0, N, T, E)
    dropping = randomized(L.TransformerBlock(E, HEADS, D_FF, dropout=0.3, rng=1), 1)
    plain = randomized(L.TransformerBlock(E, HEADS, D_FF, rng=1), 1)
    first, second = dropping.forward(x), dropping.forward(x)
    assert not np.allclose(first, second) and not np.allclose(first, plain.forward(x))
    if how == "argument":
        out = dropping.forward(x, train_flg=False)
    else:
        dropping.train_flg = False
        out = dropping.forward(x)
    np.testing.assert_allclose(out, plain.forward(x), rtol=1e-13)
    dout = _x(2, N, T, E)
    np.testing.assert_allclose(dropping.backward(dout), plain.backward(dout), rtol=1e-12)
    with pytest.raises(TypeError, match="train_flg"):
        dropping.forward(x, train_flg=np.zeros(3))


def test_a_blocks_params_are_its_sublayers_arrays_under_dotted_names():
    block = L.TransformerDecoderBlock(E, HEADS, D_FF, rng=0)
    assert block.params.names[:3] == ("ln1.gamma", "ln1.beta", "self_attn.W_q")
    assert block.params["cross_attn.W_k"] is block.cross_attn.W_k is getattr(block, "cross_attn.W_k")
    assert block.grads["ffn.W1"] is block.ffn.dW1
    assert len(block.params) == 3 * 2 + 2 * 8 + 4
    with pytest.raises(AttributeError, match="no attribute 'attn.W_q'"):
        getattr(block, "attn.W_q")
    a, b = L.TransformerBlock(E, HEADS, D_FF, rng=3), L.TransformerBlock(E, HEADS, D_FF, rng=3)
    assert all(np.array_equal(p, q) for p, q in zip(a.params, b.params))


def test_the_blocks_compute_in_their_parameters_dtype():
    block = L.TransformerBlock(E, HEADS, D_FF, rng=0, dtype=np.float32)
    assert block.forward(_x(0, N, T, E)).dtype == np.float32
    assert all(p.dtype == np.float32 for p in block.params)


def test_softmax_layer_rows_sum_to_one_along_its_axis_and_its_backward_is_the_jacobians():
    x = _x(0, 3, 4, 5)
    layer = L.Softmax(axis=1)
    y = layer.forward(x)
    np.testing.assert_allclose(y, softmax(x, axis=1))
    dout = _x(1, 3, 4, 5)
    dx = layer.backward(dout)
    jacobian = np.einsum("nik,ij->nijk", y, np.eye(4)) - np.einsum("nik,njk->nijk", y, y)
    np.testing.assert_allclose(dx, np.einsum("nijk,nik->njk", jacobian, dout), rtol=1e-12, atol=1e-15)
    with pytest.raises(ValueError, match=r"Softmax\(axis=1\) expected x with at least 2 axes, got shape \(5,\)"):
        layer.forward(np.ones(5))


def test_layer_norm_normalises_each_vector_and_refuses_inf():
    layer = L.LayerNorm(np.ones(E), np.zeros(E))
    y = layer.forward(_x(0, N, T, E) * 30 + 7)
    np.testing.assert_allclose(y.mean(axis=-1), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=-1), 1, rtol=1e-6)
    bad = np.ones((N, T, E))
    bad[1, 2, 3] = np.inf
    with pytest.raises(ValueError, match=r"non-finite statistics for the vector at index \(1, 2\)"):
        layer.forward(bad)
    with pytest.raises(ValueError, match=r"expected x of shape \(\.\.\., 8\) for gamma of size 8, got \(2, 7\)"):
        layer.forward(np.ones((2, 7)))
    with pytest.raises(ValueError, match=r"gamma and beta of the same shape \(D,\)"):
        L.LayerNorm(np.ones(3), np.zeros(4))


@pytest.mark.parametrize("make, words", [
    (lambda: L.MultiHeadAttention(10, 4), "d_model divisible by num_heads, got d_model=10 and num_heads=4"),
    (lambda: L.MultiHeadAttention(8, 0), "MultiHeadAttention expected num_heads >= 1, got 0"),
    (lambda: L.TransformerBlock(8, 2, 16, dropout=1.0), "TransformerBlock expected dropout in [0, 1), got 1.0"),
    (lambda: L.FeedForward(8, 16, activation="swish"), "FeedForward expected activation 'gelu' (exact)"),
])
def test_bad_constructor_arguments_are_refused_naming_the_layer(make, words):
    with pytest.raises((TypeError, ValueError)) as error:
        make()
    assert words in str(error.value)


def test_bad_masks_and_memories_are_refused_with_the_expected_shape():
    layer = L.MultiHeadAttention(E, HEADS, rng=0)
    x = _x(0, N, T, E)
    with pytest.raises(ValueError, match=r"broadcastable to .* \(2, 2, 6, 5\), got shape \(6, 6\)"):
        layer.forward(x, _x(1, N, S, E), mask=causal_mask(T))
    with pytest.raises(TypeError, match="boolean mask"):
        layer.forward(x, mask=np.ones((T, T)))
    with pytest.raises(ValueError, match=r"memory of shape \(N, S, d_model\) = \(2, \?, 8\), got \(3, 5, 8\)"):
        layer.forward(x, _x(1, 3, S, E))
    with pytest.raises(ValueError, match=r"with the same leading axes, got q \(2, 6, 3\), k \(3, 6, 3\)"):
        L.ScaledDotProductAttention().forward(_x(0, 2, 6, 3), _x(1, 3, 6, 3), _x(2, 3, 6, 3))


def test_exact_gelu_is_x_times_the_normal_cdf_and_near_the_tanh_form():
    import math

    x = np.linspace(-6, 6, 241)
    exact, approximate = L.Gelu(exact=True), L.Gelu()
    y = exact.forward(x)
    np.testing.assert_allclose(y, [v * 0.5 * math.erfc(-v / math.sqrt(2)) for v in x], rtol=1e-12, atol=1e-300)
    assert 1e-4 < np.abs(y - approximate.forward(x)).max() < 4.8e-4
    assert repr(exact) == "Gelu(exact=True)" and repr(approximate) == "Gelu()"
