"""bprop's own SVG: every number in its colour, no two boxes overlapping, nothing needing Graphviz."""

from __future__ import annotations

import itertools
import math
import os
import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import bprop.graph as bg
from bprop.graph import Graph, GraphvizError, format_number
from bprop.graph import render as render_module
from bprop.graph.layout import text_box
from bprop.graph.scene import BACKWARD_COLOR, CONST_COLOR, FORWARD_COLOR

from support import needs_dot

NS = "{http://www.w3.org/2000/svg}"
BLACK = "#000000"


def texts(root, fill=None) -> list[str]:
    return [t.text for t in root.iter(NS + "text") if fill is None or t.get("fill") == fill]


def _text_box(t):
    return text_box(t.text, float(t.get("x")), float(t.get("y")), float(t.get("font-size")),
                    t.get("text-anchor"), bold=t.get("font-weight") == "bold")


def _shape_box(el):
    if el.tag == NS + "circle":
        x, y, r = (float(el.get(a)) for a in ("cx", "cy", "r"))
        return x - r, y - r, x + r, y + r
    x, y, w, h = (float(el.get(a)) for a in ("x", "y", "width", "height"))
    return x, y, x + w, y + h


def boxes(root) -> list[tuple]:
    """(x0, y0, x1, y1, what): each node (its shape and its texts together), each edge text, each caption text."""
    out = []
    for g in root.iter(NS + "g"):
        kind = g.get("class").split()[0]
        if kind == "node":
            parts = [_shape_box(el) for el in g if el.tag in (NS + "circle", NS + "rect")]
            parts += [_text_box(t) for t in g.iter(NS + "text")]
            x0, y0, x1, y1 = (f(p[k] for p in parts) for k, f in enumerate((min, min, max, max)))
            out.append((x0, y0, x1, y1, "node " + " ".join(texts(g))))
        else:
            out += [(*_text_box(t), t.text) for t in g.iter(NS + "text")]
    return out


def assert_nothing_overlaps(root):
    width, height = float(root.get("width")), float(root.get("height"))
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    found = boxes(root)
    assert found
    for x0, y0, x1, y1, what in found:
        assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height, f"{what!r} lies outside the picture"
    for a, b in itertools.combinations(found, 2):
        apart = a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
        assert apart, f"{a[4]!r} at {a[:4]} overlaps {b[4]!r} at {b[:4]}"
    for g in root.iter(NS + "g"):  # a node's symbol lies inside its circle, corners included
        for circle in g.findall(NS + "circle"):
            cx, cy, r = (float(circle.get(a)) for a in ("cx", "cy", "r"))
            for t in g.findall(NS + "text"):
                x0, y0, x1, y1 = _text_box(t)
                assert all(math.hypot(x - cx, y - cy) <= r for x in (x0, x1) for y in (y0, y1)), t.text


def check_graph_svg(g: Graph) -> ET.Element:
    """The picture of g shows each node, each value in blue, each gradient in red, and nothing overlaps."""
    root = ET.fromstring(g.to_svg())
    assert root.tag == NS + "svg"
    black, blue, red = texts(root, BLACK), texts(root, FORWARD_COLOR), texts(root, BACKWARD_COLOR)
    blue, red = [t for t in blue if not t.startswith("blue:")], [t for t in red if not t.startswith("red:")]
    for step in g.steps:
        assert step.node.symbol in black
    for v in g.values:
        if v.kind == "input":
            assert v.name in black
        if v.kind == "const":
            assert (f"{v.name} = " if v.name else "") + format_number(v.data) in texts(root, CONST_COLOR)
    drawn = {id(x) for step in g.steps for x in step.inputs} | {id(g.output)} | {id(s.output) for s in g.steps}
    for v in g.values:
        if v.kind != "const" and id(v) in drawn:
            value = format_number(v.data)
            assert value in blue or f"{v.name} = {value}" in blue, (v, blue)
    if g.output is None:
        assert red == []
    else:
        for step in g.steps:
            for x, grad in zip(step.inputs, step.grads):
                if x.kind != "const":
                    assert format_number(grad) in red and format_number(x.grad) in red, (x, red)
        assert format_number(g.dout) in red and len(red) == len(blue)
    for edge in root.iter(NS + "g"):
        if edge.get("class") == "edge":
            above = [t for t in edge.findall(NS + "text") if t.get("fill") == FORWARD_COLOR]
            below = [t for t in edge.findall(NS + "text") if t.get("fill") == BACKWARD_COLOR]
            for a, b in zip(above, below):  # forward over gradient, one above the other
                assert a.get("x") == b.get("x") and float(a.get("y")) < float(b.get("y"))
    assert_nothing_overlaps(root)
    return root


