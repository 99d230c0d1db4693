"""bprop.datasets: the IDX reader, load_idx_dataset, and the shipped MNIST."""

from __future__ import annotations

import gzip
import hashlib
import shutil
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bprop.datasets import (
    ChecksumError,
    DataError,
    load_idx_dataset,
    load_mnist,
    parse_idx,
    read_idx,
)
from bprop.datasets import mnist as mnist_module
from bprop.datasets.idx_dataset import FILENAMES

_CODES = {np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C,
          np.float32: 0x0D, np.float64: 0x0E}


def idx_bytes(array: np.ndarray, code: int | None = None) -> bytes:
    """The IDX encoding of array: 0x0000, type code, ndim, big-endian sizes and data."""
    if code is None:
        code = _CODES[array.dtype.type]
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


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


# ---------------------------------------------------------------- read_idx


@settings(max_examples=30, deadline=None)
@given(
    dtype=st.sampled_from(list(_CODES)),
    shape=st.lists(st.integers(0, 5), min_size=1, max_size=4),
    gz=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_parse_idx_round_trips_every_type_and_shape(dtype, shape, gz, seed):
    rng = np.random.default_rng(seed)
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        array = rng.integers(info.min, info.max, shape, dtype=dtype, endpoint=True)
    else:
        array = (rng.standard_normal(shape) * 1e3).astype(dtype)
    data = idx_bytes(array)
    back = parse_idx(gzip.compress(data) if gz else data)
    assert back.shape == tuple(shape)
    assert back.dtype == np.dtype(dtype)  # native byte order, same kind and size
    assert back.dtype.isnative
    np.testing.assert_array_equal(back, array)


@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_reads_images_from_plain_and_gzip_files(tmp_path, gz):
    images = np.random.default_rng(0).integers(0, 256, (3, 28, 28), dtype=np.uint8)
    path = tmp_path / ("img.gz" if gz else "img")
    data = idx_bytes(images)
    path.write_bytes(gzip.compress(data) if gz else data)
    back = read_idx(path)
    assert back.dtype == np.uint8 and back.shape == (3, 28, 28)
    np.testing.assert_array_equal(back, images)


def test_read_idx_reads_big_endian_int32_values(tmp_path):
    path = tmp_path / "ints"
    path.write_bytes(bytes([0, 0, 0x0C, 1, 0, 0, 0, 2]) + b"\x00\x00\x01\x02\xff\xff\xff\xfe")
    np.testing.assert_array_equal(read_idx(path), np.array([258, -2], dtype=np.int32))


def _labels_bytes(n=4):
    return idx_bytes(np.arange(n, dtype=np.uint8))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "truncated: 0 bytes"),
        (b"\x00\x00\x08", "truncated: 3 bytes"),
        (b"\x01\x02\x08\x01" + struct.pack(">I", 1) + b"\x00", "magic number 0x01020801"),
        (b"\x1f\x9d\x08\x01", "magic number"),  # compress(1), not gzip
        (b"\x00\x00\x07\x01" + struct.pack(">I", 1) + b"\x00", "unknown IDX element type 0x07"),
        (b"\x00\x00\x08\x00", "0 dimensions"),
        (b"\x00\x00\x08\x03" + struct.pack(">2I", 2, 2), "truncated header"),
        (_labels_bytes()[:-1], "truncated: header declares shape (4,)"),
        (_labels_bytes() + b"\x00", "trailing bytes"),
        (b"\x00\x00\x0D\x01" + struct.pack(">I", 2) + b"\x00" * 7,
         "(8 data bytes), the file holds 7"),
    ],
    ids=["empty", "short-magic", "wrong-magic", "not-gzip", "bad-type", "no-dims",
         "short-dims", "short-data", "trailing", "short-float"],
)
def test_read_idx_rejects_broken_files_naming_file_and_problem(tmp_path, data, message):
    path = tmp_path / "broken-idx1-ubyte"
    path.write_bytes(data)
    with pytest.raises(DataError, match="broken-idx1-ubyte") as info:
        read_idx(path)
    assert message in str(info.value)


def test_read_idx_finds_truncation_inside_a_valid_gzip(tmp_path):
    path = tmp_path / "short.gz"
    path.write_bytes(gzip.compress(_labels_bytes()[:-2]))
    with pytest.raises(DataError, match=r"short\.gz: truncated.*holds 2"):
        read_idx(path)


def test_read_idx_rejects_a_cut_gzip_stream(tmp_path):
    path = tmp_path / "cut.gz"
    path.write_bytes(gzip.compress(_labels_bytes(1000))[:-12])
    with pytest.raises(DataError, match=r"cut\.gz: gzip data failed to decompress"):
        read_idx(path)


def test_read_idx_rejects_a_gzip_with_corrupt_data(tmp_path):
    data = bytearray(gzip.compress(idx_bytes(np.arange(5000, dtype=np.int32))))
    data[len(data) // 2] ^= 0xFF
    path = tmp_path / "corrupt.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(DataError, match=r"corrupt\.gz: gzip data failed to decompress"):
        read_idx(path)


def test_read_idx_rejects_a_gzip_with_a_bad_crc(tmp_path):
    data = bytearray(gzip.compress(_labels_bytes()))
    data[-8] ^= 0x01  # the CRC32 of the uncompressed data
    path = tmp_path / "crc.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(DataError, match=r"crc\.gz: gzip data failed.*CRC"):
        read_idx(path)


def test_read_idx_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "nothing-here")


# ---------------------------------------------------------------- load_idx_dataset


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


# ---------------------------------------------------------------- load_mnist


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
