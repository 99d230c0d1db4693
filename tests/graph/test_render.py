"""DOT text and its rendering by Graphviz: numbers on every edge, atomic files, the install hint."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import bprop.graph as bg
from bprop.graph import Graph, GraphvizError, format_number
from bprop.graph import render as render_module

from support import needs_dot, png_size


def test_format_number_uses_four_significant_digits_and_summarises_big_arrays():
    assert format_number(0.7310585786300049) == "0.7311"
    assert format_number(-0.0) == "0"
    assert format_number(715.0000000000001) == "715"
    assert format_number(np.array([[1.0, 2.5], [3.0, 4.0]])) == "[[1, 2.5], [3, 4]]"
    assert format_number(np.arange(12.0).reshape(3, 4)) == "shape (3, 4): 0 … 11"


def test_sigmoid_dot_shows_the_books_nodes_and_numbers():
    g = bg.sigmoid(1.0)
    g.backward(dout=1.0)
    dot = g.to_dot()
    assert dot.startswith("digraph")
    for node in ("×(−1)", "exp", "+", "/"):
        assert f"label=<{node}>" in dot, node
    for number in ("0.7311", "0.1966", "-0.1966", "0.3679", "1.368", "-0.5344"):
        assert f">{number}</font>" in dot, number
    assert render_module.FORWARD_COLOR in dot and render_module.BACKWARD_COLOR in dot


def test_edge_label_puts_forward_value_above_backward_gradient():
    g = bg.sigmoid(1.0)
    g.backward()
    (line,) = [ln for ln in g.to_dot().splitlines() if "v0 ->" in ln]
    forward = line.index(f'<font color="{render_module.FORWARD_COLOR}">1</font>')
    backward = line.index(f'<font color="{render_module.BACKWARD_COLOR}">0.1966</font>')
    assert forward < line.index("<br/>") < backward


def test_dot_before_backward_shows_forward_values_only():
    dot = bg.sigmoid(1.0).to_dot()
    assert ">0.7311</font>" in dot
    edges = [ln for ln in dot.splitlines() if "->" in ln and "label" in ln]
    assert edges and all(render_module.BACKWARD_COLOR not in ln for ln in edges)


def test_shopping_dot_shows_the_books_numbers():
    g = bg.shopping()
    g.backward()
    dot = g.to_dot()
    for number in ("715", "650", "2.2", "110", "3.3", "165", "1.1", "200", "450"):
        assert f">{number}</font>" in dot, number
    for name in ("apple", "apple_num", "orange", "orange_num", "tax", "price"):
        assert f"label=<{name}>" in dot, name


def test_branch_point_shows_total_and_per_use_gradients():
    g = bg.tanh(1.0)
    g.backward()
    dot = g.to_dot()
    assert "shape=point" in dot
    # x feeds exp and ×(−1): each use sends back 0.21, the branch point sums them to 0.42
    assert dot.count(f'<font color="{render_module.BACKWARD_COLOR}">0.21</font>') == 2
    assert f'<font color="{render_module.BACKWARD_COLOR}">0.42</font>' in dot
    assert g["x"].grad == pytest.approx(1 - np.tanh(1.0) ** 2)


def test_constants_are_drawn_with_their_value_and_names_are_escaped():
    g = Graph(title="a <b> & c")
    x = g.input("x<1>", 2.0)
    g.mul(x, 3.0)
    g.backward()
    dot = g.to_dot()
    assert 'fontcolor="#666666", label=<3>' in dot
    assert "x&lt;1&gt;" in dot and "a &lt;b&gt; &amp; c" in dot


def test_save_dot_writes_the_text_atomically(tmp_path):
    g = bg.sigmoid(1.0)
    g.backward()
    path = tmp_path / "s.dot"
    path.write_text("old")
    assert g.save(path) == str(path)
    assert path.read_text(encoding="utf-8") == g.to_dot()
    assert os.listdir(tmp_path) == ["s.dot"]


def test_save_rejects_an_unknown_extension(tmp_path):
    with pytest.raises(ValueError, match=r"\.dot, \.gv, \.svg, \.png, \.pdf.*s\.jpg"):
        bg.sigmoid().save(tmp_path / "s.jpg")


def test_sigmoid_svg_parses_as_xml_and_holds_the_numbers(tmp_path):
    g = bg.sigmoid(1.0)
    g.backward()
    path = tmp_path / "sigmoid.svg"
    g.save(path)
    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"0.7311", "0.1966", "exp", "/", "x", "y"} <= texts


@needs_dot
@pytest.mark.parametrize("name", list(bg.GRAPHS))
def test_every_builtin_graph_renders_a_valid_png(name, tmp_path):
    g = bg.GRAPHS[name]()
    g.backward()
    path = tmp_path / f"{name}.png"
    g.save(path)
    width, height = png_size(path.read_bytes())
    assert width > 100 and height > 50
    assert os.listdir(tmp_path) == [f"{name}.png"]


def test_repr_svg_displays_the_graph_inline():
    g = bg.shopping()
    g.backward()
    svg = g._repr_svg_()
    assert isinstance(svg, str)
    texts = {t.text for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")}
    assert {"715", "650", "2.2"} <= texts


def test_missing_graphviz_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setattr(render_module.shutil, "which", lambda name: None)
    g = bg.sigmoid()
    with pytest.raises(GraphvizError, match="apt-get install graphviz"):
        g.save(tmp_path / "s.png")
    assert os.listdir(tmp_path) == []
    assert ">0.7311</text>" in g._repr_svg_()  # bprop draws SVG itself
    g.save(tmp_path / "s.dot")  # DOT and SVG need no Graphviz
    g.save(tmp_path / "s.svg")
    assert sorted(os.listdir(tmp_path)) == ["s.dot", "s.svg"]
