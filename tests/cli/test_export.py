"""``bprop export MODEL.npz --onnx OUT.onnx | --safetensors OUT.safetensors``: what it writes, one-line errors."""

import sys

import numpy as np
import pytest

from bprop.interop.safetensors import load_safetensors
from bprop.nets import GPT, Rnnlm, SimpleConvNet, TwoLayerNet

from support import one_line_error
from support import run_cli as _run


@pytest.fixture
def model(tmp_path):
    net = TwoLayerNet(6, 5, 3, weight_init_std=0.5, dtype=np.float32, rng=0)
    return net, str(net.save(tmp_path / "net.npz"))


def test_safetensors_export_writes_the_weights_named_as_the_params(tmp_path, capsys, model):
    net, path = model
    out = tmp_path / "net.safetensors"
    code, stdout, err = _run(capsys, "export", path, "--safetensors", str(out))
    assert (code, err) == (0, "")
    assert stdout == f"wrote {out} (4 tensors of TwoLayerNet, 53 values, float32)\n"
    tensors = load_safetensors(out)
    assert list(tensors) == ["W1", "b1", "W2", "b2"]
    for key, value in net.params.items():
        np.testing.assert_array_equal(tensors[key], value)


def test_a_book2_model_file_exports_its_weights(tmp_path, capsys):
    model = Rnnlm(9, 4, 5, rng=0)
    path = model.save(tmp_path / "lm.npz")
    out = tmp_path / "lm.safetensors"
    code, stdout, _ = _run(capsys, "export", str(path), "--safetensors", str(out))
    assert code == 0 and "tensors of Rnnlm" in stdout
    np.testing.assert_array_equal(load_safetensors(out)["lstm.Wx"], model.params["lstm.Wx"])


def test_onnx_export_writes_a_file_onnxruntime_agrees_with(tmp_path, capsys, model):
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    net, path = model
    out = tmp_path / "net.onnx"
    code, stdout, err = _run(capsys, "export", path, "--onnx", str(out), "--probabilities")
    assert (code, err) == (0, "")
    assert stdout.startswith(f"wrote {out} (TwoLayerNet as ONNX, opset 17, ")
    assert "onnxruntime agrees with predict to " in stdout
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    x = np.random.default_rng(0).random((5, 6), dtype=np.float32)
    scores, probabilities = session.run(["scores", "probabilities"], {"x": x})
    np.testing.assert_allclose(scores, net.predict(x), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-6)


def test_a_gpt_file_exports_to_onnx_and_safetensors_at_once(tmp_path, capsys):
    pytest.importorskip("onnx")
    gpt = GPT(7, 4, d_model=4, num_heads=1, num_layers=1, rng=0)
    path = gpt.save(tmp_path / "gpt.npz")
    code, stdout, _ = _run(capsys, "export", str(path), "--onnx", str(tmp_path / "g.onnx"), "--safetensors",
                           str(tmp_path / "g.safetensors"), "--opset", "18")
    assert code == 0
    lines = stdout.splitlines()
    assert lines[0].startswith(f"wrote {tmp_path / 'g.onnx'} (GPT as ONNX, opset 18, ")
    assert lines[1].startswith(f"wrote {tmp_path / 'g.safetensors'} (")
    assert "embed.W" in load_safetensors(tmp_path / "g.safetensors")


def test_an_unsupported_net_is_one_line_and_nothing_is_written(tmp_path, capsys):
    pytest.importorskip("onnx")
    path = Rnnlm(9, 4, 5, rng=0).save(tmp_path / "lm.npz")
    code, _, err = _run(capsys, "export", str(path), "--onnx", str(tmp_path / "lm.onnx"))
    assert code == 2
    assert "to_onnx exports book-1 nets (Sequential: TwoLayerNet … DeepConvNet) and GPT, not Rnnlm" in \
        one_line_error(err, "export")
    assert not (tmp_path / "lm.onnx").exists()


@pytest.mark.parametrize("argv, message", [
    ([], "nothing to write: give --onnx OUT.onnx, --safetensors OUT.safetensors, or both"),
    (["--onnx", "net.txt"], "--onnx expects a file name ending in .onnx, got 'net.txt'"),
    (["--safetensors", "net.npz"], "--safetensors expects a file name ending in .safetensors, got 'net.npz'"),
    (["--safetensors", "w.safetensors", "--opset", "17"], "--opset, --dtype, --probabilities and --no-check apply "
                                                          "to --onnx only"),
    (["--onnx", "n.onnx", "--opset", "zero"], "--opset expects a whole number >= 1, got 'zero'"),
])
def test_wrong_arguments_are_one_line_errors(tmp_path, capsys, monkeypatch, model, argv, message):
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(capsys, "export", model[1], *argv)
    assert code == 2
    assert message in one_line_error(err, "export")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.npz"]


