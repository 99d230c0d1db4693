"""``bprop plot``: each figure's numbers and picture, its file name, one-line errors."""

import sys

import pytest

from bprop import experiments as E
from bprop.cli import main

from support import PNG_SIGNATURE


def test_plot_filters_refuses_a_net_whose_first_layer_is_not_a_convolution(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    from bprop.nets import TwoLayerNet

    path = TwoLayerNet(36, 5, 6, rng=0).save(tmp_path / "mlp.npz")
    assert main(["plot", "filters", str(path), "-o", str(tmp_path / "f.png")]) == 2
    err = capsys.readouterr().err
    assert "the first layer is not a convolution (W1 has shape (36, 5))" in err
    assert not (tmp_path / "f.png").exists()


def test_without_matplotlib_bprop_plot_says_so_in_one_line_before_running_anything(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)

    def never(*args, **kwargs):
        raise AssertionError("the experiment ran although the picture could not be drawn")

    monkeypatch.setattr(E, "init_comparison", never)
    assert main(["plot", "init"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines == ["bprop plot: error: drawing needs matplotlib, which is not installed: pip install 'bprop[plot]'"]


@pytest.mark.slow  # trains on MNIST
@pytest.mark.parametrize("argv, expected", [
    (["activations", "--activation", "sigmoid", "--init", "1", "--samples", "100"],
     ["sigmoid, 5 hidden layers of 100 units, 100 random inputs", "std 1     below 0.05 or above 0.95"]),
    (["activations", "--activation", "relu", "--samples", "50"], ["He        exactly 0:", "std 0.01"]),
    (["optimizers", "--steps", "30", "--iters", "5"], ["SGD         0.95        36.99               0.361"]),
    (["init", "--iters", "5"], ["std 0.01  2.30"]),
    (["overfitting", "--epochs", "1", "--train-size", "100", "--test-size", "100"],
     ["no regularisation", "weight decay λ=0.1", "dropout 0.2"]),
    (["batchnorm", "--epochs", "1", "--scales", "2", "--train-size", "1000"],
     ["       1", "  0.0001", "(overflowed in epoch 1)"]),
])
def test_each_plot_command_prints_its_numbers_and_writes_its_picture(argv, expected, tmp_path, capsys):
    figure = tmp_path / f"{argv[0]}.png"
    assert main(["plot", *argv, "-o", str(figure)]) == 0
    out = capsys.readouterr().out
    for text in expected:
        assert text in out, out
    assert out.splitlines()[-1] == f"wrote the picture to {figure}"
    assert figure.read_bytes().startswith(PNG_SIGNATURE)


@pytest.mark.slow  # trains on MNIST
def test_plot_commands_name_their_file_after_the_figure_by_default(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["plot", "activations", "--activation", "tanh", "--init", "xavier", "--samples", "20"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "wrote the picture to activations-tanh-xavier.png"
    assert (tmp_path / "activations-tanh-xavier.png").read_bytes().startswith(PNG_SIGNATURE)


@pytest.mark.parametrize("argv, message", [
    (["init", "--iters", "0"], "--iters expects a whole number >= 1, got '0'"),
    (["overfitting", "--dropout", "1"], "--dropout expects a number in [0, 1), got '1'"),
    (["init", "-o", "init.bmp"], "expected a figure file name ending in .png, .svg, .pdf"),
    (["init", "-o", "/no/such/dir/init.png"], "the folder /no/such/dir does not exist"),
])
def test_plot_reports_bad_arguments_in_one_line(argv, message, capsys):
    assert main(["plot", *argv]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bprop plot: error: ") and message in lines[0]


def test_plot_without_a_figure_name_lists_them(capsys):
    with pytest.raises(SystemExit) as info:
        main(["plot"])
    assert info.value.code == 2
    assert "FIGURE" in capsys.readouterr().err
