"""bprop.datasets.corpus: the shipped Austen corpus in PTB's format, its checksums and its build."""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from bprop.datasets import ChecksumError, DataError, corpus, ptb

_SIZES = {"train": 631_895, "val": 60_990, "test": 64_606}  # tokens, <eos> included
_SENTENCES = {"train": 26_416, "val": 2_443, "test": 2_487}
_UNKS = {"train": 3_642, "val": 670, "test": 774}
_FIRST = {
    "train": "the family of dashwood had long been settled in sussex <eos> their estate was large",
    "val": "elinor starting back with a look of horror at the sight of him obeyed the first impulse",
    "test": "mrs dashwood did not hear unmoved the vindication of her former favourite <eos>",
}
# What PTB allows in a word: lower-case letters, with apostrophes or hyphens inside
# ("o'clock", "to-morrow"), the clitics PTB splits off, and its three special tokens.
_PTB_WORD = re.compile(r"[a-z]+(?:['-][a-z]+)*|'(?:s|re|ve|ll|d|m)|n't|N|<unk>|<eos>")
_REPO = Path(__file__).resolve().parents[2]
_SOURCE = Path(os.environ.get("BPROP_CORPUS_SRC", "/tmp/corpus_src"))


@pytest.fixture(scope="module")
def splits():
    return {split: corpus.load_data(split) for split in ("train", "val", "test")}


def _words(data, count):
    ids, _, id_to_word = data
    return " ".join(id_to_word[int(i)] for i in ids[:count])


def test_load_data_gives_int32_ids_and_both_dicts(splits):
    for ids, word_to_id, id_to_word in splits.values():
        assert ids.ndim == 1 and ids.dtype == np.int32
        assert len(word_to_id) == len(id_to_word) == 10_000
        assert all(id_to_word[i] == w for w, i in word_to_id.items())
        assert 0 <= ids.min() and ids.max() < 10_000


def test_split_sizes_are_pinned(splits):
    for split, (ids, word_to_id, _) in splits.items():
        assert len(ids) == _SIZES[split]
        assert np.count_nonzero(ids == word_to_id["<eos>"]) == _SENTENCES[split]
        assert np.count_nonzero(ids == word_to_id["<unk>"]) == _UNKS[split]
        assert ids[-1] == word_to_id["<eos>"]
    # val and test are each about 1/12 of the corpus, as in PTB
    total = sum(_SIZES.values())
    assert 0.07 < _SIZES["val"] / total < 0.095 and 0.07 < _SIZES["test"] / total < 0.095


def test_first_tokens_of_each_split_are_pinned(splits):
    for split, text in _FIRST.items():
        assert _words(splits[split], len(text.split())) == text


def test_vocabulary_is_exactly_10000_with_unk_and_eos_all_seen_in_train(splits):
    ids, word_to_id, _ = splits["train"]
    assert len(word_to_id) == 10_000 and "<unk>" in word_to_id and "<eos>" in word_to_id
    assert len(np.unique(ids)) == 10_000


def test_ids_follow_first_appearance_in_train(splits):
    ids = splits["train"][0]
    _, first = np.unique(ids, return_index=True)  # first position of ids 0, 1, 2, ...
    assert np.all(np.diff(first) > 0)
    assert ids[0] == 0


def test_ids_are_the_same_in_every_split(splits):
    train_vocab = splits["train"][1]
    for _, word_to_id, id_to_word in splits.values():
        assert word_to_id == train_vocab
        assert id_to_word == {i: w for w, i in train_vocab.items()}


def test_vocabulary_holds_only_what_ptb_allows(splits):
    words = splits["train"][1]
    bad = [w for w in words if not _PTB_WORD.fullmatch(w)]
    assert bad == []
    assert not any(c.isdigit() for w in words for c in w)
    assert {"'s", "n't", "N", "mr", "mrs", "o'clock", "to-morrow"} <= set(words)
    assert not {".", ",", ";", "--", "''", "mr."} & set(words)


def test_valid_is_an_alias_of_val_and_bad_splits_raise(splits):
    np.testing.assert_array_equal(corpus.load_data("valid")[0], splits["val"][0])
    with pytest.raises(ValueError, match="'train', 'val'"):
        corpus.load_data("dev")
    with pytest.raises(TypeError):
        corpus.load_data(0)


def test_load_data_returns_fresh_objects_and_caches_read_only_arrays(splits):
    ids, word_to_id, id_to_word = corpus.load_data("train")
    ids[:] = -1
    word_to_id["the"] = 99
    id_to_word.clear()
    again = corpus.load_data("train")
    np.testing.assert_array_equal(again[0], splits["train"][0])
    assert again[1]["the"] == 0 and len(again[2]) == 10_000
    cached, _ = corpus._load_all(corpus.DATA_DIR)
    assert not any(a.flags.writeable for a in cached.values())


