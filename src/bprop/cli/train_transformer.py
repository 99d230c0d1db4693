"""``bprop train --model gpt|transformer-seq2seq``: the Transformer models, trained with AdamW.

    model                data                       sizes                              batch  epochs  lr     wd
    gpt                  corpus, a PTB folder,      4 layers, d_model 128, 4 heads,    16     5       3e-3   0.1
                         or chars:FILE              context 32, no dropout
    transformer-seq2seq  date or addition           2 + 2 layers, d_model 128, 4 heads 128    10      1e-3   0.01

Both: AdamW (decoupled weight decay, not on biases and LayerNorm's γ, β),
the learning rate warmed up linearly over --warmup updates (default 50 and
200), then cosine down to a tenth of it (``bprop.optim.WarmupCosine``), the
gradients clipped to global norm --max-grad (default 1). ``chars:FILE`` trains
a character-level GPT on a UTF-8 text file (the last tenth for validation);
the vocabulary, its characters, is saved with the model. The GPT reads the
corpus as book 2's language models do (RnnlmTrainer: batch streams, blocks of
--context tokens); each epoch prints the train loss and perplexity and the
validation perplexity, and within it the book's progress lines. The seq2seq
model prints the train loss and the exact-match accuracy on the test questions.
"""

from __future__ import annotations

import argparse
import math
import os
from dataclasses import dataclass

import numpy as np

from bprop.cli import train_nlp
from bprop.cli._common import CommandError, check_figure_output, check_output_path, count, number
from bprop.cli._curves import Curves

MODELS = ("gpt", "transformer-seq2seq")
# Options of other models that these do not take (--optimizer: they train with AdamW).
_OTHERS = ("hidden", "wordvec", "window", "time_size", "activation", "init", "eval_samples", "checkpoint_every",
           "resume", "iters", "optimizer")
_OWN = ("layers", "d_model", "heads", "context", "d_ff", "warmup")


@dataclass(frozen=True)
class Recipe:
    data: str
    layers: int
    d_model: int
    heads: int
    batch: int
    epochs: int
    lr: float
    weight_decay: float
    warmup: int
    dropout: float
    context: int = 0
    max_grad: float = 1.0


RECIPES = {
    # bench/lm_race.py: these settings, 1,200 s on one core, reached validation perplexity 111 on the corpus where
    # a BetterRnnlm of the same size reached 125 (lr 1e-3, batch 32, context 64 and dropout 0.1 learnt slower)
    "gpt": Recipe("corpus", 4, 128, 4, 16, 5, 3e-3, 0.1, 50, 0.0, context=32),
    # a real run of 5 epochs answered all 5,000 test dates exactly; 10 leave a margin
    "transformer-seq2seq": Recipe("date", 2, 128, 4, 128, 10, 1e-3, 0.01, 200, 0.0),
}


def add_options(parser: argparse.ArgumentParser) -> None:
    """The options only the Transformer models take, as a group of ``bprop train``'s parser."""
    group = parser.add_argument_group("the Transformer (--model gpt, transformer-seq2seq)")
    group.add_argument("--layers", metavar="N", help="blocks (default 4 for gpt; 2 in the encoder and 2 in the "
                                                     "decoder for transformer-seq2seq)")
    group.add_argument("--d-model", metavar="N", help="width of every position's vector (default 128)")
    group.add_argument("--heads", metavar="N", help="attention heads, dividing --d-model (default 4)")
    group.add_argument("--context", metavar="N", help="tokens the GPT reads at once (default 32)")
    group.add_argument("--d-ff", metavar="N", help="hidden width of the feed-forward nets (default 4 x --d-model)")
    group.add_argument("--warmup", metavar="N", help="updates of linear learning-rate warmup (default 50 for "
                                                     "gpt, 200 for transformer-seq2seq)")


def reject_options(args: argparse.Namespace, models: str) -> None:
    """CommandError when an option of the Transformer models was given to other models (named by ``models``)."""
    for name in _OWN:
        if getattr(args, name, None) is not None:
            raise CommandError(f"--{name.replace('_', '-')} applies to --model gpt and transformer-seq2seq, "
                               f"not {models}")


def run(args: argparse.Namespace) -> int:
    name = args.model
    recipe = RECIPES[name]
    for option in _OTHERS:
        if getattr(args, option, None) is not None:
            hint = "; it trains with AdamW (--lr, --weight-decay, --warmup)" if option == "optimizer" else ""
            raise CommandError(f"--{option.replace('_', '-')} does not apply to --model {name}{hint}")
    for flag in ("batchnorm", "reverse"):
        if getattr(args, flag, False):
            raise CommandError(f"--{flag} does not apply to --model {name}")
    s = _settings(args, recipe, name)
    if args.plot is not None:
        check_figure_output(args.plot, "--plot")
    if args.save is not None:
        check_output_path(args.save, "--save", example="model.npz", folder_word="directory")
    data = _load(name, args.data or recipe.data, s)
    model = _build(name, s, data)
    steps = s["epochs"] * _steps_per_epoch(name, s, data)
    optimizer = _scheduled_adamw(s, steps)
    if not args.quiet:
        print(f"{model!r}; {_size(model):,} parameters; AdamW lr={s['lr']:g} weight_decay={s['weight_decay']:g}, "
              f"warmup {optimizer.schedule.warmup} of {steps} updates then cosine; batch {s['batch']}; "
              f"{s['epochs']} epochs on {data.name}; seed {s['seed']}")
    train = _train_gpt if name == "gpt" else _train_seq2seq
    return train_nlp.train_and_keep(args, lambda: train(model, optimizer, s, data, quiet=args.quiet), model,
                                    data.meta, f"{name} on {data.name}", s["epochs"])


