"""Errors raised by bprop.datasets.

Every message names the file (or URL) and says what was expected and what
came, so that a user can tell a corrupt download from a wrong path.
"""

from __future__ import annotations


class DataError(ValueError):
    """A dataset file is missing, corrupt, truncated or of the wrong kind."""


class ChecksumError(DataError):
    """A file's SHA-256 differs from the one it must have.

    ``expected`` and ``actual`` hold both digests as lowercase hex strings.
    """

    def __init__(self, what: str, expected: str, actual: str, advice: str = "") -> None:
        message = f"{what}: SHA-256 mismatch: expected {expected}, got {actual}"
        super().__init__(f"{message}. {advice}" if advice else message)
        self.expected = expected
        self.actual = actual


class FetchError(OSError):
    """A download failed: no connection, an HTTP error or a body cut short.

    An OSError rather than a DataError because the bytes never arrived; what
    did arrive was not kept.
    """