def test_loading_is_deterministic():
    first = corpus._load_all.__wrapped__(corpus.DATA_DIR)
    second = corpus._load_all.__wrapped__(corpus.DATA_DIR)
    for split in corpus.FILENAMES:
        np.testing.assert_array_equal(first[0][split], second[0][split])
    assert list(first[1].items()) == list(second[1].items())


def test_shipped_manifest_lists_every_data_file():
    manifest = (corpus.DATA_DIR / "SHA256SUMS").read_text().splitlines()
    listed = {}
    for line in manifest:
        digest, name = line.split("  ")
        listed[name] = digest
    assert set(listed) == {*corpus.FILENAMES.values(), "analogy.txt"}
    for name, digest in listed.items():
        assert hashlib.sha256((corpus.DATA_DIR / name).read_bytes()).hexdigest() == digest


@pytest.mark.parametrize("name", sorted({*corpus.FILENAMES.values(), "analogy.txt"}))
def test_a_flipped_byte_raises_checksum_error_naming_the_file(tmp_path, monkeypatch, name):
    shutil.copytree(corpus.DATA_DIR, tmp_path / "corpus")
    path = tmp_path / "corpus" / name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    monkeypatch.setattr(corpus, "DATA_DIR", tmp_path / "corpus")
    load = corpus.load_analogy if name == "analogy.txt" else corpus.load_data
    with pytest.raises(ChecksumError, match=re.escape(name)) as caught:
        load()
    assert caught.value.actual == hashlib.sha256(bytes(data)).hexdigest()


def test_a_missing_file_raises_data_error_naming_it(tmp_path, monkeypatch):
    shutil.copytree(corpus.DATA_DIR, tmp_path / "corpus")
    (tmp_path / "corpus" / "austen.test.txt.gz").unlink()
    monkeypatch.setattr(corpus, "DATA_DIR", tmp_path / "corpus")
    with pytest.raises(DataError, match="austen.test.txt.gz is missing"):
        corpus.load_data("train")


def test_ptb_loader_reads_the_uncompressed_corpus_identically(tmp_path, splits):
    for split, name in corpus.FILENAMES.items():
        text = gzip.decompress((corpus.DATA_DIR / name).read_bytes())
        (tmp_path / ptb.FILENAMES[split]).write_bytes(text)
    for split, (ids, word_to_id, _) in splits.items():
        ptb_ids, ptb_vocab, _ = ptb.load_data(split, path=tmp_path)
        np.testing.assert_array_equal(ptb_ids, ids)
        assert ptb_vocab == word_to_id


def test_every_analogy_word_is_in_the_vocabulary(splits):
    vocab = splits["train"][1]
    rows = corpus.load_analogy()
    assert 50 <= len(rows) <= 200
    assert ("king", "man", "queen", "woman") in rows  # book 2's analogy('king', 'man', 'queen') order
    for row in rows:
        assert len(row) == 4 and len(set(row)) == 4
        assert all(w in vocab for w in row), row


# --- tools/build_corpus.py -------------------------------------------------------------

def _build_module():
    spec = importlib.util.spec_from_file_location("build_corpus", _REPO / "tools" / "build_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_build_tokens_follow_ptb():
    build = _build_module()
    text = "\"Don't,\" said _Emma's_ friend--Mr. Knightley; \"it is 10 o'clock, &c. and I'll go to-morrow.\""
    sentence = build.sentences(text)
    assert sentence == [text.replace("Mr.", "Mr")]
    assert build.tokens(sentence[0]) == (
        "do n't said emma 's friend mr knightley it is N o'clock etc and i 'll go to-morrow".split())
    assert build.tokens("'Tis the girls' way, sir!' said he.") == "tis the girls way sir said he".split()


def test_build_cuts_sentences_only_before_a_capital():
    build = _build_module()
    assert build.sentences('"Oh!" cried she. "Mrs. Jennings is here." It rained.') == [
        '"Oh!" cried she.', '"Mrs Jennings is here."', "It rained."]


@pytest.mark.skipif(not (_SOURCE / "r-cran-janeaustenr_1.0.0-1_all.deb").is_file(),
                    reason="the source package is not in $BPROP_CORPUS_SRC or /tmp/corpus_src")
def test_build_rebuilds_the_shipped_files_byte_for_byte():
    build = _build_module()
    files, stats = build.build(_SOURCE)
    files["SHA256SUMS"] = build.manifest(files, corpus.DATA_DIR)
    for name, data in files.items():
        assert (corpus.DATA_DIR / name).read_bytes() == data, name
    assert {split: stats[split]["tokens"] for split in build.SPLITS} == {
        "train": _SIZES["train"], "valid": _SIZES["val"], "test": _SIZES["test"]}