def _settings(args, recipe: Recipe, name: str) -> dict:
    def option(value, default, parse):
        return default if value is None else parse(value)

    if name != "gpt" and args.context is not None:
        raise CommandError(f"--context applies to --model gpt; --model {name} reads whole questions")
    s = {
        "layers": option(args.layers, recipe.layers, lambda v: count(v, "--layers")),
        "d_model": option(args.d_model, recipe.d_model, lambda v: count(v, "--d-model")),
        "heads": option(args.heads, recipe.heads, lambda v: count(v, "--heads")),
        "context": option(args.context, recipe.context, lambda v: count(v, "--context")),
        "d_ff": option(args.d_ff, None, lambda v: count(v, "--d-ff")),
        "warmup": option(args.warmup, recipe.warmup, lambda v: count(v, "--warmup", minimum=0)),
        "batch": option(args.batch_size, recipe.batch, lambda v: count(v, "--batch-size")),
        "epochs": option(args.epochs, recipe.epochs, lambda v: count(v, "--epochs")),
        "lr": option(args.lr, recipe.lr, lambda v: number(v, "--lr", low=0.0, open_low=True)),
        "weight_decay": option(args.weight_decay, recipe.weight_decay,
                               lambda v: number(v, "--weight-decay", low=0.0)),
        "max_grad": option(args.max_grad, recipe.max_grad, lambda v: number(v, "--max-grad", low=0.0, open_low=True)),
        "dropout": option(args.dropout, recipe.dropout,
                          lambda v: number(v, "--dropout", low=0.0, high=1.0, open_high=True)),
        "seed": option(args.seed, 0, lambda v: count(v, "--seed", minimum=0)),
        "dtype": np.dtype(args.dtype or "float32"),
    }
    if s["d_model"] % s["heads"]:
        raise CommandError(f"--heads {s['heads']} does not divide --d-model {s['d_model']}: each head takes "
                           f"d_model/heads of the columns")
    return s


def _load(name: str, spec: str, s: dict):
    """The data: token ids of a text (train, validation) for gpt, question/answer pairs for the seq2seq model."""
    if name == "gpt":
        if spec.startswith("chars:"):
            return _load_chars(spec[len("chars:"):], s)
        if spec in ("addition", "date"):
            raise CommandError(f"--model gpt trains on text: --data corpus, a folder of PTB files or chars:FILE, got "
                               f"{spec!r}")
        data = train_nlp._load(name, spec)
        _check_length(spec, "words", data, s)
        return data
    if spec not in ("addition", "date"):
        raise CommandError(f"--model {name} trains on --data addition or date, got {spec!r}")
    data = train_nlp._load(name, spec)
    data.meta = {**data.meta, "reverse": False}
    return data


