"""The engine: Values (the edges of the picture) and a Graph that records nodes and runs backward.

A ``Graph`` records nodes (``nodes.py``) as they are applied to ``Value``s. A
Value is one edge of the picture: ``data`` is the number that flows forward
along it, and after ``Graph.backward`` its ``grad`` is the number that flows
back, ∂L/∂value. Backward walks the recorded nodes in reverse order, so every
node sees its whole ∂L/∂output before it runs; a value used twice (a branch)
receives the sum of the gradients from its uses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from bprop._types import Numeric
from bprop.graph.nodes import Add, Exp, Log, MatMul, Max0, Mul, Negate, Node, Reciprocal, Square, Sum
from bprop.graph.render import Renderable, format_number, graph_to_dot
from bprop.graph.svg import graph_svg

__all__ = ["Value", "Step", "Graph"]


def _data(x, what: str):
    """A real number or array as float data: 0-d becomes a NumPy scalar; ints become float64."""
    if isinstance(x, Value):
        raise TypeError(f"{what} expected a number or array, got a Value; pass it to the node instead")
    a = np.asarray(x)
    if a.dtype.kind in "iu":
        a = a.astype(np.float64)
    elif a.dtype.kind != "f":
        raise TypeError(f"{what} expected a real number or array, got dtype {a.dtype}")
    return a[()] if a.ndim == 0 else a


class Value:
    """One edge of the graph: ``data`` flows forward; after backward, ``grad`` = ∂L/∂(this value).

    ``kind`` is "input" (made by ``Graph.input``), "const" (a number you passed
    to a node; drawn without a gradient) or "node" (a node's output).
    Arithmetic operators record nodes: ``1 / (1 + g.exp(-x))`` is the sigmoid.
    """

    # NumPy defers to our reflected operators instead of making object arrays.
    __array_ufunc__ = None

    def __init__(self, graph: Graph, data: Numeric, name: str | None, kind: str) -> None:
        self.graph = graph
        self.data = data
        self.name = name
        self.kind = kind
        self.grad: Numeric | None = None

    @property
    def shape(self) -> tuple:
        return np.shape(self.data)

    def __repr__(self) -> str:
        name = f"{self.name} = " if self.name else ""
        grad = "" if self.grad is None else f", grad {format_number(self.grad)}"
        return f"Value({name}{format_number(self.data)}{grad})"

    def __add__(self, other: Value | Numeric) -> Value:
        return self.graph.add(self, other)

    def __radd__(self, other: Value | Numeric) -> Value:
        return self.graph.add(other, self)

    def __mul__(self, other: Value | Numeric) -> Value:
        return self.graph.mul(self, other)

    def __rmul__(self, other: Value | Numeric) -> Value:
        return self.graph.mul(other, self)

    def __neg__(self) -> Value:
        return self.graph.negate(self)

    def __sub__(self, other: Value | Numeric) -> Value:
        return self.graph.add(self, -other)

    def __rsub__(self, other: Value | Numeric) -> Value:
        return self.graph.add(other, self.graph.negate(self))

    def __truediv__(self, other: Value | Numeric) -> Value:
        other = self.graph.reciprocal(other) if isinstance(other, Value) else 1 / np.asarray(other)
        return self.graph.mul(self, other)

    def __rtruediv__(self, other: Numeric) -> Value:
        r = self.graph.reciprocal(self)
        return r if np.all(np.asarray(other) == 1) and np.ndim(other) == 0 else self.graph.mul(other, r)

    def __matmul__(self, other: Value | Numeric) -> Value:
        return self.graph.matmul(self, other)

    def __rmatmul__(self, other: Value | Numeric) -> Value:
        return self.graph.matmul(other, self)


@dataclass
class Step:
    """One recorded application: the node, its input Values, its output Value and,
    after backward, the gradient it sent back along each input edge."""

    node: Node
    inputs: tuple[Value, ...]
    output: Value
    grads: tuple | None = None


class Graph(Renderable):
    """A computational graph: records nodes as you apply them, then runs backward.

    >>> g = Graph()
    >>> x = g.input("x", 1.0)
    >>> y = g.reciprocal(g.add(g.exp(g.negate(x)), 1.0), name="y")
    >>> g.backward(y, dout=1.0)
    >>> print(f"{float(y.data):.4f} {float(x.grad):.4f}")
    0.7311 0.1966

    ``values`` lists every Value in the order made; ``steps`` every node applied.
    ``g["x"]`` finds a value by name. ``to_svg()`` draws it (pure Python, also
    shown inline in a notebook), ``to_dot()`` gives Graphviz DOT text, and
    ``save("g.svg")`` writes a picture (.dot, .svg; .png and .pdf through Graphviz).
    """

    def __init__(self, title: str | None = None) -> None:
        self.title = title
        self.values: list[Value] = []
        self.steps: list[Step] = []
        self.output: Value | None = None
        self.dout: Numeric | None = None

    def __repr__(self) -> str:
        inputs = ", ".join(str(v.name) for v in self.values if v.kind == "input")
        return f"Graph({len(self.steps)} nodes; inputs: {inputs or 'none'})"

    def __getitem__(self, name: str) -> Value:
        for v in self.values:
            if v.name == name:
                return v
        names = [v.name for v in self.values if v.name]
        raise KeyError(f"no value named {name!r}; named values: {', '.join(names) or 'none'}")

    def _new(self, data, name, kind) -> Value:
        if name is not None and not isinstance(name, str):
            raise TypeError(f"a value's name must be a string, got {type(name).__name__}")
        v = Value(self, data, name, kind)
        self.values.append(v)
        return v

    def input(self, name: str, value: ArrayLike) -> Value:
        """A named input (x, W, apple …): drawn as a source node; backward gives its grad."""
        data = _data(value, f"input {name!r}")
        if not np.all(np.isfinite(data)):
            raise ValueError(f"input {name!r} expected finite numbers, got {data}")
        # Copy arrays, so later changes to the caller's array cannot change the picture.
        return self._new(data if np.ndim(data) == 0 else np.array(data), name, "input")

    def const(self, value: ArrayLike, name: str | None = None) -> Value:
        """A constant (the 1 in 1 + exp(−x)): drawn with its number, without a gradient."""
        return self._new(_data(value, "const"), name, "const")

    def _as_value(self, x, dtype) -> Value:
        if isinstance(x, Value):
            if x.graph is not self:
                raise ValueError(f"{x!r} belongs to another Graph; build one expression in one Graph")
            return x
        data = _data(x, "a node")
        if dtype is not None and np.result_type(data).kind == "f":
            data = np.asarray(data, dtype=dtype)[()]  # a constant takes its partner's dtype
        return self.const(data)

    def apply(self, node: Node, *inputs: Value | Numeric, name: str | None = None) -> Value:
        """Run ``node.forward`` on the inputs' data and record it; return the output Value.

        Inputs may be Values of this graph or plain numbers/arrays (recorded as constants).
        """
        dtype = next((np.result_type(x.data) for x in inputs if isinstance(x, Value)), None)
        values = tuple(self._as_value(x, dtype) for x in inputs)
        data = np.asarray(node.forward(*(v.data for v in values)))
        out = self._new(data[()] if data.ndim == 0 else data, name, "node")
        self.steps.append(Step(node, values, out))
        return out

    # One method per node, so an expression reads like the formula.
    def mul(self, x: Value | Numeric, y: Value | Numeric, name: str | None = None) -> Value:
        return self.apply(Mul(), x, y, name=name)

    def add(self, x: Value | Numeric, y: Value | Numeric, name: str | None = None) -> Value:
        return self.apply(Add(), x, y, name=name)

    def negate(self, x: Value | Numeric, name: str | None = None) -> Value:
        return self.apply(Negate(), x, name=name)

    def exp(self, x: Value | Numeric, name: str | None = None) -> Value:
        return self.apply(Exp(), x, name=name)

    def log(self, x: Value | Numeric, name: str | None = None) -> Value:
        return self.apply(Log(), x, name=name)

    def reciprocal(self, x: Value | Numeric, name: str | None = None) -> Value:
        return self.apply(Reciprocal(), x, name=name)

    def max0(self, x: Value | Numeric, name: str | None = None) -> Value:
        return self.apply(Max0(), x, name=name)

    def sum(self, x: Value | Numeric, axis: int | tuple[int, ...] | None = None, keepdims: bool = False,
            name: str | None = None) -> Value:
        return self.apply(Sum(axis, keepdims), x, name=name)

    def matmul(self, x: Value | Numeric, W: Value | Numeric, name: str | None = None) -> Value:
        return self.apply(MatMul(), x, W, name=name)

    def square(self, x: Value | Numeric, name: str | None = None) -> Value:
        return self.apply(Square(), x, name=name)

    def backward(self, y: Value | None = None, dout: Numeric = 1.0) -> None:
        """Set ``grad`` = ∂L/∂v on every value, where ∂L/∂y = ``dout`` enters at ``y``.

        ``y`` defaults to the last node's output. ``dout`` is a number (copied to
        every element of y) or an array of y's shape. Runs each recorded node's
        backward in reverse order; a value feeding several nodes sums their
        gradients (the branch rule). Calling it again recomputes from scratch.
        """
        if y is None:
            if not self.steps:
                raise ValueError("backward needs at least one node; apply a node to an input first")
            y = self.steps[-1].output
        if not isinstance(y, Value) or y.graph is not self:
            raise TypeError(f"backward expected a Value of this graph, got {y!r}")
        dout = np.asarray(_data(dout, "backward's dout"), dtype=np.result_type(y.data))
        if dout.shape != y.shape:
            if dout.ndim:
                raise ValueError(f"backward got dout of shape {dout.shape}, but y has shape {y.shape}")
            dout = np.full(y.shape, dout)
        if not np.all(np.isfinite(dout)):
            raise ValueError(f"backward expected a finite dout, got {dout}")
        for v in self.values:
            v.grad = np.zeros_like(v.data)[()]
        y.grad = dout[()]
        self.output, self.dout = y, y.grad
        for step in reversed(self.steps):
            grads = step.node.backward(step.output.grad)
            if len(grads) != len(step.inputs):
                raise TypeError(
                    f"{type(step.node).__name__}.backward returned {len(grads)} gradients "
                    f"for {len(step.inputs)} inputs"
                )
            step.grads = tuple(np.asarray(g)[()] for g in grads)
            for v, g in zip(step.inputs, step.grads):
                if np.shape(g) != v.shape:
                    raise ValueError(
                        f"{type(step.node).__name__}.backward returned a gradient of shape "
                        f"{np.shape(g)} for an input of shape {v.shape}"
                    )
                v.grad = v.grad + g  # a new object: step.grads keeps each edge's own share

    def to_dot(self) -> str:
        """Graphviz DOT text: each edge shows its forward value (blue) over its gradient (red)."""
        return graph_to_dot(self)

    def to_svg(self) -> str:
        """SVG drawn by bprop itself, nothing installed: forward values (blue) above the edges, gradients (red) below."""
        return graph_svg(self)
