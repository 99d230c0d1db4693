"""Helpers the test files share (fixtures are in conftest.py): the CLI in-process, IDX bytes,
the learner classes of tests/learner/, Graphviz, PNG files."""

from __future__ import annotations

import importlib.util
import shutil
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

from bprop.cli import main

TESTS = Path(__file__).resolve().parent
LEARNER = TESTS / "learner"
IDX_NAMES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")

HAVE_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAVE_DOT, reason="Graphviz's dot is not installed (apt-get install graphviz)")


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


_CODES = {np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C,
          np.float32: 0x0D, np.float64: 0x0E}


def idx_bytes(array: np.ndarray, code: int | None = None) -> bytes:
    """The IDX encoding of array: 0x0000, type code, ndim, big-endian sizes and data."""
    if code is None:
        code = _CODES[array.dtype.type]
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def learner(file: str, cls: str):
    """A class from a learner-style fixture in tests/learner/."""
    spec = importlib.util.spec_from_file_location(f"learner_{file}", LEARNER / f"{file}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, cls)


def learner_case(file: str, cls: str):
    """The fixture's layer and inputs, built the way ``bprop check`` builds them."""
    rng = np.random.default_rng(0)
    layer_cls = learner(file, cls)
    x = rng.standard_normal((4, 5))
    if cls == "Affine":
        return layer_cls(rng.standard_normal((5, 3)), rng.standard_normal(3)), (x,)
    if cls == "SoftmaxWithLoss":
        t = np.argmax(x, axis=1)
        x[np.arange(4), t] += np.log(5)  # y_t > 1/2, as bprop check makes it
        return layer_cls(), (x, t)
    if cls in ("MulLayer", "AddLayer"):
        return layer_cls(), (x, rng.standard_normal((4, 5)))
    return layer_cls(), (x,)


def failed_keys(report):
    return [f.key for f in report.failures]


def png_size(data: bytes) -> tuple[int, int]:
    """Check a PNG chunk by chunk (CRCs, IEND, inflatable pixels); return (width, height)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, idat = 8, [], b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, kind
        chunks.append(kind)
        if kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert chunks[0] == b"IHDR" and chunks[-1] == b"IEND"
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
    assert len(zlib.decompress(idat)) == height * (1 + (width * channels * depth + 7) // 8)
    return width, height


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def tiny_simple_conv_net(rng=0, dtype=np.float64):
    """A SimpleConvNet for 6×6 images, small enough for central differences."""
    from bprop.nets import SimpleConvNet

    return SimpleConvNet((1, 6, 6), {"filter_num": 3, "filter_size": 3}, hidden_size=5, output_size=4,
                         weight_init_std=0.5, dtype=dtype, rng=rng)


def tiny_deep_conv_net(rng=0, dtype=np.float64):
    """A DeepConvNet for 4×4 images: 4 → 4 → 4 → pool 2 → 2 → (pad 2) 4 → pool 2 → 2 → 2 → pool 1."""
    from bprop.nets import DeepConvNet

    convs = {f"conv_param_{i}": {"filter_num": 2} for i in range(1, 7)}
    return DeepConvNet((1, 4, 4), **convs, hidden_size=3, output_size=3, dtype=dtype, rng=rng)


def naive_numerical_gradient(f, x, eps=1e-6):
    """Central differences of the scalar f at x, element by element (float64), written out afresh."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = f(x.copy())
        x[i] = old - eps
        down = f(x.copy())
        x[i] = old
        grad[i] = (up - down) / (2 * eps)
    return grad
