"""Model files (bprop.serialize, bprop.nets.save/load): .npz with JSON inside, atomic writes, loads that
refuse anything doubtful; every preset (TwoLayerNet … DeepConvNet) back as itself."""

import json
import os
import pickle
import zipfile

import numpy as np
import pytest

from bprop import layers as L
from bprop.layers import Affine, Dropout, Relu
from bprop.nets import (
    DeepConvNet,
    MultiLayerNet,
    MultiLayerNetExtend,
    Sequential,
    SimpleConvNet,
    TwoLayerNet,
    load,
    save,
)
from bprop.serialize import ModelFileError

from support import tiny_deep_conv_net, tiny_simple_conv_net


def _inputs(d, dtype=np.float64, n=7):
    return np.random.default_rng(0).standard_normal((n, d)).astype(dtype)


def _nets():
    rng = np.random.default_rng(5)
    return [
        TwoLayerNet(6, 5, 3, weight_init_std=0.5, rng=0, dtype=np.float32),
        TwoLayerNet(6, 5, 3, weight_init_std="he", rng=1),
        MultiLayerNet(6, [5, 4], 3, activation="leaky_relu", weight_decay_lambda=0.1, rng=2),
        MultiLayerNet(6, [4], 3, activation="sigmoid", weight_init_std="xavier", rng=3, dtype=np.float32),
        Sequential([L.Affine(rng.standard_normal((6, 4)), rng.standard_normal(4)), L.Elu(alpha=0.5),
                    L.Tanh(), L.Affine(rng.standard_normal((4, 3)), rng.standard_normal(3))],
                   L.MeanSquaredError()),
    ]


@pytest.mark.parametrize("index", range(5))
def test_a_loaded_net_predicts_exactly_what_the_saved_net_did(tmp_path, index):
    net = _nets()[index]
    path = save(net, tmp_path / "net.npz")
    loaded = load(path)
    x = _inputs(6, net.dtype)
    np.testing.assert_array_equal(loaded.predict(x), net.predict(x))
    assert type(loaded) is type(net)
    assert list(loaded.params) == list(net.params)
    assert loaded.dtype == net.dtype
    assert loaded.weight_decay_lambda == net.weight_decay_lambda
    assert type(loaded.last_layer) is type(net.last_layer)
    assert [type(layer) for layer in loaded.layers.values()] == [type(layer) for layer in net.layers.values()]


def test_presets_come_back_with_their_constructor_fields(tmp_path):
    net = MultiLayerNet(6, [5, 4], 3, activation="tanh", weight_init_std=0.1, rng=0)
    loaded = load(net.save(tmp_path / "m.npz"))
    assert (loaded.input_size, loaded.hidden_size_list, loaded.output_size) == (6, [5, 4], 3)
    assert loaded.activation == "tanh" and loaded.hidden_layer_num == 2


def test_layer_options_are_saved(tmp_path):
    net = _nets()[4]
    loaded = load(save(net, tmp_path / "s.npz"))
    assert loaded.layers["Elu1"].alpha == 0.5


