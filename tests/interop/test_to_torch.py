"""to_torch for every net bprop ships: the module's scores equal predict's (1e-10 in float64, 1e-5 in float32),
the module owns its weights, keeps the dtype, and from_torch gives the same net back. Skipped without torch."""

import numpy as np
import pytest

from bprop import layers as L
from bprop import nets
from bprop.interop import from_torch, to_torch

torch = pytest.importorskip("torch")
F = torch.nn.functional

TOLERANCE = {np.float64: 1e-10, np.float32: 1e-5}
dtypes = pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
V = 11  # the sequence models' vocabulary


def _close(ours, theirs, dtype, what):
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    assert np.asarray(ours).dtype == theirs.dtype == dtype, what
    tol = TOLERANCE[dtype]
    scale = max(1.0, float(np.max(np.abs(theirs))))
    np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol * scale, err_msg=what)


def _randomized(net, seed, scale=0.5, weights=True):
    """Every parameter (and BatchNormalization's running averages) redrawn, so that no score is near zero;
    weights=False: the biases and gains only (a deep net's He-initialised weights keep its scores in range)."""
    rng = np.random.default_rng(seed)
    for p in net.params.values():
        if weights or p.ndim == 1:
            p[...] = rng.standard_normal(p.shape) * scale
    for layer in getattr(net, "layers", {}).values() if isinstance(net, nets.Sequential) else ():
        if isinstance(layer, L.BatchNormalization):
            layer.running_mean = rng.standard_normal(layer.gamma.shape).astype(layer.gamma.dtype)
            layer.running_var = rng.uniform(0.5, 2, layer.gamma.shape).astype(layer.gamma.dtype)
    return net


def _t(a):
    return torch.from_numpy(np.asarray(a))


# --- book 1: the Sequential nets -------------------------------------------------------------------------

def _custom(dtype, rng):
    """A Sequential with the layers the presets leave out: strided conv, avg pooling, BatchNorm2d, the book's Dropout."""
    def r(*shape):
        return rng.standard_normal(shape).astype(dtype)
    return nets.Sequential([
        L.Convolution(r(3, 2, 3, 3), r(3), stride=2, pad=1), L.BatchNormalization(r(3), r(3)), L.Elu(0.7),
        L.Pooling(2, 2, stride=2, mode="avg", ceil_mode=True), L.Flatten(), L.Affine(r(27, 5), r(5)),
        L.Dropout(0.4, scale_at="test"), L.LeakyRelu(0.2), L.Affine(r(5, 4), r(4)), L.Identity()])


ACTIVATIONS = ["relu", "sigmoid", "tanh", "leaky_relu", "elu", "gelu", "silu", "softplus"]
BOOK1 = {
    "TwoLayerNet": (lambda dtype, rng: nets.TwoLayerNet(12, 7, 4, dtype=dtype, rng=rng), (12,)),
    **{f"MultiLayerNet-{a}": (lambda dtype, rng, a=a: nets.MultiLayerNet(12, [8, 6], 4, activation=a, dtype=dtype,
                                                                          rng=rng), (12,)) for a in ACTIVATIONS},
    "MultiLayerNetExtend": (lambda dtype, rng: nets.MultiLayerNetExtend(
        12, [8, 6], 4, use_batchnorm=True, use_dropout=True, dropout_ration=0.3, dtype=dtype, rng=rng), (12,)),
    "SimpleConvNet": (lambda dtype, rng: nets.SimpleConvNet(
        (1, 10, 10), {"filter_num": 3, "filter_size": 3, "pad": 1}, hidden_size=8, output_size=4, dtype=dtype,
        rng=rng), (1, 10, 10)),
    "DeepConvNet": (lambda dtype, rng: nets.DeepConvNet((1, 12, 12), hidden_size=9, output_size=4, dtype=dtype,
                                                        rng=rng), (1, 12, 12)),
    "Sequential": (_custom, (2, 9, 9)),  # conv 9 → 5, ceil-mode pooling 5 → 3
}


def _book1(name, dtype, seed=0):
    make, sample = BOOK1[name]
    net = _randomized(make(dtype, np.random.default_rng(seed)), seed + 1, weights="Deep" not in name)
    x = np.random.default_rng(seed + 2).standard_normal((5, *sample)).astype(dtype)
    return net, x


@dtypes
@pytest.mark.parametrize("name", list(BOOK1))
def test_a_book1_nets_module_gives_the_scores_of_predict(name, dtype):
    net, x = _book1(name, dtype)
    module = to_torch(net)
    assert isinstance(module, torch.nn.Sequential) and not module.training
    with torch.no_grad():
        _close(net.predict(x, train_flg=False), module(_t(x)), dtype, name)


