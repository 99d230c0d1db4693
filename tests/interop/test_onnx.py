"""to_onnx: every book-1 net and the GPT give bprop's predict in onnxruntime, to 1e-5 in float32, any batch size."""

import sys

import numpy as np
import pytest

from bprop.functions import softmax
from bprop.interop.onnx import INSTALL_HINT, SUPPORTED_LAYERS, OnnxMissing, OnnxRuntimeRefused, check_onnx, to_onnx
from bprop.layers import (
    Affine,
    BatchNormalization,
    Convolution,
    Dropout,
    Flatten,
    Gelu,
    MeanSquaredError,
    Pooling,
    Relu,
    SigmoidWithLoss,
    Tanh,
)
from bprop.nets import (
    ACTIVATIONS,
    GPT,
    DeepConvNet,
    MultiLayerNet,
    MultiLayerNetExtend,
    Rnnlm,
    Sequential,
    SimpleConvNet,
    TwoLayerNet,
)


@pytest.fixture(scope="module")
def ort():
    pytest.importorskip("onnx")
    return pytest.importorskip("onnxruntime")


def _run(ort, path, x, outputs=("scores",)):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return session.run(list(outputs), {session.get_inputs()[0].name: x})


def _assert_matches(ort, net, path, x):
    (got,) = _run(ort, path, x)
    want = net.predict(x, train_flg=False)
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def _samples(shape, n, seed=1, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal((n, *shape)).astype(dtype)


def _with_running_averages(net, seed=3):
    """Batch-norm averages away from their start (0 and 1), so inference really uses them."""
    rng = np.random.default_rng(seed)
    for layer in net.layers.values():
        if isinstance(layer, BatchNormalization):
            C = layer.gamma.size
            layer.running_mean = rng.standard_normal(C).astype(layer.gamma.dtype)
            layer.running_var = rng.uniform(0.2, 3, C).astype(layer.gamma.dtype)
            layer.gamma[...] = rng.uniform(0.5, 2, C)
            layer.beta[...] = rng.standard_normal(C)
    return net


def _book1_nets():
    f32 = {"dtype": np.float32, "rng": 0}
    small_conv = {"filter_num": 3, "filter_size": 3, "pad": 1, "stride": 1}
    deep = {f"conv_param_{i}": {"filter_num": 2 + i % 2, "filter_size": 3, "pad": 1 + (i == 4), "stride": 1}
            for i in range(1, 7)}
    return {
        "two-layer": (TwoLayerNet(6, 5, 3, weight_init_std=0.5, **f32), (6,)),
        "multi-layer-extend": (_with_running_averages(MultiLayerNetExtend(
            6, [5, 4], 3, use_batchnorm=True, use_dropout=True, dropout_ration=0.3, **f32)), (6,)),
        "simple-conv": (SimpleConvNet((1, 10, 10), small_conv, hidden_size=8, output_size=4, weight_init_std=0.3,
                                      **f32), (1, 10, 10)),
        "deep-conv": (DeepConvNet((1, 16, 16), **deep, hidden_size=6, output_size=3, **f32), (1, 16, 16)),
        "conv-bn-pools": (_with_running_averages(Sequential([
            Convolution(_samples((2, 3, 3), 4, seed=4), np.full(4, 0.1, np.float32), stride=2, pad=1),
            BatchNormalization(np.ones(4, np.float32), np.zeros(4, np.float32)), Relu(),
            Pooling(3, 3, stride=2, pad=1, ceil_mode=True), Pooling(2, 2, stride=1, mode="avg"),
            Flatten(), Affine(_samples((3,), 4 * 3 * 3, seed=5), np.zeros(3, np.float32))])), (2, 11, 11)),
    }


@pytest.mark.parametrize("name", list(_book1_nets()))
def test_each_book1_net_runs_in_onnxruntime_as_its_predict_for_any_batch_size(ort, tmp_path, name):
    net, shape = _book1_nets()[name]
    path = to_onnx(net, tmp_path / f"{name}.onnx", input_shape=shape if name == "conv-bn-pools" else None)
    assert path == tmp_path / f"{name}.onnx"
    for n in (1, 7):
        _assert_matches(ort, net, path, _samples(shape, n))


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_every_activation_of_multilayernet_exports(ort, tmp_path, activation):
    net = MultiLayerNet(5, [6, 4], 3, activation=activation, weight_init_std=1.0, dtype=np.float32, rng=0)
    path = to_onnx(net, tmp_path / "mlp.onnx")
    _assert_matches(ort, net, path, 3 * _samples((5,), 9))  # reaching both tails of every curve


def test_the_exact_gelu_goes_through_erf(ort, tmp_path):
    net = Sequential([Affine(_samples((4,), 3), np.zeros(4, np.float32)), Gelu(exact=True),
                      Affine(_samples((2,), 4, seed=2), np.zeros(2, np.float32))])
    path = to_onnx(net, tmp_path / "gelu.onnx")
    _assert_matches(ort, net, path, 2 * _samples((3,), 5))


def test_the_books_dropout_scales_at_inference_exactly_as_bprop(ort, tmp_path):
    W, b = _samples((4,), 3), np.ones(4, np.float32)
    book = Sequential([Affine(W, b), Dropout(0.3, scale_at="test")])
    path = to_onnx(book, tmp_path / "book.onnx")
    x = _samples((3,), 6)
    (got,) = _run(ort, path, x)
    np.testing.assert_array_equal(got, book.predict(x))  # one multiply by float32(0.7): bit for bit
    np.testing.assert_allclose(got, 0.7 * (x @ W + b), rtol=1e-6)
    inverted = Sequential([Affine(W, b), Dropout(0.3)])
    (same,) = _run(ort, to_onnx(inverted, tmp_path / "inverted.onnx"), x)
    np.testing.assert_allclose(same, x @ W + b, rtol=1e-6)


def test_a_float64_net_exports_in_float64_or_as_asked_in_float32(ort, tmp_path):
    net = TwoLayerNet(6, 5, 3, weight_init_std=0.5, rng=0)
    x = _samples((6,), 4, dtype=np.float64)
    (got,) = _run(ort, to_onnx(net, tmp_path / "f64.onnx"), x)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, net.predict(x), rtol=1e-12, atol=1e-12)
    (got,) = _run(ort, to_onnx(net, tmp_path / "f32.onnx", dtype=np.float32), x.astype(np.float32))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, net.predict(x), rtol=1e-5, atol=1e-5)


