"""The training curves of a run: a ``bprop.train.History``'s loss per step and accuracy per epoch, or book 2's
and the Transformer's measures per report interval and per epoch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from bprop.plot._figure import COLORS, moving_average, require_matplotlib

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from bprop.train import History

__all__ = ["training_figure", "epochs_figure"]


def training_figure(history: History, title: str | None = None) -> Figure:
    """Loss per step (raw and smoothed) and train/test accuracy per epoch of a ``bprop.train.History``."""
    Figure = require_matplotlib()
    fig = Figure(figsize=(10, 4), layout="constrained")
    ax_loss, ax_acc = fig.subplots(1, 2)
    loss = np.asarray(history.loss, dtype=float)
    steps = np.arange(1, len(loss) + 1)
    ax_loss.plot(steps, loss, color=COLORS[0], alpha=0.25, linewidth=0.8, label="mini-batch loss")
    xs, smooth = moving_average(steps, loss)
    ax_loss.plot(xs, smooth, color=COLORS[0], linewidth=1.8, label="moving average")
    ax_loss.set(xlabel="iteration", ylabel="loss", title="training loss per iteration")
    ax_loss.set_ylim(bottom=0)
    ax_loss.legend()
    epochs = np.asarray(history.epochs)
    ax_acc.plot(epochs, history.train_acc, "o-", color=COLORS[0], label="train")
    ax_acc.plot(epochs, history.test_acc, "s--", color=COLORS[1], label="test")
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


def epochs_figure(iterations: Sequence[int], steps: Sequence[float], step_label: str, epochs: dict,
                  title: str | None = None) -> Figure:
    """Book 2's and the Transformer's runs: the measure the trainer reported at each of ``iterations``, and the
    measures after each epoch.

    iterations, steps: where (counted over the whole run, from 1) and what the trainer reported (its loss_list
    or ppl_list); epochs: name → one value per epoch ("validation perplexity", "test accuracy" …).
    Perplexities are drawn on a log scale, accuracies from 0 to 1.
    """
    Figure = require_matplotlib()
    fig = Figure(figsize=(10, 4), layout="constrained")
    ax_steps, ax_epochs = fig.subplots(1, 2)
    values = np.asarray(steps, dtype=float)
    ax_steps.plot(np.asarray(iterations), values, color=COLORS[0], linewidth=1.2)
    ax_steps.set(xlabel="iteration", ylabel=step_label, title=f"{step_label} while training")
    if "perplexity" in step_label and len(values) and values.min() > 0:
        ax_steps.set_yscale("log")
    for k, (name, measures) in enumerate(epochs.items()):
        ax_epochs.plot(np.arange(1, len(measures) + 1), measures, "os^D"[k % 4] + "-", color=COLORS[k % len(COLORS)],
                       label=name)
    names = " ".join(epochs)
    if "accuracy" in names:
        ax_epochs.set_ylim(0, 1.005)
    elif "perplexity" in names and all(min(m, default=1) > 0 for m in epochs.values()):
        ax_epochs.set_yscale("log")
    ax_epochs.set(xlabel="epoch", title="after each epoch")
    ax_epochs.xaxis.get_major_locator().set_params(integer=True)
    ax_epochs.grid(alpha=0.3)
    ax_epochs.legend()
    if title:
        fig.suptitle(title)
    return fig