@pytest.mark.parametrize("scale_at", ["train", "test"])
def test_a_dropouts_form_is_saved_and_a_bad_one_refused(tmp_path, scale_at):
    net = Sequential([Affine(np.ones((4, 3)), np.zeros(3)), Dropout(0.25, scale_at=scale_at, seed=0)])
    x = np.arange(8.0).reshape(2, 4)
    loaded = load(save(net, tmp_path / "d.npz"))
    assert (loaded.layers["Dropout1"].dropout_ratio, loaded.layers["Dropout1"].scale_at) == (0.25, scale_at)
    np.testing.assert_array_equal(loaded.predict(x), net.predict(x))
    path = tmp_path / "bad.npz"
    with np.load(tmp_path / "d.npz", allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    spec = json.loads(str(arrays.pop("architecture")))
    spec["layers"][1]["scale_at"] = "sometimes"
    np.savez(path, **arrays, architecture=np.array(json.dumps(spec)))
    with pytest.raises(ModelFileError, match="scale_at 'train' .* got 'sometimes'"):
        load(path)


def test_the_file_is_a_plain_npz_readable_without_pickle(tmp_path):
    path = save(TwoLayerNet(6, 5, 3, rng=0), tmp_path / "net.npz")
    with np.load(path, allow_pickle=False) as f:
        assert sorted(f.files) == ["W1", "W2", "architecture", "b1", "b2"]
        assert f["architecture"].dtype.kind == "U"
        arch = json.loads(str(f["architecture"]))
    assert arch["class"] == "TwoLayerNet"
    assert [e["type"] for e in arch["layers"]] == ["Affine", "Relu", "Affine"]
    assert arch["shapes"]["W1"] == [6, 5]


def test_save_appends_npz_like_numpy_and_replaces_an_existing_file(tmp_path):
    (tmp_path / "net.npz").write_bytes(b"old")
    path = save(TwoLayerNet(6, 5, 3, rng=0), tmp_path / "net")
    assert path == tmp_path / "net.npz"
    assert zipfile.is_zipfile(path)
    assert os.listdir(tmp_path) == ["net.npz"]


def test_a_failed_save_leaves_neither_a_file_nor_a_temporary(tmp_path):
    class Custom(L.Relu):
        pass

    rng = np.random.default_rng(0)
    net = Sequential([L.Affine(rng.standard_normal((3, 2)), np.zeros(2)), Custom()])
    with pytest.raises(ValueError, match="cannot save layer 'Custom1' of type Custom"):
        save(net, tmp_path / "net.npz")
    assert os.listdir(tmp_path) == []


def test_a_save_interrupted_while_writing_leaves_no_temporary(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken)
    with pytest.raises(OSError, match="disk full"):
        save(TwoLayerNet(6, 5, 3, rng=0), tmp_path / "net.npz")
    assert os.listdir(tmp_path) == []


def _write(path, arrays, arch):
    np.savez(path, **arrays, architecture=np.array(json.dumps(arch)))
    return path


def _parts(tmp_path):
    """The arrays and architecture of a good TwoLayerNet file, to be broken by a test."""
    path = save(TwoLayerNet(6, 5, 3, rng=0), tmp_path / "good.npz")
    with np.load(path) as f:
        arrays = {k: f[k] for k in f.files if k != "architecture"}
        arch = json.loads(str(f["architecture"]))
    return arrays, arch


def test_a_pickle_file_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    path = tmp_path / "evil.npz"
    path.write_bytes(pickle.dumps({"W1": Payload()}))
    with pytest.raises(ModelFileError, match="evil.npz: not a bprop model file: it is a pickle"):
        load(path)
    assert not marker.exists()


def test_an_npz_holding_an_object_array_is_refused(tmp_path):
    arrays, arch = _parts(tmp_path)
    arrays["W1"] = np.array([{"a": 1}], dtype=object)
    np.savez(tmp_path / "obj.npz", **arrays, architecture=np.array(json.dumps(arch)))
    with pytest.raises(ModelFileError, match="array 'W1' holds Python objects"):
        load(tmp_path / "obj.npz")


def test_an_architecture_stored_as_an_object_array_is_refused(tmp_path):
    arrays, arch = _parts(tmp_path)
    np.savez(tmp_path / "a.npz", **arrays, architecture=np.array([json.dumps(arch)], dtype=object))
    with pytest.raises(ModelFileError, match="'architecture' holds Python objects"):
        load(tmp_path / "a.npz")


@pytest.mark.parametrize("breakage, match", [
    (lambda a, s: a.pop("W2"), r"array 'W2' \(W\) is missing"),
    (lambda a, s: a.update(W1=np.zeros((6, 4))), r"array 'W1' has shape \(6, 4\), the architecture says \(6, 5\)"),
    (lambda a, s: (a.update(W1=np.zeros((6, 4))), s.pop("shapes")),
     r"layer 1 \(Affine\): expected W1 of shape \(D, M\) and b1 of shape \(M,\), got \(6, 4\) and \(5,\)"),
    (lambda a, s: a.update(b2=a["b2"].astype(np.float32)), "array 'b2' has dtype float32, expected float64"),
    (lambda a, s: a["W1"].__setitem__((0, 0), np.nan), "array 'W1' holds NaN or infinity"),
    (lambda a, s: a.update(extra=np.zeros(2)), r"unexpected arrays \['extra'\]"),
    (lambda a, s: s["layers"][1].update(type="Lambda"), "layer 2 has unknown type 'Lambda'; known: Affine"),
    (lambda a, s: s["layers"][1].update(type="__import__"), "layer 2 has unknown type '__import__'"),
    (lambda a, s: s.update(loss={"type": "os.system"}), "unknown loss layer type 'os.system'"),
    (lambda a, s: s.update(format="keras"), "does not describe a bprop net"),
    (lambda a, s: s.update(version=99), "model file version 99 is not supported"),
    (lambda a, s: s.update(dtype="float16"), "dtype must be one of float32, float64"),
    (lambda a, s: s.update(layers=[]), "'layers' must be a non-empty list"),
    (lambda a, s: s["layers"][0].update(extra=1), r"layer 1 \(Affine\) has unknown fields \['extra'\]"),
    (lambda a, s: s.update(config={**s["config"], "hidden_size": 7}), "TwoLayerNet config sizes"),
    (lambda a, s: s["layers"].insert(1, {"type": "Relu"}), "TwoLayerNet with 1 hidden layer"),
])
def test_a_broken_model_file_raises_a_clear_error_naming_the_file(tmp_path, breakage, match):
    arrays, arch = _parts(tmp_path)
    breakage(arrays, arch)
    path = _write(tmp_path / "broken.npz", arrays, arch)
    with pytest.raises(ModelFileError, match=match) as info:
        load(path)
    assert str(info.value).startswith(str(path))


def test_layers_whose_sizes_do_not_chain_are_refused(tmp_path):
    arrays, arch = _parts(tmp_path)
    arrays["W2"] = np.zeros((4, 3))
    del arch["shapes"], arch["class"], arch["config"]
    with pytest.raises(ModelFileError, match=r"W2 has shape \(4, 3\), but the layer before outputs 5 features"):
        load(_write(tmp_path / "chain.npz", arrays, arch))


def test_invalid_json_and_a_missing_architecture_are_refused(tmp_path):
    arrays, _ = _parts(tmp_path)
    np.savez(tmp_path / "j.npz", **arrays, architecture=np.array("{not json"))
    with pytest.raises(ModelFileError, match="'architecture' is not valid JSON"):
        load(tmp_path / "j.npz")
    np.savez(tmp_path / "n.npz", **arrays)
    with pytest.raises(ModelFileError, match="no 'architecture' entry"):
        load(tmp_path / "n.npz")


def test_truncated_and_foreign_files_are_refused(tmp_path):
    good = save(TwoLayerNet(6, 5, 3, rng=0), tmp_path / "good.npz")
    (tmp_path / "cut.npz").write_bytes(good.read_bytes()[:200])
    with pytest.raises(ModelFileError, match="cut.npz"):
        load(tmp_path / "cut.npz")
    np.save(tmp_path / "single.npy", np.zeros(3))
    with pytest.raises(ModelFileError, match="holds a single array"):
        load(tmp_path / "single.npy")
    (tmp_path / "text.npz").write_text("hello")
    with pytest.raises(ModelFileError, match="text.npz: not a bprop model"):
        load(tmp_path / "text.npz")


def test_a_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such model file"):
        load(tmp_path / "nope.npz")


def test_nothing_is_built_before_the_whole_file_checks_out(tmp_path, monkeypatch):
    arrays, arch = _parts(tmp_path)
    arch["layers"][2]["type"] = "Unknown"
    path = _write(tmp_path / "late.npz", arrays, arch)
    built = []
    original = L.Affine.__init__
    monkeypatch.setattr(L.Affine, "__init__", lambda self, *a, **k: built.append(1) or original(self, *a, **k))
    with pytest.raises(ModelFileError, match="layer 3 has unknown type 'Unknown'"):
        load(path)
    assert built == []


def test_the_model_file_gets_the_usual_permissions(tmp_path):
    umask = os.umask(0o022)
    try:
        path = save(TwoLayerNet(6, 5, 3, rng=0), tmp_path / "net.npz")
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o644


def test_save_rejects_something_that_is_not_a_net(tmp_path):
    with pytest.raises(TypeError, match="save expects a bprop.nets.Sequential"):
        save({"W1": np.zeros(2)}, tmp_path / "x.npz")


def _extend_data(n=8, d=6, classes=3, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)).astype(dtype), rng.integers(0, classes, n)


