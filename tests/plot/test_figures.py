"""bprop.plot: every figure renders to PNG and SVG, files are written atomically, matplotlib is optional.
The numbers behind the pictures: tests/experiments/."""

import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from bprop import experiments as E
from bprop import plot
from bprop.train import History

from support import PNG_SIGNATURE


@pytest.fixture(scope="module")
def small_mnist():
    """600 training and 200 test images: enough for the figures' shapes, fast to train on."""
    from bprop.datasets import load_mnist

    (x, t), (x_test, t_test) = load_mnist()
    return (x[:600], t[:600]), (x_test[:200], t_test[:200])


def _history():
    h = History()
    h.loss = list(2.3 * np.exp(-np.arange(120) / 40) + 0.1)
    h.iterations, h.epochs = [60, 120], [1, 2]
    h.train_acc, h.test_acc = [0.8, 0.9], [0.78, 0.86]
    return h


def _runs(epochs=3):
    return [E.Run(label, list(np.linspace(0.1, top, epochs + 1)), list(np.linspace(0.1, top - gap, epochs + 1)))
            for label, top, gap in (("no regularisation", 1.0, 0.3), ("weight decay λ=0.1", 0.9, 0.2))]


# Each builder returns (figure, texts the figure must show).
FIGURES = {
    "training": lambda data: (plot.training_figure(_history(), title="TwoLayerNet 784-50-10"),
                              ["training loss per iteration", "accuracy after each epoch", "iteration", "epoch",
                               "train", "test", "TwoLayerNet 784-50-10"]),
    "activations": lambda data: (
        plot.activations_figure({E.init_label(i): E.activation_histograms("sigmoid", i, samples=50)
                                 for i in (1, "xavier")}, "sigmoid"),
        ["layer 1", "layer 5", "std 1\ncount", "Xavier\ncount", "activation"]),
    "activations-relu": lambda data: (
        plot.activations_figure({"He": E.activation_histograms("relu", "he", samples=50)}, "relu"),
        ["layer 3", "zeros 5"]),
    "optimizers": lambda data: (
        plot.optimizers_figure(E.optimizer_paths(30), E.optimizer_mnist_losses(20, data=data)),
        ["SGD (lr=0.95)", "Adam (lr=0.3)", "SGD", "Momentum", "AdaGrad", "Adam", "iteration",
         "loss (moving average)"]),
    "optimizers-paths-only": lambda data: (plot.optimizers_figure(E.optimizer_paths(5)), ["AdaGrad (lr=1.5)"]),
    "init": lambda data: (plot.init_figure(E.init_comparison(20, data=data)),
                          ["std 0.01", "Xavier", "He", "iteration", "loss (moving average)", "ln 10: guessing"]),
    "overfitting": lambda data: (plot.overfitting_figure(_runs()),
                                 ["train", "test", "epoch", "accuracy", "final gap train - test = 0.30"]),
    "batchnorm": lambda data: (
        plot.batchnorm_figure(E.batchnorm_comparison(1, scales=[1.0, 0.01, 0.001], train_size=200, test_size=100, data=data)),
        ["W std = 1", "W std = 0.01", "Batch Normalization", "Normal (without BatchNorm)", "epoch",
         "train accuracy"]),
    "search": lambda data: (
        plot.search_figure([E.Trial(1e-2 / k, 1e-6, [0.1, 0.5 / k], [0.1, 0.6 / k]) for k in range(1, 4)], best=2),
        ["validation", "train", "#1 val 0.50", "#2 val 0.25", "best 2 of 3 trials"]),
}


def _texts(fig):
    from matplotlib.text import Text

    return {t.get_text() for t in fig.findobj(Text)}


@pytest.mark.slow  # trains on MNIST
@pytest.mark.parametrize("kind", FIGURES)
def test_every_figure_renders_to_png_and_svg_with_its_titles_labels_and_legend(kind, small_mnist, tmp_path):
    fig, expected = FIGURES[kind](small_mnist)
    texts = _texts(fig)
    for text in expected:
        assert any(text in t for t in texts), (text, sorted(texts))
    png, svg = tmp_path / f"{kind}.png", tmp_path / f"{kind}.svg"
    assert plot.save(fig, png) == png
    assert png.read_bytes().startswith(PNG_SIGNATURE)
    plot.save(fig, svg)
    assert ET.parse(svg).getroot().tag == "{http://www.w3.org/2000/svg}svg"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([png.name, svg.name])  # no temporary files


def test_the_activation_figure_has_one_panel_per_layer_and_init_and_counts_every_sigmoid_value():
    rows = {E.init_label(i): E.activation_histograms("sigmoid", i, samples=40) for i in (1, 0.01, "xavier")}
    fig = plot.activations_figure(rows, "sigmoid")
    axes = fig.get_axes()
    assert len(axes) == 15
    heights = [sum(bar.get_height() for bar in ax.patches) for ax in axes]
    assert heights == [40 * 100] * 15  # sigmoid values all fall in [0, 1]


@pytest.mark.slow  # trains on MNIST
def test_the_batchnorm_figure_marks_the_run_that_overflowed(small_mnist):
    (scale, bn, plain), = E.batchnorm_comparison(3, scales=[1.0], train_size=600, test_size=100, data=small_mnist)
    assert plain.diverged_at is not None
    fig = plot.batchnorm_figure([(scale, bn, plain)])
    markers = [line for line in fig.get_axes()[0].get_lines() if line.get_marker() == "x"]
    assert len(markers) == 1


def test_pdf_is_chosen_by_the_extension_and_png_and_pdf_are_the_same_bytes_each_time(tmp_path):
    fig = plot.overfitting_figure(_runs())
    for name in ("a.svg", "b.svg", "a.pdf", "b.pdf", "a.png", "b.png"):
        plot.save(fig, tmp_path / name)
    assert (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")
    for ext in ("pdf", "png"):  # SVG clip-path ids hash object ids, so they change
        assert (tmp_path / f"a.{ext}").read_bytes() == (tmp_path / f"b.{ext}").read_bytes(), ext


def test_save_replaces_an_existing_file_and_refuses_unknown_formats_and_missing_folders(tmp_path):
    fig = plot.overfitting_figure(_runs())
    target = tmp_path / "figure.png"
    target.write_bytes(b"old")
    plot.save(fig, target)
    assert target.read_bytes().startswith(PNG_SIGNATURE)
    with pytest.raises(ValueError, match=r"ending in \.png, \.svg, \.pdf, got '.*figure\.jpg'"):
        plot.save(fig, tmp_path / "figure.jpg")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        plot.save(fig, tmp_path / "missing" / "figure.png")
    assert [p.name for p in tmp_path.iterdir()] == ["figure.png"]


def test_search_figure_needs_a_trial():
    with pytest.raises(ValueError, match="at least one trial"):
        plot.search_figure([])


def test_importing_bprop_plot_and_experiments_does_not_import_matplotlib():
    code = "import sys, bprop.plot, bprop.experiments, bprop.cli.plot; print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_without_matplotlib_a_figure_raises_an_import_error_saying_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(plot.MatplotlibMissing, match=r"bprop plot needs matplotlib: pip install 'bprop\[plot\]'"):
        plot.overfitting_figure(_runs())
    assert issubclass(plot.MatplotlibMissing, ImportError)
