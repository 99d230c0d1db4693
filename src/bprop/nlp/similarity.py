"""Comparing word vectors: cosine similarity, the nearest words, and analogies (book 2 §2.3.5, §2.3.6, §4.3).

    cos_similarity(x, y) = x·y / ((‖x‖ + eps)(‖y‖ + eps))

(the book's x/(‖x‖+eps) · y/(‖y‖+eps), eps keeping a zero vector at similarity 0).
``most_similar`` ranks every word by its cosine similarity to the query word;
``analogy`` answers "a is to b as c is to ?" with the words whose vectors have
the largest dot product with normalize(b − a + c), as the book does.

Both print like the book by default (``verbose=True``) and return the ranking
as a list of (word, similarity) pairs; ``verbose=False`` only returns it. A
word that is not in the vocabulary is not an error, as in the book: it prints
"<word> is not found" (when verbose) and returns an empty list.

>>> from bprop.nlp import create_co_matrix, preprocess
>>> corpus, word_to_id, id_to_word = preprocess('You say goodbye and I say hello.')
>>> C = create_co_matrix(corpus, len(word_to_id))
>>> round(float(cos_similarity(C[word_to_id['you']], C[word_to_id['i']])), 4)
0.7071
>>> ranking = most_similar('you', word_to_id, id_to_word, C, top=5)
<BLANKLINE>
[query] you
 goodbye: 0.7071067691154799
 i: 0.7071067691154799
 hello: 0.7071067691154799
 say: 0.0
 and: 0.0
>>> [word for word, _ in ranking]
['goodbye', 'i', 'hello', 'say', 'and']
>>> most_similar('me', word_to_id, id_to_word, C)
me is not found
[]
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike

from bprop._checks import integer, real


def _float(x, owner: str, name: str) -> np.ndarray:
    """x as an array of a float dtype (integers → float64, floats kept); TypeError for anything else."""
    x = np.asarray(x)
    if x.dtype.kind in "iu":
        return x.astype(np.float64)
    if x.dtype.kind != "f":
        raise TypeError(f"{owner} expected {name} of numbers, got dtype {x.dtype}")
    return x


def cos_similarity(x: ArrayLike, y: ArrayLike, eps: float = 1e-8) -> float:
    """The book's cosine similarity x·y / ((‖x‖ + eps)(‖y‖ + eps)).

    x: (D,) or (N, D) (one similarity per row of x); y: (D,). Returns a NumPy
    scalar, or an (N,) array, of the inputs' float dtype (float32 stays float32,
    integers give float64). A zero vector has similarity 0 with everything; no
    warning.

    >>> rows = np.array([[1.0, 1.0], [0.0, 0.0], [2.0, 0.0]])
    >>> np.round(cos_similarity(rows, np.array([1.0, 0.0])), 4)
    array([0.7071, 0.    , 1.    ])
    """
    x = _float(x, "cos_similarity", "x")
    y = _float(y, "cos_similarity", "y")
    eps = real(eps, "eps", 0, owner="cos_similarity")
    if y.ndim != 1 or x.ndim not in (1, 2) or x.shape[-1] != y.shape[0]:
        raise ValueError(f"cos_similarity expected x of shape (D,) or (N, D) and y of shape (D,), "
                         f"got x {x.shape} and y {y.shape}")
    dtype = np.result_type(x, y)
    x, y = x.astype(dtype, copy=False), y.astype(dtype, copy=False)
    x_norm = np.sqrt(np.einsum("...d,...d->...", x, x))  # ‖x‖ per row, without an x² temporary
    y_norm = np.sqrt(y @ y)
    return (x @ y) / ((x_norm + eps) * (y_norm + eps))


def normalize(x: ArrayLike) -> np.ndarray:
    """The book's normalize: x/‖x‖ for a vector (D,), each row over its own norm for a matrix (N, D).

    Returns a new array of x's float dtype (integers give float64); the book
    divides x in place instead. A zero vector or row stays zero (the book's
    gives NaN and a warning).
    """
    x = _float(x, "normalize", "x")
    if x.ndim not in (1, 2):
        raise ValueError(f"normalize expected a vector (D,) or a matrix (N, D), got shape {x.shape}")
    norm = np.sqrt(np.einsum("...d,...d->...", x, x))[..., None]
    return np.divide(x, norm, out=np.zeros_like(x), where=norm > 0)


def _word_matrix(word_matrix, id_to_word, owner: str) -> np.ndarray:
    W = _float(word_matrix, owner, "word_matrix")
    if W.ndim != 2 or W.shape[0] != len(id_to_word):
        raise ValueError(f"{owner} expected word_matrix with one row per word, ({len(id_to_word)}, D), "
                         f"got shape {W.shape}")
    return W


def _top_words(scores, id_to_word, top: int, skip: set[int], verbose: bool) -> list[tuple[str, float]]:
    """The ``top`` ids by descending score, less those in ``skip`` and NaN scores, as (word, score) pairs.

    Ties keep id order (a stable sort), so the ranking does not depend on the
    sort algorithm.
    """
    ranking: list[tuple[str, float]] = []
    for i in np.argsort(-scores, kind="stable"):
        if len(ranking) == top:
            break
        if int(i) in skip or np.isnan(scores[i]):
            continue
        word, score = id_to_word[int(i)], float(scores[i])
        ranking.append((word, score))
        if verbose:
            print(f" {word}: {score}")
    return ranking


def _not_found(words, word_to_id, verbose: bool) -> bool:
    for word in words:
        if word not in word_to_id:
            if verbose:
                print(f"{word} is not found")
            return True
    return False


def most_similar(query: str, word_to_id: Mapping[str, int], id_to_word: Mapping[int, str], word_matrix: ArrayLike,
                 top: int = 5, *,
                 verbose: bool = True) -> list[tuple[str, float]]:
    """The book's most_similar: the ``top`` words nearest to ``query`` by cosine similarity, best first.

    word_matrix: (V, D), row word_to_id[w] the vector of word w; id_to_word:
    id → word for all V ids. Returns [(word, similarity), …] (similarity a
    float), the query itself left out; prints "[query] …" and one line per
    word as the book does unless ``verbose=False``. A query not in word_to_id
    prints "<query> is not found" (when verbose) and returns [] (the book
    prints the same and returns None).

    One product of the matrix with the query instead of the book's loop over
    the vocabulary.
    """
    top = integer(top, "top", 1, owner="most_similar")
    W = _word_matrix(word_matrix, id_to_word, "most_similar")
    if _not_found([query], word_to_id, verbose):
        return []
    query_id = word_to_id[query]
    if verbose:
        print(f"\n[query] {query}")
    similarity = cos_similarity(W, W[query_id])
    return _top_words(similarity, id_to_word, top, {query_id}, verbose)


def analogy(a: str, b: str, c: str, word_to_id: Mapping[str, int], id_to_word: Mapping[int, str],
            word_matrix: ArrayLike, top: int = 5, answer: str | None = None, *,
            verbose: bool = True) -> list[tuple[str, float]]:
    """The book's analogy "a : b = c : ?": the words w with the largest word_matrix[w] · normalize(b − a + c).

    Only the query vector is normalised, as in the book: pass a row-normalised
    word_matrix (``normalize(W)``) for cosine similarities. Returns [(word,
    score), …], best first, a, b and c left out (and NaN scores, as in the
    book); prints "[analogy] a:b = c:?", "==>answer:score" when ``answer`` is
    given, and the ranking, unless ``verbose=False``. A word not in the
    vocabulary (a, b, c, or answer) prints "<word> is not found" (when
    verbose); for a, b or c the result is [] (the book returns None).
    A zero query, b − a + c = 0, scores every word 0 (the book's gives NaN).

    >>> W = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 2.0]])
    >>> words = {'man': 0, 'king': 1, 'woman': 2, 'queen': 3}
    >>> analogy('man', 'king', 'woman', words, {i: w for w, i in words.items()}, W, top=1, verbose=False)
    [('queen', 2.0)]
    """
    top = integer(top, "top", 1, owner="analogy")
    W = _word_matrix(word_matrix, id_to_word, "analogy")
    if _not_found((a, b, c), word_to_id, verbose):
        return []
    if verbose:
        print(f"\n[analogy] {a}:{b} = {c}:?")
    ids = [word_to_id[w] for w in (a, b, c)]
    query_vec = normalize(W[ids[1]] - W[ids[0]] + W[ids[2]])
    similarity = W @ query_vec
    if answer is not None and verbose and not _not_found([answer], word_to_id, verbose):
        print(f"==>{answer}:{float(W[word_to_id[answer]] @ query_vec)}")
    return _top_words(similarity, id_to_word, top, set(ids), verbose)
