"""The Transformer layers against torch: forward and torch.autograd backward with the same dout, the
weights mapped by transposes alone. Tight in float64 (1e-10), loose in float32 (1e-5). Skipped without torch."""

import numpy as np
import pytest

from bprop import functions
from bprop import layers as L
from transformer_table import randomized

torch = pytest.importorskip("torch")
F = torch.nn.functional

TOLERANCE = {np.float64: 1e-10, np.float32: 1e-5}
TORCH_DTYPE = {np.float64: torch.float64, np.float32: torch.float32}
dtypes = pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
N, T, S, E, HEADS, D_FF = 2, 5, 4, 8, 2, 12


def _tensor(a):
    return torch.from_numpy(np.array(a)).requires_grad_(True)


def _close(ours, theirs, dtype, what):
    """Within the dtype's tolerance, relatively and absolutely at the scale of the largest value."""
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else theirs
    assert np.asarray(ours).dtype == theirs.dtype == dtype, f"{what}: {np.asarray(ours).dtype} vs torch {theirs.dtype}"
    tol = TOLERANCE[dtype]
    scale = max(1.0, float(np.max(np.abs(theirs), initial=0.0)))
    np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol * scale, err_msg=what)


def _put(param, value):
    with torch.no_grad():
        param.copy_(torch.from_numpy(np.ascontiguousarray(value)))


def _copy_attention(ours, theirs):
    """nn.MultiheadAttention's arrays from ours: in_proj = [W_qᵀ; W_kᵀ; W_vᵀ], out_proj = W_oᵀ."""
    _put(theirs.in_proj_weight, np.concatenate([ours.W_q.T, ours.W_k.T, ours.W_v.T]))
    _put(theirs.in_proj_bias, np.concatenate([ours.b_q, ours.b_k, ours.b_v]))
    _put(theirs.out_proj.weight, ours.W_o.T)
    _put(theirs.out_proj.bias, ours.b_o)


def _attention_grads(theirs):
    """torch's gradients in our names and layout."""
    w, b = theirs.in_proj_weight.grad.numpy(), theirs.in_proj_bias.grad.numpy()
    E = w.shape[1]
    grads = {}
    for i, name in enumerate("qkv"):
        grads[f"W_{name}"], grads[f"b_{name}"] = w[i * E:(i + 1) * E].T, b[i * E:(i + 1) * E]
    grads["W_o"], grads["b_o"] = theirs.out_proj.weight.grad.numpy().T, theirs.out_proj.bias.grad.numpy()
    return grads


def _copy_ffn(ours, linear1, linear2):
    _put(linear1.weight, ours.W1.T)
    _put(linear1.bias, ours.b1)
    _put(linear2.weight, ours.W2.T)
    _put(linear2.bias, ours.b2)


def _ffn_grads(linear1, linear2):
    return {"W1": linear1.weight.grad.numpy().T, "b1": linear1.bias.grad.numpy(),
            "W2": linear2.weight.grad.numpy().T, "b2": linear2.bias.grad.numpy()}


def _copy_norm(ours, theirs):
    _put(theirs.weight, ours.gamma)
    _put(theirs.bias, ours.beta)


def _norm_grads(theirs):
    return {"gamma": theirs.weight.grad.numpy(), "beta": theirs.bias.grad.numpy()}


def _compare_grads(layer, expected: dict, dtype, what):
    assert set(expected) == set(layer.grads.names)
    for name, g in layer.grads.items():
        _close(g, expected[name], dtype, f"{what} d{name}")


@dtypes
def test_layer_norm_matches_torch_layer_norm(dtype):
    rng = np.random.default_rng(0)
    x, dout = (rng.standard_normal((N, T, E)) * 3 + 1).astype(dtype), rng.standard_normal((N, T, E)).astype(dtype)
    layer = randomized(L.LayerNorm(np.ones(E, dtype), np.zeros(E, dtype)), 0)
    theirs = torch.nn.LayerNorm(E, eps=1e-5, dtype=TORCH_DTYPE[dtype])
    _copy_norm(layer, theirs)
    x_t = _tensor(x)
    out_t = theirs(x_t)
    out_t.backward(torch.from_numpy(dout))
    _close(layer.forward(x), out_t, dtype, "LayerNorm forward")
    _close(layer.backward(dout), x_t.grad, dtype, "LayerNorm dx")
    _compare_grads(layer, _norm_grads(theirs), dtype, "LayerNorm")


def _qkv(rng, dtype, T_k=S):
    return [rng.standard_normal(s).astype(dtype) for s in ((N, 3, T, 4), (N, 3, T_k, 4), (N, 3, T_k, 5))]


