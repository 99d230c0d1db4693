"""What a picture of a Graph shows, decided once for both renderers: its vertices, its edges, their texts.

``graph_scene(g)`` lists the book's picture of a ``Graph`` (§5.1–5.5): inputs
and the output as plain labels, each node as a circle with its symbol,
constants as grey numbers, and on every edge its forward value over, after
``backward``, the gradient that came back along it. A value used by several
nodes goes through a small branch point: the edge into the point shows its
total gradient, each edge out of it the share from that use.

Graphviz's DOT text (``render.py``) and bprop's own SVG (``svg.py``) both draw
this list, so the two pictures always show the same numbers. Numbers are
written by ``format_number``, in the two colours below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["FORWARD_COLOR", "BACKWARD_COLOR", "CONST_COLOR", "format_number", "Vertex", "Edge", "Scene", "graph_scene"]

FORWARD_COLOR = "#1f5fa8"  # blue: the value flowing forward
BACKWARD_COLOR = "#c62828"  # red: the gradient flowing back
CONST_COLOR = "#666666"  # grey: a constant's number


def format_number(x: object, max_elements: int = 6) -> str:
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


@dataclass(frozen=True)
class Vertex:
    """One thing drawn: ``kind`` is "input", "const", "node" (a circle), "output" or "branch" (a point).

    ``key`` is its DOT name (v3, n0, o7, b2); ``label`` the text drawn (none for a branch point).
    """

    key: str
    kind: str
    label: str = ""


@dataclass(frozen=True)
class Edge:
    """An arrow from ``source`` to ``target`` (vertex keys): ``forward`` text above it, ``backward`` below.

    Either text may be None (a constant's edge has neither; before backward there is no gradient).
    ``arrow`` is False for the edge into a branch point.
    """

    source: str
    target: str
    forward: str | None = None
    backward: str | None = None
    arrow: bool = True


@dataclass(frozen=True)
class Scene:
    """A picture: its vertices and edges in drawing order, and its title (or None)."""

    vertices: tuple[Vertex, ...]
    edges: tuple[Edge, ...]
    title: str | None = None


def graph_scene(g: Any) -> Scene:  # Any: graph.engine imports this module, so Graph is not imported here
    """The picture of a ``Graph``: what every renderer draws (see the module's docstring)."""
    vertices: list[Vertex] = []
    edges: list[Edge] = []
    origin: dict[int, str] = {}
    for i, v in enumerate(g.values):
        if v.kind == "input":
            vertices.append(Vertex(f"v{i}", "input", str(v.name)))
            origin[id(v)] = f"v{i}"
        elif v.kind == "const":
            text = f"{v.name} = {format_number(v.data)}" if v.name else format_number(v.data)
            vertices.append(Vertex(f"v{i}", "const", text))
            origin[id(v)] = f"v{i}"
    targets: dict[int, list] = {id(v): [] for v in g.values}
    for j, step in enumerate(g.steps):
        vertices.append(Vertex(f"n{j}", "node", str(step.node.symbol)))
        origin[id(step.output)] = f"n{j}"
        for k, v in enumerate(step.inputs):
            grad = None if step.grads is None else step.grads[k]
            targets[id(v)].append((f"n{j}", grad, False))
    for i, v in enumerate(g.values):
        is_output = v is g.output
        if is_output or (v.kind == "node" and not targets[id(v)]):
            vertices.append(Vertex(f"o{i}", "output", str(v.name or "out")))
            targets[id(v)].append((f"o{i}", g.dout if is_output else v.grad, True))
    for i, v in enumerate(g.values):
        source, uses = origin[id(v)], targets[id(v)]
        if v.kind == "const":
            edges.extend(Edge(source, target) for target, _, _ in uses)
            continue
        value = format_number(v.data)
        named = f"{v.name} = {value}" if v.name and v.kind == "node" else value
        if len(uses) == 1:
            target, grad, to_sink = uses[0]
            edges.append(Edge(source, target, value if to_sink else named, _grad(grad)))
        elif uses:
            vertices.append(Vertex(f"b{i}", "branch"))
            edges.append(Edge(source, f"b{i}", named, _grad(v.grad), arrow=False))
            edges.extend(Edge(f"b{i}", target, value, _grad(grad)) for target, grad, _ in uses)
    return Scene(tuple(vertices), tuple(edges), g.title)


def _grad(grad) -> str | None:
    return None if grad is None else format_number(grad)
