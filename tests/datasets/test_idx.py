"""The IDX reader: every type, plain and gzip, and every way a file can be broken."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bprop.datasets import DataError, parse_idx, read_idx

from support import _CODES, idx_bytes


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
