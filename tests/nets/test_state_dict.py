"""net.state_dict() / net.load_state_dict(d) for every net bprop ships: round trips, the checks, aliasing, tying."""

import numpy as np
import pytest

from bprop import nets
from bprop.layers import Affine, Relu
from bprop.nets.sequence_model import MODELS
from bprop.nets.sequential import PRESETS

V = 9
RNG = np.random.default_rng(0)
XS, TS = RNG.integers(0, V, (3, 5)), RNG.integers(0, V, (3, 5))
CORPUS = RNG.integers(0, V, 200)
CONTEXTS, TARGET = RNG.integers(0, V, (5, 2)), RNG.integers(0, V, 5)
ONE_HOT = np.eye(V)
X6 = RNG.standard_normal((4, 6))
IMAGES = RNG.standard_normal((4, 1, 8, 8))
SMALL_CONV = {"filter_num": 2}


def _sequential(seed):
    rng = np.random.default_rng(seed)
    return nets.Sequential([Affine(rng.standard_normal((6, 5)), rng.standard_normal(5)), Relu(),
                            Affine(rng.standard_normal((5, 3)), rng.standard_normal(3))])


def _predict(x):
    return lambda net: net.predict(x)


def _forward(*args):
    return lambda model: model.forward(*args)


def _eval_forward(*args):
    return lambda model: model.forward(*args, train_flg=False)


# Every net class bprop ships: name → (build(seed), what it computes). The seed draws the weights only: the
# negative samplers are seeded alike (seed=3), so two nets with the same weights compute the same loss.
NETS = {
    "Sequential": (_sequential, _predict(X6)),
    "TwoLayerNet": (lambda s: nets.TwoLayerNet(6, 5, 3, weight_init_std=0.5, rng=s), _predict(X6)),
    "MultiLayerNet": (lambda s: nets.MultiLayerNet(6, [5, 4], 3, rng=s), _predict(X6)),
    "MultiLayerNetExtend": (lambda s: nets.MultiLayerNetExtend(6, [5, 4], 3, use_batchnorm=True, use_dropout=True,
                                                               dropout_ratio=0.2, rng=s), _predict(X6)),
    "SimpleConvNet": (lambda s: nets.SimpleConvNet((1, 8, 8), SMALL_CONV, hidden_size=4, output_size=3, rng=s),
                      _predict(IMAGES)),
    "DeepConvNet": (lambda s: nets.DeepConvNet((1, 8, 8), *[SMALL_CONV] * 6, hidden_size=4, output_size=3, rng=s),
                    _predict(IMAGES)),
    "SimpleCBOW": (lambda s: nets.SimpleCBOW(V, 4, dtype=np.float64, rng=s), _forward(ONE_HOT[CONTEXTS],
                                                                                    ONE_HOT[TARGET])),
    "SimpleSkipGram": (lambda s: nets.SimpleSkipGram(V, 4, dtype=np.float64, rng=s),
                       _forward(ONE_HOT[CONTEXTS], ONE_HOT[TARGET])),
    "CBOW": (lambda s: nets.CBOW(V, 4, 1, CORPUS, dtype=np.float64, rng=s, seed=3), _forward(CONTEXTS, TARGET)),
    "SkipGram": (lambda s: nets.SkipGram(V, 4, 1, CORPUS, dtype=np.float64, rng=s, seed=3),
                 _forward(CONTEXTS, TARGET)),
    "SimpleRnnlm": (lambda s: nets.SimpleRnnlm(V, 4, 5, dtype=np.float64, rng=s), _predict(XS)),
    "Rnnlm": (lambda s: nets.Rnnlm(V, 4, 5, dtype=np.float64, rng=s), _predict(XS)),
    "BetterRnnlm": (lambda s: nets.BetterRnnlm(V, 5, 5, dropout_ratio=0.3, dtype=np.float64, rng=s), _predict(XS)),
    "Seq2seq": (lambda s: nets.Seq2seq(V, 4, 5, dtype=np.float64, rng=s), _forward(XS, TS)),
    "PeekySeq2seq": (lambda s: nets.PeekySeq2seq(V, 4, 5, dtype=np.float64, rng=s), _forward(XS, TS)),
    "AttentionSeq2seq": (lambda s: nets.AttentionSeq2seq(V, 4, 5, dtype=np.float64, rng=s), _forward(XS, TS)),
    "GPT": (lambda s: nets.GPT(V, 6, d_model=8, num_heads=2, num_layers=2, dropout=0.1, dtype=np.float64, rng=s),
            _predict(XS)),
    "TransformerSeq2seq": (lambda s: nets.TransformerSeq2seq(V, d_model=8, num_heads=2, num_layers=2, max_len=8,
                                                             dropout=0.1, dtype=np.float64, rng=s),
                           _eval_forward(XS, TS)),
}
every_net = pytest.mark.parametrize("name", NETS)


