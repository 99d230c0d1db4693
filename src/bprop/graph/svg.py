"""SVG drawn by bprop itself, in pure Python: computational graphs and networks, with nothing installed.

``graph_svg(g)`` draws what ``scene.graph_scene`` lists, laid out from left to
right by ``layout.layered_layout``: nodes as circles with their symbol, inputs
and the output as plain labels, constants as grey numbers, branch points as
dots; on each edge the forward value above the line in blue and, after
``backward``, the gradient below it in red — the colours and numbers of the
DOT picture. Every box is sized from its text (``layout.text_width``), so no
two labels overlap. ``chain_svg`` draws a network as a column of boxes.

The output is deterministic (the same graph gives the same bytes), all text
is XML-escaped, and nothing refers to ids, so several pictures can share one
notebook page.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from typing import Any

from bprop.graph.layout import Box, Link, baseline_for_bottom, baseline_for_top, layered_layout, text_height, text_width
from bprop.graph.scene import BACKWARD_COLOR, CONST_COLOR, FORWARD_COLOR, graph_scene

__all__ = ["graph_svg", "chain_svg", "NODE_FONT", "EDGE_FONT", "SMALL_FONT"]

FONT_FAMILY = "Helvetica, Arial, sans-serif"
NODE_FONT = 14  # a node's symbol, an input's name
EDGE_FONT = 11  # the numbers on the edges, the caption
SMALL_FONT = 10  # a layer's parameter count
LAYER_FILL = "#eef3fb"
MARGIN = 12.0
LINE_GAP = 3.0  # between an edge's line and the texts above and below it
ARROW_LENGTH, ARROW_HALF_WIDTH = 8.0, 4.0
_PAD = 3.0  # around a plain label
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def graph_svg(g: Any) -> str:  # Any: graph.engine imports this module, so Graph is not imported here
    """The SVG picture of a ``Graph`` (see the module's docstring)."""
    scene = graph_scene(g)
    layout = layered_layout([_vertex_box(v) for v in scene.vertices], [_link(e) for e in scene.edges])
    caption = [] if scene.title is None else [[(scene.title, "#000000")]]
    caption.append([("blue: forward value", FORWARD_COLOR), ("red: backward gradient ∂L/∂(edge)", BACKWARD_COLOR)])
    doc = _Document(layout.width, layout.height, caption, scene.title)
    dx, dy = doc.offset
    for e, route in zip(scene.edges, layout.routes):
        doc.open("edge")
        runs = [(x0 + dx, x1 + dx, y + dy) for x0, x1, y in route.runs]
        doc.path(runs, e.arrow)
        if route.label is not None:
            x, y = route.label[0] + dx, route.label[1] + dy
            if e.forward is not None:
                doc.text(e.forward, x, baseline_for_bottom(y - LINE_GAP, EDGE_FONT), EDGE_FONT, FORWARD_COLOR)
            if e.backward is not None:
                doc.text(e.backward, x, baseline_for_top(y + LINE_GAP, EDGE_FONT), EDGE_FONT, BACKWARD_COLOR)
        doc.close()
    for v in scene.vertices:
        p = layout.boxes[v.key]
        x, y = p.x + dx, p.y + dy
        doc.open(f"node {v.kind}")
        if v.kind == "node":
            doc.circle(x, y, p.width / 2, "#ffffff")
        elif v.kind == "branch":
            doc.circle(x, y, p.width / 2, "#000000")
        if v.label:
            colour = CONST_COLOR if v.kind == "const" else "#000000"
            doc.text(v.label, x, _centred_baseline(y, NODE_FONT), NODE_FONT, colour)
        doc.close()
    return doc.finish()


def _vertex_box(v) -> Box:
    w, h = text_width(v.label, NODE_FONT), text_height(NODE_FONT)
    if v.kind == "node":  # a circle holding its text box, corners included
        d = 2 * max(18.0, math.ceil(math.hypot(w / 2, h / 2)) + 4)
        return Box(v.key, d, d)
    if v.kind == "branch":
        return Box(v.key, 6.0, 6.0)
    return Box(v.key, w + 2 * _PAD, h + 2 * _PAD)


def _link(e) -> Link:
    if e.forward is None and e.backward is None:
        return Link(e.source, e.target)
    w = max(text_width(t, EDGE_FONT) for t in (e.forward, e.backward) if t is not None)
    # The line runs through the middle: one text's room above it, one below, so it stays centred.
    return Link(e.source, e.target, w + 2 * _PAD, 2 * (text_height(EDGE_FONT) + LINE_GAP))


def chain_svg(items: Sequence[tuple[str, str | None, bool]], labels: Sequence[str | None], caption: str) -> str:
    """A column of boxes joined by downward arrows: a network, input at the top.

    ``items``: (name, detail or None, boxed) from top to bottom — a boxed item is
    a rounded box with its name in bold over its detail; the others plain labels.
    ``labels[k]``: the text beside the arrow from item k to item k + 1, or None.
    ``caption``: the line under the picture.
    """
    if len(labels) != len(items) - 1:
        raise ValueError(f"chain_svg expected {len(items) - 1} arrow labels for {len(items)} items, got {len(labels)}")
    sizes = [_item_size(name, detail, boxed) for name, detail, boxed in items]
    label_widths = [0.0 if t is None else text_width(t, EDGE_FONT) for t in labels]
    gap = 2 * ARROW_LENGTH + text_height(EDGE_FONT) + 8
    half = max(w for w, _ in sizes) / 2
    right = max([half] + [8 + w for w in label_widths])
    height = sum(h for _, h in sizes) + gap * (len(items) - 1)
    doc = _Document(half + right, height, [[(caption, "#000000")]], caption)
    cx, top = doc.offset[0] + half, doc.offset[1]
    centres = []
    for _, h in sizes:
        centres.append(top + h / 2)
        top += h + gap
    for k, text in enumerate(labels):
        y0, y1 = centres[k] + sizes[k][1] / 2, centres[k + 1] - sizes[k + 1][1] / 2
        doc.open("edge")
        doc.line(cx, y0, cx, y1)
        if text is not None:
            doc.text(text, cx + 8, _centred_baseline((y0 + y1) / 2, EDGE_FONT), EDGE_FONT, "#000000", "start")
        doc.close()
    for (name, detail, boxed), (w, h), y in zip(items, sizes, centres):
        doc.open("node layer" if boxed else "node end")
        if boxed:
            doc.rect(cx - w / 2, y - h / 2, w, h)
            name_y = y - h / 2 + _PAD * 2
            doc.text(name, cx, baseline_for_top(name_y, NODE_FONT), NODE_FONT, "#000000", bold=True)
            if detail is not None:
                doc.text(detail, cx, baseline_for_top(name_y + text_height(NODE_FONT), SMALL_FONT), SMALL_FONT,
                         "#000000")
        else:
            doc.text(name, cx, _centred_baseline(y, NODE_FONT), NODE_FONT, "#000000")
        doc.close()
    return doc.finish()


def _item_size(name, detail, boxed) -> tuple[float, float]:
    w, h = text_width(name, NODE_FONT, bold=boxed), text_height(NODE_FONT)
    if not boxed:
        return w + 2 * _PAD, h + 2 * _PAD
    if detail is not None:
        w, h = max(w, text_width(detail, SMALL_FONT)), h + text_height(SMALL_FONT)
    return w + 8 * _PAD, h + 4 * _PAD


def _centred_baseline(y: float, size: float) -> float:
    return baseline_for_top(y - text_height(size) / 2, size)


class _Document:
    """An SVG being written: content of ``width`` × ``height`` at ``offset``, then the caption lines centred under it."""

    def __init__(self, width: float, height: float, caption, title: str | None):
        line = text_height(EDGE_FONT) + 4
        caption_widths = [sum(text_width(t, EDGE_FONT) for t, _ in parts) + 2 * EDGE_FONT * (len(parts) - 1)
                          for parts in caption]
        self.width = max([width] + caption_widths) + 2 * MARGIN
        self.height = height + 2 * MARGIN + (line * len(caption) + MARGIN if caption else 0)
        self.offset = ((self.width - width) / 2, MARGIN)
        self.parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(self.width)}" height="{_n(self.height)}" '
            f'viewBox="0 0 {_n(self.width)} {_n(self.height)}" font-family="{FONT_FAMILY}">',
        ]
        if title is not None:
            self.parts.append(f"<title>{_escape(title)}</title>")
        self.parts.append(f'<rect x="0" y="0" width="{_n(self.width)}" height="{_n(self.height)}" fill="#ffffff"/>')
        top = height + 2 * MARGIN
        self.open("caption")
        for parts, w in zip(caption, caption_widths):
            x = (self.width - w) / 2
            for text, colour in parts:
                self.text(text, x, baseline_for_top(top, EDGE_FONT), EDGE_FONT, colour, "start")
                x += text_width(text, EDGE_FONT) + 2 * EDGE_FONT
            top += line
        self.close()

    def open(self, kind: str) -> None:
        self.parts.append(f'<g class="{kind}">')

    def close(self) -> None:
        self.parts.append("</g>")

    def text(self, text, x, baseline, size, colour, anchor="middle", bold=False) -> None:
        weight = ' font-weight="bold"' if bold else ""
        self.parts.append(
            f'<text x="{_n(x)}" y="{_n(baseline)}" font-size="{size}"{weight} fill="{colour}" '
            f'text-anchor="{anchor}">{_escape(text)}</text>'
        )

    def circle(self, x, y, r, fill) -> None:
        self.parts.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" fill="{fill}" stroke="#000000"/>')

    def rect(self, x, y, w, h) -> None:
        self.parts.append(
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" rx="6" fill="{LAYER_FILL}" '
            'stroke="#000000"/>'
        )

    def line(self, x0, y0, x1, y1) -> None:
        """A straight downward arrow from (x0, y0) to its tip at (x1, y1)."""
        self.parts.append(f'<path d="M{_n(x0)},{_n(y0)} V{_n(y1 - ARROW_LENGTH)}" fill="none" stroke="#000000"/>')
        self._arrowhead(x1, y1, (0.0, 1.0))

    def path(self, runs, arrow: bool) -> None:
        """Horizontal runs joined by S-curves across the gaps; an arrowhead at the end of the last run."""
        (x0, x1, y), *rest = runs
        ends = [x1] + [run[1] for run in rest]
        if arrow:
            ends[-1] -= ARROW_LENGTH
        d = [f"M{_n(x0)},{_n(y)}"]
        px, py = ends[0], y
        for (x0, _, y), end in zip(rest, ends[1:]):
            if _n(y) != _n(py):  # level runs merge into one; a change of height bends in the gap
                mid = (px + x0) / 2
                d.append(f"H{_n(px)} C{_n(mid)},{_n(py)} {_n(mid)},{_n(y)} {_n(x0)},{_n(y)}")
            px, py = end, y
        d.append(f"H{_n(px)}")
        self.parts.append(f'<path d="{" ".join(d)}" fill="none" stroke="#000000"/>')
        if arrow:
            self._arrowhead(runs[-1][1], runs[-1][2], (1.0, 0.0))

    def _arrowhead(self, x, y, direction) -> None:
        ux, uy = direction
        bx, by = x - ux * ARROW_LENGTH, y - uy * ARROW_LENGTH
        points = [(x, y), (bx - uy * ARROW_HALF_WIDTH, by + ux * ARROW_HALF_WIDTH),
                  (bx + uy * ARROW_HALF_WIDTH, by - ux * ARROW_HALF_WIDTH)]
        text = " ".join(f"{_n(px)},{_n(py)}" for px, py in points)
        self.parts.append(f'<polygon points="{text}" fill="#000000" stroke="#000000"/>')

    def finish(self) -> str:
        return "\n".join(self.parts + ["</svg>"]) + "\n"


def _n(x: float) -> str:
    """A coordinate with at most two decimals: short, and the same on every machine."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _escape(text) -> str:
    # XML 1.0 forbids most control characters even escaped; a name holding one still draws.
    return html.escape(_INVALID_XML.sub("\ufffd", str(text)), quote=True)
