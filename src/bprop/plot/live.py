"""Training curves while a ``Trainer`` runs: ``Trainer(..., callbacks=[LivePlot()])``.

In a notebook (IPython imported, a kernel running) the figure of ``training_figure`` — the
loss per step, raw and smoothed, and the accuracies after each epoch — is shown once,
through a display handle (``IPython.display.display(..., display_id=True)``), and redrawn in
place with ``handle.update``: at most once every ``every`` seconds, and once more when
``train()`` ends. Nothing is cleared (no ``clear_output``), so what the cell prints stays.

Elsewhere (a terminal, a script, a test) each update is one printed line instead::

    live  step  250/1000  loss 0.3817  train acc 0.9012  test acc 0.8954

and ``save(path)`` (or ``path=`` to write it at the end) draws the figure into a PNG, SVG or
PDF file, atomically. matplotlib is needed for the figure only: without it a LivePlot that
would draw raises ``MatplotlibMissing`` when it is made, before the training starts.
"""

from __future__ import annotations

import io
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bprop import _progress
from bprop._checks import real
from bprop._types import PathLike
from bprop.plot._figure import require_matplotlib, save
from bprop.plot.training import training_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from bprop.train import History, Trainer

__all__ = ["LivePlot"]


class LivePlot:
    """A Trainer callback: the training curves redrawn in place in a notebook, a line per update elsewhere.

    every:    seconds of training between two updates at least (from the end of one
              to the start of the next; 0: after every step); the last step of a
              ``train()`` call is always shown.
    path:     where ``finish`` writes the figure at the end (.png, .svg, .pdf), or None.
    title:    a title above the figure (the step count follows it).
    notebook: draw into the notebook (True), print lines (False), or None: whether
              this runs in a Jupyter kernel.
    log:      where the lines go outside a notebook (default ``print``).
    clock:    the time source, in seconds (tests pass a fake one).

    ``updates`` counts the updates shown; ``history`` is the last trainer's History.
    """

    def __init__(self, every: float = 2.0, *, path: PathLike | None = None, title: str | None = None,
                 notebook: bool | None = None, log: Callable[[str], Any] = print,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.every = real(every, "every", 0.0, math.inf, open_high=True, owner="LivePlot")
        self.path, self.title, self.log, self.clock = path, title, log, clock
        self.notebook = _progress.in_notebook() if notebook is None else bool(notebook)
        if self.notebook or path is not None:
            require_matplotlib()  # MatplotlibMissing now, not after the first epoch
        self.updates = 0
        self.history: History | None = None
        self._handle: Any = None  # the notebook's display handle, made at the first update
        self._shown_at: float | None = None  # clock() at the last update
        self._shown_step: int | None = None  # the step it showed
        self._steps = (0, 0)  # (step, max_iter) of the last trainer seen
        self._loss_from = 0  # the first loss not yet averaged into a printed line

    def __call__(self, trainer: Trainer) -> None:
        """After each step: an update when ``every`` seconds have passed since the last one."""
        if self._shown_at is None or self.clock() - self._shown_at >= self.every:
            self.update(trainer)

    def finish(self, trainer: Trainer) -> None:
        """When ``train()`` ends: the last step shown (unless it just was) and the file written if ``path`` was given."""
        if trainer.current_iter != self._shown_step and trainer.history.loss:
            self.update(trainer)
        if self.path is not None and self.history is not None:
            self.save(self.path)

    def update(self, trainer: Trainer) -> None:
        """Show the trainer's history now: redraw the notebook's figure, or print one line."""
        self.history = trainer.history
        self._steps = (trainer.current_iter, trainer.max_iter)
        self._shown_step = trainer.current_iter
        self.updates += 1
        if not self.notebook:
            self.log(self.line())
        elif self._handle is None:
            self._handle = _display(_Image(self.figure()))
        else:
            self._handle.update(_Image(self.figure()))
        # Timed from the end of the update: drawing takes a good part of a second, and training goes on
        # for ``every`` seconds between two drawings however slow they are.
        self._shown_at = self.clock()

    def line(self) -> str:
        """The printed line: the step, the mean loss since the last line, the last accuracies."""
        h = self._shown()
        step, total = self._steps
        losses = h.loss[self._loss_from:] or h.loss[-1:]
        self._loss_from = len(h.loss)
        width = len(str(total))
        text = f"live  step {step:>{width}}/{total}  loss {sum(losses) / len(losses):.4f}"
        if h.test_acc:
            text += f"  train acc {h.train_acc[-1]:.4f}  test acc {h.test_acc[-1]:.4f}"
        return text

    def figure(self) -> Figure:
        """The training curves of the last update, as a new matplotlib Figure."""
        history = self._shown()
        step, total = self._steps
        label = f"step {step}/{total}"
        return training_figure(history, title=f"{self.title} — {label}" if self.title else label)

    def save(self, path: PathLike) -> Path:
        """Write the figure of the last update to ``path`` (format by extension), atomically; returns the path."""
        return save(self.figure(), path)

    def _shown(self) -> History:
        """The History of the last update; RuntimeError before the first."""
        if self.history is None:
            raise RuntimeError("LivePlot has shown nothing yet: pass it to a Trainer (callbacks=[...]) and train")
        return self.history


class _Image:
    """A figure as Jupyter shows it: PNG bytes (``_repr_png_``), rendered by Agg without pyplot."""

    def __init__(self, fig: Figure) -> None:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=80)
        self.png = buffer.getvalue()

    def _repr_png_(self) -> bytes:
        return self.png

    def __repr__(self) -> str:
        return "<training curves>"


def _display(obj: object) -> Any:
    """IPython's display handle showing ``obj``; ``handle.update(new)`` replaces it in place."""
    from IPython.display import display

    return display(obj, display_id=True)
