"""Book 2's toy seq2seq tasks (chapter 7): addition and date conversion, as character ids.

    load_data(file_name='addition.txt', seed=1984)  ->  (x_train, t_train), (x_test, t_test)
    get_vocab()                                     ->  (char_to_id, id_to_char) of the last load
    generate(kind='addition', n=50000, seed=1984)   ->  the text, one line per example

The book reads two text files, ``addition.txt`` and ``date.txt``. bprop ships
no files: the same kind of text is generated here, by our own seeded code
(so there is no licence question), and laid out exactly as the book's loader
lays it out. Each line is a question padded with spaces, then '_' and the
answer padded with spaces:

    addition   '16+75  _91  '                                   question 7 chars, answer 5
    date       'september 27, 1994           _1994-09-27'       question 29 chars, answer 11

The text is the same bytes on every platform for a given seed: NumPy's
``default_rng`` draws int64 integers, ``datetime.date`` does the calendar, and
the month and weekday names are written below (no ``random``, no locale).
"""

from __future__ import annotations

import datetime
import functools

import numpy as np

from .._checks import integer

BOOK_LINES = 50_000     # lines in each of the book's files
TEXT_SEED = 1984        # the seed of the text load_data reads, fixed like the book's files
MAX_LINES = 100_000     # well below the number of distinct questions of either kind (500,500 and 257,630)
TEST_FRACTION = 10      # the book keeps the last len(x) // 10 shuffled lines for test

QUESTION_WIDTH = {"addition": 7, "date": 29}
ANSWER_WIDTH = {"addition": 5, "date": 11}   # '_' included
_FILE_NAMES = {"addition.txt": "addition", "date.txt": "date"}
_BATCH = 4096   # draws per round; fixed, so that generate(n=k) is the first k lines of generate(n=m) for k < m

MONTHS = ("January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")  # date.weekday() order
FIRST_DATE = datetime.date(1970, 1, 1)
LAST_DATE = datetime.date(2020, 12, 31)

# (template, case). Fields: Month 'September', Mon 'Sep', Weekday 'Tuesday', Wkd 'Tue',
# d '27' and m '9' (no zero), dd and mm (zero-padded), yyyy '1994', yy '94'.
# Two-digit years are unambiguous: 70..99 are 19xx, 00..20 are 20xx.
DATE_FORMATS = (
    ("{Month} {d}, {yyyy}", str),                          # September 27, 1994
    ("{Month} {d}, {yyyy}", str.lower),                    # september 27, 1994
    ("{Month} {d}, {yyyy}", str.upper),                    # SEPTEMBER 27, 1994
    ("{Mon} {d}, {yyyy}", str),                            # Sep 27, 1994
    ("{Mon} {d}, {yyyy}", str.lower),                      # sep 27, 1994
    ("{m}/{d}/{yy}", str),                                 # 9/27/94
    ("{mm}/{dd}/{yyyy}", str),                             # 09/27/1994
    ("{Weekday}, {Month} {d}, {yyyy}", str),               # Tuesday, September 27, 1994
    ("{Weekday}, {Month} {d}, {yyyy}", str.lower),         # tuesday, september 27, 1994
    ("{Weekday}, {Month} {d}, {yyyy}", str.upper),         # TUESDAY, SEPTEMBER 27, 1994
    ("{Wkd}, {d} {Mon} {yyyy}", str),                      # Tue, 27 Sep 1994
    ("{d} {Month} {yyyy}", str),                           # 27 September 1994
    ("{d} {Mon} {yyyy}", str.lower),                       # 27 sep 1994
    ("{yyyy}/{mm}/{dd}", str),                             # 1994/09/27, as often written in Japan
)

_last_vocab: tuple[dict[str, int], dict[int, str]] | None = None


