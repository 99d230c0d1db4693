"""The exercises of ``bprop learn``, shipped as package data, and the texts a workspace is made of.

Each exercise is a folder ``exercises/<chapter>/<NN>_<name>/`` (NN: its place in the course) holding
``statement.en.md`` and ``statement.ja.md`` (a ``# title`` line, then the task, formula and shapes),
``hints.json`` (``{"en": [...], "ja": [...]}``, the same number in both), ``skeleton.py`` (what the learner
starts from, ``TODO`` where they write), ``solution.py`` (the reference, never copied into a workspace) and
``meta.json``::

    {"kind": "layer",            function | layer | optimizer | net: what the target is
     "target": "Affine",         the class or function the learner's file must define
     "form": "write",            write (a whole body) | blank (one or two lines of a given code to complete)
     "checker": true,            graded by bprop check's machinery (false: by the cases alone)
     "params": {}, "shape": null,   what bprop check's --param and --shape would say
     "cases": [...],             inputs on which the file must agree with solution.py (``bprop.learn.cases``)
     "hint_keys": {"dout.fail": 2}} a failed check's message key → the hint that answers it

A chapter folder holds ``chapter.json`` with its title in both languages. In a skeleton, a comment line
``# [en] …`` or ``# [ja] …`` is kept only in a workspace of that language.

>>> ex = find("softmax")
>>> ex.file, ex.kind, ex.target
('book1_ch03/04_softmax.py', 'function', 'softmax')
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from bprop.i18n import LANGUAGES
from bprop.learn.errors import LearnError

__all__ = ["EXERCISES", "KINDS", "FORMS", "Chapter", "Exercise", "catalog", "chapters", "find"]

EXERCISES = Path(__file__).resolve().parent / "exercises"
KINDS = ("function", "layer", "optimizer", "net")
FORMS = ("write", "blank")
_FOLDER = re.compile(r"(\d{2})_([a-z][a-z0-9_]*)")
_LANG_LINE = re.compile(r"^(\s*)# \[(en|ja)\] ?(.*)$")
_META_KEYS = {"kind", "target", "form", "checker", "params", "shape", "cases", "hint_keys"}


@dataclass(frozen=True)
class Chapter:
    """A chapter of the course: ``id`` (its folder, e.g. book1_ch05) and its title in each language."""

    id: str
    title: dict


@dataclass(frozen=True, eq=False)  # one object per exercise (the catalog is read once): hashed by identity
class Exercise:
    """One exercise: its name and number, its chapter, what its file must define and how it is graded."""

    name: str
    number: int
    chapter: Chapter
    folder: Path
    kind: str
    target: str
    form: str = "write"
    checker: bool = True
    params: dict = field(default_factory=dict)
    shape: tuple | None = None
    cases: tuple = ()
    hint_keys: dict = field(default_factory=dict)

    @property
    def file(self) -> str:
        """The exercise's file inside a workspace, with / separators: book1_ch03/04_softmax.py."""
        return f"{self.chapter.id}/{self.number:02d}_{self.name}.py"

    def statement(self, lang: str) -> str:
        return (self.folder / f"statement.{lang}.md").read_text(encoding="utf-8").strip() + "\n"

    def title(self, lang: str) -> str:
        """The statement's first line without its '# '."""
        return self.statement(lang).splitlines()[0].lstrip("#").strip()

    def hints(self, lang: str) -> list[str]:
        return list(_read_json(self.folder / "hints.json")[lang])

    def skeleton(self, lang: str) -> str:
        """skeleton.py with the comment lines of the other language left out."""
        lines = []
        for line in (self.folder / "skeleton.py").read_text(encoding="utf-8").splitlines():
            tagged = _LANG_LINE.match(line)
            if tagged is None:
                lines.append(line)
            elif tagged.group(2) == lang:
                lines.append(f"{tagged.group(1)}# {tagged.group(3)}".rstrip())
        return "\n".join(lines).rstrip() + "\n"

    def solution(self) -> str:
        return (self.folder / "solution.py").read_text(encoding="utf-8")

    @property
    def solution_path(self) -> Path:
        return self.folder / "solution.py"

    def workspace_text(self, lang: str, total: int) -> str:
        """What ``bprop learn init`` writes: the statement as the module's docstring, then the skeleton."""
        from bprop.learn import messages

        body = self.statement(lang).split("\n", 1)[1].strip()
        head = messages.text("learn.file.head", lang, number=self.number, total=total, title=self.title(lang),
                             chapter=self.chapter.title[lang])
        foot = messages.text("learn.file.foot", lang, name=self.name)
        return f'"""{head}\n\n{body}\n\n{foot}\n"""\n\n{self.skeleton(lang)}'


