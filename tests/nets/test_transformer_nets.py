"""The Transformer models, GPT and TransformerSeq2seq: causality, gradients against central differences, the tied
weight, learning a tiny task, seeded generation with and without the key/value cache, safe files."""

import zipfile

import numpy as np
import pytest

from bprop.nets import GPT, TransformerSeq2seq, load_model
from bprop.nlp import seq2seq_accuracy
from bprop.optim import SGD, Adam, AdamW, merge_tied
from bprop.optim.base import _merged

V = 7
RNG = np.random.default_rng(0)
XS, TS = RNG.integers(0, V, (2, 5)), RNG.integers(0, V, (2, 5))


def tiny_gpt(dtype=np.float64, **kwargs):
    options = {"d_model": 8, "num_heads": 2, "num_layers": 2, "rng": 1, **kwargs}
    return GPT(V, 6, dtype=dtype, **options)


def tiny_seq2seq(dtype=np.float64, **kwargs):
    options = {"d_model": 8, "num_heads": 2, "num_layers": 2, "max_len": 8, "rng": 1, **kwargs}
    return TransformerSeq2seq(V, dtype=dtype, **options)


MODELS = {"GPT": tiny_gpt, "TransformerSeq2seq": tiny_seq2seq}
models = pytest.mark.parametrize("name", MODELS)


def test_gpt_scores_at_position_t_do_not_change_when_later_tokens_change():
    model = tiny_gpt()
    xs = RNG.integers(0, V, (3, 6))
    before = model.predict(xs)
    for t in range(5):
        changed = xs.copy()
        changed[:, t + 1:] = (changed[:, t + 1:] + 1 + RNG.integers(0, V - 1, changed[:, t + 1:].shape)) % V
        after = model.predict(changed)
        np.testing.assert_allclose(after[:, :t + 1], before[:, :t + 1], rtol=1e-12, atol=1e-13)
        assert not np.allclose(after[:, t + 1:], before[:, t + 1:])


def test_the_seq2seq_decoder_is_causal_and_reads_the_question():
    model = tiny_seq2seq()
    memory = model.encode(XS)
    ids = RNG.integers(0, V, (2, 5))
    before = model.decode(ids, memory)
    changed = ids.copy()
    changed[:, 3:] = (changed[:, 3:] + 1) % V
    np.testing.assert_allclose(model.decode(changed, memory)[:, :3], before[:, :3], rtol=1e-12, atol=1e-13)
    other = model.encode((XS + 1) % V)
    assert not np.allclose(model.decode(ids, other), before)


@models
def test_the_models_gradients_match_central_differences(name):
    """Each distinct array (tied ones with their gradients summed): its 3 largest-gradient entries, rel. error < 1e-6.

    b_k gets no gradient at all: adding it to every key adds q·b_k to all of a query's scores, which the
    softmax ignores; its computed gradient must be zero to rounding.
    """
    model = MODELS[name]()
    model.forward(XS, TS)
    model.backward()
    checked = 0
    for key, p, g in _merged("test", list(model.params), list(model.grads)):
        if model.params.names[key].endswith("b_k"):
            assert np.abs(g).max() < 1e-14
            continue
        for flat in np.argsort(-np.abs(g), axis=None)[:3]:
            idx = np.unravel_index(flat, p.shape)
            old = p[idx]
            p[idx] = old + 1e-5
            up = float(model.forward(XS, TS))
            p[idx] = old - 1e-5
            down = float(model.forward(XS, TS))
            p[idx] = old
            numerical = (up - down) / 2e-5
            error = abs(numerical - g[idx]) / max(abs(numerical), abs(g[idx]))
            assert error < 1e-6, (model.params.names[key], idx, numerical, g[idx])
            checked += 1
    assert checked > 60


