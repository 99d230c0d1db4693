"""Book 2's models: gradients against central differences, a few steps of learning, safe files, tying,
generation."""

import numpy as np
import pytest

from bprop import nets
from bprop.optim import SGD, Adam

V = 9
RNG = np.random.default_rng(0)
XS, TS = RNG.integers(0, V, (3, 5)), RNG.integers(0, V, (3, 5))
CORPUS = RNG.integers(0, V, 200)
CONTEXTS, TARGET = RNG.integers(0, V, (5, 2)), RNG.integers(0, V, 5)
ONE_HOT = np.eye(V)

MODELS = {
    "SimpleCBOW": (lambda: nets.SimpleCBOW(V, 4, dtype=np.float64, rng=0), (ONE_HOT[CONTEXTS], ONE_HOT[TARGET])),
    "SimpleSkipGram": (lambda: nets.SimpleSkipGram(V, 4, dtype=np.float64, rng=0),
                       (ONE_HOT[CONTEXTS], ONE_HOT[TARGET])),
    "CBOW": (lambda: nets.CBOW(V, 4, 1, CORPUS, dtype=np.float64, rng=0, seed=3), (CONTEXTS, TARGET)),
    "SkipGram": (lambda: nets.SkipGram(V, 4, 1, CORPUS, dtype=np.float64, rng=0, seed=3), (CONTEXTS, TARGET)),
    "SimpleRnnlm": (lambda: nets.SimpleRnnlm(V, 4, 5, dtype=np.float64, rng=0), (XS, TS)),
    "Rnnlm": (lambda: nets.Rnnlm(V, 4, 5, dtype=np.float64, rng=0), (XS, TS)),
    "BetterRnnlm": (lambda: nets.BetterRnnlm(V, 5, 5, dropout_ratio=0.3, dtype=np.float64, rng=0), (XS, TS)),
    "Seq2seq": (lambda: nets.Seq2seq(V, 4, 5, dtype=np.float64, rng=0), (XS, TS)),
    "PeekySeq2seq": (lambda: nets.PeekySeq2seq(V, 4, 5, dtype=np.float64, rng=0), (XS, TS)),
    "AttentionSeq2seq": (lambda: nets.AttentionSeq2seq(V, 4, 5, dtype=np.float64, rng=0), (XS, TS)),
}
models = pytest.mark.parametrize("name", MODELS)


def _generators(model):
    found = []
    for _, layer in model._layers:
        for g in (getattr(layer, "rng", None), getattr(getattr(layer, "sampler", None), "rng", None)):
            if isinstance(g, np.random.Generator):
                found.append(g)
    return found


def _loss(model, args, states):
    """The loss with every random draw replayed (dropout masks, negative samples) and the state reset."""
    for g, state in zip(_generators(model), states):
        g.bit_generator.state = state
    model.reset_state()
    return float(model.forward(*args))


@models
def test_the_models_gradients_match_central_differences(name):
    make, args = MODELS[name]
    model = make()
    for p in model.params:
        p *= 5  # book 2's small initial weights leave gradients near the finite differences' noise
    states = [g.bit_generator.state for g in _generators(model)]
    _loss(model, args, states)
    model.backward()
    from bprop.optim import _merged

    pick = np.random.default_rng(1)
    for key, p, g in _merged("test", list(model.params), list(model.grads)):
        for _ in range(6):
            idx = tuple(int(pick.integers(0, n)) for n in p.shape)
            old = p[idx]
            p[idx] = old + 1e-6
            up = _loss(model, args, states)
            p[idx] = old - 1e-6
            down = _loss(model, args, states)
            p[idx] = old
            numerical = (up - down) / 2e-6
            assert abs(numerical - g[idx]) <= 1e-5 * max(1.0, abs(numerical)), (model.params.names[key], idx)


@models
def test_a_few_steps_of_adam_lower_the_loss(name):
    make, args = MODELS[name]
    model = make()
    optimizer = Adam(lr=0.05)
    losses = []
    for _ in range(30):
        model.reset_state()
        losses.append(float(model.forward(*args)))
        model.backward()
        optimizer.update(model.params, model.grads)
    assert losses[-1] < 0.8 * losses[0]


@models
def test_a_saved_model_loads_with_the_same_weights_and_ties(name, tmp_path):
    make, args = MODELS[name]
    model = make()
    for p in model.params:
        p += 0.1
    loaded = nets.load_model(model.save(tmp_path / "model"))
    assert type(loaded) is type(model) and loaded.params.names == model.params.names
    for a, b in zip(loaded.params, model.params):
        np.testing.assert_array_equal(a, b)
    if name == "BetterRnnlm":
        assert np.shares_memory(loaded.params["affine.W"], loaded.params["embed.W"])
        with np.load(tmp_path / "model.npz") as archive:
            assert "affine.W" not in archive.files  # the tie is written once


def test_the_tied_output_layer_is_trained_once_with_both_gradients():
    model = nets.BetterRnnlm(V, 5, 5, dropout_ratio=0.0, dtype=np.float64, rng=0)
    W = model.params["embed.W"].copy()
    model.forward(XS, TS)
    model.backward()
    expected = W - 0.1 * (model.grads["embed.W"] + model.grads["affine.W"].T)
    SGD(lr=0.1).update(model.params, model.grads)
    np.testing.assert_allclose(model.params["embed.W"], expected)
    np.testing.assert_array_equal(model.params["affine.W"], model.params["embed.W"].T)


def test_generation_is_seeded_and_skips_what_it_is_told():
    model = nets.Rnnlm(V, 4, 5, rng=0)
    first = model.generate(2, skip_ids=[0, 1], sample_size=20, seed=7)
    assert first == model.generate(2, skip_ids=[0, 1], sample_size=20, seed=7)
    assert len(first) == 20 and first[0] == 2 and not {0, 1} & set(first[1:])
    assert model.generate([3, 4], sample_size=6, top_k=1, seed=0)[:2] == [3, 4]
    with pytest.raises(ValueError, match="temperature must be > 0"):
        model.generate(2, temperature=0)


def test_a_seq2seq_learns_to_copy_a_short_sequence():
    rng = np.random.default_rng(0)
    xs = rng.integers(1, V, (64, 4))
    ts = np.concatenate([np.zeros((64, 1), int), xs], axis=1)  # start symbol 0, then the question
    model = nets.AttentionSeq2seq(V, 8, 16, rng=0)
    optimizer = Adam(lr=0.02)
    for _ in range(150):
        model.forward(xs, ts)
        model.backward()
        optimizer.update(model.params, model.grads)
    assert (model.generate(xs, 0, 4) == xs).mean() > 0.9


def test_a_book1_net_file_is_not_taken_for_a_book2_model(tmp_path):
    from bprop.serialize import ModelFileError

    path = nets.TwoLayerNet(4, 3, 2).save(tmp_path / "net.npz")
    with pytest.raises(ModelFileError, match="not a book-2 model"):
        nets.load_model(path)


def test_seq2seq_accuracy_counts_exact_answers():
    from bprop.nlp import seq2seq_accuracy

    class Echo:  # answers each question with the question itself
        def generate(self, xs, start_id, size):
            return np.asarray(xs)[:, :size]

    x = np.array([[1, 2], [3, 4], [5, 6]])
    t = np.array([[0, 1, 2], [0, 3, 0], [0, 5, 6]])
    assert seq2seq_accuracy(Echo(), x, t, batch_size=2) == 2 / 3
