"""Pictures: Graphviz DOT text, SVG drawn by bprop itself, and Graphviz's ``dot`` for the rest.

DOT is plain text and always available, and so is SVG: bprop draws it in
pure Python (``svg.py``), so ``.svg`` files and a notebook's inline picture
need nothing installed. PNG and PDF — and SVG with ``renderer="graphviz"`` —
need the ``dot`` program (Debian/Ubuntu package ``graphviz``); without it,
rendering raises ``GraphvizError`` saying how to install it. Graphviz also
lays out very large graphs more compactly. Files are written atomically.
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
from typing import Any

from bprop._types import PathLike
from bprop.fileio import format_of as _format_of
from bprop.fileio import write_bytes_atomic
from bprop.graph.scene import BACKWARD_COLOR, CONST_COLOR, FORWARD_COLOR, format_number, graph_scene

__all__ = [
    "FORWARD_COLOR", "BACKWARD_COLOR", "FORMATS", "RENDERERS", "GraphvizError", "format_number",
    "edge_label", "legend", "graph_to_dot", "render_dot", "format_of", "Renderable",
]

FORMATS = ("dot", "gv", "svg", "png", "pdf")
RENDERERS = ("bprop", "graphviz")  # who draws SVG; PNG and PDF are always Graphviz's
_RENDER_TIMEOUT_S = 60


class GraphvizError(OSError):
    """Graphviz's ``dot`` is missing or failed."""


def edge_label(forward: str | None, backward: str | None = None) -> str:
    """An HTML-like DOT label: the forward value above (blue), the gradient below (red)."""
    lines = []
    if forward is not None:
        lines.append(f'<font color="{FORWARD_COLOR}">{html.escape(forward)}</font>')
    if backward is not None:
        lines.append(f'<font color="{BACKWARD_COLOR}">{html.escape(backward)}</font>')
    return "<" + "<br/>".join(lines) + ">"


def legend(title: str | None) -> str:
    """The graph's caption: an optional title, then what the two colours mean."""
    key = (
        f'<font color="{FORWARD_COLOR}">blue: forward value</font>'
        f'    <font color="{BACKWARD_COLOR}">red: backward gradient ∂L/∂(edge)</font>'
    )
    return "<" + (html.escape(title) + "<br/>" if title else "") + key + ">"


def graph_to_dot(g: Any) -> str:  # Any: graph.engine imports this module, so Graph is not imported here
    """DOT text for a ``Graph``: the book's picture of it (§5.1–5.5), as ``scene.graph_scene`` lists it.

    Inputs and the output are plain labels, nodes are circles with their symbol,
    constants are grey numbers. Every edge carries its forward value and, after
    ``backward``, the gradient that came back along it; a value used by several
    nodes goes through a small branch point.
    """
    scene = graph_scene(g)
    out = [
        "digraph computational_graph {",
        "  rankdir=LR;",
        '  node [fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=11, arrowsize=0.7];',
        f"  labelloc=b; fontname=\"Helvetica\"; fontsize=11; label={legend(scene.title)};",
    ]
    out.extend(_DOT_VERTEX[v.kind].format(key=v.key, label=_html(v.label)) for v in scene.vertices if v.kind != "branch")
    undeclared = {v.key for v in scene.vertices if v.kind == "branch"}
    for e in scene.edges:
        # A branch point is declared just before its first edge.
        for key in (e.source, e.target):
            if key in undeclared:
                undeclared.discard(key)
                out.append(_DOT_VERTEX["branch"].format(key=key, label=""))
        attributes = [] if e.arrow else ["arrowhead=none"]
        if e.forward is not None or e.backward is not None:
            attributes.append(f"label={edge_label(e.forward, e.backward)}")
        out.append(f"  {e.source} -> {e.target}" + (f" [{', '.join(attributes)}]" if attributes else "") + ";")
    out.append("}")
    return "\n".join(out) + "\n"


_DOT_VERTEX = {
    "input": "  {key} [shape=plaintext, label={label}];",
    "const": f'  {{key}} [shape=plaintext, fontcolor="{CONST_COLOR}", label={{label}}];',
    "node": "  {key} [shape=circle, label={label}];",
    "output": "  {key} [shape=plaintext, label={label}];",
    "branch": "  {key} [shape=point, width=0.08];",
}


def _html(text: str) -> str:
    return "<" + html.escape(str(text)) + ">"


def render_dot(dot_text: str, format: str = "svg") -> bytes:
    """Run Graphviz's ``dot -T<format>`` on DOT text; return the picture's bytes."""
    if format not in FORMATS[2:]:
        raise ValueError(f"render expected one of {', '.join(FORMATS[2:])}, got {format!r}")
    exe = shutil.which("dot")
    if exe is None:
        raise GraphvizError(
            f"writing {format.upper()} needs Graphviz's `dot` program, which is not installed "
            "(not found on PATH); install Graphviz: `sudo apt-get install graphviz` on "
            "Debian/Ubuntu, `brew install graphviz` on macOS, or see https://graphviz.org/download/ "
            "— or save as .svg (drawn by bprop itself) or .dot, which need nothing"
        )
    try:
        proc = subprocess.run(
            [exe, f"-T{format}"], input=dot_text.encode("utf-8"), capture_output=True,
            timeout=_RENDER_TIMEOUT_S, check=False,
        )
    except subprocess.TimeoutExpired:
        raise GraphvizError(f"Graphviz's dot took more than {_RENDER_TIMEOUT_S} s and was stopped") from None
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GraphvizError(f"Graphviz's dot failed (exit {proc.returncode}): {message[0] if message else ''}")
    return proc.stdout


def format_of(path: PathLike) -> str:
    """The picture format named by a path's extension: .dot, .gv, .svg, .png or .pdf."""
    return _format_of(path, FORMATS, "file")


class Renderable:
    """Mixin for anything with ``to_dot()`` and ``to_svg()``: render, save, and inline display in notebooks.

    ``renderer`` picks who draws SVG: "bprop" (the default: pure Python, nothing
    to install) or "graphviz" (Graphviz's ``dot``, which packs large graphs more
    tightly). PNG and PDF are always drawn by Graphviz.
    """

    def to_dot(self) -> str:
        raise NotImplementedError

    def to_svg(self) -> str:
        raise NotImplementedError

    def render(self, format: str = "svg", renderer: str = "bprop") -> bytes:
        """The picture as bytes: svg (by ``renderer``), png or pdf (by Graphviz's ``dot``)."""
        _check_renderer(renderer)
        if format == "svg" and renderer == "bprop":
            return self.to_svg().encode("utf-8")
        return render_dot(self.to_dot(), format)

    def save(self, path: PathLike, renderer: str = "bprop") -> str:
        """Write the picture; the extension picks the format. .dot, .gv and .svg need no Graphviz."""
        fmt = format_of(path)
        _check_renderer(renderer)
        data = self.to_dot().encode("utf-8") if fmt in ("dot", "gv") else self.render(fmt, renderer)
        write_bytes_atomic(path, data)
        return os.fspath(path)

    def _repr_svg_(self) -> str:
        # Jupyter shows this inline; drawn in Python, so it works with nothing installed.
        return self.to_svg()


def _check_renderer(renderer) -> None:
    if renderer not in RENDERERS:
        raise ValueError(f"renderer expected one of {', '.join(map(repr, RENDERERS))}, got {renderer!r}")
