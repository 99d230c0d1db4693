"""``bprop train``, ``bprop evaluate``, ``bprop predict``: defaults, output, and one-line errors."""


import numpy as np
import pytest

from bprop.cli import main

from conftest import IDX_NAMES as NAMES
from conftest import one_line_error as _one_line_error
from conftest import run_cli as _run








def test_train_defaults_are_the_books_ch5_run(monkeypatch, capsys):
    import bprop.train

    seen = {}

    def fake_train(self):
        seen.update(net=self.network, optimizer=self.optimizer, batch=self.batch_size, iters=self.max_iter,
                    epoch=self.iter_per_epoch)
        self.history.test_acc.append(0.5)
        return self.history

    monkeypatch.setattr(bprop.train.Trainer, "train", fake_train)
    code, out, _ = _run(capsys, "train")
    assert code == 0
    net = seen["net"]
    assert type(net).__name__ == "TwoLayerNet"
    assert {k: v.shape for k, v in net.params.items()} == {"W1": (784, 50), "b1": (50,), "W2": (50, 10), "b2": (10,)}
    assert net.params["W1"].std() == pytest.approx(0.01, rel=0.02)
    assert net.dtype == np.float32
    assert type(seen["optimizer"]).__name__ == "SGD" and seen["optimizer"].lr == 0.1
    assert (seen["batch"], seen["iters"], seen["epoch"]) == (100, 10_000, 600)
    assert "TwoLayerNet 784-50-10" in out and "10,000 steps" in out


def test_train_on_mnist_then_evaluate_and_predict_the_saved_net(tmp_path, capsys):
    model = tmp_path / "net.npz"
    code, out, _ = _run(capsys, "train", "--iters", "30", "--save", str(model))
    assert code == 0
    assert "epoch 1/1  iter 30" in out
    assert out.splitlines()[-2].startswith("test accuracy ")
    assert f"saved the net to {model}" in out

    code, out, _ = _run(capsys, "evaluate", str(model))
    assert code == 0
    lines = out.splitlines()
    assert "TwoLayerNet 784-50-10, float32" in lines[0]
    assert lines[1].startswith("test accuracy ") and "of 10,000 images" in lines[1]
    rows = [line.split() for line in lines[5:15]]
    matrix = np.array([[int(v.replace(",", "")) for v in row[1:11]] for row in rows])
    # Rows count the test images of each digit (NOTES.md).
    assert matrix.sum(axis=1).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]

    code, out, _ = _run(capsys, "predict", str(model), "--index", "0")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 29
    assert max(len(line) for line in lines[:28]) <= 56
    assert any("@" in line for line in lines[:28])
    assert lines[-1].startswith("predicted: ") and "(true label 7), probability 0." in lines[-1]


def test_train_on_an_idx_directory_prints_each_epoch_and_learns(tiny_dataset, capsys):
    code, out, _ = _run(capsys, "train", "--data", str(tiny_dataset), "--epochs", "3", "--batch-size", "10",
                        "--lr", "0.5", "--init", "0.1")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("TwoLayerNet 36-50-10, float32; SGD lr=0.5; batch 10; 18 steps (3 epochs of 6)")
    assert [line.split("  ")[0] for line in lines[1:4]] == ["epoch 1/3", "epoch 2/3", "epoch 3/3"]
    assert float(lines[-1].split()[2]) >= 0.9


def test_multi_layer_options_and_same_seed_same_result(tiny_dataset, tmp_path, capsys):
    args = ["train", "--data", str(tiny_dataset), "--model", "multi-layer", "--hidden", "8,6", "--activation",
            "tanh", "--optimizer", "adam", "--iters", "12", "--batch-size", "10", "--weight-decay", "0.01",
            "--dtype", "float64", "--seed", "7", "--quiet"]
    code, first, _ = _run(capsys, *args, "--save", str(tmp_path / "m.npz"))
    assert code == 0
    assert first.startswith("test accuracy ")
    _, second, _ = _run(capsys, *args)
    assert first.split(",")[0] == second.split(",")[0]
    from bprop.nets import load

    net = load(tmp_path / "m.npz")
    assert net.hidden_size_list == [8, 6] and net.activation == "tanh" and net.dtype == np.float64


def test_help_explains_the_defaults(capsys):
    with pytest.raises(SystemExit) as info:
        main(["train", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for text in ("ch05/train_neuralnet.py", "learning rate 0.1", "10,000", "--save FILE", "examples:"):
        assert text in out


@pytest.mark.parametrize("argv, message", [
    (["--lr", "-1"], "--lr expects a number > 0, got '-1'"),
    (["--lr", "fast"], "--lr expects a number > 0, got 'fast'"),
    (["--batch-size", "0"], "--batch-size expects a whole number >= 1, got '0'"),
    (["--iters", "1.5"], "--iters expects a whole number >= 1, got '1.5'"),
    (["--hidden", "50,50"], "--model two-layer has one hidden layer"),
    (["--init", "glorot"], "--init expects 'he', 'xavier' or a standard deviation"),
    (["--activation", "tanh"], "--activation applies to --model multi-layer"),
    (["--data", "/no/such/dir"], "--data expects 'mnist' or a directory"),
    (["--save", "/no/such/dir/net.npz"], "the directory /no/such/dir does not exist"),
])
def test_train_reports_wrong_arguments_in_one_line(capsys, argv, message):
    code, _, err = _run(capsys, "train", *argv)
    assert code == 2
    assert message in _one_line_error(err, "train")


def test_train_reports_a_broken_data_directory_in_one_line(tiny_dataset, tmp_path, capsys):
    for name in NAMES:
        (tmp_path / name).write_bytes((tiny_dataset / name).read_bytes())
    (tmp_path / NAMES[0]).write_bytes(b"\x00\x00\x08\x03garbage")
    code, _, err = _run(capsys, "train", "--data", str(tmp_path))
    assert code == 2
    assert NAMES[0] in _one_line_error(err, "train")


def test_conflicting_length_options_are_refused_by_argparse(capsys):
    with pytest.raises(SystemExit) as info:
        main(["train", "--iters", "5", "--epochs", "1"])
    assert info.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


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


def test_the_activation_choices_are_the_nets_own():
    from bprop.cli.train import _ACTIVATIONS
    from bprop.nets import ACTIVATIONS

    assert _ACTIVATIONS == tuple(ACTIVATIONS)