def load_data(file_name: str = "addition.txt", seed: int | None = 1984, *, n: int = BOOK_LINES,
              text_seed: int = TEXT_SEED, return_vocab: bool = False) -> tuple:
    """The book's ``sequence.load_data``: ((x_train, t_train), (x_test, t_test)) as int32 character ids.

    file_name   'addition.txt' or 'date.txt' (or 'addition', 'date'): which text, generated
                by ``generate(kind, n, text_seed)`` in place of the book's file.
    seed        shuffles the lines, as in the book (None: a fresh shuffle each call).
    n           lines of text, the book's 50,000 by default.
    text_seed   the seed of the text itself, fixed like the book's files; our addition.
    return_vocab  True: also return (char_to_id, id_to_char) as a third item.

    Shapes with the defaults (the book's): x_train (45000, Q), t_train (45000, A),
    x_test (5000, Q), t_test (5000, A); Q, A = 7, 5 for addition and 29, 11 for date.
    In general the last n // 10 shuffled lines are the test split. t starts with
    the id of '_', the decoder's start symbol, as in the book.

    Ids are given to characters in order of first appearance over the text (the
    book's char_to_id), so addition has 13 ('0'-'9', '+', ' ', '_') and date 59.
    Unlike the book, whose dictionaries grow across files, the vocabulary is that of
    this text alone; ``get_vocab()`` returns it until the next load.

    >>> (x_train, t_train), (x_test, t_test) = load_data('addition.txt')
    >>> x_train.shape, t_train.shape, x_test.shape, t_test.shape, x_train.dtype
    ((45000, 7), (45000, 5), (5000, 7), (5000, 5), dtype('int32'))
    >>> char_to_id, id_to_char = get_vocab()
    >>> len(char_to_id), ''.join(id_to_char[int(i)] for i in t_test[0])[0]
    (13, '_')
    """
    kind = _kind(file_name, "file_name")
    if not isinstance(return_vocab, (bool, np.bool_)):
        raise TypeError(f"return_vocab must be True or False, got {return_vocab!r}")
    shuffle_rng = np.random.default_rng(None if seed is None else integer(seed, "seed", 0))
    lines = _lines(kind, _line_count(n), integer(text_seed, "text_seed", 0))

    width = QUESTION_WIDTH[kind] + ANSWER_WIDTH[kind]
    codes = np.frombuffer("".join(lines).encode("ascii"), dtype=np.uint8).reshape(len(lines), width)
    present, first_seen = np.unique(codes, return_index=True)
    chars_in_order = present[np.argsort(first_seen)]
    id_of_code = np.zeros(256, dtype=np.int32)
    id_of_code[chars_in_order] = np.arange(len(chars_in_order), dtype=np.int32)
    ids = id_of_code[codes][shuffle_rng.permutation(len(lines))]

    split_at = len(ids) - len(ids) // TEST_FRACTION
    question_width = QUESTION_WIDTH[kind]   # the book splits at '_', which is here in every line
    x, t = ids[:, :question_width], ids[:, question_width:]
    train = (np.ascontiguousarray(x[:split_at]), np.ascontiguousarray(t[:split_at]))
    test = (np.ascontiguousarray(x[split_at:]), np.ascontiguousarray(t[split_at:]))

    global _last_vocab
    char_to_id = {chr(code): i for i, code in enumerate(chars_in_order.tolist())}
    _last_vocab = (char_to_id, {i: char for char, i in char_to_id.items()})
    return (train, test, get_vocab()) if return_vocab else (train, test)


def get_vocab() -> tuple[dict[str, int], dict[int, str]]:
    """(char_to_id, id_to_char) of the text last read by load_data, as fresh dicts.

    The book returns empty dicts before any load; we raise a RuntimeError, since
    an empty vocabulary only fails later, far from the cause.
    """
    if _last_vocab is None:
        raise RuntimeError("get_vocab() has no vocabulary yet: call sequence.load_data(...) first, "
                           "or load_data(..., return_vocab=True)")
    char_to_id, id_to_char = _last_vocab
    return dict(char_to_id), dict(id_to_char)


def generate(kind: str = "addition", n: int = BOOK_LINES, seed: int = 1984) -> list[str]:
    """n lines of the 'addition' or 'date' text, each question + '_' + answer, padded to fixed widths.

    addition  'a+b' then '_' and a+b: '16+75  _91  '. Each operand gets a number
              of digits uniform over 1..3, then a value uniform over that many
              digits (0-9, 10-99, 100-999): a 1-digit operand is as likely as a
              3-digit one, where a value uniform over 0-999 would be 1 % so. A pair appears at
              most once, in either order (if 16+75 is drawn, 75+16 is skipped),
              as in the book's file: its 55 one-digit sums are all the unordered
              pairs of 0..9. The book's file has 3-, 2- and 1-digit first operands
              in about 58 %, 32 % and 10 % of lines; this text in about 58 %, 32 % and 9 %.
    date      a day drawn uniformly from 1970-01-01 .. 2020-12-31, written in one
              of the 14 DATE_FORMATS drawn uniformly ('september 27, 1994',
              'TUESDAY, SEPTEMBER 27, 1994', '9/27/94', '27 sep 1994', ...), then
              '_' and the ISO date: 'Sep 27, 1994                 _1994-09-27'.
              A question appears at most once (the book's date.txt repeats some).

    n is 1..MAX_LINES (100,000); seed an int >= 0. The same seed gives the same
    lines everywhere, and the first k lines do not depend on n.

    >>> generate('addition', 3, seed=0)
    ['839+82 _921 ', '26+6   _32  ', '40+6   _46  ']
    >>> generate('date', 2, seed=0)
    ['05/20/2013                   _2013-05-20', 'Jun 27, 2002                 _2002-06-27']
    """
    return list(_lines(_kind(kind, "kind"), _line_count(n), integer(seed, "seed", 0)))


