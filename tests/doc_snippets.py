"""What the docs' tests share: a doc's fenced blocks, its Python snippets run in order in one folder, and
lines a doc shows matched against what ran printed, with any number where the doc shows a number.

A ```python block whose first line is ``# not run`` is skipped; ``# needs torch`` runs when torch is
installed; ``# NAME.py`` is a file the doc asks the reader to write: it is written, not run.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import re
from pathlib import Path

HAS_TORCH = importlib.util.find_spec("torch") is not None
NUMBER = r"-?[\d.,]*\d(?:e[+-]\d+)?%?"
_FILE_BLOCK = re.compile(r"# ([\w./-]+\.py)\n")


def blocks(text: str, lang: str) -> list[str]:
    """The bodies of the text's ```lang fenced blocks, in order."""
    return re.findall(rf"```{lang}\n(.*?)```", text, flags=re.S)


def pattern(line: str) -> re.Pattern:
    """The shown line with any number where it shows one, and any run of spaces where it shows two or more."""
    parts = re.split(rf"({NUMBER})", line.rstrip())
    text = "".join(" +".join(map(re.escape, re.split(" {2,}", p))) if i % 2 == 0 else NUMBER
                   for i, p in enumerate(parts))
    return re.compile(text)


def shown_in(shown: list[str], printed: str) -> list[str]:
    """The shown lines (other than '…') that no printed line matches."""
    lines = printed.splitlines()
    return [s for s in shown if s.strip() != "…" and not any(pattern(s).fullmatch(p.rstrip()) for p in lines)]


def code_lines(block: str) -> list[str]:
    """The block's code without comments and blank lines (to compare a doc with its translation)."""
    return [line for line in (re.sub(r"\s*#.*$", "", raw).rstrip() for raw in block.splitlines()) if line]


def run_snippets(doc: Path, folder: Path) -> tuple[dict, str]:
    """(namespace, printed): the doc's ```python blocks run in order in one namespace, inside ``folder``."""
    namespace, printed = {}, io.StringIO()
    here = os.getcwd()
    os.chdir(folder)
    try:
        for block in blocks(doc.read_text(encoding="utf-8"), "python"):
            first = block.split("\n", 1)[0]
            if first == "# not run" or (first == "# needs torch" and not HAS_TORCH):
                continue
            written = _FILE_BLOCK.match(block)
            if written:
                path = folder / written.group(1)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(block, encoding="utf-8")
                continue
            with contextlib.redirect_stdout(printed):
                exec(compile(block, str(doc), "exec"), namespace)
    finally:
        os.chdir(here)
    return namespace, printed.getvalue()
