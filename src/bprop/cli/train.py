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
from bprop.cli import _checkpoints, train_nlp, train_transformer
from bprop.cli._common import (
    CommandError,
    Terminated,
    check_figure_output,
    check_output_path,
    count,
    counts,
    interrupts_deferred,
    number,
    sigterm_as_interrupt,
)
from bprop.cli._data import add_data_option, load_data, summary
from bprop.layers import registry
from bprop.optim import OPTIMIZERS

_MODELS = ("two-layer", "multi-layer", "simple-conv", "deep-conv", *train_nlp.MODELS, *train_transformer.MODELS)
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
  bprop train --model deep-conv --checkpoint-every 1000 --save deep.npz
  bprop train --resume deep.npz                 after a stop: continues exactly where it stood

then:  bprop evaluate net.npz   |   bprop predict net.npz --index 0   |   bprop plot filters conv.npz
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "train",
        help="train a net on MNIST (the book's ch.5 run by default) and print its accuracy",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    net = p.add_argument_group("the network")
    net.add_argument("--model", choices=_MODELS,
                     help="two-layer: the book's TwoLayerNet, Affine-ReLU-Affine (default); "
                          "multi-layer: the book's MultiLayerNet, any number of hidden layers; "
                          "simple-conv: the book's ch.7 SimpleConvNet, conv-ReLU-pool-Affine-ReLU-Affine; "
                          "deep-conv: the book's ch.8 DeepConvNet, six 3x3 convs, dropout; "
                          "book 2: cbow, skipgram (ch.4 word2vec), rnnlm, lstm-lm, better-lstm-lm (ch.5-6 language "
                          "models), seq2seq, peeky-seq2seq (ch.7), attention-seq2seq (ch.8); the Transformer: "
                          "gpt (a language model), transformer-seq2seq")
    net.add_argument("--hidden", metavar="SIZES",
                     help="hidden layer sizes, comma-separated: one size for two-layer "
                          "(default 50), several for multi-layer (default 100,100,100,100), the "
                          "Affine layer's for the conv models (default 100 simple-conv, 50 deep-conv)")
    net.add_argument("--activation", choices=_ACTIVATIONS,
                     help="activation of the hidden layers (multi-layer; default relu, which two-layer always uses)")
    net.add_argument("--init", metavar="he|xavier|STD",
                     help="initial weights: 'he' (std sqrt(2/n), for relu), 'xavier' (std sqrt(1/n), "
                          "for sigmoid/tanh) or a standard deviation such as 0.01; default: 0.01 "
                          "for two-layer and simple-conv as in the book, he or xavier to suit the activation "
                          "for multi-layer; deep-conv is always he")
    net.add_argument("--weight-decay", metavar="LAMBDA",
                     help="L2 weight decay: adds LAMBDA/2 * sum(W**2) to the loss (multi-layer; "
                          "default 0); for gpt and transformer-seq2seq, AdamW's decoupled decay (0.1, 0.01)")
    net.add_argument("--batchnorm", action="store_true",
                     help="batch normalization after every hidden Affine layer (multi-layer; the book's "
                          "MultiLayerNetExtend)")
    net.add_argument("--dropout", metavar="P",
                     help="dropout after every hidden activation, dropping a share P in [0, 1) of the units "
                          "while training (multi-layer; also better-lstm-lm, gpt, transformer-seq2seq)")
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
    learn.add_argument("--batch-size", metavar="N",
                       help="images per mini-batch (default 100)")
    learn.add_argument("--eval-samples", metavar="N",
                       help="after each epoch, measure the accuracy on the first N training and test "
                            "images only (default: all; 1000 for the conv models, as in the book); the "
                            "final test accuracy always uses every test image")
    learn.add_argument("--seed", metavar="N",
                       help="random seed for the initial weights and the shuffling; the same seed "
                            "gives the same run (default 0)")
    learn.add_argument("--dtype", choices=("float32", "float64"),
                       help="number format: float32 (default, faster) or float64 (the book's)")
    io = p.add_argument_group("data and output")
    add_data_option(io, default=None)
    io.add_argument("--save", metavar="FILE",
                    help="write the trained net to FILE (.npz), for bprop evaluate / predict")
    io.add_argument("--checkpoint-every", metavar="N",
                    help="every N steps and at the end, write the net and where training stands (optimizer "
                         "state, data order, random state, history) to the --save file, which "
                         "bprop train --resume continues exactly")
    io.add_argument("--resume", metavar="FILE",
                    help="continue the run saved in FILE by --checkpoint-every, with its options and data, "
                         "to its last step (or to a new --iters/--epochs); checkpoints keep going to FILE "
                         "unless --save names another")
    train_nlp.add_options(p)
    train_transformer.add_options(p)
    io.add_argument("--plot", metavar="FILE",
                    help="draw the loss per iteration and the accuracy per epoch to FILE (.png, .svg or .pdf; "
                         "needs matplotlib)")
    io.add_argument("--quiet", "-q", action="store_true",
                    help="no progress bar and no per-epoch lines; print only the final accuracy")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bprop.train import Trainer

    if args.model in train_transformer.MODELS:
        return train_transformer.run(args)
    train_transformer.reject_options(args, f"--model {args.model}" if args.model else "the book-1 models")
    if args.model in train_nlp.MODELS:
        return train_nlp.run(args)
    for name in ("wordvec", "window", "time_size", "max_grad"):
        if getattr(args, name) is not None:
            raise CommandError(f"--{name.replace('_', '-')} applies to book 2's models (--model cbow … "
                               f"attention-seq2seq)")
    if args.reverse:
        raise CommandError("--reverse applies to the seq2seq models")

    resumed = None
    if args.resume is not None:  # fills in the options left out
        resumed = _checkpoints.open_resume(args, {"model": _MODELS, "activation": _ACTIVATIONS,
                                                  "optimizer": _OPTIMIZERS, "dtype": ("float32", "float64")})
    try:
        options = _options(args)
    except (KeyError, TypeError, AttributeError) as exc:  # only a hand-edited run record gets here
        raise CommandError(f"{args.resume}: its run record is damaged ({type(exc).__name__}: {exc})") from None
    conv = options["model"] in _CONV_MODELS
    every = count(args.checkpoint_every, "--checkpoint-every") if args.checkpoint_every is not None else None
    save = args.save if args.save is not None else args.resume
    if every is not None and save is None:
        raise CommandError("--checkpoint-every needs --save FILE: the checkpoints are written there")
    if resumed is not None and args.save is None and not str(save).endswith(".npz"):
        raise CommandError(f"--resume {save}: checkpoints are written as .npz files; rename it to {save}.npz "
                           f"or give --save FILE.npz")
    if save is not None:
        check_output_path(save, "--save", example="net.npz", folder_word="directory")
    if args.plot is not None:
        check_figure_output(args.plot, "--plot")

    data = args.data or "mnist"
    (x_train, t_train), (x_test, t_test) = load_data(data, np.dtype(options["dtype"]), flatten=not conv)
    rng = np.random.default_rng(options["seed"])
    net = resumed.net if resumed is not None else _build_net(options, x_train.shape[1:], rng)
    if resumed is not None:
        _checkpoints.check_data(resumed, data, (x_train, t_train, x_test, t_test))
    optimizer = OPTIMIZERS[options["optimizer"]](lr=options["lr"])
    batch_size = options["batch_size"]
    steps_per_epoch = math.ceil(len(x_train) / batch_size)
    iters = _total_steps(args, conv, steps_per_epoch, resumed)

    trainer = Trainer(net, x_train, t_train, x_test, t_test, mini_batch_size=batch_size,
                      optimizer=optimizer, iters=iters, seed=rng, verbose=not args.quiet,
                      progress=False if args.quiet else None, evaluate_sample_num_per_epoch=options["eval_samples"])
    if resumed is not None:
        _checkpoints.restore(trainer, resumed)
    if not args.quiet:
        print(f"{summary(net)}; {type(optimizer).__name__} lr={options['lr']:g}; batch {batch_size}; "
              f"{iters:,} steps ({iters / steps_per_epoch:.3g} epochs of {steps_per_epoch}); seed {options['seed']}")
        if resumed is not None:
            print(f"resuming {args.resume} at step {trainer.current_iter:,}, in epoch {trainer.current_epoch + 1}")
    if resumed is None:
        _blas.fit_threads_to_free_cores()  # OpenBLAS's spinning threads slow it 2–3× beside a busy process
    else:
        _checkpoints.same_threads(resumed)  # another count changes the sums' last bits
    writer = None
    if every is None and resumed is not None and args.checkpoint_every is None:
        every = resumed.run.get("checkpoint_every")
    if every is not None:
        record = _checkpoints.record(options, iters, every, data, (x_train, t_train, x_test, t_test))
        writer = _checkpoints.Writer(save, record)
    try:
        with sigterm_as_interrupt():
            history = trainer.train() if writer is None else trainer.train(checkpoint_every=every, checkpoint=writer)
            acc = history.test_acc[-1]
            eval_samples = options["eval_samples"]
            if eval_samples is not None and eval_samples < len(x_test):
                acc = net.accuracy(x_test, t_test)  # the per-epoch figures saw only the first eval_samples
            print(f"test accuracy {acc:.4f} ({acc:.2%}) after {iters:,} steps, {history.seconds:.1f} s")
            if writer is not None:
                print(f"saved the net and its training state to {writer.written} (step {trainer.current_iter:,}; "
                      f"bprop train --resume {writer.written} --iters N trains on)")
            elif save is not None:
                with interrupts_deferred():  # atomic anyway; deferred, the zip writer is never torn
                    path = net.save(save)
                print(f"saved the net to {path}")
    except KeyboardInterrupt as stop:
        return _interrupted(stop, trainer, iters, save, writer)
    if args.plot is not None:
        _write_plot(args.plot, history, summary(net), options)
    return 0


