"""bprop.nlp.count: the book's co-occurrence matrix and PPMI numbers, against loops written here."""

import math
import tracemalloc
import warnings

import numpy as np
import pytest

from bprop.nlp import create_co_matrix, ppmi, preprocess

# The book's co-occurrence matrix of "You say goodbye and I say hello." (§2.3.4, window 1).
BOOK_C = np.array([
    [0, 1, 0, 0, 0, 0, 0],
    [1, 0, 1, 0, 1, 1, 0],
    [0, 1, 0, 1, 0, 0, 0],
    [0, 0, 1, 0, 1, 0, 0],
    [0, 1, 0, 1, 0, 0, 0],
    [0, 1, 0, 0, 0, 0, 1],
    [0, 0, 0, 0, 0, 1, 0],
])


def _co_matrix_loop(corpus, vocab_size, window_size):
    """The book's double loop over the corpus and the offsets."""
    C = np.zeros((vocab_size, vocab_size), dtype=np.int32)
    for t, word_id in enumerate(corpus):
        for d in range(1, window_size + 1):
            if t - d >= 0:
                C[word_id, corpus[t - d]] += 1
            if t + d < len(corpus):
                C[word_id, corpus[t + d]] += 1
    return C


def _ppmi_loop(C, eps=1e-8):
    """The book's double loop: each entry in float64, Python's max (which makes its 0/0 = NaN a 0)."""
    C = np.asarray(C, dtype=np.float64)
    N, S = C.sum(), C.sum(axis=0)
    M = np.zeros(C.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in range(C.shape[0]):
            for j in range(C.shape[1]):
                M[i, j] = max(0, np.log2(C[i, j] * N / (S[j] * S[i]) + eps))
    return M


def _counts(rng, V, zero_rows=()):
    A = rng.poisson(0.8, (V, V))
    C = A + A.T
    C[list(zero_rows)] = 0
    C[:, list(zero_rows)] = 0
    return C


def test_create_co_matrix_gives_the_books_matrix():
    corpus, word_to_id, _ = preprocess("You say goodbye and I say hello.")
    C = create_co_matrix(corpus, len(word_to_id), window_size=1)
    np.testing.assert_array_equal(C, BOOK_C)
    assert C.dtype == np.int32


@pytest.mark.parametrize("window_size", [1, 2, 3, 7, 60])
def test_create_co_matrix_equals_the_books_loop(window_size):
    corpus = np.random.default_rng(window_size).integers(0, 12, 50)
    C = create_co_matrix(corpus, 15, window_size)
    np.testing.assert_array_equal(C, _co_matrix_loop(corpus.tolist(), 15, window_size))
    np.testing.assert_array_equal(C, C.T)
    assert C.dtype == np.int32 and C.shape == (15, 15)


def test_create_co_matrix_of_one_word_is_zero_and_a_list_is_accepted():
    np.testing.assert_array_equal(create_co_matrix([2], 3), np.zeros((3, 3), dtype=np.int32))
    np.testing.assert_array_equal(create_co_matrix([0, 1], 2), [[0, 1], [1, 0]])


def test_create_co_matrix_names_the_position_of_a_bad_id_and_refuses_bad_arguments():
    with pytest.raises(ValueError, match=r"create_co_matrix got word id 7 at position 3 of corpus, out of range "
                                         r"for vocab_size 7"):
        create_co_matrix(np.array([0, 1, 2, 7]), 7)
    with pytest.raises(ValueError, match="empty corpus"):
        create_co_matrix([], 7)
    with pytest.raises(ValueError, match="window_size >= 1"):
        create_co_matrix([0, 1], 2, window_size=0)
    with pytest.raises(ValueError, match="vocab_size >= 1"):
        create_co_matrix([0, 1], 0)
    with pytest.raises(TypeError, match="integer word ids"):
        create_co_matrix(np.array([0.0, 1.0]), 2)


def test_ppmi_gives_the_books_numbers():
    # N = 14 and the sums S = (1, 4, 2, 2, 2, 2, 1): each entry is log2(C·N/(S_i·S_j)) where C > 0.
    a, b, c = math.log2(14 / 4), math.log2(14 / 8), math.log2(14 / 2)
    want = np.array([
        [0, a, 0, 0, 0, 0, 0],
        [a, 0, b, 0, b, b, 0],
        [0, b, 0, a, 0, 0, 0],
        [0, 0, a, 0, a, 0, 0],
        [0, b, 0, a, 0, 0, 0],
        [0, b, 0, 0, 0, 0, c],
        [0, 0, 0, 0, 0, c, 0],
    ])
    W = ppmi(BOOK_C)
    assert W.dtype == np.float32
    np.testing.assert_allclose(W, want, atol=1e-6)
    assert np.round(W[1], 3).tolist() == pytest.approx([1.807, 0, 0.807, 0, 0.807, 0.807, 0])
    assert np.round(W[5, 6], 3) == pytest.approx(2.807)


@pytest.mark.parametrize("dtype, atol", [(np.float64, 1e-12), (np.float32, 1e-5), (np.int32, 1e-5)])
def test_ppmi_equals_the_books_double_loop_with_zero_rows_and_no_warning(dtype, atol):
    C = _counts(np.random.default_rng(0), 30, zero_rows=(0, 17)).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        W = ppmi(C)
    np.testing.assert_allclose(W, _ppmi_loop(C), rtol=0, atol=atol)
    assert W.dtype == (np.float32 if dtype == np.int32 else dtype)
    assert not W[0].any() and not W[:, 17].any()


def test_ppmi_of_a_non_symmetric_matrix_uses_the_column_sums_for_both_factors_as_the_book():
    C = np.random.default_rng(1).poisson(2.0, (9, 9)) + 1
    np.testing.assert_allclose(ppmi(C.astype(np.float64)), _ppmi_loop(C), rtol=0, atol=1e-12)


@pytest.mark.parametrize("eps", [1e-8, 0.0, 0.5])
def test_ppmi_of_an_all_zero_matrix_and_any_eps_gives_no_warning(eps):
    C = _counts(np.random.default_rng(2), 12, zero_rows=(3,))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(ppmi(np.zeros((5, 5), dtype=np.float32), eps=eps), np.zeros((5, 5)))
        W = ppmi(C, eps=eps)
    np.testing.assert_allclose(W, _ppmi_loop(C, eps=eps), atol=1e-5)


def test_ppmi_leaves_its_input_untouched():
    C = _counts(np.random.default_rng(3), 10).astype(np.float32)
    before = C.copy()
    ppmi(C)
    np.testing.assert_array_equal(C, before)


def test_ppmi_allocates_a_single_matrix_of_the_output():
    C = _counts(np.random.default_rng(4), 600).astype(np.float32)
    tracemalloc.start()
    try:
        W = ppmi(C)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1.1 * W.nbytes, f"ppmi peaked at {peak / W.nbytes:.2f} output matrices"


def test_ppmi_verbose_prints_one_line(capsys):
    ppmi(BOOK_C, verbose=True)
    assert capsys.readouterr().out == "ppmi: 7×7 co-occurrence matrix, N = 14, 0 words without co-occurrences\n"
    ppmi(BOOK_C)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("C, error, message", [
    (np.zeros((3, 4)), ValueError, r"square co-occurrence matrix \(V, V\), got shape \(3, 4\)"),
    (np.zeros(3), ValueError, "square"),
    (np.array([[1.0, -1.0], [-1.0, 1.0]]), ValueError, "counts >= 0 and finite, got an entry -1.0"),
    (np.array([[1.0, np.nan], [0.0, 1.0]]), ValueError, "got an entry nan"),
    (np.array([[1.0, np.inf], [0.0, 1.0]]), ValueError, "got an entry inf"),
    (np.eye(2, dtype=bool), TypeError, "dtype bool"),
    (np.eye(2, dtype=np.complex128), TypeError, "dtype complex128"),
])
def test_ppmi_refuses_what_is_not_a_count_matrix(C, error, message):
    with pytest.raises(error, match=message):
        ppmi(C)


def test_ppmi_refuses_a_negative_eps():
    with pytest.raises(ValueError, match="eps >= 0"):
        ppmi(BOOK_C, eps=-1e-8)