def test_sigmoid_svg_shows_the_books_numbers_in_their_colours():
    g = bg.sigmoid(1.0)
    g.backward(dout=1.0)
    root = check_graph_svg(g)
    assert {"×(−1)", "exp", "+", "/", "x", "y"} <= set(texts(root, BLACK))
    assert {"1", "-1", "0.3679", "1.368", "0.7311"} <= set(texts(root, FORWARD_COLOR))
    assert {"0.1966", "-0.1966", "-0.5344", "1"} <= set(texts(root, BACKWARD_COLOR))
    assert texts(root, CONST_COLOR) == ["1"]


def test_shopping_svg_shows_715_yen_and_every_gradient():
    g = bg.shopping()
    g.backward()
    root = check_graph_svg(g)
    blue, red = texts(root, FORWARD_COLOR), texts(root, BACKWARD_COLOR)
    assert {"100", "2", "150", "3", "1.1", "200", "450", "650", "715"} <= set(blue)
    assert {"2.2", "110", "3.3", "165", "650", "1"} <= set(red)
    assert red.count("1.1") == 3  # both products and their sum: addition passes 1.1 on
    assert {"apple", "apple_num", "orange", "orange_num", "tax", "price"} <= set(texts(root, BLACK))


@pytest.mark.parametrize("backward", [False, True], ids=["forward-only", "after-backward"])
@pytest.mark.parametrize("name", list(bg.GRAPHS))
def test_every_builtin_graph_draws_its_numbers_without_overlaps(name, backward):
    g = bg.GRAPHS[name]()
    if backward:
        g.backward()
    check_graph_svg(g)


@pytest.mark.parametrize("kwargs", [{"batch": 4}, {"seed": 3}])
def test_affine_with_array_labels_gets_edges_long_enough(kwargs):
    g = bg.affine(**kwargs)
    g.backward()
    root = check_graph_svg(g)
    assert format_number(g["W"].grad) in texts(root, BACKWARD_COLOR)


def random_graph(seed: int, n_nodes: int = 40) -> Graph:
    """A larger graph: random unary and binary nodes over earlier values, some left dangling."""
    rng = np.random.default_rng(seed)
    g = Graph(title=f"random graph {seed}")
    pool = [g.input(f"x{k}", rng.uniform(-1, 1)) for k in range(5)]
    for k in range(n_nodes):
        a, b = (pool[i] for i in rng.integers(len(pool), size=2))
        op = rng.integers(5)
        if op == 0:
            v = g.add(a, b)
        elif op == 1:
            v = g.mul(a, b)
        elif op == 2:
            v = g.negate(a)
        elif op == 3:
            v = g.max0(a, name=f"h{k}")
        else:
            v = g.mul(a, round(float(rng.uniform(0.5, 1.5)), 2))
        pool.append(v)
    return g


@pytest.mark.parametrize("seed", range(3))
def test_a_random_larger_graph_draws_every_number_without_overlaps(seed):
    g = random_graph(seed)
    check_graph_svg(g)
    g.backward()
    root = check_graph_svg(g)
    assert len(root.findall(f".//{NS}circle")) >= 40


def test_a_value_used_twice_goes_through_a_branch_point_with_each_share():
    g = bg.tanh(1.0)
    g.backward()
    root = check_graph_svg(g)
    branches = [g for g in root.iter(NS + "g") if g.get("class") == "node branch"]
    assert len(branches) == 3  # x, exp(x) and exp(−x) each feed two nodes
    red = texts(root, BACKWARD_COLOR)
    assert red.count("0.21") == 2 and "0.42" in red  # each use of x sends 0.21 back; the point sums them


@pytest.mark.parametrize("name", list(bg.NETWORKS))
def test_networks_draw_as_a_column_of_boxes_without_overlaps(name):
    net = bg.NETWORKS[name]()
    root = ET.fromstring(net.to_svg())
    assert_nothing_overlaps(root)
    layers = [g for g in root.iter(NS + "g") if g.get("class") == "node layer"]
    assert [g.find(NS + "text").text for g in layers] == [layer for layer, _, _ in net.layers]
    assert all(g.find(NS + "text").get("font-weight") == "bold" for g in layers)
    tops = [float(g.find(NS + "rect").get("y")) for g in layers]
    assert tops == sorted(tops)  # input at the top
    all_texts = texts(root)
    assert {"input", "output", "(N, 784)", "(N, 100)" if name == "multi-layer" else "(N, 50)", "()"} <= set(all_texts)
    assert f"{net.title}: {net.n_params:,} parameters" in all_texts


def test_two_layer_network_svg_shows_parameter_counts_and_shapes():
    root = ET.fromstring(bg.NETWORKS["two-layer"]()._repr_svg_())
    all_texts = texts(root)
    assert {"Affine", "Relu", "SoftmaxWithLoss", "39,250 parameters", "510 parameters", "no parameters"} <= set(all_texts)
    assert all_texts.count("(N, 50)") == 2 and "(N, 784)" in all_texts
    assert "TwoLayerNet(784, 50, 10): 39,760 parameters" in all_texts


