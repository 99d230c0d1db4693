"""Writing files so that nobody ever sees half of one.

Model files, downloads, figures and graph pictures are all written through
``atomic_write``: the bytes go to a new file beside the target, are fsynced, and
only then renamed onto it. A crash, an interrupt or an exception mid-write
leaves the old file (or no file) — never a truncated one under the final name.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from bprop._types import PathLike


@contextlib.contextmanager
def atomic_write(path: PathLike) -> Iterator[BinaryIO]:
    """Yield a binary file to write; on a clean exit it replaces ``path`` in one rename.

    The file is created with mode 0o666 less the umask, like any new file (not
    ``tempfile.mkstemp``'s 0o600). An exception inside the block — a failed
    checksum, KeyboardInterrupt — removes the temporary file and re-raises.
    """
    path = Path(os.fspath(path))
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot write {path}: the folder {path.parent} does not exist")
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_directory(path.parent)


def write_bytes_atomic(path: PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` through ``atomic_write``."""
    with atomic_write(path) as f:
        f.write(data)


def format_of(path: PathLike, formats: Sequence[str], what: str) -> str:
    """The format named by path's extension (lower case, no dot), which must be one of ``formats``.

    Otherwise ValueError: "expected a {what} name ending in .a, .b, got 'path'".
    """
    ext = os.path.splitext(os.fspath(path))[1].lower().lstrip(".")
    if ext not in formats:
        raise ValueError(f"expected a {what} name ending in {', '.join('.' + f for f in formats)}, "
                         f"got {os.fspath(path)!r}")
    return ext


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX); directories cannot be opened on Windows."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
