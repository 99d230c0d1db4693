"""bprop.nlp.similarity: cosine similarity, most_similar and analogy, against the book's loops written here."""

import warnings

import numpy as np
import pytest

from bprop.nlp import analogy, cos_similarity, create_co_matrix, most_similar, normalize, preprocess

CORPUS, WORD_TO_ID, ID_TO_WORD = preprocess("You say goodbye and I say hello.")
C = create_co_matrix(CORPUS, len(WORD_TO_ID))

# man : king = woman : queen, with a "royal" axis and a "female" axis; row 4 is noise.
WORDS = ["man", "king", "woman", "queen", "apple"]
A_TO_ID = {w: i for i, w in enumerate(WORDS)}
A_ID_TO_WORD = dict(enumerate(WORDS))
A_W = normalize(np.array([[1.0, 0.0, 0.1], [1.0, 1.0, 0.1], [0.0, 0.0, 1.0], [0.0, 1.0, 1.0], [0.3, -0.2, -0.5]]))


def _book_cos(x, y, eps=1e-8):
    nx = x / (np.sqrt(np.sum(x ** 2)) + eps)
    ny = y / (np.sqrt(np.sum(y ** 2)) + eps)
    return np.dot(nx, ny)


def _book_most_similar(query, word_to_id, id_to_word, word_matrix, top):
    query_vec = word_matrix[word_to_id[query]]
    similarity = np.array([_book_cos(word_matrix[i], query_vec) for i in range(len(id_to_word))])
    out = []
    for i in np.argsort(-similarity, kind="stable"):
        if id_to_word[i] != query:
            out.append((id_to_word[i], similarity[i]))
    return out[:top]


def test_cos_similarity_gives_the_books_number_for_you_and_i():
    assert cos_similarity(C[WORD_TO_ID["you"]], C[WORD_TO_ID["i"]]) == pytest.approx(0.7071067691154799, rel=1e-15)


def test_cos_similarity_of_rows_equals_the_books_formula_row_by_row():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((20, 6)), rng.standard_normal(6)
    np.testing.assert_allclose(cos_similarity(x, y), [_book_cos(row, y) for row in x], rtol=1e-14)


def test_cos_similarity_of_a_zero_vector_is_zero_without_a_warning_and_float32_stays_float32():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cos_similarity(np.zeros(3), np.ones(3)) == 0
    x = np.ones((4, 3), dtype=np.float32)
    s = cos_similarity(x, x[0])
    assert s.dtype == np.float32 and s.shape == (4,)
    np.testing.assert_allclose(s, 1, rtol=1e-6)
    assert cos_similarity(np.array([1, 0]), np.array([0, 1])).dtype == np.float64


def test_cos_similarity_refuses_shapes_that_do_not_match():
    with pytest.raises(ValueError, match=r"got x \(3,\) and y \(4,\)"):
        cos_similarity(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match=r"got x \(2, 2, 3\)"):
        cos_similarity(np.ones((2, 2, 3)), np.ones(3))
    with pytest.raises(TypeError, match="dtype <U1"):
        cos_similarity(np.array(["a"]), np.ones(1))


