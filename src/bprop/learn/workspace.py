"""A workspace on disk: the exercise files, a README, and ``.bprop-learn/`` (the progress file, backups).

``init`` writes a new one and never overwrites a file: over an existing workspace it refuses, or with
``force`` adds only what is missing. ``reset`` puts an exercise's skeleton back after copying the learner's
file to ``.bprop-learn/backups/``. Every file is UTF-8 with \\n line ends, on every platform.

>>> ws = Workspace("course")
>>> ws.progress_path.relative_to(ws.root).as_posix()
'.bprop-learn/progress.json'
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from bprop._types import PathLike
from bprop.fileio import write_bytes_atomic
from bprop.learn import catalog, progress
from bprop.learn.catalog import Exercise
from bprop.learn.errors import LearnError

__all__ = ["STATE", "Workspace", "InitResult", "init", "reset", "sha256", "readme_text", "not_started_texts"]

STATE = ".bprop-learn"
README = Path(__file__).resolve().parent / "templates"
DEFAULT_DIR = "bprop-course"


class Workspace:
    """A workspace's folder and where its parts are."""

    def __init__(self, root: PathLike) -> None:
        self.root = Path(root).resolve()

    @property
    def state(self) -> Path:
        return self.root / STATE

    @property
    def progress_path(self) -> Path:
        return self.state / "progress.json"

    @property
    def backups(self) -> Path:
        return self.state / "backups"

    def path(self, exercise: Exercise) -> Path:
        return self.root / exercise.file

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    @classmethod
    def find(cls, explicit: str | None = None, start: str | None = None) -> Workspace:
        """The workspace at ``explicit``; else the one holding ``start`` (the working folder) or a parent of
        it, else ./bprop-course; else LearnError saying how to make one."""
        if explicit is not None:
            if not (Path(explicit) / STATE).is_dir():
                raise LearnError("learn.not_workspace", dir=explicit)
            return cls(explicit)
        here = Path(start or os.getcwd()).resolve()
        for folder in (here, *here.parents):
            if (folder / STATE).is_dir():
                return cls(folder)
        if (here / DEFAULT_DIR / STATE).is_dir():
            return cls(here / DEFAULT_DIR)
        raise LearnError("learn.no_workspace", start=str(here))


@dataclass
class InitResult:
    """What ``init`` did: the files it wrote and the ones it found already there (relative paths)."""

    root: Path
    written: list = field(default_factory=list)
    kept: list = field(default_factory=list)


def sha256(path: Path) -> str | None:
    """The file's SHA-256 in hex, or None when it cannot be read."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def readme_text(lang: str) -> str:
    exercises = catalog.catalog()
    text = (README / f"README.{lang}.md").read_text(encoding="utf-8")
    return text.replace("{count}", str(len(exercises))).replace("{first}", exercises[0].file)


def not_started_texts(exercise: Exercise) -> set[str]:
    """What a file that nobody has touched holds: the skeleton, in either language."""
    total = len(catalog.catalog())
    return {exercise.workspace_text(lang, total) for lang in ("en", "ja")}


def _write_new(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` only if no file is there (exclusive create); True when written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8", newline="\n") as f:
            f.write(text)
    except FileExistsError:
        return False
    return True


def init(root: PathLike, lang: str, force: bool = False) -> InitResult:
    """Write a workspace at ``root`` in ``lang``: the exercise files, README.md, the progress file.

    An existing workspace, or a folder with files in it, is refused unless ``force``; then only the missing
    files are written. No existing file is ever changed.
    """
    root = Path(root)
    if (root / STATE).is_dir() and not force:
        count = sum(1 for ex in catalog.catalog() if (root / ex.file).is_file())
        raise LearnError("learn.init.exists", dir=str(root), count=count)
    if root.is_file():
        raise LearnError("learn.init.is_file", dir=str(root))
    if root.is_dir() and any(root.iterdir()) and not force and not (root / STATE).is_dir():
        raise LearnError("learn.init.not_empty", dir=str(root))
    result = InitResult(root.resolve())
    exercises = catalog.catalog()
    files = [(ex.file, ex.workspace_text(lang, len(exercises))) for ex in exercises]
    files.append(("README.md", readme_text(lang)))
    for relative, text in files:
        (result.written if _write_new(root / relative, text) else result.kept).append(relative)
    (root / STATE).mkdir(parents=True, exist_ok=True)
    relative = f"{STATE}/progress.json"
    if (root / relative).exists():
        result.kept.append(relative)
    else:
        progress.save(root / relative, progress.Progress(lang))
        result.written.append(relative)
    return result


def reset(ws: Workspace, exercise: Exercise, lang: str) -> Path | None:
    """Put the exercise's skeleton (in ``lang``) back; the learner's file goes to backups first, its path
    returned (None when there was no file, or it held the skeleton already)."""
    path = ws.path(exercise)
    backup = None
    if path.is_file():
        text = path.read_bytes()
        if text.decode("utf-8", "replace").replace("\r\n", "\n") not in not_started_texts(exercise):
            ws.backups.mkdir(parents=True, exist_ok=True)
            stamp = time.strftime("%Y%m%d-%H%M%S")
            backup = ws.backups / f"{path.stem}.{stamp}.py"
            n = 1
            while backup.exists():
                n += 1
                backup = ws.backups / f"{path.stem}.{stamp}-{n}.py"
            backup.write_bytes(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(path, exercise.workspace_text(lang, len(catalog.catalog())).encode("utf-8"))
    return backup
