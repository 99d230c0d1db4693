"""The progress file of a workspace (``.bprop-learn/progress.json``): what was checked, what passed, hints seen.

UTF-8 JSON, written atomically (``bprop.fileio``): an interrupted write leaves the old file whole::

    {"format": "bprop-learn-progress", "version": 1, "lang": "ja",
     "exercises": {"softmax": {"status": "passed", "sha256": "…", "checked": "2025-01-31T10:00:00",
                               "passed_once": true, "hints": 1}}}

``status`` and ``sha256`` are the last check's verdict and the file it read: a status holds only while the
file is unchanged. ``load`` reads and checks every field; anything else — bad JSON, a hand-edited field of
the wrong type, another format — is a ``ProgressCorrupt`` saying what, which ``bprop.learn.course``
answers by rebuilding the file from the exercise files' state. Names no longer in the course are dropped.

>>> p = Progress("en", {"relu": Record(status="passed", sha256="ab", passed_once=True)})
>>> parse(dump(p), {"relu"}).records["relu"].passed_once
True
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bprop._types import PathLike
from bprop.fileio import write_bytes_atomic
from bprop.i18n import LANGUAGES
from bprop.learn.errors import parse_json

__all__ = ["FORMAT", "VERSION", "Record", "Progress", "ProgressCorrupt", "parse", "dump", "load", "save"]

FORMAT, VERSION = "bprop-learn-progress", 1
STATUSES = ("passed", "failing")


class ProgressCorrupt(ValueError):
    """The progress file cannot be used: ``reason`` says why, in English (a JSON error, a field's type)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Record:
    """One exercise's progress: the last check (status, sha256 of the file checked, when), ever passed, hints."""

    status: str | None = None
    sha256: str | None = None
    checked: str | None = None
    passed_once: bool = False
    hints: int = 0


@dataclass
class Progress:
    lang: str
    records: dict = field(default_factory=dict)

    def record(self, name: str) -> Record:
        """The record of ``name``, made when there is none yet."""
        return self.records.setdefault(name, Record())


def dump(progress: Progress) -> str:
    records = {name: asdict(r) for name, r in sorted(progress.records.items())}
    data = {"format": FORMAT, "version": VERSION, "lang": progress.lang, "exercises": records}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def parse(text: str, names: Iterable[str]) -> Progress:
    """The Progress in ``text``; ProgressCorrupt when it is not one. ``names``: the course's exercises."""
    try:
        data = parse_json(text)
    except ValueError as exc:
        raise ProgressCorrupt(str(exc)) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ProgressCorrupt(f"not a bprop learn progress file (no \"format\": \"{FORMAT}\")")
    if data.get("version") != VERSION:
        raise ProgressCorrupt(f"version {data.get('version')!r}, this bprop reads version {VERSION}")
    if data.get("lang") not in LANGUAGES:
        raise ProgressCorrupt(f"\"lang\" is {data.get('lang')!r}, not one of {', '.join(LANGUAGES)}")
    exercises = data.get("exercises")
    if not isinstance(exercises, dict):
        raise ProgressCorrupt("\"exercises\" is not an object")
    records = {}
    for name, entry in exercises.items():
        if name in names:
            records[name] = _record(name, entry)
    return Progress(data["lang"], records)


def _record(name: str, entry) -> Record:
    if not isinstance(entry, dict):
        raise ProgressCorrupt(f"the entry of {name!r} is not an object")
    types = {"status": (str, type(None)), "sha256": (str, type(None)), "checked": (str, type(None)),
             "passed_once": (bool,), "hints": (int,)}
    for key, value in entry.items():
        if key not in types or not isinstance(value, types[key]) or (key == "hints" and isinstance(value, bool)):
            raise ProgressCorrupt(f"{name!r}: the field {key!r} holds {value!r}")
    record = Record(**entry)
    if record.status not in STATUSES + (None,) or record.hints < 0:
        raise ProgressCorrupt(f"{name!r}: status {record.status!r} or hints {record.hints!r} is not one bprop writes")
    return record


def load(path: Path, names: Iterable[str]) -> Progress:
    """Read and parse the progress file; a missing or unreadable file is ProgressCorrupt too."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ProgressCorrupt("the file is missing") from None
    except OSError as exc:
        raise ProgressCorrupt(f"cannot be read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ProgressCorrupt("not UTF-8 text") from None
    return parse(text, names)


def save(path: PathLike, progress: Progress) -> None:
    write_bytes_atomic(path, dump(progress).encode("utf-8"))