def _options(args) -> dict:
    """The options that make a run, checked, with their defaults filled in (what a checkpoint records)."""
    model = args.model or "two-layer"
    conv = model in _CONV_MODELS
    activation = args.activation or "relu"
    optimizer = args.optimizer or ("adam" if conv else "sgd")
    hidden = counts(args.hidden or _DEFAULT_HIDDEN[model], "--hidden")
    decay = number(args.weight_decay or "0", "--weight-decay", low=0.0)
    if model == "two-layer":
        if len(hidden) != 1:
            raise CommandError(f"--model two-layer has one hidden layer; --hidden got {len(hidden)} "
                               f"sizes (use --model multi-layer for more)")
        if activation != "relu":
            raise CommandError("--activation applies to --model multi-layer; the book's TwoLayerNet "
                               "uses relu")
        if decay:
            raise CommandError("--weight-decay applies to --model multi-layer")
    if conv:
        _check_conv_options(model, args.init, hidden, activation, decay)
    return {
        "model": model, "hidden": hidden, "activation": activation,
        "init": _init_spec(args.init, model, activation), "weight_decay": decay,
        **_extend_options(args, model),
        "optimizer": optimizer,
        "lr": number(args.lr, "--lr", low=0.0, open_low=True) if args.lr is not None else _DEFAULT_LR[optimizer],
        "batch_size": count(args.batch_size or "100", "--batch-size"),
        "eval_samples": count(args.eval_samples, "--eval-samples") if args.eval_samples is not None
        else _CONV_EVAL_SAMPLES if conv else None,
        "seed": count(args.seed or "0", "--seed", minimum=0),
        "dtype": args.dtype or "float32",
    }


