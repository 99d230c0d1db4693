"""check_layer's diagnoses: a learner's buggy layer gets its likely cause named, a correct one passes."""

import numpy as np
import pytest

from bprop.gradcheck import check_layer

from support import failed_keys, learner_case

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
    (lambda self, dout: np.where(self.mask, 0.0, dout + 0.5), "grad.derivative_of",
     "disagrees with central differences; forward is ReLU, whose derivative is 1 where x > 0, else 0"),
])
def test_wrong_backward_gets_its_likely_cause(backward, key, phrase):
    report = check_layer(_relu_with_backward(backward), X)
    assert failed_keys(report) == [key]
    assert phrase in report.failures[0].message()
