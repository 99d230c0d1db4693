"""``bprop train``: train a net on MNIST (or any IDX dataset) and report its accuracy.

The defaults are the book's ch05/train_neuralnet.py: TwoLayerNet 784-50-10,
SGD with learning rate 0.1, mini-batches of 100, 10,000 steps.
"""

from __future__ import annotations

import argparse
import math
import sys

import numpy as np

from bprop import _blas
from bprop.cli._common import (
    CommandError,
    Terminated,
    check_figure_output,
    check_output_path,
    count,
    counts,
    number,
    sigterm_as_interrupt,
)
from bprop.cli._data import add_data_option, load_data, summary
from bprop.layers import registry
from bprop.optim import OPTIMIZERS

_MODELS = ("two-layer", "multi-layer", "simple-conv", "deep-conv")
_CONV_MODELS = ("simple-conv", "deep-conv")
# MultiLayerNet's activation names (bprop.nets.ACTIVATIONS), from the layer registry.
_ACTIVATIONS = tuple(registry.activations())
_OPTIMIZERS = tuple(OPTIMIZERS)
# Learning rates when --lr is not given: the ch.5 script's 0.1 for SGD, the
# book's defaults (§6.1) for the others.
_DEFAULT_LR = {"sgd": 0.1, "momentum": 0.01, "nesterov": 0.01, "adagrad": 0.01, "rmsprop": 0.01,
               "adam": 0.001}
_DEFAULT_HIDDEN = {"two-layer": "50", "multi-layer": "100,100,100,100", "simple-conv": "100", "deep-conv": "50"}
_DEFAULT_ITERS = 10_000
# The book's ch07/train_convnet.py and ch08/train_deepnet.py: Adam, 20 epochs,
# and after each epoch the accuracy of the first 1,000 images of each set (a
# convnet's pass over all 70,000 costs a good part of an epoch).
_CONV_EPOCHS = 20
_CONV_EVAL_SAMPLES = 1000

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
  bprop train --model multi-layer --batchnorm --dropout 0.2 --weight-decay 0.01 --plot curves.png
  bprop train --model simple-conv --save conv.npz   the book's ch.7 convnet: Adam, 20 epochs
  bprop train --data ~/fashion-mnist            any directory of IDX files

then:  bprop evaluate net.npz   |   bprop predict net.npz --index 0   |   bprop plot filters conv.npz
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
                          "multi-layer: the book's MultiLayerNet, any number of hidden layers; "
                          "simple-conv: the book's ch.7 SimpleConvNet, conv-ReLU-pool-Affine-ReLU-Affine; "
                          "deep-conv: the book's ch.8 DeepConvNet, six 3x3 convs, dropout")
    net.add_argument("--hidden", metavar="SIZES",
                     help="hidden layer sizes, comma-separated: one size for two-layer "
                          "(default 50), several for multi-layer (default 100,100,100,100), the "
                          "Affine layer's for the conv models (default 100 simple-conv, 50 deep-conv)")
    net.add_argument("--activation", choices=_ACTIVATIONS, default="relu",
                     help="activation of the hidden layers (multi-layer; two-layer is always relu)")
    net.add_argument("--init", metavar="he|xavier|STD",
                     help="initial weights: 'he' (std sqrt(2/n), for relu), 'xavier' (std sqrt(1/n), "
                          "for sigmoid/tanh) or a standard deviation such as 0.01; default: 0.01 "
                          "for two-layer and simple-conv as in the book, he or xavier to suit the activation "
                          "for multi-layer; deep-conv is always he")
    net.add_argument("--weight-decay", metavar="LAMBDA", default="0",
                     help="L2 weight decay: adds LAMBDA/2 * sum(W**2) to the loss (multi-layer; "
                          "default 0)")
    net.add_argument("--batchnorm", action="store_true",
                     help="batch normalization after every hidden Affine layer (multi-layer; the book's "
                          "MultiLayerNetExtend)")
    net.add_argument("--dropout", metavar="P",
                     help="dropout after every hidden activation, dropping a share P in [0, 1) of the units "
                          "while training (multi-layer)")
    learn = p.add_argument_group("learning")
    learn.add_argument("--optimizer", choices=_OPTIMIZERS, type=str.lower,
                       help="how the gradients update the weights (default sgd; adam for the conv "
                            "models, as in the book)")
    learn.add_argument("--lr", metavar="RATE",
                       help="learning rate (default 0.1 for sgd, 0.001 for adam, 0.01 for the others)")
    length = learn.add_mutually_exclusive_group()
    length.add_argument("--iters", metavar="N",
                        help=f"number of mini-batch steps (default {_DEFAULT_ITERS:,})")
    length.add_argument("--epochs", metavar="N",
                        help="number of passes over the training images, instead of --iters "
                             "(default for the conv models: 20)")
    learn.add_argument("--batch-size", metavar="N", default="100",
                       help="images per mini-batch (default 100)")
    learn.add_argument("--eval-samples", metavar="N",
                       help="after each epoch, measure the accuracy on the first N training and test "
                            "images only (default: all; 1000 for the conv models, as in the book); the "
                            "final test accuracy always uses every test image")
    learn.add_argument("--seed", metavar="N", default="0",
                       help="random seed for the initial weights and the shuffling; the same seed "
                            "gives the same run (default 0)")
    learn.add_argument("--dtype", choices=("float32", "float64"), default="float32",
                       help="number format: float32 (default, faster) or float64 (the book's)")
    io = p.add_argument_group("data and output")
    add_data_option(io)
    io.add_argument("--save", metavar="FILE",
                    help="write the trained net to FILE (.npz), for bprop evaluate / predict")
    io.add_argument("--plot", metavar="FILE",
                    help="draw the loss per iteration and the accuracy per epoch to FILE (.png, .svg or .pdf; "
                         "needs matplotlib)")
    io.add_argument("--quiet", "-q", action="store_true",
                    help="no progress bar and no per-epoch lines; print only the final accuracy")
    p.set_defaults(func=run)


