"""bprop.nlp.words: the book's corpus, (contexts, target) and one-hot data, against loops written here."""

import numpy as np
import pytest

from bprop.nlp import convert_one_hot, create_contexts_target, preprocess

TEXT = "You say goodbye and I say hello."


def _contexts_target_loop(corpus, window_size):
    """The book's loop, as plain Python."""
    contexts, target = [], []
    for t in range(window_size, len(corpus) - window_size):
        contexts.append([corpus[t + d] for d in range(-window_size, window_size + 1) if d != 0])
        target.append(corpus[t])
    return np.array(contexts), np.array(target)


def test_preprocess_gives_the_books_corpus_and_dictionaries():
    corpus, word_to_id, id_to_word = preprocess(TEXT)
    assert corpus.tolist() == [0, 1, 2, 3, 4, 1, 5, 6]
    assert corpus.dtype == np.int64
    assert word_to_id == {"you": 0, "say": 1, "goodbye": 2, "and": 3, "i": 4, "hello": 5, ".": 6}
    assert id_to_word == {i: w for w, i in word_to_id.items()}
    assert list(id_to_word) == list(range(7))


def test_preprocess_splits_on_any_whitespace_and_gives_ids_in_order_of_first_appearance():
    corpus, word_to_id, _ = preprocess("B a  b.\nA\tc.")
    assert list(word_to_id) == ["b", "a", ".", "c"]
    assert corpus.tolist() == [0, 1, 0, 2, 1, 3, 2]


@pytest.mark.parametrize("text", ["", "   \n\t"])
def test_preprocess_refuses_a_text_without_words(text):
    with pytest.raises(ValueError, match="without a word"):
        preprocess(text)


def test_preprocess_refuses_what_is_not_a_str():
    with pytest.raises(TypeError, match="preprocess expected text as a str, got list"):
        preprocess(["you", "say"])


def test_create_contexts_target_gives_the_books_example():
    corpus, _, _ = preprocess(TEXT)
    contexts, target = create_contexts_target(corpus, window_size=1)
    assert contexts.tolist() == [[0, 2], [1, 3], [2, 4], [3, 1], [4, 5], [1, 6]]
    assert target.tolist() == [1, 2, 3, 4, 1, 5]


@pytest.mark.parametrize("window_size", [1, 2, 3, 5])
@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint16])
def test_create_contexts_target_equals_the_loop_and_keeps_the_dtype(window_size, dtype):
    corpus = np.random.default_rng(window_size).integers(0, 50, 40).astype(dtype)
    contexts, target = create_contexts_target(corpus, window_size)
    want_contexts, want_target = _contexts_target_loop(corpus.tolist(), window_size)
    assert contexts.shape == (40 - 2 * window_size, 2 * window_size)
    np.testing.assert_array_equal(contexts, want_contexts)
    np.testing.assert_array_equal(target, want_target)
    assert contexts.dtype == target.dtype == dtype


def test_create_contexts_target_returns_fresh_arrays_not_views_of_the_corpus():
    corpus = np.arange(10)
    contexts, target = create_contexts_target(corpus, 2)
    assert not np.shares_memory(contexts, corpus) and not np.shares_memory(target, corpus)
    target[0] = 99
    assert corpus[2] == 2


def test_create_contexts_target_accepts_a_list_and_the_shortest_corpus():
    contexts, target = create_contexts_target([4, 5, 6], 1)
    assert contexts.tolist() == [[4, 6]] and target.tolist() == [5]


def test_create_contexts_target_refuses_a_corpus_without_a_full_window():
    with pytest.raises(ValueError, match="corpus of 4 ids: a window_size of 2 needs at least 5"):
        create_contexts_target(np.arange(4), 2)


@pytest.mark.parametrize("window_size, error", [(0, ValueError), (-1, ValueError), (1.5, TypeError), (True, TypeError)])
def test_create_contexts_target_refuses_a_bad_window_size(window_size, error):
    with pytest.raises(error, match="window_size"):
        create_contexts_target(np.arange(10), window_size)


def test_create_contexts_target_refuses_an_empty_a_float_and_a_negative_corpus():
    with pytest.raises(ValueError, match="empty corpus"):
        create_contexts_target(np.array([], dtype=np.int64))
    with pytest.raises(TypeError, match="integer word ids, got dtype float64"):
        create_contexts_target(np.array([1.0, 2.0, 3.0]))
    with pytest.raises(TypeError, match="preprocess"):
        create_contexts_target(np.array(["you", "say", "goodbye"]))
    with pytest.raises(ValueError, match="word id -1 at position 2 of corpus; ids must be >= 0"):
        create_contexts_target(np.array([0, 1, -1, 3]))
    with pytest.raises(ValueError, match=r"1-D corpus.*shape \(2, 3\)"):
        create_contexts_target(np.zeros((2, 3), dtype=np.int64))


def test_convert_one_hot_of_1d_ids_equals_the_loop():
    corpus = np.array([0, 1, 2, 3, 4, 1, 5, 6])
    one_hot = convert_one_hot(corpus, 7)
    want = np.zeros((8, 7), dtype=np.int32)
    for n, word_id in enumerate(corpus):
        want[n, word_id] = 1
    np.testing.assert_array_equal(one_hot, want)
    assert one_hot.dtype == np.int32


def test_convert_one_hot_of_the_books_contexts_equals_the_loop():
    contexts, _ = create_contexts_target(preprocess(TEXT)[0], 1)
    one_hot = convert_one_hot(contexts, 7)
    assert one_hot.shape == (6, 2, 7) and one_hot.dtype == np.int32
    want = np.zeros((6, 2, 7), dtype=np.int32)
    for n in range(6):
        for c in range(2):
            want[n, c, contexts[n, c]] = 1
    np.testing.assert_array_equal(one_hot, want)


def test_convert_one_hot_names_the_position_of_an_id_out_of_range():
    with pytest.raises(ValueError, match=r"word id 7 at position 3 of corpus, out of range for vocab_size 7 "
                                         r"\(ids must lie in \[0, 6\]\)"):
        convert_one_hot(np.array([0, 1, 2, 7]), 7)
    with pytest.raises(ValueError, match=r"word id -1 at position \(1, 0\)"):
        convert_one_hot(np.array([[0, 1], [-1, 2]]), 7)


def test_convert_one_hot_refuses_bad_shapes_and_sizes():
    with pytest.raises(ValueError, match=r"1-D or 2-D corpus.*shape \(1, 1, 2\)"):
        convert_one_hot(np.zeros((1, 1, 2), dtype=np.int64), 3)
    with pytest.raises(ValueError, match="empty corpus"):
        convert_one_hot(np.zeros(0, dtype=np.int64), 3)
    with pytest.raises(ValueError, match="vocab_size >= 1"):
        convert_one_hot(np.array([0]), 0)
    with pytest.raises(TypeError, match="integer vocab_size"):
        convert_one_hot(np.array([0]), 3.0)
    with pytest.raises(TypeError, match="dtype bool"):
        convert_one_hot(np.array([True, False]), 3)
