"""``bprop plot attention FILE.npz QUESTION``: where each character of a seq2seq answer looked (book 2 §8.4).

Registered by ``bprop.cli.plot`` as one of its figures; like ``_filters`` it reads a saved model instead of
running an experiment.
"""

from __future__ import annotations

import numpy as np

from bprop.cli._common import CommandError

HELP = "a saved attention-seq2seq model's attention map for one question (book 2 §8.4)"


def add_arguments(parser) -> None:
    parser.add_argument("model", metavar="FILE.npz",
                        help="saved by 'bprop train --model attention-seq2seq --save FILE.npz'")
    parser.add_argument("question", help='e.g. "september 27, 1994"')


def run(args, seed):
    """(figure, lines): the answer to the question and where each of its characters looked."""
    from bprop import plot
    from bprop.cli.words import saved_model, translate

    model, _ = saved_model(args.model, "chars")
    if not hasattr(model, "attention_map"):
        raise CommandError(f"{args.model}: a {type(model).__name__} has no attention; train one with "
                           f"--model attention-seq2seq")
    read, answer = translate(model, args.question)
    weights = model.attention_map()[0]
    if model.meta.get("reverse"):  # drawn against the question as it is written
        read, weights = read[::-1], weights[:, ::-1]
    lines = [f"{args.question!r} → {answer.strip()!r}"]
    lines += [f"  {c!r} looked most at {read[int(np.argmax(w))]!r} ({w.max():.2f})" for c, w in zip(answer, weights)
              if c != " "]
    return plot.attention_figure(weights, read, answer, title="attention"), lines
