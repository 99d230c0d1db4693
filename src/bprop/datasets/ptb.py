"""The Penn Treebank as book 2 loads it, read from files you have; never downloaded.

    load_data(split='train', path=None) -> (corpus, word_to_id, id_to_word)

PTB is LDC data (LDC99T42, Wall Street Journal text): bprop may not ship or
download it. If you have the three files of Mikolov's version, ptb.train.txt,
ptb.valid.txt and ptb.test.txt, put them in one folder and pass path=FOLDER
or set $BPROP_PTB=FOLDER. Without them use bprop.datasets.corpus, which ships
a public-domain corpus in the same format.

The format (one sentence a line, lower case, numbers as N, rare words as
<unk>, a 10,000-word vocabulary) and its reading are shared with
bprop.datasets.corpus: the helpers below are used by both.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import numpy as np

from .errors import DataError

ENV_VAR = "BPROP_PTB"
FILENAMES = {"train": "ptb.train.txt", "val": "ptb.valid.txt", "test": "ptb.test.txt"}
EOS = "<eos>"
_ALIASES = {"valid": "val"}  # the book accepts both 'val' and 'valid'

Data = tuple[np.ndarray, dict[str, int], dict[int, str]]


def load_data(split: str = "train", path: str | os.PathLike | None = None) -> Data:
    """PTB split as ``(corpus, word_to_id, id_to_word)``, like book 2's ``ptb.load_data``.

    split    'train', 'val' (or 'valid') or 'test'.
    path     the folder holding ptb.train.txt, ptb.valid.txt and ptb.test.txt;
             None: $BPROP_PTB. Nothing is downloaded.

    corpus is a 1-D int32 array of word ids, with <eos> after each line;
    ids are numbered in order of first appearance in ptb.train.txt and are the
    same for every split. A word of val or test that train lacks raises
    DataError (real PTB has none). No folder, or a file that is missing, empty
    or not UTF-8 text, raises DataError naming it. Files are parsed once per
    process (again if they change); every call returns fresh objects.
    """
    split = check_split(split)
    folder = _folder(path)
    train = folder / FILENAMES["train"]
    corpus, vocab = _train(str(train), _stamp(train))
    if split != "train":
        chosen = folder / FILENAMES[split]
        corpus = _other(str(chosen), _stamp(chosen), str(train), _stamp(train))
    return fresh(corpus, vocab)


def check_split(split: object) -> str:
    """'train', 'val' or 'test' for split (accepting 'valid'), else ValueError/TypeError."""
    if not isinstance(split, str):
        raise TypeError(f"split must be 'train', 'val' or 'test', got {type(split).__name__}")
    name = _ALIASES.get(split, split)
    if name not in FILENAMES:
        raise ValueError(f"split must be 'train', 'val' (or 'valid') or 'test', got {split!r}")
    return name


def decode_text(data: bytes, name: str) -> str:
    """data as text: DataError naming the file if it is empty, binary or not UTF-8."""
    if b"\0" in data:
        raise DataError(f"{name} is not a text file (it holds NUL bytes); expected PTB's one-sentence-a-line text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DataError(f"{name} is not UTF-8 text (byte {error.start}); "
                        "expected PTB's one-sentence-a-line text") from None
    if not text or text.isspace():
        raise DataError(f"{name} is empty; expected PTB's one-sentence-a-line text")
    return text


def text_to_words(text: str) -> list[str]:
    """The words of PTB-format text with <eos> closing every line (a last line without '\\n' too)."""
    if not text.endswith("\n"):
        text += "\n"
    return text.replace("\n", f" {EOS} ").split()


def index_words(words: list[str]) -> tuple[np.ndarray, dict[str, int]]:
    """(read-only int32 ids, word_to_id) for a train split, ids in order of first appearance."""
    word_to_id: dict[str, int] = {}
    ids = np.array([word_to_id.setdefault(w, len(word_to_id)) for w in words], dtype=np.int32)
    ids.flags.writeable = False
    return ids, word_to_id


def to_ids(words: list[str], word_to_id: dict[str, int], name: str) -> np.ndarray:
    """words as a read-only int32 array of ids; DataError naming the file for an unknown word."""
    try:
        ids = np.fromiter(map(word_to_id.__getitem__, words), dtype=np.int32, count=len(words))
    except KeyError as error:
        raise DataError(f"{name}: word {error.args[0]!r} is not in the vocabulary of the train split") from None
    ids.flags.writeable = False
    return ids


def fresh(corpus: np.ndarray, word_to_id: dict[str, int]) -> Data:
    """(a copy of corpus, a new word_to_id, the matching id_to_word), for the caller to keep."""
    return corpus.copy(), dict(word_to_id), {i: w for w, i in word_to_id.items()}


def _folder(path: str | os.PathLike | None) -> Path:
    where = path if path is not None else os.environ.get(ENV_VAR) or None
    names = ", ".join(FILENAMES.values())
    if where is None:
        raise DataError(
            "The Penn Treebank is LDC data (LDC99T42) and bprop neither ships nor downloads it. "
            f"If you have it, put {names} in one folder and pass load_data(split, path=FOLDER) "
            f"or set ${ENV_VAR}=FOLDER. Without it, bprop.datasets.corpus.load_data(split) "
            "gives a public-domain corpus in the same format (Jane Austen's novels)."
        )
    folder = Path(where).expanduser()
    if not folder.is_dir():
        source = "path" if path is not None else f"${ENV_VAR}"
        raise DataError(f"PTB folder {folder} (from {source}) is not a folder; it must hold {names}")
    return folder


def _stamp(path: Path) -> tuple[int, int]:
    """(size, mtime in ns) of path: the cache key that notices a changed file."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise DataError(f"PTB file {path} is missing; the folder must hold "
                        + ", ".join(FILENAMES.values())) from None
    return stat.st_size, stat.st_mtime_ns


def _read_words(path: str) -> list[str]:
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as error:
        raise DataError(f"PTB file {path} cannot be read: {error.strerror}") from None
    return text_to_words(decode_text(data, path))


@functools.lru_cache(maxsize=2)
def _train(path: str, stamp: tuple[int, int]) -> tuple[np.ndarray, dict[str, int]]:
    """ids and vocabulary of a train file; the cache holds them read-only, never handed out."""
    return index_words(_read_words(path))


@functools.lru_cache(maxsize=4)
def _other(path: str, stamp: tuple[int, int], train_path: str, train_stamp: tuple[int, int]) -> np.ndarray:
    _, vocab = _train(train_path, train_stamp)
    return to_ids(_read_words(path), vocab, path)
