"""Chapter 6 nets: MultiLayerNetExtend, its model files, and ``bprop train --batchnorm/--dropout/--plot``."""

import json
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import one_line_error as _one_line_error
from conftest import run_cli as _run
from bprop.gradcheck import check_layer
from bprop.layers import Affine, BatchNormalization, Dropout, Relu, Sigmoid
from bprop.nets import MultiLayerNet, MultiLayerNetExtend, load, save
from bprop.serialize import ModelFileError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _data(n=8, d=6, classes=3, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)).astype(dtype), rng.integers(0, classes, n)


class _FixedMasks:
    """Stands in for a Dropout layer's Generator: the same uniforms at every forward, so the loss is a function."""

    def __init__(self, seed):
        self.seed = seed

    def random(self, shape, dtype=np.float64):
        return np.random.default_rng(self.seed).random(shape, dtype=dtype)


# --- MultiLayerNetExtend ---------------------------------------------------------------------


@pytest.mark.parametrize("batchnorm, dropout, block", [
    (False, False, ["Affine", "Relu"]),
    (True, False, ["Affine", "BatchNormalization", "Relu"]),
    (False, True, ["Affine", "Relu", "Dropout"]),
    (True, True, ["Affine", "BatchNormalization", "Relu", "Dropout"]),
])
def test_extend_net_orders_affine_batchnorm_activation_dropout_per_hidden_layer(batchnorm, dropout, block):
    net = MultiLayerNetExtend(784, [100, 50], 10, use_batchnorm=batchnorm, use_dropout=dropout, rng=0)
    assert [type(layer).__name__ for layer in net.layers.values()] == block * 2 + ["Affine"]
    assert net.hidden_layer_num == 2 and net.use_batchnorm is batchnorm and net.use_dropout is dropout


def test_extend_net_params_are_keyed_like_the_books_with_gamma_one_and_beta_zero():
    net = MultiLayerNetExtend(784, [100, 50], 10, use_batchnorm=True, use_dropout=True, rng=0)
    assert list(net.params) == ["W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2", "W3", "b3"]
    assert net.params["gamma2"].shape == (50,)
    np.testing.assert_array_equal(net.params["gamma1"], 1)
    np.testing.assert_array_equal(net.params["beta1"], 0)
    assert net.params["gamma1"] is net.layers["BatchNormalization1"].gamma


def test_extend_net_takes_the_books_positional_arguments_and_its_dropout_ration_spelling():
    net = MultiLayerNetExtend(784, [100], 10, "sigmoid", "sigmoid", 0.1, True, 0.2, True, rng=0)
    assert net.activation == "sigmoid" and net.weight_decay_lambda == 0.1
    assert net.layers["Dropout1"].dropout_ratio == 0.2 and net.dropout_ration == 0.2
    assert isinstance(net.layers["Sigmoid1"], Sigmoid)
    assert net.params["W1"].std() == pytest.approx(np.sqrt(1 / 784), rel=0.05)
    assert MultiLayerNetExtend(4, [3], 2, use_dropout=True, dropout_ratio=0.3).layers["Dropout1"].dropout_ratio == 0.3


def test_extend_net_draws_the_same_weights_as_multi_layer_net_whatever_its_options():
    plain = MultiLayerNet(20, [10, 10], 4, rng=3)
    for kwargs in ({}, {"use_batchnorm": True}, {"use_dropout": True}, {"use_batchnorm": True, "use_dropout": True}):
        net = MultiLayerNetExtend(20, [10, 10], 4, rng=3, **kwargs)
        for key in ("W1", "W2", "W3"):
            np.testing.assert_array_equal(net.params[key], plain.params[key], err_msg=f"{key} {kwargs}")


def test_extend_net_without_options_computes_exactly_what_multi_layer_net_does():
    x, t = _data()
    plain = MultiLayerNet(6, [5, 4], 3, weight_decay_lambda=0.2, rng=1)
    net = MultiLayerNetExtend(6, [5, 4], 3, weight_decay_lambda=0.2, rng=1)
    loss_plain, grads_plain = plain.loss_and_gradient(x, t)
    loss, grads = net.loss_and_gradient(x, t)
    assert loss == loss_plain
    for key in grads_plain:
        np.testing.assert_array_equal(grads[key], grads_plain[key])