@functools.lru_cache(maxsize=1)
def chapters() -> tuple[Chapter, ...]:
    """The chapters in the books' order (their folders sort so: book1_ch03 … book2_ch08, transformer)."""
    found = []
    for folder in sorted(p for p in EXERCISES.iterdir() if p.is_dir() and (p / "chapter.json").is_file()):
        title = _read_json(folder / "chapter.json")["title"]
        found.append(Chapter(folder.name, {lang: title[lang] for lang in LANGUAGES}))
    return tuple(found)


@functools.lru_cache(maxsize=1)
def catalog() -> tuple[Exercise, ...]:
    """Every exercise, in the course's order; a malformed one is a ValueError naming its folder."""
    found = []
    for chapter in chapters():
        for folder in sorted(p for p in (EXERCISES / chapter.id).iterdir() if p.is_dir()):
            match = _FOLDER.fullmatch(folder.name)
            if match is None:
                raise ValueError(f"exercise folder {folder} is not named NN_name")
            found.append(_exercise(folder, int(match.group(1)), match.group(2), chapter))
    numbers = [ex.number for ex in found]
    if numbers != list(range(1, len(found) + 1)):
        raise ValueError(f"exercise numbers must run 1, 2, … in order, got {numbers}")
    return tuple(found)


def find(name: str) -> Exercise:
    """The exercise called ``name``, or numbered so ('4', '04'); else a LearnError with the nearest names."""
    import difflib

    exercises = catalog()
    by_name = {ex.name: ex for ex in exercises}
    if name in by_name:
        return by_name[name]
    if name.isdigit() and 1 <= int(name) <= len(exercises):
        return exercises[int(name) - 1]
    close = difflib.get_close_matches(name, by_name, n=3) or [ex.name for ex in exercises if ex.name.startswith(name)]
    raise LearnError("learn.unknown", name=name, close=", ".join(close[:3]) or exercises[0].name)


def _read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def _exercise(folder: Path, number: int, name: str, chapter: Chapter) -> Exercise:
    meta = _read_json(folder / "meta.json")
    unknown = set(meta) - _META_KEYS
    if unknown or meta.get("kind") not in KINDS or meta.get("form", "write") not in FORMS:
        raise ValueError(f"{folder}/meta.json: unknown keys {sorted(unknown)}, or a kind/form not in "
                         f"{KINDS}/{FORMS}")
    hints = _read_json(folder / "hints.json")
    if not all(isinstance(hints.get(lang), list) and hints[lang] for lang in LANGUAGES) or \
            len({len(hints[lang]) for lang in LANGUAGES}) != 1:
        raise ValueError(f"{folder}/hints.json: needs the same number of hints in {', '.join(LANGUAGES)}")
    shape = meta.get("shape")
    return Exercise(name, number, chapter, folder, meta["kind"], meta["target"], meta.get("form", "write"),
                    bool(meta.get("checker", True)), dict(meta.get("params") or {}),
                    tuple(shape) if shape else None, tuple(meta.get("cases") or ()), dict(meta.get("hint_keys") or {}))
