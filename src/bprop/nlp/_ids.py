"""The one check every corpus-taking function of bprop.nlp shares: an array of word ids.

A corpus (or a batch of contexts) is a non-empty integer array; each id is ≥ 0
and, when the vocabulary size is known, < vocab_size. A bad id is reported with
its position, so a learner finds it at once:
"create_co_matrix got word id 7 at position 3 of corpus, out of range for
vocab_size 7 (ids must lie in [0, 6])".
"""

from __future__ import annotations

import numpy as np

from bprop._checks import first_out_of_range, integer


def word_ids(corpus, owner: str, vocab_size: int | None = None, *, name: str = "corpus",
             ndims: tuple[int, ...] = (1,)) -> np.ndarray:
    """``corpus`` as an integer array of word ids (its own dtype, not copied when it already is one).

    TypeError for ids that are not integers (floats, bools, strings); ValueError
    for an empty array, a number of dimensions outside ``ndims``, or an id that
    is negative or ≥ ``vocab_size`` (the message names its position). Checking
    costs a min and a max over the ids; positions are looked for only on failure.
    """
    if vocab_size is not None:
        vocab_size = integer(vocab_size, "vocab_size", 1, owner=owner)
    ids = np.asarray(corpus)
    if ids.size == 0:
        raise ValueError(f"{owner} got an empty {name}: it needs at least one word id")
    if ids.dtype.kind not in "iu":
        hint = "; turn words into ids with preprocess or word_to_id" if ids.dtype.kind in "USO" else ""
        raise TypeError(f"{owner} expected {name} of integer word ids, got dtype {ids.dtype}{hint}")
    if ids.ndim not in ndims:
        want = " or ".join(f"{n}-D" for n in ndims)
        raise ValueError(f"{owner} expected a {want} {name} of word ids, got shape {ids.shape}")
    found = first_out_of_range(ids, vocab_size)
    if found is not None:
        where, value = found
        position = where[0] if len(where) == 1 else where
        if vocab_size is None:
            raise ValueError(f"{owner} got word id {value} at position {position} of {name}; ids must be >= 0")
        raise ValueError(f"{owner} got word id {value} at position {position} of {name}, out of range for "
                         f"vocab_size {vocab_size} (ids must lie in [0, {vocab_size - 1}])")
    return ids


def window(window_size, owner: str) -> int:
    """window_size as an int ≥ 1 (how many words on each side of the target count as its context)."""
    return integer(window_size, "window_size", 1, owner=owner)
