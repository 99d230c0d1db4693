"""``bprop train --model cbow|skipgram|rnnlm|lstm-lm|better-lstm-lm|seq2seq|peeky-seq2seq|attention-seq2seq``.

Book 2's experiments with their scripts' settings as defaults (each can be
changed by its option):

    model              data      sizes                  batch  epochs  optimizer           script
    cbow, skipgram     corpus    hidden 100, window 5   100    10      Adam 0.001          ch04/train.py
    rnnlm, lstm-lm     corpus    wordvec/hidden 100     20×35  4       SGD 20, clip 0.25   ch06/train_rnnlm.py
    better-lstm-lm     corpus    650, dropout 0.5       20×35  40      SGD 20, clip 0.25   ch06/train_better_rnnlm.py
                       (lr ÷ 4 after an epoch that does not lower the validation perplexity; the best
                       epoch's weights kept)
    seq2seq, peeky-…   addition  wordvec 16, hidden 128 128    25      Adam 0.001, clip 5  ch07/train_seq2seq.py
    attention-seq2seq  date      wordvec 16, hidden 256 128    10      Adam 0.001, clip 5  ch08/train.py (reversed)

``--data``: corpus (shipped, bprop.datasets.corpus) or a folder with the
Penn Treebank files for the word models; addition or date for the seq2seq
models. Each epoch prints the loss, the perplexity on the validation split or
the accuracy on the test questions, and within an epoch the book's progress
lines (``| epoch 1 |  iter 101 / 902 | time 14[s] | perplexity 412.07``); ``--plot FILE`` draws them;
``--save`` keeps the model with its vocabulary for ``bprop similar``, ``analogy``, ``generate`` and ``translate``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from bprop.cli._common import (
    CommandError,
    Terminated,
    check_figure_output,
    check_output_path,
    count,
    number,
    sigterm_as_interrupt,
)
from bprop.cli._curves import Curves

if TYPE_CHECKING:
    from bprop.nets import SequenceModel

WORD2VEC, LANGUAGE, SEQ2SEQ = ("cbow", "skipgram"), ("rnnlm", "lstm-lm", "better-lstm-lm"), (
    "seq2seq", "peeky-seq2seq", "attention-seq2seq")
MODELS = WORD2VEC + LANGUAGE + SEQ2SEQ


@dataclass(frozen=True)
class Recipe:
    data: str
    hidden: int
    batch: int
    epochs: int
    optimizer: str
    lr: float
    wordvec: int = 0
    window: int = 0
    time_size: int = 0
    max_grad: float | None = None
    dropout: float | None = None
    reverse: bool = False


_LM = Recipe("corpus", 100, 20, 4, "sgd", 20.0, wordvec=100, time_size=35, max_grad=0.25)
RECIPES = {
    "cbow": Recipe("corpus", 100, 100, 10, "adam", 0.001, window=5),
    "skipgram": Recipe("corpus", 100, 100, 10, "adam", 0.001, window=5),
    "rnnlm": _LM, "lstm-lm": _LM,
    "better-lstm-lm": Recipe("corpus", 650, 20, 40, "sgd", 20.0, wordvec=650, time_size=35, max_grad=0.25,
                             dropout=0.5),
    "seq2seq": Recipe("addition", 128, 128, 25, "adam", 0.001, wordvec=16, max_grad=5.0),
    "peeky-seq2seq": Recipe("addition", 128, 128, 25, "adam", 0.001, wordvec=16, max_grad=5.0),
    "attention-seq2seq": Recipe("date", 256, 128, 10, "adam", 0.001, wordvec=16, max_grad=5.0, reverse=True),
}
# The learning rate when --optimizer is not the recipe's and --lr is not given (book 1 §6.1's defaults).
_OTHER_LR = {"sgd": 0.1, "adam": 0.001}
# Options of the book-1 models that a book-2 model does not take.
_BOOK1_ONLY = ("activation", "init", "weight_decay", "eval_samples", "checkpoint_every", "resume", "iters")


def add_options(parser: argparse.ArgumentParser) -> None:
    """The options only book 2's models take, as a group of ``bprop train``'s parser."""
    words = parser.add_argument_group("book 2: words and sequences (--model cbow … attention-seq2seq)")
    words.add_argument("--wordvec", metavar="N", help="size of the word vectors (embedding)")
    words.add_argument("--window", metavar="N", help="context words on each side (cbow, skipgram; default 5)")
    words.add_argument("--time-size", metavar="N", help="steps per truncated-BPTT block (language models; "
                                                         "default 35)")
    words.add_argument("--max-grad", metavar="X", help="clip the gradients to this global norm (default 0.25 "
                                                       "for the language models, 5 for seq2seq)")
    words.add_argument("--reverse", action="store_true", help="feed the questions reversed (seq2seq; "
                                                              "attention-seq2seq always does)")


def run(args: argparse.Namespace) -> int:
    model_name = args.model
    recipe = RECIPES[model_name]
    for name in _BOOK1_ONLY:
        if getattr(args, name, None) is not None:
            raise CommandError(f"--{name.replace('_', '-')} applies to the book-1 models; --model {model_name} "
                               f"trains by epochs (--epochs)")
    if args.batchnorm:
        raise CommandError(f"--batchnorm applies to --model multi-layer, not {model_name}")
    if args.plot is not None:
        check_figure_output(args.plot, "--plot")
    if args.dropout is not None and model_name != "better-lstm-lm":
        raise CommandError(f"--dropout applies to --model better-lstm-lm (and multi-layer), not {model_name}")
    settings = _settings(args, recipe)
    if args.save is not None:
        check_output_path(args.save, "--save", example="model.npz", folder_word="directory")
    data = _load(model_name, args.data or recipe.data)
    model = _build(model_name, settings, data)
    from bprop.optim import OPTIMIZERS

    optimizer = OPTIMIZERS[settings["optimizer"]](lr=settings["lr"])
    if not args.quiet:
        print(f"{model!r}; {type(optimizer).__name__} lr={settings['lr']:g}; batch {settings['batch']}; "
              f"{settings['epochs']} epochs on {data.name}; seed {settings['seed']}")
    meta = {**data.meta, "reverse": settings["reverse"]} if model_name in SEQ2SEQ else data.meta
    return train_and_keep(args, lambda: _train(model_name, model, optimizer, settings, data, quiet=args.quiet),
                          model, meta, f"{model_name} on {data.name}", settings["epochs"])


def train_and_keep(args: argparse.Namespace, train: Callable[[], tuple[list, Curves]], model: SequenceModel,
                   meta: dict, title: str, epochs: int) -> int:
    """Run train() → (lines, curves) with Ctrl-C and SIGTERM answered (exit 130 / 143, nothing written); then
    the last line's measures, the --plot figure and the --save file (the model with ``meta``)."""
    start = time.perf_counter()
    try:
        with sigterm_as_interrupt():
            lines, curves = train()
    except KeyboardInterrupt as stop:
        name, code = ("SIGTERM", 143) if isinstance(stop, Terminated) else ("Ctrl-C", 130)
        kept = f"; {args.save} was not written" if args.save is not None else ""
        print(f"bprop train: stopped by {name}{kept}", file=sys.stderr)
        return code
    print(f"{lines[-1]} after {epochs} epochs, {time.perf_counter() - start:.1f} s")
    if args.plot is not None:
        curves.write(args.plot, title)
    if args.save is not None:
        model.meta = meta
        print(f"saved the model to {model.save(args.save)}")
    return 0


