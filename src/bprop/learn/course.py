"""What ``bprop learn``'s commands do, on a workspace and its progress file: statuses, check, hint, solution.

An exercise's status comes from its file, as it is now: ``missing``; ``not started`` (it holds the skeleton);
``passed`` or ``failing`` as the last check of exactly this file said (the progress file keeps the file's
SHA-256 beside the verdict); ``failing`` too, not yet checked, when it was edited since. The next exercise
is the first that has not passed.

A progress file that cannot be read (bad JSON, a hand-edited field, missing) is kept beside as
``progress.json.corrupt`` and rebuilt from the exercise files — the edited ones are checked again, in one
batch — and ``Course.notice`` says so; it never ends in a traceback.
"""

from __future__ import annotations

import contextlib
import datetime
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bprop.learn import catalog, grading, progress
from bprop.learn.catalog import Exercise
from bprop.learn.errors import LearnError
from bprop.learn.workspace import Workspace, not_started_texts, reset, sha256

__all__ = ["STATUSES", "Entry", "Checked", "Course"]

STATUSES = ("not started", "failing", "passed", "missing")


@dataclass
class Entry:
    """An exercise in a workspace: its status, whether that status is a check of the file as it is, hints seen."""

    exercise: catalog.Exercise
    status: str
    checked: bool
    hints: int

    def to_dict(self) -> dict:
        ex = self.exercise
        return {"name": ex.name, "number": ex.number, "file": ex.file, "chapter": ex.chapter.id,
                "kind": ex.kind, "target": ex.target, "form": ex.form, "status": self.status,
                "checked": self.checked, "hints_shown": self.hints, "hints_total": len(ex.hints("en"))}


@dataclass
class Checked:
    """One exercise checked: the grade, the entry after it, the hint that answers a failed check (1-based)."""

    entry: Entry
    grade: grading.Grade
    suggested_hint: int | None = None


class Course:
    """A workspace with its progress, in ``lang`` (the language of messages; skeletons keep the workspace's)."""

    def __init__(self, ws: Workspace, lang: str, *, timeout: float = 60.0) -> None:
        self.ws, self.lang, self.timeout = ws, lang, timeout
        self.exercises = catalog.catalog()
        self.notice: str | None = None
        names = {ex.name for ex in self.exercises}
        try:
            self.progress = progress.load(ws.progress_path, names)
        except progress.ProgressCorrupt as exc:
            self._rebuild(exc.reason)

    # --- statuses -------------------------------------------------------------------------------------

    def entry(self, exercise: Exercise) -> Entry:
        path = self.ws.path(exercise)
        record = self.progress.records.get(exercise.name)
        hints = record.hints if record else 0
        if not path.is_file():
            return Entry(exercise, "missing", False, hints)
        text = path.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n")  # an editor's CRLF
        if text in not_started_texts(exercise):
            return Entry(exercise, "not started", False, hints)
        if record and record.status and record.sha256 == sha256(path):
            return Entry(exercise, record.status, True, hints)
        return Entry(exercise, "failing", False, hints)

    def entries(self) -> list[Entry]:
        return [self.entry(ex) for ex in self.exercises]

    def next(self, entries: list[Entry] | None = None) -> Entry | None:
        """The first exercise that has not passed, or None when every one has."""
        return next((e for e in entries or self.entries() if e.status != "passed"), None)

    # --- check ----------------------------------------------------------------------------------------

    def check(self, exercises: Iterable[Exercise], extra: dict | None = None) -> list[Checked]:
        """Grade the exercises' files (one child process for all), record the verdicts, return them."""
        exercises = list(exercises)
        present = [ex for ex in exercises if self.ws.path(ex).is_file()]
        hashes = {ex.name: sha256(self.ws.path(ex)) for ex in present}
        jobs = [grading.job(ex, self.ws.path(ex), self.lang, (extra or {}).get(ex.name)) for ex in present]
        grades = dict(zip([ex.name for ex in present], grading.grade(jobs, self.timeout)))
        now = datetime.datetime.now().isoformat(timespec="seconds")
        results = []
        for ex in exercises:
            grade = grades.get(ex.name)
            if grade is None:
                message = LearnError("learn.missing_file", name=ex.name, file=ex.file).message(self.lang)
                grade = grading.Grade(2, message, {"ok": False, "verdict": "cannot check", "message": message})
            else:
                record = self.progress.record(ex.name)
                record.status = "passed" if grade.passed else "failing"
                record.sha256, record.checked = hashes[ex.name], now
                record.passed_once = record.passed_once or grade.passed
            results.append(Checked(self.entry(ex), grade, None if grade.passed else _hint_for(ex, grade)))
        self.save()
        return results

    # --- hints, solutions, reset ----------------------------------------------------------------------

    def hint(self, exercise: Exercise) -> tuple[list[str], bool]:
        """Show one more hint: (the hints shown so far, newest last; True when a new one was revealed)."""
        hints = exercise.hints(self.lang)
        record = self.progress.record(exercise.name)
        more = record.hints < len(hints)
        if more:
            record.hints += 1
            self.save()
        return hints[:record.hints], more

    def solution(self, exercise: Exercise, force: bool = False) -> str:
        """The reference solution, once the exercise has passed (or with ``force``); else LearnError."""
        record = self.progress.records.get(exercise.name)
        if not force and not (record and record.passed_once):
            raise LearnError("learn.solution.locked", name=exercise.name)
        return exercise.solution()

    def reset(self, exercise: Exercise) -> Path | None:
        """The skeleton back in place, in the workspace's language; the path of the backup (or None)."""
        backup = reset(self.ws, exercise, self.progress.lang)
        record = self.progress.records.get(exercise.name)
        if record is not None:
            record.status = record.sha256 = record.checked = None
            self.save()
        return backup

    def save(self) -> None:
        progress.save(self.ws.progress_path, self.progress)

    # --- a progress file that cannot be read ------------------------------------------------------------

    def _rebuild(self, reason: str) -> None:
        path = self.ws.progress_path
        kept = None
        if path.exists():
            kept = path.with_name(path.name + ".corrupt")
            with contextlib.suppress(OSError):
                os.replace(path, kept)
        self.progress = progress.Progress(self._workspace_lang())
        edited = [ex for ex in self.exercises if self.entry(ex).status == "failing"]
        checked = self.check(edited) if edited else []
        passed = sum(1 for c in checked if c.grade.passed)
        self.save()
        self.notice = LearnError("learn.progress.rebuilt", file=self.ws.relative(path), reason=reason,
                                 kept=self.ws.relative(kept) if kept else "-", passed=passed,
                                 failing=len(checked) - passed).message(self.lang)

    def _workspace_lang(self) -> str:
        """The language the workspace's files were written in: the first file whose head is a skeleton's."""
        total = len(self.exercises)
        for ex in self.exercises:
            path = self.ws.path(ex)
            if path.is_file():
                head = path.read_text(encoding="utf-8", errors="replace").split("\n", 1)[0]
                for lang in ("ja", "en"):
                    if head == ex.workspace_text(lang, total).split("\n", 1)[0]:
                        return lang
        return self.lang


def _hint_for(exercise, grade) -> int | None:
    """The hint the exercise names for the first failed check it knows (meta.json's hint_keys), if any."""
    failed = [check.get("key") for check in grade.data.get("checks", []) if check.get("status") == "fail"]
    return next((int(exercise.hint_keys[key]) for key in failed if key in exercise.hint_keys), None)
