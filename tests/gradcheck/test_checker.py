"""check_layer: every bprop layer passes; each stage catches what it is for (in place, repeat, warnings, dtype, shapes …)."""


import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bprop import layers as L
from bprop.gradcheck import check_layer
from bprop.layers import BatchNormalization, Dropout

from layer_table import LAYERS, layer_inputs
from support import failed_keys, learner, learner_case


def test_the_chapter6_layers_pass_check_layer():
    x = np.random.default_rng(0).standard_normal((6, 4))
    assert check_layer(BatchNormalization(np.linspace(0.5, 2, 4), np.linspace(-1, 1, 4)), x).ok
    assert check_layer(Dropout(0.3, seed=1), x).ok


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", LAYERS, ids=[c.name for c in LAYERS])
def test_check_layer_passes_every_bprop_layer(case, dtype):
    layer, inputs = layer_inputs(case, dtype, seed=3, shape=(3, 4))
    report = check_layer(layer, *inputs, tol=1e-7)
    assert report.ok, str(report)
    assert not [f for f in report.findings if f.status == "note" and f.key != "grad.random"]


@settings(max_examples=25, deadline=None)
@given(
    name=st.sampled_from(["Relu", "Sigmoid", "Tanh", "Affine", "SoftmaxWithLoss"]),
    n=st.integers(1, 4),
    d=st.integers(1, 5),
    scale=st.sampled_from([0.1, 3.0, 30.0, 1000.0]),
    seed=st.integers(0, 2**16),
)
def test_check_layer_passes_our_layers_at_any_shape_and_scale(name, n, d, scale, seed):
    rng = np.random.default_rng(seed)
    x = (rng.random((n, d)) * 2 - 1) * scale
    if name == "Affine":
        layer, inputs = L.Affine(rng.standard_normal((d, 3)), rng.standard_normal(3)), (x,)
    elif name == "SoftmaxWithLoss":
        layer, inputs = L.SoftmaxWithLoss(), (x, rng.integers(0, d, size=n))
    else:
        layer, inputs = getattr(L, name)(), (x,)
    report = check_layer(layer, *inputs, tol=1e-7, seed=seed)
    assert report.ok, str(report)


def test_check_layer_skips_relu_kinks_at_zero_and_counts_them():
    x = np.array([[-1.0, 0.0, 2.0], [0.0, 3.0, -0.5]])
    report = check_layer(L.Relu(), x, tol=1e-7)
    assert report.ok
    assert report.rows[0].kinks == 2
    assert "2 element(s) at a kink skipped" in str(report)


def test_check_layer_checks_mul_layer_with_broadcasting_and_numbers():
    rng = np.random.default_rng(4)
    report = check_layer(L.MulLayer(), rng.standard_normal((3, 4)), rng.standard_normal(4), tol=1e-7)
    assert report.ok, str(report)
    assert [r.target for r in report.rows] == ["dx", "dy"]
    scalar = check_layer(L.MulLayer(), 100.0, 2.0, tol=1e-7)
    assert scalar.ok and not scalar.unit_dout


def test_check_layer_leaves_the_callers_layer_and_arrays_unchanged():
    rng = np.random.default_rng(5)
    W, b, x = rng.standard_normal((5, 3)), rng.standard_normal(3), rng.standard_normal((4, 5))
    layer = L.Affine(W, b)
    saved = W.copy(), b.copy(), x.copy()
    check_layer(layer, x, dtype=np.float32)
    assert layer.W is W and layer.b is b
    assert np.array_equal(W, saved[0]) and np.array_equal(b, saved[1]) and np.array_equal(x, saved[2])
    assert layer.dW is None and layer.db is None and layer.x is None


def test_check_layer_leaves_inputs_unchanged_even_when_the_layer_writes_into_them():
    class ReluInPlace:
        def forward(self, x):
            self.mask = x <= 0
            x[self.mask] = 0
            return x

        def backward(self, dout):
            dout[self.mask] = 0
            return dout

    x = np.array([[-1.0, 2.0], [3.0, -4.0]])
    before = x.copy()
    report = check_layer(ReluInPlace(), x)
    assert np.array_equal(x, before)
    assert failed_keys(report) == ["forward_inplace.fail", "dout.fail"]


X = np.random.default_rng(7).standard_normal((4, 5))


def test_book_loss_that_ignores_dout_passes_with_a_note():
    layer, inputs = learner_case("softmax_with_loss", "SoftmaxWithLoss")
    report = check_layer(layer, *inputs)
    assert report.ok and report.unit_dout
    notes = [f.key for f in report.findings if f.status == "note"]
    assert notes == ["loss_dout.note"]


def test_our_loss_scales_with_dout():
    report = check_layer(L.SoftmaxWithLoss(), X, np.array([0, 1, 2, 3]), tol=1e-7)
    assert "loss_dout.ok" in [f.key for f in report.findings]


def test_backward_writing_into_the_cached_input_is_caught():
    class Relu:
        def forward(self, x):
            self.x = x
            return np.maximum(x, 0)

        def backward(self, dout):
            self.x[self.x <= 0] = 0
            return dout * (self.x > 0)

    report = check_layer(Relu(), X)
    assert failed_keys(report) == ["backward_inplace.fail"]


def test_backward_that_changes_state_between_calls_is_caught():
    class Counting:
        calls = 0

        def forward(self, x):
            return 2 * x

        def backward(self, dout):
            self.calls += 1
            return 2 * dout * self.calls

    report = check_layer(Counting(), X)
    assert "repeat.fail" in failed_keys(report)


