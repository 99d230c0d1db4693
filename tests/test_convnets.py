"""SimpleConvNet (ch.7) and DeepConvNet (ch.8): shapes, gradients, model files, the CLI, the filters picture."""

import json

import numpy as np
import pytest

from bprop.cli import main
from bprop.layers import Convolution, Dropout
from bprop.nets import DeepConvNet, SimpleConvNet, load
from bprop.serialize import ModelFileError



def _tiny_simple(rng=0, dtype=np.float64):
    return SimpleConvNet((1, 6, 6), {"filter_num": 3, "filter_size": 3}, hidden_size=5, output_size=4,
                         weight_init_std=0.5, dtype=dtype, rng=rng)


def _tiny_deep(rng=0, dtype=np.float64):
    # 4×4 images: 4 → 4 → 4 → pool 2 → 2 → (pad 2) 4 → pool 2 → 2 → 2 → pool 1.
    convs = {f"conv_param_{i}": {"filter_num": 2} for i in range(1, 7)}
    return DeepConvNet((1, 4, 4), **convs, hidden_size=3, output_size=3, dtype=dtype, rng=rng)


def _relative_error(a, b):
    return np.max(np.abs(a - b)) / max(np.max(np.abs(a)), np.max(np.abs(b)), 1e-12)


# --- shapes and initial weights ---------------------------------------------------------------


def test_simple_conv_net_has_the_books_layers_and_shapes():
    net = SimpleConvNet(dtype=np.float32, rng=0)
    assert {k: v.shape for k, v in net.params.items()} == {
        "W1": (30, 1, 5, 5), "b1": (30,), "W2": (4320, 100), "b2": (100,), "W3": (100, 10), "b3": (10,)}
    rows = net.describe(net.input_shape)
    assert [(r.type, r.output_shape) for r in rows] == [
        ("Convolution", ("N", 30, 24, 24)), ("Relu", ("N", 30, 24, 24)), ("Pooling", ("N", 30, 12, 12)),
        ("Affine", ("N", 100)), ("Relu", ("N", 100)), ("Affine", ("N", 10)), ("SoftmaxWithLoss", ())]
    x = np.random.default_rng(1).random((3, 1, 28, 28), dtype=np.float32)
    y = net.predict(x)
    assert y.shape == (3, 10) and y.dtype == np.float32
    assert net.input_shape == (1, 28, 28)
    assert net.params["W1"].std() == pytest.approx(0.01, rel=0.1)


def test_deep_conv_net_follows_the_books_sizes_28_14_16_8_4():
    net = DeepConvNet(dtype=np.float32, rng=0)
    rows = net.describe(net.input_shape)
    shapes = [(r.type, r.output_shape[1:]) for r in rows if r.type in ("Convolution", "Pooling", "Affine")]
    assert shapes == [
        ("Convolution", (16, 28, 28)), ("Convolution", (16, 28, 28)), ("Pooling", (16, 14, 14)),
        ("Convolution", (32, 14, 14)), ("Convolution", (32, 16, 16)), ("Pooling", (32, 8, 8)),
        ("Convolution", (64, 8, 8)), ("Convolution", (64, 8, 8)), ("Pooling", (64, 4, 4)),
        ("Affine", (50,)), ("Affine", (10,))]
    assert [r.type for r in rows[-6:]] == ["Affine", "Relu", "Dropout", "Affine", "Dropout", "SoftmaxWithLoss"]
    assert [layer.pad for layer in net.layers.values() if isinstance(layer, Convolution)] == [1, 1, 1, 2, 1, 1]
    dropouts = [layer for layer in net.layers.values() if isinstance(layer, Dropout)]
    assert [(d.dropout_ratio, d.scale_at) for d in dropouts] == [(0.5, "test"), (0.5, "test")]  # the book's form
    assert net.params["W7"].shape == (1024, 50) and net.params["W8"].shape == (50, 10)
    assert net.predict(np.zeros((2, 1, 28, 28), dtype=np.float32)).shape == (2, 10)


def test_deep_conv_net_draws_he_weights_in_the_books_order():
    net = DeepConvNet(rng=7)
    rng = np.random.default_rng(7)
    fan_in = [1 * 9, 16 * 9, 16 * 9, 32 * 9, 32 * 9, 64 * 9, 64 * 4 * 4, 50]  # the book's pre_node_nums
    for i, n in enumerate(fan_in, start=1):
        W = net.params[f"W{i}"]
        np.testing.assert_array_equal(W, rng.standard_normal(W.shape) * np.sqrt(2.0 / n))
        assert not net.params[f"b{i}"].any()


