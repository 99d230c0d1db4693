"""The node engine, the book's graphs, their pictures and ``bprop graph``."""

from __future__ import annotations

import doctest
import os
import shutil
import struct
import xml.etree.ElementTree as ET
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bprop.cli as cli
import bprop.graph as bg
from bprop.graph import (
    Add, Exp, Graph, GraphvizError, Log, MatMul, Max0, Mul, Negate, Node, Reciprocal, Square, Sum,
    format_number, network_graph,
)
from bprop.graph import render as render_module

HAVE_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAVE_DOT, reason="Graphviz's dot is not installed (apt-get install graphviz)")


def numerical_gradient(f, x, eps=1e-6):
    """Central differences of the scalar f at x, element by element (float64)."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = f(x.copy())
        x[i] = old - eps
        down = f(x.copy())
        x[i] = old
        grad[i] = (up - down) / (2 * eps)
    return grad


# ---------------------------------------------------------------- each node against central differences

def _positive(rng, shape):
    return rng.uniform(0.5, 3.0, size=shape)


def _away_from_zero(rng, shape):
    return rng.uniform(0.2, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)


# node factory, input makers; one row per node (and per broadcasting case)
NODES = [
    ("mul", Mul, [lambda r: r.normal(size=(2, 3)), lambda r: r.normal(size=(2, 3))]),
    ("mul-broadcast", Mul, [lambda r: r.normal(size=(2, 3)), lambda r: r.normal(size=(3,))]),
    ("add", Add, [lambda r: r.normal(size=(2, 3)), lambda r: r.normal(size=(2, 3))]),
    ("add-bias", Add, [lambda r: r.normal(size=(4, 3)), lambda r: r.normal(size=(3,))]),
    ("add-column", Add, [lambda r: r.normal(size=(2, 3)), lambda r: r.normal(size=(2, 1))]),
    ("negate", Negate, [lambda r: r.normal(size=(4,))]),
    ("exp", Exp, [lambda r: r.uniform(-2, 2, size=(2, 3))]),
    ("log", Log, [lambda r: _positive(r, (2, 3))]),
    ("reciprocal", Reciprocal, [lambda r: _away_from_zero(r, (2, 3))]),
    ("max0", Max0, [lambda r: _away_from_zero(r, (2, 3))]),
    ("sum-all", Sum, [lambda r: r.normal(size=(2, 3))]),
    ("sum-axis", lambda: Sum(axis=1), [lambda r: r.normal(size=(2, 3))]),
    ("sum-keepdims", lambda: Sum(axis=-1, keepdims=True), [lambda r: r.normal(size=(2, 3))]),
    ("matmul", MatMul, [lambda r: r.normal(size=(2, 3)), lambda r: r.normal(size=(3, 4))]),
    ("matmul-1d", MatMul, [lambda r: r.normal(size=(3,)), lambda r: r.normal(size=(3, 4))]),
    ("square", Square, [lambda r: r.normal(size=(2, 3))]),
]


@pytest.mark.parametrize("name, make_node, makers", NODES, ids=[row[0] for row in NODES])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_node_backward_matches_central_differences_with_random_dout(name, make_node, makers, seed):
    rng = np.random.default_rng(seed)
    inputs = [make(rng) for make in makers]
    g = Graph()
    values = [g.input(f"x{i}", x) for i, x in enumerate(inputs)]
    out = g.apply(make_node(), *values)
    dout = rng.normal(size=out.shape)
    g.backward(out, dout=dout)
    for i, v in enumerate(values):
        def f(xi, i=i):
            args = list(inputs)
            args[i] = xi
            return float(np.sum(dout * make_node().forward(*args)))

        expected = numerical_gradient(f, inputs[i])
        assert v.grad.shape == np.shape(inputs[i])
        np.testing.assert_allclose(v.grad, expected, rtol=1e-6, atol=1e-8, err_msg=f"{name}, input {i}")


def test_node_backward_before_forward_raises_runtime_error():
    with pytest.raises(RuntimeError, match="Mul.backward called before forward"):
        Mul().backward(1.0)


def test_max0_gradient_at_zero_is_zero():
    g = Graph()
    x = g.input("x", [-1.0, 0.0, 2.0])
    g.max0(x)
    g.backward(dout=[5.0, 5.0, 5.0])
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 5.0])


# ---------------------------------------------------------------- the engine

def test_sigmoid_from_nodes_gives_value_and_gradient_at_one():
    g = Graph()
    x = g.input("x", 1.0)
    y = g.reciprocal(g.add(g.exp(g.negate(x)), 1.0))
    g.backward(y, dout=1.0)
    assert y.data == pytest.approx(1 / (1 + np.exp(-1.0)), rel=1e-15)
    assert x.grad == pytest.approx(y.data * (1 - y.data), rel=1e-14)
    assert isinstance(x.grad, np.float64)


def test_operators_record_the_same_graph_as_the_methods():
    g = Graph()
    x = g.input("x", 0.5)
    y = 1 / (1 + g.exp(-x))
    g.backward(y, dout=2.0)
    assert [type(s.node) for s in g.steps] == [Negate, Exp, Add, Reciprocal]
    assert x.grad == pytest.approx(2.0 * y.data * (1 - y.data), rel=1e-14)


def test_value_used_twice_sums_the_gradients_of_both_branches():
    g = Graph()
    x = g.input("x", 3.0)
    y = g.mul(x, x)
    g.backward(y, dout=0.5)
    assert x.grad == pytest.approx(0.5 * 2 * 3.0)
    assert g.steps[0].grads == (pytest.approx(1.5), pytest.approx(1.5))


def test_learner_expression_gives_values_gradients_and_picture():
    # f(x, w, b) = Σ max(0, x·w + b)² / 2, a learner's own expression built from nodes.
    rng = np.random.default_rng(7)
    x0, w0, b0 = rng.normal(size=3), rng.normal(size=3), 0.3
    g = Graph()
    x, w, b = g.input("x", x0), g.input("w", w0), g.input("b", b0)
    f = g.mul(g.sum(g.square(g.max0(x * w + b))), 0.5, name="f")
    g.backward(f)

    def loss(xs, ws, bs):
        return 0.5 * np.sum(np.maximum(xs * ws + bs, 0) ** 2)

    assert f.data == pytest.approx(loss(x0, w0, b0), rel=1e-14)
    np.testing.assert_allclose(w.grad, numerical_gradient(lambda v: loss(x0, v, b0), w0), rtol=1e-6, atol=1e-9)
    assert b.grad == pytest.approx(float(numerical_gradient(lambda v: loss(x0, w0, v), b0)), rel=1e-6, abs=1e-9)
    dot = g.to_dot()
    assert format_number(f.data) in dot and format_number(w.grad) in dot
    assert "max(0,·)" in dot and "^2" in dot and "Σ" in dot


def test_custom_node_subclass_works_with_apply():
    class Sin(Node):
        """y = sin(x); dx = dout·cos(x)."""

        symbol = "sin"

        def forward(self, x):
            self.save(x)
            return np.sin(x)

        def backward(self, dout):
            return (dout * np.cos(self.saved()),)

    g = Graph()
    x = g.input("x", 0.25)
    g.apply(Sin(), x, name="y")
    g.backward(dout=3.0)
    assert x.grad == pytest.approx(3.0 * np.cos(0.25))
    assert "sin" in g.to_dot()


def test_custom_node_returning_wrong_gradient_count_raises_type_error():
    class Broken(Node):
        def forward(self, x, y):
            return x + y

        def backward(self, dout):
            return (dout,)

    g = Graph()
    g.apply(Broken(), g.input("a", 1.0), g.input("b", 2.0))
    with pytest.raises(TypeError, match="returned 1 gradients for 2 inputs"):
        g.backward()


def test_backward_twice_gives_the_same_gradients():
    g = bg.tanh(0.7)
    g.backward(dout=1.5)
    first = g["x"].grad
    g.backward(dout=1.5)
    assert g["x"].grad == first


def test_backward_scales_with_dout():
    g = bg.sigmoid(1.0)
    g.backward(dout=1.0)
    one = g["x"].grad
    g.backward(dout=-2.5)
    assert g["x"].grad == pytest.approx(-2.5 * one, rel=1e-15)


def test_backward_broadcasts_a_scalar_dout_and_rejects_a_wrong_shape():
    g = bg.relu([1.0, 2.0, -3.0])
    g.backward(dout=2.0)
    np.testing.assert_array_equal(g["x"].grad, [2.0, 2.0, 0.0])
    with pytest.raises(ValueError, match=r"dout of shape \(2,\), but y has shape \(3,\)"):
        g.backward(dout=[1.0, 2.0])


def test_backward_rejects_nan_dout():
    g = bg.sigmoid(1.0)
    with pytest.raises(ValueError, match="finite dout"):
        g.backward(dout=float("nan"))


def test_backward_on_an_empty_graph_raises_value_error():
    with pytest.raises(ValueError, match="at least one node"):
        Graph().backward()


def test_float32_input_keeps_float32_values_and_gradients():
    g = Graph()
    x = g.input("x", np.array([0.5, -1.0], dtype=np.float32))
    y = 1 / (1 + g.exp(-x))
    g.backward(y)
    assert y.data.dtype == np.float32 and x.grad.dtype == np.float32


def test_input_array_is_copied_so_later_changes_do_not_leak_in():
    a = np.array([1.0, 2.0])
    g = Graph()
    x = g.input("x", a)
    a[0] = 99.0
    assert x.data[0] == 1.0


@pytest.mark.parametrize(
    "build, error, match",
    [
        (lambda g: g.exp(g.input("x", 1000.0)), ValueError, "exp overflows above 709.78"),
        (lambda g: g.log(g.input("x", [1.0, 0.0])), ValueError, "Log expected positive input, got 0"),
        (lambda g: g.reciprocal(g.input("x", 0.0)), ValueError, "Reciprocal got 0"),
        (lambda g: g.matmul(g.input("x", np.ones((2, 3))), np.ones((2, 3))), ValueError, r"W of shape \(D, M\)"),
        (lambda g: g.input("x", float("nan")), ValueError, "finite numbers"),
        (lambda g: g.input("x", "one"), TypeError, "real number or array"),
        (lambda g: g.add(Graph().input("x", 1.0), 1.0), ValueError, "belongs to another Graph"),
    ],
    ids=["exp-overflow", "log-zero", "reciprocal-zero", "matmul-shapes", "nan-input", "string-input", "two-graphs"],
)
def test_bad_input_raises_a_clear_error(build, error, match):
    with pytest.raises(error, match=match):
        build(Graph())


def test_unknown_value_name_lists_the_known_names():
    with pytest.raises(KeyError, match="apple, apple_num"):
        bg.shopping()["banana"]


def test_package_docstring_examples_run():
    for module in (bg, bg.engine, bg.builtin, bg.network, bg.render):
        failed, attempted = doctest.testmod(module)
        assert attempted > 0 and failed == 0, module.__name__


# ---------------------------------------------------------------- the book's graphs against the closed-form layers

floats = st.floats(-30, 30, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(x=st.lists(floats, min_size=1, max_size=5), dout=st.lists(st.floats(-3, 3), min_size=5, max_size=5))
def test_sigmoid_graph_matches_sigmoid_layer(x, dout):
    from bprop.layers import Sigmoid

    x, dout = np.array(x), np.array(dout[: len(x)])
    g = bg.sigmoid(x)
    g.backward(dout=dout)
    layer = Sigmoid()
    y = layer.forward(x)
    np.testing.assert_allclose(g["y"].data, y, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(g["x"].grad, layer.backward(dout), rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(g["x"].grad, dout * y * (1 - y), rtol=1e-9, atol=1e-15)


@settings(max_examples=40, deadline=None)
@given(x=st.lists(floats, min_size=1, max_size=5), dout=st.lists(st.floats(-3, 3), min_size=5, max_size=5))
def test_relu_graph_matches_relu_layer(x, dout):
    from bprop.layers import Relu

    x, dout = np.array(x), np.array(dout[: len(x)])
    g = bg.relu(x)
    g.backward(dout=dout)
    layer = Relu()
    np.testing.assert_array_equal(g["y"].data, layer.forward(x))
    np.testing.assert_array_equal(g["x"].grad, layer.backward(dout))


@settings(max_examples=40, deadline=None)
@given(x=st.lists(st.floats(-20, 20), min_size=1, max_size=5), dout=st.lists(st.floats(-3, 3), min_size=5, max_size=5))
def test_tanh_graph_matches_tanh_layer(x, dout):
    from bprop.layers import Tanh

    x, dout = np.array(x), np.array(dout[: len(x)])
    g = bg.tanh(x)
    g.backward(dout=dout)
    layer = Tanh()
    y = layer.forward(x)
    np.testing.assert_allclose(g["y"].data, y, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(g["x"].grad, layer.backward(dout), rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("batch", [1, 4])
def test_affine_graph_matches_affine_layer(seed, batch):
    from bprop.layers import Affine

    rng = np.random.default_rng(seed)
    x, W, b = rng.normal(size=(batch, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    dout = rng.normal(size=(batch, 2))
    g = bg.affine(x, W, b)
    g.backward(dout=dout)
    layer = Affine(W, b)
    np.testing.assert_allclose(g["Y"].data, layer.forward(x), rtol=1e-13)
    np.testing.assert_allclose(g["X"].grad, layer.backward(dout), rtol=1e-12)
    np.testing.assert_allclose(g["W"].grad, layer.dW, rtol=1e-12)
    np.testing.assert_allclose(g["B"].grad, layer.db, rtol=1e-12)


def test_affine_graph_with_one_sample_gives_the_outer_product_for_dW():
    x, W, b = np.array([1.0, 2.0]), np.arange(6.0).reshape(2, 3), np.array([0.5, 0.0, -0.5])
    g = bg.affine(x, W, b)
    dout = np.array([1.0, -1.0, 2.0])
    g.backward(dout=dout)
    np.testing.assert_allclose(g["W"].grad, np.outer(x, dout))
    np.testing.assert_allclose(g["X"].grad, W @ dout)
    np.testing.assert_allclose(g["B"].grad, dout)


def test_affine_default_arrays_have_the_books_shapes_and_follow_the_seed():
    g = bg.affine()
    assert (g["X"].shape, g["W"].shape, g["B"].shape) == ((2,), (2, 3), (3,))
    assert bg.affine(batch=4)["X"].shape == (4, 2)
    assert not np.array_equal(bg.affine(seed=1)["W"].data, g["W"].data)
    np.testing.assert_array_equal(bg.affine(seed=0)["W"].data, g["W"].data)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("batch", [None, 3])
@pytest.mark.parametrize("one_hot", [False, True])
def test_softmax_with_loss_graph_matches_softmax_with_loss_layer(seed, batch, one_hot):
    from bprop.layers import SoftmaxWithLoss

    rng = np.random.default_rng(seed)
    x = rng.normal(scale=3, size=(3,) if batch is None else (batch, 3))
    t = rng.integers(0, 3, size=() if batch is None else (batch,))
    if one_hot:
        t = np.eye(3)[t]
    dout = rng.uniform(0.5, 2)
    g = bg.softmax_with_loss(x, t)
    g.backward(dout=dout)
    layer = SoftmaxWithLoss()
    loss = layer.forward(x, t)
    assert g["L"].data == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(g["x"].grad, layer.backward(dout), rtol=1e-10, atol=1e-14)


def test_softmax_with_loss_gradient_is_y_minus_t_for_the_books_scores():
    g = bg.softmax_with_loss([0.3, 2.9, 4.0], 2)
    g.backward()
    y = g["y"].data
    np.testing.assert_allclose(y, [0.01821127, 0.24519181, 0.73659691], rtol=1e-6)  # the book prints these
    np.testing.assert_allclose(g["x"].grad, y - [0, 0, 1], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("t", [3, -1, 1.0, [0, 1]])
def test_softmax_with_loss_rejects_bad_labels(t):
    with pytest.raises(ValueError, match="softmax_with_loss expected"):
        bg.softmax_with_loss([0.3, 2.9, 4.0], t)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("shape", [(4,), (3, 2)])
def test_mse_graph_matches_mean_squared_error_layer(seed, shape):
    from bprop.layers import MeanSquaredError

    rng = np.random.default_rng(seed)
    y, t = rng.normal(size=shape), rng.normal(size=shape)
    dout = rng.uniform(0.5, 2)
    g = bg.mse(y, t)
    g.backward(dout=dout)
    layer = MeanSquaredError()
    assert g["L"].data == pytest.approx(layer.forward(y, t), rel=1e-13)
    np.testing.assert_allclose(g["y"].grad, layer.backward(dout), rtol=1e-12)
    n = 1 if len(shape) == 1 else shape[0]
    np.testing.assert_allclose(g["y"].grad, dout * (y - t) / n, rtol=1e-12)


def test_shopping_gives_the_books_numbers():
    g = bg.shopping()
    g.backward(dout=1)
    assert g["price"].data == pytest.approx(715)
    expected = {"apple": 2.2, "apple_num": 110, "orange": 3.3, "orange_num": 165, "tax": 650}
    for name, grad in expected.items():
        assert g[name].grad == pytest.approx(grad), name


@pytest.mark.parametrize("name", list(bg.GRAPHS))
def test_every_builtin_graph_runs_backward_on_its_defaults(name):
    g = bg.GRAPHS[name]()
    g.backward()
    assert g.output is g.steps[-1].output
    assert all(v.grad is not None and np.all(np.isfinite(v.grad)) for v in g.values)


# ---------------------------------------------------------------- the DOT text

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


# ---------------------------------------------------------------- rendering with Graphviz

def _png_size(data: bytes) -> tuple[int, int]:
    """Check a PNG chunk by chunk (CRCs, IEND, inflatable pixels); return (width, height)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, idat = 8, [], b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, kind
        chunks.append(kind)
        if kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert chunks[0] == b"IHDR" and chunks[-1] == b"IEND"
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
    assert len(zlib.decompress(idat)) == height * (1 + (width * channels * depth + 7) // 8)
    return width, height


@needs_dot
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
    width, height = _png_size(path.read_bytes())
    assert width > 100 and height > 50
    assert os.listdir(tmp_path) == [f"{name}.png"]


@needs_dot
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
        g.save(tmp_path / "s.svg")
    assert g._repr_svg_() is None
    assert os.listdir(tmp_path) == []
    g.save(tmp_path / "s.dot")  # DOT needs no Graphviz
    assert (tmp_path / "s.dot").exists()


# ---------------------------------------------------------------- networks as chains of layers

def test_two_layer_preset_counts_the_books_parameters():
    net = bg.NETWORKS["two-layer"]()
    assert [name for name, _, _ in net.layers] == ["Affine", "Relu", "Affine", "SoftmaxWithLoss"]
    assert net.n_params == 784 * 50 + 50 + 50 * 10 + 10
    dot = net.to_dot()
    for text in ("Affine", "SoftmaxWithLoss", "39,250 parameters", "510 parameters", "(N, 784)", "(N, 50)", "39,760"):
        assert text in dot, text


def test_multi_layer_preset_has_four_hidden_layers():
    net = bg.NETWORKS["multi-layer"]()
    assert [name for name, _, _ in net.layers].count("Relu") == 4
    assert net.n_params == 784 * 100 + 100 + 3 * (100 * 100 + 100) + 100 * 10 + 10


def test_network_graph_from_specs_draws_each_layer():
    net = network_graph([("Convolution", (1, 30, 24, 24), 780), ("Pooling", ("N", 30, 12, 12), 0)], title="conv")
    dot = net.to_dot()
    assert "Convolution" in dot and "780 parameters" in dot and "(N, 30, 12, 12)" in dot
    assert "Pooling" in str(net) and net.n_params == 780


@needs_dot
def test_network_graph_displays_inline_and_saves_png(tmp_path):
    net = bg.NETWORKS["two-layer"]()
    texts = {t.text for t in ET.fromstring(net._repr_svg_()).iter("{http://www.w3.org/2000/svg}text")}
    assert {"Affine", "Relu", "SoftmaxWithLoss", "39,250 parameters"} <= texts
    net.save(tmp_path / "net.png")
    _png_size((tmp_path / "net.png").read_bytes())


@pytest.mark.parametrize(
    "layers, error",
    [([], ValueError), ([("Affine", (3,))], TypeError), ([("Affine", (3,), -1)], ValueError),
     ([(3, (3,), 1)], TypeError), ([("Affine", (3.5,), 1)], ValueError)],
    ids=["empty", "two-fields", "negative-params", "name-not-str", "float-size"],
)
def test_network_graph_rejects_bad_specs(layers, error):
    with pytest.raises(error):
        network_graph(layers)


# ---------------------------------------------------------------- the command

@pytest.fixture
def bprop_cli(monkeypatch):
    # `bprop` with only this subcommand: main's error handling, none of the others' imports.
    monkeypatch.setattr(cli, "_COMMANDS", ("graph",))
    return cli.main


def test_cli_prints_dot_with_sigmoid_numbers(bprop_cli, capsys):
    assert bprop_cli(["graph", "sigmoid", "--x", "1.0"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("digraph") and ">0.7311</font>" in out and ">0.1966</font>" in out


def test_cli_dout_sets_the_gradient_entering_from_the_right(bprop_cli, capsys):
    assert bprop_cli(["graph", "sigmoid", "--x", "1", "--dout", "2"]) == 0
    assert ">0.3932</font>" in capsys.readouterr().out  # 2·y·(1 − y)


def test_cli_writes_a_dot_file_and_reports_the_gradients(bprop_cli, tmp_path, capsys):
    path = tmp_path / "shop.dot"
    assert bprop_cli(["graph", "shopping", "-o", str(path)]) == 0
    out = capsys.readouterr().out
    assert "price = 715" in out and "dapple = 2.2" in out and "dtax = 650" in out
    assert ">715</font>" in path.read_text(encoding="utf-8")


def test_cli_softmax_with_loss_reads_scores_and_label(bprop_cli, capsys):
    assert bprop_cli(["graph", "softmax-with-loss", "--x=0.3,2.9,4.0", "--t", "2"]) == 0
    out = capsys.readouterr().out
    assert "[0.01821, 0.2452, -0.2634]" in out  # dx = y − t


def test_cli_mse_and_affine_accept_their_options(bprop_cli, capsys):
    assert bprop_cli(["graph", "mse", "--x=0.5,0.5", "--t=0,1"]) == 0
    assert ">0.25</font>" in capsys.readouterr().out  # L = ½(0.25 + 0.25)
    assert bprop_cli(["graph", "affine", "--seed", "3", "--batch", "2"]) == 0
    assert "label=<dot>" in capsys.readouterr().out


@needs_dot
@pytest.mark.parametrize("ext", ["svg", "png"])
def test_cli_renders_svg_and_png(bprop_cli, tmp_path, ext, capsys):
    path = tmp_path / f"sigmoid.{ext}"
    assert bprop_cli(["graph", "sigmoid", "--x", "1.0", "-o", str(path)]) == 0
    assert "dx = 0.1966" in capsys.readouterr().out
    data = path.read_bytes()
    if ext == "svg":
        assert ET.fromstring(data).tag.endswith("svg")
    else:
        _png_size(data)


def test_cli_draws_the_two_layer_preset(bprop_cli, capsys):
    assert bprop_cli(["graph", "two-layer"]) == 0
    assert "39,250 parameters" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["graph", "nonsense"], "unknown graph 'nonsense'"),
        (["graph", "sigmoid", "--t", "1"], "--t does not apply to sigmoid"),
        (["graph", "two-layer", "--x", "1"], "--x does not apply to a network"),
        (["graph", "sigmoid", "--x", "one"], "--x expected a number"),
        (["graph", "softmax-with-loss", "--t", "7"], "labels in 0..2"),
        (["graph", "sigmoid", "-o", "s.jpg"], "expected a file name ending in"),
        (["graph", "sigmoid", "--x", "1000", "--dout", "1"], None),
        (["graph", "sigmoid", "--x=-1000"], "exp overflows"),
    ],
    ids=["unknown", "t-for-sigmoid", "x-for-network", "not-a-number", "bad-label", "bad-extension", "big-x-ok",
         "overflow"],
)
def test_cli_reports_bad_input_in_one_line(bprop_cli, capsys, argv, message):
    status = bprop_cli(argv)
    err = capsys.readouterr().err
    if message is None:
        assert status == 0
        return
    assert status == 2
    assert err.startswith("bprop graph: error: ") and message in err and err.count("\n") == 1


def test_cli_draws_a_saved_model_with_shapes_and_parameter_counts(bprop_cli, tmp_path, capsys):
    from bprop.nets import TwoLayerNet

    path = tmp_path / "net.npz"
    TwoLayerNet(4, 3, 2).save(path)
    assert bprop_cli(["graph", str(path)]) == 0
    dot = capsys.readouterr().out
    assert "(N, 4)" in dot and "(N, 3)" in dot and "(N, 2)" in dot
    assert "15 parameters" in dot and "8 parameters" in dot and "23 parameters" in dot


def test_cli_broken_model_file_is_one_line(bprop_cli, tmp_path, capsys):
    path = tmp_path / "net.npz"
    np.savez(path, W1=np.zeros((2, 2)))
    assert bprop_cli(["graph", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("bprop graph: error: ") and str(path) in err and err.count("\n") == 1


def test_cli_missing_graphviz_exits_2_with_install_hint(bprop_cli, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(render_module.shutil, "which", lambda name: None)
    assert bprop_cli(["graph", "sigmoid", "-o", str(tmp_path / "s.svg")]) == 2
    assert "apt-get install graphviz" in capsys.readouterr().err
