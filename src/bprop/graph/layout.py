"""A layered left-to-right layout (Sugiyama's method) with room for every label, and text-size estimates.

1. Layers. A vertex's layer is the longest path to it from the sources; a
   source (an input, a constant) then moves right to just before its first
   use, so that its edge stays short.
2. Columns. Vertex layer L is column 2L; between two layers sits a column for
   edges. An edge crossing several columns becomes a chain through them: its
   label box in the middle edge column it crosses, a thin dummy in the others.
3. Order within each column: barycenter sweeps (each member moves to the mean
   position of its neighbours in the column before, then in the column after),
   keeping the order with the fewest crossings.
4. Heights: each member as close to the weighted mean of its neighbours as the
   order and the spacing allow — an exact least-squares fit, solved by
   pool-adjacent-violators — in a few sweeps; chains of dummies weigh most,
   so long edges run straight.
5. Widths: each column as wide as its widest member plus a port margin on both
   sides; the gap before it grows with the steepest edge crossing it.

Members of a column are apart by their half heights plus ``node_gap``, and
columns do not overlap, so no two boxes overlap whatever their sizes. An edge
runs horizontally through each column it crosses (through its label, whose
texts sit above and below it) and bends only in the gaps, where no box is.
Everything is deterministic: the same boxes and links give the same numbers.
"""

from __future__ import annotations

import heapq
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "Box", "Link", "Placed", "Route", "Layout", "layered_layout",
    "text_width", "text_height", "text_box", "baseline_for_top", "baseline_for_bottom",
]

_ASCENT, _DESCENT = 0.85, 0.25  # of the font size, above and below the baseline: a safe text box
_DUMMY_HEIGHT = 6.0  # the room a bare edge takes in a column, so parallel edges stay apart
_SWEEPS = 12


def text_width(text: str, font_size: float, bold: bool = False) -> float:
    """Estimated width of a line of text: 0.62 em a character, 0.85 for capitals and m, w, %, @;
    1 em for M, W, the ellipsis and East Asian wide characters; bold 10 % more.

    It errs on the wide side for Helvetica, Arial and DejaVu Sans, so that boxes
    sized by it hold their text. ``text_width("0.7311", 10)`` is 37.2.
    """
    em = 0.0
    for ch in str(text):
        if ch in "MW…" or unicodedata.east_asian_width(ch) in "WF":
            em += 1.0
        elif ch.isupper() or ch in "mw%@":
            em += 0.85
        elif not unicodedata.combining(ch):
            em += 0.62
    return em * font_size * (1.1 if bold else 1.0)


def text_height(font_size: float) -> float:
    """The height of the box ``text_box`` gives a line: ascent plus descent, 1.1 em."""
    return (_ASCENT + _DESCENT) * font_size


def text_box(text: str, x: float, baseline: float, font_size: float, anchor: str = "middle",
             bold: bool = False) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) of a line drawn at (x, baseline), as SVG's text-anchor "start" or "middle" places it."""
    w = text_width(text, font_size, bold)
    x0 = x - w / 2 if anchor == "middle" else x
    return x0, baseline - _ASCENT * font_size, x0 + w, baseline + _DESCENT * font_size


def baseline_for_top(top: float, font_size: float) -> float:
    """The baseline that puts a text box's top edge at ``top``."""
    return top + _ASCENT * font_size


def baseline_for_bottom(bottom: float, font_size: float) -> float:
    """The baseline that puts a text box's bottom edge at ``bottom``."""
    return bottom - _DESCENT * font_size


@dataclass(frozen=True)
class Box:
    """A vertex to place: ``key`` names it; ``width`` × ``height`` is the room its drawing needs."""

    key: str
    width: float
    height: float


@dataclass(frozen=True)
class Link:
    """An edge from ``source`` to ``target`` (keys); a label box of ``label_width`` × ``label_height``
    (0 × 0: no label) sits on it, centred on the line."""

    source: str
    target: str
    label_width: float = 0.0
    label_height: float = 0.0


