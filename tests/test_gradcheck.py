"""bprop.gradcheck: the book's numerical_gradient, and check_layer with its diagnoses."""

import importlib.util
import string
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layer_table import LAYERS, layer_inputs

from bprop import layers as L
from bprop.gradcheck import messages
from bprop.gradcheck import check_layer, numerical_gradient

LEARNER = Path(__file__).parent / "learner"


def learner(file: str, cls: str):
    """A class from a learner-style fixture in tests/learner/."""
    spec = importlib.util.spec_from_file_location(f"learner_{file}", LEARNER / f"{file}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, cls)


def learner_case(file: str, cls: str):
    """The fixture's layer and inputs, built the way ``bprop check`` builds them."""
    rng = np.random.default_rng(0)
    layer_cls = learner(file, cls)
    x = rng.standard_normal((4, 5))
    if cls == "Affine":
        return layer_cls(rng.standard_normal((5, 3)), rng.standard_normal(3)), (x,)
    if cls == "SoftmaxWithLoss":
        t = np.argmax(x, axis=1)
        x[np.arange(4), t] += np.log(5)  # y_t > 1/2, as bprop check makes it
        return layer_cls(), (x, t)
    if cls in ("MulLayer", "AddLayer"):
        return layer_cls(), (x, rng.standard_normal((4, 5)))
    return layer_cls(), (x,)


def failed_keys(report):
    return [f.key for f in report.failures]


# --- numerical_gradient ------------------------------------------------------------------

def test_numerical_gradient_matches_analytic_gradient_of_sum_of_squares_and_sines():
    x = np.random.default_rng(0).standard_normal((3, 4))
    grad = numerical_gradient(lambda v: np.sum(v**2 + np.sin(v)), x)
    np.testing.assert_allclose(grad, 2 * x + np.cos(x), rtol=1e-7, atol=1e-9)


def test_numerical_gradient_of_book_function_2_at_3_4():
    # The book's ch.4 example: f(x) = x0² + x1², gradient at (3, 4) is (6, 8).
    grad = numerical_gradient(lambda x: x[0] ** 2 + x[1] ** 2, np.array([3.0, 4.0]))
    np.testing.assert_allclose(grad, [6.0, 8.0], rtol=1e-9)


def test_numerical_gradient_restores_x_exactly():
    x = np.random.default_rng(1).standard_normal((2, 3, 2))
    before = x.copy()
    numerical_gradient(lambda v: float(np.sum(np.exp(v))), x)
    assert np.array_equal(x, before)


def test_numerical_gradient_restores_x_when_f_raises():
    x = np.array([[0.1, 0.2], [0.3, 0.4]])
    before = x.copy()
    calls = []

    def f(v):
        calls.append(1)
        if len(calls) == 4:
            raise ZeroDivisionError("boom")
        return float(v.sum())

    with pytest.raises(ZeroDivisionError):
        numerical_gradient(f, x)
    assert np.array_equal(x, before)


def test_numerical_gradient_works_with_the_books_closure_that_ignores_its_argument():
    rng = np.random.default_rng(2)
    x, t = rng.standard_normal((3, 4)), rng.standard_normal((3, 2))
    params = {"W": rng.standard_normal((4, 2))}

    def loss():
        return 0.5 * np.sum((x @ params["W"] - t) ** 2)

    grad = numerical_gradient(lambda W: loss(), params["W"])
    np.testing.assert_allclose(grad, x.T @ (x @ params["W"] - t), rtol=1e-7)


def test_numerical_gradient_keeps_float32():
    x = np.array([1.0, 2.0], dtype=np.float32)
    assert numerical_gradient(lambda v: float(np.sum(v)), x, eps=1e-2).dtype == np.float32


def test_numerical_gradient_rejects_lists_and_integer_arrays():
    with pytest.raises(TypeError, match="float ndarray"):
        numerical_gradient(lambda v: 0.0, [1.0, 2.0])
    with pytest.raises(TypeError, match="int64"):
        numerical_gradient(lambda v: 0.0, np.array([1, 2]))


def test_numerical_gradient_rejects_f_returning_an_array():
    with pytest.raises(TypeError, match="scalar"):
        numerical_gradient(lambda v: v * 2, np.ones(3))


# --- check_layer on our own layers -------------------------------------------------------

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


# --- the learner fixtures ----------------------------------------------------------------

BUGGY = [
    ("relu_inplace", "Relu", ["dout.fail"], "copy it first: dx = dout.copy()"),
    ("relu_inverted_mask", "Relu", ["grad.inverted_mask"], "the mask looks inverted"),
    ("sigmoid_log", "Sigmoid", ["finite.fail", "extreme.output"], "did you mean np.exp?"),
    ("sigmoid_missing_factor", "Sigmoid", ["grad.missing_factor"], "dx = dout·y: a factor looks missing"),
    ("softmax_no_batch_division", "SoftmaxWithLoss", ["grad.batch_division"],
     "dx is 4 times too large: did you forget to divide by the batch size N = 4?"),
    ("affine_db_mean", "Affine", ["grad.mean_not_sum"],
     "db is 1/4 of the right value: a mean over the batch where a sum belongs"),
]


@pytest.mark.parametrize("file, cls, keys, phrase", BUGGY, ids=[b[0] for b in BUGGY])
def test_learner_bug_is_diagnosed(file, cls, keys, phrase):
    layer, inputs = learner_case(file, cls)
    report = check_layer(layer, *inputs)
    assert not report.ok
    assert failed_keys(report) == keys
    assert phrase in report.failures[0].message("en")
    assert phrase in str(report)


@pytest.mark.parametrize("file, cls", [
    ("relu", "Relu"), ("sigmoid", "Sigmoid"), ("softmax_with_loss", "SoftmaxWithLoss"),
    ("affine", "Affine"), ("layer_naive", "MulLayer"), ("layer_naive", "AddLayer"),
])
def test_learner_correct_version_passes(file, cls):
    layer, inputs = learner_case(file, cls)
    report = check_layer(layer, *inputs)
    assert report.ok, str(report)
    assert "All checks passed." in str(report)


def test_gradient_failure_names_the_gradient_the_worst_index_and_both_values():
    layer, inputs = learner_case("sigmoid_missing_factor", "Sigmoid")
    report = check_layer(layer, *inputs)
    row = report.rows[0]
    y = 1 / (1 + np.exp(-inputs[0]))
    assert row.target == "dx" and not row.ok
    worst = tuple(int(i) for i in row.index.strip("()").split(","))
    assert row.numerical == pytest.approx(row.backward * (1 - y[worst]), rel=1e-6)
    assert f"at {row.index}: backward {row.backward:.4g}, numerical {row.numerical:.4g}" in report.failures[0].message()


def test_mean_instead_of_sum_is_found_in_a_params_dict_layer_too():
    class Affine:
        def __init__(self, W, b):
            self.params = {"W": W, "b": b}
            self.grads = {"W": None, "b": None}

        def forward(self, x):
            self.x = x
            return x @ self.params["W"] + self.params["b"]

        def backward(self, dout):
            self.grads["W"] = self.x.T @ dout
            self.grads["b"] = dout.mean(axis=0)
            return dout @ self.params["W"].T

    rng = np.random.default_rng(6)
    report = check_layer(Affine(rng.standard_normal((5, 3)), rng.standard_normal(3)), rng.standard_normal((4, 5)))
    assert [r.target for r in report.rows] == ["dx", "grads['W']", "grads['b']"]
    assert failed_keys(report) == ["grad.mean_not_sum"]
    assert report.failures[0].params["target"] == "grads['b']"


# --- other diagnoses ---------------------------------------------------------------------

def _relu_with_backward(backward):
    class Relu:
        def forward(self, x):
            self.mask = x <= 0
            return np.maximum(x, 0)

    Relu.backward = backward
    return Relu()


X = np.random.default_rng(7).standard_normal((4, 5))


@pytest.mark.parametrize("backward, key, phrase", [
    (lambda self, dout: np.where(self.mask, 0.0, 1.0), "grad.ignores_dout", "backward ignores dout"),
    (lambda self, dout: np.where(self.mask, 0.0, -dout), "grad.sign", "wrong sign"),
    (lambda self, dout: np.where(self.mask, 0.0, 2 * dout), "grad.factor", "2 times the right value"),
    (lambda self, dout: np.zeros_like(dout), "grad.zero", "all zeros"),
    (lambda self, dout: np.where(self.mask, 0.0, dout + 0.5), "grad.mismatch", "disagrees with central differences"),
])
def test_wrong_backward_gets_its_likely_cause(backward, key, phrase):
    report = check_layer(_relu_with_backward(backward), X)
    assert failed_keys(report) == [key]
    assert phrase in report.failures[0].message()


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
    assert report.failures[0].message() == "backward raised IndexError: index 7 is out of bounds for axis 0 with size 4"


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
    assert failed_keys(report) == ["dtype.fail"]
    assert "db is float64 for float32 input" in str(report)


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


def test_random_forward_is_not_gradient_checked():
    class Dropout:
        def forward(self, x):
            self.mask = np.random.default_rng().random(x.shape) > 0.5
            return x * self.mask

        def backward(self, dout):
            return dout * self.mask

    report = check_layer(Dropout(), X)
    assert report.rows == []
    assert "grad.random" in [f.key for f in report.findings]


# --- the report and its messages ---------------------------------------------------------

def test_report_prints_a_table_and_renders_in_japanese():
    layer, inputs = learner_case("softmax_no_batch_division", "SoftmaxWithLoss")
    report = check_layer(layer, *inputs)
    text = str(report)
    assert "gradient  max abs err  rel err" in text
    assert "1 problem(s) found." in text
    ja = report.render("ja")
    assert "バッチサイズ N = 4 で割るのを忘れていませんか？" in ja
    assert "1 件の問題が見つかりました。" in ja


def test_check_layer_rejects_missing_inputs_and_non_layers():
    with pytest.raises(TypeError, match="inputs of forward"):
        check_layer(L.Relu())
    with pytest.raises(TypeError, match=r"a layer with forward\(\), got object"):
        check_layer(object(), X)
    with pytest.raises(TypeError, match="float32 or float64"):
        check_layer(L.Relu(), X, dtype=np.int32)


@pytest.mark.parametrize("key", sorted(messages.MESSAGES))
def test_every_message_has_both_languages_with_the_same_fields(key):
    def fields(template):
        return sorted(name for _, name, _, _ in string.Formatter().parse(template) if name)

    entry = messages.MESSAGES[key]
    assert set(entry) == set(messages.LANGUAGES)
    assert fields(entry["en"]) == fields(entry["ja"])


@pytest.mark.parametrize("env, lang", [
    ({}, "en"),
    ({"LANG": "ja_JP.UTF-8"}, "ja"),
    ({"LANG": "ja_JP.UTF-8", "LC_ALL": "C"}, "en"),
    ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "ja_JP"}, "ja"),
    ({"LC_ALL": "", "LANG": "ja"}, "ja"),
])
def test_language_comes_from_the_locale_variables(env, lang):
    assert messages.pick_language(environ=env) == lang


def test_explicit_language_wins_and_unknown_raises():
    assert messages.pick_language("en", environ={"LANG": "ja_JP.UTF-8"}) == "en"
    with pytest.raises(ValueError, match="en, ja"):
        messages.pick_language("fr")