@dataclass
class _Data:
    name: str
    train: tuple
    test: tuple
    meta: dict
    vocab_size: int


def _settings(args, recipe: Recipe) -> dict:
    hidden = recipe.hidden
    if args.hidden is not None:
        hidden = count(args.hidden, "--hidden")
    return {
        "hidden": hidden,
        "wordvec": count(args.wordvec, "--wordvec") if args.wordvec is not None else recipe.wordvec or hidden,
        "window": count(args.window, "--window") if args.window is not None else recipe.window,
        "time_size": count(args.time_size, "--time-size") if args.time_size is not None else recipe.time_size,
        "batch": count(args.batch_size, "--batch-size") if args.batch_size is not None else recipe.batch,
        "epochs": count(args.epochs, "--epochs") if args.epochs is not None else recipe.epochs,
        "optimizer": args.optimizer or recipe.optimizer,
        "lr": number(args.lr, "--lr", low=0.0, open_low=True) if args.lr is not None
        else recipe.lr if (args.optimizer or recipe.optimizer) == recipe.optimizer
        else _OTHER_LR.get(args.optimizer, 0.01),
        "max_grad": number(args.max_grad, "--max-grad", low=0.0, open_low=True) if args.max_grad is not None
        else recipe.max_grad,
        "dropout": number(args.dropout, "--dropout", low=0.0, high=1.0, open_high=True) if args.dropout is not None
        else recipe.dropout,
        "reverse": bool(args.reverse) or recipe.reverse,
        "seed": count(args.seed, "--seed", minimum=0) if args.seed is not None else 0,
        "dtype": np.dtype(args.dtype or "float32"),
    }