@dataclass(frozen=True)
class Placed:
    """A placed box: centre (x, y) and size; y grows downwards, as in SVG."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Route:
    """An edge's path: horizontal ``runs`` (x_start, x_end, y), left to right, to be joined by curves
    across the gaps; the first starts at the source's right side, the last ends at the target's left
    side. ``label`` is the centre of its label box (on its line), or None."""

    runs: tuple[tuple[float, float, float], ...]
    label: tuple[float, float] | None


@dataclass(frozen=True)
class Layout:
    """Where everything goes: ``boxes`` by key, one ``Route`` per link in order; all inside width × height."""

    boxes: dict
    routes: tuple[Route, ...]
    width: float
    height: float


def layered_layout(boxes: Iterable[Box], links: Iterable[Link], node_gap: float = 14.0, port: float = 10.0,
                   min_gap: float = 28.0) -> Layout:
    """Place ``boxes`` in layers from left to right and route ``links`` between them (see the module's docstring).

    ``node_gap``: the least vertical room between two members of a column; ``port``:
    the room left of and right of a column's widest box, where arrows end;
    ``min_gap``: the least horizontal room between columns. Raises ValueError for
    a repeated key, an edge to an unknown key, a self-loop or a cycle.
    """
    boxes, links = list(boxes), list(links)
    index = {}
    for i, b in enumerate(boxes):
        if b.key in index:
            raise ValueError(f"layout got the vertex {b.key!r} twice")
        index[b.key] = i
    edges = []
    for link in links:
        for key in (link.source, link.target):
            if key not in index:
                raise ValueError(f"layout got an edge {link.source!r} → {link.target!r}, but {key!r} is no vertex")
        if link.source == link.target:
            raise ValueError(f"layout got an edge from {link.source!r} to itself")
        edges.append((index[link.source], index[link.target]))
    layer = _layers(len(boxes), edges)

    # Items: the vertices first (item i is boxes[i]), then the chains' label boxes and dummies.
    rank = [2 * layer[i] for i in range(len(boxes))]
    width = [b.width for b in boxes]
    height = [b.height for b in boxes]
    real = [True] * len(boxes)
    chains, label_item = [], []
    for link, (s, t) in zip(links, edges):
        span = layer[t] - layer[s]
        label_rank = rank[s] + 1 + 2 * ((span - 1) // 2)
        chain, label = [s], None
        for r in range(rank[s] + 1, rank[t]):
            has_label = r == label_rank and link.label_height > 0
            rank.append(r)
            width.append(link.label_width if has_label else 0.0)
            height.append(link.label_height if has_label else _DUMMY_HEIGHT)
            real.append(False)
            chain.append(len(rank) - 1)
            label = len(rank) - 1 if has_label else label
        chains.append(chain + [t])
        label_item.append(label)
    up: list[list[tuple[int, float]]] = [[] for _ in rank]  # (neighbour in the column before, weight)
    down: list[list[tuple[int, float]]] = [[] for _ in rank]
    for chain in chains:
        for u, v in zip(chain, chain[1:]):
            w = 1.0 if real[u] and real[v] else 2.0 if real[u] or real[v] else 8.0
            down[u].append((v, w))
            up[v].append((u, w))

    columns: dict[int, list[int]] = {}
    for i, r in enumerate(rank):
        columns.setdefault(r, []).append(i)
    order = sorted(columns)
    _order_columns(columns, order, up, down)
    y = _heights(columns, order, up, down, height, node_gap)

    left, right, x = {}, {}, 0.0
    for k, r in enumerate(order):
        if k:
            steep = max((abs(y[a] - y[b]) for a in columns[order[k - 1]] for b, _ in down[a]), default=0.0)
            x += min_gap + min(0.25 * steep, 3 * min_gap)
        left[r] = x
        x += max(width[i] for i in columns[r]) + 2 * port
        right[r] = x
    top = min((y[i] - height[i] / 2 for i in range(len(rank))), default=0.0)
    bottom = max((y[i] + height[i] / 2 for i in range(len(rank))), default=0.0)

    def centre(i):
        return (left[rank[i]] + right[rank[i]]) / 2

    placed = {b.key: Placed(centre(i), y[i] - top, b.width, b.height) for i, b in enumerate(boxes)}
    routes = []
    for chain, label in zip(chains, label_item):
        s, t = chain[0], chain[-1]
        runs = [(centre(s) + width[s] / 2, right[rank[s]], y[s] - top)]
        runs += [(left[rank[m]], right[rank[m]], y[m] - top) for m in chain[1:-1]]
        runs.append((left[rank[t]], centre(t) - width[t] / 2, y[t] - top))
        routes.append(Route(tuple(runs), None if label is None else (centre(label), y[label] - top)))
    return Layout(placed, tuple(routes), x, bottom - top)


def _layers(n: int, edges) -> list[int]:
    """Longest path from the sources (in a topological order), then each source just before its first use."""
    succ: list[list[int]] = [[] for _ in range(n)]
    indegree = [0] * n
    for s, t in edges:
        succ[s].append(t)
        indegree[t] += 1
    ready = [i for i in range(n) if indegree[i] == 0]
    heapq.heapify(ready)  # the lowest index first: the same input, the same layers
    layer, done = [0] * n, 0
    while ready:
        i = heapq.heappop(ready)
        done += 1
        for t in succ[i]:
            layer[t] = max(layer[t], layer[i] + 1)
            indegree[t] -= 1
            if indegree[t] == 0:
                heapq.heappush(ready, t)
    if done < n:
        raise ValueError("layout expected edges without a cycle, but they form one")
    sources = {i for i in range(n)} - {t for _, t in edges}
    for i in sorted(sources):
        if succ[i]:
            layer[i] = min(layer[t] for t in succ[i]) - 1
    return layer


def _order_columns(columns, order, up, down) -> None:
    """Barycenter sweeps down and up the columns; keeps the order with the fewest crossings (in place)."""
    best = {r: list(c) for r, c in columns.items()}
    best_crossings = _crossings(columns, order, down)
    position = {i: k for c in columns.values() for k, i in enumerate(c)}
    for _ in range(_SWEEPS):
        if best_crossings == 0:
            break
        for rs, neighbours in ((order[1:], up), (order[-2::-1], down)):
            for r in rs:
                # A member without neighbours on that side keeps its place; ties keep the order.
                columns[r].sort(key=lambda i: (_barycenter(i, neighbours, position), position[i]))
                position.update((i, k) for k, i in enumerate(columns[r]))
            crossings = _crossings(columns, order, down)
            if crossings < best_crossings:
                best, best_crossings = {r: list(c) for r, c in columns.items()}, crossings
    columns.update(best)


def _barycenter(i, neighbours, position) -> float:
    near = neighbours[i]
    return sum(position[j] for j, _ in near) / len(near) if near else position[i]


def _crossings(columns, order, down) -> int:
    position = {i: k for c in columns.values() for k, i in enumerate(c)}
    total = 0
    for r in order:
        segments = [(position[a], position[b]) for a in columns[r] for b, _ in down[a]]
        total += sum(
            1 for k, (a1, b1) in enumerate(segments) for a2, b2 in segments[k + 1:] if (a1 - a2) * (b1 - b2) < 0
        )
    return total


def _heights(columns, order, up, down, height, node_gap) -> dict:
    """Each member's y: stacked first, then pulled towards its neighbours' weighted mean, column by column."""
    y = {}
    for r in order:
        top = 0.0
        for i in columns[r]:
            y[i] = top + height[i] / 2
            top += height[i] + node_gap
        for i in columns[r]:
            y[i] -= (top - node_gap) / 2

    def sweep(rs, sides):
        for r in rs:
            desired = []
            for i in columns[r]:
                near = [pair for side in sides for pair in side[i]]
                weight = sum(w for _, w in near)
                desired.append(sum(y[j] * w for j, w in near) / weight if near else y[i])
            for i, value in zip(columns[r], _fit(desired, [height[i] for i in columns[r]], node_gap)):
                y[i] = value

    for _ in range(4):
        sweep(order[1:], (up,))
        sweep(order[-2::-1], (down,))
    sweep(order[1:], (up,))  # last from the left: a lone edge between two columns runs level
    return y


def _fit(desired, heights, node_gap) -> list[float]:
    """Positions p, in order, nearest to ``desired`` in least squares, with p[k+1] − p[k] ≥ the half heights + node_gap.

    With offsets o[k] (the least distance from p[0]), q = p − o must not decrease: isotonic
    regression of desired − o, which pool-adjacent-violators solves exactly.
    """
    offsets = [0.0]
    for a, b in zip(heights, heights[1:]):
        offsets.append(offsets[-1] + (a + b) / 2 + node_gap)
    blocks = []  # [sum, count] of pooled targets
    for d, o in zip(desired, offsets):
        blocks.append([d - o, 1])
        while len(blocks) > 1 and blocks[-2][0] * blocks[-1][1] > blocks[-1][0] * blocks[-2][1]:
            total, count = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += count
    q = [total / count for total, count in blocks for _ in range(count)]
    return [a + o for a, o in zip(q, offsets)]
