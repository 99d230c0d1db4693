"""Building a learner's class from the book's argument names, and inputs that fit it (bprop.gradcheck.build)."""

import numpy as np
import pytest

from bprop.gradcheck import build
from bprop.gradcheck.learner import LearnerError
from bprop.layers import Affine, BatchNormalization, Convolution, Dropout, Pooling

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("text, parsed", [
    ("stride=2", ("stride", 2)), ("lr=0.1", ("lr", 0.1)), ("W=4,3,3,3", ("W", (4, 3, 3, 3))),
    ("use_bias=False", ("use_bias", False)), ("running_mean=None", ("running_mean", None)),
    ("activation=relu", ("activation", "relu")),
])
def test_param_values_are_numbers_shapes_flags_or_words(text, parsed):
    assert build.parse_param(text) == parsed


@pytest.mark.parametrize("text", ["stride", "=2", "2x=1", "W=4,a", "W=0,3"])
def test_bad_param_is_a_learner_error(text):
    with pytest.raises(LearnerError) as error:
        build.parse_param(text)
    assert error.value.key == "cli.bad_param"


def test_a_convolution_gets_a_4d_filter_and_images():
    layer, plan = build.build_layer(Convolution, None, np.float64, RNG)
    assert layer.W.shape == (4, 3, 3, 3) and layer.b.shape == (4,)
    x, = build.build_inputs(layer, plan, np.float64, RNG)
    assert x.shape == (2, 3, 5, 7)
    assert layer.forward(x).shape == (2, 4, 3, 5)


def test_a_w_b_class_that_takes_images_is_tried_as_a_convolution():
    class MyLayer:  # nothing in the name says convolution: forward decides
        def __init__(self, W, b):
            self.W, self.b = W, b

        def forward(self, x):
            N, C, H, W = x.shape
            FN, _, FH, FW = self.W.shape
            return np.zeros((N, FN, H - FH + 1, W - FW + 1))

        def backward(self, dout):
            return dout

    layer, plan = build.build_layer(MyLayer, None, np.float64, RNG)
    assert plan.kind == "conv" and layer.W.ndim == 4


def test_an_affine_gets_w_d_by_m_and_param_overrides_it():
    layer, plan = build.build_layer(Affine, None, np.float64, RNG)
    assert layer.W.shape == (5, 3) and plan.shape == (4, 5)
    layer, plan = build.build_layer(Affine, None, np.float64, RNG, {"W": (6, 6), "b": 6})
    assert layer.W.shape == (6, 6) and layer.b.shape == (6,) and plan.shape == (4, 6)


def test_pooling_batchnorm_and_dropout_get_the_books_arguments():
    pool, plan = build.build_layer(Pooling, None, np.float64, RNG, {"pool_h": 2, "pool_w": 2})
    assert plan.shape == (2, 3, 4, 6)
    x, = build.build_inputs(pool, plan, np.float64, RNG)
    assert len(np.unique(x)) == x.size and np.min(np.diff(np.sort(x.ravel()))) >= 0.01 - 1e-12  # no near-ties
    norm, plan = build.build_layer(BatchNormalization, None, np.float64, RNG)
    assert norm.gamma.shape == (5,) and np.all(norm.gamma > 0)
    drop, _ = build.build_layer(Dropout, None, np.float64, RNG)
    assert drop.dropout_ratio == 0.3  # not 0.5: a mask kept where it should drop shows


def test_generated_inputs_keep_away_from_zero():
    layer, plan = build.build_layer(type("Relu", (), {"forward": lambda s, x: x, "backward": lambda s, d: d}),
                                    None, np.float64, RNG)
    x, = build.build_inputs(layer, plan, np.float64, RNG)
    assert np.min(np.abs(x)) >= 0.05


def test_a_book2_rnn_cell_gets_wx_wh_b_and_h_prev():
    class RNN:
        def __init__(self, Wx, Wh, b):
            self.params = [Wx, Wh, b]

        def forward(self, x, h_prev):
            Wx, Wh, b = self.params
            return np.tanh(x @ Wx + h_prev @ Wh + b)

        def backward(self, dh):
            return dh, dh

    layer, plan = build.build_layer(RNN, None, np.float64, RNG)
    assert [p.shape for p in layer.params] == [(5, 3), (3, 3), (3,)]
    x, h = build.build_inputs(layer, plan, np.float64, RNG)
    assert x.shape == (4, 5) and h.shape == (4, 3)


def test_an_argument_nobody_knows_names_itself_and_param():
    class Odd:
        def __init__(self, kernel_mode):
            pass

    with pytest.raises(LearnerError) as error:
        build.build_layer(Odd, None, np.float64, RNG)
    assert "--param kernel_mode=VALUE" in error.value.message()
    assert "--param kernel_mode=VALUE で指定してください" in error.value.message("ja")


def test_a_constructor_that_raises_is_a_learner_error():
    class Broken:
        def __init__(self):
            raise SystemExit(3)

    with pytest.raises(LearnerError) as error:
        build.build_layer(Broken, None, np.float64, RNG)
    assert error.value.key == "cli.construct_failed"
