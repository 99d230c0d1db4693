"""docs/transformer.md and docs/transformer.ja.md: the snippets run and the docs show what bprop prints.

Each doc's ```python blocks run in order in one namespace, in a fresh folder (a block whose first line
is ``# not run`` is skipped; ``# needs torch`` runs when torch is installed; ``# NAME.py`` is a file the
doc asks the reader to write, and is written, not run). The ```text blocks are lines those snippets
print (tests/doc_snippets.py). The ```console blocks' quick commands (the tiny GPT runs, ``bprop check``, ``bprop learn check``)
are run too and must print the lines shown, with any number in place of the numbers (timings vary). The
long runs (the date Transformer: minutes) are not. Every picture the docs show must exist.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
from pathlib import Path

import pytest

from bprop.cli import main

from doc_snippets import blocks, code_lines, run_snippets, shown_in

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "docs" / "transformer.md", ROOT / "docs" / "transformer.ja.md"]
LANG = {"transformer.md": "en", "transformer.ja.md": "ja"}

# The console commands that take seconds; the rest (the date Transformer's training, and what reads
# the model it saves) take minutes and are shown from real runs, not rerun here.
QUICK = ("bprop train --model gpt", "bprop generate tiny", "bprop check ", "bprop learn check ")
PASSED = ("All checks passed.", "すべてのチェックに合格しました。")

_RUNS: dict = {}


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """doc → (folder, namespace, printed): the doc's snippets run once, in order, in a folder of their own."""

    def run(doc: Path):
        if doc not in _RUNS:
            folder = tmp_path_factory.mktemp(doc.stem.replace(".", "_"))
            _RUNS[doc] = (folder, *run_snippets(doc, folder))
        return _RUNS[doc]

    return run


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_the_snippets_run_in_order(doc, ran):
    _, namespace, _ = ran(doc)
    assert namespace["report"].ok
    assert namespace["model"].__class__.__name__ == "TransformerSeq2seq"
    assert namespace["answers"].shape == (2, 10)
    assert (Path(ran(doc)[0]) / "tiny.txt").is_file()


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_the_text_blocks_are_what_the_snippets_print(doc, ran):
    _, _, printed = ran(doc)
    shown = blocks(doc.read_text(encoding="utf-8"), "text")
    assert shown
    for block in shown:
        assert not shown_in(block.splitlines(), printed), block


def _console_cases(doc: Path) -> list[tuple[str, list[str]]]:
    """(command, the lines shown after it) for every `$ ` line of the doc's console blocks."""
    cases = []
    for block in blocks(doc.read_text(encoding="utf-8"), "console"):
        for line in block.splitlines():
            if line.startswith("$ "):
                cases.append((line[2:], []))
            elif cases:
                cases[-1][1].append(line)
    return cases


def _run_command(command: str, folder: Path, lang: str, capsys) -> tuple[int, str]:
    args = shlex.split(command)[1:]
    if args[0] in ("check", "learn") and "--lang" not in args:
        args += ["--lang", lang]
    here = os.getcwd()
    if args[:2] == ["learn", "check"]:
        course = folder / "course"
        if not course.exists():
            assert main(["learn", "init", str(course)]) == 0
            for exercise in (folder / "transformer").glob("*.py"):
                shutil.copy(exercise, course / "transformer" / exercise.name)
        folder = course
    capsys.readouterr()
    os.chdir(folder)
    try:
        code = main(args)
    finally:
        os.chdir(here)
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_the_quick_commands_print_the_lines_shown(doc, ran, capsys):
    folder, _, _ = ran(doc)
    cases = [(c, shown) for c, shown in _console_cases(doc) if c.startswith(QUICK)]
    assert {c.split()[1] for c, _ in cases} == {"train", "generate", "check", "learn"}
    for command, shown in cases:
        code, printed = _run_command(command, folder, LANG[doc.name], capsys)
        passed = any(line in PASSED for line in shown)
        assert code == (1 if " check " in f" {command} " and not passed else 0), (command, printed)
        if command.startswith("bprop generate"):
            continue  # sampled text: the doc shows a real run's, which other BLAS roundings may change
        missing = shown_in(shown, printed)
        assert not missing, f"{command}\nshown but not printed: {missing}\nprinted:\n{printed}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_picture_exists(doc):
    text = doc.read_text(encoding="utf-8")
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert len(pictures) >= 7
    for picture in pictures:
        path = doc.parent / picture
        assert path.is_file(), picture
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", picture


def _code(block: str) -> list[str]:
    """The block's code without comments, blank lines and the language switch of a report."""
    return [line.replace('.render("ja")', "") for line in code_lines(block)]


def test_the_two_docs_hold_the_same_code_and_pictures():
    en, ja = (doc.read_text(encoding="utf-8") for doc in DOCS)
    assert [_code(b) for b in blocks(en, "python")] == [_code(b) for b in blocks(ja, "python")]
    assert re.findall(r"\]\((images/[^)]+)\)", en) == re.findall(r"\]\((images/[^)]+)\)", ja)
    drop_lang = [[c.replace(" --lang ja", "") for c, _ in _console_cases(DOCS[i])] for i in (0, 1)]
    assert drop_lang[0] == drop_lang[1]
    assert "transformer.ja.md" in en and "transformer.md" in ja
