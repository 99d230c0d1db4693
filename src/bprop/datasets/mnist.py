"""MNIST, shipped inside the package and checked against its SHA-256 manifest.

The four gzip IDX files live in ``bprop/datasets/data/`` with ``SHA256SUMS``;
see the README there for their origin and licence (CC BY-SA 3.0).
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import numpy as np
from numpy.typing import DTypeLike

from .checksums import read_manifest
from .errors import ChecksumError, DataError
from .idx import parse_idx
from .idx_dataset import FILENAMES, Split, check_dataset, check_options, to_book_format

DATA_DIR = Path(__file__).with_name("data")
MANIFEST = "SHA256SUMS"
_SHAPES = {
    "train_images": (60000, 28, 28),
    "train_labels": (60000,),
    "test_images": (10000, 28, 28),
    "test_labels": (10000,),
}


def load_mnist(
    normalize: bool = True,
    flatten: bool = True,
    one_hot_label: bool = False,
    dtype: DTypeLike = np.float32,
) -> tuple[Split, Split]:
    """MNIST as ``(x_train, t_train), (x_test, t_test)``, as in the book.

    normalize      True: images as dtype, pixel/255 in [0, 1].
                   False: the stored uint8 values 0..255, as the book returns
                   them (dtype is not used for images then).
    flatten        True: images (N, 784). False: (N, 1, 28, 28).
    one_hot_label  True: labels (N, 10) of dtype, one 1 per row.
                   False: labels (N,) int64 class indices 0..9 (the book
                   returns uint8; int64 cannot wrap when used in arithmetic).
    dtype          a floating type; our addition to the book's signature.

    N is 60,000 for training and 10,000 for test. Every array returned is a
    fresh one the caller may modify. The first call in a process reads the
    shipped files and checks their SHA-256 (raising ChecksumError naming the
    file and both digests on a mismatch); later calls reuse the parsed uint8
    arrays, so only the conversion to the requested format is paid again.
    """
    dtype = check_options(normalize, flatten, one_hot_label, dtype)
    (x_train, t_train), (x_test, t_test) = _mnist_uint8()
    return (
        to_book_format(x_train, t_train, normalize, flatten, one_hot_label, dtype),
        to_book_format(x_test, t_test, normalize, flatten, one_hot_label, dtype),
    )


@functools.lru_cache(maxsize=1)
def _mnist_uint8() -> tuple[Split, Split]:
    # The cache holds about 55 MB for the life of the process; the arrays are
    # read-only so that no caller can corrupt what the next call gets.
    return _read_verified(DATA_DIR)


def _read_verified(data_dir: Path) -> tuple[Split, Split]:
    """Read and check MNIST's four files in data_dir against data_dir/SHA256SUMS.

    Returns read-only uint8 arrays ((train images, labels), (test images, labels)).
    """
    data_dir = Path(data_dir)
    manifest = read_manifest(data_dir / MANIFEST)
    arrays, names = {}, {}
    for part, stem in FILENAMES.items():
        path = data_dir / f"{stem}.gz"
        expected = manifest.get(path.name)
        if expected is None:
            raise DataError(f"{data_dir / MANIFEST} has no SHA-256 for {path.name}")
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise DataError(f"MNIST file {path} is missing; reinstall bprop") from None
        # Hash the bytes already in memory: the file is never read twice.
        actual = hashlib.sha256(raw).hexdigest()
        if actual != expected:
            raise ChecksumError(str(path), expected, actual,
                                "The file is corrupt or was changed; reinstall bprop")
        array = parse_idx(raw, str(path))
        array.flags.writeable = False
        arrays[part], names[part] = array, str(path)
    check_dataset(arrays, names, num_classes=10)
    for part, shape in _SHAPES.items():
        if arrays[part].shape != shape:
            raise DataError(
                f"{names[part]}: expected MNIST shape {shape}, got {arrays[part].shape}"
            )
    return (
        (arrays["train_images"], arrays["train_labels"]),
        (arrays["test_images"], arrays["test_labels"]),
    )