def _load(model_name: str, spec: str) -> _Data:
    """The model's data: word ids of a corpus (train, test) or question/answer pairs, with the vocabulary."""
    from bprop.datasets import corpus, ptb, sequence

    if model_name.endswith("seq2seq"):  # the book's three and transformer-seq2seq
        if spec not in ("addition", "date"):
            raise CommandError(f"--model {model_name} trains on --data addition or date, got {spec!r}")
        (x_train, t_train), (x_test, t_test) = sequence.load_data(f"{spec}.txt")
        _, id_to_char = sequence.get_vocab()
        chars = [id_to_char[i] for i in range(len(id_to_char))]
        meta = {"data": spec, "kind": "chars", "vocab": chars, "question_width": int(x_train.shape[1]),
                "answer_width": int(t_train.shape[1])}
        return _Data(spec, (x_train, t_train), (x_test, t_test), meta, len(chars))
    if spec in ("addition", "date"):
        raise CommandError(f"--model {model_name} trains on words: --data corpus or a folder of PTB files, got "
                           f"{spec!r}")
    if spec == "corpus":
        train, word_to_id, id_to_word = corpus.load_data("train")
        test = corpus.load_data("val")[0]
    else:
        train, word_to_id, id_to_word = ptb.load_data("train", path=spec)
        test = ptb.load_data("val", path=spec)[0]
    words = [id_to_word[i] for i in range(len(id_to_word))]
    return _Data(spec, (train,), (test,), {"data": spec, "kind": "words", "vocab": words}, len(words))


def _build(model_name: str, s: dict, data: _Data):
    from bprop import nets

    V, rng, dtype = data.vocab_size, np.random.default_rng(s["seed"]), s["dtype"]
    if model_name in WORD2VEC:
        cls: Any = nets.CBOW if model_name == "cbow" else nets.SkipGram
        return cls(V, s["hidden"], s["window"], data.train[0], dtype=dtype, rng=rng)
    if model_name == "better-lstm-lm":
        return nets.BetterRnnlm(V, s["wordvec"], s["hidden"], s["dropout"], dtype=dtype, rng=rng)
    if model_name in LANGUAGE:
        cls = nets.SimpleRnnlm if model_name == "rnnlm" else nets.Rnnlm
        return cls(V, s["wordvec"], s["hidden"], dtype=dtype, rng=rng)
    cls = {"seq2seq": nets.Seq2seq, "peeky-seq2seq": nets.PeekySeq2seq,
           "attention-seq2seq": nets.AttentionSeq2seq}[model_name]
    return cls(V, s["wordvec"], s["hidden"], dtype=dtype, rng=rng)


