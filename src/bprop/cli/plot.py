"""``bprop plot``: the pictures of the book's chapter 6, drawn from real runs.

    bprop plot activations --activation sigmoid --init 1     §6.2.2: activations of 5 hidden layers
    bprop plot optimizers                                    §6.1.7-6.1.8: SGD, Momentum, AdaGrad, Adam
    bprop plot init                                          §6.2.4: std 0.01, Xavier, He on MNIST
    bprop plot overfitting                                   §6.4: weight decay and dropout
    bprop plot batchnorm                                     §6.3.2: with and without batch norm
    bprop plot filters net.npz                               §7.6: a convnet's first filters, before and after training
    bprop plot attention date.npz "september 27, 1994"       book 2 §8.4: where each answer character looked

Each prints the numbers behind its picture, then writes it (PNG, or SVG/PDF by
the extension of -o) and prints where. The defaults are the book's settings;
--iters, --epochs and the like shrink a run.
"""

from __future__ import annotations

import argparse

from bprop.cli import _attention, _filters
from bprop.cli._common import check_figure_output, count, number, write_figure

_INITS = ("1", "0.01", "xavier", "he")

_FIGURES = {
    "activations": "histograms of the activations of 5 hidden layers for 1000 random inputs (§6.2.2)",
    "optimizers": "SGD, Momentum, AdaGrad and Adam on x²/20 + y² and on MNIST (§6.1.7-6.1.8)",
    "init": "MNIST loss with initial weights of std 0.01, Xavier and He (§6.2.4)",
    "overfitting": "300 training images, 7 layers: train and test accuracy, plain, weight decay, dropout (§6.4)",
    "batchnorm": "training accuracy with and without batch normalization for 16 weight scales (§6.3.2)",
    "filters": _filters.HELP,
    "attention": _attention.HELP,
}


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "plot",
        help="draw the pictures of chapter 6 (optimizers, initial weights, batch norm, overfitting)",
        description="Run one of the book's chapter 6 experiments, print its numbers and draw its picture. "
                    "Needs matplotlib: pip install 'bprop[plot]'.",
        epilog="examples:\n  bprop plot activations --activation sigmoid --init 1\n"
               "  bprop plot optimizers -o optimizers.svg\n  bprop plot overfitting --epochs 50\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    figures = p.add_subparsers(dest="figure", metavar="FIGURE", required=True)

    q = _figure_parser(figures, "activations")
    q.add_argument("--activation", choices=("sigmoid", "tanh", "relu"), default="sigmoid",
                   help="activation of the hidden layers (default sigmoid)")
    q.add_argument("--init", choices=(*_INITS, "all"), default="all",
                   help="weight std: 1 or 0.01 (the book's first two), xavier (sqrt(1/n)), he (sqrt(2/n)), "
                        "or all four as rows (default)")
    q.add_argument("--samples", metavar="N", default="1000", help="random inputs (default 1000)")

    q = _figure_parser(figures, "optimizers")
    q.add_argument("--steps", metavar="N", default="30", help="steps on x²/20 + y² (default 30, the book's)")
    q.add_argument("--iters", metavar="N", default="2000", help="MNIST steps per optimizer (default 2000)")

    q = _figure_parser(figures, "init")
    q.add_argument("--iters", metavar="N", default="2000", help="MNIST steps per init (default 2000)")

    q = _figure_parser(figures, "overfitting")
    q.add_argument("--epochs", metavar="N", default="200", help="epochs (default 200)")
    q.add_argument("--train-size", metavar="N", default="300", help="training images (default 300)")
    q.add_argument("--test-size", metavar="N", help="test images (default all 10,000)")
    q.add_argument("--weight-decay", metavar="LAMBDA", default="0.1", help="λ of the weight decay run (default 0.1)")
    q.add_argument("--dropout", metavar="P", default="0.2", help="ratio of the dropout run (default 0.2)")

    q = _figure_parser(figures, "batchnorm")
    q.add_argument("--epochs", metavar="N", default="20", help="epochs (default 20)")
    q.add_argument("--scales", metavar="N", default="16",
                   help="how many weight scales from 1 down to 0.0001, log-spaced (default 16)")
    q.add_argument("--train-size", metavar="N", default="1000", help="training images (default 1000)")

    _filters.add_arguments(_figure_parser(figures, "filters"))
    _attention.add_arguments(_figure_parser(figures, "attention"))


def _figure_parser(figures, name):
    q = figures.add_parser(name, help=_FIGURES[name], description=_FIGURES[name][0].upper() + _FIGURES[name][1:])
    default = "activations-ACTIVATION[-INIT].png" if name == "activations" else f"{name}.png"
    q.add_argument("-o", "--output", metavar="FILE", help=f"the picture: .png, .svg or .pdf (default {default})")
    q.add_argument("--seed", metavar="N", default="0", help="random seed (default 0)")
    q.set_defaults(func=run)
    return q