def _load_chars(path: str, s: dict):
    """A UTF-8 text file as character ids: the vocabulary its sorted characters, the last tenth for validation."""
    spec = f"chars:{path}"
    if not path:
        raise CommandError("--data chars:FILE needs a file name after 'chars:', e.g. chars:book.txt")
    if os.path.isdir(path):
        raise CommandError(f"--data {spec}: is a folder; give a UTF-8 text file")
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise CommandError(f"--data {spec}: no such file") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CommandError(f"--data {spec}: not UTF-8 text (byte {exc.start} is {raw[exc.start]:#04x}: "
                           f"{exc.reason})") from None
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    ids = np.array([index[c] for c in text], dtype=np.int32)
    cut = len(ids) - max(len(ids) // 10, s["context"] + 1)
    data = train_nlp._Data(spec, (ids[:cut],), (ids[cut:],),
                           {"data": spec, "kind": "chars", "vocab": chars, "start": text[:1]}, len(chars))
    _check_length(spec, "characters", data, s, len(ids))
    return data


def _check_length(spec: str, unit: str, data, s: dict, total: int | None = None) -> None:
    """One batch of --batch-size streams × --context tokens to train on, one window to validate on."""
    train, val = len(data.train[0]), len(data.test[0])
    if train - 1 < s["batch"] * s["context"] or val < s["context"] + 1:
        size = f"{total:,} {unit}" if total is not None else f"{train:,} + {val:,} {unit}"
        raise CommandError(f"--data {spec}: {size} are too few for one batch of --batch-size {s['batch']} × "
                           f"--context {s['context']} and a validation window; give more text or smaller sizes")


def _build(name: str, s: dict, data):
    from bprop import nets

    sizes = {"d_model": s["d_model"], "num_heads": s["heads"], "num_layers": s["layers"], "d_ff": s["d_ff"],
             "dropout": s["dropout"], "dtype": s["dtype"], "rng": np.random.default_rng(s["seed"])}
    if name == "gpt":
        return nets.GPT(data.vocab_size, s["context"], **sizes)
    longest = max(data.train[0].shape[1], data.train[1].shape[1])
    return nets.TransformerSeq2seq(data.vocab_size, max_len=max(64, longest), **sizes)


def _steps_per_epoch(name: str, s: dict, data) -> int:
    if name == "gpt":  # RnnlmTrainer's blocks
        return (len(data.train[0]) - 1) // (s["batch"] * s["context"])
    steps = len(data.train[0]) // s["batch"]  # Trainer drops the last partial batch
    if steps == 0:
        raise CommandError(f"--batch-size {s['batch']} is larger than the {len(data.train[0]):,} training questions")
    return steps


def _size(model) -> int:
    from bprop.optim import merge_tied

    return sum(p.size for p in merge_tied(model.params, model.grads)[0])


class _Scheduled:
    """An optimizer whose lr follows a schedule: ``schedule.apply(optimizer, step)`` before each update."""

    def __init__(self, optimizer, schedule):
        self.optimizer, self.schedule = optimizer, schedule

    def update(self, params, grads) -> None:
        self.schedule.apply(self.optimizer, self.optimizer.iter)
        self.optimizer.update(params, grads)


def _scheduled_adamw(s: dict, steps: int) -> _Scheduled:
    from bprop.optim import AdamW, WarmupCosine

    warmup = min(s["warmup"], steps - 1)  # a short run warms up for all but its last update
    schedule = WarmupCosine(s["lr"], warmup, max(steps, 1), min_lr=s["lr"] / 10)
    return _Scheduled(AdamW(lr=s["lr"], weight_decay=s["weight_decay"], no_decay_1d=True), schedule)


class _Losses:
    """The model, with each training step's loss kept (the trainers report only interval means)."""

    def __init__(self, model):
        self.model, self.losses = model, []

    def __getattr__(self, name):
        return getattr(self.model, name)

    def forward(self, xs, ts, *args, **kwargs):
        loss = self.model.forward(xs, ts, *args, **kwargs)
        self.losses.append(float(loss))
        return loss


def _train_gpt(model, optimizer, s: dict, data, *, quiet: bool) -> tuple[list, Curves]:
    from bprop.nlp import RnnlmTrainer, eval_perplexity

    ids, val = data.train[0], data.test[0]
    recorded = _Losses(model)
    trainer = RnnlmTrainer(recorded, optimizer, seed=s["seed"], verbose=not quiet)
    eval_batch = max(1, min(10, (len(val) - 1) // s["context"]))
    lines, curves = [], Curves("perplexity", 100)
    for epoch in range(1, s["epochs"] + 1):
        recorded.losses.clear()
        trainer.ppl_list.clear()
        trainer.fit(ids[:-1], ids[1:], max_epoch=1, batch_size=s["batch"], time_size=s["context"],
                    max_grad=s["max_grad"], eval_interval=100)
        loss = float(np.mean(recorded.losses))
        ppl = eval_perplexity(model, val, batch_size=eval_batch, time_size=s["context"])
        lines.append(f"train loss {loss:.4f} (perplexity {math.exp(loss):.2f})  validation perplexity {ppl:.2f}")
        curves.add_epoch(trainer.ppl_list, len(recorded.losses),
                         train_perplexity=math.exp(loss), validation_perplexity=ppl)
        train_nlp._report(quiet, epoch, s["epochs"], lines[-1])
    return lines, curves


def _train_seq2seq(model, optimizer, s: dict, data, *, quiet: bool) -> tuple[list, Curves]:
    from bprop.nlp import Trainer, seq2seq_accuracy

    (x_train, t_train), (x_test, t_test) = data.train, data.test
    recorded = _Losses(model)
    trainer = Trainer(recorded, optimizer, seed=s["seed"], verbose=not quiet)
    lines, curves = [], Curves("loss", 100)
    for epoch in range(1, s["epochs"] + 1):
        recorded.losses.clear()
        trainer.loss_list.clear()
        trainer.fit(x_train, t_train, max_epoch=1, batch_size=s["batch"], max_grad=s["max_grad"], eval_interval=100)
        accuracy = seq2seq_accuracy(model, x_test, t_test)
        lines.append(f"train loss {np.mean(recorded.losses):.4f}  test accuracy {accuracy:.4f}")
        curves.add_epoch(trainer.loss_list, len(recorded.losses), test_accuracy=accuracy)
        train_nlp._report(quiet, epoch, s["epochs"], lines[-1])
    return lines, curves
