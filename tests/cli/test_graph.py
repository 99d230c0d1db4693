"""``bprop graph``: the book's graphs and saved models drawn from the command line."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest

import bprop.cli as cli
from bprop.graph import render as render_module

from support import needs_dot, png_size


@pytest.fixture
def bprop_cli(monkeypatch):
    # `bprop` with only this subcommand: main's error handling, none of the others' imports.
    monkeypatch.setattr(cli, "_COMMANDS", ("graph",))
    return cli.main


def test_cli_prints_dot_with_sigmoid_numbers(bprop_cli, capsys):
    assert bprop_cli(["graph", "sigmoid", "--x", "1.0"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("digraph") and ">0.7311</font>" in out and ">0.1966</font>" in out


def test_cli_dout_sets_the_gradient_entering_from_the_right(bprop_cli, capsys):
    assert bprop_cli(["graph", "sigmoid", "--x", "1", "--dout", "2"]) == 0
    assert ">0.3932</font>" in capsys.readouterr().out  # 2·y·(1 − y)


def test_cli_writes_a_dot_file_and_reports_the_gradients(bprop_cli, tmp_path, capsys):
    path = tmp_path / "shop.dot"
    assert bprop_cli(["graph", "shopping", "-o", str(path)]) == 0
    out = capsys.readouterr().out
    assert "price = 715" in out and "dapple = 2.2" in out and "dtax = 650" in out
    assert ">715</font>" in path.read_text(encoding="utf-8")


def test_cli_softmax_with_loss_reads_scores_and_label(bprop_cli, capsys):
    assert bprop_cli(["graph", "softmax-with-loss", "--x=0.3,2.9,4.0", "--t", "2"]) == 0
    out = capsys.readouterr().out
    assert "[0.01821, 0.2452, -0.2634]" in out  # dx = y − t


def test_cli_mse_and_affine_accept_their_options(bprop_cli, capsys):
    assert bprop_cli(["graph", "mse", "--x=0.5,0.5", "--t=0,1"]) == 0
    assert ">0.25</font>" in capsys.readouterr().out  # L = ½(0.25 + 0.25)
    assert bprop_cli(["graph", "affine", "--seed", "3", "--batch", "2"]) == 0
    assert "label=<dot>" in capsys.readouterr().out


@needs_dot
@pytest.mark.parametrize("ext", ["svg", "png"])
def test_cli_renders_svg_and_png(bprop_cli, tmp_path, ext, capsys):
    path = tmp_path / f"sigmoid.{ext}"
    assert bprop_cli(["graph", "sigmoid", "--x", "1.0", "-o", str(path)]) == 0
    assert "dx = 0.1966" in capsys.readouterr().out
    data = path.read_bytes()
    if ext == "svg":
        assert ET.fromstring(data).tag.endswith("svg")
    else:
        png_size(data)


def test_cli_draws_the_two_layer_preset(bprop_cli, capsys):
    assert bprop_cli(["graph", "two-layer"]) == 0
    assert "39,250 parameters" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["graph", "nonsense"], "unknown graph 'nonsense'"),
        (["graph", "sigmoid", "--t", "1"], "--t does not apply to sigmoid"),
        (["graph", "two-layer", "--x", "1"], "--x does not apply to a network"),
        (["graph", "sigmoid", "--x", "one"], "--x expected a number"),
        (["graph", "softmax-with-loss", "--t", "7"], "labels in 0..2"),
        (["graph", "sigmoid", "-o", "s.jpg"], "expected a file name ending in"),
        (["graph", "sigmoid", "--x", "1000", "--dout", "1"], None),
        (["graph", "sigmoid", "--x=-1000"], "exp overflows"),
    ],
    ids=["unknown", "t-for-sigmoid", "x-for-network", "not-a-number", "bad-label", "bad-extension", "big-x-ok",
         "overflow"],
)
def test_cli_reports_bad_input_in_one_line(bprop_cli, capsys, argv, message):
    status = bprop_cli(argv)
    err = capsys.readouterr().err
    if message is None:
        assert status == 0
        return
    assert status == 2
    assert err.startswith("bprop graph: error: ") and message in err and err.count("\n") == 1


def test_cli_draws_a_saved_model_with_shapes_and_parameter_counts(bprop_cli, tmp_path, capsys):
    from bprop.nets import TwoLayerNet

    path = tmp_path / "net.npz"
    TwoLayerNet(4, 3, 2).save(path)
    assert bprop_cli(["graph", str(path)]) == 0
    dot = capsys.readouterr().out
    assert "(N, 4)" in dot and "(N, 3)" in dot and "(N, 2)" in dot
    assert "15 parameters" in dot and "8 parameters" in dot and "23 parameters" in dot


def test_cli_broken_model_file_is_one_line(bprop_cli, tmp_path, capsys):
    path = tmp_path / "net.npz"
    np.savez(path, W1=np.zeros((2, 2)))
    assert bprop_cli(["graph", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("bprop graph: error: ") and str(path) in err and err.count("\n") == 1


def test_cli_missing_graphviz_exits_2_with_install_hint(bprop_cli, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(render_module.shutil, "which", lambda name: None)
    assert bprop_cli(["graph", "sigmoid", "-o", str(tmp_path / "s.svg")]) == 2
    assert "apt-get install graphviz" in capsys.readouterr().err