def render_date(day: datetime.date, format_index: int) -> str:
    """day written in DATE_FORMATS[format_index], unpadded: render_date(date(1994, 9, 27), 8) is
    'TUESDAY, SEPTEMBER 27, 1994'."""
    template, case = DATE_FORMATS[format_index]
    month, weekday = MONTHS[day.month - 1], WEEKDAYS[day.weekday()]
    return case(template.format(
        Month=month, Mon=month[:3], Weekday=weekday, Wkd=weekday[:3],
        d=day.day, m=day.month, dd=f"{day.day:02d}", mm=f"{day.month:02d}",
        yyyy=f"{day.year:04d}", yy=f"{day.year % 100:02d}"))


@functools.lru_cache(maxsize=4)
def _lines(kind: str, n: int, seed: int) -> tuple[str, ...]:
    # A tuple, so that no caller can change what the next call gets.
    rng = np.random.default_rng(seed)
    make = _addition_lines if kind == "addition" else _date_lines
    lines: list[str] = []
    seen: set = set()
    while len(lines) < n:
        make(rng, lines, seen, n)
    return tuple(lines)


def _addition_lines(rng: np.random.Generator, lines: list[str], seen: set, n: int) -> None:
    """Draw one batch of operand pairs; append the lines of new pairs until there are n."""
    digits = rng.integers(1, 4, size=(2, _BATCH), dtype=np.int64)
    low = np.where(digits == 1, 0, 10 ** (digits - 1))
    operands = rng.integers(low, 10 ** digits, dtype=np.int64)
    for a, b in zip(operands[0].tolist(), operands[1].tolist()):
        pair = (min(a, b), max(a, b))
        if pair in seen:
            continue
        seen.add(pair)
        lines.append(f"{a}+{b}".ljust(QUESTION_WIDTH["addition"]) + f"_{a + b}".ljust(ANSWER_WIDTH["addition"]))
        if len(lines) == n:
            return


def _date_lines(rng: np.random.Generator, lines: list[str], seen: set, n: int) -> None:
    """Draw one batch of (day, format); append the lines of new questions until there are n."""
    first = FIRST_DATE.toordinal()
    offsets = rng.integers(0, LAST_DATE.toordinal() - first + 1, size=_BATCH, dtype=np.int64)
    formats = rng.integers(0, len(DATE_FORMATS), size=_BATCH, dtype=np.int64)
    for offset, format_index in zip(offsets.tolist(), formats.tolist()):
        day = datetime.date.fromordinal(first + offset)
        question = render_date(day, format_index)
        if question in seen:
            continue
        seen.add(question)
        lines.append(question.ljust(QUESTION_WIDTH["date"]) + "_" + day.isoformat())
        if len(lines) == n:
            return


def _kind(name, argument: str) -> str:
    """'addition' or 'date' from a kind or the book's file name; else an error naming the argument."""
    if not isinstance(name, str):
        raise TypeError(f"{argument} must be a str such as 'addition', got {type(name).__name__} {name!r}")
    if name in QUESTION_WIDTH:
        return name
    if name in _FILE_NAMES:
        return _FILE_NAMES[name]
    choices = "'addition.txt' or 'date.txt'" if argument == "file_name" else "'addition' or 'date'"
    raise ValueError(f"{argument} must be {choices}, got {name!r}")


def _line_count(n) -> int:
    n = integer(n, "n", 1)
    if n > MAX_LINES:
        raise ValueError(f"n must be at most {MAX_LINES:,} (the book uses {BOOK_LINES:,}), got {n:,}")
    return n
