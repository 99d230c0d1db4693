"""Datasets in MNIST's four-file IDX layout (MNIST, Fashion-MNIST, KMNIST, ...).

A directory holds, gzip-compressed or not:

    train-images-idx3-ubyte   (N_train, rows, cols) uint8 images
    train-labels-idx1-ubyte   (N_train,) uint8 labels in 0..num_classes-1
    t10k-images-idx3-ubyte    (N_test, rows, cols) uint8 images
    t10k-labels-idx1-ubyte    (N_test,) uint8 labels

load_idx_dataset returns them as the book's load_mnist does.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from numpy.typing import DTypeLike

from .._checks import integer
from .errors import DataError
from .idx import read_idx

# Split part -> standard file name without ".gz".
FILENAMES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}

Split = tuple[np.ndarray, np.ndarray]


def load_idx_dataset(
    directory: str | os.PathLike,
    normalize: bool = True,
    flatten: bool = True,
    one_hot_label: bool = False,
    dtype: DTypeLike = np.float32,
    *,
    num_classes: int = 10,
) -> tuple[Split, Split]:
    """Load the four IDX files in directory as ``(x_train, t_train), (x_test, t_test)``.

    Each file is found by its standard name, plain or with ".gz" (the plain
    one wins if both are there: it needs no decompression). The flags mean
    what they mean in the book's load_mnist:

    normalize      True: images as dtype, pixel/255 in [0, 1].
                   False: the stored uint8 values 0..255 (dtype is not used).
    flatten        True: images (N, rows*cols). False: (N, 1, rows, cols).
    one_hot_label  True: labels (N, num_classes) of dtype, one 1 per row.
                   False: labels (N,) int64 class indices.
    dtype          a floating type (our addition; the book has float32).

    Every array returned is a fresh one the caller may modify. Raises
    DataError naming the files that are missing, or the file that is corrupt
    or of the wrong kind (labels where images belong, counts that disagree,
    labels outside 0..num_classes-1).
    """
    dtype = check_options(normalize, flatten, one_hot_label, dtype, num_classes)
    paths = find_files(directory)
    arrays = {part: read_idx(path) for part, path in paths.items()}
    names = {part: str(path) for part, path in paths.items()}
    check_dataset(arrays, names, num_classes)
    return (
        to_book_format(arrays["train_images"], arrays["train_labels"], normalize, flatten,
                       one_hot_label, dtype, num_classes),
        to_book_format(arrays["test_images"], arrays["test_labels"], normalize, flatten,
                       one_hot_label, dtype, num_classes),
    )


def find_files(directory: str | os.PathLike) -> dict[str, Path]:
    """Map each split part to its file in directory; DataError lists every one missing."""
    directory = Path(directory)
    if not directory.is_dir():
        raise DataError(f"dataset directory {directory} does not exist or is not a directory")
    found, missing = {}, []
    for part, stem in FILENAMES.items():
        candidates = [directory / stem, directory / f"{stem}.gz"]
        path = next((p for p in candidates if p.is_file()), None)
        if path is None:
            missing.append(f"{stem}[.gz]")
        else:
            found[part] = path
    if missing:
        raise DataError(
            f"{directory} lacks {', '.join(missing)}; an IDX dataset needs the four files "
            f"{', '.join(FILENAMES.values())} (each may be gzip-compressed, ending in .gz)"
        )
    return found


def check_dataset(arrays: dict[str, np.ndarray], names: dict[str, str], num_classes: int) -> None:
    """Check that arrays (keyed like FILENAMES) form a dataset; names name them in errors."""
    for split in ("train", "test"):
        images, labels = arrays[f"{split}_images"], arrays[f"{split}_labels"]
        images_name, labels_name = names[f"{split}_images"], names[f"{split}_labels"]
        if images.ndim != 3:
            hint = " (this looks like a labels file)" if images.ndim == 1 else ""
            raise DataError(
                f"{images_name}: expected images, a 3-D array (N, rows, cols), "
                f"got shape {images.shape}{hint}"
            )
        if labels.ndim != 1:
            hint = " (this looks like an images file)" if labels.ndim == 3 else ""
            raise DataError(
                f"{labels_name}: expected labels, a 1-D array (N,), got shape {labels.shape}{hint}"
            )
        for name, array in ((images_name, images), (labels_name, labels)):
            if array.dtype != np.uint8:
                raise DataError(
                    f"{name}: expected uint8 elements (IDX type 0x08), got {array.dtype}"
                )
        if len(images) != len(labels):
            raise DataError(
                f"{images_name} holds {len(images)} images but {labels_name} holds "
                f"{len(labels)} labels; they must match"
            )
        if len(labels) and labels.max() >= num_classes:
            raise DataError(
                f"{labels_name}: label {labels.max()} is outside 0..{num_classes - 1} "
                f"(num_classes={num_classes})"
            )
    if arrays["train_images"].shape[1:] != arrays["test_images"].shape[1:]:
        raise DataError(
            f"{names['train_images']} holds images of size {arrays['train_images'].shape[1:]} "
            f"but {names['test_images']} of size {arrays['test_images'].shape[1:]}"
        )


def check_options(normalize: bool, flatten: bool, one_hot_label: bool, dtype: DTypeLike,
                  num_classes: int = 10) -> np.dtype:
    """Check load_mnist's flags; return dtype as a floating np.dtype."""
    for name, value in (("normalize", normalize), ("flatten", flatten),
                        ("one_hot_label", one_hot_label)):
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{name} must be True or False, got {value!r}")
    expected = "dtype must be a floating type such as np.float32"
    try:
        dtype = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"{expected}, got {dtype!r}") from exc
    if dtype.kind != "f":
        raise TypeError(f"{expected}, got {dtype}")
    if integer(num_classes, "num_classes", 1) > 256:
        raise ValueError(f"num_classes must be in 1..256 (labels are uint8), got {num_classes}")
    return dtype


def to_book_format(
    images: np.ndarray,
    labels: np.ndarray,
    normalize: bool,
    flatten: bool,
    one_hot_label: bool,
    dtype: np.dtype,
    num_classes: int = 10,
) -> Split:
    """One split in the book's format (see load_idx_dataset); never returns a view of its input.

    images: (N, rows, cols) uint8; labels: (N,) uint8, already checked.
    """
    N, rows, cols = images.shape
    if normalize:
        x = images.astype(dtype)
        x /= 255  # division, not a multiply by 1/255: exactly the book's values
    else:
        x = images.copy()
    x = x.reshape(N, rows * cols) if flatten else x.reshape(N, 1, rows, cols)
    if one_hot_label:
        t = np.eye(num_classes, dtype=dtype)[labels]
    else:
        t = labels.astype(np.int64)
    return x, t
