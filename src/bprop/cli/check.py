"""``bprop check FILE.py:NAME``: check a learner's layer, optimizer, net or function and say what is right and wrong.

The file is imported and run (in a child process: ``bprop.gradcheck.sandbox``), then NAME is checked as what it is:
a layer (forward/backward), an optimizer (update), a net (loss/gradient) or one of the book's functions. A layer
is built from the book's argument names (``bprop.gradcheck.build``); ``--param NAME=VALUE`` overrides them.

Exit status 0 when every check passes, 1 when one fails (a hang past --timeout or an exit count), 2 when the
target cannot be checked (usage errors, no such file or class, an argument it cannot fill).
"""

from __future__ import annotations

import argparse
import json

from bprop import i18n
from bprop.cli._common import CommandError, number

DESCRIPTION = (
    "Check a class or function written in the book's style. A layer: backward against central differences, "
    "both modes of train_flg, writes into x or dout, NaN and warnings at ±1000, dtype and shapes; book 2's RNN, "
    "LSTM and GRU cells, Time layers (against their cell unrolled, stateful), Embedding, TimeSoftmaxWithLoss and "
    "attention too, with gradients written into grads in place. An optimizer "
    "(update): its steps against the reference update its name says. A net (loss, gradient): every parameter's "
    "gradient against numerical differentiation. A function (softmax, cross_entropy_error, im2col, …): against "
    "the book's. The file is imported and run, in a separate process stopped after --timeout seconds. "
    "Exit status 0 when all is right, 1 when something is wrong, 2 when it cannot be checked."
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check", help="check your layer, optimizer, net or function (gradients, in-place writes, dtype, ±1000)",
        description=DESCRIPTION,
    )
    parser.add_argument("target", metavar="FILE.py:NAME", help="e.g. my_layers.py:Relu or functions.py:softmax")
    parser.add_argument("--shape", default=None,
                        help="a layer's input shape N,D or N,C,H,W (default: one that fits the layer, e.g. 4,5)")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="a constructor argument: a number (stride=2), an array by its shape (W=4,3,3,3), "
                        "True/False/None or a word; repeatable")
    parser.add_argument("--dtype", default="float64", choices=("float64", "float32"),
                        help="dtype the layer must keep (the gradients are checked in float64)")
    parser.add_argument("--strict", action="store_true",
                        help="a dtype leak (float32 in, float64 out) is a failure, not a note")
    parser.add_argument("--json", action="store_true",
                        help="print the checks, verdicts, numbers and tolerances as JSON")
    parser.add_argument("--timeout", default="60", metavar="SECONDS",
                        help="stop the checked code after this many seconds (default 60)")
    parser.add_argument("--lang", choices=i18n.LANGUAGES, default=None,
                        help="en or ja (default: from LC_ALL, LC_MESSAGES or LANG)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bprop.gradcheck import build, learner
    from bprop.gradcheck.sandbox import run_checked

    lang = i18n.pick_language(args.lang)
    path, name = _split_target(args.target, lang)
    shape = _parse_shape(args.shape, lang) if args.shape is not None else None
    timeout = number(args.timeout, "--timeout", low=0.0, open_low=True)
    try:
        params = dict(build.parse_param(p) for p in args.param)
    except learner.LearnerError as exc:
        raise CommandError(exc.message(lang)) from exc
    request = {"path": path, "name": name, "shape": shape, "params": params, "dtype": args.dtype,
               "strict": args.strict, "lang": lang}
    outcome = run_checked(request, timeout)
    if args.json:
        print(json.dumps(outcome.data, ensure_ascii=False, indent=2))
        return outcome.code
    if outcome.code == 2:
        raise CommandError(outcome.text)
    print(outcome.text)
    return outcome.code


def _error(key: str, lang: str, **params) -> CommandError:
    from bprop.gradcheck import messages

    return CommandError(messages.text(key, lang, **params))


def _split_target(target: str, lang: str) -> tuple[str, str]:
    path, sep, name = target.rpartition(":")
    if not sep or not path or not name.isidentifier():
        raise _error("cli.bad_target", lang, target=target)
    return path, name


def _parse_shape(text: str, lang: str) -> tuple[int, ...]:
    """--shape N,D…: positive whole numbers, the message in the user's language."""
    try:
        shape = tuple(int(part) for part in text.split(","))
    except ValueError:
        shape = ()
    if not shape or min(shape) < 1:
        raise _error("cli.bad_shape", lang, shape=text)
    return shape