def test_probabilities_are_the_softmax_or_the_sigmoid_of_the_scores(ort, tmp_path):
    net = TwoLayerNet(6, 5, 3, weight_init_std=0.5, dtype=np.float32, rng=0)
    x = _samples((6,), 4)
    scores, probabilities = _run(ort, to_onnx(net, tmp_path / "p.onnx", probabilities=True), x,
                                 ("scores", "probabilities"))
    np.testing.assert_allclose(probabilities, softmax(net.predict(x)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-6)
    binary = Sequential([Affine(_samples((1,), 6), np.zeros(1, np.float32))], SigmoidWithLoss())
    _, p = _run(ort, to_onnx(binary, tmp_path / "s.onnx", probabilities=True), x, ("scores", "probabilities"))
    np.testing.assert_allclose(p, 1 / (1 + np.exp(-binary.predict(x))), rtol=1e-5)
    with pytest.raises(ValueError, match="probabilities=True needs a SoftmaxWithLoss or SigmoidWithLoss net.*"
                                         "MeanSquaredError"):
        to_onnx(Sequential([Tanh()], MeanSquaredError()), tmp_path / "m.onnx", input_shape=(3,), probabilities=True)


def test_the_gpt_runs_in_onnxruntime_for_any_batch_and_length_up_to_its_context(ort, tmp_path):
    model = GPT(13, 6, d_model=8, num_heads=2, num_layers=2, rng=0)
    path = to_onnx(model, tmp_path / "gpt.onnx")
    rng = np.random.default_rng(1)
    for shape in ((1, 6), (3, 6), (2, 3), (4, 1)):
        ids = rng.integers(0, 13, shape)
        (got,) = _run(ort, path, ids.astype(np.int64))
        np.testing.assert_allclose(got, model.predict(ids), rtol=1e-5, atol=1e-5)
    ids = rng.integers(0, 13, (2, 6))
    (full,) = _run(ort, path, ids)
    (prefix,) = _run(ort, path, ids[:, :4])
    np.testing.assert_allclose(full[:, :4], prefix, rtol=1e-5, atol=1e-6)  # causal: later ids change nothing before


def test_the_file_passes_the_checker_with_weights_named_as_the_params(tmp_path):
    onnx = pytest.importorskip("onnx")
    net = _with_running_averages(MultiLayerNetExtend(6, [5], 3, use_batchnorm=True, dtype=np.float32, rng=0))
    model = onnx.load(str(to_onnx(net, tmp_path / "bn.onnx", opset=13)))
    onnx.checker.check_model(model, full_check=True)
    assert model.opset_import[0].version == 13
    names = {i.name for i in model.graph.initializer}
    assert set(net.params) | {"BatchNormalization1.running_mean", "BatchNormalization1.running_var"} <= names
    (x,) = model.graph.input
    assert [d.dim_param or d.dim_value for d in x.type.tensor_type.shape.dim] == ["N", 6]
    assert [o.name for o in model.graph.output] == ["scores"]
    gpt = onnx.load(str(to_onnx(GPT(7, 4, d_model=4, num_heads=1, num_layers=1, rng=0), tmp_path / "g.onnx")))
    assert sum(i.name == "embed.W" for i in gpt.graph.initializer) == 1
    assert not any(i.name == "affine.W" for i in gpt.graph.initializer)  # tied: a Transpose of embed.W


def test_check_onnx_measures_the_difference_and_sees_a_stale_file(ort, tmp_path):
    net = TwoLayerNet(6, 5, 3, weight_init_std=0.5, dtype=np.float32, rng=0)
    path = to_onnx(net, tmp_path / "net.onnx")
    assert check_onnx(net, path) < 1e-6
    net.params["W2"] += 0.1
    assert check_onnx(net, path) > 1e-3
    gpt = GPT(7, 4, d_model=4, num_heads=1, num_layers=1, rng=0)
    assert check_onnx(gpt, to_onnx(gpt, tmp_path / "gpt.onnx")) < 1e-5
    conv = SimpleConvNet((1, 6, 6), {"filter_num": 2, "filter_size": 3}, hidden_size=4, output_size=2, rng=0)
    with pytest.raises(OnnxRuntimeRefused, match="onnxruntime cannot run .*Conv"):  # no float64 Conv kernel
        check_onnx(conv, to_onnx(conv, tmp_path / "conv64.onnx"))


class _MyRelu(Relu):
    pass


def test_what_cannot_be_exported_is_named_and_no_file_is_left(tmp_path):
    pytest.importorskip("onnx")
    net = Sequential([Affine(np.ones((3, 2), np.float32), np.zeros(2, np.float32)), _MyRelu()])
    with pytest.raises(ValueError, match=r"cannot export layer '_MyRelu1' \(_MyRelu\); the layers it exports are "
                                         r"Affine, BatchNormalization"):
        to_onnx(net, tmp_path / "x.onnx")
    with pytest.raises(ValueError, match="exports book-1 nets .* and GPT, not Rnnlm"):
        to_onnx(Rnnlm(9, 4, 5, rng=0), tmp_path / "x.onnx")
    with pytest.raises(ValueError, match="opset must be a whole number from 13 to"):
        to_onnx(TwoLayerNet(3, 2, 2, rng=0), tmp_path / "x.onnx", opset=12)
    with pytest.raises(ValueError, match="opset must be a whole number from 17 to .* for GPT, got 16"):
        to_onnx(GPT(7, 4, d_model=4, num_heads=1, num_layers=1), tmp_path / "x.onnx", opset=16)
    with pytest.raises(ValueError, match="Affine expected input with 3 features per sample"):
        to_onnx(TwoLayerNet(3, 2, 2, rng=0), tmp_path / "x.onnx", input_shape=(4,))
    with pytest.raises(ValueError, match=r"Convolution expected x of shape \(N, C, H, W\), got shape \(1, 4\)"):
        to_onnx(Sequential([Convolution(np.ones((1, 1, 2, 2)), np.zeros(1))]), tmp_path / "x.onnx",
                input_shape=(4,))
    with pytest.raises(ValueError, match="float32 or float64, got dtype int32"):
        to_onnx(TwoLayerNet(3, 2, 2, rng=0), tmp_path / "x.onnx", dtype=np.int32)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        to_onnx(TwoLayerNet(3, 2, 2, rng=0), tmp_path / "missing" / "x.onnx")
    assert list(tmp_path.iterdir()) == []
    assert "Convolution" in SUPPORTED_LAYERS and "Dropout" in SUPPORTED_LAYERS


def test_without_onnx_the_error_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx now raises ImportError
    with pytest.raises(OnnxMissing, match=r"needs the onnx package, which is not installed: pip install 'bprop\[onnx\]'"):
        to_onnx(TwoLayerNet(3, 2, 2, rng=0), tmp_path / "x.onnx")
    assert INSTALL_HINT == "pip install 'bprop[onnx]'"
    assert not (tmp_path / "x.onnx").exists()
