"""A net as a table: each layer, the shape of its output, its parameter count.

One implementation, used by ``print(net)`` (``Sequential.summary``, whose
labels are the layers' reprs) and by the network pictures of
``bprop.graph.network`` (whose labels are the layer types; its docstring shows
the table).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple


class LayerSummary(NamedTuple):
    """One row of ``Sequential.describe``: the spec ``bprop.graph.network_graph`` draws."""

    type: str
    output_shape: tuple
    param_count: int


def shape_text(shape: Sequence[object] | None) -> str:
    """(N, 50) for ("N", 50), (3,) for a 1-tuple, ? when the shape is unknown (None)."""
    if shape is None:
        return "?"
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def summary_table(rows: Iterable[tuple[object, Sequence[object] | None, int]], title: str | None = None) -> str:
    """The table of (label, output shape or None, parameter count) rows, with a total; ``title`` above it."""
    cells = [(str(label), shape_text(shape), int(count)) for label, shape, count in rows]
    width = max(len("layer"), *(len(label) for label, _, _ in cells)) + 2
    shape_width = max(12, *(len(shape) + 2 for _, shape, _ in cells))  # 12: 'output shape'
    lines = [title] if title else []
    lines.append(f"{'layer':<{width}}{'output shape':<{shape_width}}{'parameters':>12}")
    lines += [f"{label:<{width}}{shape:<{shape_width}}{count:>12,}" for label, shape, count in cells]
    lines.append(f"{'total':<{width}}{'':<{shape_width}}{sum(c for _, _, c in cells):>12,}")
    return "\n".join(lines)