@dtypes
def test_the_flat_nets_read_images_as_bprops_affine_does(dtype):
    net, x = _book1("TwoLayerNet", dtype)
    images = x.reshape(5, 1, 3, 4)
    with torch.no_grad():
        _close(net.predict(images), to_torch(net)(_t(images)), dtype, "TwoLayerNet on images")


def test_the_layers_map_one_for_one_with_a_flatten_before_the_first_linear():
    kinds = [type(m).__name__ for m in to_torch(nets.SimpleConvNet((1, 10, 10), hidden_size=8, output_size=4))]
    assert kinds == ["Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear", "ReLU", "Linear"]
    deep = [type(m).__name__ for m in to_torch(nets.DeepConvNet((1, 12, 12)))]
    assert deep[-6:] == ["Flatten", "Linear", "ReLU", "BookDropout", "Linear", "BookDropout"]
    extend = to_torch(nets.MultiLayerNetExtend(6, [5], 3, use_batchnorm=True, use_dropout=True))
    assert [type(m).__name__ for m in extend] == ["Flatten", "Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear"]
    assert extend[2].momentum == pytest.approx(0.1) and extend[2].eps == 1e-6


@dtypes
def test_the_books_dropout_scales_at_inference_and_the_inverted_one_does_not(dtype):
    x = np.random.default_rng(0).standard_normal((4, 6)).astype(dtype)
    book, inverted = L.Dropout(0.3, scale_at="test"), L.Dropout(0.3)
    for layer in (book, inverted):
        net = nets.Sequential([L.Affine(np.eye(6, dtype=dtype), np.zeros(6, dtype)), layer])
        with torch.no_grad():
            _close(net.predict(x), to_torch(net)(_t(x)), dtype, layer.scale_at)
    module = to_torch(nets.Sequential([L.Affine(np.eye(6, dtype=dtype), np.zeros(6, dtype)), book])).train()
    y = module(_t(np.ones((200, 6), dtype))).detach().numpy()
    assert set(np.unique(y)) == {0.0, 1.0} and 0.55 < y.mean() < 0.85  # a mask, unscaled, in training


# --- book 2 and the Transformers -------------------------------------------------------------------------

CORPUS = np.arange(40) % V


def _ids(seed, shape, high=V):
    return np.random.default_rng(seed).integers(0, high, shape)


SEQUENCE = {
    "SimpleRnnlm": lambda dtype: nets.SimpleRnnlm(V, 5, 6, dtype=dtype, rng=0),
    "Rnnlm": lambda dtype: nets.Rnnlm(V, 5, 6, dtype=dtype, rng=0),
    "BetterRnnlm": lambda dtype: nets.BetterRnnlm(V, 6, 6, dropout_ratio=0.3, dtype=dtype, rng=0),
    "Seq2seq": lambda dtype: nets.Seq2seq(V, 5, 6, dtype=dtype, rng=0),
    "PeekySeq2seq": lambda dtype: nets.PeekySeq2seq(V, 5, 6, dtype=dtype, rng=0),
    "AttentionSeq2seq": lambda dtype: nets.AttentionSeq2seq(V, 5, 6, dtype=dtype, rng=0),
    "SimpleCBOW": lambda dtype: nets.SimpleCBOW(V, 4, dtype=dtype, rng=0),
    "SimpleSkipGram": lambda dtype: nets.SimpleSkipGram(V, 4, dtype=dtype, rng=0),
    "CBOW": lambda dtype: nets.CBOW(V, 4, 1, CORPUS, sample_size=3, dtype=dtype, rng=0),
    "SkipGram": lambda dtype: nets.SkipGram(V, 4, 1, CORPUS, sample_size=3, dtype=dtype, rng=0),
    "GPT": lambda dtype: nets.GPT(V, 6, d_model=8, num_heads=2, num_layers=2, dropout=0.1, dtype=dtype, rng=0),
    "TransformerSeq2seq": lambda dtype: nets.TransformerSeq2seq(V, d_model=8, num_heads=2, num_layers=2,
                                                                dropout=0.1, max_len=7, dtype=dtype, rng=0),
}
SEQ2SEQ = ("Seq2seq", "PeekySeq2seq", "AttentionSeq2seq", "TransformerSeq2seq")


def _one_hot(ids):
    return np.eye(V)[ids]


