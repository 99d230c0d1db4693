"""Embedding, the negative sampler and its loss, TimeSoftmaxWithLoss, TimeDropout and the attention layers:
what each must do beyond the common contract, against plain loops and torch."""

import numpy as np
import pytest

from bprop import layers as L

V, H = 6, 3


def test_embedding_backward_adds_the_rows_of_a_repeated_id():
    layer = L.Embedding(np.arange(V * H, dtype=float).reshape(V, H))
    np.testing.assert_array_equal(layer.forward(np.array([1, 4, 1])), [[3, 4, 5], [12, 13, 14], [3, 4, 5]])
    layer.backward(np.array([[1.0, 1, 1], [2, 2, 2], [10, 10, 10]]))
    expected = np.zeros((V, H))
    expected[1], expected[4] = 11, 2
    np.testing.assert_array_equal(layer.dW, expected)


@pytest.mark.parametrize("ids, words", [
    (np.array([0, 6]), "word id 6 at idx[1], outside the vocabulary of 6 words (ids 0 … 5)"),
    (np.array([[0, -1]]), "word id -1 at idx[0, 1]"),
    (np.array([0.0, 1.0]), "expected integer word ids for idx, got dtype float64"),
])
def test_an_id_outside_the_vocabulary_is_refused_naming_its_position(ids, words):
    with pytest.raises((ValueError, TypeError)) as error:
        L.TimeEmbedding(np.ones((V, H))).forward(ids)
    assert words in str(error.value)


def test_the_sampler_draws_distinct_words_other_than_the_target_in_proportion_to_p():
    corpus = np.repeat(np.arange(V), [1, 2, 4, 8, 16, 32])
    sampler = L.UnigramSampler(corpus, power=0.75, sample_size=1, seed=0)
    target = np.zeros(20000, dtype=int)
    drawn = sampler.get_negative_sample(target).ravel()
    assert not (drawn == 0).any()
    p = np.array([1, 2, 4, 8, 16, 32], dtype=float) ** 0.75
    p[0] = 0
    np.testing.assert_allclose(np.bincount(drawn, minlength=V) / len(drawn), p / p.sum(), atol=0.01)
    many = L.UnigramSampler(corpus, sample_size=4, seed=1).get_negative_sample(np.arange(V))
    assert many.shape == (V, 4)
    assert all(len(set(row)) == 4 and t not in row for t, row in zip(range(V), many))
    again = L.UnigramSampler(corpus, sample_size=4, seed=1).get_negative_sample(np.arange(V))
    np.testing.assert_array_equal(many, again)


def test_negative_sampling_loss_is_the_books_sum_of_binary_losses():
    rng = np.random.default_rng(0)
    W, h, target = rng.standard_normal((V, H)), rng.standard_normal((4, H)), np.array([0, 3, 3, 5])
    layer = L.NegativeSamplingLoss(W, np.arange(V), sample_size=2, seed=7)
    negatives = L.UnigramSampler(np.arange(V), sample_size=2, seed=7).get_negative_sample(target)
    loss = layer.forward(h, target)

    def bce(score, label):
        p = 1 / (1 + np.exp(-score))
        return -np.mean(label * np.log(p) + (1 - label) * np.log(1 - p))

    expected = bce(np.sum(W[target] * h, axis=1), 1) + sum(bce(np.sum(W[negatives[:, k]] * h, axis=1), 0)
                                                           for k in range(2))
    np.testing.assert_allclose(loss, expected, rtol=1e-12)


