"""Loss layers: labels, batch averaging, stability."""

import numpy as np
import pytest

from bprop.layers import MeanSquaredError, SigmoidWithLoss, SoftmaxWithLoss


def test_softmax_with_loss_gives_the_same_loss_and_gradient_for_labels_and_one_hot():
    rng = np.random.default_rng(0)
    x, t = rng.standard_normal((6, 4)), rng.integers(0, 4, 6)
    a, b = SoftmaxWithLoss(), SoftmaxWithLoss()
    assert a.forward(x, t) == pytest.approx(b.forward(x, np.eye(4)[t]), rel=1e-15)
    np.testing.assert_allclose(a.backward(), b.backward(), rtol=1e-15)


def test_softmax_with_loss_divides_the_gradient_by_the_batch_size():
    x = np.zeros((4, 2))
    loss = SoftmaxWithLoss()
    assert loss.forward(x, np.zeros(4, int)) == pytest.approx(np.log(2))
    np.testing.assert_allclose(loss.backward(), np.tile([-0.125, 0.125], (4, 1)))
    np.testing.assert_allclose(loss.backward(2.0), np.tile([-0.25, 0.25], (4, 1)))


def test_softmax_with_loss_is_exact_for_logits_of_1e4():
    loss = SoftmaxWithLoss()
    assert loss.forward(np.array([[1e4, -1e4, 0.0]]), np.array([1])) == 2e4
    np.testing.assert_array_equal(loss.backward(), [[1.0, -1.0, 0.0]])


@pytest.mark.parametrize(
    "t, message",
    [
        (np.array([0, 3]), r"label 3 at index 1, out of range for 3 classes"),
        (np.array([0, -1]), r"label -1 at index 1"),
        (np.array([0, 1, 2]), r"expected t as 2 integer labels"),
    ],
)
def test_softmax_with_loss_rejects_bad_labels_clearly(t, message):
    with pytest.raises(ValueError, match=message):
        SoftmaxWithLoss().forward(np.zeros((2, 3)), t)


def test_softmax_with_loss_rejects_fractional_labels():
    with pytest.raises(TypeError, match="integer labels"):
        SoftmaxWithLoss().forward(np.zeros((2, 3)), np.array([0.5, 1.0]))


def test_sigmoid_with_loss_is_binary_cross_entropy_averaged_over_the_batch():
    x, t = np.array([[0.0], [1000.0]]), np.array([[1.0], [0.0]])
    loss = SigmoidWithLoss()
    assert loss.forward(x, t) == pytest.approx((np.log(2) + 1000) / 2)
    np.testing.assert_allclose(loss.backward(), [[-0.25], [0.5]])
    with pytest.raises(ValueError, match=r"labels t in \[0, 1\]"):
        loss.forward(x, np.array([[2.0], [0.0]]))


def test_mean_squared_error_halves_and_averages_and_treats_1d_as_one_sample():
    mse = MeanSquaredError()
    assert mse.forward(np.array([[1.0, 2.0], [3.0, 4.0]]), np.zeros((2, 2))) == pytest.approx(7.5)
    np.testing.assert_allclose(mse.backward(), [[0.5, 1.0], [1.5, 2.0]])
    assert mse.forward(np.array([0.1, 0.05, 0.6, 0.0]), np.array([0, 0, 1, 0])) == pytest.approx(0.08625)
    with pytest.raises(ValueError, match=r"expected t of shape \(4,\)"):
        mse.forward(np.zeros(4), np.zeros(3))


def test_loss_is_a_scalar_of_the_input_dtype():
    loss = SoftmaxWithLoss().forward(np.zeros((2, 3), np.float32), np.array([0, 1]))
    assert isinstance(loss, np.float32)