def _scores(name, model):
    """(bprop's scores, the module's inputs) for one batch: what each model's forward scores."""
    xs, ts = _ids(1, (3, 5)), _ids(2, (3, 4))
    if name in SEQ2SEQ:
        return model.decode(ts[:, :-1], model.encode(xs)), (xs, ts[:, :-1])
    if name == "SimpleCBOW":
        contexts = _one_hot(_ids(3, (4, 2)))
        h = (model.in_layer0.forward(contexts[:, 0]) + model.in_layer1.forward(contexts[:, 1])) * 0.5
        return model.out_layer.forward(h), (contexts,)
    if name == "SimpleSkipGram":
        target = _one_hot(_ids(3, 4))
        return model.out_layer.forward(model.in_layer.forward(target)), (target,)
    if name in ("CBOW", "SkipGram"):
        ids = _ids(3, (4, 2)) if name == "CBOW" else _ids(3, 4)
        return model.in_layer.forward(ids).reshape(len(ids), -1, 4).mean(axis=1) @ model.ns_loss.W.T, (ids,)
    model.reset_state()
    return model.predict(xs, train_flg=False), (xs,)


@dtypes
@pytest.mark.parametrize("name", list(SEQUENCE))
def test_a_sequence_models_module_gives_the_scores_bprop_computes(name, dtype):
    model = _randomized(SEQUENCE[name](dtype), 4)
    ours, inputs = _scores(name, model)
    module = to_torch(model)
    assert not module.training and type(module).__name__ == {"SimpleRnnlm": "LanguageModel", "Rnnlm": "LanguageModel",
                                                             "BetterRnnlm": "LanguageModel",
                                                             "PeekySeq2seq": "Seq2seq"}.get(name, name)
    with torch.no_grad():
        _close(ours, module(*map(_t, inputs)), dtype, name)


