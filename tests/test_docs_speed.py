"""docs/speed.md and its Japanese twin: the benchmarks they tell a reader to run exist, and both name the same."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "docs" / "speed.md", ROOT / "docs" / "speed.ja.md"]


def _commands(page: Path) -> list[str]:
    return re.findall(r"^\$ python (bench/\S+\.py)", page.read_text(encoding="utf-8"), flags=re.M)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_benchmark_the_page_names_is_in_bench(page):
    commands = _commands(page)
    assert len(commands) >= 7
    assert [c for c in commands if not (ROOT / c).is_file()] == []


def test_both_languages_name_the_same_benchmarks_and_link_each_other():
    assert _commands(PAGES[0]) == _commands(PAGES[1])
    assert "(speed.ja.md)" in PAGES[0].read_text(encoding="utf-8")
    assert "(speed.md)" in PAGES[1].read_text(encoding="utf-8")


def test_book_scripts_takes_the_book_option_the_page_shows():
    text = (ROOT / "bench" / "book_scripts.py").read_text(encoding="utf-8")
    assert '"--book"' in text