@models
def test_the_output_projection_is_the_embedding_transposed_and_is_updated_once(name):
    model = MODELS[name]()
    names = model.params.names
    embed, affine = model.params[names[0]], model.params["affine.W"]
    assert np.shares_memory(embed, affine) and affine.shape == embed.shape[::-1]
    model.forward(XS, TS)
    model.backward()
    summed = sum(g if g.shape == embed.shape else g.T for p, g in zip(model.params, model.grads)
                 if np.shares_memory(p, embed))
    before = embed.copy()
    SGD(lr=0.1).update(model.params, model.grads)
    np.testing.assert_allclose(embed, before - 0.1 * summed, rtol=1e-12)
    np.testing.assert_array_equal(model.params["affine.W"], embed.T)
    params, _ = merge_tied(model.params, model.grads)
    assert len(params) == len(model.params) - (1 if name == "GPT" else 2)


@models
@pytest.mark.parametrize("optimizer", [lambda: Adam(lr=0.01), lambda: AdamW(lr=0.01, weight_decay=0.1)])
def test_a_few_steps_of_an_optimizer_lower_the_loss_in_float32(name, optimizer):
    model = MODELS[name](dtype=np.float32)
    opt = optimizer()
    losses = []
    for _ in range(8):
        losses.append(float(model.forward(XS, TS)))
        model.backward()
        opt.update(model.params, model.grads)
        assert all(p.dtype == np.float32 for p in model.params)
    assert losses[-1] < losses[0] - 0.1


def test_a_tiny_gpt_learns_a_repeated_string_by_heart():
    text = "hello, world! " * 8
    chars = sorted(set(text))
    ids = np.array([chars.index(c) for c in text])
    model = GPT(len(chars), 12, d_model=16, num_heads=2, num_layers=1, dtype=np.float64, rng=0)
    optimizer = Adam(lr=0.02)
    xs = np.stack([ids[s:s + 12] for s in range(len(ids) - 13)])
    ts = np.stack([ids[s + 1:s + 13] for s in range(len(ids) - 13)])
    for _ in range(60):
        loss = model.forward(xs, ts)
        model.backward()
        optimizer.update(model.params, model.grads)
    assert loss < 0.1
    written = model.generate([chars.index("h")], 29, temperature=0.5, seed=0)
    assert "".join(chars[i] for i in written) == "hello, world! hello, world! h"


def test_a_tiny_transformer_seq2seq_learns_to_copy():
    rng = np.random.default_rng(0)
    model = TransformerSeq2seq(V, d_model=16, num_heads=2, num_layers=1, max_len=8, dtype=np.float64, rng=0)
    optimizer = Adam(lr=0.01)
    for _ in range(150):
        x = rng.integers(1, V, (32, 4))  # digits 1 … 6; 0 is the start symbol
        model.forward(x, np.concatenate([np.zeros((32, 1), dtype=int), x], axis=1))
        model.backward()
        optimizer.update(model.params, model.grads)
    x = rng.integers(1, V, (200, 4))
    assert seq2seq_accuracy(model, x, np.concatenate([np.zeros((200, 1), dtype=int), x], axis=1)) > 0.95


