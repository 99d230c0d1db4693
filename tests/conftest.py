"""Fixtures shared by the test files (helpers that are not fixtures: support.py)."""

import numpy as np
import pytest

from support import IDX_NAMES, idx_bytes


@pytest.fixture(scope="session")
def tiny_dataset(tmp_path_factory):
    """60 training and 20 test 6×6 images: digit d lights row d (a problem a net learns at once)."""
    directory = tmp_path_factory.mktemp("idx")
    rng = np.random.default_rng(0)
    for (images_name, labels_name), n in zip((IDX_NAMES[:2], IDX_NAMES[2:]), (60, 20)):
        labels = rng.integers(0, 6, n).astype(np.uint8)
        images = rng.integers(0, 40, (n, 6, 6)).astype(np.uint8)
        images[np.arange(n), labels, :] = 255
        (directory / images_name).write_bytes(idx_bytes(images))
        (directory / labels_name).write_bytes(idx_bytes(labels))
    return directory


@pytest.fixture(scope="session")
def mnist():
    """The shipped MNIST, as load_mnist() gives it (read once per test run)."""
    from bprop.datasets import load_mnist

    return load_mnist()
