"""The layout holds: imports point one way (no cycles), no source file holds two concerns' worth of
lines, ``import bprop`` needs NumPy only, and every docstring example runs."""

import ast
import doctest
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import bprop

SRC = Path(bprop.__file__).resolve().parent
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def import_graph() -> dict[str, set[str]]:
    """module → the bprop modules it imports anywhere in its text (function-level imports included).

    ``from a.b import c`` points at the module a.b.c when there is one, else at a.b. A package's
    own ``__init__`` being run first when one of its modules is imported is not counted.
    """
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            else:
                continue
            edges |= {t for t in targets if t in modules and t != name}
        graph[name] = edges
    return graph


def _cycle(graph) -> list[str] | None:
    """One import cycle, as the list of modules along it, or None."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def _reachable(graph, start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for nxt in graph[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_bprops_modules_import_each_other_without_a_cycle():
    graph = import_graph()
    assert len(graph) > 50
    assert _cycle(graph) is None, " → ".join(_cycle(graph))


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_imports_point_one_way_cli_and_plot_on_top_kernels_at_the_bottom():
    graph = import_graph()
    for name in graph:
        if name == "bprop.__main__":  # ``python -m bprop``: the CLI itself
            continue
        below = _reachable(graph, name)
        if not name.startswith("bprop.cli"):
            assert not any(m.startswith("bprop.cli") for m in below), f"{name} imports the CLI"
        if not name.startswith(("bprop.cli", "bprop.plot")):
            assert not any(m.startswith("bprop.plot") for m in below), f"{name} imports the plots"
        if name.startswith(("bprop._kernels", "bprop.layers", "bprop.functions", "bprop._checks")):
            assert not any(m.startswith(("bprop.nets", "bprop.train", "bprop.gradcheck")) for m in below), name
    assert not any(m.startswith("bprop.nets") for m in _reachable(graph, "bprop.serialize"))


@pytest.mark.parametrize("module", sorted(_modules()))
def test_no_source_file_passes_the_line_budget(module):
    lines = _modules()[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module}: {lines} lines; a file this long holds two concerns, split it"


def test_import_bprop_needs_numpy_only():
    code = ("import sys, bprop, bprop.layers, bprop.nets, bprop.train, bprop.gradcheck, bprop.graph, "
            "bprop.experiments, bprop.datasets, bprop.optim, bprop.serialize\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'tqdm', 'torch', 'scipy') "
            "or m.startswith('bprop.cli') or m.startswith('bprop.plot'))\n"
            "print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def _documented_modules():
    for info in pkgutil.walk_packages(bprop.__path__, "bprop."):
        if not info.name.endswith("__main__"):
            yield info.name


@pytest.mark.parametrize("name", sorted(_documented_modules()))
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, report=False, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} docstring examples of {name} fail"
