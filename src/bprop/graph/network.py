"""A network drawn as a chain of layers, with output shapes and parameter counts.

A network is described by a list of layer specs, ``(type name, output shape,
parameter count)``, e.g. the book's two-layer net (§5.7):

>>> net = network_graph(two_layer())
>>> net.n_params
39760
>>> print(net)
layer            output shape  parameters
Affine           (N, 50)           39,250
Relu             (N, 50)                0
Affine           (N, 10)              510
SoftmaxWithLoss  ()                     0
total                              39,760

Shapes may hold names ("N" for the batch). ``save("net.svg")`` draws it
(bprop draws SVG itself; .png and .pdf go through Graphviz). The
specs of a real net are ``net.describe(input_shape)`` (``bprop.nets``), and the
table is the one ``print(net)`` shows.
"""

from __future__ import annotations

import html
import numbers
from collections.abc import Iterable, Sequence

from bprop._checks import integer, is_integer
from bprop.graph.render import Renderable
from bprop.graph.svg import chain_svg

# bprop.nets (the table, the presets' specs) is imported where it is used, so that
# `bprop graph --help`, which imports this module, does not import every layer.

__all__ = ["NetworkGraph", "network_graph", "two_layer", "multi_layer", "NETWORKS"]


def _shape(shape, where: str) -> tuple:
    if isinstance(shape, (numbers.Integral, str)):
        shape = (shape,)
    try:
        shape = tuple(shape)
    except TypeError:
        raise TypeError(f"{where} expected a shape (a tuple of sizes), got {shape!r}") from None
    for n in shape:
        ok = isinstance(n, str) or (is_integer(n) and n >= 0)
        if not ok:
            raise ValueError(f"{where} expected sizes as non-negative integers or names like 'N', got {shape!r}")
    return tuple(n if isinstance(n, str) else int(n) for n in shape)


def _spec(i: int, spec) -> tuple[str, tuple, int]:
    where = f"layer {i}"
    try:
        name, shape, n_params = spec
    except (TypeError, ValueError):
        raise TypeError(f"{where} expected (type name, output shape, parameter count), got {spec!r}") from None
    if not isinstance(name, str) or not name:
        raise TypeError(f"{where} expected a layer type name, got {name!r}")
    n_params = integer(n_params, "parameter count", 0, owner=f"{where} ({name})")
    return name, _shape(shape, f"{where} ({name})"), n_params


class NetworkGraph(Renderable):
    """A chain of layers to draw: ``layers`` holds (type name, output shape, parameter count)."""

    def __init__(self, layers: Iterable[Sequence], input_shape: tuple | None = None, title: str | None = None) -> None:
        self.layers = [_spec(i, s) for i, s in enumerate(layers)]
        if not self.layers:
            raise ValueError("network_graph expected at least one layer, got none")
        self.input_shape = None if input_shape is None else _shape(input_shape, "input_shape")
        self.title = title

    @property
    def n_params(self) -> int:
        return sum(n for _, _, n in self.layers)

    def __str__(self) -> str:
        from bprop.nets.summary import summary_table

        return summary_table(self.layers)

    def __repr__(self) -> str:
        return f"NetworkGraph({len(self.layers)} layers, {self.n_params:,} parameters)"

    def _chain(self):
        """What both pictures show: (caption, [(layer name, parameter text)], [shape text or None per arrow])."""
        from bprop.nets.summary import shape_text

        caption = (self.title + ": " if self.title else "") + f"{self.n_params:,} parameters"
        layers = [(name, f"{n:,} parameters" if n else "no parameters") for name, _, n in self.layers]
        shapes = [self.input_shape] + [shape for _, shape, _ in self.layers]
        arrows = [None if shape is None else shape_text(shape) for shape in shapes]
        return caption, layers, arrows

    def to_dot(self) -> str:
        """DOT text: input → one box per layer → output, each arrow labelled with the shape it carries."""
        caption, layers, arrows = self._chain()
        out = [
            "digraph network {",
            "  rankdir=TB;",
            '  node [shape=box, style="rounded,filled", fillcolor="#eef3fb", fontname="Helvetica"];',
            '  edge [fontname="Helvetica", fontsize=11];',
            f'  labelloc=b; fontname="Helvetica"; fontsize=11; label=<{html.escape(caption)}>;',
            "  input [shape=plaintext, style=none, label=<input>];",
        ]
        source = "input"
        for i, ((name, params), arrow) in enumerate(zip(layers, arrows)):
            out.append(
                f'  l{i} [label=<<b>{html.escape(name)}</b><br/><font point-size="10">{params}</font>>];'
            )
            label = "" if arrow is None else f" [label=<{html.escape(arrow)}>]"
            out.append(f"  {source} -> l{i}{label};")
            source = f"l{i}"
        out.append("  output [shape=plaintext, style=none, label=<output>];")
        out.append(f"  {source} -> output [label=<{html.escape(arrows[-1])}>];")
        out.append("}")
        return "\n".join(out) + "\n"

    def to_svg(self) -> str:
        """SVG drawn by bprop itself, nothing installed: the same column of boxes, input at the top."""
        caption, layers, arrows = self._chain()
        items = [("input", None, False)] + [(name, params, True) for name, params in layers] + [("output", None, False)]
        return chain_svg(items, arrows, caption)


def network_graph(layers: Iterable[Sequence], input_shape: tuple | None = None,
                  title: str | None = None) -> NetworkGraph:
    """Draw a network from its layer specs: a sequence of (type name, output shape, parameter count).

    >>> network_graph([("Affine", (1, 3), 9), ("Relu", (1, 3), 0)]).n_params
    9
    """
    return NetworkGraph(layers, input_shape=input_shape, title=title)


def two_layer(input_size: int = 784, hidden_size: int = 50, output_size: int = 10) -> list:
    """Layer specs of the book's TwoLayerNet (§5.7): Affine, Relu, Affine, SoftmaxWithLoss."""
    from bprop.nets import TwoLayerNet

    return TwoLayerNet(input_size, hidden_size, output_size, rng=0).describe((input_size,))


def multi_layer(input_size: int = 784, hidden_size_list: Sequence[int] = (100, 100, 100, 100),
                output_size: int = 10) -> list:
    """Layer specs of the book's MultiLayerNet (§6): (Affine, Relu) per hidden layer, then Affine, SoftmaxWithLoss."""
    from bprop.nets import MultiLayerNet

    return MultiLayerNet(input_size, list(hidden_size_list), output_size, rng=0).describe((input_size,))


# The presets `bprop graph NAME` knows: name → a function returning its NetworkGraph.
NETWORKS = {
    "two-layer": lambda: network_graph(two_layer(), input_shape=("N", 784), title="TwoLayerNet(784, 50, 10)"),
    "multi-layer": lambda: network_graph(
        multi_layer(), input_shape=("N", 784), title="MultiLayerNet(784, [100, 100, 100, 100], 10)"
    ),
}