def test_output_paths_that_cannot_be_written_fail_before_any_work(tmp_path, capsys, model):
    missing = tmp_path / "no" / "w.safetensors"
    code, _, err = _run(capsys, "export", model[1], "--safetensors", str(missing))
    assert code == 2
    assert f"--safetensors {missing}: the folder {tmp_path / 'no'} does not exist" in one_line_error(err, "export")
    folder = tmp_path / "out.safetensors"
    folder.mkdir()
    code, _, err = _run(capsys, "export", model[1], "--safetensors", str(folder))
    assert code == 2
    assert "is a folder; give a file name such as net.safetensors" in one_line_error(err, "export")


def test_missing_or_broken_model_files_get_the_loaders_one_line_errors(tmp_path, capsys):
    out = str(tmp_path / "w.safetensors")
    code, _, err = _run(capsys, "export", str(tmp_path / "missing.npz"), "--safetensors", out)
    assert code == 2
    assert "missing.npz: no such model file" in one_line_error(err, "export")
    (tmp_path / "junk.npz").write_bytes(b"not a model")
    code, _, err = _run(capsys, "export", str(tmp_path / "junk.npz"), "--safetensors", out)
    assert code == 2
    assert "junk.npz: not a bprop model file: it is neither .npz nor .npy data" in one_line_error(err, "export")
    code, _, err = _run(capsys, "export", str(tmp_path), "--safetensors", out)
    assert code == 2
    assert "is a folder; give a model file saved by bprop" in one_line_error(err, "export")
    assert not (tmp_path / "w.safetensors").exists()


def test_without_the_onnx_extra_the_error_says_how_to_install_it(tmp_path, capsys, monkeypatch, model):
    monkeypatch.setitem(sys.modules, "onnx", None)
    code, _, err = _run(capsys, "export", model[1], "--onnx", str(tmp_path / "net.onnx"))
    assert code == 2
    assert "--onnx needs the onnx package, which is not installed: pip install 'bprop[onnx]'" in one_line_error(
        err, "export")
    assert not (tmp_path / "net.onnx").exists()


def test_without_onnxruntime_the_file_is_written_and_the_check_said_skipped(tmp_path, capsys, monkeypatch, model):
    pytest.importorskip("onnx")
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    out = tmp_path / "net.onnx"
    code, stdout, _ = _run(capsys, "export", model[1], "--onnx", str(out))
    assert code == 0
    assert "; not run: onnxruntime is not installed)" in stdout
    assert out.stat().st_size > 0


def test_a_float64_net_exports_as_float32_unless_asked_and_onnxruntimes_gaps_are_said(tmp_path, capsys):
    onnx = pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    path = TwoLayerNet(4, 3, 2, rng=0).save(tmp_path / "f64.npz")  # the book's float64
    code, stdout, _ = _run(capsys, "export", str(path), "--onnx", str(tmp_path / "a.onnx"))
    assert code == 0 and "onnxruntime agrees" in stdout
    assert onnx.load(str(tmp_path / "a.onnx")).graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    conv = SimpleConvNet((1, 6, 6), {"filter_num": 2, "filter_size": 3}, hidden_size=4, output_size=2, rng=0)
    path = conv.save(tmp_path / "conv.npz")
    code, stdout, _ = _run(capsys, "export", str(path), "--onnx", str(tmp_path / "c.onnx"), "--dtype", "float64")
    assert code == 0
    assert "; not checked: onnxruntime cannot run" in stdout and "Conv" in stdout  # no float64 Conv kernel
    assert onnx.load(str(tmp_path / "c.onnx")).graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.DOUBLE


def test_a_file_onnxruntime_disagrees_with_is_an_error(tmp_path, capsys, monkeypatch, model):
    pytest.importorskip("onnx")
    import bprop.interop.onnx as interop_onnx

    monkeypatch.setattr(interop_onnx, "check_onnx", lambda net, path: 0.25)
    code, _, err = _run(capsys, "export", model[1], "--onnx", str(tmp_path / "net.onnx"))
    assert code == 2
    assert "onnxruntime's scores differ from bprop's predict by 0.25" in one_line_error(err, "export")
