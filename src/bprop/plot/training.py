"""The training curves of a run: the loss per step and the accuracy per epoch of a ``bprop.train.History``."""

from __future__ import annotations

import numpy as np

from bprop.plot._figure import COLORS, moving_average, require_matplotlib

__all__ = ["training_figure"]


def training_figure(history, title: str | None = None):
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