def _build_net(options: dict, image_shape, rng):
    from bprop.nets import MultiLayerNet, MultiLayerNetExtend, TwoLayerNet

    model, hidden, init, dtype = options["model"], options["hidden"], options["init"], np.dtype(options["dtype"])
    n_in, n_out = int(np.prod(image_shape)), 10
    if model == "two-layer":
        return TwoLayerNet(n_in, hidden[0], n_out, weight_init_std=init, dtype=dtype, rng=rng)
    if model in _CONV_MODELS:
        return _conv_net(model, image_shape, hidden[0], n_out, init, dtype, rng)
    common = dict(activation=options["activation"], weight_init_std=init,
                  weight_decay_lambda=options["weight_decay"], dtype=dtype, rng=rng)
    if options["batchnorm"] or options["dropout"] is not None:
        return MultiLayerNetExtend(n_in, hidden, n_out, **common, use_batchnorm=options["batchnorm"],
                                   use_dropout=options["dropout"] is not None,
                                   dropout_ration=options["dropout"] or 0.5)
    return MultiLayerNet(n_in, hidden, n_out, **common)


def _total_steps(args, conv: bool, steps_per_epoch: int, resumed) -> int:
    """--iters, or --epochs in steps; by default the book's, or where the resumed run was headed."""
    if args.epochs is not None:
        iters = count(args.epochs, "--epochs") * steps_per_epoch
    elif args.iters is not None:
        iters = count(args.iters, "--iters")
    elif resumed is not None:
        iters = resumed.run["iters"]
    else:
        iters = _CONV_EPOCHS * steps_per_epoch if conv else _DEFAULT_ITERS
    if resumed is not None:
        _checkpoints.check_steps(resumed, iters, given=args.epochs is not None or args.iters is not None)
    return iters