def test_network_without_input_shape_leaves_the_first_arrow_bare():
    net = bg.network_graph([("Convolution", ("N", 30, 24, 24), 780), ("Pooling", ("N", 30, 12, 12), 0)])
    root = ET.fromstring(net.to_svg())
    assert_nothing_overlaps(root)
    edges = [g for g in root.iter(NS + "g") if g.get("class") == "edge"]
    assert [texts(e) for e in edges] == [[], ["(N, 30, 24, 24)"], ["(N, 30, 12, 12)"]]


def test_svg_is_deterministic():
    one, two = bg.tanh(0.5), bg.tanh(0.5)
    one.backward()
    two.backward()
    assert one.to_svg() == two.to_svg() == one.to_svg()
    assert random_graph(7).to_svg() == random_graph(7).to_svg()
    assert bg.NETWORKS["multi-layer"]().to_svg() == bg.NETWORKS["multi-layer"]().to_svg()


def test_names_and_titles_are_escaped():
    g = Graph(title='a <b> & "c"')
    x = g.input("x<1>&", 2.0)
    g.mul(g.add(x, g.const(3.0, name="k'")), x, name="y\x01")
    g.backward()
    svg = g.to_svg()
    root = check_graph_svg(g)  # parses: nothing leaked out unescaped
    assert "x<1>&" in texts(root, BLACK) and "k' = 3" in texts(root, CONST_COLOR)
    assert root.find(NS + "title").text == 'a <b> & "c"'
    assert "y\ufffd" in texts(root, BLACK) and "\x01" not in svg


def test_an_empty_graph_and_inputs_alone_still_draw():
    root = ET.fromstring(Graph().to_svg())
    assert texts(root, FORWARD_COLOR) == ["blue: forward value"]
    g = Graph()
    g.input("lonely", 1.0)
    assert "lonely" in texts(ET.fromstring(g.to_svg()), BLACK)


@pytest.fixture
def no_graphviz(monkeypatch):
    """No `dot` anywhere, and any attempt to start a program fails the test."""
    monkeypatch.setenv("PATH", "")
    monkeypatch.setattr(render_module.shutil, "which", lambda name: None)

    def refuse(*args, **kwargs):
        raise AssertionError(f"started a program: {args}")

    monkeypatch.setattr(subprocess, "run", refuse)
    monkeypatch.setattr(subprocess, "Popen", refuse)


def test_repr_svg_works_with_nothing_installed(no_graphviz):
    g = bg.shopping()
    g.backward()
    root = ET.fromstring(g._repr_svg_())
    assert {"715", "650", "2.2"} <= set(texts(root))
    assert "Affine" in texts(ET.fromstring(bg.NETWORKS["two-layer"]()._repr_svg_()))


def test_save_svg_needs_no_graphviz_and_writes_atomically(no_graphviz, tmp_path):
    g = bg.sigmoid(1.0)
    g.backward()
    path = tmp_path / "sigmoid.svg"
    path.write_text("old")
    assert g.save(path) == str(path)
    assert path.read_text(encoding="utf-8") == g.to_svg()
    assert g.render("svg") == g.to_svg().encode("utf-8")
    assert os.listdir(tmp_path) == ["sigmoid.svg"]
    bg.NETWORKS["two-layer"]().save(tmp_path / "net.svg")
    assert "39,250 parameters" in texts(ET.parse(tmp_path / "net.svg").getroot())


@pytest.mark.parametrize("name, renderer", [("s.png", "bprop"), ("s.pdf", "bprop"), ("s.svg", "graphviz")])
def test_png_pdf_and_graphviz_svg_still_need_dot(no_graphviz, tmp_path, name, renderer):
    with pytest.raises(GraphvizError, match="apt-get install graphviz"):
        bg.sigmoid().save(tmp_path / name, renderer=renderer)
    assert os.listdir(tmp_path) == []


def test_an_unknown_renderer_is_refused_before_any_work(tmp_path):
    with pytest.raises(ValueError, match="renderer expected one of 'bprop', 'graphviz', got 'cairo'"):
        bg.sigmoid().save(tmp_path / "s.svg", renderer="cairo")
    with pytest.raises(ValueError, match="renderer"):
        bg.sigmoid().render("svg", renderer="")
    assert os.listdir(tmp_path) == []


@needs_dot
def test_graphviz_renderer_still_draws_svg_from_dot(tmp_path):
    g = bg.sigmoid(1.0)
    g.backward()
    g.save(tmp_path / "gv.svg", renderer="graphviz")
    data = (tmp_path / "gv.svg").read_text(encoding="utf-8")
    assert "Generated by graphviz" in data and data != g.to_svg()
    assert {"0.7311", "0.1966"} <= set(texts(ET.fromstring(data)))
