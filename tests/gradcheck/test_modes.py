"""Train and test mode, replayed randomness, kinks and float32 inside: check_layer never fails correct code
for them, and names what is wrong."""

import numpy as np
import pytest

from bprop.gradcheck import check_layer
from bprop.layers import Pooling, Relu

from support import failed_keys

X = np.random.default_rng(5).standard_normal((6, 5))


def _dropout(train_scale, test_scale, mask_rule=lambda r, ratio: r > ratio, generator=False):
    class Dropout:
        def __init__(self, dropout_ratio=0.3):
            self.dropout_ratio = dropout_ratio
            self.rng = np.random.default_rng(1) if generator else None

        def forward(self, x, train_flg=True):
            if train_flg:
                r = self.rng.random(x.shape) if generator else np.random.rand(*x.shape)
                self.mask = mask_rule(r, self.dropout_ratio) * train_scale(self.dropout_ratio)
                return x * self.mask
            return x * test_scale(self.dropout_ratio)

        def backward(self, dout):
            return dout * self.mask * 1.0

    return Dropout()


BOOK = (lambda r: 1.0, lambda r: 1 - r)
INVERTED = (lambda r: 1 / (1 - r), lambda r: 1.0)


@pytest.mark.parametrize("generator", [False, True])
@pytest.mark.parametrize("form, key", [(BOOK, "mode.dropout_book"), (INVERTED, "mode.dropout_inverted")])
def test_book_and_inverted_dropout_pass_with_their_gradients_checked(form, key, generator):
    report = check_layer(_dropout(*form, generator=generator), X)
    assert report.ok, str(report)
    assert report.rows and report.rows[0].ok
    assert key in [f.key for f in report.findings]


@pytest.mark.parametrize("form, key, phrase", [
    ((lambda r: 1.0, lambda r: 1.0), "mode.dropout_no_scale", "multiply by (1 - dropout_ratio) = 0.7"),
    ((lambda r: 1 / (1 - r), lambda r: 1 - r), "mode.dropout_double", "test mode must return x unchanged"),
])
def test_a_wrong_test_time_scale_is_named(form, key, phrase):
    report = check_layer(_dropout(*form), X)
    assert failed_keys(report) == [key]
    assert phrase in str(report)


def test_inverted_dropout_whose_backward_forgets_the_scale_is_named():
    layer = _dropout(*INVERTED)
    type(layer).backward = lambda self, dout: dout * (self.mask > 0)
    report = check_layer(layer, X)
    assert failed_keys(report) == ["grad.dropout_scale"]
    assert "scale dout as forward scaled x" in str(report)


def test_a_mask_that_keeps_the_ratio_instead_of_dropping_it_is_named():
    report = check_layer(_dropout(*BOOK, mask_rule=lambda r, ratio: r < ratio), X)
    assert "mode.dropout_fraction_swapped" in failed_keys(report)


def _batchnorm(momentum_rule="book", test_moves=False):
    class BatchNormalization:
        def __init__(self, gamma, beta, momentum=0.9):
            self.gamma, self.beta, self.momentum = gamma, beta, momentum
            self.running_mean = self.running_var = None

        def forward(self, x, train_flg=True):
            if self.running_mean is None:
                self.running_mean, self.running_var = np.zeros(x.shape[1]), np.ones(x.shape[1])
            if train_flg or test_moves:
                mu, var = x.mean(axis=0), x.var(axis=0)
                m = self.momentum if momentum_rule == "book" else 1 - self.momentum
                self.running_mean = m * self.running_mean + (1 - m) * mu
                self.running_var = m * self.running_var + (1 - m) * var
            if not train_flg:
                return self.gamma * (x - self.running_mean) / np.sqrt(self.running_var + 1e-7) + self.beta
            self.std = np.sqrt(var + 1e-7)
            self.xn = (x - mu) / self.std
            return self.gamma * self.xn + self.beta

        def backward(self, dout):
            n = dout.shape[0]
            self.dbeta = dout.sum(axis=0)
            self.dgamma = (dout * self.xn).sum(axis=0)
            dxn = dout * self.gamma
            return (n * dxn - dxn.sum(axis=0) - self.xn * (dxn * self.xn).sum(axis=0)) / (n * self.std)

    rng = np.random.default_rng(2)
    return BatchNormalization(rng.uniform(0.5, 1.5, 5), rng.standard_normal(5))


def test_batchnorm_checked_in_both_modes_with_its_running_averages():
    report = check_layer(_batchnorm(), X)
    assert report.ok, str(report)
    keys = [f.key for f in report.findings]
    assert "mode.running_ok" in keys and "mode.bn_test_ok" in keys
    assert [r.target for r in report.rows] == ["dx", "dgamma", "dbeta"]


def test_batchnorm_momentum_the_wrong_way_round_is_named():
    assert "mode.running_swapped" in failed_keys(check_layer(_batchnorm("torch"), X))


def test_batchnorm_moving_its_averages_in_test_mode_is_named():
    report = check_layer(_batchnorm(test_moves=True), X)
    assert failed_keys(report) == ["mode.test_moves"]
    assert "update the running averages only when train_flg is True" in str(report)


@pytest.mark.parametrize("offset", [0.8e-4, 0.9e-4, 1.0e-4, -0.95e-4, 0.0])
def test_relu_next_to_its_kink_passes(offset):
    x = X.copy()
    x[0, 0] = offset
    report = check_layer(Relu(), x)
    assert report.ok, str(report)


def test_max_pooling_with_a_near_tie_passes():
    x = np.random.default_rng(3).standard_normal((1, 1, 4, 4))
    x[0, 0, 0, 1] = x[0, 0, 0, 0] + 9e-5
    x[0, 0, 1, 0] = x[0, 0, 0, 0] - 3e-5
    report = check_layer(Pooling(2, 2, stride=2), x)
    assert report.ok, str(report)


def test_a_layer_computing_in_float32_inside_is_checked_with_float32_precision():
    class Sigmoid:
        def forward(self, x):
            self.out = (1 / (1 + np.exp(-x.astype(np.float32)))).astype(np.float32)
            return self.out

        def backward(self, dout):
            return (dout * self.out * (1 - self.out)).astype(np.float32)

    report = check_layer(Sigmoid(), X * 3)
    assert report.ok, str(report)
    assert "precision.float32" in [f.key for f in report.findings]
    assert "gradients are checked with float32's precision" in str(report)


def test_a_float32_layer_with_a_real_bug_still_fails():
    class Sigmoid:
        def forward(self, x):
            self.out = (1 / (1 + np.exp(-x.astype(np.float32)))).astype(np.float32)
            return self.out

        def backward(self, dout):
            return (dout * self.out).astype(np.float32)

    assert "grad.missing_factor" in failed_keys(check_layer(Sigmoid(), X))