def _train(model_name: str, model, optimizer, s: dict, data: _Data, *, quiet: bool) -> tuple[list, Curves]:
    """Train epoch by epoch, printing one line each; returns the lines' final measures and the curves."""
    from bprop.nlp import RnnlmTrainer, Trainer, create_contexts_target, eval_perplexity, seq2seq_accuracy

    lines = []
    seed = s["seed"]
    if model_name in WORD2VEC:
        contexts, target = create_contexts_target(data.train[0], s["window"])
        trainer: Any = Trainer(model, optimizer, seed=seed, verbose=not quiet)
        curves = Curves("loss", 1000)
        for epoch in range(1, s["epochs"] + 1):
            trainer.loss_list.clear()
            trainer.fit(contexts, target, max_epoch=1, batch_size=s["batch"], eval_interval=1000)
            lines.append(f"loss {np.mean(trainer.loss_list):.4f}")
            curves.add_epoch(trainer.loss_list, len(contexts) // s["batch"], loss=np.mean(trainer.loss_list))
            _report(quiet, epoch, s["epochs"], lines[-1])
        return lines, curves
    if model_name in LANGUAGE:
        ids = data.train[0]
        trainer = RnnlmTrainer(model, optimizer, seed=seed, verbose=not quiet)
        best = _BestEpoch(model, optimizer) if model_name == "better-lstm-lm" else None
        curves = Curves("perplexity", 100)
        for epoch in range(1, s["epochs"] + 1):
            trainer.ppl_list.clear()
            model.reset_state()
            trainer.fit(ids[:-1], ids[1:], max_epoch=1, batch_size=s["batch"], time_size=s["time_size"],
                        max_grad=s["max_grad"], eval_interval=100)
            val = eval_perplexity(model, data.test[0], batch_size=10, time_size=s["time_size"])
            lines.append(f"train perplexity {np.mean(trainer.ppl_list):.2f}  validation perplexity {val:.2f}")
            curves.add_epoch(trainer.ppl_list, (len(ids) - 1) // (s["batch"] * s["time_size"]),
                             train_perplexity=np.mean(trainer.ppl_list), validation_perplexity=val)
            _report(quiet, epoch, s["epochs"], lines[-1] + (best.after_epoch(val) if best else ""))
        if best and best.restore():
            lines.append(f"validation perplexity {best.perplexity:.2f} (the weights of epoch {best.epoch})")
        return lines, curves
    (x_train, t_train), (x_test, t_test) = data.train, data.test
    if s["reverse"]:
        x_train, x_test = x_train[:, ::-1], x_test[:, ::-1]
    trainer = Trainer(model, optimizer, seed=seed, verbose=not quiet)
    curves = Curves("loss", 100)
    for epoch in range(1, s["epochs"] + 1):
        trainer.loss_list.clear()
        trainer.fit(x_train, t_train, max_epoch=1, batch_size=s["batch"], max_grad=s["max_grad"], eval_interval=100)
        accuracy = seq2seq_accuracy(model, x_test, t_test)
        lines.append(f"loss {np.mean(trainer.loss_list):.4f}  test accuracy {accuracy:.4f}")
        curves.add_epoch(trainer.loss_list, len(x_train) // s["batch"], test_accuracy=accuracy)
        _report(quiet, epoch, s["epochs"], lines[-1])
    return lines, curves


class _BestEpoch:
    """Book 2's schedule for BetterRnnlm (ch06/train_better_rnnlm.py): keep the weights of the epoch with the
    lowest validation perplexity; after an epoch that does not lower it, divide the learning rate by 4."""

    def __init__(self, model, optimizer):
        self.model, self.optimizer = model, optimizer
        self.perplexity, self.epoch, self.weights, self.epochs = float("inf"), 0, None, 0

    def after_epoch(self, perplexity: float) -> str:
        """Record the epoch; the note for its line ("" when it is the best so far)."""
        self.epochs += 1
        if perplexity < self.perplexity:
            self.perplexity, self.epoch = perplexity, self.epochs
            self.weights = [p.copy() for p in self.model.params]
            return ""
        before = self.optimizer.lr
        self.optimizer.lr = before / 4.0
        return f"  (not below {self.perplexity:.2f}: lr {before:g} → {self.optimizer.lr:g})"

    def restore(self) -> bool:
        """Put the best epoch's weights back; False when the last epoch was the best (nothing to do)."""
        if self.weights is None or self.epoch == self.epochs:
            return False
        for p, kept in zip(self.model.params, self.weights):
            p[...] = kept
        return True


def _report(quiet: bool, epoch: int, epochs: int, text: str) -> None:
    if not quiet:
        print(f"epoch {epoch:>{len(str(epochs))}}/{epochs}  {text}", flush=True)