def test_generation_is_repeatable_with_a_seed_and_varies_without_one():
    model = tiny_gpt(dtype=np.float32)
    first = model.generate([1, 2], 30, seed=5)
    assert len(first) == 30 and first[:2] == [1, 2]
    assert model.generate([1, 2], 30, seed=5) == first
    assert model.generate([1, 2], 30, seed=6) != first
    assert set(model.generate([3], 40, top_k=1, seed=0)) == set(model.generate([3], 40, top_k=1, seed=9))
    assert 4 not in model.generate([1], 50, skip_ids=[4], seed=0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("sampling", [{}, {"temperature": 0.7}, {"top_k": 3}])
def test_the_kv_cache_gives_the_tokens_of_recomputing_the_window(dtype, sampling):
    model = tiny_gpt(dtype=dtype, dropout=0.2)  # dropout off in generation, on either path
    for start, length in (([1], 6), ([1, 2, 3], 5), ([4], 20), ([1, 2, 3, 4, 5, 6], 9), ([2] * 8, 12)):
        cached = model.generate(start, length, seed=3, cache=True, **sampling)
        assert model.generate(start, length, seed=3, cache=False, **sampling) == cached


def test_the_kv_cache_scores_equal_the_full_windows_scores():
    from bprop.nets._kv_cache import generate_cached

    model = tiny_gpt(num_layers=3)
    seen = []

    def draw(scores):
        seen.append(scores.copy())
        return int(np.argmax(scores))

    ids = [2, 5]
    generate_cached(model, ids, model.context + 1, draw)
    assert len(ids) == model.context + 1
    for n, scores in enumerate(seen, start=2):
        np.testing.assert_allclose(scores, model.predict(np.array([ids[:n]]))[0, -1], rtol=1e-10, atol=1e-12)


@models
def test_a_saved_model_loads_with_identical_scores_and_never_unpickles(name, tmp_path):
    model = MODELS[name](dtype=np.float32, dropout=0.1)
    for p in model.params:
        p += np.float32(0.01)  # not the initial weights a rebuild would draw
    model.meta = {"kind": "chars", "vocab": list("abcdefg")}
    path = model.save(tmp_path / "model")
    with zipfile.ZipFile(path) as archive:
        for entry in archive.namelist():
            with archive.open(entry) as f:
                np.lib.format.read_array(f, allow_pickle=False)
    loaded = load_model(path)
    assert type(loaded) is type(model) and repr(loaded) == repr(model) and loaded.meta == model.meta
    assert np.shares_memory(loaded.params["affine.W"], loaded.params[loaded.params.names[0]])
    if name == "GPT":
        np.testing.assert_array_equal(loaded.predict(XS), model.predict(XS))
        assert loaded.generate([1], 12, seed=2) == model.generate([1], 12, seed=2)
    else:
        np.testing.assert_array_equal(loaded.decode(TS, loaded.encode(XS)), model.decode(TS, model.encode(XS)))
        np.testing.assert_array_equal(loaded.generate(XS, 0, 4), model.generate(XS, 0, 4))


def test_the_seq2seq_attention_map_is_per_layer_and_head():
    model = tiny_seq2seq()
    with pytest.raises(RuntimeError, match="run generate"):
        model.attention_map()
    model.generate(XS, 0, 4)
    assert model.attention_map().shape == (2, 4, 5)
    np.testing.assert_allclose(model.attention_map(0, 1).sum(axis=2), 1.0)
    np.testing.assert_allclose(model.attention_map(1), model.attention_map(-1))
    np.testing.assert_allclose((model.attention_map(1, 0) + model.attention_map(1, 1)) / 2, model.attention_map(1))
    with pytest.raises(ValueError, match="layer in 0 … 1"):
        model.attention_map(2)
    with pytest.raises(ValueError, match="head in 0 … 1"):
        model.attention_map(0, 2)


def test_the_gpt_attention_map_looks_back_only():
    model = tiny_gpt()
    model.predict(XS)
    for layer, head in ((0, 0), (1, 1), (-1, None)):
        A = model.attention_map(layer, head)
        assert A.shape == (2, 5, 5)
        np.testing.assert_allclose(A.sum(axis=2), 1.0)
        assert np.all(np.triu(A, k=1) == 0)


@pytest.mark.parametrize("make, words", [
    (lambda: GPT(V, 6, d_model=10, num_heads=4), "d_model divisible by num_heads"),
    (lambda: GPT(V, 0), "context >= 1"),
    (lambda: TransformerSeq2seq(V, num_layers=0), "num_layers >= 1"),
    (lambda: GPT(V, 6, dropout=1.0), "dropout"),
])
def test_bad_sizes_are_refused_with_a_clear_message(make, words):
    with pytest.raises(ValueError, match=words):
        make()


def test_bad_token_ids_are_refused_with_a_clear_message():
    model = tiny_gpt()
    with pytest.raises(ValueError, match=r"xs of shape \(N, T\) with 1 <= T <= 6, got \(2, 7\)"):
        model.predict(np.zeros((2, 7), dtype=int))
    with pytest.raises(TypeError, match="integer token ids"):
        model.predict(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="word id 7"):
        model.predict(np.full((1, 3), 7))
    with pytest.raises(ValueError, match="start ids in"):
        model.generate([9], 5)
    with pytest.raises(ValueError, match="T >= 2"):
        tiny_seq2seq().forward(XS, TS[:, :1])
