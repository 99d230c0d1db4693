"""check_function: the book's functions as learners write them, right and wrong, each told in words."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from bprop import functions as F
from bprop.gradcheck import function_reference as reference
from bprop.gradcheck.function import FUNCTIONS, check_function
from bprop.gradcheck.function_numerical import Spy, step_cause
from bprop.gradcheck.learner import LearnerError
from bprop.gradcheck.numerical import numerical_gradient

FIXTURES = Path(__file__).resolve().parents[1] / "learner" / "functions"

# (fixture file, function, verdict, a phrase of the report that must appear)
CASES = [
    ("book_functions", "identity_function", "ok", "identity_function(x (4, 5)) agrees with the book's"),
    ("book_functions", "step_function", "ok", "step_function(x (7,)) agrees with the book's"),
    ("book_functions", "relu", "ok", "relu([-1000, -100, -10, 0, 10, 100, 1000]): no overflow warning"),
    ("book_functions", "softmax", "ok", "softmax([1000, 999, -1000]): no overflow warning, no NaN or inf"),
    ("book_functions", "cross_entropy_error", "ok", "cross_entropy_error(y (4, 5), t (4,)) agrees with the book's"),
    ("book_functions", "softmax_loss", "ok", "softmax_loss(x (4, 5), t (4, 5)) agrees with the book's"),
    ("book_functions", "mean_squared_error", "ok", "mean_squared_error(y (4, 5), t (4, 5)) agrees with the book's"),
    ("softmax_transpose", "softmax", "ok", "softmax(x (4, 5)) agrees with the book's"),
    ("softmax_keepdims", "softmax", "ok", "float32 in, float32 out"),
    ("softmax_no_max", "softmax", "fail", "np.exp(1000) overflows: subtract the max first"),
    ("softmax_axis0", "softmax", "fail", "softmax over the wrong axis: each column sums to 1, not each row"),
    ("softmax_ch3", "softmax", "fail", "softmax of a batch sums over the whole batch: all 20 values sum to 1"),
    ("sigmoid_overflow", "sigmoid", "ok", 'made NumPy warn "overflow encountered in exp"; np.exp(-x) overflows'),
    ("sigmoid_piecewise", "sigmoid", "ok", "sigmoid([-1000, -100, -10, 0, 10, 100, 1000]): no overflow warning"),
    ("sigmoid_where", "sigmoid", "ok", "sigmoid([-1000, -100, -10, 0, 10, 100, 1000]): no overflow warning"),
    ("relu_inplace", "relu", "fail", "relu(x (7,)) wrote into its argument x"),
    ("step_function_np_int", "step_function", "fail", "np.int was removed in NumPy 1.24"),
    ("step_function_where", "step_function", "ok", "step_function(x (4, 5)) agrees with the book's"),
    ("cross_entropy_no_batch_division", "cross_entropy_error", "fail",
     "not divided by the batch size: N = 4 times the book's value"),
    ("cross_entropy_one_hot", "cross_entropy_error", "fail", "assumes it: with labels t of shape (N,)"),
    ("cross_entropy_no_delta", "cross_entropy_error", "fail", "gives inf: np.log(0) → -inf; add a small delta"),
    ("cross_entropy_stable", "cross_entropy_error", "ok", "finite where the true class has probability 0"),
    ("cross_entropy_stable", "softmax_loss", "ok", "softmax_loss(x (2, 3), t (2, 3)): no overflow warning"),
    ("mean_squared_error_mean", "mean_squared_error", "fail", "summed over every element and not averaged"),
    ("mse_square_outside", "mean_squared_error", "fail", "it squares the sum"),
    ("relu_np_max", "relu", "fail", "np.maximum(0, x)"),
    ("step_function_if", "step_function", "fail", "compare elementwise instead"),
    ("gradient_book", "numerical_diff", "ok", "numerical_diff(f, 3) is exact for f(x) = x**2"),
    ("gradient_book", "numerical_gradient", "ok", "for x of shapes (3,), (2, 3), (2, 2, 3)"),
    ("gradient_book", "gradient_descent", "ok", "changed the caller's init_x"),
    ("gradient_ch4", "numerical_gradient", "ok", "it works for 1-D and 2-D x only"),
    ("gradient_ch4", "gradient_descent", "ok", "step_num=20) agrees with the book's"),
    ("gradient_forward", "numerical_diff", "fail", "a forward difference (f(x + h) - f(x)) / h, whose error is O(h)"),
    ("gradient_forward", "numerical_gradient", "fail", "at (3) yours gives 6.0001, the exact derivative is 6"),
    ("gradient_tiny_h", "numerical_diff", "fail", "h = 1e-50 rounds to 0, the book's §4.1 warning"),
    ("gradient_tiny_h", "numerical_gradient", "fail", "x + h == x in float64"),
    ("gradient_not_restored", "numerical_gradient", "fail", "left x changed: at (0) it is 0.4999 instead of 0.5"),
    ("gradient_copy", "numerical_gradient", "fail", "it perturbs a copy of x, so the net never sees the change"),
    ("gradient_descent_sign", "gradient_descent", "fail", "x moved uphill: x += lr * grad climbs"),
    ("conv_book", "im2col", "ok", "agrees with the book's on 4 geometries"),
    ("conv_book", "col2im", "ok", "col2im is the adjoint of im2col"),
    ("conv_windows", "im2col", "ok", "float32 in, float32 out"),
    ("conv_windows", "col2im", "ok", "col2im is the adjoint of im2col"),
    ("col2im_assign", "col2im", "fail", "overlapping windows must add up"),
    ("col2im_no_crop", "col2im", "fail", "returned shape (1, 2, 7, 7); the book's returns shape (1, 2, 5, 5)"),
    ("im2col_transpose", "im2col", "fail", "the right values in another column order"),
    ("im2col_size", "im2col", "fail", "OH = (H + 2*pad - FH) // stride + 1 = 3"),
]

JAPANESE = [
    ("softmax_axis0", "softmax", "各行ではなく各列の和が 1 になっています"),
    ("cross_entropy_no_batch_division", "cross_entropy_error", "バッチサイズで割っていません。本の値の N = 4 倍です"),
    ("gradient_tiny_h", "numerical_gradient", "h = 1e-50 は 0 に丸められます"),
    ("col2im_assign", "col2im", "= ではなく img[...] += col[...] と書いてください"),
]


def learner_function(file: str, name: str):
    spec = importlib.util.spec_from_file_location(f"learner_functions_{file}", FIXTURES / f"{file}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


@pytest.mark.parametrize("file, name, verdict, phrase", CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES])
def test_check_function_gives_the_verdict_and_names_the_cause(file, name, verdict, phrase):
    report = check_function(learner_function(file, name))
    text = str(report)
    assert report.ok == (verdict == "ok"), text
    assert phrase in text
    assert report.render("ja").count("\n") == text.count("\n")  # every finding has its Japanese text
    assert json.loads(json.dumps(report.to_dict()))["ok"] == report.ok


@pytest.mark.parametrize("file, name, phrase", JAPANESE, ids=[c[0] for c in JAPANESE])
def test_check_function_names_the_cause_in_japanese(file, name, phrase):
    text = check_function(learner_function(file, name)).render("ja")
    assert phrase in text
    assert text.startswith(f"関数 {name} を本の定義と比べたチェック")


def test_every_fixture_says_what_it_is_on_its_first_line_and_the_table_covers_it():
    files = sorted(p.stem for p in FIXTURES.glob("*.py"))
    assert len(files) >= 16
    assert set(files) == {c[0] for c in CASES}
    for file in files:
        assert (FIXTURES / f"{file}.py").read_text(encoding="utf-8").startswith("# ")


@pytest.mark.parametrize("fn", [F.sigmoid, F.relu, F.softmax, F.cross_entropy_error, F.mean_squared_error,
                                F.im2col, F.col2im, numerical_gradient], ids=lambda fn: fn.__name__)
def test_bprops_own_functions_pass_without_notes(fn):
    report = check_function(fn)
    assert report.ok, str(report)
    assert [f.key for f in report.findings if f.status == "note"] == []


def test_the_functions_of_the_issue_are_known_and_an_unknown_name_lists_them():
    assert {"softmax", "cross_entropy_error", "sigmoid", "relu", "step_function", "mean_squared_error",
            "numerical_gradient", "im2col", "col2im"} <= set(FUNCTIONS)
    with pytest.raises(LearnerError) as info:
        check_function(lambda x: x, name="softplus")
    assert info.value.key == "fn.unknown"
    assert "cannot check a function named 'softplus'; known: identity_function, step_function" in str(info.value)
    assert "softplus" in info.value.message("ja")


def test_name_says_which_book_function_a_differently_named_one_is():
    report = check_function(lambda x: np.maximum(x, 0.0), name="relu")
    assert report.ok and report.subject == "relu"
    assert not check_function(lambda x: np.maximum(x, 0.0), name="sigmoid").ok


def test_a_float64_leak_is_a_note_unless_strict():
    im2col = learner_function("conv_book", "im2col")
    lenient, strict = check_function(im2col), check_function(im2col, strict=True)
    assert lenient.ok and [f.key for f in lenient.findings if f.status == "note"] == ["fn.dtype.leak"]
    assert [f.key for f in strict.failures] == ["fn.dtype.leak"]
    assert strict.failures[0].params["got"] == "float64"


def test_the_same_crash_is_reported_once():
    report = check_function(learner_function("step_function_np_int", "step_function"))
    assert [f.key for f in report.failures] == ["exception"]
    assert "has no attribute 'int'" in report.failures[0].params["error"]


def test_a_learner_crash_is_a_finding_even_when_it_exits():
    def softmax(x):
        raise SystemExit(1)

    report = check_function(softmax)
    assert not report.ok
    assert {f.key for f in report.failures} == {"exception"}


def test_the_numbers_in_the_findings_are_the_real_ones():
    ce = check_function(learner_function("cross_entropy_no_batch_division", "cross_entropy_error")).failures[0]
    assert ce.params["got"] == pytest.approx(4 * ce.params["want"], rel=1e-6)
    assert ce.extra == [("fn.ce.batch", {"N": 4})]
    col2im = check_function(learner_function("col2im_assign", "col2im")).failures[0]
    assert ("fn.col2im.assign", {"most": 6}) in col2im.extra  # a 2×3 filter at stride 1 covers a pixel 6 times
    forward = check_function(learner_function("gradient_forward", "numerical_gradient")).failures[0]
    assert forward.params["got"] - forward.params["want"] == pytest.approx(1e-4, rel=1e-3)
    key, params = forward.extra[0]
    assert key == "fn.cause.one_sided" and params["h"] == pytest.approx(1e-4, rel=1e-6)


def test_the_report_is_of_kind_function_and_says_the_arguments_came_back_unchanged():
    report = check_function(learner_function("book_functions", "cross_entropy_error"))
    assert report.kind == "function" and report.rows == []
    assert [f.key for f in report.findings if f.check == "mutation"] == ["fn.untouched"]


def test_the_spy_tells_central_forward_vanished_and_unrestored_steps():
    def steps(*deltas):
        x0 = np.zeros(2)
        spy = Spy(lambda a: 0.0, x0)
        for d in deltas:
            spy(x0 + np.array(d))
        return step_cause(spy.steps)

    assert steps([1e-4, 0], [-1e-4, 0], [0, 1e-4], [0, -1e-4]) is None
    assert steps([0, 0], [1e-4, 0], [0, 0], [0, 1e-4]) == ("fn.cause.one_sided", {"h": pytest.approx(1e-4)})
    assert steps([0, 0], [0, 0]) == ("fn.cause.h_zero", {})
    assert steps([1e-4, 0], [-1e-4, 0], [-1e-4, 1e-4]) == ("fn.cause.not_restored", {})
    assert steps([0.1, 0], [-0.1, 0]) == ("fn.cause.h_large", {"h": pytest.approx(0.1)})


def test_the_references_agree_with_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    for N, C, H, W, fh, fw, stride, pad in reference.GEOMETRIES:
        x = rng.standard_normal((N, C, H, W))
        unfold = torch.nn.functional.unfold(torch.from_numpy(x), (fh, fw), padding=pad, stride=stride)
        want = unfold.transpose(1, 2).reshape(-1, C * fh * fw).numpy()  # rows (N, OH, OW), columns (C, FH, FW)
        np.testing.assert_array_equal(F.im2col(x, fh, fw, stride, pad), want)
    logits, y, t = reference.probabilities(rng, 4, 5)
    torch_ce = torch.nn.functional.cross_entropy(torch.from_numpy(logits), torch.from_numpy(t)).item()
    assert reference.softmax_loss_exact(logits, t) == pytest.approx(torch_ce, rel=1e-12)
    assert reference.cross_entropy_exact(y, np.eye(5)[t]) == pytest.approx(torch_ce, rel=1e-12)
    assert (y[np.arange(4), t] > 0.5).all()