def test_normalize_gives_unit_rows_keeps_zero_rows_and_leaves_its_input():
    x = np.array([[3.0, 4.0], [0.0, 0.0]], dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = normalize(x)
    np.testing.assert_allclose(y, [[0.6, 0.8], [0, 0]], rtol=1e-6)
    assert y.dtype == np.float32 and x[0, 0] == 3
    np.testing.assert_allclose(normalize(np.array([0, 2])), [0, 1])
    with pytest.raises(ValueError, match="vector"):
        normalize(np.ones((1, 1, 1)))


def test_most_similar_to_you_gives_the_books_order_and_numbers():
    ranking = most_similar("you", WORD_TO_ID, ID_TO_WORD, C, top=5, verbose=False)
    assert [w for w, _ in ranking] == ["goodbye", "i", "hello", "say", "and"]
    assert [s for _, s in ranking] == pytest.approx([0.7071067691154799] * 3 + [0, 0], abs=1e-15)
    assert all(type(s) is float for _, s in ranking)


def test_most_similar_prints_like_the_book(capsys):
    most_similar("you", WORD_TO_ID, ID_TO_WORD, C, top=2)
    assert capsys.readouterr().out == "\n[query] you\n goodbye: 0.7071067691154799\n i: 0.7071067691154799\n"
    most_similar("you", WORD_TO_ID, ID_TO_WORD, C, verbose=False)
    assert capsys.readouterr().out == ""


def test_most_similar_of_an_unknown_word_says_so_and_returns_an_empty_list(capsys):
    assert most_similar("me", WORD_TO_ID, ID_TO_WORD, C) == []
    assert capsys.readouterr().out == "me is not found\n"
    assert most_similar("me", WORD_TO_ID, ID_TO_WORD, C, verbose=False) == []
    assert capsys.readouterr().out == ""


def test_most_similar_equals_the_books_loop_on_random_vectors():
    rng = np.random.default_rng(1)
    W = rng.standard_normal((40, 8)).astype(np.float32)
    words = [f"w{i}" for i in range(40)]
    word_to_id, id_to_word = {w: i for i, w in enumerate(words)}, dict(enumerate(words))
    got = most_similar("w7", word_to_id, id_to_word, W, top=10, verbose=False)
    want = _book_most_similar("w7", word_to_id, id_to_word, W, 10)
    assert [w for w, _ in got] == [w for w, _ in want]
    np.testing.assert_allclose([s for _, s in got], [s for _, s in want], rtol=1e-5)


def test_most_similar_with_top_past_the_vocabulary_returns_every_other_word():
    assert len(most_similar("you", WORD_TO_ID, ID_TO_WORD, C, top=100, verbose=False)) == 6


def test_most_similar_refuses_a_matrix_without_one_row_per_word_and_a_bad_top():
    with pytest.raises(ValueError, match=r"one row per word, \(7, D\), got shape \(6, 7\)"):
        most_similar("you", WORD_TO_ID, ID_TO_WORD, C[:6])
    with pytest.raises(ValueError, match="top >= 1"):
        most_similar("you", WORD_TO_ID, ID_TO_WORD, C, top=0)


def test_analogy_finds_queen_and_leaves_out_the_three_words():
    ranking = analogy("man", "king", "woman", A_TO_ID, A_ID_TO_WORD, A_W, top=5, verbose=False)
    assert [w for w, _ in ranking] == ["queen", "apple"]
    query = A_W[1] - A_W[0] + A_W[2]
    query /= np.linalg.norm(query)
    assert ranking[0][1] == pytest.approx(float(A_W[3] @ query), rel=1e-14)


def test_analogy_prints_like_the_book_with_the_answers_score(capsys):
    analogy("man", "king", "woman", A_TO_ID, A_ID_TO_WORD, A_W, top=1, answer="queen")
    lines = capsys.readouterr().out.split("\n")
    assert lines[:2] == ["", "[analogy] man:king = woman:?"]
    assert lines[2].startswith("==>queen:0.9") and lines[3].startswith(" queen: 0.9")
    assert lines[2].split(":")[1] == lines[3].split(": ")[1]


def test_analogy_with_an_unknown_word_says_so(capsys):
    assert analogy("man", "emperor", "woman", A_TO_ID, A_ID_TO_WORD, A_W) == []
    assert capsys.readouterr().out == "emperor is not found\n"
    assert len(analogy("man", "king", "woman", A_TO_ID, A_ID_TO_WORD, A_W, answer="empress")) == 2
    assert "empress is not found\n" in capsys.readouterr().out


def test_analogy_of_a_zero_query_scores_zero_and_skips_nan_rows_without_a_warning():
    W = A_W.copy()
    W[2] = 0  # woman: so man − man + woman = 0
    W[4] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        zero = analogy("man", "man", "woman", A_TO_ID, A_ID_TO_WORD, W, verbose=False)
        ranking = analogy("man", "king", "queen", A_TO_ID, A_ID_TO_WORD, W, verbose=False)
    assert zero == [("king", 0.0), ("queen", 0.0)]
    assert [w for w, _ in ranking] == ["woman"]
