"""docs/pytorch.md and docs/pytorch.ja.md: the snippets run, in order, and print what the docs show.

Each doc's ```python blocks run in one namespace, in a fresh folder; its ```text blocks are lines those
snippets print (tests/doc_snippets.py), with any number where a number is shown (float rounding differs from machine to machine).
The two docs hold the same code. Skipped without torch.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from doc_snippets import blocks, code_lines, run_snippets, shown_in

torch = pytest.importorskip("torch")

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "docs" / "pytorch.md", ROOT / "docs" / "pytorch.ja.md"]

_RUNS: dict = {}


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """doc → (namespace, printed): the doc's snippets run once, in order, in a folder of their own."""

    def run(doc: Path):
        if doc not in _RUNS:
            threads = torch.get_num_threads()
            # torch's small steps on a loaded machine: its worker threads spin for a core (20× slower)
            torch.set_num_threads(1)
            try:
                _RUNS[doc] = run_snippets(doc, tmp_path_factory.mktemp(doc.stem.replace(".", "_")))
            finally:
                torch.set_num_threads(threads)
        return _RUNS[doc]

    return run


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_the_snippets_run_and_bprop_and_torch_agree(doc, ran):
    namespace, _ = ran(doc)
    np = namespace["np"]
    assert abs(namespace["torch_accuracy"] - namespace["net"].accuracy(namespace["x_test"], namespace["t_test"])) < 0.01
    assert namespace["net"].accuracy(namespace["x_test"], namespace["t_test"]) > 0.8
    assert np.abs(namespace["net"].params["W1"] - namespace["W1_torch"]).max() < 1e-4
    assert abs(float(namespace["loss"]) - namespace["torch_loss"].item()) < 1e-4
    assert namespace["agree"] == 1.0 and type(namespace["back"]).__name__ == "TwoLayerNet"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_the_text_blocks_are_what_the_snippets_print(doc, ran):
    _, printed = ran(doc)
    shown = blocks(doc.read_text(encoding="utf-8"), "text")
    assert len(shown) >= 5
    for block in shown:
        missing = shown_in(block.splitlines(), printed)
        assert not missing, f"shown but not printed: {missing}\nprinted:\n{printed}"


def test_the_two_docs_hold_the_same_code_and_link_each_other():
    en, ja = (doc.read_text(encoding="utf-8") for doc in DOCS)
    assert [code_lines(b) for b in blocks(en, "python")] == [code_lines(b) for b in blocks(ja, "python")]
    assert blocks(en, "text") == blocks(ja, "text")
    assert "pytorch.ja.md" in en and "pytorch.md" in ja
