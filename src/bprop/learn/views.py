"""What ``bprop learn`` prints, in English or Japanese: the list, a check's verdict, hints, init and reset.

Plain text, no colours, columns padded by terminal width (a CJK character takes two), ASCII apart from the
words themselves, so that a Windows console (cp932 included) shows it as it is.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bprop.learn.messages import text

if TYPE_CHECKING:
    from pathlib import Path
    
    from bprop.learn.catalog import Exercise
    from bprop.learn.course import Checked, Entry
    from bprop.learn.workspace import InitResult, Workspace

__all__ = ["list_text", "check_text", "hint_text", "solution_text", "reset_text", "init_text", "all_done",
           "watching", "stopped", "summary_text"]


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _pad(s: str, width: int) -> str:
    return s + " " * (width - _width(s))


def _status(status: str, lang: str, checked: bool = True) -> str:
    word = text(f"learn.status.{status.replace(' ', '_')}", lang)
    return word if checked or status != "failing" else text("learn.status.edited", lang)


def _line(ex, lang: str) -> str:
    return text("learn.exercise", lang, number=ex.number, name=ex.name, file=ex.file)


def list_text(entries: Sequence[Entry], next_entry: Entry | None, lang: str, root: Path) -> str:
    counts = {s: sum(1 for e in entries if e.status == s) for s in ("passed", "failing", "not started")}
    lines = [text("learn.list.head", lang, total=len(entries), passed=counts["passed"], failing=counts["failing"],
                  todo=counts["not started"], root=str(root))]
    labels = [_status(e.status, lang, e.checked) for e in entries]
    width = max(_width(s) for s in labels)
    names = max(len(e.exercise.name) for e in entries)
    chapter = None
    for entry, label in zip(entries, labels):
        ex = entry.exercise
        if ex.chapter.id != chapter:
            chapter = ex.chapter.id
            lines += ["", ex.chapter.title[lang]]
        form = "  " + text("learn.form.blank", lang) if ex.form == "blank" else ""
        lines.append(f"  {_pad(label, width)}  {ex.number:02d}  {ex.name.ljust(names)}  {ex.file}{form}")
    lines.append("")
    lines.append(text("learn.list.next", lang, exercise=_line(next_entry.exercise, lang), name=next_entry.exercise.name)
                 if next_entry else all_done(lang, len(entries)))
    return "\n".join(lines)


def check_text(checked: Checked, next_entry: Entry | None, lang: str) -> str:
    ex, grade = checked.entry.exercise, checked.grade
    lines = [f"== {_line(ex, lang)} ==", "", grade.text.rstrip(), ""]
    if grade.passed:
        after = text("learn.check.next", lang, exercise=_line(next_entry.exercise, lang)) if next_entry \
            else all_done(lang, ex.number)
        lines.append(text("learn.check.passed", lang, name=ex.name) + " " + after)
    else:
        key = "learn.check.cannot" if grade.code == 2 else "learn.check.not_yet"
        lines.append(text(key, lang, name=ex.name))
        if checked.suggested_hint:
            hint = ex.hints(lang)[checked.suggested_hint - 1]
            lines.append(text("learn.check.this_hint", lang, hint=hint))
        total = len(ex.hints(lang))
        lines.append(text("learn.check.stuck", lang, name=ex.name, seen=checked.entry.hints, total=total))
    return "\n".join(lines)


def summary_text(results: Sequence[Checked], lang: str) -> str:
    passed = sum(1 for r in results if r.grade.passed)
    lines = [f"  {_pad(_status('passed' if r.grade.passed else 'failing', lang), 8)}  {_line(r.entry.exercise, lang)}"
             for r in results]
    return "\n".join(lines + ["", text("learn.check.summary", lang, passed=passed, total=len(results))])


def hint_text(ex: Exercise, shown: list[str], more: bool, lang: str) -> str:
    total = len(ex.hints(lang))
    lines = [text("learn.hint.head", lang, name=ex.name, seen=len(shown), total=total), ""]
    lines += [f"  {i}. {hint}" for i, hint in enumerate(shown, 1)]
    if not more or len(shown) == total:
        lines += ["", text("learn.hint.last", lang, name=ex.name)]
    return "\n".join(lines)


def solution_text(ex: Exercise, solution: str, lang: str) -> str:
    return "\n".join([text("learn.solution.head", lang, name=ex.name, file=ex.file), "", solution.rstrip()])


def reset_text(ex: Exercise, backup: Path | None, ws: Workspace, lang: str) -> str:
    key = "learn.reset.backup" if backup else "learn.reset.done"
    return text(key, lang, name=ex.name, file=ex.file, backup=ws.relative(backup) if backup else "")


def init_text(result: InitResult, lang: str, first: Exercise) -> str:
    key = "learn.init.added" if result.kept else "learn.init.done"
    return text(key, lang, root=str(result.root), written=len(result.written), kept=len(result.kept),
                first=first.file, name=first.name)


def all_done(lang: str, total: int) -> str:
    return text("learn.all_done", lang, total=total)


def watching(ex: Exercise, lang: str) -> str:
    return text("learn.watch.current", lang, exercise=_line(ex, lang))


def stopped(lang: str) -> str:
    return text("learn.watch.stopped", lang)