@dtypes
@pytest.mark.parametrize("name", ["SimpleCBOW", "SimpleSkipGram", "CBOW", "SkipGram"])
def test_the_word2vec_losses_are_torchs_on_the_modules_scores(name, dtype):
    model = _randomized(SEQUENCE[name](dtype), 5)
    module = to_torch(model)
    rng = np.random.default_rng(6)
    contexts, target = rng.integers(0, V, (4, 2)), rng.integers(0, V, 4)
    with torch.no_grad():
        if name == "SimpleCBOW":
            loss = F.cross_entropy(module(_t(_one_hot(contexts))), _t(target))
            _close(model.forward(_one_hot(contexts), _one_hot(target)), loss, dtype, name)
        elif name == "SimpleSkipGram":
            scores = module(_t(_one_hot(target)))
            loss = sum(F.cross_entropy(scores, _t(contexts[:, k])) for k in range(2))
            _close(model.forward(_one_hot(contexts), _one_hot(target)), loss, dtype, name)
        else:  # negative sampling: the scores of the ids the sampler drew
            ours = model.forward(contexts, target)
            _, ids, _, s = model.ns_loss.cache
            scores = module(_t(contexts if name == "CBOW" else target))
            scores = scores.repeat_interleave(len(ids) // len(scores), dim=0).gather(1, _t(ids))
            _close(s, scores, dtype, f"{name} scores")
            signs = torch.ones_like(scores)
            signs[:, 0] = -1
            loss = F.softplus(signs * scores).sum() / len(ids) * (2 if name == "SkipGram" else 1)
            _close(ours, loss, dtype, f"{name} loss")


@dtypes
@pytest.mark.parametrize("name", ["SimpleRnnlm", "Rnnlm", "BetterRnnlm"])
def test_a_language_models_state_is_carried_as_bprops(name, dtype):
    model = _randomized(SEQUENCE[name](dtype), 7)
    first, second = _ids(8, (2, 3)), _ids(9, (2, 4))
    model.reset_state()
    model.predict(first)
    carried = model.predict(second)  # stateful: starts from the first block's last state
    module = to_torch(model)
    with torch.no_grad():
        _, state = module(_t(first), return_state=True)
        _close(carried, module(_t(second), state), dtype, name)


def test_a_language_model_trains_step_for_step_as_bprops():
    """One trainable bias per LSTM, as bprop's: torch's bias_hh_l0 stays 0 (two would learn b twice as fast)."""
    from bprop.optim import SGD

    model = _randomized(nets.Rnnlm(V, 5, 6, dtype=np.float64, rng=0), 14)
    module = to_torch(model).train()
    assert not module.lstm.bias_hh_l0.requires_grad and not module.lstm.bias_hh_l0.any()
    optimizer, torch_optimizer = SGD(lr=0.5), torch.optim.SGD(module.parameters(), lr=0.5)
    xs, ts = _ids(15, (2, 4)), _ids(16, (2, 4))
    for _ in range(3):
        model.reset_state()
        model.forward(xs, ts)
        model.backward()
        optimizer.update(model.params, model.grads)
        torch_optimizer.zero_grad()
        F.cross_entropy(module(_t(xs)).reshape(-1, V), _t(ts).reshape(-1)).backward()
        torch_optimizer.step()
    for ours, theirs in zip(model.params, from_torch(module).params):
        _close(ours, theirs, np.float64, "after three steps")


@pytest.mark.parametrize("name", SEQ2SEQ)
def test_a_seq2seq_modules_greedy_answers_are_bprops(name):
    model = SEQUENCE[name](np.float64)
    rng = np.random.default_rng(3)
    for p in model.params:
        if p.ndim == 2:  # the matrices only: random output biases would pick one id everywhere
            p[...] = rng.standard_normal(p.shape) * 0.5
    xs = _ids(11, (4, 5))
    ours = model.generate(xs, start_id=0, sample_size=6)
    theirs = to_torch(model).generate(_t(xs), 0, 6)
    assert theirs.dtype == torch.long and len(np.unique(ours)) > 1
    np.testing.assert_array_equal(ours, theirs.numpy())


# --- what every converted module keeps -------------------------------------------------------------------

def _every_net(dtype):
    for name in BOOK1:
        yield name, _book1(name, dtype)[0]
    for name, make in SEQUENCE.items():
        yield name, _randomized(make(dtype), 12)


@dtypes
def test_the_module_keeps_the_dtype_and_shares_no_memory_with_the_net(dtype):
    for name, net in _every_net(dtype):
        module = to_torch(net)
        tensors = [*module.parameters(), *module.buffers()]
        assert {t.dtype for t in tensors if t.is_floating_point()} == {getattr(torch, np.dtype(dtype).name)}, name
        arrays = net.params.values()
        assert not any(np.shares_memory(t.detach().numpy(), a) for t in tensors for a in arrays), name


def test_whole_modules_save_and_load_with_torch(tmp_path):
    """torch.save pickles a module by its class's name: the classes defined when torch is first used are found."""
    model = _randomized(SEQUENCE["AttentionSeq2seq"](np.float64), 15)
    saved = {"seq2seq": to_torch(model), "deep": to_torch(nets.DeepConvNet((1, 12, 12), rng=0))}
    torch.save(saved, tmp_path / "modules.pt")
    loaded = torch.load(tmp_path / "modules.pt", weights_only=False)
    assert type(loaded["seq2seq"]) is type(saved["seq2seq"]) and type(loaded["deep"][-1]).__name__ == "BookDropout"
    xs, ts_in = _t(_ids(16, (2, 4))), _t(_ids(17, (2, 3)))
    with torch.no_grad():
        np.testing.assert_array_equal(loaded["seq2seq"](xs, ts_in).numpy(), saved["seq2seq"](xs, ts_in).numpy())


def test_changing_the_net_after_converting_leaves_the_module_as_it_was():
    net, x = _book1("TwoLayerNet", np.float64)
    module = to_torch(net)
    with torch.no_grad():
        before = module(_t(x)).numpy()
        net.params["W1"][...] = 0
        np.testing.assert_array_equal(module(_t(x)).numpy(), before)
    assert not np.array_equal(net.predict(x), before)


@pytest.mark.parametrize("name", list(BOOK1))
def test_a_book1_round_trip_gives_the_same_class_and_predictions(name):
    net, x = _book1(name, np.float64)
    back = from_torch(to_torch(net))
    assert type(back) is type(net) and list(back.params) == list(net.params)
    for key in net.params:
        np.testing.assert_array_equal(back.params[key], net.params[key])
    np.testing.assert_array_equal(back.predict(x), net.predict(x))
    assert str(back) == str(net)


@pytest.mark.parametrize("name", list(SEQUENCE))
def test_a_sequence_models_round_trip_gives_the_same_class_weights_and_scores(name):
    model = _randomized(SEQUENCE[name](np.float32), 13)
    back = from_torch(to_torch(model))
    assert type(back) is type(model) and back.params.names == model.params.names and back.dtype == np.float32
    for a, b in zip(model.params, back.params):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(_scores(name, model)[0], _scores(name, back)[0])


def test_a_preset_edited_in_torch_comes_back_as_a_plain_sequential():
    module = to_torch(nets.TwoLayerNet(6, 5, 3, rng=0))
    module[-1] = torch.nn.Linear(5, 2, dtype=torch.float64)  # a new head, as for fine-tuning
    back = from_torch(module)
    assert type(back) is nets.Sequential and back.params["W2"].shape == (5, 2)


def test_to_torch_names_what_it_converts():
    with pytest.raises(TypeError, match=r"to_torch converts a bprop Sequential .*GPT.*got dict"):
        to_torch({"W1": np.zeros(3)})
    odd = nets.Sequential([L.Affine(np.eye(3), np.zeros(3))])
    odd.layers["Mul"] = L.MulLayer()
    with pytest.raises(TypeError, match=r"cannot convert a MulLayer layer.*Affine, Convolution"):
        to_torch(odd)
