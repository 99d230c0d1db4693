"""``bprop train``: train a net on MNIST (or any IDX dataset) and report its accuracy.

The defaults are the book's ch05/train_neuralnet.py: TwoLayerNet 784-50-10,
SGD with learning rate 0.1, mini-batches of 100, 10,000 steps.
"""

from __future__ import annotations

import argparse
import math

import numpy as np

from bprop.cli import CommandError
from bprop.cli._data import add_data_option, load_data, summary

_MODELS = ("two-layer", "multi-layer")
_ACTIVATIONS = ("relu", "sigmoid", "tanh", "leaky_relu", "elu", "gelu", "silu", "softplus")
_OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
# Learning rates when --lr is not given: the ch.5 script's 0.1 for SGD, the
# book's defaults (§6.1) for the others.
_DEFAULT_LR = {"sgd": 0.1, "momentum": 0.01, "nesterov": 0.01, "adagrad": 0.01, "rmsprop": 0.01,
               "adam": 0.001}
_DEFAULT_HIDDEN = {"two-layer": "50", "multi-layer": "100,100,100,100"}
_DEFAULT_ITERS = 10_000

_DESCRIPTION = """\
Train a neural network on handwritten digits and print its accuracy.

With no options this is the book's chapter 5 experiment (ch05/train_neuralnet.py):
a two-layer net (784 inputs, 50 hidden ReLU units, 10 outputs) learns MNIST by
backpropagation, with plain SGD (learning rate 0.1) on mini-batches of 100 images
for 10,000 steps. After each epoch (one pass over the 60,000 training images,
600 steps) it prints the accuracy on the training and test images; the final
test accuracy is about 97 %. It takes a few seconds.
"""

_EPILOG = """\
examples:
  bprop train                                   the book's ch.5 run
  bprop train --save net.npz                    ... and keep the trained net
  bprop train --model multi-layer --hidden 100,100 --activation sigmoid --init xavier
  bprop train --optimizer adam --epochs 5       Adam, default learning rate 0.001
  bprop train --data ~/fashion-mnist            any directory of IDX files

then:  bprop evaluate net.npz   |   bprop predict net.npz --index 0
"""