def test_time_softmax_with_loss_ignores_padding_like_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    xs, ts = rng.standard_normal((2, 4, V)) * 3, rng.integers(0, V, (2, 4))
    ts[1, 2:] = -1
    layer = L.TimeSoftmaxWithLoss()
    loss = layer.forward(xs, ts)
    dx = layer.backward()
    x_t = torch.tensor(xs, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(x_t.reshape(-1, V), torch.tensor(ts.reshape(-1)), ignore_index=-1)
    expected.backward()
    np.testing.assert_allclose(loss, expected.item(), rtol=1e-12)
    np.testing.assert_allclose(dx, x_t.grad.numpy(), rtol=1e-10, atol=1e-14)
    assert not dx[1, 2:].any()


def test_time_softmax_with_loss_of_pure_padding_is_zero_with_zero_gradient():
    layer = L.TimeSoftmaxWithLoss()
    assert layer.forward(np.ones((1, 3, V)), np.full((1, 3), -1)) == 0
    assert not layer.backward().any()
    with pytest.raises(ValueError, match="word id 6 at ts"):
        layer.forward(np.ones((1, 3, V)), np.array([[0, 6, -1]]))


def test_time_dropout_follows_the_train_flg_attribute_as_book_2_sets_it():
    layer = L.TimeDropout(0.5, seed=0)
    xs = np.ones((2, 50, 4))
    out = layer.forward(xs)
    assert set(np.unique(out)) == {0.0, 2.0} and 0.4 < (out == 0).mean() < 0.6
    layer.train_flg = False
    np.testing.assert_array_equal(layer.forward(xs), xs)
    np.testing.assert_array_equal(layer.backward(np.full(xs.shape, 3.0)), 3.0)


def test_time_attention_equals_the_books_attention_per_decoder_step():
    rng = np.random.default_rng(2)
    hs_enc, hs_dec, dout = rng.standard_normal((2, 5, H)), rng.standard_normal((2, 4, H)), rng.standard_normal((2, 4, H))
    layer = L.TimeAttention()
    out = layer.forward(hs_enc, hs_dec)
    denc, ddec = layer.backward(dout)
    steps = [L.Attention() for _ in range(4)]
    ref_enc, ref_dec = np.zeros_like(hs_enc), np.zeros_like(hs_dec)
    for j, step in enumerate(steps):
        np.testing.assert_allclose(out[:, j], step.forward(hs_enc, hs_dec[:, j]), rtol=1e-12)
        np.testing.assert_allclose(layer.attention_weights[j], step.attention_weight, rtol=1e-12)
        dhs, dh = step.backward(dout[:, j])
        ref_enc += dhs
        ref_dec[:, j] = dh
    np.testing.assert_allclose(denc, ref_enc, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ddec, ref_dec, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(layer.weights.sum(axis=2), 1.0, rtol=1e-12)


def test_attention_matches_torch_softmax_attention():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    hs, h, dc = rng.standard_normal((2, 5, H)), rng.standard_normal((2, H)), rng.standard_normal((2, H))
    t_hs, t_h = torch.tensor(hs, requires_grad=True), torch.tensor(h, requires_grad=True)
    a = torch.softmax((t_hs * t_h[:, None]).sum(2), dim=1)
    c = (a[:, :, None] * t_hs).sum(1)
    c.backward(torch.tensor(dc))
    layer = L.Attention()
    np.testing.assert_allclose(layer.forward(hs, h), c.detach().numpy(), rtol=1e-12)
    dhs, dh = layer.backward(dc)
    np.testing.assert_allclose(dhs, t_hs.grad.numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(dh, t_h.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_embedding_matches_torch_embedding_with_repeated_ids():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    W, ids, dout = rng.standard_normal((V, H)), np.array([[1, 2, 1], [5, 1, 0]]), rng.standard_normal((2, 3, H))
    emb = torch.nn.Embedding(V, H, dtype=torch.float64)
    with torch.no_grad():
        emb.weight.copy_(torch.tensor(W))
    emb(torch.tensor(ids)).backward(torch.tensor(dout))
    layer = L.TimeEmbedding(W)
    layer.forward(ids)
    layer.backward(dout)
    np.testing.assert_allclose(layer.dW, emb.weight.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_losss_softmax_parts_equal_log_softmax(dtype):
    from bprop.functions import log_softmax
    from bprop.layers.sequence import _softmax_parts

    rng = np.random.default_rng(5)
    x = (rng.standard_normal((50, V)) * 30).astype(dtype)
    labels = rng.integers(0, V, 50)
    exp, sums, picked = _softmax_parts(x, labels)
    log_p = log_softmax(x)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(picked, log_p[np.arange(50), labels], rtol=tol, atol=tol)
    np.testing.assert_allclose(exp / sums[:, None], np.exp(log_p), rtol=tol, atol=tol)
    x[3, 2] = np.inf  # the exact limit: all of row 3's mass on column 2
    exp, sums, picked = _softmax_parts(x, np.full(50, 2))
    assert picked[3] == 0 and (exp / sums[:, None])[3, 2] == 1