def test_exception_in_backward_becomes_a_failed_finding():
    class Broken:
        def forward(self, x):
            return x * 1

        def backward(self, dout):
            raise IndexError("index 7 is out of bounds for axis 0 with size 4")

    report = check_layer(Broken(), X)
    assert failed_keys(report) == ["exception"]
    first, at, reading = report.failures[0].message().split("\n")
    assert first == "backward raised IndexError: index 7 is out of bounds for axis 0 with size 4"
    assert at.strip().startswith("at test_checker.py:") and at.endswith('raise IndexError("index 7 is out of bounds for axis 0 with size 4")')
    assert "an index out of range" in reading


def test_forward_returning_none_is_reported_not_raised():
    class Forgetful:
        def forward(self, x):
            self.out = x

        def backward(self, dout):
            return dout

    report = check_layer(Forgetful(), X)
    assert failed_keys(report) == ["bad_output"]
    assert "forward returned None" in str(report)


def test_warning_on_ordinary_inputs_fails():
    class Reciprocal:
        def forward(self, x):
            self.x = x
            return np.where(x != 0, 1 / x, 0.0)

        def backward(self, dout):
            return np.where(self.x != 0, -dout / np.where(self.x != 0, self.x, 1) ** 2, 0.0)

    report = check_layer(Reciprocal(), np.array([[0.0, 1.5], [2.0, -3.0]]))
    assert failed_keys(report)[0] == "warning.fail"
    assert "divide by zero" in report.failures[0].message()


def test_forward_differing_from_ours_is_caught():
    class Sigmoid:
        def forward(self, x):
            self.out = 1 / (1 + np.exp(-2 * x))
            return self.out

        def backward(self, dout):
            return dout * 2 * self.out * (1 - self.out)

    report = check_layer(Sigmoid(), X)
    assert failed_keys(report) == ["reference.fail"]
    assert "forward differs from bprop.layers.Sigmoid" in str(report)


def test_book_sigmoid_overflow_at_1000_is_a_note_but_nan_fails():
    book = learner("sigmoid", "Sigmoid")
    report = check_layer(book(), X)
    assert report.ok
    assert [f.key for f in report.findings if f.status == "note"] == ["extreme.note"]

    class Sigmoid:
        def forward(self, x):
            self.out = np.exp(x) / (1 + np.exp(x))
            return self.out

        def backward(self, dout):
            return dout * self.out * (1 - self.out)

    report = check_layer(Sigmoid(), X)
    assert failed_keys(report) == ["extreme.output"]
    assert "where x = 789.474" in str(report)  # exp overflows past x = 709.8


def test_float64_leak_in_a_float32_layer_is_caught():
    class Affine:
        def __init__(self, W, b):
            self.W, self.b, self.dW, self.db = W, b, None, None

        def forward(self, x):
            self.x = x
            return x @ self.W + self.b

        def backward(self, dout):
            self.dW = self.x.T @ dout
            self.db = np.sum(dout, axis=0, dtype=np.float64)
            return dout @ self.W.T

    rng = np.random.default_rng(8)
    layer = Affine(rng.standard_normal((5, 3)).astype(np.float32), rng.standard_normal(3).astype(np.float32))
    report = check_layer(layer, X.astype(np.float32))
    assert report.ok  # a note by default: the book's world is float64
    assert "db is float64 for float32 input" in str(report) and "--strict makes it a failure" in str(report)
    report = check_layer(layer, X.astype(np.float32), strict=True)
    assert failed_keys(report) == ["dtype.fail"]


def test_gradient_of_the_wrong_shape_is_caught():
    class Affine:
        def __init__(self, W, b):
            self.W, self.b, self.dW, self.db = W, b, None, None

        def forward(self, x):
            self.x = x
            return x @ self.W + self.b

        def backward(self, dout):
            self.dW = self.x.T @ dout
            self.db = np.sum(dout, axis=0, keepdims=True)
            return dout @ self.W.T

    rng = np.random.default_rng(9)
    report = check_layer(Affine(rng.standard_normal((5, 3)), rng.standard_normal(3)), X)
    assert failed_keys(report) == ["shape.fail"]
    assert "shape.ok" not in [f.key for f in report.findings]  # no "every gradient has its shape" beside it
    assert "db has shape (1, 3), but b has shape (3,)" in str(report)


def test_random_forward_is_gradient_checked_with_its_randomness_replayed():
    class Dropout:
        def __init__(self, ignore_mask=False):
            self.ignore_mask = ignore_mask

        def forward(self, x):
            self.mask = np.random.default_rng().random(x.shape) > 0.5
            return x * self.mask

        def backward(self, dout):
            return dout if self.ignore_mask else dout * self.mask

    state = np.random.get_state()
    report = check_layer(Dropout(), X)
    assert report.ok, str(report)
    assert [r.target for r in report.rows] == ["dx"]
    assert np.array_equal(np.random.get_state()[1], state[1])  # the caller's global state is put back
    assert "dx" in [f.params.get("target") for f in check_layer(Dropout(ignore_mask=True), X).failures]


def test_randomness_that_cannot_be_replayed_is_said_not_checked():
    import random

    class Noisy:
        def forward(self, x):
            self.k = random.random()
            return x * self.k

        def backward(self, dout):
            return dout * self.k

    report = check_layer(Noisy(), X)
    assert report.rows == []
    assert "grad.random" in [f.key for f in report.findings]


def test_check_layer_rejects_missing_inputs_and_non_layers():
    with pytest.raises(TypeError, match="inputs of forward"):
        check_layer(L.Relu())
    with pytest.raises(TypeError, match=r"a layer with forward\(\), got object"):
        check_layer(object(), X)
    with pytest.raises(TypeError, match="float32 or float64"):
        check_layer(L.Relu(), X, dtype=np.int32)