@dtypes
@pytest.mark.parametrize("how", ["attn_mask", "is_causal", "no mask"])
def test_scaled_dot_product_attention_matches_torch(dtype, how):
    rng = np.random.default_rng(1)
    q, k, v = _qkv(rng, dtype, T if how == "is_causal" else S)
    mask = rng.random((N, 1, T, S)) < 0.6
    mask[..., 0] = True  # every query attends to something: torch gives NaN otherwise
    dout = rng.standard_normal((N, 3, T, 5)).astype(dtype)
    t = [_tensor(a) for a in (q, k, v)]
    if how == "attn_mask":
        out_t, layer, ours = F.scaled_dot_product_attention(*t, attn_mask=torch.from_numpy(mask)), \
            L.ScaledDotProductAttention(mask), functions.scaled_dot_product_attention(q, k, v, mask)
    elif how == "is_causal":
        out_t, layer, ours = F.scaled_dot_product_attention(*t, is_causal=True), \
            L.ScaledDotProductAttention(causal=True), functions.scaled_dot_product_attention(q, k, v,
                                                                                              functions.causal_mask(T))
    else:
        out_t, layer, ours = F.scaled_dot_product_attention(*t), L.ScaledDotProductAttention(), \
            functions.scaled_dot_product_attention(q, k, v)
    out_t.backward(torch.from_numpy(dout))
    _close(ours, out_t, dtype, "scaled_dot_product_attention")
    _close(layer.forward(q, k, v), out_t, dtype, "ScaledDotProductAttention forward")
    for name, ours_grad, t_arg in zip("qkv", layer.backward(dout), t):
        _close(ours_grad, t_arg.grad, dtype, f"ScaledDotProductAttention d{name}")


def _attention_pair(dtype, causal=False, seed=2):
    layer = randomized(L.MultiHeadAttention(E, HEADS, causal=causal, rng=seed, dtype=dtype), seed)
    theirs = torch.nn.MultiheadAttention(E, HEADS, batch_first=True, dtype=TORCH_DTYPE[dtype])
    _copy_attention(layer, theirs)
    return layer, theirs


@dtypes
@pytest.mark.parametrize("causal", [False, True], ids=["full", "causal"])
def test_self_attention_matches_torch_multihead_attention(dtype, causal):
    rng = np.random.default_rng(3)
    x, dout = rng.standard_normal((N, T, E)).astype(dtype), rng.standard_normal((N, T, E)).astype(dtype)
    layer, theirs = _attention_pair(dtype, causal)
    x_t = _tensor(x)
    # torch's boolean attn_mask is True where attention is *not* allowed: the opposite of ours.
    attn_mask = torch.from_numpy(~functions.causal_mask(T)) if causal else None
    out_t, weights_t = theirs(x_t, x_t, x_t, attn_mask=attn_mask, need_weights=True, average_attn_weights=False)
    out_t.backward(torch.from_numpy(dout))
    _close(layer.forward(x), out_t, dtype, "MultiHeadAttention forward")
    _close(layer.attention_weights, weights_t, dtype, "MultiHeadAttention weights")
    _close(layer.backward(dout), x_t.grad, dtype, "MultiHeadAttention dx")
    _compare_grads(layer, _attention_grads(theirs), dtype, "MultiHeadAttention")


@dtypes
def test_cross_attention_with_key_padding_matches_torch_multihead_attention(dtype):
    rng = np.random.default_rng(4)
    x, memory = rng.standard_normal((N, T, E)).astype(dtype), rng.standard_normal((N, S, E)).astype(dtype)
    dout = rng.standard_normal((N, T, E)).astype(dtype)
    padding = np.zeros((N, S), dtype=bool)
    padding[1, -2:] = True  # the second sequence's last two memory positions are padding
    layer, theirs = _attention_pair(dtype)
    x_t, m_t = _tensor(x), _tensor(memory)
    out_t, weights_t = theirs(x_t, m_t, m_t, key_padding_mask=torch.from_numpy(padding), need_weights=True,
                              average_attn_weights=False)
    out_t.backward(torch.from_numpy(dout))
    _close(layer.forward(x, memory, mask=~padding[:, None, None, :]), out_t, dtype, "cross-attention forward")
    _close(layer.attention_weights, weights_t, dtype, "cross-attention weights")
    dx, dmemory = layer.backward(dout)
    _close(dx, x_t.grad, dtype, "cross-attention dx")
    _close(dmemory, m_t.grad, dtype, "cross-attention dmemory")
    _compare_grads(layer, _attention_grads(theirs), dtype, "cross-attention")


def _encoder_pair(dtype, causal):
    block = randomized(L.TransformerBlock(E, HEADS, D_FF, causal=causal, rng=5, dtype=dtype), 5)
    theirs = torch.nn.TransformerEncoderLayer(E, HEADS, dim_feedforward=D_FF, dropout=0.0, activation="gelu",
                                              batch_first=True, norm_first=True, dtype=TORCH_DTYPE[dtype])
    _copy_norm(block.ln1, theirs.norm1)
    _copy_attention(block.attn, theirs.self_attn)
    _copy_norm(block.ln2, theirs.norm2)
    _copy_ffn(block.ffn, theirs.linear1, theirs.linear2)
    return block, theirs


