"""The table of bad inputs: CLI misuse, labels, losses and loaders — each a clear error naming the problem,
and nothing changed (the caller's arrays, the files on disk)."""

import numpy as np
import pytest

from bprop.datasets.idx import DataError, parse_idx
from bprop.functions import cross_entropy_error, softmax
from bprop.layers import Affine, BatchNormalization, Convolution, Pooling, SigmoidWithLoss, SoftmaxWithLoss
from bprop.nets import TwoLayerNet

from support import idx_bytes, one_line_error, run_cli

CLI = [
    (["train", "--lr", "-1"], "--lr expects a number > 0, got '-1'"),
    (["train", "--lr", "abc"], "--lr expects a number > 0, got 'abc'"),
    (["train", "--batch-size", "0"], "--batch-size expects a whole number >= 1, got '0'"),
    (["train", "--epochs", "0"], "--epochs expects a whole number >= 1, got '0'"),
    (["train", "--iters", "x"], "--iters expects a whole number >= 1, got 'x'"),
    (["train", "--dropout", "1.5"], "--dropout expects a share of units in [0, 1)"),
    (["train", "--weight-decay", "-1"], "--weight-decay expects a number >= 0, got '-1'"),
    (["train", "--hidden", "0"], "--hidden expects a whole number >= 1, got '0'"),
    (["train", "--seed", "-3"], "--seed expects a whole number >= 0, got '-3'"),
    (["train", "--eval-samples", "0"], "--eval-samples expects a whole number >= 1, got '0'"),
    (["train", "--plot", "out.xyz"], "expected a figure file name ending in .png, .svg, .pdf"),
    (["train", "--data", "/nonexistent"], "'/nonexistent' is not a directory"),
    (["train", "--model", "gpt", "--heads", "3"], "--heads 3 does not divide --d-model 128"),
    (["train", "--model", "gpt", "--context", "0"], "--context expects a whole number >= 1, got '0'"),
    (["train", "--model", "gpt", "--data", "chars:missing.txt"], "--data chars:missing.txt: no such file"),
    (["check", "relu.py"], "expected FILE.py:CLASS"),
    (["check", "missing.py:Relu"], "no such file: missing.py"),
    (["check", "x.py:Relu", "--shape", "4,-5"], "--shape expects positive integers"),
    (["check", "x.py:Relu", "--timeout", "-1"], "--timeout expects a number > 0"),
]


@pytest.mark.parametrize("argv, words", CLI, ids=[" ".join(a) for a, _ in CLI])
def test_cli_misuse_is_one_clear_line_and_exit_2(capsys, tmp_path, monkeypatch, argv, words):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(capsys, *argv)
    assert code == 2
    assert words in one_line_error(err, argv[0])
    assert list(tmp_path.iterdir()) == []  # nothing written


@pytest.mark.parametrize("command", ["evaluate", "predict"])
@pytest.mark.parametrize("content, words", [(None, "no such model file"), (b"x", "neither .npz nor .npy data"),
                                            (b"\x80\x04K\x01.", "a pickle, which bprop never loads")])
def test_a_missing_or_foreign_model_file_is_named(capsys, tmp_path, command, content, words):
    path = tmp_path / "net.npz"
    if content is not None:
        path.write_bytes(content)
    code, _, err = run_cli(capsys, command, str(path))
    assert code == 2 and words in one_line_error(err, command)
    assert content is None or path.read_bytes() == content


LABELS = np.array([0, 1, 1, 0])
BAD_T = [
    (np.array([[0], [1], [1], [0]]), "shape (4, 1)"),
    (np.array([0, 1, -1, 0]), "label -1 at index 2, out of range for 2 classes"),
    (np.array([0, 1, 2, 0]), "label 2 at index 2, out of range for 2 classes"),
    (np.array([[1, 1], [0, 1], [1, 0], [0, 1]]), "row 0 of the one-hot t sums to 2"),
    (np.array([[0, 0], [0, 1], [1, 0], [0, 1]]), "row 0 of the one-hot t sums to 0"),
    (np.array([[1.5, -0.5], [0, 1], [1, 0], [0, 1]]), "entries must lie in [0, 1]"),
]


@pytest.mark.parametrize("t, words", BAD_T, ids=[w for _, w in BAD_T])
@pytest.mark.parametrize("where", ["accuracy", "cross_entropy_error", "SoftmaxWithLoss"])
def test_bad_labels_are_refused_everywhere_a_classifier_reads_them(where, t, words):
    x = np.random.default_rng(0).standard_normal((4, 2))
    before = t.copy()
    call = {"accuracy": lambda: TwoLayerNet(2, 3, 2).accuracy(x, t),
            "cross_entropy_error": lambda: cross_entropy_error(softmax(x), t),
            "SoftmaxWithLoss": lambda: SoftmaxWithLoss().forward(x, t)}[where]
    with pytest.raises(ValueError) as error:
        call()
    assert words in str(error.value)
    assert np.array_equal(t, before)


BAD_LAYER_INPUTS = [
    (lambda: Affine(np.ones((4, 3)), np.zeros(3)), np.ones((2, 5)), "4 features per sample"),
    (lambda: Convolution(np.ones((2, 3, 3, 3)), np.zeros(2)), np.ones((1, 1, 5, 5)), "1 channel"),
    (lambda: Convolution(np.ones((2, 1, 3, 3)), np.zeros(2)), np.ones((1, 1, 2, 5)), "smaller than the window"),
    (lambda: Pooling(2, 2), np.ones((4, 4)), "expected x of shape (N, C, H, W)"),
    (lambda: BatchNormalization(np.ones(3), np.zeros(3)), np.ones((2, 4)), "expected x of shape (N, 3) or (N, 3, H, W)"),
    (lambda: Affine(np.ones((2, 2)), np.zeros(2)), np.array([[np.nan, 0.0]]), "NaN"),
    (lambda: SigmoidWithLoss(), np.ones((2, 2)), "expected t of shape (2, 2) (that of x), got (3, 3)"),
]


@pytest.mark.parametrize("make, x, words", BAD_LAYER_INPUTS, ids=[w for _, _, w in BAD_LAYER_INPUTS])
def test_a_layer_refuses_bad_input_and_leaves_it_as_it_was(make, x, words):
    before = x.copy()
    layer = make()
    with pytest.raises((ValueError, TypeError)) as error:
        layer.forward(x, np.ones((3, 3))) if isinstance(layer, SigmoidWithLoss) else layer.forward(x)
    assert words in str(error.value)
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize("data, words", [
    (b"\x00\x00\x08", "truncated"),
    (b"\x01\x00\x08\x01\x00\x00\x00\x01\x00", "magic"),
    (idx_bytes(np.zeros((2, 2), np.uint8))[:-1], "truncated"),
    (b"\x00\x00\x07\x01\x00\x00\x00\x01\x00", "unknown IDX element type 0x07"),
])
def test_a_damaged_idx_file_is_a_data_error_naming_it(data, words):
    with pytest.raises(DataError) as error:
        parse_idx(data, "train-images")
    assert "train-images" in str(error.value)
    assert words.lower() in str(error.value).lower()
