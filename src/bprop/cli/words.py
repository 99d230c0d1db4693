"""``bprop similar``, ``analogy``, ``generate`` and ``translate``: using a book-2 model saved by ``bprop train``.

    bprop similar she cbow.npz                 the words nearest to 'she' (cosine similarity)
    bprop analogy cbow.npz king man queen       king : man = queen : ?  (b − a + c)
    bprop generate lm.npz --start the --length 100 --seed 0 [--temperature T] [--top-k K]
    bprop translate date.npz "september 27, 1994"

generate reads word models (an LSTM language model, a GPT on words) and character
GPTs (``--data chars:FILE``: --start is then text, its characters read one by one);
translate any seq2seq model, book 2's or the Transformer's.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

import numpy as np

from bprop.cli._common import CommandError, count, number

if TYPE_CHECKING:
    from bprop.nets import AttentionSeq2seq, Seq2seq, TransformerSeq2seq

_EXAMPLE = "bprop train --model cbow --save cbow.npz"


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("similar", help="the words nearest to a word in a saved book-2 model")
    p.add_argument("word")
    p.add_argument("model", metavar="MODEL.npz")
    p.add_argument("--top", metavar="N", default="5", help="how many words (default 5)")
    p.set_defaults(func=run_similar)

    p = subparsers.add_parser("analogy", help="a : b = c : ? with a saved book-2 model's word vectors")
    p.add_argument("model", metavar="MODEL.npz")
    p.add_argument("words", nargs=3, metavar="WORD", help="a b c, as book 2's analogy(a, b, c): b − a + c")
    p.add_argument("--top", metavar="N", default="5", help="how many answers (default 5)")
    p.set_defaults(func=run_analogy)

    p = subparsers.add_parser("generate", help="text sampled from a saved language model")
    p.add_argument("model", metavar="MODEL.npz")
    p.add_argument("--start", help="the first word(s), space-separated (default 'the'); for a character model, "
                                   "text (default: the first character of its training text)")
    p.add_argument("--length", metavar="N", default="100", help="words to write, the start included (default 100)")
    p.add_argument("--seed", metavar="N", default="0", help="random seed: the same seed, the same text")
    p.add_argument("--temperature", metavar="T", default="1", help="below 1: safer words; above 1: bolder")
    p.add_argument("--top-k", metavar="K", help="sample only among the K likeliest words")
    p.set_defaults(func=run_generate)

    p = subparsers.add_parser("translate", help="a saved seq2seq model's answer to a question")
    p.add_argument("model", metavar="MODEL.npz")
    p.add_argument("question", help='e.g. "september 27, 1994" (date) or "16+75" (addition)')
    p.set_defaults(func=run_translate)


def saved_model(path: str, kind: str) -> tuple[Any, list]:
    """(model, vocabulary) of a file whose meta says ``kind``: "words", "chars" (a seq2seq model), "text"
    (a language model on words or characters) or "attention" (a seq2seq model or a GPT)."""
    from bprop.nets import load_model

    try:
        model = load_model(path)
    except FileNotFoundError:
        raise CommandError(f"{path}: no such model file (save one with {_EXAMPLE})") from None
    meta = getattr(model, "meta", {})
    seq2seq = hasattr(model, "encode")
    text = meta.get("kind") in ("words", "chars") and not seq2seq
    fits = {"words": meta.get("kind") == "words", "chars": meta.get("kind") == "chars" and seq2seq,
            "text": text, "attention": (meta.get("kind") == "chars" and seq2seq) or (text and hasattr(model, "context"))
            }[kind]
    if not fits or not isinstance(meta.get("vocab"), list):
        wanted = {"words": "a word model (cbow, skipgram or a language model)", "chars": "a seq2seq model",
                  "text": "a language model", "attention": "a seq2seq model or a GPT"}[kind]
        raise CommandError(f"{path}: this command needs {wanted} saved by bprop train with its vocabulary")
    return model, meta["vocab"]


def _word_ids(vocab: list, words: list[str]) -> list[int]:
    index = {w: i for i, w in enumerate(vocab)}
    unknown = [w for w in words if w not in index]
    if unknown:
        raise CommandError(f"{', '.join(repr(w) for w in unknown)} not in the model's {len(vocab):,}-word vocabulary")
    return [index[w] for w in words]


def text_ids(vocab: list, tokens: list[str], chars: bool) -> list[int]:
    """The ids of a text's tokens (its characters or its words), CommandError naming any unknown one."""
    return _chars(vocab, "".join(tokens)) if chars else _word_ids(vocab, tokens)