def _trained_extend_net(dtype=np.float64):
    x, t = _extend_data(n=12, dtype=dtype)
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


def _rewrite_extend(path, arrays=None, spec=None):
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
    _rewrite_extend(path, **change)
    with pytest.raises(ModelFileError, match=message):
        load(path)


@pytest.mark.parametrize("make", [tiny_simple_conv_net, tiny_deep_conv_net, lambda: SimpleConvNet(dtype=np.float32, rng=0)])
def test_a_saved_conv_net_loads_with_identical_predictions(tmp_path, make):
    net = make()
    for p in net.params.values():
        p += 0.01  # as if trained: W1 now differs from W1_init
    path = net.save(tmp_path / "net.npz")
    loaded = load(path)
    assert type(loaded) is type(net)
    assert loaded.input_shape == net.input_shape and loaded.dtype == net.dtype
    x = np.random.default_rng(5).random((7, *net.input_shape)).astype(net.dtype)
    np.testing.assert_array_equal(loaded.predict(x), net.predict(x))
    np.testing.assert_array_equal(loaded.W1_init, net.W1_init)
    assert not np.array_equal(loaded.W1_init, loaded.params["W1"])
    again = load(loaded.save(tmp_path / "again.npz"))
    np.testing.assert_array_equal(again.predict(x), net.predict(x))


