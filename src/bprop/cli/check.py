"""``bprop check FILE.py:CLASS``: check a learner's layer and say what is right and wrong.

The file is imported by path; the class is built and fed random inputs
(``bprop.gradcheck.learner``, which tests and the CLI share):

- ``Layer()`` when __init__ needs nothing; ``Affine(W, b)`` gets W (D, M) and b (M,)
  with D from --shape (N, D) and M = 3.
- ``forward(x)``: x of --shape. ``forward(x, t)`` (a loss): logits of --shape and
  labels t. ``forward(x, y)`` (a node whose backward returns (dx, dy)): two arrays.

Exit status 0 when every check passes, 1 when one fails, 2 for usage errors.
"""

from __future__ import annotations

import numpy as np

from bprop import i18n
from bprop.cli._common import CommandError


def register(subparsers):
    parser = subparsers.add_parser(
        "check",
        help="check a layer's forward and backward (gradients, in-place writes, dtype, ±1000)",
        description="Check a layer written in the book's style: backward against central "
        "differences, writes into x or dout, NaN and warnings, dtype and shapes. "
        "Prints what is right and what is wrong; exit status 0 when all is right, 1 otherwise.",
    )
    parser.add_argument("target", metavar="FILE.py:CLASS", help="e.g. my_layers.py:Relu")
    parser.add_argument("--shape", default="4,5", help="input shape N,D (default 4,5)")
    parser.add_argument("--dtype", default="float64", choices=("float64", "float32"),
                        help="dtype the layer must keep (the gradients are checked in float64)")
    parser.add_argument("--lang", choices=i18n.LANGUAGES, default=None,
                        help="en or ja (default: from LC_ALL, LC_MESSAGES or LANG)")
    parser.set_defaults(func=run)


def run(args) -> int:
    from bprop.gradcheck import check_layer, learner

    lang = i18n.pick_language(args.lang)
    path, cls_name = _split_target(args.target, lang)
    shape = _parse_shape(args.shape, lang)
    dtype = np.dtype(args.dtype)
    rng = np.random.default_rng(0)
    try:
        cls = learner.load_class(path, cls_name)
        layer = learner.build_layer(cls, shape, dtype, rng)
        inputs = learner.build_inputs(layer, shape, dtype, rng)
    except learner.LearnerError as exc:
        raise CommandError(exc.message(lang)) from exc
    report = check_layer(layer, *inputs, dtype=dtype, name=f"{cls_name} ({path})")
    print(report.render(lang))
    return 0 if report.ok else 1


def _error(key: str, lang: str, **params) -> CommandError:
    from bprop.gradcheck import messages

    return CommandError(messages.text(key, lang, **params))


def _split_target(target: str, lang: str) -> tuple[str, str]:
    path, sep, cls_name = target.rpartition(":")
    if not sep or not path or not cls_name.isidentifier():
        raise _error("cli.bad_target", lang, target=target)
    return path, cls_name


def _parse_shape(text: str, lang: str) -> tuple[int, ...]:
    """--shape N,D…: positive whole numbers, the message in the user's language."""
    try:
        shape = tuple(int(part) for part in text.split(","))
    except ValueError:
        shape = ()
    if not shape or min(shape) < 1:
        raise _error("cli.bad_shape", lang, shape=text)
    return shape
