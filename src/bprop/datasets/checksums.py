"""SHA-256 of files and manifests in the format of ``sha256sum``."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from .errors import DataError

# "<64 hex>  name" (text mode) or "<64 hex> *name" (binary mode), as sha256sum writes.
_MANIFEST_LINE = re.compile(r"([0-9a-fA-F]{64}) [ *](.+)")
_HEX64 = re.compile(r"[0-9a-f]{64}")


def sha256_file(path: str | os.PathLike, chunk_size: int = 1 << 20) -> str:
    """SHA-256 of a file as a lowercase hex string, read in chunks of chunk_size bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def check_digest(sha256: object) -> str:
    """Return sha256 in lowercase if it is 64 hex digits, else raise ValueError/TypeError."""
    if not isinstance(sha256, str):
        raise TypeError(f"sha256 must be a string of 64 hex digits, got {type(sha256).__name__}")
    digest = sha256.strip().lower()
    if not _HEX64.fullmatch(digest):
        raise ValueError(f"sha256 must be 64 hex digits, got {sha256!r}")
    return digest


def read_manifest(path: str | os.PathLike) -> dict[str, str]:
    """Read a ``sha256sum`` manifest into {file name: lowercase digest}.

    Blank lines and lines starting with '#' are skipped; any other line that is
    not "<digest>  <name>" raises DataError naming the line.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(f"checksum manifest {path} is missing") from None
    digests = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        match = _MANIFEST_LINE.fullmatch(line.rstrip())
        if match is None:
            raise DataError(
                f"{path}, line {number}: expected '<64 hex digits>  <file name>', got {line!r}"
            )
        digests[match[2]] = match[1].lower()
    return digests
