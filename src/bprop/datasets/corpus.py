"""A public-domain corpus in the Penn Treebank's format, shipped with bprop.

    load_data(split='train') -> (corpus, word_to_id, id_to_word)
        book 2's ptb.load_data, over Jane Austen's six novels
    load_analogy() -> [(a, b, c, d), ...]
        word analogies a : b = c : d in this corpus's vocabulary

Book 2 trains on PTB, which is LDC data that bprop may not ship (see
bprop.datasets.ptb to read your own copy). This corpus stands in for it:
Sense and Sensibility, Pride and Prejudice, Mansfield Park, Emma, Northanger
Abbey and Persuasion, cut into sentences, lower-cased, numbers as N,
punctuation removed, a 10,000-word vocabulary (<unk> and <eos> included)
chosen on train; train 631,895 tokens, val 60,990, test 64,606 (<eos>
included), split by chapters. The files live in
``bprop/datasets/data/corpus/``; its README gives their origin, licence and
every cleaning step, and tools/build_corpus.py rebuilds them byte for byte.
Book code runs unchanged after ``from bprop.datasets import corpus as ptb``.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import zlib
from pathlib import Path

import numpy as np

from .checksums import read_manifest
from .errors import ChecksumError, DataError
from .ptb import Data, check_split, decode_text, fresh, index_words, text_to_words, to_ids

DATA_DIR = Path(__file__).with_name("data") / "corpus"
MANIFEST = "SHA256SUMS"
FILENAMES = {"train": "austen.train.txt.gz", "val": "austen.valid.txt.gz", "test": "austen.test.txt.gz"}
ANALOGY = "analogy.txt"
VOCAB_SIZE = 10_000


def load_data(split: str = "train") -> Data:
    """The shipped corpus as ``(corpus, word_to_id, id_to_word)``, like book 2's ``ptb.load_data``.

    split   'train', 'val' (or 'valid') or 'test'.

    corpus is a 1-D int32 array of word ids with <eos> closing each sentence;
    ids are numbered in order of first appearance in train, the same for every
    split, and the vocabulary is exactly 10,000 words (<unk> and <eos>
    included). The first call in a process reads the three files and checks
    their SHA-256 (ChecksumError naming the file on a mismatch, DataError for
    a missing or unreadable one); later calls reuse the parsed arrays. Every
    call returns a fresh array and fresh dicts the caller may change.
    """
    split = check_split(split)
    corpora, vocab = _load_all(DATA_DIR)
    return fresh(corpora[split], vocab)


def load_analogy() -> list[tuple[str, str, str, str]]:
    """The shipped analogies as (a, b, c, d): a : b = c : d, every word in the vocabulary.

    The order is that of book 2's ``analogy(a, b, c, ...)``, which looks for d
    near vec(b) - vec(a) + vec(c): ('king', 'man', 'queen', 'woman'). The file
    (``data/corpus/analogy.txt``; '#' comments, ': section' headings as in
    word2vec's questions-words.txt) is checked against SHA256SUMS too.
    """
    data = _verified_bytes(DATA_DIR, ANALOGY, read_manifest(DATA_DIR / MANIFEST))
    path = DATA_DIR / ANALOGY
    result = []
    for number, line in enumerate(decode_text(data, str(path)).splitlines(), start=1):
        if not line.strip() or line.startswith(("#", ":")):
            continue
        words = line.split()
        if len(words) != 4:
            raise DataError(f"{path}, line {number}: expected four words 'a b c d', got {line!r}")
        a, b, c, d = words
        result.append((a, b, c, d))
    return result


@functools.lru_cache(maxsize=2)
def _load_all(data_dir: Path) -> tuple[dict[str, np.ndarray], dict[str, int]]:
    """{split: read-only int32 ids} and word_to_id for the corpus in data_dir, checked.

    The cache holds about 3 MB for the life of the process, keyed by the folder
    (tests point it at a corrupted copy); nothing in it is handed out uncopied.
    """
    manifest = read_manifest(Path(data_dir) / MANIFEST)
    words = {}
    for split, name in FILENAMES.items():
        raw = _verified_bytes(Path(data_dir), name, manifest)
        path = str(Path(data_dir) / name)
        try:
            text = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as error:
            raise DataError(f"{path} is not a valid gzip file ({error}); reinstall bprop") from None
        words[split] = text_to_words(decode_text(text, path))
    corpora = {}
    corpora["train"], vocab = index_words(words.pop("train"))
    if len(vocab) != VOCAB_SIZE:
        raise DataError(f"{Path(data_dir) / FILENAMES['train']}: expected {VOCAB_SIZE} distinct words, "
                        f"got {len(vocab)}; reinstall bprop")
    for split, split_words in words.items():
        corpora[split] = to_ids(split_words, vocab, str(Path(data_dir) / FILENAMES[split]))
    return corpora, vocab


def _verified_bytes(data_dir: Path, name: str, manifest: dict[str, str]) -> bytes:
    """The bytes of data_dir/name after checking them against the manifest's SHA-256."""
    path = data_dir / name
    expected = manifest.get(name)
    if expected is None:
        raise DataError(f"{data_dir / MANIFEST} has no SHA-256 for {name}")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"corpus file {path} is missing; reinstall bprop") from None
    actual = hashlib.sha256(raw).hexdigest()
    if actual != expected:
        raise ChecksumError(str(path), expected, actual, "The file is corrupt or was changed; reinstall bprop")
    return raw
