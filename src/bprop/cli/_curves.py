"""What ``bprop train --plot`` draws for book 2's and the Transformer's models: the trainer's reports within
each epoch and the measures after it (``bprop.plot.epochs_figure``)."""

from __future__ import annotations


class Curves:
    """The numbers of a run, epoch by epoch. step_label names what the trainer reports ("loss", "perplexity")
    every ``interval`` iterations (at iterations 0, interval, 2·interval … of each epoch)."""

    def __init__(self, step_label: str, interval: int):
        self.step_label, self.interval = step_label, interval
        self.iterations: list[int] = []
        self.steps: list[float] = []
        self.epochs: dict[str, list[float]] = {}
        self._done = 0  # iterations of the epochs recorded so far

    def add_epoch(self, reported, iterations: int, **measures) -> None:
        """One epoch: the trainer's reports, the epoch's number of iterations, its measures (name=value)."""
        self.iterations += [self._done + k * self.interval + 1 for k in range(len(reported))]
        self.steps += [float(v) for v in reported]
        self._done += iterations
        for name, value in measures.items():
            self.epochs.setdefault(name.replace("_", " "), []).append(float(value))

    def write(self, path: str, title: str) -> None:
        from bprop import plot

        figure = plot.epochs_figure(self.iterations, self.steps, self.step_label, self.epochs, title=title)
        print(f"wrote the training curves to {plot.save(figure, path)}")
