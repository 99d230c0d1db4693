"""load_idx_dataset: MNIST's four-file layout from any directory, and what it refuses."""

from __future__ import annotations

import gzip
import shutil

import numpy as np
import pytest

from bprop.datasets import DataError, load_idx_dataset
from bprop.datasets.idx_dataset import FILENAMES

from support import idx_bytes


def write_dataset(directory, rng, n_train=7, n_test=5, size=(4, 3), gz=True, num_classes=10):
    """Write a small four-file IDX dataset; return its uint8 arrays keyed like FILENAMES."""
    directory.mkdir(parents=True, exist_ok=True)
    arrays = {
        "train_images": rng.integers(0, 256, (n_train, *size), dtype=np.uint8),
        "train_labels": rng.integers(0, num_classes, n_train, dtype=np.uint8),
        "test_images": rng.integers(0, 256, (n_test, *size), dtype=np.uint8),
        "test_labels": rng.integers(0, num_classes, n_test, dtype=np.uint8),
    }
    for part, stem in FILENAMES.items():
        data = idx_bytes(arrays[part])
        if gz:
            (directory / f"{stem}.gz").write_bytes(gzip.compress(data))
        else:
            (directory / stem).write_bytes(data)
    return arrays


@pytest.mark.parametrize("gz", [True, False])
def test_load_idx_dataset_returns_the_books_format(tmp_path, gz):
    arrays = write_dataset(tmp_path, np.random.default_rng(1), gz=gz)
    (x, t), (x_test, t_test) = load_idx_dataset(tmp_path)
    assert x.shape == (7, 12) and x.dtype == np.float32
    assert x_test.shape == (5, 12)
    expected = arrays["train_images"].reshape(7, 12).astype(np.float32) / np.float32(255)
    np.testing.assert_array_equal(x, expected)
    assert t.dtype == np.int64
    np.testing.assert_array_equal(t, arrays["train_labels"])
    np.testing.assert_array_equal(t_test, arrays["test_labels"])


def test_load_idx_dataset_flags_give_images_and_one_hot_labels(tmp_path):
    arrays = write_dataset(tmp_path, np.random.default_rng(2), size=(5, 6))
    (x, t), _ = load_idx_dataset(tmp_path, normalize=False, flatten=False, one_hot_label=True,
                                 dtype=np.float64)
    assert x.shape == (7, 1, 5, 6) and x.dtype == np.uint8
    np.testing.assert_array_equal(x[:, 0], arrays["train_images"])
    assert t.shape == (7, 10) and t.dtype == np.float64
    np.testing.assert_array_equal(t.argmax(axis=1), arrays["train_labels"])
    np.testing.assert_array_equal(t.sum(axis=1), np.ones(7))


def test_load_idx_dataset_accepts_more_classes_when_asked(tmp_path):
    write_dataset(tmp_path, np.random.default_rng(3), num_classes=26)
    with pytest.raises(DataError, match=r"outside 0\.\.9 \(num_classes=10\)"):
        load_idx_dataset(tmp_path)
    (_, t), _ = load_idx_dataset(tmp_path, one_hot_label=True, num_classes=26)
    assert t.shape == (7, 26)


def test_load_idx_dataset_names_every_missing_file(tmp_path):
    write_dataset(tmp_path, np.random.default_rng(4))
    (tmp_path / "train-labels-idx1-ubyte.gz").unlink()
    (tmp_path / "t10k-images-idx3-ubyte.gz").unlink()
    with pytest.raises(DataError) as info:
        load_idx_dataset(tmp_path)
    message = str(info.value)
    assert "lacks train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz]" in message
    assert str(tmp_path) in message


def test_load_idx_dataset_rejects_a_missing_directory(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        load_idx_dataset(tmp_path / "nope")


def test_load_idx_dataset_rejects_labels_where_images_belong(tmp_path):
    write_dataset(tmp_path, np.random.default_rng(5))
    shutil.copy(tmp_path / "train-labels-idx1-ubyte.gz", tmp_path / "train-images-idx3-ubyte.gz")
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte\.gz: expected images.*"
                                        r"looks like a labels file"):
        load_idx_dataset(tmp_path)


def test_load_idx_dataset_rejects_images_where_labels_belong(tmp_path):
    write_dataset(tmp_path, np.random.default_rng(6))
    shutil.copy(tmp_path / "t10k-images-idx3-ubyte.gz", tmp_path / "t10k-labels-idx1-ubyte.gz")
    with pytest.raises(DataError, match=r"t10k-labels-idx1-ubyte\.gz: expected labels.*"
                                        r"looks like an images file"):
        load_idx_dataset(tmp_path)


def test_load_idx_dataset_rejects_counts_that_disagree(tmp_path):
    write_dataset(tmp_path, np.random.default_rng(7))
    labels = np.zeros(6, dtype=np.uint8)
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(labels)))
    with pytest.raises(DataError, match="holds 7 images but .* holds 6 labels"):
        load_idx_dataset(tmp_path)


def test_load_idx_dataset_rejects_non_uint8_pixels(tmp_path):
    write_dataset(tmp_path, np.random.default_rng(8))
    images = np.zeros((5, 4, 3), dtype=np.float32)
    (tmp_path / "t10k-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx_bytes(images)))
    with pytest.raises(DataError, match="expected uint8 elements .* got float32"):
        load_idx_dataset(tmp_path)


def test_load_idx_dataset_rejects_train_and_test_of_different_sizes(tmp_path):
    write_dataset(tmp_path, np.random.default_rng(9))
    images = np.zeros((5, 3, 4), dtype=np.uint8)
    (tmp_path / "t10k-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx_bytes(images)))
    with pytest.raises(DataError, match=r"images of size \(4, 3\) but .* of size \(3, 4\)"):
        load_idx_dataset(tmp_path)