def _interrupted(stop: KeyboardInterrupt, trainer, iters: int, save, writer) -> int:
    """Ctrl-C (exit 130) or SIGTERM (exit 143): where training stopped, and what the file holds."""
    signal_name, code = ("SIGTERM", 143) if isinstance(stop, Terminated) else ("Ctrl-C", 130)
    if writer is not None and writer.step is not None:
        kept = (f"; {writer.written} holds step {writer.step:,}: bprop train --resume {writer.written} "
                f"continues from there")
    elif save is not None:
        kept = f"; {save} was not written (a previous file there is unchanged)"
    else:
        kept = ""
    print(f"bprop train: stopped by {signal_name} at step {trainer.current_iter:,} of {iters:,} "
          f"(in epoch {trainer.current_epoch + 1}){kept}", file=sys.stderr)
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


def _extend_options(args, model: str) -> dict:
    """--batchnorm and --dropout (the book's MultiLayerNetExtend): {"batchnorm": bool, "dropout": share or None}."""
    dropout = None
    if args.dropout is not None:
        dropout = number(args.dropout, "--dropout", low=0.0, high=1.0, open_high=True,
                         what="a share of units in [0, 1) such as 0.2")
    if (args.batchnorm or dropout is not None) and model != "multi-layer":
        flags = [f for f, on in (("--batchnorm", args.batchnorm), ("--dropout", dropout is not None)) if on]
        verb = "apply" if len(flags) > 1 else "applies"
        raise CommandError(f"{' and '.join(flags)} {verb} to --model multi-layer (the book's MultiLayerNetExtend)")
    return {"batchnorm": bool(args.batchnorm), "dropout": dropout}


def _write_plot(path: str, history, title: str, options: dict) -> None:
    from bprop import plot

    if options["batchnorm"]:
        title += ", batch norm"
    if options["dropout"] is not None:
        title += f", dropout {options['dropout']:g}"
    written = plot.save(plot.training_figure(history, title=title), path)
    print(f"wrote the training curves to {written}")


# --- chapters 7 and 8: the convnets ---------------------------------------------------------


def _check_conv_options(model: str, init, hidden: list[int], activation: str, decay: float) -> None:
    """The options a convnet preset does not take, refused by name."""
    if len(hidden) != 1:
        raise CommandError(f"--model {model} has one hidden Affine layer; --hidden got {len(hidden)} sizes")
    if activation != "relu":
        raise CommandError(f"--activation applies to --model multi-layer; the book's {model} uses relu")
    if decay:
        raise CommandError("--weight-decay applies to --model multi-layer")
    if model == "deep-conv" and init is not None and init != "he":
        raise CommandError("--init does not apply to --model deep-conv: the book's DeepConvNet uses He "
                           "initialisation")


def _conv_net(model: str, input_dim, hidden_size: int, output_size: int, init, dtype, rng):
    """SimpleConvNet (weights of std ``init``) or DeepConvNet (He weights) for images of shape input_dim (C, H, W)."""
    from bprop.nets import DeepConvNet, SimpleConvNet

    if len(input_dim) != 3:
        raise CommandError(f"--model {model} needs images of shape (channels, height, width), "
                           f"got {input_dim}")
    if model == "deep-conv":
        return DeepConvNet(tuple(input_dim), hidden_size=hidden_size, output_size=output_size, dtype=dtype, rng=rng)
    return SimpleConvNet(tuple(input_dim), hidden_size=hidden_size, output_size=output_size,
                         weight_init_std=init, dtype=dtype, rng=rng)
