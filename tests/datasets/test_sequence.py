"""sequence: the generated addition and date texts, and load_data in the book's layout."""

from __future__ import annotations

import datetime
import hashlib
import re

import numpy as np
import pytest

from bprop.datasets import sequence

# SHA-256 of "\n".join(generate(kind)) + "\n", the file the book would read, for seed 1984.
# A different NumPy stream or platform behaviour shows up here first.
_DIGESTS = {
    "addition": "621be5f86510e4d35bf7ed199e35492ea3a3c7df4da0f2f0bde332661d8afc5b",
    "date": "c6bc58c5052013fa4cf68d0b279aa2ee2838315599cbc1fe748c447a10348524",
}
# Written here again, apart from the module, so that the oracle does not share its tables.
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december"]
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_TUESDAY_1994_09_27 = [
    "September 27, 1994", "september 27, 1994", "SEPTEMBER 27, 1994", "Sep 27, 1994", "sep 27, 1994",
    "9/27/94", "09/27/1994", "Tuesday, September 27, 1994", "tuesday, september 27, 1994",
    "TUESDAY, SEPTEMBER 27, 1994", "Tue, 27 Sep 1994", "27 September 1994", "27 sep 1994", "1994/09/27",
]
_DATE_VOCAB = set("0123456789 ,/-_") | set("".join(_MONTHS + _WEEKDAYS)) | set("".join(_MONTHS + _WEEKDAYS).upper())


@pytest.fixture(scope="module")
def addition_lines():
    return sequence.generate("addition")


@pytest.fixture(scope="module")
def date_lines():
    return sequence.generate("date")


def _parse_date_question(question: str) -> datetime.date:
    """The date a question names, by our own reading of it; checks the weekday where one is given."""
    numeric = [(r"(\d{1,2})/(\d{1,2})/(\d\d)", "mdy"), (r"(\d\d)/(\d\d)/(\d{4})", "mdY"),
               (r"(\d{4})/(\d\d)/(\d\d)", "Ymd")]
    for pattern, order in numeric:
        match = re.fullmatch(pattern, question)
        if match:
            fields = dict(zip(order, map(int, match.groups())))
            year = fields.get("Y") or (1900 + fields["y"] if fields["y"] >= 70 else 2000 + fields["y"])
            return datetime.date(year, fields["m"], fields["d"])
    match = (re.fullmatch(r"(?:([A-Za-z]+), )?([A-Za-z]+) (\d{1,2}), (\d{4})", question)
             or re.fullmatch(r"(?:([A-Za-z]+), )?(\d{1,2}) ([A-Za-z]+) (\d{4})", question))
    assert match, f"no known format: {question!r}"
    weekday, first, second, year = match.groups()
    month_name, day = (first, second) if first.isalpha() else (second, first)
    assert month_name.islower() or month_name.isupper() or month_name.istitle(), question
    months = [i for i, name in enumerate(_MONTHS, 1) if month_name.lower() in (name, name[:3])]
    assert len(months) == 1, f"bad month in {question!r}"
    result = datetime.date(int(year), months[0], int(day))
    if weekday is not None:
        assert weekday.lower() in (_WEEKDAYS[result.weekday()], _WEEKDAYS[result.weekday()][:3]), question
    return result


def test_addition_lines_have_the_book_widths(addition_lines):
    assert len(addition_lines) == 50000
    assert all(len(line) == 12 and line[7] == "_" and line.count("_") == 1 for line in addition_lines)
    assert addition_lines[0] == "8+45   _53  "


def test_every_addition_answer_is_the_sum(addition_lines):
    for line in addition_lines:
        question, answer = line[:7].rstrip(), line[7:]
        a, b = question.split("+")
        assert a == str(int(a)) and b == str(int(b)) and 0 <= int(a) <= 999 and 0 <= int(b) <= 999, line
        assert answer == f"_{int(a) + int(b)}".ljust(5), line


def test_addition_pairs_appear_once_in_either_order(addition_lines):
    pairs = {tuple(sorted(map(int, line[:7].split("+")))) for line in addition_lines}
    assert len(pairs) == 50000
    one_digit = [line for line in addition_lines if re.fullmatch(r"\d\+\d", line[:7].rstrip())]
    assert len(one_digit) == 55  # every unordered pair of 0..9


def test_addition_operand_widths_are_spread_like_the_book(addition_lines):
    widths = np.bincount([len(line.split("+")[0]) for line in addition_lines], minlength=4)[1:] / 50000
    np.testing.assert_allclose(widths, [0.097, 0.325, 0.578], atol=0.02)  # the book's file


