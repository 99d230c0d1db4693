"""bprop.testing: the checks as pytest assertions, failing with the report's words."""

import numpy as np
import pytest

from bprop import optim
from bprop.layers import Affine, Relu
from bprop.nets import TwoLayerNet
from bprop.testing import assert_function_ok, assert_layer_ok, assert_net_ok, assert_optimizer_ok

from support import learner

X = np.random.default_rng(0).standard_normal((4, 5))


def test_a_correct_layer_passes_as_object_or_class():
    assert assert_layer_ok(Relu(), X).ok
    assert assert_layer_ok(Affine).ok  # built and fed as bprop check does
    assert assert_layer_ok(learner("relu_where", "Relu"), X).ok


def test_a_buggy_layer_fails_with_the_cause_in_english_or_japanese():
    with pytest.raises(AssertionError, match="the mask looks inverted"):
        assert_layer_ok(learner("relu_inverted_mask", "Relu"), X)
    with pytest.raises(AssertionError, match="マスクが反転しているようです"):
        assert_layer_ok(learner("relu_inverted_mask", "Relu"), X, lang="ja")


def test_a_layer_object_needs_its_inputs():
    with pytest.raises(TypeError, match="needs the inputs of forward"):
        assert_layer_ok(Relu())


def test_optimizers_nets_and_functions():
    assert assert_optimizer_ok(optim.Adam).ok
    assert assert_optimizer_ok(optim.SGD(lr=0.1)).ok
    assert assert_net_ok(TwoLayerNet(input_size=6, hidden_size=5, output_size=3)).ok
    from bprop.functions import softmax

    assert assert_function_ok(softmax).ok


def test_a_wrong_optimizer_fails_with_its_cause():
    class SGD:
        def __init__(self, lr=0.01):
            self.lr = lr

        def update(self, params, grads):
            for key in params:
                params[key] += self.lr * grads[key]

    with pytest.raises(AssertionError, match="sign"):
        assert_optimizer_ok(SGD)