def test_conv_nets_refuse_configs_whose_pooling_has_no_whole_size():
    with pytest.raises(ValueError, match="even output size, got 23×23"):
        SimpleConvNet(conv_param={"filter_size": 6})
    with pytest.raises(ValueError, match="unknown keys \\['filter'\\]"):
        SimpleConvNet(conv_param={"filter": 3})
    with pytest.raises(ValueError, match="pooling after conv6 needs an even output size, got 3×3"):
        DeepConvNet((1, 8, 8))  # 8 → 8 → 8 → pool 4 → 4 → 6 → pool 3 → 3 → 3


# --- gradients --------------------------------------------------------------------------------


def test_simple_conv_net_backprop_matches_numerical_gradients():
    net = _tiny_simple()
    rng = np.random.default_rng(1)
    x, t = rng.standard_normal((4, 1, 6, 6)), rng.integers(0, 4, 4)
    grads = net.gradient(x, t)
    numerical = net.numerical_gradient(x, t)
    assert set(grads) == {"W1", "b1", "W2", "b2", "W3", "b3"}
    for key in grads:
        assert _relative_error(grads[key], numerical[key]) < 1e-6, key


def test_deep_conv_net_backprop_matches_numerical_gradients_with_fixed_dropout_masks(monkeypatch):
    net = _tiny_deep(rng=3)
    original = Dropout.forward

    def same_mask_each_time(self, x, train_flg=True):
        self.rng = np.random.default_rng(0)
        return original(self, x, train_flg)

    monkeypatch.setattr(Dropout, "forward", same_mask_each_time)
    rng = np.random.default_rng(2)
    x, t = rng.standard_normal((3, 1, 4, 4)), rng.integers(0, 3, 3)
    grads = net.gradient(x, t)
    numerical = net.numerical_gradient(x, t)
    assert len(grads) == 16
    for key in grads:
        assert _relative_error(grads[key], numerical[key]) < 1e-6, key


@pytest.mark.parametrize("make", [_tiny_simple, _tiny_deep])
def test_conv_nets_relus_work_in_place_and_give_what_plain_relus_give(make):
    from bprop.layers import Relu

    inplace, plain = make(rng=4), make(rng=4)  # the same rng: the same weights and Dropout masks
    relus = [name for name, layer in plain.layers.items() if isinstance(layer, Relu)]
    assert relus and all(inplace.layers[name].inplace for name in relus)
    for name in relus:
        plain.layers[name] = Relu()
    rng = np.random.default_rng(6)
    x = rng.standard_normal((3, *inplace.input_shape))
    t = rng.integers(0, inplace.output_size, 3)
    x_given = x.copy()
    loss_a, grads_a = inplace.loss_and_gradient(x, t)
    loss_b, grads_b = plain.loss_and_gradient(x, t)
    np.testing.assert_array_equal(x, x_given)  # the net's input is never overwritten
    assert loss_a == loss_b
    for key in grads_b:
        np.testing.assert_array_equal(grads_a[key], grads_b[key])
    np.testing.assert_array_equal(inplace.predict(x), plain.predict(x))


