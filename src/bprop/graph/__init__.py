"""Computational graphs you can see: forward values and backward gradients on every edge.

Chapter 5 of the book teaches backpropagation with computational graphs: each
node passes values forward, and gradients flow back along the same edges. This
package is a small engine for exactly that, and draws the book's figures from
real numbers.

Build an expression from nodes, run backward, read the gradients, draw it.
The sigmoid as the book draws it, x → ×(−1) → exp → +1 → / → y:

>>> from bprop.graph import Graph
>>> g = Graph()
>>> x = g.input("x", 1.0)
>>> y = g.reciprocal(g.add(g.exp(g.negate(x)), 1.0), name="y")
>>> g.backward(y, dout=1.0)          # dL/dy = 1 enters from the right
>>> print(f"y = {y.data:.4f}, dx = {x.grad:.4f}")   # dx = dout·y·(1 − y)
y = 0.7311, dx = 0.1966
>>> ">0.7311</text>" in g.to_svg()    # SVG drawn by bprop itself: nothing to install
True
>>> "0.7311" in g.to_dot()           # DOT text for Graphviz
True

``g.save("sigmoid.svg")`` writes the picture. bprop lays out and draws SVG
itself, in pure Python, so .svg and .dot need nothing installed, and in a
notebook a Graph displays itself inline. PNG and PDF go through Graphviz's
``dot`` (``sudo apt-get install graphviz``), and so does SVG with
``save(path, renderer="graphviz")``. Operators record nodes too:
``y = 1 / (1 + g.exp(-x))`` builds the same graph.

The nodes (each with forward and backward side by side, in ``nodes.py``):
Mul, Add, Negate, Exp, Log, Reciprocal (1/x), Max0 (ReLU), Sum, MatMul,
Square. Subclass ``Node`` for your own and record it with ``g.apply(node, x)``.

The book's graphs, ready made (``builtin.py``, and ``bprop graph NAME``):

>>> from bprop.graph import shopping
>>> g = shopping()                   # 2 apples at 100 yen, 3 oranges at 150, tax 1.1
>>> g.backward(dout=1)
>>> print(f"{g['price'].data:.0f} yen; {g['apple'].grad:.2f} {g['apple_num'].grad:.0f} {g['tax'].grad:.0f}")
715 yen; 2.20 110 650

Also ``sigmoid``, ``relu``, ``tanh``, ``affine``, ``softmax_with_loss`` and
``mse``. ``network_graph(layers)`` draws a whole network as a chain of layers
from (type name, output shape, parameter count) specs.
"""

from bprop.graph.builtin import GRAPHS, affine, mse, relu, shopping, sigmoid, softmax_with_loss, tanh
from bprop.graph.engine import Graph, Step, Value
from bprop.graph.network import NETWORKS, NetworkGraph, multi_layer, network_graph, two_layer
from bprop.graph.nodes import Add, Exp, Log, MatMul, Max0, Mul, Negate, Node, Reciprocal, Square, Sum
from bprop.graph.render import GraphvizError, format_number

__all__ = [
    "Graph", "Value", "Step", "Node",
    "Mul", "Add", "Negate", "Exp", "Log", "Reciprocal", "Max0", "Sum", "MatMul", "Square",
    "sigmoid", "relu", "tanh", "affine", "softmax_with_loss", "shopping", "mse", "GRAPHS",
    "network_graph", "NetworkGraph", "two_layer", "multi_layer", "NETWORKS",
    "GraphvizError", "format_number",
]
