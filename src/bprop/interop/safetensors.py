"""safetensors files, written and read by bprop itself: a net's weights for torch, JAX or Hugging Face tools.

The format (Hugging Face's safetensors), in three parts:

    8 bytes     n, the header's length: an unsigned 64-bit little-endian integer
    n bytes     a JSON object in UTF-8, {name: {"dtype": "F32", "shape": [784, 50],
                "data_offsets": [begin, end]}, …, "__metadata__": {text: text}} (optional),
                padded with spaces (here to a multiple of 8, so the data is aligned)
    the rest    the tensors' bytes, C order, little-endian; [begin, end) counts from the
                byte after the header, and the tensors cover it exactly, without gaps or overlaps

``save_safetensors(net_or_dict, path, metadata=None)`` writes a net's arrays
(``weights(net)``) or a dict of arrays, atomically; ``load_safetensors(path)``
returns {name: array}; ``load_weights(net, path)`` copies a file's arrays into
a net. The reader trusts nothing in the file: the header length is bounded
(100 MiB, and the file's own size), the JSON must parse (no duplicate names),
every dtype must be one NumPy holds, every range must lie inside the data and
hold exactly shape × itemsize bytes, and the ranges must tile the data. Each
failure is a ``SafetensorsError`` (a ValueError) naming the file and the
problem. Nothing in a file is ever executed: it is bytes and JSON only.
"""

from __future__ import annotations

import json
import math
import os
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import numpy as np
from numpy.typing import ArrayLike

from bprop._types import PathLike
from bprop.fileio import atomic_write

if TYPE_CHECKING:
    from bprop.nets.state import HasState

_Net = TypeVar("_Net", bound="HasState")  # load_weights returns the net it was given

__all__ = ["save_safetensors", "load_safetensors", "load_metadata", "load_weights", "weights", "SafetensorsError",
           "DTYPES", "MAX_HEADER"]

# safetensors' dtype names → NumPy's, little-endian
DTYPES = {"BOOL": "|b1", "U8": "|u1", "I8": "|i1", "U16": "<u2", "I16": "<i2", "F16": "<f2", "U32": "<u4",
          "I32": "<i4", "F32": "<f4", "U64": "<u8", "I64": "<i8", "F64": "<f8"}
