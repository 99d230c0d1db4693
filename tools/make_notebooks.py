"""Write the notebooks of notebooks/ from the cells below: ``python tools/make_notebooks.py``.

The notebooks are kept here as Python text, so a change to one reads as a diff of code and
words, and they are written without outputs or execution counts (tests/test_notebooks.py
runs each one and checks that the committed files are exactly what this script writes).
Each must run in under a minute on one core: small data, few steps. Needs nbformat
(``pip install 'bprop[notebooks]'``).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from notebook_cells import NOTEBOOKS  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "notebooks"
KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}


def build(name: str, cells: list[tuple[str, str]]):
    """The notebook ``name`` from (kind, source) pairs, kind 'md' or 'code'; ids fixed, so rewrites are stable."""
    import nbformat
    from nbformat import v4

    nb = v4.new_notebook(metadata={"kernelspec": KERNEL, "language_info": {"name": "python"}})
    for i, (kind, source) in enumerate(cells):
        make = v4.new_markdown_cell if kind == "md" else v4.new_code_cell
        cell = make(source.strip("\n"))
        cell["id"] = f"{name.replace('_', '-')}-{i:02d}"
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def text(name: str) -> str:
    """The file contents of notebooks/NAME.ipynb as this script writes it."""
    import nbformat

    return nbformat.writes(build(name, NOTEBOOKS[name])) + "\n"


def main() -> int:
    from bprop.fileio import write_bytes_atomic

    OUT.mkdir(exist_ok=True)
    for name in NOTEBOOKS:
        path = OUT / f"{name}.ipynb"
        write_bytes_atomic(path, text(name).encode("utf-8"))
        print(path.relative_to(OUT.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main())