def run(args) -> int:
    from bprop.nets import MultiLayerNet, MultiLayerNetExtend, TwoLayerNet
    from bprop.train import Trainer

    dtype = np.dtype(args.dtype)
    conv = args.model in _CONV_MODELS
    if args.optimizer is None:
        args.optimizer = "adam" if conv else "sgd"
    hidden = counts(args.hidden or _DEFAULT_HIDDEN[args.model], "--hidden")
    init = _init_spec(args.init, args.model, args.activation)
    decay = number(args.weight_decay, "--weight-decay", low=0.0)
    lr = number(args.lr, "--lr", low=0.0, open_low=True) if args.lr is not None else _DEFAULT_LR[args.optimizer]
    batch_size = count(args.batch_size, "--batch-size")
    seed = count(args.seed, "--seed", minimum=0)
    if args.model == "two-layer":
        if len(hidden) != 1:
            raise CommandError(f"--model two-layer has one hidden layer; --hidden got {len(hidden)} "
                               f"sizes (use --model multi-layer for more)")
        if args.activation != "relu":
            raise CommandError("--activation applies to --model multi-layer; the book's TwoLayerNet "
                               "uses relu")
        if decay:
            raise CommandError("--weight-decay applies to --model multi-layer")
    if conv:
        _check_conv_options(args, hidden, decay)
    eval_samples = count(args.eval_samples, "--eval-samples") if args.eval_samples is not None \
        else _CONV_EVAL_SAMPLES if conv else None
    extend = _extend_options(args)
    if args.save is not None:
        check_output_path(args.save, "--save", example="net.npz", folder_word="directory")
    if args.plot is not None:
        check_figure_output(args.plot, "--plot")

    (x_train, t_train), (x_test, t_test) = load_data(args.data, dtype, flatten=not conv)
    n_in, n_out = x_train[0].size, 10
    rng = np.random.default_rng(seed)
    if args.model == "two-layer":
        net = TwoLayerNet(n_in, hidden[0], n_out, weight_init_std=init, dtype=dtype, rng=rng)
    elif conv:
        net = _conv_net(args, x_train.shape[1:], hidden[0], n_out, init, dtype, rng)
    elif extend:
        net = MultiLayerNetExtend(n_in, hidden, n_out, activation=args.activation, weight_init_std=init,
                                  weight_decay_lambda=decay, dtype=dtype, rng=rng, **extend)
    else:
        net = MultiLayerNet(n_in, hidden, n_out, activation=args.activation, weight_init_std=init,
                            weight_decay_lambda=decay, dtype=dtype, rng=rng)
    optimizer = OPTIMIZERS[args.optimizer](lr=lr)
    steps_per_epoch = math.ceil(len(x_train) / batch_size)
    if args.epochs is not None:
        iters = count(args.epochs, "--epochs") * steps_per_epoch
    else:
        iters = count(args.iters, "--iters") if args.iters is not None \
            else _CONV_EPOCHS * steps_per_epoch if conv else _DEFAULT_ITERS

    if not args.quiet:
        print(f"{summary(net)}; {type(optimizer).__name__} lr={lr:g}; batch {batch_size}; "
              f"{iters:,} steps ({iters / steps_per_epoch:.3g} epochs of {steps_per_epoch}); seed {seed}")
    trainer = Trainer(net, x_train, t_train, x_test, t_test, mini_batch_size=batch_size,
                      optimizer=optimizer, iters=iters, seed=rng, verbose=not args.quiet,
                      progress=False if args.quiet else None, evaluate_sample_num_per_epoch=eval_samples)
    _blas.fit_threads_to_free_cores()  # OpenBLAS's spinning threads slow it 2–3× beside a busy process
    try:
        with sigterm_as_interrupt():
            history = trainer.train()
            acc = history.test_acc[-1]
            if eval_samples is not None and eval_samples < len(x_test):
                acc = net.accuracy(x_test, t_test)  # the per-epoch figures saw only the first eval_samples
            print(f"test accuracy {acc:.4f} ({acc:.2%}) after {iters:,} steps, {history.seconds:.1f} s")
            if args.save is not None:
                path = net.save(args.save)  # atomic: an interruption leaves the previous file as it was
                print(f"saved the net to {path}")
    except KeyboardInterrupt as stop:
        return _interrupted(stop, trainer, iters, args.save)
    if args.plot is not None:
        _write_plot(args.plot, history, summary(net), extend)
    return 0