def _prefixed(part, grads):
    return {f"{part}.{name}": g for name, g in grads.items()}


@dtypes
@pytest.mark.parametrize("causal", [False, True], ids=["full", "causal"])
def test_a_whole_block_matches_torch_transformer_encoder_layer(dtype, causal):
    rng = np.random.default_rng(6)
    x, dout = rng.standard_normal((N, T, E)).astype(dtype), rng.standard_normal((N, T, E)).astype(dtype)
    block, theirs = _encoder_pair(dtype, causal)
    x_t = _tensor(x)
    if causal:
        mask = torch.nn.Transformer.generate_square_subsequent_mask(T, dtype=TORCH_DTYPE[dtype])
        out_t = theirs(x_t, src_mask=mask, is_causal=True)
    else:
        out_t = theirs(x_t)
    out_t.backward(torch.from_numpy(dout))
    _close(block.forward(x), out_t, dtype, "TransformerBlock forward")
    _close(block.backward(dout), x_t.grad, dtype, "TransformerBlock dx")
    expected = {**_prefixed("ln1", _norm_grads(theirs.norm1)), **_prefixed("attn", _attention_grads(theirs.self_attn)),
                **_prefixed("ln2", _norm_grads(theirs.norm2)),
                **_prefixed("ffn", _ffn_grads(theirs.linear1, theirs.linear2))}
    _compare_grads(block, expected, dtype, "TransformerBlock")


@dtypes
def test_a_decoder_block_matches_torch_transformer_decoder_layer(dtype):
    rng = np.random.default_rng(7)
    x, memory = rng.standard_normal((N, T, E)).astype(dtype), rng.standard_normal((N, S, E)).astype(dtype)
    dout = rng.standard_normal((N, T, E)).astype(dtype)
    block = randomized(L.TransformerDecoderBlock(E, HEADS, D_FF, rng=8, dtype=dtype), 8)
    theirs = torch.nn.TransformerDecoderLayer(E, HEADS, dim_feedforward=D_FF, dropout=0.0, activation="gelu",
                                              batch_first=True, norm_first=True, dtype=TORCH_DTYPE[dtype])
    for ours, norm in ((block.ln1, theirs.norm1), (block.ln2, theirs.norm2), (block.ln3, theirs.norm3)):
        _copy_norm(ours, norm)
    _copy_attention(block.self_attn, theirs.self_attn)
    _copy_attention(block.cross_attn, theirs.multihead_attn)
    _copy_ffn(block.ffn, theirs.linear1, theirs.linear2)
    x_t, m_t = _tensor(x), _tensor(memory)
    tgt_mask = torch.nn.Transformer.generate_square_subsequent_mask(T, dtype=TORCH_DTYPE[dtype])
    out_t = theirs(x_t, m_t, tgt_mask=tgt_mask, tgt_is_causal=True)
    out_t.backward(torch.from_numpy(dout))
    _close(block.forward(x, memory), out_t, dtype, "TransformerDecoderBlock forward")
    dx, dmemory = block.backward(dout)
    _close(dx, x_t.grad, dtype, "TransformerDecoderBlock dx")
    _close(dmemory, m_t.grad, dtype, "TransformerDecoderBlock dmemory")
    expected = {**_prefixed("ln1", _norm_grads(theirs.norm1)), **_prefixed("ln2", _norm_grads(theirs.norm2)),
                **_prefixed("ln3", _norm_grads(theirs.norm3)),
                **_prefixed("self_attn", _attention_grads(theirs.self_attn)),
                **_prefixed("cross_attn", _attention_grads(theirs.multihead_attn)),
                **_prefixed("ffn", _ffn_grads(theirs.linear1, theirs.linear2))}
    _compare_grads(block, expected, dtype, "TransformerDecoderBlock")


def test_the_initial_weights_follow_torchs_distributions():
    layer = L.MultiHeadAttention(64, 4, rng=0)
    theirs = torch.nn.MultiheadAttention(64, 4, batch_first=True, dtype=torch.float64)
    in_bound = float(theirs.in_proj_weight.detach().abs().max())
    for W in (layer.W_q, layer.W_k, layer.W_v):
        assert np.abs(W).max() <= np.sqrt(6 / (4 * 64)) and np.abs(W).max() > 0.95 * in_bound
        np.testing.assert_allclose(W.std(), theirs.in_proj_weight.detach().numpy().std(), rtol=0.05)
    np.testing.assert_allclose(layer.W_o.std(), theirs.out_proj.weight.detach().numpy().std(), rtol=0.05)
    assert not any(b.any() for b in (layer.b_q, layer.b_k, layer.b_v, layer.b_o))
    ffn = L.FeedForward(64, 128, rng=0)
    linear = torch.nn.Linear(64, 128, dtype=torch.float64)
    np.testing.assert_allclose(ffn.W1.std(), linear.weight.detach().numpy().std(), rtol=0.05)
    np.testing.assert_allclose(ffn.b1.std(), linear.bias.detach().numpy().std(), rtol=0.2)
