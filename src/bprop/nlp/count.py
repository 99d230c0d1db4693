"""The count-based method of book 2 ch. 2: a co-occurrence matrix and its positive PMI.

Co-occurrence (§2.3.4). With window w, C[i, j] counts how often word j stands
within w positions of word i:

    C[i, j] = #{(t, d) : 1 ≤ |d| ≤ w, 0 ≤ t + d < len(corpus), corpus[t] = i, corpus[t + d] = j}

so C is symmetric and each row i sums to the number of context slots around i.

Positive pointwise mutual information (§2.4.1), the book's formula:

    PPMI(i, j) = max(0, log2(C[i, j]·N / (S[i]·S[j]) + eps)),   N = Σ_ij C[i, j],  S[j] = Σ_i C[i, j]

S is the column sums (the book's ``np.sum(C, axis=0)``), which for a symmetric
C are the row sums as well. A word that never co-occurs (S[i] = 0) gets a row
and a column of zeros, which is what the book's loop gives for any symmetric C
after dividing 0 by 0 (with warnings); here there is no 0/0 at all.

>>> from bprop.nlp import preprocess
>>> corpus, word_to_id, id_to_word = preprocess('You say goodbye and I say hello.')
>>> C = create_co_matrix(corpus, len(word_to_id))
>>> C[0], C.dtype
(array([0, 1, 0, 0, 0, 0, 0], dtype=int32), dtype('int32'))
>>> np.round(ppmi(C)[0], 3)
array([0.   , 1.807, 0.   , 0.   , 0.   , 0.   , 0.   ], dtype=float32)
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from bprop._checks import FLOAT_DTYPES, real
from bprop.nlp._ids import window, word_ids

_INT32_MAX = np.iinfo(np.int32).max


def create_co_matrix(corpus: ArrayLike, vocab_size: int, window_size: int = 1) -> np.ndarray:
    """The book's create_co_matrix: C[i, j] = how often id j stands within window_size of id i.

    corpus: 1-D integer ids in [0, vocab_size) (a bad id is a ValueError naming
    its position). Returns (vocab_size, vocab_size) int32 counts, as the book
    does; int64 only if the corpus is so long that a count could pass 2³¹ − 1.

    For each offset d = 1 … window_size, the pairs (corpus[t], corpus[t + d])
    and (corpus[t + d], corpus[t]) are added with one ``np.add.at`` each on the
    flattened matrix: 2·window_size vectorised calls, no loop over the corpus.
    The increment is given in the matrix's dtype, which keeps ``add.at`` on its
    fast path (with a Python ``1`` it was ten times slower).
    """
    ws = window(window_size, "create_co_matrix")
    ids = word_ids(corpus, "create_co_matrix", vocab_size).astype(np.intp, copy=False)
    V = int(vocab_size)
    dtype = np.int32 if 2 * ws * ids.size <= _INT32_MAX else np.int64
    co_matrix = np.zeros((V, V), dtype=dtype)
    flat = co_matrix.reshape(-1)  # a view: C[i, j] is flat[i·V + j]
    one = dtype(1)
    for d in range(1, min(ws, ids.size - 1) + 1):
        left, right = ids[:-d], ids[d:]
        np.add.at(flat, left * V + right, one)  # right stands d after left
        np.add.at(flat, right * V + left, one)  # left stands d before right
    return co_matrix


def ppmi(C: ArrayLike, verbose: bool = False, eps: float = 1e-8) -> np.ndarray:
    """The book's ppmi: M[i, j] = max(0, log2(C[i, j]·N / (S[i]·S[j]) + eps)), S the column sums.

    C: (V, V) co-occurrence counts, ≥ 0 and finite (NaN, inf or a negative
    entry is a ValueError). Returns (V, V): float32 for integer counts, as the
    book; a float32 or float64 C keeps its dtype (the book always returns
    float32). Rows with S[i] = 0 come out as zeros. ``verbose`` prints one
    line about the matrix (the book prints its loop's progress); ``eps`` ≥ 0
    (0 is allowed: log2(0) = −inf becomes 0, without a warning).

    The same numbers as the book's double loop (which took 427 s at V = 5,000),
    computed as one copy of C in the output dtype, scaled in place by the
    column factor 1/S[j] and the row factor N/S[i], then log2 and the max in
    place: a single V×V array, no V×V temporaries. N and S are summed in
    float64. A float32 result may differ from the book's in the seventh digit
    (the book computes each ratio in float64, then rounds).
    """
    C = np.asarray(C)
    if C.ndim != 2 or C.shape[0] != C.shape[1]:
        raise ValueError(f"ppmi expected a square co-occurrence matrix (V, V), got shape {C.shape}")
    if C.dtype in FLOAT_DTYPES:
        dtype = C.dtype
    elif C.dtype.kind in "iu":
        dtype = np.dtype(np.float32)
    else:
        raise TypeError(f"ppmi expected counts of an integer dtype or float32/float64, got dtype {C.dtype}")
    eps = real(eps, "eps", 0, owner="ppmi")
    if C.size:
        low, high = C.min(), C.max()  # two passes, no temporary; NaN shows in both
        if not (low >= 0 and np.isfinite(high)):
            bad = low if not low >= 0 else high
            raise ValueError(f"ppmi expected counts >= 0 and finite, got an entry {bad}")
    S = C.sum(axis=0, dtype=np.float64)
    N = S.sum()
    inv = np.zeros_like(S)
    np.divide(1.0, S, out=inv, where=S > 0)  # 1/S[j], and 0 for words that never co-occur
    M = C.astype(dtype)  # the one V×V array; everything below works in place on it
    M *= inv.astype(dtype)[None, :]
    M *= (N * inv).astype(dtype)[:, None]
    M += dtype.type(eps)
    with np.errstate(divide="ignore"):  # only eps = 0 reaches log2(0) = −inf, which max(0, ·) makes 0
        np.log2(M, out=M)
    np.maximum(M, 0, out=M)
    if verbose:
        print(f"ppmi: {C.shape[0]}×{C.shape[1]} co-occurrence matrix, N = {N:g}, "
              f"{int(np.count_nonzero(S == 0))} words without co-occurrences")
    return M
