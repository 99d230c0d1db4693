"""Reading a model file's .npz safely: never unpickling, closing what it opens, every failure a ModelFileError.

``read_archive(path)`` returns the arrays and the architecture's JSON text;
``bprop.serialize`` checks what they say.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

__all__ = ["ARCHITECTURE", "CHECKPOINT_PREFIX", "ModelFileError", "read_archive"]

ARCHITECTURE = "architecture"
# Entries of a checkpoint that are not the net's (bprop.checkpoint); a model reader skips them.
CHECKPOINT_PREFIX = "checkpoint/"


class ModelFileError(ValueError):
    """A model file is missing parts, malformed, or not a bprop model at all."""


def _is_pickle(path: Path) -> bool:
    """Pickles start with the PROTO opcode 0x80 (protocol 2 and later)."""
    with open(path, "rb") as f:
        return f.read(1) == b"\x80"


def read_archive(path: Path) -> tuple[dict[str, np.ndarray], str]:
    """All arrays of the .npz at path (pickles refused) and the architecture's JSON text.

    The file is opened here, not by np.load: given a path, np.load leaves its handle
    open when the zip turns out truncated (a ResourceWarning, a file locked on Windows).
    """
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such model file")
    with open(path, "rb") as f:
        return _read_open(path, f)


def _read_open(path: Path, f) -> tuple[dict[str, np.ndarray], str]:
    try:
        archive = np.load(f, allow_pickle=False)
    except ValueError:  # np.load's answer to anything not .npy/.npz: "it's a pickle"
        kind = "a pickle, which bprop never loads (unpickling can run code)" if _is_pickle(path) \
            else "neither .npz nor .npy data"
        raise ModelFileError(f"{path}: not a bprop model file: it is {kind}") from None
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise ModelFileError(f"{path}: cannot read it as an .npz file: truncated or damaged ({exc})") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ModelFileError(f"{path}: holds a single array, not a bprop model (.npz with an "
                             f"'{ARCHITECTURE}' entry)")
    arrays = {}
    with archive:
        for name in archive.files:
            try:
                arrays[name] = archive[name]
            except ValueError as exc:
                if "allow_pickle" in str(exc) or "Object arrays" in str(exc):
                    raise ModelFileError(f"{path}: array {name!r} holds Python objects, which are "
                                         f"never loaded (unpickling can run code)") from None
                raise ModelFileError(f"{path}: array {name!r} is damaged ({exc})") from None
            except (OSError, zipfile.BadZipFile, EOFError, KeyError) as exc:
                raise ModelFileError(f"{path}: array {name!r} is damaged ({exc})") from None
            except MemoryError:  # a header claiming an array larger than memory
                raise ModelFileError(f"{path}: array {name!r} claims a shape too large to hold; the file is "
                                     f"damaged or hostile") from None
            except Exception as exc:  # a header NumPy cannot parse raises what its parser raises
                raise ModelFileError(f"{path}: array {name!r} has a damaged header ({type(exc).__name__}: "
                                     f"{exc})") from None
    text = arrays.pop(ARCHITECTURE, None)
    if text is None:
        raise ModelFileError(f"{path}: no '{ARCHITECTURE}' entry; not a model written by bprop")
    if text.dtype.kind != "U" or text.size != 1:
        raise ModelFileError(f"{path}: '{ARCHITECTURE}' must be one unicode string (JSON), "
                             f"got an array of dtype {text.dtype} and shape {text.shape}")
    return arrays, str(text.reshape(()))