def test_extend_net_backprop_agrees_with_numerical_gradient_with_batchnorm_dropout_and_weight_decay():
    x, t = _data(n=10)
    net = MultiLayerNetExtend(6, [5, 4], 3, weight_init_std=0.5, weight_decay_lambda=0.1, use_batchnorm=True,
                              use_dropout=True, dropout_ration=0.3, rng=2)
    net.params["gamma1"][...] = np.linspace(0.5, 1.5, 5)  # not all ones, so dgamma matters
    net.params["beta2"][...] = np.linspace(-0.3, 0.3, 4)
    for i, layer in enumerate(layer for layer in net.layers.values() if isinstance(layer, Dropout)):
        layer.rng = _FixedMasks(10 + i)
    numerical = net.numerical_gradient(x, t)
    backprop = net.gradient(x, t)
    assert list(backprop) == ["W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2", "W3", "b3"]
    for key in numerical:
        np.testing.assert_allclose(backprop[key], numerical[key], rtol=1e-5, atol=1e-8, err_msg=key)


def test_weight_decay_reaches_every_w_but_never_gamma_beta_or_b():
    x, t = _data()
    plain = MultiLayerNetExtend(6, [5], 3, use_batchnorm=True, rng=4)
    decayed = MultiLayerNetExtend(6, [5], 3, use_batchnorm=True, weight_decay_lambda=0.5, rng=4)
    g_plain = {k: v.copy() for k, v in plain.gradient(x, t).items()}
    g_decayed = decayed.gradient(x, t)
    for key in ("W1", "W2"):
        np.testing.assert_allclose(g_decayed[key], g_plain[key] + 0.5 * plain.params[key], rtol=1e-13)
    for key in ("b1", "gamma1", "beta1", "b2"):
        np.testing.assert_array_equal(g_decayed[key], g_plain[key])
    squares = sum(np.sum(plain.params[k] ** 2) for k in ("W1", "W2"))
    assert decayed.loss(x, t) == pytest.approx(plain.loss(x, t) + 0.25 * squares, rel=1e-13)


def test_predict_infers_without_dropout_and_with_the_running_averages():
    x, t = _data(n=16)
    net = MultiLayerNetExtend(6, [5], 3, use_batchnorm=True, use_dropout=True, rng=5)
    np.testing.assert_array_equal(net.predict(x), net.predict(x))
    assert not np.array_equal(net.predict(x, train_flg=True), net.predict(x, train_flg=True))
    bn = net.layers["BatchNormalization1"]
    before = bn.running_mean.copy()
    net.gradient(x, t)
    assert not np.array_equal(bn.running_mean, before)  # training moved the averages …
    h = net.layers["Affine1"].forward(x, train_flg=False)
    expected = (h - bn.running_mean) / np.sqrt(bn.running_var + bn.eps)  # … and inference uses them
    np.testing.assert_allclose(net.layers["BatchNormalization1"].forward(h, train_flg=False), expected, rtol=1e-12)


def test_a_seeded_extend_net_drops_the_same_units_every_run():
    x, t = _data()
    first = MultiLayerNetExtend(6, [5, 5], 3, use_dropout=True, rng=8)
    second = MultiLayerNetExtend(6, [5, 5], 3, use_dropout=True, rng=8)
    for _ in range(3):
        loss_a, _ = first.loss_and_gradient(x, t)
        loss_b, _ = second.loss_and_gradient(x, t)
        assert loss_a == loss_b
    assert first.layers["Dropout1"].rng is not first.layers["Dropout2"].rng


def test_float32_extend_net_stays_float32_end_to_end():
    x, t = _data(dtype=np.float32)
    net = MultiLayerNetExtend(6, [5, 4], 3, use_batchnorm=True, use_dropout=True, weight_decay_lambda=0.1,
                              dtype=np.float32, rng=0)
    loss, grads = net.loss_and_gradient(x, t)
    assert net.predict(x).dtype == np.float32 and loss.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads.values())
    assert net.layers["BatchNormalization1"].running_var.dtype == np.float32


@settings(max_examples=25, deadline=None)
@given(hidden=st.lists(st.integers(1, 6), min_size=1, max_size=3), batchnorm=st.booleans(), dropout=st.booleans(),
       dtype=st.sampled_from([np.float32, np.float64]), n=st.integers(2, 5))
def test_extend_net_gives_one_gradient_per_parameter_of_its_shape_and_dtype(hidden, batchnorm, dropout, dtype, n):
    x, t = _data(n=n, d=4, dtype=dtype)
    net = MultiLayerNetExtend(4, hidden, 3, use_batchnorm=batchnorm, use_dropout=dropout, dtype=dtype, rng=0)
    loss, grads = net.loss_and_gradient(x, t)
    assert np.isfinite(loss) and net.predict(x).shape == (n, 3)
    assert list(grads) == list(net.params)
    assert len(net.params) == 2 * (len(hidden) + 1) + (2 * len(hidden) if batchnorm else 0)
    for key, param in net.params.items():
        assert grads[key].shape == param.shape and grads[key].dtype == dtype, key


