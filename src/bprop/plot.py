"""Figures for the book's chapter 6 and for training runs, drawn with matplotlib.

Each ``*_figure`` function takes the numbers an experiment of
``bprop.experiments`` (or a ``Trainer``'s ``History``) returned and gives back
a ``matplotlib.figure.Figure``; ``save`` writes it::

    from bprop import experiments, plot
    paths = experiments.optimizer_paths()
    plot.save(plot.optimizers_figure(paths), "optimizers.png")

matplotlib is an optional extra (``pip install 'bprop[plot]'``), imported only
when a figure is drawn; without it these functions raise ``MatplotlibMissing``
(an ImportError) saying so. Figures are built as ``Figure`` objects, never
through ``pyplot``: no global backend is switched and nothing is left open; PNG
is rendered by Agg. ``save`` picks the format from the extension (.png, .svg,
.pdf) and writes atomically.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np

from bprop.fileio import format_of as _format_of, write_bytes_atomic

__all__ = [
    "MatplotlibMissing", "FORMATS", "save", "require_matplotlib",
    "training_figure", "activations_figure", "optimizers_figure", "init_figure",
    "overfitting_figure", "batchnorm_figure", "search_figure",
]

FORMATS = ("png", "svg", "pdf")
INSTALL_HINT = "pip install 'bprop[plot]'"
# One colour per curve, the same optimizer or variant always in the same colour.
_COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown", "tab:pink", "tab:gray")
_DPI = 100


class MatplotlibMissing(ImportError):
    """matplotlib is not installed; the message says how to install it."""


def require_matplotlib():
    """The ``matplotlib.figure.Figure`` class; MatplotlibMissing when matplotlib cannot be imported."""
    try:
        import matplotlib  # noqa: F401
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise MatplotlibMissing(f"bprop plot needs matplotlib: {INSTALL_HINT} ({exc})") from None
    return Figure


def format_of(path) -> str:
    """The figure format named by the extension of path: 'png', 'svg' or 'pdf' (ValueError otherwise)."""
    return _format_of(path, FORMATS, "figure file")


def save(fig, path) -> Path:
    """Write ``fig`` to ``path`` (format by extension) through a temporary file and ``os.replace``.

    PNG is rendered by Agg at 100 dpi and stored with a 256-colour palette
    (see ``_palette_png``). No timestamp is written into SVG or PDF files, so
    PNG and PDF files of the same figure are identical from run to run.
    Returns the path.
    """
    fmt = format_of(path)
    buffer = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {"CreationDate": None} if fmt == "pdf" else None
    fig.savefig(buffer, format=fmt, dpi=_DPI, metadata=metadata)
    data = buffer.getvalue()
    write_bytes_atomic(path, _palette_png(data) if fmt == "png" else data)
    return Path(os.fspath(path))


def _palette_png(data: bytes) -> bytes:
    """The PNG re-encoded with a 256-colour palette, without dithering.

    These figures are lines, bars and text on white: the palette keeps them
    visually identical (a mean difference under 0.1 of 255 per channel on the
    optimizers figure) and the file 2-3 times smaller (75 KB instead of 187 KB).
    Pillow is a dependency of matplotlib, so it is there whenever a figure is.
    """
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        palette = image.convert("RGB").quantize(colors=256, dither=0)  # 0: Image.Dither.NONE
    out = io.BytesIO()
    palette.save(out, format="png", optimize=True)
    return out.getvalue()


# --- training runs -------------------------------------------------------------------------


def training_figure(history, title: str | None = None):
    """Loss per step (raw and smoothed) and train/test accuracy per epoch of a ``bprop.train.History``."""
    Figure = require_matplotlib()
    fig = Figure(figsize=(10, 4), layout="constrained")
    ax_loss, ax_acc = fig.subplots(1, 2)
    loss = np.asarray(history.loss, dtype=float)
    steps = np.arange(1, len(loss) + 1)
    ax_loss.plot(steps, loss, color=_COLORS[0], alpha=0.25, linewidth=0.8, label="mini-batch loss")
    xs, smooth = _smooth(steps, loss)
    ax_loss.plot(xs, smooth, color=_COLORS[0], linewidth=1.8, label="moving average")
    ax_loss.set(xlabel="iteration", ylabel="loss", title="training loss per iteration")
    ax_loss.set_ylim(bottom=0)
    ax_loss.legend()
    epochs = np.asarray(history.epochs)
    ax_acc.plot(epochs, history.train_acc, "o-", color=_COLORS[0], label="train")
    ax_acc.plot(epochs, history.test_acc, "s--", color=_COLORS[1], label="test")
    # From the tenth below the lowest accuracy: 96 % and 98 % look apart, not both at the top.
    low = min(history.train_acc + history.test_acc, default=0.0)
    ax_acc.set(xlabel="epoch", ylabel="accuracy", title="accuracy after each epoch",
               ylim=(max(0.0, np.floor(low * 10 - 0.5) / 10), 1.005))
    ax_acc.xaxis.get_major_locator().set_params(integer=True)
    ax_acc.grid(alpha=0.3)
    ax_acc.legend(loc="lower right")
    if history.test_acc:
        ax_acc.annotate(f"test {history.test_acc[-1]:.2%}", (epochs[-1], history.test_acc[-1]),
                        textcoords="offset points", xytext=(-6, -16), ha="right")
    if title:
        fig.suptitle(title)
    return fig


# --- §6.1 optimizers -----------------------------------------------------------------------


def optimizers_figure(paths: dict, losses: dict | None = None, *, lrs: dict | None = None):
    """The optimizers' paths on f(x, y) = x²/20 + y² over its contours; below, their MNIST losses if given.

    paths: name → (xs, ys) (``experiments.optimizer_paths``); losses: name →
    per-step losses (``experiments.optimizer_mnist_losses``); lrs: name → the
    learning rate shown in each path's title (default: the book's).
    """
    from bprop.experiments import OPTIMIZER_LRS

    Figure = require_matplotlib()
    lrs = dict(OPTIMIZER_LRS, **(lrs or {}))
    n = len(paths)
    fig = Figure(figsize=(3.2 * n, 6.4 if losses else 3.4), layout="constrained")
    grid = fig.add_gridspec(2 if losses else 1, n, height_ratios=(1, 1.1) if losses else None)
    gx, gy = np.meshgrid(np.linspace(-10, 10, 201), np.linspace(-5, 5, 101))
    gz = gx**2 / 20 + gy**2
    for i, (name, (xs, ys)) in enumerate(paths.items()):
        ax = fig.add_subplot(grid[0, i])
        ax.contour(gx, gy, gz, levels=np.linspace(0.5, 7, 9) ** 1.5, colors="0.75", linewidths=0.7)
        ax.plot(xs, ys, "o-", color=_COLORS[i % len(_COLORS)], markersize=3, linewidth=1)
        ax.plot(0, 0, "+", color="black", markersize=10)
        length = float(np.sum(np.hypot(np.diff(xs), np.diff(ys))))
        note = f"path {length:.1f} long, ends {np.hypot(xs[-1], ys[-1]):.2f} from (0, 0)"
        lr = f" (lr={lrs[name]:g})" if name in lrs else ""
        ax.set_title(f"{name}{lr}\n{note}", fontsize=9)
        ax.set(xlim=(-10, 10), ylim=(-5, 5), xlabel="x")
        if i == 0:
            ax.set_ylabel("y")
    if losses:
        ax = fig.add_subplot(grid[1, :])
        _plot_smoothed(ax, losses)
        ax.set(xlabel="iteration", ylabel="loss (moving average)", ylim=(0, None),
               title="MNIST, 5-layer ReLU net (100 units per layer), batch 128, each optimizer's default lr "
                     "(Adam 0.001, the others 0.01)")
        ax.legend()
        ax.grid(alpha=0.3)
    steps = max(len(xs) for xs, _ in paths.values()) - 1
    fig.suptitle(f"Optimizers on f(x, y) = x²/20 + y², {steps} steps from (-7, 2), "
                 f"{np.hypot(7, 2):.1f} from the minimum (0, 0)")
    return fig


# --- §6.2 initial weights ------------------------------------------------------------------


def activations_figure(rows: dict, activation: str):
    """Histograms of each hidden layer's activations, one row per weight init.

    rows: label → the list ``experiments.activation_histograms`` returned
    (one array per layer). sigmoid is drawn over [0, 1] and tanh over [-1, 1],
    as in the book. ReLU's exact zeros (half of all units) would dwarf every
    other bin: the histogram shows the positive values over [0, the row's
    99.5th percentile] and the share of zeros is written in each panel.
    """
    Figure = require_matplotlib()
    n_rows = len(rows)
    n_layers = max(len(layers) for layers in rows.values())
    fig = Figure(figsize=(2.3 * n_layers + 0.6, 1.9 * n_rows + 0.8), layout="constrained")
    axes = fig.subplots(n_rows, n_layers, squeeze=False)
    name = activation.lower()
    relu = name == "relu"
    for r, (label, layers) in enumerate(rows.items()):
        shown = [z[z > 0] if relu else z.ravel() for z in layers]
        if name == "sigmoid":
            limits = (0.0, 1.0)
        elif name == "tanh":
            limits = (-1.0, 1.0)
        else:
            values = np.concatenate(shown)
            low, high = np.percentile(values, (0.5, 99.5)) if values.size else (0.0, 1.0)
            limits = (0.0 if relu else float(low), float(high) if high > low else float(low) + 1.0)
        for i, (z, values) in enumerate(zip(layers, shown)):
            ax = axes[r, i]
            ax.hist(values, bins=30, range=limits, color=_COLORS[r % len(_COLORS)])
            ax.set_xlim(limits)
            ax.tick_params(labelsize=7)
            if relu:
                ax.text(0.97, 0.93, f"zeros {np.mean(z == 0):.0%}", transform=ax.transAxes, ha="right",
                        va="top", fontsize=7)
            if r == 0:
                ax.set_title(f"layer {i + 1}", fontsize=10)
            if i == 0:
                ax.set_ylabel(f"{label}\ncount", fontsize=10)
            if r == n_rows - 1:
                ax.set_xlabel("activation", fontsize=8)
    n = next(iter(rows.values()))[0].shape if rows else (0, 0)
    fig.suptitle(f"{activation} activations of each hidden layer ({n[0]} random inputs, {n[1]} units per layer)")
    return fig


def init_figure(losses: dict):
    """MNIST loss per step for each weight init (``experiments.init_comparison``), smoothed."""
    Figure = require_matplotlib()
    fig = Figure(figsize=(7, 4.5), layout="constrained")
    ax = fig.subplots()
    _plot_smoothed(ax, losses)
    ax.axhline(np.log(10), color="0.6", linestyle=":", linewidth=1)
    ax.annotate("ln 10: guessing", (0, np.log(10)), textcoords="offset points", xytext=(4, 4), fontsize=8,
                color="0.4")
    ax.set(xlabel="iteration", ylabel="loss (moving average)", ylim=(0, None),
           title="MNIST loss by initial weights\n5-layer ReLU net, 100 units per layer, SGD lr 0.01")
    ax.grid(alpha=0.3)
    ax.legend()
    return fig


# --- §6.3 batch normalisation --------------------------------------------------------------


def batchnorm_figure(results: list, columns: int = 4):
    """Training accuracy per epoch with and without batch norm, one panel per weight scale.

    results: ``experiments.batchnorm_comparison``'s [(scale, run_bn, run_plain)].
    A run that diverged ends with an ×.
    """
    Figure = require_matplotlib()
    n = len(results)
    rows, columns = _grid(n, columns)
    fig = Figure(figsize=(2.6 * columns + 0.4, 2.1 * rows + 1.0), layout="constrained")
    axes = fig.subplots(rows, columns, squeeze=False, sharex=True, sharey=True)
    for k, (scale, *runs) in enumerate(results):
        ax = axes[k // columns, k % columns]
        for run, style, color in zip(runs, ("-", "--"), _COLORS):
            ax.plot(range(len(run.train_acc)), run.train_acc, style, color=color, label=run.label)
            if run.diverged_at is not None:
                ax.plot(len(run.train_acc) - 1, run.train_acc[-1], "x", color=color, markersize=8)
        ax.set_title(f"W std = {scale:.2g}", fontsize=9)
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=7)
    _finish_panels(fig, axes, n, "train accuracy")
    fig.suptitle("Batch normalization: training accuracy per epoch for each initial weight scale "
                 "(× marks a run that overflowed)")
    return fig


# --- §6.4 overfitting ----------------------------------------------------------------------


def overfitting_figure(runs: list):
    """Train and test accuracy per epoch for each run (``experiments.overfitting``), side by side."""
    Figure = require_matplotlib()
    fig = Figure(figsize=(4.2 * len(runs), 4), layout="constrained")
    axes = fig.subplots(1, len(runs), squeeze=False, sharey=True)[0]
    for ax, run in zip(axes, runs):
        epochs = np.arange(len(run.train_acc))
        ax.plot(epochs, run.train_acc, color=_COLORS[0], label="train")
        ax.plot(epochs, run.test_acc, "--", color=_COLORS[1], label="test")
        ax.fill_between(epochs, run.test_acc, run.train_acc, color=_COLORS[0], alpha=0.08)
        ax.set_title(f"{run.label}\nfinal gap train - test = {run.gap:.2f}", fontsize=10)
        ax.set(xlabel="epoch", ylim=(0, 1.02))
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right")
    axes[0].set_ylabel("accuracy")
    fig.suptitle("Overfitting: 300 training images, 7-layer net")
    return fig


# --- §6.5 hyperparameters ------------------------------------------------------------------


def search_figure(trials: list, best: int = 20, columns: int = 5):
    """Validation (solid) and training (dashed) accuracy per epoch of the ``best`` trials of a random search."""
    Figure = require_matplotlib()
    shown = trials[:best]
    if not shown:
        raise ValueError("search_figure needs at least one trial")
    rows, columns = _grid(len(shown), columns)
    fig = Figure(figsize=(2.5 * columns + 0.4, 2.0 * rows + 0.9), layout="constrained")
    axes = fig.subplots(rows, columns, squeeze=False, sharex=True, sharey=True)
    for k, trial in enumerate(shown):
        ax = axes[k // columns, k % columns]
        epochs = np.arange(len(trial.val_acc))
        ax.plot(epochs, trial.val_acc, color=_COLORS[0], label="validation")
        ax.plot(epochs, trial.train_acc, "--", color="0.5", label="train")
        ax.set_title(f"#{k + 1} val {trial.final_val_acc:.2f}\nlr {trial.lr:.1e}, λ {trial.weight_decay:.1e}",
                     fontsize=8)
        ax.set_ylim(0, 1.02)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    _finish_panels(fig, axes, len(shown), "accuracy")
    fig.suptitle(f"Random search: the best {len(shown)} of {len(trials)} trials (learning rate lr, weight decay λ)")
    return fig


# --- internals -----------------------------------------------------------------------------


def _grid(n: int, columns: int) -> tuple[int, int]:
    """(rows, columns) of a grid of n panels, at most ``columns`` per row."""
    columns = min(columns, n)
    return -(-n // columns), columns


def _finish_panels(fig, axes, n: int, ylabel: str) -> None:
    """Hide the grid's unused panels, label the outer axes, and put one legend below the panels.

    axes: the (rows, columns) array of ``fig.subplots(..., squeeze=False)``;
    panel k is axes[k // columns, k % columns], the first n are used.
    """
    columns = axes.shape[1]
    for k in range(n, axes.size):
        axes[k // columns, k % columns].set_visible(False)
    for ax in axes[-1, :]:
        ax.set_xlabel("epoch", fontsize=8)
    for ax in axes[:, 0]:
        ax.set_ylabel(ylabel, fontsize=8)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2)


def _plot_smoothed(ax, losses: dict) -> None:
    """Each label's losses per step as a moving average (``_smooth``), one colour per label."""
    for i, (label, values) in enumerate(losses.items()):
        values = np.asarray(values, dtype=float)
        xs, smooth = _smooth(np.arange(1, len(values) + 1), values)
        ax.plot(xs, smooth, color=_COLORS[i % len(_COLORS)], label=label)


def _smooth(x, y, window: int | None = None):
    """A centred moving average of y (NaN steps skipped): returns (x, y) trimmed to the full windows."""
    y = np.asarray(y, dtype=float)
    x = np.asarray(x)
    finite = np.isfinite(y)
    x, y = x[finite], y[finite]
    if window is None:
        window = max(1, min(len(y) // 40, 50))
    if window < 2 or len(y) < window:
        return x, y
    kernel = np.full(window, 1.0 / window)
    half = (window - 1) // 2
    return x[half:half + len(y) - window + 1], np.convolve(y, kernel, mode="valid")
