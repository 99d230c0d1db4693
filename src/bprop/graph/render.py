"""Pictures: Graphviz DOT text for graphs, and rendering it with Graphviz's ``dot``.

DOT is plain text and always available. SVG, PNG and PDF need the ``dot``
program (Debian/Ubuntu package ``graphviz``); without it, rendering raises
``GraphvizError`` saying how to install it. Files are written atomically.
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess

import numpy as np

from bprop.fileio import format_of as _format_of
from bprop.fileio import write_bytes_atomic

FORWARD_COLOR = "#1f5fa8"  # blue: the value flowing forward
BACKWARD_COLOR = "#c62828"  # red: the gradient flowing back
FORMATS = ("dot", "gv", "svg", "png", "pdf")
_RENDER_TIMEOUT_S = 60


class GraphvizError(OSError):
    """Graphviz's ``dot`` is missing or failed."""


def format_number(x, max_elements: int = 6) -> str:
    """Compact text for a number or array: 4 significant digits; big arrays as shape and range.

    >>> format_number(715.0000000000001), format_number([[1, 2.5]]), format_number(np.zeros((4, 50)))
    ('715', '[[1, 2.5]]', 'shape (4, 50): 0 … 0')
    """
    a = np.asarray(x)
    if a.ndim == 0:
        return f"{float(a) + 0.0:.4g}"  # + 0.0 turns -0.0 into 0.0
    if a.size <= max_elements and a.size > 0:
        return _nested(a)
    if a.size == 0:
        return f"shape {a.shape}: empty"
    return f"shape {a.shape}: {format_number(a.min())} … {format_number(a.max())}"


def _nested(a: np.ndarray) -> str:
    if a.ndim == 1:
        return "[" + ", ".join(format_number(v) for v in a) + "]"
    return "[" + ", ".join(_nested(row) for row in a) + "]"


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


def graph_to_dot(g) -> str:
    """DOT text for a ``Graph``: the book's picture of it (§5.1–5.5).

    Inputs and the output are plain labels, nodes are circles with their symbol,
    constants are grey numbers. Every edge carries its forward value and, after
    ``backward``, the gradient that came back along it. A value used by several
    nodes goes through a small branch point: the edge into the point shows its
    total gradient, each edge out of it the share from that use.
    """
    out = [
        "digraph computational_graph {",
        "  rankdir=LR;",
        '  node [fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=11, arrowsize=0.7];',
        f"  labelloc=b; fontname=\"Helvetica\"; fontsize=11; label={legend(g.title)};",
    ]
    origin = {}
    for i, v in enumerate(g.values):
        if v.kind == "input":
            out.append(f"  v{i} [shape=plaintext, label={_html(v.name)}];")
            origin[id(v)] = f"v{i}"
        elif v.kind == "const":
            text = f"{v.name} = {format_number(v.data)}" if v.name else format_number(v.data)
            out.append(f'  v{i} [shape=plaintext, fontcolor="#666666", label={_html(text)}];')
            origin[id(v)] = f"v{i}"
    targets = {id(v): [] for v in g.values}
    for j, step in enumerate(g.steps):
        out.append(f"  n{j} [shape=circle, label={_html(step.node.symbol)}];")
        origin[id(step.output)] = f"n{j}"
        for k, v in enumerate(step.inputs):
            grad = None if step.grads is None else step.grads[k]
            targets[id(v)].append((f"n{j}", grad, False))
    for i, v in enumerate(g.values):
        is_output = v is g.output
        if is_output or (v.kind == "node" and not targets[id(v)]):
            out.append(f"  o{i} [shape=plaintext, label={_html(v.name or 'out')}];")
            targets[id(v)].append((f"o{i}", g.dout if is_output else v.grad, True))
    for i, v in enumerate(g.values):
        source, uses = origin[id(v)], targets[id(v)]
        if v.kind == "const":
            out.extend(f"  {source} -> {target};" for target, _, _ in uses)
            continue
        value = format_number(v.data)
        named = f"{v.name} = {value}" if v.name and v.kind == "node" else value
        if len(uses) == 1:
            target, grad, to_sink = uses[0]
            out.append(f"  {source} -> {target} [label={edge_label(value if to_sink else named, _grad(grad))}];")
        elif uses:
            out.append(f"  b{i} [shape=point, width=0.08];")
            out.append(f"  {source} -> b{i} [arrowhead=none, label={edge_label(named, _grad(v.grad))}];")
            for target, grad, _ in uses:
                out.append(f"  b{i} -> {target} [label={edge_label(value, _grad(grad))}];")
    out.append("}")
    return "\n".join(out) + "\n"


def _grad(grad) -> str | None:
    return None if grad is None else format_number(grad)


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
            "— or save as .dot, which needs nothing"
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


def format_of(path) -> str:
    """The picture format named by a path's extension: .dot, .gv, .svg, .png or .pdf."""
    return _format_of(path, FORMATS, "file")


class Renderable:
    """Mixin for anything with ``to_dot()``: render, save, and inline display in notebooks."""

    def to_dot(self) -> str:
        raise NotImplementedError

    def render(self, format: str = "svg") -> bytes:
        """The picture as bytes (svg, png or pdf), drawn by Graphviz's ``dot``."""
        return render_dot(self.to_dot(), format)

    def save(self, path) -> str:
        """Write the picture; the extension picks the format (.dot/.gv need no Graphviz)."""
        fmt = format_of(path)
        data = self.to_dot().encode("utf-8") if fmt in ("dot", "gv") else self.render(fmt)
        write_bytes_atomic(path, data)
        return os.fspath(path)

    def _repr_svg_(self):
        # Jupyter shows this inline; None makes it fall back to the text repr.
        try:
            return self.render("svg").decode("utf-8")
        except GraphvizError:
            return None