@pytest.mark.parametrize("kwargs, error, match", [
    ({"hidden_size_list": 100}, TypeError, "list of sizes"),
    ({"activation": "swish"}, ValueError, "unknown activation 'swish'"),
    ({"use_dropout": True, "dropout_ration": 1.0}, ValueError, r"dropout_ration must be a number in \[0, 1\)"),
    ({"dropout_ration": "half"}, TypeError, "dropout_ration must be a number"),
    ({"dropout_ration": 0.2, "dropout_ratio": 0.3}, ValueError, "not both"),
    ({"weight_decay_lambda": -0.1}, ValueError, "weight_decay_lambda"),
])
def test_extend_net_rejects_bad_arguments_clearly(kwargs, error, match):
    args = {"input_size": 4, "hidden_size_list": [3], "output_size": 2, **kwargs}
    with pytest.raises(error, match=match):
        MultiLayerNetExtend(**args)


def test_the_chapter6_layers_pass_check_layer():
    x = np.random.default_rng(0).standard_normal((6, 4))
    assert check_layer(BatchNormalization(np.linspace(0.5, 2, 4), np.linspace(-1, 1, 4)), x).ok
    assert check_layer(Dropout(0.3, seed=1), x).ok


# --- model files ----------------------------------------------------------------------------


def _trained_extend_net(dtype=np.float64):
    x, t = _data(n=12, dtype=dtype)
    net = MultiLayerNetExtend(6, [5, 4], 3, use_batchnorm=True, use_dropout=True, dropout_ration=0.25,
                              weight_decay_lambda=0.01, dtype=dtype, rng=6)
    for _ in range(4):
        net.gradient(x, t)
    return net, x


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_loaded_extend_net_infers_exactly_like_the_saved_one_running_averages_included(tmp_path, dtype):
    net, x = _trained_extend_net(dtype)
    assert not np.array_equal(net.layers["BatchNormalization1"].running_var, 1)
    loaded = load(save(net, tmp_path / "ext.npz"))
    assert type(loaded) is MultiLayerNetExtend
    np.testing.assert_array_equal(loaded.predict(x), net.predict(x))
    for name in ("BatchNormalization1", "BatchNormalization2"):
        for attr in ("running_mean", "running_var", "gamma", "beta"):
            np.testing.assert_array_equal(getattr(loaded.layers[name], attr), getattr(net.layers[name], attr))
    assert loaded.layers["Dropout2"].dropout_ratio == 0.25
    assert (loaded.use_batchnorm, loaded.use_dropout, loaded.dropout_ration) == (True, True, 0.25)
    assert loaded.hidden_size_list == [5, 4] and loaded.weight_decay_lambda == 0.01
    assert list(loaded.params) == list(net.params)


def test_the_file_holds_the_running_averages_as_plain_arrays(tmp_path):
    net, _ = _trained_extend_net()
    path = save(net, tmp_path / "ext.npz")
    with np.load(path, allow_pickle=False) as archive:
        np.testing.assert_array_equal(archive["BatchNormalization1.running_mean"],
                                      net.layers["BatchNormalization1"].running_mean)
        spec = json.loads(str(archive["architecture"]))
    assert spec["class"] == "MultiLayerNetExtend"
    assert spec["layers"][1] == {"type": "BatchNormalization", "momentum": 0.9, "eps": 1e-06, "arrays": {
        "gamma": "gamma1", "beta": "beta1", "running_mean": "BatchNormalization1.running_mean",
        "running_var": "BatchNormalization1.running_var"}}
    assert spec["layers"][3] == {"type": "Dropout", "dropout_ratio": 0.25, "scale_at": "train"}


def _rewrite(path, arrays=None, spec=None):
    """The model file at path with some arrays or the architecture replaced."""
    with np.load(path, allow_pickle=False) as archive:
        content = {name: archive[name] for name in archive.files}
    original = json.loads(str(content["architecture"]))
    content.update(arrays or {})
    content["architecture"] = np.array(json.dumps(spec(original) if spec else original))
    np.savez(path, **content)


def _without_shapes(spec):
    """The architecture without its optional 'shapes' record, so the layer checks themselves are reached."""
    return {k: v for k, v in spec.items() if k != "shapes"}


@pytest.mark.parametrize("change, message", [
    ({"arrays": {"BatchNormalization1.running_var": -np.ones(5)}}, "negative variances"),
    ({"arrays": {"gamma1": np.ones(4), "beta1": np.zeros(4), "BatchNormalization1.running_mean": np.zeros(4),
                 "BatchNormalization1.running_var": np.ones(4)}, "spec": _without_shapes},
     "normalises 4 features, but the layer before outputs 5"),
    ({"arrays": {"BatchNormalization1.running_mean": np.zeros(3)}, "spec": _without_shapes}, "must share one shape"),
    ({"spec": lambda s: {**s, "config": {**s["config"], "use_batchnorm": False}}}, "use_batchnorm=False"),
    ({"spec": lambda s: {**s, "layers": [e for e in s["layers"] if e["type"] != "Dropout"]}}, "must have layers"),
])
def test_a_damaged_extend_model_file_is_refused_with_a_reason(tmp_path, change, message):
    net, _ = _trained_extend_net()
    path = save(net, tmp_path / "ext.npz")
    _rewrite(path, **change)
    with pytest.raises(ModelFileError, match=message):
        load(path)


