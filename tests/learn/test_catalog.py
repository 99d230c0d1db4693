"""The course as shipped: at least 40 exercises in the books' order, each with its texts in both languages."""

import ast
import re

import pytest

from bprop.i18n import LANGUAGES
from bprop.learn import catalog

EXERCISES = catalog.catalog()
JAPANESE = re.compile(r"[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]")


def test_the_course_has_at_least_40_exercises_in_the_books_order():
    assert len(EXERCISES) >= 40
    assert [ex.number for ex in EXERCISES] == list(range(1, len(EXERCISES) + 1))
    chapters = [c.id for c in catalog.chapters()]
    assert chapters == sorted(chapters) and chapters[0] == "book1_ch03" and chapters[-1] == "transformer"
    assert len({ex.name for ex in EXERCISES}) == len(EXERCISES)
    names = [ex.name for ex in EXERCISES]
    for earlier, later in (("step_function", "softmax"), ("softmax", "cross_entropy_error"),
                           ("mul_layer", "two_layer_net"), ("sgd", "adam"), ("im2col", "convolution"),
                           ("embedding", "negative_sampling_loss"), ("rnn", "lstm"), ("lstm", "gru"),
                           ("weight_sum", "scaled_dot_product_attention"), ("scaled_dot_product_attention",
                                                                            "multi_head_attention")):
        assert names.index(earlier) < names.index(later)


def test_every_kind_is_there_and_some_exercises_are_fill_in_the_blanks():
    assert {ex.kind for ex in EXERCISES} == set(catalog.KINDS)
    blanks = [ex.name for ex in EXERCISES if ex.form == "blank"]
    assert len(blanks) >= 8, blanks


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_every_statement_renders_in_both_languages(ex):
    for lang in LANGUAGES:
        statement = ex.statement(lang)
        assert statement.startswith("# ") and len(statement.splitlines()) >= 5
        assert '"""' not in statement and "\\" not in statement  # it becomes the file's docstring
        assert bool(JAPANESE.search(statement)) == (lang == "ja"), lang
        text = ex.workspace_text(lang, len(EXERCISES))
        module = ast.parse(text)  # the workspace file is Python, its statement a docstring
        doc = ast.get_docstring(module)
        assert ex.title(lang) in doc and ex.chapter.title[lang] in doc and f"bprop learn check {ex.name}" in doc
        assert "TODO" in text and "# [en]" not in text and "# [ja]" not in text
        assert bool(JAPANESE.search(ex.skeleton(lang))) == (lang == "ja") or ex.form == "blank"


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.name)
def test_every_exercise_has_two_or_three_hints_and_defines_its_target(ex):
    hints = {lang: ex.hints(lang) for lang in LANGUAGES}
    assert 2 <= len(hints["en"]) <= 3 and len(hints["ja"]) == len(hints["en"])
    assert all(JAPANESE.search(h) for h in hints["ja"]) and not any(JAPANESE.search(h) for h in hints["en"])
    for source in (ex.skeleton("en"), ex.solution()):
        defined = {node.name for node in ast.parse(source).body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
        assert ex.target in defined
    assert "TODO" not in ex.solution()
    assert all(isinstance(i, int) and 1 <= i <= len(hints["en"]) for i in ex.hint_keys.values())


def test_find_takes_a_name_or_a_number_and_suggests_a_near_name():
    assert catalog.find("softmax").name == "softmax"
    assert catalog.find("4").name == catalog.find("04").name == EXERCISES[3].name
    with pytest.raises(catalog.LearnError) as info:
        catalog.find("sofmax")
    assert "softmax" in info.value.message("en") and "softmax" in info.value.message("ja")


def test_the_readmes_section_counts_the_exercises_there_are():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    assert f"{len(EXERCISES)} exercises in the order of the books" in (root / "README.md").read_text(encoding="utf-8")
    assert f"{len(EXERCISES)} 問の演習" in (root / "README.ja.md").read_text(encoding="utf-8")