def test_pooling_and_convolution_options_are_saved(tmp_path):
    path = tiny_deep_conv_net().save(tmp_path / "deep.npz")
    with np.load(path, allow_pickle=False) as archive:
        spec = json.loads(str(archive["architecture"]))
    assert spec["class"] == "DeepConvNet" and spec["extras"] == ["W1_init"]
    pools = [e for e in spec["layers"] if e["type"] == "Pooling"]
    assert pools[0] == {"type": "Pooling", "pool_h": 2, "pool_w": 2, "stride": 2, "pad": 0, "mode": "max"}
    assert [e["pad"] for e in spec["layers"] if e["type"] == "Convolution"] == [1, 1, 1, 2, 1, 1]
    dropouts = [e for e in spec["layers"] if e["type"] == "Dropout"]
    assert dropouts == [{"type": "Dropout", "dropout_ratio": 0.5, "scale_at": "test"}] * 2


def test_pooling_ceil_mode_is_recorded_only_when_set_and_comes_back(tmp_path):
    rng = np.random.default_rng(3)
    net = Sequential([L.Convolution(rng.standard_normal((2, 1, 3, 3)), np.zeros(2)),
                      L.Pooling(2, 2, ceil_mode=True), L.Flatten(),
                      L.Affine(rng.standard_normal((2 * 4 * 4, 3)), np.zeros(3))])
    path = net.save(tmp_path / "ceil.npz")
    with np.load(path, allow_pickle=False) as archive:
        pools = [e for e in json.loads(str(archive["architecture"]))["layers"] if e["type"] == "Pooling"]
    assert pools == [{"type": "Pooling", "pool_h": 2, "pool_w": 2, "stride": 2, "pad": 0, "mode": "max",
                      "ceil_mode": True}]
    x = rng.standard_normal((2, 1, 9, 9))  # conv 7×7, ceil pooling 4×4 (floor would give 3×3)
    loaded = load(path)
    np.testing.assert_array_equal(loaded.predict(x), net.predict(x))


def test_a_deep_conv_net_saved_before_dropout_had_a_form_loads_with_the_inverted_form(tmp_path):
    path = tiny_deep_conv_net().save(tmp_path / "deep.npz")

    def drop_scale_at(spec, arrays):
        for entry in spec["layers"]:
            entry.pop("scale_at", None)

    _rewrite_conv(path, drop_scale_at)
    loaded = load(path)
    assert [d.scale_at for d in loaded.layers.values() if isinstance(d, Dropout)] == ["train", "train"]
    assert type(loaded) is DeepConvNet


@pytest.mark.parametrize("make", [tiny_simple_conv_net, tiny_deep_conv_net])
def test_a_loaded_conv_nets_relus_work_in_place_again(tmp_path, make):

    loaded = load(make().save(tmp_path / "net.npz"))
    relus = [layer for layer in loaded.layers.values() if isinstance(layer, Relu)]
    assert relus and all(r.inplace for r in relus)


def _rewrite_conv(path, change):
    with np.load(path, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    spec = json.loads(str(arrays.pop("architecture")))
    change(spec, arrays)
    np.savez(path, **arrays, architecture=np.array(json.dumps(spec)))


@pytest.mark.parametrize("change, match", [
    (lambda s, a: s["config"].update(hidden_size=6), "has shape \\(12, 5\\), its config gives \\(12, 6\\)"),
    (lambda s, a: s["layers"][0].update(pad=1), "has pad=1, its config gives 0"),
    (lambda s, a: s["layers"][2].update(mode=3), "option 'mode' must be text"),
    (lambda s, a: s["config"].update(input_dim=[1, 10**9, 10**9]), "config is malformed|has shape"),
    (lambda s, a: a.update(W1_init=a["W1_init"][:1]), "W1_init"),
    (lambda s, a: s.update(extras=["fit"]), "'extras' must list"),
])
def test_a_conv_net_file_whose_parts_disagree_is_refused(tmp_path, change, match):
    path = tiny_simple_conv_net().save(tmp_path / "net.npz")
    _rewrite_conv(path, change)
    with pytest.raises(ModelFileError, match=match):
        load(path)