# --- bprop train ----------------------------------------------------------------------------






@pytest.fixture
def no_training(monkeypatch):
    """Trainer.train replaced: records the net and returns a one-epoch history at once."""
    import bprop.train

    seen = {}

    def fake_train(self):
        seen["net"] = self.network
        h = self.history
        h.loss.extend([2.3, 1.0]), h.epochs.append(1), h.train_acc.append(0.5), h.test_acc.append(0.4)
        return h

    monkeypatch.setattr(bprop.train.Trainer, "train", fake_train)
    return seen


def test_train_batchnorm_and_dropout_build_the_books_extend_net(no_training, capsys):
    code, out, _ = _run(capsys, "train", "--model", "multi-layer", "--hidden", "30,20", "--batchnorm",
                        "--dropout", "0.15", "--weight-decay", "0.01")
    assert code == 0
    net = no_training["net"]
    assert type(net).__name__ == "MultiLayerNetExtend"
    assert [type(layer).__name__ for layer in net.layers.values()] == [
        "Affine", "BatchNormalization", "Relu", "Dropout"] * 2 + ["Affine"]
    assert net.layers["Dropout1"].dropout_ratio == 0.15 and net.weight_decay_lambda == 0.01
    assert "MultiLayerNetExtend 784-30-20-10" in out


def test_train_without_the_chapter6_options_still_builds_multi_layer_net(no_training, capsys):
    assert _run(capsys, "train", "--model", "multi-layer", "--hidden", "30")[0] == 0
    assert type(no_training["net"]) is MultiLayerNet


@pytest.mark.parametrize("argv, message", [
    (["--batchnorm"], "--batchnorm applies to --model multi-layer"),
    (["--dropout", "0.5"], "--dropout applies to --model multi-layer"),
    (["--batchnorm", "--dropout", "0.5"], "--batchnorm and --dropout apply to --model multi-layer"),
    (["--model", "multi-layer", "--dropout", "1"], "--dropout expects a share of units in [0, 1)"),
    (["--model", "multi-layer", "--dropout", "many"], "--dropout expects a share of units in [0, 1)"),
    (["--plot", "curves.gif"], "expected a figure file name ending in .png, .svg, .pdf"),
    (["--plot", "/no/such/dir/curves.png"], "the folder /no/such/dir does not exist"),
])
def test_train_refuses_bad_chapter6_options_in_one_line_before_training(no_training, capsys, argv, message):
    code, _, err = _run(capsys, "train", *argv)
    assert code == 2
    assert message in _one_line_error(err, "train")
    assert "net" not in no_training


def test_train_plot_without_matplotlib_says_how_to_install_it_before_training(no_training, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    code, _, err = _run(capsys, "train", "--plot", "curves.png")
    assert code == 2
    assert "pip install 'bprop[plot]'" in _one_line_error(err, "train")
    assert "net" not in no_training


def test_train_plot_writes_the_curves_of_a_real_run(tmp_path, capsys):
    figure = tmp_path / "curves.png"
    code, out, _ = _run(capsys, "train", "--model", "multi-layer", "--hidden", "20", "--batchnorm", "--iters", "40",
                        "--batch-size", "1000", "--quiet", "--plot", str(figure))
    assert code == 0
    assert out.splitlines()[-1] == f"wrote the training curves to {figure}"
    assert figure.read_bytes().startswith(PNG_SIGNATURE)
    assert [p.name for p in tmp_path.iterdir()] == ["curves.png"]  # no temporary file left behind


def test_a_trained_batchnorm_net_is_evaluated_from_its_file(tmp_path, capsys):
    model = tmp_path / "bn.npz"
    code, _, _ = _run(capsys, "train", "--model", "multi-layer", "--hidden", "20", "--batchnorm", "--dropout", "0.1",
                      "--iters", "30", "--quiet", "--save", str(model))
    assert code == 0
    code, out, _ = _run(capsys, "evaluate", str(model))
    assert code == 0
    assert "MultiLayerNetExtend 784-20-10" in out.splitlines()[0]
    net = load(model)
    assert isinstance(net.layers["Affine1"], Affine) and isinstance(net.layers["Relu1"], Relu)