def test_date_lines_have_the_book_widths(date_lines):
    assert len(date_lines) == 50000
    assert all(len(line) == 40 and line[29] == "_" and line.count("_") == 1 for line in date_lines)
    assert max(len(line[:29].rstrip()) for line in date_lines) == 29


def test_every_date_answer_is_the_iso_date_of_its_question(date_lines):
    for line in date_lines:
        day = _parse_date_question(line[:29].rstrip())
        assert line[29:] == "_" + day.isoformat(), line
        assert datetime.date(1970, 1, 1) <= day <= datetime.date(2020, 12, 31), line


def test_date_questions_are_distinct_and_use_every_format(date_lines):
    questions = [line[:29].rstrip() for line in date_lines]
    assert len(set(questions)) == 50000
    shapes = {re.sub(r"[a-z]+", "a", re.sub(r"[A-Z]+", "A", re.sub(r"\d+", "9", q))) for q in questions}
    expected = {re.sub(r"[a-z]+", "a", re.sub(r"[A-Z]+", "A", re.sub(r"\d+", "9", q))) for q in _TUESDAY_1994_09_27}
    assert shapes == expected


def test_render_date_writes_each_format_with_the_right_weekday():
    day = datetime.date(1994, 9, 27)
    assert [sequence.render_date(day, i) for i in range(len(sequence.DATE_FORMATS))] == _TUESDAY_1994_09_27
    assert sequence.render_date(datetime.date(2000, 2, 29), 8) == "tuesday, february 29, 2000"
    assert sequence.render_date(datetime.date(2005, 1, 2), 5) == "1/2/05"
    assert sequence.render_date(datetime.date(1994, 9, 28), 7) == "Wednesday, September 28, 1994"  # 29 chars


def test_vocabularies_are_small(addition_lines, date_lines):
    assert set("".join(addition_lines)) == set("0123456789+ _")
    assert set("".join(date_lines)) == _DATE_VOCAB and len(_DATE_VOCAB) == 59


@pytest.mark.parametrize("kind", ["addition", "date"])
def test_generated_text_matches_the_pinned_digest(kind):
    text = "\n".join(sequence.generate(kind, 50000, seed=1984)) + "\n"
    assert hashlib.sha256(text.encode("ascii")).hexdigest() == _DIGESTS[kind]


@pytest.mark.parametrize("kind", ["addition", "date"])
def test_generate_is_deterministic_and_depends_on_the_seed(kind):
    assert sequence.generate(kind, 2000, seed=5) == sequence.generate(kind, 2000, seed=5)
    assert sequence.generate(kind, 2000, seed=5) != sequence.generate(kind, 2000, seed=6)


@pytest.mark.parametrize("kind", ["addition", "date"])
def test_generate_fewer_lines_gives_the_first_lines(kind):
    assert sequence.generate(kind, 100) == sequence.generate(kind)[:100]
    assert sequence.generate(kind, 5000) == sequence.generate(kind)[:5000]


def test_generate_returns_a_list_the_caller_may_change():
    lines = sequence.generate("addition", 10)
    lines[0] = "spoiled"
    assert sequence.generate("addition", 10)[0] == "8+45   _53  "


@pytest.mark.parametrize("file_name, widths, vocab_size", [("addition.txt", (7, 5), 13), ("date.txt", (29, 11), 59)])
def test_load_data_has_the_book_layout(file_name, widths, vocab_size):
    (x_train, t_train), (x_test, t_test) = sequence.load_data(file_name)
    assert x_train.shape == (45000, widths[0]) and t_train.shape == (45000, widths[1])
    assert x_test.shape == (5000, widths[0]) and t_test.shape == (5000, widths[1])
    for array in (x_train, t_train, x_test, t_test):
        assert array.dtype == np.int32 and array.flags.c_contiguous
    char_to_id, id_to_char = sequence.get_vocab()
    assert len(char_to_id) == len(id_to_char) == vocab_size
    assert np.all(t_train[:, 0] == char_to_id["_"]) and np.all(t_test[:, 0] == char_to_id["_"])