def _outputs(net, name):
    """What the net computes, its recurrent state cleared and every generator (negative samples) at one state."""
    if hasattr(net, "reset_state"):
        net.reset_state()
    for i, (_, layer) in enumerate(getattr(net, "_layers", [])):
        for g in (getattr(layer, "rng", None), getattr(getattr(layer, "sampler", None), "rng", None)):
            if isinstance(g, np.random.Generator):
                g.bit_generator.state = np.random.default_rng(i).bit_generator.state
    return np.asarray(NETS[name][1](net))


def _trained_source(name):
    """A net whose arrays all differ from a fresh one's: weights from seed 1, batch norm's averages moved."""
    net = NETS[name][0](1)
    if name == "MultiLayerNetExtend":
        for _ in range(3):
            net.predict(X6 * 3 + 1, train_flg=True)  # the running mean and variance move away from 0 and 1
    return net


def _snapshot(net):
    return {k: v.copy() for k, v in net.state_dict().items()}


def _assert_same_state(a: dict, b: dict):
    assert list(a) == list(b)
    for key in a:
        assert a[key].dtype == b[key].dtype
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


def test_the_table_holds_every_net_bprop_ships():
    assert set(NETS) == {"Sequential", *PRESETS, *MODELS}


@every_net
def test_a_state_loaded_into_a_fresh_net_of_the_same_config_gives_identical_outputs(name):
    source, target = _trained_source(name), NETS[name][0](2)
    expected = _outputs(source, name)
    assert not np.array_equal(_outputs(target, name), expected)  # different weights: the load must matter
    assert target.load_state_dict(source.state_dict()) == ([], [])
    np.testing.assert_array_equal(_outputs(target, name), expected)
    _assert_same_state(target.state_dict(), source.state_dict())


@every_net
def test_the_state_dict_has_the_arrays_and_names_of_the_nets_model_file(name, tmp_path):
    net = _trained_source(name)
    with np.load(net.save(tmp_path / "net.npz"), allow_pickle=False) as saved:
        on_disk = {k: saved[k] for k in saved.files if k != "architecture"}
    _assert_same_state(net.state_dict(), on_disk)


@every_net
def test_the_state_dict_is_a_copy_and_loading_keeps_no_reference_to_the_callers_arrays(name):
    net = _trained_source(name)
    before = _snapshot(net)
    state = net.state_dict()
    for array in state.values():
        array += 1  # writing into the returned copies leaves the net alone
    _assert_same_state(net.state_dict(), before)
    net.load_state_dict(state)
    for array in state.values():
        array -= 7  # nor does writing into the loaded dict's arrays afterwards
    assert not any(np.shares_memory(a, b) for a in state.values() for _, b in net._named_arrays())
    np.testing.assert_array_equal(next(iter(net.state_dict().values())), next(iter(before.values())) + 1)


@every_net
def test_loading_writes_into_the_nets_own_arrays_so_an_optimizer_keeps_training_them(name):
    net, source = NETS[name][0](2), _trained_source(name)
    held = list(net.params.values())
    net.load_state_dict(source.state_dict())
    assert all(a is b for a, b in zip(net.params.values(), held))
    np.testing.assert_array_equal(held[0], list(source.params.values())[0])