def register(subparsers):
    p = subparsers.add_parser(
        "train",
        help="train a net on MNIST (the book's ch.5 run by default) and print its accuracy",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    net = p.add_argument_group("the network")
    net.add_argument("--model", choices=_MODELS, default="two-layer",
                     help="two-layer: the book's TwoLayerNet, Affine-ReLU-Affine (default); "
                          "multi-layer: the book's MultiLayerNet, any number of hidden layers")
    net.add_argument("--hidden", metavar="SIZES",
                     help="hidden layer sizes, comma-separated: one size for two-layer "
                          "(default 50), several for multi-layer (default 100,100,100,100)")
    net.add_argument("--activation", choices=_ACTIVATIONS, default="relu",
                     help="activation of the hidden layers (multi-layer; two-layer is always relu)")
    net.add_argument("--init", metavar="he|xavier|STD",
                     help="initial weights: 'he' (std sqrt(2/n), for relu), 'xavier' (std sqrt(1/n), "
                          "for sigmoid/tanh) or a standard deviation such as 0.01; default: 0.01 "
                          "for two-layer as in the book, he or xavier to suit the activation for "
                          "multi-layer")
    net.add_argument("--weight-decay", metavar="LAMBDA", default="0",
                     help="L2 weight decay: adds LAMBDA/2 * sum(W**2) to the loss (multi-layer; "
                          "default 0)")
    learn = p.add_argument_group("learning")
    learn.add_argument("--optimizer", choices=_OPTIMIZERS, default="sgd", type=str.lower,
                       help="how the gradients update the weights (default sgd)")
    learn.add_argument("--lr", metavar="RATE",
                       help="learning rate (default 0.1 for sgd, 0.001 for adam, 0.01 for the others)")
    length = learn.add_mutually_exclusive_group()
    length.add_argument("--iters", metavar="N",
                        help=f"number of mini-batch steps (default {_DEFAULT_ITERS:,})")
    length.add_argument("--epochs", metavar="N",
                        help="number of passes over the training images, instead of --iters")
    learn.add_argument("--batch-size", metavar="N", default="100",
                       help="images per mini-batch (default 100)")
    learn.add_argument("--seed", metavar="N", default="0",
                       help="random seed for the initial weights and the shuffling; the same seed "
                            "gives the same run (default 0)")
    learn.add_argument("--dtype", choices=("float32", "float64"), default="float32",
                       help="number format: float32 (default, faster) or float64 (the book's)")
    io = p.add_argument_group("data and output")
    add_data_option(io)
    io.add_argument("--save", metavar="FILE",
                    help="write the trained net to FILE (.npz), for bprop evaluate / predict")
    io.add_argument("--quiet", "-q", action="store_true",
                    help="no progress bar and no per-epoch lines; print only the final accuracy")
    p.set_defaults(func=run)


def run(args) -> int:
    from bprop.nets import MultiLayerNet, TwoLayerNet
    from bprop.optim import OPTIMIZERS
    from bprop.train import Trainer

    dtype = np.dtype(args.dtype)
    hidden = _sizes(args.hidden or _DEFAULT_HIDDEN[args.model], "--hidden")
    init = _init_spec(args.init, args.model, args.activation)
    decay = _number(args.weight_decay, "--weight-decay", minimum=0.0)
    lr = _number(args.lr, "--lr", positive=True) if args.lr is not None else _DEFAULT_LR[args.optimizer]
    batch_size = _count(args.batch_size, "--batch-size")
    seed = _count(args.seed, "--seed", minimum=0)
    if args.model == "two-layer":
        if len(hidden) != 1:
            raise CommandError(f"--model two-layer has one hidden layer; --hidden got {len(hidden)} "
                               f"sizes (use --model multi-layer for more)")
        if args.activation != "relu":
            raise CommandError("--activation applies to --model multi-layer; the book's TwoLayerNet "
                               "uses relu")
        if decay:
            raise CommandError("--weight-decay applies to --model multi-layer")
    if args.save is not None:
        _check_writable(args.save)

    (x_train, t_train), (x_test, t_test) = load_data(args.data, dtype)
    n_in, n_out = x_train[0].size, 10
    rng = np.random.default_rng(seed)
    if args.model == "two-layer":
        net = TwoLayerNet(n_in, hidden[0], n_out, weight_init_std=init, dtype=dtype, rng=rng)
    else:
        net = MultiLayerNet(n_in, hidden, n_out, activation=args.activation, weight_init_std=init,
                            weight_decay_lambda=decay, dtype=dtype, rng=rng)
    optimizer = OPTIMIZERS[args.optimizer](lr=lr)
    steps_per_epoch = math.ceil(len(x_train) / batch_size)
    if args.epochs is not None:
        iters = _count(args.epochs, "--epochs") * steps_per_epoch
    else:
        iters = _count(args.iters, "--iters") if args.iters is not None else _DEFAULT_ITERS

    if not args.quiet:
        print(f"{summary(net)}; {type(optimizer).__name__} lr={lr:g}; batch {batch_size}; "
              f"{iters:,} steps ({iters / steps_per_epoch:.3g} epochs of {steps_per_epoch}); seed {seed}")
    trainer = Trainer(net, x_train, t_train, x_test, t_test, mini_batch_size=batch_size,
                      optimizer=optimizer, iters=iters, seed=rng, verbose=not args.quiet,
                      progress=False if args.quiet else None)
    history = trainer.train()
    acc = history.test_acc[-1]
    print(f"test accuracy {acc:.4f} ({acc:.2%}) after {iters:,} steps, {history.seconds:.1f} s")
    if args.save is not None:
        path = net.save(args.save)
        print(f"saved the net to {path}")
    return 0


def _number(text: str, option: str, *, positive: bool = False, minimum: float | None = None) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    bad = not math.isfinite(value) or (positive and value <= 0) or (minimum is not None and value < minimum)
    if bad:
        want = "a number > 0" if positive else f"a number >= {minimum:g}" if minimum is not None else "a number"
        raise CommandError(f"{option} expects {want}, got {text!r}")
    return value


def _count(text: str, option: str, *, minimum: int = 1) -> int:
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < minimum:
        raise CommandError(f"{option} expects a whole number >= {minimum}, got {text!r}")
    return value


def _sizes(text: str, option: str) -> list[int]:
    parts = [s.strip() for s in text.replace(" ", ",").split(",") if s.strip()]
    if not parts:
        raise CommandError(f"{option} expects sizes like 50 or 100,100, got {text!r}")
    return [_count(s, option) for s in parts]


def _init_spec(text: str | None, model: str, activation: str):
    """--init as bprop.init understands it; the default depends on the model and activation."""
    if text is None:
        if model == "two-layer":
            return 0.01
        return "xavier" if activation in ("sigmoid", "tanh") else "he"
    name = text.strip().lower()
    if name in ("he", "relu", "xavier", "sigmoid"):
        return name
    try:
        value = float(name)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise CommandError(f"--init expects 'he', 'xavier' or a standard deviation > 0 such as 0.01, "
                           f"got {text!r}")
    return value


def _check_writable(path: str) -> None:
    """Fail before training, not after it, when --save cannot be written."""
    from pathlib import Path

    parent = Path(path).resolve().parent
    if not parent.is_dir():
        raise CommandError(f"--save {path}: the directory {parent} does not exist")
    if Path(path).is_dir():
        raise CommandError(f"--save {path}: is a directory; give a file name such as net.npz")
