"""The pictures of the book's chapter 6, from the numbers ``bprop.experiments`` returns.

    §6.1  optimizers_figure     §6.2  activations_figure, init_figure
    §6.3  batchnorm_figure      §6.4  overfitting_figure      §6.5  search_figure
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from bprop.plot._figure import COLORS, finish_panels, panel_grid, plot_smoothed, require_matplotlib

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["optimizers_figure", "activations_figure", "init_figure", "batchnorm_figure",
           "overfitting_figure", "search_figure"]


# --- §6.1 optimizers -----------------------------------------------------------------------


def optimizers_figure(paths: dict, losses: dict | None = None, *, lrs: dict | None = None) -> Figure:
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
        ax.plot(xs, ys, "o-", color=COLORS[i % len(COLORS)], markersize=3, linewidth=1)
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
        plot_smoothed(ax, losses)
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


def activations_figure(rows: dict, activation: str) -> Figure:
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
            ax.hist(values, bins=30, range=limits, color=COLORS[r % len(COLORS)])
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


def init_figure(losses: dict) -> Figure:
    """MNIST loss per step for each weight init (``experiments.init_comparison``), smoothed."""
    Figure = require_matplotlib()
    fig = Figure(figsize=(7, 4.5), layout="constrained")
    ax = fig.subplots()
    plot_smoothed(ax, losses)
    ax.axhline(np.log(10), color="0.6", linestyle=":", linewidth=1)
    ax.annotate("ln 10: guessing", (0, np.log(10)), textcoords="offset points", xytext=(4, 4), fontsize=8,
                color="0.4")
    ax.set(xlabel="iteration", ylabel="loss (moving average)", ylim=(0, None),
           title="MNIST loss by initial weights\n5-layer ReLU net, 100 units per layer, SGD lr 0.01")
    ax.grid(alpha=0.3)
    ax.legend()
    return fig


# --- §6.3 batch normalisation --------------------------------------------------------------


def batchnorm_figure(results: list, columns: int = 4) -> Figure:
    """Training accuracy per epoch with and without batch norm, one panel per weight scale.

    results: ``experiments.batchnorm_comparison``'s [(scale, run_bn, run_plain)].
    A run that diverged ends with an ×.
    """
    Figure = require_matplotlib()
    n = len(results)
    rows, columns = panel_grid(n, columns)
    fig = Figure(figsize=(2.6 * columns + 0.4, 2.1 * rows + 1.0), layout="constrained")
    axes = fig.subplots(rows, columns, squeeze=False, sharex=True, sharey=True)
    for k, (scale, *runs) in enumerate(results):
        ax = axes[k // columns, k % columns]
        for run, style, color in zip(runs, ("-", "--"), COLORS):
            ax.plot(range(len(run.train_acc)), run.train_acc, style, color=color, label=run.label)
            if run.diverged_at is not None:
                ax.plot(len(run.train_acc) - 1, run.train_acc[-1], "x", color=color, markersize=8)
        ax.set_title(f"W std = {scale:.2g}", fontsize=9)
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=7)
    finish_panels(fig, axes, n, "train accuracy")
    fig.suptitle("Batch normalization: training accuracy per epoch for each initial weight scale "
                 "(× marks a run that overflowed)")
    return fig


# --- §6.4 overfitting ----------------------------------------------------------------------


def overfitting_figure(runs: list) -> Figure:
    """Train and test accuracy per epoch for each run (``experiments.overfitting``), side by side."""
    Figure = require_matplotlib()
    fig = Figure(figsize=(4.2 * len(runs), 4), layout="constrained")
    axes = fig.subplots(1, len(runs), squeeze=False, sharey=True)[0]
    for ax, run in zip(axes, runs):
        epochs = np.arange(len(run.train_acc))
        ax.plot(epochs, run.train_acc, color=COLORS[0], label="train")
        ax.plot(epochs, run.test_acc, "--", color=COLORS[1], label="test")
        ax.fill_between(epochs, run.test_acc, run.train_acc, color=COLORS[0], alpha=0.08)
        ax.set_title(f"{run.label}\nfinal gap train - test = {run.gap:.2f}", fontsize=10)
        ax.set(xlabel="epoch", ylim=(0, 1.02))
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right")
    axes[0].set_ylabel("accuracy")
    fig.suptitle("Overfitting: 300 training images, 7-layer net")
    return fig


# --- §6.5 hyperparameters ------------------------------------------------------------------


def search_figure(trials: list, best: int = 20, columns: int = 5) -> Figure:
    """Validation (solid) and training (dashed) accuracy per epoch of the ``best`` trials of a random search."""
    Figure = require_matplotlib()
    shown = trials[:best]
    if not shown:
        raise ValueError("search_figure needs at least one trial")
    rows, columns = panel_grid(len(shown), columns)
    fig = Figure(figsize=(2.5 * columns + 0.4, 2.0 * rows + 0.9), layout="constrained")
    axes = fig.subplots(rows, columns, squeeze=False, sharex=True, sharey=True)
    for k, trial in enumerate(shown):
        ax = axes[k // columns, k % columns]
        epochs = np.arange(len(trial.val_acc))
        ax.plot(epochs, trial.val_acc, color=COLORS[0], label="validation")
        ax.plot(epochs, trial.train_acc, "--", color="0.5", label="train")
        ax.set_title(f"#{k + 1} val {trial.final_val_acc:.2f}\nlr {trial.lr:.1e}, λ {trial.weight_decay:.1e}",
                     fontsize=8)
        ax.set_ylim(0, 1.02)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    finish_panels(fig, axes, len(shown), "accuracy")
    fig.suptitle(f"Random search: the best {len(shown)} of {len(trials)} trials (learning rate lr, weight decay λ)")
    return fig
