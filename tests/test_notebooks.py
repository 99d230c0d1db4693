"""notebooks/: every notebook runs from top to bottom in a fresh kernel (nbclient), and the committed files
are stripped (no outputs, no execution counts) and are exactly what tools/make_notebooks.py writes.

Needs the ``notebooks`` extra (nbclient, nbformat, ipykernel; in ``test`` too); skipped without it."""

import importlib.util
import json
import os
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXPECTED = {"ch5_backprop", "ch6_training", "ch7_cnn", "book2_rnn", "transformer"}
BUDGET_S = 60  # one core, a cold kernel included
# What each notebook must show besides text: the graph as SVG and the checker's report as HTML (ch. 5),
# the figures as PNG (the live plot's one image among them).
SHOWN = {"ch5_backprop": {"image/svg+xml", "text/html"}, "ch6_training": {"image/png"}, "ch7_cnn": {"image/png"},
         "transformer": {"image/png"}}


def test_the_notebooks_of_the_issue_are_all_there():
    assert EXPECTED <= {p.stem for p in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_committed_notebook_has_no_outputs_and_no_execution_counts(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [cell for cell in nb["cells"] if cell["cell_type"] == "code"]
    assert code, f"{path.name} has no code cell"
    for cell in code:
        source = "".join(cell["source"])[:60]
        assert cell["outputs"] == [], f"{path.name}: outputs kept in the cell starting {source!r}"
        assert cell["execution_count"] is None, f"{path.name}: an execution count in the cell starting {source!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_committed_notebook_is_what_the_generator_writes(path):
    pytest.importorskip("nbformat")
    spec = importlib.util.spec_from_file_location("make_notebooks", ROOT / "tools" / "make_notebooks.py")
    make = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make)
    assert path.read_text(encoding="utf-8") == make.text(path.stem), (
        f"{path.name} differs from tools/notebook_cells.py: edit the cells there and run "
        "python tools/make_notebooks.py")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_notebook_runs_from_top_to_bottom(path, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("matplotlib")
    from nbclient.exceptions import CellExecutionError

    monkeypatch.setenv("OPENBLAS_NUM_THREADS", os.environ.get("OPENBLAS_NUM_THREADS", "1"))
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "matplotlib"))
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    start, failed = time.perf_counter(), None
    try:
        client.execute()
    except CellExecutionError as error:
        failed = error
    seconds = time.perf_counter() - start
    if failed is not None:
        failing = next((c for c in nb.cells if c.cell_type == "code"
                        and any(o.get("output_type") == "error" for o in c.get("outputs", []))), None)
        source = failing.source if failing is not None else "(not found)"
        pytest.fail(f"{path.name}: a cell failed\n--- its source ---\n{source}\n--- the error ---\n"
                    f"{failed.ename}: {failed.evalue}", pytrace=False)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert [o for o in outputs if o.output_type == "error"] == []
    shown = {kind for o in outputs if o.output_type in ("display_data", "execute_result") for kind in o.data}
    assert SHOWN.get(path.stem, set()) <= shown, f"{path.name} showed only {sorted(shown)}"
    assert seconds < BUDGET_S, f"{path.name} took {seconds:.0f} s; keep each notebook under {BUDGET_S} s"
