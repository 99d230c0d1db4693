"""``bprop evaluate`` and ``bprop predict``: a saved net's accuracy, one image, one-line errors."""


import pytest

from bprop.cli import main
from bprop.layers import Affine, Relu
from bprop.nets import load

from support import one_line_error as _one_line_error
from support import run_cli as _run


@pytest.mark.parametrize("command", ["evaluate", "predict"])
def test_evaluate_and_predict_report_broken_or_missing_files_in_one_line(tmp_path, capsys, command):
    code, _, err = _run(capsys, command, str(tmp_path / "missing.npz"))
    assert code == 2
    assert "no such model file" in _one_line_error(err, command)
    (tmp_path / "junk.npz").write_bytes(b"not a model")
    code, _, err = _run(capsys, command, str(tmp_path / "junk.npz"))
    assert code == 2
    assert "junk.npz: not a bprop model" in _one_line_error(err, command)


def test_predict_rejects_an_index_out_of_range_and_a_model_that_does_not_fit(tiny_dataset, tmp_path, capsys):
    model = tmp_path / "tiny.npz"
    assert main(["train", "--data", str(tiny_dataset), "--iters", "2", "--quiet", "--save", str(model)]) == 0
    capsys.readouterr()
    code, _, err = _run(capsys, "predict", str(model), "--data", str(tiny_dataset), "--index", "20")
    assert code == 2
    assert "--index expects a whole number from 0 to 19, got '20'" in _one_line_error(err, "predict")
    code, _, err = _run(capsys, "evaluate", str(model))  # 36 inputs, MNIST has 784
    assert code == 2
    assert "the model expects 36 input features but the images of --data mnist have 784" in _one_line_error(
        err, "evaluate")


def test_predict_draws_the_tiny_image_and_names_the_digit(tiny_dataset, tmp_path, capsys):
    model = tmp_path / "tiny.npz"
    assert main(["train", "--data", str(tiny_dataset), "--epochs", "5", "--batch-size", "10", "--lr", "0.5",
                 "--quiet", "--save", str(model)]) == 0
    capsys.readouterr()
    code, out, _ = _run(capsys, "predict", str(model), "--data", str(tiny_dataset), "--index", "3")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 7
    bright = [i for i, line in enumerate(lines[:6]) if line.count("@") == 12]
    assert lines[-1].startswith(f"predicted: {bright[0]} (true label {bright[0]})")


@pytest.mark.slow  # trains on MNIST
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
