"""``bprop plot attention FILE.npz QUESTION``: where each character of a seq2seq answer looked (book 2 §8.4).

Registered by ``bprop.cli.plot`` as one of its figures; like ``_filters`` it reads a saved model instead of
running an experiment. For a transformer-seq2seq model the picture is one decoder block's cross-attention
(``--layer L``, counted from 1; default the last), of one head (``--head H``, from 1) or the mean of its heads.
"""

from __future__ import annotations

import numpy as np

from bprop.cli._common import CommandError, count

HELP = "a saved seq2seq model's attention map for one question (book 2 §8.4; per layer and head for the Transformer)"


def add_arguments(parser) -> None:
    parser.add_argument("model", metavar="FILE.npz",
                        help="saved by 'bprop train --model attention-seq2seq (or transformer-seq2seq) --save FILE.npz'")
    parser.add_argument("question", help='e.g. "september 27, 1994"')
    parser.add_argument("--layer", metavar="L", help="transformer-seq2seq: the decoder block, 1 … layers "
                                                     "(default: the last)")
    parser.add_argument("--head", metavar="H", help="transformer-seq2seq: one head, 1 … heads (default: the mean "
                                                    "of the heads)")


def run(args, seed):
    """(figure, lines): the answer to the question and where each of its characters looked."""
    from bprop import plot
    from bprop.cli.words import saved_model, translate

    model, _ = saved_model(args.model, "chars")
    if not hasattr(model, "attention_map"):
        raise CommandError(f"{args.model}: a {type(model).__name__} has no attention; train one with "
                           f"--model attention-seq2seq or transformer-seq2seq")
    config = getattr(model, "_config", {})
    layers, heads = config.get("num_layers"), config.get("num_heads")
    if layers is None and (args.layer is not None or args.head is not None):
        raise CommandError(f"--layer and --head apply to a transformer-seq2seq model; a {type(model).__name__} "
                           f"has one attention")
    title = "attention"
    pick = ()
    if layers is not None:
        layer = count(args.layer, "--layer", maximum=layers) if args.layer is not None else layers
        head = count(args.head, "--head", maximum=heads) if args.head is not None else None
        pick = (layer - 1, None if head is None else head - 1)
        title = f"cross-attention, layer {layer} of {layers}, " + (f"head {head} of {heads}" if head else
                                                                     f"mean of {heads} heads")
    read, answer = translate(model, args.question)
    weights = model.attention_map(*pick)[0]
    if model.meta.get("reverse"):  # drawn against the question as it is written
        read, weights = read[::-1], weights[:, ::-1]
    lines = [f"{args.question!r} → {answer.strip()!r}" + (f"  ({title})" if pick else "")]
    lines += [f"  {c!r} looked most at {read[int(np.argmax(w))]!r} ({w.max():.2f})" for c, w in zip(answer, weights)
              if c != " "]
    return plot.attention_figure(weights, read, answer, title=title), lines
