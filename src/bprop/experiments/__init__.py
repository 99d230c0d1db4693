"""The numbers behind the book's chapter 6 pictures; ``bprop.plot`` draws them.

Each experiment is a function that returns plain data (arrays, dicts, small
records) and needs NumPy only, so tests assert on the numbers and
``bprop.plot`` turns the same numbers into figures:

    §6.1.7  optimizer_paths          SGD … Adam on f(x, y) = x²/20 + y² from (-7, 2)
    §6.1.8  optimizer_mnist_losses   their MNIST loss per step
    §6.2.2  activation_histograms    activations of 5 hidden layers for 1000 random inputs
    §6.2.4  init_comparison          MNIST loss for std 0.01, Xavier and He
    §6.3.2  batchnorm_comparison     training accuracy with and without batch norm
    §6.4    overfitting              300 samples, 7 layers: weight decay, dropout
    §6.5    random_search            learning rate and weight decay on a validation split

(one module per section: optimizers.py, init_weights.py, batchnorm.py,
overfitting.py, search.py; the runs they share in _runs.py)

The defaults are the book's settings; every size can be shrunk (``iters``,
``epochs``, ``trials``, ``train_size``, ``test_size``). ``seed`` fixes the
initial weights, the mini-batches and the dropout masks; within one experiment
the variants compared share the same initial weights and the same batches, so
the difference between curves is the technique, not the luck of the draw.
``data`` takes ``load_mnist()``'s ``((x_train, t_train), (x_test, t_test))``;
by default the shipped MNIST is loaded. Nets are float32 by default (pass
``dtype=np.float64`` for the book's precision).
"""

from bprop.experiments._runs import Run, Trial
from bprop.experiments.batchnorm import batchnorm_comparison, epochs_to_reach
from bprop.experiments.init_weights import activation_histograms, init_comparison, init_label
from bprop.experiments.optimizers import OPTIMIZER_LRS, optimizer_mnist_losses, optimizer_paths, steps_to_reach
from bprop.experiments.overfitting import overfitting
from bprop.experiments.search import random_search, validation_split

__all__ = [
    "OPTIMIZER_LRS", "Run", "Trial",
    "activation_histograms", "optimizer_paths", "optimizer_mnist_losses", "init_comparison",
    "batchnorm_comparison", "overfitting", "random_search",
    "steps_to_reach", "epochs_to_reach", "init_label", "validation_split",
]
