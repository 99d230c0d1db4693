"""The report and its messages: the table, English and Japanese, the language from the locale."""

import string

import pytest

from bprop import i18n
from bprop.gradcheck import check_layer, messages

from support import learner_case


def test_report_prints_a_table_and_renders_in_japanese():
    layer, inputs = learner_case("softmax_no_batch_division", "SoftmaxWithLoss")
    report = check_layer(layer, *inputs)
    text = str(report)
    assert "gradient  max abs err  rel err" in text
    assert "1 problem(s) found." in text
    ja = report.render("ja")
    assert "バッチサイズ N = 4 で割るのを忘れていませんか？" in ja
    assert "1 件の問題が見つかりました。" in ja


@pytest.mark.parametrize("key", sorted(messages.MESSAGES))
def test_every_message_has_both_languages_with_the_same_fields(key):
    def fields(template):
        return sorted(name for _, name, _, _ in string.Formatter().parse(template) if name)

    entry = messages.MESSAGES[key]
    assert set(entry) == set(i18n.LANGUAGES)
    assert fields(entry["en"]) == fields(entry["ja"])


@pytest.mark.parametrize("env, lang", [
    ({}, "en"),
    ({"LANG": "ja_JP.UTF-8"}, "ja"),
    ({"LANG": "ja_JP.UTF-8", "LC_ALL": "C"}, "en"),
    ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "ja_JP"}, "ja"),
    ({"LC_ALL": "", "LANG": "ja"}, "ja"),
])
def test_language_comes_from_the_locale_variables(env, lang):
    assert i18n.pick_language(environ=env) == lang


def test_explicit_language_wins_and_unknown_raises():
    assert i18n.pick_language("en", environ={"LANG": "ja_JP.UTF-8"}) == "en"
    with pytest.raises(ValueError, match="en, ja"):
        i18n.pick_language("fr")


def test_message_keys_are_unique_across_the_modules():
    assert len(messages.MESSAGES) == sum(len(module.MESSAGES) for module in messages.MODULES)