def _vectors(model) -> np.ndarray:
    vectors = getattr(model, "word_vecs", None)
    return vectors if vectors is not None else model.params["embed.W"]


def run_similar(args: argparse.Namespace) -> int:
    from bprop.nlp import most_similar

    model, vocab = saved_model(args.model, "words")
    _word_ids(vocab, [args.word])
    found = most_similar(args.word, {w: i for i, w in enumerate(vocab)}, dict(enumerate(vocab)), _vectors(model),
                         top=count(args.top, "--top"), verbose=False)
    for word, similarity in found:
        print(f"{word:<16} {similarity:.4f}")
    return 0


def run_analogy(args: argparse.Namespace) -> int:
    from bprop.nlp import analogy

    model, vocab = saved_model(args.model, "words")
    _word_ids(vocab, args.words)
    a, b, c = args.words
    found = analogy(a, b, c, {w: i for i, w in enumerate(vocab)}, dict(enumerate(vocab)), _vectors(model),
                    top=count(args.top, "--top"), verbose=False)
    print(f"{a} : {b} = {c} : ?")
    for word, similarity in found:
        print(f"{word:<16} {similarity:.4f}")
    return 0


def run_generate(args: argparse.Namespace) -> int:
    model, vocab = saved_model(args.model, "text")
    if not hasattr(model, "generate"):
        raise CommandError(f"{args.model}: a {type(model).__name__} does not write text; generate needs a language "
                           f"model (bprop train --model lstm-lm --save lm.npz)")
    chars = model.meta["kind"] == "chars"
    if chars:
        start = _chars(vocab, args.start or model.meta.get("start") or vocab[0])
    else:
        start = _word_ids(vocab, (args.start or "the").split() or ["the"])
    length = count(args.length, "--length")
    options = {"skip_ids": [i for i, w in enumerate(vocab) if w in ("<unk>", "N")] if not chars else None,
               "temperature": number(args.temperature, "--temperature", low=0.0, open_low=True),
               "top_k": count(args.top_k, "--top-k") if args.top_k is not None else None,
               "seed": count(args.seed, "--seed", minimum=0)}
    if hasattr(model, "context"):  # a GPT: generate(start_ids, length, …)
        ids = model.generate(start, length, **options)
    else:
        ids = model.generate(start, sample_size=length, **options)
    if chars:
        print("".join(vocab[i] for i in ids))
    else:
        print(" ".join(vocab[i] for i in ids).replace(" <eos>", ".\n"))
    return 0


def run_translate(args: argparse.Namespace) -> int:
    model, _ = saved_model(args.model, "chars")
    print(translate(model, args.question)[1].strip())
    return 0


def translate(model: Seq2seq | AttentionSeq2seq | TransformerSeq2seq, question: str) -> tuple[str, str]:
    """(the question as the encoder reads it: padded, reversed when the model was trained so; the answer)."""
    meta, chars = model.meta, model.meta["vocab"]
    width = int(meta["question_width"])
    if len(question) > width:
        raise CommandError(f"the question has {len(question)} characters; this model reads at most {width}")
    read = question.ljust(width)[::-1] if meta.get("reverse") else question.ljust(width)
    answer = model.generate(np.array([_chars(chars, read)]), chars.index("_"), int(meta["answer_width"]) - 1)[0]
    return read, "".join(chars[i] for i in answer)


def _chars(chars: list, text: str) -> list[int]:
    unknown = sorted({c for c in text if c not in chars})
    if unknown:
        raise CommandError(f"the characters {''.join(unknown)!r} are not in the model's alphabet "
                           f"({''.join(sorted(chars))!r})")
    return [chars.index(c) for c in text]
