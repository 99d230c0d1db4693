"""``bprop search``: random search of learning rate and weight decay on a validation split (book §6.5).

    bprop search                    the book's run: 100 trials of 50 epochs on 500 images
    bprop search --trials 20 --epochs 20 -o search.svg
"""

from __future__ import annotations

import argparse
import math

from bprop.cli._common import CommandError, check_figure_output, count, write_figure

_DESCRIPTION = """\
Random search of hyperparameters, as in the book's §6.5.3
(ch06/hyperparameter_optimization.py): the first 500 training images are
shuffled and split, 20 % held out for validation (the test images are never
used). Each trial draws a learning rate from 10^U(-6, -2) and a weight decay
from 10^U(-8, -4), trains a 7-layer ReLU net with SGD, and is ranked by its
final validation accuracy. Prints the ranked table and draws the best runs.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "search",
        help="random search of learning rate and weight decay on a validation split (§6.5)",
        description=_DESCRIPTION,
        epilog="examples:\n  bprop search\n  bprop search --trials 20 --epochs 20 --show 10 -o best.svg\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--trials", metavar="N", default="100", help="how many random trials (default 100)")
    p.add_argument("--epochs", metavar="N", default="50", help="epochs per trial (default 50)")
    p.add_argument("--train-size", metavar="N", default="500",
                   help="training images used, validation included (default 500)")
    p.add_argument("--lr", metavar="LOW,HIGH", default="1e-6,1e-2",
                   help="learning rate range, drawn log-uniformly (default 1e-6,1e-2)")
    p.add_argument("--weight-decay", metavar="LOW,HIGH", default="1e-8,1e-4",
                   help="weight decay range, drawn log-uniformly (default 1e-8,1e-4)")
    p.add_argument("--show", metavar="N", default="20", help="trials drawn, best first (default 20)")
    p.add_argument("--seed", metavar="N", default="0", help="random seed (default 0)")
    p.add_argument("-o", "--output", metavar="FILE", default="search.png",
                   help="the picture: .png, .svg or .pdf (default search.png)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bprop import experiments, plot

    check_figure_output(args.output)
    trials = count(args.trials, "--trials")
    epochs = count(args.epochs, "--epochs")
    show = count(args.show, "--show")
    lr_range = _range(args.lr, "--lr")
    decay_range = _range(args.weight_decay, "--weight-decay")
    results = experiments.random_search(trials, epochs=epochs, train_size=count(args.train_size, "--train-size"),
                                        lr_range=lr_range, weight_decay_range=decay_range,
                                        seed=count(args.seed, "--seed", minimum=0))
    print(f"{'rank':>4}  {'val acc':>7}  {'train acc':>9}  {'lr':>8}  {'weight decay':>12}")
    for rank, trial in enumerate(results, start=1):
        note = f"  overflowed in epoch {trial.diverged_at}" if trial.diverged_at else ""
        print(f"{rank:>4}  {trial.final_val_acc:>7.3f}  {trial.train_acc[-1]:>9.3f}  {trial.lr:>8.2e}  "
              f"{trial.weight_decay:>12.2e}{note}")
    return write_figure(plot.search_figure(results, best=show), args.output, f"the best {min(show, trials)} runs")


def _range(text: str, option: str) -> tuple[float, float]:
    parts = [s.strip() for s in text.split(",")]
    try:
        low, high = (float(s) for s in parts)
    except ValueError:
        low = high = math.nan
    if not (0 < low <= high < math.inf):
        raise CommandError(f"{option} expects LOW,HIGH with 0 < LOW <= HIGH, such as 1e-6,1e-2; got {text!r}")
    return low, high
