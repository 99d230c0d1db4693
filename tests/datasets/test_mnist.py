"""load_mnist over the shipped MNIST: the book's format, exact counts, checksums."""

from __future__ import annotations

import hashlib
import shutil
import struct

import numpy as np
import pytest

from bprop.datasets import ChecksumError, DataError, load_mnist
from bprop.datasets import mnist as mnist_module
from bprop.datasets.idx_dataset import FILENAMES

_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.fixture(scope="module")
def mnist_default():
    return load_mnist()


def test_load_mnist_default_is_flat_normalized_float32(mnist_default):
    (x, t), (x_test, t_test) = mnist_default
    assert x.shape == (60000, 784) and x.dtype == np.float32
    assert x_test.shape == (10000, 784) and x_test.dtype == np.float32
    assert x.min() == 0.0 and x.max() == 1.0
    assert t.shape == (60000,) and t.dtype == np.int64
    assert t_test.shape == (10000,) and t_test.dtype == np.int64


def test_load_mnist_has_the_exact_label_counts(mnist_default):
    (_, t), (_, t_test) = mnist_default
    assert np.bincount(t, minlength=10).tolist() == _TRAIN_COUNTS
    assert np.bincount(t_test, minlength=10).tolist() == _TEST_COUNTS


def test_load_mnist_raw_images_match_the_original_files_md5():
    (x, _), (x_test, _) = load_mnist(normalize=False, flatten=False)
    assert x.shape == (60000, 1, 28, 28) and x.dtype == np.uint8
    assert x_test.shape == (10000, 1, 28, 28) and x_test.dtype == np.uint8
    # MD5 of the uncompressed original IDX files, header included.
    train = struct.pack(">4I", 0x0803, 60000, 28, 28) + x.tobytes()
    test = struct.pack(">4I", 0x0803, 10000, 28, 28) + x_test.tobytes()
    assert hashlib.md5(train).hexdigest() == "6bbc9ace898e44ae57da46a324031adb"
    assert hashlib.md5(test).hexdigest() == "2646ac647ad5339dbf082846283269ea"


def test_load_mnist_normalized_is_raw_divided_by_255(mnist_default):
    (x, _), _ = mnist_default
    (raw, _), _ = load_mnist(normalize=False)
    assert raw.shape == (60000, 784) and raw.dtype == np.uint8 and raw.max() == 255
    np.testing.assert_array_equal(x, raw.astype(np.float32) / np.float32(255))


def test_load_mnist_one_hot_labels_match_the_indices(mnist_default):
    (_, t), (_, t_test) = mnist_default
    (x, t1), (_, t1_test) = load_mnist(one_hot_label=True, dtype=np.float64)
    assert x.dtype == np.float64
    for onehot, index in ((t1, t), (t1_test, t_test)):
        assert onehot.shape == (len(index), 10) and onehot.dtype == np.float64
        assert set(np.unique(onehot)) == {0.0, 1.0}
        np.testing.assert_array_equal(onehot.sum(axis=1), 1.0)
        np.testing.assert_array_equal(onehot.argmax(axis=1), index)


def test_load_mnist_returns_arrays_the_caller_may_change(mnist_default):
    (x, t), _ = load_mnist()
    x[:] = -1.0
    t[:] = 99
    (x2, t2), _ = load_mnist()
    np.testing.assert_array_equal(x2, mnist_default[0][0])
    np.testing.assert_array_equal(t2, mnist_default[0][1])


def test_load_mnist_caches_read_only_uint8_arrays():
    for x, t in mnist_module._mnist_uint8():
        assert not x.flags.writeable and not t.flags.writeable
        assert x.dtype == np.uint8 and t.dtype == np.uint8
    assert mnist_module._mnist_uint8() is mnist_module._mnist_uint8()


@pytest.mark.parametrize("dtype", [np.int32, np.uint8, "bool", "not-a-type"])
def test_load_mnist_rejects_non_float_dtype(dtype):
    with pytest.raises(TypeError, match="dtype must be a floating type"):
        load_mnist(dtype=dtype)


@pytest.mark.parametrize("flag", ["normalize", "flatten", "one_hot_label"])
def test_load_mnist_rejects_non_bool_flags(flag):
    with pytest.raises(TypeError, match=f"{flag} must be True or False, got 'yes'"):
        load_mnist(**{flag: "yes"})


def test_shipped_manifest_lists_the_four_files():
    lines = (mnist_module.DATA_DIR / "SHA256SUMS").read_text().splitlines()
    assert sorted(line.split()[1] for line in lines) == sorted(
        f"{stem}.gz" for stem in FILENAMES.values()
    )


@pytest.fixture
def mnist_copy(tmp_path):
    """A copy of the shipped data directory that a test may damage."""
    copy = tmp_path / "data"
    shutil.copytree(mnist_module.DATA_DIR, copy)
    return copy


def test_tampered_mnist_file_fails_its_checksum_naming_file_and_digests(mnist_copy):
    path = mnist_copy / "t10k-labels-idx1-ubyte.gz"
    expected = hashlib.sha256(path.read_bytes()).hexdigest()
    data = bytearray(path.read_bytes())
    data[100] ^= 0x01
    path.write_bytes(bytes(data))
    actual = hashlib.sha256(bytes(data)).hexdigest()
    with pytest.raises(ChecksumError) as info:
        mnist_module._read_verified(mnist_copy)
    message = str(info.value)
    assert str(path) in message
    assert f"expected {expected}, got {actual}" in message
    assert (info.value.expected, info.value.actual) == (expected, actual)


def test_mnist_file_missing_from_the_manifest_is_refused(mnist_copy):
    manifest = mnist_copy / "SHA256SUMS"
    lines = manifest.read_text().splitlines()
    manifest.write_text("\n".join(line for line in lines if "train-images" not in line) + "\n")
    with pytest.raises(DataError, match="has no SHA-256 for train-images-idx3-ubyte.gz"):
        mnist_module._read_verified(mnist_copy)


def test_mnist_malformed_manifest_line_is_refused(mnist_copy):
    (mnist_copy / "SHA256SUMS").write_text("abc123  train-images-idx3-ubyte.gz\n")
    with pytest.raises(DataError, match=r"SHA256SUMS, line 1: expected '<64 hex digits>"):
        mnist_module._read_verified(mnist_copy)


def test_mnist_missing_file_is_reported(mnist_copy):
    (mnist_copy / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError, match=r"train-labels-idx1-ubyte\.gz is missing"):
        mnist_module._read_verified(mnist_copy)
