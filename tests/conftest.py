"""Fixtures shared by the test files."""

import struct

import numpy as np
import pytest

from bprop.cli import main

IDX_NAMES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def idx_bytes(array: np.ndarray) -> bytes:
    """An uint8 array as an IDX file: magic (0, 0x08, ndim), big-endian dimensions, data."""
    return struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


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


def run_cli(capsys, *argv):
    """Run ``bprop ARGV…`` in-process: (exit status, stdout, stderr)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(err, command):
    """The CLI's error is one line, "bprop COMMAND: error: …", and no traceback."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"bprop {command}: error: ")
    assert "Traceback" not in err
    return lines[0]