def _interrupted(stop: KeyboardInterrupt, trainer, iters: int, save) -> int:
    """Ctrl-C (exit 130) or SIGTERM (exit 143): where training stopped, and that no file was written."""
    signal_name, code = ("SIGTERM", 143) if isinstance(stop, Terminated) else ("Ctrl-C", 130)
    kept = f"; {save} was not written (a previous file there is unchanged)" if save is not None else ""
    print(f"bprop train: stopped by {signal_name} at step {trainer.current_iter:,} of {iters:,} "
          f"(epoch {trainer.current_epoch}){kept}", file=sys.stderr)
    return code


def _init_spec(text: str | None, model: str, activation: str):
    """--init as bprop.init understands it; the default depends on the model and activation."""
    if text is None:
        if model in ("two-layer", "simple-conv"):  # the book's std 0.01 (ch05, ch07)
            return 0.01
        return "xavier" if activation in ("sigmoid", "tanh") else "he"
    name = text.strip().lower()
    if name in ("he", "relu", "xavier", "sigmoid"):
        return name
    return number(text, "--init", low=0.0, open_low=True,
                  what="'he', 'xavier' or a standard deviation > 0 such as 0.01")


# --- chapter 6: batch norm, dropout, the training curves ------------------------------------


def _extend_options(args) -> dict:
    """MultiLayerNetExtend's keywords for --batchnorm and --dropout ({} when neither is given)."""
    options = {}
    if args.batchnorm:
        options["use_batchnorm"] = True
    if args.dropout is not None:
        ratio = number(args.dropout, "--dropout", low=0.0, high=1.0, open_high=True,
                       what="a share of units in [0, 1) such as 0.2")
        options.update(use_dropout=True, dropout_ration=ratio)
    if options and args.model != "multi-layer":
        flags = [f for f, on in (("--batchnorm", args.batchnorm), ("--dropout", args.dropout is not None)) if on]
        verb = "apply" if len(flags) > 1 else "applies"
        raise CommandError(f"{' and '.join(flags)} {verb} to --model multi-layer (the book's MultiLayerNetExtend)")
    return options


def _write_plot(path: str, history, title: str, extend: dict) -> None:
    from bprop import plot

    if extend.get("use_batchnorm"):
        title += ", batch norm"
    if extend.get("use_dropout"):
        title += f", dropout {extend['dropout_ration']:g}"
    written = plot.save(plot.training_figure(history, title=title), path)
    print(f"wrote the training curves to {written}")


# --- chapters 7 and 8: the convnets ---------------------------------------------------------


def _check_conv_options(args, hidden: list[int], decay: float) -> None:
    """The options a convnet preset does not take, refused by name."""
    if len(hidden) != 1:
        raise CommandError(f"--model {args.model} has one hidden Affine layer; --hidden got {len(hidden)} sizes")
    if args.activation != "relu":
        raise CommandError(f"--activation applies to --model multi-layer; the book's {args.model} uses relu")
    if decay:
        raise CommandError("--weight-decay applies to --model multi-layer")
    if args.model == "deep-conv" and args.init is not None:
        raise CommandError("--init does not apply to --model deep-conv: the book's DeepConvNet uses He "
                           "initialisation")


def _conv_net(args, input_dim, hidden_size: int, output_size: int, init, dtype, rng):
    """SimpleConvNet (weights of std ``init``) or DeepConvNet (He weights) for images of shape input_dim (C, H, W)."""
    from bprop.nets import DeepConvNet, SimpleConvNet

    if len(input_dim) != 3:
        raise CommandError(f"--model {args.model} needs images of shape (channels, height, width), "
                           f"got {input_dim}")
    if args.model == "deep-conv":
        return DeepConvNet(tuple(input_dim), hidden_size=hidden_size, output_size=output_size, dtype=dtype, rng=rng)
    return SimpleConvNet(tuple(input_dim), hidden_size=hidden_size, output_size=output_size,
                         weight_init_std=init, dtype=dtype, rng=rng)
