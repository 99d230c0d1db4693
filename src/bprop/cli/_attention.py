"""``bprop plot attention FILE.npz TEXT``: where each character of a seq2seq answer looked (book 2 §8.4),
or where each word of a text looked in a GPT.

Registered by ``bprop.cli.plot`` as one of its figures; like ``_filters`` it reads a saved model instead of
running an experiment. For a transformer-seq2seq model the picture is one decoder block's cross-attention,
for a GPT one block's causal self-attention over the text (its words, or its characters for a ``chars:``
model; at most ``context`` of them): ``--layer L`` picks the block (counted from 1; default the last),
``--head H`` one head (from 1), else the mean of the heads.
"""

from __future__ import annotations

import numpy as np

from bprop.cli._common import CommandError, count

HELP = ("a saved seq2seq model's attention map for one question (book 2 §8.4; per layer and head for the "
        "Transformer), or a GPT's self-attention over a text")


def add_arguments(parser) -> None:
    parser.add_argument("model", metavar="FILE.npz",
                        help="saved by 'bprop train --model attention-seq2seq (or transformer-seq2seq, gpt) "
                             "--save FILE.npz'")
    parser.add_argument("question", metavar="TEXT", help='the question, e.g. "september 27, 1994"; for a GPT the '
                                                         'text it reads, e.g. "she was not in the room"')
    parser.add_argument("--layer", metavar="L", help="transformer-seq2seq and gpt: the block, 1 … layers "
                                                     "(default: the last)")
    parser.add_argument("--head", metavar="H", help="transformer-seq2seq and gpt: one head, 1 … heads (default: "
                                                    "the mean of the heads)")


def run(args, seed):
    """(figure, lines): the answer to the question and where each of its characters looked."""
    from bprop import plot
    from bprop.cli.words import saved_model, translate

    model, vocab = saved_model(args.model, "attention")
    if hasattr(model, "context"):
        return _run_gpt(args, model, vocab)
    if not hasattr(model, "attention_map"):
        raise CommandError(f"{args.model}: a {type(model).__name__} has no attention; train one with "
                           f"--model attention-seq2seq or transformer-seq2seq")
    config = getattr(model, "_config", {})
    layers = config.get("num_layers")
    if layers is None and (args.layer is not None or args.head is not None):
        raise CommandError(f"--layer and --head apply to a transformer-seq2seq or gpt model; a "
                           f"{type(model).__name__} has one attention")
    title, pick = ("attention", ()) if layers is None else _pick(args, config, "cross-attention")
    read, answer = translate(model, args.question)
    weights = model.attention_map(*pick)[0]
    if model.meta.get("reverse"):  # drawn against the question as it is written
        read, weights = read[::-1], weights[:, ::-1]
    lines = [f"{args.question!r} → {answer.strip()!r}" + (f"  ({title})" if pick else "")]
    lines += [f"  {c!r} looked most at {read[int(np.argmax(w))]!r} ({w.max():.2f})" for c, w in zip(answer, weights)
              if c != " "]
    return plot.attention_figure(weights, read, answer, title=title), lines


def _pick(args, config: dict, kind: str) -> tuple[str, tuple]:
    """(title, (layer, head) for ``attention_map``, counted from 0) from --layer and --head."""
    layers, heads = config["num_layers"], config["num_heads"]
    layer = count(args.layer, "--layer", maximum=layers) if args.layer is not None else layers
    head = count(args.head, "--head", maximum=heads) if args.head is not None else None
    title = f"{kind}, layer {layer} of {layers}, " + (f"head {head} of {heads}" if head else f"mean of {heads} heads")
    return title, (layer - 1, None if head is None else head - 1)


def _run_gpt(args, model, vocab: list):
    """A GPT's causal self-attention over a text: row t is where its t-th token looked (tokens 0 … t only)."""
    from bprop import plot
    from bprop.cli.words import text_ids

    chars = model.meta["kind"] == "chars"
    tokens = list(args.question) if chars else args.question.split()
    if not tokens:
        raise CommandError("the text is empty; give the words (or characters) the GPT should read")
    if len(tokens) > model.context:
        unit = "characters" if chars else "words"
        raise CommandError(f"the text has {len(tokens)} {unit}; this GPT reads at most {model.context} at once")
    ids = text_ids(vocab, tokens, chars)
    model.predict(np.array([ids]))
    title, pick = _pick(args, model._config, "self-attention")
    weights = model.attention_map(*pick)[0]
    lines = [f"{args.question!r}  ({title})"]
    lines += [f"  {w!r} looked most at {tokens[int(np.argmax(row))]!r} ({row.max():.2f})"
              for w, row in zip(tokens, weights) if w != " "]
    axes = ("characters read", "character") if chars else ("words read", "word")
    return plot.attention_figure(weights, tokens, tokens, title=title, xlabel=axes[0],
                                 ylabel=f"each {axes[1]} (causal: sees itself and those before it)"), lines