def run(args: argparse.Namespace) -> int:
    output = args.output or _default_output(args)
    check_figure_output(output)
    seed = count(args.seed, "--seed", minimum=0)
    figure, lines = _RUNNERS[args.figure](args, seed)
    for line in lines:
        print(line)
    return write_figure(figure, output)


# --- one runner per figure: (figure, lines to print) ---------------------------------------


def _default_output(args) -> str:
    if args.figure == "activations":
        suffix = "" if args.init == "all" else f"-{args.init}"
        return f"activations-{args.activation}{suffix}.png"
    return f"{args.figure}.png"


def _activations(args, seed):
    import numpy as np

    from bprop import experiments, plot

    samples = count(args.samples, "--samples")
    inits = _INITS if args.init == "all" else (args.init,)
    rows = {}
    lines = [f"{args.activation}, 5 hidden layers of 100 units, {samples} random inputs; share of activations:"]
    for name in inits:
        layers = experiments.activation_histograms(args.activation, name, samples=samples, seed=seed)
        label = experiments.init_label(name)
        rows[label] = layers
        if args.activation == "sigmoid":
            shares = [np.mean((z < 0.05) | (z > 0.95)) for z in layers]
            what = "below 0.05 or above 0.95"
        elif args.activation == "tanh":
            shares = [np.mean(np.abs(z) > 0.95) for z in layers]
            what = "beyond ±0.95"
        else:
            shares = [np.mean(z == 0) for z in layers]
            what = "exactly 0"
        stds = "  ".join(f"{z.std():.2g}" for z in layers)
        lines.append(f"  {label:<9} {what}: " + "  ".join(f"{s:4.0%}" for s in shares) + f"   std by layer: {stds}")
    return plot.activations_figure(rows, args.activation), lines


def _optimizers(args, seed):
    import numpy as np

    from bprop import experiments, plot

    steps = count(args.steps, "--steps")
    iters = count(args.iters, "--iters")
    paths = experiments.optimizer_paths(steps)
    losses = experiments.optimizer_mnist_losses(iters, seed=seed)
    lines = [f"{'optimizer':<10} {'lr':>5}  {'path length':>11}  {f'distance after {steps}':>18}  "
             f"{f'MNIST loss, last 100 of {iters}':>26}"]
    for name, (xs, ys) in paths.items():
        length = float(np.sum(np.hypot(np.diff(xs), np.diff(ys))))
        tail = float(np.nanmean(losses[name][-100:]))
        lines.append(f"{name:<10} {experiments.OPTIMIZER_LRS[name]:>5g}  {length:>11.2f}  "
                     f"{np.hypot(xs[-1], ys[-1]):>18.3f}  {tail:>26.3f}")
    return plot.optimizers_figure(paths, losses), lines


def _init(args, seed):
    import numpy as np

    from bprop import experiments, plot

    iters = count(args.iters, "--iters")
    losses = experiments.init_comparison(iters, seed=seed)
    lines = [f"MNIST loss (mean of the last 100 of {iters} steps):"]
    lines += [f"  {label:<9} {float(np.nanmean(values[-100:])):.3f}" for label, values in losses.items()]
    return plot.init_figure(losses), lines


def _overfitting(args, seed):
    from bprop import experiments, plot

    runs = experiments.overfitting(
        count(args.epochs, "--epochs"), train_size=count(args.train_size, "--train-size"),
        test_size=None if args.test_size is None else count(args.test_size, "--test-size"),
        weight_decay_lambda=number(args.weight_decay, "--weight-decay", low=0),
        dropout_ratio=number(args.dropout, "--dropout", low=0, high=1, open_high=True), seed=seed)
    lines = [f"{'':<22} {'train':>6} {'test':>6} {'gap':>6}"]
    lines += [f"{run.label:<22} {run.train_acc[-1]:>6.3f} {run.test_acc[-1]:>6.3f} {run.gap:>6.3f}" for run in runs]
    return plot.overfitting_figure(runs), lines


def _batchnorm(args, seed):
    import numpy as np

    from bprop import experiments, plot

    scales = np.logspace(0, -4, num=count(args.scales, "--scales"))
    results = experiments.batchnorm_comparison(count(args.epochs, "--epochs"), scales=scales,
                                               train_size=count(args.train_size, "--train-size"), seed=seed)
    lines = [f"{'W std':>8}  {'train acc with BN':>17}  {'without':>8}"]
    for scale, bn, plain in results:
        note = "  (overflowed in epoch %d)" % plain.diverged_at if plain.diverged_at else ""
        lines.append(f"{scale:>8.2g}  {bn.train_acc[-1]:>17.3f}  {plain.train_acc[-1]:>8.3f}{note}")
    return plot.batchnorm_figure(results), lines


_RUNNERS = {
    "activations": _activations,
    "optimizers": _optimizers,
    "init": _init,
    "overfitting": _overfitting,
    "batchnorm": _batchnorm,
    "filters": _filters.run,
    "attention": _attention.run,
}
