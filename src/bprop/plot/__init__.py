"""Figures for the book's chapter 6 and for training runs, drawn with matplotlib.

Each ``*_figure`` function takes the numbers an experiment of
``bprop.experiments`` (or a ``Trainer``'s ``History``) returned and gives back
a ``matplotlib.figure.Figure``; ``save`` writes it::

    from bprop import experiments, plot
    paths = experiments.optimizer_paths()
    plot.save(plot.optimizers_figure(paths), "optimizers.png")

matplotlib is an optional extra (``pip install 'bprop[plot]'``), imported only
when a figure is drawn; without it these functions raise ``MatplotlibMissing``
(an ImportError) saying so. ``save`` picks the format from the extension
(.png, .svg, .pdf) and writes atomically.

    _figure.py   save, require_matplotlib, colours and panel grids shared by the figures
    training.py  training_figure: loss per step, accuracy per epoch; epochs_figure: book 2's runs
    chapter6.py  §6.1–6.5: optimizers, activations, init, batchnorm, overfitting, search
    filters.py   §7.6: a convnet's first filters before and after training
    attention.py book 2 §8.4: a seq2seq answer's attention map
    live.py      LivePlot: a Trainer callback redrawing the training curves in place in a notebook
"""

from bprop.plot._figure import FORMATS, INSTALL_HINT, MatplotlibMissing, format_of, require_matplotlib, save
from bprop.plot.attention import attention_figure
from bprop.plot.chapter6 import (
    activations_figure,
    batchnorm_figure,
    init_figure,
    optimizers_figure,
    overfitting_figure,
    search_figure,
)
from bprop.plot.filters import filter_grid, filters_figure, neighbour_correlation
from bprop.plot.live import LivePlot
from bprop.plot.training import epochs_figure, training_figure

__all__ = [
    "MatplotlibMissing", "FORMATS", "INSTALL_HINT", "save", "require_matplotlib", "format_of",
    "training_figure", "epochs_figure", "activations_figure", "optimizers_figure", "init_figure",
    "overfitting_figure", "batchnorm_figure", "search_figure",
    "filter_grid", "neighbour_correlation", "filters_figure", "attention_figure", "LivePlot",
]