def test_batch_norms_running_averages_are_state_named_as_in_a_model_file():
    net = _trained_source("MultiLayerNetExtend")
    state = net.state_dict()
    assert list(state) == ["W1", "b1", "gamma1", "beta1", "BatchNormalization1.running_mean",
                           "BatchNormalization1.running_var", "W2", "b2", "gamma2", "beta2",
                           "BatchNormalization2.running_mean", "BatchNormalization2.running_var", "W3", "b3"]
    np.testing.assert_array_equal(state["BatchNormalization1.running_var"],
                                  net.layers["BatchNormalization1"].running_var)
    assert not np.allclose(state["BatchNormalization1.running_mean"], 0)


def test_a_convnets_first_filters_as_drawn_are_part_of_its_state():
    net = nets.SimpleConvNet((1, 8, 8), SMALL_CONV, hidden_size=4, output_size=3, rng=1)
    net.params["W1"] *= 3
    state = net.state_dict()
    assert list(state) == ["W1", "b1", "W2", "b2", "W3", "b3", "W1_init"]
    np.testing.assert_array_equal(state["W1_init"] * 3, state["W1"])


@pytest.mark.parametrize("name, first, other, how", [
    ("BetterRnnlm", "embed.W", "affine.W", "transpose"),
    ("GPT", "embed.W", "affine.W", "transpose"),
    ("SimpleCBOW", "in0.W", "in1.W", "same"),
])
def test_a_tied_weight_is_saved_once_and_stays_tied_after_loading(name, first, other, how):
    source, target = _trained_source(name), NETS[name][0](2)
    state = source.state_dict()
    assert first in state and other not in state
    target.load_state_dict(state)
    tied = target.params[other]
    np.testing.assert_array_equal(tied, state[first].T if how == "transpose" else state[first])
    assert np.shares_memory(tied, target.params[first])
    target.params[first][0, 0] = 42.0  # the tie is the same memory, not an equal copy
    assert (tied[0, 0] if how == "same" else tied.T[0, 0]) == 42.0
    with pytest.raises(ValueError, match=rf"unexpected '{other}' \(tied to '{first}'"):
        target.load_state_dict({**state, other: target.params[other].copy()})


# --- what is refused, and that a refusal changes nothing -------------------------------

def _spoil_dtype(state, key):
    state[key] = state[key].astype(np.float32)


BAD_STATES = [
    ("shape", lambda s, k: s.update({k: s[k][:-1]}), ValueError, "has shape"),
    ("missing", lambda s, k: s.pop(k), ValueError, "missing '{key}'"),
    ("extra", lambda s, k: s.update(extra=np.zeros(2)), ValueError, "unexpected 'extra'"),
    ("dtype", _spoil_dtype, ValueError, r"has dtype float32, the net's is float64 .*astype\(np.float64\)"),
    ("list", lambda s, k: s.update({k: s[k].tolist()}), TypeError, "must be a NumPy array .* got list"),
    ("nan", lambda s, k: s[k].flat.__setitem__(0, np.nan), ValueError, "holds NaN or infinity"),
]


@pytest.mark.parametrize("name, key", [("MultiLayerNetExtend", "BatchNormalization2.running_var"),
                                       ("TwoLayerNet", "b2"), ("GPT", "block2.attn.W_o"), ("Rnnlm", "lstm.Wh")])
@pytest.mark.parametrize("kind, spoil, error, words", BAD_STATES, ids=[b[0] for b in BAD_STATES])
def test_a_bad_state_is_refused_naming_the_key_and_leaves_the_net_bit_identical(name, key, kind, spoil, error, words):
    net = NETS[name][0](2)
    before, held = _snapshot(net), list(net.params.values())
    state = _trained_source(name).state_dict()
    state = dict(reversed(state.items()))  # every check runs before the first array is written
    spoil(state, key)
    with pytest.raises(error, match=words.format(key=key)) as caught:
        net.load_state_dict(state)
    assert (key if kind != "extra" else "extra") in str(caught.value)
    assert type(net).__name__ + ".load_state_dict" in str(caught.value)
    _assert_same_state(net.state_dict(), before)
    assert all(a is b for a, b in zip(net.params.values(), held))


