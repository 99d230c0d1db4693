"""bprop.datasets.ptb: the real PTB read from a user's folder, tested on tiny fake files."""

from __future__ import annotations

import os

import numpy as np
import pytest

from bprop.datasets import DataError, ptb

# Written as Mikolov's PTB files are: a space before and after every line.
_TRAIN = " the company said N shares \n the <unk> fell \n"
_VALID = " the shares fell \n"
_TEST = " company said <unk> \n said the \n"


@pytest.fixture
def ptb_dir(tmp_path, monkeypatch):
    monkeypatch.delenv(ptb.ENV_VAR, raising=False)
    for split, text in (("train", _TRAIN), ("val", _VALID), ("test", _TEST)):
        (tmp_path / ptb.FILENAMES[split]).write_text(text)
    return tmp_path


def test_train_ids_follow_first_appearance_with_eos_after_each_line(ptb_dir):
    corpus, word_to_id, id_to_word = ptb.load_data("train", path=ptb_dir)
    assert word_to_id == {"the": 0, "company": 1, "said": 2, "N": 3, "shares": 4,
                          "<eos>": 5, "<unk>": 6, "fell": 7}
    assert id_to_word == {i: w for w, i in word_to_id.items()}
    assert corpus.dtype == np.int32 and corpus.ndim == 1
    assert corpus.tolist() == [0, 1, 2, 3, 4, 5, 0, 6, 7, 5]


def test_val_and_test_use_the_train_vocabulary(ptb_dir):
    val, vocab, _ = ptb.load_data("val", path=ptb_dir)
    test, test_vocab, _ = ptb.load_data("test", path=ptb_dir)
    assert val.tolist() == [0, 4, 7, 5]
    assert test.tolist() == [1, 2, 6, 5, 2, 0, 5]
    assert vocab == test_vocab == ptb.load_data("train", path=ptb_dir)[1]


def test_valid_is_an_alias_of_val_and_bad_splits_raise(ptb_dir):
    assert ptb.load_data("valid", path=ptb_dir)[0].tolist() == [0, 4, 7, 5]
    with pytest.raises(ValueError, match="'train', 'val'"):
        ptb.load_data("dev", path=ptb_dir)
    with pytest.raises(TypeError):
        ptb.load_data(None, path=ptb_dir)


def test_the_folder_can_come_from_the_environment(ptb_dir, monkeypatch):
    monkeypatch.setenv(ptb.ENV_VAR, str(ptb_dir))
    assert ptb.load_data("val")[0].tolist() == [0, 4, 7, 5]


def test_without_a_folder_the_error_says_where_to_put_the_files(monkeypatch):
    monkeypatch.delenv(ptb.ENV_VAR, raising=False)
    with pytest.raises(DataError) as caught:
        ptb.load_data("train")
    message = str(caught.value)
    for name in ("ptb.train.txt", "ptb.valid.txt", "ptb.test.txt", "BPROP_PTB", "path=", "bprop.datasets.corpus"):
        assert name in message


def test_a_path_that_is_no_folder_raises(tmp_path):
    with pytest.raises(DataError, match="is not a folder"):
        ptb.load_data("train", path=tmp_path / "nowhere")


def test_a_missing_file_raises_naming_it(ptb_dir):
    os.remove(ptb_dir / "ptb.test.txt")
    assert len(ptb.load_data("val", path=ptb_dir)[0]) == 4  # the other splits still load
    with pytest.raises(DataError, match=r"ptb\.test\.txt is missing"):
        ptb.load_data("test", path=ptb_dir)
    os.remove(ptb_dir / "ptb.train.txt")
    with pytest.raises(DataError, match=r"ptb\.train\.txt is missing"):
        ptb.load_data("val", path=ptb_dir)


@pytest.mark.parametrize("data, problem", [
    (b"", "is empty"),
    (b" \n\n  \n", "is empty"),
    (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", "not a text file"),
    (b" caf\xe9 \n", "not UTF-8"),
])
def test_an_empty_or_binary_file_raises_naming_it(ptb_dir, data, problem):
    (ptb_dir / "ptb.valid.txt").write_bytes(data)
    with pytest.raises(DataError, match=problem) as caught:
        ptb.load_data("val", path=ptb_dir)
    assert "ptb.valid.txt" in str(caught.value)


def test_a_word_missing_from_train_raises_naming_file_and_word(ptb_dir):
    (ptb_dir / "ptb.test.txt").write_text(" the zebra \n")
    with pytest.raises(DataError, match=r"ptb\.test\.txt: word 'zebra' is not in the vocabulary"):
        ptb.load_data("test", path=ptb_dir)


def test_a_last_line_without_newline_still_ends_in_eos(ptb_dir):
    (ptb_dir / "ptb.valid.txt").write_text(" the shares fell \n fell")
    assert ptb.load_data("val", path=ptb_dir)[0].tolist() == [0, 4, 7, 5, 7, 5]


def test_a_changed_file_is_read_again(ptb_dir):
    assert len(ptb.load_data("test", path=ptb_dir)[0]) == 7
    (ptb_dir / "ptb.test.txt").write_text(" the \n")
    assert ptb.load_data("test", path=ptb_dir)[0].tolist() == [0, 5]


def test_each_call_returns_fresh_objects(ptb_dir):
    corpus, word_to_id, id_to_word = ptb.load_data("train", path=ptb_dir)
    corpus[:] = -1
    word_to_id.clear()
    id_to_word[0] = "changed"
    corpus2, word_to_id2, id_to_word2 = ptb.load_data("train", path=ptb_dir)
    assert corpus2.tolist() == [0, 1, 2, 3, 4, 5, 0, 6, 7, 5]
    assert len(word_to_id2) == 8 and id_to_word2[0] == "the"
