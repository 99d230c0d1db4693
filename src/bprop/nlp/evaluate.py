"""Scoring book 2's models: eval_perplexity (language models), eval_seq2seq and seq2seq_accuracy.

eval_perplexity(model, corpus, batch_size=10, time_size=35) = exp(mean loss)
over the corpus read as the book reads it: batch_size streams, time_size steps
at a time, the state carried (dropout off). eval_seq2seq(model, question,
correct, id_to_char, verbose, is_reverse) is the book's check of one
question: 1 when the greedy answer is exactly right, else 0 (printing both
when verbose). seq2seq_accuracy(model, x, t) is the share of exactly right
answers over a whole set, decoded in batches.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from bprop._checks import positive_int

__all__ = ["eval_perplexity", "eval_seq2seq", "seq2seq_accuracy"]


def eval_perplexity(model: Any, corpus: ArrayLike, batch_size: int = 10, time_size: int = 35) -> float:
    """exp of the mean next-word loss over corpus (1-D ids); the model's state is reset first."""
    corpus = np.asarray(corpus)
    batch_size, time_size = positive_int(batch_size, "batch_size"), positive_int(time_size, "time_size")
    max_iters = (len(corpus) - 1) // (batch_size * time_size)
    if max_iters == 0:
        raise ValueError(f"a corpus of {len(corpus)} ids is shorter than one block of {batch_size} × {time_size} "
                         f"(+1)")
    jump = (len(corpus) - 1) // batch_size
    offsets = np.arange(batch_size)[:, None] * jump
    model.reset_state()
    total = 0.0
    for i in range(max_iters):
        idx = offsets + i * time_size + np.arange(time_size)[None, :]
        xs, ts = corpus[idx], corpus[idx + 1]
        try:
            loss = model.forward(xs, ts, train_flg=False)
        except TypeError:  # a model without dropout takes no train_flg
            loss = model.forward(xs, ts)
        total += float(loss)
    model.reset_state()
    return math.exp(total / max_iters)


def eval_seq2seq(model: Any, question: np.ndarray, correct: np.ndarray, id_to_char: Mapping[int, str],
                 verbose: bool = False, is_reverse: bool = False) -> int:
    """1 when the model's greedy answer to question (1, T) equals correct (1, T_out, start symbol first), else 0."""
    correct = np.asarray(correct).reshape(-1)
    start_id, correct = int(correct[0]), correct[1:]
    guess = model.generate(np.asarray(question).reshape(1, -1), start_id, len(correct))[0]
    if verbose:
        question_text = "".join(id_to_char[int(c)] for c in np.asarray(question).reshape(-1))
        if is_reverse:
            question_text = question_text[::-1]
        mark = "O" if np.array_equal(guess, correct) else "X"
        print("Q", question_text)
        print("T", "".join(id_to_char[int(c)] for c in correct))
        print(mark, "".join(id_to_char[int(c)] for c in guess))
        print("---")
    return int(np.array_equal(guess, correct))


def seq2seq_accuracy(model: Any, x: ArrayLike, t: ArrayLike, batch_size: int = 500) -> float:
    """The share of rows whose greedy answer equals t[:, 1:] exactly (t's first column: the start symbol)."""
    x, t = np.asarray(x), np.asarray(t)
    right = 0
    for start in range(0, len(x), positive_int(batch_size, "batch_size")):
        rows = slice(start, start + batch_size)
        guess = model.generate(x[rows], int(t[start, 0]), t.shape[1] - 1)
        right += int((guess == t[rows, 1:]).all(axis=1).sum())
    return right / len(x)