def test_a_misspelt_key_gets_the_likely_meant_one():
    net = nets.TwoLayerNet(6, 5, 3, rng=0)
    state = net.state_dict()
    state["w1"] = state.pop("W1")
    with pytest.raises(ValueError, match=r"missing 'W1'; unexpected 'w1' \(did you mean 'W1'\?\)"):
        net.load_state_dict(state)
    gpt = NETS["GPT"][0](0)
    state = gpt.state_dict()
    state["block1.attn.Wq"] = state.pop("block1.attn.W_q")
    with pytest.raises(ValueError, match=r"unexpected 'block1.attn.Wq' \(did you mean 'block1.attn.W_q'\?\)"):
        gpt.load_state_dict(state)


def test_not_a_dict_or_keys_that_are_not_names_are_type_errors():
    net = nets.TwoLayerNet(6, 5, 3, rng=0)
    with pytest.raises(TypeError, match="expects a dict of arrays .* got list"):
        net.load_state_dict(list(net.state_dict().values()))
    with pytest.raises(TypeError, match="keys must be strings .* got 0"):
        net.load_state_dict({0: np.zeros(2)})


def test_strict_false_loads_the_keys_both_have_and_reports_the_others():
    source, target = nets.TwoLayerNet(6, 5, 3, rng=1), nets.TwoLayerNet(6, 5, 3, rng=2)
    b2 = target.params["b2"].copy()
    state = source.state_dict()
    del state["b2"]
    state["head.W"] = np.zeros(3)
    assert target.load_state_dict(state, strict=False) == (["b2"], ["head.W"])
    np.testing.assert_array_equal(target.params["W1"], source.params["W1"])
    np.testing.assert_array_equal(target.params["b2"], b2)


def test_a_float32_net_takes_only_a_float32_state():
    net32 = nets.TwoLayerNet(6, 5, 3, dtype=np.float32, rng=0)
    state = nets.TwoLayerNet(6, 5, 3, rng=1).state_dict()
    with pytest.raises(ValueError, match=r"'W1' has dtype float64, the net's is float32"):
        net32.load_state_dict(state)
    net32.load_state_dict({k: v.astype(np.float32) for k, v in state.items()})
    assert net32.params["W1"].dtype == np.float32
    np.testing.assert_array_equal(net32.params["W1"], state["W1"].astype(np.float32))


def test_a_model_files_arrays_load_as_a_state(tmp_path):
    source, target = nets.MultiLayerNetExtend(6, [5], 3, use_batchnorm=True, rng=1), nets.MultiLayerNetExtend(
        6, [5], 3, use_batchnorm=True, rng=2)
    with np.load(source.save(tmp_path / "net.npz"), allow_pickle=False) as saved:
        target.load_state_dict({k: saved[k] for k in saved.files if k != "architecture"})
    np.testing.assert_array_equal(target.predict(X6), source.predict(X6))


def test_a_state_made_of_the_nets_own_arrays_swaps_them_correctly():
    net = nets.TwoLayerNet(4, 4, 4, weight_init_std=1.0, rng=0)
    W1, W2, b1, b2 = (net.params[k].copy() for k in ("W1", "W2", "b1", "b2"))
    net.load_state_dict({"W1": net.params["W2"], "b1": net.params["b2"], "W2": net.params["W1"],
                         "b2": net.params["b1"]})
    np.testing.assert_array_equal(net.params["W1"], W2)
    np.testing.assert_array_equal(net.params["W2"], W1)
    np.testing.assert_array_equal(net.params["b1"], b2)
    np.testing.assert_array_equal(net.params["b2"], b1)
