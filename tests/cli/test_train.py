"""``bprop train``: the defaults, its output, one-line errors; chapter 6's options, the conv nets."""

import sys

import numpy as np
import pytest

from bprop.cli import main
from bprop.nets import DeepConvNet, MultiLayerNet, SimpleConvNet, load

from support import IDX_NAMES as NAMES
from support import PNG_SIGNATURE
from support import one_line_error as _one_line_error
from support import run_cli as _run


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


@pytest.mark.slow  # trains on MNIST
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
    # Rows count the test images of each digit.
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


def test_the_activation_choices_are_the_nets_own():
    from bprop.cli.train import _ACTIVATIONS
    from bprop.nets import ACTIVATIONS

    assert _ACTIVATIONS == tuple(ACTIVATIONS)


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


@pytest.mark.slow  # trains on MNIST
def test_train_plot_writes_the_curves_of_a_real_run(tmp_path, capsys):
    figure = tmp_path / "curves.png"
    code, out, _ = _run(capsys, "train", "--model", "multi-layer", "--hidden", "20", "--batchnorm", "--iters", "40",
                        "--batch-size", "1000", "--quiet", "--plot", str(figure))
    assert code == 0
    assert out.splitlines()[-1] == f"wrote the training curves to {figure}"
    assert figure.read_bytes().startswith(PNG_SIGNATURE)
    assert [p.name for p in tmp_path.iterdir()] == ["curves.png"]  # no temporary file left behind


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


def test_cli_refuses_options_a_conv_net_does_not_take(capsys):
    for argv, message in [
        (["--model", "deep-conv", "--init", "0.01"], "--init does not apply to --model deep-conv"),
        (["--model", "simple-conv", "--hidden", "10,10"], "one hidden Affine layer"),
        (["--model", "simple-conv", "--activation", "tanh"], "--activation applies to --model multi-layer"),
    ]:
        assert main(["train", "--iters", "1", *argv]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("bprop train: error: ") and message in err[0]
