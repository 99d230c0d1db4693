"""The Graph engine: values, branches, operators, custom nodes, backward's checks."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

import bprop.graph as bg
from bprop.graph import Add, Exp, Graph, Negate, Node, Reciprocal, format_number

from support import naive_numerical_gradient


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
    np.testing.assert_allclose(w.grad, naive_numerical_gradient(lambda v: loss(x0, v, b0), w0), rtol=1e-6, atol=1e-9)
    assert b.grad == pytest.approx(float(naive_numerical_gradient(lambda v: loss(x0, w0, v), b0)), rel=1e-6, abs=1e-9)
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
    for module in (bg, bg.engine, bg.builtin, bg.network, bg.scene):
        failed, attempted = doctest.testmod(module)
        assert attempted > 0 and failed == 0, module.__name__