_NAMES = {np.dtype(v).newbyteorder("="): k for k, v in DTYPES.items()}
_NO_NUMPY = ("BF16", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4", "C64")  # valid, not NumPy's
MAX_HEADER = 100 * 2**20  # the reference reader's bound; real headers are kilobytes
_METADATA = "__metadata__"


class SafetensorsError(ValueError):
    """A safetensors file is truncated, malformed, or holds what NumPy cannot."""


# --- a net's arrays --------------------------------------------------------------------------


def weights(net: HasState) -> dict[str, np.ndarray]:
    """A net's arrays by name: its ``state_dict()`` (copies), the names and arrays of its model file.

    A book-1 net: W1, b1, gamma1, beta1, BatchNormalization1.running_mean, …
    (and a convnet's W1_init); a book-2 model or GPT: embed.W, block1.attn.W_q, …,
    a tied weight once (GPT's affine.W is embed.W transposed: only embed.W). See
    ``bprop.nets.state``.
    """
    state_dict = getattr(net, "state_dict", None)
    if not callable(state_dict):
        raise TypeError(f"expected a bprop net (Sequential, a book-2 model or GPT) or a dict of arrays, "
                        f"got {type(net).__name__}")
    return state_dict()


def load_weights(net: _Net, source: PathLike | Mapping[str, np.ndarray]) -> _Net:
    """Copy the arrays of a safetensors file (or a dict) into ``net``'s own, in place; returns net.

    ``net.load_state_dict``'s rules: exactly the names of ``weights(net)``, each
    array of the net's shape and dtype and finite, all checked before any is
    written (ValueError or TypeError naming what differs; the net unchanged).
    """
    given = load_safetensors(source) if isinstance(source, (str, os.PathLike)) else source
    if not callable(getattr(net, "load_state_dict", None)):
        raise TypeError(f"expected a bprop net (Sequential, a book-2 model or GPT), got {type(net).__name__}")
    net.load_state_dict(given)
    return net


# --- writing ---------------------------------------------------------------------------------


def save_safetensors(net_or_dict: HasState | dict[str, ArrayLike], path: PathLike,
                     metadata: Mapping[str, str] | None = None) -> Path:
    """Write a net's ``weights`` (or a dict name → array) to ``path`` atomically; returns the path.

    metadata: a dict of texts for the header's ``__metadata__``; for a net it
    starts as {"producer": "bprop", "class": its class name}. Arrays keep their
    dtype (BOOL, U8 … I64, F16, F32, F64) and are written C-ordered, little-endian.
    """
    arrays = dict(net_or_dict) if isinstance(net_or_dict, dict) else weights(net_or_dict)
    meta = {} if isinstance(net_or_dict, dict) else {"producer": "bprop", "class": type(net_or_dict).__name__}
    meta.update(metadata or {})
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in meta.items()):
        raise TypeError(f"safetensors metadata must map texts to texts, got {meta!r}")
    header: dict[str, dict] = {_METADATA: meta} if meta else {}
    chunks: list[bytes] = []
    offset = 0
    for name, array in arrays.items():
        if not isinstance(name, str) or not name or name == _METADATA:
            raise ValueError(f"a safetensors tensor needs a non-empty text name other than {_METADATA!r}, got {name!r}")
        array = np.asarray(array)
        kind = _NAMES.get(array.dtype.newbyteorder("="))
        if kind is None:
            raise TypeError(f"safetensors cannot hold {name!r} of dtype {array.dtype}; "
                            f"it holds {', '.join(DTYPES)}")
        data = np.ascontiguousarray(array, dtype=np.dtype(DTYPES[kind])).tobytes()
        header[name] = {"dtype": kind, "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-(8 + len(text)) % 8)  # the data starts on an 8-byte boundary
    path = Path(os.fspath(path))
    with atomic_write(path) as f:
        f.write(len(text).to_bytes(8, "little"))
        f.write(text)
        for data in chunks:
            f.write(data)
    return path


# --- reading ---------------------------------------------------------------------------------


def load_safetensors(path: PathLike) -> dict[str, np.ndarray]:
    """The tensors of the safetensors file at ``path``, {name: array}, in the file's order of offsets.

    Each array is a fresh, writable copy in native byte order. FileNotFoundError
    for a missing file, SafetensorsError (naming the file) for anything wrong in it.
    """
    return _read(path)[0]


def load_metadata(path: PathLike) -> dict[str, str]:
    """The file's ``__metadata__`` (an empty dict when it has none), after checking the whole file."""
    return _read(path)[1]


def _read(path: PathLike) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    path = Path(os.fspath(path))
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such safetensors file")
    if path.is_dir():
        raise SafetensorsError(f"{path}: is a folder, not a safetensors file")
    blob = path.read_bytes()

    def fail(problem: str) -> SafetensorsError:
        return SafetensorsError(f"{path}: not a valid safetensors file: {problem}")

    if len(blob) < 8:
        raise fail(f"{len(blob)} bytes, shorter than the 8-byte header length (truncated)")
    n = int.from_bytes(blob[:8], "little")
    if n > MAX_HEADER:
        raise fail(f"the header length {n:,} exceeds the {MAX_HEADER:,}-byte limit (damaged or hostile)")
    if 8 + n > len(blob):
        raise fail(f"the header length {n:,} runs past the end of the file ({len(blob):,} bytes: truncated)")
    header = _parse_header(blob[8:8 + n], fail)
    meta = header.pop(_METADATA, {})
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        raise fail(f"{_METADATA!r} must map texts to texts, got {meta!r}")
    data = memoryview(blob)[8 + n:]
    entries = sorted(((name, _entry(name, spec, fail)) for name, spec in header.items()), key=lambda e: e[1][2])
    end = 0
    for name, (dtype, shape, (begin, stop)) in entries:
        if begin != end:
            what = "overlaps the tensor before it" if begin < end else f"leaves bytes {end:,}…{begin:,} unused"
            raise fail(f"tensor {name!r} at bytes {begin:,}…{stop:,} {what}")
        if stop > len(data):
            raise fail(f"tensor {name!r} ends at byte {stop:,}, past the end of the data ({len(data):,} bytes: "
                       f"truncated)")
        end = stop
    if end != len(data):
        raise fail(f"the tensors cover {end:,} bytes but the data holds {len(data):,}")
    arrays = {}
    for name, (dtype, shape, (begin, stop)) in entries:
        try:
            a = np.frombuffer(data[begin:stop], dtype=dtype).reshape(shape)
        except ValueError as exc:  # an empty tensor with a dimension beyond NumPy's
            raise fail(f"tensor {name!r} has shape {shape}, which NumPy cannot hold ({exc})") from None
        arrays[name] = a.astype(dtype.newbyteorder("="), copy=True)
    return arrays, dict(meta)


def _parse_header(raw: bytes, fail) -> dict:
    def unique(pairs):
        repeated = sorted(k for k, n in Counter(k for k, _ in pairs).items() if n > 1)
        if repeated:
            raise fail(f"the header names {', '.join(map(repr, repeated))} more than once")
        return dict(pairs)

    try:
        header = json.loads(raw.decode("utf-8"), object_pairs_hook=unique)
    except UnicodeDecodeError as exc:
        raise fail(f"the header is not UTF-8 text ({exc})") from None
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, nesting too deep
        if isinstance(exc, SafetensorsError):
            raise
        raise fail(f"the header is not valid JSON ({type(exc).__name__}: {exc})") from None
    if not isinstance(header, dict):
        raise fail(f"the header must be a JSON object, got {type(header).__name__}")
    return header


def _entry(name: str, spec, fail) -> tuple[np.dtype, tuple[int, ...], tuple[int, int]]:
    """(dtype, shape, (begin, end)) of one tensor's header entry, each checked."""
    if not isinstance(spec, dict) or set(spec) != {"dtype", "shape", "data_offsets"}:
        raise fail(f"tensor {name!r} must have exactly dtype, shape and data_offsets, got {spec!r}")
    kind, shape, offsets = spec["dtype"], spec["shape"], spec["data_offsets"]
    if kind not in DTYPES:
        why = "has no NumPy equivalent" if kind in _NO_NUMPY else "is not a safetensors dtype"
        raise fail(f"tensor {name!r} has dtype {kind!r}, which {why}; bprop reads {', '.join(DTYPES)}")

    def whole(v):
        return isinstance(v, int) and not isinstance(v, bool) and v >= 0

    if not isinstance(shape, list) or not all(whole(d) for d in shape):
        raise fail(f"tensor {name!r} has shape {shape!r}; expected a list of whole numbers >= 0")
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(whole(o) for o in offsets)
            and offsets[0] <= offsets[1]):
        raise fail(f"tensor {name!r} has data_offsets {offsets!r}; expected [begin, end] with 0 <= begin <= end")
    dtype = np.dtype(DTYPES[kind])
    size = math.prod(shape) * dtype.itemsize
    if offsets[1] - offsets[0] != size:
        raise fail(f"tensor {name!r} of {kind} {tuple(shape)} needs {size:,} bytes, its data_offsets "
                   f"{offsets} give {offsets[1] - offsets[0]:,}")
    return dtype, tuple(shape), (offsets[0], offsets[1])
