"""The READMEs' examples run and say what the READMEs claim."""

import re
from pathlib import Path

import pytest

from bprop.cli import main

ROOT = Path(__file__).resolve().parents[1]


READMES = [ROOT / "README.md", ROOT / "README.ja.md"]


def _blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", text, flags=re.S)


@pytest.mark.parametrize("readme", READMES, ids=lambda p: p.name)
def test_readme_python_examples_run(readme, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace = {}
    for block in _blocks(readme.read_text(encoding="utf-8"), "python"):
        if block.startswith("# my_sigmoid.py"):
            (tmp_path / "my_sigmoid.py").write_text(block, encoding="utf-8")
            continue
        exec(compile(block, str(readme), "exec"), namespace)
    assert namespace["report"].ok
    assert namespace["grads"]["W1"].shape == (784, 50)


@pytest.mark.parametrize("readme", READMES, ids=lambda p: p.name)
def test_readme_learner_class_gets_the_diagnosis_the_readme_shows(readme, tmp_path, capsys):
    text = readme.read_text(encoding="utf-8")
    learner = next(b for b in _blocks(text, "python") if b.startswith("# my_sigmoid.py"))
    path = tmp_path / "my_sigmoid.py"
    path.write_text(learner, encoding="utf-8")
    assert main(["check", f"{path}:Sigmoid", "--lang", "en"]) == 1
    out = capsys.readouterr().out
    shown = re.search(r"  FAIL  (.*)", text)
    if shown:
        assert shown.group(1) in out
    assert "a factor looks missing" in out


def test_readme_names_the_two_set_up_commands_and_ci_runs_the_test_one():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip install -e '.[progress]' && bprop train" in text
    assert "pip install -e '.[test]' && pytest" in text
    assert "pip install -e '.[test]' && pytest" in (ROOT / ".ci" / "run").read_text()


def test_the_pypi_readme_has_no_relative_link_to_go_dead():
    """README.md is PyPI's long description: a link or image to a repository path would be dead there."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"!?\[[^\]]*\]\(([^)\s]+)", text) + re.findall(r"""<(?:a|img)\b[^>]*(?:href|src)=["']([^"']+)""", text)
    relative = [t for t in targets if not re.match(r"(https?://|mailto:|#)", t)]
    assert relative == []
    for path in re.findall(r"`((?:docs|notebooks)/[^`]*)`", text):  # the paths it names instead exist
        assert (ROOT / path).exists(), path
