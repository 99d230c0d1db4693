"""From text to word ids, and from ids to the (contexts, target) pairs and one-hot rows of word2vec.

Book 2 §2.3 turns a text into a corpus of ids: lower case, the full stop '.'
made a word of its own, ids given in order of first appearance. §3.3 makes the
training data of CBOW: for each position t with a full window,

    target[n]      = corpus[t]                                     t = w + n
    contexts[n, :] = corpus[t-w], …, corpus[t-1], corpus[t+1], …, corpus[t+w]

with w = window_size, so contexts has 2w columns and len(corpus) − 2w rows.
``convert_one_hot`` turns ids of any such shape S into one-hot int32 rows of
shape S + (vocab_size,).

>>> corpus, word_to_id, id_to_word = preprocess('You say goodbye and I say hello.')
>>> corpus
array([0, 1, 2, 3, 4, 1, 5, 6])
>>> id_to_word[6]
'.'
>>> contexts, target = create_contexts_target(corpus, window_size=1)
>>> contexts[:2], target[:2]
(array([[0, 2],
       [1, 3]]), array([1, 2]))
>>> convert_one_hot(target[:2], 7)
array([[0, 1, 0, 0, 0, 0, 0],
       [0, 0, 1, 0, 0, 0, 0]], dtype=int32)
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from bprop.nlp._ids import window, word_ids


def preprocess(text: str) -> tuple[np.ndarray, dict[str, int], dict[int, str]]:
    """The book's preprocess: (corpus, word_to_id, id_to_word) of a text.

    The text is lower-cased, every '.' becomes a word of its own, and the words
    are the runs between whitespace. Ids count up from 0 in order of first
    appearance: corpus[t] = word_to_id[t-th word], id_to_word[word_to_id[w]] = w.

    corpus: int64 array of shape (number of words,); word_to_id: dict str → int;
    id_to_word: dict int → str, keys 0, 1, …, V−1 in order.

    The book splits on single spaces (``split(' ')``): the same words for
    text with one space between words, but two spaces or a newline there give
    it an empty word or a word holding '\\n'. Splitting on any whitespace
    avoids both. A text without a word is a ValueError.

    >>> preprocess('Hello. hello  you.')[0]
    array([0, 1, 0, 2, 1])
    """
    if not isinstance(text, str):
        raise TypeError(f"preprocess expected text as a str, got {type(text).__name__}")
    words = text.lower().replace(".", " .").split()
    if not words:
        raise ValueError("preprocess got a text without a word (empty, or only whitespace)")
    word_to_id: dict[str, int] = {}
    # setdefault evaluates len() before inserting: a new word gets the next id.
    ids = [word_to_id.setdefault(w, len(word_to_id)) for w in words]
    id_to_word = {i: w for w, i in word_to_id.items()}
    return np.array(ids, dtype=np.int64), word_to_id, id_to_word


def create_contexts_target(corpus: ArrayLike, window_size: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The book's create_contexts_target: every full window of the corpus as (contexts, target).

    target[n] = corpus[n + w] and contexts[n] = the w ids before it then the w
    ids after it (w = window_size), for n = 0 … len(corpus) − 2w − 1.

    corpus: 1-D integer ids (≥ 0). contexts: (len(corpus) − 2w, 2w); target:
    (len(corpus) − 2w,); both of the corpus's dtype, fresh arrays (never views
    of the corpus). A corpus shorter than 2w + 1 has no full window: ValueError
    (the book returns empty arrays).

    One copy out of a strided view of all windows (``sliding_window_view``),
    no loop over the corpus.
    """
    ws = window(window_size, "create_contexts_target")
    ids = word_ids(corpus, "create_contexts_target")
    if ids.size < 2 * ws + 1:
        raise ValueError(f"create_contexts_target got a corpus of {ids.size} ids: a window_size of {ws} needs "
                         f"at least {2 * ws + 1} (the target and {ws} on each side)")
    windows = np.lib.stride_tricks.sliding_window_view(ids, 2 * ws + 1)  # (N − 2w, 2w + 1), a view
    contexts = np.concatenate([windows[:, :ws], windows[:, ws + 1:]], axis=1)
    target = ids[ws:-ws].copy()
    return contexts, target


def convert_one_hot(corpus: ArrayLike, vocab_size: int) -> np.ndarray:
    """The book's convert_one_hot: one_hot[..., k] = 1 where the id is k, else 0.

    corpus: integer ids of shape (N,) or (N, C), each in [0, vocab_size).
    Returns int32 (as the book) of shape (N, vocab_size) or (N, C, vocab_size).
    An id out of range is a ValueError naming its position.

    One scatter (``put_along_axis``) into zeros, no loop over the ids.
    """
    ids = word_ids(corpus, "convert_one_hot", vocab_size, ndims=(1, 2))
    one_hot = np.zeros(ids.shape + (int(vocab_size),), dtype=np.int32)
    np.put_along_axis(one_hot, ids[..., None].astype(np.intp, copy=False), 1, axis=-1)
    return one_hot
