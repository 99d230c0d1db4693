"""Reader for the IDX format of MNIST and its kin, plain or gzip-compressed.

An IDX file is a header and one array in C order, big-endian:

    bytes 0-1   0x0000
    byte  2     element type: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
                0x0D float32, 0x0E float64
    byte  3     ndim, the number of dimensions (1 for labels, 3 for images)
    then        ndim sizes, each a big-endian uint32
    then        prod(sizes) elements, nothing after them

The reader trusts nothing: every way a file can be corrupt, truncated, too
long or not IDX at all ends in a DataError naming the file and the problem.
"""

from __future__ import annotations

import gzip
import io
import math
import os
import struct
import zlib
from typing import BinaryIO

import numpy as np

from .errors import DataError

_TYPES: dict[int, np.dtype] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"
# Read the data in pieces so that a header claiming terabytes costs nothing
# until the bytes actually arrive (a single read(n) preallocates n bytes).
_CHUNK = 1 << 24


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file, plain or gzip-compressed, into a NumPy array.

    Compression is told from the content (the gzip magic bytes), not the name.
    Returns an array of the file's shape in native byte order: (N, rows, cols)
    uint8 for MNIST images, (N,) uint8 for labels. Raises DataError for a bad
    magic number, an unknown type code, a header or data shorter than the
    header declares, bytes after the data, or a gzip stream that fails to
    decompress; FileNotFoundError if there is no such file.
    """
    with open(path, "rb") as f:
        return _read_stream(f, os.fspath(path))


def parse_idx(data: bytes, name: str = "<bytes>") -> np.ndarray:
    """Parse the bytes of an IDX file (plain or gzip) held in memory; see read_idx.

    name is the file's name for error messages.
    """
    return _read_stream(io.BytesIO(data), name)


def _read_stream(f: BinaryIO, name: str) -> np.ndarray:
    if f.read(2) != _GZIP_MAGIC:
        f.seek(0)
        return _read_idx(f, name)
    f.seek(0)
    try:
        with gzip.GzipFile(fileobj=f, mode="rb") as g:
            return _read_idx(g, name)
    except (OSError, EOFError, zlib.error) as exc:
        # BadGzipFile (bad header, CRC), EOFError (stream cut short), zlib.error (bad data).
        raise DataError(
            f"{name}: gzip data failed to decompress ({exc}); the file is corrupt or truncated"
        ) from exc


def _read_idx(f: BinaryIO | gzip.GzipFile, name: str) -> np.ndarray:
    magic = f.read(4)
    if len(magic) < 4:
        raise DataError(f"{name}: truncated: {len(magic)} bytes, an IDX header needs at least 4")
    if magic[:2] != b"\0\0":
        raise DataError(
            f"{name}: not an IDX file: magic number 0x{magic.hex()} should start with 0x0000"
        )
    code, ndim = magic[2], magic[3]
    if code not in _TYPES:
        known = ", ".join(f"0x{c:02X}" for c in _TYPES)
        raise DataError(f"{name}: unknown IDX element type 0x{code:02X}; expected one of {known}")
    if ndim == 0:
        raise DataError(f"{name}: IDX header declares 0 dimensions; expected at least 1")
    raw_dims = f.read(4 * ndim)
    if len(raw_dims) < 4 * ndim:
        raise DataError(
            f"{name}: truncated header: {ndim} dimensions need {4 * ndim} bytes of sizes, "
            f"got {len(raw_dims)}"
        )
    shape = struct.unpack(f">{ndim}I", raw_dims)
    dtype = _TYPES[code]
    expected = math.prod(shape) * dtype.itemsize
    data = _read_at_most(f, expected + 1)
    if len(data) < expected:
        raise DataError(
            f"{name}: truncated: header declares shape {shape} of {dtype.name} "
            f"({expected} data bytes), the file holds {len(data)}"
        )
    if len(data) > expected:
        raise DataError(
            f"{name}: trailing bytes after the {expected} data bytes that the header "
            f"declares (shape {shape} of {dtype.name}); the file is not a single IDX array"
        )
    array = np.frombuffer(data, dtype=dtype).reshape(shape)
    if not dtype.isnative:
        array = array.astype(dtype.newbyteorder("="))
    return array


def _read_at_most(f: BinaryIO | gzip.GzipFile, limit: int) -> bytearray:
    data = bytearray()
    while len(data) < limit:
        chunk = f.read(min(limit - len(data), _CHUNK))
        if not chunk:
            break
        data += chunk
    return data