@pytest.mark.parametrize("kind", ["addition", "date"])
def test_load_data_ids_decode_to_the_text_shuffled_with_the_seed(kind):
    (x_train, t_train), (x_test, t_test), (char_to_id, id_to_char) = sequence.load_data(
        f"{kind}.txt", seed=11, return_vocab=True)
    decoded = ["".join(id_to_char[int(i)] for i in row)
               for row in np.vstack([np.hstack([x_train, t_train]), np.hstack([x_test, t_test])])]
    lines = sequence.generate(kind)
    assert decoded == [lines[i] for i in np.random.default_rng(11).permutation(50000)]
    assert list(char_to_id) == list(dict.fromkeys("".join(lines)))  # ids in order of first appearance
    assert all(id_to_char[i] == char for char, i in char_to_id.items())
    assert sorted(char_to_id.values()) == list(range(len(char_to_id)))


def test_load_data_seed_sets_the_shuffle_and_the_held_out_tenth():
    (x1, t1), _ = sequence.load_data(seed=1)
    (x2, t2), _ = sequence.load_data(seed=1)
    (x3, t3), _ = sequence.load_data(seed=2)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(t1, t2)
    assert not np.array_equal(x1, x3)
    (xn, _), _ = sequence.load_data(seed=None)
    assert xn.shape == (45000, 7)
    assert sorted(map(bytes, np.hstack([x1, t1]).astype(np.uint8))) != sorted(
        map(bytes, np.hstack([x3, t3]).astype(np.uint8)))  # a different 10 % is held out


@pytest.mark.parametrize("n, train, test", [(10, 9, 1), (101, 91, 10), (9, 9, 0)])
def test_load_data_holds_out_the_last_tenth(n, train, test):
    (x_train, _), (x_test, t_test) = sequence.load_data("date.txt", n=n)
    assert len(x_train) == train and len(x_test) == len(t_test) == test


def test_load_data_text_seed_changes_the_text():
    (x1, _), _ = sequence.load_data(n=100, text_seed=1)
    (x2, _), _ = sequence.load_data(n=100, text_seed=2)
    assert not np.array_equal(x1, x2)


def test_get_vocab_is_that_of_the_last_load_and_a_copy():
    sequence.load_data("addition.txt", n=1000)
    sequence.load_data("date.txt", n=1000)
    char_to_id, id_to_char = sequence.get_vocab()
    assert "J" in char_to_id and "+" not in char_to_id
    char_to_id.clear()
    id_to_char.clear()
    assert len(sequence.get_vocab()[0]) > 40


def test_get_vocab_before_any_load_says_what_to_call(monkeypatch):
    monkeypatch.setattr(sequence, "_last_vocab", None)
    with pytest.raises(RuntimeError, match=r"call sequence.load_data\(...\) first"):
        sequence.get_vocab()


def test_unknown_file_name_is_refused_naming_the_argument():
    with pytest.raises(ValueError, match="file_name must be 'addition.txt' or 'date.txt', got 'add.txt'"):
        sequence.load_data("add.txt")
    with pytest.raises(TypeError, match="file_name must be a str"):
        sequence.load_data(3)
    with pytest.raises(ValueError, match="kind must be 'addition' or 'date', got 'dates'"):
        sequence.generate("dates")


@pytest.mark.parametrize("n, error, message", [
    (0, ValueError, "n must be a positive int, got 0"), (-5, ValueError, "n must be a positive int"),
    (2.0, TypeError, "n must be a positive int, got float"), (True, TypeError, "n must be a positive int"),
    (100_001, ValueError, "n must be at most 100,000"),
])
def test_bad_line_count_is_refused(n, error, message):
    with pytest.raises(error, match=message):
        sequence.generate("addition", n)
    with pytest.raises(error, match=message):
        sequence.load_data("addition.txt", n=n)


@pytest.mark.parametrize("seed, error", [("1984", TypeError), (19.84, TypeError), (None, TypeError),
                                         (-1, ValueError)])
def test_bad_text_seed_is_refused_naming_it(seed, error):
    with pytest.raises(error, match="seed must be an int >= 0"):
        sequence.generate("date", 10, seed=seed)
    with pytest.raises(error, match="text_seed must be an int >= 0"):
        sequence.load_data("date.txt", text_seed=seed)


@pytest.mark.parametrize("seed, error", [("1984", TypeError), (1.5, TypeError), (-1, ValueError)])
def test_bad_shuffle_seed_is_refused_naming_it(seed, error):
    with pytest.raises(error, match="seed must be an int >= 0"):
        sequence.load_data(seed=seed)


def test_return_vocab_must_be_a_bool():
    with pytest.raises(TypeError, match="return_vocab must be True or False, got 'yes'"):
        sequence.load_data(return_vocab="yes")