def test_the_first_convolution_skips_dx_and_leaves_the_same_dW_db():
    rng = np.random.default_rng(0)
    for stride, pad in ((1, 0), (1, 2), (2, 1)):
        W, b = rng.standard_normal((4, 2, 3, 3)), rng.standard_normal(4)
        full, params_only = Convolution(W, b, stride, pad), Convolution(W, b, stride, pad)
        x = rng.standard_normal((2, 2, 9, 9))
        dout = rng.standard_normal(full.forward(x).shape)
        params_only.forward(x)
        full.backward(dout)
        assert params_only.backward_params(dout) is None
        np.testing.assert_allclose(params_only.dW, full.dW, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(params_only.db, full.db, rtol=1e-12, atol=1e-12)


def test_conv_net_accuracy_is_the_share_of_right_argmaxes():
    net = _tiny_simple(dtype=np.float32)
    rng = np.random.default_rng(4)
    x, t = rng.random((250, 1, 6, 6), dtype=np.float32), rng.integers(0, 4, 250)
    assert net.accuracy(x, t) == np.mean(net.predict(x).argmax(axis=1) == t)


# --- model files ------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [_tiny_simple, _tiny_deep, lambda: SimpleConvNet(dtype=np.float32, rng=0)])
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
    path = _tiny_deep().save(tmp_path / "deep.npz")
    with np.load(path, allow_pickle=False) as archive:
        spec = json.loads(str(archive["architecture"]))
    assert spec["class"] == "DeepConvNet" and spec["extras"] == ["W1_init"]
    pools = [e for e in spec["layers"] if e["type"] == "Pooling"]
    assert pools[0] == {"type": "Pooling", "pool_h": 2, "pool_w": 2, "stride": 2, "pad": 0, "mode": "max"}
    assert [e["pad"] for e in spec["layers"] if e["type"] == "Convolution"] == [1, 1, 1, 2, 1, 1]
    dropouts = [e for e in spec["layers"] if e["type"] == "Dropout"]
    assert dropouts == [{"type": "Dropout", "dropout_ratio": 0.5, "scale_at": "test"}] * 2


def test_a_deep_conv_net_saved_before_dropout_had_a_form_loads_with_the_inverted_form(tmp_path):
    path = _tiny_deep().save(tmp_path / "deep.npz")

    def drop_scale_at(spec, arrays):
        for entry in spec["layers"]:
            entry.pop("scale_at", None)

    _rewrite(path, drop_scale_at)
    loaded = load(path)
    assert [d.scale_at for d in loaded.layers.values() if isinstance(d, Dropout)] == ["train", "train"]
    assert type(loaded) is DeepConvNet


@pytest.mark.parametrize("make", [_tiny_simple, _tiny_deep])
def test_a_loaded_conv_nets_relus_work_in_place_again(tmp_path, make):
    from bprop.layers import Relu

    loaded = load(make().save(tmp_path / "net.npz"))
    relus = [layer for layer in loaded.layers.values() if isinstance(layer, Relu)]
    assert relus and all(r.inplace for r in relus)


def _rewrite(path, change):
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
    path = _tiny_simple().save(tmp_path / "net.npz")
    _rewrite(path, change)
    with pytest.raises(ModelFileError, match=match):
        load(path)


# --- the CLI ----------------------------------------------------------------------------------




def test_cli_trains_a_simple_conv_net_then_evaluates_predicts_and_draws_it(tmp_path, tiny_dataset, capsys):
    model = tmp_path / "conv.npz"
    assert main(["train", "--model", "simple-conv", "--iters", "3", "--batch-size", "20",
                 "--data", str(tiny_dataset), "--save", str(model)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("SimpleConvNet 1x6x6-conv30@5x5-100-10, float32; Adam lr=0.001; batch 20; 3 steps")
    assert "test accuracy " in out and f"saved the net to {model}" in out
    net = load(model)
    assert isinstance(net, SimpleConvNet) and net.input_shape == (1, 6, 6)
    assert not np.array_equal(net.W1_init, net.params["W1"])

    assert main(["evaluate", str(model), "--data", str(tiny_dataset)]) == 0
    assert "of 20 images" in capsys.readouterr().out
    assert main(["predict", str(model), "--data", str(tiny_dataset), "--index", "1"]) == 0
    assert "predicted: " in capsys.readouterr().out

    picture = tmp_path / "filters.png"
    assert main(["plot", "filters", str(model), "-o", str(picture)]) == 0
    out = capsys.readouterr().out
    assert "30 filters of 1x5x5" in out and "before training" in out and "after training" in out
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_conv_defaults_are_the_books_adam_20_epochs_and_1000_images_per_evaluation(monkeypatch, capsys):
    import bprop.train

    seen = {}

    def fake_train(self):
        seen.update(net=self.network, optimizer=self.optimizer, iters=self.max_iter,
                    evaluate=self.evaluate_sample_num_per_epoch, x=self.x_train)
        self.history.test_acc.append(0.5)
        return self.history

    monkeypatch.setattr(bprop.train.Trainer, "train", fake_train)
    monkeypatch.setattr(bprop.train.Trainer, "evaluate", lambda self: (0.5, 0.5))
    monkeypatch.setattr(DeepConvNet, "accuracy", lambda self, x, t: 0.25)  # the final check, on all test images
    assert main(["train", "--model", "deep-conv"]) == 0
    out = capsys.readouterr().out
    assert isinstance(seen["net"], DeepConvNet) and seen["x"].shape == (60_000, 1, 28, 28)
    assert type(seen["optimizer"]).__name__ == "Adam" and seen["optimizer"].lr == 0.001
    assert (seen["iters"], seen["evaluate"]) == (12_000, 1000)
    assert "test accuracy 0.2500" in out


def test_cli_refuses_options_a_conv_net_does_not_take(tiny_dataset, capsys):
    for argv, message in [
        (["--model", "deep-conv", "--init", "0.01"], "--init does not apply to --model deep-conv"),
        (["--model", "simple-conv", "--hidden", "10,10"], "one hidden Affine layer"),
        (["--model", "simple-conv", "--activation", "tanh"], "--activation applies to --model multi-layer"),
        (["--model", "deep-conv", "--data", str(tiny_dataset)], "conv4"),
    ]:
        assert main(["train", "--iters", "1", *argv]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("bprop train: error: ") and message in err[0]


# --- the filters picture ----------------------------------------------------------------------


def test_filter_grid_holds_each_filter_scaled_to_its_own_range():
    from bprop.plot.filters import filter_grid

    W = np.random.default_rng(0).standard_normal((10, 2, 3, 4))
    W[9, 0] = 7.0  # a constant filter
    grid = filter_grid(W, columns=4, gap=1)
    assert grid.shape == (3 * 4 - 1, 4 * 5 - 1)
    for i in range(9):
        r, c = divmod(i, 4)
        block = grid[r * 4:r * 4 + 3, c * 5:c * 5 + 4]
        f = W[i, 0]
        np.testing.assert_allclose(block, (f - f.min()) / (f.max() - f.min()), rtol=0, atol=1e-15)
    np.testing.assert_array_equal(grid[8:11, 5:9], 0.5)
    assert np.isnan(grid[3, :]).all() and np.isnan(grid[:, 4]).all()  # the gaps
    assert np.isnan(grid[8:, 10:]).all()  # blocks 10 and 11 are unused
    raw = filter_grid(W, columns=4, channel=1, normalize=False)
    np.testing.assert_array_equal(raw[4:7, 10:14], W[6, 1])


def test_neighbour_correlation_tells_smooth_filters_from_noise():
    from bprop.plot.filters import neighbour_correlation

    noise = np.random.default_rng(0).standard_normal((500, 1, 5, 5))
    assert abs(neighbour_correlation(noise)) < 0.08
    y, x = np.mgrid[0:5, 0:5]
    ramps = np.stack([x + y, x - y, np.sin(x)])[:, None].astype(float)
    assert neighbour_correlation(ramps) > 0.4
    assert neighbour_correlation(np.ones((2, 1, 3, 3))) == 0.0


def test_filters_figure_draws_both_grids_and_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    from bprop import plot
    from bprop.plot.filters import filter_grid, filters_figure

    net = SimpleConvNet(dtype=np.float32, rng=0)
    W = net.params["W1"] * 2 + 0.001
    fig = filters_figure(W, net.W1_init)
    panels = [ax for ax in fig.axes if ax.get_images()]
    assert [ax.get_title().splitlines()[0] for ax in panels] == ["before training", "after training"]
    np.testing.assert_array_equal(panels[0].get_images()[0].get_array().filled(np.nan), filter_grid(net.W1_init))
    np.testing.assert_array_equal(panels[1].get_images()[0].get_array().filled(np.nan), filter_grid(W))
    path = plot.save(fig, tmp_path / "filters.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="W_init must have W's shape"):
        filters_figure(W, net.W1_init[:3])


def test_plot_filters_refuses_a_net_whose_first_layer_is_not_a_convolution(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    from bprop.nets import TwoLayerNet

    path = TwoLayerNet(36, 5, 6, rng=0).save(tmp_path / "mlp.npz")
    assert main(["plot", "filters", str(path), "-o", str(tmp_path / "f.png")]) == 2
    err = capsys.readouterr().err
    assert "the first layer is not a convolution (W1 has shape (36, 5))" in err
    assert not (tmp_path / "f.png").exists()
