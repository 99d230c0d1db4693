"""Infinite scores get the values the math gives them, or a clear error; never NaN, never a warning."""

import warnings

import numpy as np
import pytest

from bprop.functions import log_softmax, softmax
from bprop.layers import SigmoidWithLoss, SoftmaxWithLoss

INF = np.inf


@pytest.fixture(autouse=True)
def warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def test_softmax_gives_a_plus_inf_logit_the_whole_row_and_minus_inf_nothing():
    x = np.array([[INF, 0.0, 1.0], [-INF, 2.0, 1.0], [INF, INF, 0.0]])
    np.testing.assert_array_equal(softmax(x)[[0, 2]], [[1, 0, 0], [0.5, 0.5, 0]])
    np.testing.assert_allclose(softmax(x)[1], [0, *softmax(np.array([2.0, 1.0]))])
    logp = log_softmax(x)
    assert logp[0, 0] == 0 and logp[0, 1] == -INF and logp[2, 0] == pytest.approx(-np.log(2))


@pytest.mark.parametrize("row, what", [([-INF, -INF], "−inf in every class"), ([np.nan, 1.0], "NaN")])
def test_a_row_without_any_probability_is_a_clear_error(row, what):
    with pytest.raises(ValueError, match=f"row 1 holds {what}: no class has a probability"):
        softmax(np.array([[0.0, 1.0], row]))


def test_softmax_with_loss_is_exact_when_the_infinity_is_on_the_right_side():
    x = np.array([[INF, 0.0, 1.0], [-INF, 2.0, 1.0], [0.0, 1.0, 2.0]])
    layer = SoftmaxWithLoss()
    loss = layer.forward(x, np.array([0, 1, 2]))
    want = -(log_softmax(np.array([2.0, 1.0]))[0] + log_softmax(x[2])[2]) / 3  # sample 0 adds exactly 0
    assert loss == pytest.approx(want, rel=1e-12)
    dx = layer.backward()
    assert np.isfinite(dx).all() and not dx[0].any()
    onehot = SoftmaxWithLoss().forward(x, np.eye(3)[[0, 1, 2]])
    assert onehot == pytest.approx(want, rel=1e-12)  # 0·log 0 counts as 0


@pytest.mark.parametrize("labels", [[1, 1, 2], [0, 0, 2]])
def test_softmax_with_loss_refuses_an_infinite_loss_naming_the_sample(labels):
    x = np.array([[INF, 0.0, 1.0], [-INF, 2.0, 1.0], [0.0, 1.0, 2.0]])
    sample = 0 if labels[0] == 1 else 1
    with pytest.raises(ValueError, match=f"sample {sample}'s true class has probability 0"):
        SoftmaxWithLoss().forward(x, np.array(labels))


def test_sigmoid_with_loss_at_plus_and_minus_inf():
    layer = SigmoidWithLoss()
    assert layer.forward(np.array([[INF, -INF, 0.0]]), np.array([[1.0, 0.0, 1.0]])) == pytest.approx(np.log(2))
    np.testing.assert_array_equal(layer.backward(), [[0.0, 0.0, -0.5]])
    with pytest.raises(ValueError, match=r"x at \(0, 0\) is inf with t = 0, so the loss is infinite"):
        layer.forward(np.array([[INF, 0.0]]), np.array([[0.0, 1.0]]))
